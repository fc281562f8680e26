/*
 * app.c - the console's live model and its loop.
 *
 * Messages from every feed arrive here (app_receive): they are queued for
 * the store, fold into the per-attempt model (state, counts, last event),
 * feed the recent-events tail and raise flags.  Nothing is committed or
 * drawn per message: a 100 ms flush timer commits the batch and a screen
 * timer redraws when something changed, the "before sleep" work of the
 * loop.  Decisions (app_decide) are the exception: they are committed
 * durably before the screen says "recorded".
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "console/console.h"
#include "feed/feed.h"

#define FLUSH_TICK_US	(20 * LWS_US_PER_MS)
#define SCREEN_TICK_US	(50 * LWS_US_PER_MS)

static void	app_journaled(struct app *);

static volatile sig_atomic_t	app_signalled;
static volatile sig_atomic_t	app_hup;
static struct lws_context      *app_signal_ctx;

static void
app_on_signal(int sig)
{
	if (sig == SIGHUP)
		app_hup = 1;
	else
		app_signalled = 1;
	if (app_signal_ctx != NULL)
		lws_cancel_service(app_signal_ctx);
}

static void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n, size);

	if (p == NULL)
		abort();
	return p;
}

void
app_status(struct app *app, int error, const char *fmt, ...)
{
	va_list	ap;
	char	clean[4 * sizeof app->status];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(app->status, sizeof app->status, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof app->status)	/* never end inside a character */
		app->status[proto_utf8_boundary(app->status,
		    strlen(app->status))] = '\0';
	app->status_error = error;
	app->dirty = 1;
	/* Feed ids, gap reasons and ack errors come off the wire. */
	if (app->opt.headless && error)
		fprintf(stderr, "invigil: %s\n", proto_clean(app->status, clean,
		    sizeof clean));
}

void
app_sort(struct app *app)
{
	model_sort(&app->model);
}

/* The session of feed id, or NULL. */
struct feed_session *
app_session_find(struct app *app, const char *id)
{
	return model_session_find(&app->model, id);
}

/* Is fs a connection's feed? */
static int
session_linked(const struct feed_session *fs, void *arg)
{
	const struct app	*app = arg;
	int			 i;

	for (i = 0; i < app->nfeeds; i++) {
		if (app->feeds[i].session == fs)
			return 1;
	}
	return 0;
}

static struct feed_session *
session_new(struct app *app, const char *id, char *err, size_t errlen)
{
	struct feed_session	*fs;

	fs = model_session_new(&app->model, id, session_linked, app, err,
	    errlen);
	if (fs != NULL)
		fs->simulated = app->demo_id[0] != '\0' &&
		    strcmp(app->demo_id, id) == 0;
	return fs;
}

/* ---- flags: the lifecycle is flags.c's; here they are stored and counted */

