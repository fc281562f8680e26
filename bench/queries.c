/*
 * queries.c - review queries on a database the console wrote: each query
 * prepared, stepped through every row and finalised RUNS times; prints the
 * median (and min, max) in milliseconds and the number of rows.
 *
 *   timeline  one attempt's messages in order (feed=? and attempt=? order
 *             by seq), the attempt in the middle of the messages table
 *   flags     the flags of one rule (rule=?), the most frequent rule
 *   journal   the journal rows of one proctor (actor=? order by seq)
 *
 * The database is bench/review-db's (10,000,000 events, the flags of the
 * default rules, a journal of 20 proctors' decisions) or any the console
 * wrote; the attempt, rule and proctor are chosen as above, the proctor with
 * the most journal rows.  Each run prepares, binds, steps through every row
 * reading every column, and finalises, as a review command would, on a
 * database opened by store_reader_open() as the review commands open it.
 * For diagnosis, QUERIES_PRAGMAS="PRAGMA cache_size = -65536" (say) runs
 * after the open.
 *
 * usage: queries DB [RUNS]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/store.h"

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One text from a query with no parameters; "" if no row. */
static void
one_text(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt	*st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "queries: %s: %s\n", sql, sqlite3_errmsg(db));
		exit(1);
	}
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void
timed(sqlite3 *db, const char *name, const char *sql, const char *p1,
    const char *p2, int runs)
{
	sqlite3_stmt	*st;
	double		*t, t0;
	long		 rows = 0;
	int		 i, rc;

	if ((t = calloc((size_t)runs, sizeof *t)) == NULL)
		abort();
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
			fprintf(stderr, "queries: %s: %s\n", name,
			    sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
		if (p2 != NULL)
			sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
		rows = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			/* fetch every column, as a review command would */
			int c, nc = sqlite3_column_count(st);

			for (c = 0; c < nc; c++)
				(void)sqlite3_column_text(st, c);
			rows++;
		}
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "queries: %s: %s\n", name,
			    sqlite3_errmsg(db));
			exit(1);
		}
		sqlite3_finalize(st);
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp_double);
	printf("%s\t%ld rows\tmedian %.3f ms\tmin %.3f ms\tmax %.3f ms\n",
	    name, rows, runs % 2 ? t[runs / 2] :
	    (t[runs / 2 - 1] + t[runs / 2]) / 2, t[0], t[runs - 1]);
	free(t);
}

int
main(int argc, char **argv)
{
	sqlite3	*db;
	struct store_reader *reader;
	const char	*pragmas;
	char	 feed[256], attempt[256], rule[256], actor[256], err[1024];
	int	 runs = 20;

	if (argc < 2) {
		fprintf(stderr, "usage: queries DB [RUNS]\n");
		return 2;
	}
	if (argc > 2)
		runs = atoi(argv[2]);
	if (runs < 1)
		runs = 1;
	/* Opened as the review commands open it. */
	if (store_reader_open(&reader, argv[1], err, sizeof err) != 0) {
		fprintf(stderr, "queries: %s\n", err);
		return 1;
	}
	db = store_reader_db(reader);
	if ((pragmas = getenv("QUERIES_PRAGMAS")) != NULL &&
	    sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "queries: %s: %s\n", pragmas,
		    sqlite3_errmsg(db));
		return 1;
	}
	one_text(db, "SELECT feed FROM messages WHERE id = "
	    "(SELECT (min(id) + max(id)) / 2 FROM messages)", feed, sizeof feed);
	one_text(db, "SELECT attempt FROM messages WHERE id = "
	    "(SELECT (min(id) + max(id)) / 2 FROM messages)", attempt,
	    sizeof attempt);
	one_text(db, "SELECT rule FROM flags GROUP BY rule ORDER BY count(*) "
	    "DESC, rule LIMIT 1", rule, sizeof rule);
	one_text(db, "SELECT actor FROM journal GROUP BY actor ORDER BY "
	    "count(*) DESC, actor LIMIT 1", actor, sizeof actor);

	printf("# %s, %d runs each; attempt %s, rule %s, proctor %s\n",
	    argv[1], runs, attempt, rule, actor[0] ? actor : "(no journal)");
	timed(db, "timeline", "SELECT seq, ts_ms, type, kind, body FROM "
	    "messages WHERE feed = ?1 AND attempt = ?2 ORDER BY seq", feed,
	    attempt, runs);
	timed(db, "flags", "SELECT id, feed, attempt, severity, message, "
	    "first_ms, last_ms, count, state FROM flags WHERE rule = ?1 "
	    "ORDER BY id", rule, NULL, runs);
	timed(db, "journal", "SELECT seq, time_ms, kind, feed, attempt, "
	    "flag_id, reason FROM journal WHERE actor = ?1 ORDER BY seq",
	    actor, NULL, runs);
	store_reader_close(reader);
	return 0;
}
