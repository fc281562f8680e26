/*
 * ws-ceiling.c - the WebSocket ceiling of the ingest benchmark: a minimal
 * libwebsockets client that connects to a feed, says hello, receives the
 * stream and does nothing with it.  It counts whole messages (the welcome
 * excluded) until it has N, then prints one line:
 *
 *	ws-ceiling: N messages in S s: R messages/s
 *
 * timed from the first stream message to the N-th, as the console's figure
 * is (first to last recv_ms).  Same context options and receive buffer as
 * the console (console/loop.c, console/link-ws.c).
 *
 * usage: ws-ceiling PORT N [TIMEOUT_S]
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "bench/bench.h"

#define HELLO	"{\"t\":\"hello\",\"proto\":1,\"proctor\":\"bench\"}"

static long	want, got;		/* stream messages */
static int	seen_welcome, done, failed, sent_hello;
static double	t_first, t_last;

static int
cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
    size_t len)
{
	unsigned char	buf[LWS_PRE + sizeof HELLO];

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "ws-ceiling: cannot connect: %s\n",
		    in != NULL ? (const char *)in : "?");
		failed = 1;
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (sent_hello)
			break;
		memcpy(buf + LWS_PRE, HELLO, sizeof HELLO - 1);
		if (lws_write(wsi, buf + LWS_PRE, sizeof HELLO - 1,
		    LWS_WRITE_TEXT) < 0)
			return -1;
		sent_hello = 1;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		(void)len;
		if (!lws_is_final_fragment(wsi))
			break;
		if (!seen_welcome) {
			seen_welcome = 1;	/* the first message: welcome */
			break;
		}
		if (got++ == 0)
			t_first = bench_now_s();
		if (got == want) {
			t_last = bench_now_s();
			done = 1;
			return -1;	/* hang up */
		}
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!done) {
			fprintf(stderr, "ws-ceiling: closed after %ld of %ld "
			    "messages\n", got, want);
			failed = 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "invigil.v1", cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct lws_context_creation_info	info;
	struct lws_client_connect_info		ci;
	struct lws_context			*ctx;
	double					 deadline, secs;

	if (argc < 3) {
		fprintf(stderr, "usage: ws-ceiling PORT N [TIMEOUT_S]\n");
		return 2;
	}
	want = atol(argv[2]);
	deadline = bench_now_s() + (argc > 3 ? atof(argv[3]) : 600);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	if ((ctx = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "ws-ceiling: cannot create a context\n");
		return 1;
	}
	memset(&ci, 0, sizeof ci);
	ci.context = ctx;
	ci.address = "127.0.0.1";
	ci.port = atoi(argv[1]);
	ci.path = "/";
	ci.host = ci.address;
	ci.origin = ci.address;
	ci.protocol = "invigil.v1";
	ci.local_protocol_name = "invigil.v1";
	if (lws_client_connect_via_info(&ci) == NULL) {
		fprintf(stderr, "ws-ceiling: cannot start a connection\n");
		lws_context_destroy(ctx);
		return 1;
	}
	while (!done && !failed && bench_now_s() < deadline)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_context_destroy(ctx);
	if (!done) {
		fprintf(stderr, "ws-ceiling: %ld of %ld messages received\n",
		    got, want);
		return 1;
	}
	secs = t_last - t_first;
	printf("ws-ceiling: %ld messages in %.3f s: %.0f messages/s\n", want,
	    secs, secs > 0 ? (double)want / secs : 0.0);
	return 0;
}
