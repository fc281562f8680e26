/*
 * check_rules.c - Check suite for rules/: the rule-file parser and its
 * errors, the compiled-in defaults, and the engine's four ways to fire,
 * outage awareness, predicates, templates and indexing.
 *
 * Messages are built here as the codec would decode them and fed to the
 * engine in stream order; hits are collected and the tests look at them.
 * Rule files come from tests/fixtures/rules/ (run from the top of the tree,
 * as `make check` does).  Times are feed times in ms from T0.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* strdup */
#endif

#include <sys/stat.h>

#include <check.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/proto.h"
#include "rules/rules.h"

#define CHECK_TMP_NAME	"check_rules"
#include "check_tmp.h"
#include "tests/check_main.h"

#define T0		INT64_C(1795456800000)	/* 2026-11-23T18:00:00Z */
#define SEC		INT64_C(1000)
#define MIN		(60 * SEC)
#define FIXTURES	"tests/fixtures/rules/"
#define MAXHITS		256

struct hit {
	char	rule[64];
	char	feed[256];
	char	attempt[PROTO_ID_MAX + 1];
	char	message[PROTO_TEXT_MAX + 1];
	enum proto_severity severity;
	double	weight;
	int64_t	seq, ts;
	int64_t	ev[RULES_EVIDENCE_MAX];
	size_t	nev;
};

static struct hit	hits[MAXHITS];
static size_t		nhits;
static int64_t		seq;
static char		err[1024];

static void
collect(const struct rules_hit *h, void *arg)
{
	struct hit	*o;

	(void)arg;
	ck_assert_uint_lt(nhits, MAXHITS);
	o = &hits[nhits++];
	snprintf(o->rule, sizeof o->rule, "%s", h->rule);
	snprintf(o->feed, sizeof o->feed, "%s", h->feed);
	snprintf(o->attempt, sizeof o->attempt, "%s", h->attempt);
	snprintf(o->message, sizeof o->message, "%s", h->message);
	o->severity = h->severity;
	o->weight = h->weight;
	o->seq = h->seq;
	o->ts = h->ts_ms;
	ck_assert_uint_le(h->nevidence, RULES_EVIDENCE_MAX);
	memcpy(o->ev, h->evidence, h->nevidence * sizeof *h->evidence);
	o->nev = h->nevidence;
}

static void
reset(void)
{
	nhits = 0;
	seq = 0;
}

/* Hits of one rule (any, if rule is NULL) for one attempt (any, if NULL). */
static size_t
nhit(const char *rule, const char *attempt)
{
	size_t	i, n = 0;

	for (i = 0; i < nhits; i++)
		if ((rule == NULL || strcmp(hits[i].rule, rule) == 0) &&
		    (attempt == NULL ||
		    strcmp(hits[i].attempt, attempt) == 0))
			n++;
	return n;
}

static struct rules *
compile(const char *text)
{
	struct rules	*r = rules_parse(text, strlen(text), "test.rules", err,
			    sizeof err);

	ck_assert_msg(r != NULL, "%s", err);
	return r;
}

/* ---- messages */

static void
attempt_msg(struct rules_engine *e, const char *feed, const char *id,
    enum proto_modality mod, const char *ip, const char *device, int64_t ts)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = ++seq;
	m.ts_ms = ts;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s", id);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "C-%s", id);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "Name %s", id);
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EXAM-1");
	snprintf(m.u.attempt.ip, sizeof m.u.attempt.ip, "%s", ip);
	snprintf(m.u.attempt.device, sizeof m.u.attempt.device, "%s", device);
	m.u.attempt.modality = mod;
	m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
	rules_engine_message(e, feed, &m, collect, NULL);
}

static int64_t
event_on(struct rules_engine *e, const char *feed, const char *id,
    enum proto_event_kind k, const char *data, int64_t ts)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_EVENT;
	m.seq = ++seq;
	m.ts_ms = ts;
	snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s", id);
	m.u.event.kind = k;
	m.u.event.data = (char *)(data != NULL ? data : "{}");
	m.u.event.data_len = strlen(m.u.event.data);
	rules_engine_message(e, feed, &m, collect, NULL);
	return m.seq;
}

static int64_t
event(struct rules_engine *e, const char *id, enum proto_event_kind k,
    const char *data, int64_t ts)
{
	return event_on(e, "F1", id, k, data, ts);
}

static void
answer(struct rules_engine *e, const char *id, int correct, int64_t elapsed,
    int64_t ts)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ANSWER;
	m.seq = ++seq;
	m.ts_ms = ts;
	snprintf(m.u.answer.attempt, sizeof m.u.answer.attempt, "%s", id);
	snprintf(m.u.answer.item, sizeof m.u.answer.item, "Q%02" PRId64, seq);
	snprintf(m.u.answer.response, sizeof m.u.answer.response, "B");
	m.u.answer.correct = correct;
	m.u.answer.elapsed_ms = elapsed;
	rules_engine_message(e, "F1", &m, collect, NULL);
}

static void
state(struct rules_engine *e, const char *id, enum proto_state st, int64_t ts)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_STATE;
	m.seq = ++seq;
	m.ts_ms = ts;
	snprintf(m.u.state.attempt, sizeof m.u.state.attempt, "%s", id);
	m.u.state.state = st;
	rules_engine_message(e, "F1", &m, collect, NULL);
}

/* Let feed's clock reach now, then tick. */
static void
tick(struct rules_engine *e, const char *feed, int64_t now, rules_hit_fn *fn,
    void *arg)
{
	rules_engine_clock(e, feed, now);
	rules_engine_tick(e, fn, arg);
}

/* ---- defaults */

START_TEST(defaults_parse)
{
	struct rules		*r = rules_default();
	struct rules		*again;
	struct rules_info	 info;
	const char		*t = rules_default_text();

	ck_assert_uint_ge(rules_count(r), 20);
	ck_assert_int_eq(rules_info(r, 0, &info), 0);
	ck_assert_str_eq(info.name, "identity_mismatch");
	ck_assert_int_eq(info.severity, PROTO_SEV_CRITICAL);
	ck_assert_str_ne(info.description, "");
	ck_assert_int_eq(rules_info(r, rules_count(r), &info), -1);
	again = rules_parse(t, strlen(t), "defaults", err, sizeof err);
	ck_assert_msg(again != NULL, "%s", err);
	ck_assert_uint_eq(rules_count(again), rules_count(r));
	rules_free(again);
	rules_free(r);
}
END_TEST

START_TEST(defaults_cover_every_kind)
{
	struct rules	*r = rules_default();
	int		 k;

	for (k = 0; k < PROTO_EV_COUNT; k++)
		ck_assert_msg(rules_kind_used(r, (enum proto_event_kind)k),
		    "no default rule names %s",
		    proto_event_kind_name((enum proto_event_kind)k));
	rules_free(r);
}
END_TEST

START_TEST(defaults_answer_and_link_rules)
{
	struct rules		*r = rules_default();
	struct rules_info	 info;
	size_t			 i;
	int			 answers = 0, links = 0, runs = 0;

	for (i = 0; i < rules_count(r); i++) {
		rules_info(r, i, &info);
		answers += info.on == PROTO_ANSWER;
		links += info.mode == RULES_MODE_LINK;
		runs += info.mode == RULES_MODE_RUN;
	}
	ck_assert_int_ge(answers, 2);
	ck_assert_int_ge(links, 2);
	ck_assert_int_ge(runs, 1);
	rules_free(r);
}
END_TEST

/* Found by fuzzing: errors quote the file sanitised; numbers and durations
 * out of range are refused, not converted; a failed key after "message"
 * does not leak (ASan builds check that). */
START_TEST(fuzz_regressions)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "rule r {\n    on event idle\n    fire count 1\n    severity low\n"
		  "    message \"{\x01\x10seconds}\"\n}\n",
		  "unknown name \"\\x01\\x10seconds\" in the message" },
		{ "rule r {\n    on event idle\n    fire count 1 within "
		  "33333333333333333333333333333333333333333333333333333333333333333"
		  "333333333333333333333333333333333333333333333333333333333333333333s\n"
		  "    severity low\n}\n", "number too long" },
		{ "rule r {\n    on event face_missing\n    fire duration "
		  "3333333333333333333333310s until face_returned\n    severity low\n}\n",
		  "is longer than a year" },
		{ "rule r {\n    on event idle\n    message \"m\"\n    fire count 0\n"
		  "    severity low\n}\n", "fuzz.rules:4:" },
	};
	struct rules	*r;
	char		 msg[512];
	size_t		 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r = rules_parse(cases[i].text, strlen(cases[i].text),
		    "fuzz.rules", msg, sizeof msg);
		ck_assert_msg(r == NULL, "case %zu parsed", i);
		ck_assert_msg(strstr(msg, cases[i].want) != NULL,
		    "case %zu: %s", i, msg);
	}
}
END_TEST

