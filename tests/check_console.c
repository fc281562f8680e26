/*
 * check_console.c - unit tests of the console's model: what ingest_receive()
 * does with welcome, stream messages, duplicates, holes and garbage; flags
 * raised once per rule and attempt and re-armed after a decision; decisions
 * that need a reason, a flag or a connected feed; feed URL parsing; a URL
 * that starts answering as another feed id (the old feed's attempts, flags
 * and commands stay its own); duplicates that conflict, late messages in a
 * gap, seqs and gaps at the edge of the integers.  (The reconnect backoff
 * and its jitter are check_model's.)  The store is a real
 * SQLite file in a temporary directory.
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console/console.h"

#define CHECK_TMP_NAME	"check_console"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

static char		 dir[64];
static char		 dbpath[128];
static struct app	 app;
static struct feed_link *cf;

/*
 * The tests' transport: "connected" when test_up says, sending nothing.
 * Nothing reaches a socket: a command that would be sent is refused
 * before it is, or the test would see it in sent.
 */
static int	test_up, test_sent;

static int
test_connected(const struct feed_link *l)
{
	(void)l;
	return test_up;
}

static int
test_send(struct feed_link *l, const char *text, size_t len)
{
	(void)l;
	(void)text;
	(void)len;
	test_sent++;
	return 0;
}

static void
test_close(struct feed_link *l, int code, const char *reason)
{
	(void)l;
	(void)code;
	(void)reason;
}

static const struct link_ops test_ops = {
	.name = "test",
	.send = test_send,
	.close = test_close,
	.connected = test_connected,
};

/* A console on dbpath with one connection, as app_init leaves it. */
static void
console_open(void)
{
	char	err[512];

	memset(&app, 0, sizeof app);
	ck_assert_int_eq(store_open(&app.store, dbpath, err, sizeof err), 0);
	check_signer(app.store, "unit", "proctor");
	app.opt.proctor = "unit";
	app.rules = rules_default();
	app.engine = rules_engine_new(app.rules);
	app.opt.db = dbpath;
	app.nfeeds = 1;
	cf = &app.feeds[0];
	cf->app = &app;
	cf->index = 0;
	cf->ops = &test_ops;
	cf->impl = &test_up;
	test_up = test_sent = 0;
	snprintf(cf->url, sizeof cf->url, "ws://127.0.0.1:1/");
}

static void
setup(void)
{
	check_tmp_make(dir, sizeof dir);
	snprintf(dbpath, sizeof dbpath, "%s/c.db", dir);
	console_open();
}

static void
teardown(void)
{
	app_free(&app);
	check_tmp_rm(dir);
}

/* Encode m and hand it to the console as if it came off the wire. */
static void
deliver(struct proto_msg *m)
{
	char	 err[256], *json;
	size_t	 len;

	if (m->ts_ms == 0)
		m->ts_ms = 1795400000000LL + m->seq % 1000000 * 1000;
	json = proto_encode(m, &len, err, sizeof err);
	ck_assert_msg(json != NULL, "encode: %s", err);
	ingest_receive(cf, json, len);
	free(json);
}

/* A welcome from feed id on the connection. */
static void
deliver_welcome_as(const char *id, int64_t epoch)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_WELCOME;
	snprintf(m.u.welcome.feed, sizeof m.u.welcome.feed, "%s", id);
	snprintf(m.u.welcome.name, sizeof m.u.welcome.name, "Unit feed");
	m.u.welcome.epoch = epoch;
	m.u.welcome.first_seq = 1;
	deliver(&m);
}

static void
deliver_welcome(int64_t epoch)
{
	deliver_welcome_as("unit-feed", epoch);
}

/* The connection dropped and came back: a new connection, a new welcome. */
static void
reconnect(void)
{
	cf->welcomed = 0;
	cf->resync = 0;
	cf->resumed_epoch = 0;
	cf->resumed_for[0] = '\0';
}

/* A gap message for from..to. */
static void
deliver_gap(int64_t from, int64_t to)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_GAP;
	m.u.gap.from_seq = from;
	m.u.gap.to_seq = to;
	snprintf(m.u.gap.why, sizeof m.u.gap.why, "unit gap");
	m.ts_ms = 1795400000000LL;
	deliver(&m);
}

static void
deliver_attempt(int64_t seq, const char *id)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = seq;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s", id);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "C-%s", id);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "\x1b[31mEve\xe2\x80\xae");
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX");
	m.u.attempt.modality = PROTO_MODALITY_REMOTE;
	m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
	deliver(&m);
}

static void
deliver_event(int64_t seq, const char *id, enum proto_event_kind kind)
{
	struct proto_msg	m;
	char			data[] = "{\"n\":1}";

	memset(&m, 0, sizeof m);
	m.type = PROTO_EVENT;
	m.seq = seq;
	snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s", id);
	m.u.event.kind = kind;
	m.u.event.data = data;
	m.u.event.data_len = strlen(data);
	deliver(&m);
}

