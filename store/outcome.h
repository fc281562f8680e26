/*
 * outcome.h - the outcome of an attempt as a state machine of journaled
 * acts (issue 16, items 3 and 4; the diagram is in invigil-admin(1)).
 *
 *	valid --open_case--> under_review --propose--> invalidation_proposed
 *	valid --propose--> invalidation_proposed
 *	invalidation_proposed --approve (admin != proposer)--> invalidated
 *	invalidation_proposed --reject (admin != proposer)--> under_review
 *	invalidation_proposed --(expiry passes)--> under_review
 *	invalidated --appeal_open--> appeal_open
 *	appeal_open --reinstate (admin != proposer)--> reinstated
 *	appeal_open --uphold--> upheld
 *	reinstated --open_case--> under_review (new evidence)
 *
 * A rejected or expired proposal goes back to under_review, not to valid:
 * the evidence that opened the case is still there, and a second proposal
 * (another code, more evidence) must stay possible; the attempt counts as
 * valid for the platform in under_review (only invalidated and upheld do
 * not).  upheld is final.
 *
 * The state is never stored: it is the fold of the attempt's outcome acts
 * in the journal, in seq order (outcome_fold).  A new act is legal if
 * outcome_check says so for the fold as it is when the act is recorded;
 * the writer re-reads the fold inside the write transaction that appends
 * (store_outcome_record), so two admins racing to approve one proposal
 * record one approval and the other is refused.
 *
 * A group act (a collusion cluster proposed or approved at once) is one
 * journal entry per attempt, all appended in one transaction, each with
 * detail {"group":[the attempts]}: each attempt's fold, history and
 * verify's role check then read one row per act of that attempt, by the
 * journal's (feed, attempt) index, and the group is still all or nothing.
 *
 * This part (outcome_*) is pure logic: no database.
 */
#ifndef INVIGIL_STORE_OUTCOME_H
#define INVIGIL_STORE_OUTCOME_H

#include <stddef.h>
#include <stdint.h>

enum outcome_state {
	OUTCOME_VALID,
	OUTCOME_UNDER_REVIEW,
	OUTCOME_PROPOSED,		/* invalidation_proposed */
	OUTCOME_INVALIDATED,
	OUTCOME_APPEAL_OPEN,
	OUTCOME_REINSTATED,
	OUTCOME_UPHELD,
	OUTCOME_NSTATES
};

/* The acts; each is journaled with the kind outcome_act_kind() names. */
enum outcome_act {
	OUTCOME_OPEN_CASE,
	OUTCOME_PROPOSE,		/* propose_invalidation */
	OUTCOME_APPROVE,		/* approve_invalidation */
	OUTCOME_REJECT,			/* reject_invalidation */
	OUTCOME_APPEAL,			/* appeal_open */
	OUTCOME_REINSTATE,
	OUTCOME_UPHOLD,
	OUTCOME_NACTS
};

/* Roles as a bit set (an actor may hold several). */
#define OUTCOME_ROLE_PROCTOR	0x01
#define OUTCOME_ROLE_SUPERVISOR	0x02
#define OUTCOME_ROLE_ANALYST	0x04
#define OUTCOME_ROLE_ADMIN	0x08
#define OUTCOME_ROLE_ALL	0x0f

/* How long a proposal stands unless the command says otherwise. */
#define OUTCOME_EXPIRY_DEFAULT_MS	(14LL * 24 * 3600 * 1000)

#define OUTCOME_NAME_MAX	128	/* actor names kept in the fold */
#define OUTCOME_TEXT_MAX	256	/* codes, references, dates */

/* One act as recorded or about to be (strings the caller's, may be NULL). */
struct outcome_act_rec {
	enum outcome_act kind;
	const char	*actor;
	unsigned	 roles;		/* the actor's roles when recorded */
	int64_t		 time_ms;
	const char	*code;		/* propose: a reason code */
	const char	*reason;	/* propose, reject, reinstate, uphold */
	int64_t		 expires_ms;	/* propose: when it lapses */
	const char	*received;	/* appeal: date received (YYYY-MM-DD) */
	const char	*ref;		/* appeal: reference */
};

