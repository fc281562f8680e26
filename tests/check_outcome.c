/*
 * check_outcome.c - Check suite for the outcome state machine
 * (store/outcome.h): every act by every kind of actor in every state,
 * against an expectation written here independently of the table in
 * outcome.c (the legal (state, act, next) triples, the roles of each act,
 * four eyes); then what an act must carry, expiry, the sentences, and
 * the fold of a forced (illegal) row.  The database half is tested end to
 * end by tests/e2e-admin.sh.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/outcome.h"
#include "store/trust.h"
#include "tests/check_main.h"

static char	err[512];

#define T0	1000000		/* the time of the first act */

/* The legal moves, as the man page draws them. */
static const struct {
	enum outcome_state	from;
	enum outcome_act	act;
	enum outcome_state	to;
} legal[] = {
	{ OUTCOME_VALID, OUTCOME_OPEN_CASE, OUTCOME_UNDER_REVIEW },
	{ OUTCOME_VALID, OUTCOME_PROPOSE, OUTCOME_PROPOSED },
	{ OUTCOME_UNDER_REVIEW, OUTCOME_PROPOSE, OUTCOME_PROPOSED },
	{ OUTCOME_PROPOSED, OUTCOME_APPROVE, OUTCOME_INVALIDATED },
	{ OUTCOME_PROPOSED, OUTCOME_REJECT, OUTCOME_UNDER_REVIEW },
	{ OUTCOME_INVALIDATED, OUTCOME_APPEAL, OUTCOME_APPEAL_OPEN },
	{ OUTCOME_APPEAL_OPEN, OUTCOME_REINSTATE, OUTCOME_REINSTATED },
	{ OUTCOME_APPEAL_OPEN, OUTCOME_UPHOLD, OUTCOME_UPHELD },
	{ OUTCOME_REINSTATED, OUTCOME_OPEN_CASE, OUTCOME_UNDER_REVIEW },
};

/* The actors: "amy" is an admin and, once there is one, the proposer. */
static const struct {
	const char	*name;
	unsigned	 roles;
} actors[] = {
	{ "amy", OUTCOME_ROLE_ADMIN },
	{ "bob", OUTCOME_ROLE_ADMIN },
	{ "cat", OUTCOME_ROLE_ADMIN | OUTCOME_ROLE_ANALYST },
	{ "ann", OUTCOME_ROLE_ANALYST },
	{ "pat", OUTCOME_ROLE_PROCTOR },
	{ "sue", OUTCOME_ROLE_SUPERVISOR },
	{ "nob", 0 },
};
#define NACTORS	(sizeof actors / sizeof actors[0])

/* An act with everything it needs, by actor i, at t. */
static struct outcome_act_rec
act(enum outcome_act k, size_t i, int64_t t)
{
	struct outcome_act_rec	a;

	memset(&a, 0, sizeof a);
	a.kind = k;
	a.actor = actors[i].name;
	a.roles = actors[i].roles;
	a.time_ms = t;
	a.code = "collusion";
	a.reason = "identical responses to 40 items";
	a.expires_ms = t + 1000;
	a.received = "2026-12-01";
	a.ref = "APL-7";
	return a;
}