/* A long outage is noted (info, weight 0) at 30 minutes; a shorter one not. */
START_TEST(defaults_long_outage_noted)
{
	struct rules		*r = rules_default();
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 t = T0;

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.1.2.3", "dev-1", t);
	attempt_msg(e, "F1", "A2", PROTO_MODALITY_REMOTE, "10.1.3.3", "dev-2", t);
	event(e, "A1", PROTO_EV_NETWORK_LOST, "{}", t + MIN);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":1740000}",
	    t + 30 * MIN);
	ck_assert_uint_eq(nhits, 0);
	event(e, "A2", PROTO_EV_NETWORK_LOST, "{}", t + MIN);
	tick(e, "F1", t + 31 * MIN + 1, collect, NULL);
	ck_assert_uint_eq(nhit("network_long_outage", "A2"), 1);
	ck_assert(hits[0].severity == PROTO_SEV_INFO && hits[0].weight == 0);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* A flaky network alone raises nothing with the defaults: six drops in
 * twenty minutes, each followed by a new address, are not cheating. */
START_TEST(defaults_flaky_network_not_cheating)
{
	struct rules		*r = rules_default();
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 t = T0;
	size_t			 i;
	int			 n;

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.1.2.3", "dev-1", t);
	for (n = 0; n < 6; n++) {
		t += 3 * MIN;
		event(e, "A1", PROTO_EV_NETWORK_LOST, "{}", t);
		t += 40 * SEC;
		event(e, "A1", PROTO_EV_NETWORK_RESTORED,
		    "{\"offline_ms\":40000}", t);
		event(e, "A1", PROTO_EV_IP_CHANGE,
		    "{\"from\":\"10.1.2.3\",\"to\":\"100.64.1.2\"}", t + 1500);
	}
	for (i = 0; i < nhits; i++)
		ck_assert_msg(hits[i].severity == PROTO_SEV_INFO &&
		    hits[i].weight == 0, "%s fired at %s", hits[i].rule,
		    proto_severity_name(hits[i].severity));
	ck_assert_uint_eq(nhits, 0);
	/* The same change long after any outage does count. */
	event(e, "A1", PROTO_EV_IP_CHANGE,
	    "{\"from\":\"100.64.1.2\",\"to\":\"10.9.9.9\"}", t + 10 * MIN);
	ck_assert_uint_eq(nhit("ip_change", "A1"), 1);
	ck_assert_str_eq(hits[nhits - 1].message,
	    "address changed from 100.64.1.2 to 10.9.9.9");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* A phone with the defaults: the message quotes the data. */
START_TEST(defaults_phone)
{
	struct rules		*r = rules_default();
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_OBJECT_DETECTED,
	    "{\"object\":\"phone\",\"confidence\":0.82}", T0);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED,
	    "{\"object\":\"book\",\"confidence\":0.7}", T0 + SEC);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED,
	    "{\"object\":\"phone\",\"confidence\":0.3}", T0 + 2 * SEC);
	ck_assert_uint_eq(nhits, 2);
	ck_assert_str_eq(hits[0].rule, "phone_seen");
	ck_assert_str_eq(hits[0].message, "phone seen (confidence 0.82)");
	ck_assert_int_eq(hits[0].severity, PROTO_SEV_HIGH);
	ck_assert_str_eq(hits[1].rule, "object_seen");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- count */

static const char count_rules[] =
    "rule gaze { on event gaze_away fire count 3 within 5m severity medium "
    "weight 10 message \"{count} within {within}\" }\n"
    "rule every { on event raise_hand fire count 1 severity info }\n";

START_TEST(count_window_edge)
{
	struct rules		*r = compile(count_rules);
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 s1, s2, s3;

	reset();
	s1 = event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0);
	s2 = event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + MIN);
	ck_assert_uint_eq(nhits, 0);
	s3 = event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 5 * MIN);
	ck_assert_uint_eq(nhits, 1);		/* exactly at the edge */
	ck_assert_str_eq(hits[0].message, "3 within 5m");
	ck_assert_int_eq(hits[0].seq, s3);
	ck_assert_int_eq(hits[0].ts, T0 + 5 * MIN);
	ck_assert_uint_eq(hits[0].nev, 3);
	ck_assert_int_eq(hits[0].ev[0], s1);
	ck_assert_int_eq(hits[0].ev[1], s2);
	ck_assert_int_eq(hits[0].ev[2], s3);

	/* One ms outside: no hit for A2. */
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0);
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + MIN);
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 5 * MIN + 1);
	ck_assert_uint_eq(nhit("gaze", "A2"), 0);
	/* The window slides: the next one makes three within 5m. */
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 5 * MIN + 2);
	ck_assert_uint_eq(nhit("gaze", "A2"), 1);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(count_rearm)
{
	struct rules		*r = compile(count_rules);
	struct rules_engine	*e = rules_engine_new(r);
	int			 i;

	reset();
	for (i = 0; i < 3; i++)
		event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + i * SEC);
	ck_assert_uint_eq(nhit("gaze", "A1"), 1);
	/* The three are spent: two more raise nothing, the third does. */
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 10 * SEC);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 11 * SEC);
	ck_assert_uint_eq(nhit("gaze", "A1"), 1);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 12 * SEC);
	ck_assert_uint_eq(nhit("gaze", "A1"), 2);
	/* count 1: every match. */
	for (i = 0; i < 4; i++)
		event(e, "A1", PROTO_EV_RAISE_HAND, NULL, T0 + 20 * SEC + i);
	ck_assert_uint_eq(nhit("every", "A1"), 4);
	ck_assert_uint_eq(nhits, 6);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(count_per_attempt)
{
	struct rules		*r = compile(count_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0);
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 1);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 2);
	event(e, "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 3);
	ck_assert_uint_eq(nhits, 0);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 4);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].attempt, "A1");
	ck_assert_str_eq(hits[0].feed, "F1");
	ck_assert_uint_eq(rules_engine_attempts(e), 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* Evidence is bounded: the last RULES_EVIDENCE_MAX seqs. */
START_TEST(count_evidence_bounded)
{
	struct rules		*r = compile("rule many { on event idle fire "
				    "count 20 severity low }");
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 last = 0;
	int			 i;

	reset();
	for (i = 0; i < 20; i++)
		last = event(e, "A1", PROTO_EV_IDLE, NULL, T0 + i * MIN);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_uint_eq(hits[0].nev, RULES_EVIDENCE_MAX);
	ck_assert_int_eq(hits[0].ev[RULES_EVIDENCE_MAX - 1], last);
	ck_assert_int_eq(hits[0].ev[0], last - RULES_EVIDENCE_MAX + 1);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- duration */

static const char face_rules[] =
    "rule face { on event face_missing fire duration 10s until face_returned "
    "severity medium weight 20 message \"{attempt.name}: face out of view "
    "for {seconds} s\" }\n";

START_TEST(duration_ends_before)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	event(e, "A1", PROTO_EV_FACE_RETURNED, "{\"seconds\":9}",
	    T0 + 10 * SEC - 1);
	tick(e, "F1", T0 + 60 * SEC, collect, NULL);
	ck_assert_uint_eq(nhits, 0);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(duration_ends_at)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 s1, s2;

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.0.0.1", "d1", T0);
	s1 = event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	/* A second start while held changes nothing. */
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0 + 5 * SEC);
	s2 = event(e, "A1", PROTO_EV_FACE_RETURNED, "{\"seconds\":10}",
	    T0 + 10 * SEC);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].message, "Name A1: face out of view for 10 s");
	ck_assert_int_eq(hits[0].seq, s2);
	ck_assert_uint_eq(hits[0].nev, 2);
	ck_assert_int_eq(hits[0].ev[0], s1);
	ck_assert_int_eq(hits[0].ev[1], s2);
	/* Closed: time passing raises nothing more. */
	tick(e, "F1", T0 + 60 * SEC, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(duration_never_ends)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 s1;

	reset();
	s1 = event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	tick(e, "F1", T0 + 10 * SEC - 1, collect, NULL);
	ck_assert_uint_eq(nhits, 0);
	tick(e, "F1", T0 + 10 * SEC, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_int_eq(hits[0].seq, s1);
	ck_assert_int_eq(hits[0].ts, T0 + 10 * SEC);
	/* Once per hold: not again by time, not again at the end event. */
	tick(e, "F1", T0 + 20 * SEC, collect, NULL);
	event(e, "A1", PROTO_EV_FACE_RETURNED, NULL, T0 + 30 * SEC);
	ck_assert_uint_eq(nhits, 1);
	/* A new hold can fire again. */
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0 + 40 * SEC);
	event(e, "A1", PROTO_EV_FACE_RETURNED, NULL, T0 + 55 * SEC);
	ck_assert_uint_eq(nhits, 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(duration_ends_at_submission)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	state(e, "A1", PROTO_STATE_SUBMITTED, T0 + 12 * SEC);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].message, "?: face out of view for 12 s");
	/* Too short before the attempt ended: nothing, now or later. */
	event(e, "A2", PROTO_EV_FACE_MISSING, NULL, T0);
	state(e, "A2", PROTO_STATE_TERMINATED, T0 + 5 * SEC);
	tick(e, "F1", T0 + MIN, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- bounds: one clock per feed, limits on what a feed can make us hold */

/* 9999-12-31T23:59:59.999Z, the latest ts the protocol allows. */
#define T9999		INT64_C(253402300799999)

/*
 * Two feeds; F2 stamps the year 9999 (or runs an hour ahead).  F1's honest
 * candidate, whose face went missing 3 s ago by F1's clock, is not "away
 * for 251606843989 s": a hold completes by its own feed's clock only.
 */
START_TEST(clock_per_feed)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);
	int64_t			 s1;

	reset();
	s1 = event_on(e, "F1", "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	event_on(e, "F1", "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 3 * SEC);
	event_on(e, "F2", "B1", PROTO_EV_GAZE_AWAY, NULL, T9999);
	rules_engine_tick(e, collect, NULL);
	ck_assert_uint_eq(nhits, 0);
	ck_assert_int_eq(rules_engine_feed_clock(e, "F1"), T0 + 3 * SEC);
	ck_assert_int_eq(rules_engine_feed_clock(e, "F2"), T9999);
	ck_assert_int_eq(rules_engine_feed_clock(e, "F3"), INT64_MIN);
	/* F2's clock moved on by hand: still nothing for F1. */
	rules_engine_clock(e, "F2", T9999);
	event_on(e, "F2", "B1", PROTO_EV_GAZE_AWAY, NULL, T0 + 60 * MIN);
	rules_engine_tick(e, collect, NULL);
	ck_assert_uint_eq(nhits, 0);
	/* F1's own clock reaching 10 s completes it, at 10 s. */
	event_on(e, "F1", "A2", PROTO_EV_GAZE_AWAY, NULL, T0 + 10 * SEC);
	rules_engine_tick(e, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].attempt, "A1");
	ck_assert_str_eq(hits[0].feed, "F1");
	ck_assert_int_eq(hits[0].seq, s1);
	ck_assert_int_eq(hits[0].ts, T0 + 10 * SEC);
	ck_assert_str_eq(hits[0].message, "?: face out of view for 10 s");
	/* A clock never goes back. */
	rules_engine_clock(e, "F1", T0);
	ck_assert_int_eq(rules_engine_feed_clock(e, "F1"), T0 + 10 * SEC);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* F2's far-future hold of its own fires by F2's clock, F1's does not. */
