/*
 * commands.h - invigil's command table (tmux cmd_entry style).
 *
 * Every command and subcommand is one declarative struct cmd_entry: its
 * name, a one-line summary, its usage lines, its options (name, argument,
 * help), what it opens and its function.  From the table come `invigil
 * help`, `invigil --help`, `invigil COMMAND --help`, `invigil help
 * COMMAND`, the unknown-command and unknown-option messages (with a "did
 * you mean"), the option parsing (getopt_long's tables are built from it)
 * and `invigil help --synopsis`, which tests/e2e-synopsis.sh compares
 * with the SYNOPSIS of man/invigil.1 and each command's own page.
 *
 * The entries live beside their functions (cmd-console.c, cmd-feed.c,
 * cmd-rules.c, cmd-review.c, cmd-verify.c); commands.c lists them and
 * owns everything generated.
 */
#ifndef INVIGIL_COMMANDS_H
#define INVIGIL_COMMANDS_H

#include <getopt.h>
#include <stdio.h>

/* What a command opens (cmd_entry.opens, a mask). */
#define CMD_OPENS_NOTHING	0x0
#define CMD_OPENS_STORE_READ	0x1	/* a database, read-only */
#define CMD_OPENS_STORE_WRITE	0x2	/* a database, as its one writer */
#define CMD_OPENS_KEYS		0x4	/* the proctor's signing keys */
#define CMD_OPENS_NETWORK	0x8	/* listens or connects */

/* cmd_option.flags */
#define CMD_OPT_SHORT		0x1	/* key is also the short option -key */
#define CMD_OPT_OPTIONAL	0x2	/* its argument may be left out */
#define CMD_OPT_NO_FILE		0x4	/* not a key of the config file */

/* cmd_entry.flags */
#define CMD_DEFAULT		0x1	/* runs when no command is named */
#define CMD_HINT_INLINE		0x2	/* errors end "; see 'invigil X --help'"
					   rather than with a "Try" line */
#define CMD_NO_OPERANDS		0x4	/* an operand is a usage error */

/* Most options a command may have (getopt_long's tables are this big). */
#define CMD_OPTIONS_MAX		32

struct cmd_option {
	const char	*name;		/* long name, without the -- */
	int		 key;		/* what cmd_getopt() returns for it */
	int		 flags;		/* CMD_OPT_* */
	const char	*arg;		/* "URL", or NULL: takes no argument */
	const char	*help;		/* one sentence or two, unwrapped */
};

struct cmd_entry;
typedef int (*cmd_exec_fn)(const struct cmd_entry *, int argc, char **argv);

struct cmd_entry {
	const char		 *name;	/* "feed", "review backtest" */
	const char		 *summary;	/* one line, for lists */
	/* Usage lines, each after "invigil ", separated by \n (a group's
	 * are its children's).  The first "[options]" stands, in the
	 * synopsis, for every option the lines do not name; a later one for
	 * "[options above]". */
	const char		 *usage;
	const struct cmd_option	 *options;	/* { NULL } ends; NULL: none */
	int			  opens;	/* CMD_OPENS_* */
	int			  flags;	/* CMD_* */
	const char		 *about;	/* the help's paragraph */
	const char		 *badopt;	/* ends "unknown option X" */
	cmd_exec_fn		  exec;		/* NULL for a group */
	const struct cmd_entry	*const *children;	/* NULL ends */
	const char		 *see;		/* "invigil-feed(1)", or NULL */
	const char		 *page;	/* man page whose SYNOPSIS has the
					   usage lines: "invigil-feed.1" */
};

/* The entries (defined beside their functions; help's in commands.c). */
extern const struct cmd_entry	cmd_console_entry, cmd_feed_entry,
				cmd_rules_entry, cmd_reasons_entry,
				cmd_config_entry, cmd_review_entry,
				cmd_review_verify_entry,
				cmd_review_checkpoints_entry,
				cmd_review_forensics_entry, cmd_help_entry,
				cmd_review_import_entry,
				cmd_review_attempts_entry, cmd_review_flags_entry,
				cmd_review_decisions_entry, cmd_review_export_entry,
				cmd_review_timeline_entry, cmd_review_report_entry,
				cmd_review_bundle_entry,
				cmd_review_verify_bundle_entry,
				cmd_review_browse_entry,
				cmd_admin_entry, cmd_admin_keys_entry,
				cmd_admin_trust_entry;
