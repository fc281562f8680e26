/*
 * check_feed.c - Check suite for feed/: the simulator (sim.c) and the
 * scenario loader (replay.c).
 *
 * The simulator is driven the way the server drives it, through
 * sim_advance() and sim_command(), and judged only by the messages it
 * emits: each is recorded as a canonical text line (every field, written
 * here, not by the codec) and as a small record the tests query.  Profiles
 * are checked against sim_profile_of(), which is the ground truth the
 * feed's --truth file is made from.  Scenario files come from
 * tests/fixtures/ (run from the top of the tree, as `make check` does).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkstemp, strdup */
#endif

#include <sys/stat.h>

#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "feed/feed.h"
#include "feed/limits.h"
#include "proto/proto.h"
#include "proto/xmalloc.h"

#define CHECK_TMP_NAME	"check_feed"
#include "check_tmp.h"
#include "tests/check_main.h"

#define T0		INT64_C(1795456800000)	/* 2026-11-23T18:00:00Z */
#define SEC		INT64_C(1000)
#define MIN		(60 * SEC)
#define FIXTURES	"tests/fixtures/"

/* What a test needs to know of one emitted message. */
struct rec {
	enum proto_type	type;
	int64_t		ts;
	int		idx;		/* attempt index, from "A0001" */
	int		kind;		/* event kind, or -1 */
	int		state;		/* attempt/state state, or -1 */
	int		item;		/* answer item number, or 0 */
	int		form;		/* answer form number ("F2-Q01"), 1 for "Q01" */
	char		response;
	int		correct;
	int64_t		elapsed;
	int64_t		changed;
	char		ip[PROTO_IP_MAX + 1];
	char		device[PROTO_ID_MAX + 1];
	char		name[PROTO_NAME_MAX + 1];
	json_t		*data;		/* event data, parsed */
};

struct log {
	struct rec	*r;
	char		**line;		/* canonical text of each message */
	size_t		 n, cap;
	int		 keep_lines;
};

static char	err[1024];

/* The canonical text of a message: every field the simulator sets. */
static void
canon(const struct proto_msg *m, char *buf, size_t size)
{
	const struct proto_attempt	*a = &m->u.attempt;
	const struct proto_answer	*an = &m->u.answer;
	int				 n;

	n = snprintf(buf, size, "%" PRId64 " %" PRId64 " %s ", m->ts_ms,
	    m->seq, proto_type_name(m->type));
	switch (m->type) {
	case PROTO_ATTEMPT:
		snprintf(buf + n, size - (size_t)n,
		    "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", a->attempt, a->candidate,
		    a->name, a->exam, a->form, a->center,
		    proto_modality_name(a->modality),
		    proto_state_name(a->state), a->ip, a->device);
		break;
	case PROTO_EVENT:
		snprintf(buf + n, size - (size_t)n, "%s|%s|%.*s",
		    m->u.event.attempt, proto_event_kind_name(m->u.event.kind),
		    (int)m->u.event.data_len, m->u.event.data);
		break;
	case PROTO_ANSWER:
		snprintf(buf + n, size - (size_t)n,
		    "%s|%s|%s|%d|%" PRId64 "|%" PRId64, an->attempt, an->item,
		    an->response, an->correct, an->elapsed_ms, an->changed);
		break;
	case PROTO_STATE:
		snprintf(buf + n, size - (size_t)n, "%s|%s",
		    m->u.state.attempt, proto_state_name(m->u.state.state));
		break;
	default:
		snprintf(buf + n, size - (size_t)n, "unexpected");
		break;
	}
}

static int
attempt_index(const char *id)
{
	ck_assert_msg(id[0] == 'A' && strlen(id) >= 5, "bad attempt id %s", id);
	return atoi(id + 1) - 1;
}

static void
collect(const struct proto_msg *m, void *arg)
{
	struct log	*l = arg;
	struct rec	*r;
	char		 buf[4096];
	json_error_t	 je;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->r = xreallocarray(l->r, l->cap, sizeof *l->r);
		l->line = xreallocarray(l->line, l->cap, sizeof *l->line);
	}
	r = &l->r[l->n];
	memset(r, 0, sizeof *r);
	r->type = m->type;
	r->ts = m->ts_ms;
	r->kind = r->state = -1;
	ck_assert_int_eq(m->seq, 0);
	switch (m->type) {
	case PROTO_ATTEMPT:
		r->idx = attempt_index(m->u.attempt.attempt);
		r->state = (int)m->u.attempt.state;
		snprintf(r->ip, sizeof r->ip, "%s", m->u.attempt.ip);
		snprintf(r->device, sizeof r->device, "%s",
		    m->u.attempt.device);
		snprintf(r->name, sizeof r->name, "%s", m->u.attempt.name);
		break;
	case PROTO_EVENT:
		r->idx = attempt_index(m->u.event.attempt);
		r->kind = (int)m->u.event.kind;
		ck_assert_uint_eq(m->u.event.data_len, strlen(m->u.event.data));
		r->data = json_loadb(m->u.event.data, m->u.event.data_len, 0,
		    &je);
		ck_assert_msg(r->data != NULL && json_is_object(r->data),
		    "event data is not a JSON object: %s", m->u.event.data);
		break;
	case PROTO_ANSWER:
		r->idx = attempt_index(m->u.answer.attempt);
		r->form = 1;
		if (m->u.answer.item[0] == 'F') {
			r->form = atoi(m->u.answer.item + 1);
			ck_assert_ptr_nonnull(strchr(m->u.answer.item, '-'));
			r->item = atoi(strchr(m->u.answer.item, '-') + 2);
			ck_assert_int_ge(r->form, 1);
		} else {
			ck_assert_msg(m->u.answer.item[0] == 'Q', "item %s",
			    m->u.answer.item);
			r->item = atoi(m->u.answer.item + 1);
		}
		ck_assert_uint_eq(strlen(m->u.answer.response), 1);
		r->response = m->u.answer.response[0];
		r->correct = m->u.answer.correct;
		r->elapsed = m->u.answer.elapsed_ms;
		r->changed = m->u.answer.changed;
		break;
	case PROTO_STATE:
		r->idx = attempt_index(m->u.state.attempt);
		r->state = (int)m->u.state.state;
		break;
	default:
		ck_abort_msg("the simulator emitted a %s",
		    proto_type_name(m->type));
	}
	if (l->keep_lines) {
		canon(m, buf, sizeof buf);
		l->line[l->n] = strdup(buf);
	} else
		l->line[l->n] = NULL;
	l->n++;
}

static void
log_init(struct log *l)
{
	memset(l, 0, sizeof *l);
	l->keep_lines = 1;
}

static void
log_free(struct log *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->line[i]);
		json_decref(l->r[i].data);
	}
	free(l->r);
	free(l->line);
	memset(l, 0, sizeof *l);
}

static struct sim *
new_sim(int n, uint64_t seed)
{
	struct sim_config	c;

	memset(&c, 0, sizeof c);
	c.candidates = n;
	c.seed = seed;
	return sim_new(&c, T0);
}

/* Run a whole session of n candidates to its end. */
static struct sim *
run_all(int n, uint64_t seed, struct log *l)
{
	struct sim	*s = new_sim(n, seed);

	sim_advance(s, T0 + 6 * 60 * MIN, collect, l);
	ck_assert_int_eq(sim_next_due(s), INT64_MAX);
	return s;
}

/* Command a (with minutes, for an extend) about attempt at now. */
static int
cmd_minutes(struct sim *s, const char *attempt, enum proto_action a,
    int64_t minutes, int64_t now, struct log *l)
{
	struct proto_cmd	c;

	memset(&c, 0, sizeof c);
	snprintf(c.id, sizeof c.id, "k1");
	snprintf(c.attempt, sizeof c.attempt, "%s", attempt);
	c.action = a;
	c.minutes = minutes;
	err[0] = '\0';
	return sim_command(s, &c, now, collect, l, err, sizeof err);
}

static int
cmd(struct sim *s, const char *attempt, enum proto_action a, int64_t now,
    struct log *l)
{
	return cmd_minutes(s, attempt, a, 0, now, l);
}

/* An attempt index with profile p, or -1. */
static int
find_profile(struct sim *s, enum sim_profile p, int nth)
{
	int	i;

	for (i = 0; i < sim_candidates(s); i++) {
		if (sim_profile_of(s, i) == p && nth-- == 0)
			return i;
	}
	return -1;
}

static void
assert_time_order(const struct log *l)
{
	size_t	i;

	for (i = 1; i < l->n; i++)
		ck_assert_msg(l->r[i].ts >= l->r[i - 1].ts, "message %zu at "
		    "%" PRId64 " after one at %" PRId64, i, l->r[i].ts,
		    l->r[i - 1].ts);
}

static int64_t
data_int(const struct rec *r, const char *key)
{
	json_t	*v = json_object_get(r->data, key);

	ck_assert_msg(json_is_integer(v), "no integer \"%s\" in event data",
	    key);
	return json_integer_value(v);
}

/* ---- determinism */

START_TEST(test_same_seed_same_stream)
{
	struct log	 a, b, c, d;
	struct sim	*s;
	int64_t		 t, end = T0 + 45 * MIN;
	size_t		 i, same;

	log_init(&a);
	log_init(&b);
	log_init(&c);
	log_init(&d);

	s = new_sim(200, 42);
	sim_advance(s, end, collect, &a);
	sim_free(s);

	/* Many small, uneven steps, some of them going nowhere. */
	s = new_sim(200, 42);
	for (t = T0 - 5 * SEC; t < end; t += 997 + (t % 7) * 100) {
		sim_advance(s, t, collect, &b);
		sim_advance(s, t - 1, collect, &b);
	}
	sim_advance(s, end, collect, &b);
	sim_free(s);

	/* Driven by sim_next_due(), as a scheduler would. */
	s = new_sim(200, 42);
	while ((t = sim_next_due(s)) <= end)
		sim_advance(s, t, collect, &c);
	sim_free(s);

	ck_assert_uint_gt(a.n, 10000);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_uint_eq(a.n, c.n);
	for (i = 0; i < a.n; i++) {
		ck_assert_str_eq(a.line[i], b.line[i]);
		ck_assert_str_eq(a.line[i], c.line[i]);
	}

	/* Another seed, another session. */
	s = new_sim(200, 43);
	sim_advance(s, end, collect, &d);
	sim_free(s);
	for (i = same = 0; i < a.n && i < d.n; i++)
		same += strcmp(a.line[i], d.line[i]) == 0;
	ck_assert_msg(same < a.n / 10, "seeds 42 and 43 share %zu of %zu "
	    "lines", same, a.n);

	log_free(&a);
	log_free(&b);
	log_free(&c);
	log_free(&d);
}
END_TEST

/* Commands are part of the input: the same ones give the same stream. */
static void
run_with_commands(struct log *l, int64_t step)
{
	struct sim	*s = new_sim(60, 4);
	int64_t		 t;
	int		 i;
	char		 id[16];

	for (t = T0; t <= T0 + 80 * MIN; t += step) {
		sim_advance(s, t, collect, l);
		if ((t - T0) % (5 * MIN) != 0)
			continue;
		for (i = (int)((t - T0) / MIN) % 7; i < 60; i += 7) {
			snprintf(id, sizeof id, "A%04d", i + 1);
			cmd(s, id, (enum proto_action)(i % PROTO_ACTION_COUNT),
			    t, l);
		}
	}
	sim_free(s);
}

START_TEST(test_commands_deterministic)
{
	struct log	a, b;
	size_t		i;
	int		paused = 0;

	log_init(&a);
	log_init(&b);
	run_with_commands(&a, 5 * MIN);
	run_with_commands(&b, 250);
	ck_assert_uint_eq(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		ck_assert_str_eq(a.line[i], b.line[i]);
		paused += a.r[i].type == PROTO_STATE &&
		    a.r[i].state == PROTO_STATE_PAUSED;
	}
	ck_assert_int_gt(paused, 5);
	assert_time_order(&a);
	log_free(&a);
	log_free(&b);
}
END_TEST

