/*
 * link-ws.c - the WebSocket transport of a feed link (struct link_ops,
 * link.h): libwebsockets client connections on the console's vhost.
 *
 * A connect can fail at once (NULL from lws_client_connect_via_info) or
 * later (CLIENT_CONNECTION_ERROR); both are reported as LINK_CLOSED and
 * the retry is scheduled here, when link_report() says.  Outbound
 * messages wait in a queue and leave one per WRITEABLE callback.  Incoming
 * fragments are reassembled under the message cap and handed to
 * ingest_receive(), the one entry point of everything received.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "console/ingest.h"
#include "feed/feed.h"
#include "proto/xmalloc.h"

/* The WebSocket side of a link. */
struct ws_link {
	struct feed_link       *link;
	struct ws_url		url;
	struct lws	       *wsi;
	lws_sorted_usec_list_t	sul_retry;
	lws_retry_bo_t		idle;		/* ping and hang-up policy */
	struct proto_rx		rx;
	struct proto_txq	txq;
	int64_t			last_rx_ms;	/* anything heard, pongs included */
	int64_t			last_pong_ms;	/* connected, or the last pong */
	int			close_code;	/* close at the next WRITEABLE */
	int			no_subprotocol;	/* the 101 selected none */
	char			close_reason[124];
};

/*
 * lws would write to stderr, which is the screen.  Its last error line is
 * kept instead, because it often says what a connection error really was
 * ("SSL error: hostname mismatch"), and the connection error quotes it.
 */
char		link_ws_last_error[256];
static int	link_ws_headless;

void
link_ws_log(int level, const char *line)
{
	const char	*p = strstr(line, "] E: ");
	size_t		 n;

	if (level != LLL_ERR)
		return;
	p = p != NULL ? p + 5 : line;
	snprintf(link_ws_last_error, sizeof link_ws_last_error, "%s", p);
	n = strlen(link_ws_last_error);
	while (n > 0 && (link_ws_last_error[n - 1] == '\n' ||
	    link_ws_last_error[n - 1] == ' '))
		link_ws_last_error[--n] = '\0';
	if (link_ws_headless)	/* sanitised, rate-limited: feed/limits.h */
		feed_lws_log("invigil", link_ws_last_error);
}

void
link_ws_log_headless(int headless)
{
	link_ws_headless = headless;
}

/*
 * Split ws[s]://host[:port][/path], where host may be an IPv6 address in
 * brackets (RFC 3986: ws://[::1]:7450/); host gets it without them.
 * Host names are resolved once here, at start-up, never inside a callback.
 */
int
link_ws_parse_url(const char *url, struct ws_url *u, char *err,
    size_t errlen)
{
	const char	*p, *host, *colon, *slash, *close;
	size_t		 hlen;
	char		*end;
	long		 port;
	unsigned char	 addr[16];

	if (strncmp(url, "ws://", 5) == 0) {
		u->tls = 0;
		p = url + 5;
	} else if (strncmp(url, "wss://", 6) == 0) {
		u->tls = 1;
		p = url + 6;
	} else {
		snprintf(err, errlen, "--feed %s: the URL must start with "
		    "ws:// or wss://", url);
		return -1;
	}
	host = p;
	if (*p == '[') {
		host = p + 1;
		close = strchr(host, ']');
		hlen = close != NULL ? (size_t)(close - host) : 0;
		if (close == NULL || hlen == 0 || hlen >= sizeof u->host ||
		    (close[1] != '\0' && close[1] != ':' && close[1] != '/')) {
			snprintf(err, errlen, "--feed %s: an IPv6 address goes "
			    "in brackets, e.g. ws://[::1]:7450/", url);
			return -1;
		}
		memcpy(u->host, host, hlen);
		u->host[hlen] = '\0';
		if (inet_pton(AF_INET6, u->host, addr) != 1) {
			snprintf(err, errlen, "--feed %s: \"%s\" in brackets is "
			    "not an IPv6 address", url, u->host);
			return -1;
		}
		colon = close[1] == ':' ? close + 1 : NULL;
		slash = strchr(close, '/');
	} else {
		slash = strchr(p, '/');
		colon = strchr(p, ':');
		if (colon != NULL && slash != NULL && colon > slash)
			colon = NULL;
		hlen = colon != NULL ? (size_t)(colon - host) :
		    slash != NULL ? (size_t)(slash - host) : strlen(host);
		if (hlen == 0 || hlen >= sizeof u->host) {
			snprintf(err, errlen, "--feed %s: no host name in the "
			    "URL", url);
			return -1;
		}
		memcpy(u->host, host, hlen);
		u->host[hlen] = '\0';
	}
	u->port = u->tls ? 443 : 80;
	if (colon != NULL) {
		/* Digits only: strtol would take " +80" too. */
		port = strtol(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || port < 1 ||
		    port > 65535 ||
		    (*end != '\0' && *end != '/')) {
			snprintf(err, errlen, "--feed %s: the port must be a "
			    "number from 1 to 65535", url);
			return -1;
		}
		u->port = (int)port;
	}
	snprintf(u->path, sizeof u->path, "%s", slash != NULL ? slash : "/");
	return 0;
}

