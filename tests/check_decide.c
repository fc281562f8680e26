/*
 * check_decide.c - the act table (acts.c) built with a test act in it
 * (INVIGIL_TEST_ACT: "recheck", key 'y', carried by note requests), and
 * the headless request check (headless_check): an act added to the table
 * is found by name and key, listed with its op, and accepted by the
 * headless API with no other edit; the checks' refusals and their texts,
 * generated from the table.  No terminal, no socket, no database.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/bulk.h"
#include "console/decide.h"
#include "console/pending.h"
#include "console/view.h"
#include "console/headless.h"
#include "tests/check_main.h"

START_TEST(test_act_table_has_test_act)
{
	const struct act	*a = act_find("recheck");
	char			 names[256];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(act_by_key('y'), a);
	ck_assert_str_eq(a->op, "note");
	ck_assert_int_eq(a->command, -1);
	ck_assert_ptr_eq(act_find("dismiss"), &act_table[0]);
	ck_assert_ptr_null(act_find("nonsense"));
	ck_assert_ptr_null(act_by_key('Z'));
	ck_assert_uint_eq(act_names("note", ",", names, sizeof names), 2);
	ck_assert_str_eq(names, "note,recheck");
	ck_assert_uint_eq(act_names("decide", ",", names, sizeof names), 4);
	ck_assert_str_eq(names, "dismiss,confirm,escalate,ack_request");
	/* A raised hand is a request, acknowledged by its own act. */
	ck_assert_ptr_eq(act_for_rule("raise_hand"), act_find("ack_request"));
	ck_assert_ptr_null(act_for_rule("copy_paste"));
	ck_assert_ptr_null(act_for_rule(NULL));
	ck_assert_uint_eq(act_names("command", ", ", names, sizeof names), 7);
	ck_assert_str_eq(names, "warn, pause, resume, terminate, message, "
	    "extend, lock");
	ck_assert_uint_eq(act_names(NULL, ",", names, sizeof names), act_count);
	/* Too small a buffer: terminated, and the count still right. */
	ck_assert_uint_eq(act_names("command", ",", names, 8), 7);
	ck_assert_str_eq(names, "warn");
}
END_TEST

/* Check line; its status, with err and r kept for the caller. */
static int
check(const char *line, struct headless_req *r, char *err, size_t errlen)
{
	err[0] = '\0';
	return headless_check(line, strlen(line), 7, r, err, errlen);
}

