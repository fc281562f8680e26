/*
 * cmd-feed.c - `invigil feed`: run a feed server on its own loop until
 * SIGINT or SIGTERM.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"
#include "feed/feed.h"
#include "feed/limits.h"

static int	feed_exec(const struct cmd_entry *, int, char **);

static const struct cmd_option feed_options[] = {
	{ "listen", 'l', CMD_OPT_SHORT, "HOST:PORT", "where to listen "
	    "(default 127.0.0.1:7450; HOST a name or an IP address, [::1] for "
	    "IPv6; port 0 picks a free one)" },
	{ "simulate", 's', CMD_OPT_SHORT, "N", "simulate N candidates in one "
	    "session" },
	{ "seed", 'S', 0, "S", "the simulator's seed (default 1): same seed, "
	    "same stream" },
	{ "truth", 't', 0, "PATH", "--simulate: keep the ground truth (each "
	    "attempt's profile and injected misconduct, JSON lines) in PATH, "
	    "rewritten every 2 s and at the end" },
	{ "replay", 'r', CMD_OPT_SHORT, "FILE", "send the messages of a JSONL "
	    "scenario file, one per line, numbering seq, then stay up" },
	{ "rate", 'R', 0, "R", "--simulate: speed multiplier (default 1); "
	    "--replay: messages per second (default 0 = as fast as the "
	    "consoles take them)" },
	{ "id", 'i', 0, "ID", "the feed's id in welcome (default: feed-PORT, "
	    "the port bound)" },
	{ "name", 'n', 0, "NAME", "a display name (default: the id)" },
	{ "buffer", 'b', 0, "N", "messages kept for consoles that resume "
	    "(default 1000000)" },
	{ "buffer-file", 'B', 0, "PATH", "keep the buffer in PATH too, so "
	    "that a restarted feed keeps its epoch and consoles resume without "
	    "a gap (with --replay: goes on where it stopped)" },
	{ "epoch", 'E', 0, "N", "the epoch to announce (default: start time, "
	    "ms)" },
	{ "token-file", 'T', 0, "PATH", "require the bearer token in PATH "
	    "(mode 0600)" },
	{ "cert", 'C', 0, "PATH", "serve TLS (wss://) with this PEM "
	    "certificate chain" },
	{ "key", 'K', 0, "PATH", "and this PEM private key" },
	{ "no-auth", 'N', 0, NULL, "listen beyond loopback without "
	    "--token-file or TLS: anyone who reaches the port sees the exam "
	    "and may pause or end attempts" },
	{ "max-per-address", 'A', 0, "N", "connections one client address may "
	    "hold open, upgraded or not (default 32)" },
	{ "stamp", 'M', 0, NULL, "end every stream message with "
	    "\"sent_mono_ns\": this machine's CLOCK_MONOTONIC in nanoseconds "
	    "when the message is written (for latency benchmarks; consoles "
	    "ignore it)" },
	{ "quiet", 'q', CMD_OPT_SHORT, NULL, "no log lines on stderr" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_feed_entry = {
	.name = "feed",
	.summary = "serve exam-session messages, simulated or replayed, to "
	    "consoles",
	.usage = "feed [--listen HOST:PORT] --simulate N [--seed S] [--rate R] "
	    "[--truth PATH] [options]\n"
	    "feed [--listen HOST:PORT] --replay FILE.jsonl [--rate R] "
	    "[options]",
	.options = feed_options,
	.opens = CMD_OPENS_NETWORK,
	.about = "Serve live exam-session messages over WebSocket (subprotocol "
	    "invigil.v1) to any number of consoles, until SIGINT or SIGTERM.",
	.exec = feed_exec,
	.see = "invigil-feed(1)",
	.page = "invigil-feed.1",
};

static volatile sig_atomic_t	feed_stop;
static struct lws_context      *feed_ctx;

/* libwebsockets' own error lines: sanitised and rate-limited (limits.h). */
static void
feed_lws_log_line(int level, const char *line)
{
	(void)level;
	feed_lws_log("invigil feed", line);
}

static void
feed_on_signal(int sig)
{
	(void)sig;
	feed_stop = 1;
	if (feed_ctx != NULL)
		lws_cancel_service(feed_ctx);
}

