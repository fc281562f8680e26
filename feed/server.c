/*
 * server.c - the feed's WebSocket server and replay buffer.
 *
 * Every stream message the feed produces (simulator, scenario replay, acks
 * of commands) is numbered with the next seq of the epoch, encoded once and
 * kept in a ring buffer of the last `buffer` messages.  A console is a cursor
 * into that ring: after its hello the server sends welcome, then every
 * message from the position it asked for, and then the live stream as it
 * is appended.  Each WRITEABLE callback writes stream messages while the
 * socket takes them whole (at most FEED_WRITES_PER_CALLBACK; see
 * client_writeable()).  A slow console costs the feed nothing but its
 * cursor; one that falls out of the ring is told so with a gap message,
 * never silently skipped.
 *
 * With --stamp, every stream message ends with "sent_mono_ns": the feed's
 * CLOCK_MONOTONIC in nanoseconds, written into the message at the moment
 * it is handed to the socket, so that a benchmark on the same machine can
 * time the console from the feed's send (consoles ignore unknown fields).
 *
 * The server never owns the loop: it is a vhost plus timers on a context
 * the caller services, so that `invigil --demo` can run it beside the
 * console in one thread.
 */
#define _POSIX_C_SOURCE 200809L	/* clock_gettime, getline, truncate */

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libwebsockets.h>

#include "feed/feed.h"
#include "feed/limits.h"
#include "proto/xmalloc.h"

#define FEED_TICK_US		(20 * LWS_US_PER_MS)	/* simulator/replay tick */
#define FEED_DEFAULT_BUFFER	1000000
#define FEED_TRUTH_US		(2 * LWS_US_PER_SEC)	/* --truth rewritten */

/*
 * Stream messages written in one WRITEABLE callback, at most: enough to
 * save most of the loop's round trips and TCP segments of one write per
 * callback, few enough that one console cannot hold the loop for long (64
 * writes take well under a millisecond).
 */
#define FEED_WRITES_PER_CALLBACK 64

/*
 * --stamp: the message's closing brace becomes this suffix; the 20 columns
 * of the number (right-aligned, JSON allows the spaces) are rewritten at
 * each write.
 */
#define FEED_STAMP_KEY		",\"sent_mono_ns\":"
#define FEED_STAMP_DIGITS	20
#define FEED_STAMP_LEN		(sizeof FEED_STAMP_KEY - 1 + FEED_STAMP_DIGITS + 1)

struct feed_entry {
	unsigned char  *buf;	/* LWS_PRE headroom, then the JSON text */
	size_t		len;
	int64_t		seq;
};

/*
 * A ring of the newest cap entries, in seq order; entry number n (counted
 * from the first ever pushed) is e[n % cap] while first <= n < next.
 */
struct feed_ring {
	struct feed_entry      *e;
	size_t			cap;
	uint64_t		first;
	uint64_t		next;
};

/* One connected console (lws per-session data). */
struct feed_client {
	struct feed	       *feed;
	struct lws	       *wsi;
	struct feed_client     *next;
	struct proto_rx		rx;
	struct proto_txq	ctl;		/* welcome, gap: before the stream */
	int64_t			next_seq;	/* 0 until hello */
	char			proctor[4 * PROTO_ID_MAX + 1];	/* sanitised */
	lws_sorted_usec_list_t	sul_hello;	/* no hello in time: close */
	int			close_code;	/* close at the next WRITEABLE */
	char			close_reason[124];	/* close frames carry <= 123 */
	struct feed_rate	rate;		/* messages after hello */
};

struct feed {
	struct feed_config	cfg;
	char			id[PROTO_ID_MAX + 1];
	char			name[PROTO_NAME_MAX + 1];
	struct lws_context     *ctx;
	struct lws_vhost       *vhost;
	struct lws_protocols	protocols[2];
	const struct lws_protocols *vh_protocol;	/* the vhost's copy */
	struct feed_client     *clients;

	/*
	 * The buffer: exam messages and acks in rings of their own, so that
	 * commands (anyone may send them) never push the exam out.
	 */
	struct feed_ring	stream;		/* --buffer: all but acks */
	struct feed_ring	acks;		/* FEED_ACK_BUFFER acks */
	size_t			cap;
	int64_t			epoch;
	int64_t			last_seq;	/* newest seq, 0 if none */
	int			wake;		/* appended since the last wake-up */

	struct sim	       *sim;
	int64_t			sim_start_ms;
	lws_usec_t		real_start_us;
	struct replay	       *replay;
	size_t			replay_next;
	size_t			replay_base;	/* where this run started */
	lws_sorted_usec_list_t	sul_tick;
	lws_usec_t		truth_us;	/* --truth last written */
	int			truth_state;	/* 1 written at the end, -1 failing */

	struct feed_cmds       *cmds;		/* answered commands, by id */
	struct feed_addrs      *addrs;		/* connections per address */
	int			max_conns;	/* all addresses: ulimit -n less a reserve */
	struct feed_rate	log_rate;	/* log lines */
	unsigned long		log_dropped;	/* since the last line written */
	FILE		       *bufferf;	/* --buffer-file, appended */
	int			bufferf_dirty;
	off_t			bufferf_last_off; /* its header's LAST; 0: none */
	int			bufferf_last_dirty;
	size_t			bufferf_stream;	/* exam messages loaded */
};

static void	feed_log(struct feed *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	client_close(struct feed_client *, int, const char *);

/*
 * Whether a log line still holds what proto_sanitize() would escape: C0
 * and C1 controls, DEL, the bidi controls, bytes that are not UTF-8.
 */
static int
log_unsafe(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (!proto_utf8_valid(s, strlen(s)))
		return 1;
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (p[0] == 0xd8 && p[1] == 0x9c) ||
		    (p[0] == 0xe2 && p[1] == 0x80 &&
		    (p[2] == 0x8e || p[2] == 0x8f ||
		    (p[2] >= 0xaa && p[2] <= 0xae))) ||
		    (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9))
			return 1;
	}
	return 0;
}

