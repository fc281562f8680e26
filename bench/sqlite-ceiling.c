/*
 * sqlite-ceiling.c - the SQLite ceiling of the ingest benchmark: the rows
 * the console would store for a scenario, inserted by a minimal program.
 *
 * The database is opened through store_open() (the console's schema,
 * indexes and pragmas: WAL, synchronous=NORMAL, the same cache size), then
 * one prepared statement - the console's message insert, word for word -
 * runs in transactions of STORE_BATCH_ROWS (4096) rows.  The rows are
 * prepared beforehand, untimed: each scenario line decoded, numbered
 * (seq 1, 2, ...) and encoded again, as the feed sends it, for the body.
 * Nothing else is written (no attempts upsert, no feed position, no flags).
 * Then the plain event-table ceiling (issue 18): the same rows into a fresh
 * file DB-plain holding one table and one index, nothing else,
 *
 *	events (id INTEGER PRIMARY KEY, feed, seq, attempt, kind, ts, recv,
 *	    body, UNIQUE (feed, seq)), INDEX events_attempt (attempt, ts)
 *
 * in transactions of PLAIN_BATCH (5,000) rows, with the store's pragmas
 * (WAL, synchronous=NORMAL, the same page cache and autocheckpoint): what
 * SQLite gives a minimal event log with a uniqueness key and a per-attempt
 * timeline on this machine.  Prints two lines:
 *
 *	sqlite-ceiling: N rows in S s: R rows/s
 *	plain-ceiling: N rows in S s: R rows/s
 *
 * For diagnosis, two knobs in the environment (unset: the console's values):
 *	CEILING_BATCH=N		rows per transaction
 *	CEILING_CACHE_KIB=N	PRAGMA cache_size = -N (the store sets 28672)
 *
 * CEILING_PLAIN=0 skips the plain ceiling, CEILING_PLAIN=only runs it alone.
 *
 * usage: sqlite-ceiling SCENARIO.jsonl DB
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench/bench.h"
#include "proto/proto.h"
#include "store/store.h"
#include "proto/xmalloc.h"

/* Rows per transaction of the plain event-table ceiling (issue 18). */
#define PLAIN_BATCH	5000

struct row {
	enum proto_type	 type;
	char		 attempt[PROTO_ID_MAX + 1];
	const char	*kind;
	int64_t		 ts_ms;
	char		*body;
	size_t		 bodylen;
};

