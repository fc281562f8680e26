/*
 * ingest.c - everything a feed sends, in: ingest_receive() is the one
 * function every transport calls with a received message.
 *
 * A message is decoded (or kept in rejects with the reason), placed in its
 * feed's stream (the session's position: duplicates compared with the
 * stored copy, holes recorded as gaps, an invalid message's seq accounted
 * for), checked against the bounds (--max-attempts, --max-clock-skew),
 * queued for the store, and folded into the model (attempts, the tail,
 * the event rate) and the rules, whose hits raise or merge flags
 * (flags.c).  Welcome, the feed-session handshake, is welcome.c's.
 * Nothing is committed or drawn here: the loop's before-sleep step does
 * that, except that a full batch is flushed at once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/app.h"
#include "console/headless.h"
#include "console/ingest.h"
#include "console/link.h"
#include "console/pending.h"

static void	feed_keep(struct feed_link *, const char *, size_t,
		    const char *);

/*
 * A rule fired for an attempt: merged into the rule's open flag, or a new
 * one (flags_hit); stored either way, and a new one is counted and said.
 */
static void
ingest_flag(struct app *app, struct attempt *a, const struct rules_hit *h)
{
	struct flag	*f;

	app->model.dirty = 1;
	if (flags_hit(&app->model.flagset, &a->flags, a, h, &f) == FLAGS_MERGED) {
		app_flag_store(app, f);
		return;
	}
	f->id = store_flag_next_id(app->store);
	model_recount(&app->model, a);
	app->model.open_flags++;
	app_flag_store(app, f);
	if (f->severity >= PROTO_SEV_CRITICAL)
		model_unseen(&app->model, f);	/* the screen rings */
	if (app->opt.headless)
		headless_flag(app, f);
}

static void
ingest_hit(const struct rules_hit *h, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs = app_session_find(app, h->feed);

	if (fs != NULL)
		ingest_flag(app, model_attempt_get(&app->model, fs, h->attempt), h);
}

/*
 * Event data for people: "object=phone confidence=0.82" rather than JSON.
 * Strings are copied raw (the screen sanitises them); nested values are
 * shown as compact JSON.
 */
static void
event_summary(const char *data, char *out, size_t outsz)
{
	json_t		*o, *v;
	const char	*k;
	char		*text;
	size_t		 n = 0;
	int		 w;

	out[0] = '\0';
	o = json_loads(data, 0, NULL);
	if (o == NULL)
		return;
	json_object_foreach(o, k, v) {
		if (json_is_string(v))
			w = snprintf(out + n, outsz - n, "%s%s=%s", n ? " " : "",
			    k, json_string_value(v));
		else {
			text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY |
			    JSON_REAL_PRECISION(15));
			w = snprintf(out + n, outsz - n, "%s%s=%s", n ? " " : "",
			    k, text != NULL ? text : "?");
			free(text);
		}
		if (w < 0 || (size_t)w >= outsz - n)
			break;
		n += (size_t)w;
	}
	json_decref(o);
}

