/*
 * commands.c - the command table and everything generated from it:
 * dispatch (git style: `invigil COMMAND [SUBCOMMAND] ...`), the helps,
 * the unknown-command and usage-error messages, getopt_long's tables and
 * the synopsis the man pages are checked against.  See commands.h.
 *
 * The entries themselves sit beside their functions in cmd-*.c; this file
 * lists the top-level ones in the order the helps and man/invigil.1 show
 * them, and holds `invigil help`.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"
#include "console/view.h"

#define HELP_WIDTH	79	/* columns the helps are wrapped to */
#define HELP_SPEC_MAX	24	/* a wider option puts its help below it */
#define MAIN_PAGE	"invigil.1"
#define CLEAN_SIZE	(4 * 2048)

static int	help_exec(const struct cmd_entry *, int, char **);

static const struct cmd_option help_options[] = {
	{ "synopsis", 'S', 0, NULL, "print the usage lines of every man page's "
	    "SYNOPSIS, each as PAGE: LINE (tests compare them with man/)" },
	{ "keys", 'k', 0, NULL, "print the KEYS section of invigil(1) as roff, "
	    "generated from the screen's key tables (tests compare it with "
	    "man/)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.summary = "this list, or a command's help (as invigil COMMAND "
	    "--help)",
	.usage = "help [COMMAND [SUBCOMMAND]]\n-h | --help",
	.options = help_options,
	.about = "Print the help of COMMAND, or the console's help and the "
	    "list of commands.",
	.exec = help_exec,
	.see = "invigil(1)",
	.page = MAIN_PAGE,
};

/*
 * The top-level commands (cmd-table.c), given by cmd_main() or
 * cmd_set_table(): this file names no command, so that the commands may use
 * it without a circle.  The first entry is the default (the console).
 */
static const struct cmd_entry *const *cmd_table;

void
cmd_set_table(const struct cmd_entry *const *table)
{
	cmd_table = table;
}

/* The -h, --help every command takes. */
static const struct cmd_option cmd_help_option = {
	"help", 'h', CMD_OPT_SHORT, NULL, "this help"
};
static const struct cmd_option cmd_group_help_option = {
	"help", 'h', CMD_OPT_SHORT, NULL, "this help, also after a subcommand"
};

/* ---- names */

/* The last word of e's name: "backtest" of "review backtest". */
static const char *
cmd_leaf(const struct cmd_entry *e)
{
	const char	*sp = strrchr(e->name, ' ');

	return sp != NULL ? sp + 1 : e->name;
}

const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	}
	return NULL;
}

/* The top-level command e belongs to (e itself if it is one). */
static const struct cmd_entry *
cmd_top(const struct cmd_entry *e)
{
	size_t	len = strcspn(e->name, " "), i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (strncmp(cmd_table[i]->name, e->name, len) == 0 &&
		    cmd_table[i]->name[len] == '\0')
			return cmd_table[i];
	}
	return e;
}

/* The child of group e named name, or NULL. */
static const struct cmd_entry *
cmd_child(const struct cmd_entry *e, const char *name)
{
	size_t	i;

	for (i = 0; e->children != NULL && e->children[i] != NULL; i++) {
		if (strcmp(cmd_leaf(e->children[i]), name) == 0)
			return e->children[i];
	}
	return NULL;
}

/* proto_suggest_hint() among the leaf names of list. */
static const char *
cmd_suggest(const struct cmd_entry *const *list, const char *name,
    char *buf, size_t size)
{
	const char	*names[CMD_OPTIONS_MAX];
	size_t		 n;

	for (n = 0; list[n] != NULL && n < CMD_OPTIONS_MAX; n++)
		names[n] = cmd_leaf(list[n]);
	return proto_suggest_hint(buf, size, name, names, n);
}

/* ---- usage errors */

static int
usage_error(const struct cmd_entry *e, const char *fmt, const char *arg,
    const char *extra)
{
	const struct cmd_entry	*top = cmd_top(e);
	char			 clean[CLEAN_SIZE];

	fputs("invigil", stderr);
	if (!(e->flags & CMD_DEFAULT))
		fprintf(stderr, " %s", e->name);
	fputs(": ", stderr);
	if (arg == NULL)
		fputs(fmt, stderr);
	else
		fprintf(stderr, fmt, proto_clean(arg, clean, sizeof clean));
	fputs(extra != NULL ? extra : "", stderr);
	if (top->flags & CMD_HINT_INLINE)
		fprintf(stderr, "; see 'invigil %s --help'\n", top->name);
	else if (top->flags & CMD_DEFAULT)
		fputs("\nTry 'invigil --help'.\n", stderr);
	else
		fprintf(stderr, "\nTry 'invigil %s --help'.\n", top->name);
	return EXIT_USAGE;
}

