/*
 * check_model.c - unit tests of the console's pure parts, without a
 * terminal, a socket or a database: the flag lifecycle (flags.c: one open
 * flag per rule and attempt, evidence merged and bounded, re-armed after a
 * decision, interned rule names, a flag to and from its store row) and
 * the model (model.c: the attempt index and display order, risk, feed
 * sessions and their positions, the tail and the event rate, MISSING
 * attempts), and the
 * decisions app_decide (decide.c) refuses before anything is recorded,
 * the reconnect backoff and its jitter (link.c), and the outcomes table
 * (outcomes.c: markers from folds, history by candidate, identity keys,
 * bounds).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/app.h"
#include "console/flags.h"
#include "console/model.h"
#include "console/outcomes.h"
#include "tests/check_main.h"

/* A hit of rule on attempt A1 at seq, with evidence seqs. */
static struct rules_hit
hit(const char *rule, int sev, int64_t seq, const int64_t *ev, size_t nev)
{
	struct rules_hit	h;

	memset(&h, 0, sizeof h);
	h.rule = rule;
	h.severity = (enum proto_severity)sev;
	h.weight = 2.5;
	h.message = "two faces in frame";
	h.feed = "F1";
	h.attempt = "A1";
	h.seq = seq;
	h.ts_ms = 1000 * seq;
	h.evidence = ev;
	h.nevidence = nev;
	return h;
}

static size_t
list_len(const struct flag *f)
{
	size_t	n = 0;

	for (; f != NULL; f = f->next)
		n++;
	return n;
}

START_TEST(test_flags_one_open_per_rule)
{
	struct flags		 fl = { 0 };
	struct flag		*open = NULL, *closed = NULL, *f, *g;
	int64_t			 ev1[] = { 1, 2 }, ev2[] = { 2, 3 };
	struct rules_hit	 h;

	h = hit("faces_multiple", PROTO_SEV_HIGH, 2, ev1, 2);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &f), FLAGS_RAISED);
	ck_assert_ptr_eq(open, f);
	ck_assert_int_eq(f->id, 0);
	ck_assert_int_eq(f->count, 1);
	ck_assert_int_eq(f->state, STORE_FLAG_OPEN);
	ck_assert_str_eq(f->message, "two faces in frame");

	/* A repeat merges: count, last time and seq, evidence without
	 * repeating seq 2. */
	h = hit("faces_multiple", PROTO_SEV_HIGH, 3, ev2, 2);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &g), FLAGS_MERGED);
	ck_assert_ptr_eq(g, f);
	ck_assert_int_eq(f->count, 2);
	ck_assert_int_eq(f->first_seq, 2);
	ck_assert_int_eq(f->last_seq, 3);
	ck_assert_int_eq(f->last_ms, 3000);
	ck_assert_uint_eq(f->nevidence, 3);
	ck_assert_int_eq(f->evidence[2], 3);

	/* Another rule: another flag, and the most severe is the top. */
	h = hit("identity_mismatch", PROTO_SEV_CRITICAL, 4, NULL, 0);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &g), FLAGS_RAISED);
	ck_assert_uint_eq(list_len(open), 2);
	ck_assert_ptr_eq(flags_top(open), g);

	/* Closed: it leaves the open list, and the rule re-arms. */
	flags_close(&open, &closed, g, STORE_FLAG_DISMISSED, 5000);
	ck_assert_uint_eq(list_len(open), 1);
	ck_assert_ptr_eq(closed, g);
	ck_assert_int_eq(g->state, STORE_FLAG_DISMISSED);
	ck_assert_int_eq(g->closed_ms, 5000);
	ck_assert_ptr_eq(flags_top(open), f);
	h = hit("identity_mismatch", PROTO_SEV_CRITICAL, 6, NULL, 0);
	ck_assert_int_eq(flags_hit(&fl, &open, NULL, &h, &f), FLAGS_RAISED);
	ck_assert_ptr_ne(f, g);
	ck_assert_int_eq(f->count, 1);
	ck_assert_uint_eq(list_len(open), 2);
	ck_assert_uint_eq(list_len(closed), 1);

	flags_free_list(open);
	flags_free_list(closed);
	flags_free(&fl);
}
END_TEST

START_TEST(test_flags_evidence_bound)
{
	struct flag	*f = flags_new(NULL);
	int64_t		 seq;

	for (seq = 1; seq <= RULES_EVIDENCE_MAX + 5; seq++)
		flags_evidence_add(f, &seq, 1);
	flags_evidence_add(f, &seq, 0);
	ck_assert_uint_eq(f->nevidence, RULES_EVIDENCE_MAX);
	ck_assert_int_eq(f->evidence[0], 6);		/* oldest gave way */
	ck_assert_int_eq(f->evidence[RULES_EVIDENCE_MAX - 1],
	    RULES_EVIDENCE_MAX + 5);
	seq = 6;					/* already kept */
	flags_evidence_add(f, &seq, 1);
	ck_assert_int_eq(f->evidence[0], 6);
	ck_assert_str_eq(f->message, "");
	free(f);
}
END_TEST

START_TEST(test_flags_rule_names_interned)
{
	struct flags	 fl = { 0 };
	char		 name[32];
	const char	*a;

	snprintf(name, sizeof name, "gaze_away");
	a = flags_rule_name(&fl, name);
	ck_assert_ptr_ne(a, name);
	ck_assert_ptr_eq(flags_rule_name(&fl, "gaze_away"), a);
	ck_assert_ptr_ne(flags_rule_name(&fl, "idle"), a);
	ck_assert_uint_eq(fl.nrule_names, 2);
	flags_free(&fl);
	ck_assert_uint_eq(fl.nrule_names, 0);
}
END_TEST

