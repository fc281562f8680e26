/*
 * cmd-outcome.c - the outcome of an attempt, from the `invigil admin`
 * group: `admin cases` and `admin show` read (store_outcome_cases,
 * store_outcome_read on a reader, beside a running console); `admin open`,
 * `propose`, `approve`, `reject`, `appeal`, `reinstate` and `uphold`
 * record one act each (store_outcome_record: one short write transaction
 * that folds the attempt's acts again before appending, so that of two
 * admins racing to approve one proposal one is recorded and the other
 * refused).  The state machine is store/outcome.h's; the actor's roles
 * come from the trust file (store/trust.h) when the act is recorded, and
 * the actor must hold the key the trust file names.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console/app.h"
#include "console/commands.h"
#include "proto/proto.h"
#include "store/outcome.h"
#include "store/sign.h"
#include "store/store.h"
#include "store/trust.h"

_Static_assert(OUTCOME_ROLE_PROCTOR == TRUST_PROCTOR &&
    OUTCOME_ROLE_SUPERVISOR == TRUST_SUPERVISOR &&
    OUTCOME_ROLE_ANALYST == TRUST_ANALYST && OUTCOME_ROLE_ADMIN ==
    TRUST_ADMIN, "one set of role bits");

/* Most attempts one group act names. */
#define OUTCOME_GROUP_MAX	1000

/* What the options of an outcome command gave. */
struct outcome_args {
	const char	*db;
	const char	*feed;
	const char	*actor;
	const char	*keydir;
	const char	*trust;
	const char	*state;
	const char	*evidence;
	struct outcome_act_rec act;
	int64_t		 expire_days;
};

/* The name of the command, for messages: "invigil admin approve". */
static void
outcome_fail(const struct cmd_entry *self, const char *err)
{
	char	clean[2048];

	fprintf(stderr, "invigil %s: %s\n", self->name, proto_clean(err, clean,
	    sizeof clean));
}