/*
 * One line on stderr, FEED_LOG_RATE a second after a burst of
 * FEED_LOG_BURST: clients cause most lines, and a flood of them must not
 * become a flood of the log.  The next line written says how many were
 * left out.  Wire strings are sanitised where they are passed in; a line
 * that still holds a control character is sanitised whole.
 */
static void
feed_log(struct feed *f, const char *fmt, ...)
{
	va_list	ap;
	char	line[2048], safe[4 * sizeof line];

	if (f->cfg.quiet)
		return;
	if (!feed_rate_take(&f->log_rate, lws_now_usecs(), FEED_LOG_RATE,
	    FEED_LOG_BURST)) {
		f->log_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (log_unsafe(line)) {
		proto_sanitize(line, strlen(line), safe, sizeof safe);
		proto_utf8_copy(line, sizeof line, safe);
	}
	if (f->log_dropped > 0) {
		fprintf(stderr, "invigil feed: (%lu log lines left out: more "
		    "than %d a second)\n", f->log_dropped, FEED_LOG_RATE);
		f->log_dropped = 0;
	}
	fprintf(stderr, "invigil feed: %s\n", line);
}

/* A wire string made safe for the log (see proto_sanitize()). */
static const char *
feed_safe(const char *s, char *out, size_t outsz)
{
	proto_sanitize(s, strlen(s), out, outsz);
	return out;
}

static void
feed_persist_failed(struct feed *f)
{
	/* A feed that promised persistence and cannot keep it must stop. */
	fprintf(stderr, "invigil feed: cannot write %s: %s; stopping\n",
	    f->cfg.buffer_file, strerror(errno));
	exit(1);
}

/*
 * The header of a --buffer-file: "invigil-feed-buffer 1 ID EPOCH LAST", LAST
 * the newest seq given out, 20 digits rewritten in place (acks are not
 * written to the file, so that a flood of commands cannot fill the disk,
 * but their seqs must never be given out again after a restart).
 */
#define FEED_BUFFER_LAST_DIGITS	20

/* Wake every console that is waiting for stream messages. */
static void
feed_wake(struct feed *f)
{
	char	last[FEED_BUFFER_LAST_DIGITS + 1];

	if (f->bufferf_dirty) {
		if (fflush(f->bufferf) != 0)
			feed_persist_failed(f);
		f->bufferf_dirty = 0;
	}
	if (f->bufferf_last_dirty) {
		snprintf(last, sizeof last, "%0*" PRId64,
		    FEED_BUFFER_LAST_DIGITS, f->last_seq);
		if (pwrite(fileno(f->bufferf), last, FEED_BUFFER_LAST_DIGITS,
		    f->bufferf_last_off) != FEED_BUFFER_LAST_DIGITS)
			feed_persist_failed(f);
		f->bufferf_last_dirty = 0;
	}
	if (!f->wake)
		return;
	f->wake = 0;
	lws_callback_on_writable_all_protocol_vhost(f->vhost, f->vh_protocol);
}

static void
ring_init(struct feed_ring *r, size_t cap)
{
	r->cap = cap;
	r->e = xcalloc(cap, sizeof *r->e);
}

static void
ring_free(struct feed_ring *r)
{
	uint64_t	n;

	if (r->e == NULL)
		return;
	for (n = r->first; n < r->next; n++)
		free(r->e[n % r->cap].buf);
	free(r->e);
}

/* A slot for the newest entry; the oldest is dropped when the ring is full. */
static struct feed_entry *
ring_push(struct feed_ring *r, int64_t seq)
{
	struct feed_entry	*e;

	if (r->next - r->first == r->cap) {
		e = &r->e[r->first % r->cap];
		free(e->buf);
		e->buf = NULL;
		r->first++;
	}
	e = &r->e[r->next++ % r->cap];
	e->seq = seq;
	return e;
}

/* The entry held with the smallest seq >= seq, or NULL. */
static struct feed_entry *
ring_find(const struct feed_ring *r, int64_t seq)
{
	uint64_t	lo = r->first, hi = r->next, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->e[mid % r->cap].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->next ? &r->e[lo % r->cap] : NULL;
}

/* The stream message held with the smallest seq >= seq, or NULL. */
static struct feed_entry *
feed_find(const struct feed *f, int64_t seq)
{
	struct feed_entry	*a = ring_find(&f->stream, seq);
	struct feed_entry	*b = ring_find(&f->acks, seq);

	if (a == NULL || (b != NULL && b->seq < a->seq))
		return b;
	return a;
}

/* The oldest seq held; last_seq + 1 when nothing is. */
static int64_t
feed_first_seq(const struct feed *f)
{
	struct feed_entry	*e = feed_find(f, 1);

	return e != NULL ? e->seq : f->last_seq + 1;
}

/* Whether an encoded stream message is an ack (the encoder writes "t" first). */
static int
entry_is_ack(const char *json, size_t len)
{
	static const char	prefix[] = "{\"t\":\"ack\"";

	return len >= sizeof prefix - 1 &&
	    memcmp(json, prefix, sizeof prefix - 1) == 0;
}

/*
 * Number, encode and buffer one stream message.  The message's seq is set
 * here; ts_ms is kept if the source set it.  Acks go to a ring of their
 * own.
 */
static void
feed_append(struct feed *f, const struct proto_msg *src)
{
	struct proto_msg	 m = *src;
	struct feed_entry	*e;
	char			 err[256], *json;
	size_t			 len;

	m.seq = f->last_seq + 1;
	if (m.ts_ms == 0)
		m.ts_ms = proto_now_ms();
	json = proto_encode(&m, &len, err, sizeof err);
	if (json == NULL) {
		feed_log(f, "cannot encode %s message: %s",
		    proto_type_name(m.type), err);
		/* An ack carries a client's id: drop it, never stop. */
		if (m.type == PROTO_ACK)
			return;
		/* Our own sources produce valid messages; a bad one is a bug. */
		abort();
	}
	e = ring_push(m.type == PROTO_ACK ? &f->acks : &f->stream, m.seq);
	if (f->cfg.stamp && len > 0 && json[len - 1] == '}' &&
	    len - 1 + FEED_STAMP_LEN <= PROTO_MAX_MESSAGE) {
		/* {...,"sent_mono_ns":                   0}, set when sent */
		e->buf = xmalloc(LWS_PRE + len - 1 + FEED_STAMP_LEN);
		memcpy(e->buf + LWS_PRE, json, len - 1);
		snprintf((char *)e->buf + LWS_PRE + len - 1, FEED_STAMP_LEN,
		    "%s%*d", FEED_STAMP_KEY, FEED_STAMP_DIGITS, 0);
		e->buf[LWS_PRE + len - 1 + FEED_STAMP_LEN - 1] = '}';
		e->len = len - 1 + FEED_STAMP_LEN;
	} else {
		e->buf = xmalloc(LWS_PRE + len);
		memcpy(e->buf + LWS_PRE, json, len);
		e->len = len;
	}
	if (f->bufferf != NULL && m.type == PROTO_ACK &&
	    f->bufferf_last_off > 0) {
		/* Only its seq is kept, in the header (feed_wake writes it). */
		f->bufferf_last_dirty = 1;
	} else if (f->bufferf != NULL) {
		/* Kept before any console can see it (feed_wake flushes). */
		if (fwrite(json, 1, len, f->bufferf) != len ||
		    fputc('\n', f->bufferf) == EOF)
			feed_persist_failed(f);
		f->bufferf_dirty = 1;
	}
	free(json);
	f->last_seq = m.seq;
	f->wake = 1;
}

static void
feed_emit(const struct proto_msg *m, void *arg)
{
	feed_append(arg, m);
}

/* --truth: rewrite the ground truth file (atomically, see sim.c). */
static void
feed_truth_save(struct feed *f)
{
	char	err[512];

	f->truth_us = lws_now_usecs();
	if (sim_truth_save(f->sim, f->cfg.truth_path, err, sizeof err) != 0) {
		if (f->truth_state != -1)
			feed_log(f, "%s", err);
		f->truth_state = -1;
	} else if (f->truth_state == -1)
		f->truth_state = 0;
}

/* Queue a control message (welcome, gap) for one console. */
static void
client_send_control(struct feed_client *c, const struct proto_msg *m)
{
	char	 err[256], *json;
	size_t	 len;

	json = proto_encode(m, &len, err, sizeof err);
	if (json == NULL) {
		/* Never stop the feed for one console: close that one. */
		feed_log(c->feed, "cannot encode %s: %s; closing the console",
		    proto_type_name(m->type), err);
		client_close(c, PROTO_CLOSE_PROTOCOL, "the feed could not "
		    "encode its answer");
		return;
	}
	proto_txq_push(&c->ctl, json, len);
	free(json);
	lws_callback_on_writable(c->wsi);
}

static void
client_send_gap(struct feed_client *c, int64_t from, int64_t to,
    const char *why)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_GAP;
	m.ts_ms = proto_now_ms();
	m.u.gap.from_seq = from;
	m.u.gap.to_seq = to;
	snprintf(m.u.gap.why, sizeof m.u.gap.why, "%s", why);
	client_send_control(c, &m);
}

