/*
 * schema.c - the store's schema as a list of numbered migrations, and the
 * checks that tell an invigil database from anything else.
 *
 * migrations[i] takes a database from user_version i to i + 1.  A migration
 * is never edited once released: a schema change is a new entry at the end
 * and a bump of STORE_SCHEMA_VERSION in store.h.  Every missing migration
 * runs in one transaction, so a database is always at a version this list
 * describes, never half-way between two.
 *
 * An invigil database carries PRAGMA application_id STORE_APPLICATION_ID.
 * An empty file (or a new one) is a database at version 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "proto/proto.h"
#include "store/journal.h"
#include "store/store.h"
#include "store/schema.h"

static int	schema_chain_v1_journal(sqlite3 *, char *, size_t);

/*
 * One step: sql, then (if any) a C function for what SQL cannot do (hash
 * rows), then after.  All of a migration runs in one transaction.
 */
struct migration {
	const char	*sql;
	int		(*fn)(sqlite3 *, char *, size_t);
	const char	*after;
};

static const struct migration migrations[] = {
	{
	/*
	 * 1: the first schema.
	 *
	 * feeds	one row per feed: the position committed with the
	 *		messages it covers (exactly-once ingest on resume).
	 * messages	every stream message as received (body is the raw
	 *		text), at most once per (feed, epoch, seq).
	 * attempts	the latest known facts about each attempt, kept up to
	 *		date from attempt and state messages.
	 * flags	flags raised by the rules; id assigned by the writer.
	 * journal	decisions and other acts, append-only and gapless.
	 * commands	commands sent to feeds and their acknowledgements.
	 * rejects	messages that failed validation, raw text truncated.
	 * gaps		holes a feed said it cannot replay.
	 *
	 * Times are milliseconds since the Unix epoch, UTC: ts_ms, first_ms
	 * and last_ms are feed time, the others local time.
	 */
	"CREATE TABLE feeds ("
	"	feed		TEXT PRIMARY KEY,"
	"	epoch		INTEGER NOT NULL,"
	"	last_seq	INTEGER NOT NULL,"
	"	updated_ms	INTEGER,"
	"	url		TEXT"
	");"
	"CREATE INDEX feeds_url ON feeds (url);"
	"CREATE TABLE messages ("
	"	id		INTEGER PRIMARY KEY,"
	"	feed		TEXT NOT NULL,"
	"	epoch		INTEGER NOT NULL,"
	"	seq		INTEGER NOT NULL,"
	"	type		TEXT NOT NULL,"
	"	attempt		TEXT,"
	"	kind		TEXT,"
	"	ts_ms		INTEGER NOT NULL,"
	"	recv_ms		INTEGER NOT NULL,"
	"	body		TEXT NOT NULL,"
	"	UNIQUE (feed, epoch, seq)"
	");"
	"CREATE INDEX messages_attempt ON messages (feed, attempt, seq);"
	"CREATE INDEX messages_kind ON messages (kind);"
	"CREATE TABLE attempts ("
	"	feed		TEXT NOT NULL,"
	"	attempt		TEXT NOT NULL,"
	"	candidate	TEXT,"
	"	name		TEXT,"
	"	exam		TEXT,"
	"	form		TEXT,"
	"	center		TEXT,"
	"	modality	TEXT,"
	"	state		TEXT,"
	"	ip		TEXT,"
	"	device		TEXT,"
	"	first_seq	INTEGER,"
	"	updated_ms	INTEGER,"
	"	PRIMARY KEY (feed, attempt)"
	");"
	"CREATE INDEX attempts_ip ON attempts (ip);"
	"CREATE INDEX attempts_device ON attempts (device);"
	"CREATE TABLE flags ("
	"	id		INTEGER PRIMARY KEY,"
	"	feed		TEXT,"
	"	attempt		TEXT,"
	"	rule		TEXT NOT NULL,"
	"	severity	TEXT NOT NULL CHECK (severity IN"
	"			    ('info', 'low', 'medium', 'high', 'critical')),"
	"	message		TEXT,"
	"	first_ms	INTEGER,"
	"	last_ms		INTEGER,"
	"	count		INTEGER NOT NULL,"
	"	first_seq	INTEGER,"
	"	last_seq	INTEGER,"
	"	state		TEXT NOT NULL CHECK (state IN"
	"			    ('open', 'dismissed', 'confirmed')),"
	"	weight		REAL NOT NULL DEFAULT 0,"
	"	evidence	TEXT,"	/* seqs of the causing messages, "12,15" */
	"	closed_ms	INTEGER"	/* local time of the dismissal/confirmation */
	");"
	"CREATE INDEX flags_attempt ON flags (feed, attempt);"
	"CREATE INDEX flags_rule ON flags (rule);"
	"CREATE TABLE journal ("
	"	seq		INTEGER PRIMARY KEY,"
	"	time_ms		INTEGER NOT NULL,"
	"	actor		TEXT,"
	"	role		TEXT,"
	"	kind		TEXT NOT NULL,"
	"	feed		TEXT,"
	"	attempt		TEXT,"
	"	flag_id		INTEGER,"
	"	reason		TEXT,"
	"	body		TEXT"
	");"
	"CREATE INDEX journal_attempt ON journal (feed, attempt);"
	"CREATE TRIGGER journal_gapless BEFORE INSERT ON journal"
	"    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM journal)"
	"    BEGIN SELECT RAISE(ABORT, 'journal seq must be the last seq + 1'); END;"
	"CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TABLE commands ("
	"	id		TEXT NOT NULL,"
	"	feed		TEXT NOT NULL,"
	"	attempt		TEXT,"
	"	action		TEXT,"
	"	text		TEXT,"
	"	actor		TEXT,"
	"	sent_ms		INTEGER,"
	"	ack_ms		INTEGER,"
	"	ok		INTEGER,"
	"	error		TEXT,"
	"	PRIMARY KEY (feed, id)"
	");"
	"CREATE TABLE rejects ("
	"	id		INTEGER PRIMARY KEY,"
	"	feed		TEXT,"
	"	recv_ms		INTEGER NOT NULL,"
	"	reason		TEXT,"
	"	raw		TEXT NOT NULL,"
	"	raw_len		INTEGER NOT NULL"
	");"
	"CREATE TABLE gaps ("
	"	id		INTEGER PRIMARY KEY,"
	"	feed		TEXT NOT NULL,"
	"	epoch		INTEGER NOT NULL,"
	"	from_seq	INTEGER NOT NULL,"
	"	to_seq		INTEGER,"	/* NULL: open-ended (epoch changed) */
	"	why		TEXT,"
	"	recv_ms		INTEGER NOT NULL"
	");"
	"CREATE INDEX gaps_feed ON gaps (feed, epoch, from_seq);",
	NULL, NULL
	},
	{
	/*
	 * 2: the tamper-evident journal (see journal.h, invigil-store(5)).
	 *
	 * journal	gains reason_code, evidence, detail (was body), the
	 *		canonical body, prev_hash and hash; the rows of schema 1
	 *		are chained in order by schema_chain_v1_journal().
	 * meta		facts about the database: journal_origin, the origin
	 *		line of its checkpoints (random, one per database).
	 * keys		the public key of every actor who signed here.
	 * checkpoints	signed notes of (journal size, hash of that entry).
	 *
	 * journal, keys and checkpoints refuse UPDATE and DELETE.
	 */
	"DROP TRIGGER journal_gapless;"
	"DROP TRIGGER journal_no_update;"
	"DROP TRIGGER journal_no_delete;"
	"DROP INDEX journal_attempt;"
	"ALTER TABLE journal RENAME TO journal_v1;"
	"CREATE TABLE journal ("
	"	seq		INTEGER PRIMARY KEY,"
	"	time_ms		INTEGER NOT NULL,"
	"	actor		TEXT NOT NULL,"
	"	role		TEXT NOT NULL,"
	"	kind		TEXT NOT NULL,"
	"	feed		TEXT,"
	"	attempt		TEXT,"
	"	flag_id		INTEGER,"
	"	reason_code	TEXT,"
	"	reason		TEXT,"
	"	evidence	TEXT,"	/* {"flags":[..],"events":[..],"epoch":n} */
	"	detail		TEXT,"	/* JSON object: anything else */
	"	body		TEXT NOT NULL,"	/* canonical; what hash covers */
	"	prev_hash	TEXT NOT NULL,"
	"	hash		TEXT NOT NULL"
	");"
	"CREATE TABLE meta ("
	"	key		TEXT PRIMARY KEY,"
	"	value		TEXT NOT NULL"
	");"
	"INSERT INTO meta (key, value) VALUES ('journal_origin', "
	"    'invigil.local/journal/' || lower(hex(randomblob(16))));"
	"CREATE TABLE keys ("
	"	vkey		TEXT PRIMARY KEY,"	/* name+id+base64 */
	"	name		TEXT NOT NULL,"
	"	actor		TEXT NOT NULL,"
	"	role		TEXT NOT NULL,"
	"	added_ms	INTEGER NOT NULL"
	");"
	"CREATE TABLE checkpoints ("
	"	id		INTEGER PRIMARY KEY,"
	"	size		INTEGER NOT NULL,"
	"	root		TEXT NOT NULL,"	/* hex hash of entry `size` */
	"	signer		TEXT NOT NULL,"
	"	time_ms		INTEGER NOT NULL,"
	"	note		TEXT NOT NULL"	/* the signed note */
	");"
	"CREATE INDEX checkpoints_size ON checkpoints (size);",
	schema_chain_v1_journal,
	"DROP TABLE journal_v1;"
	"CREATE INDEX journal_attempt ON journal (feed, attempt);"
	"CREATE INDEX journal_actor ON journal (actor, seq);"
	"CREATE TRIGGER journal_gapless BEFORE INSERT ON journal"
	"    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM journal)"
	"    OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM journal"
	"        WHERE seq = NEW.seq - 1), printf('%064d', 0))"
	"    BEGIN SELECT RAISE(ABORT, 'journal seq must be the last seq + 1 "
	"and prev_hash the last hash'); END;"
	"CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TRIGGER keys_no_update BEFORE UPDATE ON keys"
	"    BEGIN SELECT RAISE(ABORT, 'keys are append-only'); END;"
	"CREATE TRIGGER keys_no_delete BEFORE DELETE ON keys"
	"    BEGIN SELECT RAISE(ABORT, 'keys are append-only'); END;"
	"CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints"
	"    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints"
	"    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	},
	{
	/*
	 * 3: one database from many consoles, and the journal as an RFC 6962
	 * Merkle tree log.
	 *
	 * checkpoints.tree	what root a checkpoint signs: 'chain' (schema
	 *		2: the hash of entry size in the hash chain) or
	 *		'rfc6962' (the Merkle tree hash of entries 1..size,
	 *		leaves the canonical bodies).  Rows of schema 2 stay
	 *		'chain' and keep verifying; new ones are 'rfc6962'.
	 * sources	one row per imported database, named by its journal
	 *		origin (meta.journal_origin there).
	 * imported_journal	every source's journal as its own chain: the
	 *		columns of journal plus origin, gapless and chained
	 *		per origin, append-only.
	 * imported_checkpoints	the sources' checkpoints as they were
	 *		signed, with their origin (checkpoints' columns).
	 * conflicts	a message whose (feed, epoch, seq) is stored with a
	 *		different body in another source: the other body,
	 *		kept, never resolved silently.
	 * flags, commands, gaps	gain source (NULL: this database's own;
	 *		else the origin they were imported from) and flags
	 *		source_id (their id there; imported journals' flag
	 *		ids refer to it).
	 */
	"ALTER TABLE checkpoints ADD COLUMN tree TEXT NOT NULL DEFAULT 'chain'"
	"    CHECK (tree IN ('chain', 'rfc6962'));"
	"CREATE TABLE sources ("
	"	origin		TEXT PRIMARY KEY,"
	"	path		TEXT NOT NULL,"	/* as given to the first import */
	"	imported_ms	INTEGER NOT NULL,"	/* local time, first import */
	"	journal_size	INTEGER NOT NULL"	/* at the first import */
	");"
	"CREATE TABLE imported_journal ("
	"	origin		TEXT NOT NULL REFERENCES sources (origin),"
	"	seq		INTEGER NOT NULL,"
	"	time_ms		INTEGER NOT NULL,"
	"	actor		TEXT NOT NULL,"
	"	role		TEXT NOT NULL,"
	"	kind		TEXT NOT NULL,"
	"	feed		TEXT,"
	"	attempt		TEXT,"
	"	flag_id		INTEGER,"
	"	reason_code	TEXT,"
	"	reason		TEXT,"
	"	evidence	TEXT,"
	"	detail		TEXT,"
	"	body		TEXT NOT NULL,"
	"	prev_hash	TEXT NOT NULL,"
	"	hash		TEXT NOT NULL,"
	"	PRIMARY KEY (origin, seq)"
	");"
	"CREATE INDEX imported_journal_attempt ON imported_journal"
	"    (feed, attempt);"
	"CREATE TRIGGER imported_journal_gapless BEFORE INSERT ON"
	"    imported_journal"
	"    WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM"
	"        imported_journal WHERE origin = NEW.origin)"
	"    OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM imported_journal"
	"        WHERE origin = NEW.origin AND seq = NEW.seq - 1),"
	"        printf('%064d', 0))"
	"    BEGIN SELECT RAISE(ABORT, 'an imported journal''s seq must be its "
	"last seq + 1 and prev_hash its last hash'); END;"
	"CREATE TRIGGER imported_journal_no_update BEFORE UPDATE ON"
	"    imported_journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TRIGGER imported_journal_no_delete BEFORE DELETE ON"
	"    imported_journal"
	"    BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;"
	"CREATE TABLE imported_checkpoints ("
	"	origin		TEXT NOT NULL REFERENCES sources (origin),"
	"	size		INTEGER NOT NULL,"
	"	root		TEXT NOT NULL,"
	"	signer		TEXT NOT NULL,"
	"	time_ms		INTEGER NOT NULL,"
	"	note		TEXT NOT NULL,"
	"	tree		TEXT NOT NULL CHECK (tree IN ('chain', 'rfc6962')),"
	"	UNIQUE (origin, note)"
	");"
	"CREATE TRIGGER imported_checkpoints_no_update BEFORE UPDATE ON"
	"    imported_checkpoints"
	"    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TRIGGER imported_checkpoints_no_delete BEFORE DELETE ON"
	"    imported_checkpoints"
	"    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;"
	"CREATE TABLE conflicts ("
	"	id		INTEGER PRIMARY KEY,"
	"	feed		TEXT NOT NULL,"
	"	epoch		INTEGER NOT NULL,"
	"	seq		INTEGER NOT NULL,"
	"	source		TEXT NOT NULL,"	/* origin of the other body */
	"	body		TEXT NOT NULL,"	/* as that source stored it */
	"	recv_ms		INTEGER,"	/* that source's receive time */
	"	UNIQUE (feed, epoch, seq, source, body)"
	");"
	"ALTER TABLE flags ADD COLUMN source TEXT;"
	"ALTER TABLE flags ADD COLUMN source_id INTEGER;"
	"CREATE UNIQUE INDEX flags_source ON flags (source, source_id)"
	"    WHERE source IS NOT NULL;"
	"ALTER TABLE commands ADD COLUMN source TEXT;"
	"ALTER TABLE gaps ADD COLUMN source TEXT;",
	NULL, NULL
	},
	{
	/*
	 * 4: every journal entry signed by its actor.
	 *
	 * journal.sig, imported_journal.sig	the Ed25519 signature (128
	 *		hex digits) of "invigil journal entry v1", a NUL and the
	 *		32 bytes of the row's hash (store/journal.h).
	 * journal.sig_vkey, imported_journal.sig_vkey	the signer's
	 *		verifier key.
	 * meta 'signed_from'	the first seq written signed: rows before it
	 *		(written before this migration) have neither column and
	 *		are covered by checkpoints only; from it on, the trigger
	 *		refuses a row without both.
	 */
	"ALTER TABLE journal ADD COLUMN sig TEXT;"
	"ALTER TABLE journal ADD COLUMN sig_vkey TEXT;"
	"ALTER TABLE imported_journal ADD COLUMN sig TEXT;"
	"ALTER TABLE imported_journal ADD COLUMN sig_vkey TEXT;"
	"INSERT INTO meta (key, value) VALUES ('signed_from', "
	"    (SELECT coalesce(max(seq), 0) + 1 FROM journal));"
	"CREATE TRIGGER journal_signed BEFORE INSERT ON journal"
	"    WHEN NEW.seq >= (SELECT CAST(value AS INTEGER) FROM meta"
	"        WHERE key = 'signed_from')"
	"    AND (NEW.sig IS NULL OR NEW.sig_vkey IS NULL)"
	"    BEGIN SELECT RAISE(ABORT, 'a journal entry must be signed by "
	"its actor (sig, sig_vkey)'); END;",
	NULL, NULL
	},
	{
	/*
	 * 5: the ingest path lighter (issue 18).  messages_kind served no
	 * query (analysts read an attempt's timeline, a rule's flags, an
	 * actor's journal), and every commit rewrote one of its leaves per
	 * event kind in the batch.
	 */
	"DROP INDEX IF EXISTS messages_kind;",
	NULL, NULL
	}
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

_Static_assert(sizeof migrations / sizeof migrations[0] ==
    STORE_SCHEMA_VERSION, "one migration per schema version");

/* What a reader or the console should be given instead. */
static const char *
schema_advice(int reader)
{
	return reader ? "give --db the database a console wrote" :
	    "give --db a new file or an existing invigil database";
}

/* One integer from a PRAGMA or a query; -1 with a sentence on failure. */
static int
schema_int(sqlite3 *db, const char *sql, const char *path, int reader,
    int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc == SQLITE_OK)
		return 0;

	/* The first read of the file is where a stranger shows. */
	if ((sqlite3_errcode(db) & 0xff) == SQLITE_NOTADB)
		snprintf(err, errlen, "%s is not an invigil database (it is not "
		    "an SQLite database at all); %s", path,
		    schema_advice(reader));
	else
		snprintf(err, errlen, "store: cannot read %s: %s", path,
		    sqlite3_errmsg(db));
	return -1;
}

/* Run migrations[from..to) in the caller's transaction; -1 with a sentence. */
static int
schema_run(sqlite3 *db, const char *path, int from, int to, char *err,
    size_t errlen)
{
	int	i;

	for (i = from; i < to; i++) {
		if (sqlite3_exec(db, migrations[i].sql, NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail_sql;
		if (migrations[i].fn != NULL &&
		    migrations[i].fn(db, err, errlen) == -1)
			return -1;
		if (migrations[i].after != NULL && sqlite3_exec(db,
		    migrations[i].after, NULL, NULL, NULL) != SQLITE_OK)
			goto fail_sql;
	}
	return 0;
fail_sql:
	snprintf(err, errlen, "store: cannot update %s to schema version %d: "
	    "%s", path, i + 1, sqlite3_errmsg(db));
	return -1;
}

/*
 * The schema objects of an invigil database at version: the migrations up
 * to it, run in memory, and ANALYZE's statistics tables (a user may have
 * run ANALYZE; they hold numbers, no code).  A new connection, or NULL with
 * a sentence.
 */
static sqlite3 *
schema_expected(int version, char *err, size_t errlen)
{
	sqlite3	*mem = NULL;

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot open an in-memory database "
		    "to compare schemas: %s", mem != NULL ?
		    sqlite3_errmsg(mem) : "out of memory");
		sqlite3_close(mem);
		return NULL;
	}
	if (schema_run(mem, "the reference schema", 0, version, err,
	    errlen) == -1)
		goto fail;
	if (sqlite3_exec(mem, "ANALYZE", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot build the reference "
		    "schema: %s", sqlite3_errmsg(mem));
		goto fail;
	}
	return mem;
fail:
	sqlite3_close(mem);
	return NULL;
}

/* A name or text from the file, made safe to print. */
static void
schema_clean(const unsigned char *text, char *out, size_t outsz)
{
	const char	*t = text != NULL ? (const char *)text : "";

	proto_sanitize(t, strlen(t), out, outsz);
}

/*
 * Every object in db's schema must be one the migrations up to version
 * create, with the same type, table and SQL text: a view where a table
 * should be would run a query of the file's choosing in every reader, and
 * a trigger would run one in the console.  Objects may be missing (an
 * attacker who dropped the journal's triggers is verify's to find), not
 * added or changed.
 */
static int
schema_objects_check(sqlite3 *db, const char *path, int version, int reader,
    char *err, size_t errlen)
{
	sqlite3		*mem;
	sqlite3_stmt	*st = NULL, *q = NULL;
	char		 name[128], type[32], want[32], how[96];
	int		 rc, found, ret = -1;

	if ((mem = schema_expected(version, err, errlen)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(mem, "SELECT type = ?1 AND tbl_name IS ?2 AND "
	    "sql IS ?3, type FROM sqlite_schema WHERE name = ?4", -1, &q,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, "
	    "sql FROM sqlite_schema", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read the schema of %s: %s",
		    path, sqlite3_errmsg(q == NULL ? mem : db));
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_bind_value(q, 1, sqlite3_column_value(st, 0));
		sqlite3_bind_value(q, 2, sqlite3_column_value(st, 2));
		sqlite3_bind_value(q, 3, sqlite3_column_value(st, 3));
		sqlite3_bind_value(q, 4, sqlite3_column_value(st, 1));
		schema_clean(sqlite3_column_text(st, 0), type, sizeof type);
		schema_clean(sqlite3_column_text(st, 1), name, sizeof name);
		found = -1;
		snprintf(how, sizeof how, "is not part of invigil's schema");
		if (sqlite3_step(q) == SQLITE_ROW) {
			found = sqlite3_column_int(q, 0);
			schema_clean(sqlite3_column_text(q, 1), want,
			    sizeof want);
			if (strcmp(want, type) != 0)
				snprintf(how, sizeof how, "should be a%s %s",
				    want[0] == 'i' ? "n" : "", want);
			else
				snprintf(how, sizeof how, "is not the one "
				    "invigil creates");
		}
		sqlite3_reset(q);
		if (found == 1)
			continue;
		snprintf(err, errlen, "%s is not an invigil database as invigil "
		    "made it: its %s \"%s\" %s (schema version %d), and invigil "
		    "runs no SQL a database brings along; %s", path, type, name,
		    how, version, reader ? "it was altered, or crafted to "
		    "attack its readers" : "it was altered, or crafted to run "
		    "code in the console; give --db another file");
		goto out;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the schema of %s: %s",
		    path, sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(q);
	sqlite3_close(mem);
	return ret;
}

int
store_schema_check(sqlite3 *db, const char *path, int reader, char *err,
    size_t errlen)
{
	int64_t	app, version, objects;

	if (schema_int(db, "PRAGMA application_id", path, reader, &app, err,
	    errlen) == -1)
		return -1;
	if (schema_int(db, "PRAGMA user_version", path, reader, &version, err,
	    errlen) == -1)
		return -1;
	if (schema_int(db, "SELECT count(*) FROM sqlite_schema", path, reader,
	    &objects, err, errlen) == -1)
		return -1;

	/* Every migration sets the id with the version: 0 only when new. */
	if (app != STORE_APPLICATION_ID && (app != 0 || version != 0 ||
	    objects != 0)) {
		snprintf(err, errlen, "%s is not an invigil database (it is an "
		    "SQLite database with application_id 0x%08llx, not "
		    "invigil's 0x%08x); %s", path, (unsigned long long)app,
		    STORE_APPLICATION_ID, schema_advice(reader));
		return -1;
	}
	if (version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "%s has schema version %lld but this "
		    "invigil knows only up to %d; use a newer invigil", path,
		    (long long)version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (version < 0) {
		snprintf(err, errlen, "%s has a negative schema version %lld; "
		    "it is not an invigil database", path, (long long)version);
		return -1;
	}
	return schema_objects_check(db, path, (int)version, reader, err,
	    errlen);
}

int
store_schema_migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char	 sql[128];
	int64_t	 version;

	/* IMMEDIATE: take the write lock now, so the version read below
	 * cannot change under us when another process migrates too. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "store: cannot lock %s to update its "
		    "schema: %s", path, sqlite3_errmsg(db));
		return -1;
	}
	if (store_schema_check(db, path, 0, err, errlen) == -1)
		goto fail;
	if (schema_int(db, "PRAGMA user_version", path, 0, &version, err,
	    errlen) == -1)
		goto fail;
	if (version == STORE_SCHEMA_VERSION) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	if (schema_run(db, path, (int)version, NMIGRATIONS, err, errlen) == -1)
		goto fail;
	/* PRAGMAs take no bound parameters. */
	snprintf(sql, sizeof sql, "PRAGMA application_id = %d; "
	    "PRAGMA user_version = %d", STORE_APPLICATION_ID,
	    STORE_SCHEMA_VERSION);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot update %s to schema "
		    "version %d: %s", path, STORE_SCHEMA_VERSION,
		    sqlite3_errmsg(db));
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static const char *
schema_column(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* A schema 1 body that was not a JSON object, kept as a string. */
static char *
schema_wrap(const char *text)
{
	json_t	*o;
	char	*out;

	o = json_pack("{s:s}", "schema1_body", text);
	if (o == NULL)		/* not UTF-8: keep nothing rather than lie */
		o = json_pack("{s:s}", "schema1_body", "(not UTF-8)");
	out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (out == NULL)
		abort();
	return out;
}

/*
 * Migration 2: chain the journal rows of schema 1, in seq order, into the
 * new journal.  Their old body (a JSON object of details, or NULL) becomes
 * detail.  These rows were not chained when written; from here on they
 * are, and verify holds them to it like any other.
 */
static int
schema_chain_v1_journal(sqlite3 *db, char *err, size_t errlen)
{
	struct journal_row	 r;
	sqlite3_stmt		*st;
	char			*detail;
	int			 rc;

	if (sqlite3_prepare_v2(db, "SELECT time_ms, actor, role, kind, feed, "
	    "attempt, flag_id, reason, body FROM journal_v1 ORDER BY seq",
	    -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read the schema 1 "
		    "journal: %s", sqlite3_errmsg(db));
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.time_ms = sqlite3_column_int64(st, 0);
		r.actor = schema_column(st, 1) != NULL ? schema_column(st, 1) :
		    "unknown";
		r.role = schema_column(st, 2) != NULL ? schema_column(st, 2) :
		    "proctor";
		r.kind = schema_column(st, 3);
		r.feed = schema_column(st, 4);
		r.attempt = schema_column(st, 5);
		r.flag_id = sqlite3_column_int64(st, 6);
		r.reason = schema_column(st, 7);
		detail = NULL;
		if (schema_column(st, 8) != NULL &&
		    journal_canon_object(schema_column(st, 8), "detail",
		    &detail, err, errlen) == -1)
			detail = schema_wrap(schema_column(st, 8));
		r.detail = detail;
		r.unsigned_ok = 1;	/* schema 2 has no signatures */
		if (journal_insert(db, &r, NULL, err, errlen) == -1) {
			free(detail);
			sqlite3_finalize(st);
			return -1;
		}
		free(detail);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the schema 1 "
		    "journal: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}
