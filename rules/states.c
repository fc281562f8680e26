/*
 * states.c - the attempt state machine of invigil-proto(7), ATTEMPT STATES:
 * the one table of allowed transitions, used by the engine to tell an
 * impossible transition (submitted -> in_progress) from a normal one, and
 * to know when an attempt has ended for good.
 */
#include "rules/rules-int.h"

/* allowed[from][to]: 1 if a feed may move an attempt from `from` to `to`. */
static const unsigned char allowed[PROTO_STATE_COUNT][PROTO_STATE_COUNT] = {
	[PROTO_STATE_SCHEDULED] = {
		[PROTO_STATE_CHECKED_IN] = 1,
		[PROTO_STATE_IN_PROGRESS] = 1,	/* a platform without check-in */
		[PROTO_STATE_TERMINATED] = 1,
	},
	[PROTO_STATE_CHECKED_IN] = {
		[PROTO_STATE_IN_PROGRESS] = 1,
		[PROTO_STATE_TERMINATED] = 1,
	},
	[PROTO_STATE_IN_PROGRESS] = {
		[PROTO_STATE_PAUSED] = 1,
		[PROTO_STATE_SUBMITTED] = 1,
		[PROTO_STATE_TERMINATED] = 1,
	},
	[PROTO_STATE_PAUSED] = {
		[PROTO_STATE_IN_PROGRESS] = 1,
		[PROTO_STATE_TERMINATED] = 1,
	},
	/* submitted and terminated are final: nothing leaves them. */
};

int
rules_transition_allowed(int from, int to)
{
	if (from < 0 || from >= PROTO_STATE_COUNT || from == to)
		return 1;
	if (to < 0 || to >= PROTO_STATE_COUNT)
		return 0;
	return allowed[from][to];
}

int
rules_state_final(int state)
{
	return state == PROTO_STATE_SUBMITTED ||
	    state == PROTO_STATE_TERMINATED;
}
