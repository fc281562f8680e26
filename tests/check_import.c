/*
 * check_import.c - Check suite for `invigil review import` (store/import.c):
 * sources made with the store's own writer, imported into a case database,
 * and the case read back with SQL.  A second import changes no row; a
 * message stored with two bodies is kept in conflicts and reported; a
 * source whose journal forks from what was imported of it, or does not
 * verify, is refused with nothing imported; attempts come out the same
 * whatever order the sources are imported in.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp */
#endif

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/proto.h"
#include "store/import.h"
#include "store/sign.h"
#include "store/store.h"

#define CHECK_TMP_NAME	"check_import"
#include "check_tmp.h"
#include "tests/check_main.h"
#include "tests/check_signer.h"

static char	tmpdir[64];
static char	err[2048];

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	err[0] = '\0';
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
}

/* tmpdir/name in buf. */
static const char *
path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
	return buf;
}

static struct proto_msg
attempt_msg(int64_t seq, const char *attempt, enum proto_state state,
    const char *ip)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_ATTEMPT;
	m.seq = seq;
	m.ts_ms = 1700000000000 + seq;
	snprintf(m.u.attempt.attempt, sizeof m.u.attempt.attempt, "%s", attempt);
	snprintf(m.u.attempt.candidate, sizeof m.u.attempt.candidate, "c-%s",
	    attempt);
	snprintf(m.u.attempt.name, sizeof m.u.attempt.name, "Ada Lovelace");
	snprintf(m.u.attempt.exam, sizeof m.u.attempt.exam, "EX-101");
	snprintf(m.u.attempt.ip, sizeof m.u.attempt.ip, "%s", ip);
	m.u.attempt.modality = PROTO_MODALITY_REMOTE;
	m.u.attempt.state = state;
	return m;
}

static struct proto_msg
state_msg(int64_t seq, const char *attempt, enum proto_state state)
{
	struct proto_msg	m;

	memset(&m, 0, sizeof m);
	m.type = PROTO_STATE;
	m.seq = seq;
	m.ts_ms = 1700000000000 + seq;
	snprintf(m.u.state.attempt, sizeof m.u.state.attempt, "%s", attempt);
	m.u.state.state = state;
	return m;
}

/* Queue m as the feed would have sent it (its encoding is the body). */
static void
add(struct store *s, const struct proto_msg *m)
{
	char	*raw;
	size_t	 len;

	raw = proto_encode(m, &len, err, sizeof err);
	ck_assert_msg(raw != NULL, "proto_encode: %s", err);
	ck_assert_msg(store_add_message(s, "f1", 1, m, raw, len,
	    1700000000500 + m->seq, err, sizeof err) == 0, "%s", err);
	free(raw);
}

/* A state message stored under seq with the body of another state. */
static void
add_forged(struct store *s, int64_t seq, enum proto_state body_state)
{
	struct proto_msg	m = state_msg(seq, "A1", PROTO_STATE_PAUSED);
	struct proto_msg	b = state_msg(seq, "A1", body_state);
	char			*raw;
	size_t			 len;

	raw = proto_encode(&b, &len, err, sizeof err);
	ck_assert_msg(raw != NULL, "proto_encode: %s", err);
	ck_assert_msg(store_add_message(s, "f1", 1, &m, raw, len, 1, err,
	    sizeof err) == 0, "%s", err);
	free(raw);
}