START_TEST(test_time_order_and_next_due)
{
	struct log	 l;
	struct sim	*s = new_sim(50, 7);
	int64_t		 due, prev = INT64_MIN;
	size_t		 i, before;
	int		 submitted = 0, quiet = 0;

	log_init(&l);
	ck_assert_int_eq(sim_next_due(s), T0);
	sim_advance(s, T0 - 1, collect, &l);
	ck_assert_uint_eq(l.n, 0);
	while ((due = sim_next_due(s)) != INT64_MAX) {
		before = l.n;
		sim_advance(s, due - 1, collect, &l);
		ck_assert_uint_eq(l.n, before);
		sim_advance(s, due, collect, &l);
		/* Something at every due time, but for a copier that starts
		 * waiting for its source (and emits nothing). */
		quiet += l.n == before;
		for (i = before; i < l.n; i++)
			ck_assert_int_eq(l.r[i].ts, due);
		ck_assert_int_gt(due, prev);
		prev = due;
	}
	/* Every attempt ended, submitted. */
	for (i = 0; i < l.n; i++) {
		submitted += l.r[i].type == PROTO_STATE &&
		    l.r[i].state == PROTO_STATE_SUBMITTED;
	}
	ck_assert_int_eq(submitted, 50);
	ck_assert_int_lt(quiet, 30);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* ---- lifecycle and answers */

START_TEST(test_lifecycle)
{
	struct log	 l;
	struct sim	*s;
	int		 n = 120, i, *stage, *answered, *twice;
	int		 changes = 0, items = 0;
	size_t		 k;
	const struct rec *r;

	log_init(&l);
	s = run_all(n, 1, &l);
	stage = calloc((size_t)n, sizeof *stage);
	answered = calloc((size_t)n, sizeof *answered);
	twice = calloc((size_t)n, sizeof *twice);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		ck_assert_int_lt(r->idx, n);
		if (k > 0)
			ck_assert_int_ge(r->ts, l.r[k - 1].ts);
		switch (stage[r->idx]) {
		case 0:
			ck_assert_int_eq(r->type, PROTO_ATTEMPT);
			ck_assert_int_eq(r->state, PROTO_STATE_SCHEDULED);
			ck_assert_int_eq(r->ts, T0);
			ck_assert_str_ne(r->device, "");
			ck_assert_str_ne(r->ip, "");
			stage[r->idx]++;
			break;
		case 1:
			ck_assert_int_eq(r->type, PROTO_STATE);
			ck_assert_int_eq(r->state, PROTO_STATE_CHECKED_IN);
			ck_assert_int_ge(r->ts, T0 + SEC);
			ck_assert_int_le(r->ts, T0 + 20 * SEC);
			stage[r->idx]++;
			break;
		case 2:
			ck_assert_int_eq(r->type, PROTO_STATE);
			ck_assert_int_eq(r->state, PROTO_STATE_IN_PROGRESS);
			stage[r->idx]++;
			break;
		case 3:
			ck_assert_int_ne(r->type, PROTO_ATTEMPT);
			if (r->type == PROTO_ANSWER) {
				/* an item once, or twice: first, then changed */
				if (r->item == answered[r->idx]) {
					ck_assert_int_eq(r->changed, 1);
					ck_assert_int_eq(twice[r->idx], 0);
					twice[r->idx] = 1;
					changes++;
				} else {
					answered[r->idx]++;
					ck_assert_int_eq(r->item,
					    answered[r->idx]);
					ck_assert_int_eq(r->changed, 0);
					twice[r->idx] = 0;
				}
				ck_assert(r->response >= 'A' &&
				    r->response <= 'D');
				items++;
			} else if (r->type == PROTO_STATE) {
				ck_assert_int_eq(r->state,
				    PROTO_STATE_SUBMITTED);
				ck_assert_int_eq(answered[r->idx], 60);
				stage[r->idx]++;
			}
			break;
		default:
			ck_abort_msg("attempt A%04d emitted after submitting",
			    r->idx + 1);
		}
	}
	for (i = 0; i < n; i++)
		ck_assert_int_eq(stage[i], 4);
	/* Second thoughts on a few per cent of the items. */
	fprintf(stderr, "check_feed: %d answer changes in %d answer messages\n",
	    changes, items);
	ck_assert_int_gt(changes, items / 100);
	ck_assert_int_lt(changes, items / 12);
	free(stage);
	free(answered);
	free(twice);
	sim_free(s);
	log_free(&l);
}
END_TEST

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Response times: lognormal around a minute for most, 2-6 s on a rapid
 * guesser's last stretch (at random: about a quarter right), elapsed the
 * time since the attempt's last answer message.
 */
START_TEST(test_answer_pace)
{
	struct log	 l;
	struct sim	*s;
	int		 n = 150, *fast, rapid = 0, rapid_right = 0, guessers = 0;
	int		 i;
	size_t		 k, nt = 0;
	const struct rec *r;
	int64_t		*last, *times;
	enum sim_profile p;

	log_init(&l);
	s = run_all(n, 99, &l);
	last = calloc((size_t)n, sizeof *last);
	fast = calloc((size_t)n, sizeof *fast);
	times = calloc(l.n, sizeof *times);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		p = sim_profile_of(s, r->idx);
		if (r->type == PROTO_STATE &&
		    r->state == PROTO_STATE_IN_PROGRESS)
			last[r->idx] = r->ts;
		if (r->type != PROTO_ANSWER)
			continue;
		ck_assert_msg(r->elapsed >= SEC && r->elapsed <= 10 * MIN,
		    "A%04d (%s) answered %d after %" PRId64 " ms", r->idx + 1,
		    sim_profile_name(p), r->item, r->elapsed);
		if (r->elapsed >= 2 * SEC && r->elapsed <= 6 * SEC) {
			fast[r->idx]++;
			if (p == SIM_RAPID_GUESSER) {
				rapid++;
				rapid_right += r->correct;
			}
		}
		if (p == SIM_HONEST && r->changed == 0)
			times[nt++] = r->elapsed;
		/* elapsed is the time since the last answer (outages aside) */
		if (p != SIM_FLAKY_NETWORK)
			ck_assert_int_eq(r->ts - last[r->idx], r->elapsed);
		else
			ck_assert_int_ge(r->ts - last[r->idx], r->elapsed);
		last[r->idx] = r->ts;
	}
	for (i = 0; i < n; i++) {
		p = sim_profile_of(s, i);
		if (p == SIM_RAPID_GUESSER) {
			guessers++;
			ck_assert_int_ge(fast[i], 17);	/* 30-50 % of 60 */
			ck_assert_int_le(fast[i], 32);
		} else if (p != SIM_PREKNOWLEDGE && p != SIM_COLLUDING)
			ck_assert_int_le(fast[i], 3);
	}
	ck_assert_int_ge(guessers, 4);
	ck_assert(rapid_right > rapid / 8 && rapid_right < rapid / 2);
	qsort(times, nt, sizeof *times, cmp_i64);
	fprintf(stderr, "check_feed: honest median response time %" PRId64
	    " ms over %zu answers; rapid guessers %d of %d right\n",
	    times[nt / 2], nt, rapid_right, rapid);
	ck_assert_int_ge(times[nt / 2], 40 * SEC);
	ck_assert_int_le(times[nt / 2], 75 * SEC);
	free(times);
	free(fast);
	free(last);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* ---- profiles */

START_TEST(test_profile_mix)
{
	struct sim	*s = new_sim(1000, 5);
	int		 count[SIM_PROFILE_COUNT] = { 0 }, i;

	for (i = 0; i < 1000; i++)
		count[sim_profile_of(s, i)]++;
	ck_assert_int_eq(count[SIM_HONEST], 520);
	ck_assert_int_eq(count[SIM_RAPID_GUESSER], 30);
	ck_assert_int_eq(count[SIM_DISTRACTED], 120);
	ck_assert_int_eq(count[SIM_PHONE], 80);
	ck_assert_int_eq(count[SIM_PROXY], 60);
	ck_assert_int_eq(count[SIM_COLLUDING], 60);
	ck_assert_int_eq(count[SIM_PREKNOWLEDGE], 60);
	ck_assert_int_eq(count[SIM_FLAKY_NETWORK], 70);
	ck_assert_int_eq(sim_profile_of(s, 1000), SIM_PROFILE_COUNT);
	ck_assert_int_eq(sim_profile_of(s, -1), SIM_PROFILE_COUNT);
	sim_free(s);

	ck_assert_str_eq(sim_profile_name(SIM_HONEST), "honest");
	ck_assert_str_eq(sim_profile_name(SIM_FLAKY_NETWORK), "flaky_network");
	ck_assert_str_eq(sim_profile_name(SIM_PREKNOWLEDGE), "preknowledge");
	ck_assert_str_eq(sim_profile_name(SIM_RAPID_GUESSER), "rapid_guesser");
	ck_assert_str_eq(sim_profile_name(SIM_PROFILE_COUNT), "?");

	/* Tiny sessions work, and a seed still decides the mix. */
	for (i = 1; i <= 4; i++) {
		struct log	l;

		log_init(&l);
		sim_free(run_all(i, (uint64_t)i, &l));
		ck_assert_uint_ge(l.n, (size_t)i * 64);
		log_free(&l);
	}
}
END_TEST

