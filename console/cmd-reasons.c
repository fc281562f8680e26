/*
 * cmd-reasons.c - `invigil reasons`: check a reason file, print the
 * built-in reason codes (the group and its two entries of the command
 * table; invigil-reasons(5)).
 */
#include <stdio.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"
#include "console/reasons.h"

/* One reason file: its number of codes, or -1 with err. */
static int
reasons_check_one(const char *path, size_t *n, char *err, size_t errlen)
{
	struct reasons	*r;

	if ((r = reasons_load(path, err, errlen)) == NULL)
		return -1;
	*n = reasons_count(r);
	reasons_free(r);
	return 0;
}

static int
reasons_check(const struct cmd_entry *self, int argc, char **argv)
{
	return cmd_check_files(self, argc, argv, "reason codes",
	    "reason files", reasons_check_one);
}

static int
reasons_defaults_exec(const struct cmd_entry *self, int argc, char **argv)
{
	return cmd_print_text(self, argc, argv, reasons_default_text());
}

static const struct cmd_entry cmd_reasons_check_entry = {
	.name = "reasons check",
	.summary = "parse each reason file; print FILE: N reason codes, or "
	    "FILE:LINE:COL: what is wrong (exit 1); a FILE whose name starts "
	    "with - goes after --",
	.usage = "reasons check [--] FILE...",
	.badopt = "; a file whose name starts with - goes after --",
	.exec = reasons_check,
	.see = "invigil-reasons(5)",
	.page = "invigil.1",
};

static const struct cmd_entry cmd_reasons_defaults_entry = {
	.name = "reasons defaults",
	.summary = "print the built-in reason codes, a starting point for a "
	    "file",
	.usage = "reasons defaults",
	.exec = reasons_defaults_exec,
	.see = "invigil-reasons(5)",
	.page = "invigil.1",
};

static const struct cmd_entry *const reasons_children[] = {
	&cmd_reasons_check_entry,
	&cmd_reasons_defaults_entry,
	NULL
};

const struct cmd_entry cmd_reasons_entry = {
	.name = "reasons",
	.summary = "check a reason file, print the built-in reason codes",
	.about = "Reason files list the codes a decision is given (invigil "
	    "--reasons PATH): categories and subcategories the proctor picks "
	    "from when deciding; these commands check one before a console "
	    "loads it, and print the codes built in.",
	.children = reasons_children,
	.see = "invigil-reasons(5)",
	.page = "invigil.1",
};