extern const struct cmd_entry	cmd_admin_cases_entry, cmd_admin_show_entry,
				cmd_admin_open_entry, cmd_admin_propose_entry,
				cmd_admin_approve_entry, cmd_admin_reject_entry,
				cmd_admin_appeal_entry, cmd_admin_reinstate_entry,
				cmd_admin_uphold_entry, cmd_admin_export_entry,
				cmd_admin_verify_export_entry;

/*
 * Write text (len bytes) to path through a new temporary file beside it
 * (mode 0600, never through a link left there), synced, then renamed over
 * path: a bundle, an outcome list.  A path that exists and is not a
 * regular file is refused.  0, or -1 with a sentence.
 */
int	cmd_file_save(const char *path, const char *text, size_t len,
	    char *err, size_t errlen);
/* The top-level commands in the order of the helps and invigil(1), the
 * default (the console) first, NULL-terminated (cmd-table.c). */
extern const struct cmd_entry *const cmd_table_main[];

/*
 * Run the command argv names (argv[0] is the program) from table: its
 * first entry when argv[1] is missing or an option, a command, a group's
 * subcommand, or help.  Returns the exit status; an unknown name is a usage error (2)
 * with a suggestion.
 */
int		 cmd_main(const struct cmd_entry *const *table, int argc,
		    char **argv);
/* The table cmd_find() and the helps use, without running anything. */
void		 cmd_set_table(const struct cmd_entry *const *table);

/*
 * Option parsing from e's table, getopt_long underneath (so long options
 * may be abbreviated and --name=value works).  cmd_getopt_start() resets
 * getopt and builds its tables in g; with stop set, options end at the
 * first operand (no permutation).  Each cmd_getopt() returns the next
 * option's key (optarg set as by getopt), or -1 when parsing is over.
 * Then g->status says why: -1 all options read (optind is the first
 * operand), 0 the help was printed (-h, --help), 2 a usage error was
 * printed (unknown option, missing value, or any operand for an entry
 * with CMD_NO_OPERANDS).  A command's exec returns g->status when it is
 * not -1.
 */
struct cmd_getopt {
	const struct cmd_entry	*entry;
	int			 status;
	struct option		 longopts[CMD_OPTIONS_MAX + 2];
	char			 shortopts[2 * CMD_OPTIONS_MAX + 8];
};
void		 cmd_getopt_start(struct cmd_getopt *g,
		     const struct cmd_entry *e, int stop);
int		 cmd_getopt(struct cmd_getopt *g, int argc, char **argv);

/*
 * Print "invigil NAME: " and fmt (one %s, arg sanitised; with arg NULL,
 * fmt is not a format but text printed as it is, e.g. an error sentence
 * already sanitised) to stderr, then
 * where to look ("Try 'invigil NAME --help'." or, for CMD_HINT_INLINE, an
 * inline "; see ..."), and return 2, the usage error's exit status.
 */
int		 cmd_usage_error(const struct cmd_entry *e, const char *fmt,
		     const char *arg);
/* The same for an unknown option arg: e's badopt is added. */
int		 cmd_unknown_option(const struct cmd_entry *e,
		     const char *arg);

/*
 * The options of a subcommand that has none of its own, before its
 * arguments: --help and -h print the usage (returns 0), -- ends them,
 * anything else that starts with - is a usage error naming it (returns 2;
 * even "-", which getopt would take for a file).  *first is set to the
 * first argument after them.  Returns -1 to go on.
 */
int		 cmd_plain_options(const struct cmd_entry *e, int argc,
		     char **argv, int *first);

/*
 * `GROUP check [--] FILE...`: check(path, &n, err, errlen) each FILE, print
 * "FILE: N ITEMS, OK" on stdout or its error on stderr; with no FILE a
 * usage error ("give one or more FILES").  Returns the exit status: 0,
 * 1 when a file is bad, 2 on a usage error.
 */
int		 cmd_check_files(const struct cmd_entry *e, int argc,
		     char **argv, const char *items, const char *files,
		     int (*check)(const char *path, size_t *n, char *err,
		     size_t errlen));
/* `GROUP defaults`: print text; any argument is a usage error. */
int		 cmd_print_text(const struct cmd_entry *e, int argc,
		     char **argv, const char *text);

/*
 * The help of e's top-level command (a subcommand's help is its group's)
 * to out: usage lines, what it does, each option, where to read more.
 */
void		 cmd_help(FILE *out, const struct cmd_entry *e);
/* The top-level command named name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);

#endif /* INVIGIL_COMMANDS_H */