START_TEST(test_names_and_identities)
{
	struct log	 l;
	struct sim	*s = new_sim(300, 11);
	size_t		 k;
	int		 non_ascii = 0, centers = 0;

	log_init(&l);
	sim_advance(s, T0, collect, &l);
	ck_assert_uint_eq(l.n, 300);
	for (k = 0; k < l.n; k++) {
		ck_assert(proto_utf8_valid(l.r[k].name, strlen(l.r[k].name)));
		ck_assert_str_ne(l.r[k].name, "");
		non_ascii += strcmp(l.r[k].name, "") != 0 &&
		    strspn(l.r[k].name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ '") != strlen(l.r[k].name);
		centers += strstr(l.line[k], "|test_center|") != NULL;
		ck_assert(strncmp(l.r[k].device, "dev-", 4) == 0);
	}
	ck_assert_int_gt(non_ascii, 10);
	ck_assert_int_gt(centers, 10);
	ck_assert_int_lt(centers, 150);
	ck_assert_ptr_nonnull(strstr(l.line[0], "|EXAM-1|"));
	ck_assert_ptr_nonnull(strstr(l.line[0], "A0001|C0001|"));
	sim_free(s);
	log_free(&l);
}
END_TEST

/*
 * Events per minute of each profile over the first 30 minutes in progress,
 * follow-ups included.  Printed, for the record, and held to a plausible
 * range.
 */
START_TEST(test_event_rates)
{
	static const double lo[SIM_PROFILE_COUNT] = {
		[SIM_HONEST] = 0.8, [SIM_DISTRACTED] = 3, [SIM_PHONE] = 2,
		[SIM_PROXY] = 1, [SIM_COLLUDING] = 1,
		[SIM_PREKNOWLEDGE] = 0.8, [SIM_FLAKY_NETWORK] = 1,
		[SIM_RAPID_GUESSER] = 0.8
	};
	static const double hi[SIM_PROFILE_COUNT] = {
		[SIM_HONEST] = 2.5, [SIM_DISTRACTED] = 8, [SIM_PHONE] = 6,
		[SIM_PROXY] = 3.5, [SIM_COLLUDING] = 4,
		[SIM_PREKNOWLEDGE] = 2.5, [SIM_FLAKY_NETWORK] = 3.5,
		[SIM_RAPID_GUESSER] = 2.5
	};
	struct log	 l;
	struct sim	*s;
	int		 n = 1000, p, i;
	int64_t		*start;
	double		 events[SIM_PROFILE_COUNT] = { 0 }, rate;
	int		 members[SIM_PROFILE_COUNT] = { 0 };
	size_t		 k;
	const struct rec *r;

	log_init(&l);
	l.keep_lines = 0;
	s = new_sim(n, 2026);
	sim_advance(s, T0 + 40 * MIN, collect, &l);
	start = calloc((size_t)n, sizeof *start);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type == PROTO_STATE &&
		    r->state == PROTO_STATE_IN_PROGRESS)
			start[r->idx] = r->ts;
		else if (r->type == PROTO_EVENT &&
		    r->ts < start[r->idx] + 30 * MIN)
			events[sim_profile_of(s, r->idx)]++;
	}
	for (i = 0; i < n; i++)
		members[sim_profile_of(s, i)]++;
	for (p = 0; p < SIM_PROFILE_COUNT; p++) {
		ck_assert_int_gt(members[p], 0);
		rate = events[p] / members[p] / 30;
		fprintf(stderr, "check_feed: %-14s %4d attempts, %.2f events/min\n",
		    sim_profile_name((enum sim_profile)p), members[p], rate);
		ck_assert_msg(rate >= lo[p] && rate <= hi[p],
		    "%s: %.2f events/min", sim_profile_name((enum sim_profile)p),
		    rate);
	}
	ck_assert(events[SIM_HONEST] / members[SIM_HONEST] <
	    events[SIM_DISTRACTED] / members[SIM_DISTRACTED] / 2);
	free(start);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_phone_and_distracted_events)
{
	struct log	 l;
	struct sim	*s;
	size_t		 k;
	int		 phones = 0, gaze = 0, idle = 0, voice = 0;
	const struct rec *r;
	json_t		*o;

	log_init(&l);
	s = run_all(200, 3, &l);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type != PROTO_EVENT)
			continue;
		switch (sim_profile_of(s, r->idx)) {
		case SIM_PHONE:
			if (r->kind == PROTO_EV_OBJECT_DETECTED) {
				o = json_object_get(r->data, "object");
				ck_assert_str_eq(json_string_value(o), "phone");
				o = json_object_get(r->data, "confidence");
				ck_assert(json_real_value(o) >= 0.8 &&
				    json_real_value(o) < 1);
				phones++;
			}
			gaze += r->kind == PROTO_EV_GAZE_AWAY;
			break;
		case SIM_DISTRACTED:
			idle += r->kind == PROTO_EV_IDLE;
			voice += r->kind == PROTO_EV_VOICE_DETECTED;
			break;
		case SIM_HONEST:
			/* never anything an honest candidate would not do */
			ck_assert(r->kind == PROTO_EV_FOCUS_LOST ||
			    r->kind == PROTO_EV_FOCUS_RETURNED ||
			    r->kind == PROTO_EV_GAZE_AWAY ||
			    r->kind == PROTO_EV_VOICE_DETECTED ||
			    r->kind == PROTO_EV_RAISE_HAND ||
			    r->kind == PROTO_EV_FULLSCREEN_EXIT);
			break;
		default:
			break;
		}
		if (r->kind == PROTO_EV_GAZE_AWAY ||
		    r->kind == PROTO_EV_VOICE_DETECTED ||
		    r->kind == PROTO_EV_IDLE ||
		    r->kind == PROTO_EV_FACE_RETURNED ||
		    r->kind == PROTO_EV_FOCUS_RETURNED)
			ck_assert_int_gt(data_int(r, "seconds"), 0);
	}
	ck_assert_int_gt(phones, 20);
	ck_assert_int_gt(gaze, 20);
	ck_assert_int_gt(idle, 5);
	ck_assert_int_gt(voice, 5);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_proxy_shares_device)
{
	struct log	 l;
	struct sim	*s = new_sim(200, 17);
	int		 n = 0, shared, owner_proxy;
	size_t		 i, j;

	log_init(&l);
	sim_advance(s, T0, collect, &l);
	ck_assert_uint_eq(l.n, 200);
	for (i = 0; i < l.n; i++) {
		if (sim_profile_of(s, l.r[i].idx) != SIM_PROXY)
			continue;
		n++;
		shared = 0;
		owner_proxy = 1;
		for (j = 0; j < l.n; j++) {
			if (j != i && strcmp(l.r[i].device, l.r[j].device) == 0) {
				shared++;
				if (sim_profile_of(s, l.r[j].idx) != SIM_PROXY)
					owner_proxy = 0;
			}
		}
		ck_assert_msg(shared > 0, "proxy A%04d has a device of its own",
		    l.r[i].idx + 1);
		ck_assert(!owner_proxy);
	}
	ck_assert_int_eq(n, 12);
	sim_free(s);
	log_free(&l);

	/* And a proxy sometimes fails the identity check. */
	log_init(&l);
	s = run_all(200, 17, &l);
	for (i = n = 0; i < l.n; i++) {
		if (l.r[i].type == PROTO_EVENT &&
		    (l.r[i].kind == PROTO_EV_IDENTITY_MISMATCH ||
		    l.r[i].kind == PROTO_EV_FACES_MULTIPLE)) {
			ck_assert_int_eq(sim_profile_of(s, l.r[i].idx),
			    SIM_PROXY);
			n++;
		}
	}
	ck_assert_int_gt(n, 5);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* The /24 of a dotted quad, as text. */
static void
net24(const char *ip, char *out, size_t size)
{
	const char	*dot = strrchr(ip, '.');

	ck_assert_ptr_nonnull(dot);
	snprintf(out, size, "%.*s", (int)(dot - ip), ip);
}

/*
 * Identical wrong final answers of attempts i and j (60 items); *wrong
 * gains the items i got wrong.
 */
static int
identical_wrong(char (*resp)[61], char (*right)[61], int i, int j,
    int *wrong)
{
	int	k, n = 0;

	for (k = 1; k <= 60; k++) {
		*wrong += !right[i][k];
		n += !right[i][k] && !right[j][k] && resp[i][k] == resp[j][k];
	}
	return n;
}

/*
 * A colluding pair shares a /24; the copier (the later attempt) gives a
 * share of its source's answers, wrong ones included, seconds after the
 * source: far more identical wrong answers than honest pairs share, and
 * many answers close in time.
 */
START_TEST(test_colluding_pairs)
{
	struct log	 l;
	struct sim	*s;
	int		 n = 1000, i, j, partner, close, count, pairs = 0;
	int		 honest = 0, iw_pairs = 0, iw_honest = 0, k, closes = 0;
	int		 w_pairs = 0, w_honest = 0;
	char		 a24[64], b24[64];
	char		(*resp)[61], (*right)[61];
	int64_t		(*ts)[61], d;
	const struct rec *r;
	size_t		 m;
	const char	*ip[1000];

	log_init(&l);
	l.keep_lines = 0;
	s = run_all(n, 23, &l);
	resp = calloc((size_t)n, sizeof *resp);
	right = calloc((size_t)n, sizeof *right);
	ts = calloc((size_t)n, sizeof *ts);
	for (m = 0; m < l.n; m++) {
		r = &l.r[m];
		if (r->type == PROTO_ATTEMPT)
			ip[r->idx] = r->ip;
		else if (r->type == PROTO_ANSWER) {
			/* the last message of an item is the final answer */
			resp[r->idx][r->item] = r->response;
			right[r->idx][r->item] = (char)r->correct;
			ts[r->idx][r->item] = r->ts;
		}
	}
	for (i = count = 0; i < n; i++) {
		if (sim_profile_of(s, i) != SIM_COLLUDING)
			continue;
		count++;
		/* its partner: the other colluder on the same /24 */
		net24(ip[i], a24, sizeof a24);
		for (j = 0, partner = -1; j < n; j++) {
			net24(ip[j], b24, sizeof b24);
			if (j != i && strcmp(a24, b24) == 0) {
				ck_assert_msg(partner < 0, "A%04d shares "
				    "%s.0/24 with more than one", i + 1, a24);
				partner = j;
			}
		}
		ck_assert_msg(partner >= 0, "colluder A%04d (%s) alone on its "
		    "network", i + 1, ip[i]);
		ck_assert_int_eq(sim_profile_of(s, partner), SIM_COLLUDING);
		ck_assert_int_eq(sim_link_of(s, i), partner);
		if (partner < i)
			continue;
		/* i the source, partner the copier */
		pairs++;
		iw_pairs += identical_wrong(resp, right, i, partner, &w_pairs);
		for (k = 1, close = 0; k <= 60; k++) {
			d = ts[partner][k] - ts[i][k];
			close += resp[i][k] == resp[partner][k] &&
			    d >= 1500 && d <= 5 * SEC;
		}
		ck_assert_msg(close >= 1, "pair A%04d/A%04d: no answer the "
		    "same 1.5-5 s after the source", i + 1, partner + 1);
		closes += close;
	}
	fprintf(stderr, "check_feed: copiers: %.1f answers each the same as "
	    "the source's 1.5-5 s after it\n", (double)closes / pairs);
	ck_assert_int_ge(closes, 5 * pairs);
	ck_assert_int_eq(count, 60);

	/* Honest strangers, side by side in index order. */
	for (i = 0; i < n; i++) {
		if (sim_profile_of(s, i) != SIM_HONEST)
			continue;
		for (j = i + 1; j < n; j++) {
			if (sim_profile_of(s, j) == SIM_HONEST)
				break;
		}
		if (j == n)
			break;
		honest++;
		iw_honest += identical_wrong(resp, right, i, j, &w_honest);
		i = j;
	}
	/*
	 * Ability makes the counts vary (able pairs have few wrong answers
	 * to share): compare the share of the first's wrong answers that
	 * the second gives too.  Honest: P(wrong) times the chance of the
	 * same distractor; a copier: its copy share on top.
	 */
	fprintf(stderr, "check_feed: identical wrong answers: %.2f per "
	    "colluding pair (%d pairs), %.2f of the source's wrong ones; "
	    "%.2f per honest pair (%d pairs), %.2f of the first's\n",
	    (double)iw_pairs / pairs, pairs, (double)iw_pairs / w_pairs,
	    (double)iw_honest / honest, honest, (double)iw_honest / w_honest);
	ck_assert_int_gt(honest, 200);
	ck_assert((double)iw_pairs / w_pairs >
	    1.3 * iw_honest / w_honest);
	free(resp);
	free(right);
	free(ts);
	sim_free(s);
	log_free(&l);
}
END_TEST

/*
 * Leaked items: a pre-knowledge candidate answers them right about nine
 * times in ten, in about half the time it takes on the others.
 */
START_TEST(test_preknowledge_fast_correct)
{
	struct log	 l;
	struct sim	*s;
	int		 n = 400, count = 0, p, leak;
	int		 right[2][2] = { { 0 } }, total[2][2] = { { 0 } };
	double		 lt[2][2] = { { 0 } };
	size_t		 k;
	const struct rec *r;

	log_init(&l);
	l.keep_lines = 0;
	s = run_all(n, 31, &l);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type != PROTO_ANSWER || r->changed)
			continue;
		p = sim_profile_of(s, r->idx) == SIM_PREKNOWLEDGE;
		if (!p && sim_profile_of(s, r->idx) != SIM_HONEST)
			continue;
		leak = sim_item_leaked(s, r->item - 1);
		total[p][leak]++;
		right[p][leak] += r->correct;
		lt[p][leak] += log((double)r->elapsed);
	}
	for (k = 0; k < (size_t)n; k++)
		count += sim_profile_of(s, (int)k) == SIM_PREKNOWLEDGE;
	ck_assert_int_eq(count, 24);
	fprintf(stderr, "check_feed: leaked items: preknowledge %.2f right, "
	    "geometric mean %.1f s; its other items %.2f, %.1f s; honest on "
	    "leaked %.2f, %.1f s\n",
	    (double)right[1][1] / total[1][1], exp(lt[1][1] / total[1][1]) / 1000,
	    (double)right[1][0] / total[1][0], exp(lt[1][0] / total[1][0]) / 1000,
	    (double)right[0][1] / total[0][1], exp(lt[0][1] / total[0][1]) / 1000);
	ck_assert_int_eq(total[1][1], 24 * 10);
	ck_assert((double)right[1][1] / total[1][1] > 0.82);
	ck_assert((double)right[0][1] / total[0][1] < 0.7);
	/* 40-60 % of the time: exp(mean log) ratio about 0.5 */
	ck_assert(exp(lt[1][1] / total[1][1] - lt[1][0] / total[1][0]) < 0.65);
	ck_assert(exp(lt[1][1] / total[1][1] - lt[0][1] / total[0][1]) < 0.65);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_flaky_network_silence)
{
	struct log	 l;
	struct sim	*s;
	int		 n = 200, lost = 0, ipchanges = 0;
	size_t		 k, j;
	const struct rec *r;

	log_init(&l);
	s = run_all(n, 47, &l);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type != PROTO_EVENT)
			continue;
		if (r->kind == PROTO_EV_IP_CHANGE) {
			ipchanges++;
			ck_assert(json_is_string(json_object_get(r->data,
			    "from")));
			ck_assert(json_is_string(json_object_get(r->data,
			    "to")));
		}
		if (r->kind != PROTO_EV_NETWORK_LOST)
			continue;
		ck_assert_int_eq(sim_profile_of(s, r->idx), SIM_FLAKY_NETWORK);
		lost++;
		/* the attempt's next message is the restoration */
		for (j = k + 1; j < l.n && l.r[j].idx != r->idx; j++)
			;
		ck_assert_uint_lt(j, l.n);
		ck_assert_int_eq(l.r[j].type, PROTO_EVENT);
		ck_assert_int_eq(l.r[j].kind, PROTO_EV_NETWORK_RESTORED);
		ck_assert_int_eq(data_int(&l.r[j], "offline_ms"),
		    l.r[j].ts - r->ts);
		ck_assert_int_ge(l.r[j].ts - r->ts, 5 * SEC);
	}
	ck_assert_int_gt(lost, 14 * 5);
	ck_assert_int_gt(ipchanges, 3);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* ---- commands */

/* Messages of attempt idx in l from position from on. */
static int
count_for(const struct log *l, size_t from, int idx)
{
	int	n = 0;

	for (; from < l->n; from++)
		n += l->r[from].idx == idx;
	return n;
}

