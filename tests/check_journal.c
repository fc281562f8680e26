/*
 * check_journal.c - Check suite for the tamper-evident journal: the hash
 * chain, signed checkpoints, the schema 1 upgrade, and `verify` against
 * every kind of tampering an attacker with write access to the file could
 * try: one byte of any column, a deleted row, a dropped tail, a rewritten
 * history re-signed with the current key, replaced keys, a forged note.
 * Checkpoints sign the RFC 6962 tree hash; a schema-2 database's 'chain'
 * checkpoints still verify after the upgrade; --key (trusted keys) and
 * imported chains are verified too.
 *
 * The attacker works through a second SQLite connection with the triggers
 * dropped, as someone with the file and sqlite3(1) would.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/journal.h"
#include "store/merkle.h"
#include "store/sign.h"
#include "store/store.h"

#define CHECK_TMP_NAME	"check_journal"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

static char	tmpdir[64];
static char	dbpath[128];
static char	err[1024];

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	snprintf(dbpath, sizeof dbpath, "%s/invigil.db", tmpdir);
	err[0] = '\0';
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
}

static struct sign_key *
test_key(const char *name, int n)
{
	struct sign_key	*k;
	uint8_t		 seed[32];

	memset(seed, n, sizeof seed);
	k = sign_key_from_seed(name, seed, err, sizeof err);
	ck_assert_msg(k != NULL, "sign_key_from_seed: %s", err);
	return k;
}

/*
 * A database with n entries by the key's holder (alice, or bob), each
 * signed by key, a checkpoint every `every`.
 */
static void
make_journal(int n, int every, struct sign_key *key)
{
	struct store			*s;
	struct store_journal_entry	 e;
	char				 reason[64], detail[64];
	int				 i;

	ck_assert_msg(store_open(&s, dbpath, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_key_register(s, key, sign_key_name(key),
	    "proctor", err, sizeof err), 0);
	store_set_signer(s, key);
	for (i = 1; i <= n; i++) {
		memset(&e, 0, sizeof e);
		e.actor = sign_key_name(key);
		e.role = "proctor";
		e.kind = i % 3 == 0 ? "confirm" : "note";
		e.feed = "hall-1";
		e.attempt = "A-17";
		e.flag_id = i % 3 == 0 ? i : 0;
		e.reason_code = i % 2 == 0 ? "phone" : NULL;
		snprintf(reason, sizeof reason, "reason number %d", i);
		e.reason = reason;
		e.evidence = i % 3 == 0 ? "{\"flags\":[3],\"events\":[10,12],"
		    "\"epoch\":1}" : NULL;
		snprintf(detail, sizeof detail, "{\"request\":\"r%d\"}", i);
		e.detail = detail;
		ck_assert_msg(store_journal_append(s, &e, NULL, NULL, err,
		    sizeof err) == 0, "append: %s", err);
		if (every > 0 && i % every == 0)
			ck_assert_msg(store_checkpoint(s, key, NULL, err,
			    sizeof err) == 0, "checkpoint: %s", err);
	}
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
}

/* Run verify; file may be NULL. */
static struct store_verify
verify(const char *file)
{
	struct store_reader	*r;
	struct store_verify	 v;

	ck_assert_msg(store_reader_open(&r, dbpath, err, sizeof err) == 0,
	    "reader: %s", err);
	ck_assert_msg(store_verify(r, file, file != NULL ? strlen(file) : 0,
	    "exported.txt", &v, err, sizeof err) == 0, "verify: %s", err);
	store_reader_close(r);
	return v;
}

static void
expect(const struct store_verify *v, enum store_verify_problem p,
    int64_t seq, const char *words)
{
	ck_assert_msg(v->problem == p && v->seq == seq,
	    "want %s at seq %" PRId64 ", got %s at seq %" PRId64 ": %s",
	    store_verify_problem_name(p), seq,
	    store_verify_problem_name(v->problem), v->seq, v->what);
	if (words != NULL)
		ck_assert_msg(strstr(v->what, words) != NULL,
		    "\"%s\" lacks \"%s\"", v->what, words);
}

/* verify(NULL) must find p at seq with words in its sentence. */
static void
expect_verify(enum store_verify_problem p, int64_t seq, const char *words)
{
	struct store_verify	v = verify(NULL);

	expect(&v, p, seq, words);
}

/* The attacker's connection: triggers gone. */
static sqlite3 *
attacker(void)
{
	sqlite3	*db;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "DROP TRIGGER IF EXISTS journal_no_update; "
	    "DROP TRIGGER IF EXISTS journal_no_delete; DROP TRIGGER IF EXISTS journal_gapless; "
	    "DROP TRIGGER IF EXISTS checkpoints_no_update; "
	    "DROP TRIGGER IF EXISTS checkpoints_no_delete; DROP TRIGGER IF EXISTS keys_no_update; "
	    "DROP TRIGGER IF EXISTS keys_no_delete", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

/*
 * The attacker, holding key, signs the entries from seq from on again
 * (their hashes as they now are), as if key had signed them.
 */
static void
resign_entries(sqlite3 *db, const struct sign_key *key, int from)
{
	sqlite3_stmt	*st, *up;
	uint8_t		 h[SIGN_HASH_LEN];
	char		 sig[JOURNAL_SIG_HEX + 1];

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT seq, hash FROM journal "
	    "WHERE seq >= ?1", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE journal SET sig = ?1, "
	    "sig_vkey = ?2 WHERE seq = ?3", -1, &up, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, from);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_int_eq(sign_unhex((const char *)
		    sqlite3_column_text(st, 1), h), 0);
		ck_assert_int_eq(journal_sign(key, h, sig, err, sizeof err), 0);
		sqlite3_bind_text(up, 1, sig, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, sign_key_vkey(key), -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, sqlite3_column_int64(st, 0));
		ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
}

static void
attack(const char *sql)
{
	sqlite3	*db = attacker();

	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_changes(db) > 0, 1);
	sqlite3_close(db);
}