static int64_t
query_int(const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v = -1;
	char		 err[256];

	ck_assert_int_eq(store_flush(app.store, err, sizeof err), 0);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static struct attempt *
find_attempt(const char *id)
{
	size_t	i;

	for (i = 0; i < app.model.nattempts; i++) {
		if (strcmp(app.model.attempts[i]->id, id) == 0)
			return app.model.attempts[i];
	}
	return NULL;
}

/* A new console process on the same database (the connection unknown). */
static void
restart(void)
{
	app_free(&app);
	console_open();
}

/* The attempt id of feed, or NULL. */
static struct attempt *
find_attempt_of(const char *feed, const char *id)
{
	size_t	i;

	for (i = 0; i < app.model.nattempts; i++) {
		if (strcmp(app.model.attempts[i]->id, id) == 0 &&
		    strcmp(app.model.attempts[i]->feed->id, feed) == 0)
			return app.model.attempts[i];
	}
	return NULL;
}

/* A decision as the screen makes it: on the attempt's top open flag. */
static int
decide(struct attempt *a, const char *action, const char *reason, char *err,
    size_t errlen)
{
	struct decision		d;
	struct decision_result	dr;

	memset(&d, 0, sizeof d);
	d.attempt = a;
	d.action = action;
	d.reason = reason;
	return app_decide(&app, &d, &dr, err, errlen);
}

START_TEST(test_stream_stored_once)
{
	deliver_welcome(7);
	ck_assert_int_eq(cf->state, CONN_LIVE);
	ck_assert_str_eq(cf->session->id, "unit-feed");
	deliver_attempt(1, "A1");
	deliver_event(2, "A1", PROTO_EV_GAZE_AWAY);
	deliver_event(2, "A1", PROTO_EV_GAZE_AWAY);	/* duplicate */
	deliver_event(3, "A1", PROTO_EV_FOCUS_LOST);
	ck_assert_uint_eq(cf->session->messages, 3);
	ck_assert_uint_eq(cf->session->rejects, 0);
	ck_assert_int_eq(cf->session->last_seq, 3);
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
	ck_assert_int_eq(query_int("select last_seq from feeds where "
	    "feed='unit-feed' and epoch=7"), 3);
	ck_assert_ptr_nonnull(find_attempt("A1"));
	ck_assert_uint_eq(find_attempt("A1")->events, 2);
	ck_assert_int_eq(find_attempt("A1")->last_kind, PROTO_EV_FOCUS_LOST);
	/* The raw text is kept: ESC as the feed escaped it in JSON, and
	 * decoded, unsanitised, in the attempts table. */
	ck_assert_int_eq(query_int("select instr(lower(body), '\\u001b[31meve') > 0 "
	    "from messages where seq=1"), 1);
	ck_assert_int_eq(query_int("select instr(name, char(27)) = 1 from "
	    "attempts where attempt='A1'"), 1);
	ck_assert_int_eq(query_int("select instr(name, char(8238)) > 0 from "
	    "attempts where attempt='A1'"), 1);
}
END_TEST

START_TEST(test_hole_recorded_as_gap)
{
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_event(5, "A1", PROTO_EV_IDLE);
	ck_assert_uint_eq(cf->session->gaps, 1);
	ck_assert_int_eq(query_int("select from_seq * 100 + to_seq from gaps"),
	    204);
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
}
END_TEST

START_TEST(test_garbage_rejected_stream_goes_on)
{
	const char	bad[] = "{\"t\":\"event\",\"seq\":2,\"ts\":\"2026-11-23T"
	    "00:00:00.000Z\",\"attempt\":\"A1\",\"kind\":\"focus_lsot\"}";
	const char	early[] = "{\"t\":\"state\",\"seq\":1,\"ts\":\"2026-11-23T"
	    "00:00:00.000Z\",\"attempt\":\"A1\",\"state\":\"paused\"}";

	ingest_receive(cf, early, strlen(early));		/* before welcome */
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	ingest_receive(cf, bad, strlen(bad));
	ingest_receive(cf, "not json", 8);
	deliver_event(3, "A1", PROTO_EV_IDLE);
	ck_assert_uint_eq(cf->early_rejects + cf->session->rejects, 3);
	ck_assert_int_eq(query_int("select count(*) from rejects"), 3);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '%kind%'"), 1);
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
}
END_TEST

/*
 * Issue 11: an invalid stream message numbers a seq too: it is recorded as
 * rejected, with the decoder's reason, not as a jump when the next arrives.
 */
START_TEST(test_invalid_seq_recorded_as_rejected)
{
	const char	bad2[] = "{\"t\":\"event\",\"seq\":2,\"ts\":\"2026-11-"
	    "23T00:00:00.000Z\",\"attempt\":\"A1\",\"kind\":\"focus_lsot\"}";
	const char	bad5[] = "{\"t\":\"answer\",\"seq\":5,\"ts\":\"2026-11-"
	    "23T00:00:00.000Z\",\"attempt\":\"A1\"}";
	const char	old[] = "{\"t\":\"state\",\"seq\":1,\"state\":\"x\"}";
	const char	dup[] = "{\"t\":\"state\",\"seq\":9,\"seq\":9}";
	const char	gap[] = "{\"t\":\"gap\",\"seq\":9}";

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	ingest_receive(cf, bad2, strlen(bad2));
	ck_assert_int_eq(cf->session->last_seq, 2);
	deliver_event(3, "A1", PROTO_EV_IDLE);
	ck_assert_int_eq(query_int("select count(*) from gaps where why "
	    "like '%jumped%'"), 0);
	ck_assert_int_eq(query_int("select count(*) from gaps where from_seq=2 "
	    "and to_seq=2 and why like 'seq 2 kept in rejects: field "
	    "\"kind\": unknown event kind \"focus_lsot\"%'"), 1);

	/* Ahead of the next seq: the hole is a jump, the seq itself not. */
	ingest_receive(cf, bad5, strlen(bad5));
	ck_assert_int_eq(cf->session->last_seq, 5);
	ck_assert_int_eq(query_int("select count(*) from gaps where from_seq=4 "
	    "and to_seq=4 and why like 'seq jumped from 3 to 5 (a message "
	    "kept in rejects)%'"), 1);
	ck_assert_int_eq(query_int("select count(*) from gaps where from_seq=5 "
	    "and to_seq=5 and why like 'seq 5 kept in rejects: missing "
	    "field%'"), 1);

	/* Behind the position, a duplicate seq, a control type: no seq. */
	ingest_receive(cf, old, strlen(old));
	ingest_receive(cf, dup, strlen(dup));
	ingest_receive(cf, gap, strlen(gap));
	ck_assert_int_eq(cf->session->last_seq, 5);
	ck_assert_int_eq(query_int("select count(*) from gaps"), 3);
	ck_assert_int_eq(query_int("select count(*) from rejects"), 5);
	ck_assert_int_eq(query_int("select last_seq from feeds where "
	    "feed='unit-feed' and epoch=7"), 5);
	deliver_event(6, "A1", PROTO_EV_IDLE);
	ck_assert_int_eq(query_int("select count(*) from gaps"), 3);
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
}
END_TEST

/*
 * Issue 11: every console sees every ack; one for a command this console
 * did not send is stored, journaled once as the feed's cmd_ack (no attempt
 * or action known), and touches no pending command.
 */
START_TEST(test_ack_of_another_console)
{
	struct proto_msg	m;

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	memset(&m, 0, sizeof m);
	m.type = PROTO_ACK;
	m.seq = 2;
	snprintf(m.u.ack.cmd, sizeof m.u.ack.cmd, "someone-else-1");
	m.u.ack.ok = 1;
	deliver(&m);
	m.seq = 3;			/* the feed answers the repeat */
	deliver(&m);
	ck_assert_int_eq(cf->session->last_seq, 3);
	ck_assert_int_eq(query_int("select count(*) from messages where "
	    "seq in (2, 3)"), 2);
	ck_assert_int_eq(query_int("select count(*) from rejects"), 0);
	ck_assert_int_eq(query_int("select count(*) from journal where "
	    "kind='cmd_ack' and attempt is null and detail like "
	    "'%someone-else-1%'"), 1);
	ck_assert_int_eq(query_int("select count(*) from journal"), 1);
	ck_assert_ptr_null(app.pending);
}
END_TEST

/*
 * Issue 11: an epoch above 2^53-1 is not exact in JavaScript: such a
 * welcome is invalid; nothing on the connection can be placed, so it is
 * closed (1002) instead of filing the whole stream in rejects.
 */
START_TEST(test_welcome_epoch_past_2_53)
{
	const char	w[] = "{\"t\":\"welcome\",\"ts\":\"2026-11-23T00:00:00.000Z\","
	    "\"feed\":\"big\",\"name\":\"n\",\"epoch\":9007199254740992,"
	    "\"first_seq\":1,\"last_seq\":0}";

	ingest_receive(cf, w, strlen(w));
	ck_assert_int_eq(cf->welcomed, 0);
	ck_assert_ptr_null(cf->session);
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like 'field \"epoch\": expected an integer from 1 to "
	    "9007199254740991%'"), 1);
	ck_assert_msg(strstr(cf->last_error, "welcome is invalid") != NULL,
	    "last_error: %s", cf->last_error);
	ck_assert_int_eq(query_int("select count(*) from feeds"), 0);
	deliver_welcome(9007199254740991LL);
	ck_assert_int_eq(cf->session->epoch, 9007199254740991LL);
}
END_TEST

