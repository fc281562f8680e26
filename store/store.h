/*
 * store.h - invigil's SQLite store: schema by numbered migrations, batched
 * ingest of feed messages, flags, the decision journal and feed positions.
 *
 * One writer (the console process) and any number of readers.  The writer
 * queues rows in memory (store_add_*) and commits them in one transaction
 * per store_flush(), which the console calls on a timer tick (<= 100 ms) or
 * when the queue holds a few thousand rows; never one commit per event.  The
 * feed position (feed, epoch, last_seq) is written in the same transaction as
 * the messages it covers, so after a crash the database says exactly what it
 * holds.  A journal entry is committed (durably, synchronous=FULL for that
 * transaction) before store_journal_append() returns.
 *
 * Every function that can fail returns 0 on success and -1 on failure with a
 * sentence in the caller's err buffer.  Strings are stored as received.
 */
#ifndef INVIGIL_STORE_H
#define INVIGIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"
#include "store/merkle.h"
#include "store/sign.h"

struct store;

/* Schema version this binary writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION	5

/* store_flush() is due when this many rows are queued, whatever the tick. */
#define STORE_BATCH_ROWS	4096

enum store_flag_state {
	STORE_FLAG_OPEN,
	STORE_FLAG_DISMISSED,
	STORE_FLAG_CONFIRMED
};

/* A flag row.  Inserted or updated (by id) on the next flush. */
struct store_flag {
	int64_t		id;		/* from store_flag_next_id() */
	const char     *feed;
	const char     *attempt;
	const char     *rule;
	enum proto_severity severity;
	const char     *message;
	int64_t		first_ms;	/* feed time of the first matching event */
	int64_t		last_ms;	/* feed time of the latest */
	int64_t		count;		/* matching events so far */
	int64_t		first_seq;	/* seq of the event that raised it */
	int64_t		last_seq;	/* seq of the latest */
	enum store_flag_state state;
	double		weight;		/* the rule's risk weight */
	const char     *evidence;	/* seqs of the causing messages, "12,15", or NULL */
	int64_t		closed_ms;	/* when dismissed or confirmed, else 0 */
};

/* An attempt as last stored (strings NULL when unknown). */
struct store_attempt {
	const char     *feed;
	const char     *attempt;
	const char     *candidate;
	const char     *name;
	const char     *exam;
	const char     *modality;
	const char     *state;
	const char     *ip;
	const char     *device;
	const char     *center;		/* store_each_attempt() only */
};

/*
 * A decision or other journal entry; strings may be NULL for "none" except
 * actor, role and kind.  evidence and detail are JSON objects as text; they
 * are stored in canonical form (keys sorted, no whitespace).
 */
struct store_journal_entry {
	const char     *actor;		/* who: proctor or admin id, or the feed */
	const char     *role;		/* "proctor", "admin", "analyst", "feed" */
	const char     *kind;		/* dismiss, confirm, warn, pause, resume,
					   terminate, escalate, note, cmd_ack */
	const char     *feed;
	const char     *attempt;
	int64_t		flag_id;	/* 0 if none */
	const char     *reason_code;	/* short code, e.g. "phone", or NULL */
	const char     *reason;	/* free text, as typed */
	const char     *evidence;	/* {"flags":[ids],"events":[seqs],"epoch":n} */
	const char     *detail;	/* anything else, e.g. {"cmd":"id"} */
};

/* What a durable journal append returns: the entry's seq, time and hash. */
struct store_receipt {
	int64_t		seq;
	int64_t		time_ms;
	char		hash[2 * SIGN_HASH_LEN + 1];	/* hex */
};

/* A command sent to a feed, and later its acknowledgement. */
struct store_command {
	const char     *id;
	const char     *feed;
	const char     *attempt;
	const char     *action;
	const char     *text;
	const char     *actor;
	int64_t		sent_ms;
};

/*
 * Open (creating if needed, mode 0600) the database at path, in WAL mode,
 * and bring its schema up to STORE_SCHEMA_VERSION by running the missing
 * migrations in one transaction.  Takes the one-writer lock (an flock on
 * the file, held until store_close()): a database another process writes
 * is refused, naming that process.  Refuses a path that is not a regular
 * file, a database whose user_version is newer than this binary knows, a
 * file that is not an invigil database (application_id, or a schema object
 * invigil does not create).  A database that others may read is named on
 * stderr with the chmod to run.  On success *sp is a handle owned by the
 * caller (store_close()).
 */
int		 store_open(struct store **sp, const char *path,
		     char *err, size_t errlen);

