/*
 * reader.c - read-only access for `invigil review` and friends, beside a
 * console that is writing.
 *
 * The database is opened read-only (a reader never takes the write lock or
 * runs migrations); WAL lets it read a consistent snapshot while the writer
 * commits, and a busy timeout absorbs the short moments when a checkpoint
 * needs the file, so SQLITE_BUSY never reaches the user.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/xmalloc.h"
#include "store/dbfile.h"
#include "store/reader.h"
#include "store/schema.h"
#include "store/store.h"

/*
 * The work a reader may do, in SQLite virtual machine steps: a floor, and
 * so many steps per page of the file that no query of invigil's, which
 * reads each row a bounded number of times, comes near it (a full read of
 * a page of the smallest rows takes a few thousand).  Only a database made
 * to make readers loop reaches it, and then they stop with a sentence
 * instead of running until the disk is full.
 */
#define READER_STEPS_MIN	(1000ULL * 1000 * 1000)
#define READER_STEPS_PER_PAGE	(50ULL * 1000)
#define READER_STEPS_TICK	10000	/* steps between progress calls */

struct store_reader {
	sqlite3		*db;
	char		 path[512];
	unsigned long long steps;	/* done since the open or the limit set */
	unsigned long long limit;
	int		 exhausted;
	int		 immutable;	/* opened so: store_reader_no_wal() */
	sqlite3_stmt	*stmt[STORE_READER_SLOTS];	/* query.c's, cached */
	unsigned char	 busy[STORE_READER_SLOTS];
};

/* store_reader_no_wal(): readers of this process leave no -wal. */
static int	reader_no_wal;

void
store_reader_no_wal(int on)
{
	reader_no_wal = on;
}

/*
 * How a reader opens path: the path itself, or, under
 * store_reader_no_wal() when path has no -wal (no writer has it open), a
 * URI that opens it immutable (no lock, no -wal, no -shm made).  Every
 * byte but [A-Za-z0-9/._-] of the path is %-escaped in the URI.  0, or -1
 * when it does not fit.
 */
static int
reader_name(const char *path, char *out, size_t outlen, int *uri)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 wal[600];
	struct stat		 sb;
	const unsigned char	*p;
	size_t			 n;

	*uri = 0;
	if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal)
		return -1;
	if (!reader_no_wal || lstat(wal, &sb) == 0) {
		if (snprintf(out, outlen, "%s", path) >= (int)outlen)
			return -1;
		return 0;
	}
	n = (size_t)snprintf(out, outlen, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (n + 4 >= outlen)
			return -1;
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p) != NULL)
			out[n++] = (char)*p;
		else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 0xf];
		}
	}
	if (snprintf(out + n, outlen - n, "?mode=ro&immutable=1") >=
	    (int)(outlen - n))
		return -1;
	*uri = 1;
	return 0;
}

/* SQLite's progress handler: non-zero interrupts the statement. */
static int
reader_progress(void *arg)
{
	struct store_reader	*r = arg;

	r->steps += READER_STEPS_TICK;
	if (r->steps <= r->limit)
		return 0;
	r->exhausted = 1;
	return 1;
}

void
store_reader_error(struct store_reader *r, const char *what, char *err,
    size_t errlen)
{
	if (r->exhausted)
		snprintf(err, errlen, "gave up reading %s from %s after %llu "
		    "million steps, far more than a database of its size "
		    "needs; the file is damaged or was made to make readers "
		    "loop", what, r->path, r->limit / 1000000);
	else
		snprintf(err, errlen, "cannot read %s from %s: %s", what,
		    r->path, sqlite3_errmsg(r->db));
}

void
store_reader_limit(struct store_reader *r, unsigned long long steps)
{
	r->limit = steps;
	r->steps = 0;
	r->exhausted = 0;
}

int
store_reader_open(struct store_reader **rp, const char *path, char *err,
    size_t errlen)
{
	struct store_reader	*r;
	int64_t			 version, pages;
	sqlite3_stmt		*st;
	char			 name[2048];
	int			 uri;

	*rp = NULL;
	r = xcalloc(1, sizeof *r);
	snprintf(r->path, sizeof r->path, "%s", path);
	/* A FIFO would block SQLite's open(2) for ever. */
	if (store_file_check(path, 1, err, errlen) == -1)
		goto fail;
	/* One thread at a time uses a reader: no mutex around every call
	 * (a fifth of a review query's instructions, bench/queries). */
	if (reader_name(path, name, sizeof name, &uri) != 0) {
		snprintf(err, errlen, "cannot open %s: the path is too long",
		    path);
		goto fail;
	}
	if (sqlite3_open_v2(name, &r->db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0), NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s (give --db an "
		    "existing invigil database)", path, r->db != NULL ?
		    sqlite3_errmsg(r->db) : "out of memory");
		goto fail;
	}
	r->immutable = uri;
	sqlite3_busy_timeout(r->db, 10000);
	/* The file's schema runs no function with side effects. */
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	r->limit = READER_STEPS_MIN;
	sqlite3_progress_handler(r->db, READER_STEPS_TICK, reader_progress, r);
	/*
	 * 64 MiB of page cache (taken only as pages are read): the flags of
	 * one rule are spread over the table by id, and a review runs its
	 * queries many times (bench/review.sh: 25.6 ms -> 15.4 ms on 10M
	 * events).
	 */
	sqlite3_exec(r->db, "PRAGMA cache_size = -65536", NULL, NULL, NULL);
	if (store_schema_check(r->db, path, 1, err, errlen) != 0)
		goto fail;
	version = pages = 0;
	if (sqlite3_prepare_v2(r->db, "SELECT user_version, page_count FROM "
	    "pragma_user_version, pragma_page_count", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			version = sqlite3_column_int64(st, 0);
			pages = sqlite3_column_int64(st, 1);
		}
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
	store_reader_limit(r, READER_STEPS_MIN + (unsigned long long)
	    (pages > 0 ? pages : 0) * READER_STEPS_PER_PAGE);
	*rp = r;
	return 0;
fail:
	store_reader_close(r);
	return -1;
}

int
store_reader_stale(struct store_reader *r)
{
	char		wal[600];
	struct stat	sb;

	if (!r->immutable)
		return 0;
	snprintf(wal, sizeof wal, "%s-wal", r->path);
	return lstat(wal, &sb) == 0;
}

sqlite3 *
store_reader_db(struct store_reader *r)
{
	return r->db;
}

void
store_reader_close(struct store_reader *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < STORE_READER_SLOTS; i++)
		sqlite3_finalize(r->stmt[i]);
	sqlite3_close(r->db);
	free(r);
}

sqlite3_stmt *
store_reader_stmt(struct store_reader *r, int slot, const char *sql)
{
	sqlite3_stmt	*st;

	if (slot < 0 || slot >= STORE_READER_SLOTS)
		abort();
	if (r->busy[slot]) {
		if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
			return NULL;
		return st;
	}
	if (r->stmt[slot] == NULL && sqlite3_prepare_v3(r->db, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &r->stmt[slot], NULL) != SQLITE_OK) {
		r->stmt[slot] = NULL;
		return NULL;
	}
	r->busy[slot] = 1;
	return r->stmt[slot];
}

void
store_reader_stmt_done(struct store_reader *r, int slot, sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	if (slot >= 0 && slot < STORE_READER_SLOTS && st == r->stmt[slot]) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		r->busy[slot] = 0;
	} else
		sqlite3_finalize(st);
}
