/*
 * cmd-console.c - `invigil [console]`: the proctor's console, on a screen or
 * headless, on one or more feeds or on the built-in simulator (--demo).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "console/commands.h"
#include "console/config.h"
#include "console/console.h"
#include "console/reasons.h"
#include "proto/xmalloc.h"

#define DEMO_CANDIDATES	40
#define DEMO_RATE	5.0

static int	console_exec(const struct cmd_entry *, int, char **);

static const struct cmd_option console_options[] = {
	{ "feed", 'f', CMD_OPT_SHORT, "URL", "a feed to connect to "
	    "(ws://HOST:PORT/ or wss://...); repeat for several feeds (at most "
	    "32)" },
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database to write (default: "
	    "invigil.db)" },
	{ "proctor", 'p', CMD_OPT_SHORT, "ID", "who is deciding (default: "
	    "$USER); also the name of the key that signs the journal's "
	    "checkpoints" },
	{ "rules", 'r', CMD_OPT_SHORT, "PATH", "the flag rules (default: the "
	    "built-in set, see invigil rules defaults); SIGHUP reads the file "
	    "again" },
	{ "reasons", 'E', 0, "PATH", "the reason codes a decision is given "
	    "(default: the built-in list, see invigil reasons defaults); the "
	    "console does not start with a bad file" },
	{ "headless", 'H', 0, NULL, "no screen: one JSON line per flag on "
	    "stdout, and decisions as JSON requests on stdin, each answered "
	    "once durable; stops on SIGINT/SIGTERM after committing" },
	{ "command-timeout", 'O', 0, "SECS", "with --headless: print an "
	    "\"unanswered\" line for a command its feed has not answered "
	    "within SECS (default 30); it stays pending" },
	{ "demo", 'D', CMD_OPT_OPTIONAL, "N", "run the simulator in this "
	    "process with N candidates (default 40) and connect to it over "
	    "WebSocket" },
	{ "seed", 'S', 0, "S", "with --demo: the simulator's seed (default "
	    "1)" },
	{ "rate", 'R', 0, "R", "with --demo: the simulator's speed multiplier "
	    "(default 5)" },
	{ "token-file", 'T', 0, "PATH", "send the bearer token in PATH (mode "
	    "0600) to the feeds that have no --feed-token-file" },
	{ "feed-token-file", 'F', 0, "PATH", "send the token in PATH to the "
	    "--feed just before it (in the config file: feed URL "
	    "token-file=PATH)" },
	{ "ca", 'A', 0, "PATH", "trust this CA (PEM) for wss:// feeds; by "
	    "default the system's CAs, and the host name is always checked" },
	{ "insecure", 'I', 0, NULL, "do not verify wss:// certificates (shown "
	    "on screen)" },
	{ "theme", 'Y', 0, "THEME", "the screen's colours: auto (the default: "
	    "colour unless NO_COLOR is set), color (even with NO_COLOR) or "
	    "mono (never)" },
	{ "no-mouse", 'U', 0, NULL, "leave the mouse to the terminal (its "
	    "own selection and paste) rather than click to select, double-click "
	    "to open and scroll with the wheel" },
	{ "ping", 'P', 0, "SECS", "ping a silent feed after SECS (default 10) "
	    "and hang up after 2 x SECS + 5 without an answer" },
	{ "missing-secs", 'm', 0, "SECS", "show an attempt in progress as "
	    "MISSING when nothing about it arrived for SECS (default 60, 0: "
	    "never) while its feed is live" },
	{ "alert", 'L', 0, "HOW", "what a new critical flag does on the "
	    "screen: bell (the default: the terminal's bell), flash or none" },
	{ "quiet", 'q', 0, NULL, "the same as --alert none" },
	{ "key-dir", 'K', 0, "DIR", "where signing keys live (default: "
	    "$XDG_CONFIG_HOME/invigil, else ~/.config/invigil)" },
	{ "checkpoint-every", 'C', 0, "N", "sign a checkpoint of the journal "
	    "every N entries (default 100), and at exit" },
	{ "checkpoint-minutes", 'M', 0, "T", "... and every T minutes "
	    "(default 5)" },
	{ "max-attempts", 'N', 0, "N", "hold at most N attempts per feed "
	    "(default 50000); messages about more are kept in rejects" },
	{ "max-clock-skew", 'W', 0, "SECS", "keep in rejects, not take in, a "
	    "message whose ts is more than SECS (default 86400) ahead of this "
	    "machine's clock or behind its feed's latest ts" },
	{ "response-secs", 'Q', 0, "SECS", "the flags queue marks LATE an "
	    "open flag older than SECS (default 120)" },
	{ "config", 'c', CMD_OPT_NO_FILE, "PATH", "read options from PATH "
	    "rather than $XDG_CONFIG_HOME/invigil/config (invigil-config(5)); "
	    "the command line overrides them" },
	{ "no-config", 'n', CMD_OPT_NO_FILE, NULL, "read no config file" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_console_entry = {
	.name = "console",
	.summary = "the proctor's console, on a screen or --headless (the "
	    "default command)",
	.usage = "[console] --feed URL [--feed URL]... [options]\n"
	    "--demo[=N] [--seed S] [--rate R] [options]",
	.options = console_options,
	.opens = CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS | CMD_OPENS_NETWORK,
	.flags = CMD_DEFAULT | CMD_NO_OPERANDS,
	.about = "Connect to live exam-session feeds, show every candidate, "
	    "raise flags and record the proctor's decisions in an SQLite "
	    "database.  Keys on the screen: press ? for help.  The options "
	    "are read first from the config file (invigil config path; "
	    "invigil-config(5)), then from the command line.",
	.exec = console_exec,
	.see = "invigil(1)",
	.page = "invigil.1",
};

/* What the config file and the command line say, before it is checked as
 * a whole. */