START_TEST(test_flags_store_round_trip)
{
	struct flags		 fl = { 0 };
	struct flag		*open = NULL, *closed = NULL, *f, *g;
	struct store_flag	 sf;
	int64_t			 ev[] = { 12, 15, 31 };
	struct rules_hit	 h = hit("faces_multiple", PROTO_SEV_HIGH, 31,
				    ev, 3);
	char			 text[FLAGS_EVIDENCE_TEXT];

	flags_hit(&fl, &open, NULL, &h, &f);
	f->id = 42;
	flags_to_store(f, "F1", "A1", &sf, text, sizeof text);
	ck_assert_str_eq(sf.evidence, "12,15,31");
	ck_assert_str_eq(sf.feed, "F1");
	ck_assert_str_eq(sf.attempt, "A1");
	ck_assert_str_eq(sf.rule, "faces_multiple");
	g = flags_from_store(&fl, &sf, NULL);
	ck_assert_int_eq(g->id, 42);
	ck_assert_ptr_eq(g->rule, f->rule);
	ck_assert_uint_eq(g->nevidence, 3);
	ck_assert_int_eq(g->evidence[2], 31);
	ck_assert_str_eq(g->message, f->message);
	g->state = STORE_FLAG_CONFIRMED;
	flags_put(&open, &closed, g);
	ck_assert_ptr_eq(closed, g);
	ck_assert_ptr_eq(flags_find(closed, 42), g);
	ck_assert_ptr_eq(flags_find(open, 42), f);
	ck_assert_ptr_null(flags_find(open, 7));

	f->nevidence = 0;
	flags_to_store(f, "F1", "A1", &sf, text, sizeof text);
	ck_assert_ptr_null(sf.evidence);
	flags_free_list(open);
	flags_free_list(closed);
	flags_free(&fl);
}
END_TEST


START_TEST(test_model_attempt_index)
{
	struct model		 m;
	struct feed_session	*f1, *f2;
	struct attempt		*a, *b;
	char			 err[256], id[16];
	int			 i;

	memset(&m, 0, sizeof m);
	f1 = model_session_new(&m, "F1", NULL, NULL, err, sizeof err);
	f2 = model_session_new(&m, "F2", NULL, NULL, err, sizeof err);
	ck_assert_ptr_nonnull(f1);
	ck_assert_ptr_eq(model_session_find(&m, "F2"), f2);
	ck_assert_ptr_null(model_session_find(&m, "F3"));
	ck_assert_ptr_null(model_attempt_find(&m, f1, "A1"));
	a = model_attempt_get(&m, f1, "A1");
	b = model_attempt_get(&m, f2, "A1");	/* same id, other feed */
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_eq(model_attempt_get(&m, f1, "A1"), a);
	ck_assert_ptr_eq(model_attempt_find(&m, f2, "A1"), b);
	ck_assert_int_eq(a->top_severity, -1);
	ck_assert_int_eq(a->state, PROTO_STATE_SCHEDULED);
	/* Past the first rehash, every attempt is still found. */
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "B%d", i);
		model_attempt_get(&m, f1, id);
	}
	ck_assert_uint_eq(m.nattempts, 3002);
	ck_assert_uint_eq(f1->nattempts, 3001);
	ck_assert_ptr_eq(model_attempt_find(&m, f1, "A1"), a);
	ck_assert_ptr_nonnull(model_attempt_find(&m, f1, "B2999"));
	model_free(&m);
	ck_assert_uint_eq(m.nattempts, 0);
}
END_TEST

/* The test's feeds: F1 live since live_f1 (fake console clock), F2 not
 * live (OFFLINE). */
static int64_t	live_f1;

static int64_t
fake_live(const struct attempt *a, void *arg)
{
	(void)arg;
	return strcmp(a->feed->id, "F1") == 0 ? live_f1 : -1;
}