/* Every checkpoint of the database, as `checkpoints --export` writes. */
static int
export_note(const char *note, void *arg)
{
	char	**buf = arg;
	size_t	 len = *buf != NULL ? strlen(*buf) : 0;

	*buf = realloc(*buf, len + strlen(note) + 2);
	ck_assert_ptr_nonnull(*buf);
	snprintf(*buf + len, strlen(note) + 2, "%s\n", note);
	return 0;
}

static char *
export(void)
{
	struct store_reader	*r;
	char			*buf = NULL;

	ck_assert_int_eq(store_reader_open(&r, dbpath, err, sizeof err), 0);
	ck_assert_int_eq(store_reader_each_checkpoint(r, export_note, &buf,
	    err, sizeof err), 0);
	store_reader_close(r);
	ck_assert_ptr_nonnull(buf);
	return buf;
}

START_TEST(test_intact)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	char			*file;

	make_journal(12, 5, k);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.entries, 12);
	ck_assert_int_eq(v.db_checkpoints, 2);
	ck_assert_str_eq(v.signers, "alice");

	file = export();
	v = verify(file);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.file_checkpoints, 2);
	free(file);
	sign_key_free(k);
}
END_TEST

/* One byte of each column of seq 5, each on a fresh journal. */
START_TEST(test_one_byte_of_any_column)
{
	static const struct {
		const char		*sql;
		enum store_verify_problem want;
	} t[] = {
		{ "UPDATE journal SET time_ms = time_ms + 1 WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET actor = 'blice' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET role = 'proctoR' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET kind = 'nOte' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET feed = 'hall-2' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET attempt = 'A-18' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET flag_id = 4 WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET reason_code = 'phonE' WHERE seq = 6",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET reason = 'reason number 6' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET evidence = replace(evidence, '10', '11') "
		    "WHERE seq = 6", STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET evidence = replace(evidence, ':', ': ') "
		    "WHERE seq = 6", STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET detail = replace(detail, 'r5', 'r6') "
		    "WHERE seq = 5", STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET body = replace(body, 'number 5', "
		    "'number 6') WHERE seq = 5", STORE_VERIFY_ALTERED },
		/* The first hex digit flipped: always a change. */
		{ "UPDATE journal SET prev_hash = (CASE substr(prev_hash, 1, 1) "
		    "WHEN '0' THEN '1' ELSE '0' END) || substr(prev_hash, 2) "
		    "WHERE seq = 5", STORE_VERIFY_CHAIN },
		{ "UPDATE journal SET hash = (CASE substr(hash, 1, 1) WHEN '0' "
		    "THEN '1' ELSE '0' END) || substr(hash, 2) WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
		{ "UPDATE journal SET flag_id = '3' WHERE seq = 5",
		    STORE_VERIFY_ALTERED },
	};
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	size_t			 i;
	int64_t			 seq;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		teardown();
		setup();
		make_journal(8, 0, k);
		attack(t[i].sql);
		v = verify(NULL);
		seq = strstr(t[i].sql, "seq = 6") != NULL ? 6 : 5;
		ck_assert_msg(v.problem == t[i].want && v.seq == seq,
		    "%s: want %s at %" PRId64 ", got %s at %" PRId64 ": %s",
		    t[i].sql, store_verify_problem_name(t[i].want), seq,
		    store_verify_problem_name(v.problem), v.seq, v.what);
	}
	sign_key_free(k);
}
END_TEST

START_TEST(test_deleted_row)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;

	make_journal(8, 0, k);
	attack("DELETE FROM journal WHERE seq = 4");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_MISSING, 4, "seq 4 is missing");
	sign_key_free(k);
}
END_TEST

START_TEST(test_dropped_tail)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	char			*file;

	make_journal(10, 5, k);
	file = export();
	attack("DELETE FROM journal WHERE seq > 7");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_TRUNCATED, 8, "ends at seq 7");

	/* The attacker also removes the database's checkpoints past 7. */
	attack("DELETE FROM checkpoints WHERE size > 7");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);	/* nothing left to tell */
	v = verify(file);
	expect(&v, STORE_VERIFY_TRUNCATED, 8, "exported.txt");
	free(file);
	sign_key_free(k);
}
END_TEST

/*
 * The attacker rewrites seq 7, recomputes every hash after it, throws the
 * database's checkpoints away and signs new ones with the current key.
 * The database alone cannot tell; the exported checkpoints can, and the
 * ones that still agree say where the rewrite begins.
 */
