/*
 * check_commands.c - unit tests of the command table (console/commands.c):
 * every entry is whole (a name under its group, a summary, usage lines
 * that start with the name, a man page, an exec or children, options
 * with distinct names and keys), option parsing from the table (short and
 * long forms, optional arguments, --help, unknown options, missing values
 * and operands), and the help and synopsis generated from it.  The comparison
 * of the synopsis with man/ is tests/e2e-synopsis.sh.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/commands.h"
#include "tests/check_main.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

static const char *const top_names[] = {
	"console", "feed", "rules", "reasons", "config", "review", "admin",
	"help"
};

/* One entry, whole; group is its group, or NULL. */
static void
entry_check(const struct cmd_entry *e, const struct cmd_entry *group)
{
	const struct cmd_option	*o, *p;
	size_t			 len;

	ck_assert_ptr_nonnull(e->name);
	ck_assert_msg(e->summary != NULL && e->summary[0] != '\0',
	    "%s: no summary", e->name);
	ck_assert_msg(e->page != NULL && strstr(e->page, "invigil") == e->page,
	    "%s: no man page", e->name);
	ck_assert_msg((e->exec == NULL) != (e->children == NULL),
	    "%s: wants an exec or children, not both", e->name);
	if (group != NULL) {
		len = strlen(group->name);
		ck_assert_msg(strncmp(e->name, group->name, len) == 0 &&
		    e->name[len] == ' ', "%s is not under %s", e->name,
		    group->name);
	}
	if (e->exec != NULL && !(e->flags & CMD_DEFAULT) &&
	    strcmp(e->name, "help") != 0)
		ck_assert_msg(e->usage != NULL && strncmp(e->usage, e->name,
		    strlen(e->name)) == 0, "%s: usage does not start with its "
		    "name", e->name);
	for (o = e->options; o != NULL && o->name != NULL; o++) {
		ck_assert_msg(o->help != NULL && o->help[0] != '\0',
		    "%s --%s: no help", e->name, o->name);
		ck_assert_msg(o->key != 'h' && o->key > 0,
		    "%s --%s: key %d", e->name, o->name, o->key);
		if (o->flags & CMD_OPT_SHORT)
			ck_assert(isalnum(o->key));
		if (strcmp(o->name, "db") == 0)
			ck_assert_msg(e->opens & (CMD_OPENS_STORE_READ |
			    CMD_OPENS_STORE_WRITE), "%s takes --db and opens "
			    "no store", e->name);
		for (p = e->options; p < o; p++) {
			ck_assert_str_ne(p->name, o->name);
			ck_assert_int_ne(p->key, o->key);
		}
	}
}

START_TEST(test_table_whole)
{
	const struct cmd_entry	*e, *const *c;
	size_t			 i, n = 0;

	for (i = 0; i < nitems(top_names); i++) {
		e = cmd_find(top_names[i]);
		ck_assert_msg(e != NULL, "no command %s", top_names[i]);
		entry_check(e, NULL);
		for (c = e->children; c != NULL && *c != NULL; c++, n++)
			entry_check(*c, e);
	}
	ck_assert_uint_eq(n, 33);	/* rules check, defaults; reasons
					   check, defaults; config check,
					   path; review x14;
					   admin keys, trust, the outcome's
					   cases, show and seven acts, export
					   and verify-export */
	ck_assert_ptr_null(cmd_find("feeds"));
	ck_assert_ptr_null(cmd_find("review backtest"));
	ck_assert(cmd_console_entry.flags & CMD_DEFAULT);
	ck_assert(cmd_console_entry.opens & CMD_OPENS_STORE_WRITE);
	ck_assert(cmd_console_entry.opens & CMD_OPENS_KEYS);
	ck_assert(cmd_review_verify_entry.opens == CMD_OPENS_STORE_READ);
	ck_assert(cmd_review_forensics_entry.opens == CMD_OPENS_STORE_READ);
}
END_TEST