static void	ws_retry(struct ws_link *, enum link_event, const char *);

static void
ws_retry_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_link	*ws = lws_container_of(sul, struct ws_link, sul_retry);

	link_connect(ws->link);
}

/* The connection is gone: report it, and schedule the next attempt. */
static void
ws_retry(struct ws_link *ws, enum link_event ev, const char *why)
{
	int64_t	delay;

	ws->wsi = NULL;
	proto_txq_clear(&ws->txq);
	delay = link_report(ws->link, ev, why);
	if (delay >= 0)
		lws_sul_schedule(ws->link->app->ctx, 0, &ws->sul_retry,
		    ws_retry_cb, delay * LWS_US_PER_MS);
}

static int
ws_open(struct feed_link *l, char *err, size_t errlen)
{
	struct ws_link	*ws;

	ws = xcalloc(1, sizeof *ws);
	if (link_ws_parse_url(l->url, &ws->url, err, errlen) != 0) {
		free(ws);
		return -1;
	}
	ws->link = l;
	l->impl = ws;
	return 0;
}

static void
ws_connect(struct feed_link *l)
{
	struct lws_client_connect_info	i;
	struct ws_link		       *ws = l->impl;
	struct app		       *app = l->app;
	char				host[sizeof ws->url.host + 2];

	/* Ping a silent feed; hang up when nothing comes back in time. */
	ws->idle.secs_since_valid_ping = (uint16_t)(app->opt.ping_secs > 0 ?
	    app->opt.ping_secs : 10);
	ws->idle.secs_since_valid_hangup =
	    (uint16_t)(ws->idle.secs_since_valid_ping * 2 + 5);
	/* The Host header writes an IPv6 address in brackets. */
	snprintf(host, sizeof host, strchr(ws->url.host, ':') != NULL ?
	    "[%s]" : "%s", ws->url.host);
	memset(&i, 0, sizeof i);
	i.context = app->ctx;
	i.vhost = lws_get_vhost_by_name(app->ctx, LINK_WS_VHOST);
	i.address = ws->url.host;
	i.port = ws->url.port;
	i.path = ws->url.path;
	i.host = host;
	i.origin = host;
	i.protocol = PROTO_SUBPROTOCOL;
	i.local_protocol_name = PROTO_SUBPROTOCOL;
	i.ssl_connection = 0;
	if (ws->url.tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (app->opt.insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
	i.retry_and_idle_policy = &ws->idle;
	i.opaque_user_data = ws;
	i.pwsi = &ws->wsi;
	link_report(l, LINK_CONNECTING, NULL);
	proto_rx_free(&ws->rx);
	if (lws_client_connect_via_info(&i) == NULL)
		ws_retry(ws, LINK_CLOSED, "could not start a connection");
}

/* Close the connection with a code and a reason, from the next WRITEABLE. */
static void
ws_close(struct feed_link *l, int code, const char *reason)
{
	struct ws_link	*ws = l->impl;

	if (ws->wsi == NULL)
		return;
	ws->close_code = code;
	snprintf(ws->close_reason, sizeof ws->close_reason, "%.120s", reason);
	lws_callback_on_writable(ws->wsi);
}

static int
ws_send(struct feed_link *l, const char *text, size_t len)
{
	struct ws_link	*ws = l->impl;

	if (ws->wsi == NULL)
		return -1;
	proto_txq_push(&ws->txq, text, len);
	lws_callback_on_writable(ws->wsi);
	return 0;
}

static int
ws_connected(const struct feed_link *l)
{
	const struct ws_link	*ws = l->impl;

	return ws->wsi != NULL;
}

static void
ws_stop(struct feed_link *l)
{
	struct ws_link	*ws = l->impl;

	lws_sul_cancel(&ws->sul_retry);
	ws_close(l, PROTO_CLOSE_NORMAL, "console quit");
}

/* After the lws context is destroyed: its callbacks still saw ws. */
static void
ws_free(struct feed_link *l)
{
	struct ws_link	*ws = l->impl;

	proto_rx_free(&ws->rx);
	proto_txq_clear(&ws->txq);
	free(ws);
	l->impl = NULL;
}

/* The bearer token goes in the handshake, never in the URL. */
static int
ws_auth_header(struct ws_link *ws, struct lws *wsi, void *in, size_t len)
{
	unsigned char	**p = in, *end = *p + len;
	char		  value[PROTO_TOKEN_MAX + 8];
	int		  n;

	if (ws->link->token == NULL)
		return 0;
	n = snprintf(value, sizeof value, "Bearer %s", ws->link->token);
	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
	    (unsigned char *)value, n, p, end) != 0)
		return -1;
	return 0;
}

