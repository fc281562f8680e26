/*
 * cmd-rules.c - `invigil rules`: check a rule file, print the built-in set
 * (the group and its two entries of the command table).
 */
#include <stdio.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"

static int
rules_check(const struct cmd_entry *self, int argc, char **argv)
{
	struct rules	*r;
	char		 err[1024], path[1024];
	int		 i, first, bad = 0, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first == argc)
		return cmd_usage_error(self, "give one or more rule files",
		    NULL);
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
rules_defaults(const struct cmd_entry *self, int argc, char **argv)
{
	int	first, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first != argc)
		return cmd_usage_error(self, "takes no arguments, not \"%s\"",
		    argv[first]);
	fputs(rules_default_text(), stdout);
	return 0;
}

static const struct cmd_entry cmd_rules_check_entry = {
	.name = "rules check",
	.summary = "parse each rule file; print FILE: N rules, or "
	    "FILE:LINE:COL: what is wrong (exit 1); a FILE whose name starts "
	    "with - goes after --",
	.usage = "rules check [--] FILE...",
	.badopt = "; a file whose name starts with - goes after --",
	.exec = rules_check,
	.see = "invigil-rules(5)",
	.page = "invigil.1",
};

static const struct cmd_entry cmd_rules_defaults_entry = {
	.name = "rules defaults",
	.summary = "print the built-in rules, a starting point for a file",
	.usage = "rules defaults",
	.exec = rules_defaults,
	.see = "invigil-rules(5)",
	.page = "invigil.1",
};

static const struct cmd_entry *const rules_children[] = {
	&cmd_rules_check_entry,
	&cmd_rules_defaults_entry,
	NULL
};

const struct cmd_entry cmd_rules_entry = {
	.name = "rules",
	.summary = "check a rule file, print the built-in rules",
	.about = "Rule files say which events raise flags (invigil --rules "
	    "PATH); these commands check one before a console loads it, and "
	    "print the rules built in.",
	.children = rules_children,
	.see = "invigil-rules(5)",
	.page = "invigil.1",
};
