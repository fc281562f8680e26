/*
 * client.c - the console's WebSocket connection to one feed.
 *
 * All feeds share one client vhost on the console's lws context.  A feed is
 * (re)connected with exponential backoff and jitter, forever; the backoff is
 * our own counter, reset when a connection is established (lws 4.1's retry
 * counter never resets).  A connect can fail at once (NULL from
 * lws_client_connect_via_info) or later (CLIENT_CONNECTION_ERROR); both go
 * through client_retry().  Outbound messages wait in a queue and leave one
 * per WRITEABLE callback.  Incoming fragments are reassembled under the
 * message cap and handed to app_receive().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"

#define RETRY_BASE_MS	500
#define RETRY_MAX_MS	30000

#define REFUSED_BASE_MS	60000		/* a refused token: do not hammer */
#define REFUSED_MAX_MS	600000

static const char *const conn_state_names[] = {
	"connecting", "live", "retrying", "REFUSED", "stopped"
};

const char *
client_state_name(enum conn_state s)
{
	return conn_state_names[s];
}

/*
 * Split ws[s]://host[:port][/path], where host may be an IPv6 address in
 * brackets (RFC 3986: ws://[::1]:7450/); cf->host gets it without them.
 * Host names are resolved once here, at start-up, never inside a callback.
 */
int
client_parse_url(struct console_feed *cf, const char *url, char *err,
    size_t errlen)
{
	const char	*p, *host, *colon, *slash, *close;
	size_t		 hlen;
	char		*end;
	long		 port;
	unsigned char	 addr[16];

	snprintf(cf->url, sizeof cf->url, "%s", url);
	if (strncmp(url, "ws://", 5) == 0) {
		cf->tls = 0;
		p = url + 5;
	} else if (strncmp(url, "wss://", 6) == 0) {
		cf->tls = 1;
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
		if (close == NULL || hlen == 0 || hlen >= sizeof cf->host ||
		    (close[1] != '\0' && close[1] != ':' && close[1] != '/')) {
			snprintf(err, errlen, "--feed %s: an IPv6 address goes "
			    "in brackets, e.g. ws://[::1]:7450/", url);
			return -1;
		}
		memcpy(cf->host, host, hlen);
		cf->host[hlen] = '\0';
		if (inet_pton(AF_INET6, cf->host, addr) != 1) {
			snprintf(err, errlen, "--feed %s: \"%s\" in brackets is "
			    "not an IPv6 address", url, cf->host);
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
		if (hlen == 0 || hlen >= sizeof cf->host) {
			snprintf(err, errlen, "--feed %s: no host name in the "
			    "URL", url);
			return -1;
		}
		memcpy(cf->host, host, hlen);
		cf->host[hlen] = '\0';
	}
	cf->port = cf->tls ? 443 : 80;
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
		cf->port = (int)port;
	}
	snprintf(cf->path, sizeof cf->path, "%s", slash != NULL ? slash : "/");
	return 0;
}

static void	client_retry(struct console_feed *, const char *);

static void
client_retry_cb(lws_sorted_usec_list_t *sul)
{
	struct console_feed *cf = lws_container_of(sul, struct console_feed,
	    sul_retry);

	client_connect(cf);
}

/*
 * The delay before the next attempt: 0.5 s doubling to 30 s, or after a
 * refused token 60 s doubling to 10 min; +-25 % jitter so that consoles that
 * lost a feed together do not come back together.  Pure, so that the
 * sequence and its bounds can be tested: the caller draws the randomness.
 */
int64_t
client_retry_delay(unsigned retries, int refused, unsigned draw)
{
	int64_t		 delay, base = RETRY_BASE_MS, max = RETRY_MAX_MS;
	unsigned	 shift;

	if (refused) {
		base = REFUSED_BASE_MS;
		max = REFUSED_MAX_MS;
	}
	shift = retries < 10 ? retries : 10;
	delay = base << shift;
	if (delay > max)
		delay = max;
	return delay + (delay * ((int)(draw % 51) - 25)) / 100;
}

