/*
 * bundle.h - evidence bundles (invigil-bundle(5)): one attempt's facts,
 * messages, flags and journal entries in one file that anyone can check
 * offline, and that says nothing about any other candidate.
 *
 * A bundle is a C2SP signed note (store/sign.h) whose text is one
 * canonical JSON object a line (keys sorted, no white space, ASCII only),
 * signed by the exporting actor's key: a changed byte or a removed line
 * breaks that signature.  Each journal entry also carries an RFC 6962
 * inclusion proof to a signed 'rfc6962' checkpoint of the console's
 * journal, which is in the bundle with the keys that signed it, so that
 * the entries are proven to be the console's own and not the exporter's.
 *
 * bundle_write() gathers on a reader (store/ is the only place that
 * speaks SQL); bundle_verify() needs no database at all.
 */
#ifndef INVIGIL_STORE_BUNDLE_H
#define INVIGIL_STORE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "store/sign.h"
#include "store/store.h"

/* The "format" of the first line. */
#define BUNDLE_FORMAT		"invigil-bundle/1"
/* Largest bundle written or read, and most lines in one. */
#define BUNDLE_MAX_BYTES	(64 * 1024 * 1024)
#define BUNDLE_MAX_LINES	200000
/* Most strings of other attempts scanned for (attempt and candidate ids,
 * names): a database with more is refused rather than half-scanned. */
#define BUNDLE_MAX_OTHERS	2000000
/* Most checkpoints (one per journal) and keys one bundle may carry. */
#define BUNDLE_MAX_CHECKPOINTS	16
#define BUNDLE_MAX_KEYS		16

/*
 * The attempt's forensic indices, for its "forensics" line: called by
 * bundle_write() inside its read transaction on the same reader, with the
 * attempt's exam and form (NULL when unknown).  Returns the line's fields
 * as a new jansson object (json_t *, consumed; "type" and "attempt" are
 * set by the caller, "model" must be there), or NULL with a sentence in
 * err, which refuses the bundle.  store/ knows nothing of forensics: the
 * console supplies this.
 */
typedef void	*(*bundle_forensics_fn)(struct store_reader *,
		    const char *feed, const char *attempt, const char *exam,
		    const char *form, void *arg, char *err, size_t errlen);

struct bundle_options {
	const char		*feed;		/* NULL: the attempt's only feed */
	const char		*attempt;
	const struct sign_key	*key;		/* the exporter's */
	int64_t			 now_ms;	/* "created" */
	bundle_forensics_fn	 forensics;	/* NULL: no forensics line */
	void			*forensics_arg;
};

/* What a bundle holds, as written or as verified. */
struct bundle_summary {
	char		feed[256];
	char		attempt[256];
	char		exporter[SIGN_NAME_MAX + 1];
	char		origin[256];		/* the database's journal origin */
	int64_t		checkpoints;		/* one per journal with entries */
	int64_t		checkpoint_size;	/* the largest */
	char		checkpoint_origin[256];	/* its journal */
	char		checkpoint_signers[256];	/* names, ", " between */
	int		keys_given;		/* checkpoints checked against
						   --key (1) or the bundle's keys */
	int		exporter_given;		/* the bundle's signature by a
						   --key (1) or its own vkey */
	int64_t		messages, flags, entries, forensics;
	int64_t		withheld;	/* bodies replaced by their hash */
	int64_t		redacted;	/* flags with fields taken out */

	/* An outcome list's (outcomes_write, outcomes_verify). */
	int64_t		outcomes;	/* attempts listed */
	int64_t		invalid;	/* of them invalidated or upheld */
	int64_t		export_seq;	/* the export act's journal seq */
	char		pseudonyms[64];	/* "hmac-sha256:KEYID" or "" */
};