START_TEST(clock_per_feed_own_holds)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event_on(e, "F1", "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	event_on(e, "F2", "B1", PROTO_EV_FACE_MISSING, NULL, T0);
	event_on(e, "F2", "B2", PROTO_EV_GAZE_AWAY, NULL, T0 + 11 * SEC);
	rules_engine_tick(e, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].feed, "F2");
	ck_assert_str_eq(hits[0].attempt, "B1");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

static enum rules_take
attempt_in(struct rules_engine *e, const char *feed, const char *id,
    enum proto_state st, const char *device, int64_t ts)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = ++seq;
	m.ts_ms = ts;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s", id);
	snprintf(m.u.attempt.device, sizeof m.u.attempt.device, "%s", device);
	m.u.attempt.modality = PROTO_MODALITY_REMOTE;
	m.u.attempt.state = st;
	return rules_engine_message(e, feed, &m, collect, NULL);
}

START_TEST(limit_attempts)
{
	struct rules		*r = compile(face_rules);
	struct rules_engine	*e = rules_engine_new(r);
	struct rules_stats	 st;
	char			 id[16];
	int			 i;

	reset();
	rules_engine_limits(e, &(struct rules_limits){ .attempts_per_feed = 3,
	    .attempts = 5 });
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof id, "A%d", i);
		ck_assert_int_eq(attempt_in(e, "F1", id,
		    PROTO_STATE_IN_PROGRESS, "", T0), RULES_TAKEN);
	}
	/* A fourth attempt of F1 is refused, whatever the message type. */
	ck_assert_int_eq(attempt_in(e, "F1", "A3", PROTO_STATE_IN_PROGRESS, "",
	    T0), RULES_FULL);
	event_on(e, "F1", "A4", PROTO_EV_FACE_MISSING, NULL, T0);
	/* ...and holds nothing, and moves no clock. */
	ck_assert_uint_eq(rules_engine_attempts(e), 3);
	ck_assert_int_eq(rules_engine_feed_clock(e, "F1"), T0);
	/* Known attempts go on. */
	event_on(e, "F1", "A0", PROTO_EV_FACE_MISSING, NULL, T0 + SEC);
	event_on(e, "F1", "A0", PROTO_EV_FACE_RETURNED, NULL, T0 + 20 * SEC);
	ck_assert_uint_eq(nhit("face", "A0"), 1);
	/* Another feed has its own 3, up to 5 in all. */
	ck_assert_int_eq(attempt_in(e, "F2", "B0", PROTO_STATE_IN_PROGRESS, "",
	    T0), RULES_TAKEN);
	ck_assert_int_eq(attempt_in(e, "F2", "B1", PROTO_STATE_IN_PROGRESS, "",
	    T0), RULES_TAKEN);
	ck_assert_int_eq(attempt_in(e, "F2", "B2", PROTO_STATE_IN_PROGRESS, "",
	    T0), RULES_FULL);
	rules_engine_stats(e, &st);
	ck_assert_uint_eq(st.attempts, 5);
	ck_assert_uint_eq(st.refused, 3);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

static const char dev_rule[] =
    "rule dev { on attempt fire link attempt.device count 2 scope all "
    "severity high message \"{value} x{count}\" }\n";