/* Close a console's connection with a code and reason, from WRITEABLE. */
static void
client_close(struct feed_client *c, int code, const char *reason)
{
	c->close_code = code;
	proto_utf8_copy(c->close_reason, sizeof c->close_reason, reason);
	feed_log(c->feed, "closing a console connection: %d %s", code, reason);
	lws_callback_on_writable(c->wsi);
}

static void
client_hello_timeout(lws_sorted_usec_list_t *sul)
{
	struct feed_client *c = lws_container_of(sul, struct feed_client,
	    sul_hello);

	if (c->next_seq == 0)
		client_close(c, PROTO_CLOSE_PROTOCOL, "no hello");
}

/* hello: answer welcome and position the console's cursor. */
static void
client_hello(struct feed_client *c, const struct proto_hello *h)
{
	struct feed		*f = c->feed;
	struct proto_msg	 m;
	int64_t			 start;
	int			 ahead;
	char			 why[PROTO_TEXT_MAX + 1];

	if (h->proto != PROTO_VERSION) {
		snprintf(why, sizeof why, "protocol version %d is not "
		    "supported", h->proto);
		client_close(c, PROTO_CLOSE_PROTOCOL, why);
		return;
	}
	if (c->next_seq != 0) {
		feed_log(f, "a second hello from %s ignored", c->proctor);
		return;
	}
	lws_sul_cancel(&c->sul_hello);
	feed_safe(h->proctor, c->proctor, sizeof c->proctor);
	memset(&m, 0, sizeof m);
	m.type = PROTO_WELCOME;
	m.ts_ms = proto_now_ms();
	snprintf(m.u.welcome.feed, sizeof m.u.welcome.feed, "%s", f->id);
	proto_utf8_copy(m.u.welcome.name, sizeof m.u.welcome.name, f->name);
	m.u.welcome.epoch = f->epoch;
	m.u.welcome.first_seq = feed_first_seq(f);
	m.u.welcome.last_seq = f->last_seq;
	client_send_control(c, &m);

	start = feed_resume_start(h, f->epoch, f->last_seq, &ahead);
	if (ahead) {
		/* The console has more than this epoch ever sent. */
		feed_log(f, "console of %s resumed after seq %" PRId64 " but "
		    "feed epoch %" PRId64 " ends at %" PRId64, c->proctor,
		    h->resume_after_seq, f->epoch, f->last_seq);
	}
	/* A start below what the buffer holds: client_writeable() sends the gap. */
	c->next_seq = start;
	feed_log(f, "console of %s resumes at seq %" PRId64, c->proctor, start);
	lws_callback_on_writable(c->wsi);
}

static void
ack_append(struct feed *f, const char *id, int ok, const char *error)
{
	struct proto_msg	ack;

	memset(&ack, 0, sizeof ack);
	ack.type = PROTO_ACK;
	proto_utf8_copy(ack.u.ack.cmd, sizeof ack.u.ack.cmd, id);
	ack.u.ack.ok = ok;
	if (!ok)
		proto_utf8_copy(ack.u.ack.error, sizeof ack.u.ack.error, error);
	feed_append(f, &ack);
}

/*
 * cmd: obey it (simulator) and acknowledge it in the stream.  A repeated id
 * is the same command (a console re-sends what was not acknowledged when
 * its connection dropped): not obeyed twice, answered with the same ack.
 */