/* Schedule the next attempt, client_retry_delay() from now. */
static void
client_retry(struct console_feed *cf, const char *why)
{
	struct app	*app = cf->app;
	int64_t		 delay;
	int		 refused = cf->state == CONN_REFUSED;
	char		 reason[sizeof cf->last_error];

	/* why may be cf->last_error itself. */
	snprintf(reason, sizeof reason, "%s", why != NULL ? why :
	    "connection closed");

	cf->wsi = NULL;
	proto_txq_clear(&cf->txq);
	if (app->quit) {
		cf->state = CONN_STOPPED;
		return;
	}
	snprintf(cf->last_error, sizeof cf->last_error, "%s", reason);
	delay = client_retry_delay(cf->retries, refused, (unsigned)rand());
	cf->retries++;
	cf->state = refused ? CONN_REFUSED : CONN_RETRYING;
	cf->welcomed = 0;
	cf->next_try_ms = proto_now_ms() + delay;
	app_status(app, refused, "feed %s: %s; next try in %.1f s", cf->url,
	    cf->last_error, (double)delay / 1000.0);
	if (app->opt.headless && !refused) {
		char	clean[4 * sizeof app->status];

		fprintf(stderr, "invigil: %s\n", proto_clean(app->status, clean,
		    sizeof clean));
	}
	lws_sul_schedule(app->ctx, 0, &cf->sul_retry, client_retry_cb,
	    delay * LWS_US_PER_MS);
	app->dirty = 1;
}