int
cmd_usage_error(const struct cmd_entry *e, const char *fmt, const char *arg)
{
	return usage_error(e, fmt, arg, NULL);
}

int
cmd_unknown_option(const struct cmd_entry *e, const char *arg)
{
	return usage_error(e, "unknown option %s", arg, e->badopt);
}

/* An unknown top-level command: the list of commands, and a suggestion. */
static int
cmd_unknown_command(const char *name)
{
	char	clean[CLEAN_SIZE], hint[128];
	size_t	i;

	fprintf(stderr, "invigil: unknown command \"%s\"%s; commands are ",
	    proto_clean(name, clean, sizeof clean),
	    cmd_suggest(cmd_table, name, hint, sizeof hint));
	for (i = 0; cmd_table[i] != NULL; i++) {
		fprintf(stderr, "%s%s", i == 0 ? "" : cmd_table[i + 1] == NULL ?
		    " and " : ", ", cmd_table[i]->name);
	}
	fputs(".\nTry 'invigil --help'.\n", stderr);
	return EXIT_USAGE;
}

/* An unknown word after a group's name: an option or a subcommand. */
static int
cmd_unknown_child(const struct cmd_entry *group, const char *name)
{
	char	clean[CLEAN_SIZE], hint[128];

	hint[0] = '\0';
	if (name[0] != '-')
		cmd_suggest(group->children, name, hint, sizeof hint);
	fprintf(stderr, "invigil %s: unknown %s \"%s\"%s; try 'invigil %s "
	    "--help'\n", group->name, name[0] == '-' ? "option" : "subcommand",
	    proto_clean(name, clean, sizeof clean), hint, group->name);
	return EXIT_USAGE;
}

/* ---- options */

void
cmd_getopt_start(struct cmd_getopt *g, const struct cmd_entry *e, int stop)
{
	const struct cmd_option	*o;
	char			*s = g->shortopts;
	size_t			 n = 0;

	memset(g, 0, sizeof *g);
	g->entry = e;
	g->status = -1;
	if (stop)
		*s++ = '+';
	*s++ = ':';
	for (o = e->options; o != NULL && o->name != NULL; o++) {
		if (n == CMD_OPTIONS_MAX) {
			fprintf(stderr, "invigil: %s has more than %d "
			    "options\n", e->name, CMD_OPTIONS_MAX);
			abort();
		}
		g->longopts[n].name = o->name;
		g->longopts[n].has_arg = o->arg == NULL ? no_argument :
		    (o->flags & CMD_OPT_OPTIONAL) ? optional_argument :
		    required_argument;
		g->longopts[n++].val = o->key;
		if (o->flags & CMD_OPT_SHORT) {
			*s++ = (char)o->key;
			if (o->arg != NULL)
				*s++ = ':';
			if (o->arg != NULL && (o->flags & CMD_OPT_OPTIONAL))
				*s++ = ':';
		}
	}
	g->longopts[n].name = "help";
	g->longopts[n].has_arg = no_argument;
	g->longopts[n].val = 'h';
	*s++ = 'h';
	*s = '\0';
	opterr = 0;
	optind = 1;
}

int
cmd_getopt(struct cmd_getopt *g, int argc, char **argv)
{
	int	ch;

	if (g->status != -1)
		return -1;
	ch = getopt_long(argc, argv, g->shortopts, g->longopts, NULL);
	switch (ch) {
	case -1:
		if (optind < argc && (g->entry->flags & CMD_NO_OPERANDS))
			g->status = cmd_usage_error(g->entry, "unexpected "
			    "argument \"%s\"", argv[optind]);
		return -1;
	case 'h':
		cmd_help(stdout, g->entry);
		g->status = 0;
		return -1;
	case ':':
		g->status = cmd_usage_error(g->entry, "%s needs a value",
		    argv[optind - 1]);
		return -1;
	case '?':
		g->status = cmd_unknown_option(g->entry, argv[optind - 1]);
		return -1;
	default:
		return ch;
	}
}

/* ---- help */

/*
 * Print text word-wrapped at HELP_WIDTH, the cursor being at column at;
 * each line after the first starts at column indent.  A \n in text starts
 * a new line there too.
 */