START_TEST(test_model_missing)
{
	struct model		 m;
	struct feed_session	*f1, *f2;
	struct attempt		*a1, *a2, *a3, *a4, *a;
	struct timespec		 t0, t1;
	char			 err[256], id[16];
	double			 ms;
	int			 i;

	memset(&m, 0, sizeof m);
	f1 = model_session_new(&m, "F1", NULL, NULL, err, sizeof err);
	f2 = model_session_new(&m, "F2", NULL, NULL, err, sizeof err);
	a1 = model_attempt_get(&m, f1, "A1");
	a2 = model_attempt_get(&m, f1, "A2");
	a3 = model_attempt_get(&m, f1, "A3");
	a4 = model_attempt_get(&m, f2, "A4");
	live_f1 = 0;
	a1->state = a4->state = PROTO_STATE_IN_PROGRESS;
	a2->state = PROTO_STATE_PAUSED;
	a3->state = PROTO_STATE_SUBMITTED;
	model_heard(&m, a1, 1000);
	model_heard(&m, a2, 1000);
	model_heard(&m, a3, 1000);
	model_heard(&m, a4, 1000);
	/* Silent 59.999 s: not yet. */
	ck_assert_uint_eq(model_missing(&m, 60999, 60000, fake_live, NULL), 0);
	ck_assert_int_eq(a1->missing, 0);
	/* 60 s: A1 only (A2 paused, A3 submitted, A4's feed offline). */
	m.dirty = 0;
	ck_assert_uint_eq(model_missing(&m, 61000, 60000, fake_live, NULL), 1);
	ck_assert_int_eq(a1->missing, 1);
	ck_assert_int_eq(a2->missing, 0);
	ck_assert_int_eq(a3->missing, 0);
	ck_assert_int_eq(a4->missing, 0);
	ck_assert_uint_eq(m.nmissing, 1);
	ck_assert_int_eq(m.dirty, 1);
	/* Off (0): none. */
	ck_assert_uint_eq(model_missing(&m, 61000, 0, fake_live, NULL), 0);
	ck_assert_int_eq(a1->missing, 0);
	ck_assert_uint_eq(model_missing(&m, 61000, 60000, fake_live, NULL), 1);
	/* A message clears it at once, and the count with it. */
	model_heard(&m, a1, 62000);
	ck_assert_int_eq(a1->missing, 0);
	ck_assert_uint_eq(m.nmissing, 0);
	ck_assert_uint_eq(model_missing(&m, 121999, 60000, fake_live, NULL),
	    0);
	ck_assert_uint_eq(model_missing(&m, 122000, 60000, fake_live, NULL),
	    1);
	/* A feed back from an outage: silence counts from its return. */
	live_f1 = 100000;
	ck_assert_uint_eq(model_missing(&m, 159999, 60000, fake_live, NULL),
	    0);
	ck_assert_uint_eq(model_missing(&m, 160000, 60000, fake_live, NULL),
	    1);
	/* No longer in progress: no longer MISSING. */
	a1->state = PROTO_STATE_SUBMITTED;
	ck_assert_uint_eq(model_missing(&m, 160000, 60000, fake_live, NULL),
	    0);
	ck_assert_int_eq(a1->missing, 0);

	/* The cost of one pass over 50,000 attempts, all in progress. */
	for (i = 0; i < 50000; i++) {
		snprintf(id, sizeof id, "B%d", i);
		a = model_attempt_get(&m, f1, id);
		a->state = PROTO_STATE_IN_PROGRESS;
		model_heard(&m, a, i % 2 ? 200000 : 100000);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_uint_eq(model_missing(&m, 199000, 60000, fake_live, NULL),
	    25000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	fprintf(stderr, "model_missing: 50,004 attempts in %.2f ms\n", ms);
	/* Once a second, it must stay far below one frame (50 ms). */
	ck_assert_double_lt(ms, 50.0);
	model_free(&m);
}
END_TEST

START_TEST(test_model_unseen)
{
	struct model		 m;
	struct feed_session	*f1;
	struct attempt		*a, *b;
	struct flag		*f, *g, *h2;
	struct rules_hit	 h;
	char			 err[256];
	int64_t			 ev[] = { 1 };

	memset(&m, 0, sizeof m);
	f1 = model_session_new(&m, "F1", NULL, NULL, err, sizeof err);
	a = model_attempt_get(&m, f1, "A1");
	b = model_attempt_get(&m, f1, "B1");
	h = hit("identity_mismatch", PROTO_SEV_CRITICAL, 1, ev, 1);
	flags_hit(&m.flagset, &a->flags, a, &h, &f);
	h = hit("remote_access", PROTO_SEV_CRITICAL, 2, ev, 1);
	flags_hit(&m.flagset, &a->flags, a, &h, &g);
	h = hit("remote_access", PROTO_SEV_CRITICAL, 3, ev, 1);
	flags_hit(&m.flagset, &b->flags, b, &h, &h2);
	model_unseen(&m, f);
	model_unseen(&m, g);
	model_unseen(&m, h2);
	ck_assert_uint_eq(m.unseen, 3);
	ck_assert_uint_eq(m.alerts, 3);
	/* Counted once however often it is said. */
	model_unseen(&m, f);
	ck_assert_uint_eq(m.unseen, 3);
	ck_assert_uint_eq(m.alerts, 4);
	/* Decided: seen; selecting B sees B's only, and twice is once. */
	model_flag_seen(&m, h2);
	ck_assert_uint_eq(m.unseen, 2);
	model_seen(&m, b);
	ck_assert_uint_eq(m.unseen, 2);
	ck_assert_int_eq(f->unseen, 1);
	model_seen(&m, a);
	ck_assert_uint_eq(m.unseen, 0);
	ck_assert_int_eq(f->unseen, 0);
	ck_assert_int_eq(g->unseen, 0);
	model_seen(&m, a);
	ck_assert_uint_eq(m.unseen, 0);
	model_free(&m);
}
END_TEST

/* The ids of m's attempts in display order, comma-separated. */
static const char *
order_ids(struct model *m, char *buf, size_t len)
{
	size_t	i, n = 0;

	buf[0] = '\0';
	model_sort(m);
	for (i = 0; i < m->nattempts && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    m->attempts[i]->id);
	return buf;
}

START_TEST(test_model_orders)
{
	struct model		 m;
	struct feed_session	*f1, *f2;
	struct attempt		*a, *b, *c, *d;
	char			 err[256], buf[128];

	memset(&m, 0, sizeof m);
	f1 = model_session_new(&m, "F1", NULL, NULL, err, sizeof err);
	f2 = model_session_new(&m, "F2", NULL, NULL, err, sizeof err);
	d = model_attempt_get(&m, f2, "A1");	/* same id, later feed */
	c = model_attempt_get(&m, f1, "C");
	b = model_attempt_get(&m, f1, "B");
	a = model_attempt_get(&m, f1, "A1");
	snprintf(a->name, sizeof a->name, "Zoe");
	snprintf(b->name, sizeof b->name, "Ana");
	snprintf(c->name, sizeof c->name, "Ana");	/* a tie with B */
	snprintf(d->name, sizeof d->name, "Ben");
	snprintf(a->center, sizeof a->center, "TC-2");
	snprintf(b->center, sizeof b->center, "TC-9");
	snprintf(d->center, sizeof d->center, "TC-2");	/* C: none */
	b->risk = 10;
	d->risk = 10;
	c->has_event = d->has_event = b->has_event = 1;
	c->last_ms = 3000;
	d->last_ms = 5000;
	b->last_ms = 3000;	/* a tie with C */

	ck_assert_str_eq(model_order_name(m.order), "risk");
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "B,A1,A1,C");
	ck_assert_ptr_eq(m.attempts[1], d);	/* the tie: F2's A1 after B */
	model_set_order(&m, MODEL_ORDER_LAST);
	ck_assert_str_eq(model_order_name(m.order), "last event");
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "A1,B,C,A1");
	ck_assert_ptr_eq(m.attempts[0], d);
	ck_assert_ptr_eq(m.attempts[3], a);	/* no event: last */
	model_set_order(&m, MODEL_ORDER_ATTEMPT);
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "A1,B,C,A1");
	ck_assert_ptr_eq(m.attempts[0], a);	/* F1 before F2 */
	model_set_order(&m, MODEL_ORDER_NAME);
	ck_assert_str_eq(model_order_name(m.order), "name");
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "B,C,A1,A1");
	ck_assert_ptr_eq(m.attempts[2], d);
	model_set_order(&m, MODEL_ORDER_CENTER);
	ck_assert_str_eq(model_order_name(m.order), "centre");
	/* TC-2: Ben (F2's A1) before Zoe (F1's A1); TC-9; none last. */
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "A1,A1,B,C");
	ck_assert_ptr_eq(m.attempts[0], d);
	ck_assert_ptr_eq(m.attempts[1], a);
	/* Sorting again changes nothing: ties keep one order. */
	m.order_dirty = 1;
	ck_assert_str_eq(order_ids(&m, buf, sizeof buf), "A1,A1,B,C");
	ck_assert_ptr_eq(m.attempts[0], d);
	model_set_order(&m, MODEL_ORDER_COUNT);	/* out of range: risk */
	ck_assert_str_eq(model_order_name(m.order), "risk");
	model_free(&m);
}
END_TEST