/*
 * The signed bundle of one attempt, from the reader's database, read in
 * one transaction.  The attempt is found on o->feed, or on its one feed
 * when o->feed is NULL (two feeds with that attempt id: say --feed).
 *
 * Included: the attempt's row, its messages (raw bodies), its flags, its
 * journal entries (those naming it), each with an inclusion proof to the
 * latest 'rfc6962' checkpoint, that checkpoint's note and the vkeys (from
 * the keys table) of its valid signatures, and what o->forensics gives.
 * Refused (-1 with a sentence) when no 'rfc6962' checkpoint covers the
 * newest of those entries: the analyst lets the console sign one and runs
 * it again.
 *
 * Nothing names another attempt: every string written is scanned for the
 * other attempts' ids, candidate ids and names in the database (the
 * attempt's own strings excepted); a message or journal body that holds
 * one is withheld (its SHA-256, or for an entry its leaf hash, stays, and
 * the proof still holds), a flag's message is taken out and its evidence
 * keeps only seqs of this attempt's messages ("redacted" says which).
 *
 * Returns the note (malloc'd, NUL-terminated), with *len its length and
 * sum filled; or NULL with a sentence in err.
 */
char	*bundle_write(struct store_reader *, const struct bundle_options *o,
	    size_t *len, struct bundle_summary *sum, char *err, size_t errlen);

/*
 * Check a bundle (len bytes) with no database: the bundle's signature
 * (by the --key whose name is the exporter's when keys holds one, else by
 * the vkey the bundle names), every checkpoint's signature (by one of keys
 * when nkeys > 0, else by one of the bundle's key lines; a signature that
 * is there and does not verify fails either way), every entry's inclusion
 * proof to its checkpoint's root, that every line is of a known type with
 * its fields, that every message, flag and entry (and its body when not
 * withheld) names the bundle's attempt on its feed, and the counts of the
 * first line.  keys are vkey strings.  0 with sum filled, or -1 with the
 * first problem in err (naming the line).
 */
int	 bundle_verify(const char *text, size_t len, const char *const *keys,
	    size_t nkeys, struct bundle_summary *sum, char *err,
	    size_t errlen);

/*
 * The outcome list for the exam platform (`invigil admin export`,
 * invigil-bundle(5), OUTCOME LISTS): the same kind of signed note, whose
 * lines are a header ("type":"outcomes", format OUTCOMES_FORMAT), the
 * latest 'rfc6962' checkpoint of the database's own journal with the keys
 * that signed it, the export act's own journal entry, and one "outcome"
 * line per attempt with an outcome act: its state now, whether its result
 * must not be used ("invalid": invalidated or upheld), the time and seq of
 * the act that decided it, and that act's entry proven in the checkpoint.
 * With a pseudonym key, each candidate id is replaced by the hex HMAC-
 * SHA-256 of it under that key, and the acts' bodies (whose reasons may
 * name people) are withheld: their leaf hashes still prove them.
 */
#define OUTCOMES_FORMAT		"invigil-outcomes/1"
#define OUTCOMES_KEY_LEN	32	/* a pseudonym key's bytes */

struct outcomes_options {
	const struct sign_key	*key;		/* the exporter's */
	int64_t			 now_ms;	/* "created", and expiry */
	int64_t			 export_seq;	/* the export act's entry */
	const uint8_t		*pseudonym_key;	/* OUTCOMES_KEY_LEN bytes, or
						   NULL: candidate ids */
};

/*
 * The signed outcome list of the reader's database, read in one
 * transaction.  Refused (-1 with a sentence) when the latest 'rfc6962'
 * checkpoint does not cover the export act (o->export_seq) and every
 * outcome act.  Returns the note (malloc'd) with *len, and sum filled.
 */
char	*outcomes_write(struct store_reader *, const struct outcomes_options *o,
	    size_t *len, struct bundle_summary *sum, char *err, size_t errlen);

/*
 * Check an outcome list with no database, as bundle_verify checks a
 * bundle: the exporter's signature, the checkpoint's, every proof, every
 * line's fields (a state that names an invigil-admin(1) state, "invalid"
 * true exactly for invalidated and upheld, a candidate id or a pseudonym
 * as the header says), each act body's attempt, seq and kind (the act
 * that can leave the attempt in that state), and the header's counts.
 */
int	 outcomes_verify(const char *text, size_t len, const char *const *keys,
	    size_t nkeys, struct bundle_summary *sum, char *err,
	    size_t errlen);

/* The key id of a pseudonym key: 16 hex digits (+ NUL) in id. */
void	 outcomes_key_id(const uint8_t key[OUTCOMES_KEY_LEN], char id[17]);

#endif /* INVIGIL_STORE_BUNDLE_H */