START_TEST(test_pause_resume)
{
	struct log	 l;
	struct sim	*s = new_sim(100, 8);
	int		 d = find_profile(s, SIM_DISTRACTED, 0);
	char		 id[16], want[128];
	size_t		 mark, k;
	int64_t		 t_resume = T0 + 25 * MIN;

	log_init(&l);
	snprintf(id, sizeof id, "A%04d", d + 1);
	sim_advance(s, T0 + 10 * MIN, collect, &l);
	mark = l.n;
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_PAUSE, T0 + 10 * MIN, &l), 0);
	ck_assert_uint_eq(l.n, mark + 1);
	ck_assert_int_eq(l.r[mark].state, PROTO_STATE_PAUSED);
	ck_assert_int_eq(l.r[mark].ts, T0 + 10 * MIN);

	/* quiet while paused */
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_PAUSE, T0 + 11 * MIN, &l), -1);
	snprintf(want, sizeof want, "attempt %s cannot be paused: it is "
	    "paused, not in_progress", id);
	ck_assert_str_eq(err, want);
	sim_advance(s, t_resume, collect, &l);
	ck_assert_int_eq(count_for(&l, mark + 1, d), 0);
	ck_assert_uint_gt(l.n, mark + 100);	/* the others went on */

	/* a command given late happens at the latest time reached */
	mark = l.n;
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_RESUME, T0, &l), 0);
	ck_assert_uint_eq(l.n, mark + 1);
	ck_assert_int_eq(l.r[mark].state, PROTO_STATE_IN_PROGRESS);
	ck_assert_int_eq(l.r[mark].ts, t_resume);

	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_RESUME, t_resume, &l), -1);
	snprintf(want, sizeof want, "attempt %s cannot be resumed: it is "
	    "in_progress, not paused or locked", id);
	ck_assert_str_eq(err, want);

	/* it goes on where it left off, the pause not counted */
	sim_advance(s, t_resume + 5 * MIN, collect, &l);
	ck_assert_int_gt(count_for(&l, mark + 1, d), 3);
	for (k = mark + 1; k < l.n; k++) {
		if (l.r[k].idx == d && l.r[k].type == PROTO_ANSWER)
			ck_assert_int_le(l.r[k].elapsed, 90 * SEC);
	}
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	ck_assert_int_eq(l.r[l.n - 1].ts > t_resume + 40 * MIN, 1);
	ck_assert_int_eq(sim_next_due(s), INT64_MAX);
	assert_time_order(&l);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_terminate)
{
	struct log	 l;
	struct sim	*s = new_sim(20, 8);
	size_t		 mark;
	int		 k;

	log_init(&l);
	sim_advance(s, T0 + 5 * MIN, collect, &l);
	mark = l.n;
	ck_assert_int_eq(cmd(s, "A0003", PROTO_ACTION_TERMINATE, T0 + 5 * MIN,
	    &l), 0);
	ck_assert_uint_eq(l.n, mark + 1);
	ck_assert_int_eq(l.r[mark].type, PROTO_STATE);
	ck_assert_int_eq(l.r[mark].state, PROTO_STATE_TERMINATED);
	ck_assert_int_eq(l.r[mark].idx, 2);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	ck_assert_int_eq(count_for(&l, mark + 1, 2), 0);

	for (k = 0; k < PROTO_ACTION_COUNT; k++) {
		ck_assert_int_eq(cmd(s, "A0003", (enum proto_action)k,
		    T0 + 7 * 60 * MIN, &l), -1);
		ck_assert_str_eq(err, "attempt A0003 is already terminated");
		ck_assert_int_eq(cmd(s, "A0004", (enum proto_action)k,
		    T0 + 7 * 60 * MIN, &l), -1);
		ck_assert_str_eq(err, "attempt A0004 is already submitted");
	}
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_command_errors)
{
	struct log	 l;
	struct sim	*s = new_sim(100, 8);
	static const char *const bad[] = {
		"A9999", "A0101", "A0000", "A001", "A00001", "a0001", "", "A",
		"A-001", "X0001"
	};
	char		 want[64];
	size_t		 i;

	log_init(&l);
	ck_assert_int_eq(cmd(s, "A9999", PROTO_ACTION_PAUSE, T0, &l), -1);
	ck_assert_str_eq(err, "no attempt \"A9999\" in this session");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(cmd(s, bad[i], PROTO_ACTION_WARN, T0, &l), -1);
		snprintf(want, sizeof want, "no attempt \"%s\" in this session",
		    bad[i]);
		ck_assert_str_eq(err, want);
	}
	ck_assert_uint_eq(l.n, 0);
	/* the attempt exists (the command brought the session to its
	 * start) but is only scheduled */
	ck_assert_int_eq(cmd(s, "A0100", PROTO_ACTION_PAUSE, T0 - MIN, &l), -1);
	ck_assert_uint_eq(l.n, 100);
	ck_assert_str_eq(err, "attempt A0100 cannot be paused: it is "
	    "scheduled, not in_progress");
	ck_assert_int_eq(cmd(s, "A0100", PROTO_ACTION_RESUME, T0, &l), -1);
	ck_assert_str_eq(err, "attempt A0100 cannot be resumed: it is "
	    "scheduled, not paused or locked");
	/* warnings are taken in any live state and change nothing visible */
	ck_assert_int_eq(cmd(s, "A0100", PROTO_ACTION_WARN, T0, &l), 0);
	ck_assert_int_eq(cmd(s, "A0100", PROTO_ACTION_MESSAGE, T0, &l), 0);
	ck_assert_uint_eq(l.n, 100);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* A warned distracted or phone candidate settles down for a while. */
START_TEST(test_warn_calms)
{
	struct log	 a, b;
	struct sim	*sa = new_sim(600, 61), *sb = new_sim(600, 61);
	int		 i, ea = 0, eb = 0;
	char		 id[16];
	size_t		 k, ma, mb;
	int64_t		 t = T0 + 15 * MIN;
	enum sim_profile p;

	log_init(&a);
	log_init(&b);
	sim_advance(sa, t, collect, &a);
	sim_advance(sb, t, collect, &b);
	ma = a.n;
	mb = b.n;
	for (i = 0; i < 600; i++) {
		p = sim_profile_of(sa, i);
		if (p != SIM_DISTRACTED && p != SIM_PHONE)
			continue;
		snprintf(id, sizeof id, "A%04d", i + 1);
		ck_assert_int_eq(cmd(sa, id, PROTO_ACTION_WARN, t, &a), 0);
	}
	ck_assert_uint_eq(a.n, ma);
	sim_advance(sa, t + 3 * MIN, collect, &a);
	sim_advance(sb, t + 3 * MIN, collect, &b);
	for (k = ma; k < a.n; k++) {
		p = sim_profile_of(sa, a.r[k].idx);
		ea += a.r[k].type == PROTO_EVENT &&
		    (p == SIM_DISTRACTED || p == SIM_PHONE);
	}
	for (k = mb; k < b.n; k++) {
		p = sim_profile_of(sb, b.r[k].idx);
		eb += b.r[k].type == PROTO_EVENT &&
		    (p == SIM_DISTRACTED || p == SIM_PHONE);
	}
	ck_assert_msg(ea * 2 < eb, "warned: %d events, unwarned: %d", ea, eb);
	sim_free(sa);
	sim_free(sb);
	log_free(&a);
	log_free(&b);
}
END_TEST

static void
count_only(const struct proto_msg *m, void *arg)
{
	(void)m;
	(*(size_t *)arg)++;
}

/* Scale: 10,000 candidates for an hour.  Timed for the record, not judged. */
START_TEST(test_scale)
{
	struct sim	*s;
	struct timespec	 a, b;
	size_t		 n = 0;
	struct sim_config c = { 10000, 1, 0, NULL, 0, 1 };

	clock_gettime(CLOCK_MONOTONIC, &a);
	s = sim_new(&c, T0);
	sim_advance(s, T0 + 60 * MIN, count_only, &n);
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "check_feed: 10000 candidates, 1 hour: %zu messages "
	    "in %.3f s\n", n, (double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	ck_assert_uint_gt(n, 10000 * 60);
	sim_free(s);
}
END_TEST

/* ---- ground truth (--truth) */

static struct sim *
new_sim_truth(int n, uint64_t seed)
{
	struct sim_config	c;

	memset(&c, 0, sizeof c);
	c.candidates = n;
	c.seed = seed;
	c.truth = 1;
	return sim_new(&c, T0);
}

static const char *jstr(json_t *, const char *);

/*
 * The truth of s, read back: [session, attempt 1, attempt 2, ...]; the
 * item lines, which come between the session and the attempts, go in
 * *items if items is not NULL.
 */
static json_t *
truth_read_items(struct sim *s, json_t **items)
{
	FILE		*fp = tmpfile();
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	json_t		*all = json_array(), *its = json_array(), *o;
	json_error_t	 je;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sim_truth_write(s, fp), 0);
	rewind(fp);
	while ((len = getline(&line, &cap, fp)) > 0) {
		ck_assert_msg(line[len - 1] == '\n', "truth line unterminated");
		o = json_loadb(line, (size_t)len, 0, &je);
		ck_assert_msg(o != NULL && json_is_object(o), "truth line is "
		    "not a JSON object: %s (%s)", line, je.text);
		if (strcmp(jstr(o, "t"), "item") == 0) {
			ck_assert_uint_eq(json_array_size(all), 1);
			json_array_append_new(its, o);
		} else
			json_array_append_new(all, o);
	}
	free(line);
	fclose(fp);
	if (items != NULL)
		*items = its;
	else
		json_decref(its);
	ck_assert_uint_ge(json_array_size(all), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(all, 0), "t")), "session");
	return all;
}

static json_t *
truth_read(struct sim *s)
{
	return truth_read_items(s, NULL);
}

/* A time field: ms, or INT64_MIN for null. */
static int64_t
jtime(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);
	int64_t	 ms;

	if (json_is_null(v))
		return INT64_MIN;
	ck_assert_msg(json_is_string(v), "no time \"%s\"", key);
	ck_assert_int_eq(proto_time_parse(json_string_value(v), &ms), 0);
	return ms;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "no string \"%s\"", key);
	return json_string_value(v);
}

/* The first entry of list with this signal, or NULL. */
static json_t *
truth_find(json_t *att, const char *list, const char *signal)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(att, list), i, e) {
		if (strcmp(jstr(e, "signal"), signal) == 0)
			return e;
	}
	return NULL;
}

/* Is t within an episode of signal in list?  Sums its events into *events. */
static int
truth_brackets(json_t *att, const char *list, const char *signal, int64_t t)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(att, list), i, e) {
		if (strcmp(jstr(e, "signal"), signal) == 0 &&
		    jtime(e, "from") <= t && t <= jtime(e, "to"))
			return 1;
	}
	return 0;
}

static json_int_t
truth_events(json_t *att, const char *list, const char *signal)
{
	json_t		*e;
	size_t		 i;
	json_int_t	 n = 0;

	json_array_foreach(json_object_get(att, list), i, e) {
		if (strcmp(jstr(e, "signal"), signal) == 0)
			n += json_integer_value(json_object_get(e, "events"));
	}
	return n;
}

START_TEST(test_truth_lists_attempts)
{
	struct log	 l, m;
	struct sim	*s = new_sim_truth(200, 5), *plain;
	json_t		*all, *ses, *a;
	int		 i, counts[SIM_PROFILE_COUNT], merged = 0;
	enum sim_profile p;
	char		 id[16];
	size_t		 k;

	log_init(&l);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	ck_assert_int_eq(sim_next_due(s), INT64_MAX);

	/* Recording the truth does not change the stream. */
	log_init(&m);
	plain = run_all(200, 5, &m);
	ck_assert_uint_eq(l.n, m.n);
	for (k = 0; k < l.n; k++)
		ck_assert_str_eq(l.line[k], m.line[k]);

	all = truth_read(s);
	ck_assert_uint_eq(json_array_size(all), 201);
	ses = json_array_get(all, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(ses,
	    "candidates")), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(ses, "seed")), 5);
	ck_assert(json_is_true(json_object_get(ses, "ended")));
	ck_assert(json_is_true(json_object_get(ses, "episodes")));
	ck_assert_int_eq(jtime(ses, "start"), T0);
	memset(counts, 0, sizeof counts);
	for (i = 0; i < 200; i++) {
		a = json_array_get(all, (size_t)i + 1);
		p = sim_profile_of(s, i);
		counts[p]++;
		snprintf(id, sizeof id, "A%04d", i + 1);
		ck_assert_str_eq(jstr(a, "t"), "attempt");
		ck_assert_str_eq(jstr(a, "attempt"), id);
		id[0] = 'C';
		ck_assert_str_eq(jstr(a, "candidate"), id);
		ck_assert_str_eq(jstr(a, "profile"), sim_profile_name(p));
		ck_assert_str_eq(jstr(a, "state"), "submitted");
		ck_assert(jtime(a, "started") > T0);
		ck_assert(jtime(a, "ended") > jtime(a, "started"));
		/* only the restless, or the busy on a long sitting, need
		 * merging to stay under the cap */
		if (p != SIM_DISTRACTED &&
		    jtime(a, "ended") - jtime(a, "started") < 80 * MIN)
			ck_assert_msg(json_object_get(a, "merged") == NULL,
			    "%s (%s) merged, %" PRId64 " min", id,
			    sim_profile_name(p), (jtime(a, "ended") -
			    jtime(a, "started")) / MIN);
		merged += json_is_true(json_object_get(a, "merged"));
		ck_assert_uint_le(json_array_size(json_object_get(a,
		    "behaviour")), SIM_TRUTH_EPISODES);
		ck_assert_uint_eq(json_array_size(json_object_get(a, "links")),
		    sim_link_of(s, i) >= 0);
		ck_assert_int_eq(json_is_true(json_object_get(a, "cheating")),
		    p == SIM_PHONE || p == SIM_PROXY || p == SIM_COLLUDING ||
		    p == SIM_PREKNOWLEDGE);
		if (json_is_true(json_object_get(a, "cheating")))
			ck_assert_uint_gt(json_array_size(json_object_get(a,
			    "misconduct")), 0);
		else
			ck_assert_msg(json_array_size(json_object_get(a,
			    "misconduct")) == 0, "%s (%s) has misconduct",
			    jstr(a, "attempt"), sim_profile_name(p));
		/* Honest: nothing at all; behaviour is the distracted's. */
		ck_assert_int_eq(json_array_size(json_object_get(a,
		    "behaviour")) > 0, p == SIM_DISTRACTED);
		ck_assert_int_eq(json_array_size(json_object_get(a,
		    "outages")) > 0, p == SIM_FLAKY_NETWORK);
	}
	fprintf(stderr, "check_feed: truth: %d of %d distracted merged "
	    "episodes\n", merged, counts[SIM_DISTRACTED]);
	for (i = 0; i < SIM_PROFILE_COUNT; i++) {
		ck_assert_int_gt(counts[i], 0);
		ck_assert_int_eq(json_integer_value(json_object_get(
		    json_object_get(ses, "profiles"),
		    sim_profile_name((enum sim_profile)i))), counts[i]);
	}
	json_decref(all);
	sim_free(s);
	sim_free(plain);
	log_free(&l);
	log_free(&m);
}
END_TEST