static void
help_wrap(FILE *out, const char *text, size_t at, size_t indent)
{
	const char	*p = text;
	size_t		 len;
	int		 first = 1;

	while (*p != '\0') {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p == '\n') {
			fprintf(out, "\n%*s", (int)indent, "");
			at = indent;
			first = 1;
			p++;
			continue;
		}
		len = strcspn(p, " \n");
		if (!first && at + 1 + len > HELP_WIDTH) {
			fprintf(out, "\n%*s", (int)indent, "");
			at = indent;
		} else if (!first) {
			fputc(' ', out);
			at++;
		}
		fwrite(p, 1, len, out);
		at += len;
		p += len;
		first = 0;
	}
	fputc('\n', out);
}

/* "-f, --feed URL", "    --demo[=N]": an option as the help shows it. */
static size_t
help_spec(const struct cmd_option *o, char *buf, size_t size)
{
	int	n;

	if (o->flags & CMD_OPT_SHORT)
		n = snprintf(buf, size, "-%c, --%s", o->key, o->name);
	else
		n = snprintf(buf, size, "    --%s", o->name);
	if (n >= 0 && (size_t)n < size && o->arg != NULL)
		n += snprintf(buf + n, size - (size_t)n,
		    (o->flags & CMD_OPT_OPTIONAL) ? "[=%s]" : " %s", o->arg);
	return n < 0 ? 0 : (size_t)n;
}

/* One option: indented by indent, its help from column col. */
static void
help_option(FILE *out, const struct cmd_option *o, size_t indent,
    size_t col)
{
	char	spec[128];
	size_t	len = help_spec(o, spec, sizeof spec);

	fprintf(out, "%*s%s", (int)indent, "", spec);
	if (indent + len + 2 > col)
		fprintf(out, "\n%*s", (int)col, "");
	else
		fprintf(out, "%*s", (int)(col - indent - len), "");
	help_wrap(out, o->help, col, col);
}

/* opts, then last (if not NULL), one a line, their helps in a column. */
static void
help_option_list(FILE *out, const struct cmd_option *opts,
    const struct cmd_option *last, size_t indent)
{
	const struct cmd_option	*o;
	char			 spec[128];
	size_t			 width = 0, len, col;

	for (o = opts; o != NULL && o->name != NULL; o++) {
		if ((len = help_spec(o, spec, sizeof spec)) > width &&
		    len <= HELP_SPEC_MAX)
			width = len;
	}
	if (last != NULL && (len = help_spec(last, spec, sizeof spec)) > width)
		width = len;
	col = indent + width + 2;
	for (o = opts; o != NULL && o->name != NULL; o++)
		help_option(out, o, indent, col);
	if (last != NULL)
		help_option(out, last, indent, col);
}

/* "usage: invigil LINE" for each of e's usage lines. */
static void
help_usage(FILE *out, const struct cmd_entry *e, int *first)
{
	const char	*p = e->usage, *nl;
	char		 line[1024];
	size_t		 len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof line, "%.*s", (int)len, p);
		/* A long line goes on under what follows the command. */
		fputs(*first ? "usage: invigil " : "       invigil ", out);
		help_wrap(out, line, 15, 16 + strcspn(line, " "));
		*first = 0;
		p += len + (nl != NULL);
	}
}

/* The list of commands, for the console's help (the default command). */
static void
help_commands(FILE *out)
{
	size_t	i;

	fputs("\nCommands (invigil help COMMAND, or invigil COMMAND --help, "
	    "says more):\n", out);
	for (i = 0; cmd_table[i] != NULL; i++) {
		fprintf(out, "  %-10s", cmd_table[i]->name);
		help_wrap(out, cmd_table[i]->summary, 12, 12);
	}
}

void
cmd_help(FILE *out, const struct cmd_entry *e)
{
	const struct cmd_entry	*c;
	size_t			 i, width = 0;
	int			 first = 1;

	e = cmd_top(e);
	if (e->children == NULL)
		help_usage(out, e, &first);
	for (i = 0; e->children != NULL && e->children[i] != NULL; i++)
		help_usage(out, e->children[i], &first);
	if (e->about != NULL) {
		fputc('\n', out);
		help_wrap(out, e->about, 0, 0);
	}
	fputc('\n', out);
	if (e->children == NULL)
		help_option_list(out, e->options, &cmd_help_option, 2);
	for (i = 0; e->children != NULL && e->children[i] != NULL; i++) {
		if (strlen(cmd_leaf(e->children[i])) > width)
			width = strlen(cmd_leaf(e->children[i]));
	}
	for (i = 0; e->children != NULL && (c = e->children[i]) != NULL;
	    i++) {
		fprintf(out, "  %-*s  ", (int)width, cmd_leaf(c));
		help_wrap(out, c->summary, width + 4, width + 4);
		if (c->options != NULL && c->options->name != NULL)
			help_option_list(out, c->options, NULL, width + 4);
	}
	if (e->children != NULL)
		help_option_list(out, NULL, &cmd_group_help_option, 2);
	if (e->flags & CMD_DEFAULT)
		help_commands(out);
	if (e->see != NULL)
		fprintf(out, "\nSee %s.\n", e->see);
}

