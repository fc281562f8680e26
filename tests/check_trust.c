/*
 * check_trust.c - Check suite for store/trust.c: the trust file parsed
 * (and refused with FILE:LINE:COL), looked up, changed, written back
 * atomically and read again; the roles table; and verify's check of each
 * journal entry's signature, signer and role against a trust file (a
 * swapped signature, a proctor's key on an admin act, revoked and unknown
 * keys, an entry without a signature).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_TMP_NAME "check_trust"
#include "tests/check_main.h"
#include "tests/check_tmp.h"

#include <sqlite3.h>

#include "proto/proto.h"
#include "store/journal.h"
#include "store/sign.h"
#include "store/store.h"
#include "store/trust.h"

static char	tmpdir[256], err[1024];
static char	vk_ana[SIGN_VKEY_MAX + 1], vk_pat[SIGN_VKEY_MAX + 1];
static char	vk_sam[SIGN_VKEY_MAX + 1];

/* The vkey of a key of name made from a seed of byte b. */
static void
make_vkey(const char *name, int b, char out[SIGN_VKEY_MAX + 1])
{
	struct sign_key	*k;
	uint8_t		 seed[32];

	memset(seed, b, sizeof seed);
	k = sign_key_from_seed(name, seed, err, sizeof err);
	ck_assert_msg(k != NULL, "%s", err);
	snprintf(out, SIGN_VKEY_MAX + 1, "%s", sign_key_vkey(k));
	sign_key_free(k);
}

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	make_vkey("ana", 1, vk_ana);
	make_vkey("pat", 2, vk_pat);
	make_vkey("sam", 3, vk_sam);
	err[0] = '\0';
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
}

/* text with each "%s" after the first... given as a printf format. */
static struct trust *
parse(const char *text)
{
	return trust_parse(text, strlen(text), "trust", err, sizeof err);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(test_parse_good)
{
	struct trust			*t;
	const struct trust_entry	*e;
	char				 text[2048];

	snprintf(text, sizeof text, "# hall 3\n\n  ana\tadmin,analyst %s\n"
	    "pat proctor %s\n@revoked 2026-12-07T15:30:00Z sam proctor %s "
	    "laptop lost\n", vk_ana, vk_pat, vk_sam);
	t = parse(text);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_uint_eq(trust_count(t), 3);
	e = trust_actor(t, "ana");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->roles, TRUST_ADMIN | TRUST_ANALYST);
	ck_assert_int_eq(e->line, 3);
	ck_assert_int_eq(trust_lookup(t, vk_pat, &e), TRUST_TRUSTED);
	ck_assert_str_eq(e->name, "pat");
	ck_assert_int_eq(trust_lookup(t, vk_sam, &e), TRUST_REVOKED);
	ck_assert_str_eq(e->reason, "laptop lost");
	ck_assert_str_eq(e->revoked_on, "2026-12-07T15:30:00Z");
	ck_assert_ptr_null(trust_actor(t, "sam"));
	make_vkey("zed", 9, text);
	ck_assert_int_eq(trust_lookup(t, text, &e), TRUST_UNKNOWN);
	ck_assert_ptr_null(e);
	trust_free(t);
}
END_TEST

