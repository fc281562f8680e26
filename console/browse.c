/*
 * browse.c - `invigil review browse`: the console's views (the attempts
 * table, the detail with its timeline, the flags queue, the journal, the
 * help) over a stored database, for analysts.  Read-only: a store_reader,
 * never the store; no feed, no network, no signing key; acts are refused
 * on the screen (ui.c) and in the adapter (ui_decide).
 *
 * The model is built from the database's rows as the console builds it
 * at restart (restore.c), but of every feed and every origin (a case
 * database review import merged): the attempts (review's reader, with
 * their centre), their flags with their states, the events counted on
 * their attempts (read once, by row id, then only the new ones) and the
 * outcomes the journal holds (outcome-watch.c).  There is no live clock:
 * MISSING is not worked out (--missing-secs is off), states are as
 * stored, and ages count from now (the wall clock).  Every
 * BROWSE_REREAD_MS (or four times what the last read took) the files are
 * looked at, and read again when they changed (a console still writing):
 * new attempts, flags and events appear, closed flags close.  Attempts
 * never go.
 *
 * The loop is poll(2) on the terminal with a timeout: no libwebsockets.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console/app.h"
#include "console/browse.h"
#include "console/outcome-watch.h"
#include "console/view.h"
#include "store/review.h"

#define BROWSE_POLL_MS	100	/* keys are read at least this often */

static volatile sig_atomic_t	browse_signalled;

static void
browse_on_signal(int sig)
{
	(void)sig;
	browse_signalled = 1;
}

/* The size and time of path into st[0..1] (0 when there is no file). */
static void
browse_stamp_file(const char *path, int64_t *st)
{
	struct stat	sb;

	st[0] = st[1] = 0;
	if (lstat(path, &sb) != 0)
		return;
	st[0] = (int64_t)sb.st_size;
	st[1] = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
}

/* Whether the database or its -wal changed since the last read (and
 * remember them as they are now). */
static int
browse_changed(struct app *app)
{
	char	wal[1100];
	int64_t	now[4];

	browse_stamp_file(app->opt.db, now);
	snprintf(wal, sizeof wal, "%s-wal", app->opt.db);
	browse_stamp_file(wal, now + 2);
	if (memcmp(now, app->browse_stamp, sizeof now) == 0)
		return 0;
	memcpy(app->browse_stamp, now, sizeof now);
	return 1;
}

/* One stored attempt into the model: made on first sight (bounded), its
 * names, centre and state brought up to date. */
static int
browse_attempt(const struct store_review_attempt *r, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs;
	struct attempt		*a;
	char			 err[256];
	int			 v;

	if (r->feed == NULL || r->attempt == NULL)
		return 0;
	if ((fs = app_session_find(app, r->feed)) == NULL &&
	    (fs = app_session_new(app, r->feed, err, sizeof err)) == NULL) {
		app->browse_over++;
		return 0;
	}
	if ((a = model_attempt_find(&app->model, fs, r->attempt)) == NULL) {
		if (app->model.nattempts >= BROWSE_MAX_ATTEMPTS) {
			app->browse_over++;
			return 0;
		}
		a = model_attempt_get(&app->model, fs, r->attempt);
	}
	snprintf(a->candidate, sizeof a->candidate, "%s", r->candidate != NULL ?
	    r->candidate : "");
	snprintf(a->name, sizeof a->name, "%s", r->name != NULL ? r->name : "");
	snprintf(a->center, sizeof a->center, "%s", r->center != NULL ?
	    r->center : "");
	if (r->state != NULL && (v = proto_state_parse(r->state)) >= 0)
		a->state = (enum proto_state)v;
	app->model.order_dirty = 1;
	return 0;
}

/* One stored flag: a new one is put in its attempt's lists, a known one
 * that was closed since is closed here too. */
static int
browse_flag(const struct store_review_flag *r, void *arg)
{
	struct app		*app = arg;
	const struct store_flag	*sf = &r->flag;
	struct feed_session	*fs;
	struct attempt		*a;
	struct flag		*f;

	if (sf->feed == NULL || sf->attempt == NULL ||
	    (fs = app_session_find(app, sf->feed)) == NULL ||
	    (a = model_attempt_find(&app->model, fs, sf->attempt)) == NULL)
		return 0;
	if ((f = flags_find(a->flags, sf->id)) == NULL &&
	    (f = flags_find(a->closed, sf->id)) == NULL) {
		f = flags_from_store(&app->model.flagset, sf, a);
		flags_put(&a->flags, &a->closed, f);
		if (f->state == STORE_FLAG_OPEN)
			app->model.open_flags++;
	} else {
		if (f->state == STORE_FLAG_OPEN &&
		    sf->state != STORE_FLAG_OPEN) {
			flags_close(&a->flags, &a->closed, f, sf->state,
			    sf->closed_ms);
			app->model.open_flags--;
		}
		f->count = sf->count;
		f->last_ms = sf->last_ms;
		f->last_seq = sf->last_seq;
	}
	model_recount(&app->model, a);
	return 0;
}

/* One event: counted on its attempt, the last one shown, and in the
 * recent events. */
