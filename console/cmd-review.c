/*
 * cmd-review.c - `invigil review`: analysts' commands on a database a
 * console wrote (read-only, beside a console that may still be writing).
 * For now: backtest, which replays the stored messages through another
 * rule set and compares what it would flag with what was flagged live.
 * Its hits go through the console's own flag lifecycle (console/flags.h):
 * one open flag per rule and attempt, repeats merged into it.
 */
#include <getopt.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/commands.h"
#include "console/console.h"
#include "console/flags.h"
#include "proto/xmalloc.h"

/* A set of "rule\tfeed\tattempt" keys, sorted when complete. */
struct keyset {
	char	**keys;
	size_t	  n, cap;
};

static void
keyset_add(struct keyset *ks, const char *rule, const char *feed,
    const char *attempt)
{
	size_t	len = strlen(rule) + strlen(feed) + strlen(attempt) + 3;
	char	*k = xmalloc(len);

	snprintf(k, len, "%s\t%s\t%s", rule, feed, attempt);
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 256;
		ks->keys = xreallocarray(ks->keys, ks->cap, sizeof *ks->keys);
	}
	ks->keys[ks->n++] = k;
}

static int
key_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void
keyset_finish(struct keyset *ks)
{
	size_t	i, o = 0;

	qsort(ks->keys, ks->n, sizeof *ks->keys, key_compare);
	for (i = 0; i < ks->n; i++) {
		if (o > 0 && strcmp(ks->keys[o - 1], ks->keys[i]) == 0)
			free(ks->keys[i]);
		else
			ks->keys[o++] = ks->keys[i];
	}
	ks->n = o;
}

static void
keyset_free(struct keyset *ks)
{
	size_t	i;

	for (i = 0; i < ks->n; i++)
		free(ks->keys[i]);
	free(ks->keys);
}

static size_t
rule_len(const char *key)
{
	return strcspn(key, "\t");
}

/* One attempt of the replay: its open flags, found by "feed\tattempt". */
struct backtest_attempt {
	char				*key;
	struct flag			*open;
	struct backtest_attempt		*next;	/* all of them, to free */
};

struct backtest {
	struct rules_engine		*engine;
	struct flags			 flags;		/* interned rule names */
	void				*index;		/* tsearch(3) tree */
	struct backtest_attempt		*attempts;
	struct keyset			 hits;		/* flags raised */
	int64_t				 last_tick;
	int64_t				 max_ts;	/* the feeds' clock */
	size_t				 messages, undecodable;
};

static int
attempt_compare(const void *a, const void *b)
{
	return strcmp(((const struct backtest_attempt *)a)->key,
	    ((const struct backtest_attempt *)b)->key);
}

/* The replay's attempt of feed, made on first sight. */
static struct backtest_attempt *
backtest_attempt(struct backtest *bt, const char *feed, const char *attempt)
{
	struct backtest_attempt	  probe, *ba, **found;
	size_t			  len = strlen(feed) + strlen(attempt) + 2;

	probe.key = xmalloc(len);
	snprintf(probe.key, len, "%s\t%s", feed, attempt);
	if ((found = tfind(&probe, &bt->index, attempt_compare)) != NULL) {
		free(probe.key);
		return *found;
	}
	ba = xcalloc(1, sizeof *ba);
	ba->key = probe.key;
	if (tsearch(ba, &bt->index, attempt_compare) == NULL)
		abort();	/* out of memory */
	ba->next = bt->attempts;
	bt->attempts = ba;
	return ba;
}

/*
 * A rule hit, through the console's flag lifecycle: a hit for a rule that
 * already has an open flag on the attempt merges into it, and a backtest
 * decides nothing, so each rule x attempt raises one flag, counted once.
 */
static void
backtest_hit(const struct rules_hit *h, void *arg)
{
	struct backtest		*bt = arg;
	struct backtest_attempt	*ba = backtest_attempt(bt, h->feed,
				    h->attempt);
	struct flag		*f;

	if (flags_hit(&bt->flags, &ba->open, NULL, h, &f) == FLAGS_RAISED)
		keyset_add(&bt->hits, h->rule, h->feed, h->attempt);
}

static void
backtest_free(struct backtest *bt)
{
	struct backtest_attempt	*ba;

	while ((ba = bt->attempts) != NULL) {
		bt->attempts = ba->next;
		tdelete(ba, &bt->index, attempt_compare);
		flags_free_list(ba->open);
		free(ba->key);
		free(ba);
	}
	flags_free(&bt->flags);
	keyset_free(&bt->hits);
	rules_engine_free(bt->engine);
}

