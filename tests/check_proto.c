/*
 * check_proto.c - Check suite for the protocol module: the JSON codec
 * (every type both ways, malformed input and its error sentences), the
 * enum names, RFC 3339 times, UTF-8 validation and the display sanitiser,
 * and the reassembly of fragments under the message cap.
 *
 * Assertions compare exact outputs (whole encoded messages, whole
 * sanitised strings, exact millisecond values) so that a change in
 * behaviour fails here rather than on a proctor's screen.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"

#define CHECK_TMP_NAME	"check_proto"
#include "check_tmp.h"
#include "tests/check_main.h"

#define nitems(a)	(sizeof (a) / sizeof (a)[0])

/* 2026-11-23T18:11:10.123Z */
#define TS_TEXT		"2026-11-23T18:11:10.123Z"
#define TS_MS		1795457470123LL

/* ---- helpers ---- */

/* Decode json, failing the test (with the error) if it does not decode. */
static void
decode_ok(const char *json, int flags, struct proto_msg *m)
{
	char	err[512];
	int	rc;

	err[0] = '\0';
	rc = proto_decode(json, strlen(json), flags, m, err, sizeof err);
	ck_assert_msg(rc == 0, "decode of %s failed: %s", json, err);
}

/*
 * Decode json, expecting failure with an error sentence containing needle
 * (normally the field name, quoted) and no raw control bytes; the message
 * must come back zeroed.
 */
static void
decode_fails_len(const char *json, size_t len, int flags, const char *needle)
{
	struct proto_msg	m, zero;
	char			err[512];
	size_t			i;
	int			rc;

	memset(&zero, 0, sizeof zero);
	memset(&m, 0x5a, sizeof m);
	err[0] = '\0';
	rc = proto_decode(json, len, flags, &m, err, sizeof err);
	ck_assert_msg(rc == -1, "decode of %.200s succeeded, expected an error "
	    "with %s", json, needle);
	ck_assert_msg(strstr(err, needle) != NULL, "error for %.200s is \"%s\", "
	    "expected it to contain %s", json, err, needle);
	for (i = 0; err[i] != '\0'; i++) {
		ck_assert_msg((unsigned char)err[i] >= 0x20 && err[i] != 0x7f,
		    "raw control byte 0x%02x in error \"%s\"",
		    (unsigned char)err[i], err);
	}
	ck_assert_msg(memcmp(&m, &zero, sizeof m) == 0,
	    "failed decode left the message dirty");
}

static void
decode_fails(const char *json, const char *needle)
{
	decode_fails_len(json, strlen(json), 0, needle);
}

static void
decode_fails_flags(const char *json, int flags, const char *needle)
{
	decode_fails_len(json, strlen(json), flags, needle);
}

/* Encode m, failing the test if it does not encode. */
static char *
encode_ok(const struct proto_msg *m, size_t *len)
{
	char	 err[512], *out;

	err[0] = '\0';
	out = proto_encode(m, len, err, sizeof err);
	ck_assert_msg(out != NULL, "encode of a %s message failed: %s",
	    proto_type_name(m->type), err);
	ck_assert_uint_eq(*len, strlen(out));
	return out;
}

/* Encode m, expecting failure with an error containing needle. */
static void
encode_fails(const struct proto_msg *m, const char *needle)
{
	char	 err[512], *out;
	size_t	 len = 12345;

	err[0] = '\0';
	out = proto_encode(m, &len, err, sizeof err);
	ck_assert_msg(out == NULL, "encode succeeded as %s, expected an error "
	    "with %s", out, needle);
	ck_assert_msg(strstr(err, needle) != NULL, "encode error is \"%s\", "
	    "expected it to contain %s", err, needle);
}

/* Field by field, so a failure names what differs. */
static void
assert_msg_eq(const struct proto_msg *a, const struct proto_msg *b)
{
	ck_assert_int_eq(a->type, b->type);
	ck_assert_int_eq(a->seq, b->seq);
	ck_assert_int_eq(a->ts_ms, b->ts_ms);
	switch (a->type) {
	case PROTO_HELLO:
		ck_assert_int_eq(a->u.hello.proto, b->u.hello.proto);
		ck_assert_str_eq(a->u.hello.proctor, b->u.hello.proctor);
		ck_assert_int_eq(a->u.hello.has_resume, b->u.hello.has_resume);
		ck_assert_int_eq(a->u.hello.resume_epoch,
		    b->u.hello.resume_epoch);
		ck_assert_int_eq(a->u.hello.resume_after_seq,
		    b->u.hello.resume_after_seq);
		break;
	case PROTO_WELCOME:
		ck_assert_str_eq(a->u.welcome.feed, b->u.welcome.feed);
		ck_assert_str_eq(a->u.welcome.name, b->u.welcome.name);
		ck_assert_int_eq(a->u.welcome.epoch, b->u.welcome.epoch);
		ck_assert_int_eq(a->u.welcome.first_seq,
		    b->u.welcome.first_seq);
		ck_assert_int_eq(a->u.welcome.last_seq, b->u.welcome.last_seq);
		break;
	case PROTO_ATTEMPT:
		ck_assert_str_eq(a->u.attempt.attempt, b->u.attempt.attempt);
		ck_assert_str_eq(a->u.attempt.candidate,
		    b->u.attempt.candidate);
		ck_assert_str_eq(a->u.attempt.name, b->u.attempt.name);
		ck_assert_str_eq(a->u.attempt.exam, b->u.attempt.exam);
		ck_assert_str_eq(a->u.attempt.form, b->u.attempt.form);
		ck_assert_str_eq(a->u.attempt.center, b->u.attempt.center);
		ck_assert_int_eq(a->u.attempt.modality, b->u.attempt.modality);
		ck_assert_int_eq(a->u.attempt.state, b->u.attempt.state);
		ck_assert_str_eq(a->u.attempt.ip, b->u.attempt.ip);
		ck_assert_str_eq(a->u.attempt.device, b->u.attempt.device);
		break;
	case PROTO_EVENT:
		ck_assert_str_eq(a->u.event.attempt, b->u.event.attempt);
		ck_assert_int_eq(a->u.event.kind, b->u.event.kind);
		ck_assert_ptr_nonnull(a->u.event.data);
		ck_assert_ptr_nonnull(b->u.event.data);
		ck_assert_str_eq(a->u.event.data, b->u.event.data);
		ck_assert_uint_eq(a->u.event.data_len, b->u.event.data_len);
		break;
	case PROTO_ANSWER:
		ck_assert_str_eq(a->u.answer.attempt, b->u.answer.attempt);
		ck_assert_str_eq(a->u.answer.item, b->u.answer.item);
		ck_assert_str_eq(a->u.answer.response, b->u.answer.response);
		ck_assert_int_eq(a->u.answer.correct, b->u.answer.correct);
		ck_assert_int_eq(a->u.answer.elapsed_ms,
		    b->u.answer.elapsed_ms);
		ck_assert_int_eq(a->u.answer.changed, b->u.answer.changed);
		break;
	case PROTO_STATE:
		ck_assert_str_eq(a->u.state.attempt, b->u.state.attempt);
		ck_assert_int_eq(a->u.state.state, b->u.state.state);
		break;
	case PROTO_CMD:
		ck_assert_str_eq(a->u.cmd.id, b->u.cmd.id);
		ck_assert_str_eq(a->u.cmd.attempt, b->u.cmd.attempt);
		ck_assert_int_eq(a->u.cmd.action, b->u.cmd.action);
		ck_assert_str_eq(a->u.cmd.text, b->u.cmd.text);
		break;
	case PROTO_ACK:
		ck_assert_str_eq(a->u.ack.cmd, b->u.ack.cmd);
		ck_assert_int_eq(a->u.ack.ok, b->u.ack.ok);
		ck_assert_str_eq(a->u.ack.error, b->u.ack.error);
		break;
	case PROTO_GAP:
		ck_assert_int_eq(a->u.gap.from_seq, b->u.gap.from_seq);
		ck_assert_int_eq(a->u.gap.to_seq, b->u.gap.to_seq);
		ck_assert_str_eq(a->u.gap.why, b->u.gap.why);
		break;
	default:
		ck_abort_msg("unexpected type %d", a->type);
	}
}

/*
 * One fully populated message of each type, with the JSON the codec must
 * produce for it, byte for byte.  Strings include non-ASCII text and a
 * control character (which JSON escapes) to prove they pass unchanged.
 */
static char event_data[] = "{\"ms\":1200,\"apps\":[\"chat\",\"é\"],\"x\":null}";

static void
sample(enum proto_type type, struct proto_msg *m, const char **json)
{
	memset(m, 0, sizeof *m);
	m->type = type;
	if (proto_type_is_stream(type)) {
		m->seq = 42;
		m->ts_ms = TS_MS;
	} else if (type == PROTO_WELCOME || type == PROTO_GAP)
		m->ts_ms = TS_MS;

	switch (type) {
	case PROTO_HELLO:
		m->u.hello.proto = 1;
		strcpy(m->u.hello.proctor, "proctor-7");
		m->u.hello.has_resume = 1;
		m->u.hello.resume_epoch = 3;
		m->u.hello.resume_after_seq = 1041;
		*json = "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"proctor-7\","
		    "\"resume\":{\"epoch\":3,\"after_seq\":1041}}";
		break;
	case PROTO_WELCOME:
		strcpy(m->u.welcome.feed, "feed-eu-1");
		strcpy(m->u.welcome.name, "Nursing board, Zürich");
		m->u.welcome.epoch = 3;
		m->u.welcome.first_seq = 1;
		m->u.welcome.last_seq = 5000;
		*json = "{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\","
		    "\"feed\":\"feed-eu-1\",\"name\":\"Nursing board, Zürich\","
		    "\"epoch\":3,\"first_seq\":1,\"last_seq\":5000}";
		break;
	case PROTO_ATTEMPT:
		strcpy(m->u.attempt.attempt, "att-1");
		strcpy(m->u.attempt.candidate, "cand-9");
		strcpy(m->u.attempt.name, "Zoë \"Z\" Ødegård");
		strcpy(m->u.attempt.exam, "nclex-rn");
		strcpy(m->u.attempt.form, "form-b");
		strcpy(m->u.attempt.center, "");
		m->u.attempt.modality = PROTO_MODALITY_REMOTE;
		m->u.attempt.state = PROTO_STATE_IN_PROGRESS;
		strcpy(m->u.attempt.ip, "2001:db8::1");
		strcpy(m->u.attempt.device, "dev-abc");
		*json = "{\"t\":\"attempt\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"attempt\":\"att-1\",\"candidate\":\"cand-9\","
		    "\"name\":\"Zoë \\\"Z\\\" Ødegård\",\"exam\":\"nclex-rn\","
		    "\"form\":\"form-b\",\"modality\":\"remote\","
		    "\"state\":\"in_progress\",\"ip\":\"2001:db8::1\","
		    "\"device\":\"dev-abc\"}";
		break;
	case PROTO_EVENT:
		strcpy(m->u.event.attempt, "att-1");
		m->u.event.kind = PROTO_EV_PROHIBITED_PROCESS;
		m->u.event.data = event_data;
		m->u.event.data_len = strlen(event_data);
		*json = "{\"t\":\"event\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"attempt\":\"att-1\",\"kind\":\"prohibited_process\","
		    "\"data\":{\"ms\":1200,\"apps\":[\"chat\",\"é\"],"
		    "\"x\":null}}";
		break;
	case PROTO_ANSWER:
		strcpy(m->u.answer.attempt, "att-1");
		strcpy(m->u.answer.item, "item-17");
		strcpy(m->u.answer.response, "B");
		m->u.answer.correct = 1;
		m->u.answer.elapsed_ms = 8100;
		m->u.answer.changed = 2;
		*json = "{\"t\":\"answer\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"attempt\":\"att-1\",\"item\":\"item-17\",\"response\":\"B\","
		    "\"correct\":true,\"elapsed_ms\":8100,\"changed\":2}";
		break;
	case PROTO_STATE:
		strcpy(m->u.state.attempt, "att-1");
		m->u.state.state = PROTO_STATE_PAUSED;
		*json = "{\"t\":\"state\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"attempt\":\"att-1\",\"state\":\"paused\"}";
		break;
	case PROTO_CMD:
		strcpy(m->u.cmd.id, "cmd-5");
		strcpy(m->u.cmd.attempt, "att-1");
		m->u.cmd.action = PROTO_ACTION_MESSAGE;
		strcpy(m->u.cmd.text, "Please look at the camera.\tThanks");
		*json = "{\"t\":\"cmd\",\"id\":\"cmd-5\",\"attempt\":\"att-1\","
		    "\"action\":\"message\","
		    "\"text\":\"Please look at the camera.\\tThanks\"}";
		break;
	case PROTO_ACK:
		strcpy(m->u.ack.cmd, "cmd-5");
		m->u.ack.ok = 0;
		strcpy(m->u.ack.error, "attempt already submitted");
		*json = "{\"t\":\"ack\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"cmd\":\"cmd-5\",\"ok\":false,"
		    "\"error\":\"attempt already submitted\"}";
		break;
	case PROTO_GAP:
		m->u.gap.from_seq = 10;
		m->u.gap.to_seq = 19;
		strcpy(m->u.gap.why, "replay buffer overflow");
		*json = "{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\",\"from_seq\":10,"
		    "\"to_seq\":19,\"why\":\"replay buffer overflow\"}";
		break;
	default:
		ck_abort_msg("no sample for type %d", type);
	}
}