START_TEST(test_flag_once_per_rule_and_rearmed)
{
	struct attempt	*a;
	char		 err[256];

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_attempt(2, "A2");
	deliver_event(3, "A1", PROTO_EV_FACES_MULTIPLE);
	deliver_event(4, "A1", PROTO_EV_FACES_MULTIPLE);
	deliver_event(5, "A1", PROTO_EV_GAZE_AWAY);	/* raises nothing */
	deliver_event(6, "A1", PROTO_EV_IDENTITY_MISMATCH);
	a = find_attempt("A1");
	ck_assert_int_eq(a->open_flags, 2);
	ck_assert_int_eq(a->top_severity, PROTO_SEV_CRITICAL);
	ck_assert_uint_eq(app.model.open_flags, 2);
	ck_assert_int_eq(query_int("select count from flags where "
	    "rule='faces_multiple'"), 2);

	/* Most urgent first. */
	app_sort(&app);
	ck_assert_str_eq(app.model.attempts[0]->id, "A1");

	/* A decision needs a reason; dismiss takes the most severe flag. */
	ck_assert_int_eq(decide(a, "dismiss", "", err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "reason"));
	ck_assert_int_eq(decide(a, "dismiss", "twin in frame",
	    err, sizeof err), 0);
	ck_assert_int_eq(query_int("select count(*) from journal where "
	    "kind='dismiss' and actor='unit' and attempt='A1' and "
	    "reason='twin in frame'"), 1);
	ck_assert_int_eq(query_int("select count(*) from flags where "
	    "rule='identity_mismatch' and state='dismissed'"), 1);
	ck_assert_int_eq(a->open_flags, 1);
	ck_assert_int_eq(decide(a, "confirm", "two faces",
	    err, sizeof err), 0);
	ck_assert_int_eq(a->open_flags, 0);
	ck_assert_int_eq(decide(a, "confirm", "again",
	    err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "no open flag"));

	/* Re-armed: the next matching event opens a new flag. */
	deliver_event(7, "A1", PROTO_EV_FACES_MULTIPLE);
	ck_assert_int_eq(a->open_flags, 1);
	ck_assert_int_eq(query_int("select count(*) from flags where "
	    "rule='faces_multiple'"), 2);
	ck_assert_int_eq(query_int("select max(seq) from journal"), 2);
}
END_TEST