/*
 * A connection closed without a close frame and not by us: was it lws
 * hanging up a feed that answered no ping in time?  lws counts only pongs
 * (not messages) as signs of life and hangs up secs_since_valid_hangup
 * after the last one (or the connection), so that is the test; whether
 * messages still came says if the feed went silent or only ignored pings.
 */
static void
ws_idle_reason(struct ws_link *ws)
{
	const lws_retry_bo_t	*p = &ws->idle;
	struct feed_link	*l = ws->link;
	int64_t			 now = proto_now_ms();

	if (l->last_error[0] != '\0' || ws->close_code != 0 ||
	    now - ws->last_pong_ms < (int64_t)p->secs_since_valid_hangup *
	    1000 - 500)
		return;
	if (now - ws->last_rx_ms >= ((int64_t)p->secs_since_valid_hangup -
	    p->secs_since_valid_ping) * 1000)
		snprintf(l->last_error, sizeof l->last_error, "the feed "
		    "went silent (no answer to pings for %d s); hung up",
		    p->secs_since_valid_hangup);
	else
		snprintf(l->last_error, sizeof l->last_error, "the feed "
		    "answered no ping for %d s (its messages kept coming, but "
		    "a pong is how it shows the connection is alive); hung up",
		    p->secs_since_valid_hangup);
}

/* The connection could not be made: a 401, a TLS failure, a refusal. */
static void
ws_connection_error(struct ws_link *ws, struct lws *wsi, const char *in)
{
	char	why[256];

	if (lws_http_client_http_response(wsi) == 401) {
		ws_retry(ws, LINK_REFUSED, ws->link->token == NULL ?
		    "the feed requires a token and none was given "
		    "(HTTP 401); give --token-file PATH" :
		    ws->link->token_own ? "feed refused the token (HTTP "
		    "401); check its --feed-token-file" : "feed refused the "
		    "token (HTTP 401); check --token-file");
		return;
	}
	if (in != NULL && strstr(in, "SSL") != NULL &&
	    strstr(link_ws_last_error, "SSL error:") != NULL)
		/* lws's own line names the TLS failure. */
		snprintf(why, sizeof why, "cannot connect: TLS: %.120s%s",
		    strstr(link_ws_last_error, "SSL error:") + 11,
		    strstr(link_ws_last_error, "issuer") != NULL ?
		    " (unknown CA: give --ca?)" : "");
	else
		snprintf(why, sizeof why, "cannot connect: %s",
		    in != NULL ? in : "unknown error");
	link_ws_last_error[0] = '\0';
	ws_retry(ws, LINK_CLOSED, why);
}

/* The upgrade was answered: the link is open, and the hello goes. */
static void
ws_established(struct ws_link *ws)
{
	struct feed_link	*l = ws->link;

	ws->last_rx_ms = ws->last_pong_ms = proto_now_ms();
	ws->close_code = 0;
	link_report(l, LINK_OPENED, NULL);
	/*
	 * lws 4.1 takes an answer without Sec-WebSocket-Protocol as
	 * agreeing to the first protocol offered: the page says such a
	 * connection is closed with 1002, by the end that notices (the
	 * headers are gone by now: the filter looked).
	 */
	if (ws->no_subprotocol) {
		snprintf(l->last_error, sizeof l->last_error, "the feed did "
		    "not select the subprotocol %s (its answer has no "
		    "Sec-WebSocket-Protocol); closed with 1002",
		    PROTO_SUBPROTOCOL);
		ws_close(l, PROTO_CLOSE_PROTOCOL, "the subprotocol "
		    PROTO_SUBPROTOCOL " was not agreed");
		return;
	}
	link_hello(l);
}

