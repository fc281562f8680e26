/*
 * check_timeline.c - Check suite for store/timeline.c: an attempt's
 * timeline on a real database file.  Messages, flags and gaps go in
 * through the store's own API (as a console writes them); the journal,
 * an imported journal, an imported flag and commands with their acks as
 * rows (their times are the test's, not the clock's).  The timeline must
 * hold exactly the attempt's items, in time order with the documented
 * tie-break, with outages, gaps (only those overlapping the attempt's
 * seqs), imported rows with their origin and flag ids mapped, hostile
 * strings as stored, a body that is not JSON without an error, and the
 * limit and an early stop obeyed.  And the facts of an attempt: found,
 * missing, or on two feeds.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <check.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "store/store.h"
#include "store/timeline.h"

#define CHECK_TMP_NAME	"check_timeline"
#include "check_tmp.h"
#include "tests/check_main.h"

static char	tmpdir[64];
static char	dbpath[128];
static char	err[1024];

#define T0	1700000000000LL		/* the story's start, ms */

static const char hostile_reason[] = "<script>\x1b[2J\xe2\x80\xae";

/* How far the console's clock is ahead of the feed's when add() stores a
 * message (received 5 ms after it was sent, plus this). */
static int64_t	skew_ms;

/* Queue one stream message of feed at T0 + at, seq, from its JSON fields
 * (without t, seq and ts). */
static void
add(struct store *s, const char *feed, const char *type, int64_t seq,
    int64_t at, const char *fields)
{
	struct proto_msg	m;
	char			raw[1024], ts[32];
	int			n;

	proto_time_format(T0 + at, ts);
	n = snprintf(raw, sizeof raw, "{\"t\":\"%s\",\"seq\":%lld,\"ts\":"
	    "\"%s\",%s}", type, (long long)seq, ts, fields);
	if (proto_decode(raw, (size_t)n, 0, &m, err, sizeof err) != 0)
		ck_abort_msg("proto_decode %s: %s", raw, err);
	if (store_add_message(s, feed, 1, &m, raw, (size_t)n, T0 + at + 5 +
	    skew_ms, err, sizeof err) != 0)
		ck_abort_msg("store_add_message: %s", err);
	proto_msg_clear(&m);
}

static void
flag(struct store *s, int64_t id, const char *attempt, int64_t first_seq,
    int64_t first_at, enum store_flag_state state, int64_t closed_at)
{
	struct store_flag	f;

	memset(&f, 0, sizeof f);
	f.id = id;
	f.feed = "F";
	f.attempt = attempt;
	f.rule = "focus";
	f.severity = PROTO_SEV_HIGH;
	f.message = "left the exam window";
	f.first_ms = f.last_ms = T0 + first_at;
	f.count = 1;
	f.first_seq = f.last_seq = first_seq;
	f.state = state;
	f.weight = 1;
	f.closed_ms = closed_at ? T0 + closed_at : 0;
	if (store_put_flag(s, &f, err, sizeof err) != 0)
		ck_abort_msg("store_put_flag: %s", err);
}

/*
 * The story of attempt A1 on feed F (times after T0, in ms):
 *   1000 attempt, 2000 focus_lost (flag 1 raised at 2000), 3000
 *   network_lost, 4000 an answer, 5000 network_restored, 6000 a body that
 *   is not JSON (state), 7000 the flag dismissed (journal, local) and
 *   closed, 7000 a warn sent, 7500 acked, 8000 an imported decision on
 *   imported flag 7 (flag 3 here), 9000 state submitted.
 * Distractions: A2 on F, A1 on feed G, a gap of F before A1's seqs.
 * And A3 on F, seen by a console whose clock is an hour ahead: messages
 * at 1000, 2000 and 3000, a note 10 ms after the second was received.
 */