static int
backtest_message(const char *feed, int64_t epoch, int64_t seq,
    const char *body, size_t len, void *arg)
{
	struct backtest		*bt = arg;
	struct proto_msg	 m;
	char			 err[256];

	(void)epoch;
	(void)seq;
	if (proto_decode(body, len, 0, &m, err, sizeof err) != 0) {
		bt->undecodable++;
		return 0;
	}
	if (m.type != PROTO_ACK) {
		if (m.ts_ms > bt->max_ts)
			bt->max_ts = m.ts_ms;
		rules_engine_message(bt->engine, feed, &m, backtest_hit, bt);
		/* Holds reaching their time, as the live console's tick. */
		if (m.ts_ms - bt->last_tick >= 1000) {
			rules_engine_tick(bt->engine, backtest_hit, bt);
			bt->last_tick = m.ts_ms;
		}
	}
	bt->messages++;
	proto_msg_clear(&m);
	return 0;
}

static void
backtest_live(const char *feed, const char *attempt, const char *rule,
    const char *state, int64_t count, void *arg)
{
	(void)state;
	(void)count;
	if (feed != NULL && attempt != NULL && rule != NULL)
		keyset_add(arg, rule, feed, attempt);
}

/* "    + FEED ATTEMPT" for one "feed\tattempt" key; both from the database. */
static void
backtest_key(char sign, const char *key)
{
	char	feed[4 * PROTO_ID_MAX + 1], attempt[4 * PROTO_ID_MAX + 1];
	size_t	fl = strcspn(key, "\t");

	proto_sanitize(key, fl, feed, sizeof feed);
	proto_clean(key[fl] == '\t' ? key + fl + 1 : "", attempt,
	    sizeof attempt);
	printf("    %c %s\t%s\n", sign, feed, attempt);
}

/* Does key belong to the rule named by the first rl bytes of rule? */
static int
key_of_rule(const struct keyset *ks, size_t k, const char *rule, size_t rl)
{
	return k < ks->n && strncmp(ks->keys[k], rule, rl) == 0 &&
	    ks->keys[k][rl] == '\t';
}

/*
 * Walk one rule's keys in live (from *i) and now (from *j), both sorted;
 * count them into n[4] (live, backtest, added, removed), and with print,
 * print each added (+) and removed (-) attempt.  Returns where the next
 * rule starts in *a and *b.
 */
static void
backtest_walk(const struct keyset *live, const struct keyset *now,
    const char *rule, size_t rl, size_t *a, size_t *b, int print, size_t n[4])
{
	int	c, in_a, in_b;

	while ((in_a = key_of_rule(live, *a, rule, rl)) |
	    (in_b = key_of_rule(now, *b, rule, rl))) {
		c = !in_a ? 1 : !in_b ? -1 :
		    strcmp(live->keys[*a], now->keys[*b]);
		if (c == 0) {
			n[0]++, n[1]++, (*a)++, (*b)++;
		} else if (c < 0) {
			if (print)
				backtest_key('-', live->keys[*a] + rl + 1);
			n[0]++, n[3]++, (*a)++;
		} else {
			if (print)
				backtest_key('+', now->keys[*b] + rl + 1);
			n[1]++, n[2]++, (*b)++;
		}
	}
}

/*
 * Print one rule's row and, verbose, its attempts under it (a reader
 * reads the row, then what makes it up); advances *i and *j.
 */
static void
backtest_row(const struct keyset *live, const struct keyset *now, size_t *i,
    size_t *j, int verbose, size_t totals[4])
{
	const char	*rule;
	size_t		 rl, a, b, n[4] = { 0, 0, 0, 0 };
	size_t		 again[4] = { 0, 0, 0, 0 };
	char		 name[4 * 128];

	if (*i < live->n && (*j >= now->n || strcmp(live->keys[*i],
	    now->keys[*j]) <= 0))
		rule = live->keys[*i];
	else
		rule = now->keys[*j];
	rl = rule_len(rule);
	/* Rule names in the database may be anything: matched whole (a cut
	 * copy never matched, and the caller looped for ever), shown
	 * sanitised. */
	proto_sanitize(rule, rl, name, sizeof name);

	a = *i;
	b = *j;
	backtest_walk(live, now, rule, rl, &a, &b, 0, n);
	printf("%-26s %6zu %9zu %7zu %8zu\n", name, n[0], n[1], n[2], n[3]);
	if (verbose) {
		a = *i;
		b = *j;
		backtest_walk(live, now, rule, rl, &a, &b, 1, again);
	}
	totals[0] += n[0];
	totals[1] += n[1];
	totals[2] += n[2];
	totals[3] += n[3];
	*i = a;
	*j = b;
}