/* Journal n notes by actor on A1 and sign a checkpoint with key. */
static void
journal(struct store *s, const char *actor, int n, struct sign_key *key)
{
	struct store_journal_entry	e;
	char				reason[64];
	int				i;

	for (i = 1; i <= n; i++) {
		memset(&e, 0, sizeof e);
		e.actor = actor;
		e.role = "proctor";
		e.kind = "note";
		e.feed = "f1";
		e.attempt = "A1";
		snprintf(reason, sizeof reason, "%s's note %d", actor, i);
		e.reason = reason;
		ck_assert_msg(store_journal_append(s, &e, NULL, NULL, err,
		    sizeof err) == 0, "%s", err);
	}
	if (key != NULL)
		ck_assert_msg(store_checkpoint(s, key, NULL, err,
		    sizeof err) == 0, "%s", err);
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
 * Source A: attempt A1 (seq 1), events up to seq 6, a flag, 3 notes by
 * alice and a checkpoint.  Source B: the same seq 1..4, then seq 5..8 of
 * its own (A1 paused at 7), 2 notes by bob.
 */
static void
make_source(const char *path, int which)
{
	struct store		*s;
	struct store_flag	 f;
	struct sign_key		*k;
	struct proto_msg	 m;
	int			 seq;

	ck_assert_msg(store_open(&s, path, err, sizeof err) == 0, "%s", err);
	k = test_key(which == 0 ? "alice" : "bob", which + 1);
	ck_assert_int_eq(store_key_register(s, k, which == 0 ? "alice" : "bob",
	    "proctor", err, sizeof err), 0);
	store_set_signer(s, k);
	m = attempt_msg(1, "A1", PROTO_STATE_IN_PROGRESS, "10.0.0.1");
	add(s, &m);
	m = attempt_msg(2, "A2", PROTO_STATE_IN_PROGRESS, "");
	add(s, &m);
	for (seq = 3; seq <= (which == 0 ? 6 : 8); seq++) {
		m = seq == 7 ? state_msg(7, "A1", PROTO_STATE_PAUSED) :
		    attempt_msg(seq, "A2", PROTO_STATE_IN_PROGRESS, seq == 4 ?
		    "10.9.9.9" : "");
		add(s, &m);
	}
	memset(&f, 0, sizeof f);
	f.id = store_flag_next_id(s);
	f.feed = "f1";
	f.attempt = "A1";
	f.rule = which == 0 ? "tab_switch" : "face_missing";
	f.severity = PROTO_SEV_MEDIUM;
	f.count = 1;
	f.state = STORE_FLAG_OPEN;
	ck_assert_int_eq(store_put_flag(s, &f, err, sizeof err), 0);
	ck_assert_int_eq(store_flush(s, err, sizeof err), 0);
	journal(s, which == 0 ? "alice" : "bob", which == 0 ? 3 : 2, k);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	sign_key_free(k);
}

/* Every row of every table of the database at path, as one string. */
static char *
dump(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*tables, *st;
	char		 sql[256], *out = NULL;
	size_t		 len = 0;
	FILE		*f;
	int		 i;

	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema "
	    "WHERE type = 'table' ORDER BY name", -1, &tables, NULL),
	    SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1, 2",
		    sqlite3_column_text(tables, 0));
		fprintf(f, "== %s\n", sqlite3_column_text(tables, 0));
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
		    SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(st); i++)
				fprintf(f, "%s|", sqlite3_column_type(st, i) ==
				    SQLITE_NULL ? "NULL" :
				    (const char *)sqlite3_column_text(st, i));
			fputc('\n', f);
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	fclose(f);
	return out;
}

/* The first column of the first row sql reads from the database at path,
 * as text (malloc'd; "NULL" for NULL). */