static int
exec(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE) {
		fprintf(stderr, "sqlite-ceiling: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

static int
plain_exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	fprintf(stderr, "sqlite-ceiling: plain: %s: %s\n", sql,
	    msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* The plain event-table ceiling on a fresh file path; rows/s, or -1. */
static double
plain_ceiling(const char *path, const struct row *rows, size_t n,
    double *secs)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*ins = NULL;
	size_t		 i;
	double		 t0;

	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    plain_exec(db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -28672; "
	    "PRAGMA wal_autocheckpoint = 10000") != 0 ||
	    plain_exec(db, "CREATE TABLE events (id INTEGER PRIMARY KEY, "
	    "feed TEXT, seq INTEGER, attempt TEXT, kind TEXT, ts INTEGER, "
	    "recv INTEGER, body TEXT, UNIQUE (feed, seq)); "
	    "CREATE INDEX events_attempt ON events (attempt, ts)") != 0)
		goto fail;
	if (sqlite3_prepare_v3(db, "INSERT INTO events (feed, seq, attempt, "
	    "kind, ts, recv, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1,
	    SQLITE_PREPARE_PERSISTENT, &ins, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite-ceiling: plain: %s\n",
		    sqlite3_errmsg(db));
		goto fail;
	}
	t0 = bench_now_s();
	for (i = 0; i < n; i++) {
		if (i % PLAIN_BATCH == 0 && plain_exec(db, "BEGIN") != 0)
			goto fail;
		sqlite3_bind_text(ins, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, (int64_t)i + 1);
		sqlite3_bind_text(ins, 3, rows[i].attempt, -1, SQLITE_STATIC);
		if (rows[i].kind != NULL)
			sqlite3_bind_text(ins, 4, rows[i].kind, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 4);
		sqlite3_bind_int64(ins, 5, rows[i].ts_ms);
		sqlite3_bind_int64(ins, 6, proto_now_ms());
		sqlite3_bind_text(ins, 7, rows[i].body, (int)rows[i].bodylen,
		    SQLITE_STATIC);
		if (exec(db, ins) != 0)
			goto fail;
		if (((i + 1) % PLAIN_BATCH == 0 || i + 1 == n) &&
		    plain_exec(db, "COMMIT") != 0)
			goto fail;
	}
	*secs = bench_now_s() - t0;
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return *secs > 0 ? (double)n / *secs : 0.0;
fail:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return -1;
}

int
main(int argc, char **argv)
{
	FILE		*f;
	struct row	*rows = NULL;
	size_t		 n = 0, cap = 0, i, cap_line = 0;
	ssize_t		 got;
	char		*line = NULL, err[512];
	struct proto_msg m;
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*ins, *begin, *commit;
	const char	*attempt;
	int64_t		 epoch = 1;
	double		 t0, secs;
	size_t		 batch = STORE_BATCH_ROWS;
	const char	*env, *plain;
	char		 plainpath[4096];
	double		 rate;

	if (argc != 3) {
		fprintf(stderr, "usage: sqlite-ceiling SCENARIO.jsonl DB\n");
		return 2;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 1;
	}
	while ((got = getline(&line, &cap_line, f)) != -1) {
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			got--;
		if (got == 0 || line[0] == '#')
			continue;
		if (proto_decode(line, (size_t)got, PROTO_DECODE_UNSEQUENCED, &m,
		    err, sizeof err) != 0) {
			fprintf(stderr, "sqlite-ceiling: %s:%zu: %s\n", argv[1],
			    n + 1, err);
			return 1;
		}
		if (n == cap) {
			cap = cap == 0 ? 65536 : cap * 2;
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		m.seq = (int64_t)n + 1;
		if (m.ts_ms == 0)
			m.ts_ms = proto_now_ms();
		if ((attempt = proto_msg_attempt(&m)) == NULL)
			attempt = "";
		rows[n].type = m.type;
		snprintf(rows[n].attempt, sizeof rows[n].attempt, "%s", attempt);
		rows[n].kind = m.type == PROTO_EVENT ?
		    proto_event_kind_name(m.u.event.kind) : NULL;
		rows[n].ts_ms = m.ts_ms;
		rows[n].body = proto_encode(&m, &rows[n].bodylen, err, sizeof err);
		if (rows[n].body == NULL) {
			fprintf(stderr, "sqlite-ceiling: encode: %s\n", err);
			return 1;
		}
		proto_msg_clear(&m);
		n++;
	}
	free(line);
	fclose(f);

	plain = getenv("CEILING_PLAIN");
	if (plain != NULL && strcmp(plain, "only") == 0)
		goto plain;
	if (store_open(&s, argv[2], err, sizeof err) != 0) {
		fprintf(stderr, "sqlite-ceiling: %s\n", err);
		return 1;
	}
	db = store_db(s);
	if ((env = getenv("CEILING_BATCH")) != NULL && atol(env) > 0)
		batch = (size_t)atol(env);
	if ((env = getenv("CEILING_CACHE_KIB")) != NULL && atol(env) > 0) {
		char pragma[64];

		snprintf(pragma, sizeof pragma, "PRAGMA cache_size = -%ld",
		    atol(env));
		sqlite3_exec(db, pragma, NULL, NULL, NULL);
	}
	if (sqlite3_prepare_v3(db,
	    "INSERT INTO messages (feed, epoch, seq, type, attempt, kind, "
	    "ts_ms, recv_ms, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (feed, epoch, seq) DO NOTHING",
	    -1, SQLITE_PREPARE_PERSISTENT, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite-ceiling: %s\n", sqlite3_errmsg(db));
		return 1;
	}

	t0 = bench_now_s();
	for (i = 0; i < n; i++) {
		if (i % batch == 0 && exec(db, begin) != 0)
			return 1;
		sqlite3_bind_text(ins, 1, "bench", -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, epoch);
		sqlite3_bind_int64(ins, 3, (int64_t)i + 1);
		sqlite3_bind_text(ins, 4, proto_type_name(rows[i].type), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, rows[i].attempt, -1, SQLITE_STATIC);
		if (rows[i].kind != NULL)
			sqlite3_bind_text(ins, 6, rows[i].kind, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 6);
		sqlite3_bind_int64(ins, 7, rows[i].ts_ms);
		sqlite3_bind_int64(ins, 8, proto_now_ms());
		sqlite3_bind_text(ins, 9, rows[i].body, (int)rows[i].bodylen,
		    SQLITE_STATIC);
		if (exec(db, ins) != 0)
			return 1;
		if ((i + 1) % batch == 0 || i + 1 == n)
			if (exec(db, commit) != 0)
				return 1;
	}
	secs = bench_now_s() - t0;

	sqlite3_finalize(ins);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	if (store_close(s, err, sizeof err) != 0) {
		fprintf(stderr, "sqlite-ceiling: %s\n", err);
		return 1;
	}
	printf("sqlite-ceiling: %zu rows in %.3f s: %.0f rows/s\n", n, secs,
	    secs > 0 ? (double)n / secs : 0.0);
	fflush(stdout);
plain:
	if (plain == NULL || strcmp(plain, "0") != 0) {
		snprintf(plainpath, sizeof plainpath, "%s-plain", argv[2]);
		if ((rate = plain_ceiling(plainpath, rows, n, &secs)) < 0)
			return 1;
		printf("plain-ceiling: %zu rows in %.3f s: %.0f rows/s\n", n,
		    secs, rate);
	}
	for (i = 0; i < n; i++)
		free(rows[i].body);
	free(rows);
	return 0;
}