/* Each bad line is refused with its line and column and what is wrong. */
START_TEST(test_parse_errors)
{
	static const struct {
		const char	*fmt;	/* %s: ana's vkey */
		const char	*want;
	} bad[] = {
		{ "# ok\nana admin\n", "trust:2:10: missing verifier key" },
		{ "ana root %s\n", "trust:1:5: unknown role \"root\"" },
		{ "ana admin,admin %s\n", "trust:1:5: role \"admin\" is named "
		    "twice" },
		{ "ana admin, %s\n", "trust:1:5: roles \"admin,\": an empty "
		    "role" },
		{ "bob admin %s\n", "trust:1:11: the key is named \"ana\", "
		    "not \"bob\"" },
		{ "ana admin ana+00000000+AAAA\n", "trust:1:11: not a "
		    "verifier key" },
		{ "ana admin %s extra\n", "trust:1:" },
		{ "@trusted ana admin %s\n", "trust:1:1: unknown marker "
		    "\"@trusted\"" },
		{ "@revoked 2026-13-07T15:30:00Z ana admin %s\n",
		    "trust:1:10: \"2026-13-07T15:30:00Z\" is not a UTC date" },
		{ "ana admin %s\r\n", "trust:1:" },
		{ "ana\x01 admin %s\n", "trust:1:4: a control character "
		    "(0x01)" },
		{ "ana admin %s\n\xff\n", "trust:2:1: not UTF-8" },
		{ "# caf\xc3\xa9 \xe2\x82\n", "trust:1:9: not UTF-8" },
		{ "ana admin %s\nana proctor %s\n", "trust:2:1: the key of "
		    "ana is already on line 1" },
		{ "a+b admin %s\n", "trust:1:1: " },
	};
	struct trust	*t;
	char		 text[2048];
	size_t		 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, bad[i].fmt, vk_ana, vk_ana);
		err[0] = '\0';
		t = parse(text);
		ck_assert_msg(t == NULL, "case %zu parsed", i);
		ck_assert_msg(strncmp(err, bad[i].want, strlen(bad[i].want))
		    == 0, "case %zu: \"%s\", want \"%s...\"", i, err,
		    bad[i].want);
	}
}
END_TEST

/* Two keys not revoked for one name: the second is refused. */
START_TEST(test_parse_two_names)
{
	struct trust	*t;
	char		 text[2048], other[SIGN_VKEY_MAX + 1];

	make_vkey("ana", 7, other);
	snprintf(text, sizeof text, "ana admin %s\nana admin %s\n", vk_ana,
	    other);
	ck_assert_ptr_null(parse(text));
	ck_assert_msg(strstr(err, "trust:2:1: ana already has a key not "
	    "revoked (line 1)") != NULL, "%s", err);
	/* With the first revoked, the two lines are history. */
	snprintf(text, sizeof text, "@revoked 2026-01-02T03:04:05Z ana admin "
	    "%s\nana admin %s\n", vk_ana, other);
	t = parse(text);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_str_eq(trust_actor(t, "ana")->vkey, other);
	trust_free(t);
}
END_TEST

START_TEST(test_parse_nul_and_size)
{
	char		text[64] = "# a\0b\n";
	struct trust	*t;
	char		*big;
	size_t		 i, n = (TRUST_MAX_LINES + 1) * 2;

	ck_assert_ptr_null(trust_parse(text, 6, "f", err, sizeof err));
	ck_assert_str_eq(err, "f:1:4: a NUL byte");
	big = malloc(n);
	for (i = 0; i < n; i += 2)
		memcpy(big + i, "#\n", 2);
	ck_assert_ptr_null(trust_parse(big, n, "f", err, sizeof err));
	ck_assert_msg(strstr(err, "more than 10000 lines") != NULL, "%s", err);
	t = trust_parse(big, n - 2, "f", err, sizeof err);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_uint_eq(trust_count(t), 0);
	trust_free(t);
	free(big);
}
END_TEST