START_TEST(test_headless_takes_test_act)
{
	struct headless_req	r;
	char			err[512];

	ck_assert_int_eq(check("{\"id\":\"r1\",\"op\":\"note\",\"action\":"
	    "\"recheck\",\"attempt\":\"A-17\",\"reason\":\"blurred\"}", &r,
	    err, sizeof err), 0);
	ck_assert_str_eq(r.act->name, "recheck");
	ck_assert_str_eq(r.attempt, "A-17");
	ck_assert_ptr_null(r.feed);
	ck_assert_str_eq(r.reason, "blurred");
	ck_assert_str_eq(json_string_value(r.id), "r1");
	headless_req_free(&r);

	/* A note request without "action" is a note. */
	ck_assert_int_eq(check("{\"id\":2,\"op\":\"note\",\"feed\":\"F\","
	    "\"attempt\":\"A\",\"reason\":\"x\",\"reason_code\":\"c\"}", &r,
	    err, sizeof err), 0);
	ck_assert_str_eq(r.act->name, "note");
	ck_assert_str_eq(r.feed, "F");
	ck_assert_str_eq(r.reason_code, "c");
	ck_assert_int_eq(json_integer_value(r.id), 2);
	headless_req_free(&r);

	/* The test act is not one of the command requests' acts, and the
	 * refusal lists the acts from the table. */
	ck_assert_int_eq(check("{\"id\":\"r3\",\"op\":\"command\",\"action\":"
	    "\"recheck\",\"attempt\":\"A\",\"reason\":\"x\"}", &r, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "\"recheck\" is not an action of command "
	    "requests; give one of warn,pause,resume,terminate,"
	    "message,extend,lock");
	ck_assert_str_eq(json_string_value(r.id), "r3");
	headless_req_free(&r);
	ck_assert_int_eq(check("{\"id\":\"r4\",\"op\":\"note\",\"action\":"
	    "\"pause\",\"attempt\":\"A\",\"reason\":\"x\"}", &r, err,
	    sizeof err), -1);
	ck_assert_str_eq(err, "\"pause\" is not an action of note requests; "
	    "give one of note,recheck");
	headless_req_free(&r);
}
END_TEST

START_TEST(test_headless_refusals)
{
	static const struct {
		const char	*line;
		const char	*err;
	} cases[] = {
		{ "{", "request line 7 is not JSON" },
		{ "[1]", "request line 7 is not a JSON object" },
		{ "{\"op\":\"note\"}", "request line 7 needs an \"id\"" },
		{ "{\"id\":\"\",\"op\":\"note\"}", "needs an \"id\"" },
		{ "{\"id\":1,\"op\":\"delete\"}",
		    "\"op\" must be \"decide\", \"command\" or \"note\"" },
		{ "{\"id\":1,\"op\":\"decide\",\"flgg\":3}",
		    "\"flgg\" is not a field of decide requests" },
		{ "{\"id\":1,\"op\":\"decide\",\"reason\":5}",
		    "\"reason\" must be a string" },
		{ "{\"id\":1,\"op\":\"decide\",\"flag\":3,\"reason\":\"r\"}",
		    "decide requests need an \"action\": one of "
		    "dismiss,confirm,escalate" },
		{ "{\"id\":1,\"op\":\"command\",\"action\":\"pause\","
		    "\"attempt\":\"A\"}", "a \"reason\" is required" },
		{ "{\"id\":1,\"op\":\"decide\",\"action\":\"confirm\","
		    "\"reason\":\"r\",\"flag\":\"3\"}",
		    "decide requests need \"flag\"" },
		{ "{\"id\":1,\"op\":\"command\",\"action\":\"warn\","
		    "\"reason\":\"r\"}", "command requests need \"attempt\"" },
	};
	struct headless_req	r;
	char			err[512];
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(check(cases[i].line, &r, err, sizeof err),
		    -1);
		ck_assert_msg(strstr(err, cases[i].err) != NULL,
		    "%s: %s", cases[i].line, err);
		headless_req_free(&r);
	}
	ck_assert_int_eq(check(" \t\r", &r, err, sizeof err), 1);
	headless_req_free(&r);
	ck_assert_int_eq(check("{\"id\":9,\"op\":\"decide\",\"flag\":3,"
	    "\"action\":\"confirm\",\"reason\":\"r\"}", &r, err, sizeof err), 0);
	ck_assert_int_eq(r.flag, 3);
	ck_assert_str_eq(r.act->name, "confirm");
	headless_req_free(&r);
}
END_TEST

/* message, extend and lock: their keys, commands and needs; no two acts
 * share a key; only the four bulk acts are allowed in bulk. */