static void
flag_store(struct app *app, const struct flag *f)
{
	struct store_flag	sf;
	char			err[512], evidence[FLAGS_EVIDENCE_TEXT];

	flags_to_store(f, f->attempt->feed->id, f->attempt->id, &sf, evidence,
	    sizeof evidence);
	if (store_put_flag(app->store, &sf, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
}

/*
 * A rule fired for an attempt: merged into the rule's open flag, or a new
 * one (flags_hit); stored either way, and a new one is counted and said.
 */
static void
flag_raise(struct app *app, struct attempt *a, const struct rules_hit *h)
{
	struct flag	*f;

	app->dirty = 1;
	if (flags_hit(&app->flagset, &a->flags, a, h, &f) == FLAGS_MERGED) {
		flag_store(app, f);
		return;
	}
	f->id = store_flag_next_id(app->store);
	model_recount(&app->model, a);
	app->open_flags++;
	flag_store(app, f);
	if (app->opt.headless)
		headless_flag(app, f);
}

static void
app_hit(const struct rules_hit *h, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs = app_session_find(app, h->feed);

	if (fs != NULL)
		flag_raise(app, model_attempt_get(&app->model, fs, h->attempt), h);
}

struct flag *
app_flag_top(struct attempt *a)
{
	return flags_top(a->flags);
}

static void
flag_close(struct app *app, struct flag *f, enum store_flag_state state)
{
	struct attempt	*a = f->attempt;

	flags_close(&a->flags, &a->closed, f, state, proto_now_ms());
	flag_store(app, f);
	model_recount(&app->model, a);
	app->open_flags--;
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

static size_t	app_max_attempts(const struct app *);

/* ---- incoming messages */

static void
app_take(struct app *app, struct feed_session *cf, const struct proto_msg *m)
{
	struct attempt		*a;
	struct pending_cmd     **pp, *p;
	struct rules_stats	 st;
	struct store_receipt	 receipt;
	char			 err[512], summary[160];
	int			 rc;

	/* The engine keeps one clock per feed: see app_admit. */
	if (m->type != PROTO_ACK) {
		/* Full only if this run holds more than the cap (attempts loaded
		 * from a database filled with a larger --max-attempts). */
		if (rules_engine_message(app->engine, cf->id, m, app_hit, app) ==
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
		a->state = m->u.attempt.state;
		app->dirty = 1;
		break;
	case PROTO_STATE:
		a = model_attempt_get(&app->model, cf, m->u.state.attempt);
		a->state = m->u.state.state;
		model_tail_add(&app->model, cf->id, m->ts_ms, "%s is now %s", a->id,
		    proto_state_name(a->state));
		break;
	case PROTO_EVENT:
		a = model_attempt_get(&app->model, cf, m->u.event.attempt);
		a->events++;
		a->last_kind = m->u.event.kind;
		a->last_ms = m->ts_ms;
		a->has_event = 1;
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
		for (pp = &app->pending; (p = *pp) != NULL; pp = &p->next) {
			/* Only the feed the command went to answers it. */
			if (p->attempt->feed != cf ||
			    strcmp(p->id, m->u.ack.cmd) != 0)
				continue;
			snprintf(p->attempt->pending_cmd,
			    sizeof p->attempt->pending_cmd, "%s %s",
			    proto_action_name(p->action),
			    m->u.ack.ok ? "ok" : "failed");
			if (m->u.ack.ok)
				app_status(app, 0, "feed acknowledged %s of %s",
				    proto_action_name(p->action), p->attempt->id);
			else
				app_status(app, 1, "feed refused %s of %s: %.150s",
				    proto_action_name(p->action), p->attempt->id,
				    m->u.ack.error);
			if (app->opt.headless)
				headless_done(app, p, m, rc == 1 ? &receipt :
				    NULL);
			*pp = p->next;
			free(p->request);
			free(p);
			break;
		}
		break;
	default:
		break;
	}
}

/* Where a row from this connection is filed: its feed id once welcome
 * said it, the URL before. */
static const char *
feed_key(const struct console_feed *cf)
{
	return cf->welcomed && cf->session != NULL ? cf->session->id : cf->url;
}

/*
 * The cmd message for a command; -1 if its text is longer than the
 * protocol allows (PROTO_TEXT_MAX bytes), never a cut one.
 */
static int
cmd_message(struct proto_msg *m, const char *id, const struct attempt *a,
    enum proto_action action, const char *text)
{
	memset(m, 0, sizeof *m);
	m->type = PROTO_CMD;
	snprintf(m->u.cmd.id, sizeof m->u.cmd.id, "%s", id);
	snprintf(m->u.cmd.attempt, sizeof m->u.cmd.attempt, "%s", a->id);
	m->u.cmd.action = action;
	return proto_utf8_copy(m->u.cmd.text, sizeof m->u.cmd.text, text) ?
	    -1 : 0;
}

static void
cmd_send(struct console_feed *cf, const struct pending_cmd *p)
{
	struct proto_msg	m;

	cmd_message(&m, p->id, p->attempt, p->action, p->text);
	client_send(cf, &m);
}

/*
 * After a welcome: send again every command of the feed id this
 * connection now answers for that was not acknowledged.  The feed treats
 * a repeated id as the same command.  Commands of any other feed id, the
 * one this URL answered for before included, are never sent here.
 */
static void
app_resend(struct app *app, struct console_feed *cf)
{
	struct pending_cmd	*p;
	int			 n = 0;

	for (p = app->pending; p != NULL; p = p->next) {
		if (p->attempt->feed == cf->session) {
			cmd_send(cf, p);
			snprintf(p->attempt->pending_cmd,
			    sizeof p->attempt->pending_cmd, "%s pending",
			    proto_action_name(p->action));
			n++;
		}
	}
	if (n > 0)
		app_status(app, 0, "feed %s: re-sent %d unacknowledged "
		    "command%s", cf->session->id, n, n == 1 ? "" : "s");
}

static struct pending_cmd *
pending_add(struct app *app, const char *id, struct attempt *a,
    enum proto_action action, const char *text, const char *request)
{
	struct pending_cmd	*p, **pp;

	p = xcalloc(1, sizeof *p);
	snprintf(p->id, sizeof p->id, "%s", id);
	if (request != NULL && (p->request = strdup(request)) == NULL)
		abort();
	p->since_ms = proto_now_ms();
	p->attempt = a;
	p->action = action;
	/* app_decide refuses a longer text; one stored by an older version
	 * is cut where the codec can still encode it. */
	proto_utf8_copy(p->text, sizeof p->text, text != NULL ? text : "");
	/* Oldest first, the order they are re-sent in. */
	for (pp = &app->pending; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	snprintf(a->pending_cmd, sizeof a->pending_cmd, "%s pending",
	    proto_action_name(action));
	return p;
}

/* Is fs one of the feeds whose stored rows are being loaded? */
static int
session_loading(const struct app *app, const struct feed_session *fs)
{
	return app->load_only == NULL || app->load_only == fs;
}

/* At start-up: commands a previous run sent and never saw acknowledged. */
static void
pending_load_one(const struct store_command *c, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs = app_session_find(app, c->feed);
	int			 action;

	/* Bound to the feed id it was sent to: re-sent only once a welcome
	 * says that feed answers again. */
	action = proto_action_parse(c->action);
	if (action < 0 || fs == NULL || !session_loading(app, fs))
		return;
	pending_add(app, c->id, model_attempt_get(&app->model, fs, c->attempt),
	    (enum proto_action)action, c->text, NULL);
}

static void
hit_ignore(const struct rules_hit *h, void *arg)
{
	(void)h;
	(void)arg;
}

/*
 * At start-up, for the feeds this database has seen at these URLs: the
 * attempts as they were, so that a resumed feed (which sends only what is
 * new) still shows every candidate.  Each also primes the rules engine's
 * links (devices, networks) without raising anything: those flags were
 * raised before, and are loaded below.
 */
static void
attempt_load_one(const struct store_attempt *sa, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*cf = app_session_find(app, sa->feed);
	struct attempt		*a;
	struct proto_msg	 m;
	int			 v;

	if (cf == NULL || !session_loading(app, cf))
		return;
	a = model_attempt_get(&app->model, cf, sa->attempt);
	snprintf(a->candidate, sizeof a->candidate, "%s",
	    sa->candidate != NULL ? sa->candidate : "");
	snprintf(a->name, sizeof a->name, "%s", sa->name != NULL ? sa->name : "");
	if (sa->state != NULL && (v = proto_state_parse(sa->state)) >= 0)
		a->state = (enum proto_state)v;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s", a->id);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "%s",
	    a->candidate);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "%s", a->name);
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "%s",
	    sa->exam != NULL ? sa->exam : "");
	m.u.attempt.state = a->state;
	if (sa->modality != NULL && (v = proto_modality_parse(sa->modality)) >= 0)
		m.u.attempt.modality = (enum proto_modality)v;
	snprintf(m.u.attempt.ip, sizeof m.u.attempt.ip, "%s",
	    sa->ip != NULL ? sa->ip : "");
	snprintf(m.u.attempt.device, sizeof m.u.attempt.device, "%s",
	    sa->device != NULL ? sa->device : "");
	rules_engine_message(app->engine, cf->id, &m, hit_ignore, NULL);
}

/* ... and their flags: open ones stay open, closed ones keep counting in
 * the risk score. */
static void
flag_load_one(const struct store_flag *sf, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*cf = app_session_find(app, sf->feed);
	struct attempt		*a;
	struct flag		*f;

	if (cf == NULL || !session_loading(app, cf))
		return;
	a = model_attempt_get(&app->model, cf, sf->attempt);
	f = flags_from_store(&app->flagset, sf, a);
	flags_put(&a->flags, &a->closed, f);
	if (f->state == STORE_FLAG_OPEN)
		app->open_flags++;
	model_recount(&app->model, a);
}

/* ---- bounds: what one feed can make the console do (invigil(1), BOUNDS) */

/* --max-attempts and --max-clock-skew, or their defaults when unset. */
static size_t
app_max_attempts(const struct app *app)
{
	return app->opt.max_attempts > 0 ? (size_t)app->opt.max_attempts :
	    CONSOLE_MAX_ATTEMPTS;
}

/* ... times the number of feeds: what the console holds in all. */
static size_t
app_max_attempts_all(const struct app *app)
{
	int	feeds = app->opt.nfeeds + (app->opt.demo > 0);

	return app_max_attempts(app) * (size_t)(feeds > 0 ? feeds : 1);
}

static int64_t
app_max_skew_ms(const struct app *app)
{
	return app->opt.max_skew_ms > 0 ? app->opt.max_skew_ms :
	    CONSOLE_MAX_SKEW_S * INT64_C(1000);
}

/* A rules engine that holds no more attempts than the console does. */
static struct rules_engine *
app_engine_new(struct app *app, const struct rules *r)
{
	struct rules_engine	*e = rules_engine_new(r);

	rules_engine_limits(e, &(struct rules_limits){
	    .attempts_per_feed = app_max_attempts(app),
	    .attempts = app_max_attempts_all(app),
	});
	return e;
}

static void	feed_keep(struct console_feed *, const char *, size_t,
		    const char *);
static void	session_gap(struct app *, struct feed_session *, int64_t,
		    int64_t, const char *);

static const char *
msg_attempt(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_ATTEMPT:
		return m->u.attempt.attempt;
	case PROTO_EVENT:
		return m->u.event.attempt;
	case PROTO_ANSWER:
		return m->u.answer.attempt;
	case PROTO_STATE:
		return m->u.state.attempt;
	default:
		return NULL;
	}
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
app_admit(struct app *app, struct feed_session *fs, const struct proto_msg *m,
    int64_t now, char *why, size_t whylen)
{
	const char	*id = msg_attempt(m);
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
		if (fs->nattempts >= cap || app->nattempts >= all) {
			fs->over_cap++;
			snprintf(why, whylen, "a new attempt, and the console "
			    "already holds %zu attempts of this feed (%zu in "
			    "all), the most --max-attempts %zu allows: raise it "
			    "if the exam is that large", fs->nattempts,
			    app->nattempts, cap);
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
 * Message m (seq taken) was refused by app_admit: keep it in rejects with
 * the reason, and account for its seq with a one-seq gap (as app_refused
 * does), so that a resume goes past it.  Said on stderr once per feed and
 * reason; the header keeps the counts.
 */
static void
app_kept_out(struct app *app, struct console_feed *cf,
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
	session_gap(app, fs, m->seq, m->seq, gap);
}

int
app_notice(struct app *app, size_t i, char *out, size_t outsz)
{
	const struct feed_session	*fb;
	struct rules_stats		 st;
	size_t				 len = 0;

	out[0] = '\0';
	if (i == (size_t)app->nsessions) {
		rules_engine_stats(app->engine, &st);
		if (st.unlinked > 0)
			snprintf(out, outsz, " links: %" PRIu64 " values not "
			    "linked, the link table is full (%zu values): "
			    "shared device or network flags may be missing",
			    st.unlinked, st.link_values);
		return 0;
	}
	if (i > (size_t)app->nsessions)
		return -1;
	fb = app->sessions[i];
	if (fb->skew_ms > CONSOLE_SKEW_NOTICE_MS)
		len += (size_t)snprintf(out + len, outsz - len, " | clock %"
		    PRId64 " s ahead", fb->skew_ms / 1000);
	if (fb->over_cap > 0 && len < outsz)
		len += (size_t)snprintf(out + len, outsz - len, " | at "
		    "--max-attempts %zu: %" PRIu64 " messages about new "
		    "attempts kept in rejects", app_max_attempts(app),
		    fb->over_cap);
	if (fb->skewed > 0 && len < outsz)
		len += (size_t)snprintf(out + len, outsz - len, " | %" PRIu64
		    " messages beyond --max-clock-skew kept in rejects",
		    fb->skewed);
	if (len > 0 && len < outsz) {
		char	line[512];

		snprintf(line, sizeof line, " feed %s%s", fb->id, out);
		snprintf(out, outsz, "%s", line);
	}
	return 0;
}

/*
 * What the database holds of the feeds with a session (only, or all when
 * NULL): their attempts, flags and unacknowledged commands.  At start-up for
 * the feeds last seen at the URLs, and for a feed id that first answers
 * later (at another URL, or again after it was replaced), so that its
 * candidates, open flags and pending commands are there as before.
 */
static int
session_load(struct app *app, struct feed_session *only, char *err,
    size_t errlen)
{
	int	rc = -1;

	app->load_only = only;
	if (store_each_attempt(app->store, attempt_load_one, app, err,
	    errlen) == 0 && store_each_flag(app->store, flag_load_one, app,
	    err, errlen) == 0 && store_commands_pending(app->store,
	    pending_load_one, app, err, errlen) == 0)
		rc = 0;
	app->load_only = NULL;
	return rc;
}

/*
 * Keep a message the console does not take in, with the reason, in
 * rejects: filed under the connection's feed id (its URL before welcome),
 * counted on screen.  feed_reject also says it on the status line.
 */
static void
feed_keep(struct console_feed *cf, const char *raw, size_t rawlen,
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
feed_reject(struct console_feed *cf, const char *raw, size_t rawlen,
    const char *why)
{
	app_status(cf->app, 1, "feed %s: rejected a message: %s",
	    feed_key(cf), why);
	feed_keep(cf, raw, rawlen, why);
}

/* Record seqs from..to of the session's epoch as lost (to < from: open). */
static void
session_gap(struct app *app, struct feed_session *fs, int64_t from,
    int64_t to, const char *why)
{
	char	err[512];

	fs->gaps++;
	if (store_add_gap(app->store, fs->id, fs->epoch, from, to, why,
	    proto_now_ms(), err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
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
app_refused(struct console_feed *cf, enum proto_rx_result rx, const char *raw,
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
	session_gap(app, fs, fs->last_seq, fs->last_seq, why);
}

/*
 * The URL of cf answered as feed fs where it answered as old before.  The
 * old feed's attempts, flags and commands stay its own: its unacknowledged
 * commands are not sent to the new feed (nor anywhere, until old answers
 * again), and the proctor and the journal are told.
 */
static void
feed_replaced(struct app *app, struct console_feed *cf,
    struct feed_session *old, struct feed_session *fs)
{
	struct store_journal_entry	 e;
	struct pending_cmd		*p;
	json_t				*detail, *unsent;
	char				*detail_text, reason[600], err[512];
	int				 n = 0;

	old->link = NULL;
	snprintf(old->replaced_by, sizeof old->replaced_by, "%s", fs->id);
	snprintf(old->replaced_url, sizeof old->replaced_url, "%s", cf->url);
	unsent = json_array();
	for (p = app->pending; p != NULL; p = p->next) {
		if (p->attempt->feed != old)
			continue;
		json_array_append_new(unsent, json_string(p->id));
		snprintf(p->attempt->pending_cmd, sizeof p->attempt->pending_cmd,
		    "%s NOT sent: feed replaced", proto_action_name(p->action));
		n++;
	}
	snprintf(reason, sizeof reason, "%.200s now answers as feed \"%.64s\", "
	    "not \"%.64s\": the %zu attempts of %.64s are kept as they were, "
	    "and its %d unacknowledged command%s will not be sent to %.64s",
	    cf->url, fs->id, old->id, old->nattempts, old->id, n,
	    n == 1 ? "" : "s", fs->id);
	app_status(app, 1, "%s", reason);

	detail = json_object();
	json_object_set_new(detail, "url", json_string(cf->url));
	json_object_set_new(detail, "new_feed", json_string(fs->id));
	json_object_set_new(detail, "unsent", unsent);
	detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	memset(&e, 0, sizeof e);
	e.actor = fs->id;
	e.role = "feed";
	e.kind = "feed_replaced";
	e.feed = old->id;
	e.reason = reason;
	e.detail = detail_text;
	if (store_journal_append(app->store, &e, NULL, NULL, err,
	    sizeof err) != 0)
		app_status(app, 1, "%s", err);
	else
		app_journaled(app);
	free(detail_text);
}

static void
app_welcome(struct app *app, struct console_feed *cf,
    const struct proto_welcome *w)
{
	struct feed_session	*fs = app_session_find(app, w->feed);
	struct feed_session	*old = cf->session;
	int64_t			 epoch, last;
	char			 err[512], why[PROTO_TEXT_MAX + 1];
	int			 i, known;

	for (i = 0; fs != NULL && i < app->nfeeds; i++) {
		if (&app->feeds[i] != cf && app->feeds[i].welcomed &&
		    app->feeds[i].session == fs) {
			app_status(app, 1, "%s and %s both call themselves "
			    "feed \"%.64s\"; ignoring the second",
			    app->feeds[i].url, cf->url, w->feed);
			cf->state = CONN_STOPPED;
			client_close(cf, PROTO_CLOSE_POLICY, "duplicate feed id");
			return;
		}
	}
	if (fs == NULL) {
		/* First contact with this id: what does the database hold? */
		fs = session_new(app, w->feed, err, sizeof err);
		if (fs == NULL) {
			app_status(app, 1, "%s: %s", cf->url, err);
			cf->state = CONN_STOPPED;
			client_close(cf, PROTO_CLOSE_POLICY, "too many feed ids");
			return;
		}
		known = store_feed_position(app->store, fs->id, &epoch, &last,
		    err, sizeof err);
		if (known < 0)
			app_status(app, 1, "%s", err);
		if (known == 1 && epoch != 0)
			model_session_position(fs, epoch, last);
		if (known == 1 && session_load(app, fs, err, sizeof err) != 0)
			app_status(app, 1, "%s", err);
	}
	if (old != fs) {
		if (old != NULL && old->link == cf)
			feed_replaced(app, cf, old, fs);
		cf->session = fs;
	}
	fs->link = cf;
	fs->replaced_by[0] = '\0';
	snprintf(fs->name, sizeof fs->name, "%s", w->name);
	cf->welcomed = 1;
	app->dirty = 1;

	if (cf->resumed_epoch != 0 && cf->resumed_epoch == w->epoch &&
	    strcmp(cf->resumed_for, fs->id) != 0) {
		/*
		 * The hello asked to resume after another feed's seq, in an
		 * epoch this feed also has: it skipped what it numbered up
		 * to there.  Nothing on this connection is taken in;
		 * reconnect with this feed's own position.
		 */
		cf->resync = 1;
		snprintf(cf->last_error, sizeof cf->last_error, "reconnecting "
		    "to resume feed \"%.64s\" from its own position",
		    fs->id);
		client_close(cf, PROTO_CLOSE_NORMAL, "feed id changed; "
		    "resuming again");
		return;
	}
	if (fs->epoch == 0) {
		fs->epoch = w->epoch;	/* seen before, nothing stored */
		fs->last_seq = 0;
	} else if (fs->epoch != w->epoch) {
		/*
		 * The feed restarted its numbering.  Whatever the old epoch
		 * sent after what we hold is unaccounted for: say so.
		 */
		snprintf(why, sizeof why, "feed started epoch %" PRId64 "; "
		    "anything epoch %" PRId64 " sent after seq %" PRId64
		    " is unaccounted for", w->epoch, fs->epoch, fs->last_seq);
		app_status(app, 1, "feed %s: %s", fs->id, why);
		session_gap(app, fs, fs->last_seq + 1, fs->last_seq, why);
		fs->epoch = w->epoch;
		fs->last_seq = 0;
	} else if (w->last_seq < fs->last_seq)
		app_status(app, 1, "feed %s says epoch %" PRId64 " ends at seq "
		    "%" PRId64 " but this console holds it up to seq %" PRId64
		    ": the feed numbers messages again; each is compared with "
		    "the one stored", fs->id, w->epoch, w->last_seq,
		    fs->last_seq);
	if (store_feed_seen(app->store, fs->id, cf->url, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
	cf->state = CONN_LIVE;
	app_resend(app, cf);
}

/* A gap message: the feed cannot send from_seq..to_seq. */
static void
app_gap(struct app *app, struct console_feed *cf, const struct proto_msg *m,
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
		session_gap(app, fs, fs->last_seq + 1, g->from_seq - 1, why);
	}
	app_status(app, 1, "feed %s lost seq %" PRId64 "..%" PRId64 ": %s",
	    fs->id, g->from_seq, g->to_seq, g->why);
	session_gap(app, fs, g->from_seq, g->to_seq, g->why);
	fs->last_seq = g->to_seq;
}

/* A stream message (attempt, event, answer, state, ack). */
static void
app_stream(struct app *app, struct console_feed *cf, const struct proto_msg *m,
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
		session_gap(app, fs, fs->last_seq + 1, m->seq - 1, why);
	}
	fs->last_seq = m->seq;
	if (app_admit(app, fs, m, now, why, sizeof why) != 0) {
		app_kept_out(app, cf, m, buf, len, why);
		return;
	}
	fs->messages++;
	if (store_add_message(app->store, fs->id, fs->epoch, m, buf, len,
	    now, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
	app_take(app, fs, m);
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
app_invalid_seq(struct app *app, struct console_feed *cf, int64_t seq,
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
		session_gap(app, fs, fs->last_seq + 1, seq - 1, why);
	}
	snprintf(why, sizeof why, "seq %" PRId64 " kept in rejects: %s", seq,
	    err);
	session_gap(app, fs, seq, seq, why);
	fs->last_seq = seq;
}

void
app_receive(struct console_feed *cf, const char *buf, size_t len)
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
			client_close(cf, PROTO_CLOSE_PROTOCOL, "invalid welcome");
		} else if (cf->welcomed && cf->session != NULL && !cf->resync)
			app_invalid_seq(app, cf, seq, err);
		return;
	}
	if (m.type == PROTO_WELCOME && cf->welcomed) {
		/* The feed id, epoch and position are said once. */
		feed_reject(cf, buf, len, "a second welcome on one connection "
		    "(connection closed with 1002)");
		snprintf(cf->last_error, sizeof cf->last_error, "the feed sent "
		    "a second welcome; closed with 1002 and reconnecting");
		cf->resync = 1;	/* what follows is fetched again */
		client_close(cf, PROTO_CLOSE_PROTOCOL, "second welcome");
	} else if (m.type == PROTO_WELCOME)
		app_welcome(app, cf, &m.u.welcome);
	else if (cf->resync)
		;	/* a connection being closed: fetched again next time */
	else if (!cf->welcomed || cf->session == NULL ||
	    (m.type != PROTO_GAP && !proto_type_is_stream(m.type))) {
		snprintf(why, sizeof why, "unexpected %s message %s",
		    proto_type_name(m.type), cf->welcomed ? "from a feed" :
		    "before welcome");
		feed_reject(cf, buf, len, why);
	} else if (m.type == PROTO_GAP)
		app_gap(app, cf, &m, buf, len);
	else
		app_stream(app, cf, &m, buf, len);
	proto_msg_clear(&m);
	if (store_pending(app->store) >= STORE_BATCH_ROWS &&
	    store_flush(app->store, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
}

/* ---- decisions */

static const struct {
	const char	*name;
	int		 needs_flag;	/* applies to the top open flag */
	int		 action;	/* proto_action sent to the feed, or -1 */
} decisions[] = {
	{ "dismiss",	1, -1 },
	{ "confirm",	1, -1 },
	{ "escalate",	0, -1 },
	{ "note",	0, -1 },
	{ "warn",	0, PROTO_ACTION_WARN },
	{ "pause",	0, PROTO_ACTION_PAUSE },
	{ "resume",	0, PROTO_ACTION_RESUME },
	{ "terminate",	0, PROTO_ACTION_TERMINATE },
};

/* The flag with this id, open or closed, or NULL. */
struct flag *
app_flag_by_id(struct app *app, int64_t id)
{
	return model_flag_by_id(&app->model, id);
}

/*
 * The attempt id on feed (the feed's id or URL; NULL when the id is on one
 * feed only).  NULL with a sentence when unknown or ambiguous.
 */
struct attempt *
app_attempt_by_id(struct app *app, const char *feed, const char *id,
    char *err, size_t errlen)
{
	struct attempt	*a, *found = NULL;
	size_t		 i;

	for (i = 0; i < app->nattempts; i++) {
		a = app->attempts[i];
		/* A URL names the feed that answers there now. */
		if (strcmp(a->id, id) != 0 || (feed != NULL &&
		    strcmp(a->feed->id, feed) != 0 && (a->feed->link == NULL ||
		    a->feed->link->session != a->feed ||
		    strcmp(a->feed->link->url, feed) != 0)))
			continue;
		if (found != NULL) {
			snprintf(err, errlen, "attempt \"%.64s\" is on more "
			    "than one feed; say which with \"feed\"", id);
			return NULL;
		}
		found = a;
	}
	if (found == NULL)
		snprintf(err, errlen, "no attempt \"%.64s\"%s%.64s%s is known "
		    "to this console", id, feed != NULL ? " on feed \"" : "",
		    feed != NULL ? feed : "", feed != NULL ? "\"" : "");
	return found;
}

/* The checkpoint is due every opt.ckpt_every journal entries. */
static void
app_journaled(struct app *app)
{
	if (++app->journal_unsigned >= app->opt.ckpt_every)
		app_checkpoint(app);
}

/* Sign a checkpoint of the journal now, if it grew since the last. */
void
app_checkpoint(struct app *app)
{
	char	err[512];
	int64_t	size;

	if (app->key == NULL || app->store == NULL)
		return;
	if (store_checkpoint(app->store, app->key, &size, err,
	    sizeof err) != 0) {
		app_status(app, 1, "%s (the journal is safe; signing will be "
		    "tried again)", err);
		return;
	}
	app->journal_unsigned = 0;
}

/* {"flags":[...],"events":[...],"epoch":n}: what the decision was about. */
static char *
decision_evidence(const struct attempt *a, const struct flag *f)
{
	const struct flag	*g;
	json_t			*o, *flags, *events;
	char			*text;
	size_t			 i;

	o = json_object();
	flags = json_array();
	if (f != NULL) {
		json_array_append_new(flags, json_integer(f->id));
		events = json_array();
		for (i = 0; i < f->nevidence; i++)
			json_array_append_new(events,
			    json_integer(f->evidence[i]));
		json_object_set_new(o, "events", events);
		json_object_set_new(o, "epoch", json_integer(a->feed->epoch));
	} else {
		/* A command or note: the open flags the proctor saw. */
		for (g = a->flags; g != NULL; g = g->next)
			json_array_append_new(flags, json_integer(g->id));
	}
	json_object_set_new(o, "flags", flags);
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (text == NULL)
		abort();
	return text;
}

/*
 * Record a decision: durably in the journal (chained, with its evidence),
 * and for warn/pause/resume/terminate as a command to the attempt's feed,
 * recorded in the same transaction.  Returns 0 once the journal entry is
 * committed (out filled), or -1 with a sentence in err and nothing
 * recorded or sent.
 */
int
app_decide(struct app *app, const struct decision *d,
    struct decision_result *out, char *err, size_t errlen)
{
	struct attempt			*a = d->attempt;
	struct console_feed		*cf = a->feed->link;
	struct store_journal_entry	 e;
	struct store_command		 sc;
	struct pending_cmd		*p;
	struct flag			*f = d->flag;
	enum store_flag_state		 was = STORE_FLAG_OPEN;
	json_t				*detail;
	size_t				 i;
	char				*evidence, *detail_text;
	char				 cmd_id[PROTO_ID_MAX + 1];
	char				 err_encode[256], *line;
	struct proto_msg		 m;
	size_t				 len;
	int				 closes, rc;

	memset(out, 0, sizeof *out);
	for (i = 0; i < sizeof decisions / sizeof decisions[0]; i++) {
		if (strcmp(decisions[i].name, d->action) == 0)
			break;
	}
	if (i == sizeof decisions / sizeof decisions[0]) {
		snprintf(err, errlen, "unknown decision \"%.32s\" (one of "
		    "dismiss, confirm, escalate, note, warn, pause, resume, "
		    "terminate)", d->action);
		return -1;
	}
	if (d->reason == NULL || d->reason[0] == '\0') {
		snprintf(err, errlen, "a reason is required; nothing recorded");
		return -1;
	}
	closes = decisions[i].needs_flag;
	if (closes && f == NULL && (f = flags_top(a->flags)) == NULL) {
		snprintf(err, errlen, "%s has no open flag to %s", a->id,
		    d->action);
		return -1;
	}
	if (f != NULL && f->attempt != a) {
		snprintf(err, errlen, "flag %" PRId64 " is not a flag of %s",
		    f->id, a->id);
		return -1;
	}
	if (closes && f->state != STORE_FLAG_OPEN) {
		snprintf(err, errlen, "flag %" PRId64 " was already %s; nothing "
		    "recorded", f->id, store_flag_state_name(f->state));
		return -1;
	}
	cmd_id[0] = '\0';
	if (decisions[i].action >= 0) {
		/* Only ever to the feed id the attempt came from. */
		if (a->feed->replaced_by[0] != '\0') {
			snprintf(err, errlen, "feed %.64s no longer answers at "
			    "%.200s (feed %.64s does now), so nothing was sent "
			    "or recorded; notes and flag decisions on its "
			    "attempts are still recorded", a->feed->id,
			    a->feed->replaced_url, a->feed->replaced_by);
			return -1;
		}
		if (cf == NULL || cf->session != a->feed || cf->wsi == NULL ||
		    !cf->welcomed) {
			snprintf(err, errlen, "feed %s is not connected; "
			    "nothing was sent or recorded", a->feed->id);
			return -1;
		}
		snprintf(cmd_id, sizeof cmd_id, "%.32s-%" PRId64 "-%" PRIu64,
		    app->opt.proctor, proto_now_ms(), ++app->cmd_counter);
		/* Never acknowledge what could not be sent: the exact message
		 * must encode before anything is journaled. */
		if (cmd_message(&m, cmd_id, a,
		    (enum proto_action)decisions[i].action, d->reason) != 0) {
			snprintf(err, errlen, "the reason is %zu bytes, and it "
			    "is sent to the feed as the command's text, which "
			    "may be at most %d bytes (invigil-proto(7)); "
			    "shorten it; nothing was sent or recorded",
			    strlen(d->reason), PROTO_TEXT_MAX);
			return -1;
		}
		if ((line = proto_encode(&m, &len, err_encode,
		    sizeof err_encode)) == NULL) {
			snprintf(err, errlen, "the %s command cannot be sent "
			    "to the feed: %s; nothing was sent or recorded",
			    decisions[i].name, err_encode);
			return -1;
		}
		free(line);
	}

	detail = json_object();
	if (f != NULL)
		json_object_set_new(detail, "rule", json_string(f->rule));
	if (cmd_id[0] != '\0')
		json_object_set_new(detail, "cmd", json_string(cmd_id));
	if (d->request != NULL)
		json_object_set_new(detail, "request", json_string(d->request));
	detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	evidence = decision_evidence(a, f);
	if (detail_text == NULL)
		abort();

	if (closes) {
		/* The flag's new state commits with the journal entry. */
		was = f->state;
		f->state = decisions[i].name[0] == 'd' ? STORE_FLAG_DISMISSED :
		    STORE_FLAG_CONFIRMED;
		f->closed_ms = proto_now_ms();
		flag_store(app, f);
	}
	memset(&e, 0, sizeof e);
	e.actor = app->opt.proctor;
	e.role = "proctor";
	e.kind = decisions[i].name;
	e.feed = a->feed->id;
	e.attempt = a->id;
	e.flag_id = f != NULL ? f->id : 0;
	e.reason_code = d->reason_code != NULL && d->reason_code[0] != '\0' ?
	    d->reason_code : NULL;
	e.reason = d->reason;
	e.evidence = evidence;
	e.detail = detail_text;
	memset(&sc, 0, sizeof sc);
	if (cmd_id[0] != '\0') {
		sc.id = cmd_id;
		sc.feed = a->feed->id;
		sc.attempt = a->id;
		sc.action = decisions[i].name;
		sc.text = d->reason;
		sc.actor = app->opt.proctor;
		sc.sent_ms = proto_now_ms();
	}
	rc = store_journal_append(app->store, &e, cmd_id[0] != '\0' ? &sc :
	    NULL, &out->receipt, err, errlen);
	free(evidence);
	free(detail_text);
	if (rc != 0) {
		if (closes) {
			/* Not recorded: the flag stays open (the queued row
			 * that said otherwise is replaced at the next flush). */
			f->state = was;
			f->closed_ms = 0;
			flag_store(app, f);
		}
		return -1;
	}
	if (closes)
		flag_close(app, f, f->state);
	if (cmd_id[0] != '\0') {
		p = pending_add(app, cmd_id, a,
		    (enum proto_action)decisions[i].action, d->reason,
		    d->request_json);
		cmd_send(cf, p);
		snprintf(out->cmd, sizeof out->cmd, "%s", cmd_id);
	}
	out->flag = f != NULL ? f->id : 0;
	app_status(app, 0, "recorded as journal #%" PRId64 ": %s %s",
	    out->receipt.seq, decisions[i].name, a->id);
	app_journaled(app);
	return 0;
}

/* ---- timers and the loop */

/*
 * Headless: a command the feed has not answered --command-timeout seconds
 * after it was recorded (or loaded at start) is said to be unanswered,
 * once.  It stays pending and is still re-sent on reconnect; an answer
 * that comes later is still printed.
 */
static void
pending_overdue(struct app *app)
{
	struct pending_cmd	*p;
	int64_t			 now = proto_now_ms(), after;

	if (!app->opt.headless)
		return;
	after = (int64_t)(app->opt.command_timeout > 0 ?
	    app->opt.command_timeout : CONSOLE_COMMAND_TIMEOUT_S) * 1000;
	for (p = app->pending; p != NULL; p = p->next) {
		if (p->said_unanswered || now - p->since_ms < after)
			continue;
		p->said_unanswered = 1;
		headless_unanswered(app, p);
	}
}

static void
app_flush_tick(lws_sorted_usec_list_t *sul)
{
	struct app	*app = lws_container_of(sul, struct app, sul_flush);
	char		 err[512];
	int64_t		 sec = proto_now_ms() / 1000;

	/* Holds that reached their time with nothing arriving (a face that
	 * never returns) fire on the feed's clock. */
	rules_engine_tick(app->engine, app_hit, app);
	if (store_flush(app->store, err, sizeof err) != 0)
		app_status(app, 1, "%s (will retry)", err);
	pending_overdue(app);
	if (sec != app->ev_window_sec) {
		app->dirty = 1;		/* the clock, retry countdowns, rate */
		/* Dismissed flags fade from the risk score. */
		model_fade(&app->model, proto_now_ms());
	}
	model_rate_update(&app->model, proto_now_ms());
	lws_sul_schedule(app->ctx, 0, &app->sul_flush, app_flush_tick,
	    FLUSH_TICK_US);
}

static void
app_screen_tick(lws_sorted_usec_list_t *sul)
{
	struct app	*app = lws_container_of(sul, struct app, sul_screen);

	struct pollfd	 pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	/*
	 * The terminal went away (an SSH session dropped, the window was
	 * closed): SIGHUP means "reload the rules" to us, so a hangup is
	 * noticed here.  Commit and quit.
	 */
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR |
	    POLLNVAL)) != 0) {
		app->quit = 1;
		lws_cancel_service(app->ctx);
		return;
	}
	/* lws owns poll(): a resize is only seen when we ask ncurses. */
	ui_input(app->ui);
	if (app->dirty && !app->quit) {
		ui_draw(app->ui);
		app->dirty = 0;
	}
	lws_sul_schedule(app->ctx, 0, &app->sul_screen, app_screen_tick,
	    SCREEN_TICK_US);
}

int
app_stdin_callback(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct app	*app = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (app == NULL)
			break;
		if (app->opt.headless)
			/* At the end of the requests the console goes on. */
			return headless_input(app, lws_get_socket_fd(wsi)) ==
			    -1 ? -1 : 0;
		ui_input(app->ui);
		break;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (app != NULL && app->opt.headless) {
			app->stdin_wsi = NULL;
			break;
		}
		/*
		 * The terminal went away (an SSH session dropped, the window
		 * closed).  SIGHUP means "reload the rules" to us, so this is
		 * how a hangup is noticed: commit and quit.
		 */
		if (app != NULL) {
			app->stdin_wsi = NULL;
			app->quit = 1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * lws would write to stderr, which is the screen.  Its last error line is
 * kept instead, because it often says what a connection error really was
 * ("SSL error: hostname mismatch"), and client.c quotes it.
 */
char	app_lws_last_error[256];
static int app_lws_headless;

static void
app_lws_log(int level, const char *line)
{
	const char	*p = strstr(line, "] E: ");
	size_t		 n;

	if (level != LLL_ERR)
		return;
	p = p != NULL ? p + 5 : line;
	snprintf(app_lws_last_error, sizeof app_lws_last_error, "%s", p);
	n = strlen(app_lws_last_error);
	while (n > 0 && (app_lws_last_error[n - 1] == '\n' ||
	    app_lws_last_error[n - 1] == ' '))
		app_lws_last_error[--n] = '\0';
	if (app_lws_headless)	/* sanitised, rate-limited: feed/limits.h */
		feed_lws_log("invigil", app_lws_last_error);
}

/*
 * The proctor's signing key, created on first use, and its public half in
 * the database so that verify can check the checkpoints it signs.
 */
static int
app_key_init(struct app *app, char *err, size_t errlen)
{
	char	dir[1024];
	int	created = 0;

	if (app->opt.key_dir != NULL)
		snprintf(dir, sizeof dir, "%s", app->opt.key_dir);
	else if (sign_key_dir(dir, sizeof dir, err, errlen) != 0)
		return -1;
	app->key = sign_key_load(dir, app->opt.proctor, &created, err, errlen);
	if (app->key == NULL)
		return -1;
	if (store_key_register(app->store, app->key, app->opt.proctor,
	    "proctor", err, errlen) != 0)
		return -1;
	if (created)
		app_status(app, 0, "created the signing key of %s in %s",
		    app->opt.proctor, sign_key_path(app->key));
	return 0;
}

static void
app_ckpt_tick(lws_sorted_usec_list_t *sul)
{
	struct app	*app = lws_container_of(sul, struct app, sul_ckpt);

	app_checkpoint(app);
	lws_sul_schedule(app->ctx, 0, &app->sul_ckpt, app_ckpt_tick,
	    (lws_usec_t)app->opt.ckpt_minutes * 60 * LWS_US_PER_SEC);
}

/*
 * From the very start: a SIGTERM while the database is being opened or
 * migrated is a request to stop like any other (app_run sees it and exits
 * 0 after committing), not a death half-way.
 */
static void
app_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = app_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
app_init(struct app *app, const struct console_options *opt, char *err,
    size_t errlen)
{
	struct lws_context_creation_info info;
	struct feed_config	fc;
	char			url[64];
	int			i;

	memset(app, 0, sizeof *app);
	app_signals();
	app->opt = *opt;
	app->rules = opt->rules_path != NULL ? rules_load(opt->rules_path, err,
	    errlen) : rules_default();
	if (app->rules == NULL)
		return -1;
	app->engine = app_engine_new(app, app->rules);
	/* Ping a silent feed; hang up when nothing comes back in time. */
	app->idle_policy.secs_since_valid_ping = (uint16_t)(opt->ping_secs > 0 ?
	    opt->ping_secs : 10);
	app->idle_policy.secs_since_valid_hangup =
	    (uint16_t)(app->idle_policy.secs_since_valid_ping * 2 + 5);
	if (store_open(&app->store, opt->db, err, errlen) != 0)
		return -1;
	if (app_key_init(app, err, errlen) != 0)
		return -1;

	app_lws_headless = opt->headless;
	lws_set_log_level(LLL_ERR, app_lws_log);
	memset(&info, 0, sizeof info);
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	    LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	app->ctx = lws_create_context(&info);
	if (app->ctx == NULL) {
		snprintf(err, errlen, "cannot create the WebSocket context");
		return -1;
	}
	if (client_vhost_create(app, err, errlen) != 0)
		return -1;

	if (opt->demo > 0) {
		memset(&fc, 0, sizeof fc);
		fc.listen_host = "127.0.0.1";
		fc.listen_port = 0;
		/* Each demo is a new session: its own feed id, so that a
		 * reused demo.db does not report the last one as lost. */
		snprintf(app->demo_id, sizeof app->demo_id, "demo-%" PRId64,
		    proto_now_ms() / 1000);
		fc.id = app->demo_id;
		fc.name = "built-in simulator";
		fc.simulate = opt->demo;
		fc.seed = opt->demo_seed;
		fc.rate = opt->demo_rate;
		fc.quiet = 1;
		app->demo_feed = feed_attach(app->ctx, &fc, err, errlen);
		if (app->demo_feed == NULL)
			return -1;
		snprintf(url, sizeof url, "ws://127.0.0.1:%d/",
		    feed_port(app->demo_feed));
		if (client_parse_url(&app->feeds[0], url, err, errlen) != 0)
			return -1;
		app->nfeeds = 1;
	}
	for (i = 0; i < opt->nfeeds && app->nfeeds < CONSOLE_MAX_FEEDS; i++) {
		if (client_parse_url(&app->feeds[app->nfeeds], opt->feeds[i],
		    err, errlen) != 0)
			return -1;
		app->nfeeds++;
	}
	for (i = 0; i < app->nfeeds; i++) {
		struct console_feed	*cf = &app->feeds[i];
		char			 id[PROTO_ID_MAX + 1];
		int64_t			 epoch, last;
		int			 known;

		cf->app = app;
		cf->index = i;
		/* Resume from the first hello if this URL was seen before:
		 * the feed id it answered as, until a welcome says. */
		known = store_feed_by_url(app->store, cf->url, id, sizeof id,
		    &epoch, &last, err, errlen);
		if (known < 0)
			return -1;
		if (known == 0)
			continue;
		if ((cf->session = app_session_find(app, id)) == NULL) {
			if ((cf->session = session_new(app, id, err,
			    errlen)) == NULL)
				return -1;
			model_session_position(cf->session, epoch, last);
		}
		if (cf->session->link == NULL)
			cf->session->link = cf;
	}
	return session_load(app, NULL, err, errlen);
}

/* Say goodbye (close 1000) to every feed, waiting at most half a second. */
static void
app_close_feeds(struct app *app)
{
	int64_t	deadline = proto_now_ms() + 500;
	int	i, open;

	for (i = 0; i < app->nfeeds; i++) {
		lws_sul_cancel(&app->feeds[i].sul_retry);
		client_close(&app->feeds[i], PROTO_CLOSE_NORMAL, "console quit");
	}
	do {
		for (open = 0, i = 0; i < app->nfeeds; i++)
			open += app->feeds[i].wsi != NULL;
		if (open == 0 || lws_service(app->ctx, 0) < 0)
			break;
	} while (proto_now_ms() < deadline);
}

/*
 * SIGHUP: read the rule file again.  A bad file keeps the rules in force
 * and says so; a good one replaces them, and the windows and holds in
 * progress start afresh (open flags stay open).
 */
void
app_reload_rules(struct app *app)
{
	struct rules	*r;
	char		 err[1024];

	if (app->opt.rules_path == NULL) {
		app_status(app, 0, "SIGHUP: no --rules file; the built-in "
		    "rules stay in force");
		return;
	}
	r = rules_load(app->opt.rules_path, err, sizeof err);
	if (r == NULL) {
		app_status(app, 1, "rules NOT reloaded, the old rules stay in "
		    "force: %s", err);
		return;
	}
	rules_engine_free(app->engine);
	rules_free(app->rules);
	app->rules = r;
	app->engine = app_engine_new(app, r);
	app_status(app, 0, "rules reloaded from %s: %zu rules",
	    app->opt.rules_path, rules_count(r));
}

int
app_run(struct app *app)
{
	lws_sock_file_fd_type	fd;
	char			err[512];
	int			i, in;

	app_signal_ctx = app->ctx;

	if (!app->opt.headless)
		app->ui = ui_start(app);
	{
		/* The keyboard, or the headless requests. */
		in = dup(STDIN_FILENO);
		if (in >= 0) {
			fd.filefd = in;
			app->stdin_wsi = lws_adopt_descriptor_vhost(
			    app->client_vhost, LWS_ADOPT_RAW_FILE_DESC, fd,
			    "invigil-stdin", NULL);
			if (app->stdin_wsi == NULL)
				close(in);
			else
				lws_set_opaque_user_data(app->stdin_wsi, app);
		}
	}
	if (!app->opt.headless) {
		lws_sul_schedule(app->ctx, 0, &app->sul_screen,
		    app_screen_tick, 1);
		app->dirty = 1;
	}
	for (i = 0; i < app->nfeeds; i++)
		client_connect(&app->feeds[i]);
	lws_sul_schedule(app->ctx, 0, &app->sul_flush, app_flush_tick,
	    FLUSH_TICK_US);
	lws_sul_schedule(app->ctx, 0, &app->sul_ckpt, app_ckpt_tick,
	    (lws_usec_t)app->opt.ckpt_minutes * 60 * LWS_US_PER_SEC);

	while (!app->quit && !app_signalled) {
		if (lws_service(app->ctx, 0) < 0)
			break;
		if (app_hup) {
			app_hup = 0;
			app_reload_rules(app);
		}
	}
	app->quit = 1;
	app_close_feeds(app);

	if (app->ui != NULL) {
		ui_stop(app->ui);
		app->ui = NULL;
	}
	if (store_flush(app->store, err, sizeof err) != 0) {
		fprintf(stderr, "invigil: %s\n", err);
		app->exit_status = EXIT_RUNTIME;
	}
	/* At exit, a signed checkpoint of everything journaled. */
	if (app->key != NULL && store_checkpoint(app->store, app->key, NULL,
	    err, sizeof err) != 0) {
		fprintf(stderr, "invigil: %s\n", err);
		app->exit_status = EXIT_RUNTIME;
	}
	return app->exit_status;
}

void
app_free(struct app *app)
{
	struct pending_cmd	*p, *pnext;
	char			 err[512];
	int			 j;

	app_signal_ctx = NULL;
	if (app->ctx != NULL)
		lws_context_destroy(app->ctx);
	feed_detach(app->demo_feed);
	for (j = 0; j < app->nfeeds; j++) {
		proto_rx_free(&app->feeds[j].rx);
		proto_txq_clear(&app->feeds[j].txq);
	}
	if (app->store != NULL && store_close(app->store, err, sizeof err) != 0)
		fprintf(stderr, "invigil: %s\n", err);
	if (app->engine != NULL)
		rules_engine_free(app->engine);
	if (app->rules != NULL)
		rules_free(app->rules);
	for (p = app->pending; p != NULL; p = pnext) {
		pnext = p->next;
		free(p->request);
		free(p);
	}
	sign_key_free(app->key);
	free(app->req_buf);
	model_free(&app->model);
}