/* Flush what is queued, then close.  Returns what the flush returned. */
int		 store_close(struct store *s, char *err, size_t errlen);

/*
 * The stored position of a feed: the epoch and the highest seq committed for
 * it.  Returns 1 and fills both if the feed is known, 0 if not (both set to
 * 0), -1 on error.
 */
int		 store_feed_position(struct store *s, const char *feed,
		     int64_t *epoch, int64_t *last_seq, char *err, size_t errlen);

/*
 * Remember that feed answers at url (committed at once), so that a console
 * restarted on this database can resume before the feed has said its id.
 */
int		 store_feed_seen(struct store *s, const char *feed,
		     const char *url, char *err, size_t errlen);

/*
 * The feed last seen at url, with its committed position: 1 and fills
 * feed, epoch and last_seq; 0 if none; -1 on error.
 */
int		 store_feed_by_url(struct store *s, const char *url, char *feed,
		     size_t feedsz, int64_t *epoch, int64_t *last_seq,
		     char *err, size_t errlen);

/*
 * Queue one stream message received from a feed: raw is the text exactly as
 * it arrived (copied), m its decoding, recv_ms the local receive time.  The
 * row is committed by the next store_flush() together with the feed's new
 * position (epoch, m->seq).  A message whose (feed, epoch, seq) is already
 * stored is ignored at commit.  attempt messages also upsert the attempts
 * table and state messages update it.
 */
int		 store_add_message(struct store *s, const char *feed,
		     int64_t epoch, const struct proto_msg *m,
		     const char *raw, size_t rawlen, int64_t recv_ms,
		     char *err, size_t errlen);

/*
 * Queue a message that failed validation: raw (truncated to 4 KiB when
 * stored), the decoder's reason, receive time.  Only the first 4 KiB of
 * raw are read: for a message too big to keep whole, raw may hold just
 * those, with rawlen the length received (stored as raw_len).
 */
int		 store_add_reject(struct store *s, const char *feed,
		     const char *raw, size_t rawlen, const char *reason,
		     int64_t recv_ms, char *err, size_t errlen);

/* Queue a gap the feed announced, or one the console saw.  to_seq <
 * from_seq records an open-ended gap (stored as NULL): the feed changed
 * epoch and what the old epoch sent after from_seq - 1 is unaccounted for.
 * A closed gap moves the feed's position to to_seq at commit, as a message
 * does: its seqs are accounted for, and a restart resumes after them. */
int		 store_add_gap(struct store *s, const char *feed, int64_t epoch,
		     int64_t from_seq, int64_t to_seq, const char *why,
		     int64_t recv_ms, char *err, size_t errlen);

/* A fresh flag id (ids are assigned by the single writer, never reused). */
int64_t		 store_flag_next_id(struct store *s);

/* Queue an insert-or-update of a flag (strings copied). */
int		 store_put_flag(struct store *s, const struct store_flag *f,
		     char *err, size_t errlen);

/* The writer thread keeps at most about this many rows queued: beyond,
 * store_due() waits for it (the feed's socket fills and the feed waits). */
#define STORE_QUEUE_ROWS	(2 * STORE_BATCH_ROWS)

/* Rows queued and not yet committed. */
size_t		 store_pending(struct store *s);

/*
 * Commit everything queued in one transaction, on the caller's thread
 * (waiting for the writer thread's commit in progress, if any).  Nothing
 * queued: no-op.
 */
int		 store_flush(struct store *s, char *err, size_t errlen);

/*
 * From now on a thread of the store's own commits what is queued: at most
 * commit_ms after the first queued row, at once when STORE_BATCH_ROWS are
 * queued, each batch in one transaction with the feed positions it moves,
 * in the order queued.  The caller's thread queues rows without waiting on
 * SQLite; every other function here (journal appends, acknowledgements,
 * checkpoints, reads) first waits for the commit in progress, then runs on
 * the caller's thread with what is still queued committed first, so a
 * journal entry is durable, with everything queued before it, when
 * store_journal_append() returns, as without the thread.  A failed commit
 * loses nothing: its rows go back to the head of the queue and the writer
 * tries again a second later; store_due() reports the failure.  Stopped by
 * store_close().  store_db() must not be used while it runs.  0, or -1.
 */
int		 store_writer_start(struct store *s, int commit_ms, char *err,
		     size_t errlen);

/*
 * After queueing: without a writer thread, commit when STORE_BATCH_ROWS
 * are queued; with one, wait while STORE_QUEUE_ROWS are queued and its
 * commit is in progress (backpressure), and return -1 with the reason once
 * for each commit of the writer's that failed since the last call.
 */