START_TEST(test_resigned_rewrite)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	struct journal_row	 r;
	sqlite3			*db;
	sqlite3_stmt		*st, *up;
	uint8_t			 prev[SIGN_HASH_LEN], h[SIGN_HASH_LEN];
	char			 hex[65], phex[65], origin[256], body[512];
	char			*file, *canon, *note;
	int			 size;

	make_journal(20, 5, k);
	file = export();

	db = attacker();
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE journal SET reason = "
	    "'nothing happened' WHERE seq = 7", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT seq, time_ms, actor, "
	    "role, kind, feed, attempt, flag_id, reason_code, reason, evidence, "
	    "detail FROM journal WHERE seq >= 6 ORDER BY seq", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE journal SET body = ?1, "
	    "prev_hash = ?2, hash = ?3 WHERE seq = ?4", -1, &up, NULL),
	    SQLITE_OK);
	memset(prev, 0, sizeof prev);
	{
		sqlite3_stmt	*p;

		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hash FROM "
		    "journal WHERE seq = 5", -1, &p, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(p), SQLITE_ROW);
		ck_assert_int_eq(sign_unhex((const char *)
		    sqlite3_column_text(p, 0), prev), 0);
		sqlite3_finalize(p);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.seq = sqlite3_column_int64(st, 0);
		r.time_ms = sqlite3_column_int64(st, 1);
		r.actor = (const char *)sqlite3_column_text(st, 2);
		r.role = (const char *)sqlite3_column_text(st, 3);
		r.kind = (const char *)sqlite3_column_text(st, 4);
		r.feed = (const char *)sqlite3_column_text(st, 5);
		r.attempt = (const char *)sqlite3_column_text(st, 6);
		r.flag_id = sqlite3_column_int64(st, 7);
		r.reason_code = (const char *)sqlite3_column_text(st, 8);
		r.reason = (const char *)sqlite3_column_text(st, 9);
		r.evidence = (const char *)sqlite3_column_text(st, 10);
		r.detail = (const char *)sqlite3_column_text(st, 11);
		ck_assert_int_eq(journal_body(&r, &canon, err, sizeof err), 0);
		sign_chain(prev, canon, strlen(canon), h);
		sign_hex(prev, phex);
		sign_hex(h, hex);
		sqlite3_bind_text(up, 1, canon, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, phex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 3, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 4, r.seq);
		ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
		free(canon);
		memcpy(prev, h, sizeof prev);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	/* Without signing them again, the entries' own signatures tell. */
	{
		struct store_verify	w = verify(NULL);

		expect(&w, STORE_VERIFY_ENTRY_SIGNATURE, 7, "re-signed or "
		    "altered");
	}
	resign_entries(db, k, 6);

	/* New checkpoints, signed with the same key, for the new hashes. */
	ck_assert_int_eq(journal_origin(db, origin, sizeof origin, err,
	    sizeof err), 0);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM checkpoints", NULL,
	    NULL, NULL), SQLITE_OK);
	for (size = 5; size <= 20; size += 5) {
		ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hash FROM "
		    "journal WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int(st, 1, size);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_int_eq(sign_unhex((const char *)
		    sqlite3_column_text(st, 0), h), 0);
		sqlite3_finalize(st);
		ck_assert_int_eq(sign_checkpoint_body(body, sizeof body, origin,
		    (uint64_t)size, h, err, sizeof err), 0);
		note = sign_note(k, body, err, sizeof err);
		ck_assert_ptr_nonnull(note);
		ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO checkpoints "
		    "(size, root, signer, time_ms, note) VALUES (?1, '', "
		    "'alice', 0, ?2)", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int(st, 1, size);
		sqlite3_bind_text(st, 2, note, -1, SQLITE_TRANSIENT);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		free(note);
	}
	sqlite3_close(db);

	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);	/* the limit of a lone file */
	v = verify(file);
	expect(&v, STORE_VERIFY_MISMATCH, 6, "between seq 6 and 10");
	free(file);
	sign_key_free(k);
}
END_TEST

/*
 * The attacker swaps the keys table for their own key (named alice),
 * signs every entry again and a new checkpoint with it, the old ones gone.
 */
static void
resign_with(struct sign_key *evil)
{
	struct store	*s;
	char		 sql[512];

	snprintf(sql, sizeof sql, "DELETE FROM keys; DELETE FROM checkpoints; "
	    "INSERT INTO keys VALUES ('%s', 'alice', 'alice', 'proctor', 0)",
	    sign_key_vkey(evil));
	attack(sql);
	{
		sqlite3	*db = attacker();

		resign_entries(db, evil, 1);
		sqlite3_close(db);
	}
	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	ck_assert_int_eq(store_checkpoint(s, evil, NULL, err, sizeof err), 0);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
}

/* The attacker swaps in a key of their own and re-signs. */
START_TEST(test_replaced_key)
{
	struct sign_key		*k = test_key("alice", 1);
	struct sign_key		*evil = test_key("alice", 2);
	struct store_verify	 v;
	char			*file;

	make_journal(6, 3, k);
	file = export();
	resign_with(evil);

	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	v = verify(file);
	expect(&v, STORE_VERIFY_UNKNOWN_KEY, 0, "no key of that name");
	free(file);
	sign_key_free(k);
	sign_key_free(evil);
}
END_TEST