static int
feed_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	g;
	struct lws_context_creation_info info;
	struct feed_config	fc;
	struct feed	       *f;
	struct sigaction	sa;
	char			listen_default[] = "127.0.0.1:7450";
	char		       *listen = listen_default, err[1024];
	char			addr[NI_MAXHOST], shown[1024];
	char			token[PROTO_TOKEN_MAX + 1];
	const char	       *token_file = NULL;
	uint64_t		epoch;
	long			n;
	char		       *end;
	int			ch, rate_given = 0, seed_given = 0, no_auth = 0;
	int			loopback;

	memset(&fc, 0, sizeof fc);
	fc.seed = 1;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 's':
			if (option_long("--simulate", optarg, 1, 1000000, &n) != 0)
				return EXIT_USAGE;
			fc.simulate = (int)n;
			break;
		case 'S':
			if (option_u64("--seed", optarg, &fc.seed) != 0)
				return EXIT_USAGE;
			seed_given = 1;
			break;
		case 'r':
			fc.replay_path = optarg;
			break;
		case 'R':
			if (option_double("--rate", optarg, 0, &fc.rate) != 0)
				return EXIT_USAGE;
			rate_given = 1;
			break;
		case 'i':
			if (optarg[0] == '\0' || strlen(optarg) > PROTO_ID_MAX ||
			    !proto_utf8_valid(optarg, strlen(optarg)))
				return cmd_usage_error(self,
				    "--id wants 1 to 64 "
				    "bytes of UTF-8 text, not \"%s\"", optarg);
			fc.id = optarg;
			break;
		case 'n':
			if (optarg[0] == '\0' || strlen(optarg) > PROTO_NAME_MAX ||
			    !proto_utf8_valid(optarg, strlen(optarg)))
				return cmd_usage_error(self,
				    "--name wants 1 to 256 "
				    "bytes of UTF-8 text, not \"%s\"", optarg);
			fc.name = optarg;
			break;
		case 'b':
			if (option_long("--buffer", optarg, 1, 100000000, &n) != 0)
				return EXIT_USAGE;
			fc.buffer = (size_t)n;
			break;
		case 'B':
			fc.buffer_file = optarg;
			break;
		case 'E':
			errno = 0;
			epoch = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isdigit((unsigned char)optarg[0]) || epoch == 0 ||
			    epoch > (uint64_t)PROTO_EPOCH_MAX)
				return cmd_usage_error(self,
				    "--epoch wants a whole "
				    "number from 1 to 9007199254740991 (2^53-1, "
				    "exact in every JSON implementation), not "
				    "\"%s\"", optarg);
			fc.epoch = (int64_t)epoch;
			break;
		case 'T':
			token_file = optarg;
			break;
		case 'C':
			fc.cert_path = optarg;
			break;
		case 'K':
			fc.key_path = optarg;
			break;
		case 't':
			if (optarg[0] == '\0')
				return cmd_usage_error(self, "%s",
				    "--truth needs a "
				    "path");
			fc.truth_path = optarg;
			break;
		case 'A':
			if (option_long("--max-per-address", optarg, 1, 1000000,
			    &n) != 0)
				return EXIT_USAGE;
			fc.max_per_address = (int)n;
			break;
		case 'M':
			fc.stamp = 1;
			break;
		case 'N':
			no_auth = 1;
			break;
		case 'q':
			fc.quiet = 1;
			break;
		case CMD_HELP:
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cmd_usage_error(self, "unexpected argument \"%s\"",
		    argv[optind]);
	if ((fc.simulate > 0) == (fc.replay_path != NULL))
		return cmd_usage_error(self, "%s",
		    "give exactly one of --simulate N "
		    "and --replay FILE");
	if (fc.simulate > 0 && !rate_given)
		fc.rate = 1;
	if (fc.simulate > 0 && fc.rate <= 0)
		return cmd_usage_error(self, "%s",
		    "--rate must be above 0 with "
		    "--simulate");
	if ((fc.cert_path != NULL) != (fc.key_path != NULL))
		return cmd_usage_error(self, "%s",
		    "--cert and --key go together");
	/* lws reads them by path: a FIFO would block it. */
	if (fc.cert_path != NULL && (proto_file_check(fc.cert_path,
	    "certificate file", err, sizeof err) != 0 ||
	    proto_file_check(fc.key_path, "key file", err, sizeof err) != 0))
		return cmd_usage_error(self, "%s", err);
	if (seed_given && fc.simulate == 0)
		return cmd_usage_error(self, "%s",
		    "--seed goes with --simulate: a "
		    "scenario file has no randomness to seed");
	if (fc.truth_path != NULL && fc.simulate == 0)
		return cmd_usage_error(self, "%s",
		    "--truth goes with --simulate: "
		    "a scenario file has no ground truth to write");
	if (fc.buffer_file != NULL && fc.simulate > 0)
		return cmd_usage_error(self, "%s",
		    "--buffer-file goes with --replay: "
		    "a restarted simulator is a new session (a new epoch)");
	if (option_listen(listen, &fc.listen_host, &fc.listen_port) != 0)
		return EXIT_USAGE;
	if (feed_listen_resolve(fc.listen_host, addr, sizeof addr, &loopback,
	    err, sizeof err) != 0) {
		fprintf(stderr, "invigil feed: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (!loopback && token_file == NULL && fc.cert_path == NULL &&
	    !no_auth)
		return cmd_usage_error(self, "refusing to listen on %s without "
		    "--token-file or --cert and --key, as anyone who can reach "
		    "it would see candidates' names and addresses and could "
		    "pause or end their attempts (give --no-auth to do so "
		    "anyway)", proto_clean(fc.listen_host, shown, sizeof shown));
	n = (long)strlen(fc.listen_host);
	if (!fc.quiet && strcmp(addr, fc.listen_host) != 0 &&
	    (fc.listen_host[0] != '[' || n - 2 != (long)strlen(addr) ||
	    strncmp(fc.listen_host + 1, addr, (size_t)n - 2) != 0))
		fprintf(stderr, "invigil feed: --listen %s: using the address "
		    "%s\n", proto_clean(fc.listen_host, shown, sizeof shown),
		    addr);
	fc.listen_host = addr;
	if (token_file != NULL) {
		if (proto_token_load(token_file, token, sizeof token, err,
		    sizeof err) != 0) {
			fprintf(stderr, "invigil feed: %s\n", err);
			return EXIT_USAGE;
		}
		fc.token = token;
	}

	lws_set_log_level(LLL_ERR, feed_lws_log_line);
	memset(&info, 0, sizeof info);
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	feed_ctx = lws_create_context(&info);
	if (feed_ctx == NULL) {
		fprintf(stderr, "invigil feed: cannot create the WebSocket "
		    "context\n");
		return EXIT_RUNTIME;
	}
	f = feed_attach(feed_ctx, &fc, err, sizeof err);
	if (f == NULL) {
		fprintf(stderr, "invigil feed: %s\n", err);
		lws_context_destroy(feed_ctx);
		return EXIT_RUNTIME;
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = feed_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!feed_stop) {
		if (lws_service(feed_ctx, 0) < 0)
			break;
	}
	lws_context_destroy(feed_ctx);
	feed_ctx = NULL;
	feed_detach(f);
	return 0;
}