/* The messages of the story, in the order they are received. */
static const struct {
	const char	*feed, *type;
	int64_t		 seq, at, skew_ms;
	const char	*fields;
} story[] = {
	{ "F", "attempt", 1, 1000, 0, "\"attempt\":\"A1\",\"candidate\":"
	    "\"C1\",\"name\":\"<img src=x onerror=alert(1)>\",\"exam\":\"E\","
	    "\"form\":\"f1\",\"modality\":\"remote\",\"state\":"
	    "\"in_progress\"" },
	{ "F", "attempt", 2, 1100, 0, "\"attempt\":\"A2\",\"candidate\":"
	    "\"C2\",\"name\":\"Bo\",\"exam\":\"E\",\"modality\":\"remote\","
	    "\"state\":\"in_progress\"" },
	{ "F", "event", 3, 2000, 0, "\"attempt\":\"A1\",\"kind\":"
	    "\"focus_lost\"" },
	{ "F", "event", 4, 2500, 0, "\"attempt\":\"A2\",\"kind\":"
	    "\"focus_lost\"" },
	{ "F", "event", 5, 3000, 0, "\"attempt\":\"A1\",\"kind\":"
	    "\"network_lost\"" },
	{ "F", "answer", 6, 4000, 0, "\"attempt\":\"A1\",\"item\":\"Q1\","
	    "\"response\":\"C\",\"correct\":true,\"elapsed_ms\":2500,"
	    "\"changed\":1" },
	{ "F", "event", 8, 5000, 0, "\"attempt\":\"A1\",\"kind\":"
	    "\"network_restored\"" },
	{ "F", "state", 9, 6000, 0, "\"attempt\":\"A1\",\"state\":"
	    "\"paused\"" },
	{ "F", "state", 10, 9000, 0, "\"attempt\":\"A1\",\"state\":"
	    "\"submitted\"" },
	{ "G", "attempt", 1, 1000, 0, "\"attempt\":\"A1\",\"candidate\":"
	    "\"C9\",\"name\":\"Other\",\"exam\":\"E\",\"modality\":"
	    "\"remote\",\"state\":\"in_progress\"" },
	{ "F", "attempt", 11, 1000, 3600000, "\"attempt\":\"A3\","
	    "\"candidate\":\"C3\",\"name\":\"Cy\",\"exam\":\"E\","
	    "\"modality\":\"remote\",\"state\":\"in_progress\"" },
	{ "F", "event", 12, 2000, 3600000, "\"attempt\":\"A3\",\"kind\":"
	    "\"focus_lost\"" },
	{ "F", "event", 13, 3000, 3600000, "\"attempt\":\"A3\",\"kind\":"
	    "\"focus_returned\",\"data\":{\"seconds\":1}" },
};

static void
build(void)
{
	struct store	*s;
	sqlite3		*db;
	char		 q[2048];
	size_t		 i;

	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	for (i = 0; i < sizeof story / sizeof story[0]; i++) {
		skew_ms = story[i].skew_ms;
		add(s, story[i].feed, story[i].type, story[i].seq, story[i].at,
		    story[i].fields);
	}
	skew_ms = 0;
	flag(s, 1, "A1", 3, 2000, STORE_FLAG_DISMISSED, 7000);
	flag(s, 2, "A2", 4, 2500, STORE_FLAG_OPEN, 0);
	/* Seq 7 lost between A1's messages; seq 0..0 before them. */
	ck_assert_int_eq(store_add_gap(s, "F", 1, 7, 7, "evicted", T0 + 5200,
	    err, sizeof err), 0);
	ck_assert_int_eq(store_add_gap(s, "F", 1, 0, 0, "before", T0 + 500,
	    err, sizeof err), 0);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);

	/* What the store stamps with the clock, written with the story's
	 * times (the readers never check the hashes, nor the signatures:
	 * the rows are written as from before schema 4). */
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(q, sizeof q,
	    "UPDATE meta SET value = '100' WHERE key = 'signed_from';"
	    "INSERT INTO journal (seq, time_ms, actor, role, kind, feed, "
	    "attempt, flag_id, reason_code, reason, body, prev_hash, hash) "
	    "VALUES (1, %lld, 'ana', 'proctor', 'dismiss', 'F', 'A1', 1, "
	    "'glitch', ?1, '{}', printf('%%064d', 0), 'h1');"
	    "INSERT INTO journal (seq, time_ms, actor, role, kind, feed, "
	    "attempt, flag_id, reason_code, reason, detail, body, prev_hash, "
	    "hash) VALUES (2, %lld, 'ana', 'proctor', 'warn', 'F', 'A1', NULL,"
	    " NULL, 'eyes on screen', '{\"cmd\":\"c1\"}', '{}', 'h1', 'h2');"
	    "INSERT INTO journal (seq, time_ms, actor, role, kind, feed, "
	    "attempt, body, prev_hash, hash) VALUES (3, %lld, 'F', 'feed', "
	    "'cmd_ack', 'F', 'A1', '{}', 'h2', 'h3');"
	    "INSERT INTO journal (seq, time_ms, actor, role, kind, feed, "
	    "attempt, body, prev_hash, hash) VALUES (4, %lld, 'bo', "
	    "'proctor', 'note', 'F', 'A2', '{}', 'h3', 'h4');"
	    "INSERT INTO journal (seq, time_ms, actor, role, kind, feed, "
	    "attempt, body, prev_hash, hash) VALUES (5, %lld, 'bo', "
	    "'proctor', 'note', 'F', 'A3', '{}', 'h4', 'h5');"
	    "INSERT INTO commands (id, feed, attempt, action, text, actor, "
	    "sent_ms, ack_ms, ok) VALUES ('c1', 'F', 'A1', 'warn', "
	    "'eyes on screen', 'ana', %lld, %lld, 1);"
	    "INSERT INTO sources (origin, path, imported_ms, journal_size) "
	    "VALUES ('other/journal/1', 'b.db', 0, 1);"
	    "INSERT INTO flags (id, feed, attempt, rule, severity, count, "
	    "state, source, source_id, first_ms, first_seq, closed_ms) VALUES "
	    "(3, 'F', 'A1', 'face', 'low', 1, 'confirmed', 'other/journal/1', "
	    "7, %lld, 8, %lld);"
	    "INSERT INTO imported_journal (origin, seq, time_ms, actor, role, "
	    "kind, feed, attempt, flag_id, reason, body, prev_hash, hash) "
	    "VALUES ('other/journal/1', 1, %lld, 'cy', 'proctor', 'confirm', "
	    "'F', 'A1', 7, 'seen twice', '{}', printf('%%064d', 0), 'x1');"
	    "UPDATE messages SET body = '{not json' WHERE feed = 'F' AND "
	    "seq = 9;",
	    T0 + 7000, T0 + 7000, T0 + 7500, T0 + 7000,
	    T0 + 2000 + 5 + 3600000 + 10, T0 + 7000, T0 + 7500,
	    T0 + 5000, T0 + 8000, T0 + 8000);
	{
		sqlite3_stmt	*st;
		const char	*tail = q;

		/* The first statement binds the hostile reason. */
		while (*tail != '\0') {
			ck_assert_int_eq(sqlite3_prepare_v2(db, tail, -1, &st,
			    &tail), SQLITE_OK);
			if (st == NULL)
				break;
			sqlite3_bind_text(st, 1, hostile_reason, -1,
			    SQLITE_STATIC);
			ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
			sqlite3_finalize(st);
		}
	}
	sqlite3_close(db);
}

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	snprintf(dbpath, sizeof dbpath, "%s/invigil.db", tmpdir);
	err[0] = '\0';
	build();
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
}