/* ---- round trips ---- */

/* encode(sample) is exactly the expected text, and decodes back to it. */
START_TEST(test_encode_exact_and_back)
{
	struct proto_msg	 m, back;
	const char		*json;
	char			*out, *again;
	size_t			 len, len2;

	sample((enum proto_type)_i, &m, &json);
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, json);
	decode_ok(out, 0, &back);
	assert_msg_eq(&m, &back);
	again = encode_ok(&back, &len2);
	ck_assert_str_eq(again, out);
	free(again);
	free(out);
	proto_msg_clear(&back);
}
END_TEST

/* A handwritten literal (fields shuffled, spaces) decodes to the sample. */
START_TEST(test_decode_handwritten)
{
	static const char *const literals[PROTO_TYPE_COUNT] = {
		[PROTO_HELLO] = "{ \"resume\": {\"after_seq\": 1041, "
		    "\"epoch\": 3}, \"proctor\": \"proctor-7\", \"proto\": 1, "
		    "\"t\": \"hello\" }",
		[PROTO_WELCOME] = "{\"last_seq\":5000,\"first_seq\":1,"
		    "\"epoch\":3,\"name\":\"Nursing board, Z\\u00fcrich\","
		    "\"feed\":\"feed-eu-1\",\"ts\":\"2026-11-23T19:11:10.123+01:00\","
		    "\"t\":\"welcome\"}",
		[PROTO_ATTEMPT] = "{\"t\":\"attempt\",\"device\":\"dev-abc\","
		    "\"ip\":\"2001:db8::1\",\"state\":\"in_progress\","
		    "\"modality\":\"remote\",\"center\":null,\"form\":\"form-b\","
		    "\"exam\":\"nclex-rn\",\"name\":\"Zo\\u00eb \\\"Z\\\" "
		    "\\u00d8deg\\u00e5rd\",\"candidate\":\"cand-9\","
		    "\"attempt\":\"att-1\",\"ts\":\"2026-11-23T18:11:10.123456Z\","
		    "\"seq\":42}",
		[PROTO_EVENT] = "{\"t\":\"event\",\"seq\":42,"
		    "\"ts\":\"2026-11-23T13:41:10.123-04:30\","
		    "\"attempt\":\"att-1\",\"kind\":\"prohibited_process\","
		    "\"data\": { \"ms\" : 1200, \"apps\": [\"chat\", "
		    "\"\\u00e9\"], \"x\": null } }",
		[PROTO_ANSWER] = "{\"t\":\"answer\",\"seq\":42,"
		    "\"ts\":\"" TS_TEXT "\",\"attempt\":\"att-1\","
		    "\"item\":\"item-17\",\"response\":\"B\",\"correct\":true,"
		    "\"elapsed_ms\":8100,\"changed\":2}",
		[PROTO_STATE] = "{\"state\":\"paused\",\"attempt\":\"att-1\","
		    "\"ts\":\"2026-11-23t18:11:10.123z\",\"seq\":42,"
		    "\"t\":\"state\"}",
		[PROTO_CMD] = "{\"t\":\"cmd\",\"seq\":9,\"ts\":\"junk\","
		    "\"id\":\"cmd-5\",\"attempt\":\"att-1\",\"action\":\"message\","
		    "\"text\":\"Please look at the camera.\\u0009Thanks\"}",
		[PROTO_ACK] = "{\"t\":\"ack\",\"seq\":42,\"ts\":\"" TS_TEXT "\","
		    "\"cmd\":\"cmd-5\",\"ok\":false,"
		    "\"error\":\"attempt already submitted\"}",
		[PROTO_GAP] = "{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\","
		    "\"from_seq\":10,\"to_seq\":19,"
		    "\"why\":\"replay buffer overflow\"}",
	};
	struct proto_msg	 expect, m;
	const char		*json;

	sample((enum proto_type)_i, &expect, &json);
	decode_ok(literals[_i], 0, &m);
	assert_msg_eq(&m, &expect);
	proto_msg_clear(&m);
}
END_TEST

/* Minimal messages: optional fields absent come back empty or default. */
START_TEST(test_optional_fields)
{
	struct proto_msg	 m;
	char			*out;
	size_t			 len;

	decode_ok("{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\"}", 0, &m);
	ck_assert_int_eq(m.u.hello.has_resume, 0);
	ck_assert_int_eq(m.u.hello.resume_epoch, 0);
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\"}");
	free(out);

	decode_ok("{\"t\":\"event\",\"seq\":1,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}", 0, &m);
	ck_assert_str_eq(m.u.event.data, "{}");
	ck_assert_uint_eq(m.u.event.data_len, 2);
	proto_msg_clear(&m);
	ck_assert_ptr_null(m.u.event.data);

	decode_ok("{\"t\":\"event\",\"seq\":1,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\",\"data\":null}", 0, &m);
	ck_assert_str_eq(m.u.event.data, "{}");
	proto_msg_clear(&m);

	decode_ok("{\"t\":\"answer\",\"seq\":3,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"\","
	    "\"correct\":false,\"elapsed_ms\":0}", 0, &m);
	ck_assert_int_eq(m.u.answer.changed, 0);
	ck_assert_int_eq(m.u.answer.correct, 0);
	ck_assert_str_eq(m.u.answer.response, "");

	decode_ok("{\"t\":\"attempt\",\"seq\":3,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"candidate\":\"c\",\"name\":\"\","
	    "\"exam\":\"e\",\"modality\":\"test_center\","
	    "\"state\":\"scheduled\"}", 0, &m);
	ck_assert_str_eq(m.u.attempt.form, "");
	ck_assert_str_eq(m.u.attempt.center, "");
	ck_assert_str_eq(m.u.attempt.ip, "");
	ck_assert_str_eq(m.u.attempt.device, "");
	ck_assert_int_eq(m.u.attempt.modality, PROTO_MODALITY_TEST_CENTER);
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, "{\"t\":\"attempt\",\"seq\":3,\"ts\":\"" TS_TEXT
	    "\",\"attempt\":\"a\",\"candidate\":\"c\",\"name\":\"\","
	    "\"exam\":\"e\",\"modality\":\"test_center\","
	    "\"state\":\"scheduled\"}");
	free(out);

	decode_ok("{\"t\":\"ack\",\"seq\":4,\"ts\":\"" TS_TEXT "\","
	    "\"cmd\":\"c\",\"ok\":true}", 0, &m);
	ck_assert_int_eq(m.u.ack.ok, 1);
	ck_assert_str_eq(m.u.ack.error, "");

	decode_ok("{\"t\":\"cmd\",\"id\":\"c\",\"attempt\":\"a\","
	    "\"action\":\"terminate\"}", 0, &m);
	ck_assert_int_eq(m.u.cmd.action, PROTO_ACTION_TERMINATE);
	ck_assert_str_eq(m.u.cmd.text, "");
	ck_assert_int_eq(m.seq, 0);
	ck_assert_int_eq(m.ts_ms, 0);

	/* An empty buffer: first_seq = last_seq + 1, or both 0. */
	decode_ok("{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"\",\"epoch\":1,\"first_seq\":1,\"last_seq\":0}", 0, &m);
	ck_assert_int_eq(m.u.welcome.first_seq, 1);
	decode_ok("{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"\",\"epoch\":1,\"first_seq\":0,\"last_seq\":0}", 0, &m);
	ck_assert_int_eq(m.u.welcome.first_seq, 0);

	/* A one-seq gap. */
	decode_ok("{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\",\"from_seq\":7,"
	    "\"to_seq\":7,\"why\":\"\"}", 0, &m);
	ck_assert_int_eq(m.u.gap.to_seq, 7);
}
END_TEST

START_TEST(test_unknown_fields_ignored)
{
	struct proto_msg	m;

	decode_ok("{\"t\":\"state\",\"seq\":5,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"state\":\"submitted\",\"x-vendor\":{\"deep\":"
	    "[1,2,{\"k\":true}]},\"note\":\"\\u001b[31m\",\"v2\":1.5}", 0, &m);
	ck_assert_int_eq(m.type, PROTO_STATE);
	ck_assert_int_eq(m.seq, 5);
	ck_assert_int_eq(m.u.state.state, PROTO_STATE_SUBMITTED);
	ck_assert_str_eq(m.u.state.attempt, "a");
}
END_TEST

