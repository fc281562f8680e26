/*
 * cmd-rules.c - `invigil rules`: check a rule file, print the built-in set.
 */
#include <stdio.h>
#include <string.h>

#include "console/console.h"

static const char rules_usage[] =
"usage: invigil rules check FILE...\n"
"       invigil rules defaults\n"
"\n"
"  check FILE...   parse each rule file; print FILE: N rules, or\n"
"                  FILE:LINE:COL: what is wrong (exit 1)\n"
"  defaults        print the built-in rules, a starting point for a file\n"
"\n"
"See invigil-rules(5).\n";

static int
rules_check(int argc, char **argv)
{
	struct rules	*r;
	char		 err[1024], path[1024];
	int		 i, bad = 0;

	if (argc < 2) {
		fprintf(stderr, "invigil rules check: give one or more rule "
		    "files\n");
		return EXIT_USAGE;
	}
	for (i = 1; i < argc; i++) {
		r = rules_load(argv[i], err, sizeof err);
		if (r == NULL) {
			fprintf(stderr, "%s\n", err);
			bad = 1;
			continue;
		}
		printf("%s: %zu rules, OK\n", proto_clean(argv[i], path,
		    sizeof path), rules_count(r));
		rules_free(r);
	}
	return bad ? EXIT_RUNTIME : 0;
}

static int
rules_defaults(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "invigil rules defaults: takes no arguments\n");
		return EXIT_USAGE;
	}
	fputs(rules_default_text(), stdout);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
} rules_commands[] = {
	{ "check",	rules_check },
	{ "defaults",	rules_defaults },
};

int
cmd_rules(int argc, char **argv)
{
	size_t	i;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(rules_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (i = 0; i < sizeof rules_commands / sizeof rules_commands[0]; i++) {
		if (strcmp(argv[1], rules_commands[i].name) == 0)
			return rules_commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "invigil rules: unknown subcommand \"%s\"; try "
	    "'invigil rules --help'\n", argv[1]);
	return EXIT_USAGE;
}
