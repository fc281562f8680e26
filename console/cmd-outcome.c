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

#include <openssl/crypto.h>

#include "console/app.h"
#include "console/commands.h"
#include "proto/proto.h"
#include "store/bundle.h"
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
	const char	*out;		/* export */
	const char	*pseudonym_key;	/* export --pseudonym-key */
	int		 pseudonymous;	/* export --pseudonymous */
	const char	*keys[16];	/* verify-export --key */
	size_t		 nkeys;
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
 * Who acts, for an act of journal kind that the roles in may record:
 * --actor or the user name; their roles from the trust file, on a line
 * not revoked, whose key the actor holds (DIR/NAME.key, the same vkey).
 * 0 with *roles, role (the highest role the act needs that the actor
 * holds, as recorded) and *keyp (the key that signs; the caller frees
 * it), or -1 with a sentence.
 */
static int
outcome_actor(struct outcome_args *oa, const char *kind, unsigned may,
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
	need = may & te->roles;
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
	if (trust_check_act(t, sign_key_vkey(key), kind, err, errlen) == -1) {
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
	if (outcome_actor(oa, outcome_act_kind(oa->act.kind),
	    outcome_act_roles(oa->act.kind), &oa->act.roles, &role, &key, err,
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

/*
 * The pseudonym key of an export: --pseudonym-key FILE, else
 * pseudonym.key in the key directory; created on first use (said on
 * stderr: the same key must be kept for the same pseudonyms).
 */
static int
outcome_pseudonym_key(const struct outcome_args *oa,
    uint8_t key[OUTCOMES_KEY_LEN], char *err, size_t errlen)
{
	char	dir[1024], path[1100], clean[1200];
	int	created;

	if (oa->pseudonym_key != NULL)
		snprintf(path, sizeof path, "%s", oa->pseudonym_key);
	else {
		if (sign_key_dir_or(oa->keydir, dir, sizeof dir, err,
		    errlen) == -1)
			return -1;
		snprintf(path, sizeof path, "%s/pseudonym.key", dir);
	}
	if (sign_secret_load(path, key, &created, err, errlen) == -1)
		return -1;
	if (created)
		fprintf(stderr, "invigil admin export: created the pseudonym key "
		    "%s; keep it (and back it up): another key gives every "
		    "candidate another pseudonym\n", proto_clean(path, clean,
		    sizeof clean));
	return 0;
}

/* `admin export`: journal the export, then write the signed list. */
static int
outcome_export(const struct cmd_entry *self, struct outcome_args *oa)
{
	struct outcomes_options	 o;
	struct bundle_summary	 sum;
	struct store_reader	*r;
	struct sign_key		*key;
	struct stat		 dst, ost;
	const char		*role;
	uint8_t			 pkey[OUTCOMES_KEY_LEN];
	char			 err[1024], hash[65], detail[128], id[17];
	char			 c[3][1024], *text;
	unsigned		 roles;
	size_t			 len;
	int			 rc;

	if (oa->out == NULL)
		return cmd_usage_error(self, "give --out FILE (the list to "
		    "write)", NULL);
	if (stat(oa->db, &dst) == 0 && stat(oa->out, &ost) == 0 &&
	    dst.st_dev == ost.st_dev && dst.st_ino == ost.st_ino)
		return cmd_usage_error(self, "--out names the database itself "
		    "(\"%s\"); give the list a file of its own", oa->out);
	memset(&o, 0, sizeof o);
	if (oa->pseudonymous) {
		if (outcome_pseudonym_key(oa, pkey, err, sizeof err) == -1) {
			outcome_fail(self, err);
			return EXIT_RUNTIME;
		}
		o.pseudonym_key = pkey;
		outcomes_key_id(pkey, id);
		snprintf(detail, sizeof detail, "{\"pseudonyms\":\"hmac-sha256:"
		    "%s\"}", id);
	} else
		snprintf(detail, sizeof detail, "{\"pseudonyms\":null}");
	if (outcome_actor(oa, "export_outcomes", OUTCOME_ROLE_ADMIN, &roles,
	    &role, &key, err, sizeof err) == -1)
		goto fail;
	/* The act first: the list is proven in a checkpoint covering it. */
	if (store_act_record(oa->db, "export_outcomes", oa->actor, role, key,
	    NULL, detail, &o.export_seq, hash, err, sizeof err) == -1) {
		sign_key_free(key);
		goto fail;
	}
	o.key = key;
	o.now_ms = proto_now_ms();
	if (store_reader_open(&r, oa->db, err, sizeof err) == -1) {
		sign_key_free(key);
		goto fail;
	}
	text = outcomes_write(r, &o, &len, &sum, err, sizeof err);
	store_reader_close(r);
	sign_key_free(key);
	if (text == NULL)
		goto fail;
	rc = cmd_file_save(oa->out, text, len, err, sizeof err);
	free(text);
	if (rc == -1)
		goto fail;
	OPENSSL_cleanse(pkey, sizeof pkey);
	printf("export_outcomes: journal seq %" PRId64 " hash %s\n",
	    o.export_seq, hash);
	printf("wrote %s: %" PRId64 " attempts with an outcome, %" PRId64
	    " invalid (invalidated or upheld), %s; each act proven in the "
	    "checkpoint of size %" PRId64 " (signed by %s), signed by %s\n",
	    proto_clean(oa->out, c[0], sizeof c[0]), sum.outcomes, sum.invalid,
	    oa->pseudonymous ? "candidates as pseudonyms" : "candidate ids",
	    sum.checkpoint_size, proto_clean(sum.checkpoint_signers, c[1],
	    sizeof c[1]), proto_clean(oa->actor, c[2], sizeof c[2]));
	return 0;
fail:
	OPENSSL_cleanse(pkey, sizeof pkey);
	outcome_fail(self, err);
	return EXIT_RUNTIME;
}

/* `admin verify-export FILE`: the list checked offline. */
static int
outcome_verify_export(const struct cmd_entry *self, struct outcome_args *oa,
    const char *file)
{
	struct bundle_summary	 s;
	char			 err[1024], c[4][1024], *text;
	size_t			 len;
	int			 rc;

	if (proto_file_read(file, "outcome list", BUNDLE_MAX_BYTES, &text,
	    &len, NULL, err, sizeof err) != 0) {
		outcome_fail(self, err);
		return EXIT_RUNTIME;
	}
	rc = outcomes_verify(text, len, oa->keys, oa->nkeys, &s, err,
	    sizeof err);
	free(text);
	if (rc != 0) {
		printf("FAILED: %s\n", proto_clean(err, c[0], sizeof c[0]));
		return EXIT_RUNTIME;
	}
	printf("%s: outcome list of journal %s, exported by %s (act at "
	    "journal seq %" PRId64 ")\n", proto_clean(file, c[0], sizeof c[0]),
	    proto_clean(s.origin, c[1], sizeof c[1]),
	    proto_clean(s.exporter, c[2], sizeof c[2]), s.export_seq);
	printf("list signature: good, by %s\n", s.exporter_given ?
	    "the --key given" : "the key the list names (give the "
	    "exporter's key with --key to know who signed)");
	printf("checkpoint: size %" PRId64 ", signatures good (%s) checked "
	    "against %s\n", s.checkpoint_size, proto_clean(s.checkpoint_signers,
	    c[3], sizeof c[3]), s.keys_given ? "the --key given" : "the keys "
	    "in the list");
	printf("outcomes: %" PRId64 " attempts, %" PRId64 " invalid; each "
	    "deciding act proven in the checkpoint's tree%s\n", s.outcomes,
	    s.invalid, s.withheld > 0 ? " (bodies withheld: pseudonymous)" :
	    ", its body of that attempt and state");
	if (s.pseudonyms[0] != '\0')
		printf("candidates: pseudonyms, %s\n", s.pseudonyms);
	printf("OK\n");
	return 0;
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
		case 'o':
			oa.out = optarg;
			break;
		case 'P':
			oa.pseudonymous = 1;
			break;
		case 'p':
			oa.pseudonym_key = optarg;
			oa.pseudonymous = 1;
			break;
		case 'k':
			if (oa.nkeys == sizeof oa.keys / sizeof oa.keys[0])
				return cmd_usage_error(self, "at most 16 --key "
				    "options%s", "");
			oa.keys[oa.nkeys++] = optarg;
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
	if (strcmp(self->name, "admin verify-export") == 0) {
		if (optind + 1 != argc)
			return cmd_usage_error(self, optind == argc ? "give the "
			    "list FILE to verify%s" : "give one FILE, not also "
			    "\"%s\"", optind == argc ? "" : argv[optind + 1]);
		return outcome_verify_export(self, &oa, argv[optind]);
	}
	if (oa.db == NULL)
		return cmd_usage_error(self, "give --db PATH (the database a "
		    "console wrote)", NULL);
	if (oa.act.received != NULL && !outcome_date_valid(oa.act.received))
		return cmd_usage_error(self, "--received is the date the appeal "
		    "came, YYYY-MM-DD, not \"%s\"", oa.act.received);
	if (!is_act && strcmp(self->name, "admin cases") == 0)
		return outcome_cases(self, &oa);
	if (strcmp(self->name, "admin export") == 0)
		return outcome_export(self, &oa);
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
static const struct cmd_option export_options[] = {
	OUTCOME_OPT_DB,
	{ "out", 'o', 0, "FILE", "write the signed list to FILE (mode 0600)" },
	{ "pseudonymous", 'P', 0, NULL, "candidates as pseudonyms: the hex "
	    "HMAC-SHA-256 of each candidate id under the program's pseudonym "
	    "key (the acts' bodies withheld)" },
	{ "pseudonym-key", 'p', 0, "FILE", "the pseudonym key (implies "
	    "--pseudonymous; default: pseudonym.key in the key directory, "
	    "created on first use)" },
	OUTCOME_OPTS_ACTOR,
	OUTCOME_OPT_END
};
static const struct cmd_option verify_export_options[] = {
	{ "key", 'k', 0, "VKEY", "a verifier key (NAME+ID+KEY) kept apart "
	    "from the list: the exporter's, or the keys that sign the "
	    "journal's checkpoints; may be given more than once" },
	OUTCOME_OPT_END
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
const struct cmd_entry cmd_admin_export_entry = OUTCOME_ENTRY(
    "admin export", "write the signed list of current outcomes for the exam "
    "platform, proven in the journal's checkpoint (admin)",
    "admin export --db PATH --out FILE [--pseudonymous] "
    "[--pseudonym-key FILE] [options]", export_options,
    CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS);
const struct cmd_entry cmd_admin_verify_export_entry = OUTCOME_ENTRY(
    "admin verify-export", "check an outcome list offline, without the "
    "database: its signature, the checkpoint's, every proof; exit 0 if it "
    "holds, 1 naming the first problem",
    "admin verify-export FILE [--key VKEY]...", verify_export_options,
    CMD_OPENS_NOTHING);