/* The act a command records: its name's last word is the act's verb. */
static int
outcome_cmd_act(const struct cmd_entry *self, enum outcome_act *a)
{
	const char	*verb = strrchr(self->name, ' ');
	int		 i;

	verb = verb != NULL ? verb + 1 : self->name;
	for (i = 0; i < OUTCOME_NACTS; i++) {
		if (strcmp(verb, outcome_act_verb(i)) == 0) {
			*a = (enum outcome_act)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Who acts: --actor or the user name; their roles from the trust file,
 * on a line not revoked, whose key the actor holds (DIR/NAME.key, the
 * same vkey).  0 with *roles, role (the highest role the act needs that
 * the actor holds, as recorded) and *keyp (the key that signs; the
 * caller frees it), or -1 with a sentence.
 */
static int
outcome_actor(struct outcome_args *oa, enum outcome_act act,
    unsigned *roles, const char **role, struct sign_key **keyp, char *err,
    size_t errlen)
{
	const struct trust_entry *te;
	struct trust		*t;
	struct sign_key		*key;
	struct passwd		*pw;
	struct stat		 sb;
	char			 trustpath[1024], dir[1024], path[1100];
	unsigned		 need;

	if (oa->actor == NULL) {
		if ((pw = getpwuid(getuid())) == NULL) {
			snprintf(err, errlen, "who is acting? give --actor NAME");
			return -1;
		}
		oa->actor = pw->pw_name;
	}
	if (oa->trust == NULL) {
		if (trust_default_path(trustpath, sizeof trustpath, err,
		    errlen) == -1)
			return -1;
		oa->trust = trustpath;
	}
	if ((t = trust_load(oa->trust, 0, err, errlen)) == NULL)
		return -1;
	if ((te = trust_actor(t, oa->actor)) == NULL) {
		snprintf(err, errlen, "%s is not in the trust file %s (or only "
		    "revoked there): an admin adds them with invigil admin "
		    "trust add", oa->actor, oa->trust);
		trust_free(t);
		return -1;
	}
	*roles = te->roles;
	need = outcome_act_roles(act) & te->roles;
	*role = need & OUTCOME_ROLE_ADMIN ? "admin" : need &
	    OUTCOME_ROLE_ANALYST ? "analyst" : te->roles & TRUST_SUPERVISOR ?
	    "supervisor" : "proctor";

	/* The actor holds the key the trust file names (never created
	 * here: a new key would not be on the line). */
	if (sign_key_dir_or(oa->keydir, dir, sizeof dir, err, errlen) == -1)
		goto fail;
	if ((size_t)snprintf(path, sizeof path, "%s/%s.key", dir,
	    oa->actor) >= sizeof path || stat(path, &sb) == -1) {
		snprintf(err, errlen, "%.128s has no key in %.512s (give --key-dir, "
		    "or create one with invigil admin keys init %s)",
		    oa->actor, dir, oa->actor);
		goto fail;
	}
	if ((key = sign_key_load(dir, oa->actor, NULL, err, errlen)) == NULL)
		goto fail;
	if (strcmp(sign_key_vkey(key), te->vkey) != 0) {
		snprintf(err, errlen, "the key %.512s is not the one the trust "
		    "file %.256s names for %.128s", path, oa->trust, oa->actor);
		sign_key_free(key);
		goto fail;
	}
	/* What every act checks (trust.h's one table, by the key); the
	 * state machine checks the roles again, with the state. */
	if (trust_check_act(t, sign_key_vkey(key), outcome_act_kind(act), err,
	    errlen) == -1) {
		sign_key_free(key);
		goto fail;
	}
	*keyp = key;
	trust_free(t);
	return 0;
fail:
	trust_free(t);
	return -1;
}

/* Record the act of self on argv[first..argc-1]. */
static int
outcome_act(const struct cmd_entry *self, struct outcome_args *oa,
    int argc, char **argv, int first)
{
	struct outcome_receipt	*rc;
	struct sign_key		*key;
	const char		*role;
	char			 err[1024], c1[256], c2[256];
	size_t			 n, i;
	int			 j, k;

	n = (size_t)(argc - first);
	if (n > OUTCOME_GROUP_MAX)
		return cmd_usage_error(self, "at most 1000 attempts in one act",
		    NULL);
	for (j = first + 1; j < argc; j++)
		for (k = first; k < j; k++)
			if (strcmp(argv[k], argv[j]) == 0)
				return cmd_usage_error(self, "attempt \"%s\" "
				    "is named twice", argv[j]);
	if (outcome_actor(oa, oa->act.kind, &oa->act.roles, &role, &key, err,
	    sizeof err) == -1) {
		outcome_fail(self, err);
		return EXIT_RUNTIME;
	}
	oa->act.actor = oa->actor;
	oa->act.expires_ms = oa->expire_days * 24 * 3600 * 1000;
	rc = calloc(n, sizeof *rc);
	if (rc == NULL) {
		outcome_fail(self, "out of memory");
		sign_key_free(key);
		return EXIT_RUNTIME;
	}
	for (i = 0; oa->feed != NULL && i < n; i++)
		snprintf(rc[i].feed, sizeof rc[i].feed, "%s", oa->feed);
	if (store_outcome_record(oa->db, (const char *const *)argv + first, n,
	    &oa->act, role, key, oa->evidence, rc, err, sizeof err) == -1) {
		outcome_fail(self, err);
		sign_key_free(key);
		free(rc);
		return EXIT_RUNTIME;
	}
	sign_key_free(key);
	for (i = 0; i < n; i++)
		printf("%s %s: %s, journal seq %" PRId64 " hash %s\n",
		    outcome_act_kind(oa->act.kind),
		    proto_clean(rc[i].attempt, c1, sizeof c1),
		    outcome_state_name(rc[i].state), rc[i].seq,
		    proto_clean(rc[i].hash, c2, sizeof c2));
	free(rc);
	return 0;
}

/* `admin cases`: one line per attempt with an outcome act. */
struct cases_ctx {
	int			 filter;
	enum outcome_state	 state;
};

static int
cases_row(const char *feed, const char *attempt, const struct outcome *o,
    void *arg)
{
	struct cases_ctx	*cc = arg;
	char			 f[128], a[128], p[128];

	if (cc->filter && o->state != cc->state)
		return 0;
	printf("%-22s %-16s %-20s %-12s %s\n", outcome_state_name(o->state),
	    proto_clean(feed != NULL ? feed : "-", f, sizeof f),
	    proto_clean(attempt, a, sizeof a),
	    o->code[0] != '\0' ? o->code : "-",
	    proto_clean(o->proposer[0] != '\0' ? o->proposer : "-", p,
	    sizeof p));
	return 0;
}

static int
outcome_cases(const struct cmd_entry *self, struct outcome_args *oa)
{
	struct store_reader	*r;
	struct cases_ctx	 cc;
	char			 err[1024];

	memset(&cc, 0, sizeof cc);
	if (oa->state != NULL) {
		if (outcome_state_parse(oa->state, &cc.state) == -1)
			return cmd_usage_error(self, "--state is valid, "
			    "under_review, invalidation_proposed, invalidated, "
			    "appeal_open, reinstated or upheld, not \"%s\"",
			    oa->state);
		cc.filter = 1;
	}
	if (store_reader_open(&r, oa->db, err, sizeof err) == -1)
		goto fail;
	printf("%-22s %-16s %-20s %-12s %s\n", "state", "feed", "attempt",
	    "code", "proposer");
	if (store_outcome_cases(r, (int64_t)time(NULL) * 1000, cases_row, &cc,
	    err, sizeof err) == -1) {
		store_reader_close(r);
		goto fail;
	}
	store_reader_close(r);
	return 0;
fail:
	outcome_fail(self, err);
	return EXIT_RUNTIME;
}

/* `admin show`: one line per act, then the state. */
static int
show_row(const struct outcome_entry *e, void *arg)
{
	const struct outcome_act_rec	*a = &e->act;
	char				 t[32], c[5][512];
	time_t				 secs = (time_t)(a->time_ms / 1000);
	struct tm			 tm;

	(void)arg;
	gmtime_r(&secs, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%6" PRId64 " %s %-20s %-10s %-8s %s%s%s\n", e->seq, t,
	    outcome_act_kind(a->kind),
	    proto_clean(a->actor != NULL ? a->actor : "-", c[0], sizeof c[0]),
	    proto_clean(e->role != NULL ? e->role : "-", c[1], sizeof c[1]),
	    a->code != NULL ? proto_clean(a->code, c[2], sizeof c[2]) : "",
	    a->code != NULL ? " " : "",
	    proto_clean(a->reason != NULL ? a->reason : "", c[3],
	    sizeof c[3]));
	if (e->evidence != NULL)
		printf("       evidence %s\n", proto_clean(e->evidence, c[4],
		    sizeof c[4]));
	if (e->detail != NULL)
		printf("       detail %s\n", proto_clean(e->detail, c[4],
		    sizeof c[4]));
	printf("       hash %s\n", proto_clean(e->hash != NULL ? e->hash : "",
	    c[4], sizeof c[4]));
	if (e->illegal != NULL)
		printf("       NOT TAKEN: %s\n", proto_clean(e->illegal, c[4],
		    sizeof c[4]));
	return 0;
}

static int
outcome_show(const struct cmd_entry *self, struct outcome_args *oa,
    const char *attempt)
{
	struct store_reader	*r;
	struct outcome		 o;
	enum outcome_state	 now;
	char			 err[1024], c[3][256];

	if (store_reader_open(&r, oa->db, err, sizeof err) == -1)
		goto fail;
	printf("attempt %s\n", proto_clean(attempt, c[0], sizeof c[0]));
	if (store_outcome_read(r, oa->feed, attempt, &o, show_row, NULL, err,
	    sizeof err) == -1) {
		store_reader_close(r);
		goto fail;
	}
	store_reader_close(r);
	now = outcome_at(&o, (int64_t)time(NULL) * 1000);
	printf("state %s%s\n", outcome_state_name(now), now != o.state ?
	    " (the proposal has expired)" : "");
	if (o.opened_by[0] != '\0')
		printf("case opened by %s\n", proto_clean(o.opened_by, c[0],
		    sizeof c[0]));
	if (o.proposer[0] != '\0')
		printf("proposed by %s (%s)%s%s\n", proto_clean(o.proposer,
		    c[1], sizeof c[1]), o.code, o.approver[0] != '\0' ?
		    ", approved by " : "", proto_clean(o.approver, c[2],
		    sizeof c[2]));
	return 0;
fail:
	outcome_fail(self, err);
	return EXIT_RUNTIME;
}

/* A --received date: YYYY-MM-DD, a real day. */
static int
outcome_date_valid(const char *s)
{
	struct tm	tm;
	char		*end;

	memset(&tm, 0, sizeof tm);
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	return 1;
}

static int
outcome_exec(const struct cmd_entry *self, int argc, char **argv)
{
	struct cmd_getopt	 g;
	struct outcome_args	 oa;
	enum outcome_act	 act = OUTCOME_OPEN_CASE;
	char			*end;
	int			 ch, is_act;

	memset(&oa, 0, sizeof oa);
	oa.expire_days = OUTCOME_EXPIRY_DEFAULT_MS / (24 * 3600 * 1000);
	is_act = outcome_cmd_act(self, &act) == 0;
	oa.act.kind = act;
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			oa.db = optarg;
			break;
		case 'F':
			oa.feed = optarg;
			break;
		case 'a':
			oa.actor = optarg;
			break;
		case 'K':
			oa.keydir = optarg;
			break;
		case 'T':
			oa.trust = optarg;
			break;
		case 's':
			oa.state = optarg;
			break;
		case 'e':
			oa.evidence = optarg;
			break;
		case 'c':
			oa.act.code = optarg;
			break;
		case 'r':
			oa.act.reason = optarg;
			break;
		case 'R':
			oa.act.received = optarg;
			break;
		case 'f':
			oa.act.ref = optarg;
			break;
		case 'x':
			errno = 0;
			oa.expire_days = strtoll(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    oa.expire_days < 0 || oa.expire_days > 3650)
				return cmd_usage_error(self, "--expire-days is "
				    "a number of days, 0 (never) to 3650, not "
				    "\"%s\"", optarg);
			break;
		}
	}
	if (g.status != -1)
		return g.status;
	if (oa.db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote)", NULL);
	if (oa.act.received != NULL && !outcome_date_valid(oa.act.received))
		return cmd_usage_error(self, "--received is the date the appeal "
		    "came, YYYY-MM-DD, not \"%s\"", oa.act.received);
	if (!is_act && strcmp(self->name, "admin cases") == 0)
		return outcome_cases(self, &oa);
	if (optind == argc)
		return cmd_usage_error(self, "name the attempt", NULL);
	if (!is_act) {
		if (optind + 1 != argc)
			return cmd_usage_error(self, "one attempt at a time, "
			    "not also \"%s\"", argv[optind + 1]);
		return outcome_show(self, &oa, argv[optind]);
	}
	if (act != OUTCOME_PROPOSE && act != OUTCOME_APPROVE &&
	    optind + 1 != argc)
		return cmd_usage_error(self, "one attempt at a time (only "
		    "propose and approve take a group), not also \"%s\"",
		    argv[optind + 1]);
	return outcome_act(self, &oa, argc, argv, optind);
}

#define OUTCOME_OPT_DB \
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database a console wrote" }
#define OUTCOME_OPT_FEED \
	{ "feed", 'F', 0, "ID", "the feed of the attempts, when an id is on " \
	    "more than one feed" }
#define OUTCOME_OPTS_ACTOR \
	{ "actor", 'a', 0, "NAME", "who acts (the user name by default): " \
	    "their roles come from the trust file, and they must hold the " \
	    "key it names" }, \
	{ "key-dir", 'K', 0, "DIR", "where the actor's key is (the " \
	    "default key directory otherwise)" }, \
	{ "trust", 'T', 0, "FILE", "the trust file (invigil-trust(5); the " \
	    "default one otherwise)" }
#define OUTCOME_OPT_REASON \
	{ "reason", 'r', 0, "TEXT", "why, in words the candidate may read" }
#define OUTCOME_OPT_END	{ NULL, 0, 0, NULL, NULL }

static const struct cmd_option cases_options[] = {
	OUTCOME_OPT_DB,
	{ "state", 's', 0, "STATE", "only attempts in STATE" },
	OUTCOME_OPT_END
};
static const struct cmd_option show_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPT_END
};
static const struct cmd_option open_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPTS_ACTOR,
	OUTCOME_OPT_REASON,
	{ "evidence", 'e', 0, "JSON", "the evidence, a JSON object: "
	    "{\"flags\":[ids],\"forensics\":{...},\"bundle\":\"FILE\"}" },
	OUTCOME_OPT_END
};
static const struct cmd_option propose_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPTS_ACTOR,
	{ "code", 'c', 0, "CODE", "proxy_testing, preknowledge, collusion, "
	    "prohibited_aid, identity_fraud, misconduct or "
	    "administrative_error" },
	OUTCOME_OPT_REASON,
	{ "expire-days", 'x', 0, "N", "the proposal lapses after N days "
	    "unless approved (14; 0: never)" },
	OUTCOME_OPT_END
};
static const struct cmd_option approve_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPTS_ACTOR, OUTCOME_OPT_END
};
static const struct cmd_option reason_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPTS_ACTOR,
	OUTCOME_OPT_REASON, OUTCOME_OPT_END
};
static const struct cmd_option appeal_options[] = {
	OUTCOME_OPT_DB, OUTCOME_OPT_FEED, OUTCOME_OPTS_ACTOR,
	{ "received", 'R', 0, "DATE", "the day the appeal came, YYYY-MM-DD" },
	{ "ref", 'f', 0, "REF", "the appeal's reference" },
	OUTCOME_OPT_END
};