START_TEST(test_forged_note)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	char			*file, *p;

	make_journal(6, 3, k);
	/* A checkpoint's size changed after signing: 3 -> 2. */
	attack("UPDATE checkpoints SET note = replace(note, char(10) || '3' || "
	    "char(10), char(10) || '2' || char(10)) WHERE size = 3");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_SIGNATURE, 0, "does not verify");

	/* A file of notes for another journal. */
	teardown();
	setup();
	make_journal(6, 3, k);
	file = export();
	teardown();
	setup();
	make_journal(6, 3, k);
	v = verify(file);
	expect(&v, STORE_VERIFY_MISMATCH, 0, "not this database's");

	/* Not a checkpoints file at all. */
	p = strchr(file, '\n');
	*p = '\0';
	v = verify(file);
	ck_assert_int_eq(v.problem, STORE_VERIFY_MALFORMED);
	v = verify("");
	expect(&v, STORE_VERIFY_MALFORMED, 0, "holds no checkpoint");
	free(file);
	sign_key_free(k);
}
END_TEST

/* A hostile file's origin is printed sanitised: no bidi control gets out. */
START_TEST(test_hostile_origin_sanitised)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	uint8_t			 root[SIGN_HASH_LEN];
	char			 body[512], file[2048], *note;

	make_journal(3, 3, k);
	memset(root, 7, sizeof root);
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body,
	    "evil\xe2\x80\xae/journal\x7f", 3, root, err, sizeof err), 0);
	note = sign_note(k, body, err, sizeof err);
	ck_assert_ptr_nonnull(note);
	snprintf(file, sizeof file, "%s\n", note);
	v = verify(file);
	expect(&v, STORE_VERIFY_MISMATCH, 0, "not this database's");
	ck_assert_msg(strstr(v.what, "\xe2\x80\xae") == NULL &&
	    strchr(v.what, 0x7f) == NULL, "raw controls in: %s", v.what);
	ck_assert_msg(strstr(v.what, "202") != NULL, "%s", v.what);
	free(note);
	sign_key_free(k);
}
END_TEST

/* A database of schema 1 (tests/fixtures/schema-v1.sql) is chained. */
START_TEST(test_upgrade_from_schema_1)
{
	struct store		*s;
	struct store_verify	 v;
	sqlite3			*db;
	sqlite3_stmt		*st;
	FILE			*f;
	char			*sql, path[512];
	long			 len;

	snprintf(path, sizeof path, "%s/fixtures/schema-v1.sql",
	    getenv("TESTS_DIR") != NULL ? getenv("TESTS_DIR") : "tests");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	sql = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(fread(sql, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(sql);

	ck_assert_msg(store_open(&s, dbpath, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.entries, 3);

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT group_concat(kind || "
	    "' ' || coalesce(detail, '-'), '|') FROM journal", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "note {}|"
	    "warn {\"cmd\":\"p-7-1795000001000-1\"}|dismiss "
	    "{\"flag\":1,\"rule\":\"phone_seen\"}");
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM "
	    "messages) || ' ' || (SELECT user_version FROM pragma_user_version)"
	    " || ' ' || (SELECT count(*) FROM sqlite_schema WHERE name = "
	    "'journal_v1')", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "26 5 0");
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/*
 * The attacker appends entries after the last checkpoint, chained right
 * and signed with k (alice's own key: alice is the attacker, or has lost
 * her key).
 */
static void
forge_tail(int n, const struct sign_key *k)
{
	struct journal_row	 r;
	sqlite3			*db = attacker();
	int			 i;

	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	for (i = 0; i < n; i++) {
		memset(&r, 0, sizeof r);
		r.time_ms = 1700000000000;
		r.actor = "alice";
		r.role = "proctor";
		r.kind = "dismiss";
		r.attempt = "A-17";
		r.reason = "nothing to see";
		r.signer = k;
		ck_assert_msg(journal_insert(db, &r, NULL, err, sizeof err) ==
		    0, "%s", err);
	}
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/*
 * A checkpoint of size S covers entries 1..S; what follows the last one is
 * vouched for by the chain alone.  A forged tail with a correct chain
 * holds as a chain, and verify says how much no checkpoint covers, in the
 * database and in the file.
 */
START_TEST(test_uncovered_tail)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	char			*file;

	make_journal(10, 4, k);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.entries, 10);
	ck_assert_int_eq(v.covered, 8);
	ck_assert_int_eq(v.file_covered, 0);
	file = export();
	v = verify(file);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.covered, 8);
	ck_assert_int_eq(v.file_covered, 8);

	forge_tail(3, k);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);	/* the chain holds... */
	ck_assert_int_eq(v.entries, 13);
	ck_assert_int_eq(v.covered, 8);		/* ...but nothing signs 9..13 */
	v = verify(file);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.file_covered, 8);
	free(file);

	/* No checkpoint at all covers nothing. */
	teardown();
	setup();
	make_journal(3, 0, k);
	v = verify(NULL);
	ck_assert_int_eq(v.entries, 3);
	ck_assert_int_eq(v.covered, 0);
	sign_key_free(k);
}
END_TEST