static void
ingest_take(struct app *app, struct feed_session *cf, const struct proto_msg *m)
{
	struct attempt		*a;
	struct rules_stats	 st;
	struct store_receipt	 receipt;
	char			 err[512], summary[160];
	int			 rc;

	/* The engine keeps one clock per feed: see ingest_admit. */
	if (m->type != PROTO_ACK) {
		/* Full only if this run holds more than the cap (attempts loaded
		 * from a database filled with a larger --max-attempts). */
		if (rules_engine_message(app->engine, cf->id, m, ingest_hit, app) ==
		    RULES_FULL && !app->said_engine_full) {
			app->said_engine_full = 1;
			app_status(app, 1, "the rules engine holds %zu attempts of "
			    "feed %s, the most --max-attempts allows: attempts "
			    "beyond them raise no flags; raise --max-attempts",
			    app_max_attempts(app), cf->id);
		}
		rules_engine_stats(app->engine, &st);
		if (st.unlinked > 0 && !app->said_unlinked) {
			app->said_unlinked = 1;
			app_status(app, 1, "the link table is full (%zu values): "
			    "new devices and networks are not linked, so shared "
			    "device or network flags may be missing",
			    st.link_values);
		}
	}
	switch (m->type) {
	case PROTO_ATTEMPT:
		a = model_attempt_get(&app->model, cf, m->u.attempt.attempt);
		snprintf(a->candidate, sizeof a->candidate, "%s",
		    m->u.attempt.candidate);
		snprintf(a->name, sizeof a->name, "%s", m->u.attempt.name);
		snprintf(a->center, sizeof a->center, "%s",
		    m->u.attempt.center);
		snprintf(a->ip, sizeof a->ip, "%s", m->u.attempt.ip);
		a->state = m->u.attempt.state;
		a->offline = rules_engine_outage(app->engine, cf->id, a->id);
		app->model.order_dirty = 1;	/* name, centre: sort keys */
		app->model.dirty = 1;
		model_heard(&app->model, a, proto_now_ms());
		break;
	case PROTO_STATE:
		a = model_attempt_get(&app->model, cf, m->u.state.attempt);
		a->state = m->u.state.state;
		a->offline = rules_engine_outage(app->engine, cf->id, a->id);
		model_heard(&app->model, a, proto_now_ms());
		model_tail_add(&app->model, cf->id, m->ts_ms, "%s is now %s", a->id,
		    proto_state_name(a->state));
		break;
	case PROTO_EVENT:
		a = model_attempt_get(&app->model, cf, m->u.event.attempt);
		a->events++;
		a->last_kind = m->u.event.kind;
		a->last_ms = m->ts_ms;
		a->has_event = 1;
		if (m->u.event.kind == PROTO_EV_NETWORK_LOST ||
		    m->u.event.kind == PROTO_EV_NETWORK_RESTORED)
			a->offline = rules_engine_outage(app->engine, cf->id,
			    a->id);
		if (app->model.order == MODEL_ORDER_LAST)
			app->model.order_dirty = 1;
		model_heard(&app->model, a, proto_now_ms());
		model_rate_count(&app->model, proto_now_ms());
		event_summary(m->u.event.data, summary, sizeof summary);
		model_tail_add(&app->model, cf->id, m->ts_ms, "%s %s %s", a->id,
		    proto_event_kind_name(m->u.event.kind), summary);
		break;
	case PROTO_ANSWER:
		break;
	case PROTO_ACK:
		memset(&receipt, 0, sizeof receipt);
		rc = store_command_acked(app->store, cf->id, m->u.ack.cmd,
		    m->u.ack.ok, m->u.ack.error, m->ts_ms, &receipt, err,
		    sizeof err);
		if (rc < 0)
			app_status(app, 1, "%s", err);
		else if (rc == 1)
			app_journaled(app);
		pending_acked(app, cf, m, rc == 1 ? &receipt : NULL);
		break;
	default:
		break;
	}
}

/* Where a row from this connection is filed: its feed id once welcome
 * said it, the URL before. */
static const char *
feed_key(const struct feed_link *cf)
{
	return cf->welcomed && cf->session != NULL ? cf->session->id : cf->url;
}

/*
 * May stream message m of feed fs, received at now, be taken in?  0 (and
 * the attempt it names is held from now on), or -1 with the reason in why:
 *  - its ts is more than --max-clock-skew ahead of now, or that far behind
 *    the latest ts taken from the feed (or now, if that is earlier): a
 *    clock gone wrong;
 *  - it names an attempt the console does not hold and the feed has
 *    --max-attempts already, or the console that many per feed in all.
 * A message taken in that is more than CONSOLE_SKEW_NOTICE_MS ahead of
 * now is feed clock skew: noted for the header, said once on stderr.
 * The counts are the feed id's (its session), never a connection's.
 */
