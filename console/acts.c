/*
 * acts.c - the table of acts (see decide.h) and the lookups on it, apart
 * from recording a decision (decide.c) so that what only needs the names
 * (the reason codes' acts=, reasons.c) links without the console.
 *
 * Order matters in the table: it is the order of the key bar and the
 * help overlay.
 */
#include <stdio.h>
#include <string.h>

#include "console/decide.h"

const struct act act_table[] = {
	{ "dismiss", 'd', "dismiss", "dismiss the attempt's top open flag",
	    STORE_FLAG_DISMISSED, -1, "decide", NULL, 0 },
	{ "confirm", 'c', "confirm", "confirm the attempt's top open flag",
	    STORE_FLAG_CONFIRMED, -1, "decide", NULL, 0 },
	{ "warn", 'w', "warn", "warn the candidate (sent to the feed)",
	    STORE_FLAG_OPEN, PROTO_ACTION_WARN, "command", NULL, ACT_BULK },
	{ "pause", 'p', "pause", "pause the attempt (sent to the feed)",
	    STORE_FLAG_OPEN, PROTO_ACTION_PAUSE, "command", NULL, ACT_BULK },
	{ "resume", 'r', "resume", "resume a paused or locked attempt (to the "
	    "feed)",
	    STORE_FLAG_OPEN, PROTO_ACTION_RESUME, "command", NULL, ACT_BULK },
	{ "terminate", 't', "terminate",
	    "terminate the attempt (sent to the feed)",
	    STORE_FLAG_OPEN, PROTO_ACTION_TERMINATE, "command", NULL, 0 },
	{ "escalate", 'e', "escalate", "escalate the attempt to a supervisor",
	    STORE_FLAG_OPEN, -1, "decide", NULL, 0 },
	{ "note", 'o', "note", "add a note to the attempt",
	    STORE_FLAG_OPEN, -1, "note", NULL, 0 },
	/* Not on the key bars either (in the help, and in invigil(1)): at
	 * 120 columns the bar has no room left for them. */
	{ "message", 'm', NULL, "message the candidate: the words are shown "
	    "to them",
	    STORE_FLAG_OPEN, PROTO_ACTION_MESSAGE, "command", NULL,
	    ACT_BULK | ACT_WORDS },
	{ "extend", 'x', NULL, "extra time: words start with minutes (15 "
	    "outage)",
	    STORE_FLAG_OPEN, PROTO_ACTION_EXTEND, "command", NULL,
	    ACT_MINUTES },
	{ "lock", 'l', NULL, "lock the candidate's screen until r resumes",
	    STORE_FLAG_OPEN, PROTO_ACTION_LOCK, "command", NULL, 0 },
	/* Not on the key bars (their width is spoken for): in the help, and
	 * said by the flags queue's requests. */
	{ "ack_request", 'a', NULL,
	    "acknowledge the candidate's raised hand (closes that request)",
	    STORE_FLAG_DISMISSED, -1, "decide", "raise_hand", 0 },
#ifdef INVIGIL_TEST_ACT
	/* Only in the test build of check_decide: an act added here must
	 * reach the keys, the help, the key bar and the headless API. */
	{ "recheck", 'y', "recheck", "ask for the attempt to be rechecked",
	    STORE_FLAG_OPEN, -1, "note", NULL, 0 },
#endif
};
const size_t act_count = sizeof act_table / sizeof act_table[0];

const struct act *
act_find(const char *name)
{
	size_t	i;

	for (i = 0; i < act_count; i++) {
		if (strcmp(act_table[i].name, name) == 0)
			return &act_table[i];
	}
	return NULL;
}

const struct act *
act_by_key(int key)
{
	size_t	i;

	for (i = 0; i < act_count; i++) {
		if (act_table[i].key == key)
			return &act_table[i];
	}
	return NULL;
}

const struct act *
act_for_rule(const char *rule)
{
	size_t	i;

	for (i = 0; rule != NULL && i < act_count; i++) {
		if (act_table[i].rule != NULL &&
		    strcmp(act_table[i].rule, rule) == 0)
			return &act_table[i];
	}
	return NULL;
}

size_t
act_names(const char *op, const char *sep, char *out, size_t outsz)
{
	size_t	i, n = 0, used = 0, len;

	if (outsz == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < act_count; i++) {
		if (op != NULL && strcmp(act_table[i].op, op) != 0)
			continue;
		len = strlen(act_table[i].name) + (n > 0 ? strlen(sep) : 0);
		if (used + len < outsz) {
			used += (size_t)snprintf(out + used, outsz - used,
			    "%s%s", n > 0 ? sep : "", act_table[i].name);
		}
		n++;
	}
	return n;
}