/* The fold of an attempt's acts so far. */
struct outcome {
	enum outcome_state state;	/* as of the last act (see outcome_at) */
	int64_t		 acts;		/* acts folded */
	int64_t		 since_ms;	/* time of the last act, 0 if none */
	char		 opened_by[OUTCOME_NAME_MAX];	/* "" if no case */
	char		 proposer[OUTCOME_NAME_MAX];	/* the standing or last
							   proposal's */
	char		 code[OUTCOME_TEXT_MAX];
	int64_t		 proposed_ms;
	int64_t		 expires_ms;	/* of the proposal; 0 never */
	char		 approver[OUTCOME_NAME_MAX];
	int		 expired;	/* the last proposal lapsed */
	int64_t		 seq;		/* journal seq of the last act folded
					   (set by the store readers; 0) */
};

const char	*outcome_state_name(enum outcome_state);
const char	*outcome_act_kind(enum outcome_act);	/* the journal kind */
const char	*outcome_act_verb(enum outcome_act);	/* the command name */

/* The act whose journal kind is kind: 0 and *a set, or -1 (not one). */
int		 outcome_act_parse(const char *kind, enum outcome_act *a);

/* The state named name (as outcome_state_name gives it): 0, or -1. */
int		 outcome_state_parse(const char *name, enum outcome_state *s);

/* The role named name ("admin"...): its bit, or 0 if none. */
unsigned	 outcome_role_parse(const char *name);

/* The roles any of which may record act a. */
unsigned	 outcome_act_roles(enum outcome_act a);

/* 1 if code is one of the documented reason codes, else 0. */
int		 outcome_code_known(const char *code);

/* The documented reason codes, comma-separated, for sentences. */
const char	*outcome_codes(void);

/* A fold with no act: valid. */
void		 outcome_init(struct outcome *);

/* The state at now_ms: a proposal whose expiry has passed is under_review
 * again (with o->expired set in the copy the caller makes, if it wants). */
enum outcome_state outcome_at(const struct outcome *, int64_t now_ms);

/*
 * Whether act a may be recorded on the fold o (at a->time_ms): the state
 * allows it, the actor holds a role that may record it, the actor is not
 * the proposer when the act is approve, reject or reinstate, and the act
 * carries what it needs (a known code and a reason to propose; a reason
 * to reject, reinstate or uphold; a date and a reference for an appeal).
 * 0, or -1 with a sentence naming the state and what it allows.
 */
int		 outcome_check(const struct outcome *o,
		     const struct outcome_act_rec *a, char *err, size_t errlen);

/*
 * Fold act a into o: outcome_check, then the transition.  An illegal act
 * (one forced into the journal) leaves o as it was: -1 with the sentence.
 */
int		 outcome_fold(struct outcome *o, const struct outcome_act_rec *a,
		     char *err, size_t errlen);

/* ---- in the database (the same file, store/ speaking SQL) */

struct store_reader;

/* One outcome act as the journal holds it, for a history. */
struct outcome_entry {
	int64_t		 seq;
	const char	*hash;		/* hex */
	const char	*role;		/* the role recorded with it */
	const char	*evidence;	/* JSON text or NULL */
	const char	*detail;	/* JSON text or NULL */
	struct outcome_act_rec act;
	const char	*illegal;	/* NULL, or why the fold refused it */
};

typedef int	(*outcome_entry_fn)(const struct outcome_entry *, void *);

/*
 * The fold of the outcome acts of attempt of feed (feed NULL: the feed the
 * attempts table names, or none) from the journal in seq order; fn (may be
 * NULL) gets every act with whether the fold took it.  0 with *o filled,
 * or -1 with a sentence.
 */