static int
ingest_admit(struct app *app, struct feed_session *fs, const struct proto_msg *m,
    int64_t now, char *why, size_t whylen)
{
	const char	*id = proto_msg_attempt(m);
	int64_t		 skew = m->ts_ms - now, max = app_max_skew_ms(app);
	int64_t		 ref;
	size_t		 cap = app_max_attempts(app);
	size_t		 all = app_max_attempts_all(app);
	char		 ts[32], latest[32];

	/*
	 * An ack is stamped by the feed's wall clock when it answers, while
	 * events carry the time they happened (a replay's are in the past):
	 * its ts times nothing, so it neither moves nor meets the clock.
	 */
	if (m->type == PROTO_ACK)
		return 0;
	proto_time_format(m->ts_ms, ts);
	if (fs->simulated)
		skew = 0;	/* its clock runs --rate times real time */
	if (skew > max) {
		fs->skewed++;
		snprintf(why, whylen, "ts %s is %" PRId64 " s ahead of this "
		    "console's clock, more than --max-clock-skew %" PRId64
		    " s: set the feed's clock right (NTP)", ts, skew / 1000,
		    max / 1000);
		return -1;
	}
	/*
	 * Behind: measured from the feed's latest ts, or from now if that is
	 * ahead, so that one ts a day ahead does not make the honest ones
	 * that follow "too old".
	 */
	ref = fs->clock_ms < now ? fs->clock_ms : now;
	if (!fs->simulated && fs->clock_ms != INT64_MIN &&
	    m->ts_ms < ref - max) {
		fs->skewed++;
		proto_time_format(ref, latest);
		snprintf(why, whylen, "ts %s is %" PRId64 " s behind %s %s, more "
		    "than --max-clock-skew %" PRId64 " s: set the feed's clock "
		    "right (NTP)", ts, (ref - m->ts_ms) / 1000, ref == now ?
		    "this console's clock," : "the feed's latest ts", latest,
		    max / 1000);
		return -1;
	}
	if (id != NULL && model_attempt_find(&app->model, fs, id) == NULL) {
		if (fs->nattempts >= cap || app->model.nattempts >= all) {
			fs->over_cap++;
			snprintf(why, whylen, "a new attempt, and the console "
			    "already holds %zu attempts of this feed (%zu in "
			    "all), the most --max-attempts %zu allows: raise it "
			    "if the exam is that large", fs->nattempts,
			    app->model.nattempts, cap);
			return -1;
		}
		(void)model_attempt_get(&app->model, fs, id);
	}
	if (m->ts_ms > fs->clock_ms)
		fs->clock_ms = m->ts_ms;
	fs->skew_ms = skew;
	if (skew <= CONSOLE_SKEW_NOTICE_MS)
		fs->said_skew = 0;
	else if (!fs->said_skew) {
		fs->said_skew = 1;
		app_status(app, 1, "feed %s: its clock is %" PRId64 " s ahead of "
		    "this console's (ts %s); flags are timed by the feed's "
		    "clock", fs->id, skew / 1000, ts);
	}
	return 0;
}

/*
 * Message m (seq taken) was refused by ingest_admit: keep it in rejects with
 * the reason, and account for its seq with a one-seq gap (as ingest_refused
 * does), so that a resume goes past it.  Said on stderr once per feed and
 * reason; the header keeps the counts.
 */
static void
ingest_kept_out(struct app *app, struct feed_link *cf,
    const struct proto_msg *m, const char *raw, size_t rawlen,
    const char *why)
{
	struct feed_session	*fs = cf->session;
	char			 gap[PROTO_TEXT_MAX + 400];
	int			*said;

	said = fs->over_cap > 0 && !fs->said_cap ? &fs->said_cap :
	    fs->skewed > 0 && !fs->said_skewed ? &fs->said_skewed : NULL;
	if (said != NULL) {
		*said = 1;
		app_status(app, 1, "feed %s: seq %" PRId64 " kept in rejects, "
		    "not taken in: %s", fs->id, m->seq, why);
	}
	feed_keep(cf, raw, rawlen, why);
	snprintf(gap, sizeof gap, "seq %" PRId64 " kept in rejects: %s",
	    m->seq, why);
	app_session_gap(app, fs, m->seq, m->seq, gap);
}