START_TEST(test_truth_phone_episodes)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(200, 3);
	json_t		*all, *a;
	const struct rec *r;
	size_t		 k;
	int		 i, phones = 0, *seen, *down;

	log_init(&l);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	all = truth_read(s);
	seen = calloc(200, sizeof *seen);
	down = calloc(200, sizeof *down);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type != PROTO_EVENT || sim_profile_of(s, r->idx) !=
		    SIM_PHONE)
			continue;
		a = json_array_get(all, (size_t)r->idx + 1);
		if (r->kind == PROTO_EV_OBJECT_DETECTED) {
			ck_assert_msg(truth_brackets(a, "misconduct",
			    "phone_seen", r->ts), "phone of A%04d at %" PRId64
			    " outside its episodes", r->idx + 1, r->ts - T0);
			seen[r->idx]++;
			phones++;
		} else if (r->kind == PROTO_EV_GAZE_AWAY) {
			ck_assert(truth_brackets(a, "misconduct",
			    "looks_down", r->ts));
			down[r->idx]++;
		}
	}
	for (i = 0; i < 200; i++) {
		a = json_array_get(all, (size_t)i + 1);
		ck_assert_int_eq(truth_events(a, "misconduct", "phone_seen"),
		    seen[i]);
		ck_assert_int_eq(truth_events(a, "misconduct", "looks_down"),
		    down[i]);
		if (sim_profile_of(s, i) == SIM_PHONE)
			ck_assert_int_gt(seen[i], 0);
	}
	ck_assert_int_gt(phones, 20);
	free(seen);
	free(down);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_truth_links)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(300, 23);
	json_t		*all, *a, *e, *lent;
	const char	*device[300];
	char		 id[16];
	int		 i, link, proxies = 0, colluders = 0;
	size_t		 k;

	log_init(&l);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	all = truth_read(s);
	for (k = 0; k < l.n; k++) {
		if (l.r[k].type == PROTO_ATTEMPT)
			device[l.r[k].idx] = l.r[k].device;
	}
	for (i = 0; i < 300; i++) {
		a = json_array_get(all, (size_t)i + 1);
		link = sim_link_of(s, i);
		switch (sim_profile_of(s, i)) {
		case SIM_PROXY:
			/* links to the device owner, who lent it */
			proxies++;
			ck_assert_int_ge(link, 0);
			ck_assert_str_eq(device[i], device[link]);
			snprintf(id, sizeof id, "A%04d", link + 1);
			ck_assert_str_eq(json_string_value(json_array_get(
			    json_object_get(a, "links"), 0)), id);
			e = truth_find(a, "misconduct", "shared_device");
			ck_assert_ptr_nonnull(e);
			ck_assert_str_eq(jstr(e, "with"), id);
			ck_assert_str_eq(jstr(e, "device"), device[i]);
			lent = json_object_get(json_array_get(all,
			    (size_t)link + 1), "lent_device_to");
			snprintf(id, sizeof id, "A%04d", i + 1);
			json_array_foreach(lent, k, e) {
				if (strcmp(json_string_value(e), id) == 0)
					break;
			}
			ck_assert_uint_lt(k, json_array_size(lent));
			break;
		case SIM_COLLUDING:
			/* the pair link each other */
			colluders++;
			ck_assert_int_ge(link, 0);
			ck_assert_int_eq(sim_link_of(s, link), i);
			snprintf(id, sizeof id, "A%04d", link + 1);
			ck_assert_str_eq(json_string_value(json_array_get(
			    json_object_get(a, "links"), 0)), id);
			ck_assert_ptr_nonnull(truth_find(a, "misconduct",
			    "partner"));
			ck_assert_ptr_nonnull(truth_find(a, "misconduct",
			    "shared_network"));
			e = truth_find(a, "misconduct", "similar_answers");
			ck_assert_ptr_nonnull(e);
			ck_assert_str_eq(jstr(e, "with"), id);
			ck_assert_int_eq(json_integer_value(json_object_get(e,
			    "compared")), 60);
			/* a share of 20-40 % copied, more the same by
			 * chance; the copied ones within seconds */
			ck_assert_int_ge(json_integer_value(json_object_get(e,
			    "same")), 15);
			ck_assert_int_ge(json_integer_value(json_object_get(e,
			    "close")), 3);
			break;
		default:
			ck_assert_int_eq(link, -1);
			ck_assert_uint_eq(json_array_size(json_object_get(a,
			    "links")), 0);
			break;
		}
	}
	ck_assert_int_eq(proxies, 18);
	ck_assert_int_eq(colluders, 18);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

START_TEST(test_truth_preknowledge)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(200, 31);
	json_t		*all, *a, *e, *leaked, *ans;
	const struct rec *r;
	char		 item[16];
	int		 i, nleaked = 0, count = 0;
	size_t		 k, j;

	log_init(&l);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	all = truth_read(s);
	leaked = json_object_get(json_array_get(all, 0), "leaked");
	for (i = 0; i < 60; i++) {
		if (!sim_item_leaked(s, i))
			continue;
		snprintf(item, sizeof item, "Q%02d", i + 1);
		ck_assert_str_eq(json_string_value(json_array_get(leaked,
		    (size_t)nleaked)), item);
		nleaked++;
	}
	ck_assert_int_eq(nleaked, 10);
	ck_assert_uint_eq(json_array_size(leaked), 10);
	ck_assert_int_eq(sim_item_leaked(s, 60), 0);
	ck_assert_int_eq(sim_item_leaked(s, -1), 0);
	for (i = 0; i < 200; i++) {
		if (sim_profile_of(s, i) != SIM_PREKNOWLEDGE)
			continue;
		count++;
		a = json_array_get(all, (size_t)i + 1);
		e = truth_find(a, "misconduct", "leaked_items");
		ck_assert_ptr_nonnull(e);
		ck_assert(json_equal(json_object_get(e, "items"), leaked));
		e = truth_find(a, "misconduct", "fast_correct");
		ck_assert_ptr_nonnull(e);
		ck_assert_int_eq(json_integer_value(json_object_get(e,
		    "events")), 10);
		ans = json_object_get(e, "answers");
		ck_assert_uint_eq(json_array_size(ans), 10);
		/* each is the answer in the stream: same item, time, pace */
		json_array_foreach(ans, j, e) {
			for (k = 0; k < l.n; k++) {
				r = &l.r[k];
				snprintf(item, sizeof item, "Q%02d", r->item);
				if (r->type == PROTO_ANSWER && r->idx == i &&
				    strcmp(item, jstr(e, "item")) == 0)
					break;
			}
			ck_assert_uint_lt(k, l.n);
			ck_assert_int_eq(jtime(e, "at"), l.r[k].ts);
			ck_assert_int_eq(json_integer_value(json_object_get(e,
			    "elapsed_ms")), l.r[k].elapsed);
			ck_assert_int_eq(l.r[k].correct,
			    json_is_true(json_object_get(e, "correct")));
		}
	}
	ck_assert_int_eq(count, 12);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* Outages in the truth are the network_lost/restored pairs, one to one. */
static void
check_outages(struct sim *s, const struct log *l, json_t *all, int n,
    int *total)
{
	json_t		*a, *o;
	const struct rec *r;
	size_t		 k, *next;
	int		 i;

	next = calloc((size_t)n, sizeof *next);
	for (k = 0; k < l->n; k++) {
		r = &l->r[k];
		if (r->type != PROTO_EVENT)
			continue;
		a = json_array_get(all, (size_t)r->idx + 1);
		if (r->kind == PROTO_EV_NETWORK_LOST) {
			o = json_array_get(json_object_get(a, "outages"),
			    next[r->idx]++);
			ck_assert_ptr_nonnull(o);
			ck_assert_int_eq(jtime(o, "from"), r->ts);
			(*total)++;
		} else if (r->kind == PROTO_EV_NETWORK_RESTORED) {
			o = json_array_get(json_object_get(a, "outages"),
			    next[r->idx] - 1);
			ck_assert_ptr_nonnull(o);
			ck_assert_int_eq(jtime(o, "from") + data_int(r,
			    "offline_ms"), r->ts);
		} else if (r->kind == PROTO_EV_IP_CHANGE) {
			o = json_array_get(json_object_get(a, "outages"),
			    next[r->idx] - 1);
			ck_assert(json_is_true(json_object_get(o, "ip_change")));
		}
	}
	for (i = 0; i < n; i++) {
		a = json_array_get(all, (size_t)i + 1);
		ck_assert_uint_eq(json_array_size(json_object_get(a,
		    "outages")), next[i]);
		if (next[i] > 0)
			ck_assert_int_eq(sim_profile_of(s, i),
			    SIM_FLAKY_NETWORK);
	}
	free(next);
}

START_TEST(test_truth_outages)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(200, 47);
	json_t		*all, *a, *o;
	int		 i, total = 0, open = 0;
	size_t		 k;

	/*
	 * Mid-session, an outage may still be open (to null); the log up to
	 * now has its network_lost and no restoration yet.
	 */
	log_init(&l);
	sim_advance(s, T0 + 25 * MIN, collect, &l);
	all = truth_read(s);
	ck_assert(json_is_false(json_object_get(json_array_get(all, 0),
	    "ended")));
	ck_assert_int_eq(jtime(json_array_get(all, 0), "as_of"), T0 + 25 * MIN);
	for (i = 0; i < 200; i++) {
		a = json_array_get(all, (size_t)i + 1);
		json_array_foreach(json_object_get(a, "outages"), k, o) {
			if (jtime(o, "to") == INT64_MIN) {
				open++;
				ck_assert_ptr_null(json_object_get(o,
				    "offline_ms"));
				continue;
			}
			ck_assert_int_eq(json_integer_value(json_object_get(o,
			    "offline_ms")), jtime(o, "to") - jtime(o, "from"));
		}
	}
	json_decref(all);

	/* At the end, every outage is closed and matches the stream. */
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	all = truth_read(s);
	check_outages(s, &l, all, 200, &total);
	ck_assert_int_gt(total, 14 * 5);
	for (i = 0; i < 200; i++) {
		a = json_array_get(all, (size_t)i + 1);
		json_array_foreach(json_object_get(a, "outages"), k, o)
			ck_assert(jtime(o, "to") > jtime(o, "from"));
	}
	fprintf(stderr, "check_feed: truth: %d outages, %d open at 25 min\n",
	    total, open);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* ---- the answer models (sim-answers.c) */

static double
jnum(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "no number \"%s\"", key);
	return json_number_value(v);
}

/*
 * Honest candidates answer as the 2PL says: over 1,500 candidates, the
 * share right in each tenth of the predicted P(correct) is within 0.03 of
 * the mean prediction; and ln t - (beta - tau), times alpha, is standard
 * normal (items answered without a change).
 */
START_TEST(test_answers_follow_models)
{
	struct log	 l;
	struct sim	*s;
	json_t		*all, *items, *it, *a;
	int		 n = 1500, bin, nz = 0;
	double		 ia[60], ib[60], ibeta[60], ialpha[60], theta, p, z;
	double		 pred[10] = { 0 }, obs[10] = { 0 }, cnt[10] = { 0 };
	double		 zs = 0, zz = 0;
	char		*twice;
	size_t		 k;
	const struct rec *r;

	s = new_sim_truth(n, 4242);
	log_init(&l);
	l.keep_lines = 0;
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	ck_assert_int_eq(sim_next_due(s), INT64_MAX);
	all = truth_read_items(s, &items);
	ck_assert_uint_eq(json_array_size(items), 60);
	json_array_foreach(items, k, it) {
		ck_assert_str_eq(jstr(it, "form"), "F1");
		ia[k] = jnum(it, "a");
		ib[k] = jnum(it, "b");
		ibeta[k] = jnum(it, "beta");
		ialpha[k] = jnum(it, "alpha");
		ck_assert(ia[k] > 0.3 && ia[k] < 3);
		ck_assert(ialpha[k] >= 1.5 && ialpha[k] <= 2.5);
	}
	twice = calloc((size_t)n * 61, 1);
	for (k = 0; k < l.n; k++) {
		if (l.r[k].type == PROTO_ANSWER && l.r[k].changed)
			twice[l.r[k].idx * 61 + l.r[k].item] = 1;
	}
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type != PROTO_ANSWER ||
		    sim_profile_of(s, r->idx) != SIM_HONEST)
			continue;
		a = json_array_get(all, (size_t)r->idx + 1);
		theta = jnum(a, "theta");
		/* the final answer: a change, or an item answered once */
		if (r->changed == 0 && twice[r->idx * 61 + r->item])
			continue;
		p = 1 / (1 + exp(-ia[r->item - 1] * (theta - ib[r->item - 1])));
		bin = p >= 1 ? 9 : (int)(p * 10);
		pred[bin] += p;
		obs[bin] += r->correct;
		cnt[bin]++;
		if (r->changed)
			continue;
		z = (log((double)r->elapsed / 1000) - (ibeta[r->item - 1] -
		    jnum(a, "tau"))) * ialpha[r->item - 1];
		zs += z;
		zz += z * z;
		nz++;
	}
	for (bin = 0; bin < 10; bin++) {
		fprintf(stderr, "check_feed: 2PL P in [%.1f, %.1f): %5.0f answers, "
		    "predicted %.3f, observed %.3f\n", bin / 10.0,
		    (bin + 1) / 10.0, cnt[bin],
		    pred[bin] / cnt[bin], obs[bin] / cnt[bin]);
		ck_assert(cnt[bin] > 500);
		ck_assert(fabs(pred[bin] / cnt[bin] - obs[bin] / cnt[bin]) <
		    0.03);
	}
	zs /= nz;
	zz = sqrt(zz / nz - zs * zs);
	fprintf(stderr, "check_feed: honest log times: standardised mean %.3f, "
	    "sd %.3f over %d answers\n", zs, zz, nz);
	ck_assert(fabs(zs) < 0.03);
	ck_assert(fabs(zz - 1) < 0.03);
	free(twice);
	json_decref(items);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