/* A fold brought to state s the usual way (proposer amy). */
static void
reach(struct outcome *o, enum outcome_state s)
{
	static const enum outcome_act path[] = {
		OUTCOME_PROPOSE, OUTCOME_APPROVE, OUTCOME_APPEAL
	};
	struct outcome_act_rec	a;
	int64_t			t = T0;
	size_t			i;

	outcome_init(o);
	if (s == OUTCOME_VALID)
		return;
	if (s == OUTCOME_UNDER_REVIEW) {
		a = act(OUTCOME_OPEN_CASE, 3, t);
		ck_assert_int_eq(outcome_fold(o, &a, err, sizeof err), 0);
		return;
	}
	for (i = 0; i < 3; i++) {
		a = act(path[i], i == 0 ? 0 : 1, t++);
		ck_assert_msg(outcome_fold(o, &a, err, sizeof err) == 0, "%s",
		    err);
		if (o->state == s)
			return;
	}
	a = act(s == OUTCOME_UPHELD ? OUTCOME_UPHOLD : OUTCOME_REINSTATE, 1,
	    t);
	ck_assert_msg(outcome_fold(o, &a, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(o->state, s);
}

/* What the expectation says act k by actor i in state s does: the next
 * state, or -1 if refused. */
static int
expect(enum outcome_state s, enum outcome_act k, size_t i)
{
	unsigned	need;
	size_t		j;

	need = k == OUTCOME_OPEN_CASE ? OUTCOME_ROLE_ANALYST |
	    OUTCOME_ROLE_ADMIN : OUTCOME_ROLE_ADMIN;
	if ((actors[i].roles & need) == 0)
		return -1;
	if ((k == OUTCOME_APPROVE || k == OUTCOME_REJECT ||
	    k == OUTCOME_REINSTATE) && i == 0)
		return -1;
	for (j = 0; j < sizeof legal / sizeof legal[0]; j++)
		if (legal[j].from == s && legal[j].act == k)
			return legal[j].to;
	return -1;
}

START_TEST(test_every_state_act_actor)
{
	struct outcome		o, before;
	struct outcome_act_rec	a;
	int			s, k, want, got, legal_seen = 0;
	size_t			i;

	for (s = 0; s < OUTCOME_NSTATES; s++)
	for (k = 0; k < OUTCOME_NACTS; k++)
	for (i = 0; i < NACTORS; i++) {
		reach(&o, s);
		before = o;
		a = act(k, i, T0 + 100);
		want = expect(s, k, i);
		err[0] = '\0';
		got = outcome_check(&o, &a, err, sizeof err);
		ck_assert_msg(got == (want < 0 ? -1 : 0), "%s %s by %s: check "
		    "gave %d (%s)", outcome_state_name(s), outcome_act_kind(k),
		    actors[i].name, got, err);
		got = outcome_fold(&o, &a, err, sizeof err);
		if (want < 0) {
			ck_assert_int_eq(got, -1);
			ck_assert(err[0] != '\0');
			ck_assert(memcmp(&o, &before, sizeof o) == 0);
		} else {
			legal_seen++;
			ck_assert_int_eq(got, 0);
			ck_assert_msg((int)o.state == want, "%s %s by %s: %s",
			    outcome_state_name(s), outcome_act_kind(k),
			    actors[i].name, outcome_state_name(o.state));
			ck_assert_int_eq(o.acts, before.acts + 1);
		}
	}
	/* Not vacuous: every legal move was taken by some actor. */
	ck_assert_int_ge(legal_seen, (int)(sizeof legal / sizeof legal[0]));
}
END_TEST

START_TEST(test_refusal_names_the_state)
{
	struct outcome		o;
	struct outcome_act_rec	a;

	reach(&o, OUTCOME_INVALIDATED);
	a = act(OUTCOME_APPROVE, 2, T0 + 100);
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "invalidated") != NULL &&
	    strstr(err, "allows appeal") != NULL, "%s", err);

	reach(&o, OUTCOME_UPHELD);
	a = act(OUTCOME_APPEAL, 2, T0 + 100);
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "upheld") != NULL &&
	    strstr(err, "final") != NULL, "%s", err);

	reach(&o, OUTCOME_PROPOSED);
	a = act(OUTCOME_APPROVE, 0, T0 + 100);
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "amy proposed") != NULL, "%s", err);

	a = act(OUTCOME_PROPOSE, 4, T0 + 100);
	reach(&o, OUTCOME_VALID);
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "pat may not propose") != NULL, "%s", err);
}
END_TEST

START_TEST(test_what_an_act_carries)
{
	struct outcome		o;
	struct outcome_act_rec	a;

	reach(&o, OUTCOME_UNDER_REVIEW);
	a = act(OUTCOME_PROPOSE, 0, T0 + 100);
	a.code = "cheating";
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "proxy_testing") != NULL, "%s", err);
	a.code = NULL;
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	a.code = "identity_fraud";
	a.reason = "";
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	a.reason = "x";
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), 0);

	reach(&o, OUTCOME_PROPOSED);
	a = act(OUTCOME_REJECT, 1, T0 + 100);
	a.reason = NULL;
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);

	reach(&o, OUTCOME_INVALIDATED);
	a = act(OUTCOME_APPEAL, 1, T0 + 100);
	a.ref = NULL;
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	a.ref = "R";
	a.received = "";
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);

	reach(&o, OUTCOME_APPEAL_OPEN);
	a = act(OUTCOME_UPHOLD, 1, T0 + 100);
	a.reason = NULL;
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
	a = act(OUTCOME_REINSTATE, 1, T0 + 100);
	a.reason = "";
	ck_assert_int_eq(outcome_check(&o, &a, err, sizeof err), -1);
}
END_TEST