int		 store_due(struct store *s, char *err, size_t errlen);

/* The writer thread's successful commits and the rows in them, so far. */
void		 store_writer_stats(struct store *s, uint64_t *commits,
		     uint64_t *rows);

/*
 * Append a journal entry, chained to the last one (see invigil-store(5)),
 * and commit it durably (synchronous=FULL) before returning; what is
 * queued is committed in the same transaction, and so is the command c
 * (may be NULL) that the entry sends.  receipt (may be NULL) gets the
 * entry's seq, time and hash.  0, or -1 with a sentence and nothing
 * recorded.
 */
int		 store_journal_append(struct store *s,
		     const struct store_journal_entry *e,
		     const struct store_command *c, struct store_receipt *receipt,
		     char *err, size_t errlen);

/*
 * Record a feed's acknowledgement of command id, durably: the command's
 * row is updated and the acknowledgement journaled as cmd_ack (actor: the
 * feed, role "feed").  Returns 1 if journaled (receipt filled, may be
 * NULL), 0 if it repeats one already recorded, -1 on error.
 */
int		 store_command_acked(struct store *s, const char *feed,
		     const char *id, int ok, const char *error, int64_t ack_ms,
		     struct store_receipt *receipt, char *err, size_t errlen);

/* Journal entries so far (the last seq), or -1 with a sentence. */
int64_t		 store_journal_size(struct store *s, char *err, size_t errlen);

/*
 * The key that signs every journal entry appended from now on (the
 * console's proctor key; an admin's for an admin act): borrowed, it must
 * outlive the store or the next call; NULL unsets it.  Without a signer,
 * store_journal_append() and store_command_acked() refuse to append.
 */
void		 store_set_signer(struct store *s, const struct sign_key *key);
/* The signer store_set_signer() gave, or NULL. */
const struct sign_key *store_signer(struct store *s);

/*
 * Record key's public half as the key of actor in role (once; a second
 * key of the same actor is added beside the first).  0 or -1.
 */
int		 store_key_register(struct store *s, const struct sign_key *key,
		     const char *actor, const char *role, char *err,
		     size_t errlen);

/*
 * Sign a checkpoint of the journal as it is (size, RFC 6962 tree hash of
 * entries 1..size; tree 'rfc6962') with key, in the C2SP signed-note checkpoint format, and store it
 * durably.  Nothing is signed when the journal is empty or the last
 * checkpoint already covers its size.  *size (may be NULL) gets the size
 * signed, 0 if none.  0 or -1.
 */
int		 store_checkpoint(struct store *s, const struct sign_key *key,
		     int64_t *size, char *err, size_t errlen);

/* Call fn for every command sent and not acknowledged, oldest first (the
 * strings are valid during the call). */
typedef void	(*store_command_fn)(const struct store_command *, void *);
int		 store_commands_pending(struct store *s, store_command_fn fn,
		     void *arg, char *err, size_t errlen);
/* Call fn for every attempt whose last acknowledged lock or resume is a
 * lock (that command): its candidate's screen is locked until a resume
 * (a lock is no attempt state on the wire). */
int		 store_commands_locked(struct store *s, store_command_fn fn,
		     void *arg, char *err, size_t errlen);

/*
 * What a restarted console needs to show what it showed before: every
 * stored attempt, and every flag (open and closed, oldest first).  The
 * strings are valid during the call.  0, or -1 with a sentence in err.
 */
typedef void	(*store_attempt_fn)(const struct store_attempt *, void *);
int		 store_each_attempt(struct store *s, store_attempt_fn fn,
		     void *arg, char *err, size_t errlen);
typedef void	(*store_each_flag_fn)(const struct store_flag *, void *);
int		 store_each_flag(struct store *s, store_each_flag_fn fn,
		     void *arg, char *err, size_t errlen);

/* The underlying handle, for tests that check what is on disk and for
 * bench/sqlite-ceiling, which measures SQLite itself.  Everything else
 * reads through the readers below (query.c). */
struct sqlite3	*store_db(struct store *s);

/* ---- readers (reader.c): read-only, beside a writing console */

struct store_reader;

/*
 * Open an existing invigil database read-only.  Never migrates, never takes
 * the write lock (nor the console's lock file); waits out a busy writer
 * instead of failing.  0, or -1 with a sentence in err (missing file, not
 * a regular file, not an invigil database: wrong application_id or a
 * schema object invigil does not create; older or newer schema).  A
 * reader is used by one thread at a time.
 */