static char *
query_text(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	const char	*t;
	char		*v;

	ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	t = (const char *)sqlite3_column_text(st, 0);
	v = strdup(t != NULL ? t : "NULL");
	ck_assert_ptr_nonnull(v);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int64_t
query_int(const char *path, const char *sql)
{
	char	*t = query_text(path, sql);
	int64_t	 v = strtoll(t, NULL, 10);

	free(t);
	return v;
}

/* Change the database at path with the triggers out of the way. */
static void
tamper(const char *path, const char *sql)
{
	sqlite3	*db;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/*
 * Import srcs (NULL-ended) into the case at casepath, each of which must
 * return want (0 imported, -1 refused with the sentence in err); *last
 * gets what the last one did.
 */
static void
import_want(const char *casepath, const char *const *srcs, int want,
    struct store_import *last)
{
	struct store	*s;

	ck_assert_msg(store_open(&s, casepath, err, sizeof err) == 0, "%s",
	    err);
	check_signer(s, "ana", "analyst");
	for (; *srcs != NULL; srcs++)
		ck_assert_msg(store_import(s, *srcs, "ana", last, err,
		    sizeof err) == want, "import %s: want %d: %s", *srcs, want,
		    err);
	ck_assert_int_eq(store_close(s, NULL, 0), 0);
}

static void
import_ok(const char *casepath, const char *const *srcs,
    struct store_import *last)
{
	import_want(casepath, srcs, 0, last);
}

/* Import src into the case at casepath, which must be refused. */
static void
import_refused(const char *casepath, const char *src)
{
	import_want(casepath, (const char *[]){ src, NULL }, -1,
	    &(struct store_import){ 0 });
}

START_TEST(test_union_and_idempotence)
{
	char			 a[128], b[128], c[128], *before, *after;
	struct store_import	 r;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	make_source(path_of(b, sizeof b, "b.db"), 1);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ a, NULL }, &r);
	ck_assert_int_eq(r.messages, 6);
	ck_assert_int_eq(r.journal_rows, 3);
	ck_assert_int_eq(r.flags, 1);
	ck_assert_int_eq(r.checkpoints, 1);
	ck_assert(r.changed);
	import_ok(c, (const char *[]){ b, NULL }, &r);
	ck_assert_int_eq(r.messages, 2);	/* 7 and 8 */
	ck_assert_int_eq(r.present, 6);
	ck_assert_int_eq(r.conflicts, 0);
	ck_assert_int_eq(r.journal_rows, 2);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM messages"), 8);
	ck_assert_int_eq(query_int(c, "SELECT count(DISTINCT seq) FROM "
	    "messages"), 8);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM flags WHERE "
	    "source IS NOT NULL AND source_id = 1"), 2);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM journal WHERE "
	    "kind = 'import' AND role = 'analyst' AND actor = 'ana'"), 2);
	/* alice, bob (imported) and ana, whose key signs the import acts */
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM keys"), 3);
	ck_assert_int_eq(query_int(c, "SELECT last_seq FROM feeds WHERE "
	    "feed = 'f1'"), 8);

	/* Twice: not one row changes, and no import act is journaled. */
	before = dump(c);
	import_ok(c, (const char *[]){ a, b, NULL }, &r);
	ck_assert(!r.changed);
	ck_assert_int_eq(r.messages, 0);
	ck_assert_int_eq(r.present, 8);
	after = dump(c);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* The imported chain is the source's journal, column for column. */
START_TEST(test_chain_verbatim)
{
	char		 a[128], c[128], sql[512];
	sqlite3		*db;
	sqlite3_stmt	*st;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ a, NULL }, &(struct store_import){ 0 });
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM imported_journal"),
	    3);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM "
	    "imported_checkpoints"), 1);
	/* Every source row is in the case, column for column. */
	ck_assert_int_eq(sqlite3_open(c, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS src", a);
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM (SELECT "
	    "seq, time_ms, actor, role, kind, feed, attempt, flag_id, "
	    "reason_code, reason, evidence, detail, body, prev_hash, hash FROM "
	    "src.journal EXCEPT SELECT seq, time_ms, actor, role, kind, feed, "
	    "attempt, flag_id, reason_code, reason, evidence, detail, body, "
	    "prev_hash, hash FROM imported_journal) UNION ALL SELECT count(*) "
	    "FROM (SELECT size, root, signer, time_ms, note, tree FROM "
	    "src.checkpoints EXCEPT SELECT size, root, signer, time_ms, note, "
	    "tree FROM imported_checkpoints)", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

START_TEST(test_conflict_kept_and_reported)
{
	char			 a[128], b[128], c[128];
	struct store		*s;
	struct store_import	 r;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	path_of(b, sizeof b, "b.db");
	ck_assert_msg(store_open(&s, b, err, sizeof err) == 0, "%s", err);
	add_forged(s, 5, PROTO_STATE_TERMINATED);	/* A has an attempt */
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ a, b, NULL }, &r);
	ck_assert_int_eq(r.conflicts, 1);
	ck_assert_int_eq(r.messages, 0);
	ck_assert_uint_eq(r.nshown, 1);
	ck_assert_str_eq(r.conflict_keys[0].feed, "f1");
	ck_assert_int_eq(r.conflict_keys[0].epoch, 1);
	ck_assert_int_eq(r.conflict_keys[0].seq, 5);
	/* Both bodies kept: the first in messages, B's in conflicts. */
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM conflicts WHERE "
	    "feed = 'f1' AND epoch = 1 AND seq = 5 AND body LIKE "
	    "'%terminated%' AND source = (SELECT origin FROM sources WHERE "
	    "path LIKE '%b.db')"), 1);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM messages WHERE "
	    "seq = 5 AND type = 'attempt'"), 1);
	/* Reported once: again, nothing new. */
	import_ok(c, (const char *[]){ b, NULL }, &r);
	ck_assert_int_eq(r.conflicts, 0);
	ck_assert(!r.changed);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM conflicts"), 1);
}
END_TEST