/* A full link table links no new value and says so; it never evicts. */
START_TEST(limit_link_values)
{
	struct rules		*r = compile(dev_rule);
	struct rules_engine	*e = rules_engine_new(r);
	struct rules_stats	 st;

	reset();
	rules_engine_limits(e, &(struct rules_limits){ .link_values = 2 });
	attempt_in(e, "F1", "A1", PROTO_STATE_IN_PROGRESS, "d1", T0);
	attempt_in(e, "F1", "A2", PROTO_STATE_IN_PROGRESS, "d2", T0);
	attempt_in(e, "F1", "A3", PROTO_STATE_IN_PROGRESS, "d3", T0);
	attempt_in(e, "F1", "A4", PROTO_STATE_IN_PROGRESS, "d3", T0);
	/* d3 was never linked: no flag, rather than a wrong one. */
	ck_assert_uint_eq(nhits, 0);
	rules_engine_stats(e, &st);
	ck_assert_uint_eq(st.link_values, 2);
	ck_assert_uint_eq(st.unlinked, 2);
	/* Values already held still link. */
	attempt_in(e, "F1", "A5", PROTO_STATE_IN_PROGRESS, "d1", T0);
	ck_assert_uint_eq(nhits, 2);
	ck_assert_str_eq(hits[0].message, "d1 x2");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* One attempt hopping through devices joins at most links_per_attempt. */
START_TEST(limit_links_per_attempt)
{
	struct rules		*r = compile(dev_rule);
	struct rules_engine	*e = rules_engine_new(r);
	struct rules_stats	 st;
	char			 dev[16];
	int			 i;

	reset();
	rules_engine_limits(e, &(struct rules_limits){ .links_per_attempt = 2 });
	for (i = 0; i < 100; i++) {
		snprintf(dev, sizeof dev, "d%d", i);
		attempt_in(e, "F1", "A1", PROTO_STATE_IN_PROGRESS, dev, T0);
	}
	rules_engine_stats(e, &st);
	ck_assert_uint_eq(st.link_values, 2);
	ck_assert_uint_eq(st.unlinked, 98);
	ck_assert_uint_eq(nhits, 0);
	attempt_in(e, "F1", "A2", PROTO_STATE_IN_PROGRESS, "d1", T0);
	ck_assert_uint_eq(nhits, 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/*
 * A count window takes room as matches come, not N at the first: 2000
 * attempts with two matches each of a rule with N = 1000 hold a few MB,
 * not 2000 x 16 KB.  (Not under AddressSanitizer, which keeps its own
 * heap.)
 */
START_TEST(count_window_grows)
{
#if defined(__SANITIZE_ADDRESS__)
	return;
#else
	struct rules		*r = compile("rule big { on event gaze_away fire "
				    "count 1000 within 1h severity low }\n");
	struct rules_engine	*e = rules_engine_new(r);
	struct mallinfo2	 before, after;
	char			 id[16];
	size_t			 used;
	int			 i;

	reset();
	before = mallinfo2();
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof id, "A%04d", i);
		event(e, id, PROTO_EV_GAZE_AWAY, NULL, T0);
		event(e, id, PROTO_EV_GAZE_AWAY, NULL, T0 + SEC);
	}
	after = mallinfo2();
	used = after.uordblks - before.uordblks;
	ck_assert_msg(used < 8u << 20, "2000 attempts with 2 matches hold %zu "
	    "bytes", used);
	ck_assert_uint_eq(nhits, 0);
	rules_engine_free(e);
	rules_free(r);
#endif
}
END_TEST

/* The table of invigil-proto(7), ATTEMPT STATES, pair by pair. */
START_TEST(transition_table)
{
	static const char *const allowed[] = {
		"scheduled checked_in", "scheduled in_progress",
		"scheduled terminated", "checked_in in_progress",
		"checked_in terminated", "in_progress paused",
		"in_progress submitted", "in_progress terminated",
		"paused in_progress", "paused terminated",
	};
	char	pair[64];
	int	from, to, want;
	size_t	i;

	for (from = 0; from < PROTO_STATE_COUNT; from++) {
		for (to = 0; to < PROTO_STATE_COUNT; to++) {
			snprintf(pair, sizeof pair, "%s %s",
			    proto_state_name(from), proto_state_name(to));
			want = from == to;
			for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
				if (strcmp(allowed[i], pair) == 0)
					want = 1;
			ck_assert_msg(rules_transition_allowed(from, to) == want,
			    "%s: want %d", pair, want);
		}
	}
	ck_assert_int_eq(rules_transition_allowed(-1, PROTO_STATE_PAUSED), 1);
	ck_assert_int_eq(rules_transition_allowed(PROTO_STATE_PAUSED,
	    PROTO_STATE_COUNT), 0);
	ck_assert_int_eq(rules_state_final(PROTO_STATE_SUBMITTED), 1);
	ck_assert_int_eq(rules_state_final(PROTO_STATE_TERMINATED), 1);
	ck_assert_int_eq(rules_state_final(PROTO_STATE_PAUSED), 0);
}
END_TEST

/*
 * With the defaults: a submitted attempt's events raise nothing; coming
 * back to in_progress (by a state or an attempt message) is flagged as
 * unexpected_transition, and the attempt stays ended (every later change
 * is unexpected).
 */
START_TEST(after_end)
{
	struct rules		*r = rules_default();
	struct rules_engine	*e = rules_engine_new(r);
	struct rules_stats	 st;

	reset();
	attempt_in(e, "F1", "A1", PROTO_STATE_SCHEDULED, "", T0);
	state(e, "A1", PROTO_STATE_IN_PROGRESS, T0 + SEC);
	event(e, "A1", PROTO_EV_IDENTITY_MISMATCH, NULL, T0 + 2 * SEC);
	ck_assert_uint_eq(nhit("identity_mismatch", "A1"), 1);
	state(e, "A1", PROTO_STATE_SUBMITTED, T0 + 3 * SEC);
	ck_assert_uint_eq(nhits, 1);
	/* Stored by the console, but no flag. */
	event(e, "A1", PROTO_EV_IDENTITY_MISMATCH, NULL, T0 + 4 * SEC);
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0 + 5 * SEC);
	tick(e, "F1", T0 + MIN, collect, NULL);
	ck_assert_uint_eq(nhits, 1);
	/* submitted -> in_progress: a flag of its own. */
	state(e, "A1", PROTO_STATE_IN_PROGRESS, T0 + 2 * MIN);
	ck_assert_uint_eq(nhit("unexpected_transition", "A1"), 1);
	ck_assert_str_eq(hits[nhits - 1].message, "state went from submitted to "
	    "in_progress, which the protocol does not allow");
	/* Still ended: events raise nothing. */
	event(e, "A1", PROTO_EV_IDENTITY_MISMATCH, NULL, T0 + 3 * MIN);
	ck_assert_uint_eq(nhit("identity_mismatch", NULL), 1);
	/* Once ended, even a move the table allows is unexpected. */
	state(e, "A1", PROTO_STATE_TERMINATED, T0 + 4 * MIN);
	ck_assert_uint_eq(nhit("unexpected_transition", "A1"), 2);
	/* An attempt message carrying the change is flagged too. */
	attempt_in(e, "F1", "A1", PROTO_STATE_PAUSED, "", T0 + 5 * MIN);
	ck_assert_uint_eq(nhit("unexpected_transition", "A1"), 3);
	ck_assert_str_eq(hits[nhits - 1].message, "state went from terminated "
	    "to paused, which the protocol does not allow");
	/* Allowed moves and repeats raise nothing. */
	attempt_in(e, "F1", "A2", PROTO_STATE_SCHEDULED, "", T0);
	attempt_in(e, "F1", "A2", PROTO_STATE_SCHEDULED, "", T0);
	state(e, "A2", PROTO_STATE_CHECKED_IN, T0);
	state(e, "A2", PROTO_STATE_IN_PROGRESS, T0);
	state(e, "A2", PROTO_STATE_PAUSED, T0);
	state(e, "A2", PROTO_STATE_IN_PROGRESS, T0);
	state(e, "A2", PROTO_STATE_SUBMITTED, T0);
	ck_assert_uint_eq(nhit(NULL, "A2"), 0);
	/* checked_in -> paused is not allowed, before any end. */
	attempt_in(e, "F1", "A3", PROTO_STATE_CHECKED_IN, "", T0);
	state(e, "A3", PROTO_STATE_PAUSED, T0);
	ck_assert_uint_eq(nhit("unexpected_transition", "A3"), 1);
	rules_engine_stats(e, &st);
	ck_assert_uint_eq(st.transitions, 4);
	ck_assert_uint_eq(st.after_end, 6);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- link */

#define LONGFEED	"wss://feed.example.org:8443/" \
    "a-very-long-path/that/goes/on/and/on/past/sixty-four/bytes/and/more/"

static const char link_rules[] =
    "rule dev_feed { on attempt fire link attempt.device count 2 scope feed "
    "severity high message \"{value} x{count}\" }\n"
    "rule dev_all { on attempt fire link attempt.device count 2 scope all "
    "severity high }\n"
    "rule net { on attempt where attempt.modality = remote "
    "fire link prefix24(attempt.ip) count 2 severity medium "
    "message \"{value}.0/24 {attempt.id}\" }\n";

START_TEST(link_feed_and_all)
{
	struct rules		*r = compile(link_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.0.1.5", "dev-X", T0);
	attempt_msg(e, "F2", "B1", PROTO_MODALITY_REMOTE, "10.0.2.5", "dev-X", T0);
	/* Across feeds: only the scope-all rule, for both attempts. */
	ck_assert_uint_eq(nhit("dev_feed", NULL), 0);
	ck_assert_uint_eq(nhit("dev_all", NULL), 2);
	ck_assert_uint_eq(nhit("dev_all", "A1"), 1);
	ck_assert_uint_eq(nhit("dev_all", "B1"), 1);
	ck_assert_str_eq(hits[1].feed, "F2");
	/* Within one feed: both rules. */
	attempt_msg(e, "F1", "A2", PROTO_MODALITY_REMOTE, "10.0.3.5", "dev-X", T0);
	ck_assert_uint_eq(nhit("dev_feed", "A1"), 1);
	ck_assert_uint_eq(nhit("dev_feed", "A2"), 1);
	ck_assert_str_eq(hits[nhits - 2].rule, "dev_feed");
	ck_assert_str_eq(hits[nhits - 2].message, "dev-X x2");
	ck_assert_uint_eq(nhit("dev_all", "A2"), 1);	/* latecomer */
	ck_assert_uint_eq(nhit("dev_all", NULL), 3);
	/* The same attempt again joins nothing. */
	attempt_msg(e, "F1", "A2", PROTO_MODALITY_REMOTE, "10.0.3.5", "dev-X", T0);
	ck_assert_uint_eq(nhit("dev_all", NULL), 3);
	ck_assert_uint_eq(nhit("dev_feed", NULL), 2);
	/* No device, no link. */
	attempt_msg(e, "F1", "A3", PROTO_MODALITY_REMOTE, "10.0.4.5", "", T0);
	attempt_msg(e, "F1", "A4", PROTO_MODALITY_REMOTE, "10.0.5.5", "", T0);
	ck_assert_uint_eq(nhit("dev_all", NULL), 3);
	ck_assert_uint_eq(nhit("net", NULL), 0);
	/* Feeds named by long URLs are kept apart in full. */
	attempt_msg(e, LONGFEED "1", "A1", PROTO_MODALITY_REMOTE, "", "dev-Y", T0);
	attempt_msg(e, LONGFEED "2", "A1", PROTO_MODALITY_REMOTE, "", "dev-Y", T0);
	ck_assert_uint_eq(rules_engine_attempts(e), 7);
	ck_assert_uint_eq(nhit("dev_feed", NULL), 2);
	ck_assert_str_eq(hits[nhits - 1].feed, LONGFEED "2");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(link_prefix24)
{
	struct rules		*r = compile(link_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.7.7.5", "d1", T0);
	attempt_msg(e, "F1", "A2", PROTO_MODALITY_REMOTE, "10.7.8.77", "d2", T0);
	ck_assert_uint_eq(nhit("net", NULL), 0);
	/* A test centre on the same /24 is not a remote attempt. */
	attempt_msg(e, "F1", "A3", PROTO_MODALITY_TEST_CENTER, "10.7.7.9", "d3", T0);
	ck_assert_uint_eq(nhit("net", NULL), 0);
	attempt_msg(e, "F1", "A4", PROTO_MODALITY_REMOTE, "10.7.7.200", "d4", T0);
	ck_assert_uint_eq(nhit("net", "A1"), 1);
	ck_assert_uint_eq(nhit("net", "A4"), 1);
	ck_assert_uint_eq(nhit("net", NULL), 2);
	ck_assert_str_eq(hits[0].message, "10.7.7.0/24 A1");
	ck_assert_str_eq(hits[1].message, "10.7.7.0/24 A4");
	/* Evidence: both attempt messages. */
	ck_assert_uint_eq(hits[0].nev, 2);
	/* IPv6: no /24, no link. */
	attempt_msg(e, "F1", "A5", PROTO_MODALITY_REMOTE, "2001:db8::1", "d5", T0);
	attempt_msg(e, "F1", "A6", PROTO_MODALITY_REMOTE, "2001:db8::2", "d6", T0);
	ck_assert_uint_eq(nhit("net", NULL), 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- answers */

static const char answer_rules[] =
    "rule pre { on answer where answer.correct and answer.elapsed_ms < 8s "
    "fire count 3 within 10m severity high weight 30 }\n"
    "rule rapid { on answer where answer.elapsed_ms < 5000 fire run 3 "
    "severity medium message \"{count} in a row\" }\n";

START_TEST(answers_preknowledge)
{
	struct rules		*r = compile(answer_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	answer(e, "A1", 1, 6000, T0);
	answer(e, "A1", 0, 6000, T0 + MIN);		/* wrong */
	answer(e, "A1", 1, 60000, T0 + 2 * MIN);	/* slow */
	answer(e, "A1", 1, 7999, T0 + 3 * MIN);
	ck_assert_uint_eq(nhit("pre", NULL), 0);
	answer(e, "A1", 1, 5000, T0 + 10 * MIN);	/* edge of the window */
	ck_assert_uint_eq(nhit("pre", "A1"), 1);
	answer(e, "A2", 1, 8000, T0);			/* not under 8 s */
	answer(e, "A2", 1, 1000, T0 + 1);
	answer(e, "A2", 1, 1000, T0 + 2);
	ck_assert_uint_eq(nhit("pre", "A2"), 0);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(answers_rapid_run)
{
	struct rules		*r = compile(answer_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	answer(e, "A1", 0, 2000, T0);
	answer(e, "A1", 0, 2000, T0 + 2 * SEC);
	answer(e, "A1", 0, 40000, T0 + 42 * SEC);	/* breaks the run */
	answer(e, "A1", 0, 2000, T0 + 44 * SEC);
	answer(e, "A1", 0, 2000, T0 + 46 * SEC);
	ck_assert_uint_eq(nhit("rapid", NULL), 0);
	answer(e, "A1", 0, 4999, T0 + 51 * SEC);
	ck_assert_uint_eq(nhit("rapid", "A1"), 1);
	ck_assert_str_eq(hits[nhits - 1].message, "3 in a row");
	ck_assert_uint_eq(hits[nhits - 1].nev, 3);
	ck_assert_int_eq(hits[nhits - 1].ev[0], 4);
	/* A new run starts from zero. */
	answer(e, "A1", 0, 1000, T0 + 52 * SEC);
	answer(e, "A1", 0, 1000, T0 + 53 * SEC);
	ck_assert_uint_eq(nhit("rapid", "A1"), 1);
	answer(e, "A1", 0, 1000, T0 + 54 * SEC);
	ck_assert_uint_eq(nhit("rapid", "A1"), 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- outages */

static const char outage_rules[] =
    "rule gaze { on event gaze_away fire count 2 within 10m severity low }\n"
    "rule phone { on event object_detected fire count 1 severity high }\n"
    "rule face { on event face_missing fire duration 10s until face_returned "
    "severity medium }\n"
    "rule lost { on event network_lost fire count 1 during outage "
    "severity info }\n"
    "rule back { on event network_restored where data.offline_ms >= 1m "
    "fire count 1 during outage severity info "
    "message \"offline {data.offline_ms} ms\" }\n";

START_TEST(outage_suppresses)
{
	struct rules		*r = compile(outage_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A1"), 0);
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A1"), 1);
	ck_assert_int_eq(rules_engine_outage(e, "F2", "A1"), 0);
	ck_assert_uint_eq(nhit("lost", "A1"), 1);	/* network rules work */
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + SEC);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 2 * SEC);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 + 3 * SEC);
	ck_assert_uint_eq(nhit("gaze", NULL), 0);
	ck_assert_uint_eq(nhit("phone", NULL), 0);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":90000}",
	    T0 + 90 * SEC);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A1"), 0);
	ck_assert_uint_eq(nhit("back", "A1"), 1);
	ck_assert_str_eq(hits[nhits - 1].message, "offline 90000 ms");
	/* Late delivery of an event stamped inside the outage: not counted. */
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 50 * SEC);
	/* One gaze after the outage: the ones inside were not counted. */
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 91 * SEC);
	ck_assert_uint_eq(nhit("gaze", NULL), 0);
	event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + 92 * SEC);
	ck_assert_uint_eq(nhit("gaze", "A1"), 1);
	/* Two outages at once (the engine counts them, so that the screen
	 * looks none up when there is none): the end of one, and a second
	 * network_lost of the other, leave the other in its outage. */
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0 + 192 * SEC);
	event(e, "A2", PROTO_EV_NETWORK_LOST, NULL, T0 + 192 * SEC);
	event(e, "A2", PROTO_EV_NETWORK_LOST, NULL, T0 + 193 * SEC);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":1000}",
	    T0 + 193 * SEC);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A1"), 0);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A2"), 1);
	event(e, "A2", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":1000}",
	    T0 + 194 * SEC);
	event(e, "A2", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":1000}",
	    T0 + 195 * SEC);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A2"), 0);
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0 + 196 * SEC);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A1"), 1);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":1000}",
	    T0 + 197 * SEC);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/*
 * An outage span includes both its ends (invigil-rules(5)): a late event
 * stamped exactly at network_lost or at network_restored is judged as
 * offline; one a millisecond after the end is not.
 */