static void
client_cmd(struct feed_client *c, const struct proto_cmd *cmd)
{
	struct feed		*f = c->feed;
	struct feed_cmd_answer	 done;
	char			 err[PROTO_TEXT_MAX + 1];
	char			 id[4 * PROTO_ID_MAX + 1];
	char			 attempt[4 * PROTO_ID_MAX + 1];
	char			 safe[4 * PROTO_TEXT_MAX + 1];
	int			 rc;

	feed_safe(cmd->id, id, sizeof id);
	if (feed_cmds_find(f->cmds, cmd->id, &done)) {
		feed_log(f, "cmd %s repeated by %s: answered again", id,
		    c->proctor);
		ack_append(f, cmd->id, done.ok, done.error);
		feed_wake(f);
		return;
	}
	err[0] = '\0';
	if (f->sim != NULL) {
		int64_t now = f->sim_start_ms + (int64_t)((double)
		    (lws_now_usecs() - f->real_start_us) / 1000.0 * f->cfg.rate);
		/* Messages due before the command come first. */
		sim_advance(f->sim, now, feed_emit, f);
		rc = sim_command(f->sim, cmd, now, feed_emit, f, err, sizeof err);
	} else {
		snprintf(err, sizeof err, "this feed replays a scenario file "
		    "and cannot act on attempts");
		rc = -1;
	}
	feed_cmds_add(f->cmds, cmd->id, rc == 0, rc == 0 ? "" : err);
	ack_append(f, cmd->id, rc == 0, err);
	feed_log(f, "cmd %s %s %s from %s: %s", id,
	    proto_action_name(cmd->action),
	    feed_safe(cmd->attempt, attempt, sizeof attempt), c->proctor,
	    rc == 0 ? "ok" : feed_safe(err, safe, sizeof safe));
	feed_wake(f);
}

/*
 * A cmd that failed validation but names its id still gets an answer, so
 * that the console does not wait for an ack that never comes.
 */
static void
client_bad_cmd(struct feed_client *c, const char *buf, size_t len,
    const char *why)
{
	json_t		*root, *id;
	const char	*t;

	root = json_loadb(buf, len, 0, NULL);
	if (root == NULL)
		return;
	t = json_string_value(json_object_get(root, "t"));
	id = json_object_get(root, "id");
	if (t != NULL && strcmp(t, "cmd") == 0 && json_is_string(id) &&
	    json_string_length(id) > 0 &&
	    json_string_length(id) <= PROTO_ID_MAX &&
	    strlen(json_string_value(id)) == json_string_length(id)) {
		ack_append(c->feed, json_string_value(id), 0, why);
		feed_wake(c->feed);
	}
	json_decref(root);
}

static void
client_receive(struct feed_client *c, const char *buf, size_t len)
{
	struct proto_msg	m;
	char			err[512], why[PROTO_TEXT_MAX + 1];

	if (c->next_seq != 0 && !feed_rate_take(&c->rate, lws_now_usecs(),
	    FEED_MSG_RATE, FEED_MSG_BURST)) {
		snprintf(why, sizeof why, "too many messages: a console may "
		    "send %d at once, then %d a second", FEED_MSG_BURST,
		    FEED_MSG_RATE);
		client_close(c, PROTO_CLOSE_POLICY, why);
		return;
	}
	if (proto_decode(buf, len, 0, &m, err, sizeof err) != 0) {
		if (c->next_seq == 0) {
			/* The first message must be a valid hello. */
			client_close(c, PROTO_CLOSE_PROTOCOL, err);
			return;
		}
		feed_log(c->feed, "a bad message from %s: %s", c->proctor, err);
		client_bad_cmd(c, buf, len, err);
		return;
	}
	if (m.type != PROTO_HELLO && c->next_seq == 0)
		client_close(c, PROTO_CLOSE_PROTOCOL, "no hello");
	else if (m.type == PROTO_HELLO)
		client_hello(c, &m.u.hello);
	else if (m.type == PROTO_CMD)
		client_cmd(c, &m.u.cmd);
	else
		feed_log(c->feed, "ignoring a %s message from %s",
		    proto_type_name(m.type), c->proctor);
	proto_msg_clear(&m);
}