int		 store_outcome_read(struct store_reader *, const char *feed,
		     const char *attempt, struct outcome *o, outcome_entry_fn fn,
		     void *arg, char *err, size_t errlen);

/* The attempts that have at least one outcome act, in (feed, attempt)
 * order: fn gets each with its fold (at now_ms).  Rows or -1. */
typedef int	(*outcome_case_fn)(const char *feed, const char *attempt,
		     const struct outcome *, void *);
int		 store_outcome_cases(struct store_reader *, int64_t now_ms,
		     outcome_case_fn, void *arg, char *err, size_t errlen);

/* The receipt of one act recorded. */
struct outcome_receipt {
	char		 feed[OUTCOME_TEXT_MAX];
	char		 attempt[OUTCOME_TEXT_MAX];
	int64_t		 seq;
	char		 hash[65];
	enum outcome_state state;	/* after the act */
};

/*
 * Record act a (its time set here) on each of the n attempts by actor in
 * role, each entry signed by key (the actor's), in ONE short write
 * transaction on the database at path (BEGIN
 * IMMEDIATE with a busy timeout: it waits out a console's commit, never
 * the console itself, and holds the file for a few milliseconds): each
 * attempt's fold is read again inside it and the act checked against it;
 * if any is refused nothing is recorded.  evidence (JSON object text, may
 * be NULL) goes with every entry; with n > 1 each entry's detail lists the
 * group.  rc[i].feed, when the caller sets it, names attempt i's feed
 * (else the attempts table's, or none); rc[0..n-1] get each entry's seq
 * and hash.  0, or -1 with a sentence (which attempt, what state, what is
 * allowed).
 */
struct sign_key;
int		 store_outcome_record(const char *path,
		     const char *const *attempts, size_t n,
		     const struct outcome_act_rec *a, const char *role,
		     const struct sign_key *key, const char *evidence,
		     struct outcome_receipt *rc, char *err, size_t errlen);

/*
 * Journal one act of kind that is not an attempt's outcome (the export of
 * the outcome list, a change to the trust file) by actor in role, signed
 * by key, with reason and detail (JSON object text, stored in canonical
 * form, so that any spelling of it hashes the same; either may be NULL),
 * and a checkpoint signed by the actor, in one short write transaction
 * as store_outcome_record's: beside a running console, never through
 * its writer lock.  0 with *seq and hash (65 bytes), or -1 with a
 * sentence.
 */
int		 store_act_record(const char *path, const char *kind,
		     const char *actor, const char *role,
		     const struct sign_key *key, const char *reason,
		     const char *detail, int64_t *seq, char *hash, char *err,
		     size_t errlen);

/* ---- what a running console reads (issue 16, item 6) */

/* One outcome act journaled after a position (strings the reader's,
 * valid during the call; feed, attempt and candidate may be NULL). */
struct outcome_since {
	struct outcome_entry entry;
	const char	*feed;
	const char	*attempt;
	const char	*candidate;	/* the attempts table's, NULL if none */
};
typedef int	(*outcome_since_fn)(const struct outcome_since *, void *);

/*
 * The outcome acts journaled after seq *after, in seq order, at most limit,
 * each to fn (non-zero stops), read in one snapshot.  The scan is bounded
 * by the journal's primary key: it reads only the rows appended since
 * *after (every kind, skipping those that are not outcome acts), so a
 * poll of a journal with nothing new reads one row.  *after moves to the
 * journal's last seq when all was read, else to the last row delivered.
 * Rows delivered, or -1 with a sentence.
 */
int		 store_outcome_since(struct store_reader *, int64_t *after,
		     size_t limit, outcome_since_fn, void *arg, char *err,
		     size_t errlen);
/* SQLite's plan for store_outcome_since's query, a line per step (for
 * tests). 0 or -1. */
int		 store_outcome_since_plan(struct store_reader *, char *out,
		     size_t outlen, char *err, size_t errlen);

#endif /* INVIGIL_STORE_OUTCOME_H */