/* Replace text in table's SQL in the schema, as a crafted file could. */
static void
rewrite_schema(const char *table, const char *from, const char *to)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA writable_schema = ON", NULL,
	    NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE sqlite_schema SET sql "
	    "= replace(sql, ?1, ?2) WHERE name = ?3", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, table, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(db), 1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int
no_null_message(const char *feed, int64_t epoch, int64_t seq,
    const char *body, size_t len, void *arg)
{
	(void)epoch;
	(void)seq;
	ck_assert_ptr_nonnull(feed);
	ck_assert_ptr_nonnull(body);
	ck_assert_uint_eq(len, strlen(body));
	++*(int *)arg;
	return 0;
}

/*
 * A crafted file may hold NULL where invigil's schema says NOT NULL (the
 * schema's text is not what wrote the rows): verify reports, never crashes.
 */
START_TEST(test_crafted_nulls)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store_verify	 v;
	struct store_reader	*r;
	int			 n = 0;

	make_journal(6, 3, k);
	attack("INSERT INTO keys VALUES (NULL, 'x', 'x', 'x', 0)");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);

	rewrite_schema("checkpoints", "note\t\tTEXT NOT NULL", "note\t\tTEXT");
	attack("INSERT INTO checkpoints (size, root, signer, time_ms, note) "
	    "VALUES (1, '', 'x', 0, NULL)");
	rewrite_schema("checkpoints", "note\t\tTEXT", "note\t\tTEXT NOT NULL");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_MALFORMED, 0, "checkpoint 3 is not a signed "
	    "note");

	/* A message without feed or body reaches backtest as "". */
	rewrite_schema("messages", "feed\t\tTEXT NOT NULL", "feed\t\tTEXT");
	rewrite_schema("messages", "body\t\tTEXT NOT NULL", "body\t\tTEXT");
	attack("INSERT INTO messages (feed, epoch, seq, type, ts_ms, recv_ms, "
	    "body) VALUES (NULL, 1, 1, 'event', 0, 0, NULL)");
	rewrite_schema("messages", "feed\t\tTEXT", "feed\t\tTEXT NOT NULL");
	rewrite_schema("messages", "body\t\tTEXT", "body\t\tTEXT NOT NULL");
	ck_assert_int_eq(store_reader_open(&r, dbpath, err, sizeof err), 0);
	ck_assert_int_eq(store_reader_each_message(r, no_null_message, &n, err,
	    sizeof err), 0);
	ck_assert_int_eq(n, 1);
	store_reader_close(r);
	sign_key_free(k);
}
END_TEST

/* A checkpoint is signed only when the journal grew. */
START_TEST(test_checkpoint_only_when_grown)
{
	struct sign_key		*k = test_key("alice", 1);
	struct store		*s;
	int64_t			 size;

	make_journal(4, 0, k);
	ck_assert_int_eq(store_open(&s, dbpath, err, sizeof err), 0);
	ck_assert_int_eq(store_checkpoint(s, k, &size, err, sizeof err), 0);
	ck_assert_int_eq(size, 4);
	ck_assert_int_eq(store_checkpoint(s, k, &size, err, sizeof err), 0);
	ck_assert_int_eq(size, 0);
	ck_assert_int_eq(store_journal_size(s, err, sizeof err), 4);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	sign_key_free(k);
}
END_TEST

/* The root a new checkpoint signs is the RFC 6962 tree hash of the bodies. */
START_TEST(test_checkpoint_is_tree_hash)
{
	struct sign_key		*k = test_key("alice", 1);
	struct merkle_stream	 ms;
	struct sign_note	 n;
	sqlite3			*db;
	sqlite3_stmt		*st;
	uint8_t			 leaf[MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	const char		*note;
	int			 rows = 0;

	make_journal(11, 11, k);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT body FROM journal "
	    "ORDER BY seq", -1, &st, NULL), SQLITE_OK);
	merkle_stream_init(&ms);
	while (sqlite3_step(st) == SQLITE_ROW) {
		merkle_leaf_hash(sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), leaf);
		ck_assert_int_eq(merkle_stream_add(&ms, leaf, err, sizeof err),
		    0);
		rows++;
	}
	sqlite3_finalize(st);
	ck_assert_int_eq(rows, 11);
	merkle_stream_root(&ms, root);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT note, tree FROM "
	    "checkpoints", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	note = (const char *)sqlite3_column_text(st, 0);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), "rfc6962");
	ck_assert_int_eq(sign_note_parse(note, strlen(note), &n, err,
	    sizeof err), 0);
	ck_assert_uint_eq(n.size, 11);
	ck_assert_mem_eq(n.root, root, MERKLE_HASH_LEN);
	sign_note_clear(&n);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* A checkpoint relabelled 'chain' no longer matches its journal. */
	attack("UPDATE checkpoints SET tree = 'chain'");
	expect_verify(STORE_VERIFY_MISMATCH, 1, "chain hash of 11 entries");
	sign_key_free(k);
}
END_TEST

/*
 * Insert a checkpoint of the old kind ('chain': the hash of entry size),
 * signed by k, through db.
 */