int		 store_reader_open(struct store_reader **, const char *path,
		     char *err, size_t errlen);
void		 store_reader_close(struct store_reader *);
/*
 * From now on, in this process, a reader of a database that has no -wal
 * file (no writer has it open) opens it immutable: no lock, and no -wal
 * or -shm is made beside it (a plain read-only open in WAL mode makes
 * both, and leaves them).  For `review browse`, which must leave the
 * files as it found them.  A reader opened so sees the file as it was:
 * the caller reopens its readers to see a writer that started since
 * (store_reader_stale()).
 */
void		 store_reader_no_wal(int on);
/* Whether r was opened immutable and its file has a -wal now: a writer
 * started since, and r must be reopened to see what it writes. */
int		 store_reader_stale(struct store_reader *r);
/* The reader's handle: for store/ itself, and tests only. */
struct sqlite3	*store_reader_db(struct store_reader *);

/*
 * A reader stops (its statement fails) after this many SQLite steps since
 * the open or the last call; store_reader_open() sets a limit that grows
 * with the file's size and that only a file made to make readers loop
 * reaches (for tests, and callers that know better).
 */
void		 store_reader_limit(struct store_reader *, unsigned long long);

/* The sentence for a failed read of what ("the journal"): SQLite's error,
 * or that the limit was reached. */
void		 store_reader_error(struct store_reader *, const char *what,
		     char *err, size_t errlen);

/* Every stored message in (feed, epoch, seq) order; fn returns non-zero to
 * stop.  The strings are valid during the call. */
typedef int	(*store_message_fn)(const char *feed, int64_t epoch,
		     int64_t seq, const char *body, size_t len, void *arg);
int		 store_reader_each_message(struct store_reader *,
		     store_message_fn, void *arg, char *err, size_t errlen);

/* Every flag, oldest first. */
typedef void	(*store_flag_fn)(const char *feed, const char *attempt,
		     const char *rule, const char *state, int64_t count,
		     void *arg);
int		 store_reader_each_flag(struct store_reader *, store_flag_fn,
		     void *arg, char *err, size_t errlen);

/* Every checkpoint's signed note, oldest first; fn returns non-zero to stop. */
typedef int	(*store_note_fn)(const char *note, void *arg);
int		 store_reader_each_checkpoint(struct store_reader *,
		     store_note_fn, void *arg, char *err, size_t errlen);

/* ---- verify (verify.c) */

enum store_verify_problem {
	STORE_VERIFY_OK,
	STORE_VERIFY_ALTERED,		/* a row's columns, body or hash */
	STORE_VERIFY_MISSING,		/* a seq is not there */
	STORE_VERIFY_CHAIN,		/* prev_hash is not the last hash */
	STORE_VERIFY_TRUNCATED,		/* shorter than a checkpoint */
	STORE_VERIFY_SIGNATURE,		/* a checkpoint's signature is bad */
	STORE_VERIFY_UNKNOWN_KEY,	/* signed by a key not in keys */
	STORE_VERIFY_MISMATCH,		/* a checkpoint's hash is not the journal's */
	STORE_VERIFY_MALFORMED,		/* a checkpoint that is not one */
	STORE_VERIFY_UNTRUSTED,		/* signed by no key given (--key) */
	STORE_VERIFY_ENTRY_SIGNATURE,	/* an entry's signature is bad */
	STORE_VERIFY_ENTRY_SIGNER,	/* an entry signed by an unknown key,
					   or by a key revoked before it */
	STORE_VERIFY_ROLE,		/* an entry its signer may not make */
	STORE_VERIFY_UNSIGNED		/* an entry not signed where one must be */
};

struct store_verify {
	enum store_verify_problem problem;
	int64_t		seq;		/* the first bad seq, 0 if none */
	char		what[1024];	/* the sentence */
	int64_t		entries;	/* journal entries read */
	int		db_checkpoints;	/* checkpoints in the database checked */
	int		file_checkpoints; /* and in the file */
	int64_t		covered;	/* entries 1..covered are covered by a
					   checkpoint that holds (any) */
	int64_t		file_covered;	/* ... by one in the file */
	char		signers[256];	/* names whose signatures held */
	char		chain[256];	/* the origin of the chain with the
					   problem; "" for the database's own */
	int		chains;		/* imported chains verified */
	int64_t		imported_entries; /* their entries, all chains */
	int		imported_checkpoints; /* their checkpoints checked */
	int64_t		imported_uncovered; /* their entries no checkpoint
					   covers */
	int		trusted;	/* checkpoints signed by a given key */
	/* Entry signatures, every chain (schema 4): */
	int		trust_file;	/* checked against a trust file (else
					   against the keys table) */
	int64_t		signed_entries;	/* whose signature and role held */
	int64_t		unsigned_entries; /* from before signatures: covered
					   by checkpoints only */
	int64_t		revoked_entries; /* signed by a key revoked after the
					   entry was made */
	int64_t		revoked_seq;	/* the first of them (own chain), or 0 */
	char		revoked_what[256]; /* who, and when revoked */
};