struct console_args {
	struct console_options	opt;
	const char	       *token_file;
	char			token[PROTO_TOKEN_MAX + 1];
	const char	       *feed_token_file[CONSOLE_MAX_FEEDS];
	char		       *feed_token[CONSOLE_MAX_FEEDS];	/* owned */
	char		       *feed_token_from[CONSOLE_MAX_FEEDS]; /* "FILE:
						   LINE: feed-token-file", or
						   NULL: the command line */
	const char	       *config_path;	/* --config, or NULL */
	int			no_config;
	int			cli_feeds;	/* a --feed on the command line:
						   the file's feeds are gone */
	char			cli[128];	/* keys the command line gave */
	int			any_tls;	/* a --feed is wss:// */
	struct config		cfg;
	struct reasons	       *reasons;	/* --reasons, read; NULL: the
						   defaults */
};

/* The defaults, before the config file. */
static void
console_defaults(struct console_args *a)
{
	memset(a, 0, sizeof *a);
	a->opt.db = "invigil.db";
	a->opt.proctor = getenv("USER") != NULL ? getenv("USER") : "proctor";
	a->opt.demo_seed = 1;
	a->opt.demo_rate = DEMO_RATE;
	a->opt.ckpt_every = 100;
	a->opt.ckpt_minutes = 5;
	a->opt.missing_secs = 60;
	a->opt.max_attempts = CONSOLE_MAX_ATTEMPTS;
	a->opt.max_skew_ms = CONSOLE_MAX_SKEW_S * INT64_C(1000);
	a->opt.response_secs = 120;
	a->opt.command_timeout = CONSOLE_COMMAND_TIMEOUT_S;
}

/* What a holds: the tokens wiped, the config's values. */
static void
console_args_free(struct console_args *a)
{
	int	i;

	for (i = 0; i < CONSOLE_MAX_FEEDS; i++) {
		if (a->feed_token[i] != NULL)
			explicit_bzero(a->feed_token[i],
			    strlen(a->feed_token[i]));
		free(a->feed_token[i]);
		free(a->feed_token_from[i]);
		a->feed_token[i] = a->feed_token_from[i] = NULL;
	}
	explicit_bzero(a->token, sizeof a->token);
	config_free(&a->cfg);
	reasons_free(a->reasons);
	a->reasons = NULL;
}

/*
 * A usage error about the option called name ("--ping", or "FILE:LINE:
 * ping"): what (one %s, the value) after it.
 */
static int
console_bad(const struct cmd_entry *self, const char *name, const char *what,
    const char *value)
{
	char	cname[2048], cvalue[4096], msg[8192];

	proto_clean(name, cname, sizeof cname);
	snprintf(msg, sizeof msg, "%s ", cname);
	snprintf(msg + strlen(msg), sizeof msg - strlen(msg), what,
	    value != NULL ? proto_clean(value, cvalue, sizeof cvalue) : "");
	return cmd_usage_error(self, msg, NULL);
}