/* add, revoke, save, load: the same file, comments kept, mode 0644. */
START_TEST(test_change_and_save)
{
	struct trust			*t, *u;
	const struct trust_entry	*e;
	struct stat			 st;
	char				 path[512], vk[SIGN_VKEY_MAX + 1];
	char				 text[2048], *buf;
	FILE				*f;
	size_t				 n;

	snprintf(path, sizeof path, "%s/sub/trust", tmpdir);
	t = trust_load(path, 0, err, sizeof err);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err, "there is no trust file") != NULL, "%s",
	    err);
	t = trust_load(path, 1, err, sizeof err);
	ck_assert_msg(t != NULL, "%s", err);
	ck_assert_int_eq(trust_add(t, "ana", "analyst,admin", vk_ana, err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_add(t, "pat", "proctor", vk_pat, err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_add(t, "pat", "admin", vk_pat, err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "already") != NULL, "%s", err);
	ck_assert_int_eq(trust_add(t, "sam", "judge", vk_sam, err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_add(t, "sam", "proctor", vk_pat, err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_revoke(t, "pat", "bad\nreason", 0, vk, err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_revoke(t, "nobody", NULL, 0, vk, err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_revoke(t, "pat", "laptop lost",
	    1796657400123LL, vk, err, sizeof err), 0);
	ck_assert_str_eq(vk, vk_pat);
	ck_assert_int_eq(trust_revoke(t, "pat", NULL, 0, vk, err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_save(t, path, err, sizeof err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);

	f = fopen(path, "r");
	buf = calloc(1, 4096);
	n = fread(buf, 1, 4095, f);
	fclose(f);
	snprintf(text, sizeof text, "ana analyst,admin %s\n@revoked "
	    "2026-12-07T15:30:00Z pat proctor %s laptop lost\n", vk_ana,
	    vk_pat);
	ck_assert_uint_eq(n, strlen(text));
	ck_assert_str_eq(buf, text);

	/* A comment added by hand survives the next change. */
	f = fopen(path, "a");
	fputs("# kept\n", f);
	fclose(f);
	u = trust_load(path, 0, err, sizeof err);
	ck_assert_msg(u != NULL, "%s", err);
	ck_assert_int_eq(trust_lookup(u, vk_pat, &e), TRUST_REVOKED);
	ck_assert_int_eq(trust_add(u, "sam", "supervisor", vk_sam, err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_save(u, path, err, sizeof err), 0);
	trust_free(u);
	f = fopen(path, "r");
	memset(buf, 0, 4096);
	n = fread(buf, 1, 4095, f);
	fclose(f);
	ck_assert_msg(strstr(buf, "laptop lost\n# kept\nsam supervisor ") !=
	    NULL, "%s", buf);
	free(buf);
	trust_free(t);
}
END_TEST

/* A change holds the file's lock; a second waits until it is let go. */
START_TEST(test_lock)
{
	char	path[512], lock[600];
	int	fd, other;

	snprintf(path, sizeof path, "%s/d/trust", tmpdir);
	fd = trust_lock(path, err, sizeof err);
	ck_assert_msg(fd != -1, "%s", err);
	snprintf(lock, sizeof lock, "%s.lock", path);
	other = open(lock, O_RDWR);
	ck_assert_int_ne(other, -1);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	trust_unlock(fd);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
}
END_TEST

/* Files that are not to be trusted, or not files. */
START_TEST(test_load_refused)
{
	struct trust	*t;
	char		 path[512], text[1024];

	snprintf(path, sizeof path, "%s/trust", tmpdir);
	snprintf(text, sizeof text, "ana admin %s\n", vk_ana);
	write_file(path, text, 0664);
	ck_assert_ptr_null(trust_load(path, 1, err, sizeof err));
	ck_assert_msg(strstr(err, "chmod go-w") != NULL, "%s", err);
	ck_assert_int_eq(chmod(path, 0644), 0);
	trust_free(trust_load(path, 0, err, sizeof err));

	snprintf(path, sizeof path, "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_ptr_null(trust_load(path, 1, err, sizeof err));
	ck_assert_msg(strstr(err, "FIFO") != NULL, "%s", err);
	t = trust_new();
	ck_assert_int_eq(trust_save(t, path, err, sizeof err), -1);
	trust_free(t);
	ck_assert_msg(strstr(err, "not a regular file") != NULL, "%s", err);
}
END_TEST

START_TEST(test_roles_table)
{
	char	text[TRUST_ROLES_TEXT];

	ck_assert_int_eq(trust_may(TRUST_PROCTOR, "confirm", err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_PROCTOR, "propose_invalidation",
	    err, sizeof err), -1);
	ck_assert_str_eq(err, "propose_invalidation needs the role admin, and "
	    "its signer has proctor");
	ck_assert_int_eq(trust_may(TRUST_ANALYST, "open_case", err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_ANALYST, "recommend", err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_ANALYST, "approve_invalidation",
	    err, sizeof err), -1);
	ck_assert_int_eq(trust_may(TRUST_ADMIN, "approve_invalidation",
	    err, sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_ADMIN, "confirm", err,
	    sizeof err), -1);
	ck_assert_int_eq(trust_may(TRUST_SUPERVISOR, "cmd_ack", err,
	    sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_ADMIN | TRUST_PROCTOR,
	    "trust_revoke", err, sizeof err), 0);
	ck_assert_int_eq(trust_may(TRUST_ROLES_ALL, "made_up", err,
	    sizeof err), -1);
	ck_assert_msg(strstr(err, "not an act") != NULL, "%s", err);
	ck_assert_uint_eq(trust_kind_roles("made_up"), 0);
	trust_roles_text(TRUST_ROLES_ALL, text);
	ck_assert_str_eq(text, "proctor,supervisor,analyst,admin");
	trust_roles_text(0, text);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(test_default_path)
{
	char	path[1100];

	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", tmpdir, 1), 0);
	ck_assert_int_eq(trust_default_path(path, sizeof path, err,
	    sizeof err), 0);
	ck_assert_str_eq(path + strlen(tmpdir), "/invigil/trust");
	ck_assert_int_eq(trust_default_path(path, 8, err, sizeof err), -1);
	unsetenv("XDG_CONFIG_HOME");
}
END_TEST

/* ---- verify: each entry's signature, signer and role against the file */

static char	dbpath[512];

/* Append kind by the actor whose key s signs with; its seq. */
static int64_t
act(struct store *s, const char *actor, const char *role, const char *kind)
{
	struct store_journal_entry	e;
	struct store_receipt		rc;

	memset(&e, 0, sizeof e);
	e.actor = actor;
	e.role = role;
	e.kind = kind;
	e.attempt = "A-17";
	e.reason = "case 3";
	ck_assert_msg(store_journal_append(s, &e, NULL, &rc, err,
	    sizeof err) == 0, "%s", err);
	return rc.seq;
}

/*
 * hall.db: ana (analyst) opens a case, bo (admin) proposes, cy (admin)
 * approves; the trust file t names the three and pat (proctor).
 */
static struct trust *
make_case(struct sign_key **keys)
{
	static const char *const names[] = { "ana", "bo", "cy", "pat" };
	static const char *const roles[] = { "analyst", "admin", "admin",
	    "proctor" };
	struct store	*s;
	struct trust	*t = trust_new();
	uint8_t		 seed[32];
	size_t		 i;

	snprintf(dbpath, sizeof dbpath, "%s/hall.db", tmpdir);
	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	for (i = 0; i < 4; i++) {
		memset(seed, (int)i + 10, sizeof seed);
		keys[i] = sign_key_from_seed(names[i], seed, err, sizeof err);
		ck_assert_ptr_nonnull(keys[i]);
		ck_assert_msg(trust_add(t, names[i], roles[i],
		    sign_key_vkey(keys[i]), err, sizeof err) == 0, "%s", err);
	}
	/* Nothing is written without a key to sign it. */
	ck_assert_int_eq(store_journal_size(s, err, sizeof err), 0);
	{
		struct store_journal_entry	e;

		memset(&e, 0, sizeof e);
		e.actor = "ana";
		e.role = "analyst";
		e.kind = "open_case";
		ck_assert_int_eq(store_journal_append(s, &e, NULL, NULL, err,
		    sizeof err), -1);
		ck_assert_msg(strstr(err, "no key to sign it") != NULL, "%s",
		    err);
		ck_assert_int_eq(store_journal_size(s, err, sizeof err), 0);
	}
	store_set_signer(s, keys[0]);
	ck_assert_int_eq(act(s, "ana", "analyst", "open_case"), 1);
	store_set_signer(s, keys[1]);
	ck_assert_int_eq(act(s, "bo", "admin", "propose_invalidation"), 2);
	store_set_signer(s, keys[2]);
	ck_assert_int_eq(act(s, "cy", "admin", "approve_invalidation"), 3);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	return t;
}

/*
 * A trust file of the case's four keys with these roles (NULL: not in the
 * file); a revoked_ms not 0 revokes cy's key at that time.
 */
static struct trust *
trust_of(struct sign_key **k, const char *const roles[4], int64_t revoked_ms)
{
	struct trust	*t = trust_new();
	size_t		 i;

	for (i = 0; i < 4; i++)
		if (roles[i] != NULL)
			ck_assert_msg(trust_add(t, sign_key_name(k[i]),
			    roles[i], sign_key_vkey(k[i]), err,
			    sizeof err) == 0, "%s", err);
	if (revoked_ms != 0)
		ck_assert_int_eq(trust_revoke(t, "cy", "left", revoked_ms,
		    NULL, err, sizeof err), 0);
	return t;
}

static void
case_free(struct trust *t, struct sign_key **k)
{
	size_t	i;

	trust_free(t);
	for (i = 0; i < 4; i++)
		sign_key_free(k[i]);
}

static struct store_verify
verify_with(const struct trust *t)
{
	struct store_reader	*r;
	struct store_verify	 v;

	ck_assert_msg(store_reader_open(&r, dbpath, err, sizeof err) == 0,
	    "%s", err);
	ck_assert_msg(store_verify_trust(r, NULL, 0, NULL, NULL, 0, t, &v, err,
	    sizeof err) == 0, "%s", err);
	store_reader_close(r);
	return v;
}

/* Run sql on hall.db as someone who can write the file. */
static void
by_hand(const char *sql)
{
	sqlite3	*db;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, "DROP TRIGGER IF EXISTS journal_no_update;", NULL,
	    NULL, NULL) == SQLITE_OK && sqlite3_exec(db, sql, NULL, NULL,
	    NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* The signature hex of key over seq's hash in hall.db. */
static void
sign_seq(const struct sign_key *key, int seq, char sig[JOURNAL_SIG_HEX + 1])
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	uint8_t		 h[SIGN_HASH_LEN];

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hash FROM journal "
	    "WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, seq);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sign_unhex((const char *)sqlite3_column_text(st, 0),
	    h), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	ck_assert_int_eq(journal_sign(key, h, sig, err, sizeof err), 0);
}

START_TEST(test_verify_signed_case)
{
	static const char *const without_cy[4] = { "analyst", "admin", NULL,
	    "proctor" };
	static const char *const all[4] = { "analyst", "admin", "admin",
	    "proctor" };
	struct sign_key		*k[4];
	struct trust		*t = make_case(k);
	struct store_verify	 v;

	v = verify_with(t);
	ck_assert_msg(v.problem == STORE_VERIFY_OK, "%s", v.what);
	ck_assert_int_eq(v.signed_entries, 3);
	ck_assert_int_eq(v.unsigned_entries, 0);
	ck_assert_int_eq(v.trust_file, 1);
	/* Without a trust file, the keys table is empty: nobody is known. */
	v = verify_with(NULL);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNER);
	ck_assert_msg(strstr(v.what, "keys table does not have") != NULL,
	    "%s", v.what);
	/* A file that does not know cy. */
	trust_free(t);
	t = trust_of(k, without_cy, 0);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNER);
	ck_assert_int_eq(v.seq, 3);
	ck_assert_msg(strstr(v.what, "seq 3 (approve_invalidation by cy) is "
	    "signed by the key cy+") != NULL && strstr(v.what, "which the "
	    "trust file does not have") != NULL, "%s", v.what);
	/* cy revoked after the approval: it stands, and is counted. */
	trust_free(t);
	t = trust_of(k, all, proto_now_ms() + 60000);
	v = verify_with(t);
	ck_assert_msg(v.problem == STORE_VERIFY_OK, "%s", v.what);
	ck_assert_int_eq(v.revoked_entries, 1);
	ck_assert_int_eq(v.revoked_seq, 3);
	/* ... revoked before it: the approval does not stand. */
	trust_free(t);
	t = trust_of(k, all, 1000);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNER);
	ck_assert_msg(strstr(v.what, "revoked on 1970-01-01T00:00:01Z, "
	    "before the entry was made") != NULL, "%s", v.what);
	case_free(t, k);
}
END_TEST

/* cy's approval re-signed with bo's key: bo cannot approve twice. */
START_TEST(test_verify_swapped_signature)
{
	struct sign_key		*k[4];
	struct trust		*t = make_case(k);
	struct store_verify	 v;
	char			 sig[JOURNAL_SIG_HEX + 1], sql[1024];

	/* bo's signature under cy's key: it does not hold. */
	sign_seq(k[1], 3, sig);
	snprintf(sql, sizeof sql, "UPDATE journal SET sig = '%s' WHERE seq = "
	    "3", sig);
	by_hand(sql);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNATURE);
	ck_assert_int_eq(v.seq, 3);
	ck_assert_msg(strstr(v.what, "seq 3 (approve_invalidation by cy): its "
	    "signature by cy+") != NULL && strstr(v.what, "does not hold") !=
	    NULL, "%s", v.what);
	/* ... and with bo's key named as the signer: not its actor's. */
	snprintf(sql, sizeof sql, "UPDATE journal SET sig_vkey = '%s' WHERE "
	    "seq = 3", sign_key_vkey(k[1]));
	by_hand(sql);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNER);
	ck_assert_msg(strstr(v.what, "seq 3 (approve_invalidation by cy) is "
	    "signed by the key of bo, not by its actor") != NULL, "%s",
	    v.what);
	/* A signature that is not one. */
	by_hand("UPDATE journal SET sig = 'zz' WHERE seq = 2");
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ENTRY_SIGNATURE);
	ck_assert_int_eq(v.seq, 2);
	/* A signature removed after signatures began. */
	by_hand("UPDATE journal SET sig = NULL, sig_vkey = NULL WHERE seq = 2");
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_UNSIGNED);
	ck_assert_msg(strstr(v.what, "seq 2 (propose_invalidation by bo) is "
	    "not signed") != NULL, "%s", v.what);
	case_free(t, k);
}
END_TEST

/* A proctor's key for an admin act, forced in by hand: verify refuses. */
START_TEST(test_verify_proctor_cannot_propose)
{
	static const char *const two_hats[4] = { "analyst", "admin,proctor",
	    "admin", "proctor,admin" };
	struct sign_key		*k[4];
	struct trust		*t = make_case(k);
	struct store		*s;
	struct store_verify	 v;

	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	store_set_signer(s, k[3]);
	ck_assert_int_eq(act(s, "pat", "admin", "propose_invalidation"), 4);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ROLE);
	ck_assert_int_eq(v.seq, 4);
	ck_assert_str_eq(v.what, "seq 4 (propose_invalidation by pat): "
	    "propose_invalidation needs the role admin, and its signer has "
	    "proctor");
	trust_free(t);

	/* A role the signer does not hold, on an act the signer may make. */
	t = trust_of(k, two_hats, 0);
	v = verify_with(t);
	ck_assert_msg(v.problem == STORE_VERIFY_OK, "%s", v.what);
	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	store_set_signer(s, k[0]);
	ck_assert_int_eq(act(s, "ana", "admin", "recommend"), 5);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	v = verify_with(t);
	ck_assert_int_eq(v.problem, STORE_VERIFY_ROLE);
	ck_assert_msg(strstr(v.what, "names the role \"admin\", which its "
	    "signer does not hold") != NULL, "%s", v.what);
	case_free(t, k);
}
END_TEST

static Suite *
trust_suite(void)
{
	Suite	*su = suite_create("trust");
	TCase	*tc = tcase_create("file");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_good);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_two_names);
	tcase_add_test(tc, test_parse_nul_and_size);
	tcase_add_test(tc, test_change_and_save);
	tcase_add_test(tc, test_load_refused);
	tcase_add_test(tc, test_lock);
	tcase_add_test(tc, test_roles_table);
	tcase_add_test(tc, test_default_path);
	suite_add_tcase(su, tc);

	tc = tcase_create("verify");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_verify_signed_case);
	tcase_add_test(tc, test_verify_swapped_signature);
	tcase_add_test(tc, test_verify_proctor_cannot_propose);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(trust_suite());
}