START_TEST(test_fork_refused)
{
	char	 a[128], a2[128], c[128], sql[512], *before, *after;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ a, NULL }, &(struct store_import){ 0 });

	/* Another journal under A's origin: 3 valid rows, not A's. */
	path_of(a2, sizeof a2, "a2.db");
	make_source(a2, 0);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS a; DELETE FROM checkpoints; "
	    "UPDATE meta SET value = (SELECT value FROM a.meta WHERE key = "
	    "'journal_origin') WHERE key = 'journal_origin'", a);
	tamper(a2, "DROP TRIGGER checkpoints_no_delete");
	tamper(a2, sql);
	before = dump(c);
	import_refused(c, a2);
	ck_assert_msg(strstr(err, "forks from the copy imported on") != NULL,
	    "%s", err);
	ck_assert_msg(strstr(err, "a2.db") != NULL, "%s", err);
	after = dump(c);
	ck_assert_str_eq(before, after);
	free(after);

	/* A's journal cut short after the import: refused too. */
	tamper(a, "DROP TRIGGER journal_no_delete; DROP TRIGGER "
	    "checkpoints_no_delete; DELETE FROM checkpoints; DELETE FROM "
	    "journal WHERE seq = 3");
	import_refused(c, a);
	ck_assert_msg(strstr(err, "it ends at seq 2, but 3 rows were "
	    "imported") != NULL, "%s", err);
	after = dump(c);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_unverified_refused)
{
	char	a[128], b[128], c[128], *before, *after;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	make_source(path_of(b, sizeof b, "b.db"), 1);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ b, NULL }, &(struct store_import){ 0 });
	tamper(a, "DROP TRIGGER journal_no_update; UPDATE journal SET reason "
	    "= 'nothing happened' WHERE seq = 2");
	before = dump(c);
	import_refused(c, a);
	ck_assert_msg(strstr(err, "a.db's journal does not verify") != NULL &&
	    strstr(err, "seq 2 was altered") != NULL &&
	    strstr(err, "nothing was imported") != NULL, "%s", err);
	after = dump(c);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* The case itself is no source. */
	import_refused(c, c);
	ck_assert_msg(strstr(err, "is the case database itself") != NULL, "%s",
	    err);
}
END_TEST

/* The attempts rows do not depend on the order of the sources. */
START_TEST(test_attempts_any_order)
{
	char	 a[128], b[128], c1[128], c2[128], *ab, *ba;
	char	 sql[] = "SELECT group_concat(feed || attempt || coalesce("
	    "candidate, '-') || coalesce(ip, '-') || state || first_seq || "
	    "updated_ms, ';') FROM (SELECT * FROM attempts ORDER BY feed, "
	    "attempt)";

	make_source(path_of(a, sizeof a, "a.db"), 0);
	make_source(path_of(b, sizeof b, "b.db"), 1);
	import_ok(path_of(c1, sizeof c1, "ab.db"), (const char *[]){ a, b,
	    NULL }, &(struct store_import){ 0 });
	import_ok(path_of(c2, sizeof c2, "ba.db"), (const char *[]){ b, a,
	    NULL }, &(struct store_import){ 0 });
	ab = query_text(c1, sql);
	ba = query_text(c2, sql);
	ck_assert_str_eq(ab, ba);
	/* A1 paused by B's seq 7; A2's ip from seq 4, kept by later ones. */
	ck_assert_str_eq(ab, "f1A1c-A110.0.0.1paused11700000000007;"
	    "f1A2c-A210.9.9.9in_progress21700000000008");
	free(ab);
	free(ba);
}
END_TEST

