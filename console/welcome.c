/*
 * welcome.c - the feed-session handshake: a feed's welcome says which feed
 * id answers at a URL, its epoch and how far it has numbered.  The link
 * gets that feed's session (made, and filled from the database, on first
 * contact); a URL that answers as another feed id than before leaves the
 * old feed's attempts, flags and commands its own (feed_replaced); a new
 * epoch is recorded as a gap; the commands the feed has not acknowledged
 * are sent again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "console/app.h"
#include "console/ingest.h"
#include "console/link.h"
#include "console/pending.h"
#include "console/restore.h"

/*
 * The URL of cf answered as feed fs where it answered as old before.  The
 * old feed's attempts, flags and commands stay its own: its unacknowledged
 * commands are not sent to the new feed (nor anywhere, until old answers
 * again), and the proctor and the journal are told.
 */
static void
feed_replaced(struct app *app, struct feed_link *cf,
    struct feed_session *old, struct feed_session *fs)
{
	struct store_journal_entry	 e;
	json_t				*detail, *unsent;
	char				*detail_text, reason[600], err[512];
	int				 n = 0;

	old->link = NULL;
	snprintf(old->replaced_by, sizeof old->replaced_by, "%s", fs->id);
	snprintf(old->replaced_url, sizeof old->replaced_url, "%s", cf->url);
	unsent = json_array();
	n = pending_replaced(app, old, unsent);
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

void
ingest_welcome(struct app *app, struct feed_link *cf,
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
			link_close(cf, PROTO_CLOSE_POLICY, "duplicate feed id");
			return;
		}
	}
	if (fs == NULL) {
		/* First contact with this id: what does the database hold? */
		fs = app_session_new(app, w->feed, err, sizeof err);
		if (fs == NULL) {
			app_status(app, 1, "%s: %s", cf->url, err);
			cf->state = CONN_STOPPED;
			link_close(cf, PROTO_CLOSE_POLICY, "too many feed ids");
			return;
		}
		known = store_feed_position(app->store, fs->id, &epoch, &last,
		    err, sizeof err);
		if (known < 0)
			app_status(app, 1, "%s", err);
		if (known == 1 && epoch != 0)
			model_session_position(fs, epoch, last);
		if (known == 1 && restore_session(app, fs, err, sizeof err) != 0)
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
	app->model.dirty = 1;

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
		link_close(cf, PROTO_CLOSE_NORMAL, "feed id changed; "
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
		app_session_gap(app, fs, fs->last_seq + 1, fs->last_seq, why);
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
	cf->live_ms = proto_now_ms();
	pending_resend(app, cf);
}
