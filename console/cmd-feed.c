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
	{ "items", 'I', 0, "N", "--simulate: items per exam form, 1 to 999 "
	    "(default 60)" },
	{ "forms", 'F', 0, "K", "--simulate: exam forms F1..FK, 1 to 26, "
	    "dealt round-robin, each with its own items (default 1)" },
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
	    "[--items N] [--forms K] [--truth PATH] [options]\n"
	    "feed [--listen HOST:PORT] --replay FILE.jsonl [--rate R] "
	    "[options]",
	.options = feed_options,
	.opens = CMD_OPENS_NETWORK,
	.flags = CMD_NO_OPERANDS,
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

/* What the command line says, before it is checked as a whole. */
struct feed_args {
	struct feed_config	fc;
	char			listen_default[sizeof "127.0.0.1:7450"];
	char		       *listen;
	const char	       *token_file;
	char			token[PROTO_TOKEN_MAX + 1];
	int			rate_given, seed_given, no_auth, sim_shape;
};

/*
 * Read the options into a, each checked alone.  Returns -1 to go on, or
 * the exit status (0 after --help).
 */
static int
feed_parse(const struct cmd_entry *self, int argc, char **argv,
    struct feed_args *a)
{
	struct cmd_getopt	g;
	uint64_t		epoch;
	long			n;
	char		       *end;
	int			ch;

	memset(a, 0, sizeof *a);
	memcpy(a->listen_default, "127.0.0.1:7450", sizeof a->listen_default);
	a->listen = a->listen_default;
	a->fc.seed = 1;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'l':
			a->listen = optarg;
			break;
		case 's':
			if (option_long("--simulate", optarg, 1, 1000000,
			    &n) != 0)
				return EXIT_USAGE;
			a->fc.simulate = (int)n;
			break;
		case 'S':
			if (option_u64("--seed", optarg, &a->fc.seed) != 0)
				return EXIT_USAGE;
			a->seed_given = 1;
			break;
		case 'I':
			if (option_long("--items", optarg, 1, 999, &n) != 0)
				return EXIT_USAGE;
			a->fc.sim_items = (int)n;
			a->sim_shape = 1;
			break;
		case 'F':
			if (option_long("--forms", optarg, 1, 26, &n) != 0)
				return EXIT_USAGE;
			a->fc.sim_forms = (int)n;
			a->sim_shape = 1;
			break;
		case 'r':
			a->fc.replay_path = optarg;
			break;
		case 'R':
			if (option_double("--rate", optarg, 0,
			    &a->fc.rate) != 0)
				return EXIT_USAGE;
			a->rate_given = 1;
			break;
		case 'i':
			if (optarg[0] == '\0' ||
			    strlen(optarg) > PROTO_ID_MAX ||
			    !proto_utf8_valid(optarg, strlen(optarg)))
				return cmd_usage_error(self, "--id wants 1 to "
				    "64 bytes of UTF-8 text, not \"%s\"",
				    optarg);
			a->fc.id = optarg;
			break;
		case 'n':
			if (optarg[0] == '\0' ||
			    strlen(optarg) > PROTO_NAME_MAX ||
			    !proto_utf8_valid(optarg, strlen(optarg)))
				return cmd_usage_error(self, "--name wants 1 "
				    "to 256 bytes of UTF-8 text, not \"%s\"",
				    optarg);
			a->fc.name = optarg;
			break;
		case 'b':
			if (option_long("--buffer", optarg, 1, 100000000,
			    &n) != 0)
				return EXIT_USAGE;
			a->fc.buffer = (size_t)n;
			break;
		case 'B':
			a->fc.buffer_file = optarg;
			break;
		case 'E':
			errno = 0;
			epoch = strtoull(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isdigit((unsigned char)optarg[0]) || epoch == 0 ||
			    epoch > (uint64_t)PROTO_EPOCH_MAX)
				return cmd_usage_error(self, "--epoch wants a "
				    "whole number from 1 to 9007199254740991 "
				    "(2^53-1, exact in every JSON "
				    "implementation), not \"%s\"", optarg);
			a->fc.epoch = (int64_t)epoch;
			break;
		case 'T':
			a->token_file = optarg;
			break;
		case 'C':
			a->fc.cert_path = optarg;
			break;
		case 'K':
			a->fc.key_path = optarg;
			break;
		case 't':
			if (optarg[0] == '\0')
				return cmd_usage_error(self, "--truth needs a "
				    "path", NULL);
			a->fc.truth_path = optarg;
			break;
		case 'A':
			if (option_long("--max-per-address", optarg, 1, 1000000,
			    &n) != 0)
				return EXIT_USAGE;
			a->fc.max_per_address = (int)n;
			break;
		case 'M':
			a->fc.stamp = 1;
			break;
		case 'N':
			a->no_auth = 1;
			break;
		case 'q':
			a->fc.quiet = 1;
			break;
		}
	}
	return g.status;
}