/* A flag decided in the source after an import is updated by the next. */
START_TEST(test_flag_decided_later)
{
	char			 a[128], c[128];
	struct store_import	 r;

	make_source(path_of(a, sizeof a, "a.db"), 0);
	path_of(c, sizeof c, "case.db");
	import_ok(c, (const char *[]){ a, NULL }, &r);
	tamper(a, "UPDATE flags SET state = 'dismissed', closed_ms = 5");
	import_ok(c, (const char *[]){ a, NULL }, &r);
	ck_assert_int_eq(r.flags, 1);
	ck_assert(r.changed);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM flags WHERE state "
	    "= 'dismissed' AND source IS NOT NULL"), 1);
	ck_assert_int_eq(query_int(c, "SELECT count(*) FROM flags"), 1);
}
END_TEST

/* One text of every commands row of the case at path. */
static char *
commands_of(const char *path)
{
	return query_text(path, "SELECT group_concat(id || '|' || feed || '|' "
	    "|| coalesce(attempt, '-') || '|' || coalesce(action, '-') || '|' "
	    "|| coalesce(actor, '-') || '|' || coalesce(sent_ms, '-') || '|' "
	    "|| coalesce(ack_ms, '-') || '|' || coalesce(ok, '-') || '|' || "
	    "(source = (SELECT origin FROM sources WHERE path LIKE '%a.db')), "
	    "';') FROM commands");
}

/*
 * A command sent by A's console and acknowledged to B's only (each
 * console keeps the feed's acknowledgements of every command): one row,
 * what was sent from A, the acknowledgement from B, whatever the order.
 */
START_TEST(test_command_sent_here_acked_there)
{
	char				 a[128], b[128], c1[128], c2[128];
	char				*ab, *ba;
	struct store			*s;
	struct store_journal_entry	 e;
	struct store_command		 cmd;

	path_of(a, sizeof a, "a.db");
	path_of(b, sizeof b, "b.db");
	ck_assert_msg(store_open(&s, a, err, sizeof err) == 0, "%s", err);
	check_signer(s, "ana", "proctor");
	memset(&e, 0, sizeof e);
	e.actor = "ana";
	e.role = "proctor";
	e.kind = "pause";
	e.feed = "f1";
	e.attempt = "A1";
	memset(&cmd, 0, sizeof cmd);
	cmd.id = "ana-1-1";
	cmd.feed = "f1";
	cmd.attempt = "A1";
	cmd.action = "pause";
	cmd.actor = "ana";
	cmd.sent_ms = 100;
	ck_assert_msg(store_journal_append(s, &e, &cmd, NULL, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);
	ck_assert_msg(store_open(&s, b, err, sizeof err) == 0, "%s", err);
	check_signer(s, "bob", "proctor");
	ck_assert_int_eq(store_command_acked(s, "f1", "ana-1-1", 1, NULL, 200,
	    NULL, err, sizeof err), 1);
	ck_assert_int_eq(store_close(s, err, sizeof err), 0);

	import_ok(path_of(c1, sizeof c1, "ab.db"), (const char *[]){ a, b,
	    NULL }, &(struct store_import){ 0 });
	import_ok(path_of(c2, sizeof c2, "ba.db"), (const char *[]){ b, a,
	    NULL }, &(struct store_import){ 0 });
	ab = commands_of(c1);
	ba = commands_of(c2);
	ck_assert_str_eq(ab, "ana-1-1|f1|A1|pause|ana|100|200|1|1");
	ck_assert_str_eq(ba, ab);
	free(ab);
	free(ba);
}
END_TEST

static Suite *
import_suite(void)
{
	Suite	*su = suite_create("import");
	TCase	*tc = tcase_create("import");

	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_union_and_idempotence);
	tcase_add_test(tc, test_chain_verbatim);
	tcase_add_test(tc, test_conflict_kept_and_reported);
	tcase_add_test(tc, test_fork_refused);
	tcase_add_test(tc, test_unverified_refused);
	tcase_add_test(tc, test_attempts_any_order);
	tcase_add_test(tc, test_flag_decided_later);
	tcase_add_test(tc, test_command_sent_here_acked_there);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return check_main(import_suite());
}
