/*
 * app.c - what every part of the console shares (see app.h): the status
 * line, the bounds from the options, the lookups the screen and the
 * headless requests use, flags and gaps as the store keeps them, signed
 * checkpoints, and reloading the rules.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/app.h"
#include "console/outcome-watch.h"

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
	app->model.dirty = 1;
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

/* Since when a's feed is live, or -1: not live, replaced, or a in a
 * network outage (OFFLINE). */
static int64_t
app_live_since(const struct attempt *a, void *arg)
{
	const struct feed_link	*cf = a->feed->link;

	(void)arg;
	if (cf == NULL || cf->state != CONN_LIVE || cf->session != a->feed ||
	    a->feed->replaced_by[0] != '\0' ||
	    a->offline)
		return -1;
	return cf->live_ms;
}

void
app_missing(struct app *app, int64_t now_ms)
{
	model_missing(&app->model, now_ms, (int64_t)app->opt.missing_secs *
	    1000, app_live_since, app);
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

struct feed_session *
app_session_new(struct app *app, const char *id, char *err, size_t errlen)
{
	struct feed_session	*fs;

	fs = model_session_new(&app->model, id, session_linked, app, err,
	    errlen);
	if (fs != NULL)
		fs->simulated = app->demo_id[0] != '\0' &&
		    strcmp(app->demo_id, id) == 0;
	return fs;
}

void
app_flag_store(struct app *app, const struct flag *f)
{
	struct store_flag	sf;
	char			err[512], evidence[FLAGS_EVIDENCE_TEXT];

	flags_to_store(f, f->attempt->feed->id, f->attempt->id, &sf, evidence,
	    sizeof evidence);
	if (store_put_flag(app->store, &sf, err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
}

struct flag *
app_flag_top(struct attempt *a)
{
	return flags_top(a->flags);
}

void
app_flag_close(struct app *app, struct flag *f, enum store_flag_state state)
{
	struct attempt	*a = f->attempt;

	model_flag_seen(&app->model, f);	/* decided: looked at */
	flags_close(&a->flags, &a->closed, f, state, proto_now_ms());
	app_flag_store(app, f);
	model_recount(&app->model, a);
	app->model.open_flags--;
}

/* --max-attempts and --max-clock-skew, or their defaults when unset. */
size_t
app_max_attempts(const struct app *app)
{
	return app->opt.max_attempts > 0 ? (size_t)app->opt.max_attempts :
	    CONSOLE_MAX_ATTEMPTS;
}

/* ... times the number of feeds: what the console holds in all. */
size_t
app_max_attempts_all(const struct app *app)
{
	int	feeds = app->opt.nfeeds + (app->opt.demo > 0);

	return app_max_attempts(app) * (size_t)(feeds > 0 ? feeds : 1);
}

int64_t
app_max_skew_ms(const struct app *app)
{
	return app->opt.max_skew_ms > 0 ? app->opt.max_skew_ms :
	    CONSOLE_MAX_SKEW_S * INT64_C(1000);
}

/* A rules engine that holds no more attempts than the console does. */
struct rules_engine *
app_engine_new(struct app *app, const struct rules *r)
{
	struct rules_engine	*e = rules_engine_new(r);

	rules_engine_limits(e, &(struct rules_limits){
	    .attempts_per_feed = app_max_attempts(app),
	    .attempts = app_max_attempts_all(app),
	});
	return e;
}

int
app_notice(struct app *app, size_t i, char *out, size_t outsz)
{
	const struct feed_session	*fb;
	struct rules_stats		 st;
	size_t				 len = 0;

	out[0] = '\0';
	if (i == (size_t)app->model.nsessions) {
		rules_engine_stats(app->engine, &st);
		if (st.unlinked > 0)
			snprintf(out, outsz, " links: %" PRIu64 " values not "
			    "linked, the link table is full (%zu values): "
			    "shared device or network flags may be missing",
			    st.unlinked, st.link_values);
		return 0;
	}
	if (i > (size_t)app->model.nsessions)
		return -1;
	fb = app->model.sessions[i];
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

/* Record seqs from..to of the session's epoch as lost (to < from: open). */
void
app_session_gap(struct app *app, struct feed_session *fs, int64_t from,
    int64_t to, const char *why)
{
	char	err[512];

	fs->gaps++;
	if (store_add_gap(app->store, fs->id, fs->epoch, from, to, why,
	    proto_now_ms(), err, sizeof err) != 0)
		app_status(app, 1, "%s", err);
}

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

	for (i = 0; i < app->model.nattempts; i++) {
		a = app->model.attempts[i];
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
void
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
	size_t		 i;

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
	/* A new engine has seen no network_lost yet. */
	for (i = 0; i < app->model.nattempts; i++)
		app->model.attempts[i]->offline = 0;
	app_status(app, 0, "rules reloaded from %s: %zu rules",
	    app->opt.rules_path, rules_count(r));
}

void
app_clear(struct app *app)
{
	char	err[512];

	/* Readers first: the writer's close checkpoints the WAL into the
	 * file and removes it only when it is the last connection. */
	outcome_watch_stop(app);
	if (app->store != NULL && store_close(app->store, err, sizeof err) != 0)
		fprintf(stderr, "invigil: %s\n", err);
	app->store = NULL;
	if (app->engine != NULL)
		rules_engine_free(app->engine);
	app->engine = NULL;
	if (app->rules != NULL)
		rules_free(app->rules);
	app->rules = NULL;
	sign_key_free(app->key);
	app->key = NULL;
	free(app->req_buf);
	app->req_buf = NULL;
	model_free(&app->model);
}