#define OUTCOME_ENTRY(nm, sum, use, opts, op) {				\
	.name = nm, .summary = sum, .usage = use, .options = opts,	\
	.opens = op, .exec = outcome_exec, .see = "invigil-admin(1)",	\
	.page = "invigil-admin.1" }

const struct cmd_entry cmd_admin_cases_entry = OUTCOME_ENTRY("admin cases",
    "the attempts with an outcome act, and the state of each",
    "admin cases --db PATH [--state STATE]", cases_options,
    CMD_OPENS_STORE_READ);
const struct cmd_entry cmd_admin_show_entry = OUTCOME_ENTRY("admin show",
    "one attempt's outcome: state, every act with its actor, evidence and "
    "hash", "admin show --db PATH [--feed ID] ATTEMPT", show_options,
    CMD_OPENS_STORE_READ);
const struct cmd_entry cmd_admin_open_entry = OUTCOME_ENTRY("admin open",
    "open a case on an attempt, with its evidence (analyst or admin)",
    "admin open --db PATH [options] --reason TEXT [--evidence JSON] "
    "ATTEMPT", open_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_propose_entry = OUTCOME_ENTRY(
    "admin propose", "propose to invalidate one attempt or a group (admin)",
    "admin propose --db PATH [options] --code CODE --reason TEXT "
    "ATTEMPT...", propose_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_approve_entry = OUTCOME_ENTRY(
    "admin approve", "approve a proposed invalidation (an admin other than "
    "the proposer)", "admin approve --db PATH [options] ATTEMPT...",
    approve_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_reject_entry = OUTCOME_ENTRY(
    "admin reject", "reject a proposed invalidation (an admin other than "
    "the proposer)", "admin reject --db PATH [options] --reason TEXT "
    "ATTEMPT", reason_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_appeal_entry = OUTCOME_ENTRY(
    "admin appeal", "record an appeal against an invalidation (admin)",
    "admin appeal --db PATH [options] --received DATE --ref REF ATTEMPT",
    appeal_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_reinstate_entry = OUTCOME_ENTRY(
    "admin reinstate", "grant an appeal: the attempt is valid again (an "
    "admin other than the proposer)", "admin reinstate --db PATH [options] "
    "--reason TEXT ATTEMPT", reason_options,
    CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_uphold_entry = OUTCOME_ENTRY(
    "admin uphold", "refuse an appeal: the invalidation stands, finally "
    "(admin)", "admin uphold --db PATH [options] --reason TEXT ATTEMPT",
    reason_options, CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