START_TEST(test_command_needs_connected_feed)
{
	char	err[256];

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	/* No WebSocket here: nothing may be recorded or sent. */
	ck_assert_int_eq(decide(find_attempt("A1"), "pause",
	    "stepped out", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not connected"));
	ck_assert_int_eq(query_int("select count(*) from journal"), 0);
	ck_assert_int_eq(query_int("select count(*) from commands"), 0);
	ck_assert_int_eq(decide(find_attempt("A1"), "note",
	    "seen on camera", err, sizeof err), 0);
	ck_assert_int_eq(decide(find_attempt("A1"), "vanish",
	    "x", err, sizeof err), -1);
}
END_TEST

/*
 * A command whose reason (its text on the wire) is over the protocol's
 * 1024 bytes is refused before anything is journaled, never cut inside a
 * character, acknowledged and then never sendable.
 */
START_TEST(test_command_text_over_limit)
{
	static const char	*tails[] = { "\xe2\x82\xac", "", "\xc3\xa9" };
	char			 err[512], reason[PROTO_TEXT_MAX + 64];
	int			 i;
	size_t			 n;

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	/* Connected as far as app_decide can tell; nothing reaches lws
	 * unless a command is accepted, which none here may be. */
	test_up = 1;
	cf->welcomed = 1;
	for (i = 0; i < 3; i++) {
		n = (size_t)(i == 1 ? PROTO_TEXT_MAX + 1 : PROTO_TEXT_MAX - 1);
		memset(reason, 'a', n);
		snprintf(reason + n, sizeof reason - n, "%s", tails[i]);
		ck_assert_int_eq(decide(find_attempt("A1"), "warn", reason,
		    err, sizeof err), -1);
		ck_assert_msg(strstr(err, "may be at most 1024 bytes") != NULL,
		    "%s", err);
	}
	test_up = 0;
	ck_assert_int_eq(query_int("select count(*) from journal"), 0);
	ck_assert_int_eq(query_int("select count(*) from commands"), 0);
	ck_assert_ptr_null(app.pending);
}
END_TEST

START_TEST(test_resume_position_from_store)
{
	char	err[256];

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_event(2, "A1", PROTO_EV_IDLE);
	ck_assert_int_eq(store_flush(app.store, err, sizeof err), 0);
	/* A new console process on the same database. */
	restart();
	deliver_welcome(7);
	ck_assert_int_eq(cf->session->last_seq, 2);
	deliver_event(2, "A1", PROTO_EV_IDLE);		/* replayed: no-op */
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
	ck_assert_uint_eq(cf->session->rejects, 0);
	/* Same feed, new epoch: seq starts again. */
	reconnect();
	deliver_welcome(8);
	ck_assert_int_eq(cf->session->last_seq, 0);
	deliver_event(1, "A1", PROTO_EV_IDLE);
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
}
END_TEST

START_TEST(test_parse_url)
{
	struct ws_url	f;
	char		err[256];

	memset(&f, 0, sizeof f);
	ck_assert_int_eq(link_ws_parse_url("ws://exam.example:7450/live", &f,
	    err, sizeof err), 0);
	ck_assert_str_eq(f.host, "exam.example");
	ck_assert_int_eq(f.port, 7450);
	ck_assert_str_eq(f.path, "/live");
	ck_assert_int_eq(f.tls, 0);
	ck_assert_int_eq(link_ws_parse_url("wss://h", &f, err, sizeof err), 0);
	ck_assert_int_eq(f.port, 443);
	ck_assert_str_eq(f.path, "/");
	ck_assert_int_eq(f.tls, 1);
	ck_assert_int_eq(link_ws_parse_url("http://h/", &f, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "ws://"));
	ck_assert_int_eq(link_ws_parse_url("ws://h:99999/", &f, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "port"));
	ck_assert_int_eq(link_ws_parse_url("ws://:80/", &f, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "host"));
	ck_assert_int_eq(link_ws_parse_url("ws://h:+80/", &f, err, sizeof err),
	    -1);
	ck_assert_int_eq(link_ws_parse_url("ws://h: 80/", &f, err, sizeof err),
	    -1);
	/* IPv6 literals, in brackets (issue 16). */
	ck_assert_int_eq(link_ws_parse_url("ws://[::1]:7450/live", &f, err,
	    sizeof err), 0);
	ck_assert_str_eq(f.host, "::1");
	ck_assert_int_eq(f.port, 7450);
	ck_assert_str_eq(f.path, "/live");
	ck_assert_int_eq(link_ws_parse_url("wss://[2001:db8::7]", &f, err,
	    sizeof err), 0);
	ck_assert_str_eq(f.host, "2001:db8::7");
	ck_assert_int_eq(f.port, 443);
	ck_assert_str_eq(f.path, "/");
	ck_assert_int_eq(link_ws_parse_url("ws://[::1]/", &f, err,
	    sizeof err), 0);
	ck_assert_int_eq(f.port, 80);
	ck_assert_int_eq(link_ws_parse_url("ws://[::1:7450/", &f, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "brackets"));
	ck_assert_int_eq(link_ws_parse_url("ws://[]:7450/", &f, err,
	    sizeof err), -1);
	ck_assert_int_eq(link_ws_parse_url("ws://[::1]x/", &f, err,
	    sizeof err), -1);
	ck_assert_int_eq(link_ws_parse_url("ws://[exam.example]:1/", &f, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an IPv6 address"));
	ck_assert_int_eq(link_ws_parse_url("ws://[::1]:0/", &f, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "port"));
}
END_TEST

/* Text of the first column of the first row of sql ("" if none). */
static void
query_text(const char *sql, char *out, size_t outsz)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 err[256];

	out[0] = '\0';
	ck_assert_int_eq(store_flush(app.store, err, sizeof err), 0);
	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, outsz, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * Issue 2: the URL answered as feed-A, then (after a reconnection) as
 * feed-B.  Both have an attempt A0001: they stay two attempts, each with
 * its own flags, and a command for feed-A's attempt is not sent to
 * feed-B.  The journal says the URL now answers as feed-B.
 */
START_TEST(test_feed_replaced_keeps_identity)
{
	struct attempt	*a, *b;
	char		 err[512], text[512];

	deliver_welcome_as("feed-A", 7);
	deliver_attempt(1, "A0001");
	deliver_event(2, "A0001", PROTO_EV_FACES_MULTIPLE);
	a = find_attempt_of("feed-A", "A0001");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->open_flags, 1);

	reconnect();
	deliver_welcome_as("feed-B", 7);
	ck_assert_str_eq(cf->session->id, "feed-B");
	ck_assert_int_eq(cf->session->last_seq, 0);	/* its own position */
	ck_assert_str_eq(a->feed->id, "feed-A");
	ck_assert_str_eq(a->feed->replaced_by, "feed-B");
	deliver_attempt(1, "A0001");
	deliver_event(2, "A0001", PROTO_EV_IDENTITY_MISMATCH);
	b = find_attempt_of("feed-B", "A0001");
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(app.model.nattempts, 2);
	ck_assert_int_eq(a->open_flags, 1);
	ck_assert_int_eq(b->open_flags, 1);
	ck_assert_int_eq(query_int("select count(*) from attempts where "
	    "attempt='A0001'"), 2);
	ck_assert_int_eq(query_int("select count(*) from flags where "
	    "feed='feed-A' and rule='faces_multiple'"), 1);
	ck_assert_int_eq(query_int("select count(*) from flags where "
	    "feed='feed-B' and rule='identity_mismatch'"), 1);
	ck_assert_int_eq(query_int("select count(*) from messages where "
	    "feed='feed-B'"), 2);

	/* The journal: the URL answers as feed-B now, about feed-A. */
	query_text("select detail from journal where kind='feed_replaced' "
	    "and feed='feed-A' and actor='feed-B'", text, sizeof text);
	ck_assert_ptr_nonnull(strstr(text, "\"new_feed\":\"feed-B\""));
	ck_assert_ptr_nonnull(strstr(text, "ws://127.0.0.1:1/"));

	/* A command for feed-A's candidate goes nowhere, and says why. */
	test_up = 1;	/* "connected"; nothing may be sent */
	ck_assert_int_eq(decide(a, "pause", "phone", err, sizeof err), -1);
	test_up = 0;
	ck_assert_ptr_nonnull(strstr(err, "no longer answers"));
	ck_assert_ptr_nonnull(strstr(err, "feed-B"));
	ck_assert_int_eq(query_int("select count(*) from commands"), 0);

	/* A decision on feed-A's flag is journaled against feed-A. */
	ck_assert_int_eq(decide(a, "confirm", "two faces", err, sizeof err), 0);
	ck_assert_int_eq(query_int("select count(*) from journal where "
	    "kind='confirm' and feed='feed-A' and attempt='A0001'"), 1);
	ck_assert_int_eq(query_int("select count(*) from flags where "
	    "feed='feed-A' and state='confirmed'"), 1);
	ck_assert_int_eq(b->open_flags, 1);

	/* The headless API: "A0001" alone is ambiguous; by feed id it is
	 * not, and the URL names the feed that answers there now. */
	ck_assert_ptr_null(app_attempt_by_id(&app, NULL, "A0001", err,
	    sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "more than one feed"));
	ck_assert_ptr_eq(app_attempt_by_id(&app, "feed-A", "A0001", err,
	    sizeof err), a);
	ck_assert_ptr_eq(app_attempt_by_id(&app, "ws://127.0.0.1:1/", "A0001",
	    err, sizeof err), b);

	/* feed-A answers again: its attempts are its own again. */
	reconnect();
	deliver_welcome_as("feed-A", 7);
	ck_assert_ptr_eq(cf->session, a->feed);
	ck_assert_str_eq(a->feed->replaced_by, "");
	ck_assert_int_eq(a->feed->last_seq, 2);
	ck_assert_int_eq(query_int("select count(*) from journal where "
	    "kind='feed_replaced'"), 2);
}
END_TEST

/*
 * The hello resumed after feed-A's seq 5 of epoch 7, and feed-B (epoch 7
 * too) answered: it skipped its own seq 1..5.  Nothing from that
 * connection is taken in; it reconnects with feed-B's own position.
 */
START_TEST(test_resume_for_another_feed_reconnects)
{
	deliver_welcome_as("feed-A", 7);
	deliver_attempt(5, "A0001");
	reconnect();
	snprintf(cf->resumed_for, sizeof cf->resumed_for, "feed-A");
	cf->resumed_epoch = 7;
	deliver_welcome_as("feed-B", 7);
	ck_assert_int_eq(cf->resync, 1);
	deliver_attempt(6, "A0009");
	ck_assert_int_eq(query_int("select count(*) from messages where "
	    "feed='feed-B'"), 0);
	ck_assert_int_eq(query_int("select count(*) from gaps"), 1);
	/* The next connection: no resume for feed-B, all from seq 1. */
	reconnect();
	deliver_welcome_as("feed-B", 7);
	ck_assert_int_eq(cf->resync, 0);
	deliver_attempt(1, "A0009");
	ck_assert_int_eq(query_int("select count(*) from messages where "
	    "feed='feed-B'"), 1);
	ck_assert_int_eq(query_int("select count(*) from gaps where "
	    "feed='feed-B'"), 0);
}
END_TEST

/* The expected SHA-256 of the stored body of seq, in hex. */
static void
stored_hash(int64_t seq, char hex[65])
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	uint8_t		 h[SIGN_HASH_LEN];
	int		 i;

	ck_assert_int_eq(sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "select body from messages "
	    "where seq=?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, seq);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	sign_sha256(sqlite3_column_blob(st, 0),
	    (size_t)sqlite3_column_bytes(st, 0), h);
	for (i = 0; i < SIGN_HASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/*
 * Issue 10: a seq already stored, with other content, is kept in rejects
 * with both hashes (whether the first copy is committed or still queued);
 * the same message again stays a silent no-op.
 */
START_TEST(test_conflicting_duplicate_rejected)
{
	char	hex[65], reason[1024], want[80];

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_event(2, "A1", PROTO_EV_GAZE_AWAY);
	/* Still in the store's queue: */
	deliver_event(2, "A1", PROTO_EV_FOCUS_LOST);
	ck_assert_uint_eq(cf->session->rejects, 1);
	deliver_event(2, "A1", PROTO_EV_GAZE_AWAY);	/* identical */
	ck_assert_uint_eq(cf->session->rejects, 1);
	/* Committed: */
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
	deliver_event(1, "A1", PROTO_EV_IDLE);
	deliver_attempt(1, "A1");			/* identical */
	ck_assert_uint_eq(cf->session->rejects, 2);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "feed='unit-feed' and reason like '%already stored with other "
	    "content%'"), 2);
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
	ck_assert_int_eq(query_int("select kind = 'gaze_away' from messages "
	    "where seq=2"), 1);
	stored_hash(2, hex);
	query_text("select reason from rejects order by id limit 1", reason,
	    sizeof reason);
	snprintf(want, sizeof want, "stored SHA-256 %s", hex);
	ck_assert_msg(strstr(reason, want) != NULL, "%s", reason);
	ck_assert_uint_eq(find_attempt("A1")->events, 1);
}
END_TEST

/*
 * Issue 10: a message that arrives after the console recorded its seq as
 * lost is kept in rejects, with why; the gap stands; a gap message over
 * seqs already held is refused too.
 */
START_TEST(test_late_message_in_gap_rejected)
{
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_event(5, "A1", PROTO_EV_IDLE);		/* gap 2..4 */
	deliver_event(3, "A1", PROTO_EV_FACES_MULTIPLE);
	ck_assert_uint_eq(cf->session->rejects, 1);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '%seq 3 of epoch 7 arrived late%gap%'"), 1);
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
	ck_assert_int_eq(find_attempt("A1")->open_flags, 0);
	deliver_gap(4, 6);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '%gap 4..6 starts at or below seq 5%'"), 1);
	ck_assert_int_eq(cf->session->last_seq, 5);
	deliver_gap(8, 9);		/* 6..7 unannounced */
	ck_assert_int_eq(cf->session->last_seq, 9);
	ck_assert_int_eq(query_int("select count(*) from gaps where "
	    "(from_seq, to_seq) in (values (2, 4), (6, 7), (8, 9))"), 3);
	/* A restart resumes after the gap, not before it. */
	ck_assert_int_eq(query_int("select last_seq from feeds where "
	    "feed='unit-feed'"), 9);
}
END_TEST

/*
 * Issue 15: a gap to 2^63-1 is refused (the feed goes on), a gap to the
 * highest seq a console takes in is taken, and a refused frame after it
 * cannot overflow the position into a negative gap.
 */
START_TEST(test_seq_edges_never_overflow)
{
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_gap(2, INT64_MAX);
	ck_assert_int_eq(cf->session->last_seq, 1);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '%goes past seq 9007199254740991%'"), 1);
	deliver_event(2, "A1", PROTO_EV_IDLE);		/* not dead */
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);
	deliver_event(INT64_MAX, "A1", PROTO_EV_IDLE);
	ck_assert_int_eq(cf->session->last_seq, 2);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '%seq 9223372036854775807 is past%'"), 1);

	deliver_gap(3, CONSOLE_SEQ_MAX);
	ck_assert_int_eq(cf->session->last_seq, CONSOLE_SEQ_MAX);
	ingest_refused(cf, PROTO_RX_TOO_BIG, "{\"t\":", 5);
	ingest_refused(cf, PROTO_RX_TOO_BIG, "{\"t\":", 5);
	ck_assert_int_eq(cf->session->last_seq, CONSOLE_SEQ_MAX);
	ck_assert_int_eq(query_int("select count(*) from gaps where "
	    "from_seq < 1 or to_seq < from_seq"), 0);
	ck_assert_int_eq(query_int("select max(to_seq) from gaps"),
	    CONSOLE_SEQ_MAX);

	/* A new epoch after that: the open gap starts one past it. */
	reconnect();
	deliver_welcome(8);
	ck_assert_int_eq(query_int("select count(*) from gaps where epoch=7 "
	    "and to_seq is null and from_seq = 9007199254740992"), 1);
}
END_TEST

/* Issue 16: welcome is said once per connection; a gap needs a welcome. */
START_TEST(test_second_welcome_refused)
{
	deliver_gap(1, 3);				/* before welcome */
	ck_assert_int_eq(query_int("select count(*) from gaps"), 0);
	ck_assert_uint_eq(cf->early_rejects, 1);
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_welcome_as("other", 9);
	deliver_attempt(1, "B1");	/* numbered as "other" would: ignored */
	deliver_attempt(2, "B2");
	ck_assert_str_eq(cf->session->id, "unit-feed");
	ck_assert_int_eq(cf->session->epoch, 7);
	ck_assert_int_eq(cf->session->last_seq, 1);
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "feed='unit-feed' and reason like '%second welcome%1002%'"), 1);
	ck_assert_int_eq(query_int("select count(*) from journal"), 0);
	ck_assert_int_eq(query_int("select count(*) from messages"), 1);
	ck_assert_uint_eq(cf->session->rejects, 1);
}
END_TEST

