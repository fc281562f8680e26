/*
 * cmd-rules.c - `invigil rules`: check a rule file, print the built-in set
 * (the group and its two entries of the command table).
 */
#include <stdio.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"

/* One rule file: its number of rules, or -1 with err. */
static int
rules_check_one(const char *path, size_t *n, char *err, size_t errlen)
{
	struct rules	*r;

	if ((r = rules_load(path, err, errlen)) == NULL)
		return -1;
	*n = rules_count(r);
	rules_free(r);
	return 0;
}

static int
rules_check(const struct cmd_entry *self, int argc, char **argv)
{
	return cmd_check_files(self, argc, argv, "rules", "rule files",
	    rules_check_one);
}

static int
rules_defaults(const struct cmd_entry *self, int argc, char **argv)
{
	return cmd_print_text(self, argc, argv, rules_default_text());
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