/*
 * Keep a message the console does not take in, with the reason, in
 * rejects: filed under the connection's feed id (its URL before welcome),
 * counted on screen.  feed_reject also says it on the status line.
 */
static void
feed_keep(struct feed_link *cf, const char *raw, size_t rawlen,
    const char *why)
{
	struct app	*app = cf->app;
	char		 err[512];

	if (cf->welcomed && cf->session != NULL)
		cf->session->rejects++;
	else
		cf->early_rejects++;
	if (store_add_reject(app->store, feed_key(cf), raw, rawlen, why,
	    proto_now_ms(), err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
}

static void
feed_reject(struct feed_link *cf, const char *raw, size_t rawlen,
    const char *why)
{
	app_status(cf->app, 1, "feed %s: rejected a message: %s",
	    feed_key(cf), why);
	feed_keep(cf, raw, rawlen, why);
}

/*
 * A message refused for its size (1009) or encoding (1007): the connection
 * is closed.  Keep what we have of it in rejects, and account for the seq
 * it would have had with a gap, so that the resume goes past it instead of
 * fetching it again forever.  rawlen is the whole message's length (the
 * rejects' raw_len); raw holds at least its first min(rawlen, 4096) bytes,
 * all the store keeps.
 */
void
ingest_refused(struct feed_link *cf, enum proto_rx_result rx, const char *raw,
    size_t rawlen)
{
	struct app		*app = cf->app;
	struct feed_session	*fs = cf->session;
	char			 why[160];

	snprintf(why, sizeof why, "%s (connection closed with %d)",
	    rx == PROTO_RX_TOO_BIG ? "message over 65536 bytes" :
	    "text that is not UTF-8", rx == PROTO_RX_TOO_BIG ?
	    PROTO_CLOSE_TOO_BIG : PROTO_CLOSE_BAD_UTF8);
	feed_reject(cf, raw != NULL ? raw : "", raw != NULL ? rawlen : 0, why);
	if (!cf->welcomed || fs == NULL || cf->resync)
		return;
	if (fs->last_seq >= CONSOLE_SEQ_MAX) {
		app_status(app, 1, "feed %s: no seq is left in epoch %" PRId64
		    " to account for the refused message; restart the feed "
		    "with a new epoch", fs->id, fs->epoch);
		return;
	}
	fs->last_seq++;
	app_session_gap(app, fs, fs->last_seq, fs->last_seq, why);
}

/* A gap message: the feed cannot send from_seq..to_seq. */
static void
ingest_gap(struct app *app, struct feed_link *cf, const struct proto_msg *m,
    const char *buf, size_t len)
{
	struct feed_session	*fs = cf->session;
	const struct proto_gap	*g = &m->u.gap;
	char			 why[PROTO_TEXT_MAX + 160];

	if (g->to_seq > CONSOLE_SEQ_MAX) {
		snprintf(why, sizeof why, "gap %" PRId64 "..%" PRId64 " goes "
		    "past seq %lld, the highest a console takes in",
		    g->from_seq, g->to_seq, CONSOLE_SEQ_MAX);
		feed_reject(cf, buf, len, why);
		return;
	}
	if (g->from_seq <= fs->last_seq) {
		snprintf(why, sizeof why, "gap %" PRId64 "..%" PRId64 " starts "
		    "at or below seq %" PRId64 " of epoch %" PRId64 ", which "
		    "the console already holds or has accounted for",
		    g->from_seq, g->to_seq, fs->last_seq, fs->epoch);
		feed_reject(cf, buf, len, why);
		return;
	}
	if (g->from_seq > fs->last_seq + 1) {
		snprintf(why, sizeof why, "seq jumped from %" PRId64 " to a gap "
		    "from %" PRId64 " without a gap message for the seqs "
		    "between", fs->last_seq, g->from_seq);
		app_session_gap(app, fs, fs->last_seq + 1, g->from_seq - 1, why);
	}
	app_status(app, 1, "feed %s lost seq %" PRId64 "..%" PRId64 ": %s",
	    fs->id, g->from_seq, g->to_seq, g->why);
	app_session_gap(app, fs, g->from_seq, g->to_seq, g->why);
	fs->last_seq = g->to_seq;
}

/* A stream message (attempt, event, answer, state, ack). */
static void
ingest_stream(struct app *app, struct feed_link *cf, const struct proto_msg *m,
    const char *buf, size_t len)
{
	struct feed_session	*fs = cf->session;
	char			 err[512], why[PROTO_TEXT_MAX + 320];
	int64_t			 now = proto_now_ms();
	char			 stored[2 * SIGN_HASH_LEN + 1];
	char			 got[2 * SIGN_HASH_LEN + 1];

	if (m->seq > CONSOLE_SEQ_MAX) {
		snprintf(why, sizeof why, "seq %" PRId64 " is past seq %lld, "
		    "the highest a console takes in", m->seq, CONSOLE_SEQ_MAX);
		feed_reject(cf, buf, len, why);
		return;
	}
	if (m->seq <= fs->last_seq) {
		/* Already accounted for: stored (a resume overlapped, or
		 * the feed sent it again) or recorded as lost. */
		switch (store_message_compare(app->store, fs->id, fs->epoch,
		    m->seq, buf, len, stored, got, err, sizeof err)) {
		case 1:
			return;		/* the same message again: a no-op */
		case 2:
			snprintf(why, sizeof why, "seq %" PRId64 " of epoch %"
			    PRId64 " is already stored with other content "
			    "(stored SHA-256 %s, this one %s); the stored "
			    "message stands", m->seq, fs->epoch, stored, got);
			break;
		case 0:
			snprintf(why, sizeof why, "seq %" PRId64 " of epoch %"
			    PRId64 " arrived late: the console had already "
			    "recorded it as missing (a gap) and moved on to seq "
			    "%" PRId64 "; kept here, not taken in", m->seq,
			    fs->epoch, fs->last_seq);
			break;
		default:
			snprintf(why, sizeof why, "seq %" PRId64 " arrived again "
			    "and could not be compared with the stored one: "
			    "%.300s", m->seq, err);
			break;
		}
		feed_reject(cf, buf, len, why);
		return;
	}
	if (m->seq > fs->last_seq + 1) {
		snprintf(why, sizeof why, "seq jumped from %" PRId64 " to %"
		    PRId64 " without a gap message", fs->last_seq, m->seq);
		app_status(app, 1, "feed %s: %s", fs->id, why);
		app_session_gap(app, fs, fs->last_seq + 1, m->seq - 1, why);
	}
	fs->last_seq = m->seq;
	if (ingest_admit(app, fs, m, now, why, sizeof why) != 0) {
		ingest_kept_out(app, cf, m, buf, len, why);
		return;
	}
	fs->messages++;
	if (store_add_message(app->store, fs->id, fs->epoch, m, buf, len,
	    now, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
	ingest_take(app, fs, m);
}

/*
 * What a message that failed to decode says of itself, if it is a JSON
 * object: its "t" into type (typesz bytes; "" if none), and its seq if it
 * is a stream message that says one: "t" not a control type (welcome, gap,
 * hello, cmd) and one integer "seq" member >= 1 (a duplicate member is no
 * seq).  Returns the seq, or 0.
 */
static int64_t
invalid_peek(const char *buf, size_t len, char *type, size_t typesz)
{
	static const char *const control[] = { "welcome", "gap", "hello",
	    "cmd" };
	json_t		*root, *t, *seq;
	json_error_t	 jerr;
	int64_t		 n = 0;
	size_t		 i;

	type[0] = '\0';
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return 0;
	t = json_object_get(root, "t");
	if (json_is_string(t))
		snprintf(type, typesz, "%s", json_string_value(t));
	seq = json_object_get(root, "seq");
	if (json_is_integer(seq) && json_integer_value(seq) >= 1)
		n = json_integer_value(seq);
	for (i = 0; i < sizeof control / sizeof control[0]; i++) {
		if (strcmp(type, control[i]) == 0)
			n = 0;
	}
	json_decref(root);
	return n;
}

/*
 * An invalid stream message (kept in rejects with the decoder's reason)
 * still numbers seq: account for it as rejected, a one-seq gap that names
 * the reason, as for a message kept out, so that the next seq is no jump
 * and a resume goes past it.  A seq at or below the position, or past
 * CONSOLE_SEQ_MAX, leaves the position as it is.
 */
static void
ingest_invalid_seq(struct app *app, struct feed_link *cf, int64_t seq,
    const char *err)
{
	struct feed_session	*fs = cf->session;
	char			 why[PROTO_TEXT_MAX + 160];

	if (seq <= fs->last_seq || seq > CONSOLE_SEQ_MAX)
		return;
	if (seq > fs->last_seq + 1) {
		snprintf(why, sizeof why, "seq jumped from %" PRId64 " to %"
		    PRId64 " (a message kept in rejects) without a gap message",
		    fs->last_seq, seq);
		app_session_gap(app, fs, fs->last_seq + 1, seq - 1, why);
	}
	snprintf(why, sizeof why, "seq %" PRId64 " kept in rejects: %s", seq,
	    err);
	app_session_gap(app, fs, seq, seq, why);
	fs->last_seq = seq;
}

void
ingest_receive(struct feed_link *cf, const char *buf, size_t len)
{
	struct app		*app = cf->app;
	struct proto_msg	 m;
	char			 err[512], why[PROTO_TEXT_MAX + 64], type[16];
	int64_t			 seq;

	if (proto_decode(buf, len, 0, &m, err, sizeof err) != 0) {
		feed_reject(cf, buf, len, err);
		seq = invalid_peek(buf, len, type, sizeof type);
		if (!cf->welcomed && strcmp(type, "welcome") == 0) {
			/* Nothing on the connection can be placed: do not
			 * file it all in rejects, try again later. */
			snprintf(cf->last_error, sizeof cf->last_error, "the "
			    "feed's welcome is invalid (%.150s); closed with "
			    "1002", err);
			link_close(cf, PROTO_CLOSE_PROTOCOL, "invalid welcome");
		} else if (cf->welcomed && cf->session != NULL && !cf->resync)
			ingest_invalid_seq(app, cf, seq, err);
		return;
	}
	if (m.type == PROTO_WELCOME && cf->welcomed) {
		/* The feed id, epoch and position are said once. */
		feed_reject(cf, buf, len, "a second welcome on one connection "
		    "(connection closed with 1002)");
		snprintf(cf->last_error, sizeof cf->last_error, "the feed sent "
		    "a second welcome; closed with 1002 and reconnecting");
		cf->resync = 1;	/* what follows is fetched again */
		link_close(cf, PROTO_CLOSE_PROTOCOL, "second welcome");
	} else if (m.type == PROTO_WELCOME)
		ingest_welcome(app, cf, &m.u.welcome);
	else if (cf->resync)
		;	/* a connection being closed: fetched again next time */
	else if (!cf->welcomed || cf->session == NULL ||
	    (m.type != PROTO_GAP && !proto_type_is_stream(m.type))) {
		snprintf(why, sizeof why, "unexpected %s message %s",
		    proto_type_name(m.type), cf->welcomed ? "from a feed" :
		    "before welcome");
		feed_reject(cf, buf, len, why);
	} else if (m.type == PROTO_GAP)
		ingest_gap(app, cf, &m, buf, len);
	else
		ingest_stream(app, cf, &m, buf, len);
	proto_msg_clear(&m);
	if (store_due(app->store, err, sizeof err) != 0)
		app_status(app, 1, "%s (will retry)", err);
}

void
ingest_tick(struct app *app)
{
	rules_engine_tick(app->engine, ingest_hit, app);
}
