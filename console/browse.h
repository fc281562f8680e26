/*
 * browse.h - `invigil review browse` (browse.c): the console's views over
 * a stored database, read-only, with no feed and no network.
 */
#ifndef INVIGIL_BROWSE_H
#define INVIGIL_BROWSE_H

#include <stddef.h>

struct app;

/* Attempts the browser holds, of every feed: the rest are counted. */
#define BROWSE_MAX_ATTEMPTS	200000
/* How often the database is looked at again for new rows (at least: a
 * read that took long waits BROWSE_REREAD_TIMES its time). */
#define BROWSE_REREAD_MS	2000
#define BROWSE_REREAD_TIMES	4
/* Events counted per read: the rest at the next. */
#define BROWSE_EVENTS_READ	500000

/*
 * Open the database app->opt.db read-only (store_reader_no_wal(): no -wal
 * or -shm is made beside a database that has none), with the default
 * rules' engine and no store, key or feed, and load it (browse_load()).
 * feed: only that feed's attempts, or NULL.  0, or -1 with a sentence (a
 * missing file, not an invigil database, a newer schema).
 */
int		 browse_open(struct app *, char *err, size_t errlen);
/*
 * Read the attempts (every feed's, or opt.feeds[0]'s) and their flags
 * into the model: new ones added, the states and flags of known ones
 * brought up to date (attempts never go: the database deletes none); and
 * the events committed since the last read, at most BROWSE_EVENTS_READ,
 * counted on their attempts (EVENTS, LAST EVENT).  Skipped when the
 * database and its -wal have not changed since the last read and no
 * events are left to count.  0, or -1 with a sentence.
 */
int		 browse_load(struct app *, char *err, size_t errlen);
/* Keys and the screen until q or a signal; a re-read every
 * BROWSE_REREAD_MS.  The exit status. */
int		 browse_run(struct app *);
/* Free what browse_open() made. */
void		 browse_close(struct app *);

#endif /* INVIGIL_BROWSE_H */