/*
 * The truth's new fields: every attempt's form, theta and tau; a proxy's
 * history 1.5 less able and 0.4 slower; a copier's source and copied
 * count; a rapid guesser's stretch; the answer changes as emitted.
 */
START_TEST(test_truth_answer_fields)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(300, 77);
	json_t		*all, *a, *ch, *e;
	int		 i, proxies = 0, copiers = 0, guessers = 0, nchg = 0;
	int		*changes, src, cchg = 0, to_source = 0;
	char		(*final)[61];
	const char	*prof;
	size_t		 k, j, q;
	const struct rec *r;

	log_init(&l);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, &l);
	all = truth_read(s);
	changes = calloc(300, sizeof *changes);
	final = calloc(300, sizeof *final);
	for (k = 0; k < l.n; k++) {
		if (l.r[k].type != PROTO_ANSWER)
			continue;
		changes[l.r[k].idx] += l.r[k].changed == 1;
		final[l.r[k].idx][l.r[k].item] = l.r[k].response;
	}
	for (i = 0; i < 300; i++) {
		a = json_array_get(all, (size_t)i + 1);
		prof = jstr(a, "profile");
		ck_assert_str_eq(jstr(a, "form"), "F1");
		ck_assert(fabs(jnum(a, "theta")) < 5);
		ck_assert(fabs(jnum(a, "tau")) < 2);
		if (strcmp(prof, "proxy") == 0) {
			proxies++;
			ck_assert(fabs(jnum(a, "theta") -
			    jnum(a, "history_theta") - 1.5) < 0.001);
			ck_assert(fabs(jnum(a, "tau") -
			    jnum(a, "history_tau") - 0.4) < 0.001);
		} else
			ck_assert_ptr_null(json_object_get(a, "history_theta"));
		if (json_object_get(a, "source") != NULL) {
			copiers++;
			ck_assert_str_eq(prof, "colluding");
			ck_assert_str_eq(jstr(a, "role"), "copier");
			ck_assert_str_eq(jstr(a, "source"), json_string_value(
			    json_array_get(json_object_get(a, "links"), 0)));
			ck_assert(jnum(a, "copy_share") >= 0.2 &&
			    jnum(a, "copy_share") <= 0.4);
			ck_assert_int_eq(jnum(a, "copied"),
			    jnum(a, "copy_planned"));
			ck_assert(jnum(a, "copied") >= 5 &&
			    jnum(a, "copied") <= 35);
		}
		if (strcmp(prof, "rapid_guesser") == 0) {
			guessers++;
			ck_assert(jnum(a, "rapid_items") >= 18 &&
			    jnum(a, "rapid_items") <= 30);
			ck_assert_int_eq(60 - atoi(jstr(a, "rapid_from") + 1) + 1,
			    jnum(a, "rapid_items"));
			ck_assert_uint_eq(json_array_size(json_object_get(a,
			    "misconduct")), 0);
		}
		/* the changes: as the stream has them, item by item */
		ch = json_object_get(a, "changes");
		ck_assert(json_is_array(ch));
		/* a copier changes its own answer to its source's */
		src = json_object_get(a, "source") != NULL ?
		    atoi(jstr(a, "source") + 1) - 1 : -1;
		json_array_foreach(ch, j, e) {
			if (src < 0)
				break;
			cchg++;
			to_source += jstr(e, "to")[0] ==
			    final[src][atoi(jstr(e, "item") + 1)];
		}
		ck_assert_int_eq((int)json_array_size(ch), changes[i]);
		nchg += changes[i];
		json_array_foreach(ch, j, e) {
			for (k = 0; k < l.n; k++) {
				r = &l.r[k];
				if (r->type == PROTO_ANSWER && r->idx == i &&
				    r->changed == 1 && r->ts == jtime(e, "at"))
					break;
			}
			ck_assert_uint_lt(k, l.n);
			ck_assert_int_eq(atoi(jstr(e, "item") + 1), r->item);
			ck_assert_int_eq(jstr(e, "to")[0], r->response);
			/* the attempt's message before: the first answer */
			for (q = k - 1; l.r[q].idx != i ||
			    l.r[q].type != PROTO_ANSWER; q--)
				;
			ck_assert_int_eq(l.r[q].item, r->item);
			ck_assert_int_eq(l.r[q].changed, 0);
			ck_assert_int_eq(jstr(e, "from")[0], l.r[q].response);
			ck_assert_int_ne(jstr(e, "from")[0], r->response);
		}
	}
	ck_assert_int_eq(proxies, 18);
	ck_assert_int_eq(copiers, 9);
	ck_assert_int_eq(guessers, 9);
	ck_assert_int_gt(nchg, 300);
	fprintf(stderr, "check_feed: copiers' answer changes: %d, %d of them "
	    "to the source's answer\n", cchg, to_source);
	/* without the copier's own-then-source changes: 3 of 10 (its own
	 * second thoughts, landing on the source's answer by chance) */
	ck_assert_int_ge(to_source, 10);
	ck_assert_int_gt(to_source * 2, cchg);
	free(final);
	free(changes);
	json_decref(all);
	sim_free(s);
	log_free(&l);
}
END_TEST

/* A run of n candidates on forms forms of items items; its truth text. */
static char *
run_forms(int n, int forms, int items, struct log *l)
{
	struct sim_config c;
	struct sim	*s;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*fp;

	memset(&c, 0, sizeof c);
	c.candidates = n;
	c.seed = 99;
	c.truth = 1;
	c.forms = forms;
	c.items = items;
	s = sim_new(&c, T0);
	sim_advance(s, T0 + 6 * 60 * MIN, collect, l);
	ck_assert_int_eq(sim_next_due(s), INT64_MAX);
	fp = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sim_truth_write(s, fp), 0);
	fclose(fp);
	sim_free(s);
	return buf;
}

/*
 * Several forms: dealt round-robin (a copier sits its source's), item ids
 * "F2-Q01", each form its own parameters; the same seed gives the same
 * bytes, stream and truth.
 */
START_TEST(test_forms)
{
	struct log	 l, m;
	char		*t1, *t2, *p, id[64];
	int		 i, *fm, nitems = 0;
	size_t		 k;
	const struct rec *r;

	log_init(&l);
	log_init(&m);
	t1 = run_forms(90, 3, 20, &l);
	t2 = run_forms(90, 3, 20, &m);
	ck_assert_str_eq(t1, t2);
	ck_assert_uint_eq(l.n, m.n);
	for (k = 0; k < l.n; k++)
		ck_assert_str_eq(l.line[k], m.line[k]);
	fm = calloc(90, sizeof *fm);
	for (k = 0; k < l.n; k++) {
		r = &l.r[k];
		if (r->type == PROTO_ATTEMPT) {
			/* "|EXAM-1|F2|": the form field of the canonical line */
			p = strstr(l.line[k], "|EXAM-1|F");
			ck_assert_ptr_nonnull(p);
			fm[r->idx] = atoi(p + 9);
			ck_assert(fm[r->idx] >= 1 && fm[r->idx] <= 3);
		} else if (r->type == PROTO_ANSWER) {
			ck_assert_int_eq(r->form, fm[r->idx]);
			ck_assert(r->item >= 1 && r->item <= 20);
			snprintf(id, sizeof id, "|F%d-Q%02d|", r->form, r->item);
			ck_assert_ptr_nonnull(strstr(l.line[k], id));
		}
	}
	/* round-robin but for copiers, who sit their source's form */
	for (i = 0, k = 0; i < 90; i++)
		k += fm[i] == i % 3 + 1;
	ck_assert_uint_ge(k, 84);
	/* 60 item lines, ids unique, parameters differing across forms */
	for (p = t1; (p = strstr(p, "{\"t\":\"item\"")) != NULL; p++)
		nitems++;
	ck_assert_int_eq(nitems, 60);
	for (i = 1; i <= 3; i++) {
		snprintf(id, sizeof id, "\"item\":\"F%d-Q20\"", i);
		ck_assert_ptr_nonnull(strstr(t1, id));
	}
	ck_assert_ptr_null(strstr(t1, "\"item\":\"Q01\""));
	p = strstr(t1, "\"item\":\"F1-Q01\",\"a\":");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(t1, "\"item\":\"F2-Q01\",\"a\":"));
	ck_assert_int_ne(strncmp(p + 16, strstr(t1,
	    "\"item\":\"F2-Q01\",\"a\":") + 16, 40), 0);
	free(fm);
	free(t1);
	free(t2);
	log_free(&l);
	log_free(&m);
}
END_TEST

START_TEST(test_truth_terminate_and_save)
{
	struct log	 l;
	struct sim	*s = new_sim_truth(50, 9), *plain;
	json_t		*all, *a;
	char		 dir[64], path[256], tmp[300];
	char		 id[16], victim[300];
	int		 i;
	FILE		*fp;
	struct stat	 st, vst;
	struct dirent	*de;
	DIR		*dp;
	mode_t		 old_mask;

	/* A terminated attempt ends then. */
	log_init(&l);
	sim_advance(s, T0 + 10 * MIN, collect, &l);
	ck_assert_int_eq(cmd(s, "A0003", PROTO_ACTION_TERMINATE,
	    T0 + 10 * MIN, &l), 0);
	all = truth_read(s);
	a = json_array_get(all, 3);
	ck_assert_str_eq(jstr(a, "state"), "terminated");
	ck_assert_int_eq(jtime(a, "ended"), T0 + 10 * MIN);
	json_decref(all);

	/*
	 * Saved atomically, mode 0600 whatever the umask, through a temporary
	 * of its own: a link planted at PATH.tmp is not followed, and no
	 * temporary stays (the directory holds PATH, the link, the victim).
	 */
	check_tmp_make(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/truth.jsonl", dir);
	snprintf(victim, sizeof victim, "%s/victim", dir);
	fp = fopen(victim, "w");
	ck_assert_ptr_nonnull(fp);
	fputs("keep\n", fp);
	fclose(fp);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	old_mask = umask(022);
	ck_assert_int_eq(sim_truth_save(s, path, err, sizeof err), 0);
	ck_assert_int_eq(sim_truth_save(s, path, err, sizeof err), 0);
	umask(old_mask);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(stat(victim, &vst), 0);
	printf("truth: mode %04o, the victim of the link %lld bytes\n",
	    (unsigned)st.st_mode & 07777, (long long)vst.st_size);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(vst.st_size, 5);
	ck_assert_ptr_nonnull(dp = opendir(dir));
	for (i = 0; (de = readdir(dp)) != NULL;)
		i += de->d_name[0] != '.';
	closedir(dp);
	ck_assert_int_eq(i, 3);
	unlink(tmp);
	unlink(victim);
	fp = fopen(path, "r");
	ck_assert_ptr_nonnull(fp);
	for (i = 0; fgets(tmp, sizeof tmp, fp) != NULL;)
		i += strchr(tmp, '\n') != NULL;
	fclose(fp);
	ck_assert_int_eq(i, 1 + 60 + 50);	/* session, items, attempts */
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof path, "%s/no/such/dir/truth.jsonl", dir);
	ck_assert_int_eq(sim_truth_save(s, path, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "--truth"));
	sim_free(s);
	log_free(&l);

	/* Without recording: profiles, links and leaks, no episodes. */
	plain = new_sim(50, 9);
	sim_advance(plain, T0 + 30 * MIN, count_only, &(size_t){ 0 });
	all = truth_read(plain);
	ck_assert(json_is_false(json_object_get(json_array_get(all, 0),
	    "episodes")));
	for (i = 0; i < 50; i++) {
		a = json_array_get(all, (size_t)i + 1);
		snprintf(id, sizeof id, "A%04d", i + 1);
		ck_assert_str_eq(jstr(a, "attempt"), id);
		ck_assert_uint_eq(json_array_size(json_object_get(a,
		    "behaviour")), 0);
		ck_assert_uint_eq(json_array_size(json_object_get(a,
		    "outages")), 0);
		if (sim_profile_of(plain, i) == SIM_PHONE)
			ck_assert_uint_eq(json_array_size(json_object_get(a,
			    "misconduct")), 0);
		if (sim_profile_of(plain, i) == SIM_PROXY)
			ck_assert_ptr_nonnull(truth_find(a, "misconduct",
			    "shared_device"));
	}
	json_decref(all);
	sim_free(plain);
}
END_TEST

