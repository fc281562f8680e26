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

static int
reasons_check(const struct cmd_entry *self, int argc, char **argv)
{
	struct reasons	*r;
	char		 err[1024], path[1024];
	int		 i, first, bad = 0, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first == argc)
		return cmd_usage_error(self, "give one or more reason files",
		    NULL);
	for (i = first; i < argc; i++) {
		if ((r = reasons_load(argv[i], err, sizeof err)) == NULL) {
			/* The error quotes the path sanitised. */
			fprintf(stderr, "%s\n", err);
			bad = 1;
			continue;
		}
		printf("%s: %zu reason codes, OK\n", proto_clean(argv[i], path,
		    sizeof path), reasons_count(r));
		reasons_free(r);
	}
	return bad ? EXIT_RUNTIME : 0;
}

static int
reasons_defaults_exec(const struct cmd_entry *self, int argc, char **argv)
{
	int	first, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first != argc)
		return cmd_usage_error(self, "takes no arguments, not \"%s\"",
		    argv[first]);
	fputs(reasons_default_text(), stdout);
	return 0;
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