START_TEST(outage_edges_included)
{
	struct rules		*r = compile(outage_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":90000}",
	    T0 + 90 * SEC);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0);
	ck_assert_uint_eq(nhit("phone", NULL), 0);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 + 90 * SEC);
	ck_assert_uint_eq(nhit("phone", NULL), 0);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 - 1);
	ck_assert_uint_eq(nhit("phone", "A1"), 1);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 + 90 * SEC + 1);
	ck_assert_uint_eq(nhit("phone", "A1"), 2);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/*
 * An outage starts at its first network_lost: a second one while it lasts
 * does not move the start, so a late message from before the second is
 * still judged offline.
 */
START_TEST(outage_second_lost_keeps_start)
{
	struct rules		*r = compile(outage_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0);
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0 + 30 * SEC);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":60000}",
	    T0 + 60 * SEC);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 + 10 * SEC);
	ck_assert_uint_eq(nhit("phone", NULL), 0);
	event(e, "A1", PROTO_EV_OBJECT_DETECTED, NULL, T0 - 1);
	ck_assert_uint_eq(nhit("phone", "A1"), 1);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(outage_drops_holds)
{
	struct rules		*r = compile(outage_rules);
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	event(e, "A1", PROTO_EV_FACE_MISSING, NULL, T0);
	event(e, "A1", PROTO_EV_NETWORK_LOST, NULL, T0 + 2 * SEC);
	tick(e, "F1", T0 + 30 * SEC, collect, NULL);
	event(e, "A1", PROTO_EV_NETWORK_RESTORED, "{\"offline_ms\":30000}",
	    T0 + 32 * SEC);
	event(e, "A1", PROTO_EV_FACE_RETURNED, NULL, T0 + 33 * SEC);
	ck_assert_uint_eq(nhit("face", NULL), 0);
	/* A hold that reached its length before the outage fires whether or
	 * not a tick came between (the hold here is 10 s; no tick). */
	event(e, "A3", PROTO_EV_FACE_MISSING, NULL, T0);
	event(e, "A3", PROTO_EV_NETWORK_LOST, NULL, T0 + 12 * SEC);
	ck_assert_uint_eq(nhit("face", "A3"), 1);
	event(e, "A3", PROTO_EV_NETWORK_RESTORED, NULL, T0 + 13 * SEC);
	tick(e, "F1", T0 + 60 * SEC, collect, NULL);
	ck_assert_uint_eq(nhit("face", "A3"), 1);
	/* An outage that never ends lasts until the attempt ends. */
	event(e, "A2", PROTO_EV_NETWORK_LOST, NULL, T0);
	event(e, "A2", PROTO_EV_OBJECT_DETECTED, NULL, T0 + SEC);
	state(e, "A2", PROTO_STATE_SUBMITTED, T0 + 2 * SEC);
	ck_assert_int_eq(rules_engine_outage(e, "F1", "A2"), 0);
	ck_assert_uint_eq(nhit("phone", NULL), 0);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- predicates */

static int
matches(const char *where, const char *data)
{
	char			 text[1024];
	struct rules		*r;
	struct rules_engine	*e;
	size_t			 before;

	snprintf(text, sizeof text, "rule p { on event gaze_away where %s "
	    "fire count 1 severity low }", where);
	r = compile(text);
	e = rules_engine_new(r);
	before = nhits;
	event(e, "A1", PROTO_EV_GAZE_AWAY, data, T0);
	rules_engine_free(e);
	rules_free(r);
	return nhits > before;
}

START_TEST(predicates)
{
	static const struct {
		const char	*where, *data;
		int		 want;
	} t[] = {
		{ "data.seconds = 5", "{\"seconds\":5}", 1 },
		{ "data.seconds == 5", "{\"seconds\":5}", 1 },
		{ "data.seconds = 5", "{\"seconds\":6}", 0 },
		{ "data.seconds != 5", "{\"seconds\":6}", 1 },
		{ "data.seconds != 5", "{}", 0 },		/* missing */
		{ "data.seconds < 5", "{\"seconds\":4.9}", 1 },
		{ "data.seconds < 5", "{\"seconds\":5}", 0 },
		{ "data.seconds <= 5", "{\"seconds\":5}", 1 },
		{ "data.seconds > 5", "{\"seconds\":5}", 0 },
		{ "data.seconds >= 5", "{\"seconds\":5}", 1 },
		{ "data.seconds >= 10s", "{\"seconds\":5}", 0 },
		{ "data.ms >= 10s", "{\"ms\":10000}", 1 },
		{ "data.direction = \"down\"", "{\"direction\":\"down\"}", 1 },
		{ "data.direction in [\"up\", \"down\"]", "{\"direction\":\"down\"}", 1 },
		{ "data.direction in [\"up\", \"left\"]", "{\"direction\":\"down\"}", 0 },
		{ "not data.direction in [\"up\"]", "{\"direction\":\"down\"}", 1 },
		{ "not data.direction in [\"up\"]", "{}", 0 },	/* missing */
		{ "not data.seconds = 3", "{}", 0 },
		{ "data.seconds = 3 or data.direction = \"up\"", "{\"direction\":\"up\"}", 1 },
		{ "data.seconds = 3 and data.direction = \"up\"", "{\"direction\":\"up\"}", 0 },
		{ "(data.a = 1 or data.b = 2) and not data.c = 3",
		    "{\"a\":1,\"c\":4}", 1 },
		{ "(data.a = 1 or data.b = 2) and not data.c = 3",
		    "{\"a\":1,\"c\":3}", 0 },
		{ "data.flag", "{\"flag\":true}", 1 },
		{ "data.flag", "{\"flag\":false}", 0 },
		{ "data.flag = true", "{\"flag\":true}", 1 },
		{ "data.nested.x = \"y\"", "{\"nested\":{\"x\":\"y\"}}", 1 },
		{ "data.seconds = \"5\"", "{\"seconds\":5}", 0 },	/* types */
		{ "has(data.seconds)", "{\"seconds\":0}", 1 },
		{ "not has(data.seconds)", "{}", 1 },
		{ "lower(data.app) = \"discord\"", "{\"app\":\"Discord\"}", 1 },
		{ "event.kind = gaze_away", "{}", 1 },
		{ "event.kind in [gaze_away, idle]", "{}", 1 },
		{ "attempt.outage = false", "{}", 1 },
		{ "attempt.ip = \"x\"", "{}", 0 },		/* unknown attempt */
		{ "data.seconds = 5", "not json", 0 },
	};
	size_t	i;

	reset();
	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		ck_assert_msg(matches(t[i].where, t[i].data) == t[i].want,
		    "where %s on %s: want %d", t[i].where, t[i].data,
		    t[i].want);
}
END_TEST

START_TEST(attempt_predicates)
{
	struct rules		*r = compile(
	    "rule s { on state where attempt.state = terminated and "
	    "attempt.modality = test_center fire count 1 severity info "
	    "message \"{attempt.id} {attempt.state} {feed}\" }");
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_TEST_CENTER, "10.0.0.1", "d", T0);
	attempt_msg(e, "F1", "A2", PROTO_MODALITY_REMOTE, "10.0.0.2", "d2", T0);
	state(e, "A1", PROTO_STATE_PAUSED, T0 + 1);
	state(e, "A2", PROTO_STATE_TERMINATED, T0 + 2);
	ck_assert_uint_eq(nhits, 0);
	state(e, "A1", PROTO_STATE_TERMINATED, T0 + 3);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].message, "A1 terminated F1");
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/* ---- templates */