START_TEST(test_model_order_and_risk)
{
	struct model		 m;
	struct feed_session	*fs;
	struct attempt		*a, *b, *c;
	struct rules_hit	 h;
	struct flag		*f;
	char			 err[256];
	int64_t			 now = proto_now_ms();

	memset(&m, 0, sizeof m);
	fs = model_session_new(&m, "F1", NULL, NULL, err, sizeof err);
	c = model_attempt_get(&m, fs, "C");
	b = model_attempt_get(&m, fs, "B");
	a = model_attempt_get(&m, fs, "A");
	model_sort(&m);
	ck_assert_ptr_eq(m.attempts[0], a);	/* no risk: by id */
	ck_assert_ptr_eq(m.attempts[2], c);

	h = hit("faces_multiple", PROTO_SEV_HIGH, 1, NULL, 0);
	flags_hit(&m.flagset, &c->flags, c, &h, &f);
	model_recount(&m, c);
	ck_assert_int_eq(c->open_flags, 1);
	ck_assert_int_eq(c->top_severity, PROTO_SEV_HIGH);
	ck_assert(c->risk == 2.5);
	ck_assert_int_eq(m.order_dirty, 1);
	model_sort(&m);
	ck_assert_ptr_eq(m.attempts[0], c);
	ck_assert_int_eq(m.order_dirty, 0);

	/* Confirmed counts twice; dismissed halves every 15 minutes. */
	flags_close(&c->flags, &c->closed, f, STORE_FLAG_CONFIRMED, now);
	model_recount(&m, c);
	ck_assert(attempt_risk(c, now) == 5.0);
	h = hit("gaze_away", PROTO_SEV_LOW, 2, NULL, 0);
	flags_hit(&m.flagset, &b->flags, b, &h, &f);
	f->id = 7;
	flags_close(&b->flags, &b->closed, f, STORE_FLAG_DISMISSED, now);
	model_recount(&m, b);
	ck_assert(attempt_risk(b, now) == 2.5);
	ck_assert(attempt_risk(b, now + 15 * 60 * 1000) == 1.25);
	ck_assert_ptr_eq(model_flag_by_id(&m, 7), f);
	model_fade(&m, now + 30 * 60 * 1000);
	ck_assert(b->risk == 0.625);
	model_free(&m);
}
END_TEST

static int
in_use_all(const struct feed_session *fs, void *arg)
{
	(void)fs;
	return *(int *)arg;
}