/*
 * Recompute the journal's chain and check every checkpoint in the database
 * and, if file is not NULL, every checkpoint in it (text of len bytes,
 * named fname in sentences): signature by a key in the keys table, size no
 * greater than the journal's, hash equal to the journal's at that size.
 * Stops at the first problem.  With no problem, entries covered..entries
 * (+1) are covered by no checkpoint: the chain alone vouches for them,
 * which proves nothing against someone who could write the file.  Returns 0 with v filled (problem
 * STORE_VERIFY_OK or the first problem found), or -1 with a sentence when
 * the database could not be read.
 */
int		 store_verify(struct store_reader *, const char *file,
		     size_t len, const char *fname, struct store_verify *v,
		     char *err, size_t errlen);

/*
 * store_verify() of every chain in the file: the database's own journal
 * and each origin's imported_journal against its imported_checkpoints
 * (v->chain names the origin of a problem).  Each checkpoint is checked
 * against the root its tree names: 'chain' the hash of entry size,
 * 'rfc6962' the Merkle tree hash of entries 1..size; one from file may be
 * either, and is routed to the chain of its origin.  With nkeys > 0
 * trusted vkeys (kept outside the database), every checkpoint must also
 * carry a good signature by one of them (STORE_VERIFY_UNTRUSTED if only
 * by other keys).  Rows are streamed: memory is O(log n) per chain plus
 * the checkpoints.
 */
int		 store_verify_keys(struct store_reader *, const char *file,
		     size_t len, const char *fname, const char *const *keys,
		     size_t nkeys, struct store_verify *v, char *err,
		     size_t errlen);
struct trust;
/*
 * store_verify_keys(), and each signed entry's signer looked up in the
 * trust file t (store/trust.h) rather than the keys table: a key the file
 * does not have is STORE_VERIFY_ENTRY_SIGNER, so is one revoked before
 * the entry's time (one revoked after it is counted in revoked_entries);
 * the signer's roles must allow the entry's kind (trust_may()) and hold
 * the role the entry names.  With t NULL, the keys table stands in for
 * the trust file (each key's one role).  Entries without a signature must
 * all come before the first signed one and before meta 'signed_from'.
 */
int		 store_verify_trust(struct store_reader *, const char *file,
		     size_t len, const char *fname, const char *const *keys,
		     size_t nkeys, const struct trust *t,
		     struct store_verify *v, char *err, size_t errlen);
const char	*store_verify_problem_name(enum store_verify_problem);

/* ---- consistency proofs between two checkpoints (consistency.c) */

/*
 * Two signed checkpoints of one journal and the RFC 9162 consistency
 * proof that the tree of the old one is a prefix of the tree of the new
 * one.  As text (`review checkpoints --prove-consistency`, documented in
 * invigil-review(1)):
 *
 *	invigil consistency proof v1
 *	old OLDSIZE
 *	new NEWSIZE
 *	hash BASE64		one line per proof hash, in proof order
 *	(empty line)
 *	OLD NOTE, an empty line, NEW NOTE, an empty line
 *
 * (the notes as `review checkpoints --export` writes them).
 */
struct store_consistency {
	char		*notes[2];	/* old, new: the signed notes */
	int64_t		 size[2];
	char		 origin[256];
	uint8_t		 proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	size_t		 len;
	char		 signers[256];	/* --verify: the keys that signed */
};

/*
 * The proof between the 'rfc6962' checkpoints of sizes oldsize and
 * newsize of the database's journal (origin NULL) or of origin's imported
 * one, recomputed from the journal's rows and checked against the two
 * signed roots before it is returned (a journal changed since then is
 * refused: run review verify).  The signatures are verify's business.
 * 0, or -1 with a sentence (no such checkpoint, a 'chain' one, sizes out
 * of order).  Free with store_consistency_clear().
 */