/* The long name of the console's option key. */
static const char *
console_option_name(int key)
{
	const struct cmd_option	*o;

	for (o = console_options; o->name != NULL; o++) {
		if (o->key == key)
			return o->name;
	}
	return "?";
}

/* The index of arg in words (NULL-ended), or -1. */
static int
console_word(const char *arg, const char *const *words)
{
	int	i;

	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(arg, words[i]) == 0)
			return i;
	}
	return -1;
}

/*
 * Take option key (its value arg, or NULL) into a, checked alone.  name
 * is how errors call it: "--feed" from the command line (cli), "FILE:LINE:
 * feed" from the config file.  Returns -1 to go on, or the exit status.
 */
static int
console_option(const struct cmd_entry *self, struct console_args *a, int key,
    const char *arg, const char *name, int cli)
{
	static const char *const themes[] = { "auto", "color", "mono",
	    "colour", NULL };
	static const char *const alerts[] = { "bell", "flash", "none", NULL };
	struct ws_url	url;
	char		err[1024];
	long		n;
	int		w;

	if (cli && key > 0 && key < (int)sizeof a->cli)
		a->cli[key] = 1;
	switch (key) {
	case 'f':
		/* The command line's feeds replace the file's. */
		if (cli && !a->cli_feeds) {
			a->opt.nfeeds = 0;
			memset(a->feed_token_file, 0,
			    sizeof a->feed_token_file);
			a->cli_feeds = 1;
		}
		if (a->opt.nfeeds == CONSOLE_MAX_FEEDS)
			return console_bad(self, name, "%sis one feed too "
			    "many: at most 32 feeds", NULL);
		free(a->feed_token_from[a->opt.nfeeds]);
		a->feed_token_from[a->opt.nfeeds] = NULL;
		if (!cli && link_ws_parse_url(arg, &url, err, sizeof err) != 0)
			return console_bad(self, name, "%s", err);
		a->opt.feeds[a->opt.nfeeds++] = arg;
		break;
	case 'F':
		if (a->opt.nfeeds == 0 || (cli && !a->cli_feeds))
			return console_bad(self, name, "%snames the token file "
			    "of the --feed before it, and there is none: give "
			    "--feed URL --feed-token-file PATH", NULL);
		if (a->feed_token_file[a->opt.nfeeds - 1] != NULL)
			return console_bad(self, name, "%s: the feed before it "
			    "has a token file already", arg);
		a->feed_token_file[a->opt.nfeeds - 1] = arg;
		if (!cli)
			a->feed_token_from[a->opt.nfeeds - 1] = xstrdup(name);
		break;
	case 'd':
		a->opt.db = arg;
		break;
	case 'p':
		if (arg[0] == '\0' || strlen(arg) > 32)
			return console_bad(self, name, "wants an id of 1 to 32 "
			    "characters, not \"%s\"", arg);
		a->opt.proctor = arg;
		break;
	case 'H':
		a->opt.headless = 1;
		break;
	case 'D':
		a->opt.demo = DEMO_CANDIDATES;
		if (arg != NULL) {
			if (option_long(name, arg, 1, 100000, &n) != 0)
				return EXIT_USAGE;
			a->opt.demo = (int)n;
		}
		break;
	case 'S':
		if (option_u64(name, arg, &a->opt.demo_seed) != 0)
			return EXIT_USAGE;
		break;
	case 'R':
		if (option_double(name, arg, 0.001, &a->opt.demo_rate) != 0)
			return EXIT_USAGE;
		break;
	case 'r':
		a->opt.rules_path = arg;
		break;
	case 'E':
		a->opt.reasons_path = arg;
		break;
	case 'T':
		a->token_file = arg;
		break;
	case 'A':
		/* lws reads it by path: a FIFO would block it. */
		if (proto_file_check(arg, "CA file", err, sizeof err) != 0)
			return console_bad(self, name, "%s", err);
		a->opt.ca_path = arg;
		break;
	case 'I':
		a->opt.insecure = 1;
		break;
	case 'U':
		a->opt.no_mouse = 1;
		break;
	case 'Y':
		/* In enum console_theme's order, then a spelling. */
		if ((w = console_word(arg, themes)) < 0)
			return console_bad(self, name, "wants auto, color or "
			    "mono, not \"%s\"", arg);
		a->opt.theme = w == 3 ? CONSOLE_THEME_COLOR :
		    (enum console_theme)w;
		break;
	case 'P':
		if (option_long(name, arg, 1, 3600, &n) != 0)
			return EXIT_USAGE;
		a->opt.ping_secs = (int)n;
		break;
	case 'm':
		if (option_long(name, arg, 0, 86400, &n) != 0)
			return EXIT_USAGE;
		a->opt.missing_secs = (int)n;
		break;
	case 'L':
		/* In enum console_alert's order. */
		if ((w = console_word(arg, alerts)) < 0)
			return console_bad(self, name, "wants bell, flash or "
			    "none, not \"%s\"", arg);
		a->opt.alert = (enum console_alert)w;
		break;
	case 'q':
		a->opt.alert = CONSOLE_ALERT_NONE;
		break;
	case 'K':
		a->opt.key_dir = arg;
		break;
	case 'C':
		if (option_long(name, arg, 1, 1000000, &n) != 0)
			return EXIT_USAGE;
		a->opt.ckpt_every = (int)n;
		break;
	case 'M':
		if (option_long(name, arg, 1, 24 * 60, &n) != 0)
			return EXIT_USAGE;
		a->opt.ckpt_minutes = (int)n;
		break;
	case 'N':
		if (option_long(name, arg, 1, 10000000,
		    &a->opt.max_attempts) != 0)
			return EXIT_USAGE;
		break;
	case 'W':
		if (option_long(name, arg, 1, 366L * 86400, &n) != 0)
			return EXIT_USAGE;
		a->opt.max_skew_ms = (int64_t)n * 1000;
		break;
	case 'Q':
		if (option_long(name, arg, 1, 86400, &n) != 0)
			return EXIT_USAGE;
		a->opt.response_secs = (int)n;
		break;
	case 'O':
		if (option_long(name, arg, 1, 86400, &n) != 0)
			return EXIT_USAGE;
		a->opt.command_timeout = (int)n;
		break;
	}
	return -1;
}