/* ---- the synopsis of the man pages */

/* Does usage name --name (not as the start of a longer name)? */
static int
usage_names(const char *usage, const char *name)
{
	const char	*p = usage;
	size_t		 len = strlen(name);

	while ((p = strstr(p, "--")) != NULL) {
		p += 2;
		if (strncmp(p, name, len) == 0 &&
		    !islower((unsigned char)p[len]) && p[len] != '-')
			return 1;
	}
	return 0;
}

/*
 * "[--a ARG] [--b]": e's options its usage lines do not name, each after
 * a space if lead, else after the first.
 */
static void
synopsis_unnamed(FILE *out, const struct cmd_entry *e, int lead)
{
	const struct cmd_option	*o;

	for (o = e->options; o != NULL && o->name != NULL; o++) {
		if (usage_names(e->usage, o->name))
			continue;
		fprintf(out, "%s[--%s", lead ? " " : "", o->name);
		if (o->arg != NULL)
			fprintf(out, (o->flags & CMD_OPT_OPTIONAL) ? "[=%s]" :
			    " %s", o->arg);
		fputc(']', out);
		lead = 1;
	}
}

/*
 * e's usage lines as PAGE: invigil LINE.  The first "[options]" becomes
 * the options the lines do not name, a later one "[options above]"; with
 * no "[options]", those options end the first line, so that an option
 * added to the table shows in the synopsis either way.  tail ends the
 * last line.
 */
static void
synopsis_entry(FILE *out, const char *page, const struct cmd_entry *e,
    const char *tail)
{
	static const char	 token[] = "[options]";
	const char		*p = e->usage, *nl, *t;
	int			 expanded = 0, anywhere;
	size_t			 len;

	anywhere = strstr(e->usage, token) != NULL;
	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "%s: invigil ", page);
		while ((t = strstr(p, token)) != NULL && t < p + len) {
			fwrite(p, 1, (size_t)(t - p), out);
			if (!expanded) {
				synopsis_unnamed(out, e, 0);
				expanded = 1;
			} else
				fputs("[options above]", out);
			len -= (size_t)(t - p) + sizeof token - 1;
			p = t + sizeof token - 1;
		}
		fwrite(p, 1, len, out);
		if (!anywhere && !expanded) {
			synopsis_unnamed(out, e, 1);
			expanded = 1;
		}
		if (nl == NULL && tail != NULL)
			fputs(tail, out);
		fputc('\n', out);
		p += len + (nl != NULL);
	}
}

/* "invigil-feed(1)" for "invigil-feed.1". */
static const char *
synopsis_ref(const char *page, char *buf, size_t size)
{
	const char	*dot = strrchr(page, '.');

	snprintf(buf, size, "%.*s(%s)", (int)(dot - page), page, dot + 1);
	return buf;
}

static void
cmd_synopsis(FILE *out)
{
	const struct cmd_entry	*t, *const *c;
	char			 tail[128], ref[64];
	size_t			 i;

	for (i = 0; (t = cmd_table[i]) != NULL; i++) {
		tail[0] = '\0';
		if (t->see != NULL && !(t->flags & CMD_DEFAULT) &&
		    strcmp(t->page, MAIN_PAGE) == 0 &&
		    strcmp(t->see, "invigil(1)") != 0)
			snprintf(tail, sizeof tail, " (see %s)", t->see);
		if (strcmp(t->page, MAIN_PAGE) != 0) {
			/* invigil(1) points to the command's own page. */
			fprintf(out, "%s: invigil %s", MAIN_PAGE, t->name);
			for (c = t->children; c != NULL && *c != NULL; c++)
				fprintf(out, "%s%s", c == t->children ? " " :
				    " | ", cmd_leaf(*c));
			fprintf(out, " ... (see %s)\n", synopsis_ref(t->page,
			    ref, sizeof ref));
		}
		if (t->children == NULL)
			synopsis_entry(out, t->page, t, tail);
		for (c = t->children; c != NULL && *c != NULL; c++)
			synopsis_entry(out, t->page, *c, c[1] == NULL ? tail :
			    NULL);
	}
}

