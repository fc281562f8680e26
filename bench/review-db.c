/*
 * review-db.c - a large database for the review-query benchmark, as the
 * console would have written it after a long exam: EVENTS events over
 * ATTEMPTS attempts (default 10,000,000 over 10,000: 1,000 each, one per
 * millisecond of feed time, 2.8 hours), the flags the default rules raise
 * on them, and JOURNAL decisions by 20 proctors.
 *
 *   schema     store_open(): the console's schema, indexes and pragmas;
 *   attempts   ATTEMPTS attempt messages through store_add_message() and
 *              store_flush() (messages row, attempts upsert, position);
 *   events     the kinds of bench/gen-events.py, uniform and deterministic;
 *              each body byte for byte what the feed sends (checked against
 *              proto_encode() on the first thousand); through the console's
 *              own path (store_add_message, store_flush every
 *              STORE_BATCH_ROWS) inside store_bulk_begin()/_end(): the
 *              secondary indexes of messages dropped and built again
 *              afterwards, commits not synced;
 *   flags      every event through the default rules (rules_engine_message,
 *              rules_engine_tick every 100 ms of feed time), kept by the
 *              console's own flag lifecycle (flags_hit: one open flag per
 *              rule and attempt, evidence merged); stored by
 *              flags_to_store(), store_put_flag() and store_flush();
 *   journal    JOURNAL notes and dismissals by proctor0..proctor19 through
 *              store_journal_append(), each committed durably as the
 *              console commits a decision (the hash chain is real).
 *
 * Prints one line per step with its time on stderr, and "rows ..." on
 * stdout.
 *
 * usage: review-db DB [EVENTS [ATTEMPTS [JOURNAL]]]
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"
#include "console/flags.h"
#include "proto/proto.h"
#include "rules/rules.h"
#include "store/sign.h"
#include "store/store.h"
#include "proto/xmalloc.h"

#define FEED		"review"
#define EPOCH		1
#define T0_MS		INT64_C(1795400000000)
#define TICK_MS		100
#define PROCTORS	20

/* The console's flag lifecycle (console/flags.h): each attempt's open
 * flags, one per rule. */
static struct flags	  fl;
static struct flag	**flags;	/* by attempt index */
static long		  nattempts, nflags;

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "review-db: %s: %s\n", what, err);
	exit(1);
}

static void
on_hit(const struct rules_hit *h, void *arg)
{
	struct flag	*f;
	long		 a;

	(void)arg;
	if (h->attempt[0] != 'A' || (a = atol(h->attempt + 1)) < 0 ||
	    a >= nattempts)
		return;
	if (flags_hit(&fl, &flags[a], NULL, h, &f) == FLAGS_RAISED)
		nflags++;
}

/* The event body as the feed encodes it (compact, this field order). */
static int
event_body(char *buf, size_t size, int64_t seq, int64_t ts_ms,
    const char *attempt, const char *kind, int n)
{
	char	ts[32];

	proto_time_format(ts_ms, ts);
	return snprintf(buf, size, "{\"t\":\"event\",\"seq\":%" PRId64 ","
	    "\"ts\":\"%s\",\"attempt\":\"%s\",\"kind\":\"%s\","
	    "\"data\":{\"n\":%d}}", seq, ts, attempt, kind, n);
}

/* The feed's position and clock, as the steps below advance them. */
static int64_t	seq, ts = T0_MS, next_tick = T0_MS + TICK_MS;

/* Queue m (its text raw) and flush when a batch is full. */
static void
add(struct store *s, const struct proto_msg *m, const char *raw,
    size_t len, int64_t recv_ms)
{
	char	err[1024];

	if (store_add_message(s, FEED, EPOCH, m, raw, len, recv_ms, err,
	    sizeof err) != 0)
		die("store_add_message", err);
	if (store_pending(s) >= STORE_BATCH_ROWS &&
	    store_flush(s, err, sizeof err) != 0)
		die("store_flush", err);
}