/* The config file's items into a: -1 to go on, or the exit status. */
static int
console_config_items(const struct cmd_entry *self, struct console_args *a,
    const struct config *c)
{
	char	name[1024];
	size_t	i;
	int	rc;

	for (i = 0; i < c->n; i++) {
		snprintf(name, sizeof name, "%s:%d: %s", c->shown,
		    c->items[i].line, c->items[i].option->name);
		if ((rc = console_option(self, a, c->items[i].option->key,
		    c->items[i].value, name, 0)) != -1)
			return rc;
	}
	return -1;
}

/*
 * Read the config file, unless --no-config: --config's, or the default
 * one if it exists.  -1 to go on, or the exit status.
 */
static int
console_config(const struct cmd_entry *self, struct console_args *a)
{
	char		path[4096], err[2048], clean[4 * sizeof err];
	struct stat	st;

	if (a->no_config && a->config_path != NULL)
		return cmd_usage_error(self, "%s", "--config names a config "
		    "file and --no-config reads none: give one of them");
	if (a->no_config)
		return -1;
	if (a->config_path != NULL)
		snprintf(path, sizeof path, "%s", a->config_path);
	else if (config_default_path(path, sizeof path, err, sizeof err) != 0 ||
	    (stat(path, &st) == -1 && errno == ENOENT))
		return -1;	/* no file: the defaults */
	if (config_load(&a->cfg, path, console_options, err, sizeof err) != 0) {
		fprintf(stderr, "invigil: %s\ninvigil: the console does not "
		    "start with a bad config file; check it with 'invigil "
		    "config check', or skip it with --no-config\n",
		    proto_clean(err, clean, sizeof clean));
		return EXIT_USAGE;
	}
	return console_config_items(self, a, &a->cfg);
}

/*
 * Read the options into a: the defaults, the config file, then the
 * command line.  Returns -1 to go on, or the exit status (0 after --help).
 */
static int
console_parse(const struct cmd_entry *self, int argc, char **argv,
    struct console_args *a)
{
	struct cmd_getopt	g;
	char			name[64];
	int			ch, rc;