int		 store_consistency_prove(struct store_reader *,
		     const char *origin, int64_t oldsize, int64_t newsize,
		     struct store_consistency *, char *err, size_t errlen);

/* The text above, malloc'd and NUL-terminated. */
char		*store_consistency_text(const struct store_consistency *);

/*
 * Check a proof file offline (text of len bytes): well formed, both notes
 * checkpoints of one origin with the sizes of the header, the proof holds
 * between their roots, and, when nkeys > 0, each note carries a good
 * signature by one of keys (vkey strings).  0 with c filled, or -1 with a
 * sentence saying what does not hold.  Free with store_consistency_clear().
 */
int		 store_consistency_check(const char *text, size_t len,
		     const char *const *keys, size_t nkeys,
		     struct store_consistency *c, char *err, size_t errlen);

void		 store_consistency_clear(struct store_consistency *);

const char	*store_flag_state_name(enum store_flag_state);

/* ---- added for the console's duplicate check (kept last to ease merges) */

/*
 * Compare raw, a stream message that arrived again as (feed, epoch, seq),
 * with the one stored under that key: committed, or still in the queue
 * (a committed row wins, as it does at commit).  Returns 1 if the bytes
 * are the same, 2 if they differ (stored_hex and new_hex get the SHA-256
 * of each, in lower-case hex), 0 if nothing is stored under the key, -1
 * with a sentence in err.
 */
int		 store_message_compare(struct store *s, const char *feed,
		     int64_t epoch, int64_t seq, const char *raw,
		     size_t rawlen, char stored_hex[2 * SIGN_HASH_LEN + 1],
		     char new_hex[2 * SIGN_HASH_LEN + 1], char *err,
		     size_t errlen);

/* ---- queries (query.c): typed reads on a store_reader
 *
 * For `invigil review`, the benchmarks and the console's coming views (a
 * console reads beside itself by opening a reader on its own file).  Every
 * query runs on an index (tests/check_query.c checks the plans); every
 * result is delivered row by row to a callback, at most limit rows, never
 * gathered in memory.  Strings are raw, exactly as stored, valid during the
 * call only: a caller that prints them sanitises them (proto_sanitize).  A
 * column the schema says is NOT NULL reads as "" when a crafted file holds
 * NULL there; the others are NULL when unknown.  Callbacks return non-zero
 * to stop early.  Each function returns the number of rows delivered, or
 * -1 with a sentence in err (store_reader_error's).
 */

/* A stored stream message. */
struct store_message_row {
	int64_t		id;		/* row id: the order of commit */
	const char     *feed;
	int64_t		epoch;
	int64_t		seq;
	const char     *type;		/* "event", "attempt", "state", ... */
	const char     *attempt;	/* NULL for a feed-wide message */
	const char     *kind;		/* an event's kind, else NULL */
	int64_t		ts_ms;		/* feed time */
	int64_t		recv_ms;	/* local time of receipt */
	const char     *body;		/* the text as received */
	size_t		len;
};

/* A journal row: the entry as appended, with its place in the chain. */
struct store_journal_row {
	int64_t		seq;
	int64_t		time_ms;	/* local time of the append */
	struct store_journal_entry entry;
	const char     *hash;		/* hex, the chain's hash of this row */
};

/* A command sent to a feed and, once acknowledged, the answer. */
struct store_command_row {
	struct store_command command;
	int64_t		ack_ms;		/* 0: not acknowledged yet */
	int		ok;		/* with ack_ms: 1 done, 0 refused */
	const char     *error;		/* the feed's reason when refused */
};

/* An attempt as last stored, with its open flags. */
struct store_attempt_row {
	struct store_attempt attempt;	/* state: the latest state */
	int64_t		first_seq;	/* seq of its attempt message */
	int64_t		updated_ms;	/* local time of the last change */
	int64_t		open_flags;	/* flags in state open */
};

enum store_timeline_kind {
	STORE_TIMELINE_MESSAGE,		/* .message */
	STORE_TIMELINE_FLAG_RAISED,	/* .flag */
	STORE_TIMELINE_FLAG_CLOSED,	/* .flag, dismissed or confirmed */
	STORE_TIMELINE_JOURNAL,		/* .journal */
	STORE_TIMELINE_COMMAND		/* .command */
};

/*
 * One item of an attempt's timeline: exactly one of the pointers is set,
 * as kind says.  seq is the feed seq the item sits at: a message's own, a
 * raised flag's first_seq (the event that raised it), and for the rest
 * (which happen on the console, not in the feed) the seq of the message
 * shown just before it, 0 if none.
 */