/* The feed a URL last answered as is the one a restart resumes for. */
START_TEST(test_url_remembers_last_feed)
{
	char	err[256], id[PROTO_ID_MAX + 1];
	int64_t	epoch, last;

	deliver_welcome_as("feed-A", 7);
	deliver_attempt(1, "A0001");
	reconnect();
	deliver_welcome_as("feed-B", 8);
	deliver_attempt(1, "A0001");
	deliver_attempt(2, "A0002");
	ck_assert_int_eq(store_flush(app.store, err, sizeof err), 0);
	usleep(2000);
	reconnect();
	deliver_welcome_as("feed-A", 7);	/* back, nothing new yet */
	ck_assert_int_eq(store_feed_by_url(app.store, cf->url, id, sizeof id,
	    &epoch, &last, err, sizeof err), 1);
	ck_assert_str_eq(id, "feed-A");
	ck_assert_int_eq(epoch, 7);
	ck_assert_int_eq(last, 1);
}
END_TEST

/*
 * A feed id that first answers after start-up (at another URL, or back
 * after it was replaced) gets what the database holds of it: candidates,
 * open flags and unacknowledged commands, re-sent to it and only to it.
 */
START_TEST(test_feed_returns_with_its_records)
{
	sqlite3		*db;
	struct attempt	*a;
	char		 err[256];

	deliver_welcome_as("feed-A", 7);
	deliver_attempt(1, "A0001");
	deliver_event(2, "A0001", PROTO_EV_FACES_MULTIPLE);
	ck_assert_int_eq(store_flush(app.store, err, sizeof err), 0);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "insert into commands (id, feed, "
	    "attempt, action, text, actor, sent_ms) values ('unit-1', "
	    "'feed-A', 'A0001', 'pause', 'phone', 'unit', 1), ('unit-2', "
	    "'feed-Z', 'Z0001', 'warn', 'x', 'unit', 2)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);

	restart();		/* this URL is new to it: nothing expected */
	ck_assert_uint_eq(app.model.nattempts, 0);
	deliver_welcome_as("feed-A", 7);
	a = find_attempt_of("feed-A", "A0001");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->open_flags, 1);
	ck_assert_ptr_nonnull(app.pending);
	ck_assert_str_eq(app.pending->id, "unit-1");
	ck_assert_ptr_eq(app.pending->attempt, a);
	ck_assert_ptr_null(app.pending->next);	/* feed-Z's is not loaded */
	ck_assert_int_eq(cf->session->last_seq, 2);
}
END_TEST