void
client_connect(struct console_feed *cf)
{
	struct lws_client_connect_info	i;
	struct app		       *app = cf->app;
	char				host[sizeof cf->host + 2];

	/* The Host header writes an IPv6 address in brackets. */
	snprintf(host, sizeof host, strchr(cf->host, ':') != NULL ? "[%s]" :
	    "%s", cf->host);
	memset(&i, 0, sizeof i);
	i.context = app->ctx;
	i.vhost = app->client_vhost;
	i.address = cf->host;
	i.port = cf->port;
	i.path = cf->path;
	i.host = host;
	i.origin = host;
	i.protocol = PROTO_SUBPROTOCOL;
	i.local_protocol_name = PROTO_SUBPROTOCOL;
	i.ssl_connection = 0;
	if (cf->tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (app->opt.insecure)
			i.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
	i.retry_and_idle_policy = &app->idle_policy;
	i.opaque_user_data = cf;
	i.pwsi = &cf->wsi;
	if (cf->state != CONN_REFUSED)
		cf->state = CONN_CONNECTING;
	proto_rx_free(&cf->rx);
	app->dirty = 1;
	if (lws_client_connect_via_info(&i) == NULL)
		client_retry(cf, "could not start a connection");
}

/* Close the connection with a code and a reason, from the next WRITEABLE. */
void
client_close(struct console_feed *cf, int code, const char *reason)
{
	if (cf->wsi == NULL)
		return;
	cf->close_code = code;
	snprintf(cf->close_reason, sizeof cf->close_reason, "%.120s", reason);
	lws_callback_on_writable(cf->wsi);
}

/* Queue a message for the feed; 0, or -1 if the feed is not connected. */
int
client_send(struct console_feed *cf, const struct proto_msg *m)
{
	char	 err[256], *json;
	size_t	 len;

	if (cf->wsi == NULL)
		return -1;
	json = proto_encode(m, &len, err, sizeof err);
	if (json == NULL) {
		app_status(cf->app, 1, "cannot encode %s: %s",
		    proto_type_name(m->type), err);
		return -1;
	}
	proto_txq_push(&cf->txq, json, len);
	free(json);
	lws_callback_on_writable(cf->wsi);
	return 0;
}

static void
client_hello(struct console_feed *cf)
{
	struct proto_msg	 m;
	struct feed_session	*fs = cf->session;

	memset(&m, 0, sizeof m);
	m.type = PROTO_HELLO;
	m.u.hello.proto = PROTO_VERSION;
	snprintf(m.u.hello.proctor, sizeof m.u.hello.proctor, "%s",
	    cf->app->opt.proctor);
	/* Which feed's position this resumes from: welcome says whether it
	 * was the right one (app_welcome). */
	cf->resumed_for[0] = '\0';
	cf->resumed_epoch = 0;
	if (fs != NULL && fs->epoch != 0) {
		/* Known feed: resume after what we have taken in. */
		m.u.hello.has_resume = 1;
		m.u.hello.resume_epoch = fs->epoch;
		m.u.hello.resume_after_seq = fs->last_seq;
		snprintf(cf->resumed_for, sizeof cf->resumed_for, "%s", fs->id);
		cf->resumed_epoch = fs->epoch;
	}
	client_send(cf, &m);
}

/* The bearer token goes in the handshake, never in the URL. */
static int
client_auth_header(struct console_feed *cf, struct lws *wsi, void *in,
    size_t len)
{
	unsigned char	**p = in, *end = *p + len;
	char		  value[PROTO_TOKEN_MAX + 8];
	int		  n;

	if (cf->app->opt.token == NULL)
		return 0;
	n = snprintf(value, sizeof value, "Bearer %s", cf->app->opt.token);
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
client_idle_reason(struct console_feed *cf)
{
	const lws_retry_bo_t	*p = &cf->app->idle_policy;
	int64_t			 now = proto_now_ms();

	if (cf->last_error[0] != '\0' || cf->close_code != 0 ||
	    now - cf->last_pong_ms < (int64_t)p->secs_since_valid_hangup *
	    1000 - 500)
		return;
	if (now - cf->last_rx_ms >= ((int64_t)p->secs_since_valid_hangup -
	    p->secs_since_valid_ping) * 1000)
		snprintf(cf->last_error, sizeof cf->last_error, "the feed "
		    "went silent (no answer to pings for %d s); hung up",
		    p->secs_since_valid_hangup);
	else
		snprintf(cf->last_error, sizeof cf->last_error, "the feed "
		    "answered no ping for %d s (its messages kept coming, but "
		    "a pong is how it shows the connection is alive); hung up",
		    p->secs_since_valid_hangup);
}

static int
client_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct console_feed	*cf = lws_get_opaque_user_data(wsi);
	enum proto_rx_result	 rx;
	char			 why[256];

	(void)user;
	if (cf == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return client_auth_header(cf, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (lws_http_client_http_response(wsi) == 401) {
			cf->state = CONN_REFUSED;
			client_retry(cf, cf->app->opt.token == NULL ?
			    "the feed requires a token and none was given "
			    "(HTTP 401); give --token-file PATH" :
			    "feed refused the token (HTTP 401); check "
			    "--token-file");
			break;
		}
		if (in != NULL && strstr(in, "SSL") != NULL &&
		    strstr(app_lws_last_error, "SSL error:") != NULL)
			/* lws's own line names the TLS failure. */
			snprintf(why, sizeof why, "cannot connect: TLS: %.120s%s",
			    strstr(app_lws_last_error, "SSL error:") + 11,
			    strstr(app_lws_last_error, "issuer") != NULL ?
			    " (unknown CA: give --ca?)" : "");
		else
			snprintf(why, sizeof why, "cannot connect: %s",
			    in != NULL ? (const char *)in : "unknown error");
		app_lws_last_error[0] = '\0';
		client_retry(cf, why);
		break;
	case LWS_CALLBACK_CLIENT_FILTER_PRE_ESTABLISH:
		cf->no_subprotocol = lws_hdr_total_length(wsi,
		    WSI_TOKEN_PROTOCOL) <= 0;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		cf->last_rx_ms = cf->last_pong_ms = proto_now_ms();
		break;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		cf->last_rx_ms = cf->last_pong_ms = proto_now_ms();
		cf->resync = 0;
		cf->welcomed = 0;
		cf->close_code = 0;
		cf->retries = 0;
		cf->last_error[0] = '\0';
		cf->state = CONN_CONNECTING;
		/*
		 * lws 4.1 takes an answer without Sec-WebSocket-Protocol as
		 * agreeing to the first protocol offered: the page says such
		 * a connection is closed with 1002, by the end that notices
		 * (the headers are gone by now: the filter looked).
		 */
		if (cf->no_subprotocol) {
			snprintf(cf->last_error, sizeof cf->last_error, "the "
			    "feed did not select the subprotocol %s (its "
			    "answer has no Sec-WebSocket-Protocol); closed "
			    "with 1002", PROTO_SUBPROTOCOL);
			client_close(cf, PROTO_CLOSE_PROTOCOL, "the "
			    "subprotocol " PROTO_SUBPROTOCOL " was not agreed");
			break;
		}
		client_hello(cf);
		break;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2) {
			const unsigned char *p = in;

			snprintf(cf->last_error, sizeof cf->last_error,
			    "feed closed the connection: %d %.*s",
			    p[0] << 8 | p[1], (int)(len - 2 > 120 ? 120 :
			    len - 2), (const char *)p + 2);
		}
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		cf->last_rx_ms = proto_now_ms();
		/* Closing, or an old connection lws has not ended yet:
		 * nothing more is taken from it. */
		if (cf->close_code != 0 || cf->no_subprotocol || cf->wsi != wsi)
			break;
		if (lws_frame_is_binary(wsi)) {
			lws_close_reason(wsi, PROTO_CLOSE_BINARY,
			    (unsigned char *)"binary frame", 12);
			snprintf(cf->last_error, sizeof cf->last_error,
			    "feed sent a binary frame");
			return -1;
		}
		rx = proto_rx_add(&cf->rx, in, len, lws_is_first_fragment(wsi),
		    lws_is_final_fragment(wsi), PROTO_MAX_MESSAGE);
		if (rx == PROTO_RX_MESSAGE)
			app_receive(cf, cf->rx.buf, cf->rx.len);
		else if (rx == PROTO_RX_TOO_BIG && !lws_is_final_fragment(wsi))
			break;	/* lws cannot close mid-frame: drain it first */
		else if (rx != PROTO_RX_MORE) {
			snprintf(cf->last_error, sizeof cf->last_error,
			    "feed sent %s", proto_rx_refuse(wsi, rx));
			app_refused(cf, rx, cf->rx.buf, cf->rx.total);
			return -1;
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (cf->close_code != 0) {
			lws_close_reason(wsi, (enum lws_close_status)
			    cf->close_code, (unsigned char *)cf->close_reason,
			    strlen(cf->close_reason));
			return -1;
		}
		if (proto_txq_write(&cf->txq, wsi) != 0)
			return -1;
		if (cf->txq.count > 0)
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
		if ((cf->state == CONN_CONNECTING || cf->state == CONN_LIVE) &&
		    lws_dll2_is_detached(&cf->sul_retry.list) &&
		    (cf->wsi == wsi || cf->wsi == NULL))
			client_retry(cf, cf->last_error[0] != '\0' ?
			    cf->last_error : "the feed did not answer the "
			    "WebSocket upgrade in time");
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		client_idle_reason(cf);
		client_retry(cf, cf->last_error[0] != '\0' ? cf->last_error :
		    "the connection closed without a close frame (the feed "
		    "stopped, or the network failed)");
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols client_protocols[] = {
	{ PROTO_SUBPROTOCOL, client_callback, 0, 0, 0, NULL, 0 },
	{ "invigil-stdin", app_stdin_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

int
client_vhost_create(struct app *app, char *err, size_t errlen)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof info);
	info.vhost_name = "console";
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = client_protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = app->opt.ca_path;
	app->client_vhost = lws_create_vhost(app->ctx, &info);
	if (app->client_vhost == NULL) {
		if (app->opt.ca_path != NULL)
			snprintf(err, errlen, "cannot create the WebSocket "
			    "client: is --ca %s a PEM certificate?",
			    app->opt.ca_path);
		else
			snprintf(err, errlen, "cannot create the WebSocket "
			    "client");
		return -1;
	}
	return 0;
}