static void
chain_checkpoint(sqlite3 *db, struct sign_key *k, int size)
{
	sqlite3_stmt	*st;
	uint8_t		 h[SIGN_HASH_LEN];
	char		 origin[256], body[512], *note;

	ck_assert_int_eq(journal_origin(db, origin, sizeof origin, err,
	    sizeof err), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT hash FROM journal "
	    "WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, size);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sign_unhex((const char *)sqlite3_column_text(st, 0),
	    h), 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body, origin,
	    (uint64_t)size, h, err, sizeof err), 0);
	ck_assert_ptr_nonnull(note = sign_note(k, body, err, sizeof err));
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO checkpoints "
	    "(size, root, signer, time_ms, note) VALUES (?1, '', 'alice', 0, "
	    "?2)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int(st, 1, size);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(note);
}

/*
 * A schema-2 database (made here by taking schema 3's additions away
 * from a new one) with checkpoints of the old kind: after the upgrade they
 * are 'chain' checkpoints and still verify beside the new 'rfc6962' ones,
 * in the database and exported.
 */
START_TEST(test_schema_2_chain_checkpoints)
{
	struct sign_key			*k = test_key("alice", 1);
	struct store_verify		 v;
	struct store_journal_entry	 e;
	struct store			*s;
	sqlite3				*db;
	sqlite3_stmt			*st;
	char				*file;

	make_journal(8, 0, k);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, "DROP TRIGGER journal_signed;"
	    "DELETE FROM meta WHERE key = 'signed_from';"
	    "ALTER TABLE journal DROP COLUMN sig;"
	    "ALTER TABLE journal DROP COLUMN sig_vkey;"
	    "DROP INDEX flags_source;"
	    "ALTER TABLE flags DROP COLUMN source;"
	    "ALTER TABLE flags DROP COLUMN source_id;"
	    "ALTER TABLE commands DROP COLUMN source;"
	    "ALTER TABLE gaps DROP COLUMN source;"
	    "DROP TABLE conflicts; DROP TABLE imported_checkpoints;"
	    "DROP TABLE imported_journal; DROP TABLE sources;"
	    "ALTER TABLE checkpoints DROP COLUMN tree;"
	    "PRAGMA user_version = 2", NULL, NULL, NULL) == SQLITE_OK, "%s",
	    sqlite3_errmsg(db));
	chain_checkpoint(db, k, 4);
	chain_checkpoint(db, k, 8);
	sqlite3_close(db);

	ck_assert_msg(store_open(&s, dbpath, err, sizeof err) == 0, "%s", err);
	check_signer(s, "alice", "proctor");
	memset(&e, 0, sizeof e);
	e.actor = "alice";
	e.role = "proctor";
	e.kind = "note";
	e.reason = "after the upgrade";
	ck_assert_int_eq(store_journal_append(s, &e, NULL, NULL, err,
	    sizeof err), 0);
	ck_assert_int_eq(store_checkpoint(s, k, NULL, err, sizeof err), 0);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT group_concat(size || "
	    "':' || tree, ' ') FROM checkpoints", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
	    "4:chain 8:chain 9:rfc6962");
	sqlite3_finalize(st);
	sqlite3_close(db);

	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.db_checkpoints, 3);
	ck_assert_int_eq(v.covered, 9);
	/* Schema 4 came with the upgrade: 1..8 by checkpoints only. */
	ck_assert_int_eq(v.unsigned_entries, 8);
	ck_assert_int_eq(v.signed_entries, 1);
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE "
	    "key = 'signed_from'", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "9");
	sqlite3_finalize(st);
	/* An unsigned entry forced in after that is refused, then found. */
	ck_assert_int_ne(sqlite3_exec(db, "INSERT INTO journal (seq, time_ms, "
	    "actor, role, kind, body, prev_hash, hash) SELECT 10, 0, 'x', "
	    "'proctor', 'note', '{}', hash, 'h' FROM journal WHERE seq = 9",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_msg(strstr(sqlite3_errmsg(db), "must be signed") != NULL,
	    "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
	file = export();
	v = verify(file);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.file_checkpoints, 3);

	/* Entry 6 changed: the chain checkpoint of 8 and the tree of 9. */
	attack("UPDATE journal SET reason = 'other', body = replace(body, "
	    "'number 6', 'other') WHERE seq = 6");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_ALTERED, 6, NULL);
	free(file);
	sign_key_free(k);
}
END_TEST

/* Run verify with trusted keys. */
static struct store_verify
verify_keys(const char *file, const char *const *keys, size_t nkeys)
{
	struct store_reader	*r;
	struct store_verify	 v;

	ck_assert_msg(store_reader_open(&r, dbpath, err, sizeof err) == 0,
	    "reader: %s", err);
	ck_assert_msg(store_verify_keys(r, file, file != NULL ? strlen(file) :
	    0, "exported.txt", keys, nkeys, &v, err, sizeof err) == 0,
	    "verify: %s", err);
	store_reader_close(r);
	return v;
}