struct store_timeline_item {
	enum store_timeline_kind kind;
	int64_t		seq;
	const struct store_message_row *message;
	const struct store_flag *flag;
	const struct store_journal_row *journal;
	const struct store_command_row *command;
};

typedef int	(*store_timeline_fn)(const struct store_timeline_item *,
		     void *);
typedef int	(*store_flag_row_fn)(const struct store_flag *, void *);
typedef int	(*store_journal_row_fn)(const struct store_journal_row *,
		     void *);
typedef int	(*store_attempt_row_fn)(const struct store_attempt_row *,
		     void *);
typedef int	(*store_message_row_fn)(const struct store_message_row *,
		     void *);

/*
 * The timeline of attempt on feed: its messages, its flags raised and
 * closed, the journal rows and the commands about it, merged in one order,
 * at most limit items.  The order is the feed's: messages by seq, a flag
 * raised just after the message of its first_seq (flags raised at one seq
 * by id).  What happened on the console has a local time and no seq: a
 * journal row (its time_ms), a flag closed (closed_ms) and a command
 * (sent_ms) come just before the first message received (recv_ms) after
 * that time, and at one time in that order (the decision, the flag it
 * closed, the command it sent).  Messages of an attempt that spans two
 * epochs of its feed are ordered by seq alone.
 */
int		 store_query_timeline(struct store_reader *, const char *feed,
		     const char *attempt, size_t limit, store_timeline_fn,
		     void *arg, char *err, size_t errlen);

/*
 * The flags of rule, oldest (lowest id) first, from the first id greater
 * than after (0: from the start; pass the last id seen to page), in any
 * state or, if state is not NULL, in that one ("open", "dismissed",
 * "confirmed"); at most limit.
 */
int		 store_query_rule_flags(struct store_reader *, const char *rule,
		     const char *state, int64_t after, size_t limit,
		     store_flag_row_fn, void *arg, char *err, size_t errlen);

/* The journal rows of actor in seq order, from the first seq greater than
 * after; at most limit. */
int		 store_query_actor_journal(struct store_reader *,
		     const char *actor, int64_t after, size_t limit,
		     store_journal_row_fn, void *arg, char *err, size_t errlen);

/*
 * The attempts of feed (NULL: of every feed) in (feed, attempt) order, each
 * with its latest state and its number of open flags, starting after the
 * attempt (after_feed, after_attempt) (both NULL: from the first); at most
 * limit.
 */
int		 store_query_attempts(struct store_reader *, const char *feed,
		     const char *after_feed, const char *after_attempt,
		     size_t limit, store_attempt_row_fn, void *arg, char *err,
		     size_t errlen);

/* The messages of feed in epoch in seq order, from the first seq greater
 * than after; at most limit. */
int		 store_query_feed_messages(struct store_reader *,
		     const char *feed, int64_t epoch, int64_t after,
		     size_t limit, store_message_row_fn, void *arg, char *err,
		     size_t errlen);

/*
 * The events (messages of type "event") committed after row id after (0:
 * from the first), in the order of commit (row id), at most limit: each
 * its row id, feed, attempt (NULL: none), kind (NULL: none) and feed time.
 * For `review browse`, which counts them per attempt as they come.
 */
typedef int	(*store_event_fn)(int64_t id, const char *feed,
		     const char *attempt, const char *kind, int64_t ts_ms,
		     void *arg);
int		 store_query_events_after(struct store_reader *,
		     int64_t after, size_t limit, store_event_fn, void *arg,
		     char *err, size_t errlen);

/*
 * The committed position of feed as a reader sees it: 1 and fills epoch
 * and last_seq (a message is committed when last_seq reaches its seq), 0
 * if the feed is unknown, -1 with a sentence.
 */
int		 store_query_feed_position(struct store_reader *,
		     const char *feed, int64_t *epoch, int64_t *last_seq,
		     char *err, size_t errlen);

/*
 * What a benchmark or a demonstration reads about: the feed and attempt
 * of the message in the middle of the messages table (by id), the rule
 * with the most flags and the actor with the most journal rows (ties by
 * name; "" when there is none).  Reads the flags and journal tables
 * whole: not for the console.  0 or -1 with a sentence.
 */
struct store_sample {
	char		feed[256];
	char		attempt[256];
	char		rule[256];
	char		actor[256];
};
int		 store_query_sample(struct store_reader *,
		     struct store_sample *, char *err, size_t errlen);