static int
review_backtest(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct store_reader	*reader;
	struct rules		*rules;
	struct backtest		 bt;
	struct keyset		 live;
	const char		*db = NULL, *path = NULL;
	char			 err[1024], clean[4 * 1024], clean2[4 * 1024];
	size_t			 i = 0, j = 0, totals[4] = { 0, 0, 0, 0 };
	int			 ch, verbose = 0;

	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'r':
			path = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (optind != argc) {
		fprintf(stderr, "invigil review backtest: unexpected argument "
		    "\"%s\"; give the database with --db and the rules with "
		    "--rules\n", proto_clean(argv[optind], clean, sizeof clean));
		return EXIT_USAGE;
	}
	if (db == NULL || path == NULL) {
		fprintf(stderr, "invigil review backtest: give %s%s%s\n",
		    db == NULL ? "--db PATH (the database a console wrote)" :
		    "", db == NULL && path == NULL ? " and " : "",
		    path == NULL ? "--rules FILE (the rules to try)" : "");
		return EXIT_USAGE;
	}
	rules = rules_load(path, err, sizeof err);
	if (rules == NULL) {
		fprintf(stderr, "invigil review backtest: %s\n", proto_clean(err,
		    clean, sizeof clean));
		return EXIT_USAGE;
	}
	if (store_reader_open(&reader, db, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review: %s\n",
		    proto_clean(err, clean, sizeof clean));
		rules_free(rules);
		return EXIT_RUNTIME;
	}
	memset(&bt, 0, sizeof bt);
	memset(&live, 0, sizeof live);
	bt.engine = rules_engine_new(rules);
	/* The database holds only the attempts a console took in: no limit
	 * on them; links are bounded as they were live. */
	rules_engine_limits(bt.engine, &(struct rules_limits){ SIZE_MAX,
	    SIZE_MAX, 0, 0 });
	if (store_reader_each_message(reader, backtest_message, &bt, err,
	    sizeof err) != 0 || store_reader_each_flag(reader, backtest_live,
	    &live, err, sizeof err) != 0) {
		fprintf(stderr, "invigil review: %s\n",
		    proto_clean(err, clean, sizeof clean));
		store_reader_close(reader);
		backtest_free(&bt);
		keyset_free(&live);
		rules_free(rules);
		return EXIT_RUNTIME;
	}
	/* Each feed's holds complete by that feed's own clock. */
	rules_engine_tick(bt.engine, backtest_hit, &bt);
	keyset_finish(&bt.hits);
	keyset_finish(&live);

	printf("backtest of %s on %s: %zu messages replayed through %zu "
	    "rules\n", proto_clean(path, clean, sizeof clean),
	    proto_clean(db, clean2, sizeof clean2), bt.messages,
	    rules_count(rules));
	if (bt.undecodable > 0)
		printf("(%zu stored messages no longer decode and were "
		    "skipped)\n", bt.undecodable);
	printf("attempts flagged, per rule:\n");
	printf("%-26s %6s %9s %7s %8s\n", "RULE", "LIVE", "BACKTEST", "ADDED",
	    "REMOVED");
	while (i < live.n || j < bt.hits.n)
		backtest_row(&live, &bt.hits, &i, &j, verbose, totals);
	printf("%-26s %6zu %9zu %7zu %8zu\n", "total", totals[0], totals[1],
	    totals[2], totals[3]);

	backtest_free(&bt);
	keyset_free(&live);
	store_reader_close(reader);
	rules_free(rules);
	return 0;
}

static const struct cmd_option backtest_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" },
	{ "rules", 'r', CMD_OPT_SHORT, "FILE", "the rules to try" },
	{ "verbose", 'v', CMD_OPT_SHORT, NULL, "under each rule, the attempts "
	    "added (+) and removed (-)" },
	{ NULL, 0, 0, NULL, NULL }
};

static const struct cmd_entry cmd_review_backtest_entry = {
	.name = "review backtest",
	.summary = "replay the stored messages through the rules in FILE and "
	    "print, per rule, the attempts flagged live, the attempts the new "
	    "rules flag, and which would be added and removed (with --verbose, "
	    "which attempts)",
	.usage = "review backtest --db PATH --rules FILE [--verbose]",
	.options = backtest_options,
	.opens = CMD_OPENS_STORE_READ,
	.exec = review_backtest,
	.see = "invigil-review(1)",
	.page = "invigil-review.1",
};

static const struct cmd_entry *const review_children[] = {
	&cmd_review_backtest_entry,
	&cmd_review_verify_entry,
	&cmd_review_checkpoints_entry,
	&cmd_review_forensics_entry,
	&cmd_review_import_entry,
	&cmd_review_attempts_entry,
	&cmd_review_flags_entry,
	&cmd_review_decisions_entry,
	&cmd_review_export_entry,
	&cmd_review_timeline_entry,
	&cmd_review_report_entry,
	&cmd_review_bundle_entry, &cmd_review_verify_bundle_entry,
	&cmd_review_browse_entry,
	NULL
};

const struct cmd_entry cmd_review_entry = {
	.name = "review",
	.summary = "analysts' commands on a database a console wrote "
	    "(read-only, beside a console that may still be writing)",
	.flags = CMD_HINT_INLINE,
	.about = "Analysts' commands on a database a console wrote, opened "
	    "read-only beside a console that may still be writing.",
	.children = review_children,
	.see = "invigil-review(1), invigil-rules(5), invigil-store(5)",
	.page = "invigil-review.1",
};