	console_defaults(a);
	/* First only where the config file is (and --help). */
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		if (ch == 'c')
			a->config_path = optarg;
		else if (ch == 'n')
			a->no_config = 1;
	}
	if (g.status != -1 || (rc = console_config(self, a)) != -1)
		return g.status != -1 ? g.status : rc;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		snprintf(name, sizeof name, "--%s", console_option_name(ch));
		if ((rc = console_option(self, a, ch, optarg, name, 1)) != -1)
			return rc;
	}
	return g.status;
}

/* The proctor id and the feeds: each valid, no feed twice. */
static int
console_check_feeds(const struct cmd_entry *self, struct console_args *a)
{
	struct ws_url		parsed[CONSOLE_MAX_FEEDS];
	char			err[1024];
	long			n, k;

	if (sign_name_valid(a->opt.proctor, err, sizeof err) != 0) {
		char	clean[4 * 256], cerr[4 * sizeof err];

		fprintf(stderr, "invigil: the proctor id \"%s\" cannot name a "
		    "signing key: %s\nGive --proctor an id of letters, digits "
		    "and punctuation other than '+'.\n", proto_clean(
		    a->opt.proctor, clean, sizeof clean), proto_clean(err, cerr,
		    sizeof cerr));
		return EXIT_USAGE;
	}
	for (n = 0; n < a->opt.nfeeds; n++) {
		if (link_ws_parse_url(a->opt.feeds[n], &parsed[n], err,
		    sizeof err) != 0)
			return cmd_usage_error(self, "%s", err);
		a->any_tls |= parsed[n].tls;
		/* The same feed twice would be two connections to one feed
		 * id, each taking in the other's messages. */
		for (k = 0; k < n; k++) {
			if (parsed[k].tls != parsed[n].tls ||
			    parsed[k].port != parsed[n].port ||
			    strcasecmp(parsed[k].host, parsed[n].host) != 0 ||
			    strcmp(parsed[k].path, parsed[n].path) != 0)
				continue;
			if (strcmp(a->opt.feeds[k], a->opt.feeds[n]) == 0)
				snprintf(err, sizeof err, "--feed %s is given "
				    "twice; give each feed once",
				    a->opt.feeds[n]);
			else
				snprintf(err, sizeof err, "--feed %s is the "
				    "same feed as --feed %s; give each feed "
				    "once", a->opt.feeds[n], a->opt.feeds[k]);
			return cmd_usage_error(self, "%s", err);
		}
	}
	return -1;
}

/*
 * The options as a whole: a feed to watch, and no option on the command
 * line that would change nothing in this mode -- refused, not ignored:
 * whoever gave it expects it to act.  The config file's are ignored: it
 * serves several modes.
 */
static int
console_check_modes(const struct cmd_entry *self,
    const struct console_args *a)
{
	if (a->opt.nfeeds == 0 && a->opt.demo == 0)
		return cmd_usage_error(self, "%s",
		    "no feed: give --feed URL, or "
		    "--demo to try the built-in simulator");
	if (a->opt.demo > 0 && a->opt.nfeeds == CONSOLE_MAX_FEEDS)
		return cmd_usage_error(self, "at most %s feeds, --demo's "
		    "simulator included: give one --feed fewer", "32");
	if (a->cli['S'] && a->opt.demo == 0)
		return cmd_usage_error(self, "%s", "--seed sets the --demo "
		    "simulator's seed, and there is no --demo: give --demo, or "
		    "leave --seed out");
	if (a->cli['R'] && a->opt.demo == 0)
		return cmd_usage_error(self, "%s", "--rate sets the --demo "
		    "simulator's speed, and there is no --demo: give --demo, or "
		    "leave --rate out");
	if (a->cli['A'] && !a->any_tls)
		return cmd_usage_error(self, "%s", "--ca is trusted for wss:// "
		    "feeds, and no --feed is wss://: leave --ca out, or give "
		    "the feed's wss:// URL");
	if (a->cli['I'] && !a->any_tls)
		return cmd_usage_error(self, "%s", "--insecure turns off the "
		    "checks of wss:// feeds, and no --feed is wss://: leave "
		    "--insecure out, or give the feed's wss:// URL");
	if (a->cli['O'] && !a->opt.headless)
		return cmd_usage_error(self, "%s",
		    "--command-timeout times the "
		    "\"unanswered\" lines of --headless, and there is no "
		    "--headless: give --headless, or leave --command-timeout "
		    "out");
	if (a->cli['T'] && a->opt.nfeeds == 0)
		return cmd_usage_error(self, "%s",
		    "--token-file is sent to the "
		    "--feed feeds, and there is none (the --demo simulator "
		    "takes no token): leave --token-file out, or give --feed "
		    "URL");
	return -1;
}