START_TEST(test_getopt)
{
	char			*argv[] = {
		"invigil", "--feed", "ws://127.0.0.1:1/", "-dx.db", "--demo=3",
		"--dem", "--head", "operand", "--rate", "2", NULL
	};
	struct cmd_getopt	 g;
	int			 argc = (int)nitems(argv) - 1;

	cmd_getopt_start(&g, &cmd_console_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'f');
	ck_assert_str_eq(optarg, "ws://127.0.0.1:1/");
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'd');
	ck_assert_str_eq(optarg, "x.db");
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'D');
	ck_assert_str_eq(optarg, "3");
	/* Abbreviations, as getopt_long allows; an optional argument. */
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'D');
	ck_assert_ptr_null(optarg);
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'H');
	/* Operands are moved to the end. */
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), 'R');
	ck_assert_str_eq(optarg, "2");
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), -1);
	ck_assert_str_eq(argv[optind], "operand");
	/* The console takes none: a usage error, and parsing stays over. */
	ck_assert_int_eq(g.status, 2);
	ck_assert_int_eq(cmd_getopt(&g, argc, argv), -1);
}
END_TEST

START_TEST(test_getopt_errors)
{
	char			*unknown[] = { "feed", "--bogus", NULL };
	char			*missing[] = { "feed", "--listen", NULL };
	char			*help[] = { "feed", "-h", NULL };
	char			*noarg[] = { "feed", "--quiet=1", NULL };
	struct cmd_getopt	 g;

	char			*fine[] = { "feed", "-q", NULL };
	char			*operand[] = { "verify", "x.db", NULL };

	/* Each stops the parsing with the status the command exits with. */
	cmd_getopt_start(&g, &cmd_feed_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, unknown), -1);
	ck_assert_int_eq(g.status, 2);
	cmd_getopt_start(&g, &cmd_feed_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, missing), -1);
	ck_assert_int_eq(g.status, 2);
	cmd_getopt_start(&g, &cmd_feed_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, noarg), -1);
	ck_assert_int_eq(g.status, 2);
	cmd_getopt_start(&g, &cmd_feed_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, help), -1);
	ck_assert_int_eq(g.status, 0);
	cmd_getopt_start(&g, &cmd_feed_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, fine), 'q');
	ck_assert_int_eq(cmd_getopt(&g, 2, fine), -1);
	ck_assert_int_eq(g.status, -1);
	/* Without CMD_NO_OPERANDS an operand is the command's to judge. */
	cmd_getopt_start(&g, &cmd_review_verify_entry, 0);
	ck_assert_int_eq(cmd_getopt(&g, 2, operand), -1);
	ck_assert_int_eq(g.status, -1);
	ck_assert_int_eq(optind, 1);
	ck_assert_int_eq(cmd_usage_error(&cmd_feed_entry, "x %s", "y"), 2);
}
END_TEST

/* What f writes to a FILE, as a string (static storage). */
static const char *
captured(void (*f)(FILE *, const struct cmd_entry *),
    const struct cmd_entry *e)
{
	static char	 buf[64 * 1024];
	FILE		*fp = tmpfile();
	size_t		 n;

	ck_assert_ptr_nonnull(fp);
	f(fp, e);
	rewind(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

START_TEST(test_help)
{
	const struct cmd_option	*o;
	const char		*text, *line;
	char			 want[64];

	/* The console's help: every option, the commands, no line too long. */
	text = captured(cmd_help, &cmd_console_entry);
	for (o = cmd_console_entry.options; o->name != NULL; o++) {
		snprintf(want, sizeof want, "--%s", o->name);
		ck_assert_msg(strstr(text, want) != NULL, "no %s in:\n%s", want,
		    text);
	}
	ck_assert_ptr_nonnull(strstr(text, "usage: invigil [console] --feed"));
	ck_assert_ptr_nonnull(strstr(text, "\n  review "));
	ck_assert_ptr_nonnull(strstr(text, "  -h, --help "));
	for (line = text; *line != '\0'; line += strcspn(line, "\n") + 1)
		ck_assert_msg(strcspn(line, "\n") <= 79, "too long: %.100s",
		    line);
	/* A subcommand's help is its group's. */
	text = captured(cmd_help, &cmd_review_verify_entry);
	ck_assert_ptr_eq(strstr(text, "usage: invigil review backtest"), text);
	ck_assert_ptr_nonnull(strstr(text, "--checkpoints FILE"));
	ck_assert_ptr_nonnull(strstr(text, "--export FILE"));
}
END_TEST

static Suite *
commands_suite(void)
{
	Suite	*s = suite_create("commands");
	TCase	*tc = tcase_create("table");

	tcase_add_test(tc, test_table_whole);
	tcase_add_test(tc, test_getopt);
	tcase_add_test(tc, test_getopt_errors);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	cmd_set_table(cmd_table_main);
	return check_main(commands_suite());
}