START_TEST(test_unsequenced)
{
	struct proto_msg	m;
	const char		*noseq = "{\"t\":\"event\",\"attempt\":\"a\","
	    "\"kind\":\"gaze_away\",\"data\":{\"s\":3}}";

	decode_fails(noseq, "missing field \"seq\" in event message");
	decode_ok(noseq, PROTO_DECODE_UNSEQUENCED, &m);
	ck_assert_int_eq(m.seq, 0);
	ck_assert_int_eq(m.ts_ms, 0);
	ck_assert_int_eq(m.u.event.kind, PROTO_EV_GAZE_AWAY);
	ck_assert_str_eq(m.u.event.data, "{\"s\":3}");
	proto_msg_clear(&m);

	/* With the flag, a present seq or ts is still checked and kept. */
	decode_ok("{\"t\":\"state\",\"seq\":8,\"attempt\":\"a\","
	    "\"state\":\"paused\"}", PROTO_DECODE_UNSEQUENCED, &m);
	ck_assert_int_eq(m.seq, 8);
	ck_assert_int_eq(m.ts_ms, 0);
	decode_ok("{\"t\":\"gap\",\"from_seq\":1,\"to_seq\":2,\"why\":\"w\"}",
	    PROTO_DECODE_UNSEQUENCED, &m);
	ck_assert_int_eq(m.ts_ms, 0);
	decode_fails_flags("{\"t\":\"state\",\"seq\":0,\"attempt\":\"a\","
	    "\"state\":\"paused\"}", PROTO_DECODE_UNSEQUENCED,
	    "field \"seq\": expected an integer >= 1, got 0");
	decode_fails_flags("{\"t\":\"gap\",\"ts\":1,\"from_seq\":1,"
	    "\"to_seq\":2,\"why\":\"w\"}", PROTO_DECODE_UNSEQUENCED,
	    "field \"ts\"");

	/* Without it, ts is required on welcome and gap too. */
	decode_fails("{\"t\":\"gap\",\"from_seq\":1,\"to_seq\":2,\"why\":\"w\"}",
	    "missing field \"ts\" in gap message");
}
END_TEST

/* ---- malformed input ---- */

struct bad {
	const char	*json;
	const char	*needle;	/* must appear in the error */
};

#define EV_HEAD	"{\"t\":\"event\",\"seq\":1,\"ts\":\"" TS_TEXT "\","
#define AN_HEAD	"{\"t\":\"answer\",\"seq\":1,\"ts\":\"" TS_TEXT "\","
#define AT_HEAD	"{\"t\":\"attempt\",\"seq\":1,\"ts\":\"" TS_TEXT "\","
#define ID65	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct bad bad_inputs[] = {
	/* Not a JSON object. */
	{ "", "message is empty, expected a JSON object" },
	{ "[1,2]", "message is an array, expected a JSON object" },
	{ "\"hello\"", "message is a string, expected a JSON object" },
	{ "42", "message is an integer, expected a JSON object" },
	{ "{\"t\":\"event\",\"seq\":1", "not JSON: " },
	{ "{\"t\":\"event\",} ", "not JSON: " },
	{ "{\"t\":\"state\"} trailing", "not JSON: " },
	{ "{\"t\":\"x\",\"t\":\"y\"}", "duplicate object key" },
	{ "{\"t\":\"st\xff\"}", "not JSON: " },

	/* The type. */
	{ "{\"seq\":1}", "missing field \"t\"" },
	{ "{\"t\":3}", "field \"t\": expected a message type name (a string), "
	    "got an integer" },
	{ "{\"t\":\"helo\",\"proto\":1}",
	    "field \"t\": unknown message type \"helo\" (did you mean "
	    "\"hello\"?)" },
	{ "{\"t\":\"\"}", "field \"t\": unknown message type \"\"" },

	/* seq and ts. */
	{ EV_HEAD "\"seq\":\"7\"}", "duplicate object key" },
	{ "{\"t\":\"event\",\"seq\":\"7\",\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"seq\": expected an integer >= 1, got a string" },
	{ "{\"t\":\"event\",\"seq\":1.0,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"seq\": expected an integer >= 1, got a real number" },
	{ "{\"t\":\"event\",\"seq\":true,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"seq\": expected an integer >= 1, got a boolean" },
	{ "{\"t\":\"event\",\"seq\":0,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"seq\": expected an integer >= 1, got 0" },
	{ "{\"t\":\"event\",\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "missing field \"seq\" in event message" },
	{ "{\"t\":\"event\",\"seq\":null,\"ts\":\"" TS_TEXT "\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"seq\": expected an integer >= 1, got null" },
	{ "{\"t\":\"event\",\"seq\":1,\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "missing field \"ts\" in event message" },
	{ "{\"t\":\"event\",\"seq\":1,\"ts\":\"yesterday\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"ts\": expected an RFC 3339 time such as "
	    "\"2026-11-23T18:11:10.123Z\", got \"yesterday\"" },
	{ "{\"t\":\"event\",\"seq\":1,\"ts\":\"2026-11-23T18:11:10\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}", "field \"ts\"" },
	{ "{\"t\":\"event\",\"seq\":1,\"ts\":1795457470123,"
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"ts\": expected an RFC 3339 time (a string" },
	{ "{\"t\":\"event\",\"seq\":1,\"ts\":\"1969-12-31T23:59:59Z\","
	    "\"attempt\":\"a\",\"kind\":\"idle\"}",
	    "field \"ts\": expected a time between 1970 and 9999" },

	/* Event. */
	{ EV_HEAD "\"kind\":\"idle\"}", "missing field \"attempt\" in event "
	    "message" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":\"focus_lsot\"}",
	    "field \"kind\": unknown event kind \"focus_lsot\" (did you mean "
	    "\"focus_lost\"?)" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":\"teleported\"}",
	    "field \"kind\": unknown event kind \"teleported\"" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":7}",
	    "field \"kind\": expected an event kind (a string), got an "
	    "integer" },
	{ EV_HEAD "\"attempt\":\"a\"}", "missing field \"kind\" in event "
	    "message" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":\"idle\",\"data\":[1]}",
	    "field \"data\": expected an object, got an array" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":\"idle\",\"data\":\"{}\"}",
	    "field \"data\": expected an object, got a string" },
	{ EV_HEAD "\"attempt\":\"\",\"kind\":\"idle\"}",
	    "field \"attempt\": expected a non-empty id, got \"\"" },
	{ EV_HEAD "\"attempt\":\"" ID65 "\",\"kind\":\"idle\"}",
	    "field \"attempt\": expected an id of at most 64 bytes, got 65 "
	    "bytes" },
	{ EV_HEAD "\"attempt\":[\"a\"],\"kind\":\"idle\"}",
	    "field \"attempt\": expected an id (a string), got an array" },
	{ EV_HEAD "\"attempt\":\"a\\u0000b\",\"kind\":\"idle\"}",
	    "field \"attempt\": a string contains \\u0000 (a NUL character), "
	    "which is not allowed" },
	{ EV_HEAD "\"attempt\":\"a\",\"kind\":\"idle\",\"data\":{\"w\":"
	    "[\"x\",\"\\u0000\"]}}", "field \"data.w[1]\": a string contains "
	    "\\u0000" },
	{ EV_HEAD "\"attempt\":\"a\\ud800\",\"kind\":\"idle\"}", "not JSON: " },

	/* Answer. */
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":\"yes\",\"elapsed_ms\":1}",
	    "field \"correct\": expected true or false, got a string" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":1,\"elapsed_ms\":1}",
	    "field \"correct\": expected true or false, got an integer" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":true,\"elapsed_ms\":-5}",
	    "field \"elapsed_ms\": expected an integer >= 0, got -5" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":true,\"elapsed_ms\":12.5}",
	    "field \"elapsed_ms\": expected an integer >= 0, got a real "
	    "number" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":true,\"elapsed_ms\":1,\"changed\":-1}",
	    "field \"changed\": expected an integer >= 0, got -1" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":\"B\","
	    "\"correct\":true}", "missing field \"elapsed_ms\" in answer "
	    "message" },
	{ AN_HEAD "\"attempt\":\"a\",\"item\":\"i\",\"response\":null,"
	    "\"correct\":true,\"elapsed_ms\":1}",
	    "field \"response\": expected a name (a string), got null" },

	/* Attempt and state. */
	{ AT_HEAD "\"attempt\":\"a\",\"candidate\":\"c\",\"name\":\"n\","
	    "\"exam\":\"e\",\"modality\":\"online\",\"state\":\"paused\"}",
	    "field \"modality\": unknown modality \"online\" (expected "
	    "\"remote\" or \"test_center\")" },
	{ AT_HEAD "\"attempt\":\"a\",\"candidate\":\"c\",\"name\":\"n\","
	    "\"exam\":\"e\",\"modality\":\"remote\",\"state\":\"paused\","
	    "\"ip\":\"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000\"}",
	    "field \"ip\": expected an IP address of at most 45 bytes" },
	{ AT_HEAD "\"attempt\":\"a\",\"name\":\"n\",\"exam\":\"e\","
	    "\"modality\":\"remote\",\"state\":\"paused\"}",
	    "missing field \"candidate\" in attempt message" },
	{ "{\"t\":\"state\",\"seq\":1,\"ts\":\"" TS_TEXT "\",\"attempt\":\"a\","
	    "\"state\":\"finished\"}", "field \"state\": unknown attempt state "
	    "\"finished\" (expected \"scheduled\", \"checked_in\", "
	    "\"in_progress\", \"paused\", \"submitted\" or \"terminated\")" },

	/* Hello. */
	{ "{\"t\":\"hello\",\"proto\":2,\"proctor\":\"p\"}",
	    "field \"proto\": expected protocol version 1, got 2" },
	{ "{\"t\":\"hello\",\"proto\":\"1\",\"proctor\":\"p\"}",
	    "field \"proto\": expected protocol version 1 (an integer), got a "
	    "string" },
	{ "{\"t\":\"hello\",\"proctor\":\"p\"}",
	    "missing field \"proto\" in hello message" },
	{ "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\",\"resume\":"
	    "{\"epoch\":1}}", "missing field \"resume.after_seq\" in hello "
	    "message" },
	{ "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\",\"resume\":"
	    "{\"epoch\":-1,\"after_seq\":0}}",
	    "field \"resume.epoch\": expected an integer >= 1, got -1" },
	{ "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\",\"resume\":5}",
	    "field \"resume\": expected an object" },

	/* Welcome. */
	{ "{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"n\",\"epoch\":1,\"first_seq\":9,\"last_seq\":5}",
	    "field \"first_seq\": expected at most last_seq + 1 (6), got 9" },
	{ "{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"n\",\"epoch\":1,\"first_seq\":0,\"last_seq\":5}",
	    "field \"first_seq\": expected an integer >= 1 when last_seq is 5" },
	{ "{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"n\",\"epoch\":-1,\"first_seq\":1,\"last_seq\":5}",
	    "field \"epoch\": expected an integer >= 1, got -1" },
	{ "{\"t\":\"welcome\",\"ts\":\"" TS_TEXT "\",\"feed\":\"f\","
	    "\"name\":\"n\",\"epoch\":9007199254740992,\"first_seq\":1,"
	    "\"last_seq\":5}", "field \"epoch\": expected an integer from 1 to "
	    "9007199254740991 (2^53-1" },
	{ "{\"t\":\"hello\",\"proto\":1,\"proctor\":\"p\",\"resume\":"
	    "{\"epoch\":9223372036854775807,\"after_seq\":0}}",
	    "field \"resume.epoch\": expected an integer from 1 to "
	    "9007199254740991" },

	/* Cmd, ack, gap. */
	{ "{\"t\":\"cmd\",\"id\":\"c\",\"attempt\":\"a\",\"action\":\"xyzzy\"}",
	    "field \"action\": unknown action \"xyzzy\" (expected \"warn\", "
	    "\"message\", \"pause\", \"resume\", \"terminate\", "
	    "\"extend\" or \"lock\")" },
	{ "{\"t\":\"cmd\",\"id\":\"c\",\"attempt\":\"a\",\"action\":\"pasue\"}",
	    "field \"action\": unknown action \"pasue\" (did you mean "
	    "\"pause\"?)" },
	{ "{\"t\":\"ack\",\"seq\":1,\"ts\":\"" TS_TEXT "\",\"cmd\":\"c\","
	    "\"ok\":false}", "field \"error\": expected a non-empty reason when "
	    "\"ok\" is false" },
	{ "{\"t\":\"ack\",\"seq\":1,\"ts\":\"" TS_TEXT "\",\"cmd\":\"c\","
	    "\"ok\":false,\"error\":\"\"}", "field \"error\"" },
	{ "{\"t\":\"ack\",\"seq\":1,\"ts\":\"" TS_TEXT "\",\"cmd\":\"c\","
	    "\"ok\":true,\"error\":\"no such attempt\"}", "field \"error\": "
	    "expected none when \"ok\" is true (the command was carried out), "
	    "got \"no such attempt\"" },
	{ "{\"t\":\"ack\",\"seq\":1,\"ts\":\"" TS_TEXT "\",\"cmd\":\"c\","
	    "\"ok\":\"false\",\"error\":\"x\"}",
	    "field \"ok\": expected true or false, got a string" },
	{ "{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\",\"from_seq\":9,\"to_seq\":3,"
	    "\"why\":\"w\"}",
	    "field \"to_seq\": expected an integer >= from_seq (9), got 3" },
	{ "{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\",\"from_seq\":0,\"to_seq\":3,"
	    "\"why\":\"w\"}", "field \"from_seq\": expected an integer >= 1, "
	    "got 0" },
	{ "{\"t\":\"gap\",\"ts\":\"" TS_TEXT "\",\"from_seq\":1,\"to_seq\":3}",
	    "missing field \"why\" in gap message" },
};