/* --key: checkpoints must be signed by a key kept outside the database. */
START_TEST(test_trusted_keys)
{
	struct sign_key		*k = test_key("alice", 1);
	struct sign_key		*evil = test_key("alice", 2);
	struct sign_key		*bob = test_key("bob", 3);
	struct store_verify	 v;
	const char		*keys[2];

	make_journal(6, 3, k);
	keys[0] = sign_key_vkey(k);
	v = verify_keys(NULL, keys, 1);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.trusted, 2);
	keys[0] = sign_key_vkey(bob);
	keys[1] = sign_key_vkey(k);
	v = verify_keys(NULL, keys, 2);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	v = verify_keys(NULL, keys, 1);
	expect(&v, STORE_VERIFY_UNTRUSTED, 0, "signed only by alice");

	/* The attacker's key in the keys table fools verify, not --key. */
	resign_with(evil);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	keys[0] = sign_key_vkey(k);
	v = verify_keys(NULL, keys, 1);
	expect(&v, STORE_VERIFY_UNTRUSTED, 0, "none of the keys given");
	sign_key_free(k);
	sign_key_free(evil);
	sign_key_free(bob);
}
END_TEST

/*
 * A database with the journal of another (src) imported as its own chain,
 * the way `review import` stores it.
 */
static void
import_from(const char *src)
{
	sqlite3	*db;
	char	 sql[1024];

	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS src;"
	    "INSERT INTO sources SELECT value, 'src.db', 0, (SELECT count(*) "
	    "FROM src.journal) FROM src.meta WHERE key = 'journal_origin';"
	    "INSERT INTO imported_journal SELECT (SELECT origin FROM sources), "
	    "* FROM src.journal ORDER BY seq;"
	    "INSERT INTO imported_checkpoints SELECT (SELECT origin FROM "
	    "sources), size, root, signer, time_ms, note, tree FROM "
	    "src.checkpoints ORDER BY id;"
	    "INSERT OR IGNORE INTO keys SELECT * FROM src.keys;"
	    "DETACH src", src);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
	    "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

/*
 * src.db: a journal of n entries by b, a checkpoint every `every`; the
 * database: nown entries by k (a checkpoint every ownevery) with src.db's
 * journal imported.
 */
static void
make_case(int n, int every, struct sign_key *b, int nown, int ownevery,
    struct sign_key *k)
{
	char	src[128];

	make_journal(n, every, b);
	snprintf(src, sizeof src, "%s/src.db", tmpdir);
	ck_assert_int_eq(rename(dbpath, src), 0);
	make_journal(nown, ownevery, k);
	import_from(src);
}

START_TEST(test_imported_chains)
{
	struct sign_key		*k = test_key("alice", 1);
	struct sign_key		*b = test_key("bob", 2);
	struct store_verify	 v;
	char			 src[128], *file;

	make_case(7, 3, b, 5, 5, k);
	snprintf(src, sizeof src, "%s/src.db", tmpdir);
	v = verify(NULL);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.entries, 5);
	ck_assert_int_eq(v.chains, 1);
	ck_assert_int_eq(v.imported_entries, 7);
	ck_assert_int_eq(v.imported_checkpoints, 2);
	ck_assert_int_eq(v.imported_uncovered, 1);

	/* The source's exported checkpoints go to its chain. */
	{
		char	save[128];

		snprintf(save, sizeof save, "%s", dbpath);
		snprintf(dbpath, sizeof dbpath, "%s", src);
		file = export();
		snprintf(dbpath, sizeof dbpath, "%s", save);
	}
	v = verify(file);
	expect(&v, STORE_VERIFY_OK, 0, NULL);
	ck_assert_int_eq(v.file_checkpoints, 2);
	free(file);

	/* A key given with --key must sign every chain's checkpoints. */
	{
		const char	*keys[2] = { sign_key_vkey(k), sign_key_vkey(b) };

		v = verify_keys(NULL, keys, 2);
		expect(&v, STORE_VERIFY_OK, 0, NULL);
		v = verify_keys(NULL, keys, 1);
		expect(&v, STORE_VERIFY_UNTRUSTED, 0, "signed only by bob");
		ck_assert_str_ne(v.chain, "");
	}

	attack("DROP TRIGGER imported_journal_no_update; UPDATE "
	    "imported_journal SET reason = 'x' WHERE seq = 4");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_ALTERED, 4, "in the journal imported from");
	ck_assert_str_ne(v.chain, "");
	sign_key_free(k);
	sign_key_free(b);
}
END_TEST

/* An imported chain's checkpoint is checked like the database's own. */
START_TEST(test_imported_checkpoint_forged)
{
	struct sign_key		*k = test_key("alice", 1);
	struct sign_key		*b = test_key("bob", 2);
	struct store_verify	 v;

	make_case(6, 3, b, 2, 0, k);
	attack("DROP TRIGGER imported_checkpoints_no_update; UPDATE "
	    "imported_checkpoints SET note = replace(note, char(10) || '6' || "
	    "char(10), char(10) || '5' || char(10)) WHERE size = 6");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_SIGNATURE, 0, "imported checkpoint 2");

	/* Truncated imported chain: its last entry deleted. */
	teardown();
	setup();
	make_case(6, 3, b, 2, 0, k);
	attack("DROP TRIGGER imported_journal_no_delete; DELETE FROM "
	    "imported_journal WHERE seq = 6");
	v = verify(NULL);
	expect(&v, STORE_VERIFY_TRUNCATED, 6, "ends at seq 5");
	ck_assert_str_ne(v.chain, "");
	sign_key_free(k);
	sign_key_free(b);
}
END_TEST