/* --stamp: the send time into a stamped entry, just before it is written. */
static void
entry_stamp(struct feed_entry *e)
{
	struct timespec	 ts;
	char		 digits[FEED_STAMP_DIGITS + 1];
	unsigned char	*p;

	if (e->len < FEED_STAMP_LEN)
		return;
	p = e->buf + LWS_PRE + e->len - FEED_STAMP_LEN;
	if (memcmp(p, FEED_STAMP_KEY, sizeof FEED_STAMP_KEY - 1) != 0)
		return;		/* loaded from --buffer-file: not stamped */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(digits, sizeof digits, "%*" PRId64, FEED_STAMP_DIGITS,
	    (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	memcpy(p + sizeof FEED_STAMP_KEY - 1, digits, FEED_STAMP_DIGITS);
}

/*
 * Hold back (on) or send (off) the TCP segments of the writes in between:
 * the messages of one callback leave in full segments instead of one small
 * segment - and one wake-up of the console - each.  Linux; elsewhere a
 * no-op.
 */
static void
client_cork(struct feed_client *c, int on)
{
#ifdef TCP_CORK
	int	fd = lws_get_socket_fd(c->wsi);

	if (fd >= 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
#else
	(void)c;
	(void)on;
#endif
}

/*
 * Control messages first, one per callback; then stream messages.  lws asks
 * for one lws_write() per WRITEABLE because on HTTP/2 the network
 * connection's state is not the stream's.  On a connection of its own (the
 * network wsi is this wsi) lws 4.1 allows more: "If you will try to do >1
 * lws_write call inside a single WRITEABLE callback, you must check
 * [lws_partial_buffered()] after every write and bail if set"
 * (lws-ws-state.h).  So: write while nothing was left buffered, up to
 * FEED_WRITES_PER_CALLBACK, corked so that they leave together.  One
 * message per callback cost a poll round trip and a TCP segment each.
 */
static int
client_writeable(struct feed_client *c)
{
	struct feed		*f = c->feed;
	struct feed_entry	*e;
	int			 n, more, cork;

	if (c->close_code != 0) {
		lws_close_reason(c->wsi, (enum lws_close_status)c->close_code,
		    (unsigned char *)c->close_reason, strlen(c->close_reason));
		return -1;
	}
	if (c->ctl.count > 0) {
		if (proto_txq_write(&c->ctl, c->wsi) != 0)
			return -1;
	} else if (c->next_seq > 0 && c->next_seq <= f->last_seq) {
		e = feed_find(f, c->next_seq);
		/* NULL: the newest were acks, not kept across a restart. */
		if (e == NULL || e->seq > c->next_seq) {
			char	why[PROTO_TEXT_MAX + 1];
			int64_t	to = e != NULL ? e->seq - 1 : f->last_seq;

			/* Fell out of the buffer, or dropped acks. */
			snprintf(why, sizeof why, "the feed's buffer no longer "
			    "holds seq %" PRId64 "..%" PRId64 " (it keeps the "
			    "newest %zu messages and %zu acks, and no acks "
			    "across its restarts)", c->next_seq, to,
			    f->stream.cap, f->acks.cap);
			client_send_gap(c, c->next_seq, to, why);
			c->next_seq = to + 1;
			return 0;
		}
		more = lws_get_network_wsi(c->wsi) == c->wsi;
		cork = more && c->next_seq < f->last_seq;
		if (cork)
			client_cork(c, 1);
		for (n = 0; ; ) {
			if (f->cfg.stamp)
				entry_stamp(e);
			if (lws_write(c->wsi, e->buf + LWS_PRE, e->len,
			    LWS_WRITE_TEXT) < (int)e->len)
				return -1;
			c->next_seq++;
			if (!more || ++n == FEED_WRITES_PER_CALLBACK ||
			    c->next_seq > f->last_seq ||
			    lws_partial_buffered(c->wsi))
				break;
			/* A hole (dropped acks) waits for the next callback. */
			e = feed_find(f, c->next_seq);
			if (e == NULL || e->seq != c->next_seq)
				break;
		}
		if (cork)
			client_cork(c, 0);	/* sends what the loop wrote */
	}
	if (c->ctl.count > 0 || (c->next_seq > 0 && c->next_seq <= f->last_seq))
		lws_callback_on_writable(c->wsi);
	return 0;
}

/*
 * Before the upgrade: with a token configured, the handshake must carry
 * "Authorization: Bearer <token>"; otherwise answer 401 and close.  The
 * Origin header is not authentication and is not looked at.
 */
static int
feed_check_token(struct lws *wsi)
{
	struct feed	*f = lws_get_vhost_user(lws_get_vhost(wsi));
	char		 hdr[PROTO_TOKEN_MAX + 32];
	int		 n;

	if (f->cfg.token == NULL)
		return 0;
	n = lws_hdr_copy(wsi, hdr, sizeof hdr, WSI_TOKEN_HTTP_AUTHORIZATION);
	if (n > 7 && strncasecmp(hdr, "Bearer ", 7) == 0 &&
	    proto_token_equal(hdr + 7, f->cfg.token))
		return 0;
	feed_log(f, "refused a console: %s token", n > 0 ? "wrong" : "no");
	lws_return_http_status(wsi, HTTP_STATUS_UNAUTHORIZED,
	    "a valid bearer token is required");
	return -1;
}

/* The peer's address of a socket, as text; "?" if it has none. */
static void
peer_address(int fd, char *out, size_t outsz)
{
	struct sockaddr_storage	 sa;
	socklen_t		 salen = sizeof sa;
	const void		*a = NULL;
	int			 family;

	snprintf(out, outsz, "?");
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&sa, &salen) != 0)
		return;
	family = sa.ss_family;
	if (family == AF_INET)
		a = &((struct sockaddr_in *)&sa)->sin_addr;
	else if (family == AF_INET6) {
		a = &((struct sockaddr_in6 *)&sa)->sin6_addr;
		/* ::ffff:a.b.c.d is a.b.c.d: one count, and a plain log. */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			a = (const unsigned char *)a + 12;
			family = AF_INET;
		}
	}
	if (a == NULL || inet_ntop(family, a, out, (socklen_t)outsz) == NULL)
		snprintf(out, outsz, "?");
}

/*
 * Whether the handshake offered invigil.v1 in Sec-WebSocket-Protocol (a
 * comma-separated list).  lws refuses a list without a protocol it serves
 * (the vhost serves only invigil.v1) but upgrades a request without the
 * header, on the vhost's first protocol.
 */