/* The attempts, through the store. */
static void
add_attempts(struct store *s, struct rules_engine *eng)
{
	struct proto_msg	 m;
	char			 err[1024], *json;
	size_t			 len;
	long			 i;

	for (i = 0; i < nattempts; i++) {
		memset(&m, 0, sizeof m);
		m.type = PROTO_ATTEMPT;
		m.seq = ++seq;
		m.ts_ms = ts;
		snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt,
		    "A%05ld", i);
		snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate,
		    "C%05ld", i);
		snprintf(m.u.attempt.name, sizeof m.u.attempt.name,
		    "Candidate %ld", i);
		snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX-1");
		m.u.attempt.modality = PROTO_MODALITY_REMOTE;
		m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
		snprintf(m.u.attempt.ip, sizeof m.u.attempt.ip, "10.%ld.%ld.%ld",
		    i >> 16 & 255, i >> 8 & 255, i & 255);
		snprintf(m.u.attempt.device, sizeof m.u.attempt.device,
		    "dev-%05lx", i);
		if ((json = proto_encode(&m, &len, err, sizeof err)) == NULL)
			die("encode", err);
		add(s, &m, json, len, ts + 1);
		free(json);
		rules_engine_message(eng, FEED, &m, on_hit, NULL);
	}
}

/* The events, through the store's bulk path and the rules. */
static void
add_events(struct store *s, struct rules_engine *eng, long events)
{
	struct store_bulk	*bulk;
	struct proto_msg	 m;
	char			 err[1024], body[512], attempt[32], data[32];
	char			*json;
	size_t			 len;
	double			 t0 = bench_now_s(), t;
	long			 i;

	if (store_bulk_begin(s, &bulk, err, sizeof err) != 0)
		die("store_bulk_begin", err);
	for (i = 0; i < events; i++) {
		int	a = (int)(bench_rng() % (uint64_t)nattempts);
		int	kd = (int)(bench_rng() % PROTO_EV_COUNT);
		int	n = (int)(bench_rng() % 1000), bl;

		ts++;
		seq++;
		snprintf(attempt, sizeof attempt, "A%05d", a);
		bl = event_body(body, sizeof body, seq, ts, attempt,
		    proto_event_kind_name((enum proto_event_kind)kd), n);
		snprintf(data, sizeof data, "{\"n\":%d}", n);
		memset(&m, 0, sizeof m);
		m.type = PROTO_EVENT;
		m.seq = seq;
		m.ts_ms = ts;
		snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s",
		    attempt);
		m.u.event.kind = (enum proto_event_kind)kd;
		m.u.event.data = data;
		if (i < 1000) {
			/* The body is what the feed would send. */
			if ((json = proto_encode(&m, &len, err, sizeof err)) ==
			    NULL)
				die("encode", err);
			if ((size_t)bl != len || memcmp(json, body, len) != 0)
				die("body differs from proto_encode()", json);
			free(json);
		}
		if (ts >= next_tick) {
			rules_engine_clock(eng, FEED, ts);
			rules_engine_tick(eng, on_hit, NULL);
			next_tick = ts + TICK_MS;
		}
		rules_engine_message(eng, FEED, &m, on_hit, NULL);
		add(s, &m, body, (size_t)bl,
		    ts + 1 + (int64_t)(bench_rng() % 20));
	}
	if (store_flush(s, err, sizeof err) != 0)
		die("store_flush", err);
	t = bench_now_s();
	fprintf(stderr, "review-db: %ld events through the store and the "
	    "rules: %.1f s\n", events, t - t0);
	if (store_bulk_end(bulk, err, sizeof err) != 0)
		die("store_bulk_end", err);
	fprintf(stderr, "review-db: indexes built again: %.1f s\n",
	    bench_now_s() - t);
}

/* Every attempt's flags, as the console stores them. */
static void
put_flags(struct store *s)
{
	struct store_flag	 sf;
	struct flag		*f;
	char			 err[1024], attempt[32];
	char			 evidence[FLAGS_EVIDENCE_TEXT];
	long			 i;

	for (i = 0; i < nattempts; i++) {
		snprintf(attempt, sizeof attempt, "A%05ld", i);
		for (f = flags[i]; f != NULL; f = f->next) {
			flags_to_store(f, FEED, attempt, &sf, evidence,
			    sizeof evidence);
			sf.id = store_flag_next_id(s);
			if (store_put_flag(s, &sf, err, sizeof err) != 0)
				die("store_put_flag", err);
		}
	}
	if (store_flush(s, err, sizeof err) != 0)
		die("store_flush", err);
}

