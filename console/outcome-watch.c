/*
 * outcome-watch.c - the console's view of attempts' outcomes kept up to
 * date (see outcome-watch.h).
 *
 * Admins record acts in another process, in short write transactions of
 * their own (store_outcome_record); the console, the file's writer, reads
 * them on a read-only connection of its own (a store_reader), in WAL
 * mode, so the poll never waits for the admin nor holds the console's
 * writes: it reads one snapshot of the rows appended since the last poll
 * (by the journal's primary key: store_outcome_since) and folds the
 * outcome acts among them into app->outcomes.  An act on an attempt the
 * console does not hold, of a candidate it does not hold, costs a skipped
 * row once the table is half full (outcomes.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "console/app.h"
#include "console/headless.h"
#include "console/outcome-watch.h"

/* The work one read may do (store_reader_limit): far more than reading
 * the acts of any real journal needs, reset before each read so that a
 * console running for days never reaches it. */
#define OUTCOME_WATCH_STEPS	(1000ULL * 1000 * 1000)

/* The attempt (feed, attempt) as the model holds it, or NULL. */
static struct attempt *
outcome_watch_attempt(struct app *app, const char *feed, const char *attempt)
{
	struct feed_session	*fs;

	if (feed == NULL || attempt == NULL ||
	    (fs = model_session_find(&app->model, feed)) == NULL)
		return NULL;
	return model_attempt_find(&app->model, fs, attempt);
}

/* Whether candidate is the candidate of an attempt the model holds (a
 * scan: asked only once the table is half full, for a rare act). */
static int
outcome_watch_candidate(struct app *app, const char *candidate)
{
	size_t	i;

	if (candidate == NULL || *candidate == '\0')
		return 0;
	for (i = 0; i < app->model.nattempts; i++)
		if (strcmp(app->model.attempts[i]->candidate, candidate) == 0)
			return 1;
	return 0;
}

/* One act read: fold it; a change is drawn, and printed headless. */
static int
outcome_watch_one(const struct outcome_since *s, void *arg)
{
	struct app		*app = arg;
	struct outcomes		*t = &app->outcomes;
	struct attempt		*a;
	int			 held;

	a = outcome_watch_attempt(app, s->feed, s->attempt);
	/* Whether it is held matters only when the table is half full. */
	held = a != NULL || t->n < t->max / 2 ||
	    outcome_watch_candidate(app, s->candidate);
	if (outcomes_fold(t, s->feed, s->attempt, s->candidate,
	    s->entry.seq, &s->entry.act, held) == 1) {
		app->model.dirty = 1;
		if (a != NULL && app->opt.headless && app->outcome_live)
			headless_outcome(app, a, outcomes_find(t, s->feed,
			    s->attempt));
	}
	return 0;
}

/* Read what was journaled since the last read: 0, or -1 with a sentence. */
static int
outcome_watch_read(struct app *app, char *err, size_t errlen)
{
	uint64_t	dropped = app->outcomes.dropped;
	int		n;

	do {
		store_reader_limit(app->outcome_reader, OUTCOME_WATCH_STEPS);
		n = store_outcome_since(app->outcome_reader,
		    &app->outcome_after, OUTCOME_WATCH_ROWS, outcome_watch_one,
		    app, err, errlen);
		/* At start everything is read; running, one batch a poll. */
	} while (n == OUTCOME_WATCH_ROWS && !app->outcome_live);
	if (app->outcomes.dropped > dropped && !app->said_outcomes_full) {
		app->said_outcomes_full = 1;
		app_status(app, 1, "outcomes: %zu attempts' outcomes kept, the "
		    "most this console keeps; the others are not marked",
		    app->outcomes.n);
	}
	return n < 0 ? -1 : 0;
}

int
outcome_watch_start(struct app *app, char *err, size_t errlen)
{
	outcomes_init(&app->outcomes, app_max_attempts_all(app));
	if (store_reader_open(&app->outcome_reader, app->opt.db, err,
	    errlen) == -1)
		return -1;
	app->outcome_after = 0;
	app->outcome_live = 0;
	if (outcome_watch_read(app, err, errlen) == -1)
		return -1;
	app->outcome_live = 1;
	app->outcome_next_ms = proto_now_ms() + OUTCOME_WATCH_MS;
	return 0;
}

void
outcome_watch_poll(struct app *app, int64_t now_ms)
{
	char	err[512];

	if (app->outcome_reader == NULL || now_ms < app->outcome_next_ms)
		return;
	app->outcome_next_ms = now_ms + OUTCOME_WATCH_MS;
	if (outcome_watch_read(app, err, sizeof err) == -1)
		app_status(app, 1, "outcomes: %s (will retry)", err);
}

void
outcome_watch_stop(struct app *app)
{
	if (app->outcome_reader != NULL)
		store_reader_close(app->outcome_reader);
	app->outcome_reader = NULL;
	outcomes_free(&app->outcomes);
}