static int
browse_event(int64_t id, const char *feed, const char *attempt,
    const char *kind, int64_t ts_ms, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs;
	struct attempt		*a;
	int			 v;

	app->browse_event_id = id;
	if (attempt == NULL || (fs = app_session_find(app, feed)) == NULL ||
	    (a = model_attempt_find(&app->model, fs, attempt)) == NULL)
		return 0;
	a->events++;
	/* The pane of recent events: the newest stored, in commit order. */
	model_tail_add(&app->model, fs->id, ts_ms, "%s %s", a->id,
	    kind != NULL ? kind : "-");
	if (kind != NULL && (v = proto_event_kind_parse(kind)) >= 0 &&
	    (!a->has_event || ts_ms >= a->last_ms)) {
		a->last_kind = (enum proto_event_kind)v;
		a->last_ms = ts_ms;
		a->has_event = 1;
	}
	return 0;
}

/* The events since the last read, at most BROWSE_EVENTS_READ. */
static int
browse_events(struct app *app, char *err, size_t errlen)
{
	int	n;

	n = store_query_events_after(app->browse_reader, app->browse_event_id,
	    BROWSE_EVENTS_READ, browse_event, app, err, errlen);
	if (n < 0)
		return -1;
	app->browse_more = n == BROWSE_EVENTS_READ;
	app->model.order_dirty = 1;
	app->model.dirty = 1;
	return 0;
}

/* The attempts, then their flags, on the open reader. */
static int
browse_read(struct app *app, char *err, size_t errlen)
{
	struct store_review_filter	filter;

	memset(&filter, 0, sizeof filter);
	filter.feed = app->opt.nfeeds > 0 ? app->opt.feeds[0] : NULL;
	app->browse_over = 0;
	if (store_review_attempts(app->browse_reader, &filter, browse_attempt,
	    app, err, errlen) < 0 || store_review_flags(app->browse_reader,
	    &filter, browse_flag, app, err, errlen) < 0 ||
	    browse_events(app, err, errlen) != 0)
		return -1;
	app->model.dirty = 1;
	return 0;
}

int
browse_load(struct app *app, char *err, size_t errlen)
{
	int	tries, changed;

	/* The first read always: a missing file has no stamp either. */
	changed = browse_changed(app);
	if (app->browse_reader != NULL && !changed)
		return app->browse_more ? browse_events(app, err, errlen) : 0;
	/*
	 * A fresh reader each time the files changed: one opened immutable
	 * (no writer then) keeps its pages whatever happens to the file.
	 * When a console starts writing during the read, read again the
	 * ordinary way.
	 */
	for (tries = 0; tries < 2; tries++) {
		if (app->browse_reader != NULL)
			store_reader_close(app->browse_reader);
		if (store_reader_open(&app->browse_reader, app->opt.db, err,
		    errlen) != 0) {
			app->browse_reader = NULL;
			return -1;
		}
		if (browse_read(app, err, errlen) != 0)
			return -1;
		if (!store_reader_stale(app->browse_reader))
			break;
	}
	if (app->browse_over > 0)
		app_status(app, 1, "%zu attempts not shown: the browser holds "
		    "%d (use invigil review attempts for all)",
		    app->browse_over, BROWSE_MAX_ATTEMPTS);
	return 0;
}

int
browse_open(struct app *app, char *err, size_t errlen)
{
	store_reader_no_wal(1);
	app->browse = app->opt.db;
	app->rules = rules_default();
	app->engine = app_engine_new(app, app->rules);
	if (browse_load(app, err, errlen) != 0)
		return -1;
	if (outcome_watch_start(app, err, errlen) != 0) {
		app_status(app, 1, "outcomes are not shown: %s", err);
		outcome_watch_stop(app);
	}
	return 0;
}

int
browse_run(struct app *app)
{
	struct sigaction	 sa;
	struct pollfd		 pfd;
	char			 err[512];
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	int64_t			 now, next_read, took;
	size_t			 i;

	/* Each ends the browser, which has nothing to save: the terminal
	 * is given back. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = browse_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	app->ui = ui_start(app);
	if (view_attempts_open(app->ui) != 0) {
		ui_stop(app->ui);
		app->ui = NULL;
		return EXIT_RUNTIME;
	}
	if (app->status[0] == '\0')
		app_status(app, 0, "read-only review browser: Enter opens an "
		    "attempt, Tab the flags queue and the journal, q quits");
	app->model.dirty = 1;
	next_read = proto_now_ms() + BROWSE_REREAD_MS;
	while (!app->quit && !browse_signalled) {
		if (app->model.dirty) {
			ui_draw(app->ui);
			app->model.dirty = 0;
		}
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, BROWSE_POLL_MS) == -1 && errno != EINTR)
			break;
		/* The terminal went away: nothing to save, leave. */
		if ((pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0)
			break;
		ui_input(app->ui);
		if ((now = proto_now_ms()) < next_read)
			continue;
		if (browse_load(app, err, sizeof err) != 0)
			app_status(app, 1, "%s", err);
		/* A large database read often would keep the browser busy. */
		took = proto_now_ms() - now;
		next_read = proto_now_ms() + (took * BROWSE_REREAD_TIMES >
		    BROWSE_REREAD_MS ? took * BROWSE_REREAD_TIMES :
		    BROWSE_REREAD_MS);
		outcome_watch_poll(app, now);
		model_fade(&app->model, now);
		app->model.dirty = 1;	/* the clock, the journal's re-read */
	}
	ui_stop(app->ui);
	app->ui = NULL;
	return 0;
}

void
browse_close(struct app *app)
{
	outcome_watch_stop(app);
	if (app->browse_reader != NULL)
		store_reader_close(app->browse_reader);
	app->browse_reader = NULL;
	app_clear(app);
}