START_TEST(templates)
{
	struct rules		*r = compile(
	    "rule t { on event gaze_away fire count 2 within 90s "
	    "severity high weight 12.5 "
	    "message \"{{{rule}}} {severity}/{weight}: {count} in {within}, "
	    "{data.direction} {data.nope} {attempt.name}\" }");
	struct rules_engine	*e = rules_engine_new(r);

	reset();
	attempt_msg(e, "F1", "A1", PROTO_MODALITY_REMOTE, "10.0.0.1", "d", T0);
	event(e, "A1", PROTO_EV_GAZE_AWAY, "{\"direction\":\"left\"}", T0);
	event(e, "A1", PROTO_EV_GAZE_AWAY, "{\"direction\":\"down\"}", T0 + 1);
	ck_assert_uint_eq(nhits, 1);
	ck_assert_str_eq(hits[0].message,
	    "{t} high/12.5: 2 in 90s, down ? Name A1");
	ck_assert(hits[0].weight == 12.5);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

/*
 * A message that reaches the limit is cut between characters: event data
 * full of 2-, 3- and 4-byte characters, starting at every offset around
 * PROTO_TEXT_MAX, both through a placeholder and through literal text.
 * A message cut inside a character could not be printed as a flag line.
 */
static char	long_msg[PROTO_TEXT_MAX + 1];

static void
collect_message(const struct rules_hit *h, void *arg)
{
	(void)arg;
	ck_assert_uint_le(strlen(h->message), PROTO_TEXT_MAX);
	snprintf(long_msg, sizeof long_msg, "%s", h->message);
	nhits++;
}

START_TEST(templates_cut_on_characters)
{
	static const char *const chars[] = { "\xc3\xa9", "\xe5\xb1\xb1",
	    "\xf0\x9f\x98\x80" };
	static const char placeholders[] = "rule t { on event gaze_away fire "
	    "count 1 within 1s severity low message \"{data.a}{data.b}\" }";
	struct rules		*r;
	struct rules_engine	*e;
	struct proto_msg	 m;
	char			 rule[8192], data[8192];
	size_t			 k, c, i, len;
	int			 literal;

	for (c = 0; c < 3; c++)
	for (k = PROTO_TEXT_MAX - 8; k <= PROTO_TEXT_MAX + 2; k++)
	for (literal = 0; literal <= 1; literal++) {
		/* Event data: a is k ASCII bytes, b a run of characters. */
		len = (size_t)snprintf(data, sizeof data, "{\"a\":\"");
		for (i = 0; i < k; i++)
			data[len++] = 'x';
		len += (size_t)snprintf(data + len, sizeof data - len,
		    "\",\"b\":\"");
		for (i = 0; i < 600; i++)
			len += (size_t)snprintf(data + len, sizeof data - len,
			    "%s", chars[c]);
		snprintf(data + len, sizeof data - len, "\"}");
		/* Or the same in the rule file's literal text. */
		len = (size_t)snprintf(rule, sizeof rule, "rule t { on event "
		    "gaze_away fire count 1 within 1s severity low message \"");
		for (i = 0; i < k; i++)
			rule[len++] = 'y';
		for (i = 0; i < 600; i++)
			len += (size_t)snprintf(rule + len, sizeof rule - len,
			    "%s", chars[c]);
		snprintf(rule + len, sizeof rule - len, "{data.a}\" }");

		r = compile(literal ? rule : placeholders);
		e = rules_engine_new(r);
		reset();
		memset(&m, 0, sizeof m);
		m.type = PROTO_EVENT;
		m.seq = 1;
		m.ts_ms = T0;
		snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "A1");
		m.u.event.kind = PROTO_EV_GAZE_AWAY;
		m.u.event.data = data;
		m.u.event.data_len = strlen(data);
		rules_engine_message(e, "F1", &m, collect_message, NULL);
		ck_assert_uint_eq(nhits, 1);
		len = strlen(long_msg);
		ck_assert_msg(proto_utf8_valid(long_msg, len), "%s, %zu-byte "
		    "characters after %zu bytes: the message ends inside a "
		    "character", literal ? "literal" : "placeholder", c + 2, k);
		/* Cut only as much as the limit demands. */
		ck_assert_uint_gt(len, PROTO_TEXT_MAX - (c + 2));
		rules_engine_free(e);
		rules_free(r);
	}
}
END_TEST