/* A fragment arrived; -1 closes the connection. */
static int
ws_receive(struct ws_link *ws, struct lws *wsi, const void *in, size_t len)
{
	struct feed_link	*l = ws->link;
	enum proto_rx_result	 rx;

	ws->last_rx_ms = proto_now_ms();
	/* Closing, or an old connection lws has not ended yet: nothing
	 * more is taken from it. */
	if (ws->close_code != 0 || ws->no_subprotocol || ws->wsi != wsi)
		return 0;
	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, PROTO_CLOSE_BINARY,
		    (unsigned char *)"binary frame", 12);
		snprintf(l->last_error, sizeof l->last_error,
		    "feed sent a binary frame");
		return -1;
	}
	rx = proto_rx_add(&ws->rx, in, len, lws_is_first_fragment(wsi),
	    lws_is_final_fragment(wsi), PROTO_MAX_MESSAGE);
	if (rx == PROTO_RX_MESSAGE)
		ingest_receive(l, ws->rx.buf, ws->rx.len);
	else if (rx == PROTO_RX_TOO_BIG && !lws_is_final_fragment(wsi))
		return 0;	/* lws cannot close mid-frame: drain it first */
	else if (rx != PROTO_RX_MORE) {
		snprintf(l->last_error, sizeof l->last_error, "feed sent %s",
		    proto_rx_refuse(wsi, rx));
		ingest_refused(l, rx, ws->rx.buf, ws->rx.total);
		return -1;
	}
	return 0;
}

static int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct ws_link		*ws = lws_get_opaque_user_data(wsi);
	struct feed_link	*l;

	(void)user;
	if (ws == NULL)
		return 0;
	l = ws->link;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return ws_auth_header(ws, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		ws_connection_error(ws, wsi, in);
		break;
	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		ws->no_subprotocol = lws_hdr_total_length(wsi,
		    WSI_TOKEN_PROTOCOL) <= 0;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		ws->last_rx_ms = ws->last_pong_ms = proto_now_ms();
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		ws_established(ws);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;

			snprintf(l->last_error, sizeof l->last_error,
			    "feed closed the connection: %d %.*s",
			    p[0] << 8 | p[1], (int)(len - 2 > 120 ? 120 :
			    len - 2), (const char *)p + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return ws_receive(ws, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (ws->close_code != 0) {
			lws_close_reason(wsi, (enum lws_close_status)
			    ws->close_code, (unsigned char *)ws->close_reason,
			    strlen(ws->close_reason));
			return -1;
		}
		if (proto_txq_write(&ws->txq, wsi) != 0)
			return -1;
		if (ws->txq.count > 0)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		/* lws hands other wsis' (stdin's) destruction here too. */
		if (lws_get_protocol(wsi) == NULL || strcmp(lws_get_protocol(
		    wsi)->name, PROTO_SUBPROTOCOL) != 0)
			break;
		/*
		 * The safety net: lws ends some connections that never
		 * became a WebSocket without CONNECTION_ERROR or CLOSED (a
		 * feed that accepted the TCP connection but did not answer
		 * the upgrade before lws's timeout, say while it was
		 * stopped).  Whatever ended it, a feed whose connection is
		 * gone and has no retry scheduled gets one.
		 */
		if ((l->state == CONN_CONNECTING || l->state == CONN_LIVE) &&
		    lws_dll2_is_detached(&ws->sul_retry.list) &&
		    (ws->wsi == wsi || ws->wsi == NULL))
			ws_retry(ws, LINK_CLOSED, l->last_error[0] != '\0' ?
			    l->last_error : "the feed did not answer the "
			    "WebSocket upgrade in time");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		ws_idle_reason(ws);
		ws_retry(ws, LINK_CLOSED, l->last_error[0] != '\0' ?
		    l->last_error : "the connection closed without a close "
		    "frame (the feed stopped, or the network failed)");
		break;
	default:
		break;
	}
	return 0;
}

const struct lws_protocols link_ws_protocol = {
	PROTO_SUBPROTOCOL, ws_callback, 0, 0, 0, NULL, 0
};

const struct link_ops link_ws_ops = {
	.name = "WebSocket",
	.schemes = { "ws://", "wss://", NULL },
	.open = ws_open,
	.connect = ws_connect,
	.send = ws_send,
	.close = ws_close,
	.stop = ws_stop,
	.connected = ws_connected,
	.free = ws_free,
};
