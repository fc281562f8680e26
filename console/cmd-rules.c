/*
 * cmd-rules.c - `invigil rules`: check a rule file, print the built-in set.
 */
#include <stdio.h>
#include <string.h>

#include "console/console.h"

static const char rules_usage[] =
"usage: invigil rules check [--] FILE...\n"
"       invigil rules defaults\n"
"\n"
"  check FILE...   parse each rule file; print FILE: N rules, or\n"
"                  FILE:LINE:COL: what is wrong (exit 1); a FILE whose\n"
"                  name starts with - goes after --\n"
"  defaults        print the built-in rules, a starting point for a file\n"
"  -h, --help      this help, also after a subcommand\n"
"\n"
"See invigil-rules(5).\n";

/*
 * The options every subcommand takes before its arguments: --help and -h
 * print the usage (exit 0), -- ends them, anything else that starts with
 * - is a usage error naming it.  *first is set to the first argument after
 * them.  Returns -1 to go on, or the exit status.
 */
static int
rules_options(const char *sub, int argc, char **argv, int *first)
{
	char	clean[4 * 256];
	int	i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(rules_usage, stdout);
			return 0;
		}
		fprintf(stderr, "invigil rules %s: unknown option %s%s\nTry "
		    "'invigil rules --help'.\n", sub, proto_clean(argv[i],
		    clean, sizeof clean), strcmp(sub, "check") == 0 ? "; a "
		    "file whose name starts with - goes after --" : "");
		return EXIT_USAGE;
	}
	*first = i;
	return -1;
}

static int
rules_check(int argc, char **argv)
{
	struct rules	*r;
	char		 err[1024], path[1024];
	int		 i, first, bad = 0, rc;

	if ((rc = rules_options("check", argc, argv, &first)) != -1)
		return rc;
	if (first == argc) {
		fprintf(stderr, "invigil rules check: give one or more rule "
		    "files\n");
		return EXIT_USAGE;
	}
	for (i = first; i < argc; i++) {
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
	char	clean[4 * 256];
	int	first, rc;

	if ((rc = rules_options("defaults", argc, argv, &first)) != -1)
		return rc;
	if (first != argc) {
		fprintf(stderr, "invigil rules defaults: takes no arguments, "
		    "not \"%s\"\nTry 'invigil rules --help'.\n",
		    proto_clean(argv[first], clean, sizeof clean));
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
	char	clean[4 * 256];
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
	fprintf(stderr, "invigil rules: unknown %s \"%s\"; try "
	    "'invigil rules --help'\n", argv[1][0] == '-' ? "option" :
	    "subcommand", proto_clean(argv[1], clean, sizeof clean));
	return EXIT_USAGE;
}