START_TEST(test_new_acts)
{
	const struct act	*m = act_find("message"), *x = act_find("extend");
	const struct act	*l = act_find("lock");
	size_t			 i, j, bulk = 0;

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(l);
	ck_assert_ptr_eq(act_by_key('m'), m);
	ck_assert_ptr_eq(act_by_key('x'), x);
	ck_assert_ptr_eq(act_by_key('l'), l);
	ck_assert_int_eq(m->command, PROTO_ACTION_MESSAGE);
	ck_assert_int_eq(x->command, PROTO_ACTION_EXTEND);
	ck_assert_int_eq(l->command, PROTO_ACTION_LOCK);
	ck_assert_int_eq(m->flags, ACT_BULK | ACT_WORDS);
	ck_assert_int_eq(x->flags, ACT_MINUTES);
	ck_assert_int_eq(l->flags, 0);
	for (i = 0; i < act_count; i++) {
		for (j = i + 1; j < act_count; j++)
			ck_assert_msg(act_table[i].key != act_table[j].key,
			    "%s and %s share a key", act_table[i].name,
			    act_table[j].name);
		if (act_table[i].flags & ACT_BULK) {
			bulk++;
			ck_assert_int_ge(act_table[i].command, 0);
		}
	}
	ck_assert_uint_eq(bulk, 4);
	ck_assert(act_find("warn")->flags & ACT_BULK);
	ck_assert(!(act_find("terminate")->flags & ACT_BULK));
}
END_TEST

/* The minutes: from the words on the screen, from the recorded text
 * (what is re-sent after a restart), from a headless request. */
START_TEST(test_minutes)
{
	struct headless_req	 r;
	const char		*rest;
	char			 err[512];

	ck_assert_int_eq(prompt_minutes("15 platform outage", &rest), 15);
	ck_assert_str_eq(rest, "platform outage");
	ck_assert_int_eq(prompt_minutes("240", &rest), 240);
	ck_assert_str_eq(rest, "");
	ck_assert_int_eq(prompt_minutes("platform outage", &rest), -1);
	ck_assert_int_eq(prompt_minutes("", &rest), -1);
	/* Past the bound, capped: refused later, never an overflow. */
	ck_assert_int_gt(prompt_minutes("99999999999999999999999 x", &rest),
	    PROTO_EXTEND_MAX);
	ck_assert_int_lt(prompt_minutes("99999999999999999999999 x", &rest),
	    10 * PROTO_EXTEND_MAX + 10);
	ck_assert_str_eq(rest, "x");

	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND,
	    "15 minutes: platform outage"), 15);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND,
	    "240 minutes: x"), 240);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND,
	    "241 minutes: x"), 0);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND,
	    "0 minutes: x"), 0);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND,
	    "99999999999999999999 minutes: x"), 0);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_EXTEND, "15 min"), 0);
	ck_assert_int_eq(pending_minutes(PROTO_ACTION_WARN,
	    "15 minutes: x"), 0);

	ck_assert_int_eq(check("{\"id\":\"r5\",\"op\":\"command\",\"action\":"
	    "\"extend\",\"attempt\":\"A\",\"minutes\":15,\"reason\":\"x\"}",
	    &r, err, sizeof err), 0);
	ck_assert_int_eq(r.minutes, 15);
	ck_assert_str_eq(r.act->name, "extend");
	headless_req_free(&r);
	ck_assert_int_eq(check("{\"id\":\"r6\",\"op\":\"command\",\"action\":"
	    "\"extend\",\"attempt\":\"A\",\"minutes\":\"15\",\"reason\":"
	    "\"x\"}", &r, err, sizeof err), -1);
	ck_assert_str_eq(err, "\"minutes\" must be a whole number of "
	    "minutes, 1 to 240");
	headless_req_free(&r);
	ck_assert_int_eq(check("{\"id\":\"r7\",\"op\":\"note\",\"attempt\":"
	    "\"A\",\"minutes\":15,\"reason\":\"x\"}", &r, err, sizeof err),
	    -1);
	ck_assert_str_eq(err, "\"minutes\" is not a field of note requests");
	headless_req_free(&r);
}
END_TEST

/* Marks by identity, bounded; a batch's answers counted once each, the
 * failures listed, the summary as the status line says it. */
