/*
 * check_query.c - Check suite for store/query.c: the typed readers on a
 * real database file written through the store's own API (attempts,
 * messages, flags, decisions that send commands), read back through a
 * store_reader as `invigil review` reads it.  Each reader must return
 * exactly the rows expected, in order, no more than its limit, with
 * hostile strings as they were stored; the timeline's statements must run
 * on indexes (no full scan in their plans).
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/proto.h"
#include "store/store.h"

#define CHECK_TMP_NAME	"check_query"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

static char	tmpdir[64];
static char	dbpath[128];
static char	err[1024];

/* Local time of the database's story: messages before and after the
 * decision, which the store stamps with the real clock. */
static int64_t	base_ms;
static int64_t	decision_ms;

/* What the feed and the proctor send that no terminal should see raw. */
static const char hostile_body[] = "{\"t\":\"event\",\"seq\":4,\"x\":"
    "\"\x1b]0;pwned\x07\xe2\x80\xae\"}";
static const char hostile_reason[] = "phone\x1b[2J\r\nconfirmed";

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	snprintf(dbpath, sizeof dbpath, "%s/invigil.db", tmpdir);
	err[0] = '\0';
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
}

static struct proto_msg
message(enum proto_type type, int64_t seq, const char *attempt)
{
	static char		data[] = "{}";
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.seq = seq;
	m.ts_ms = 1700000000000 + seq;
	switch (type) {
	case PROTO_ATTEMPT:
		snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s",
		    attempt);
		snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "Ada");
		m.u.attempt.modality = PROTO_MODALITY_REMOTE;
		m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
		break;
	case PROTO_STATE:
		snprintf(m.u.state.attempt, sizeof m.u.state.attempt, "%s",
		    attempt);
		m.u.state.state = PROTO_STATE_PAUSED;
		break;
	default:
		snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s",
		    attempt);
		m.u.event.kind = PROTO_EV_FOCUS_LOST;
		m.u.event.data = data;
		m.u.event.data_len = 2;
		break;
	}
	return m;
}

/* Queue a message received at base_ms + at; body NULL: a plain one. */
static void
add(struct store *s, const char *feed, enum proto_type type, int64_t seq,
    const char *attempt, int64_t at, const char *body)
{
	struct proto_msg	m = message(type, seq, attempt);
	char			raw[256];
	int			n;

	if (body != NULL)
		n = snprintf(raw, sizeof raw, "%s", body);
	else
		n = snprintf(raw, sizeof raw, "{\"t\":\"%s\",\"seq\":%lld}",
		    proto_type_name(type), (long long)seq);
	if (store_add_message(s, feed, 1, &m, raw, (size_t)n, base_ms + at,
	    err, sizeof err) != 0)
		ck_abort_msg("store_add_message: %s", err);
}

static void
flag(struct store *s, int64_t id, const char *attempt, const char *rule,
    int64_t first_seq, enum store_flag_state state, int64_t closed_ms)
{
	struct store_flag	f;

	memset(&f, 0, sizeof f);
	f.id = id;
	f.feed = "F";
	f.attempt = attempt;
	f.rule = rule;
	f.severity = PROTO_SEV_HIGH;
	f.message = "looked away";
	f.first_seq = f.last_seq = first_seq;
	f.count = 1;
	f.state = state;
	f.closed_ms = closed_ms;
	if (store_put_flag(s, &f, err, sizeof err) != 0)
		ck_abort_msg("store_put_flag: %s", err);
}

static void
decide(struct store *s, const char *actor, const char *kind,
    const char *attempt, int64_t flag_id, const char *reason,
    const struct store_command *c, struct store_receipt *rc)
{
	struct store_journal_entry	e;

	memset(&e, 0, sizeof e);
	e.actor = actor;
	e.role = "proctor";
	e.kind = kind;
	e.feed = "F";
	e.attempt = attempt;
	e.flag_id = flag_id;
	e.reason = reason;
	e.evidence = "{\"flags\":[]}";
	e.detail = "{}";
	if (store_journal_append(s, &e, c, rc, err, sizeof err) != 0)
		ck_abort_msg("store_journal_append: %s", err);
}