/*
 * The options as a whole: one source, and no option that would change
 * nothing with it.  Returns -1 to go on, or the exit status.
 */
static int
feed_check(const struct cmd_entry *self, struct feed_args *a)
{
	char	err[1024];

	if ((a->fc.simulate > 0) == (a->fc.replay_path != NULL))
		return cmd_usage_error(self, "give exactly one of --simulate "
		    "N and --replay FILE", NULL);
	if (a->fc.simulate > 0 && !a->rate_given)
		a->fc.rate = 1;
	if (a->fc.simulate > 0 && a->fc.rate <= 0)
		return cmd_usage_error(self, "--rate must be above 0 with "
		    "--simulate", NULL);
	if ((a->fc.cert_path != NULL) != (a->fc.key_path != NULL))
		return cmd_usage_error(self, "--cert and --key go together",
		    NULL);
	/* lws reads them by path: a FIFO would block it. */
	if (a->fc.cert_path != NULL && (proto_file_check(a->fc.cert_path,
	    "certificate file", err, sizeof err) != 0 ||
	    proto_file_check(a->fc.key_path, "key file", err, sizeof err) != 0))
		return cmd_usage_error(self, err, NULL);	/* sanitised */
	if (a->seed_given && a->fc.simulate == 0)
		return cmd_usage_error(self, "--seed goes with --simulate: a "
		    "scenario file has no randomness to seed", NULL);
	if (a->sim_shape && a->fc.simulate == 0)
		return cmd_usage_error(self, "--items and --forms go with "
		    "--simulate: a scenario file has its own items", NULL);
	if (a->fc.truth_path != NULL && a->fc.simulate == 0)
		return cmd_usage_error(self, "--truth goes with --simulate: a "
		    "scenario file has no ground truth to write", NULL);
	if (a->fc.buffer_file != NULL && a->fc.simulate > 0)
		return cmd_usage_error(self, "--buffer-file goes with "
		    "--replay: a restarted simulator is a new session (a new "
		    "epoch)", NULL);
	return -1;
}

/* Serve fc until SIGINT or SIGTERM. */
static int
feed_serve(struct feed_config *fc)
{
	struct lws_context_creation_info info;
	struct feed	       *f;
	struct sigaction	sa;
	char			err[1024];

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
	f = feed_attach(feed_ctx, fc, err, sizeof err);
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

static int
feed_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct feed_args	a;
	char			addr[NI_MAXHOST], shown[1024], err[1024];
	int			loopback, rc;
	long			n;

	if ((rc = feed_parse(self, argc, argv, &a)) != -1 ||
	    (rc = feed_check(self, &a)) != -1)
		return rc;
	if (option_listen(a.listen, &a.fc.listen_host, &a.fc.listen_port) != 0)
		return EXIT_USAGE;
	if (feed_listen_resolve(a.fc.listen_host, addr, sizeof addr, &loopback,
	    err, sizeof err) != 0) {
		fprintf(stderr, "invigil feed: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (!loopback && a.token_file == NULL && a.fc.cert_path == NULL &&
	    !a.no_auth)
		return cmd_usage_error(self, "refusing to listen on %s without "
		    "--token-file or --cert and --key, as anyone who can reach "
		    "it would see candidates' names and addresses and could "
		    "pause or end their attempts (give --no-auth to do so "
		    "anyway)", a.fc.listen_host);
	n = (long)strlen(a.fc.listen_host);
	if (!a.fc.quiet && strcmp(addr, a.fc.listen_host) != 0 &&
	    (a.fc.listen_host[0] != '[' || n - 2 != (long)strlen(addr) ||
	    strncmp(a.fc.listen_host + 1, addr, (size_t)n - 2) != 0))
		fprintf(stderr, "invigil feed: --listen %s: using the address "
		    "%s\n", proto_clean(a.fc.listen_host, shown, sizeof shown),
		    addr);
	a.fc.listen_host = addr;
	if (a.token_file != NULL) {
		if (proto_token_load(a.token_file, a.token, sizeof a.token,
		    err, sizeof err) != 0) {
			fprintf(stderr, "invigil feed: %s\n", err);
			return EXIT_USAGE;
		}
		a.fc.token = a.token;
	}
	return feed_serve(&a.fc);
}