/*
 * SQLite's plan for the named query ("timeline", "rule_flags",
 * "actor_journal", "attempts", "feed_messages", "feed_position",
 * "events_after"): the
 * EXPLAIN QUERY PLAN lines of each of its statements, one a line, in out.
 * For tests and benchmarks.  0, or -1 with a sentence (unknown name).
 */
int		 store_query_plan(struct store_reader *, const char *name,
		     char *out, size_t outlen, char *err, size_t errlen);

/* ---- bulk loading (bulk.c) */

struct store_bulk;

/*
 * Begin a bulk load on the writer s, for a benchmark's set-up or an
 * import: what is queued is committed, the secondary indexes of messages
 * are dropped (their definitions kept), and until store_bulk_end() commits
 * are not synced and use a large cache.  Load with store_add_message() and
 * store_flush() as usual.  A crash before store_bulk_end() leaves the
 * database without those indexes (its rows are intact): not for the
 * console.  0 with *bp set, or -1 with a sentence.
 */
int		 store_bulk_begin(struct store *s, struct store_bulk **bp,
		     char *err, size_t errlen);

/* Commit what is queued, build the indexes again, restore the pragmas,
 * and free b (whatever it returns).  0 or -1 with a sentence. */
int		 store_bulk_end(struct store_bulk *b, char *err,
		     size_t errlen);

/* ---- answers (answers.c): the responses `invigil review forensics` reads
 *
 * An exam's answers as matrices: one row per attempt (feed, attempt) with
 * answer messages, one column per item id.  Per cell the final answer (the
 * last answer message for that attempt and item, by seq), mapped to an
 * option index: an item's options are its distinct responses, the most
 * common first, at most STORE_ANSWERS_OPTIONS (a cell with a response
 * beyond them has option -1 and is counted in n_beyond_options; its
 * correct stays).  The key is the response most often marked correct.
 * Changes: an item answered in more than one message was changed, and
 * wrong-to-right when the first was wrong and the final right; an item
 * answered once with "changed" > 0 was changed, direction unknown (wtr
 * -1).  Time: the sum of the item's elapsed_ms / 1000 (NAN: none).  The
 * start of an attempt: ts_ms of its first state message in_progress.
 * Everything read is hostile: ids and responses are cut to
 * STORE_ANSWERS_TEXT_MAX bytes (raw, unsanitised: a caller that prints
 * them sanitises them), and the matrices are bounded.
 */
#define STORE_ANSWERS_OPTIONS	8
#define STORE_ANSWERS_TEXT_MAX	256
#define STORE_ANSWERS_MAX_ITEMS	5000
#define STORE_ANSWERS_MAX_CELLS	(20LL * 1000 * 1000)

struct store_answers {
	int		 n_attempts, n_items;
	/* Per attempt [j]: strings owned here, NULL when unknown (an
	 * attempt with answers and no attempt message). */
	char		**feed, **attempt, **candidate, **exam, **form;
	char		**center, **ip, **device;
	int64_t		*start_ms;	/* 0: unknown */
	/* Per item [i]. */
	char		**item;
	int8_t		*key;		/* option index, -1: no correct answer */
	int		*n_options;
	/* [i * STORE_ANSWERS_OPTIONS + y]: option y's response as sent
	 * (raw, cut to STORE_ANSWERS_TEXT_MAX), NULL past n_options[i]. */
	char		**option_text;
	/* Cells [j * n_items + i]. */
	int8_t		*option;	/* 0..7, -1 missing */
	int8_t		*correct;	/* 1, 0, -1 not answered */
	int8_t		*changed;	/* 0/1 */
	int8_t		*wtr;		/* 0/1, -1 unknown */
	double		*time;		/* seconds, NAN missing */
	/* What was read and what was set aside. */
	int64_t		 n_messages;	/* answer messages read */
	int64_t		 n_unreadable;	/* no item id or no true/false correct */
	int64_t		 n_beyond_options;
	int64_t		 n_cut;		/* texts longer than the bound, cut */
};

/*
 * Read the answers of exam (NULL: all) and form (NULL: all) into *out
 * (free with store_answers_free, also after a failure).  0 (possibly
 * with no attempt: out->n_attempts == 0), or -1 with a sentence in err
 * (a read failed, or the exam exceeds the bounds above: also at most
 * 2 STORE_ANSWERS_MAX_CELLS answer messages).
 */
int		 store_answers_read(struct store_reader *, const char *exam,
		     const char *form, struct store_answers *out, char *err,
		     size_t errlen);
void		 store_answers_free(struct store_answers *);

#endif /* INVIGIL_STORE_H */