/*
 * The story: feed F, attempts A1 A2 A3 (and B1 on feed G); A1 gets events
 * at seq 2 and 4 (4 hostile), flags 1 (r1, at 2) and 2 (r2, at 4); the
 * proctor p1 confirms flag 2 with a warning sent to the feed; A1 pauses at
 * seq 6, received after the decision.  Flags 3 (r1, A2, dismissed) and 4
 * (r1, A3); p1 and p2 note other attempts.
 */
static void
build(void)
{
	struct store		*s;
	struct store_receipt	 rc;
	struct store_command	 c;

	base_ms = (int64_t)time(NULL) * 1000 - 100000;
	if (store_open(&s, dbpath, err, sizeof err) != 0)
		ck_abort_msg("store_open: %s", err);
	check_signer(s, "p2", "proctor");
	add(s, "F", PROTO_ATTEMPT, 1, "A1", 1, NULL);
	add(s, "F", PROTO_EVENT, 2, "A1", 2, NULL);
	add(s, "F", PROTO_ATTEMPT, 3, "A2", 3, NULL);
	add(s, "F", PROTO_EVENT, 4, "A1", 4, hostile_body);
	add(s, "F", PROTO_ATTEMPT, 5, "A3", 5, NULL);
	add(s, "G", PROTO_ATTEMPT, 1, "B1", 5, NULL);
	flag(s, store_flag_next_id(s), "A1", "r1", 2, STORE_FLAG_OPEN, 0);
	flag(s, store_flag_next_id(s), "A1", "r2", 4, STORE_FLAG_OPEN, 0);
	flag(s, store_flag_next_id(s), "A2", "r1", 3, STORE_FLAG_DISMISSED,
	    base_ms + 50);
	flag(s, store_flag_next_id(s), "A3", "r1", 5, STORE_FLAG_OPEN, 0);
	if (store_flush(s, err, sizeof err) != 0)
		ck_abort_msg("store_flush: %s", err);

	decide(s, "p2", "note", "A2", 0, "fine", NULL, NULL);
	memset(&c, 0, sizeof c);
	c.id = "cmd-1";
	c.feed = "F";
	c.attempt = "A1";
	c.action = "warn";
	c.text = hostile_reason;
	c.actor = "p1";
	c.sent_ms = base_ms + 150000;	/* after the decision's real time */
	decide(s, "p1", "confirm", "A1", 2, hostile_reason, &c, &rc);
	decision_ms = rc.time_ms;
	flag(s, 2, "A1", "r2", 4, STORE_FLAG_CONFIRMED, decision_ms);
	decide(s, "p1", "note", "A3", 0, "ok", NULL, NULL);
	decide(s, "p1", "note", "A2", 0, "ok", NULL, NULL);
	add(s, "F", PROTO_STATE, 6, "A1", 200000, NULL);
	if (store_close(s, err, sizeof err) != 0)
		ck_abort_msg("store_close: %s", err);
}

static struct store_reader *
open_reader(void)
{
	struct store_reader	*r;

	if (store_reader_open(&r, dbpath, err, sizeof err) != 0)
		ck_abort_msg("store_reader_open: %s", err);
	return r;
}

/* Each item as one short line, "kind:seq:what". */
struct lines {
	char	text[16][128];
	int	n;
	int	stop_after;	/* 0: never */
};

static int
timeline_line(const struct store_timeline_item *it, void *arg)
{
	struct lines	*l = arg;
	char		*o;

	ck_assert_int_lt(l->n, 16);
	o = l->text[l->n++];
	switch (it->kind) {
	case STORE_TIMELINE_MESSAGE:
		snprintf(o, 128, "message:%lld:%s", (long long)it->seq,
		    it->message->type);
		break;
	case STORE_TIMELINE_FLAG_RAISED:
		snprintf(o, 128, "raised:%lld:%lld", (long long)it->seq,
		    (long long)it->flag->id);
		break;
	case STORE_TIMELINE_FLAG_CLOSED:
		snprintf(o, 128, "closed:%lld:%lld:%s", (long long)it->seq,
		    (long long)it->flag->id,
		    store_flag_state_name(it->flag->state));
		break;
	case STORE_TIMELINE_JOURNAL:
		snprintf(o, 128, "journal:%lld:%s", (long long)it->seq,
		    it->journal->entry.kind);
		break;
	case STORE_TIMELINE_COMMAND:
		snprintf(o, 128, "command:%lld:%s", (long long)it->seq,
		    it->command->command.id);
		break;
	}
	return l->stop_after != 0 && l->n >= l->stop_after;
}

