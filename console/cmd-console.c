/*
 * cmd-console.c - `invigil [console]`: the proctor's console, on a screen or
 * headless, on one or more feeds or on the built-in simulator (--demo).
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "console/commands.h"
#include "console/console.h"
#include "console/reasons.h"

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
	    "0600) to the feeds" },
	{ "ca", 'A', 0, "PATH", "trust this CA (PEM) for wss:// feeds; by "
	    "default the system's CAs, and the host name is always checked" },
	{ "insecure", 'I', 0, NULL, "do not verify wss:// certificates (shown "
	    "on screen)" },
	{ "ping", 'P', 0, "SECS", "ping a silent feed after SECS (default 10) "
	    "and hang up after 2 x SECS + 5 without an answer" },
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
	    "database.  Keys on the screen: press ? for help.",
	.exec = console_exec,
	.see = "invigil(1)",
	.page = "invigil.1",
};

/* What the command line says, before it is checked as a whole. */
struct console_args {
	struct console_options	opt;
	const char	       *token_file;
	char			token[PROTO_TOKEN_MAX + 1];
	int			seed_given, rate_given, timeout_given;
	int			any_tls;	/* a --feed is wss:// */
};

/*
 * Read the options into a, each checked alone.  Returns -1 to go on, or
 * the exit status (0 after --help).
 */
static int
console_parse(const struct cmd_entry *self, int argc, char **argv,
    struct console_args *a)
{
	struct cmd_getopt	g;
	char			err[1024];
	long			n;
	int			ch;

	memset(a, 0, sizeof *a);
	a->opt.db = "invigil.db";
	a->opt.proctor = getenv("USER") != NULL ? getenv("USER") : "proctor";
	a->opt.demo_seed = 1;
	a->opt.demo_rate = DEMO_RATE;
	a->opt.ckpt_every = 100;
	a->opt.ckpt_minutes = 5;
	a->opt.max_attempts = CONSOLE_MAX_ATTEMPTS;
	a->opt.max_skew_ms = CONSOLE_MAX_SKEW_S * INT64_C(1000);
	a->opt.command_timeout = CONSOLE_COMMAND_TIMEOUT_S;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			if (a->opt.nfeeds == CONSOLE_MAX_FEEDS)
				return cmd_usage_error(self, "at most %s feeds",
				    "32");
			a->opt.feeds[a->opt.nfeeds++] = optarg;
			break;
		case 'd':
			a->opt.db = optarg;
			break;
		case 'p':
			if (optarg[0] == '\0' || strlen(optarg) > 32)
				return cmd_usage_error(self, "--proctor "
				    "wants an id of 1 to 32 characters, not "
				    "\"%s\"", optarg);
			a->opt.proctor = optarg;
			break;
		case 'H':
			a->opt.headless = 1;
			break;
		case 'D':
			a->opt.demo = DEMO_CANDIDATES;
			if (optarg != NULL) {
				if (option_long("--demo", optarg, 1, 100000,
				    &n) != 0)
					return EXIT_USAGE;
				a->opt.demo = (int)n;
			}
			break;
		case 'S':
			if (option_u64("--seed", optarg,
			    &a->opt.demo_seed) != 0)
				return EXIT_USAGE;
			a->seed_given = 1;
			break;
		case 'R':
			if (option_double("--rate", optarg, 0.001,
			    &a->opt.demo_rate) != 0)
				return EXIT_USAGE;
			a->rate_given = 1;
			break;
		case 'r':
			a->opt.rules_path = optarg;
			break;
		case 'E':
			a->opt.reasons_path = optarg;
			break;
		case 'T':
			a->token_file = optarg;
			break;
		case 'A':
			/* lws reads it by path: a FIFO would block it. */
			if (proto_file_check(optarg, "CA file", err,
			    sizeof err) != 0)
				return cmd_usage_error(self, "--ca %s", err);
			a->opt.ca_path = optarg;
			break;
		case 'I':
			a->opt.insecure = 1;
			break;
		case 'P':
			if (option_long("--ping", optarg, 1, 3600, &n) != 0)
				return EXIT_USAGE;
			a->opt.ping_secs = (int)n;
			break;
		case 'K':
			a->opt.key_dir = optarg;
			break;
		case 'C':
			if (option_long("--checkpoint-every", optarg, 1,
			    1000000, &n) != 0)
				return EXIT_USAGE;
			a->opt.ckpt_every = (int)n;
			break;
		case 'M':
			if (option_long("--checkpoint-minutes", optarg, 1,
			    24 * 60, &n) != 0)
				return EXIT_USAGE;
			a->opt.ckpt_minutes = (int)n;
			break;
		case 'N':
			if (option_long("--max-attempts", optarg, 1,
			    10000000, &a->opt.max_attempts) != 0)
				return EXIT_USAGE;
			break;
		case 'W':
			if (option_long("--max-clock-skew", optarg, 1,
			    366L * 86400, &n) != 0)
				return EXIT_USAGE;
			a->opt.max_skew_ms = (int64_t)n * 1000;
			break;
		case 'O':
			if (option_long("--command-timeout", optarg, 1, 86400,
			    &n) != 0)
				return EXIT_USAGE;
			a->opt.command_timeout = (int)n;
			a->timeout_given = 1;
			break;
		}
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
 * The options as a whole: a feed to watch, and no option that would
 * change nothing in this mode -- refused, not ignored: whoever gave it
 * expects it to act.
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
	if (a->seed_given && a->opt.demo == 0)
		return cmd_usage_error(self, "%s", "--seed sets the --demo "
		    "simulator's seed, and there is no --demo: give --demo, or "
		    "leave --seed out");
	if (a->rate_given && a->opt.demo == 0)
		return cmd_usage_error(self, "%s", "--rate sets the --demo "
		    "simulator's speed, and there is no --demo: give --demo, or "
		    "leave --rate out");
	if (a->opt.ca_path != NULL && !a->any_tls)
		return cmd_usage_error(self, "%s", "--ca is trusted for wss:// "
		    "feeds, and no --feed is wss://: leave --ca out, or give "
		    "the feed's wss:// URL");
	if (a->opt.insecure && !a->any_tls)
		return cmd_usage_error(self, "%s", "--insecure turns off the "
		    "checks of wss:// feeds, and no --feed is wss://: leave "
		    "--insecure out, or give the feed's wss:// URL");
	if (a->timeout_given && !a->opt.headless)
		return cmd_usage_error(self, "%s",
		    "--command-timeout times the "
		    "\"unanswered\" lines of --headless, and there is no "
		    "--headless: give --headless, or leave --command-timeout "
		    "out");
	if (a->token_file != NULL && a->opt.nfeeds == 0)
		return cmd_usage_error(self, "%s",
		    "--token-file is sent to the "
		    "--feed feeds, and there is none (the --demo simulator "
		    "takes no token): leave --token-file out, or give --feed "
		    "URL");
	return -1;
}

