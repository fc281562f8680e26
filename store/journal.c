/*
 * journal.c - the journal's canonical body and hash chain (see journal.h).
 *
 * The canonical body is JSON because a person preparing an appeal reads it:
 *
 *	{"actor":"alice","attempt":"A-17","feed":"center-1","flag":42,
 *	 "kind":"confirm","reason":"phone in hand at 10:02","role":"proctor",
 *	 "seq":7,"time":"2026-11-23T10:02:41.518Z","v":1}
 *
 * and canonical so that a verifier rebuilds it byte for byte from the
 * columns: jansson with sorted keys and no whitespace, absent fields left
 * out, integers as integers, strings as UTF-8 with only the escapes JSON
 * requires.  The format is documented in invigil-store(5).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "proto/proto.h"
#include "store/journal.h"

#define CANON_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS)

/* text as a JSON object, or NULL with a sentence naming what. */
static json_t *
journal_object(const char *text, const char *what, char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*o;

	o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		snprintf(err, errlen, "the %s is not valid JSON: %s (column "
		    "%d)", what, jerr.text, jerr.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "the %s must be a JSON object", what);
		json_decref(o);
		return NULL;
	}
	return o;
}

int
journal_canon_object(const char *text, const char *what, char **out,
    char *err, size_t errlen)
{
	json_t	*o;

	*out = NULL;
	if ((o = journal_object(text, what, err, errlen)) == NULL)
		return -1;
	*out = json_dumps(o, CANON_FLAGS);
	json_decref(o);
	if (*out == NULL)
		abort();
	return 0;
}

/* Set key to the string s (if not NULL); -1 if s is not UTF-8. */
static int
journal_set_string(json_t *o, const char *key, const char *s, char *err,
    size_t errlen)
{
	json_t	*v;

	if (s == NULL)
		return 0;
	v = json_string(s);
	if (v == NULL) {
		snprintf(err, errlen, "the journal entry's %s is not valid "
		    "UTF-8; nothing recorded", key);
		return -1;
	}
	json_object_set_new(o, key, v);
	return 0;
}

static int
journal_set_object(json_t *o, const char *key, const char *text, char *err,
    size_t errlen)
{
	json_t	*v;

	if (text == NULL)
		return 0;
	if ((v = journal_object(text, key, err, errlen)) == NULL)
		return -1;
	json_object_set_new(o, key, v);
	return 0;
}

int
journal_body(const struct journal_row *r, char **out, char *err,
    size_t errlen)
{
	json_t	*o;
	char	 ts[32];

	*out = NULL;
	o = json_object();
	if (o == NULL)
		abort();
	proto_time_format(r->time_ms, ts);
	json_object_set_new(o, "v", json_integer(JOURNAL_BODY_VERSION));
	json_object_set_new(o, "seq", json_integer(r->seq));
	json_object_set_new(o, "time", json_string(ts));
	if (r->flag_id != 0)
		json_object_set_new(o, "flag", json_integer(r->flag_id));
	if (journal_set_string(o, "actor", r->actor, err, errlen) == -1 ||
	    journal_set_string(o, "role", r->role, err, errlen) == -1 ||
	    journal_set_string(o, "kind", r->kind, err, errlen) == -1 ||
	    journal_set_string(o, "feed", r->feed, err, errlen) == -1 ||
	    journal_set_string(o, "attempt", r->attempt, err, errlen) == -1 ||
	    journal_set_string(o, "reason_code", r->reason_code, err,
	    errlen) == -1 ||
	    journal_set_string(o, "reason", r->reason, err, errlen) == -1 ||
	    journal_set_object(o, "evidence", r->evidence, err, errlen) == -1 ||
	    journal_set_object(o, "detail", r->detail, err, errlen) == -1) {
		json_decref(o);
		return -1;
	}
	*out = json_dumps(o, CANON_FLAGS);
	json_decref(o);
	if (*out == NULL)
		abort();
	return 0;
}

int
journal_last(sqlite3 *db, int64_t *seq, uint8_t hash[SIGN_HASH_LEN],
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*hex;
	int		 rc;

	*seq = 0;
	memset(hash, 0, SIGN_HASH_LEN);
	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM journal "
	    "ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		hex = (const char *)sqlite3_column_text(st, 1);
		if (hex == NULL || sign_unhex(hex, hash) == -1) {
			snprintf(err, errlen, "store: journal entry %" PRId64
			    " has no valid hash; run invigil review verify",
			    *seq);
			sqlite3_finalize(st);
			return -1;
		}
	} else if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

static void
journal_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* The message a row's signature is over (journal.h). */
static void
journal_sig_message(const uint8_t hash[SIGN_HASH_LEN],
    uint8_t msg[sizeof JOURNAL_SIG_DOMAIN + SIGN_HASH_LEN])
{
	memcpy(msg, JOURNAL_SIG_DOMAIN, sizeof JOURNAL_SIG_DOMAIN);
	memcpy(msg + sizeof JOURNAL_SIG_DOMAIN, hash, SIGN_HASH_LEN);
}

