/*
 * main.c - invigil's entry point: dispatch to a subcommand, git style.
 * With no subcommand, or "console", the proctor's console runs.
 */
#include <stdio.h>
#include <string.h>

#include "console/console.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} commands[] = {
	{ "console",	cmd_console },
	{ "feed",	cmd_feed },
	{ "rules",	cmd_rules },
	{ "review",	cmd_review },
};

int
main(int argc, char **argv)
{
	size_t	i;

	if (argc > 1 && argv[1][0] != '-') {
		for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].fn(argc - 1, argv + 1);
		}
		fprintf(stderr, "invigil: unknown command \"%s\"; commands are "
		    "console, feed, rules and review.\nTry 'invigil --help'.\n", argv[1]);
		return EXIT_USAGE;
	}
	return cmd_console(argc, argv);
}