START_TEST(test_malformed)
{
	decode_fails(bad_inputs[_i].json, bad_inputs[_i].needle);
}
END_TEST

START_TEST(test_oversized)
{
	char			*buf;
	struct proto_msg	 m;
	char			 err[256];
	size_t			 n;
	const char		*head = "{\"t\":\"state\",\"seq\":1,\"ts\":\""
	    TS_TEXT "\",\"attempt\":\"a\",\"state\":\"paused\"}";

	buf = malloc(70001);
	ck_assert_ptr_nonnull(buf);
	memset(buf, ' ', 70000);
	n = strlen(head);
	memcpy(buf, head, n);
	buf[70000] = '\0';
	decode_fails_len(buf, 70000, 0, "message is 70000 bytes, larger than "
	    "the 65536-byte limit");

	/* Exactly at the limit is fine (trailing white space is JSON). */
	ck_assert_int_eq(proto_decode(buf, PROTO_MAX_MESSAGE, 0, &m, err,
	    sizeof err), 0);
	ck_assert_int_eq(m.u.state.state, PROTO_STATE_PAUSED);
	decode_fails_len(buf, PROTO_MAX_MESSAGE + 1, 0, "message is 65537 "
	    "bytes, larger than the 65536-byte limit");
	free(buf);
}
END_TEST

START_TEST(test_data_too_large)
{
	char	*buf, *p;
	size_t	 n;

	buf = malloc(PROTO_MAX_MESSAGE);
	ck_assert_ptr_nonnull(buf);
	p = buf + sprintf(buf, EV_HEAD "\"attempt\":\"a\",\"kind\":\"idle\","
	    "\"data\":{\"blob\":\"");
	memset(p, 'x', 17000);
	p += 17000;
	strcpy(p, "\"}}");
	n = strlen(buf);
	decode_fails_len(buf, n, 0, "field \"data\": 17011 bytes when "
	    "serialised, larger than the 16384-byte limit");
	free(buf);
}
END_TEST

/* Hostile values never reach the error raw, and long ones are cut. */
START_TEST(test_error_sanitised)
{
	char	buf[1024];

	decode_fails(EV_HEAD "\"attempt\":\"a\",\"kind\":\"\\u001b[2J\\u202e"
	    "x\"}", "field \"kind\": unknown event kind \"\\x1b[2J\\u{202e}x\"");
	decode_fails("{\"t\":\"\\u009b31m\"}", "unknown message type "
	    "\"\\u{009b}31m\"");
	snprintf(buf, sizeof buf, EV_HEAD "\"attempt\":\"a\",\"kind\":\"%s\"}",
	    "0123456789012345678901234567890123456789012345678901234567890");
	decode_fails(buf, "unknown event kind \"01234567890123456789012345"
	    "6789012345678901234567...\"");
	/* A cut never splits a character: 47 ASCII bytes, then "é"s. */
	snprintf(buf, sizeof buf, EV_HEAD "\"attempt\":\"a\",\"kind\":\"%s\"}",
	    "01234567890123456789012345678901234567890123456éééééé");
	decode_fails(buf, "unknown event kind \"01234567890123456789012345"
	    "678901234567890123456...\"");
}
END_TEST

/* A small or missing error buffer is never overrun. */
START_TEST(test_error_buffer)
{
	struct proto_msg	 m;
	char			 err[128];
	const char		*bad = "{\"t\":\"héllo\"}";

	memset(err, 'Z', sizeof err);
	ck_assert_int_eq(proto_decode(bad, strlen(bad), 0, &m, err, 12), -1);
	ck_assert_str_eq(err, "field \"t\": ");
	ck_assert_int_eq(err[12], 'Z');
	ck_assert_int_eq(proto_decode(bad, strlen(bad), 0, &m, NULL, 0), -1);
	ck_assert_int_eq(proto_decode(bad, strlen(bad), 0, &m, err, 0), -1);
	ck_assert_int_eq(err[0], 'f');
	/* A cut inside "é" drops the half character. */
	ck_assert_int_eq(proto_decode(bad, strlen(bad), 0, &m, err, 36), -1);
	ck_assert_str_eq(err, "field \"t\": unknown message type \"h");
	ck_assert_int_eq(proto_decode(bad, strlen(bad), 0, &m, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "field \"t\": unknown message type \"héllo\" "
	    "(did you mean \"hello\"?)");
	ck_assert_int_eq(proto_decode("{\"t\":\"\"}", 8, 0, &m, err,
	    sizeof err), -1);
}
END_TEST

/* ---- encoding ---- */

START_TEST(test_encode_errors)
{
	struct proto_msg	 m;
	const char		*json;
	char			 bad_utf8[] = "a\xc3", *out;
	size_t			 len;

	sample(PROTO_EVENT, &m, &json);
	m.seq = 0;
	encode_fails(&m, "field \"seq\": expected an integer >= 1, got 0");

	sample(PROTO_EVENT, &m, &json);
	m.ts_ms = -1;
	encode_fails(&m, "field \"ts\"");

	sample(PROTO_EVENT, &m, &json);
	m.u.event.kind = PROTO_EV_COUNT;
	encode_fails(&m, "field \"kind\": expected an event kind, got the "
	    "out-of-range value 23");

	sample(PROTO_EVENT, &m, &json);
	m.u.event.attempt[0] = '\0';
	encode_fails(&m, "field \"attempt\": expected a non-empty id");

	sample(PROTO_EVENT, &m, &json);
	m.u.event.data = "[1,2]";
	m.u.event.data_len = 5;
	encode_fails(&m, "field \"data\": expected an object, got an array");

	sample(PROTO_EVENT, &m, &json);
	m.u.event.data = "{\"a\":";
	m.u.event.data_len = 5;
	encode_fails(&m, "field \"data\": expected a JSON object, got text "
	    "that is not JSON");

	sample(PROTO_ATTEMPT, &m, &json);
	memset(m.u.attempt.exam, 'e', sizeof m.u.attempt.exam);
	encode_fails(&m, "field \"exam\": not NUL-terminated");

	sample(PROTO_ATTEMPT, &m, &json);
	memcpy(m.u.attempt.name, bad_utf8, sizeof bad_utf8);
	encode_fails(&m, "field \"name\": expected UTF-8 text");

	sample(PROTO_ATTEMPT, &m, &json);
	m.u.attempt.state = (enum proto_state)-1;
	encode_fails(&m, "field \"state\": expected an attempt state");

	sample(PROTO_ATTEMPT, &m, &json);
	memset(m.u.attempt.ip, '1', PROTO_IP_MAX + 1);
	m.u.attempt.ip[PROTO_IP_MAX] = '\0';
	out = encode_ok(&m, &len);
	free(out);

	sample(PROTO_ANSWER, &m, &json);
	m.u.answer.correct = 2;
	encode_fails(&m, "field \"correct\": expected 0 or 1");

	sample(PROTO_ANSWER, &m, &json);
	m.u.answer.elapsed_ms = -1;
	encode_fails(&m, "field \"elapsed_ms\": expected an integer >= 0");

	sample(PROTO_HELLO, &m, &json);
	m.u.hello.proto = 2;
	encode_fails(&m, "field \"proto\": expected protocol version 1, got 2");

	sample(PROTO_HELLO, &m, &json);
	m.u.hello.resume_after_seq = -3;
	encode_fails(&m, "field \"resume.after_seq\": expected an integer >= 0");

	sample(PROTO_ACK, &m, &json);
	m.u.ack.error[0] = '\0';
	encode_fails(&m, "field \"error\": expected a non-empty reason");

	sample(PROTO_ACK, &m, &json);
	m.u.ack.ok = 1;
	encode_fails(&m, "field \"error\": expected none when \"ok\" is "
	    "true");

	sample(PROTO_WELCOME, &m, &json);
	m.u.welcome.epoch = PROTO_EPOCH_MAX + 1;
	encode_fails(&m, "field \"epoch\": expected an integer from 1 to "
	    "9007199254740991");
	m.u.welcome.epoch = PROTO_EPOCH_MAX;
	free(encode_ok(&m, &len));

	sample(PROTO_GAP, &m, &json);
	m.u.gap.to_seq = 9;
	encode_fails(&m, "field \"to_seq\": expected an integer >= from_seq "
	    "(10), got 9");

	sample(PROTO_WELCOME, &m, &json);
	m.u.welcome.first_seq = 5002;
	encode_fails(&m, "field \"first_seq\"");

	m.type = PROTO_TYPE_COUNT;
	encode_fails(&m, "message type 9 is not a protocol v1 type");
}
END_TEST

/* hello and cmd never carry seq or ts, whatever the struct holds. */
START_TEST(test_encode_ignores_seq_on_control)
{
	struct proto_msg	 m;
	const char		*json;
	char			*out;
	size_t			 len;

	sample(PROTO_CMD, &m, &json);
	m.seq = 77;
	m.ts_ms = TS_MS;
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, json);
	free(out);

	/* Event data: NULL encodes as {}, data_len 0 means "use strlen". */
	sample(PROTO_EVENT, &m, &json);
	m.seq = 1;
	m.u.event.data = NULL;
	m.u.event.data_len = 0;
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, EV_HEAD "\"attempt\":\"att-1\","
	    "\"kind\":\"prohibited_process\",\"data\":{}}");
	free(out);
	m.u.event.data = "{ \"b\": 2, \"a\": 1 }";
	m.u.event.data_len = 0;
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, EV_HEAD "\"attempt\":\"att-1\","
	    "\"kind\":\"prohibited_process\",\"data\":{\"b\":2,\"a\":1}}");
	free(out);
}
END_TEST