/* ---- dispatch */

/* Run e, a command or a group, on argv (argv[0] is e's own name). */
static int
cmd_run(const struct cmd_entry *e, int argc, char **argv)
{
	const struct cmd_entry	*c;

	if (e->children == NULL)
		return e->exec(e, argc, argv);
	if (argc < 2) {
		cmd_help(stderr, e);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_help(stdout, e);
		return 0;
	}
	if ((c = cmd_child(e, argv[1])) == NULL)
		return cmd_unknown_child(e, argv[1]);
	return c->exec(c, argc - 1, argv + 1);
}

int
cmd_main(const struct cmd_entry *const *table, int argc, char **argv)
{
	const struct cmd_entry	*e;

	cmd_set_table(table);
	if (argc < 2 || argv[1][0] == '-')
		return table[0]->exec(table[0], argc, argv);
	if ((e = cmd_find(argv[1])) == NULL)
		return cmd_unknown_command(argv[1]);
	return cmd_run(e, argc - 1, argv + 1);
}

/* `invigil help [COMMAND [SUBCOMMAND]]`, `invigil help --synopsis`,
 * `invigil help --keys`. */
static int
help_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	const struct cmd_entry	*e;
	int			 synopsis = 0, keys = 0, ch;

	cmd_getopt_start(&g, self, 1);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		if (ch == 'k')
			keys = 1;
		else
			synopsis = 1;
	}
	if (g.status != -1)
		return g.status;
	if ((synopsis || keys) && optind != argc)
		return cmd_usage_error(self, keys ? "--keys takes no command, "
		    "not \"%s\"" : "--synopsis takes no command, not \"%s\"",
		    argv[optind]);
	if (synopsis && keys)
		return cmd_usage_error(self, "%s", "--synopsis or --keys, not "
		    "both");
	if (synopsis) {
		cmd_synopsis(stdout);
		return 0;
	}
	if (keys) {
		view_keys_man(stdout, view_manual);
		return 0;
	}
	if (optind == argc) {
		cmd_help(stdout, cmd_table[0]);
		return 0;
	}
	if ((e = cmd_find(argv[optind])) == NULL)
		return cmd_unknown_command(argv[optind]);
	if (optind + 1 < argc && (e->children == NULL ||
	    cmd_child(e, argv[optind + 1]) == NULL))
		return e->children == NULL ? cmd_usage_error(self, "%s has no "
		    "subcommands", e->name) : cmd_unknown_child(e,
		    argv[optind + 1]);
	if (optind + 2 < argc)
		return cmd_usage_error(self, "unexpected argument \"%s\"",
		    argv[optind + 2]);
	cmd_help(stdout, e);
	return 0;
}

/* A subcommand's options when it has none of its own (commands.h). */
int
cmd_plain_options(const struct cmd_entry *self, int argc, char **argv,
    int *first)
{
	int	i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cmd_help(stdout, self);
			return 0;
		}
		return cmd_unknown_option(self, argv[i]);
	}
	*first = i;
	return -1;
}

/* `GROUP check [--] FILE...` over check (commands.h). */
int
cmd_check_files(const struct cmd_entry *self, int argc, char **argv,
    const char *items, const char *files,
    int (*check)(const char *, size_t *, char *, size_t))
{
	char	err[1024], path[1024];
	size_t	n;
	int	i, first, bad = 0, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first == argc)
		return cmd_usage_error(self, "give one or more %s", files);
	for (i = first; i < argc; i++) {
		if (check(argv[i], &n, err, sizeof err) != 0) {
			/* The error quotes the path sanitised. */
			fprintf(stderr, "%s\n", err);
			bad = 1;
			continue;
		}
		printf("%s: %zu %s, OK\n", proto_clean(argv[i], path,
		    sizeof path), n, items);
	}
	return bad ? EXIT_RUNTIME : 0;
}

/* `GROUP defaults`: text, and no argument (commands.h). */
int
cmd_print_text(const struct cmd_entry *self, int argc, char **argv,
    const char *text)
{
	int	first, rc;

	if ((rc = cmd_plain_options(self, argc, argv, &first)) != -1)
		return rc;
	if (first != argc)
		return cmd_usage_error(self, "takes no arguments, not \"%s\"",
		    argv[first]);
	fputs(text, stdout);
	return 0;
}
