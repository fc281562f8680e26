/*
 * outcome.c - the outcome of an attempt: the state machine of outcome.h
 * (a table of transitions, one of roles per act, the fold and the check),
 * then its two uses of the database: the fold of an attempt's acts read
 * from the journal, and the short write transaction that records an act
 * after folding again under the write lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "proto/proto.h"
#include "store/journal.h"
#include "store/outcome.h"
#include "store/rows.h"
#include "store/store.h"

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

/* The index of name in list (n strings), or -1. */
static int
outcome_index(const char *const *list, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return (int)i;
	return -1;
}

int
outcome_state_parse(const char *name, enum outcome_state *s)
{
	int	i;

	if ((i = outcome_index(outcome_state_names, OUTCOME_NSTATES,
	    name)) < 0)
		return -1;
	*s = (enum outcome_state)i;
	return 0;
}

unsigned
outcome_role_parse(const char *name)
{
	int	i;

	i = outcome_index(outcome_role_names, sizeof outcome_role_names /
	    sizeof outcome_role_names[0], name);
	return i < 0 ? 0 : 1u << i;
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
	return outcome_index(outcome_code_list, sizeof outcome_code_list /
	    sizeof outcome_code_list[0], code) >= 0;
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

/* ---- in the database */

/* The journal kinds of the outcome acts, for SQL. */
#define OUTCOME_KINDS_SQL \
	"('open_case', 'propose_invalidation', 'approve_invalidation', " \
	"'reject_invalidation', 'appeal_open', 'reinstate', 'uphold')"

/* The attempt's feed: the one given, else the one the attempts table
 * names (one only), else none.  feed gets "" for none.  0 or -1. */
static int
outcome_feed(sqlite3 *db, const char *given, const char *attempt,
    char *feed, size_t len, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*f;
	char		 clean[OUTCOME_TEXT_MAX];
	int		 n = 0, rc;

	feed[0] = '\0';
	if (given != NULL) {
		snprintf(feed, len, "%s", given);
		return 0;
	}
	if (sqlite3_prepare_v2(db, "SELECT feed FROM attempts WHERE attempt "
	    "= ?1 ORDER BY feed LIMIT 2", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, attempt, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f = (const char *)sqlite3_column_text(st, 0);
		if (n++ == 0)
			snprintf(feed, len, "%s", f != NULL ? f : "");
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;
	if (n > 1) {
		snprintf(err, errlen, "attempt %s is in more than one feed: "
		    "name the feed with --feed", proto_clean(attempt, clean,
		    sizeof clean));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "store: cannot look up attempt %s: %s",
	    proto_clean(attempt, clean, sizeof clean), sqlite3_errmsg(db));
	return -1;
}

/* The string member key of j, or NULL (j owns it). */
static const char *
outcome_detail_string(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/*
 * The outcome entry of journal row (its strings the row's, and *detail's,
 * the row's detail parsed: the caller json_decref()s it): 0, or -1 when
 * the row is not an outcome act (nothing to free).
 */
static int
outcome_entry_from(const struct store_journal_row *row,
    struct outcome_entry *e, json_t **detail)
{
	memset(e, 0, sizeof *e);
	if (outcome_act_parse(row->entry.kind, &e->act.kind) == -1)
		return -1;
	*detail = row->entry.detail != NULL ?
	    json_loads(row->entry.detail, 0, NULL) : NULL;
	e->seq = row->seq;
	e->hash = row->hash;
	e->role = row->entry.role;
	e->evidence = row->entry.evidence;
	e->detail = row->entry.detail;
	e->act.actor = row->entry.actor;
	e->act.roles = outcome_role_parse(row->entry.role);
	e->act.time_ms = row->time_ms;
	e->act.code = row->entry.reason_code;
	e->act.reason = row->entry.reason;
	e->act.expires_ms = json_integer_value(json_object_get(*detail,
	    "expires"));
	e->act.received = outcome_detail_string(*detail, "received");
	e->act.ref = outcome_detail_string(*detail, "ref");
	return 0;
}

/* The fold of the outcome acts of (feed, attempt) on db: see
 * store_outcome_read. */
static int
outcome_read_db(sqlite3 *db, const char *feed, const char *attempt,
    struct outcome *o, outcome_entry_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct store_journal_row	 row;
	struct outcome_entry		 e;
	sqlite3_stmt			*st;
	json_t				*detail;
	char				 why[512];
	int				 rc, stop = 0;

	outcome_init(o);
	if (sqlite3_prepare_v2(db, "SELECT " STORE_JOURNAL_COLUMNS " FROM "
	    "journal WHERE feed IS ?1 AND attempt = ?2 AND kind IN "
	    OUTCOME_KINDS_SQL " ORDER BY seq", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (feed != NULL && *feed != '\0')
		sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, attempt, -1, SQLITE_STATIC);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_row_journal(st, 0, &row);
		if (outcome_entry_from(&row, &e, &detail) == -1)
			continue;
		if (outcome_fold(o, &e.act, why, sizeof why) == -1)
			e.illegal = why;
		else
			o->seq = e.seq;
		if (fn != NULL)
			stop = fn(&e, arg);
		json_decref(detail);
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int
store_outcome_read(struct store_reader *r, const char *feed,
    const char *attempt, struct outcome *o, outcome_entry_fn fn, void *arg,
    char *err, size_t errlen)
{
	char	f[OUTCOME_TEXT_MAX];

	if (outcome_feed(store_reader_db(r), feed, attempt, f, sizeof f, err,
	    errlen) == -1)
		return -1;
	return outcome_read_db(store_reader_db(r), f, attempt, o, fn, arg, err,
	    errlen);
}

int
store_outcome_cases(struct store_reader *r, int64_t now_ms,
    outcome_case_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3		*db = store_reader_db(r);
	sqlite3_stmt	*st;
	struct outcome	 o;
	const char	*feed, *attempt;
	int		 n = 0, rc, stop = 0;

	if (sqlite3_prepare_v2(db, "SELECT DISTINCT feed, attempt FROM "
	    "journal WHERE attempt IS NOT NULL AND kind IN " OUTCOME_KINDS_SQL
	    " ORDER BY feed, attempt", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(r, "the journal", err, errlen);
		return -1;
	}
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		feed = (const char *)sqlite3_column_text(st, 0);
		attempt = (const char *)sqlite3_column_text(st, 1);
		if (outcome_read_db(db, feed, attempt, &o, NULL, NULL, err,
		    errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		o.state = outcome_at(&o, now_ms);
		n++;
		stop = fn(feed, attempt, &o, arg);
	}
	if (!stop && rc != SQLITE_DONE) {
		store_reader_error(r, "the journal", err, errlen);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return n;
}

static int64_t
outcome_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The detail of act a on one of n attempts, canonical, malloc'd (NULL:
 * none). */
static char *
outcome_detail(const struct outcome_act_rec *a, const char *const *attempts,
    size_t n)
{
	json_t	*j, *group;
	char	*text;
	size_t	 i;

	j = json_object();
	if (a->kind == OUTCOME_PROPOSE && a->expires_ms != 0)
		json_object_set_new(j, "expires", json_integer(a->expires_ms));
	if (a->kind == OUTCOME_APPEAL) {
		json_object_set_new(j, "received", json_string(a->received));
		json_object_set_new(j, "ref", json_string(a->ref));
	}
	if (n > 1) {
		group = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(group, json_string(attempts[i]));
		json_object_set_new(j, "group", group);
	}
	text = json_object_size(j) > 0 ? json_dumps(j, JSON_COMPACT |
	    JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
	json_decref(j);
	return text;
}

/*
 * The evidence of a case opened without --evidence: the attempt's flags,
 * {"flags":[ids]} (at most OUTCOME_EVIDENCE_FLAGS, oldest first), or NULL
 * when it has none.  malloc'd.
 */
#define OUTCOME_EVIDENCE_FLAGS	1000
static char *
outcome_flag_evidence(sqlite3 *db, const char *feed, const char *attempt)
{
	sqlite3_stmt	*st;
	json_t		*ids, *j;
	char		*text = NULL;

	if (sqlite3_prepare_v2(db, "SELECT id FROM flags WHERE feed IS ?1 AND "
	    "attempt = ?2 ORDER BY id LIMIT ?3", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (feed != NULL && *feed != '\0')
		sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, attempt, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, OUTCOME_EVIDENCE_FLAGS);
	ids = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(ids, json_integer(sqlite3_column_int64(st,
		    0)));
	sqlite3_finalize(st);
	if (json_array_size(ids) > 0) {
		j = json_object();
		json_object_set(j, "flags", ids);
		text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
	}
	json_decref(ids);
	return text;
}

/* One act on one attempt inside the open transaction: fold again, check,
 * append (a case opened without evidence gets the attempt's flags).  0 or
 * -1. */
static int
outcome_record_one(sqlite3 *db, const char *attempt,
    const struct outcome_act_rec *a, const char *role,
    const struct sign_key *key, const char *evidence, const char *detail,
    struct outcome_receipt *rc, char *err, size_t errlen)
{
	struct journal_row	 r;
	struct outcome		 o;
	char			 why[512], clean[OUTCOME_TEXT_MAX];
	char			*flags = NULL;

	if (outcome_feed(db, rc->feed[0] != '\0' ? rc->feed : NULL, attempt,
	    rc->feed, sizeof rc->feed, err, errlen) == -1)
		return -1;
	snprintf(rc->attempt, sizeof rc->attempt, "%s", attempt);
	if (outcome_read_db(db, rc->feed, attempt, &o, NULL, NULL, err,
	    errlen) == -1)
		return -1;
	if (outcome_fold(&o, a, why, sizeof why) == -1) {
		snprintf(err, errlen, "attempt %s: %s", proto_clean(attempt,
		    clean, sizeof clean), why);
		return -1;
	}
	if (a->kind == OUTCOME_OPEN_CASE && evidence == NULL)
		evidence = flags = outcome_flag_evidence(db, rc->feed, attempt);
	memset(&r, 0, sizeof r);
	r.time_ms = a->time_ms;
	r.actor = a->actor;
	r.role = role;
	r.kind = outcome_act_kind(a->kind);
	r.feed = rc->feed[0] != '\0' ? rc->feed : NULL;
	r.attempt = attempt;
	r.reason_code = a->kind == OUTCOME_PROPOSE ? a->code : NULL;
	r.reason = a->reason;
	r.evidence = evidence;
	r.detail = detail;
	r.signer = key;
	if (journal_insert(db, &r, rc->hash, err, errlen) == -1) {
		free(flags);
		return -1;
	}
	free(flags);
	rc->seq = r.seq;
	rc->state = o.state;
	return 0;
}

/*
 * What one write transaction appends (outcome_write): fn(db, time_ms,
 * arg) inserts its journal rows, 0 or -1 with a sentence.
 */
typedef int	(*outcome_append_fn)(sqlite3 *, int64_t, void *, char *,
		    size_t);

/*
 * One short, durable write transaction on the database at path: fn's
 * rows, then key registered for actor in role and a checkpoint signed by
 * it (an admin's database may have no console to sign one, and a bundle
 * or an exported list needs the act inside a signed tree).  The time is
 * taken under the lock, so that acts are in time order.  0, or -1 with a
 * sentence; nothing is written unless everything is.
 */
static int
outcome_write(const char *path, const char *actor, const char *role,
    const struct sign_key *key, outcome_append_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct store_reader	*rd;
	sqlite3			*db = NULL;
	int64_t			 now, signed_size;
	int			 ret = -1;

	/* The reader's checks: an invigil database, of this schema. */
	if (store_reader_open(&rd, path, err, errlen) == -1)
		return -1;
	store_reader_close(rd);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s for writing: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/*
	 * Short and durable: a console commits a batch in milliseconds, so
	 * BEGIN IMMEDIATE waits at most that long for it (the busy timeout
	 * is there for a slow disk), and this transaction holds the file
	 * only while it folds and appends a few rows.
	 */
	sqlite3_busy_timeout(db, 5000);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "cannot begin a write on %s: %s (another "
		    "writer held it for 5 s; try again)", path,
		    sqlite3_errmsg(db));
		goto out;
	}
	now = outcome_now_ms();
	if (fn(db, now, arg, err, errlen) == -1 ||
	    journal_key_register(db, key, actor, role, now, err,
	    errlen) == -1 || journal_checkpoint(db, key, now, &signed_size,
	    err, errlen) == -1) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot commit to %s: %s", path,
		    sqlite3_errmsg(db));
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	ret = 0;
out:
	sqlite3_close_v2(db);
	return ret;
}

/* What store_outcome_record appends. */
struct outcome_acts {
	const char *const	*attempts;
	size_t			 n;
	const struct outcome_act_rec *act;
	const char		*role;
	const struct sign_key	*key;
	const char		*evidence;	/* canonical, or NULL */
	struct outcome_receipt	*rc;
};

/* The act on each attempt (outcome_append_fn); any refused: -1. */
static int
outcome_append_acts(sqlite3 *db, int64_t now, void *arg, char *err,
    size_t errlen)
{
	struct outcome_acts	*x = arg;
	struct outcome_act_rec	 a = *x->act;
	char			*detail;
	size_t			 i;
	int			 ret = 0;

	a.time_ms = now;
	if (a.kind == OUTCOME_PROPOSE && x->act->expires_ms > 0)
		a.expires_ms = a.time_ms + x->act->expires_ms;
	else
		a.expires_ms = 0;
	detail = outcome_detail(&a, x->attempts, x->n);
	for (i = 0; ret == 0 && i < x->n; i++)
		ret = outcome_record_one(db, x->attempts[i], &a, x->role,
		    x->key, x->evidence, detail, &x->rc[i], err, errlen);
	free(detail);
	return ret;
}

int
store_outcome_record(const char *path, const char *const *attempts,
    size_t n, const struct outcome_act_rec *act, const char *role,
    const struct sign_key *key, const char *evidence,
    struct outcome_receipt *rc, char *err, size_t errlen)
{
	struct outcome_acts	 x;
	char			*ev = NULL;
	int			 ret;

	if (evidence != NULL && journal_canon_object(evidence, "--evidence",
	    &ev, err, errlen) == -1)
		return -1;
	x.attempts = attempts;
	x.n = n;
	x.act = act;
	x.role = role;
	x.key = key;
	x.evidence = ev;
	x.rc = rc;
	ret = outcome_write(path, act->actor, role, key, outcome_append_acts,
	    &x, err, errlen);
	free(ev);
	return ret;
}

/* What store_act_record appends. */
struct outcome_other {
	const char		*kind, *actor, *role, *reason, *detail;
	const struct sign_key	*key;
	int64_t			 seq;
	char			*hash;
};

/* The one entry (outcome_append_fn). */
static int
outcome_append_other(sqlite3 *db, int64_t now, void *arg, char *err,
    size_t errlen)
{
	struct outcome_other	*x = arg;
	struct journal_row	 r;

	memset(&r, 0, sizeof r);
	r.time_ms = now;
	r.actor = x->actor;
	r.role = x->role;
	r.kind = x->kind;
	r.reason = x->reason;
	r.detail = x->detail;
	r.signer = x->key;
	if (journal_insert(db, &r, x->hash, err, errlen) == -1)
		return -1;
	x->seq = r.seq;
	return 0;
}

int
store_act_record(const char *path, const char *kind, const char *actor,
    const char *role, const struct sign_key *key, const char *reason,
    const char *detail, int64_t *seq, char *hash, char *err, size_t errlen)
{
	struct outcome_other	x;
	char		       *canon = NULL;
	int			ret;

	/* The body is hashed as stored: canonical, whatever the caller
	 * built (as store_outcome_record does with its evidence). */
	if (detail != NULL && journal_canon_object(detail, "detail", &canon,
	    err, errlen) == -1)
		return -1;
	x.kind = kind;
	x.actor = actor;
	x.role = role;
	x.reason = reason;
	x.detail = canon;
	x.key = key;
	x.seq = 0;
	x.hash = hash;
	ret = outcome_write(path, actor, role, key, outcome_append_other, &x,
	    err, errlen);
	free(canon);
	if (ret == -1)
		return -1;
	*seq = x.seq;
	return 0;
}

/* ---- what a running console reads: the acts since a position */

/* The acts after ?1 up to ?2, each with the candidate the attempts table
 * names: the journal's primary key (seq) bounds the scan to the rows
 * appended since, whatever their kind; the candidate is one probe of
 * the attempts table's primary key. */
#define OUTCOME_SINCE_SQL \
	"SELECT " STORE_JOURNAL_COLUMNS ", (SELECT a.candidate FROM " \
	"attempts AS a WHERE a.feed = journal.feed AND a.attempt = " \
	"journal.attempt) FROM journal WHERE seq > ?1 AND seq <= ?2 AND " \
	"kind IN " OUTCOME_KINDS_SQL " ORDER BY seq LIMIT ?3"

/* The journal's last seq on db, one read of the primary key's end. */
#define OUTCOME_TOP_SQL	"SELECT coalesce(max(seq), 0) FROM journal"

/* Step the statements of store_outcome_since in one read transaction. */
static int
outcome_since_read(sqlite3 *db, int64_t *after, size_t limit,
    outcome_since_fn fn, void *arg)
{
	struct store_journal_row	 row;
	struct outcome_since		 s;
	sqlite3_stmt			*st = NULL;
	json_t				*detail;
	int64_t				 top = 0, last = *after;
	int				 n = 0, rc = SQLITE_DONE, stop = 0;

	if (sqlite3_prepare_v2(db, OUTCOME_TOP_SQL, -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	top = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (top <= *after) {
		*after = top;	/* nothing new (shorter: another file) */
		return 0;
	}
	if (sqlite3_prepare_v2(db, OUTCOME_SINCE_SQL, -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, *after);
	sqlite3_bind_int64(st, 2, top);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_row_journal(st, 0, &row);
		last = row.seq;
		if (outcome_entry_from(&row, &s.entry, &detail) == -1)
			continue;
		s.feed = row.entry.feed;
		s.attempt = row.entry.attempt;
		s.candidate = (const char *)sqlite3_column_text(st,
		    STORE_JOURNAL_NCOLUMNS);
		n++;
		stop = fn(&s, arg);
		json_decref(detail);
	}
	sqlite3_finalize(st);
	if (!stop && rc != SQLITE_DONE)
		return -1;
	/* All read: the next poll starts after the journal's end; cut short
	 * (limit or fn): after the last row delivered. */
	*after = !stop && (size_t)n < limit ? top : last;
	return n;
}

int
store_outcome_since(struct store_reader *r, int64_t *after, size_t limit,
    outcome_since_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3	*db = store_reader_db(r);
	int	 n;

	/* One snapshot for the journal's end and the rows up to it. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_error(r, "the journal", err, errlen);
		return -1;
	}
	n = outcome_since_read(db, after, limit, fn, arg);
	if (n == -1)
		store_reader_error(r, "the journal", err, errlen);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return n;
}

int
store_outcome_since_plan(struct store_reader *r, char *out, size_t outlen,
    char *err, size_t errlen)
{
	sqlite3		*db = store_reader_db(r);
	sqlite3_stmt	*st;
	size_t		 n = 0;
	int		 rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "EXPLAIN QUERY PLAN " OUTCOME_SINCE_SQL,
	    -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(r, "the journal", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < outlen)
		n += snprintf(out + n, outlen - n, "%s\n",
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}
