/*
 * cmd-admin.c - `invigil admin`: the admins' commands.  Here the group,
 * `admin keys init` (an actor's signing key and the trust line to add) and
 * `admin trust add|list|revoke` (the trust file, invigil-trust(5)).  Every
 * change to the trust file is first recorded as a journal act (trust_add,
 * trust_revoke) in the database --db names, signed by the admin who makes
 * it, and only then written to the file: the journal says who changed the
 * trust file and when, even if the file is later edited by hand.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "console/app.h"
#include "console/commands.h"
#include "console/console.h"
#include "store/outcome.h"
#include "store/trust.h"

/* The options every admin command shares. */
struct admin_args {
	const char	*db;
	const char	*trust;		/* --trust, or NULL: the default */
	const char	*keydir;	/* --key-dir, or NULL: the default */
	const char	*actor;		/* --actor, or NULL: the user name */
	const char	*roles;		/* --roles (keys init) */
	const char	*reason;	/* --reason (trust revoke) */
	char		 trustbuf[1100];
};

/* The user name, when --actor is not given. */
static const char *
admin_actor(const char *given)
{
	struct passwd	*pw;

	if (given != NULL)
		return given;
	if (getenv("USER") != NULL && *getenv("USER") != '\0')
		return getenv("USER");
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL)
		return pw->pw_name;
	return "admin";
}

/* Print "invigil NAME: SENTENCE" (sanitised) and return EXIT_RUNTIME. */
static int
admin_fail(const struct cmd_entry *self, const char *err)
{
	char	clean[4096];

	fprintf(stderr, "invigil %s: %s\n", self->name, proto_clean(err,
	    clean, sizeof clean));
	return EXIT_RUNTIME;
}

/*
 * Parse self's options into a; operands from optind on.  -1 when parsing
 * succeeded, else the exit status to return.
 */
static int
admin_getopt(const struct cmd_entry *self, struct admin_args *a, int argc,
    char **argv)
{
	struct cmd_getopt	g;
	int			ch;

	memset(a, 0, sizeof *a);
	cmd_getopt_start(&g, self, 0);
	while ((ch = cmd_getopt(&g, argc, argv)) != -1) {
		switch (ch) {
		case 'd':
			a->db = optarg;
			break;
		case 'T':
			a->trust = optarg;
			break;
		case 'K':
			a->keydir = optarg;
			break;
		case 'a':
			a->actor = optarg;
			break;
		case 'R':
			a->roles = optarg;
			break;
		case 'r':
			a->reason = optarg;
			break;
		}
	}
	return g.status;
}

/* The trust file's path: --trust, or the default.  0, or -1 (err). */
static int
admin_trust_path(struct admin_args *a, char *err, size_t errlen)
{
	if (a->trust != NULL)
		return 0;
	if (trust_default_path(a->trustbuf, sizeof a->trustbuf, err,
	    errlen) != 0)
		return -1;
	a->trust = a->trustbuf;
	return 0;
}

/* The key of name from --key-dir or the default directory, or NULL. */
static struct sign_key *
admin_key(const struct admin_args *a, const char *name, int *created,
    char *err, size_t errlen)
{
	char	dir[1024];

	if (sign_key_dir_or(a->keydir, dir, sizeof dir, err, errlen) != 0)
		return NULL;
	return sign_key_load(dir, name, created, err, errlen);
}