/* Lines "time kind what [extra]" gathered from the timeline. */
struct lines {
	char	 text[8192];
	int	 n, stop_at;
	char	 reason[256];
	char	 origin[64];
	int64_t	 imported_flag;
	char	 command[16];
};

static int
collect(const struct store_tl_item *it, void *arg)
{
	struct lines	*l = arg;
	size_t		 len = strlen(l->text);

	snprintf(l->text + len, sizeof l->text - len, "%lld%s %s %s\n",
	    (long long)(it->time_ms - T0), it->clock == STORE_TL_LOCAL ? "L" :
	    "F", store_tl_kind_name(it->kind), it->what ? it->what : "-");
	if (it->kind == STORE_TL_DECISION && it->reason != NULL &&
	    l->reason[0] == '\0')
		snprintf(l->reason, sizeof l->reason, "%s", it->reason);
	if (it->kind == STORE_TL_DECISION && it->origin != NULL) {
		snprintf(l->origin, sizeof l->origin, "%s", it->origin);
		l->imported_flag = it->flag_id;
	}
	if (it->kind == STORE_TL_DECISION && it->command_id != NULL)
		snprintf(l->command, sizeof l->command, "%s", it->command_id);
	return ++l->n == l->stop_at;
}

static struct store_reader *
reader(void)
{
	struct store_reader	*r;

	if (store_reader_open(&r, dbpath, err, sizeof err) != 0)
		ck_abort_msg("store_reader_open: %s", err);
	return r;
}

START_TEST(test_order)
{
	struct store_reader	*r = reader();
	struct lines		 l;
	const char		*want =
	    "1000F attempt attempt\n"
	    "2000F event focus_lost\n"
	    "2000F flag_raised focus\n"
	    "3000F outage_start network_lost\n"
	    "4000F answer Q1\n"
	    "5000F outage_end network_restored\n"
	    "5000F flag_raised face\n"
	    "5200L gap evicted\n"
	    "6000F state -\n"
	    "7000L decision dismiss\n"
	    "7000L decision warn\n"
	    "7000L flag_closed focus\n"
	    "7000L command_sent warn\n"
	    "7500L command_ack warn\n"
	    "8000L decision confirm\n"
	    "8000L flag_closed face\n"
	    "9000F state submitted\n";

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A1", 1000, collect, &l, err,
	    sizeof err), 17);
	ck_assert_str_eq(l.text, want);
	/* Raw, as stored; the imported decision names its origin and the
	 * flag's id here, not the source's 7. */
	ck_assert_str_eq(l.reason, hostile_reason);
	ck_assert_str_eq(l.origin, "other/journal/1");
	ck_assert_int_eq(l.imported_flag, 3);
	ck_assert_str_eq(l.command, "c1");
	store_reader_close(r);
}
END_TEST