int
journal_sign(const struct sign_key *key, const uint8_t hash[SIGN_HASH_LEN],
    char sig[JOURNAL_SIG_HEX + 1], char *err, size_t errlen)
{
	uint8_t	msg[sizeof JOURNAL_SIG_DOMAIN + SIGN_HASH_LEN];
	uint8_t	raw[SIGN_SIG_BYTES];

	journal_sig_message(hash, msg);
	if (sign_bytes(key, msg, sizeof msg, raw, err, errlen) == -1)
		return -1;
	/* 64 bytes as two 32-byte halves of hex. */
	sign_hex(raw, sig);
	sign_hex(raw + SIGN_HASH_LEN, sig + 2 * SIGN_HASH_LEN);
	return 0;
}

int
journal_sig_check(const char *vkey, const char *hashhex, const char *sig,
    char *err, size_t errlen)
{
	uint8_t	msg[sizeof JOURNAL_SIG_DOMAIN + SIGN_HASH_LEN];
	uint8_t	raw[SIGN_SIG_BYTES], hash[SIGN_HASH_LEN];
	char	half[2 * SIGN_HASH_LEN + 1];

	if (hashhex == NULL || sign_unhex(hashhex, hash) == -1) {
		snprintf(err, errlen, "its hash is not 64 hex digits");
		return 0;
	}
	if (sig == NULL || strlen(sig) != JOURNAL_SIG_HEX) {
		snprintf(err, errlen, "its signature is not %d hex digits",
		    JOURNAL_SIG_HEX);
		return 0;
	}
	memcpy(half, sig, 2 * SIGN_HASH_LEN);
	half[2 * SIGN_HASH_LEN] = '\0';
	if (sign_unhex(half, raw) == -1 ||
	    sign_unhex(sig + 2 * SIGN_HASH_LEN, raw + SIGN_HASH_LEN) == -1) {
		snprintf(err, errlen, "its signature is not %d hex digits",
		    JOURNAL_SIG_HEX);
		return 0;
	}
	journal_sig_message(hash, msg);
	return sign_bytes_verify(vkey, msg, sizeof msg, raw, err, errlen);
}

int
journal_insert(sqlite3 *db, struct journal_row *r,
    char hash[2 * SIGN_HASH_LEN + 1], char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	uint8_t		 prev[SIGN_HASH_LEN], h[SIGN_HASH_LEN];
	char		 prevhex[2 * SIGN_HASH_LEN + 1];
	char		 hhex[2 * SIGN_HASH_LEN + 1];
	char		 sig[JOURNAL_SIG_HEX + 1];
	char		*body;
	int64_t		 last;
	int		 rc;

	if (r->signer == NULL && !r->unsigned_ok) {
		snprintf(err, errlen, "store: %s by %s has no key to sign it; "
		    "refused, nothing was written (every journal entry is "
		    "signed by its actor)", r->kind != NULL ? r->kind : "an act",
		    r->actor != NULL ? r->actor : "(nobody)");
		return -1;
	}
	if (journal_last(db, &last, prev, err, errlen) == -1)
		return -1;
	r->seq = last + 1;
	if (journal_body(r, &body, err, errlen) == -1)
		return -1;
	sign_chain(prev, body, strlen(body), h);
	sign_hex(prev, prevhex);
	sign_hex(h, hhex);
	if (r->signer != NULL && journal_sign(r->signer, h, sig, err,
	    errlen) == -1) {
		free(body);
		return -1;
	}

	/* Prepared per call: an append is rare and already pays an fsync. */
	rc = sqlite3_prepare_v2(db, r->signer == NULL ?
	    "INSERT INTO journal (seq, time_ms, actor, "
	    "role, kind, feed, attempt, flag_id, reason_code, reason, evidence, "
	    "detail, body, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)" :
	    "INSERT INTO journal (seq, time_ms, actor, "
	    "role, kind, feed, attempt, flag_id, reason_code, reason, evidence, "
	    "detail, body, prev_hash, hash, sig, sig_vkey) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	    -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot append to the journal: %s",
		    sqlite3_errmsg(db));
		free(body);
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->seq);
	sqlite3_bind_int64(st, 2, r->time_ms);
	journal_bind_text(st, 3, r->actor);
	journal_bind_text(st, 4, r->role);
	journal_bind_text(st, 5, r->kind);
	journal_bind_text(st, 6, r->feed);
	journal_bind_text(st, 7, r->attempt);
	if (r->flag_id != 0)
		sqlite3_bind_int64(st, 8, r->flag_id);
	journal_bind_text(st, 9, r->reason_code);
	journal_bind_text(st, 10, r->reason);
	journal_bind_text(st, 11, r->evidence);
	journal_bind_text(st, 12, r->detail);
	sqlite3_bind_text(st, 13, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, prevhex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, hhex, -1, SQLITE_STATIC);
	if (r->signer != NULL) {
		sqlite3_bind_text(st, 16, sig, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 17, sign_key_vkey(r->signer), -1,
		    SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	free(body);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot append %s by %s to the "
		    "journal: %s", r->kind, r->actor != NULL ? r->actor :
		    "(nobody)", sqlite3_errmsg(db));
		return -1;
	}
	if (hash != NULL)
		memcpy(hash, hhex, sizeof hhex);
	return 0;
}

