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

#include "console/console.h"

#define DEMO_CANDIDATES	40
#define DEMO_RATE	5.0

static const char console_usage[] =
"usage: invigil [console] --feed URL [--feed URL]... [options]\n"
"       invigil --demo[=N] [options]\n"
"\n"
"Connect to live exam-session feeds, show every candidate, raise flags and\n"
"record the proctor's decisions in an SQLite database.\n"
"\n"
"  -f, --feed URL       a feed to connect to (ws://HOST:PORT/ or wss://...);\n"
"                       repeat for several feeds (at most 32)\n"
"  -d, --db PATH        the database to write (default: invigil.db)\n"
"  -p, --proctor ID     who is deciding (default: $USER); also the name of\n"
"                       the key that signs the journal's checkpoints\n"
"  -r, --rules PATH     the flag rules (default: the built-in set, see\n"
"                       invigil rules defaults); SIGHUP reads the file again\n"
"      --headless       no screen: one JSON line per flag on stdout, and\n"
"                       decisions as JSON requests on stdin, each answered\n"
"                       once durable; stops on SIGINT/SIGTERM after\n"
"                       committing\n"
"      --command-timeout SECS  with --headless: print an \"unanswered\"\n"
"                       line for a command its feed has not answered\n"
"                       within SECS (default 30); it stays pending\n"
"      --demo[=N]       run the simulator in this process with N candidates\n"
"                       (default 40) and connect to it over WebSocket\n"
"      --seed S         with --demo: the simulator's seed (default 1)\n"
"      --rate R         with --demo: the simulator's speed multiplier\n"
"                       (default 5)\n"
"      --token-file PATH  send the bearer token in PATH (mode 0600) to the\n"
"                       feeds\n"
"      --ca PATH        trust this CA (PEM) for wss:// feeds; by default the\n"
"                       system's CAs, and the host name is always checked\n"
"      --insecure       do not verify wss:// certificates (shown on screen)\n"
"      --ping SECS      ping a silent feed after SECS (default 10) and hang\n"
"                       up after 2 x SECS + 5 without an answer\n"
"      --key-dir DIR    where signing keys live (default:\n"
"                       $XDG_CONFIG_HOME/invigil, else ~/.config/invigil)\n"
"      --checkpoint-every N  sign a checkpoint of the journal every N\n"
"                       entries (default 100), and at exit\n"
"      --checkpoint-minutes T  ... and every T minutes (default 5)\n"
"      --max-attempts N  hold at most N attempts per feed (default 50000);\n"
"                       messages about more are kept in rejects\n"
"      --max-clock-skew SECS  keep in rejects, not take in, a message whose\n"
"                       ts is more than SECS (default 86400) ahead of this\n"
"                       machine's clock or behind its feed's latest ts\n"
"  -h, --help           this help\n"
"\n"
"Other commands: invigil feed --help, invigil rules --help,\n"
"invigil review --help\n"
"Keys on the screen: press ? for help.  See invigil(1).\n";

