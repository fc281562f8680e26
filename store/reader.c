/*
 * reader.c - read-only access for `invigil review` and friends, beside a
 * console that is writing.
 *
 * The database is opened read-only (a reader never takes the write lock or
 * runs migrations); WAL lets it read a consistent snapshot while the writer
 * commits, and a busy timeout absorbs the short moments when a checkpoint
 * needs the file, so SQLITE_BUSY never reaches the user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/schema.h"
#include "store/store.h"

struct store_reader {
	sqlite3		*db;
	char		 path[512];
};

int
store_reader_open(struct store_reader **rp, const char *path, char *err,
    size_t errlen)
{
	struct store_reader	*r;
	int64_t			 version;
	sqlite3_stmt		*st;

	*rp = NULL;
	r = calloc(1, sizeof *r);
	if (r == NULL)
		abort();
	snprintf(r->path, sizeof r->path, "%s", path);
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s (give --db an "
		    "existing invigil database)", path, r->db != NULL ?
		    sqlite3_errmsg(r->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 10000);
	/*
	 * 64 MiB of page cache (taken only as pages are read): the flags of
	 * one rule are spread over the table by id, and a review runs its
	 * queries many times (bench/review.sh: 25.6 ms -> 15.4 ms on 10M
	 * events).
	 */
	sqlite3_exec(r->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (store_schema_check(r->db, path, err, errlen) != 0)
		goto fail;
	version = 0;
	if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			version = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (version == 0) {
		snprintf(err, errlen, "%s holds no invigil data yet (give --db "
		    "the database a console wrote)", path);
		goto fail;
	}
	if (version < STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s has schema version %lld, older than "
		    "this invigil's %d; the console upgrades it when it opens it "
		    "(invigil --db %s --feed URL)", path, (long long)version,
		    STORE_SCHEMA_VERSION, path);
		goto fail;
	}
	*rp = r;
	return 0;
fail:
	store_reader_close(r);
	return -1;
}

sqlite3 *
store_reader_db(struct store_reader *r)
{
	return r->db;
}

void
store_reader_close(struct store_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_close(r->db);
	free(r);
}

int
store_reader_each_message(struct store_reader *r, store_message_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT feed, epoch, seq, body FROM "
	    "messages ORDER BY feed, epoch, seq", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read messages from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn((const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3), arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read messages from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
store_reader_each_flag(struct store_reader *r, store_flag_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT feed, attempt, rule, state, "
	    "count FROM flags ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read flags from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    sqlite3_column_int64(st, 4), arg);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read flags from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}

int
store_reader_each_checkpoint(struct store_reader *r, store_note_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(r->db, "SELECT note FROM checkpoints ORDER BY "
	    "id", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read checkpoints from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn((const char *)sqlite3_column_text(st, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot read checkpoints from %s: %s",
		    r->path, sqlite3_errmsg(r->db));
		return -1;
	}
	return 0;
}