/* Hostile but valid strings survive a round trip byte for byte. */
START_TEST(test_roundtrip_hostile_strings)
{
	struct proto_msg	 m, back;
	const char		*json;
	char			*out;
	size_t			 len;

	sample(PROTO_ATTEMPT, &m, &json);
	strcpy(m.u.attempt.name, "\x1b[2J\x1b]0;pwned\x07\u202e\u2066x\x7f"
	    "\xc2\x9b");
	memset(m.u.attempt.candidate, 'c', PROTO_ID_MAX);
	memset(m.u.attempt.device, 'd', PROTO_ID_MAX);
	out = encode_ok(&m, &len);
	ck_assert_ptr_null(memchr(out, 0x1b, len));
	decode_ok(out, 0, &back);
	assert_msg_eq(&m, &back);
	free(out);

	sample(PROTO_CMD, &m, &json);
	memset(m.u.cmd.text, '\n', PROTO_TEXT_MAX);
	out = encode_ok(&m, &len);
	decode_ok(out, 0, &back);
	assert_msg_eq(&m, &back);
	free(out);
}
END_TEST

/* ---- names ---- */

START_TEST(test_names)
{
	int	i;

	for (i = 0; i < PROTO_TYPE_COUNT; i++)
		ck_assert_int_eq(proto_type_parse(proto_type_name(i)), i);
	for (i = 0; i < PROTO_SEV_COUNT; i++)
		ck_assert_int_eq(proto_severity_parse(proto_severity_name(i)),
		    i);
	ck_assert_str_eq(proto_severity_name(PROTO_SEV_INFO), "info");
	ck_assert_str_eq(proto_severity_name(PROTO_SEV_CRITICAL), "critical");
	ck_assert_str_eq(proto_severity_name(PROTO_SEV_COUNT), "?");
	ck_assert_int_eq(proto_severity_parse("hgih"), -1);
	ck_assert_int_lt(PROTO_SEV_HIGH, PROTO_SEV_CRITICAL);
	for (i = 0; i < PROTO_STATE_COUNT; i++)
		ck_assert_int_eq(proto_state_parse(proto_state_name(i)), i);
	for (i = 0; i < PROTO_MODALITY_COUNT; i++) {
		ck_assert_int_eq(proto_modality_parse(proto_modality_name(i)),
		    i);
	}
	for (i = 0; i < PROTO_EV_COUNT; i++) {
		ck_assert_int_eq(proto_event_kind_parse(
		    proto_event_kind_name(i)), i);
	}
	for (i = 0; i < PROTO_ACTION_COUNT; i++)
		ck_assert_int_eq(proto_action_parse(proto_action_name(i)), i);

	ck_assert_str_eq(proto_type_name(PROTO_GAP), "gap");
	ck_assert_str_eq(proto_state_name(PROTO_STATE_CHECKED_IN),
	    "checked_in");
	ck_assert_str_eq(proto_modality_name(PROTO_MODALITY_TEST_CENTER),
	    "test_center");
	ck_assert_str_eq(proto_event_kind_name(PROTO_EV_RAISE_HAND),
	    "raise_hand");
	ck_assert_str_eq(proto_event_kind_name(PROTO_EV_FOCUS_LOST),
	    "focus_lost");
	ck_assert_str_eq(proto_action_name(PROTO_ACTION_TERMINATE),
	    "terminate");
	ck_assert_str_eq(proto_type_name(PROTO_TYPE_COUNT), "?");
	ck_assert_str_eq(proto_event_kind_name((enum proto_event_kind)-1), "?");
	ck_assert_int_eq(proto_type_parse("Hello"), -1);
	ck_assert_int_eq(proto_event_kind_parse(""), -1);
	ck_assert_int_eq(proto_state_parse(NULL), -1);

	ck_assert_int_eq(proto_type_is_stream(PROTO_ATTEMPT), 1);
	ck_assert_int_eq(proto_type_is_stream(PROTO_EVENT), 1);
	ck_assert_int_eq(proto_type_is_stream(PROTO_ANSWER), 1);
	ck_assert_int_eq(proto_type_is_stream(PROTO_STATE), 1);
	ck_assert_int_eq(proto_type_is_stream(PROTO_ACK), 1);
	ck_assert_int_eq(proto_type_is_stream(PROTO_HELLO), 0);
	ck_assert_int_eq(proto_type_is_stream(PROTO_WELCOME), 0);
	ck_assert_int_eq(proto_type_is_stream(PROTO_CMD), 0);
	ck_assert_int_eq(proto_type_is_stream(PROTO_GAP), 0);
}
END_TEST

/* ---- time ---- */