static void
assert_lines(const struct lines *l, const char *const *want, int n)
{
	int	i;

	ck_assert_int_eq(l->n, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(l->text[i], want[i]);
}

static const char *const timeline_want[] = {
	"message:1:attempt",
	"message:2:event",
	"raised:2:1",
	"message:4:event",
	"raised:4:2",
	"journal:4:confirm",
	"closed:4:2:confirmed",
	"command:4:cmd-1",
	"message:6:state",
};

/* A1's timeline in feed, at most limit items, the callback stopping after
 * stop_after (0: never), into *l; the count the reader returned. */
static int
timeline(struct store_reader *r, const char *feed, size_t limit,
    int stop_after, struct lines *l)
{
	memset(l, 0, sizeof *l);
	l->stop_after = stop_after;
	return store_query_timeline(r, feed, "A1", limit, timeline_line, l,
	    err, sizeof err);
}

START_TEST(test_timeline_order)
{
	struct store_reader	*r;
	struct lines		 l;

	build();
	r = open_reader();
	ck_assert_int_eq(timeline(r, "F", 100, 0, &l), 9);
	assert_lines(&l, timeline_want, 9);
	/* Another feed's attempt of another name: nothing of A1. */
	ck_assert_int_eq(timeline(r, "G", 100, 0, &l), 0);
	store_reader_close(r);
}
END_TEST

START_TEST(test_timeline_bounded)
{
	struct store_reader	*r;
	struct lines		 l;

	build();
	r = open_reader();
	ck_assert_int_eq(timeline(r, "F", 4, 0, &l), 4);
	assert_lines(&l, timeline_want, 4);
	ck_assert_int_eq(timeline(r, "F", 0, 0, &l), 0);
	/* The callback stops it. */
	ck_assert_int_eq(timeline(r, "F", 100, 6, &l), 6);
	assert_lines(&l, timeline_want, 6);
	store_reader_close(r);
}
END_TEST

static int
timeline_raw(const struct store_timeline_item *it, void *arg)
{
	int	*seen = arg;

	if (it->kind == STORE_TIMELINE_MESSAGE && it->seq == 4) {
		ck_assert_uint_eq(it->message->len, strlen(hostile_body));
		ck_assert_int_eq(memcmp(it->message->body, hostile_body,
		    it->message->len), 0);
		*seen |= 1;
	}
	if (it->kind == STORE_TIMELINE_JOURNAL) {
		ck_assert_str_eq(it->journal->entry.reason, hostile_reason);
		ck_assert_uint_eq(strlen(it->journal->hash), 64);
		*seen |= 2;
	}
	if (it->kind == STORE_TIMELINE_COMMAND) {
		ck_assert_str_eq(it->command->command.text, hostile_reason);
		ck_assert_str_eq(it->command->command.action, "warn");
		ck_assert_int_eq(it->command->command.sent_ms,
		    base_ms + 150000);
		ck_assert_int_eq(it->command->ack_ms, 0);
		*seen |= 4;
	}
	if (it->kind == STORE_TIMELINE_FLAG_CLOSED) {
		ck_assert_int_eq(it->flag->closed_ms, decision_ms);
		ck_assert_str_eq(it->flag->rule, "r2");
		*seen |= 8;
	}
	return 0;
}

START_TEST(test_timeline_raw)
{
	struct store_reader	*r;
	int			 seen = 0;

	build();
	r = open_reader();
	ck_assert_int_eq(store_query_timeline(r, "F", "A1", 100, timeline_raw,
	    &seen, err, sizeof err), 9);
	ck_assert_int_eq(seen, 15);
	store_reader_close(r);
}
END_TEST

/* No statement of the query reads a whole table or index. */
static void
assert_no_scan(struct store_reader *r, const char *name)
{
	char	plan[4096];

	ck_assert_msg(store_query_plan(r, name, plan, sizeof plan, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_msg(plan[0] != '\0', "no plan for %s", name);
	ck_assert_msg(strstr(plan, "SCAN") == NULL, "%s scans:\n%s", name,
	    plan);
	ck_assert_msg(strstr(plan, "SEARCH") != NULL, "%s:\n%s", name, plan);
}

START_TEST(test_plans_on_indexes)
{
	struct store_reader	*r;
	char			 plan[4096];

	build();
	r = open_reader();
	assert_no_scan(r, "timeline");
	assert_no_scan(r, "rule_flags");
	assert_no_scan(r, "actor_journal");
	assert_no_scan(r, "attempts");
	assert_no_scan(r, "feed_messages");
	assert_no_scan(r, "feed_position");
	assert_no_scan(r, "events_after");
	ck_assert_int_eq(store_query_plan(r, "timeline", plan, sizeof plan,
	    err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(plan, "messages_attempt"));
	ck_assert_ptr_nonnull(strstr(plan, "flags_attempt"));
	ck_assert_ptr_nonnull(strstr(plan, "journal_attempt"));
	ck_assert_int_eq(store_query_plan(r, "nosuch", plan, sizeof plan, err,
	    sizeof err), -1);
	store_reader_close(r);
}
END_TEST

/* Flag ids, comma-separated, into the buffer at arg. */
static int
flag_id(const struct store_flag *f, void *arg)
{
	char	*o = arg;

	snprintf(o + strlen(o), 64, "%s%lld", o[0] ? "," : "",
	    (long long)f->id);
	return 0;
}

static const char *
rule_flags(struct store_reader *r, const char *rule, const char *state,
    int64_t after, size_t limit, int want_n)
{
	static char	out[256];

	out[0] = '\0';
	ck_assert_int_eq(store_query_rule_flags(r, rule, state, after, limit,
	    flag_id, out, err, sizeof err), want_n);
	return out;
}

START_TEST(test_rule_flags)
{
	struct store_reader	*r;

	build();
	r = open_reader();
	ck_assert_str_eq(rule_flags(r, "r1", NULL, 0, 10, 3), "1,3,4");
	ck_assert_str_eq(rule_flags(r, "r1", "open", 0, 10, 2), "1,4");
	ck_assert_str_eq(rule_flags(r, "r1", "dismissed", 0, 10, 1), "3");
	ck_assert_str_eq(rule_flags(r, "r1", NULL, 0, 2, 2), "1,3");
	ck_assert_str_eq(rule_flags(r, "r1", NULL, 3, 2, 1), "4");
	ck_assert_str_eq(rule_flags(r, "r2", NULL, 0, 10, 1), "2");
	ck_assert_str_eq(rule_flags(r, "r2", "open", 0, 10, 0), "");
	ck_assert_str_eq(rule_flags(r, "nosuch", NULL, 0, 10, 0), "");
	store_reader_close(r);
}
END_TEST

static int
journal_line(const struct store_journal_row *j, void *arg)
{
	char	*o = arg;

	snprintf(o + strlen(o), 64, "%s%lld:%s:%s", o[0] ? "," : "",
	    (long long)j->seq, j->entry.kind, j->entry.attempt);
	return 0;
}

START_TEST(test_actor_journal)
{
	struct store_reader	*r;
	char			 out[256];

	build();
	r = open_reader();
	out[0] = '\0';
	ck_assert_int_eq(store_query_actor_journal(r, "p1", 0, 10,
	    journal_line, out, err, sizeof err), 3);
	ck_assert_str_eq(out, "2:confirm:A1,3:note:A3,4:note:A2");
	out[0] = '\0';
	ck_assert_int_eq(store_query_actor_journal(r, "p1", 2, 1,
	    journal_line, out, err, sizeof err), 1);
	ck_assert_str_eq(out, "3:note:A3");
	out[0] = '\0';
	ck_assert_int_eq(store_query_actor_journal(r, "p2", 0, 10,
	    journal_line, out, err, sizeof err), 1);
	ck_assert_str_eq(out, "1:note:A2");
	store_reader_close(r);
}
END_TEST

static int
attempt_line(const struct store_attempt_row *a, void *arg)
{
	char	*o = arg;

	snprintf(o + strlen(o), 64, "%s%s/%s:%s:%lld", o[0] ? "," : "",
	    a->attempt.feed, a->attempt.attempt, a->attempt.state,
	    (long long)a->open_flags);
	return 0;
}

START_TEST(test_attempts)
{
	struct store_reader	*r;
	char			 out[512];

	build();
	r = open_reader();
	out[0] = '\0';
	ck_assert_int_eq(store_query_attempts(r, NULL, NULL, NULL, 10,
	    attempt_line, out, err, sizeof err), 4);
	ck_assert_str_eq(out, "F/A1:paused:1,F/A2:in_progress:0,"
	    "F/A3:in_progress:1,G/B1:in_progress:0");
	out[0] = '\0';
	ck_assert_int_eq(store_query_attempts(r, NULL, "F", "A2", 10,
	    attempt_line, out, err, sizeof err), 2);
	ck_assert_str_eq(out, "F/A3:in_progress:1,G/B1:in_progress:0");
	out[0] = '\0';
	ck_assert_int_eq(store_query_attempts(r, "F", NULL, NULL, 2,
	    attempt_line, out, err, sizeof err), 2);
	ck_assert_str_eq(out, "F/A1:paused:1,F/A2:in_progress:0");
	out[0] = '\0';
	ck_assert_int_eq(store_query_attempts(r, "F", "F", "A2", 10,
	    attempt_line, out, err, sizeof err), 1);
	ck_assert_str_eq(out, "F/A3:in_progress:1");
	store_reader_close(r);
}
END_TEST

static int
message_seq(const struct store_message_row *m, void *arg)
{
	char	*o = arg;

	snprintf(o + strlen(o), 32, "%s%lld", o[0] ? "," : "",
	    (long long)m->seq);
	return 0;
}

START_TEST(test_feed_messages_and_position)
{
	struct store_reader	*r;
	struct store_sample	 sm;
	char			 out[256];
	int64_t			 epoch, last;

	build();
	r = open_reader();
	out[0] = '\0';
	ck_assert_int_eq(store_query_feed_messages(r, "F", 1, 0, 100,
	    message_seq, out, err, sizeof err), 6);
	ck_assert_str_eq(out, "1,2,3,4,5,6");
	out[0] = '\0';
	ck_assert_int_eq(store_query_feed_messages(r, "F", 1, 2, 2,
	    message_seq, out, err, sizeof err), 2);
	ck_assert_str_eq(out, "3,4");
	out[0] = '\0';
	ck_assert_int_eq(store_query_feed_messages(r, "F", 2, 0, 100,
	    message_seq, out, err, sizeof err), 0);
	ck_assert_int_eq(store_query_feed_position(r, "F", &epoch, &last, err,
	    sizeof err), 1);
	ck_assert_int_eq(epoch, 1);
	ck_assert_int_eq(last, 6);
	ck_assert_int_eq(store_query_feed_position(r, "nosuch", &epoch, &last,
	    err, sizeof err), 0);
	ck_assert_int_eq(store_query_sample(r, &sm, err, sizeof err), 0);
	ck_assert_str_eq(sm.rule, "r1");
	ck_assert_str_eq(sm.actor, "p1");
	ck_assert_str_eq(sm.feed, "F");
	store_reader_close(r);
}
END_TEST

static Suite *
query_suite(void)
{
	Suite	*su;
	TCase	*tc;

	su = suite_create("query");
	tc = tcase_create("readers");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_timeline_order);
	tcase_add_test(tc, test_timeline_bounded);
	tcase_add_test(tc, test_timeline_raw);
	tcase_add_test(tc, test_plans_on_indexes);
	tcase_add_test(tc, test_rule_flags);
	tcase_add_test(tc, test_actor_journal);
	tcase_add_test(tc, test_attempts);
	tcase_add_test(tc, test_feed_messages_and_position);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(query_suite());
}