/*
 * --max-attempts: a message about a new attempt over the cap is kept in
 * rejects with the reason, its seq accounted for by a one-seq gap, and the
 * header notice says so; known attempts go on.
 */
START_TEST(test_attempt_cap)
{
	char	note[512];
	size_t	i;

	app.opt.max_attempts = 2;
	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_attempt(2, "A2");
	deliver_attempt(3, "A3");
	deliver_event(4, "A4", PROTO_EV_IDLE);
	deliver_event(5, "A1", PROTO_EV_IDLE);
	ck_assert_uint_eq(app.model.nattempts, 2);
	ck_assert_ptr_null(find_attempt("A3"));
	ck_assert_int_eq(cf->session->last_seq, 5);
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like 'a new attempt, and the console already holds 2 attempts of "
	    "this feed (2 in all), the most --max-attempts 2 allows%'"), 2);
	ck_assert_int_eq(query_int("select count(*) from gaps where "
	    "(from_seq, to_seq) in (values (3, 3), (4, 4))"), 2);
	ck_assert_uint_eq(find_attempt("A1")->events, 1);
	for (i = 0; app_notice(&app, i, note, sizeof note) == 0; i++)
		if (strstr(note, "at --max-attempts 2: 2 messages about new "
		    "attempts kept in rejects") != NULL)
			break;
	ck_assert_msg(app_notice(&app, i, note, sizeof note) == 0,
	    "no header notice of the cap");
	ck_assert_ptr_nonnull(strstr(note, " feed unit-feed |"));
}
END_TEST

