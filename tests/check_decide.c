/*
 * check_decide.c - the act table (acts.c) built with a test act in it
 * (INVIGIL_TEST_ACT: "recheck", key 'x', carried by note requests), and
 * the headless request check (headless_check): an act added to the table
 * is found by name and key, listed with its op, and accepted by the
 * headless API with no other edit; the checks' refusals and their texts,
 * generated from the table.  No terminal, no socket, no database.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/decide.h"
#include "console/headless.h"
#include "tests/check_main.h"

START_TEST(test_act_table_has_test_act)
{
	const struct act	*a = act_find("recheck");
	char			 names[256];

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(act_by_key('x'), a);
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
	ck_assert_uint_eq(act_names("command", ", ", names, sizeof names), 4);
	ck_assert_str_eq(names, "warn, pause, resume, terminate");
	ck_assert_uint_eq(act_names(NULL, ",", names, sizeof names), act_count);
	/* Too small a buffer: terminated, and the count still right. */
	ck_assert_uint_eq(act_names("command", ",", names, 8), 4);
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
	    "requests; give one of warn,pause,resume,terminate");
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

int
main(void)
{
	Suite	*s = suite_create("decide");
	TCase	*tc = tcase_create("acts");

	tcase_add_test(tc, test_act_table_has_test_act);
	tcase_add_test(tc, test_headless_takes_test_act);
	tcase_add_test(tc, test_headless_refusals);
	suite_add_tcase(s, tc);
	return check_main(s);
}