START_TEST(test_time_format)
{
	char	buf[32];

	memset(buf, 'Z', sizeof buf);
	proto_time_format(TS_MS, buf);
	ck_assert_str_eq(buf, TS_TEXT);
	ck_assert_int_eq(buf[25], 'Z');
	proto_time_format(0, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
	proto_time_format(1709251199999LL, buf);
	ck_assert_str_eq(buf, "2024-02-29T23:59:59.999Z");
	proto_time_format(951868800000LL, buf);
	ck_assert_str_eq(buf, "2000-03-01T00:00:00.000Z");
	proto_time_format(253402300799999LL, buf);
	ck_assert_str_eq(buf, "9999-12-31T23:59:59.999Z");
	proto_time_format(-5, buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
	proto_time_format(INT64_MAX, buf);
	ck_assert_str_eq(buf, "9999-12-31T23:59:59.999Z");
}
END_TEST

START_TEST(test_time_parse)
{
	static const struct {
		const char	*text;
		int64_t		 ms;
	} good[] = {
		{ TS_TEXT, TS_MS },
		{ "2026-11-23T18:11:10Z", TS_MS - 123 },
		{ "2026-11-23T18:11:10.1Z", TS_MS - 23 },
		{ "2026-11-23T18:11:10.12Z", TS_MS - 3 },
		{ "2026-11-23T18:11:10.123999999Z", TS_MS },
		{ "2026-11-23T19:11:10.123+01:00", TS_MS },
		{ "2026-11-23T13:41:10.123-04:30", TS_MS },
		{ "2026-11-24T03:11:10.123+09:00", TS_MS },
		{ "2026-11-23T18:11:10.123+00:00", TS_MS },
		{ "2026-11-23T18:11:10.123-00:00", TS_MS },
		{ "2026-11-23t18:11:10.123z", TS_MS },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T01:00:00+01:00", 0 },
		{ "2024-02-29T23:59:59.999Z", 1709251199999LL },
		{ "2016-12-31T23:59:60Z", 1483228800000LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
		{ "1969-12-31T23:59:59Z", -1000 },
	};
	static const char *const bad[] = {
		"", "yesterday", "2026-11-23", "2026-11-23T18:11:10",
		"2026-11-23T18:11Z", "2026-11-23 18:11:10Z",
		"2026-11-23T18:11:10.Z", "2026-11-23T18:11:10.123ZZ",
		"2026-11-23T18:11:10.123Z ", " 2026-11-23T18:11:10Z",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-11-31T00:00:00Z", "2026-11-00T00:00:00Z",
		"2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2026-11-23T24:00:00Z", "2026-11-23T18:60:00Z",
		"2026-11-23T18:11:61Z", "2026-11-23T18:11:10+1:00",
		"2026-11-23T18:11:10+01", "2026-11-23T18:11:10+0100",
		"2026-11-23T18:11:10+24:00", "2026-11-23T18:11:10+01:60",
		"26-11-23T18:11:10Z", "+2026-11-23T18:11:10Z",
		"2026-1a-23T18:11:10Z", "2026/11/23T18:11:10Z",
	};
	size_t	i;
	int64_t	ms;
	char	buf[32];

	for (i = 0; i < nitems(good); i++) {
		ms = 12345;
		ck_assert_msg(proto_time_parse(good[i].text, &ms) == 0,
		    "%s did not parse", good[i].text);
		ck_assert_msg(ms == good[i].ms, "%s parsed as %lld, expected "
		    "%lld", good[i].text, (long long)ms,
		    (long long)good[i].ms);
	}
	for (i = 0; i < nitems(bad); i++) {
		ms = 12345;
		ck_assert_msg(proto_time_parse(bad[i], &ms) == -1,
		    "\"%s\" parsed", bad[i]);
		ck_assert_int_eq(ms, 12345);
	}
	ck_assert_int_eq(proto_time_parse(NULL, &ms), -1);

	/* format and parse agree over 400 years of scattered instants. */
	for (ms = 0; ms < 253402300799999LL; ms += 86400000LL * 37 + 3601001) {
		int64_t	back;

		proto_time_format(ms, buf);
		ck_assert_int_eq(proto_time_parse(buf, &back), 0);
		ck_assert_int_eq(back, ms);
	}
}
END_TEST

START_TEST(test_now)
{
	int64_t	now = proto_now_ms();

	/* After 2020-01-01 and before 2200-01-01. */
	ck_assert_int_gt(now, 1577836800000LL);
	ck_assert_int_lt(now, 7258118400000LL);
}
END_TEST

/* ---- UTF-8 ---- */

/*
 * Cutting text: every prefix length of a string mixing 1- to 4-byte
 * characters gives valid UTF-8 that is a prefix of the string, as long as
 * possible, and says whether anything was left out.
 */
START_TEST(test_utf8_copy)
{
	static const char	*src = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	/* The character boundaries of src. */
	static const size_t	 bounds[] = { 0, 1, 3, 6, 10, 11 };
	char			 out[16];
	size_t			 outsz, want, i;
	int			 cut;

	for (outsz = 1; outsz <= 13; outsz++) {
		want = 0;
		for (i = 0; i < nitems(bounds); i++) {
			if (bounds[i] <= outsz - 1)
				want = bounds[i];
		}
		memset(out, 'X', sizeof out);
		cut = proto_utf8_copy(out, outsz, src);
		ck_assert_msg(strlen(out) == want, "outsz %zu: %zu bytes, "
		    "expected %zu", outsz, strlen(out), want);
		ck_assert(memcmp(out, src, want) == 0);
		ck_assert(proto_utf8_valid(out, strlen(out)));
		ck_assert_int_eq(cut, want < strlen(src));
		ck_assert_uint_eq(proto_utf8_boundary(src, outsz - 1 <
		    strlen(src) ? outsz - 1 : strlen(src)), want);
	}
	/* Bytes that are not UTF-8 are units of their own: kept as they are. */
	ck_assert_int_eq(proto_utf8_copy(out, 3, "\xff\xfe\xfd"), 1);
	ck_assert_str_eq(out, "\xff\xfe");
	ck_assert_uint_eq(proto_utf8_boundary("ab\x80", 3), 3);
	ck_assert_int_eq(proto_utf8_copy(out, 1, "abc"), 1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(proto_utf8_copy(out, 4, "abc"), 0);
	ck_assert_str_eq(out, "abc");
}
END_TEST

START_TEST(test_utf8_valid)
{
	static const struct {
		const char	*s;
		size_t		 len;
		int		 valid;
	} cases[] = {
		{ "", 0, 1 },
		{ "plain ascii", 11, 1 },
		{ "a\0b", 3, 1 },		/* NUL is valid UTF-8 */
		{ "\xc3\xa9", 2, 1 },		/* é */
		{ "\xe2\x82\xac", 3, 1 },	/* € */
		{ "\xf0\x9f\x98\x80", 4, 1 },	/* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },	/* U+10FFFF */
		{ "\xed\x9f\xbf", 3, 1 },	/* U+D7FF */
		{ "\xee\x80\x80", 3, 1 },	/* U+E000 */
		{ "\xc2\x80", 2, 1 },		/* U+0080, smallest 2-byte */
		{ "\xe0\xa0\x80", 3, 1 },	/* U+0800, smallest 3-byte */
		{ "\xf0\x90\x80\x80", 4, 1 },	/* U+10000, smallest 4-byte */
		{ "\xc0\xaf", 2, 0 },		/* overlong "/" */
		{ "\xc1\xbf", 2, 0 },		/* overlong */
		{ "\xe0\x80\xaf", 3, 0 },	/* overlong 3-byte */
		{ "\xe0\x9f\xbf", 3, 0 },	/* overlong U+07FF */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },	/* overlong U+FFFF */
		{ "\xed\xa0\x80", 3, 0 },	/* surrogate U+D800 */
		{ "\xed\xbf\xbf", 3, 0 },	/* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },	/* lead byte beyond range */
		{ "\xff", 1, 0 },
		{ "\x80", 1, 0 },		/* stray continuation */
		{ "\xc3", 1, 0 },		/* truncated 2-byte */
		{ "\xe2\x82", 2, 0 },		/* truncated 3-byte */
		{ "\xf0\x9f\x98", 3, 0 },	/* truncated 4-byte */
		{ "\xe2\x82\xac", 2, 0 },	/* cut by len */
		{ "\xc3\x28", 2, 0 },		/* bad continuation */
		{ "ok\xe2\x28\xa1", 5, 0 },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		ck_assert_msg(proto_utf8_valid(cases[i].s, cases[i].len) ==
		    cases[i].valid, "case %zu: expected %d", i,
		    cases[i].valid);
	}
}
END_TEST

/* ---- sanitiser ---- */

#define S(literal)	literal, sizeof(literal) - 1

START_TEST(test_sanitize)
{
	static const struct {
		const char	*in;
		size_t		 len;
		const char	*out;
	} cases[] = {
		{ S("plain text"), "plain text" },
		{ S(""), "" },
		{ S("Zoë Ødegård 山田 😀"), "Zoë Ødegård 山田 😀" },
		{ S("\x1b[2J\x1b[31mred"), "\\x1b[2J\\x1b[31mred" },
		{ S("\x1b]0;title\x07"), "\\x1b]0;title\\x07" },
		{ S("a\tb\nc\rd"), "a\\x09b\\x0ac\\x0dd" },
		{ S("a\0b"), "a\\x00b" },
		{ S("del\x7f"), "del\\x7f" },
		{ S("\xc2\x9b" "31m"), "\\u{009b}31m" },	/* C1 CSI */
		{ S("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u{0080}\\u{009f}\xc2\xa0" },
		{ S("\x9b" "31m"), "\\x9b31m" },		/* raw 8-bit CSI */
		{ S("abc\xe2\x80\xaexyz"), "abc\\u{202e}xyz" },	/* RLO */
		{ S("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"),
		    "\\u{202a}\\u{202b}\\u{202c}\\u{202d}" },
		{ S("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9"),
		    "\\u{2066}\\u{2067}\\u{2068}\\u{2069}" },
		{ S("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c"),
		    "\\u{200e}\\u{200f}\\u{061c}" },
		/* Invisible and format characters (were passed through). */
		{ S("\xe2\x80\x8d\xe2\x81\xa5"), "\\u{200d}\\u{2065}" },
		{ S("Ali\xe2\x80\x8b" "ce"), "Ali\\u{200b}ce" },
		{ S("\xe2\x80\x8c\xe2\x81\xa0\xef\xbb\xbf"),
		    "\\u{200c}\\u{2060}\\u{feff}" },
		{ S("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u{2028}b\\u{2029}" },
		{ S("\xe1\x85\x9f\xe1\x85\xa0\xe3\x85\xa4\xef\xbe\xa0"),
		    "\\u{115f}\\u{1160}\\u{3164}\\u{ffa0}" },
		{ S("soft\xc2\xad" "hyphen"), "soft\\u{00ad}hyphen" },
		{ S("\xe1\xa0\x8e\xe2\x81\xa1\xe2\x81\xa4\xe2\x81\xaa\xe2\x81\xaf"),
		    "\\u{180e}\\u{2061}\\u{2064}\\u{206a}\\u{206f}" },
		{ S("\xef\xbf\xb9\xef\xbf\xbb\xef\xbf\xbe"),
		    "\\u{fff9}\\u{fffb}\\u{fffe}" },
		{ S("\xf3\xa0\x80\x81\xf3\xa0\x81\xbf"), "\\u{e0001}\\u{e007f}" },
		{ S("\xe2\x9d\xa4\xef\xb8\x8f"), "\xe2\x9d\xa4\\u{fe0f}" },
		{ S("\xcd\x8f\xe2\xa0\x80"), "\\u{034f}\\u{2800}" },
		/* Their visible neighbours pass. */
		{ S("\xe2\x80\x8a\xe2\x80\xa7\xe2\x80\xb0\xc2\xac\xc2\xae"),
		    "\xe2\x80\x8a\xe2\x80\xa7\xe2\x80\xb0\xc2\xac\xc2\xae" },
		{ S("\xef\xb8\x90\xe2\x81\xb0\xe1\x85\xa1"),
		    "\xef\xb8\x90\xe2\x81\xb0\xe1\x85\xa1" },
		{ S("\xff\xfe"), "\\xff\\xfe" },
		{ S("\xc0\xaf"), "\\xc0\\xaf" },		/* overlong */
		{ S("\xed\xa0\x80"), "\\xed\\xa0\\x80" },	/* surrogate */
		{ S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80" },
		{ S("x\xe2\x82"), "x\\xe2\\x82" },		/* truncated */
		{ S("\xe2\x82" "A"), "\\xe2\\x82A" },
		{ S("back\\slash"), "back\\\\slash" },
		{ S("typed \\x1b"), "typed \\\\x1b" },
	};
	char	out[128];
	size_t	i, n;

	for (i = 0; i < nitems(cases); i++) {
		memset(out, 'Z', sizeof out);
		n = proto_sanitize(cases[i].in, cases[i].len, out, sizeof out);
		ck_assert_msg(strcmp(out, cases[i].out) == 0,
		    "case %zu: got \"%s\", expected \"%s\"", i, out,
		    cases[i].out);
		ck_assert_uint_eq(n, strlen(cases[i].out));
	}
	ck_assert_uint_eq(proto_sanitize(NULL, 0, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Output is cut only between units and always NUL-terminated. */
START_TEST(test_sanitize_truncation)
{
	char	out[32];
	size_t	n;

	/* outsz 0 writes nothing at all. */
	out[0] = 'Z';
	ck_assert_uint_eq(proto_sanitize("abc", 3, out, 0), 0);
	ck_assert_int_eq(out[0], 'Z');

	ck_assert_uint_eq(proto_sanitize("abc", 3, out, 1), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(proto_sanitize("abc", 3, out, 3), 2);
	ck_assert_str_eq(out, "ab");

	/* "é" (2 bytes) does not fit in 1 byte of room. */
	memset(out, 'Z', sizeof out);
	n = proto_sanitize("aé", 3, out, 3);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out, "a");
	n = proto_sanitize("a😀", 5, out, 5);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out, "a");
	n = proto_sanitize("a😀", 5, out, 6);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(out, "a😀");

	/* "\x1b" (4 bytes) is never cut to "\x1". */
	n = proto_sanitize("ab\x1b", 3, out, 6);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out, "ab");
	n = proto_sanitize("ab\x1b", 3, out, 7);
	ck_assert_uint_eq(n, 6);
	ck_assert_str_eq(out, "ab\\x1b");

	/* "\u{202e}" (8 bytes) likewise, and nothing after a cut shows. */
	n = proto_sanitize("a\xe2\x80\xae" "b", 5, out, 9);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out, "a");
	n = proto_sanitize("a\xe2\x80\xae" "b", 5, out, 10);
	ck_assert_uint_eq(n, 9);
	ck_assert_str_eq(out, "a\\u{202e}");
}
END_TEST

/* Every output of every short input is safe: exhaustive over 2 bytes. */
START_TEST(test_sanitize_never_emits_controls)
{
	unsigned char	in[3];
	char		out[64];
	unsigned	a, b;
	size_t		i, n;

	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			in[2] = 0x80;
			n = proto_sanitize((char *)in, 3, out, sizeof out);
			ck_assert_uint_eq(n, strlen(out));
			ck_assert(proto_utf8_valid(out, n));
			for (i = 0; i < n; i++) {
				ck_assert((unsigned char)out[i] >= 0x20);
				ck_assert((unsigned char)out[i] != 0x7f);
			}
			/* No C1 in its UTF-8 form either. */
			for (i = 0; i + 1 < n; i++) {
				ck_assert(!((unsigned char)out[i] == 0xc2 &&
				    (unsigned char)out[i + 1] < 0xa0));
			}
		}
	}
}
END_TEST

/* The UTF-8 form of cp into buf (>= 4 bytes); its length. */
static size_t
utf8_put(uint32_t cp, char *buf)
{
	unsigned char	*b = (unsigned char *)buf;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * What must never reach a terminal as itself, listed here independently of
 * the sanitiser: controls, bidi controls, and the invisible characters that
 * make "Ali\u200bce" look like "Alice".
 */
static int
must_not_pass(uint32_t cp)
{
	static const uint32_t	ranges[][2] = {
		{ 0x00, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad },
		{ 0x061c, 0x061c }, { 0x115f, 0x1160 }, { 0x180e, 0x180e },
		{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x2064 },
		{ 0x2066, 0x206f }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f },
		{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff9, 0xfffb },
		{ 0xe0000, 0xe007f },
	};
	size_t	i;

	for (i = 0; i < nitems(ranges); i++)
		if (cp >= ranges[i][0] && cp <= ranges[i][1])
			return 1;
	return 0;
}

/* Every code point alone, and between letters: none of the above passes. */
START_TEST(test_sanitize_never_emits_invisible)
{
	char		in[8], out[64];
	uint32_t	cp, c;
	size_t		n, i, k;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		in[0] = 'a';
		n = 1 + utf8_put(cp, in + 1);
		in[n++] = 'b';
		n = proto_sanitize(in, n, out, sizeof out);
		ck_assert(proto_utf8_valid(out, n));
		for (i = 0; i < n; i += k) {
			c = (unsigned char)out[i];
			k = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
			if (k == 2)
				c = (c & 0x1f) << 6 | (out[i + 1] & 0x3f);
			else if (k == 3)
				c = (c & 0x0f) << 12 | (out[i + 1] & 0x3f) << 6 |
				    (out[i + 2] & 0x3f);
			else if (k == 4)
				c = (c & 0x07) << 18 | (out[i + 1] & 0x3f) << 12 |
				    (out[i + 2] & 0x3f) << 6 | (out[i + 3] & 0x3f);
			ck_assert_msg(!must_not_pass(c), "U+%04X passed the "
			    "sanitiser as itself", (unsigned)c);
		}
		if (must_not_pass(cp))
			ck_assert(proto_char_escaped(cp));
	}
}
END_TEST

/* JSON made terminal-safe is the same JSON value, with no raw hazards. */
START_TEST(test_json_safe)
{
	static const char	in[] = "{\"n\":\"Ali\xe2\x80\x8b" "ce\xc2\x9b"
	    "\x7f\xf3\xa0\x80\x81\xc3\xa9\xe2\x80\xae\\u001b\"}";
	static const char	want[] = "{\"n\":\"Ali\\u200bce\\u009b"
	    "\\u007f\\udb40\\udc01\xc3\xa9\\u202e\\u001b\"}";
	char			*out;
	size_t			 len;

	out = proto_json_safe(in, strlen(in), &len);
	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(len, strlen(want));
	free(out);
	out = proto_json_safe("", 0, NULL);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* ---- files by path ---- */

static char	file_dir[64];

static void
file_setup(void)
{
	check_tmp_make(file_dir, sizeof file_dir);
}

static void
file_teardown(void)
{
	check_tmp_rm(file_dir);
}

static void
file_write(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* Regular files are read; FIFOs, devices and directories refused at once. */
START_TEST(test_file_read)
{
	char		 path[128], err[256], *buf;
	size_t		 len;
	unsigned	 mode;

	snprintf(path, sizeof path, "%s/f", file_dir);
	file_write(path, "hello\n", 0640);
	ck_assert_int_eq(proto_file_read(path, "rule file", 16, &buf, &len,
	    &mode, err, sizeof err), 0);
	ck_assert_str_eq(buf, "hello\n");
	ck_assert_uint_eq(len, 6);
	ck_assert_uint_eq(mode, 0640);
	free(buf);

	/* Exactly max bytes fit; one more does not. */
	ck_assert_int_eq(proto_file_read(path, "rule file", 6, &buf, &len,
	    NULL, err, sizeof err), 0);
	free(buf);
	ck_assert_int_eq(proto_file_read(path, "rule file", 5, &buf, &len,
	    NULL, err, sizeof err), -1);
	ck_assert_ptr_null(buf);
	ck_assert_msg(strstr(err, "larger than 5 bytes; is it a rule file?")
	    != NULL, "%s", err);

	/* A FIFO with no writer: refused, without waiting for one. */
	snprintf(path, sizeof path, "%s/fifo", file_dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(proto_file_read(path, "rule file", 1024, &buf, &len,
	    NULL, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/fifo: is a FIFO, not a regular file; give "
	    "the rule file as a regular file") != NULL, "%s", err);

	ck_assert_int_eq(proto_file_read("/dev/zero", "rule file", 1024, &buf,
	    &len, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "/dev/zero: is a character device, not a "
	    "regular file; give the rule file as a regular file");

	ck_assert_int_eq(proto_file_read(file_dir, "token file", 1024, &buf,
	    &len, NULL, err, sizeof err), -1);
	ck_assert_msg(strstr(err, ": is a directory; give the token file "
	    "itself") != NULL, "%s", err);

	/* proto_file_check: the same refusals, nothing read. */
	snprintf(path, sizeof path, "%s/f", file_dir);
	ck_assert_int_eq(proto_file_check(path, "CA file", err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/fifo", file_dir);
	ck_assert_int_eq(proto_file_check(path, "CA file", err, sizeof err),
	    -1);
	ck_assert_msg(strstr(err, "/fifo: is a FIFO, not a regular file; give "
	    "the CA file as a regular file") != NULL, "%s", err);
	ck_assert_int_eq(proto_file_check(file_dir, "key file", err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, ": is a directory; give the key file "
	    "itself") != NULL, "%s", err);

	snprintf(path, sizeof path, "%s/none\x1b]0;x\a", file_dir);
	ck_assert_int_eq(proto_file_read(path, "rule file", 1024, &buf, &len,
	    NULL, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/none\\x1b]0;x\\x07: cannot open the rule "
	    "file: No such file or directory") != NULL, "%s", err);
}
END_TEST

START_TEST(test_token_load)
{
	char	path[128], err[256], token[PROTO_TOKEN_MAX + 1];

	snprintf(path, sizeof path, "%s/token", file_dir);
	file_write(path, "abcdefghijklmnop0123==  \nsecond line\n", 0600);
	ck_assert_int_eq(proto_token_load(path, token, sizeof token, err,
	    sizeof err), 0);
	ck_assert_str_eq(token, "abcdefghijklmnop0123==");

	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(proto_token_load(path, token, sizeof token, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "is readable by others; run: chmod 600")
	    != NULL, "%s", err);

	file_write(path, "abcdefghijklmnop\0tail", 0600);
	ck_assert_int_eq(proto_token_load(path, token, sizeof token, err,
	    sizeof err), 0);

	snprintf(path, sizeof path, "%s/fifo", file_dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(proto_token_load(path, token, sizeof token, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "is a FIFO, not a regular file; give the "
	    "token file as a regular file") != NULL, "%s", err);

	ck_assert_int_eq(proto_token_load(file_dir, token, sizeof token, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "is a directory; give the token file "
	    "itself") != NULL, "%s", err);
}
END_TEST

/*
 * Issue 11: a message over the cap keeps its first PROTO_RX_KEEP bytes and
 * counts all it received, so that the reject shows what it was; the next
 * message starts afresh.
 */
START_TEST(test_rx_keeps_head)
{
	struct proto_rx	 rx;
	char		*chunk = malloc(30000);
	size_t		 i;

	ck_assert_ptr_nonnull(chunk);
	memset(&rx, 0, sizeof rx);
	for (i = 0; i < 30000; i++)
		chunk[i] = (char)('a' + i % 26);
	ck_assert_int_eq(proto_rx_add(&rx, chunk, 30000, 1, 0,
	    PROTO_MAX_MESSAGE), PROTO_RX_MORE);
	ck_assert_int_eq(proto_rx_add(&rx, chunk, 30000, 0, 0,
	    PROTO_MAX_MESSAGE), PROTO_RX_MORE);
	ck_assert_int_eq(proto_rx_add(&rx, chunk, 30000, 0, 0,
	    PROTO_MAX_MESSAGE), PROTO_RX_TOO_BIG);
	ck_assert_int_eq(proto_rx_add(&rx, "zz", 2, 0, 1,
	    PROTO_MAX_MESSAGE), PROTO_RX_TOO_BIG);
	ck_assert_uint_eq(rx.len, PROTO_RX_KEEP);
	ck_assert_uint_eq(rx.total, 90002);
	ck_assert_int_eq(memcmp(rx.buf, chunk, PROTO_RX_KEEP), 0);
	ck_assert_int_eq(rx.buf[rx.len], '\0');

	/* One fragment over the cap by itself: its head too. */
	ck_assert_int_eq(proto_rx_add(&rx, chunk + 1, 29999, 1, 1, 20000),
	    PROTO_RX_TOO_BIG);
	ck_assert_uint_eq(rx.len, PROTO_RX_KEEP);
	ck_assert_uint_eq(rx.total, 29999);
	ck_assert_int_eq(memcmp(rx.buf, chunk + 1, PROTO_RX_KEEP), 0);

	/* The next message is whole again. */
	ck_assert_int_eq(proto_rx_add(&rx, "{}", 2, 1, 1, PROTO_MAX_MESSAGE),
	    PROTO_RX_MESSAGE);
	ck_assert_uint_eq(rx.len, 2);
	ck_assert_uint_eq(rx.total, 2);
	ck_assert_str_eq(rx.buf, "{}");
	proto_rx_free(&rx);
	free(chunk);
}
END_TEST

/*
 * The size limit at its edges: 65,535 and 65,536 bytes are whole messages,
 * in one fragment or split anywhere; 65,537 is refused.  Also valid UTF-8
 * split across fragments is taken, invalid refused.
 */
START_TEST(test_rx_limit_edges)
{
	static const size_t	 sizes[] = { 65535, 65536, 65537 };
	static const size_t	 cuts[] = { 0, 1, 4096, 32768, 65535 };
	struct proto_rx		 rx;
	char			*msg = malloc(65537);
	size_t			 i, j, n, cut;
	enum proto_rx_result	 r;

	ck_assert_ptr_nonnull(msg);
	memset(msg, 'x', 65537);
	for (i = 0; i < nitems(sizes); i++) {
		n = sizes[i];
		for (j = 0; j < nitems(cuts); j++) {
			cut = cuts[j] < n ? cuts[j] : n - 1;
			memset(&rx, 0, sizeof rx);
			if (cut == 0)
				r = proto_rx_add(&rx, msg, n, 1, 1,
				    PROTO_MAX_MESSAGE);
			else {
				r = proto_rx_add(&rx, msg, cut, 1, 0,
				    PROTO_MAX_MESSAGE);
				if (r == PROTO_RX_MORE)
					r = proto_rx_add(&rx, msg + cut,
					    n - cut, 0, 1, PROTO_MAX_MESSAGE);
			}
			if (n <= PROTO_MAX_MESSAGE) {
				ck_assert_msg(r == PROTO_RX_MESSAGE, "%zu bytes "
				    "cut at %zu: refused (%d)", n, cut, r);
				ck_assert_uint_eq(rx.len, n);
			} else
				ck_assert_msg(r == PROTO_RX_TOO_BIG, "%zu bytes "
				    "cut at %zu: taken (%d)", n, cut, r);
			proto_rx_free(&rx);
		}
	}
	ck_assert_uint_eq(PROTO_MAX_MESSAGE, 65536);
	/* é split between two fragments is whole; a lone lead byte is not. */
	memset(&rx, 0, sizeof rx);
	ck_assert_int_eq(proto_rx_add(&rx, "\"\xc3", 2, 1, 0,
	    PROTO_MAX_MESSAGE), PROTO_RX_MORE);
	ck_assert_int_eq(proto_rx_add(&rx, "\xa9\"", 2, 0, 1,
	    PROTO_MAX_MESSAGE), PROTO_RX_MESSAGE);
	ck_assert_int_eq(proto_rx_add(&rx, "\"\xc3\"", 3, 1, 1,
	    PROTO_MAX_MESSAGE), PROTO_RX_BAD_UTF8);
	/* A lead byte ending one fragment that the next does not continue. */
	ck_assert_int_eq(proto_rx_add(&rx, "\"\xc3", 2, 1, 0,
	    PROTO_MAX_MESSAGE), PROTO_RX_MORE);
	ck_assert_int_eq(proto_rx_add(&rx, "\"", 1, 0, 1,
	    PROTO_MAX_MESSAGE), PROTO_RX_BAD_UTF8);
	/* The next message starts afresh: valid again. */
	ck_assert_int_eq(proto_rx_add(&rx, "\"\xc3\xa9\"", 4, 1, 1,
	    PROTO_MAX_MESSAGE), PROTO_RX_MESSAGE);
	proto_rx_free(&rx);
	free(msg);
}
END_TEST

/*
 * Bearer tokens match only whole: not a prefix, not with a suffix, not one
 * character changed, not empty against non-empty; equal ones do.
 */
START_TEST(test_token_equal)
{
	static const char	*good = "abcdefghijklmnop0123==";
	static const struct {
		const char	*other;
		int		 equal;
	} cases[] = {
		{ "abcdefghijklmnop0123==", 1 },
		{ "abcdefghijklmnop0123=", 0 },		/* prefix */
		{ "abcdefghijklmnop", 0 },
		{ "a", 0 },
		{ "", 0 },
		{ "abcdefghijklmnop0123==x", 0 },	/* suffix */
		{ "abcdefghijklmnop0123==abcdefghijklmnop0123==", 0 },
		{ "abcdefghijklmnop0124==", 0 },	/* one changed */
		{ "Abcdefghijklmnop0123==", 0 },
		{ "xabcdefghijklmnop0123==", 0 },
	};
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		ck_assert_msg(proto_token_equal(good, cases[i].other) ==
		    cases[i].equal, "\"%s\" against \"%s\": expected %d",
		    cases[i].other, good, cases[i].equal);
		ck_assert_msg(proto_token_equal(cases[i].other, good) ==
		    cases[i].equal, "\"%s\" against \"%s\" (swapped)",
		    cases[i].other, good);
	}
	ck_assert_int_eq(proto_token_equal("", ""), 1);
}
END_TEST

/* ---- did you mean ---- */

START_TEST(test_suggest)
{
	static const char *const names[] = {
		"severity", "message", NULL, "count", "within", "weight"
	};
	char	 longer[PROTO_SUGGEST_MAX + 2], buf[64];

	/* One edit, a swap, two edits; the first of a tie. */
	ck_assert_str_eq(proto_suggest("sevrity", names, nitems(names)),
	    "severity");
	ck_assert_str_eq(proto_suggest("sevreity", names, nitems(names)),
	    "severity");
	ck_assert_str_eq(proto_suggest("mesage", names, nitems(names)),
	    "message");
	ck_assert_str_eq(proto_suggest("cuont", names, nitems(names)), "count");
	ck_assert_str_eq(proto_suggest("weithin", names, nitems(names)),
	    "within");
	/* An exact name is its own suggestion. */
	ck_assert_str_eq(proto_suggest("count", names, nitems(names)), "count");
	/* Three edits, or more than half the word, is not a misspelling. */
	ck_assert_ptr_null(proto_suggest("severe", names, nitems(names)));
	ck_assert_ptr_null(proto_suggest("cnt", names, nitems(names)));
	ck_assert_ptr_null(proto_suggest("", names, nitems(names)));
	ck_assert_ptr_null(proto_suggest("x", names, nitems(names)));
	ck_assert_ptr_null(proto_suggest("count", names, 0));
	/* Too long to compare: never near. */
	memset(longer, 'c', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	ck_assert_ptr_null(proto_suggest(longer, names, nitems(names)));
	ck_assert_uint_eq(proto_suggest_distance("ab", "ba"), 1);
	ck_assert_uint_eq(proto_suggest_distance("kitten", "sitting"), 3);
	ck_assert_uint_eq(proto_suggest_distance(longer, "c"), 99);
	/* The sentence the errors end with. */
	ck_assert_str_eq(proto_suggest_hint(buf, sizeof buf, "sevrity", names,
	    nitems(names)), " (did you mean \"severity\"?)");
	ck_assert_str_eq(proto_suggest_hint(buf, sizeof buf, "zzz", names,
	    nitems(names)), "");
}
END_TEST

/* A cmd of action with minutes, for the extend tests. */
static void
cmd_of(struct proto_msg *m, enum proto_action action, int64_t minutes)
{
	memset(m, 0, sizeof *m);
	m->type = PROTO_CMD;
	strcpy(m->u.cmd.id, "c-1");
	strcpy(m->u.cmd.attempt, "A0007");
	m->u.cmd.action = action;
	m->u.cmd.minutes = minutes;
}

/*
 * extend carries minutes 1..PROTO_EXTEND_MAX and nothing else does; lock
 * is a plain action.  Both directions agree, byte for byte.
 */
START_TEST(test_cmd_extend_lock)
{
	struct proto_msg	m, back;
	char			*out;
	size_t			 len;

	cmd_of(&m, PROTO_ACTION_EXTEND, 15);
	strcpy(m.u.cmd.text, "platform outage");
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, "{\"t\":\"cmd\",\"id\":\"c-1\",\"attempt\":"
	    "\"A0007\",\"action\":\"extend\",\"text\":\"platform outage\","
	    "\"minutes\":15}");
	decode_ok(out, 0, &back);
	ck_assert_int_eq(back.u.cmd.action, PROTO_ACTION_EXTEND);
	ck_assert_int_eq(back.u.cmd.minutes, 15);
	ck_assert_str_eq(back.u.cmd.text, "platform outage");
	free(out);

	cmd_of(&m, PROTO_ACTION_EXTEND, PROTO_EXTEND_MAX);
	out = encode_ok(&m, &len);
	ck_assert_ptr_nonnull(strstr(out, "\"minutes\":240}"));
	free(out);

	cmd_of(&m, PROTO_ACTION_LOCK, 0);
	out = encode_ok(&m, &len);
	ck_assert_str_eq(out, "{\"t\":\"cmd\",\"id\":\"c-1\",\"attempt\":"
	    "\"A0007\",\"action\":\"lock\"}");
	decode_ok(out, 0, &back);
	ck_assert_int_eq(back.u.cmd.action, PROTO_ACTION_LOCK);
	ck_assert_int_eq(back.u.cmd.minutes, 0);
	free(out);

	/* Encoding refuses what decoding would. */
	cmd_of(&m, PROTO_ACTION_EXTEND, 0);
	encode_fails(&m, "missing field \"minutes\": an extend gives a whole "
	    "number of minutes from 1 to 240");
	cmd_of(&m, PROTO_ACTION_EXTEND, 241);
	encode_fails(&m, "field \"minutes\": expected a whole number of "
	    "minutes from 1 to 240, got 241");
	cmd_of(&m, PROTO_ACTION_EXTEND, -5);
	encode_fails(&m, "field \"minutes\": expected an integer >= 1, got -5");
	cmd_of(&m, PROTO_ACTION_EXTEND, INT64_MAX);
	encode_fails(&m, "got 9223372036854775807");
	cmd_of(&m, PROTO_ACTION_WARN, 5);
	encode_fails(&m, "field \"minutes\": only an extend carries minutes, "
	    "got 5 with action \"warn\"");
	cmd_of(&m, PROTO_ACTION_LOCK, 1);
	encode_fails(&m, "with action \"lock\"");

#define EXT	"{\"t\":\"cmd\",\"id\":\"c\",\"attempt\":\"a\",\"action\":"
	decode_fails(EXT "\"extend\"}", "missing field \"minutes\": an extend");
	decode_fails(EXT "\"extend\",\"minutes\":null}",
	    "missing field \"minutes\"");
	decode_fails(EXT "\"extend\",\"minutes\":0}",
	    "field \"minutes\": expected an integer >= 1, got 0");
	decode_fails(EXT "\"extend\",\"minutes\":-1}",
	    "field \"minutes\": expected an integer >= 1, got -1");
	decode_fails(EXT "\"extend\",\"minutes\":241}",
	    "from 1 to 240, got 241");
	decode_fails(EXT "\"extend\",\"minutes\":9223372036854775807}",
	    "from 1 to 240, got 9223372036854775807");
	/* Past int64: jansson refuses the number itself. */
	decode_fails(EXT "\"extend\",\"minutes\":99999999999999999999}",
	    "not JSON");
	decode_fails(EXT "\"extend\",\"minutes\":15.5}",
	    "field \"minutes\": expected an integer >= 1, got a real number");
	decode_fails(EXT "\"extend\",\"minutes\":\"15\"}",
	    "field \"minutes\": expected an integer >= 1, got a string");
	decode_fails(EXT "\"warn\",\"minutes\":15}",
	    "only an extend carries minutes, got 15 with action \"warn\"");
	decode_fails(EXT "\"lock\",\"minutes\":1}",
	    "with action \"lock\"");
	decode_ok(EXT "\"lock\",\"minutes\":null}", 0, &back);
	ck_assert_int_eq(back.u.cmd.action, PROTO_ACTION_LOCK);
#undef EXT
}
END_TEST

static Suite *
proto_suite(void)
{
	Suite	*s = suite_create("proto");
	TCase	*tc;

	tc = tcase_create("roundtrip");
	tcase_add_loop_test(tc, test_encode_exact_and_back, 0,
	    PROTO_TYPE_COUNT);
	tcase_add_loop_test(tc, test_decode_handwritten, 0, PROTO_TYPE_COUNT);
	tcase_add_test(tc, test_optional_fields);
	tcase_add_test(tc, test_unknown_fields_ignored);
	tcase_add_test(tc, test_unsequenced);
	tcase_add_test(tc, test_roundtrip_hostile_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_malformed, 0, (int)nitems(bad_inputs));
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_data_too_large);
	tcase_add_test(tc, test_error_sanitised);
	tcase_add_test(tc, test_error_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("encode");
	tcase_add_test(tc, test_encode_errors);
	tcase_add_test(tc, test_encode_ignores_seq_on_control);
	tcase_add_test(tc, test_cmd_extend_lock);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_suggest);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, test_time_format);
	tcase_add_test(tc, test_time_parse);
	tcase_add_test(tc, test_now);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_test(tc, test_utf8_valid);
	tcase_add_test(tc, test_utf8_copy);
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_sanitize_truncation);
	tcase_add_test(tc, test_sanitize_never_emits_controls);
	tcase_add_test(tc, test_sanitize_never_emits_invisible);
	tcase_add_test(tc, test_json_safe);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("rx");
	tcase_add_test(tc, test_rx_keeps_head);
	tcase_add_test(tc, test_rx_limit_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, file_setup, file_teardown);
	tcase_add_test(tc, test_file_read);
	tcase_add_test(tc, test_token_load);
	tcase_add_test(tc, test_token_equal);
	tcase_set_timeout(tc, 10);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return check_main(proto_suite());
}