static void
deliver_event_at(int64_t seq, const char *id, int64_t ts)
{
	struct proto_msg	m;
	char			data[] = "{}";

	memset(&m, 0, sizeof m);
	m.type = PROTO_EVENT;
	m.seq = seq;
	m.ts_ms = ts;
	snprintf(m.u.event.attempt, sizeof m.u.event.attempt, "%s", id);
	m.u.event.kind = PROTO_EV_GAZE_AWAY;
	m.u.event.data = data;
	m.u.event.data_len = strlen(data);
	deliver(&m);
}

/*
 * --max-clock-skew: ts more than the bound ahead of the receive time (or
 * behind the feed's own clock) is kept in rejects; within it but more than
 * 5 s ahead is clock skew in the header.
 */
START_TEST(test_clock_skew)
{
	int64_t	now = proto_now_ms();
	char	note[512];
	size_t	i;

	deliver_welcome(7);
	deliver_attempt(1, "A1");
	deliver_event_at(2, "A1", now + 25 * 3600 * INT64_C(1000));
	deliver_event_at(3, "A1", 253402300799999LL);
	deliver_event_at(4, "A1", now + 3600 * INT64_C(1000));
	deliver_event_at(5, "A1", now - 25 * 3600 * INT64_C(1000));
	deliver_event_at(6, "A1", now);
	ck_assert_int_eq(cf->session->last_seq, 6);
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like '% s ahead of this console''s clock, more than "
	    "--max-clock-skew 86400 s: set the feed''s clock right (NTP)'"), 2);
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like '% s behind this console''s clock, %'"), 1);
	/* The gaps of seqs 2, 3 and 5, read as the number 235. */
	ck_assert_int_eq(query_int("select replace(group_concat(from_seq), "
	    "',', '') from (select from_seq from gaps where from_seq = to_seq "
	    "order by from_seq)"), 235);
	/* The last message is on time: no skew notice now. */
	for (i = 0; app_notice(&app, i, note, sizeof note) == 0; i++)
		ck_assert_ptr_null(strstr(note, "ahead"));
	deliver_event_at(7, "A1", now + 3600 * INT64_C(1000));
	for (i = 0; app_notice(&app, i, note, sizeof note) == 0; i++)
		if (strstr(note, "clock 3599 s ahead") != NULL ||
		    strstr(note, "clock 3600 s ahead") != NULL)
			break;
	ck_assert_msg(app_notice(&app, i, note, sizeof note) == 0,
	    "no clock skew notice");
	ck_assert_ptr_nonnull(strstr(note, "3 messages beyond --max-clock-skew "
	    "kept in rejects"));
	/* One ts 23 h ahead does not make the honest ones after it too old. */
	deliver_event_at(8, "A1", now + 23 * 3600 * INT64_C(1000));
	deliver_event_at(9, "A1", now - 2 * 3600 * INT64_C(1000));
	ck_assert_int_eq(query_int("select count(*) from messages where seq = 9"),
	    1);
	deliver_event_at(10, "A1", now - 25 * 3600 * INT64_C(1000));
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like '% s behind this console''s clock, %'"), 2);
}
END_TEST

/*
 * --demo's own simulator runs its clock --rate times fast: its feed is
 * exempt from the clock bounds, so the demo neither shows skew nor, after a
 * long run, keeps its messages out.  Another feed is not.
 */
START_TEST(test_demo_feed_clock_exempt)
{
	int64_t	now = proto_now_ms();
	char	note[512];
	size_t	i;

	snprintf(app.demo_id, sizeof app.demo_id, "unit-feed");
	deliver_welcome(7);
	ck_assert_int_eq(cf->session->simulated, 1);
	deliver_attempt(1, "A1");
	deliver_event_at(2, "A1", now + 3600 * INT64_C(1000));
	deliver_event_at(3, "A1", now + 30 * 86400 * INT64_C(1000));
	ck_assert_int_eq(query_int("select count(*) from messages"), 3);
	ck_assert_int_eq(query_int("select count(*) from rejects"), 0);
	for (i = 0; app_notice(&app, i, note, sizeof note) == 0; i++)
		ck_assert_ptr_null(strstr(note, "ahead"));

	reconnect();
	deliver_welcome_as("other-feed", 9);
	ck_assert_int_eq(cf->session->simulated, 0);
	deliver_event_at(1, "B1", now + 30 * 86400 * INT64_C(1000));
	ck_assert_int_eq(query_int("select count(*) from rejects where "
	    "reason like '% s ahead of this console''s clock%'"), 1);
}
END_TEST

/*
 * The risk score (invigil(1), FLAGS): open flags count their weight,
 * confirmed ones twice, dismissed ones their weight halved every 15
 * minutes since the dismissal.
 */
START_TEST(test_risk_formula)
{
	struct attempt	 a;
	struct flag	*open = calloc(1, sizeof *open + 1);
	struct flag	*conf = calloc(1, sizeof *conf + 1);
	struct flag	*dism = calloc(1, sizeof *dism + 1);
	int64_t		 now = 1000000000000LL, q = 15 * 60 * 1000;

	ck_assert(open != NULL && conf != NULL && dism != NULL);
	memset(&a, 0, sizeof a);
	open->weight = 1.5;
	conf->weight = 2;
	conf->state = STORE_FLAG_CONFIRMED;
	dism->weight = 4;
	dism->state = STORE_FLAG_DISMISSED;
	a.flags = open;
	ck_assert_double_eq_tol(attempt_risk(&a, now), 1.5, 1e-9);
	a.closed = conf;
	ck_assert_double_eq_tol(attempt_risk(&a, now), 1.5 + 4, 1e-9);
	conf->next = dism;
	dism->closed_ms = now;
	ck_assert_double_eq_tol(attempt_risk(&a, now), 1.5 + 4 + 4, 1e-9);
	ck_assert_double_eq_tol(attempt_risk(&a, now + q), 1.5 + 4 + 2, 1e-9);
	ck_assert_double_eq_tol(attempt_risk(&a, now + 2 * q), 1.5 + 4 + 1,
	    1e-9);
	ck_assert_double_eq_tol(attempt_risk(&a, now + 3 * q / 2), 1.5 + 4 +
	    4 * 0.35355339059327373, 1e-9);
	free(open);
	free(conf);
	free(dism);
}
END_TEST

