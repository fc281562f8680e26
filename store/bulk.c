/*
 * bulk.c - loading many messages at once through the writer's own path
 * (store_add_message, store_flush), for a benchmark's set-up or an import:
 * for the time of the load the secondary indexes of messages are dropped
 * (each row then costs one b-tree insert instead of three; they are built
 * again from their own stored definitions, one sort each, at the end) and
 * commits are not synced.  Nothing else changes: rows, positions and the
 * attempts table are written as the console writes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "proto/xmalloc.h"

#define BULK_INDEXES	8

struct store_bulk {
	struct store	*store;
	char		*index_sql[BULK_INDEXES];
	size_t		 nindex;
	int64_t		 synchronous, cache_size, temp_store;
};

/* Run sql; 0, or -1 with a sentence. */
static int
bulk_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "store: bulk load: %s: %s", sql,
	    sqlite3_errmsg(db));
	return -1;
}

/* The integer a PRAGMA answers; -1 if none. */
static int64_t
bulk_pragma(sqlite3 *db, const char *name)
{
	sqlite3_stmt	*st;
	char		 sql[64];
	int64_t		 v = -1;

	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Keep the definitions of messages' own indexes (not UNIQUE's). */
static int
bulk_save_indexes(struct store_bulk *b, sqlite3 *db, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*sql;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = "
	    "'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY "
	    "name", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: bulk load: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    b->nindex < BULK_INDEXES) {
		sql = (const char *)sqlite3_column_text(st, 0);
		b->index_sql[b->nindex++] = xstrdup(sql);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "store: bulk load: %s", sqlite3_errmsg(db));
	return -1;
}

/* "CREATE INDEX name ON ..." -> "DROP INDEX name". */
static int
bulk_drop_index(sqlite3 *db, const char *create, char *err, size_t errlen)
{
	char	name[128], drop[160];

	if (sscanf(create, "CREATE INDEX %127s", name) != 1) {
		snprintf(err, errlen, "store: bulk load: cannot drop the index "
		    "made by \"%s\"", create);
		return -1;
	}
	snprintf(drop, sizeof drop, "DROP INDEX %s", name);
	return bulk_exec(db, drop, err, errlen);
}

static void
bulk_free(struct store_bulk *b)
{
	size_t	i;

	for (i = 0; i < b->nindex; i++)
		free(b->index_sql[i]);
	free(b);
}

int
store_bulk_begin(struct store *s, struct store_bulk **bp, char *err,
    size_t errlen)
{
	struct store_bulk	*b;
	sqlite3			*db = store_db(s);
	size_t			 i;

	*bp = NULL;
	if (store_flush(s, err, errlen) != 0)
		return -1;
	b = xcalloc(1, sizeof *b);
	b->store = s;
	b->synchronous = bulk_pragma(db, "synchronous");
	b->cache_size = bulk_pragma(db, "cache_size");
	b->temp_store = bulk_pragma(db, "temp_store");
	if (bulk_save_indexes(b, db, err, errlen) != 0 ||
	    bulk_exec(db, "BEGIN", err, errlen) != 0)
		goto fail;
	for (i = 0; i < b->nindex; i++) {
		if (bulk_drop_index(db, b->index_sql[i], err, errlen) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	}
	/* A large cache and in-memory sorts for the index builds; threads
	 * let a sort use the second CPU. */
	if (bulk_exec(db, "COMMIT", err, errlen) != 0 ||
	    bulk_exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = "
	    "-1048576; PRAGMA temp_store = MEMORY; PRAGMA threads = 2", err,
	    errlen) != 0)
		goto fail;
	*bp = b;
	return 0;
fail:
	bulk_free(b);
	return -1;
}

int
store_bulk_end(struct store_bulk *b, char *err, size_t errlen)
{
	sqlite3		*db = store_db(b->store);
	char		 sql[160];
	size_t		 i;
	int		 rc = -1;

	if (store_flush(b->store, err, errlen) != 0 ||
	    bulk_exec(db, "BEGIN", err, errlen) != 0)
		goto out;
	for (i = 0; i < b->nindex; i++) {
		if (bulk_exec(db, b->index_sql[i], err, errlen) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	if (bulk_exec(db, "COMMIT", err, errlen) != 0)
		goto out;
	snprintf(sql, sizeof sql, "PRAGMA synchronous = %lld; PRAGMA "
	    "cache_size = %lld; PRAGMA temp_store = %lld; PRAGMA threads = 0",
	    (long long)b->synchronous, (long long)b->cache_size,
	    (long long)b->temp_store);
	rc = bulk_exec(db, sql, err, errlen);
out:
	bulk_free(b);
	return rc;
}