/* `admin keys init NAME [--roles ROLES] [--key-dir DIR]` */
static int
admin_keys(const struct cmd_entry *self, int argc, char **argv)
{
	struct admin_args	 a;
	struct sign_key		*key;
	unsigned		 roles;
	char			 err[1024], text[TRUST_ROLES_TEXT], clean[2048];
	int			 rc, created;

	if ((rc = admin_getopt(self, &a, argc, argv)) != -1)
		return rc;
	if (optind == argc || strcmp(argv[optind], "init") != 0)
		return cmd_usage_error(self, "the one subcommand is init "
		    "NAME, not \"%s\"", optind == argc ? "" : argv[optind]);
	if (optind + 2 != argc)
		return cmd_usage_error(self, "give one NAME after init%s", "");
	if (strchr(argv[optind + 1], '/') != NULL)
		return cmd_usage_error(self, "NAME: %s", "a name may not "
		    "contain '/'");
	if (sign_name_valid(argv[optind + 1], err, sizeof err) != 0)
		return cmd_usage_error(self, "NAME: %s", err);
	if (trust_roles_parse(a.roles != NULL ? a.roles : "proctor", &roles,
	    err, sizeof err) != 0)
		return cmd_usage_error(self, "--roles: %s", err);
	if ((key = admin_key(&a, argv[optind + 1], &created, err,
	    sizeof err)) == NULL)
		return admin_fail(self, err);
	trust_roles_text(roles, text);
	fprintf(stderr, "invigil %s: %s %s; add it to the trust file with: "
	    "invigil admin trust add %s\n", self->name, proto_clean(
	    sign_key_path(key), clean, sizeof clean), created ? "created" :
	    "exists already (not changed)", "NAME ROLES VKEY");
	printf("%s %s %s\n", sign_key_name(key), text, sign_key_vkey(key));
	sign_key_free(key);
	return 0;
}

/*
 * May the holder of key make the change kind to the trust file t?  Its key
 * must be on a line of t not revoked whose roles allow kind (the admin
 * role); or, while t has no admin, the change must add the holder itself
 * as an admin with that key (how the first admin is made).  0, or -1 with
 * a sentence.
 */
static int
admin_authorise(const struct trust *t, const struct sign_key *key,
    const char *kind, const char *add_name, const char *add_roles,
    const char *add_vkey, char *err, size_t errlen)
{
	const struct trust_entry	*e;
	unsigned			 roles;
	size_t				 i;
	int				 any = 0;

	for (i = 0; i < trust_count(t); i++) {
		e = trust_at(t, i);
		if (!e->revoked && (e->roles & TRUST_ADMIN))
			any = 1;
	}
	if (!any) {
		if (add_name != NULL && strcmp(add_name,
		    sign_key_name(key)) == 0 && strcmp(add_vkey,
		    sign_key_vkey(key)) == 0 && trust_roles_parse(add_roles,
		    &roles, err, errlen) == 0 && (roles & TRUST_ADMIN))
			return 0;
		snprintf(err, errlen, "the trust file has no admin yet; its "
		    "first line must be the acting admin's own: invigil admin "
		    "trust add %s admin %s", sign_key_name(key),
		    sign_key_vkey(key));
		return -1;
	}
	return trust_check_act(t, sign_key_vkey(key), kind, err, errlen);
}

/*
 * Record the act kind about name's key vkey in the database db, signed by
 * key, and print its seq and hash.  0, or -1 with a sentence.
 */
static int
admin_record(const char *db, const struct sign_key *key, const char *kind,
    const char *name, const char *roles, const char *vkey,
    const char *reason, char *err, size_t errlen)
{
	struct store	*s;
	json_t		*o;
	char		*detail, hash[65];
	int64_t		 seq;
	int		 r;

	o = json_pack("{s:s, s:s}", "name", name, "vkey", vkey);
	if (o != NULL && roles != NULL)
		json_object_set_new(o, "roles", json_string(roles));
	if (o == NULL || (detail = json_dumps(o, JSON_SORT_KEYS |
	    JSON_COMPACT)) == NULL) {
		json_decref(o);
		snprintf(err, errlen, "the act's detail is not UTF-8");
		return -1;
	}
	json_decref(o);
	/* A database that does not exist yet is made (the first admin's,
	 * before any console); an existing one is written in a short
	 * transaction of its own, beside a running console, with a
	 * checkpoint by the admin: there may be no console to sign one, and
	 * the act belongs inside a signed tree. */
	if (access(db, F_OK) == -1 && errno == ENOENT) {
		if (store_open(&s, db, err, errlen) == -1 ||
		    store_close(s, err, errlen) == -1) {
			free(detail);
			return -1;
		}
	}
	r = store_act_record(db, kind, sign_key_name(key), "admin", key,
	    reason, detail, &seq, hash, err, errlen);
	free(detail);
	if (r == 0)
		printf("%s: seq %lld hash %s\n", kind, (long long)seq, hash);
	return r;
}

