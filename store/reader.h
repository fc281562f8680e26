/*
 * reader.h - private to store/: a reader's cache of prepared statements,
 * for query.c.  A view or a benchmark runs the same few queries again and
 * again on one reader; each statement is prepared once (persistent) and
 * reset after use.  A slot already in use (a callback that runs the same
 * query again on the same reader) gets a statement of its own instead.
 */
#ifndef INVIGIL_STORE_READER_H
#define INVIGIL_STORE_READER_H

#include <sqlite3.h>

#include "store/store.h"

/* Slots a reader caches: query.c's statements. */
#define STORE_READER_SLOTS	16

/*
 * The statement for sql in slot (0 <= slot < STORE_READER_SLOTS; one sql
 * per slot, always the same), ready to bind; NULL if it cannot be
 * prepared (store_reader_error() says why).  Give it back with
 * store_reader_stmt_done().
 */
sqlite3_stmt	*store_reader_stmt(struct store_reader *, int slot,
		    const char *sql);

/* Reset st (bindings cleared) for the next use of slot, or finalise it if
 * it is not the slot's. */
void		 store_reader_stmt_done(struct store_reader *, int slot,
		    sqlite3_stmt *st);

#endif /* INVIGIL_STORE_READER_H */
