/*
 * queries.c - review queries on a database the console wrote, through
 * the store's typed readers (store/query.c) as a review command or a view
 * reads them, each RUNS times; prints the median (and min, max) in
 * milliseconds and the number of rows.
 *
 *   timeline  one attempt's timeline (store_query_timeline: its messages
 *             by seq merged with its flags, journal rows and commands),
 *             the attempt in the middle of the messages table
 *   flags     the flags of one rule (store_query_rule_flags), the most
 *             frequent rule
 *   journal   the journal rows of one proctor (store_query_actor_journal)
 *
 * The database is bench/review-db's (10,000,000 events, the flags of the
 * default rules, a journal of 20 proctors' decisions) or any the console
 * wrote; the attempt, rule and proctor are chosen as above, the proctor with
 * the most journal rows (store_query_sample).  Each run binds, steps
 * through every row (the reader reads every column into the typed row; the
 * callback touches its strings) and resets; the reader prepares each
 * statement once, as it does for a view that runs its queries again and
 * again.  The database is opened by store_reader_open() as the review
 * commands open it.
 *
 * usage: queries DB [RUNS]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"
#include "store/store.h"
#include "proto/xmalloc.h"

/* No review query here returns more; the largest returns some 10,000. */
#define QUERY_LIMIT	1000000

/* Touch every string of a row, as a review command reading it would. */
static size_t
touch(const char *t)
{
	return t != NULL ? strlen(t) : 0;
}

static int
timeline_row(const struct store_timeline_item *it, void *arg)
{
	size_t	*bytes = arg;

	if (it->message != NULL)
		*bytes += touch(it->message->type) + touch(it->message->kind) +
		    it->message->len;
	if (it->flag != NULL)
		*bytes += touch(it->flag->rule) + touch(it->flag->message) +
		    touch(it->flag->evidence);
	if (it->journal != NULL)
		*bytes += touch(it->journal->entry.kind) +
		    touch(it->journal->entry.reason);
	if (it->command != NULL)
		*bytes += touch(it->command->command.action) +
		    touch(it->command->command.text);
	return 0;
}

static int
flag_row(const struct store_flag *f, void *arg)
{
	*(size_t *)arg += touch(f->feed) + touch(f->attempt) +
	    touch(f->message);
	return 0;
}

static int
journal_row(const struct store_journal_row *j, void *arg)
{
	*(size_t *)arg += touch(j->entry.kind) + touch(j->entry.feed) +
	    touch(j->entry.attempt) + touch(j->entry.reason);
	return 0;
}

enum bench_query { BQ_TIMELINE, BQ_FLAGS, BQ_JOURNAL };

static const char *const bench_name[] = { "timeline", "flags", "journal" };

/* One run of query q through its reader: rows, or -1. */
static int
run_one(struct store_reader *r, enum bench_query q,
    const struct store_sample *sm, size_t *bytes, char *err, size_t errlen)
{
	switch (q) {
	case BQ_TIMELINE:
		return store_query_timeline(r, sm->feed, sm->attempt,
		    QUERY_LIMIT, timeline_row, bytes, err, errlen);
	case BQ_FLAGS:
		return store_query_rule_flags(r, sm->rule, NULL, 0,
		    QUERY_LIMIT, flag_row, bytes, err, errlen);
	default:
		return store_query_actor_journal(r, sm->actor, 0, QUERY_LIMIT,
		    journal_row, bytes, err, errlen);
	}
}

static void
timed(struct store_reader *r, enum bench_query q,
    const struct store_sample *sm, int runs)
{
	double		*t, t0;
	size_t		 bytes = 0;
	char		 err[1024];
	int		 i, rows = 0;

	t = xcalloc((size_t)runs, sizeof *t);
	for (i = 0; i < runs; i++) {
		t0 = bench_clock_ms(CLOCK_MONOTONIC);
		if ((rows = run_one(r, q, sm, &bytes, err, sizeof err)) < 0) {
			fprintf(stderr, "queries: %s: %s\n", bench_name[q], err);
			exit(1);
		}
		t[i] = bench_clock_ms(CLOCK_MONOTONIC) - t0;
	}
	qsort(t, (size_t)runs, sizeof *t, bench_cmp_double);
	printf("%s\t%d rows\tmedian %.3f ms\tmin %.3f ms\tmax %.3f ms\n",
	    bench_name[q], rows, runs % 2 ? t[runs / 2] :
	    (t[runs / 2 - 1] + t[runs / 2]) / 2, t[0], t[runs - 1]);
	free(t);
}

int
main(int argc, char **argv)
{
	struct store_reader	*reader;
	struct store_sample	 sm;
	char			 err[1024];
	int			 runs = 20;

	if (argc < 2) {
		fprintf(stderr, "usage: queries DB [RUNS]\n");
		return 2;
	}
	if (argc > 2)
		runs = atoi(argv[2]);
	if (runs < 1)
		runs = 1;
	/* Opened as the review commands open it. */
	if (store_reader_open(&reader, argv[1], err, sizeof err) != 0 ||
	    store_query_sample(reader, &sm, err, sizeof err) != 0) {
		fprintf(stderr, "queries: %s\n", err);
		return 1;
	}
	printf("# %s, %d runs each; attempt %s, rule %s, proctor %s\n",
	    argv[1], runs, sm.attempt, sm.rule, sm.actor[0] ? sm.actor :
	    "(no journal)");
	timed(reader, BQ_TIMELINE, &sm, runs);
	timed(reader, BQ_FLAGS, &sm, runs);
	timed(reader, BQ_JOURNAL, &sm, runs);
	store_reader_close(reader);
	return 0;
}