/*
 * The order the risk drives on screen: a confirmed flag outranks an open
 * one of the same rule, an open one a freshly dismissed one, and a
 * dismissed one an attempt with no flag at all (whose id sorts first).
 */
START_TEST(test_risk_orders_attempts)
{
	char	err[256];

	deliver_welcome(7);
	deliver_attempt(1, "A0");
	deliver_attempt(2, "A1");
	deliver_attempt(3, "A2");
	deliver_attempt(4, "A3");
	deliver_event(5, "A1", PROTO_EV_FACES_MULTIPLE);
	deliver_event(6, "A2", PROTO_EV_FACES_MULTIPLE);
	deliver_event(7, "A3", PROTO_EV_FACES_MULTIPLE);
	ck_assert_int_eq(decide(find_attempt("A2"), "confirm", "seen",
	    err, sizeof err), 0);
	ck_assert_int_eq(decide(find_attempt("A3"), "dismiss", "twin",
	    err, sizeof err), 0);
	app.model.order_dirty = 1;
	app_sort(&app);
	ck_assert_str_eq(app.model.attempts[0]->id, "A2");
	ck_assert_str_eq(app.model.attempts[1]->id, "A1");
	ck_assert_str_eq(app.model.attempts[2]->id, "A3");
	ck_assert_str_eq(app.model.attempts[3]->id, "A0");
}
END_TEST

/* A full link table is said in the header (and once on stderr). */
START_TEST(test_link_table_full)
{
	struct proto_msg	m;
	char			note[512];
	size_t			i, found = 0;
	int			n;

	rules_engine_limits(app.engine, &(struct rules_limits){
	    .link_values = 2 });
	deliver_welcome(7);
	for (n = 1; n <= 4; n++) {
		memset(&m, 0, sizeof m);
		m.type = PROTO_ATTEMPT;
		m.seq = n;
		snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt,
		    "A%d", n);
		snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate,
		    "C%d", n);
		snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX");
		snprintf(m.u.attempt.device, sizeof m.u.attempt.device,
		    "dev-%d", n);
		m.u.attempt.modality = PROTO_MODALITY_TEST_CENTER;
		m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
		deliver(&m);
	}
	for (i = 0; app_notice(&app, i, note, sizeof note) == 0; i++)
		if (strstr(note, " links: 2 values not linked, the link table "
		    "is full (2 values)") != NULL)
			found++;
	ck_assert_uint_eq(found, 1);
	ck_assert_int_eq(app.said_unlinked, 1);
}
END_TEST

/* A feed replaying last month: the past is bounded by its own clock. */
START_TEST(test_clock_behind_feed)
{
	int64_t	day = 86400 * INT64_C(1000), then = proto_now_ms() - 30 * day;

	deliver_welcome(7);
	deliver_event_at(1, "A1", then);
	deliver_event_at(2, "A1", then - day / 2);
	deliver_event_at(3, "A1", then - 2 * day);
	ck_assert_int_eq(query_int("select count(*) from messages"), 2);

	/*
	 * An ack is stamped with the feed's wall clock (now), a replay's
	 * events with the past: the ack must not make them "too old".
	 */
	{
		struct proto_msg	m;

		memset(&m, 0, sizeof m);
		m.type = PROTO_ACK;
		m.seq = 4;
		m.ts_ms = proto_now_ms();
		snprintf(m.u.ack.cmd, sizeof m.u.ack.cmd, "c-unknown");
		m.u.ack.ok = 1;
		deliver(&m);
	}
	deliver_event_at(5, "A1", then + 1000);
	ck_assert_int_eq(query_int("select count(*) from messages"), 4);
	ck_assert_int_eq(query_int("select count(*) from rejects where reason "
	    "like '% is 172800 s behind the feed''s latest ts %, more than "
	    "--max-clock-skew 86400 s%'"), 1);
}
END_TEST

/*
 * Reconnect backoff: with no jitter (a draw of 25) 0.5 s doubling to a
 * ceiling of 30 s, after a refused token 60 s doubling to 10 min; every draw
 * stays within +-25 % of that and, over many draws, both ends and the
 * middle are reached and the mean stays near it (the jitter is spread, not
 * stuck on one side).
 */
static Suite *
console_suite(void)
{
	Suite	*s = suite_create("console");
	TCase	*tc = tcase_create("model");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_stream_stored_once);
	tcase_add_test(tc, test_hole_recorded_as_gap);
	tcase_add_test(tc, test_garbage_rejected_stream_goes_on);
	tcase_add_test(tc, test_invalid_seq_recorded_as_rejected);
	tcase_add_test(tc, test_welcome_epoch_past_2_53);
	tcase_add_test(tc, test_ack_of_another_console);
	tcase_add_test(tc, test_flag_once_per_rule_and_rearmed);
	tcase_add_test(tc, test_command_needs_connected_feed);
	tcase_add_test(tc, test_command_text_over_limit);
	tcase_add_test(tc, test_resume_position_from_store);
	tcase_add_test(tc, test_attempt_cap);
	tcase_add_test(tc, test_clock_skew);
	tcase_add_test(tc, test_demo_feed_clock_exempt);
	tcase_add_test(tc, test_risk_formula);
	tcase_add_test(tc, test_risk_orders_attempts);
	tcase_add_test(tc, test_clock_behind_feed);
	tcase_add_test(tc, test_link_table_full);
	tcase_add_test(tc, test_feed_replaced_keeps_identity);
	tcase_add_test(tc, test_resume_for_another_feed_reconnects);
	tcase_add_test(tc, test_conflicting_duplicate_rejected);
	tcase_add_test(tc, test_late_message_in_gap_rejected);
	tcase_add_test(tc, test_seq_edges_never_overflow);
	tcase_add_test(tc, test_second_welcome_refused);
	tcase_add_test(tc, test_url_remembers_last_feed);
	tcase_add_test(tc, test_feed_returns_with_its_records);
	suite_add_tcase(s, tc);
	tc = tcase_create("url");
	tcase_add_test(tc, test_parse_url);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(console_suite());
}
