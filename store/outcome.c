/*
 * outcome.c - the outcome of an attempt: the state machine of outcome.h
 * (a table of transitions, one of roles per act, the fold and the check),
 * then its two uses of the database: the fold of an attempt's acts read
 * from the journal, and the short write transaction that records an act
 * after folding again under the write lock.
 */
#include <stdio.h>
#include <string.h>

#include "store/outcome.h"

static const char *const outcome_state_names[OUTCOME_NSTATES] = {
	[OUTCOME_VALID] = "valid",
	[OUTCOME_UNDER_REVIEW] = "under_review",
	[OUTCOME_PROPOSED] = "invalidation_proposed",
	[OUTCOME_INVALIDATED] = "invalidated",
	[OUTCOME_APPEAL_OPEN] = "appeal_open",
	[OUTCOME_REINSTATED] = "reinstated",
	[OUTCOME_UPHELD] = "upheld",
};

/* Each act: its journal kind, its command, who may record it. */
static const struct {
	const char	*kind;
	const char	*verb;
	unsigned	 roles;
	int		 four_eyes;	/* not by the proposer */
} outcome_acts[OUTCOME_NACTS] = {
	[OUTCOME_OPEN_CASE] = { "open_case", "open",
	    OUTCOME_ROLE_ANALYST | OUTCOME_ROLE_ADMIN, 0 },
	[OUTCOME_PROPOSE] = { "propose_invalidation", "propose",
	    OUTCOME_ROLE_ADMIN, 0 },
	[OUTCOME_APPROVE] = { "approve_invalidation", "approve",
	    OUTCOME_ROLE_ADMIN, 1 },
	[OUTCOME_REJECT] = { "reject_invalidation", "reject",
	    OUTCOME_ROLE_ADMIN, 1 },
	[OUTCOME_APPEAL] = { "appeal_open", "appeal", OUTCOME_ROLE_ADMIN, 0 },
	[OUTCOME_REINSTATE] = { "reinstate", "reinstate", OUTCOME_ROLE_ADMIN,
	    1 },
	[OUTCOME_UPHOLD] = { "uphold", "uphold", OUTCOME_ROLE_ADMIN, 0 },
};

/* The state after act in state, or -1: the whole diagram of outcome.h. */
#define X	-1
static const int outcome_next[OUTCOME_NSTATES][OUTCOME_NACTS] = {
	/*		 open			propose		approve
			 reject			appeal		reinstate
			 uphold */
	[OUTCOME_VALID] = { OUTCOME_UNDER_REVIEW, OUTCOME_PROPOSED, X,
	    X, X, X, X },
	[OUTCOME_UNDER_REVIEW] = { X, OUTCOME_PROPOSED, X,
	    X, X, X, X },
	[OUTCOME_PROPOSED] = { X, X, OUTCOME_INVALIDATED,
	    OUTCOME_UNDER_REVIEW, X, X, X },
	[OUTCOME_INVALIDATED] = { X, X, X,
	    X, OUTCOME_APPEAL_OPEN, X, X },
	[OUTCOME_APPEAL_OPEN] = { X, X, X,
	    X, X, OUTCOME_REINSTATED, OUTCOME_UPHELD },
	[OUTCOME_REINSTATED] = { OUTCOME_UNDER_REVIEW, X, X,
	    X, X, X, X },
	[OUTCOME_UPHELD] = { X, X, X, X, X, X, X },
};
#undef X

static const char *const outcome_code_list[] = {
	"proxy_testing", "preknowledge", "collusion", "prohibited_aid",
	"identity_fraud", "misconduct", "administrative_error",
};

static const char *const outcome_role_names[] = {
	"proctor", "supervisor", "analyst", "admin",
};

const char *
outcome_state_name(enum outcome_state s)
{
	if ((unsigned)s >= OUTCOME_NSTATES)
		return "unknown";
	return outcome_state_names[s];
}

const char *
outcome_act_kind(enum outcome_act a)
{
	if ((unsigned)a >= OUTCOME_NACTS)
		return "unknown";
	return outcome_acts[a].kind;
}

const char *
outcome_act_verb(enum outcome_act a)
{
	if ((unsigned)a >= OUTCOME_NACTS)
		return "unknown";
	return outcome_acts[a].verb;
}

int
outcome_act_parse(const char *kind, enum outcome_act *a)
{
	int	i;

	for (i = 0; kind != NULL && i < OUTCOME_NACTS; i++) {
		if (strcmp(kind, outcome_acts[i].kind) == 0) {
			*a = (enum outcome_act)i;
			return 0;
		}
	}
	return -1;
}

int
outcome_state_parse(const char *name, enum outcome_state *s)
{
	int	i;

	for (i = 0; name != NULL && i < OUTCOME_NSTATES; i++) {
		if (strcmp(name, outcome_state_names[i]) == 0) {
			*s = (enum outcome_state)i;
			return 0;
		}
	}
	return -1;
}

unsigned
outcome_role_parse(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < sizeof outcome_role_names /
	    sizeof outcome_role_names[0]; i++)
		if (strcmp(name, outcome_role_names[i]) == 0)
			return 1u << i;
	return 0;
}

unsigned
outcome_act_roles(enum outcome_act a)
{
	if ((unsigned)a >= OUTCOME_NACTS)
		return 0;
	return outcome_acts[a].roles;
}