/* The token, the terminal, then the console itself, with its reason
 * codes (NULL: the defaults; the caller frees them). */
static int
console_start(const struct cmd_entry *self, struct console_args *a,
    struct reasons *reasons)
{
	struct app		app;
	char			err[1024];
	int			rc;

	if (a->token_file != NULL) {
		if (proto_token_load(a->token_file, a->token, sizeof a->token,
		    err, sizeof err) != 0)
			return cmd_usage_error(self, "%s", err);
		a->opt.token = a->token;
	}
	if (!a->opt.headless && (!isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO)))
		return cmd_usage_error(self, "%s", "the screen needs a "
		    "terminal; use --headless for scripts");

	setlocale(LC_ALL, "");
	if (app_init(&app, &a->opt, err, sizeof err) != 0) {
		char	clean[4 * sizeof err];

		/* It may quote the database or a feed. */
		fprintf(stderr, "invigil: %s\n", proto_clean(err, clean,
		    sizeof clean));
		app_free(&app);
		return EXIT_RUNTIME;
	}
	app.reasons = reasons;
	rc = app_run(&app);
	app_free(&app);
	return rc;
}

static int
console_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct console_args	a;
	struct reasons	       *reasons = NULL;
	char			err[1024], clean[4 * 1024];
	int			rc;

	if ((rc = console_parse(self, argc, argv, &a)) != -1 ||
	    (rc = console_check_feeds(self, &a)) != -1 ||
	    (rc = console_check_modes(self, &a)) != -1)
		return rc;
	if (a.opt.rules_path != NULL) {
		struct rules	*r;

		if ((r = rules_load(a.opt.rules_path, err, sizeof err)) ==
		    NULL) {
			fprintf(stderr, "invigil: %s\ninvigil: the console "
			    "does not start with a bad rule file; check it with "
			    "'invigil rules check %s'\n", err, proto_clean(
			    a.opt.rules_path, clean, sizeof clean));
			return EXIT_USAGE;
		}
		rules_free(r);
	}
	if (a.opt.reasons_path != NULL && (reasons = reasons_load(
	    a.opt.reasons_path, err, sizeof err)) == NULL) {
		fprintf(stderr, "invigil: %s\ninvigil: the console does not "
		    "start with a bad reason file; check it with 'invigil "
		    "reasons check %s'\n", err, proto_clean(a.opt.reasons_path,
		    clean, sizeof clean));
		return EXIT_USAGE;
	}
	rc = console_start(self, &a, reasons);
	reasons_free(reasons);
	return rc;
}