/* Arguments and the sentences quoting them pass the sanitiser. */
static int
console_usage_error(const char *fmt, const char *arg)
{
	char	clean[4 * 2048];

	fprintf(stderr, "invigil: ");
	fprintf(stderr, fmt, proto_clean(arg, clean, sizeof clean));
	fprintf(stderr, "\nTry 'invigil --help'.\n");
	return EXIT_USAGE;
}

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "feed",	required_argument, NULL, 'f' },
		{ "db",		required_argument, NULL, 'd' },
		{ "proctor",	required_argument, NULL, 'p' },
		{ "headless",	no_argument,	   NULL, 'H' },
		{ "demo",	optional_argument, NULL, 'D' },
		{ "seed",	required_argument, NULL, 'S' },
		{ "rate",	required_argument, NULL, 'R' },
		{ "rules",	required_argument, NULL, 'r' },
		{ "token-file",	required_argument, NULL, 'T' },
		{ "ca",		required_argument, NULL, 'A' },
		{ "insecure",	no_argument,	   NULL, 'I' },
		{ "ping",	required_argument, NULL, 'P' },
		{ "key-dir",	required_argument, NULL, 'K' },
		{ "checkpoint-every", required_argument, NULL, 'C' },
		{ "checkpoint-minutes", required_argument, NULL, 'M' },
		{ "max-attempts", required_argument, NULL, 'N' },
		{ "max-clock-skew", required_argument, NULL, 'W' },
		{ "command-timeout", required_argument, NULL, 'O' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL,		0,		   NULL, 0 }
	};
	struct console_options	opt;
	struct app		app;
	char			err[1024], token[PROTO_TOKEN_MAX + 1];
	struct ws_url		parsed[CONSOLE_MAX_FEEDS];
	const char	       *token_file = NULL;
	long			n, k;
	int			ch, rc, any_tls = 0;
	int			seed_given = 0, rate_given = 0;
	int			timeout_given = 0;

	memset(&opt, 0, sizeof opt);
	opt.db = "invigil.db";
	opt.proctor = getenv("USER") != NULL ? getenv("USER") : "proctor";
	opt.demo_seed = 1;
	opt.demo_rate = DEMO_RATE;
	opt.ckpt_every = 100;
	opt.ckpt_minutes = 5;
	opt.max_attempts = CONSOLE_MAX_ATTEMPTS;
	opt.max_skew_ms = CONSOLE_MAX_SKEW_S * INT64_C(1000);
	opt.command_timeout = CONSOLE_COMMAND_TIMEOUT_S;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":f:d:p:r:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (opt.nfeeds == CONSOLE_MAX_FEEDS)
				return console_usage_error("at most %s feeds",
				    "32");
			opt.feeds[opt.nfeeds++] = optarg;
			break;
		case 'd':
			opt.db = optarg;
			break;
		case 'p':
			if (optarg[0] == '\0' || strlen(optarg) > 32)
				return console_usage_error("--proctor wants an "
				    "id of 1 to 32 characters, not \"%s\"",
				    optarg);
			opt.proctor = optarg;
			break;
		case 'H':
			opt.headless = 1;
			break;
		case 'D':
			opt.demo = DEMO_CANDIDATES;
			if (optarg != NULL) {
				if (option_long("--demo", optarg, 1, 100000,
				    &n) != 0)
					return EXIT_USAGE;
				opt.demo = (int)n;
			}
			break;
		case 'S':
			if (option_u64("--seed", optarg, &opt.demo_seed) != 0)
				return EXIT_USAGE;
			seed_given = 1;
			break;
		case 'R':
			if (option_double("--rate", optarg, 0.001,
			    &opt.demo_rate) != 0)
				return EXIT_USAGE;
			rate_given = 1;
			break;
		case 'r':
			opt.rules_path = optarg;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'A':
			/* lws reads it by path: a FIFO would block it. */
			if (proto_file_check(optarg, "CA file", err,
			    sizeof err) != 0)
				return console_usage_error("--ca %s", err);
			opt.ca_path = optarg;
			break;
		case 'I':
			opt.insecure = 1;
			break;
		case 'P':
			if (option_long("--ping", optarg, 1, 3600, &n) != 0)
				return EXIT_USAGE;
			opt.ping_secs = (int)n;
			break;
		case 'K':
			opt.key_dir = optarg;
			break;
		case 'C':
			if (option_long("--checkpoint-every", optarg, 1,
			    1000000, &n) != 0)
				return EXIT_USAGE;
			opt.ckpt_every = (int)n;
			break;
		case 'M':
			if (option_long("--checkpoint-minutes", optarg, 1,
			    24 * 60, &n) != 0)
				return EXIT_USAGE;
			opt.ckpt_minutes = (int)n;
			break;
		case 'N':
			if (option_long("--max-attempts", optarg, 1,
			    10000000, &opt.max_attempts) != 0)
				return EXIT_USAGE;
			break;
		case 'W':
			if (option_long("--max-clock-skew", optarg, 1,
			    366L * 86400, &n) != 0)
				return EXIT_USAGE;
			opt.max_skew_ms = (int64_t)n * 1000;
			break;
		case 'O':
			if (option_long("--command-timeout", optarg, 1, 86400,
			    &n) != 0)
				return EXIT_USAGE;
			opt.command_timeout = (int)n;
			timeout_given = 1;
			break;
		case 'h':
			fputs(console_usage, stdout);
			return 0;
		case ':':
			return console_usage_error("%s needs a value",
			    argv[optind - 1]);
		default:
			return console_usage_error("unknown option %s",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return console_usage_error("unexpected argument \"%s\"",
		    argv[optind]);
	if (sign_name_valid(opt.proctor, err, sizeof err) != 0) {
		char	clean[4 * 256], cerr[4 * sizeof err];

		fprintf(stderr, "invigil: the proctor id \"%s\" cannot name a "
		    "signing key: %s\nGive --proctor an id of letters, digits "
		    "and punctuation other than '+'.\n", proto_clean(
		    opt.proctor, clean, sizeof clean), proto_clean(err, cerr,
		    sizeof cerr));
		return EXIT_USAGE;
	}
	for (n = 0; n < opt.nfeeds; n++) {
		if (link_ws_parse_url(opt.feeds[n], &parsed[n], err,
		    sizeof err) != 0)
			return console_usage_error("%s", err);
		any_tls |= parsed[n].tls;
		/* The same feed twice would be two connections to one feed
		 * id, each taking in the other's messages. */
		for (k = 0; k < n; k++) {
			if (parsed[k].tls != parsed[n].tls ||
			    parsed[k].port != parsed[n].port ||
			    strcasecmp(parsed[k].host, parsed[n].host) != 0 ||
			    strcmp(parsed[k].path, parsed[n].path) != 0)
				continue;
			if (strcmp(opt.feeds[k], opt.feeds[n]) == 0)
				snprintf(err, sizeof err, "--feed %s is given "
				    "twice; give each feed once", opt.feeds[n]);
			else
				snprintf(err, sizeof err, "--feed %s is the "
				    "same feed as --feed %s; give each feed "
				    "once", opt.feeds[n], opt.feeds[k]);
			return console_usage_error("%s", err);
		}
	}
	if (opt.nfeeds == 0 && opt.demo == 0)
		return console_usage_error("%s", "no feed: give --feed URL, or "
		    "--demo to try the built-in simulator");
	if (opt.demo > 0 && opt.nfeeds == CONSOLE_MAX_FEEDS)
		return console_usage_error("at most %s feeds, --demo's "
		    "simulator included: give one --feed fewer", "32");
	/* An option that would change nothing in this mode is refused, not
	 * ignored: whoever gave it expects it to act. */
	if (seed_given && opt.demo == 0)
		return console_usage_error("%s", "--seed sets the --demo "
		    "simulator's seed, and there is no --demo: give --demo, or "
		    "leave --seed out");
	if (rate_given && opt.demo == 0)
		return console_usage_error("%s", "--rate sets the --demo "
		    "simulator's speed, and there is no --demo: give --demo, or "
		    "leave --rate out");
	if (opt.ca_path != NULL && !any_tls)
		return console_usage_error("%s", "--ca is trusted for wss:// "
		    "feeds, and no --feed is wss://: leave --ca out, or give "
		    "the feed's wss:// URL");
	if (opt.insecure && !any_tls)
		return console_usage_error("%s", "--insecure turns off the "
		    "checks of wss:// feeds, and no --feed is wss://: leave "
		    "--insecure out, or give the feed's wss:// URL");
	if (timeout_given && !opt.headless)
		return console_usage_error("%s", "--command-timeout times the "
		    "\"unanswered\" lines of --headless, and there is no "
		    "--headless: give --headless, or leave --command-timeout "
		    "out");
	if (token_file != NULL && opt.nfeeds == 0)
		return console_usage_error("%s", "--token-file is sent to the "
		    "--feed feeds, and there is none (the --demo simulator "
		    "takes no token): leave --token-file out, or give --feed "
		    "URL");
	if (opt.rules_path != NULL) {
		struct rules *r = rules_load(opt.rules_path, err, sizeof err);

		if (r == NULL) {
			fprintf(stderr, "invigil: %s\ninvigil: the console "
			    "does not start with a bad rule file; check it with "
			    "'invigil rules check %s'\n", err, opt.rules_path);
			return EXIT_USAGE;
		}
		rules_free(r);
	}
	if (token_file != NULL) {
		if (proto_token_load(token_file, token, sizeof token, err,
		    sizeof err) != 0)
			return console_usage_error("%s", err);
		opt.token = token;
	}
	if (!opt.headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		return console_usage_error("%s", "the screen needs a terminal; "
		    "use --headless for scripts");

	setlocale(LC_ALL, "");
	if (app_init(&app, &opt, err, sizeof err) != 0) {
		char	clean[4 * sizeof err];

		/* It may quote the database or a feed. */
		fprintf(stderr, "invigil: %s\n", proto_clean(err, clean,
		    sizeof clean));
		app_free(&app);
		return EXIT_RUNTIME;
	}
	rc = app_run(&app);
	app_free(&app);
	return rc;
}