START_TEST(test_model_sessions_bounded)
{
	struct model		 m;
	struct feed_session	*fs;
	char			 err[256], id[16];
	int			 i, used = 1;

	memset(&m, 0, sizeof m);
	for (i = 0; i < CONSOLE_MAX_SESSIONS; i++) {
		snprintf(id, sizeof id, "F%d", i);
		ck_assert_ptr_nonnull(model_session_new(&m, id, in_use_all,
		    &used, err, sizeof err));
	}
	ck_assert_ptr_null(model_session_new(&m, "G", in_use_all, &used, err,
	    sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "already follows 64 feed ids"));
	/* Unused sessions without attempts make room; one with stays. */
	model_attempt_get(&m, model_session_find(&m, "F3"), "A1");
	used = 0;
	fs = model_session_new(&m, "G", in_use_all, &used, err, sizeof err);
	ck_assert_ptr_nonnull(fs);
	ck_assert_int_eq(m.nsessions, 2);
	ck_assert_ptr_nonnull(model_session_find(&m, "F3"));
	ck_assert_int_eq(fs->clock_ms, INT64_MIN);

	/* Positions stay within what the console can advance. */
	model_session_position(fs, 3, -5);
	ck_assert_int_eq(fs->last_seq, 0);
	model_session_position(fs, 3, INT64_MAX);
	ck_assert_int_eq(fs->last_seq, CONSOLE_SEQ_MAX);
	ck_assert_int_eq(fs->epoch, 3);
	model_free(&m);
}
END_TEST

START_TEST(test_model_tail_and_rate)
{
	struct model	 m;
	char		 longer[400];
	int		 i;

	memset(&m, 0, sizeof m);
	for (i = 0; i < CONSOLE_TAIL + 3; i++)
		model_tail_add(&m, "F1", i, "line %d", i);
	ck_assert_uint_eq(m.tail_count, CONSOLE_TAIL);
	ck_assert_uint_eq(m.tail_next, 3);
	ck_assert_str_eq(m.tail[2].text, "line 258");
	/* A long line is cut, never inside a character. */
	memset(longer, 'a', sizeof longer);
	memcpy(longer + sizeof m.tail[0].text - 2, "\xe2\x82\xac", 3);
	longer[sizeof longer - 1] = '\0';
	model_tail_add(&m, "F1", 0, "%s", longer);
	ck_assert_uint_eq(strlen(m.tail[3].text), sizeof m.tail[0].text - 2);

	/* Ten events a second for six seconds: 10 a second. */
	for (i = 0; i < 60; i++)
		model_rate_count(&m, 1000000 + i * 100);
	model_rate_update(&m, 1006000);
	ck_assert(m.events_per_sec == 10.0);
	model_rate_update(&m, 1020000);		/* quiet since */
	ck_assert(m.events_per_sec == 0.0);
	model_free(&m);
}
END_TEST


/* A link that is "connected" and sends nothing. */
static int
never_sent(struct feed_link *l, const char *text, size_t len)
{
	(void)l;
	(void)text;
	(void)len;
	ck_abort_msg("nothing may be sent");
	return -1;
}

static int
always_up(const struct feed_link *l)
{
	(void)l;
	return 1;
}

static const struct link_ops up_ops = {
	.name = "test", .send = never_sent, .connected = always_up,
};

/* app_decide(app, a, action, reason): its status, err filled. */
static int
decide(struct app *app, struct attempt *a, struct flag *f,
    const char *action, const char *reason, char *err, size_t errlen)
{
	struct decision		d;
	struct decision_result	dr;

	memset(&d, 0, sizeof d);
	d.attempt = a;
	d.flag = f;
	d.action = action;
	d.reason = reason;
	err[0] = '\0';
	return app_decide(app, &d, &dr, err, errlen);
}

