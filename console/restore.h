/*
 * restore.h - loading the console's state at start (restore.c).
 */
#ifndef INVIGIL_RESTORE_H
#define INVIGIL_RESTORE_H

#include <stddef.h>

struct app;
struct feed_session;

/*
 * The rules (--rules, or the defaults) and their engine, the store, and
 * the proctor's signing key (created on first use; its public half
 * registered in the database so that verify can check the checkpoints it
 * signs).  0, or -1 with a sentence in err.
 */
int		 restore_open(struct app *, char *err, size_t errlen);
/*
 * For each feed link, the session its URL last answered as (its position,
 * so that the first hello resumes), what the database holds of those
 * feeds, and the attempts' outcomes (outcome_watch_start; a failure there
 * is said on the status line, not returned).  0, or -1 with a sentence in
 * err.
 */
int		 restore_feeds(struct app *, char *err, size_t errlen);
/*
 * What the database holds of the feeds with a session (only, or all when
 * NULL): their attempts, flags and unacknowledged commands.  At start-up
 * for the feeds last seen at the URLs, and for a feed id that first
 * answers later (at another URL, or again after it was replaced), so that
 * its candidates, open flags and pending commands are there as before.
 * Attempts also prime the rules engine's links without raising anything.
 */
int		 restore_session(struct app *, struct feed_session *only,
		    char *err, size_t errlen);

#endif /* INVIGIL_RESTORE_H */
