/*
 * outcome-watch.h - how the console learns attempts' outcomes from the
 * database it writes (outcome-watch.c): all of them at start, then the
 * acts journaled since, every OUTCOME_WATCH_MS, by admins in another
 * process (invigil-admin(1)).
 */
#ifndef INVIGIL_OUTCOME_WATCH_H
#define INVIGIL_OUTCOME_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct app;

#define OUTCOME_WATCH_MS	2000	/* between two polls */
#define OUTCOME_WATCH_ROWS	1024	/* acts read by one poll at most */

/*
 * Open a reader beside the store on app's database and fold every outcome
 * act the journal holds into app->outcomes (the attempts loaded first,
 * so that what they hold is kept first).  0, or -1 with a sentence (the
 * console then runs without outcomes: the caller says so).
 */
int		 outcome_watch_start(struct app *, char *err, size_t errlen);
/*
 * At now_ms, if OUTCOME_WATCH_MS have passed since the last: read the
 * acts journaled since (at most OUTCOME_WATCH_ROWS; the rest at the next
 * turn), fold them, and when an attempt's marker changes redraw (and,
 * headless, print its line).  A failed read is said on the status line
 * and tried again at the next poll.
 */
void		 outcome_watch_poll(struct app *, int64_t now_ms);
/* Close the reader and free the table. */
void		 outcome_watch_stop(struct app *);

#endif /* INVIGIL_OUTCOME_WATCH_H */
