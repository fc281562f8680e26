/*
 * journal.h - private to store/: the journal's canonical body and hash
 * chain, shared by the writer (store.c), the schema migration that chains
 * older rows (schema.c) and `invigil review verify` (verify.c).
 *
 * Every journal row carries its fields as columns, a canonical body built
 * from exactly those columns, prev_hash (the hash of the row before; 64
 * zeros for seq 1) and hash = SHA-256(prev_hash bytes || body).  The body is
 * what the hash covers; the columns are there to be queried, and verify
 * rebuilds the body from them, so a change to either is seen.
 *
 * The journal is also an RFC 6962 Merkle tree log (store/merkle.h): leaf
 * m is the body of seq m + 1, and a checkpoint of tree 'rfc6962' signs
 * the tree hash of entries 1..size.  The chain is kept beside the tree:
 * schema-2 checkpoints ('chain') sign the hash of entry size, and the
 * chain's trigger refuses a row out of order as it is written.
 *
 * Since schema 4 every row is also signed by its actor: sig is the
 * Ed25519 signature (128 hex digits) of JOURNAL_SIG_DOMAIN, its NUL, and
 * the 32 bytes of hash, by the key sig_vkey names (a verifier key).  Rows
 * written before the database reached schema 4 (seq below meta
 * 'signed_from') have neither: they are covered by checkpoints only.
 */
#ifndef INVIGIL_STORE_JOURNAL_H
#define INVIGIL_STORE_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/merkle.h"
#include "store/sign.h"

/* Version of the canonical body ("v" in it). */
#define JOURNAL_BODY_VERSION	1

/* One journal row as stored (strings NULL for "none"). */
struct journal_row {
	int64_t		 seq;
	int64_t		 time_ms;
	const char	*actor;
	const char	*role;
	const char	*kind;
	const char	*feed;
	const char	*attempt;
	int64_t		 flag_id;	/* 0: none */
	const char	*reason_code;
	const char	*reason;
	const char	*evidence;	/* canonical JSON object text */
	const char	*detail;	/* canonical JSON object text */
	/* The key journal_insert() signs the row with; NULL only for the
	 * schema-2 migration (unsigned_ok), which chains rows of a schema
	 * without signatures. */
	const struct sign_key *signer;
	int		 unsigned_ok;
};

/* What a row's signature is over: this, a NUL, then the hash's bytes. */
#define JOURNAL_SIG_DOMAIN	"invigil journal entry v1"
#define JOURNAL_SIG_HEX		(2 * SIGN_SIG_BYTES)

/*
 * Sign the row hash with key: sig gets JOURNAL_SIG_HEX hex digits and a
 * NUL.  0, or -1 with a sentence.
 */
int	journal_sign(const struct sign_key *key,
	    const uint8_t hash[SIGN_HASH_LEN], char sig[JOURNAL_SIG_HEX + 1],
	    char *err, size_t errlen);

/*
 * Check sig (hex, from the database) over the row hash hashhex (hex) by
 * vkey.  1 holds, 0 does not (err says why: not hex, or does not verify),
 * -1 vkey is not a verifier key.
 */
int	journal_sig_check(const char *vkey, const char *hashhex,
	    const char *sig, char *err, size_t errlen);

/*
 * The canonical text of a JSON object given as text: keys sorted, no
 * whitespace, UTF-8.  *out is malloc'd.  what names the field in errors.
 * 0, or -1 with a sentence (not JSON, not an object, duplicate keys).
 */
int	journal_canon_object(const char *text, const char *what, char **out,
	    char *err, size_t errlen);

/*
 * The canonical body of a row: a JSON object of its fields ("v", "seq",
 * "time" as RFC 3339 UTC with milliseconds, then every non-NULL field;
 * "flag" for flag_id; evidence and detail embedded as objects), keys
 * sorted, no whitespace.  evidence and detail must already be canonical.
 * *out is malloc'd.  0, or -1 with a sentence (a string not UTF-8...).
 */
int	journal_body(const struct journal_row *, char **out, char *err,
	    size_t errlen);

/*
 * Append r to the journal of db inside the caller's write transaction:
 * r->seq is set to the last seq + 1, the body built, chained to the last
 * row's hash, signed by r->signer and inserted.  A row without a signer is
 * refused (unless unsigned_ok), never written unsigned.  hash (may be
 * NULL) gets the new row's hash in hex.  0, or -1 with a sentence.
 */
int	journal_insert(sqlite3 *db, struct journal_row *r,
	    char hash[2 * SIGN_HASH_LEN + 1], char *err, size_t errlen);

/* The last row's seq and hash (seq 0 and 32 zero bytes when empty). */
int	journal_last(sqlite3 *db, int64_t *seq, uint8_t hash[SIGN_HASH_LEN],
	    char *err, size_t errlen);

/* The journal's origin line for checkpoints (meta table), in buf. */
int	journal_origin(sqlite3 *db, char *buf, size_t len, char *err,
	    size_t errlen);

/*
 * One journal as a Merkle tree: the database's own (origin NULL, table
 * journal) or the one imported from origin (imported_journal).  The
 * strings are the caller's.
 */
struct journal_tree {
	sqlite3		*db;
	const char	*origin;
};

/*
 * A merkle_range_fn over a struct journal_tree: MTH of the bodies of seq
 * start + 1 .. end, streamed row by row (O(log n) memory).  -1 with a
 * sentence if a row is missing or unreadable.
 */
int	journal_tree_range(void *tree, uint64_t start, uint64_t end,
	    uint8_t out[MERKLE_HASH_LEN], char *err, size_t errlen);

/*
 * The tree hash of the first size entries of the journal (origin NULL) or
 * of origin's imported journal into root; size 0 gives the empty tree's
 * hash.  0, or -1 with a sentence.
 */
int	journal_tree_root(sqlite3 *db, const char *origin, int64_t size,
	    uint8_t root[MERKLE_HASH_LEN], char *err, size_t errlen);

/*
 * Record key's public half in db's keys table (once per vkey), as actor
 * in role, at now_ms.  0, or -1 with a sentence.
 */
int	journal_key_register(sqlite3 *db, const struct sign_key *key,
	    const char *actor, const char *role, int64_t now_ms, char *err,
	    size_t errlen);

/*
 * Inside the caller's write transaction: sign with key a checkpoint of
 * db's journal as it is (size, the RFC 6962 tree hash of entries 1..size,
 * tree 'rfc6962': O(size) hashing) and insert it.  Nothing is signed when
 * the journal is empty or a checkpoint already covers its size
 * (*signed_size 0); else *signed_size is the size signed.  0, or -1 with
 * a sentence.
 */
int	journal_checkpoint(sqlite3 *db, const struct sign_key *key,
	    int64_t now_ms, int64_t *signed_size, char *err, size_t errlen);

#endif /* INVIGIL_STORE_JOURNAL_H */