START_TEST(test_decide_refusals)
{
	static struct app	 app;
	struct feed_session	*fs;
	struct attempt		*a, *b;
	struct flag		*f;
	struct rules_hit	 h;
	struct decision		 d;
	struct decision_result	 dr;
	char			 err[512], reason[PROTO_TEXT_MAX + 2];
	int			 up = 1;

	memset(&app, 0, sizeof app);
	app.opt.proctor = "unit";
	fs = app_session_new(&app, "F1", err, sizeof err);
	a = model_attempt_get(&app.model, fs, "A1");
	b = model_attempt_get(&app.model, fs, "B1");

	ck_assert_int_eq(decide(&app, a, NULL, "shrug", "r", err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "unknown decision \"shrug\" (one of dismiss, "
	    "confirm, warn, pause, resume, terminate, escalate, note, "
	    "message, extend, lock, ack_request)");
	ck_assert_int_eq(decide(&app, a, NULL, "note", "", err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "a reason is required; nothing recorded");
	ck_assert_int_eq(decide(&app, a, NULL, "dismiss", "r", err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "A1 has no open flag to dismiss");

	h = hit("faces_multiple", PROTO_SEV_HIGH, 1, NULL, 0);
	flags_hit(&app.model.flagset, &a->flags, a, &h, &f);
	f->id = 5;
	/* ack_request takes a raised hand only, never another flag. */
	ck_assert_int_eq(decide(&app, a, NULL, "ack_request", "r", err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "A1 has no open raise_hand request to "
	    "ack_request");
	ck_assert_int_eq(decide(&app, a, f, "ack_request", "r", err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "flag 5 is not a request: ack_request takes "
	    "flags of rule raise_hand");
	ck_assert_int_eq(f->state, STORE_FLAG_OPEN);
	ck_assert_int_eq(decide(&app, b, f, "confirm", "r", err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "flag 5 is not a flag of B1");
	flags_close(&a->flags, &a->closed, f, STORE_FLAG_DISMISSED, 1);
	ck_assert_int_eq(decide(&app, a, f, "confirm", "r", err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "flag 5 was already dismissed; nothing "
	    "recorded");

	/* Commands: only to a connected feed, never a replaced one. */
	ck_assert_int_eq(decide(&app, a, NULL, "pause", "r", err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "feed F1 is not connected; nothing was sent or "
	    "recorded");
	app.nfeeds = 1;
	app.feeds[0].app = &app;
	app.feeds[0].ops = &up_ops;
	app.feeds[0].impl = &up;
	app.feeds[0].session = fs;
	fs->link = &app.feeds[0];
	ck_assert_int_eq(decide(&app, a, NULL, "pause", "r", err, sizeof err),
	    -1);		/* no welcome yet */
	ck_assert_ptr_nonnull(strstr(err, "is not connected"));
	app.feeds[0].welcomed = 1;
	memset(reason, 'a', sizeof reason - 1);
	reason[sizeof reason - 1] = '\0';
	ck_assert_int_eq(decide(&app, a, NULL, "warn", reason, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "may be at most 1024 bytes"));
	/* extend needs its minutes, and no other act takes any; message
	 * needs words whatever its code. */
	memset(&d, 0, sizeof d);
	d.attempt = a;
	d.action = "extend";
	d.reason = "outage";
	ck_assert_int_eq(app_decide(&app, &d, &dr, err, sizeof err), -1);
	ck_assert_str_eq(err, "extend needs the minutes of extra time, a whole "
	    "number from 1 to 240 (got 0); nothing recorded");
	d.minutes = 241;
	ck_assert_int_eq(app_decide(&app, &d, &dr, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "(got 241); nothing recorded"));
	d.action = "warn";
	d.minutes = 5;
	ck_assert_int_eq(app_decide(&app, &d, &dr, err, sizeof err), -1);
	ck_assert_str_eq(err, "only extend takes minutes, not warn; nothing "
	    "recorded");
	d.action = "message";
	d.minutes = 0;
	d.reason = "";
	d.reason_code = "technical.connection";
	ck_assert_int_eq(app_decide(&app, &d, &dr, err, sizeof err), -1);
	ck_assert_str_eq(err, "message needs words: they are what the "
	    "candidate sees; nothing recorded");
	/* 1020 bytes of words fit alone, not after "15 minutes: ". */
	d.action = "extend";
	d.minutes = 15;
	d.reason_code = NULL;
	reason[1020] = '\0';
	d.reason = reason;
	ck_assert_int_eq(app_decide(&app, &d, &dr, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "the reason is 1032 bytes"));
	snprintf(fs->replaced_by, sizeof fs->replaced_by, "F2");
	snprintf(fs->replaced_url, sizeof fs->replaced_url, "ws://h/");
	ck_assert_int_eq(decide(&app, a, NULL, "terminate", "r", err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "feed F1 no longer answers at "
	    "ws://h/ (feed F2 does now)"));
	ck_assert_ptr_null(app.pending);
	ck_assert_int_eq(app.cmd_counter, 2);	/* the too-long ones */
	app_clear(&app);
}
END_TEST

START_TEST(test_retry_delay)
{
	static const int64_t	plain[] = { 500, 1000, 2000, 4000, 8000, 16000,
				    30000, 30000, 30000, 30000, 30000, 30000 };
	static const int64_t	refused[] = { 60000, 120000, 240000, 480000,
				    600000, 600000, 600000, 600000, 600000,
				    600000, 600000, 600000 };
	const int64_t		*want;
	int64_t			 d, lo, hi, sum;
	unsigned		 r, i, n = 20000;
	int			 ref, saw_lo, saw_hi, saw_mid;

	for (r = 0; r < sizeof plain / sizeof plain[0]; r++) {
		ck_assert_int_eq(link_retry_delay(r, 0, 25), plain[r]);
		ck_assert_int_eq(link_retry_delay(r, 1, 25), refused[r]);
	}
	/* No overflow however long a feed stays away. */
	ck_assert_int_eq(link_retry_delay(1000, 0, 25), 30000);
	ck_assert_int_eq(link_retry_delay(~0u, 1, 25), 600000);
	ck_assert_int_eq(link_retry_delay(0, 0, 0), 375);
	ck_assert_int_eq(link_retry_delay(0, 0, 50), 625);
	ck_assert_int_eq(link_retry_delay(40, 1, 0), 450000);
	ck_assert_int_eq(link_retry_delay(40, 1, 50), 750000);

	srand(12345);
	for (ref = 0; ref <= 1; ref++) {
		want = ref ? refused : plain;
		for (r = 0; r < sizeof plain / sizeof plain[0]; r++) {
			lo = want[r] - want[r] / 4;
			hi = want[r] + want[r] / 4;
			sum = 0;
			saw_lo = saw_hi = saw_mid = 0;
			for (i = 0; i < n; i++) {
				d = link_retry_delay(r, ref, (unsigned)rand());
				ck_assert_msg(d >= lo && d <= hi, "retry %u%s: "
				    "%lld ms is outside %lld..%lld", r,
				    ref ? " (refused)" : "", (long long)d,
				    (long long)lo, (long long)hi);
				saw_lo |= d == lo;
				saw_hi |= d == hi;
				saw_mid |= d == want[r];
				sum += d;
			}
			ck_assert_msg(saw_lo && saw_hi && saw_mid, "retry %u: "
			    "the jitter never reached -25 %%, 0 or +25 %%", r);
			/* The mean of 20000 uniform draws: within 1 %. */
			ck_assert_msg(llabs(sum / n - want[r]) <= want[r] / 100,
			    "retry %u: mean %lld ms, not about %lld", r,
			    (long long)(sum / n), (long long)want[r]);
		}
	}
}
END_TEST

/* ---- outcomes (outcomes.c): folds, markers, history, bounds */

/* An act k by actor at time t (the roles an admin and an analyst hold). */
static struct outcome_act_rec
oact(enum outcome_act k, const char *actor, int64_t t)
{
	struct outcome_act_rec	a;

	memset(&a, 0, sizeof a);
	a.kind = k;
	a.actor = actor;
	a.roles = OUTCOME_ROLE_ADMIN | OUTCOME_ROLE_ANALYST;
	a.time_ms = t;
	a.code = "collusion";
	a.reason = "forty identical answers";
	a.received = "2026-12-01";
	a.ref = "APL-1";
	return a;
}

/* The marker of (feed, attempt) now, "" for none. */
static const char *
marker_of(const struct outcomes *t, const char *feed, const char *attempt)
{
	const struct outcome_mark	*m = outcomes_find(t, feed, attempt);
	const char			*w;

	if (m == NULL)
		return "";
	w = outcomes_marker(outcome_at(&m->fold, 1000000));
	return w != NULL ? w : "";
}

START_TEST(test_outcomes_markers_from_folds)
{
	struct outcomes		t;
	struct outcome_act_rec	a;
	static const struct {
		enum outcome_act	 k;
		const char		*who;
		const char		*marker;
	} steps[] = {
		{ OUTCOME_OPEN_CASE, "ann", "REVIEW" },
		{ OUTCOME_PROPOSE, "amy", "PROPOSED" },
		{ OUTCOME_APPROVE, "amy", "PROPOSED" },	/* four eyes: refused */
		{ OUTCOME_APPROVE, "bob", "INVALID" },
		{ OUTCOME_APPEAL, "bob", "APPEAL" },
		{ OUTCOME_REINSTATE, "cat", "" },
		{ OUTCOME_OPEN_CASE, "ann", "REVIEW" },
	};
	size_t			i;

	outcomes_init(&t, 100);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		a = oact(steps[i].k, steps[i].who, 1000 + (int64_t)i);
		ck_assert_int_ge(outcomes_fold(&t, "F1", "A1", "C1",
		    (int64_t)i + 1, &a, 1), 0);
		ck_assert_msg(strcmp(marker_of(&t, "F1", "A1"),
		    steps[i].marker) == 0, "step %zu: %s, want %s", i,
		    marker_of(&t, "F1", "A1"), steps[i].marker);
	}
	ck_assert_str_eq(outcomes_find(&t, "F1", "A1")->fold.approver, "bob");
	/* An act read twice (a poll that overlaps) is folded once. */
	a = oact(OUTCOME_PROPOSE, "amy", 2000);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A1", "C1", 7, &a, 1), 0);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A1", "C1", 8, &a, 1), 1);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A1", "C1", 8, &a, 1), 0);
	ck_assert_str_eq(marker_of(&t, "F1", "A1"), "PROPOSED");
	ck_assert_int_eq(outcomes_find(&t, "F1", "A1")->fold.acts, 7);
	/* Upheld is marked; valid and reinstated are not. */
	ck_assert_str_eq(outcomes_marker(OUTCOME_UPHELD), "UPHELD");
	ck_assert_ptr_null(outcomes_marker(OUTCOME_VALID));
	ck_assert_ptr_null(outcomes_marker(OUTCOME_REINSTATED));
	for (i = 0; i < OUTCOME_NSTATES; i++)
		ck_assert(outcomes_marker((enum outcome_state)i) == NULL ||
		    strlen(outcomes_marker((enum outcome_state)i)) <=
		    OUTCOMES_MARKER_LEN);
	outcomes_free(&t);
}
END_TEST

START_TEST(test_outcomes_identity_and_history)
{
	struct outcomes			 t;
	struct outcome_act_rec		 a;
	const struct outcome_mark	*h;

	outcomes_init(&t, 100);
	/* A1 of F1 and A1 of F2 are two attempts. */
	a = oact(OUTCOME_OPEN_CASE, "ann", 1000);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A1", "C1", 1, &a, 1), 1);
	ck_assert_str_eq(marker_of(&t, "F1", "A1"), "REVIEW");
	ck_assert_str_eq(marker_of(&t, "F2", "A1"), "");
	ck_assert_ptr_null(outcomes_find(&t, NULL, "A1"));
	/* The candidate's other attempts, on any feed, see it ... */
	h = outcomes_history(&t, "C1", "F2", "A7", 5000);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->attempt, "A1");
	ck_assert_str_eq(h->feed, "F1");
	/* ... the attempt itself and other candidates do not. */
	ck_assert_ptr_null(outcomes_history(&t, "C1", "F1", "A1", 5000));
	ck_assert_ptr_null(outcomes_history(&t, "C2", "F2", "A7", 5000));
	ck_assert_ptr_null(outcomes_history(&t, "", "F2", "A7", 5000));
	/* Reinstated is no history. */
	a = oact(OUTCOME_PROPOSE, "amy", 1001);
	outcomes_fold(&t, "F1", "A1", NULL, 2, &a, 1);
	a = oact(OUTCOME_APPROVE, "bob", 1002);
	outcomes_fold(&t, "F1", "A1", NULL, 3, &a, 1);
	a = oact(OUTCOME_APPEAL, "bob", 1003);
	outcomes_fold(&t, "F1", "A1", NULL, 4, &a, 1);
	ck_assert_ptr_nonnull(outcomes_history(&t, "C1", "F2", "A7", 5000));
	a = oact(OUTCOME_REINSTATE, "cat", 1004);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A1", NULL, 5, &a, 1), 1);
	ck_assert_ptr_null(outcomes_history(&t, "C1", "F2", "A7", 5000));
	/* A candidate named later (the attempts table had none) joins. */
	a = oact(OUTCOME_OPEN_CASE, "ann", 1005);
	outcomes_fold(&t, "F3", "A3", NULL, 6, &a, 1);
	ck_assert_ptr_null(outcomes_history(&t, "C3", "F1", "A9", 5000));
	a = oact(OUTCOME_PROPOSE, "amy", 1006);
	outcomes_fold(&t, "F3", "A3", "C3", 7, &a, 1);
	h = outcomes_history(&t, "C3", "F1", "A9", 5000);
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h->attempt, "A3");
	/* ... and leaves the chain of the candidate it had. */
	outcomes_fold(&t, "F3", "A3", "C4", 8, &a, 1);
	ck_assert_ptr_null(outcomes_history(&t, "C3", "F1", "A9", 5000));
	ck_assert_ptr_nonnull(outcomes_history(&t, "C4", "F1", "A9", 5000));
	/* A proposal past its expiry is under review again: still marked. */
	a = oact(OUTCOME_PROPOSE, "amy", 1000);
	a.expires_ms = 2000;
	outcomes_fold(&t, "F5", "A5", "C5", 9, &a, 1);
	ck_assert_int_eq(outcome_at(&outcomes_find(&t, "F5", "A5")->fold,
	    3000), OUTCOME_UNDER_REVIEW);
	ck_assert_ptr_nonnull(outcomes_history(&t, "C5", "F1", "A1", 3000));
	outcomes_free(&t);
}
END_TEST

START_TEST(test_outcomes_bounded)
{
	struct outcomes		t;
	struct outcome_act_rec	a = oact(OUTCOME_OPEN_CASE, "ann", 1000);
	char			id[32], too_long[PROTO_ID_MAX + 2];
	int			i;

	outcomes_init(&t, 10);
	/* What the console does not hold takes half the table at most ... */
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof id, "X%d", i);
		outcomes_fold(&t, "F9", id, "C9", i + 1, &a, 0);
	}
	ck_assert_uint_eq(t.n, 5);
	ck_assert_uint_eq(t.dropped, 3);
	ck_assert_ptr_null(outcomes_find(&t, "F9", "X5"));
	/* ... what it holds, the rest. */
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof id, "A%d", i);
		outcomes_fold(&t, "F1", id, NULL, 100 + i, &a, 1);
	}
	ck_assert_uint_eq(t.n, 10);
	ck_assert_uint_eq(t.dropped, 6);
	ck_assert_str_eq(marker_of(&t, "F1", "A4"), "REVIEW");
	ck_assert_ptr_null(outcomes_find(&t, "F1", "A5"));
	/* A mark already kept still takes its acts when the table is full. */
	a = oact(OUTCOME_PROPOSE, "amy", 1001);
	ck_assert_int_eq(outcomes_fold(&t, "F1", "A0", NULL, 200, &a, 1), 1);
	/* An id no attempt can have is no mark. */
	memset(too_long, 'a', sizeof too_long - 1);
	too_long[sizeof too_long - 1] = '\0';
	ck_assert_int_eq(outcomes_fold(&t, "F1", too_long, NULL, 201, &a, 1),
	    -1);
	outcomes_free(&t);
	/* The cap holds whatever the caller asks, and the table grows. */
	outcomes_init(&t, (size_t)-1);
	ck_assert_uint_eq(t.max, OUTCOMES_MAX);
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "A%d", i);
		outcomes_fold(&t, "F1", id, "C1", i + 1, &a, 1);
	}
	ck_assert_uint_eq(t.n, 3000);
	ck_assert_str_eq(marker_of(&t, "F1", "A2999"), "PROPOSED");
	ck_assert_ptr_nonnull(outcomes_history(&t, "C1", "F1", "A0", 5000));
	outcomes_free(&t);
}
END_TEST