/* `admin trust list`: one line per key, revoked ones marked. */
static int
admin_trust_list(const struct cmd_entry *self, struct admin_args *a)
{
	const struct trust_entry	*e;
	struct trust			*t;
	char				 err[1024], roles[TRUST_ROLES_TEXT];
	char				 c1[256], c2[512], c3[1024];
	size_t				 i;

	if (admin_trust_path(a, err, sizeof err) != 0 ||
	    (t = trust_load(a->trust, 0, err, sizeof err)) == NULL)
		return admin_fail(self, err);
	for (i = 0; i < trust_count(t); i++) {
		e = trust_at(t, i);
		trust_roles_text(e->roles, roles);
		printf("%-16s %-24s %-8s %s", proto_clean(e->name, c1,
		    sizeof c1), roles, e->revoked ? "revoked" : "trusted",
		    proto_clean(e->vkey, c2, sizeof c2));
		if (e->revoked)
			printf(" (revoked %s%s%s)", e->revoked_on,
			    e->reason[0] != '\0' ? ": " : "",
			    proto_clean(e->reason, c3, sizeof c3));
		printf("\n");
	}
	trust_free(t);
	return 0;
}

/* `admin trust add|revoke`: check, record the act, write the file. */
static int
admin_trust_change(const struct cmd_entry *self, struct admin_args *a,
    int add, char **ops, int nops)
{
	struct trust	*t = NULL;
	struct sign_key	*key = NULL;
	char		 err[2048], vkey[SIGN_VKEY_MAX + 1];
	char		 roles[TRUST_ROLES_TEXT];
	const char	*actor = admin_actor(a->actor);
	unsigned	 mask;
	int		 status = EXIT_RUNTIME, lock = -1;

	err[0] = '\0';
	if (nops != (add ? 3 : 1))
		return cmd_usage_error(self, add ? "trust add takes NAME ROLES "
		    "VKEY%s" : "trust revoke takes one NAME%s", "");
	if (a->db == NULL)
		return cmd_usage_error(self, "give --db PATH: every change to "
		    "the trust file is recorded in that database's journal%s",
		    "");
	if (add && a->reason != NULL)
		return cmd_usage_error(self, "--reason is for trust revoke%s",
		    "");
	if (sign_name_valid(actor, err, sizeof err) != 0)
		return cmd_usage_error(self, "--actor: %s", err);
	if (admin_trust_path(a, err, sizeof err) != 0 ||
	    (lock = trust_lock(a->trust, err, sizeof err)) == -1 ||
	    (t = trust_load(a->trust, add, err, sizeof err)) == NULL ||
	    (key = admin_key(a, actor, NULL, err, sizeof err)) == NULL ||
	    admin_authorise(t, key, add ? "trust_add" : "trust_revoke",
	    add ? ops[0] : NULL, add ? ops[1] : NULL, add ? ops[2] : NULL, err,
	    sizeof err) != 0)
		goto out;
	if (add) {
		if (trust_add(t, ops[0], ops[1], ops[2], err, sizeof err) != 0)
			goto out;
		(void)trust_roles_parse(ops[1], &mask, err, sizeof err);
		trust_roles_text(mask, roles);
		snprintf(vkey, sizeof vkey, "%s", ops[2]);
	} else if (trust_revoke(t, ops[0], a->reason, proto_now_ms(), vkey,
	    err, sizeof err) != 0)
		goto out;
	if (admin_record(a->db, key, add ? "trust_add" : "trust_revoke",
	    ops[0], add ? roles : NULL, vkey, a->reason, err,
	    sizeof err) != 0)
		goto out;
	if (trust_save(t, a->trust, err, sizeof err) != 0) {
		fprintf(stderr, "invigil %s: the act is in the journal but the "
		    "trust file was not written; make the change by hand\n",
		    self->name);
		goto out;
	}
	status = 0;
out:
	if (status != 0 && err[0] != '\0')
		admin_fail(self, err);
	sign_key_free(key);
	trust_free(t);
	trust_unlock(lock);
	return status;
}