/* "order kind" lines, order_ms after T0. */
static int
orders(const struct store_tl_item *it, void *arg)
{
	struct lines	*l = arg;
	size_t		 len = strlen(l->text);

	snprintf(l->text + len, sizeof l->text - len, "%lld %s\n",
	    (long long)(it->order_ms - T0), store_tl_kind_name(it->kind));
	return 0;
}

/* A console an hour ahead of the feed: its note comes after the message it
 * had received, not after everything, and keeps its own time. */
START_TEST(test_clocks)
{
	struct store_reader	*r = reader();
	struct lines		 l;

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A3", 100, orders, &l, err,
	    sizeof err), 4);
	ck_assert_str_eq(l.text, "1000 attempt\n2000 event\n2010 decision\n"
	    "3000 event\n");
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A3", 100, collect, &l, err,
	    sizeof err), 4);
	ck_assert_str_eq(l.text, "1000F attempt attempt\n2000F event "
	    "focus_lost\n3602015L decision note\n3000F event focus_returned\n");
	/* A1's console had no skew: each act 5 ms before its own time. */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A1", 100, orders, &l, err,
	    sizeof err), 17);
	ck_assert_msg(strstr(l.text, "6995 decision\n6995 decision\n6995 "
	    "flag_closed\n6995 command_sent\n7495 command_ack\n") != NULL,
	    "%s", l.text);
	store_reader_close(r);
}
END_TEST

/* An answer's summary says what was answered; the hostile name is kept. */
static int
summaries(const struct store_tl_item *it, void *arg)
{
	struct lines	*l = arg;
	size_t		 len = strlen(l->text);

	if (it->summary != NULL && (it->kind == STORE_TL_ANSWER ||
	    it->kind == STORE_TL_ATTEMPT || it->kind == STORE_TL_GAP ||
	    it->kind == STORE_TL_COMMAND_ACK))
		snprintf(l->text + len, sizeof l->text - len, "%s\n",
		    it->summary);
	ck_assert(it->summary == NULL ||
	    strlen(it->summary) <= 4 * STORE_TL_SUMMARY_MAX);
	return 0;
}

START_TEST(test_summaries)
{
	struct store_reader	*r = reader();
	struct lines		 l;

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A1", 1000, summaries, &l,
	    err, sizeof err), 17);
	ck_assert_str_eq(l.text,
	    "<img src=x onerror=alert(1)> (C1), exam E form f1, in_progress\n"
	    "item Q1: C (right), 2.5 s, changed 1x\n"
	    "seqs 7..7 of epoch 1 cannot be replayed: evicted\n"
	    "warn done\n");
	store_reader_close(r);
}
END_TEST

START_TEST(test_limit_and_stop)
{
	struct store_reader	*r = reader();
	struct lines		 l;

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "A1", 3, collect, &l, err,
	    sizeof err), 3);
	ck_assert_int_eq(l.n, 3);
	memset(&l, 0, sizeof l);
	l.stop_at = 2;
	ck_assert_int_eq(store_timeline(r, "F", "A1", 100, collect, &l, err,
	    sizeof err), 2);
	ck_assert_str_eq(l.text, "1000F attempt attempt\n2000F event "
	    "focus_lost\n");
	/* Another feed's A1 has its own timeline: its attempt message only. */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "G", "A1", 100, collect, &l, err,
	    sizeof err), 1);
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline(r, "F", "nobody", 100, collect, &l,
	    err, sizeof err), 0);
	store_reader_close(r);
}
END_TEST

/* The newest items first, as many as asked for; and the attempt of a
 * message by its seq (the console's detail view). */