/*
 * What is read from files before anything starts: the rule file
 * (checked), the reason file (kept in a->reasons) and the token files.
 * -1 to go on, or the exit status.
 */
static int
console_load(const struct cmd_entry *self, struct console_args *a)
{
	char	err[1024], tok[PROTO_TOKEN_MAX + 1];
	int	i;

	if (a->opt.rules_path != NULL) {
		struct rules	*r;
		char		 clean[4 * 1024];

		if ((r = rules_load(a->opt.rules_path, err, sizeof err)) ==
		    NULL) {
			fprintf(stderr, "invigil: %s\ninvigil: the console "
			    "does not start with a bad rule file; check it with "
			    "'invigil rules check %s'\n", err, proto_clean(
			    a->opt.rules_path, clean, sizeof clean));
			return EXIT_USAGE;
		}
		rules_free(r);
	}
	if (a->opt.reasons_path != NULL && (a->reasons = reasons_load(
	    a->opt.reasons_path, err, sizeof err)) == NULL) {
		char	clean[4 * 1024];

		fprintf(stderr, "invigil: %s\ninvigil: the console does not "
		    "start with a bad reason file; check it with 'invigil "
		    "reasons check %s'\n", err, proto_clean(a->opt.reasons_path,
		    clean, sizeof clean));
		return EXIT_USAGE;
	}
	if (a->token_file != NULL) {
		if (proto_token_load(a->token_file, a->token, sizeof a->token,
		    err, sizeof err) != 0)
			return cmd_usage_error(self, "%s", err);
		a->opt.token = a->token;
	}
	for (i = 0; i < a->opt.nfeeds; i++) {
		if (a->feed_token_file[i] == NULL)
			continue;
		if (proto_token_load(a->feed_token_file[i], tok, sizeof tok,
		    err, sizeof err) != 0) {
			char	name[1024];

			if (a->feed_token_from[i] != NULL)
				snprintf(name, sizeof name, "%s:",
				    a->feed_token_from[i]);
			else
				snprintf(name, sizeof name, "--feed %s:",
				    a->opt.feeds[i]);
			return console_bad(self, name, "%s", err);
		}
		a->feed_token[i] = xstrdup(tok);
		explicit_bzero(tok, sizeof tok);
		a->opt.feed_tokens[i] = a->feed_token[i];
	}
	return -1;
}

int
console_config_check(const struct config *c)
{
	struct console_args	*a = xcalloc(1, sizeof *a);
	int			 rc;

	console_defaults(a);
	if ((rc = console_config_items(&cmd_console_entry, a, c)) == -1 &&
	    (rc = console_check_feeds(&cmd_console_entry, a)) == -1)
		rc = console_load(&cmd_console_entry, a);
	console_args_free(a);
	free(a);
	return rc;
}

static int
console_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct console_args	*a = xcalloc(1, sizeof *a);
	struct app		 app;
	char			 err[1024];
	int			 rc;

	if ((rc = console_parse(self, argc, argv, a)) != -1 ||
	    (rc = console_check_feeds(self, a)) != -1 ||
	    (rc = console_check_modes(self, a)) != -1 ||
	    (rc = console_load(self, a)) != -1)
		goto out;
	if (!a->opt.headless && (!isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO))) {
		rc = cmd_usage_error(self, "%s", "the screen needs a "
		    "terminal; use --headless for scripts");
		goto out;
	}

	setlocale(LC_ALL, "");
	if (app_init(&app, &a->opt, err, sizeof err) != 0) {
		char	clean[4 * sizeof err];

		/* It may quote the database or a feed. */
		fprintf(stderr, "invigil: %s\n", proto_clean(err, clean,
		    sizeof clean));
		app_free(&app);
		rc = EXIT_RUNTIME;
		goto out;
	}
	app.reasons = a->reasons;
	rc = app_run(&app);
	app_free(&app);
out:
	console_args_free(a);
	free(a);
	return rc;
}