static int
offered_subprotocol(struct lws *wsi)
{
	char	 hdr[256], *tok, *save;
	size_t	 n;
	int	 total = lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL);

	if (total <= 0)
		return 0;
	/* A list too long to copy was matched by lws against the only one. */
	if ((size_t)total >= sizeof hdr)
		return 1;
	if (lws_hdr_copy(wsi, hdr, sizeof hdr, WSI_TOKEN_PROTOCOL) <= 0)
		return 0;
	for (tok = strtok_r(hdr, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ' || *tok == '\t')
			tok++;
		n = strlen(tok);
		while (n > 0 && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
			tok[--n] = '\0';
		if (strcmp(tok, PROTO_SUBPROTOCOL) == 0)
			return 1;
	}
	return 0;
}

static int
feed_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct feed_client	*c = user, **cp;
	struct feed		*f;
	enum proto_rx_result	 rx;
	char			 addr[64];
	void			*entry;

	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		/* Accepted, not yet adopted: refuse an address at its cap. */
		f = lws_get_vhost_user(lws_get_vhost(wsi));
		peer_address((int)(intptr_t)in, addr, sizeof addr);
		if (feed_addrs_count(f->addrs, addr) >=
		    f->cfg.max_per_address) {
			feed_log(f, "refused a connection from %s: it holds "
			    "%d already (--max-per-address)", addr,
			    f->cfg.max_per_address);
			return 1;
		}
		if (feed_addrs_total(f->addrs) >= f->max_conns) {
			feed_log(f, "refused a connection from %s: the feed "
			    "holds %d, what its descriptor limit allows (raise "
			    "ulimit -n)", addr, f->max_conns);
			return 1;
		}
		break;
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		/* Counted until LWS_CALLBACK_WSI_DESTROY, upgraded or not. */
		f = lws_get_vhost_user(lws_get_vhost(wsi));
		peer_address(lws_get_socket_fd(wsi), addr, sizeof addr);
		entry = feed_addrs_take(f->addrs, addr, f->cfg.max_per_address);
		if (entry == NULL)
			return -1;
		lws_set_opaque_user_data(wsi, entry);
		break;
	case LWS_CALLBACK_WSI_DESTROY:
		entry = lws_get_opaque_user_data(wsi);
		if (entry != NULL) {
			f = lws_get_vhost_user(lws_get_vhost(wsi));
			feed_addrs_release(f->addrs, entry);
			lws_set_opaque_user_data(wsi, NULL);
		}
		break;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return feed_check_token(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		f = lws_get_vhost_user(lws_get_vhost(wsi));
		memset(c, 0, sizeof *c);
		c->feed = f;
		c->wsi = wsi;
		c->next = f->clients;
		f->clients = c;
		peer_address(lws_get_socket_fd(wsi), addr, sizeof addr);
		feed_log(f, "console connected from %s", addr);
		lws_sul_schedule(lws_get_context(wsi), 0, &c->sul_hello,
		    client_hello_timeout,
		    (lws_usec_t)f->cfg.hello_timeout * LWS_US_PER_SEC);
		if (!offered_subprotocol(wsi))
			client_close(c, PROTO_CLOSE_PROTOCOL, "the subprotocol "
			    PROTO_SUBPROTOCOL " was not agreed: offer it in "
			    "Sec-WebSocket-Protocol");
		break;
	case LWS_CALLBACK_RECEIVE:
		if (c->close_code != 0)
			break;
		if (lws_frame_is_binary(wsi)) {
			client_close(c, PROTO_CLOSE_BINARY, "binary frame");
			break;
		}
		rx = proto_rx_add(&c->rx, in, len, lws_is_first_fragment(wsi),
		    lws_is_final_fragment(wsi), PROTO_MAX_MESSAGE);
		if (rx == PROTO_RX_MESSAGE)
			client_receive(c, c->rx.buf, c->rx.len);
		else if (rx == PROTO_RX_TOO_BIG && !lws_is_final_fragment(wsi))
			break;	/* lws cannot close mid-frame: drain it first */
		else if (rx != PROTO_RX_MORE) {
			feed_log(c->feed, "a console sent %s; closing",
			    proto_rx_refuse(wsi, rx));
			return -1;
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return client_writeable(c);
	case LWS_CALLBACK_CLOSED:
		f = c->feed;
		if (f == NULL)
			break;
		for (cp = &f->clients; *cp != NULL; cp = &(*cp)->next) {
			if (*cp == c) {
				*cp = c->next;
				break;
			}
		}
		lws_sul_cancel(&c->sul_hello);
		proto_rx_free(&c->rx);
		proto_txq_clear(&c->ctl);
		feed_log(f, "console disconnected");
		break;
	default:
		break;
	}
	return 0;
}

/* The tick: advance the simulator to now, or release replay messages. */
static void
feed_tick(lws_sorted_usec_list_t *sul)
{
	struct feed	*f = lws_container_of(sul, struct feed, sul_tick);
	lws_usec_t	 elapsed = lws_now_usecs() - f->real_start_us;
	size_t		 due, n;

	if (f->sim != NULL) {
		sim_advance(f->sim, f->sim_start_ms + (int64_t)((double)elapsed /
		    1000.0 * f->cfg.rate), feed_emit, f);
		if (f->cfg.truth_path != NULL && f->truth_state != 1) {
			int over = sim_next_due(f->sim) == INT64_MAX;

			if ((over && f->truth_state == 0) ||
			    lws_now_usecs() - f->truth_us >= FEED_TRUTH_US)
				feed_truth_save(f);
			if (over && f->truth_state == 0)
				f->truth_state = 1;	/* final: the session is over */
		}
	}
	if (f->replay != NULL) {
		n = replay_count(f->replay);
		if (f->cfg.rate <= 0)
			due = n;
		else {
			due = f->replay_base +
			    (size_t)((double)elapsed / 1e6 * f->cfg.rate) + 1;
			if (due > n)
				due = n;
		}
		if (f->replay_next < due) {
			for (; f->replay_next < due; f->replay_next++)
				feed_append(f, replay_message(f->replay,
				    f->replay_next));
			if (f->replay_next == n)
				feed_log(f, "scenario queued: all %zu messages "
				    "numbered up to seq %" PRId64, n, f->last_seq);
		}
	}
	feed_wake(f);
	if (f->sim != NULL || (f->replay != NULL &&
	    f->replay_next < replay_count(f->replay)))
		lws_sul_schedule(f->ctx, 0, &f->sul_tick, feed_tick, FEED_TICK_US);
}

/*
 * --buffer-file: the first line names the feed and its epoch, then one
 * encoded stream message per line, seq 1, 2, ...  Loading it restores the
 * epoch and the buffer, so consoles resume across a restart of the feed
 * without a gap.  A torn last line (the process died mid-write) is cut off.
 */
static int
feed_buffer_load(struct feed *f, char *err, size_t errlen)
{
	const char	*path = f->cfg.buffer_file;
	FILE		*fp;
	struct stat	 st;
	char		*line = NULL, hdr_feed[PROTO_ID_MAX + 1], shown[1024];
	char		 hdr_shown[4 * PROTO_ID_MAX + 1];
	size_t		 cap = 0;
	ssize_t		 n;
	long long	 epoch, hdr_last = 0, seq;
	off_t		 good = 0;
	struct feed_entry *e;
	unsigned long	 lineno = 0;
	int		 fd, rfd, flags, fields, is_ack;
	const char	*p;

	proto_clean(path, shown, sizeof shown);
	/*
	 * O_NONBLOCK: a FIFO must not hold the start-up until a writer comes;
	 * O_NOFOLLOW: a link planted at PATH must not redirect what candidates'
	 * names and addresses are written to; 0600: only the feed's user reads
	 * them.
	 */
	fd = open(path, O_RDWR | O_CREAT | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == ELOOP)
			snprintf(err, errlen, "--buffer-file %s is a symbolic "
			    "link; give the file itself", shown);
		else
			snprintf(err, errlen, "--buffer-file %s: cannot open: "
			    "%s", shown, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			snprintf(err, errlen, "--buffer-file %s is a directory; "
			    "give a file in it", shown);
		else
			snprintf(err, errlen, "--buffer-file %s is not a regular "
			    "file (a FIFO or a device?); give a regular file",
			    shown);
		close(fd);
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if ((st.st_mode & 077) != 0)
		feed_log(f, "--buffer-file %s can be read by other users (mode "
		    "%04o) though it holds candidates' names, addresses and "
		    "events; chmod 600 %s", shown, (unsigned)st.st_mode & 07777,
		    shown);
	if (st.st_size == 0) {
		/* New (or empty): the header, then messages as they come. */
		if ((f->bufferf = fdopen(fd, "w")) == NULL) {
			snprintf(err, errlen, "--buffer-file %s: %s", shown,
			    strerror(errno));
			close(fd);
			return -1;
		}
		n = fprintf(f->bufferf, "invigil-feed-buffer 1 %s %" PRId64 " ",
		    f->id, f->epoch);
		f->bufferf_last_off = (off_t)n;
		fprintf(f->bufferf, "%0*d\n", FEED_BUFFER_LAST_DIGITS, 0);
		f->bufferf_dirty = 1;
		return 0;
	}
	if ((rfd = dup(fd)) == -1 || (fp = fdopen(rfd, "r")) == NULL) {
		snprintf(err, errlen, "--buffer-file %s: %s", shown,
		    strerror(errno));
		if (rfd != -1)
			close(rfd);
		close(fd);
		return -1;
	}
	n = getline(&line, &cap, fp);
	if (n <= 0 || (fields = sscanf(line, "invigil-feed-buffer 1 %64s %lld "
	    "%lld", hdr_feed, &epoch, &hdr_last)) < 2) {
		snprintf(err, errlen, "--buffer-file %s is not a feed buffer "
		    "file (its first line should be \"invigil-feed-buffer 1 ID "
		    "EPOCH\"); give a new path", shown);
		goto fail;
	}
	if (epoch < 1 || epoch > PROTO_EPOCH_MAX) {
		/* welcome could not carry it: every console would be closed. */
		snprintf(err, errlen, "--buffer-file %s: its epoch %lld is not "
		    "a whole number from 1 to 2^53-1; give a new path", shown,
		    epoch);
		goto fail;
	}
	if (f->cfg.epoch > 0 && f->cfg.epoch != epoch) {
		/* The file's epoch wins; a different --epoch would be ignored. */
		snprintf(err, errlen, "--buffer-file %s holds epoch %lld, not "
		    "--epoch %" PRId64 "; drop --epoch to go on with the file's "
		    "or give a new path", shown, epoch, f->cfg.epoch);
		goto fail;
	}
	if (strcmp(hdr_feed, f->id) != 0) {
		proto_clean(hdr_feed, hdr_shown, sizeof hdr_shown);
		snprintf(err, errlen, "--buffer-file %s belongs to feed \"%s\", "
		    "not \"%s\"; give --id %s or a new path", shown, hdr_shown,
		    f->id, hdr_shown);
		goto fail;
	}
	f->epoch = epoch;
	/*
	 * LAST, where a header has it, is rewritten in place; a file from
	 * before it keeps its acks as lines (and gets them appended).
	 */
	if (fields == 3 && n > FEED_BUFFER_LAST_DIGITS + 1 &&
	    line[n - FEED_BUFFER_LAST_DIGITS - 2] == ' ' && hdr_last >= 0)
		f->bufferf_last_off = (off_t)n - FEED_BUFFER_LAST_DIGITS - 1;
	else
		hdr_last = 0;
	good = (off_t)n;
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] != '\n')
			break;			/* torn: cut below */
		lineno++;
		/* Acks are not kept: the seqs have holes; each line has its own. */
		if ((p = strstr(line, ",\"seq\":")) == NULL ||
		    (seq = strtoll(p + 7, NULL, 10)) <= f->last_seq) {
			snprintf(err, errlen, "--buffer-file %s: line %lu has no "
			    "seq above the one before; give a new path", shown,
			    lineno + 1);
			goto fail;
		}
		f->last_seq = seq;
		is_ack = entry_is_ack(line, (size_t)n - 1);
		f->bufferf_stream += !is_ack;
		e = ring_push(is_ack ? &f->acks : &f->stream, f->last_seq);
		e->len = (size_t)n - 1;
		e->buf = xmalloc(LWS_PRE + e->len);
		memcpy(e->buf + LWS_PRE, line, e->len);
		good += (off_t)n;
	}
	free(line);
	fclose(fp);
	/* Acks after the last message kept: their seqs are not given again. */
	if (hdr_last > f->last_seq)
		f->last_seq = hdr_last;
	/*
	 * A torn last line goes; then appended to.  Opened for appending only
	 * now: fdopen(3) "a" moves the offset the reader shared to the end.
	 */
	/* Not "a": O_APPEND would make the pwrite of LAST append. */
	if (ftruncate(fd, good) != 0 || lseek(fd, 0, SEEK_END) == -1 ||
	    (f->bufferf = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "--buffer-file %s: %s", shown,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
fail:
	free(line);
	fclose(fp);
	close(fd);
	return -1;
}

struct feed *
feed_attach(struct lws_context *ctx, const struct feed_config *c, char *err,
    size_t errlen)
{
	struct lws_context_creation_info info;
	struct in_addr	 v4;
	struct feed	*f;

	f = xcalloc(1, sizeof *f);
	f->cfg = *c;
	f->ctx = ctx;
	snprintf(f->id, sizeof f->id, "%s", c->id != NULL ? c->id : "feed");
	snprintf(f->name, sizeof f->name, "%s",
	    c->name != NULL ? c->name : f->id);
	f->epoch = c->epoch > 0 ? c->epoch : proto_now_ms();
	f->cap = c->buffer > 0 ? c->buffer : FEED_DEFAULT_BUFFER;
	ring_init(&f->stream, f->cap);
	ring_init(&f->acks, FEED_ACK_BUFFER);
	f->cmds = feed_cmds_new(FEED_CMD_WINDOW);
	f->addrs = feed_addrs_new();
	if (f->cfg.max_per_address <= 0)
		f->cfg.max_per_address = FEED_MAX_PER_ADDRESS;
	{
		struct rlimit	rl;

		f->max_conns = feed_max_connections(getrlimit(RLIMIT_NOFILE,
		    &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ? -1 :
		    (long long)rl.rlim_cur);
	}
	f->last_seq = 0;
	if (f->cfg.hello_timeout <= 0)
		f->cfg.hello_timeout = 10;

	if (c->replay_path != NULL) {
		f->replay = replay_load(c->replay_path, err, errlen);
		if (f->replay == NULL) {
			feed_detach(f);
			return NULL;
		}
	}

	f->protocols[0].name = PROTO_SUBPROTOCOL;
	f->protocols[0].callback = feed_callback;
	f->protocols[0].per_session_data_size = sizeof(struct feed_client);
	f->protocols[0].rx_buffer_size = 0;

	memset(&info, 0, sizeof info);
	info.vhost_name = c->id != NULL ? c->id : "feed";
	info.iface = c->listen_host;
	info.port = c->listen_port;
	info.protocols = f->protocols;
	info.user = f;
	/* Also the time to finish the upgrade: no idle sockets before hello. */
	info.timeout_secs = (unsigned)f->cfg.hello_timeout;
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8;
	/*
	 * lws 4.1 parses an IPv4 iface into a sockaddr_in laid over its IPv6
	 * socket's sockaddr_in6, leaving the address zero: 127.0.0.1 would
	 * listen on every address.  An IPv4 address gets an IPv4 socket.
	 */
	if (inet_pton(AF_INET, c->listen_host, &v4) == 1)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (c->cert_path != NULL) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = c->cert_path;
		info.ssl_private_key_filepath = c->key_path;
	}
	if (feed_listen_probe(c->listen_host, c->listen_port, err,
	    errlen) != 0) {
		feed_detach(f);
		return NULL;
	}
	f->vhost = lws_create_vhost(ctx, &info);
	if (f->vhost == NULL) {
		if (c->cert_path != NULL)
			snprintf(err, errlen, "cannot listen on %s:%d with TLS "
			    "(is the port in use, or are --cert %s and --key "
			    "%s not a matching PEM certificate and key?)",
			    c->listen_host, c->listen_port, c->cert_path,
			    c->key_path);
		else
			snprintf(err, errlen, "cannot listen on %s:%d (is the "
			    "port in use, or the address not local?)",
			    c->listen_host, c->listen_port);
		feed_detach(f);
		return NULL;
	}
	/* lws copies the protocols per vhost; wake-ups must name its copy. */
	f->vh_protocol = lws_vhost_name_to_protocol(f->vhost, PROTO_SUBPROTOCOL);
	/* Two feeds on port 0 must not share an id: name it after the bound port. */
	if (c->id == NULL)
		snprintf(f->id, sizeof f->id, "feed-%d", feed_port(f));
	if (c->name == NULL)
		snprintf(f->name, sizeof f->name, "%s", f->id);
	if (c->buffer_file != NULL) {
		if (feed_buffer_load(f, err, errlen) != 0) {
			lws_vhost_destroy(f->vhost);
			f->vhost = NULL;
			feed_detach(f);
			return NULL;
		}
		/* A restarted replay goes on where it stopped: after the
		 * scenario's messages kept, acks not counted. */
		if (f->replay != NULL)
			f->replay_next = f->replay_base = f->bufferf_stream;
	}

	f->real_start_us = lws_now_usecs();
	if (c->simulate > 0) {
		struct sim_config sc;

		memset(&sc, 0, sizeof sc);
		sc.candidates = c->simulate;
		sc.seed = c->seed;
		sc.items = c->sim_items;
		sc.forms = c->sim_forms;
		sc.truth = c->truth_path != NULL;
		f->sim_start_ms = proto_now_ms();
		f->sim = sim_new(&sc, f->sim_start_ms);
		if (c->truth_path != NULL && sim_truth_save(f->sim,
		    c->truth_path, err, errlen) != 0) {
			lws_vhost_destroy(f->vhost);
			f->vhost = NULL;
			f->cfg.truth_path = NULL;	/* no retry at detach */
			feed_detach(f);
			return NULL;
		}
		f->truth_us = lws_now_usecs();
	}
	feed_log(f, "listening on %s:%d as \"%s\", epoch %" PRId64 "%s%s%s",
	    c->listen_host, feed_port(f), f->id, f->epoch,
	    c->cert_path != NULL ? ", TLS" : "",
	    c->token != NULL ? ", token required" : "",
	    f->sim != NULL ? ", simulating" : f->replay != NULL ?
	    ", replaying" : "");
	if (f->replay != NULL)
		feed_log(f, "scenario %s: %zu messages", c->replay_path,
		    replay_count(f->replay));
	lws_sul_schedule(ctx, 0, &f->sul_tick, feed_tick, 1);
	return f;
}

void
feed_detach(struct feed *f)
{
	if (f == NULL)
		return;
	/*
	 * Called after lws_context_destroy(), which closed the consoles and
	 * dropped the timers; only memory is left to free.
	 */
	ring_free(&f->stream);
	ring_free(&f->acks);
	/* --truth: the final state, as of the last tick. */
	if (f->sim != NULL && f->cfg.truth_path != NULL && f->truth_state != 1)
		feed_truth_save(f);
	if (f->sim != NULL)
		sim_free(f->sim);
	if (f->replay != NULL)
		replay_free(f->replay);
	feed_cmds_free(f->cmds);
	feed_addrs_free(f->addrs);
	if (f->bufferf != NULL)
		fclose(f->bufferf);
	free(f);
}

int
feed_port(const struct feed *f)
{
	return lws_get_vhost_listen_port(f->vhost);
}