/* `admin trust add|list|revoke` */
static int
admin_trust(const struct cmd_entry *self, int argc, char **argv)
{
	struct admin_args	a;
	int			rc;

	if ((rc = admin_getopt(self, &a, argc, argv)) != -1)
		return rc;
	if (optind == argc)
		return cmd_usage_error(self, "give add, list or revoke%s", "");
	if (strcmp(argv[optind], "list") == 0) {
		if (optind + 1 != argc)
			return cmd_usage_error(self, "trust list takes no "
			    "operand, not \"%s\"", argv[optind + 1]);
		return admin_trust_list(self, &a);
	}
	if (strcmp(argv[optind], "add") == 0 ||
	    strcmp(argv[optind], "revoke") == 0)
		return admin_trust_change(self, &a, argv[optind][0] == 'a',
		    argv + optind + 1, argc - optind - 1);
	return cmd_usage_error(self, "the subcommands are add, list and "
	    "revoke, not \"%s\"", argv[optind]);
}

static const struct cmd_option keys_options[] = {
	{ "roles", 'R', 0, "ROLES", "the roles of the trust line printed "
	    "(default: proctor): proctor, supervisor, analyst, admin, "
	    "comma-separated" },
	{ "key-dir", 'K', 0, "DIR", "where signing keys live (default: "
	    "$XDG_CONFIG_HOME/invigil or ~/.config/invigil)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_admin_keys_entry = {
	.name = "admin keys",
	.summary = "create an actor's signing key (0600) and print the trust "
	    "line to add",
	.usage = "admin keys init NAME [--roles ROLES] [--key-dir DIR]",
	.options = keys_options,
	.opens = CMD_OPENS_KEYS,
	.exec = admin_keys,
	.see = "invigil-admin(1), invigil-trust(5)",
	.page = "invigil-admin.1",
};

static const struct cmd_option trust_options[] = {
	{ "db", 'd', CMD_OPT_SHORT, "PATH", "the database whose journal "
	    "records the change (add, revoke)" },
	{ "trust", 'T', 0, "FILE", "the trust file (default: "
	    "$XDG_CONFIG_HOME/invigil/trust or ~/.config/invigil/trust)" },
	{ "actor", 'a', 0, "NAME", "the admin who makes the change, signing "
	    "with NAME's key (default: the user name)" },
	{ "key-dir", 'K', 0, "DIR", "where signing keys live (default: "
	    "$XDG_CONFIG_HOME/invigil or ~/.config/invigil)" },
	{ "reason", 'r', 0, "R", "why a key is revoked (one line, kept in "
	    "the file and the journal)" },
	{ NULL, 0, 0, NULL, NULL }
};

const struct cmd_entry cmd_admin_trust_entry = {
	.name = "admin trust",
	.summary = "the trust file: add an actor's key with its roles, list "
	    "them, revoke one (each change a signed journal act)",
	.usage = "admin trust add NAME ROLES VKEY --db PATH [--trust FILE] "
	    "[--actor NAME] [--key-dir DIR]\n"
	    "admin trust list [--trust FILE]\n"
	    "admin trust revoke NAME --db PATH [--reason R] [options above]",
	.options = trust_options,
	.opens = CMD_OPENS_STORE_WRITE | CMD_OPENS_KEYS,
	.exec = admin_trust,
	.see = "invigil-admin(1), invigil-trust(5)",
	.page = "invigil-admin.1",
};

/* The admin subcommands, in the order of the help and invigil-admin(1). */
static const struct cmd_entry *const admin_children[] = {
	&cmd_admin_keys_entry,
	&cmd_admin_trust_entry,
	&cmd_admin_cases_entry, &cmd_admin_show_entry, &cmd_admin_open_entry,
	&cmd_admin_propose_entry, &cmd_admin_approve_entry,
	&cmd_admin_reject_entry, &cmd_admin_appeal_entry,
	&cmd_admin_reinstate_entry, &cmd_admin_uphold_entry,
	&cmd_admin_export_entry, &cmd_admin_verify_export_entry,
	NULL
};

const struct cmd_entry cmd_admin_entry = {
	.name = "admin",
	.summary = "admins' commands: keys, the trust file of who may do "
	    "what, the signed acts on an attempt's outcome, and the signed "
	    "outcome list for the exam platform",
	.flags = CMD_HINT_INLINE,
	.about = "Admins' commands: signing keys, the trust file that says "
	    "who may act in which role, and signed acts recorded in a "
	    "database's journal.",
	.children = admin_children,
	.see = "invigil-admin(1), invigil-trust(5), invigil-store(5)",
	.page = "invigil-admin.1",
};
