/*
 * check_outcome.c - Check suite for the outcome state machine
 * (store/outcome.h): every act by every kind of actor in every state,
 * against an expectation written here independently of the table in
 * outcome.c (the legal (state, act, next) triples, the roles of each act,
 * four eyes); then what an act must carry, expiry, the sentences, and
 * the fold of a forced (illegal) row.  Then the database half on real
 * SQLite files: acts recorded and read back, a group all or nothing, a
 * row forced into the journal shown and not taken, and two processes
 * approving one proposal at once; the signed outcome list, with and
 * without pseudonyms, verified, and every changed byte of it refused; end
 * to end in tests/e2e-admin.sh.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <sys/wait.h>

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "store/bundle.h"
#include "store/journal.h"
#include "store/outcome.h"
#include "store/store.h"
#include "store/trust.h"

#define CHECK_TMP_NAME	"check_outcome"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

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

/* ---- the database half */

static char	tmpdir[64];
static char	dbpath[128];

static void
db_setup(void)
{
	struct store	*st;

	check_tmp_make(tmpdir, sizeof tmpdir);
	snprintf(dbpath, sizeof dbpath, "%s/x.db", tmpdir);
	ck_assert_msg(store_open(&st, dbpath, err, sizeof err) == 0, "%s", err);
	ck_assert(store_close(st, err, sizeof err) == 0);
}

static void
db_teardown(void)
{
	check_tmp_rm(tmpdir);
}

/* Record act k by actor i on the n attempts; the return of
 * store_outcome_record. */
static int
record(enum outcome_act k, size_t i, const char *const *att, size_t n,
    struct outcome_receipt *rc)
{
	struct outcome_act_rec	a = act(k, i, 0);
	struct outcome_receipt	local[4];

	a.expires_ms = 60 * 1000;
	memset(local, 0, sizeof local);
	return store_outcome_record(dbpath, att, n, &a,
	    i == 3 ? "analyst" : "admin", check_signer_key(actors[i].name),
	    k == OUTCOME_OPEN_CASE ?
	    "{\"flags\":[2,1]}" : NULL, rc != NULL ? rc : local, err,
	    sizeof err);
}

