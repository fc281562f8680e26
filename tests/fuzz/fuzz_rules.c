/*
 * fuzz_rules.c - libFuzzer harness for rule files (rules_parse).
 *
 * Any input either compiles or is refused with one sentence that starts
 * with the file name and a line:column, is NUL-terminated, and carries no
 * control characters (it reaches a terminal).  A set that compiles runs an
 * engine over a few messages of every kind, so that what the parser let
 * through cannot crash the engine.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "rules/rules.h"
#include "tests/fuzz/fuzz-error.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
ignore(const struct rules_hit *h, void *arg)
{
	(void)arg;
	if (h->rule == NULL || h->message == NULL)
		abort();
}

static void
exercise(const struct rules *r)
{
	struct rules_engine	*e = rules_engine_new(r);
	struct proto_msg	 m;
	char			 data[] = "{\"object\":\"phone\",\"confidence\":0.9,"
	    "\"seconds\":30,\"offline_ms\":60000}";
	int			 k;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = 1;
	m.ts_ms = 1795400000000LL;
	strcpy(m.u.attempt.attempt, "A1");
	strcpy(m.u.attempt.candidate, "C1");
	strcpy(m.u.attempt.ip, "10.0.0.1");
	strcpy(m.u.attempt.device, "d1");
	m.u.attempt.state = PROTO_STATE_IN_PROGRESS;
	rules_engine_message(e, "f", &m, ignore, NULL);
	strcpy(m.u.attempt.attempt, "A2");
	rules_engine_message(e, "f", &m, ignore, NULL);
	for (k = 0; k < PROTO_EV_COUNT; k++) {
		memset(&m, 0, sizeof m);
		m.type = PROTO_EVENT;
		m.seq = 2 + k;
		m.ts_ms = 1795400000000LL + k * 7000;
		strcpy(m.u.event.attempt, "A1");
		m.u.event.kind = (enum proto_event_kind)k;
		m.u.event.data = data;
		m.u.event.data_len = strlen(data);
		rules_engine_message(e, "f", &m, ignore, NULL);
	}
	memset(&m, 0, sizeof m);
	m.type = PROTO_ANSWER;
	m.seq = 100;
	m.ts_ms = 1795400900000LL;
	strcpy(m.u.answer.attempt, "A1");
	strcpy(m.u.answer.item, "Q1");
	strcpy(m.u.answer.response, "A");
	m.u.answer.correct = 1;
	m.u.answer.elapsed_ms = 2000;
	rules_engine_message(e, "f", &m, ignore, NULL);
	/* An end, then an impossible change of state (on state rules). */
	for (k = 0; k < 2; k++) {
		memset(&m, 0, sizeof m);
		m.type = PROTO_STATE;
		m.seq = 101 + k;
		m.ts_ms = 1795401000000LL + k;
		strcpy(m.u.state.attempt, "A2");
		m.u.state.state = k == 0 ? PROTO_STATE_SUBMITTED :
		    PROTO_STATE_IN_PROGRESS;
		rules_engine_message(e, "f", &m, ignore, NULL);
	}
	rules_engine_clock(e, "f", 1795409000000LL);
	rules_engine_tick(e, ignore, NULL);
	rules_engine_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rules	*r;
	char		 err[512];

	memset(err, 'x', sizeof err);
	r = rules_parse((const char *)data, size, "fuzz.rules", err,
	    sizeof err);
	if (r != NULL) {
		exercise(r);
		rules_free(r);
		return 0;
	}
	fuzz_check_error(err, sizeof err, "fuzz.rules");
	return 0;
}