static Suite *
model_suite(void)
{
	Suite	*s = suite_create("model");
	TCase	*tc = tcase_create("flags");

	tcase_add_test(tc, test_flags_one_open_per_rule);
	tcase_add_test(tc, test_flags_evidence_bound);
	tcase_add_test(tc, test_flags_rule_names_interned);
	tcase_add_test(tc, test_flags_store_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("model");
	tcase_add_test(tc, test_model_attempt_index);
	tcase_add_test(tc, test_model_order_and_risk);
	tcase_add_test(tc, test_model_sessions_bounded);
	tcase_add_test(tc, test_model_tail_and_rate);
	tcase_add_test(tc, test_model_missing);
	tcase_add_test(tc, test_model_unseen);
	tcase_add_test(tc, test_model_orders);
	suite_add_tcase(s, tc);
	tc = tcase_create("outcomes");
	tcase_add_test(tc, test_outcomes_markers_from_folds);
	tcase_add_test(tc, test_outcomes_identity_and_history);
	tcase_add_test(tc, test_outcomes_bounded);
	suite_add_tcase(s, tc);
	tc = tcase_create("decide");
	tcase_add_test(tc, test_decide_refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("link");
	/* 480,000 draws: slow under a sanitizer on a busy machine. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_retry_delay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(model_suite());
}