/* ---- files and errors */

START_TEST(load_good)
{
	struct rules		*r = rules_load(FIXTURES "good.rules", err,
				    sizeof err);
	struct rules_info	 info;

	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(rules_count(r), 4);
	rules_info(r, 1, &info);
	ck_assert_str_eq(info.name, "face_gone");
	ck_assert_int_eq(info.mode, RULES_MODE_DURATION);
	ck_assert_int_eq(info.line, 11);
	rules_info(r, 3, &info);
	ck_assert_int_eq(info.mode, RULES_MODE_LINK);
	ck_assert_int_eq(info.on, PROTO_ATTEMPT);
	rules_free(r);
	ck_assert_ptr_null(rules_load(FIXTURES "no-such.rules", err,
	    sizeof err));
	ck_assert_str_eq(err, FIXTURES "no-such.rules: cannot open the rule file: No such file or directory");
}
END_TEST

/* A FIFO or a directory in the rule file's place is refused at once. */
START_TEST(load_not_regular)
{
	char	dir[64], path[96];
	FILE	*f;

	check_tmp_make(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/fifo.rules", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(rules_load(path, err, sizeof err));
	ck_assert_msg(strstr(err, "/fifo.rules: is a FIFO, not a regular "
	    "file; give the rule file as a regular file") != NULL, "%s", err);
	ck_assert_ptr_null(rules_load(dir, err, sizeof err));
	ck_assert_msg(strstr(err, ": is a directory; give the rule file "
	    "itself") != NULL, "%s", err);
	unlink(path);

	/* Bytes that are not UTF-8 in a message would make flags that cannot
	 * be printed: refused with the line. */
	snprintf(path, sizeof path, "%s/latin1.rules", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("rule r {\n\ton event raise_hand\n\tfire count 1 within 1m\n"
	    "\tseverity low\n\tmessage \"caf\xe9\"\n}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(rules_load(path, err, sizeof err));
	ck_assert_msg(strstr(err, "/latin1.rules:5: not UTF-8 text; save the "
	    "rule file as UTF-8") != NULL, "%s", err);
	unlink(path);
	rmdir(dir);
}
END_TEST

static const struct {
	const char	*file;
	const char	*want;
} bad[] = {
	{ "bad-kind", "2:14: unknown event kind \"face_mising\" (did you mean \"face_missing\"?)" },
	{ "bad-severity", "4:14: unknown severity \"hgih\" (did you mean \"high\"?)" },
	{ "bad-duration", "3:19: bad duration \"10x\" (write a number and a unit, ms, s, m or h, as in \"10s\")" },
	{ "bad-nofire", "1:1: rule \"r\" has no \"fire\" line" },
	{ "bad-duplicate", "7:6: duplicate rule name \"r\" (first defined at line 1)" },
	{ "bad-string", "5:13: unterminated string (a string ends with \" on the line it starts)" },
	{ "bad-key", "4:5: unknown key \"sevrity\" (did you mean \"severity\"?)" },
	{ "bad-field", "2:22: unknown field \"attempt.devise\" (did you mean \"attempt.device\"?)" },
	{ "bad-mode", "3:10: unknown way to fire \"cuont\" (did you mean \"count\"?)" },
	{ "bad-until", "3:29: unknown event kind \"face_retruned\" (did you mean \"face_returned\"?)" },
	{ "bad-state", "2:36: unknown state \"sumbitted\" (did you mean \"submitted\"?)" },
	{ "bad-template", "5:15: unknown name \"attempt.nmae\" in the message (did you mean \"attempt.name\"?)" },
	{ "bad-answer-field", "2:30: answer.correct is not set on event messages (rule \"r\" is on event)" },
	{ "bad-unclosed", "1:1: rule \"r\" is not closed (missing \"}\")" },
	{ "bad-function", "3:15: unknown function \"prefix42\" (did you mean \"prefix24\"?)" },
	{ "bad-bareword", "2:50: bare word \"phone\": quote a string (\"phone\") or name a field" },
	{ "bad-count", "3:16: a count must be a whole number from 1 to 1000" },
	{ "bad-within", "3:25: bad duration \"300\" (write a number and a unit, ms, s, m or h, as in \"10s\")" },
	{ "bad-type", "2:8: unknown message type \"evnt\" (did you mean \"event\"?)" },
	{ "bad-short-field", "2:21: unknown field \"correct\" (did you mean \"answer.correct\"?)" },
	{ "bad-scope", "3:40: unknown scope \"world\" (feed or all)" },
	{ "bad-toplevel", "1:1: expected \"rule\", found \"rules\"" },
	{ "bad-operator", "2:43: unexpected \"!\" (write != or not)" },
	{ "bad-duration-on", "1:1: rule \"r\": a duration starts on an event (on event KIND)" },
};

START_TEST(bad_files)
{
	char	path[256], want[512];

	snprintf(path, sizeof path, FIXTURES "%s.rules", bad[_i].file);
	snprintf(want, sizeof want, "%s:%s", path, bad[_i].want);
	ck_assert_ptr_null(rules_load(path, err, sizeof err));
	ck_assert_str_eq(err, want);
}
END_TEST

/* Odd input never crashes the parser, and is refused in words. */
START_TEST(bad_text)
{
	static const char *const t[] = {
		"rule", "rule {", "rule r", "rule r {", "rule r { on", "rule r { on event",
		"rule r { on event gaze_away where", "rule r { on event gaze_away where (",
		"rule r { on event gaze_away where data.x in [", "rule r { on event gaze_away where data.x in [1,",
		"rule r { fire count", "rule r { fire link", "rule r { message \"{\" }",
		"rule r { message \"}\" }", "\"", "{}", "rule r { weight -1 }",
		"rule r { severity }", "rule r { on event gaze_away, }", "\x01",
		"rule r { on event gaze_away where data. = 1 }", "rule r { message \"\\q\" }",
		"rule r { fire count 1.5 }", "rule r { on event gaze_away fire count 99999 }",
	};
	struct rules	*r;
	size_t		 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		err[0] = '\0';
		r = rules_parse(t[i], strlen(t[i]), "x", err, sizeof err);
		ck_assert_msg(r == NULL, "accepted: %s", t[i]);
		ck_assert_msg(strncmp(err, "x:1:", 4) == 0, "%s -> %s", t[i], err);
	}
	/* Not NUL-terminated: only len bytes are read. */
	r = rules_parse("rule r { on event idle fire count 1 severity low }XX",
	    50, "x", err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	rules_free(r);
	r = rules_parse("", 0, "x", err, sizeof err);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(rules_count(r), 0);
	rules_free(r);
}
END_TEST

/* ---- indexing */

START_TEST(indexing)
{
	struct rules		*small, *big;
	struct rules_engine	*e;
	char			*text;
	size_t			 len = 0, cap = 1 << 20, i;
	uint64_t		 a, b;
	int			 n;

	small = compile("rule g { on event gaze_away fire count 1 severity low }");
	text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	len = (size_t)snprintf(text, cap, "rule g { on event gaze_away "
	    "fire count 1 severity low }\n");
	for (i = 0; i < 1000; i++) {
		n = snprintf(text + len, cap - len, "rule r%zu { on event %s "
		    "where data.x = %zu fire count 2 within 1m severity low }\n"
		    "rule a%zu { on answer fire run 3 severity low }\n", i,
		    proto_event_kind_name((enum proto_event_kind)(i %
		    PROTO_EV_GAZE_AWAY)), i, i);
		ck_assert_int_gt(n, 0);
		len += (size_t)n;
	}
	big = rules_parse(text, len, "big", err, sizeof err);
	ck_assert_msg(big != NULL, "%s", err);
	ck_assert_uint_eq(rules_count(big), 2001);

	reset();
	e = rules_engine_new(small);
	for (i = 0; i < 100; i++)
		event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + (int64_t)i);
	a = rules_engine_evaluations(e);
	rules_engine_free(e);
	e = rules_engine_new(big);
	for (i = 0; i < 100; i++)
		event(e, "A1", PROTO_EV_GAZE_AWAY, NULL, T0 + (int64_t)i);
	b = rules_engine_evaluations(e);
	ck_assert_uint_eq(a, 100);
	ck_assert_uint_eq(a, b);
	/* The other kinds' rules are there, and looked at for their kind. */
	event(e, "A1", PROTO_EV_FOCUS_LOST, NULL, T0 + 200);
	ck_assert_uint_gt(rules_engine_evaluations(e), b);
	rules_engine_free(e);
	rules_free(small);
	rules_free(big);
	free(text);
}
END_TEST

static void
tally(const struct rules_hit *h, void *arg)
{
	ck_assert_str_eq(h->rule, "face_missing_long");
	(*(int *)arg)++;
}

/* 10,000 attempts with the defaults. */
START_TEST(many_attempts)
{
	struct rules		*r = rules_default();
	struct rules_engine	*e = rules_engine_new(r);
	char			 id[16], ip[32], dev[32];
	int			 i, n = 0;

	reset();
	for (i = 0; i < 10000; i++) {
		snprintf(id, sizeof id, "A%05d", i);
		snprintf(ip, sizeof ip, "10.%d.%d.9", i / 256, i % 256);
		snprintf(dev, sizeof dev, "dev-%d", i);
		attempt_msg(e, "F1", id, PROTO_MODALITY_REMOTE, ip, dev, T0);
		event(e, id, PROTO_EV_GAZE_AWAY, "{\"seconds\":3}", T0 + i);
		event(e, id, PROTO_EV_FACE_MISSING, NULL, T0 + i);
		answer(e, id, 1, 30000, T0 + i);
		nhits = 0;
	}
	tick(e, "F1", T0 + 5 * SEC, collect, NULL);
	ck_assert_uint_eq(nhits, 0);
	ck_assert_uint_eq(rules_engine_attempts(e), 10000);
	/* Every face is still missing: 10,000 holds reach 10 s at once. */
	tick(e, "F1", T0 + 20 * SEC, tally, &n);
	ck_assert_int_eq(n, 10000);
	n = 0;
	tick(e, "F1", T0 + 30 * SEC, tally, &n);
	ck_assert_int_eq(n, 0);
	rules_engine_free(e);
	rules_free(r);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(proto_severity_name(PROTO_SEV_CRITICAL), "critical");
	ck_assert_int_eq(proto_severity_parse("medium"), PROTO_SEV_MEDIUM);
	ck_assert_int_eq(proto_severity_parse("hgih"), -1);
	ck_assert_str_eq(rules_mode_name(RULES_MODE_LINK), "link");
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite	*s = suite_create("rules");
	TCase	*tc;

	tc = tcase_create("defaults");
	tcase_add_test(tc, defaults_parse);
	tcase_add_test(tc, defaults_cover_every_kind);
	tcase_add_test(tc, defaults_answer_and_link_rules);
	tcase_add_test(tc, defaults_flaky_network_not_cheating);
	tcase_add_test(tc, defaults_long_outage_noted);
	tcase_add_test(tc, fuzz_regressions);
	tcase_add_test(tc, defaults_phone);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);

	tc = tcase_create("fire");
	tcase_add_test(tc, count_window_edge);
	tcase_add_test(tc, count_rearm);
	tcase_add_test(tc, count_per_attempt);
	tcase_add_test(tc, count_evidence_bounded);
	tcase_add_test(tc, duration_ends_before);
	tcase_add_test(tc, duration_ends_at);
	tcase_add_test(tc, duration_never_ends);
	tcase_add_test(tc, duration_ends_at_submission);
	tcase_add_test(tc, link_feed_and_all);
	tcase_add_test(tc, link_prefix24);
	tcase_add_test(tc, answers_preknowledge);
	tcase_add_test(tc, answers_rapid_run);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_add_test(tc, clock_per_feed);
	tcase_add_test(tc, clock_per_feed_own_holds);
	tcase_add_test(tc, limit_attempts);
	tcase_add_test(tc, limit_link_values);
	tcase_add_test(tc, limit_links_per_attempt);
	tcase_add_test(tc, count_window_grows);
	tcase_add_test(tc, transition_table);
	tcase_add_test(tc, after_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("outage");
	tcase_add_test(tc, outage_suppresses);
	tcase_add_test(tc, outage_edges_included);
	tcase_add_test(tc, outage_second_lost_keeps_start);
	tcase_add_test(tc, outage_drops_holds);
	suite_add_tcase(s, tc);

	tc = tcase_create("predicates");
	tcase_add_test(tc, predicates);
	tcase_add_test(tc, attempt_predicates);
	tcase_add_test(tc, templates);
	tcase_add_test(tc, templates_cut_on_characters);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	check_tmp_fixture(tc);
	tcase_add_test(tc, load_good);
	tcase_add_test(tc, load_not_regular);
	tcase_add_loop_test(tc, bad_files, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(tc, bad_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("cost");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, indexing);
	tcase_add_test(tc, many_attempts);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(rules_suite());
}