/* ---- scenario replay */

START_TEST(test_replay_small)
{
	struct replay		*r;
	const struct proto_msg	*m;

	r = replay_load(FIXTURES "scenario-small.jsonl", err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(replay_count(r), 12);
	m = replay_message(r, 0);
	ck_assert_int_eq(m->type, PROTO_ATTEMPT);
	ck_assert_str_eq(m->u.attempt.name, "Zoë Ångström");
	ck_assert_str_eq(m->u.attempt.device, "dev-0a1b2c3d4e5f");
	m = replay_message(r, 1);
	ck_assert_int_eq(m->u.attempt.modality, PROTO_MODALITY_TEST_CENTER);
	ck_assert_str_eq(m->u.attempt.center, "TC-01");
	m = replay_message(r, 2);
	ck_assert_int_eq(m->type, PROTO_STATE);
	ck_assert_int_eq(m->u.state.state, PROTO_STATE_CHECKED_IN);
	ck_assert_int_eq(m->ts_ms, T0 + 3 * SEC);
	m = replay_message(r, 6);
	ck_assert_int_eq(m->type, PROTO_EVENT);
	ck_assert_int_eq(m->u.event.kind, PROTO_EV_FOCUS_LOST);
	ck_assert_ptr_nonnull(strstr(m->u.event.data, "Spotify"));
	m = replay_message(r, 8);
	ck_assert_int_eq(m->type, PROTO_ANSWER);
	ck_assert_str_eq(m->u.answer.item, "Q01");
	ck_assert_int_eq(m->u.answer.elapsed_ms, 41000);
	ck_assert_int_eq(m->u.answer.changed, 1);
	m = replay_message(r, 9);
	ck_assert_str_eq(m->u.event.data, "{}");
	m = replay_message(r, 11);
	ck_assert_int_eq(m->u.state.state, PROTO_STATE_SUBMITTED);
	ck_assert_ptr_null(replay_message(r, 12));
	replay_free(r);
}
END_TEST

START_TEST(test_replay_errors)
{
	struct replay	*r;
	char		 path[] = "/tmp/check_feed.XXXXXX";
	int		 fd;
	FILE		*f;
	size_t		 i;

	r = replay_load(FIXTURES "scenario-bad.jsonl", err, sizeof err);
	ck_assert_ptr_null(r);
	ck_assert_msg(strncmp(err, FIXTURES "scenario-bad.jsonl:4: ",
	    strlen(FIXTURES) + 22) == 0, "%s", err);
	ck_assert_msg(strstr(err, "focus_lsot") != NULL, "%s", err);

	r = replay_load(FIXTURES "scenario-hello.jsonl", err, sizeof err);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err, FIXTURES "scenario-hello.jsonl:3: a scenario "
	    "holds attempt, event, answer and state messages, not \"hello\"");

	r = replay_load(FIXTURES "no-such-file.jsonl", err, sizeof err);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err, FIXTURES "no-such-file.jsonl: cannot open the "
	    "scenario file: No such file or directory");

	/* Not a regular file: refused at once, never read (a FIFO would
	 * block; a directory fails with the reason). */
	r = replay_load("tests", err, sizeof err);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(err, "tests: is a directory; give the scenario file "
	    "itself");

	/* empty (comments and blanks only) is a valid, empty scenario */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("# nothing yet\n\n   \n", f);
	fclose(f);
	r = replay_load(path, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(replay_count(r), 0);
	ck_assert_ptr_null(replay_message(r, 0));
	replay_free(r);

	/* a byte-order mark and CRLF line ends, as Windows editors save */
	f = fopen(path, "w");
	fputs("\xef\xbb\xbf# made on Windows\r\n\r\n", f);
	fputs("{\"t\":\"state\",\"attempt\":\"A0001\",\"state\":\"paused\"}\r\n", f);
	fclose(f);
	r = replay_load(path, err, sizeof err);
	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(replay_count(r), 1);
	ck_assert_int_eq(replay_message(r, 0)->u.state.state,
	    PROTO_STATE_PAUSED);
	replay_free(r);

	/* a line longer than a message, after a good one, no final newline */
	f = fopen(path, "w");
	fputs("{\"t\":\"state\",\"attempt\":\"A0001\",\"state\":\"paused\"}\n", f);
	fputs("{\"t\":\"event\",\"attempt\":\"A0001\",\"kind\":\"idle\","
	    "\"data\":{\"note\":\"", f);
	for (i = 0; i < PROTO_MAX_MESSAGE; i++)
		fputc('x', f);
	fputs("\"}}", f);
	fclose(f);
	r = replay_load(path, err, sizeof err);
	ck_assert_ptr_null(r);
	ck_assert_msg(strstr(err, ":2: line is ") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "longer than a message may be"));
	unlink(path);
}
END_TEST

/* ---- limits.c: what a hostile client can make the feed hold or do */

static struct proto_hello
resume_hello(int64_t epoch, int64_t after_seq)
{
	struct proto_hello	h;

	memset(&h, 0, sizeof h);
	h.proto = PROTO_VERSION;
	h.has_resume = 1;
	h.resume_epoch = epoch;
	h.resume_after_seq = after_seq;
	return h;
}

/* Issue finding 1: after_seq INT64_MAX made after_seq + 1 overflow. */
START_TEST(test_resume_start_never_overflows)
{
	static const struct {
		int64_t	after, last, want;
		int	ahead;
	} cases[] = {
		{ INT64_MAX, 500, 501, 1 },
		{ INT64_MAX - 1, 500, 501, 1 },
		{ INT64_MAX, 0, 1, 1 },
		{ 501, 500, 501, 1 },
		{ 500, 500, 501, 0 },
		{ 499, 500, 500, 0 },
		{ 0, 500, 1, 0 },
		{ -1, 500, 1, 0 },
		{ INT64_MIN, 500, 1, 0 },
	};
	struct proto_hello	h;
	size_t			i;
	int			ahead;
	int64_t			got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		h = resume_hello(7, cases[i].after);
		got = feed_resume_start(&h, 7, cases[i].last, &ahead);
		ck_assert_msg(got == cases[i].want && ahead == cases[i].ahead,
		    "after_seq %" PRId64 ", last_seq %" PRId64 ": start %"
		    PRId64 " ahead %d, want %" PRId64 " %d", cases[i].after,
		    cases[i].last, got, ahead, cases[i].want, cases[i].ahead);
	}
	/* Another epoch, or no resume: from the start, whatever after_seq. */
	h = resume_hello(8, INT64_MAX);
	ck_assert_int_eq(feed_resume_start(&h, 7, 500, &ahead), 1);
	ck_assert_int_eq(ahead, 0);
	h.has_resume = 0;
	h.resume_epoch = 7;
	ck_assert_int_eq(feed_resume_start(&h, 7, 500, &ahead), 1);
}
END_TEST

/* Issue finding 9: the memory of command ids is a window, and answers. */
START_TEST(test_cmds_window)
{
	struct feed_cmds	*t = feed_cmds_new(100);
	struct feed_cmd_answer	 a;
	char			 id[32], want[64];
	int			 i;

	for (i = 0; i < 250; i++) {
		snprintf(id, sizeof id, "c-%d", i);
		snprintf(want, sizeof want, "error %d", i);
		ck_assert(!feed_cmds_find(t, id, &a));
		feed_cmds_add(t, id, i % 2, i % 2 ? "" : want);
		ck_assert_uint_le(feed_cmds_count(t), 100);
	}
	ck_assert_uint_eq(feed_cmds_count(t), 100);
	for (i = 0; i < 250; i++) {
		snprintf(id, sizeof id, "c-%d", i);
		snprintf(want, sizeof want, "error %d", i);
		if (i < 150) {
			ck_assert_msg(!feed_cmds_find(t, id, &a),
			    "%s is older than the window but remembered", id);
			continue;
		}
		ck_assert_msg(feed_cmds_find(t, id, &a), "%s forgotten", id);
		ck_assert_int_eq(a.ok, i % 2);
		ck_assert_str_eq(a.error, i % 2 ? "" : want);
	}
	feed_cmds_free(t);
}
END_TEST

/*
 * 200,000 distinct ids (the attack) stay within the window, and a lookup
 * stays cheap: the table grows with what it holds (256 fixed buckets made
 * each lookup walk ~800 entries at this size).  The time is only a gross
 * bound; the chain length is the real test of the growth.
 */
START_TEST(test_cmds_flood_bounded)
{
	struct feed_cmds	*t = feed_cmds_new(FEED_CMD_WINDOW);
	struct feed_cmd_answer	 a;
	char			 id[PROTO_ID_MAX + 1];
	struct timespec		 t0, t1;
	double			 secs;
	int			 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 200000; i++) {
		snprintf(id, sizeof id, "junk-%08d-%040d", i, 0);
		if (!feed_cmds_find(t, id, &a))
			feed_cmds_add(t, id, 0, "no attempt \"X\" in this session");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_uint_eq(feed_cmds_count(t), FEED_CMD_WINDOW);
	snprintf(id, sizeof id, "junk-%08d-%040d", 199999, 0);
	ck_assert(feed_cmds_find(t, id, &a));
	snprintf(id, sizeof id, "junk-%08d-%040d", 0, 0);
	ck_assert(!feed_cmds_find(t, id, &a));
	ck_assert_msg(secs < 5, "200,000 commands took %.2f s", secs);
	/*
	 * The table grew with its load (at most one entry per bucket on
	 * average): with SipHash the longest chain of 16,384 ids is short.
	 * 256 fixed buckets would make it 64 at the very least.
	 */
	ck_assert_msg(feed_cmds_longest_chain(t) <= 12,
	    "a lookup may walk %zu ids", feed_cmds_longest_chain(t));
	feed_cmds_free(t);
}
END_TEST

/* An error longer than an ack may carry is cut at a character boundary. */
START_TEST(test_cmds_error_cut)
{
	struct feed_cmds	*t = feed_cmds_new(4);
	struct feed_cmd_answer	 a;
	char			 err2[3 * PROTO_TEXT_MAX];
	size_t			 i;

	/* One byte, then e acute (2 bytes) over and over: byte 1024 is the
	 * first half of a character. */
	err2[0] = 'x';
	for (i = 1; i + 2 < sizeof err2 - 1; i += 2)
		memcpy(err2 + i, "\xc3\xa9", 2);
	err2[i] = '\0';
	feed_cmds_add(t, "x", 0, err2);
	ck_assert(feed_cmds_find(t, "x", &a));
	ck_assert_uint_le(strlen(a.error), PROTO_TEXT_MAX);
	ck_assert(proto_utf8_valid(a.error, strlen(a.error)));
	feed_cmds_free(t);
}
END_TEST

START_TEST(test_rate_bucket)
{
	struct feed_rate	r = { 0, 0 };
	int64_t			now = 1000000;
	int			i, taken = 0;

	for (i = 0; i < 1000; i++)
		taken += feed_rate_take(&r, now, 20, 200);
	ck_assert_int_eq(taken, 200);		/* the burst, no more */
	ck_assert(!feed_rate_take(&r, now + 10000, 20, 200));
	ck_assert(feed_rate_take(&r, now + 50000, 20, 200));	/* 1/20 s */
	ck_assert(!feed_rate_take(&r, now + 50000, 20, 200));
	/* A clock that goes backwards gives nothing. */
	ck_assert(!feed_rate_take(&r, now - 5000000, 20, 200));
	/* An hour later: the burst again, not an hour's worth. */
	for (taken = 0, i = 0; i < 1000; i++)
		taken += feed_rate_take(&r, now + 3600000000LL, 20, 200);
	ck_assert_int_eq(taken, 200);
}
END_TEST

/*
 * libwebsockets' lines: `invigil feed` and the console's --demo feed share
 * this limiter (feed_lws_log); a line repeated on every loop turn is
 * written FEED_LOG_BURST times, then counted, and the count reported.
 */
START_TEST(test_lws_log_limited)
{
	struct feed_rate	 r = { 0, 0 };
	unsigned long		 dropped = 0;
	char			*text = NULL;
	size_t			 textlen = 0, lines = 0, i;
	int			 written = 0;
	FILE			*out = open_memstream(&text, &textlen);

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < 1000; i++)
		written += feed_lws_log_write(out, &r, &dropped, "invigil feed",
		    "E: accept failed\n", 1000000);
	ck_assert_int_eq(written, FEED_LOG_BURST);
	ck_assert_uint_eq(dropped, 1000 - FEED_LOG_BURST);
	ck_assert(feed_lws_log_write(out, &r, &dropped, "invigil feed",
	    "bell\a\x1b[2J", 2000000));
	fclose(out);
	for (i = 0; i < textlen; i++)
		lines += text[i] == '\n';
	printf("lws log: %zu lines written of 1001, last: %s", lines,
	    strstr(text, "(800"));
	ck_assert_uint_eq(lines, FEED_LOG_BURST + 2);
	ck_assert_ptr_nonnull(strstr(text, "invigil feed: libwebsockets: "
	    "E: accept failed\n"));
	ck_assert_ptr_nonnull(strstr(text, "invigil feed: (800 libwebsockets "
	    "lines left out: more than 20 a second)\n"));
	ck_assert_ptr_null(strchr(text, '\x1b'));
	ck_assert_ptr_null(strchr(text, '\a'));
	free(text);
}
END_TEST

