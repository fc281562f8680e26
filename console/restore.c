/*
 * restore.c - the console's state at start, from the database: the rules,
 * the store, the proctor's signing key, and for the feeds this database
 * has seen at these URLs their sessions (positions), attempts, flags and
 * unacknowledged commands, so that a restarted console shows everything
 * it showed and resumes each feed where it stopped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/app.h"
#include "console/outcome-watch.h"
#include "console/pending.h"
#include "console/restore.h"

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

/* At start-up: an attempt whose screen a lock left locked (the feed
 * acknowledged it, and no resume since) shows LOCKED again. */
static void
locked_load_one(const struct store_command *c, void *arg)
{
	struct app		*app = arg;
	struct feed_session	*fs = app_session_find(app, c->feed);
	struct attempt		*a;

	if (fs == NULL || !session_loading(app, fs))
		return;
	if ((a = model_attempt_find(&app->model, fs, c->attempt)) != NULL)
		a->locked = 1;
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
	snprintf(a->center, sizeof a->center, "%s", sa->center != NULL ?
	    sa->center : "");
	snprintf(a->ip, sizeof a->ip, "%s", sa->ip != NULL ? sa->ip : "");
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
	f = flags_from_store(&app->model.flagset, sf, a);
	flags_put(&a->flags, &a->closed, f);
	if (f->state == STORE_FLAG_OPEN)
		app->model.open_flags++;
	model_recount(&app->model, a);
}

/* The loaders above, for the feeds with a session (see restore.h). */
int
restore_session(struct app *app, struct feed_session *only, char *err,
    size_t errlen)
{
	int	rc = -1;

	app->load_only = only;
	if (store_each_attempt(app->store, attempt_load_one, app, err,
	    errlen) == 0 && store_each_flag(app->store, flag_load_one, app,
	    err, errlen) == 0 && store_commands_pending(app->store,
	    pending_load_one, app, err, errlen) == 0 &&
	    store_commands_locked(app->store, locked_load_one, app, err,
	    errlen) == 0)
		rc = 0;
	app->load_only = NULL;
	return rc;
}

/* The proctor's signing key, created on first use, the store's signer,
 * and its public half in the database so that verify can check the
 * checkpoints and entries it signs. */
static int
restore_key(struct app *app, char *err, size_t errlen)
{
	char	dir[1024];
	int	created = 0;

	if (sign_key_dir_or(app->opt.key_dir, dir, sizeof dir, err,
	    errlen) != 0)
		return -1;
	app->key = sign_key_load(dir, app->opt.proctor, &created, err, errlen);
	if (app->key == NULL)
		return -1;
	/* It signs every entry this console journals, a feed's
	 * acknowledgements included (the store holds it until closed). */
	store_set_signer(app->store, app->key);
	if (store_key_register(app->store, app->key, app->opt.proctor,
	    "proctor", err, errlen) != 0)
		return -1;
	if (created)
		app_status(app, 0, "created the signing key of %s in %s",
		    app->opt.proctor, sign_key_path(app->key));
	return 0;
}

int
restore_open(struct app *app, char *err, size_t errlen)
{
	app->rules = app->opt.rules_path != NULL ? rules_load(
	    app->opt.rules_path, err, errlen) : rules_default();
	if (app->rules == NULL)
		return -1;
	app->engine = app_engine_new(app, app->rules);
	if (store_open(&app->store, app->opt.db, err, errlen) != 0)
		return -1;
	return restore_key(app, err, errlen);
}

int
restore_feeds(struct app *app, char *err, size_t errlen)
{
	int	i;

	for (i = 0; i < app->nfeeds; i++) {
		struct feed_link	*cf = &app->feeds[i];
		char			 id[PROTO_ID_MAX + 1];
		int64_t			 epoch, last;
		int			 known;

		/* Resume from the first hello if this URL was seen before:
		 * the feed id it answered as, until a welcome says. */
		known = store_feed_by_url(app->store, cf->url, id, sizeof id,
		    &epoch, &last, err, errlen);
		if (known < 0)
			return -1;
		if (known == 0)
			continue;
		if ((cf->session = app_session_find(app, id)) == NULL) {
			if ((cf->session = app_session_new(app, id, err,
			    errlen)) == NULL)
				return -1;
			model_session_position(cf->session, epoch, last);
		}
		if (cf->session->link == NULL)
			cf->session->link = cf;
	}
	if (restore_session(app, NULL, err, errlen) != 0)
		return -1;
	/* The outcomes the journal holds, the attempts loaded first (what
	 * they hold is kept first).  Without them the console still runs. */
	if (outcome_watch_start(app, err, errlen) != 0) {
		app_status(app, 1, "outcomes are not shown: %s", err);
		outcome_watch_stop(app);
	}
	return 0;
}