static int64_t
journal_size(void)
{
	struct store_reader	*r;
	sqlite3_stmt		*st;
	int64_t			 n = -1;

	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	sqlite3_prepare_v2(store_reader_db(r), "SELECT count(*) FROM journal",
	    -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	store_reader_close(r);
	return n;
}

struct seen {
	int		n, illegal;
	char		kinds[512];
};

static int
seen_entry(const struct outcome_entry *e, void *arg)
{
	struct seen	*sn = arg;
	size_t		 len = strlen(sn->kinds);

	sn->n++;
	if (e->illegal != NULL)
		sn->illegal++;
	snprintf(sn->kinds + len, sizeof sn->kinds - len, "%s%s:%s%s",
	    len > 0 ? " " : "", outcome_act_kind(e->act.kind), e->act.actor,
	    e->illegal != NULL ? "!" : "");
	return 0;
}

static struct outcome
read_back(const char *attempt, struct seen *sn)
{
	struct store_reader	*r;
	struct outcome		 o;

	memset(sn, 0, sizeof *sn);
	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	ck_assert_msg(store_outcome_read(r, NULL, attempt, &o, seen_entry, sn,
	    err, sizeof err) == 0, "%s", err);
	store_reader_close(r);
	return o;
}

static int
count_case(const char *feed, const char *attempt, const struct outcome *o,
    void *arg)
{
	(void)feed;
	(void)attempt;
	if (o->state == OUTCOME_INVALIDATED)
		(*(int *)arg)++;
	return 0;
}

START_TEST(test_db_record_and_read)
{
	const char		*one[] = { "A1" }, *two[] = { "A1", "A2" };
	const char		*bad[] = { "A2", "A3" };
	struct outcome_receipt	 rc[2];
	struct store_reader	*r;
	struct outcome		 o;
	struct seen		 sn;
	int			 inv = 0;
	int64_t			 size;

	ck_assert_msg(record(OUTCOME_OPEN_CASE, 3, one, 1, NULL) == 0, "%s",
	    err);
	ck_assert_msg(record(OUTCOME_PROPOSE, 0, two, 2, NULL) == 0, "%s",
	    err);
	size = journal_size();
	ck_assert_int_eq(size, 3);
	/* The proposer's approval is refused, and nothing is written. */
	ck_assert_int_eq(record(OUTCOME_APPROVE, 0, one, 1, NULL), -1);
	ck_assert_msg(strstr(err, "attempt A1: amy proposed") != NULL, "%s",
	    err);
	/* All or nothing: A3 was never proposed. */
	ck_assert_int_eq(record(OUTCOME_APPROVE, 1, bad, 2, NULL), -1);
	ck_assert_msg(strstr(err, "attempt A3: the attempt is valid") != NULL,
	    "%s", err);
	ck_assert_int_eq(journal_size(), size);

	memset(rc, 0, sizeof rc);
	ck_assert_msg(record(OUTCOME_APPROVE, 1, two, 2, rc) == 0, "%s", err);
	ck_assert_int_eq(rc[0].seq, 4);
	ck_assert_int_eq(rc[1].seq, 5);
	ck_assert_int_eq(rc[1].state, OUTCOME_INVALIDATED);
	ck_assert_int_eq(strlen(rc[0].hash), 64);
	ck_assert_str_ne(rc[0].hash, rc[1].hash);

	o = read_back("A1", &sn);
	ck_assert_int_eq(o.state, OUTCOME_INVALIDATED);
	ck_assert_str_eq(sn.kinds, "open_case:ann propose_invalidation:amy "
	    "approve_invalidation:bob");
	ck_assert_str_eq(o.opened_by, "ann");
	ck_assert_str_eq(o.approver, "bob");
	ck_assert_int_gt(o.expires_ms, o.proposed_ms);
	o = read_back("A2", &sn);
	ck_assert_int_eq(o.state, OUTCOME_INVALIDATED);
	ck_assert_int_eq(sn.n, 2);
	o = read_back("A3", &sn);
	ck_assert_int_eq(o.state, OUTCOME_VALID);
	ck_assert_int_eq(sn.n, 0);

	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	ck_assert_int_eq(store_outcome_cases(r, 0, count_case, &inv, err,
	    sizeof err), 2);
	store_reader_close(r);
	ck_assert_int_eq(inv, 2);
}
END_TEST

/* What store_outcome_since delivered, in order, in sn->kinds. */
static int
since_row(const struct outcome_since *r, void *arg)
{
	struct seen	*sn = arg;
	size_t		 len = strlen(sn->kinds);

	sn->n++;
	snprintf(sn->kinds + len, sizeof sn->kinds - len, "%s%lld:%s/%s/%s:%s",
	    len > 0 ? " " : "", (long long)r->entry.seq,
	    r->feed != NULL ? r->feed : "-", r->attempt,
	    r->candidate != NULL ? r->candidate : "-",
	    outcome_act_kind(r->entry.act.kind));
	return 0;
}

/* The acts since a seq, with their candidates, from the journal's
 * primary key; a poll with nothing new reads nothing and stays. */
START_TEST(test_db_since)
{
	const char		*one[] = { "A1" }, *two[] = { "A2" };
	struct outcome_receipt	 rc[1];
	struct store_reader	*r;
	struct seen		 sn;
	sqlite3			*db;
	char			 plan[1024];
	int64_t			 after = 0, top;

	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db, "INSERT INTO attempts (feed, attempt, "
	    "candidate) VALUES ('F1', 'A1', 'C1'), ('F1', 'A2', NULL)", NULL,
	    NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	ck_assert_msg(record(OUTCOME_OPEN_CASE, 3, one, 1, NULL) == 0, "%s",
	    err);
	ck_assert_msg(record(OUTCOME_PROPOSE, 0, one, 1, NULL) == 0, "%s",
	    err);
	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	memset(&sn, 0, sizeof sn);
	ck_assert_int_eq(store_outcome_since(r, &after, 100, since_row, &sn,
	    err, sizeof err), 2);
	ck_assert_str_eq(sn.kinds, "1:F1/A1/C1:open_case "
	    "2:F1/A1/C1:propose_invalidation");
	top = journal_size();
	ck_assert_int_eq(after, top);
	/* Nothing new: nothing read, the position stays. */
	memset(&sn, 0, sizeof sn);
	ck_assert_int_eq(store_outcome_since(r, &after, 100, since_row, &sn,
	    err, sizeof err), 0);
	ck_assert_int_eq(after, top);
	/* Another process's acts are seen by the next poll, one batch at a
	 * time: a cut batch stops at the last row delivered. */
	memset(rc, 0, sizeof rc);
	ck_assert_msg(record(OUTCOME_APPROVE, 1, one, 1, rc) == 0, "%s", err);
	ck_assert_msg(record(OUTCOME_OPEN_CASE, 3, two, 1, NULL) == 0, "%s",
	    err);
	memset(&sn, 0, sizeof sn);
	ck_assert_int_eq(store_outcome_since(r, &after, 1, since_row, &sn,
	    err, sizeof err), 1);
	ck_assert_int_eq(after, rc[0].seq);
	ck_assert_int_eq(store_outcome_since(r, &after, 1, since_row, &sn,
	    err, sizeof err), 1);
	ck_assert_int_eq(store_outcome_since(r, &after, 1, since_row, &sn,
	    err, sizeof err), 0);
	ck_assert_str_eq(sn.kinds, "3:F1/A1/C1:approve_invalidation "
	    "4:F1/A2/-:open_case");
	ck_assert_int_eq(after, journal_size());
	/* By the journal's primary key and the attempts table's: no scan. */
	ck_assert(store_outcome_since_plan(r, plan, sizeof plan, err,
	    sizeof err) == 0);
	ck_assert_msg(strstr(plan, "SEARCH journal USING INTEGER PRIMARY KEY "
	    "(rowid>? AND rowid<?)") != NULL, "%s", plan);
	ck_assert_msg(strstr(plan, "SEARCH a USING INDEX "
	    "sqlite_autoindex_attempts_1 (feed=? AND attempt=?)") != NULL,
	    "%s", plan);
	ck_assert_msg(strstr(plan, "SCAN") == NULL, "%s", plan);
	store_reader_close(r);
}
END_TEST

/* A row written past the state machine (by hand, with the file) is shown
 * as not taken and does not move the state. */
START_TEST(test_db_forced_row_not_taken)
{
	const char		*one[] = { "A1" };
	struct journal_row	 jr;
	struct outcome		 o;
	struct seen		 sn;
	sqlite3			*db;
	char			 hash[65];

	ck_assert_msg(record(OUTCOME_PROPOSE, 0, one, 1, NULL) == 0, "%s",
	    err);
	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	memset(&jr, 0, sizeof jr);
	jr.time_ms = 1;
	jr.actor = "amy";
	jr.role = "admin";
	jr.kind = "approve_invalidation";
	jr.attempt = "A1";
	jr.signer = check_signer_key("amy");
	ck_assert_msg(journal_insert(db, &jr, hash, err, sizeof err) == 0, "%s",
	    err);
	sqlite3_close(db);
	o = read_back("A1", &sn);
	ck_assert_int_eq(o.state, OUTCOME_PROPOSED);
	ck_assert_int_eq(sn.illegal, 1);
	ck_assert_str_eq(sn.kinds, "propose_invalidation:amy "
	    "approve_invalidation:amy!");
}
END_TEST

/* Two processes approve one proposal at the same moment, many times:
 * exactly one approval each time, the other refused for the state. */
START_TEST(test_db_race_to_approve)
{
	char			 name[16];
	const char		*one[1];
	struct seen		 sn;
	pid_t			 pid[2];
	int			 round, k, status, ok, go[2];
	char			 c;

	for (round = 0; round < 20; round++) {
		snprintf(name, sizeof name, "R%d", round);
		one[0] = name;
		ck_assert_msg(record(OUTCOME_PROPOSE, 0, one, 1, NULL) == 0,
		    "%s", err);
		ck_assert(pipe(go) == 0);
		for (k = 0; k < 2; k++) {
			if ((pid[k] = fork()) == 0) {
				close(go[1]);
				(void)read(go[0], &c, 1);	/* the start */
				_exit(record(OUTCOME_APPROVE, 1 + k, one, 1,
				    NULL) == 0 ? 0 : strstr(err, "is "
				    "invalidated") != NULL ? 1 : 2);
			}
		}
		close(go[0]);
		close(go[1]);		/* both start now */
		ok = 0;
		for (k = 0; k < 2; k++) {
			ck_assert(waitpid(pid[k], &status, 0) == pid[k]);
			ck_assert(WIFEXITED(status));
			ck_assert_int_ne(WEXITSTATUS(status), 2);
			ok += WEXITSTATUS(status) == 0;
		}
		ck_assert_int_eq(ok, 1);
		read_back(name, &sn);
		ck_assert_int_eq(sn.n, 2);
		ck_assert_int_eq(sn.illegal, 0);
	}
}
END_TEST

/* The outcome list of the database as it is, exported by amy (after
 * journaling the export); pkey NULL: candidate ids.  The note (free it). */
static char *
export_list(const uint8_t *pkey, int64_t *seq, size_t *len,
    struct bundle_summary *sum)
{
	struct outcomes_options	 o;
	struct bundle_summary	 refused;
	struct store_reader	*r;
	char			 hash[65], *text;

	memset(&o, 0, sizeof o);
	ck_assert_msg(store_act_record(dbpath, "export_outcomes", "amy",
	    "admin", check_signer_key("amy"), NULL, NULL, seq, hash, err,
	    sizeof err) == 0, "%s", err);
	o.key = check_signer_key("amy");
	o.now_ms = T0;
	o.export_seq = *seq;
	o.pseudonym_key = pkey;
	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	text = outcomes_write(r, &o, len, sum, err, sizeof err);
	ck_assert_msg(text != NULL, "%s", err);
	/* A list whose export act no checkpoint covers is refused. */
	o.export_seq = *seq + 1;
	ck_assert_ptr_null(outcomes_write(r, &o, len, &refused, err,
	    sizeof err));
	ck_assert_msg(strstr(err, "covers the export act") != NULL, "%s", err);
	store_reader_close(r);
	return text;
}

START_TEST(test_db_outcome_list)
{
	const char		*a1[] = { "A1" }, *two[] = { "A1", "A2" };
	const char		*a3[] = { "A3" };
	struct bundle_summary	 sum, vs;
	struct seen		 sn;
	struct outcome		 o;
	sqlite3			*db;
	uint8_t			 pkey[OUTCOMES_KEY_LEN], mac[EVP_MAX_MD_SIZE];
	unsigned		 maclen;
	char			*text, hex[2 * SIGN_HASH_LEN + 1], id[17], c;
	size_t			 len, i, bad = 0;
	int64_t			 seq;

	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	ck_assert(sqlite3_exec(db, "INSERT INTO attempts (feed, attempt, "
	    "candidate, exam, form) VALUES ('f', 'A1', 'C1', 'E', 'F'), "
	    "('f', 'A2', 'C2', 'E', 'F'), ('f', 'A3', NULL, 'E', 'F')", NULL,
	    NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	ck_assert_msg(record(OUTCOME_OPEN_CASE, 3, a1, 1, NULL) == 0, "%s",
	    err);
	ck_assert(record(OUTCOME_PROPOSE, 0, two, 2, NULL) == 0);
	ck_assert(record(OUTCOME_APPROVE, 1, two, 2, NULL) == 0);
	ck_assert(record(OUTCOME_OPEN_CASE, 3, a3, 1, NULL) == 0);
	o = read_back("A1", &sn);
	ck_assert_int_eq(o.seq, 4);		/* its approval */

	text = export_list(NULL, &seq, &len, &sum);
	ck_assert_int_eq(seq, 7);
	ck_assert_int_eq(sum.outcomes, 3);
	ck_assert_int_eq(sum.invalid, 2);
	ck_assert_msg(outcomes_verify(text, len, NULL, 0, &vs, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(vs.outcomes, 3);
	ck_assert_int_eq(vs.invalid, 2);
	ck_assert_int_eq(vs.export_seq, 7);
	ck_assert_int_eq(vs.withheld, 0);
	ck_assert_str_eq(vs.exporter, "amy");
	ck_assert_ptr_nonnull(strstr(text, "\"candidate\":\"C1\""));
	ck_assert_ptr_nonnull(strstr(text, "\"attempt\":\"A3\",\"body\""));
	ck_assert_ptr_nonnull(strstr(text, "\"state\":\"under_review\""));
	/* Every byte changed in turn: refused. */
	for (i = 0; i < len; i++) {
		c = text[i];
		text[i] ^= c == '\n' ? 0x20 : 0x01;
		if (outcomes_verify(text, len, NULL, 0, &vs, err,
		    sizeof err) == 0)
			bad++;
		text[i] = c;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_msg(outcomes_verify(text, len, NULL, 0, &vs, err,
	    sizeof err) == 0, "restored: %s", err);
	/* A bundle is not an outcome list, and the reverse. */
	ck_assert_int_eq(bundle_verify(text, len, NULL, 0, &vs, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "\"type\":\"bundle\"") != NULL, "%s", err);
	free(text);

	/* Pseudonymous: no candidate id, bodies withheld, the HMAC. */
	for (i = 0; i < sizeof pkey; i++)
		pkey[i] = (uint8_t)(i * 7 + 1);
	text = export_list(pkey, &seq, &len, &sum);
	ck_assert_int_eq(seq, 8);
	/* As a JSON string: "C1" alone also turns up, now and then, in a
	 * signature's base64. */
	ck_assert_ptr_null(strstr(text, "\"C1\""));
	ck_assert_ptr_null(strstr(text, "\"candidate\""));
	ck_assert_msg(outcomes_verify(text, len, NULL, 0, &vs, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(vs.withheld, 3);
	outcomes_key_id(pkey, id);
	ck_assert_str_eq(vs.pseudonyms + strlen("hmac-sha256:"), id);
	HMAC(EVP_sha256(), pkey, sizeof pkey, (const uint8_t *)"C2", 2, mac,
	    &maclen);
	ck_assert_uint_eq(maclen, SIGN_HASH_LEN);
	sign_hex(mac, hex);
	ck_assert_msg(strstr(text, hex) != NULL, "no pseudonym of C2 %s", hex);
	free(text);
}
END_TEST

/* The state machine's roles are the trust file's one table (trust.h),
 * and the role bits are the same. */
/* store_act_record stores its detail canonical whatever its spelling, so
 * that the journal verifies; a detail that is not an object is refused
 * and nothing is journaled. */
START_TEST(test_db_act_detail_canonical)
{
	struct store_reader	*r;
	struct store_verify	 v;
	sqlite3			*db;
	sqlite3_stmt		*st;
	char			 hash[65];
	int64_t			 seq = 0, rows;

	ck_assert_msg(store_act_record(dbpath, "export_outcomes", "amy",
	    "admin", check_signer_key("amy"), "r", "{ \"b\" : 1,\n \"a\": "
	    "\"x\" }", &seq, hash, err, sizeof err) == 0, "%s", err);
	ck_assert(seq > 0);
	ck_assert_int_eq(store_act_record(dbpath, "export_outcomes", "amy",
	    "admin", check_signer_key("amy"), "r", "[1]", &seq, hash, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "detail") != NULL, "%s", err);
	ck_assert(sqlite3_open(dbpath, &db) == SQLITE_OK);
	ck_assert(sqlite3_prepare_v2(db, "SELECT detail, (SELECT count(*) "
	    "FROM journal) FROM journal ORDER BY seq DESC LIMIT 1", -1, &st,
	    NULL) == SQLITE_OK);
	ck_assert(sqlite3_step(st) == SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
	    "{\"a\":\"x\",\"b\":1}");
	rows = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_eq(rows, seq);
	ck_assert(store_reader_open(&r, dbpath, err, sizeof err) == 0);
	ck_assert_msg(store_verify(r, NULL, 0, NULL, &v, err, sizeof err) ==
	    0, "%s", err);
	ck_assert_msg(v.problem == STORE_VERIFY_OK, "%s", v.what);
	store_reader_close(r);
}
END_TEST

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

	tc = tcase_create("db");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, db_setup, db_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_db_record_and_read);
	tcase_add_test(tc, test_db_forced_row_not_taken);
	tcase_add_test(tc, test_db_race_to_approve);
	tcase_add_test(tc, test_db_outcome_list);
	tcase_add_test(tc, test_db_since);
	tcase_add_test(tc, test_db_act_detail_canonical);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(outcome_suite());
}
