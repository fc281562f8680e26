/*
 * export-db.c - the database `bench/export.sh` exports: MESSAGES event
 * messages over ATTEMPTS attempts, written quickly by raw SQL (a recursive
 * CTE, 500,000 rows per transaction) into a file created by store_open()
 * (the console's schema, indexes rebuilt by store_bulk_end()).  Bodies are
 * JSON as a feed sends them (about 200 bytes), one in 97 carrying a
 * hostile string (an escape and U+202E), so that the export escapes what
 * it must.  Not the console's ingest: bench/ingest.sh measures that.
 *
 *	export-db DB MESSAGES [ATTEMPTS]	(default 10,000 attempts)
 *
 * Prints "messages N attempts A" on stdout.
 */
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "store/store.h"

#define CHUNK	500000LL
#define T0_MS	1796600000000LL	/* 2026-12-07 */

static const char insert_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < ?2) INSERT INTO messages (feed, epoch, seq, type, attempt, "
    "kind, ts_ms, recv_ms, body) SELECT 'bench', 1, i, 'event', "
    "printf('A%05d', i % ?3), 'focus_lost', ?4 + i * 10, ?4 + i * 10 + 3, "
    "printf('{\"t\":\"event\",\"seq\":%d,\"ts\":\"%s\",\"attempt\":"
    "\"A%05d\",\"kind\":\"focus_lost\",\"data\":{\"window\":\"%s\","
    "\"ms\":%d}}', i, strftime('%Y-%m-%dT%H:%M:%fZ', (?4 + i * 10) / "
    "1000.0, 'unixepoch'), i % ?3, CASE WHEN i % 97 = 0 THEN 'x' || "
    "char(27) || '[31m' || char(8238) || 'exe' ELSE 'Calculator - "
    "Scientific' END, i % 5000) FROM n";

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "export-db: %s: %s\n", what, err);
	exit(1);
}

int
main(int argc, char **argv)
{
	struct store		*s;
	struct store_bulk	*bulk;
	sqlite3			*db;
	sqlite3_stmt		*st;
	char			 err[1024];
	long long		 n, attempts, from, i;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: export-db DB MESSAGES [ATTEMPTS]\n");
		return 2;
	}
	n = atoll(argv[2]);
	attempts = argc > 3 ? atoll(argv[3]) : 10000;
	if (n < 1 || attempts < 1)
		die("arguments", "MESSAGES and ATTEMPTS must be positive");
	if (store_open(&s, argv[1], err, sizeof err) != 0)
		die(argv[1], err);
	if (store_bulk_begin(s, &bulk, err, sizeof err) != 0)
		die("store_bulk_begin", err);
	db = store_db(s);
	if (sqlite3_prepare_v2(db, insert_sql, -1, &st, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	for (from = 1; from <= n; from += CHUNK) {
		sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, from + CHUNK - 1 < n ? from + CHUNK -
		    1 : n);
		sqlite3_bind_int64(st, 3, attempts);
		sqlite3_bind_int64(st, 4, T0_MS);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert", sqlite3_errmsg(db));
		sqlite3_reset(st);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("commit", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < attempts; i++) {
		char	sql[512];

		snprintf(sql, sizeof sql, "INSERT INTO attempts (feed, "
		    "attempt, candidate, name, exam, form, state, first_seq, "
		    "updated_ms) VALUES ('bench', printf('A%%05d', %lld), "
		    "printf('C%%05d', %lld), 'Candidate %lld', 'EXAM-1', 'F1', 'in_progress', "
		    "%lld, %lld)", i, i, i, i + 1, T0_MS);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			die("attempts", sqlite3_errmsg(db));
	}
	if (sqlite3_exec(db, "INSERT INTO feeds (feed, epoch, last_seq) "
	    "VALUES ('bench', 1, (SELECT max(seq) FROM messages)); COMMIT",
	    NULL, NULL, NULL) != SQLITE_OK)
		die("feeds", sqlite3_errmsg(db));
	if (store_bulk_end(bulk, err, sizeof err) != 0)
		die("store_bulk_end", err);
	if (store_close(s, err, sizeof err) != 0)
		die("store_close", err);
	printf("messages %lld attempts %lld\n", n, attempts);
	return 0;
}