/* A consistency proof from the database, then checked from its text. */
static int
prove(int64_t o, int64_t n, struct store_consistency *c)
{
	struct store_reader	*r;
	int			 rc;

	ck_assert_int_eq(store_reader_open(&r, dbpath, err, sizeof err), 0);
	rc = store_consistency_prove(r, NULL, o, n, c, err, sizeof err);
	store_reader_close(r);
	return rc;
}

START_TEST(test_consistency_proof)
{
	struct sign_key			*k = test_key("alice", 1);
	struct sign_key			*b = test_key("bob", 2);
	struct store_consistency	 c, d;
	const char			*keys[1];
	char				*text, *bad, *p;
	const char			*hashx = "invigil consistency proof "
					    "v1\nold 3\nnew 12\nhash x\n\n";

	make_journal(12, 3, k);
	ck_assert_msg(prove(3, 12, &c) == 0, "%s", err);
	ck_assert_uint_gt(c.len, 0);
	text = store_consistency_text(&c);
	ck_assert_ptr_nonnull(strstr(text, "invigil consistency proof v1\nold 3\n"
	    "new 12\nhash "));
	keys[0] = sign_key_vkey(k);
	ck_assert_msg(store_consistency_check(text, strlen(text), keys, 1, &d,
	    err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(d.signers, "alice");
	ck_assert_int_eq(d.size[0], 3);
	ck_assert_int_eq(d.size[1], 12);
	store_consistency_clear(&d);
	ck_assert_int_eq(store_consistency_check(text, strlen(text), NULL, 0,
	    &d, err, sizeof err), 0);
	store_consistency_clear(&d);
	keys[0] = sign_key_vkey(b);
	ck_assert_int_eq(store_consistency_check(text, strlen(text), keys, 1,
	    &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "signed by none of the keys"));

	/* The sizes swapped in the header, a hash changed, a note dropped. */
	bad = strdup(text);
	p = strstr(bad, "old 3\nnew 12");
	memcpy(p, "old 6", 5);
	ck_assert_int_eq(store_consistency_check(bad, strlen(bad), NULL, 0,
	    &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "are not the checkpoints'"));
	free(bad);
	bad = strdup(text);
	p = strstr(bad, "hash ") + 5;
	*p = *p == 'A' ? 'B' : 'A';
	ck_assert_int_eq(store_consistency_check(bad, strlen(bad), NULL, 0,
	    &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not show"));
	free(bad);
	bad = strdup(text);
	p = strstr(bad, "\n\n") + 2;
	p = strstr(p, "\n\n") + 2;
	p = strstr(p, "\n\n") + 2;	/* the new note */
	*p = '\0';
	ck_assert_int_eq(store_consistency_check(bad, strlen(bad), NULL, 0,
	    &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "1 notes after the proof"));
	free(bad);
	ck_assert_int_eq(store_consistency_check(hashx, strlen(hashx), NULL, 0,
	    &d, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 4 is not \"hash BASE64\""));
	ck_assert_int_eq(store_consistency_check("nope", 4, NULL, 0, &d, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	free(text);
	store_consistency_clear(&c);

	/* Sizes without a checkpoint, backwards; equal sizes: empty proof. */
	ck_assert_int_eq(prove(4, 12, &c), -1);
	ck_assert_ptr_nonnull(strstr(err, "no checkpoint of size 4"));
	ck_assert_int_eq(prove(12, 3, &c), -1);
	ck_assert_int_eq(prove(6, 6, &c), 0);
	ck_assert_uint_eq(c.len, 0);
	store_consistency_clear(&c);

	/* A 'chain' checkpoint signs no tree. */
	attack("UPDATE checkpoints SET tree = 'chain' WHERE size = 3");
	ck_assert_int_eq(prove(3, 12, &c), -1);
	ck_assert_ptr_nonnull(strstr(err, "'chain' checkpoint"));

	/* A journal changed since: refused, not a proof that fails later. */
	attack("UPDATE journal SET body = replace(body, 'number 8', 'number "
	    "0') WHERE seq = 8");
	ck_assert_int_eq(prove(6, 12, &c), -1);
	ck_assert_ptr_nonnull(strstr(err, "no longer matches"));
	sign_key_free(k);
	sign_key_free(b);
}
END_TEST

static Suite *
journal_suite(void)
{
	Suite	*su = suite_create("journal");
	TCase	*tc = tcase_create("verify");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_intact);
	tcase_add_test(tc, test_one_byte_of_any_column);
	tcase_add_test(tc, test_deleted_row);
	tcase_add_test(tc, test_dropped_tail);
	tcase_add_test(tc, test_resigned_rewrite);
	tcase_add_test(tc, test_replaced_key);
	tcase_add_test(tc, test_forged_note);
	tcase_add_test(tc, test_upgrade_from_schema_1);
	tcase_add_test(tc, test_checkpoint_only_when_grown);
	tcase_add_test(tc, test_uncovered_tail);
	tcase_add_test(tc, test_hostile_origin_sanitised);
	tcase_add_test(tc, test_crafted_nulls);
	tcase_add_test(tc, test_checkpoint_is_tree_hash);
	tcase_add_test(tc, test_schema_2_chain_checkpoints);
	tcase_add_test(tc, test_trusted_keys);
	tcase_add_test(tc, test_imported_chains);
	tcase_add_test(tc, test_imported_checkpoint_forged);
	tcase_add_test(tc, test_consistency_proof);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(journal_suite());
}