int
journal_origin(sqlite3 *db, char *buf, size_t len, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*v = NULL;
	int		 rc;

	rc = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = "
	    "'journal_origin'", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = (const char *)sqlite3_column_text(st, 0);
	if (v == NULL || *v == '\0' || strlen(v) >= len) {
		snprintf(err, errlen, "store: the database has no journal "
		    "origin (meta table): %s", rc == SQLITE_OK ? "missing" :
		    sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	snprintf(buf, len, "%s", v);
	sqlite3_finalize(st);
	return 0;
}

int
journal_tree_range(void *arg, uint64_t start, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN], char *err, size_t errlen)
{
	struct journal_tree	*t = arg;
	struct merkle_stream	 ms;
	sqlite3_stmt		*st;
	uint8_t			 leaf[MERKLE_HASH_LEN];
	const char		*body;
	uint64_t		 want = start + 1;
	int			 rc;

	if (start >= end || end > INT64_MAX) {
		snprintf(err, errlen, "store: no journal range %" PRIu64
		    "..%" PRIu64, start + 1, end);
		return -1;
	}
	rc = sqlite3_prepare_v2(t->db, t->origin == NULL ?
	    "SELECT seq, body FROM journal WHERE seq > ?1 AND seq <= ?2 "
	    "ORDER BY seq" :
	    "SELECT seq, body FROM imported_journal WHERE origin = ?3 AND "
	    "seq > ?1 AND seq <= ?2 ORDER BY seq", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(t->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, (int64_t)start);
	sqlite3_bind_int64(st, 2, (int64_t)end);
	if (t->origin != NULL)
		sqlite3_bind_text(st, 3, t->origin, -1, SQLITE_STATIC);
	merkle_stream_init(&ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		body = (const char *)sqlite3_column_text(st, 1);
		if (sqlite3_column_int64(st, 0) != (int64_t)want ||
		    body == NULL)
			break;
		merkle_leaf_hash(body, (size_t)sqlite3_column_bytes(st, 1),
		    leaf);
		if (merkle_stream_add(&ms, leaf, err, errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		want++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the journal: %s",
		    sqlite3_errmsg(t->db));
		return -1;
	}
	if (want != end + 1) {
		snprintf(err, errlen, "store: journal entry %" PRIu64 " is "
		    "missing or has no body; run invigil review verify", want);
		return -1;
	}
	merkle_stream_root(&ms, out);
	return 0;
}

int
journal_tree_root(sqlite3 *db, const char *origin, int64_t size,
    uint8_t root[MERKLE_HASH_LEN], char *err, size_t errlen)
{
	struct journal_tree	t = { db, origin };
	struct merkle_stream	empty;

	if (size <= 0) {
		merkle_stream_init(&empty);
		merkle_stream_root(&empty, root);
		return 0;
	}
	return journal_tree_range(&t, 0, (uint64_t)size, root, err, errlen);
}

int
journal_key_register(sqlite3 *db, const struct sign_key *key,
    const char *actor, const char *role, int64_t now_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO keys (vkey, name, actor, "
	    "role, added_ms) VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (vkey) DO NOTHING", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot record the key of %s: %s",
		    actor, sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, sign_key_vkey(key), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sign_key_name(key), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot record the key of %s: %s",
		    actor, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int
journal_checkpoint(sqlite3 *db, const struct sign_key *key, int64_t now_ms,
    int64_t *signed_size, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	uint8_t		 root[SIGN_HASH_LEN];
	char		 origin[256], body[512];
	char		 hex[2 * SIGN_HASH_LEN + 1], *note;
	int64_t		 size, covered = 0;
	int		 rc;

	*signed_size = 0;
	if (journal_last(db, &size, root, err, errlen) == -1)
		return -1;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(size), 0) FROM "
	    "checkpoints", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		covered = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (size == 0 || size <= covered)
		return 0;
	if (journal_tree_root(db, NULL, size, root, err, errlen) == -1 ||
	    journal_origin(db, origin, sizeof origin, err, errlen) == -1 ||
	    sign_checkpoint_body(body, sizeof body, origin, (uint64_t)size,
	    root, err, errlen) == -1)
		return -1;
	if ((note = sign_note(key, body, err, errlen)) == NULL)
		return -1;
	sign_hex(root, hex);
	rc = sqlite3_prepare_v2(db, "INSERT INTO checkpoints (size, root, "
	    "signer, time_ms, note, tree) VALUES (?1, ?2, ?3, ?4, ?5, "
	    "'rfc6962')", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, size);
		sqlite3_bind_text(st, 2, hex, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, sign_key_name(key), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now_ms);
		sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	free(note);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot store a checkpoint of %lld "
		    "entries: %s", (long long)size, sqlite3_errmsg(db));
		return -1;
	}
	*signed_size = size;
	return 0;
}