/* #11: --listen takes names and bracketed IPv6; loopback needs no auth. */
START_TEST(test_listen_resolve)
{
	static const struct {
		const char	*host, *addr;
		int		 loopback;
	} ok[] = {
		{ "127.0.0.1", "127.0.0.1", 1 },
		{ "127.9.8.7", "127.9.8.7", 1 },
		{ "[::1]", "::1", 1 },
		{ "::1", "::1", 1 },
		{ "::ffff:127.0.0.1", "::ffff:127.0.0.1", 1 },
		{ "0.0.0.0", "0.0.0.0", 0 },
		{ "::", "::", 0 },
		{ "192.0.2.2", "192.0.2.2", 0 },
		{ "128.0.0.1", "128.0.0.1", 0 },
	};
	char	addr[64], why[256];
	size_t	i;
	int	loopback;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ck_assert_msg(feed_listen_resolve(ok[i].host, addr, sizeof addr,
		    &loopback, why, sizeof why) == 0, "%s: %s", ok[i].host, why);
		ck_assert_str_eq(addr, ok[i].addr);
		ck_assert_int_eq(loopback, ok[i].loopback);
	}
	ck_assert_int_eq(feed_listen_resolve("256.1.1.1", addr, sizeof addr,
	    &loopback, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "cannot resolve \"256.1.1.1\""));
	ck_assert_int_eq(feed_listen_resolve("[]", addr, sizeof addr,
	    &loopback, why, sizeof why), -1);
	printf("listen: [] refused: %s\n", why);
}
END_TEST

/* Issue finding 14: connections per address. */
START_TEST(test_addrs_cap)
{
	struct feed_addrs	*t = feed_addrs_new();
	void			*held[40], *e;
	char			 addr[64];
	int			 i;

	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(held[i] = feed_addrs_take(t, "127.0.0.2", 3));
	ck_assert_ptr_null(feed_addrs_take(t, "127.0.0.2", 3));
	ck_assert_int_eq(feed_addrs_count(t, "127.0.0.2"), 3);
	/* Another address is not affected. */
	ck_assert_ptr_nonnull(e = feed_addrs_take(t, "127.0.0.1", 3));
	ck_assert_int_eq(feed_addrs_total(t), 4);
	feed_addrs_release(t, e);
	ck_assert_int_eq(feed_addrs_total(t), 3);
	ck_assert_int_eq(feed_addrs_count(t, "127.0.0.1"), 0);
	feed_addrs_release(t, held[0]);
	ck_assert_int_eq(feed_addrs_count(t, "127.0.0.2"), 2);
	ck_assert_ptr_nonnull(held[0] = feed_addrs_take(t, "127.0.0.2", 3));
	for (i = 0; i < 3; i++)
		feed_addrs_release(t, held[i]);
	ck_assert_int_eq(feed_addrs_count(t, "127.0.0.2"), 0);
	/* Many addresses: the table grows and forgets the ones released. */
	for (i = 0; i < 40; i++) {
		snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
		ck_assert_ptr_nonnull(held[i] = feed_addrs_take(t, addr, 1));
	}
	for (i = 0; i < 40; i++) {
		snprintf(addr, sizeof addr, "10.0.%d.%d", i / 256, i % 256);
		ck_assert_int_eq(feed_addrs_count(t, addr), 1);
		feed_addrs_release(t, held[i]);
		ck_assert_int_eq(feed_addrs_count(t, addr), 0);
	}
	ck_assert_int_eq(feed_addrs_total(t), 0);
	feed_addrs_free(t);
}
END_TEST

/* Connections for a descriptor limit: always a reserve, never below 4. */
START_TEST(test_max_connections)
{
	ck_assert_int_eq(feed_max_connections(256), 224);
	ck_assert_int_eq(feed_max_connections(1024), 992);
	ck_assert_int_eq(feed_max_connections(100), 75);
	ck_assert_int_eq(feed_max_connections(64), 48);
	ck_assert_int_eq(feed_max_connections(40), 24);
	ck_assert_int_eq(feed_max_connections(5), 4);
	ck_assert_int_eq(feed_max_connections(0), (1 << 30) - 32);
	ck_assert_int_eq(feed_max_connections(-1), (1 << 30) - 32);
	ck_assert_int_eq(feed_max_connections(1LL << 40), (1 << 30) - 32);
}
END_TEST

/* An extend of minutes (the codec has checked them; the sim again). */
static int
cmd_min(struct sim *s, const char *attempt, int64_t minutes, int64_t now,
    struct log *l)
{
	return cmd_minutes(s, attempt, PROTO_ACTION_EXTEND, minutes, now, l);
}

/* When idx's state message of state came, or -1. */
static int64_t
state_at(const struct log *l, int idx, int state)
{
	size_t	k;

	for (k = 0; k < l->n; k++) {
		if (l->r[k].type == PROTO_STATE && l->r[k].idx == idx &&
		    l->r[k].state == state)
			return l->r[k].ts;
	}
	return -1;
}

/*
 * extend: the candidate submits exactly the minutes later than the same
 * session without it, says so in the truth, and emits nothing when
 * extended; refused outside 1..240 and on an ended attempt.
 */
START_TEST(test_extend)
{
	struct log	 a, b;
	struct sim	*sa = new_sim_truth(30, 8), *sb = new_sim_truth(30, 8);
	int		 h = find_profile(sa, SIM_HONEST, 0);
	char		 id[16];
	size_t		 mark;
	int64_t		 ta, tb;
	json_t		*ta_truth, *tb_truth, *att;

	log_init(&a);
	log_init(&b);
	ck_assert_int_ge(h, 0);
	snprintf(id, sizeof id, "A%04d", h + 1);
	sim_advance(sa, T0 + 10 * MIN, collect, &a);
	sim_advance(sb, T0 + 10 * MIN, collect, &b);
	mark = a.n;
	ck_assert_int_eq(cmd_min(sa, id, 0, T0 + 10 * MIN, &a), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot be extended by 0 minutes: "
	    "from 1 to 240"));
	ck_assert_int_eq(cmd_min(sa, id, 241, T0 + 10 * MIN, &a), -1);
	ck_assert_int_eq(cmd_min(sa, id, 10, T0 + 10 * MIN, &a), 0);
	ck_assert_int_eq(cmd_min(sa, id, 5, T0 + 10 * MIN, &a), 0);
	ck_assert_uint_eq(a.n, mark);		/* nothing to say on the wire */
	sim_advance(sa, T0 + 8 * 60 * MIN, collect, &a);
	sim_advance(sb, T0 + 8 * 60 * MIN, collect, &b);
	ta = state_at(&a, h, PROTO_STATE_SUBMITTED);
	tb = state_at(&b, h, PROTO_STATE_SUBMITTED);
	ck_assert_int_gt(tb, T0 + 10 * MIN);
	ck_assert_int_eq(ta, tb + 15 * MIN);
	/* Every other attempt is untouched. */
	ck_assert_int_eq(state_at(&a, (h + 1) % 30, PROTO_STATE_SUBMITTED),
	    state_at(&b, (h + 1) % 30, PROTO_STATE_SUBMITTED));

	ta_truth = truth_read(sa);
	tb_truth = truth_read(sb);
	att = json_array_get(ta_truth, (size_t)h + 1);
	ck_assert_str_eq(jstr(att, "attempt"), id);
	ck_assert_int_eq(json_integer_value(json_object_get(att,
	    "extended_min")), 15);
	ck_assert_int_eq(jtime(att, "ended"), ta);
	att = json_array_get(tb_truth, (size_t)h + 1);
	ck_assert_ptr_null(json_object_get(att, "extended_min"));

	ck_assert_int_eq(cmd_min(sa, id, 5, T0 + 9 * 60 * MIN, &a), -1);
	ck_assert_ptr_nonnull(strstr(err, "is already submitted"));
	json_decref(ta_truth);
	json_decref(tb_truth);
	sim_free(sa);
	log_free(&a);

	/* Extended a moment before its submission, every item answered (the
	 * submission already due): it comes the minutes later. */
	sa = new_sim_truth(30, 8);
	log_init(&a);
	ck_assert_int_eq(cmd_min(sa, id, 7, tb - 1, &a), 0);
	sim_advance(sa, T0 + 8 * 60 * MIN, collect, &a);
	ck_assert_int_eq(state_at(&a, h, PROTO_STATE_SUBMITTED),
	    tb + 7 * MIN);
	sim_free(sa);
	sim_free(sb);
	log_free(&a);
	log_free(&b);
}
END_TEST

/*
 * lock: no state message, nothing from the candidate until resume, which
 * unlocks it (again with no state message); a locked attempt cannot be
 * locked again or paused; only an attempt in progress can be locked.
 */
START_TEST(test_lock)
{
	struct log	 l;
	struct sim	*s = new_sim(100, 8);
	int		 d = find_profile(s, SIM_DISTRACTED, 0);
	char		 id[16], want[128];
	size_t		 mark;

	log_init(&l);
	snprintf(id, sizeof id, "A%04d", d + 1);
	ck_assert_int_eq(cmd(s, "A0100", PROTO_ACTION_LOCK, T0 - MIN, &l), -1);
	ck_assert_str_eq(err, "attempt A0100 cannot be locked: it is "
	    "scheduled, not in_progress");
	sim_advance(s, T0 + 10 * MIN, collect, &l);
	mark = l.n;
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_LOCK, T0 + 10 * MIN, &l), 0);
	ck_assert_uint_eq(l.n, mark);
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_LOCK, T0 + 11 * MIN, &l), -1);
	snprintf(want, sizeof want, "attempt %s is already locked", id);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_PAUSE, T0 + 11 * MIN, &l), -1);
	snprintf(want, sizeof want, "attempt %s cannot be paused: it is "
	    "locked (resume it first)", id);
	ck_assert_str_eq(err, want);
	/* quiet while locked, the others go on */
	sim_advance(s, T0 + 25 * MIN, collect, &l);
	ck_assert_int_eq(count_for(&l, mark, d), 0);
	ck_assert_uint_gt(l.n, mark + 100);

	mark = l.n;
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_RESUME, T0 + 25 * MIN, &l), 0);
	ck_assert_uint_eq(l.n, mark);		/* no state: it was in_progress */
	sim_advance(s, T0 + 30 * MIN, collect, &l);
	ck_assert_int_gt(count_for(&l, mark, d), 3);
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_RESUME, T0 + 30 * MIN, &l), -1);
	snprintf(want, sizeof want, "attempt %s cannot be resumed: it is "
	    "in_progress, not paused or locked", id);
	ck_assert_str_eq(err, want);
	/* a paused attempt cannot be locked */
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_PAUSE, T0 + 30 * MIN, &l), 0);
	ck_assert_int_eq(cmd(s, id, PROTO_ACTION_LOCK, T0 + 30 * MIN, &l), -1);
	snprintf(want, sizeof want, "attempt %s cannot be locked: it is "
	    "paused, not in_progress", id);
	ck_assert_str_eq(err, want);
	assert_time_order(&l);
	sim_free(s);
	log_free(&l);
}
END_TEST

static Suite *
feed_suite(void)
{
	Suite	*s = suite_create("feed");
	TCase	*tc;

	tc = tcase_create("sim");
	check_tmp_fixture(tc);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_seed_same_stream);
	tcase_add_test(tc, test_commands_deterministic);
	tcase_add_test(tc, test_time_order_and_next_due);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_answer_pace);
	tcase_add_test(tc, test_profile_mix);
	tcase_add_test(tc, test_names_and_identities);
	tcase_add_test(tc, test_event_rates);
	tcase_add_test(tc, test_phone_and_distracted_events);
	tcase_add_test(tc, test_proxy_shares_device);
	tcase_add_test(tc, test_colluding_pairs);
	tcase_add_test(tc, test_preknowledge_fast_correct);
	tcase_add_test(tc, test_flaky_network_silence);
	tcase_add_test(tc, test_pause_resume);
	tcase_add_test(tc, test_extend);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_terminate);
	tcase_add_test(tc, test_command_errors);
	tcase_add_test(tc, test_warn_calms);
	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_truth_lists_attempts);
	tcase_add_test(tc, test_truth_phone_episodes);
	tcase_add_test(tc, test_truth_links);
	tcase_add_test(tc, test_truth_preknowledge);
	tcase_add_test(tc, test_truth_outages);
	tcase_add_test(tc, test_truth_terminate_and_save);
	tcase_add_test(tc, test_answers_follow_models);
	tcase_add_test(tc, test_truth_answer_fields);
	tcase_add_test(tc, test_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("replay");
	tcase_add_test(tc, test_replay_small);
	tcase_add_test(tc, test_replay_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_resume_start_never_overflows);
	tcase_add_test(tc, test_cmds_window);
	tcase_add_test(tc, test_cmds_flood_bounded);
	tcase_add_test(tc, test_cmds_error_cut);
	tcase_add_test(tc, test_rate_bucket);
	tcase_add_test(tc, test_lws_log_limited);
	tcase_add_test(tc, test_listen_resolve);
	tcase_add_test(tc, test_addrs_cap);
	tcase_add_test(tc, test_max_connections);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(feed_suite());
}