START_TEST(test_last_and_seq)
{
	struct store_reader	*r = reader();
	struct lines		 l;
	char			 id[16];

	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline_last(r, "F", "A1", 3, collect, &l,
	    err, sizeof err), 3);
	ck_assert_str_eq(l.text, "9000F state submitted\n"
	    "8000L flag_closed face\n"
	    "8000L decision confirm\n");
	/* All of it: the timeline backwards. */
	memset(&l, 0, sizeof l);
	ck_assert_int_eq(store_timeline_last(r, "F", "A1", 1000, collect, &l,
	    err, sizeof err), 17);
	ck_assert_ptr_nonnull(strstr(l.text, "2000F flag_raised focus\n"
	    "2000F event focus_lost\n1000F attempt attempt\n"));
	ck_assert_int_eq(store_timeline_last(r, "F", "nobody", 10, collect,
	    &l, err, sizeof err), 0);

	ck_assert_int_eq(store_tl_seq_attempt(r, "F", 1, 4, id, sizeof id,
	    err, sizeof err), 1);
	ck_assert_str_eq(id, "A2");
	ck_assert_int_eq(store_tl_seq_attempt(r, "F", 1, 3, id, sizeof id,
	    err, sizeof err), 1);
	ck_assert_str_eq(id, "A1");
	/* Seq 7 was lost; another epoch holds nothing. */
	ck_assert_int_eq(store_tl_seq_attempt(r, "F", 1, 7, id, sizeof id,
	    err, sizeof err), 0);
	ck_assert_str_eq(id, "");
	ck_assert_int_eq(store_tl_seq_attempt(r, "F", 2, 4, id, sizeof id,
	    err, sizeof err), 0);
	store_reader_close(r);
}
END_TEST

START_TEST(test_facts)
{
	struct store_reader	*r = reader();
	struct store_tl_facts	 f;

	ck_assert_int_eq(store_tl_facts(r, "F", "A1", &f, err, sizeof err),
	    1);
	ck_assert_str_eq(f.name, "<img src=x onerror=alert(1)>");
	ck_assert_str_eq(f.form, "f1");
	ck_assert_str_eq(f.state, "submitted");
	ck_assert_int_eq(f.n_messages, 7);
	ck_assert_int_eq(f.first_ms, T0 + 1000);
	ck_assert_int_eq(f.last_ms, T0 + 9000);
	ck_assert_ptr_null(f.center);
	store_tl_facts_free(&f);
	ck_assert_int_eq(store_tl_facts(r, NULL, "A2", &f, err, sizeof err),
	    1);
	ck_assert_str_eq(f.feed, "F");
	store_tl_facts_free(&f);
	ck_assert_int_eq(store_tl_facts(r, NULL, "A1", &f, err, sizeof err),
	    -1);
	ck_assert_msg(strstr(err, "give --feed") != NULL, "%s", err);
	ck_assert_int_eq(store_tl_facts(r, "G", "A2", &f, err, sizeof err),
	    0);
	ck_assert_msg(strstr(err, "no attempt \"A2\" on feed \"G\"") != NULL,
	    "%s", err);
	store_reader_close(r);
}
END_TEST

/* Every table the timeline reads is searched through an index: a
 * timeline never reads the whole messages, flags or journal table. */
START_TEST(test_plan)
{
	struct store_reader	*r = reader();
	char			 plan[8192], *line;

	ck_assert_int_eq(store_tl_plan(r, plan, sizeof plan, err, sizeof err),
	    0);
	ck_assert_msg(strstr(plan, "messages_attempt") != NULL, "%s", plan);
	ck_assert_msg(strstr(plan, "flags_attempt") != NULL, "%s", plan);
	ck_assert_msg(strstr(plan, "journal_attempt") != NULL, "%s", plan);
	ck_assert_msg(strstr(plan, "imported_journal_attempt") != NULL, "%s",
	    plan);
	ck_assert_msg(strstr(plan, "gaps_feed") != NULL, "%s", plan);
	for (line = strtok(plan, "\n"); line != NULL;
	    line = strtok(NULL, "\n"))
	{
		ck_assert_msg(strncmp(line, "SCAN ", 5) != 0 ||
		    strcmp(line, "SCAN s") == 0, "a whole table read: %s",
		    line);
		/* Not a search by feed alone, which reads the whole feed. */
		if (strncmp(line, "SEARCH messages ", 16) == 0 ||
		    strncmp(line, "SEARCH m ", 9) == 0)
			ck_assert_msg(strstr(line, "messages_attempt") != NULL,
			    "messages read by feed: %s", line);
	}
	store_reader_close(r);
}
END_TEST

static Suite *
timeline_suite(void)
{
	Suite	*su = suite_create("timeline");
	TCase	*tc = tcase_create("timeline");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_summaries);
	tcase_add_test(tc, test_limit_and_stop);
	tcase_add_test(tc, test_last_and_seq);
	tcase_add_test(tc, test_facts);
	tcase_add_test(tc, test_plan);
	tcase_add_test(tc, test_clocks);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(timeline_suite());
}