/*
 * journal notes and escalations by PROCTORS proctors, each durable and
 * signed by its proctor's key (made from a seed: the bench needs no files).
 */
static void
add_journal(struct store *s, long journal)
{
	struct store_journal_entry je;
	struct sign_key		*keys[PROCTORS];
	uint8_t			 seed[32];
	char			 err[1024], actor[32], att[32], reason[64];
	long			 j;

	for (j = 0; j < PROCTORS; j++) {
		snprintf(actor, sizeof actor, "proctor%ld", j);
		memset(seed, (int)j + 1, sizeof seed);
		if ((keys[j] = sign_key_from_seed(actor, seed, err,
		    sizeof err)) == NULL)
			die("sign_key_from_seed", err);
	}
	for (j = 0; j < journal; j++) {
		snprintf(actor, sizeof actor, "proctor%ld", j % PROCTORS);
		store_set_signer(s, keys[j % PROCTORS]);
		snprintf(att, sizeof att, "A%05ld", (j * 7919) % nattempts);
		snprintf(reason, sizeof reason, "bench decision %ld", j);
		memset(&je, 0, sizeof je);
		je.actor = actor;
		je.role = "proctor";
		je.kind = j % 2 ? "escalate" : "note";
		je.feed = FEED;
		je.attempt = att;
		je.reason = reason;
		je.evidence = "{\"flags\":[]}";
		je.detail = "{}";
		if (store_journal_append(s, &je, NULL, NULL, err,
		    sizeof err) != 0)
			die("store_journal_append", err);
	}
	store_set_signer(s, NULL);
	for (j = 0; j < PROCTORS; j++)
		sign_key_free(keys[j]);
}

int
main(int argc, char **argv)
{
	struct store		*s;
	struct rules		*rules;
	struct rules_engine	*eng;
	const char		*path;
	char			 err[1024];
	long			 events = 10000000, journal = 20000, i;
	double			 t0, t;

	if (argc < 2) {
		fprintf(stderr, "usage: review-db DB [EVENTS [ATTEMPTS "
		    "[JOURNAL]]]\n");
		return 2;
	}
	path = argv[1];
	nattempts = 10000;
	if (argc > 2)
		events = atol(argv[2]);
	if (argc > 3)
		nattempts = atol(argv[3]);
	if (argc > 4)
		journal = atol(argv[4]);
	if (events < 1 || nattempts < 1 || nattempts > 99999 || journal < 0) {
		fprintf(stderr, "review-db: EVENTS >= 1, 1 <= ATTEMPTS <= "
		    "99999, JOURNAL >= 0\n");
		return 2;
	}
	unlink(path);
	flags = xcalloc((size_t)nattempts, sizeof *flags);
	rules = rules_default();
	eng = rules_engine_new(rules);

	t0 = bench_now_s();
	if (store_open(&s, path, err, sizeof err) != 0)
		die(path, err);
	add_attempts(s, eng);
	fprintf(stderr, "review-db: %ld attempts through the store: %.1f s\n",
	    nattempts, bench_now_s() - t0);
	add_events(s, eng, events);
	t0 = bench_now_s();
	put_flags(s);
	t = bench_now_s();
	fprintf(stderr, "review-db: %ld flags through the store: %.1f s\n",
	    nflags, t - t0);
	add_journal(s, journal);
	if (store_close(s, err, sizeof err) != 0)
		die("store_close", err);
	fprintf(stderr, "review-db: %ld journal entries, each committed "
	    "durably: %.1f s\n", journal, bench_now_s() - t);
	printf("rows events %ld attempts %ld flags %ld journal %ld\n", events,
	    nattempts, nflags, journal);
	for (i = 0; i < nattempts; i++)
		flags_free_list(flags[i]);
	free(flags);
	flags_free(&fl);
	rules_engine_free(eng);
	rules_free(rules);
	return 0;
}