START_TEST(test_proposal_expires)
{
	struct outcome		o;
	struct outcome_act_rec	a;

	outcome_init(&o);
	a = act(OUTCOME_PROPOSE, 0, T0);	/* expires at T0 + 1000 */
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_int_eq(outcome_at(&o, T0 + 999), OUTCOME_PROPOSED);
	ck_assert_int_eq(outcome_at(&o, T0 + 1000), OUTCOME_UNDER_REVIEW);

	a = act(OUTCOME_APPROVE, 1, T0 + 1000);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "expired") != NULL, "%s", err);
	ck_assert_int_eq(o.state, OUTCOME_PROPOSED);

	/* A new proposal, by anyone, starts again; the old one lapsed. */
	a = act(OUTCOME_PROPOSE, 1, T0 + 2000);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_str_eq(o.proposer, "bob");
	ck_assert_int_eq(o.expired, 0);
	/* amy may approve bob's proposal. */
	a = act(OUTCOME_APPROVE, 0, T0 + 2500);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_int_eq(o.state, OUTCOME_INVALIDATED);
	ck_assert_str_eq(o.approver, "amy");

	/* expires_ms 0: never. */
	outcome_init(&o);
	a = act(OUTCOME_PROPOSE, 0, T0);
	a.expires_ms = 0;
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_int_eq(outcome_at(&o, INT64_MAX), OUTCOME_PROPOSED);
}
END_TEST

START_TEST(test_the_scripted_case)
{
	struct outcome		o;
	struct outcome_act_rec	a;

	outcome_init(&o);
	a = act(OUTCOME_OPEN_CASE, 3, T0);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_str_eq(o.opened_by, "ann");
	a = act(OUTCOME_PROPOSE, 0, T0 + 1);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	a = act(OUTCOME_APPROVE, 0, T0 + 2);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), -1);
	a = act(OUTCOME_APPROVE, 1, T0 + 3);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	/* A race: the second approval is refused, the state says why. */
	a = act(OUTCOME_APPROVE, 2, T0 + 3);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "is invalidated") != NULL, "%s", err);
	a = act(OUTCOME_APPEAL, 1, T0 + 4);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	a = act(OUTCOME_REINSTATE, 0, T0 + 5);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), -1);
	a = act(OUTCOME_REINSTATE, 2, T0 + 6);
	ck_assert_int_eq(outcome_fold(&o, &a, err, sizeof err), 0);
	ck_assert_int_eq(o.state, OUTCOME_REINSTATED);
	ck_assert_int_eq(o.acts, 5);
	ck_assert_int_eq(o.since_ms, T0 + 6);
}
END_TEST

START_TEST(test_names_round_trip)
{
	enum outcome_act	k;
	enum outcome_state	s;
	int			i;

	for (i = 0; i < OUTCOME_NACTS; i++) {
		ck_assert_int_eq(outcome_act_parse(outcome_act_kind(i), &k), 0);
		ck_assert_int_eq(k, i);
	}
	for (i = 0; i < OUTCOME_NSTATES; i++) {
		ck_assert_int_eq(outcome_state_parse(outcome_state_name(i), &s),
		    0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_int_eq(outcome_act_parse("dismiss", &k), -1);
	ck_assert_int_eq(outcome_state_parse("rejected", &s), -1);
	ck_assert_int_eq(outcome_role_parse("admin"), OUTCOME_ROLE_ADMIN);
	ck_assert_int_eq(outcome_role_parse("analyst"), OUTCOME_ROLE_ANALYST);
	ck_assert_int_eq(outcome_role_parse("proctor"), OUTCOME_ROLE_PROCTOR);
	ck_assert_int_eq(outcome_role_parse("root"), 0);
	ck_assert(outcome_code_known("administrative_error"));
	ck_assert(outcome_code_known("proxy_testing"));
	ck_assert(!outcome_code_known("Collusion"));
}
END_TEST

/* The state machine's roles are the trust file's one table (trust.h),
 * and the role bits are the same. */
START_TEST(test_roles_are_the_trust_tables)
{
	int	k;

	ck_assert_int_eq(OUTCOME_ROLE_ADMIN, TRUST_ADMIN);
	ck_assert_int_eq(OUTCOME_ROLE_ANALYST, TRUST_ANALYST);
	ck_assert_int_eq(OUTCOME_ROLE_PROCTOR, TRUST_PROCTOR);
	ck_assert_int_eq(OUTCOME_ROLE_SUPERVISOR, TRUST_SUPERVISOR);
	for (k = 0; k < OUTCOME_NACTS; k++)
		ck_assert_msg(outcome_act_roles(k) ==
		    trust_kind_roles(outcome_act_kind(k)), "%s: %#x here, %#x "
		    "in trust.h", outcome_act_kind(k), outcome_act_roles(k),
		    trust_kind_roles(outcome_act_kind(k)));
}
END_TEST

static Suite *
outcome_suite(void)
{
	Suite	*su = suite_create("outcome");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_every_state_act_actor);
	tcase_add_test(tc, test_refusal_names_the_state);
	tcase_add_test(tc, test_what_an_act_carries);
	tcase_add_test(tc, test_proposal_expires);
	tcase_add_test(tc, test_the_scripted_case);
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_roles_are_the_trust_tables);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(outcome_suite());
}