int
outcome_code_known(const char *code)
{
	size_t	i;

	for (i = 0; code != NULL && i < sizeof outcome_code_list /
	    sizeof outcome_code_list[0]; i++)
		if (strcmp(code, outcome_code_list[i]) == 0)
			return 1;
	return 0;
}

const char *
outcome_codes(void)
{
	return "proxy_testing, preknowledge, collusion, prohibited_aid, "
	    "identity_fraud, misconduct, administrative_error";
}

void
outcome_init(struct outcome *o)
{
	memset(o, 0, sizeof *o);
	o->state = OUTCOME_VALID;
}

enum outcome_state
outcome_at(const struct outcome *o, int64_t now_ms)
{
	if (o->state == OUTCOME_PROPOSED && o->expires_ms != 0 &&
	    now_ms >= o->expires_ms)
		return OUTCOME_UNDER_REVIEW;
	return o->state;
}

/* The verbs of the acts state allows, comma-separated, in buf. */
static void
outcome_allowed(enum outcome_state s, char *buf, size_t len)
{
	int	i;
	size_t	n = 0;

	buf[0] = '\0';
	for (i = 0; i < OUTCOME_NACTS; i++) {
		if (outcome_next[s][i] < 0)
			continue;
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n > 0 ? ", " : "", outcome_acts[i].verb);
		if (n >= len)
			break;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "nothing (it is final)");
}

static int
outcome_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* What act a needs beyond the state and the roles: 0, or -1. */
static int
outcome_check_fields(const struct outcome_act_rec *a, char *err,
    size_t errlen)
{
	const char	*verb = outcome_acts[a->kind].verb;

	switch (a->kind) {
	case OUTCOME_PROPOSE:
		if (!outcome_code_known(a->code)) {
			snprintf(err, errlen, "propose needs --code, one of %s",
			    outcome_codes());
			return -1;
		}
		/* FALLTHROUGH */
	case OUTCOME_REJECT:
	case OUTCOME_REINSTATE:
	case OUTCOME_UPHOLD:
		if (outcome_empty(a->reason)) {
			snprintf(err, errlen, "%s needs --reason: say why, in "
			    "words the candidate may one day read", verb);
			return -1;
		}
		break;
	case OUTCOME_APPEAL:
		if (outcome_empty(a->received) || outcome_empty(a->ref)) {
			snprintf(err, errlen, "appeal needs --received (the "
			    "date the appeal came, YYYY-MM-DD) and --ref (its "
			    "reference)");
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

int
outcome_check(const struct outcome *o, const struct outcome_act_rec *a,
    char *err, size_t errlen)
{
	enum outcome_state	 s;
	const char		*actor;
	char			 allowed[160];

	if ((unsigned)a->kind >= OUTCOME_NACTS) {
		snprintf(err, errlen, "not an outcome act");
		return -1;
	}
	actor = outcome_empty(a->actor) ? "(nobody)" : a->actor;
	s = outcome_at(o, a->time_ms);
	if (outcome_next[s][a->kind] < 0) {
		outcome_allowed(s, allowed, sizeof allowed);
		snprintf(err, errlen, "the attempt is %s%s: %s is not allowed "
		    "there; %s allows %s", outcome_state_names[s],
		    s != o->state ? " (its proposal has expired)" : "",
		    outcome_acts[a->kind].verb, outcome_state_names[s],
		    allowed);
		return -1;
	}
	if ((a->roles & outcome_acts[a->kind].roles) == 0) {
		snprintf(err, errlen, "%s may not %s: that needs the role %s "
		    "in the trust file", actor, outcome_acts[a->kind].verb,
		    outcome_acts[a->kind].roles & OUTCOME_ROLE_ANALYST ?
		    "analyst or admin" : "admin");
		return -1;
	}
	if (outcome_acts[a->kind].four_eyes &&
	    strcmp(actor, o->proposer) == 0) {
		snprintf(err, errlen, "%s proposed this invalidation and may "
		    "not %s it: another admin must", actor,
		    outcome_acts[a->kind].verb);
		return -1;
	}
	return outcome_check_fields(a, err, errlen);
}

static void
outcome_copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

int
outcome_fold(struct outcome *o, const struct outcome_act_rec *a, char *err,
    size_t errlen)
{
	enum outcome_state	s;

	if (outcome_check(o, a, err, errlen) == -1)
		return -1;
	s = outcome_at(o, a->time_ms);
	if (s != o->state)
		o->expired = 1;
	switch (a->kind) {
	case OUTCOME_OPEN_CASE:
		outcome_copy(o->opened_by, sizeof o->opened_by, a->actor);
		break;
	case OUTCOME_PROPOSE:
		outcome_copy(o->proposer, sizeof o->proposer, a->actor);
		outcome_copy(o->code, sizeof o->code, a->code);
		o->proposed_ms = a->time_ms;
		o->expires_ms = a->expires_ms;
		o->approver[0] = '\0';
		o->expired = 0;
		break;
	case OUTCOME_APPROVE:
		outcome_copy(o->approver, sizeof o->approver, a->actor);
		break;
	default:
		break;
	}
	o->state = (enum outcome_state)outcome_next[s][a->kind];
	o->acts++;
	o->since_ms = a->time_ms;
	return 0;
}