START_TEST(test_bulk)
{
	static struct bulk	b;
	char			line[256], id[16];
	int			i;

	bulk_clear(&b);
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "");
	ck_assert_int_eq(bulk_toggle(&b, "hall-1", "A0001"), 1);
	ck_assert_int_eq(bulk_toggle(&b, "hall-2", "A0001"), 1);
	ck_assert_int_eq(bulk_toggle(&b, "hall-1", "A0002"), 1);
	ck_assert(bulk_marked(&b, "hall-2", "A0001"));
	ck_assert(!bulk_marked(&b, "hall-2", "A0002"));
	ck_assert_int_eq(bulk_toggle(&b, "hall-2", "A0001"), 0);
	ck_assert(!bulk_marked(&b, "hall-2", "A0001"));
	ck_assert(bulk_marked(&b, "hall-1", "A0002"));
	ck_assert_uint_eq(b.nmarks, 2);
	/* The order marked in stays. */
	ck_assert_str_eq(b.mark[1].attempt, "A0002");
	for (i = 2; i < BULK_MAX; i++) {
		snprintf(id, sizeof id, "B%04d", i);
		ck_assert_int_eq(bulk_toggle(&b, "hall-1", id), 1);
	}
	ck_assert_int_eq(bulk_toggle(&b, "hall-1", "C0001"), -1);
	ck_assert_uint_eq(b.nmarks, BULK_MAX);
	bulk_clear(&b);
	ck_assert_uint_eq(b.nmarks, 0);

	bulk_begin(&b, "pause");
	bulk_sent(&b, "p-1");
	bulk_sent(&b, "p-2");
	bulk_sent(&b, "p-3");
	bulk_failed(&b, "A0009", "feed hall-2 is not connected");
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "pause: 3 sent, 1 not sent");
	ck_assert_int_eq(bulk_acked(&b, "other", "A0001", 1, ""), 0);
	ck_assert_int_eq(bulk_acked(&b, "p-1", "A0001", 1, ""), 1);
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "pause: 1 of 3 acknowledged, 1 not sent");
	/* The same ack again (a replay) is not counted twice. */
	ck_assert_int_eq(bulk_acked(&b, "p-1", "A0001", 1, ""), 0);
	ck_assert_int_eq(bulk_acked(&b, "p-3", "A0007", 0, "attempt A0007 is "
	    "already submitted"), 1);
	ck_assert_int_eq(bulk_acked(&b, "p-2", "A0002", 1, ""), 1);
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "pause: 2 of 3 acknowledged, 1 refused, 1 not "
	    "sent");
	ck_assert_uint_eq(b.nfail, 2);
	ck_assert_str_eq(b.fail[0].attempt, "A0009");
	ck_assert_str_eq(b.fail[1].attempt, "A0007");
	ck_assert_str_eq(b.fail[1].why, "attempt A0007 is already submitted");

	/* A long sentence from a feed is cut at a character. */
	bulk_begin(&b, "warn");
	memset(line, 0, sizeof line);
	for (i = 0; i < 120; i++)
		memcpy(line + 2 * i, "\xc3\xa9", 2);	/* 240 bytes of é */
	bulk_failed(&b, "A0001", line);
	ck_assert_uint_eq(strlen(b.fail[0].why), BULK_WHY_MAX);
	ck_assert(proto_utf8_valid(b.fail[0].why, strlen(b.fail[0].why)));
	bulk_begin(&b, "warn");
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof id, "w-%d", i);
		bulk_sent(&b, id);
	}
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "warn: 3 sent");
	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof id, "w-%d", i);
		ck_assert_int_eq(bulk_acked(&b, id, "A", 1, ""), 1);
	}
	bulk_summary(&b, line, sizeof line);
	ck_assert_str_eq(line, "warn: 3 of 3 acknowledged");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("decide");
	TCase	*tc = tcase_create("acts");

	tcase_add_test(tc, test_act_table_has_test_act);
	tcase_add_test(tc, test_headless_takes_test_act);
	tcase_add_test(tc, test_headless_refusals);
	tcase_add_test(tc, test_new_acts);
	tcase_add_test(tc, test_minutes);
	tcase_add_test(tc, test_bulk);
	suite_add_tcase(s, tc);
	return check_main(s);
}
