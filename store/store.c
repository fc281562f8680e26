/*
 * store.c - the store's single writer: opening the database, the in-memory
 * queue of rows and its batched commit, the journal, commands and feed
 * positions.
 *
 * store_add_*() and store_put_flag() copy their arguments into a queue: an
 * array of tagged rows whose strings live in an arena of large chunks, so
 * queueing costs no allocation per field and none at all once the arena and
 * the array have grown to the size of a batch.
 * store_flush() replays the queue through statements prepared once at open,
 * in one IMMEDIATE transaction that also moves each feed's position; only a
 * successful COMMIT empties the queue, so a failed flush loses nothing and
 * can be retried.  Journal entries (with the command they send) and command
 * acknowledgements go through the same commit with synchronous=FULL, so the
 * rows queued before them are durable too.
 *
 * The schema and its migrations are in schema.c; the journal's chain in
 * journal.c.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* clock_gettime */
#endif

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <sqlite3.h>

#include <jansson.h>

#include "proto/xmalloc.h"
#include "store/dbfile.h"
#include "store/journal.h"
#include "store/store.h"
#include "store/rows.h"
#include "store/schema.h"

/* A reject keeps at most this many bytes of what arrived. */
#define STORE_REJECT_MAX	4096

/* Arena chunk size; a bigger string gets a chunk of its own. */
#define STORE_CHUNK_SIZE	(256 * 1024)

struct store_chunk {
	struct store_chunk	*next;
	size_t			 size;
	size_t			 used;
	char			 data[];
};

enum store_row_type {
	STORE_ROW_MESSAGE,
	STORE_ROW_REJECT,
	STORE_ROW_GAP,
	STORE_ROW_FLAG
};

/* One queued row.  Every pointer points into the arena (or is NULL). */
struct store_row {
	enum store_row_type	 type;
	const char		*feed;
	union {
		struct {
			enum proto_type	 type;
			int64_t		 epoch;
			int64_t		 seq;
			int64_t		 ts_ms;
			int64_t		 recv_ms;
			const char	*attempt;
			const char	*kind;	/* static name, events only */
			const char	*body;
			size_t		 bodylen;
			/* attempt messages: the facts; state messages: state */
			const struct proto_attempt *facts;
			enum proto_state state;
		} msg;
		struct {
			const char	*raw;
			size_t		 rawlen;	/* as kept */
			size_t		 origlen;	/* as received */
			const char	*reason;
			int64_t		 recv_ms;
		} reject;
		struct {
			int64_t		 epoch;
			int64_t		 from_seq;
			int64_t		 to_seq;
			const char	*why;
			int64_t		 recv_ms;
		} gap;
		struct store_flag	 flag;
	} u;
};

/*
 * Queued rows and the arena their strings live in.  The arena keeps its
 * first chunk across batches, so a steady stream allocates nothing.
 */
struct store_batch {
	struct store_row	*rows;
	size_t			 nrows;
	size_t			 rowsalloc;
	struct store_chunk	*chunks;	/* first chunk; kept across batches */
	struct store_chunk	*chunk;		/* the one being filled */
	int64_t			 first_ms;	/* monotonic, when row 0 was queued */
};

/*
 * The writer thread (store_writer_start()).  It commits q on its own: at
 * most commit_ms after q's first row was queued, at once when
 * STORE_BATCH_ROWS are queued.  The caller's thread never waits for it,
 * except to use the connection itself (store_hold(): a journal append, a
 * read) and when STORE_QUEUE_ROWS are queued (store_due(): the writer is
 * behind, and the feed has to wait).
 */
struct store_writer {
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;		/* any change below; broadcast */
	int			 commit_ms;
	int			 stop;
	int			 busy;		/* committing w */
	int			 held;		/* the caller's thread has the db */
	int64_t			 not_before;	/* after a failure: retry then */
	unsigned		 failures;	/* failed commits so far */
	unsigned		 reported;	/* ... of which store_due() said */
	char			 err[512];	/* why the last one failed */
	uint64_t		 commits;	/* successful ones, and their rows */
	uint64_t		 rows;
};

/* A feed's position as the rows of one flush move it. */
struct store_feedpos {
	const char	*feed;
	int64_t		 epoch;
	int64_t		 last_seq;
};

/* The prepared statements, in the order of stmt_sql[]. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_MESSAGE,
	ST_ATTEMPT,
	ST_STATE,
	ST_REJECT,
	ST_GAP,
	ST_FLAG,
	ST_ACK,
	ST_FEED,
	ST_COMMAND,
	ST_POSITION,
	ST_FEED_URL,
	ST_FEED_BY_URL,
	ST_PENDING,
	ST_LOCKED,
	ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_MESSAGE] =
	    "INSERT INTO messages (feed, epoch, seq, type, attempt, kind, "
	    "ts_ms, recv_ms, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (feed, epoch, seq) DO NOTHING",
	/* Optional facts an attempt message leaves out are kept. */
	[ST_ATTEMPT] =
	    "INSERT INTO attempts (feed, attempt, candidate, name, exam, form, "
	    "center, modality, state, ip, device, first_seq, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
	    "ON CONFLICT (feed, attempt) DO UPDATE SET "
	    "candidate = excluded.candidate, name = excluded.name, "
	    "exam = excluded.exam, form = coalesce(excluded.form, form), "
	    "center = coalesce(excluded.center, center), "
	    "modality = excluded.modality, state = excluded.state, "
	    "ip = coalesce(excluded.ip, ip), "
	    "device = coalesce(excluded.device, device), "
	    "updated_ms = excluded.updated_ms",
	/* A state may arrive before the attempt's facts. */
	[ST_STATE] =
	    "INSERT INTO attempts (feed, attempt, state, first_seq, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) "
	    "ON CONFLICT (feed, attempt) DO UPDATE SET "
	    "state = excluded.state, updated_ms = excluded.updated_ms",
	[ST_REJECT] =
	    "INSERT INTO rejects (feed, recv_ms, reason, raw, raw_len) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_GAP] =
	    "INSERT INTO gaps (feed, epoch, from_seq, to_seq, why, recv_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_FLAG] =
	    "INSERT INTO flags (id, feed, attempt, rule, severity, message, "
	    "first_ms, last_ms, count, first_seq, last_seq, state, weight, "
	    "evidence, closed_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15) "
	    /*
	     * A flag's feed, attempt and rule never change (its id is
	     * its own): left out of the update, the flags_attempt and
	     * flags_rule index entries are not rewritten by every event
	     * that counts towards the flag (issue 18).
	     */
	    "ON CONFLICT (id) DO UPDATE SET "
	    "severity = excluded.severity, "
	    "message = excluded.message, first_ms = excluded.first_ms, "
	    "last_ms = excluded.last_ms, count = excluded.count, "
	    "first_seq = excluded.first_seq, last_seq = excluded.last_seq, "
	    "state = excluded.state, weight = excluded.weight, "
	    "evidence = excluded.evidence, closed_ms = excluded.closed_ms",
	/*
	 * The first acknowledgement of a command: a row comes back (the
	 * command's attempt and action) when it is recorded, none for a
	 * repeat.  An acknowledgement is evidence even for a command we lost.
	 */
	[ST_ACK] =
	    "INSERT INTO commands (feed, id, ack_ms, ok, error) "
	    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (feed, id) DO UPDATE SET "
	    "ack_ms = excluded.ack_ms, ok = excluded.ok, error = excluded.error "
	    "WHERE ack_ms IS NULL RETURNING attempt, action",
	/* A new epoch replaces the position; the same one never goes back. */
	[ST_FEED] =
	    "INSERT INTO feeds (feed, epoch, last_seq, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT (feed) DO UPDATE SET "
	    "last_seq = CASE WHEN epoch = excluded.epoch "
	    "    THEN max(last_seq, excluded.last_seq) "
	    "    ELSE excluded.last_seq END, "
	    "epoch = excluded.epoch, updated_ms = excluded.updated_ms",
	[ST_COMMAND] =
	    "INSERT INTO commands (id, feed, attempt, action, text, actor, "
	    "sent_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_POSITION] =
	    "SELECT epoch, last_seq FROM feeds WHERE feed = ?1",
	/* Epoch 0 is no epoch: a feed seen but with nothing stored yet. */
	[ST_FEED_URL] =
	    "INSERT INTO feeds (feed, epoch, last_seq, updated_ms, url) "
	    "VALUES (?1, 0, 0, ?3, ?2) "
	    "ON CONFLICT (feed) DO UPDATE SET url = excluded.url, "
	    "updated_ms = excluded.updated_ms",
	[ST_FEED_BY_URL] =
	    "SELECT feed, epoch, last_seq FROM feeds WHERE url = ?1 "
	    "ORDER BY updated_ms DESC LIMIT 1",
	[ST_PENDING] =
	    "SELECT id, feed, attempt, action, text FROM commands "
	    "WHERE ok IS NULL AND sent_ms IS NOT NULL ORDER BY sent_ms",
	/* Per attempt, the last lock or resume the feed acknowledged (by
	 * the time of its ack, then the order stored), when it is a lock. */
	[ST_LOCKED] =
	    "SELECT id, feed, attempt, action, text FROM (SELECT id, feed, "
	    "attempt, action, text, row_number() OVER (PARTITION BY feed, "
	    "attempt ORDER BY ack_ms DESC, rowid DESC) AS r FROM commands "
	    "WHERE ok = 1 AND attempt IS NOT NULL AND action IN ('lock', "
	    "'resume')) WHERE r = 1 AND action = 'lock'",
};

struct store {
	sqlite3			*db;
	char			*path;
	int			 lockfd;	/* the one-writer lock (dbfile.c) */
	sqlite3_stmt		*st[ST_COUNT];

	/*
	 * q is filled by store_add_*() and store_put_flag() on the caller's
	 * thread; w is the batch the writer thread is committing (empty
	 * without one).  Both under writer->mu when there is a writer.
	 */
	struct store_batch	 q;
	struct store_batch	 w;
	struct store_writer	*writer;	/* NULL: commits on the caller's thread */

	struct store_feedpos	*pos;
	size_t			 npos;
	size_t			 posalloc;

	int64_t			 next_flag_id;

	const struct sign_key	*signer;	/* signs every journal entry */
};

static int	store_message_compare_held(struct store *, const char *,
		    int64_t, int64_t, const char *, size_t,
		    char [2 * SIGN_HASH_LEN + 1], char [2 * SIGN_HASH_LEN + 1],
		    char *, size_t);

/* A durable commit's extra work, run after the queue inside the transaction. */
typedef int (*store_extra_fn)(struct store *, void *, char *, size_t);

static int64_t
store_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Arena.  Memory from batch_alloc() lives until the batch is emptied by a
 * successful commit (batch_reset()).
 */
static void *
batch_alloc(struct store_batch *b, size_t size)
{
	struct store_chunk	*c = b->chunk, *n;
	size_t			 off, want;

	if (c != NULL) {
		off = (c->used + 7) & ~(size_t)7;
		if (off <= c->size && size <= c->size - off) {
			c->used = off + size;
			return c->data + off;
		}
	}

	want = size > STORE_CHUNK_SIZE ? size : STORE_CHUNK_SIZE;
	n = xmalloc(sizeof *n + want);
	n->size = want;
	n->used = size;
	n->next = NULL;
	if (c == NULL)
		b->chunks = n;
	else
		c->next = n;
	b->chunk = n;
	return n->data;
}

/* Forget the rows and their strings; keep the first chunk. */
static void
batch_reset(struct store_batch *b)
{
	struct store_chunk	*c, *next;

	b->nrows = 0;
	if (b->chunks == NULL)
		return;
	for (c = b->chunks->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	b->chunks->next = NULL;
	b->chunks->used = 0;
	b->chunk = b->chunks;
}

static void
batch_free(struct store_batch *b)
{
	batch_reset(b);
	free(b->chunks);
	free(b->rows);
	memset(b, 0, sizeof *b);
}

/*
 * Put the rows of w (a batch whose commit failed) back before those of q,
 * strings and all, leaving w empty: the next commit takes them in the
 * order they were queued.
 */
static void
batch_prepend(struct store_batch *q, struct store_batch *w)
{
	struct store_batch	 t;
	struct store_chunk	*c;

	if (q->nrows == 0 && q->chunks == NULL) {
		t = *q;
		*q = *w;
		*w = t;
		return;
	}
	if (w->nrows + q->nrows > w->rowsalloc) {
		w->rowsalloc = w->nrows + q->nrows;
		w->rows = xreallocarray(w->rows, w->rowsalloc, sizeof *w->rows);
	}
	memcpy(w->rows + w->nrows, q->rows, q->nrows * sizeof *q->rows);
	w->nrows += q->nrows;
	if (w->chunks == NULL)
		w->chunks = q->chunks;
	else {
		for (c = w->chunks; c->next != NULL; c = c->next)
			;
		c->next = q->chunks;
	}
	w->chunk = q->chunk != NULL ? q->chunk : w->chunk;
	w->first_ms = q->nrows == 0 || w->first_ms < q->first_ms ?
	    w->first_ms : q->first_ms;
	t = *q;
	*q = *w;
	memset(w, 0, sizeof *w);
	w->rows = t.rows;		/* q's old array, empty */
	w->rowsalloc = t.rowsalloc;
}

/* Copy len bytes and a NUL; NULL stays NULL. */
static const char *
store_copy(struct store *s, const char *p, size_t len)
{
	char	*q;

	if (p == NULL)
		return NULL;
	q = batch_alloc(&s->q, len + 1);
	memcpy(q, p, len);
	q[len] = '\0';
	return q;
}

static const char *
store_strdup(struct store *s, const char *p)
{
	return p == NULL ? NULL : store_copy(s, p, strlen(p));
}

static int64_t
store_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new row at the end of q; the caller holds the writer's lock. */
static struct store_row *
store_push(struct store *s, enum store_row_type type, const char *feed)
{
	struct store_batch	*b = &s->q;
	struct store_row	*r;

	if (b->nrows == b->rowsalloc) {
		b->rowsalloc = b->rowsalloc == 0 ? 256 : b->rowsalloc * 2;
		b->rows = xreallocarray(b->rows, b->rowsalloc, sizeof *b->rows);
	}
	/* The writer waits for a first row, and wakes early for a full
	 * batch. */
	if (b->nrows == 0)
		b->first_ms = store_mono_ms();
	if (s->writer != NULL && (b->nrows == 0 ||
	    b->nrows + 1 == STORE_BATCH_ROWS))
		pthread_cond_broadcast(&s->writer->cv);
	r = &b->rows[b->nrows++];
	memset(r, 0, sizeof *r);
	r->type = type;
	r->feed = store_strdup(s, feed);
	return r;
}

/* Around whatever changes q on the caller's thread. */
static void
store_lock(struct store *s)
{
	if (s->writer != NULL)
		pthread_mutex_lock(&s->writer->mu);
}

static void
store_unlock(struct store *s)
{
	if (s->writer != NULL)
		pthread_mutex_unlock(&s->writer->mu);
}

/*
 * The connection is the caller's until store_release(): wait for the
 * writer's commit in progress to end and keep it from starting another.
 * What it has not committed is in q again (a failure puts it back).
 */
static void
store_hold(struct store *s)
{
	struct store_writer	*wr = s->writer;

	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->mu);
	while (wr->busy)
		pthread_cond_wait(&wr->cv, &wr->mu);
	wr->held = 1;
	pthread_mutex_unlock(&wr->mu);
}

static void
store_release(struct store *s)
{
	struct store_writer	*wr = s->writer;

	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->mu);
	wr->held = 0;
	pthread_cond_broadcast(&wr->cv);
	pthread_mutex_unlock(&wr->mu);
}

/* Bind a possibly NULL string, or a length-counted one (len != -1). */
static int
store_bind_text(sqlite3_stmt *st, int i, const char *p, int len)
{
	if (p == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, p, len, SQLITE_STATIC);
}

/*
 * Step a prepared statement once (binding already done) and make it ready
 * for the next row.  Returns the step's result code.
 */
static int
store_step(sqlite3_stmt *st)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/*
 * Make st, stepped last with result rc, ready again: 1 if that step gave a
 * row, 0 if it was done, or -1 with "store: cannot WHAT ARG: why" in err.
 */
static int
store_step_end(struct store *s, sqlite3_stmt *st, int rc, const char *what,
    const char *arg, char *err, size_t errlen)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "store: cannot %s%s: %s", what, arg,
	    sqlite3_errmsg(s->db));
	return -1;
}

static int
store_exec(struct store *s, enum store_stmt which)
{
	return store_step(s->st[which]) == SQLITE_DONE ? 0 : -1;
}

/* Note where a stream message moves its feed's position in this flush. */
static void
store_track(struct store *s, const char *feed, int64_t epoch, int64_t seq)
{
	struct store_feedpos	*p;
	size_t			 i;

	for (i = 0; i < s->npos; i++) {
		p = &s->pos[i];
		if (p->feed == feed || strcmp(p->feed, feed) == 0)
			goto found;
	}
	if (s->npos == s->posalloc) {
		s->posalloc = s->posalloc == 0 ? 8 : s->posalloc * 2;
		s->pos = xreallocarray(s->pos, s->posalloc, sizeof *s->pos);
	}
	p = &s->pos[s->npos++];
	p->feed = feed;
	p->epoch = epoch;
	p->last_seq = seq;
	return;

found:
	/* The stream order says which epoch is current. */
	if (epoch != p->epoch) {
		p->epoch = epoch;
		p->last_seq = seq;
	} else if (seq > p->last_seq)
		p->last_seq = seq;
}

static int
store_apply_message(struct store *s, const struct store_row *r, char *err,
    size_t errlen)
{
	sqlite3_stmt			*st = s->st[ST_MESSAGE];
	const struct proto_attempt	*a;
	const char			*what;

	sqlite3_bind_text(st, 1, r->feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->u.msg.epoch);
	sqlite3_bind_int64(st, 3, r->u.msg.seq);
	sqlite3_bind_text(st, 4, proto_type_name(r->u.msg.type), -1,
	    SQLITE_STATIC);
	store_bind_text(st, 5, r->u.msg.attempt, -1);
	store_bind_text(st, 6, r->u.msg.kind, -1);
	sqlite3_bind_int64(st, 7, r->u.msg.ts_ms);
	sqlite3_bind_int64(st, 8, r->u.msg.recv_ms);
	sqlite3_bind_text(st, 9, r->u.msg.body, (int)r->u.msg.bodylen,
	    SQLITE_STATIC);
	if (store_step(st) != SQLITE_DONE) {
		what = "message";
		goto fail;
	}
	store_track(s, r->feed, r->u.msg.epoch, r->u.msg.seq);

	/* A replayed message changes nothing, least of all an attempt. */
	if (sqlite3_changes(s->db) != 1)
		return 0;

	switch (r->u.msg.type) {
	case PROTO_ATTEMPT:
		a = r->u.msg.facts;
		st = s->st[ST_ATTEMPT];
		sqlite3_bind_text(st, 1, r->feed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, a->attempt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, a->candidate, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a->exam, -1, SQLITE_STATIC);
		store_bind_text(st, 6, *a->form ? a->form : NULL, -1);
		store_bind_text(st, 7, *a->center ? a->center : NULL, -1);
		sqlite3_bind_text(st, 8, proto_modality_name(a->modality), -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(st, 9, proto_state_name(a->state), -1,
		    SQLITE_STATIC);
		store_bind_text(st, 10, *a->ip ? a->ip : NULL, -1);
		store_bind_text(st, 11, *a->device ? a->device : NULL, -1);
		sqlite3_bind_int64(st, 12, r->u.msg.seq);
		sqlite3_bind_int64(st, 13, r->u.msg.ts_ms);
		if (store_step(st) != SQLITE_DONE) {
			what = "attempt";
			goto fail;
		}
		break;
	case PROTO_STATE:
		st = s->st[ST_STATE];
		sqlite3_bind_text(st, 1, r->feed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->u.msg.attempt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, proto_state_name(r->u.msg.state), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, r->u.msg.seq);
		sqlite3_bind_int64(st, 5, r->u.msg.ts_ms);
		if (store_step(st) != SQLITE_DONE) {
			what = "attempt state from message";
			goto fail;
		}
		break;
	default:
		break;
	}
	return 0;

fail:
	snprintf(err, errlen, "store: cannot insert %s feed=%s epoch=%lld "
	    "seq=%lld: %s", what, r->feed, (long long)r->u.msg.epoch,
	    (long long)r->u.msg.seq, sqlite3_errmsg(s->db));
	return -1;
}

static int
store_apply_row(struct store *s, const struct store_row *r, char *err,
    size_t errlen)
{
	sqlite3_stmt			*st;
	const struct store_flag		*f;

	switch (r->type) {
	case STORE_ROW_MESSAGE:
		return store_apply_message(s, r, err, errlen);
	case STORE_ROW_REJECT:
		st = s->st[ST_REJECT];
		store_bind_text(st, 1, r->feed, -1);
		sqlite3_bind_int64(st, 2, r->u.reject.recv_ms);
		store_bind_text(st, 3, r->u.reject.reason, -1);
		sqlite3_bind_text(st, 4, r->u.reject.raw,
		    (int)r->u.reject.rawlen, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)r->u.reject.origlen);
		if (store_step(st) == SQLITE_DONE)
			return 0;
		snprintf(err, errlen, "store: cannot insert reject feed=%s: %s",
		    r->feed != NULL ? r->feed : "(none)", sqlite3_errmsg(s->db));
		return -1;
	case STORE_ROW_GAP:
		st = s->st[ST_GAP];
		sqlite3_bind_text(st, 1, r->feed, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r->u.gap.epoch);
		sqlite3_bind_int64(st, 3, r->u.gap.from_seq);
		if (r->u.gap.to_seq < r->u.gap.from_seq)
			sqlite3_bind_null(st, 4);	/* open-ended */
		else
			sqlite3_bind_int64(st, 4, r->u.gap.to_seq);
		store_bind_text(st, 5, r->u.gap.why, -1);
		sqlite3_bind_int64(st, 6, r->u.gap.recv_ms);
		if (store_step(st) == SQLITE_DONE) {
			/* Accounted for: a restart resumes after the gap. */
			if (r->u.gap.to_seq >= r->u.gap.from_seq)
				store_track(s, r->feed, r->u.gap.epoch,
				    r->u.gap.to_seq);
			return 0;
		}
		snprintf(err, errlen, "store: cannot insert gap feed=%s "
		    "seq=%lld-%lld: %s", r->feed, (long long)r->u.gap.from_seq,
		    (long long)r->u.gap.to_seq, sqlite3_errmsg(s->db));
		return -1;
	case STORE_ROW_FLAG:
		f = &r->u.flag;
		st = s->st[ST_FLAG];
		sqlite3_bind_int64(st, 1, f->id);
		store_bind_text(st, 2, f->feed, -1);
		store_bind_text(st, 3, f->attempt, -1);
		store_bind_text(st, 4, f->rule, -1);
		sqlite3_bind_text(st, 5, proto_severity_name(f->severity), -1,
		    SQLITE_STATIC);
		store_bind_text(st, 6, f->message, -1);
		sqlite3_bind_int64(st, 7, f->first_ms);
		sqlite3_bind_int64(st, 8, f->last_ms);
		sqlite3_bind_int64(st, 9, f->count);
		sqlite3_bind_int64(st, 10, f->first_seq);
		sqlite3_bind_int64(st, 11, f->last_seq);
		sqlite3_bind_text(st, 12, store_flag_state_name(f->state), -1,
		    SQLITE_STATIC);
		sqlite3_bind_double(st, 13, f->weight);
		store_bind_text(st, 14, f->evidence, -1);
		if (f->closed_ms != 0)
			sqlite3_bind_int64(st, 15, f->closed_ms);
		else
			sqlite3_bind_null(st, 15);
		if (store_step(st) == SQLITE_DONE)
			return 0;
		snprintf(err, errlen, "store: cannot save flag id=%lld rule=%s "
		    "attempt=%s: %s", (long long)f->id,
		    f->rule != NULL ? f->rule : "(none)",
		    f->attempt != NULL ? f->attempt : "(none)",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	snprintf(err, errlen, "store: queued row of unknown type %d", r->type);
	return -1;
}

/* Write the positions the queued messages moved, in the same transaction. */
static int
store_apply_positions(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt	*st = s->st[ST_FEED];
	int64_t		 now = store_now_ms();
	size_t		 i;

	for (i = 0; i < s->npos; i++) {
		sqlite3_bind_text(st, 1, s->pos[i].feed, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->pos[i].epoch);
		sqlite3_bind_int64(st, 3, s->pos[i].last_seq);
		sqlite3_bind_int64(st, 4, now);
		if (store_step(st) != SQLITE_DONE) {
			snprintf(err, errlen, "store: cannot save position of "
			    "feed=%s epoch=%lld seq=%lld: %s", s->pos[i].feed,
			    (long long)s->pos[i].epoch,
			    (long long)s->pos[i].last_seq,
			    sqlite3_errmsg(s->db));
			return -1;
		}
	}
	return 0;
}

static int
store_set_synchronous(struct store *s, const char *level, char *err,
    size_t errlen)
{
	char	sql[64];

	snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", level);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (err != NULL)
		snprintf(err, errlen, "store: cannot set synchronous=%s on %s: "
		    "%s", level, s->path, sqlite3_errmsg(s->db));
	return -1;
}

/*
 * The one commit path: the rows of b, the feed positions, then extra (if
 * any), in one IMMEDIATE transaction; durable (synchronous=FULL) when
 * asked.  b is emptied only after COMMIT succeeds.  Runs on the writer
 * thread (b is w) or on the caller's, holding the connection (b is q).
 */
static int
store_commit_batch(struct store *s, struct store_batch *b, int durable,
    store_extra_fn extra, void *arg, char *err, size_t errlen)
{
	size_t	i;
	int	rc = -1;

	if (durable && store_set_synchronous(s, "FULL", err, errlen) == -1)
		return -1;

	if (store_exec(s, ST_BEGIN) == -1) {
		snprintf(err, errlen, "store: cannot begin a transaction on %s: "
		    "%s", s->path, sqlite3_errmsg(s->db));
		goto out;
	}
	s->npos = 0;
	for (i = 0; i < b->nrows; i++) {
		if (store_apply_row(s, &b->rows[i], err, errlen) == -1)
			goto rollback;
	}
	if (store_apply_positions(s, err, errlen) == -1)
		goto rollback;
	if (extra != NULL && extra(s, arg, err, errlen) == -1)
		goto rollback;
	if (store_exec(s, ST_COMMIT) == -1) {
		snprintf(err, errlen, "store: cannot commit %zu rows to %s: %s",
		    b->nrows, s->path, sqlite3_errmsg(s->db));
		goto rollback;
	}
	batch_reset(b);
	rc = 0;
	goto out;

rollback:
	/* The sentence is already in err; ROLLBACK would replace errmsg. */
	store_exec(s, ST_ROLLBACK);
out:
	/*
	 * Back to batch speed.  Should this fail, what was committed stays
	 * committed and later commits are merely more durable, so it is
	 * not reported as the failure of this one.
	 */
	if (durable)
		store_set_synchronous(s, "NORMAL", NULL, 0);
	return rc;
}

/* Everything queued (and extra), now, on the caller's thread. */
static int
store_commit(struct store *s, int durable, store_extra_fn extra, void *arg,
    char *err, size_t errlen)
{
	int	rc;

	store_hold(s);
	rc = store_commit_batch(s, &s->q, durable, extra, arg, err, errlen);
	store_release(s);
	return rc;
}

/* ---- the writer thread */

/* Until 'until' (monotonic ms) or a broadcast. */
static void
writer_wait(struct store_writer *wr, int64_t until)
{
	struct timespec	ts;

	if (until <= 0) {
		pthread_cond_wait(&wr->cv, &wr->mu);
		return;
	}
	ts.tv_sec = (time_t)(until / 1000);
	ts.tv_nsec = (long)(until % 1000) * 1000000;
	pthread_cond_timedwait(&wr->cv, &wr->mu, &ts);
}

static void *
writer_main(void *arg)
{
	struct store		*s = arg;
	struct store_writer	*wr = s->writer;
	struct store_batch	 t;
	char			 err[sizeof wr->err];
	int64_t			 now, due;
	size_t			 n;
	int			 rc;

	pthread_mutex_lock(&wr->mu);
	while (!wr->stop) {
		if (wr->held || s->q.nrows == 0) {
			writer_wait(wr, 0);
			continue;
		}
		now = store_mono_ms();
		due = s->q.first_ms + wr->commit_ms;
		if (due < wr->not_before)
			due = wr->not_before;
		if (now < due && (s->q.nrows < STORE_BATCH_ROWS ||
		    now < wr->not_before)) {
			writer_wait(wr, due);
			continue;
		}
		/* Take the queue; the caller fills the emptied one. */
		t = s->w;
		s->w = s->q;
		s->q = t;
		wr->busy = 1;
		pthread_mutex_unlock(&wr->mu);

		n = s->w.nrows;
		rc = store_commit_batch(s, &s->w, 0, NULL, NULL, err,
		    sizeof err);

		pthread_mutex_lock(&wr->mu);
		wr->busy = 0;
		if (rc == 0) {
			wr->commits++;
			wr->rows += n;
		} else {
			/* Nothing is lost: the rows go back first in line,
			 * and the next try is a second away. */
			batch_prepend(&s->q, &s->w);
			memcpy(wr->err, err, sizeof wr->err);
			wr->failures++;
			wr->not_before = store_mono_ms() + 1000;
		}
		pthread_cond_broadcast(&wr->cv);
	}
	pthread_mutex_unlock(&wr->mu);
	return NULL;
}

int
store_writer_start(struct store *s, int commit_ms, char *err, size_t errlen)
{
	struct store_writer	*wr;
	pthread_condattr_t	 ca;
	int			 rc;

	if (s->writer != NULL)
		return 0;
	wr = xmalloc(sizeof *wr);
	memset(wr, 0, sizeof *wr);
	wr->commit_ms = commit_ms < 1 ? 1 : commit_ms;
	pthread_mutex_init(&wr->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&wr->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->writer = wr;
	if ((rc = pthread_create(&wr->thread, NULL, writer_main, s)) != 0) {
		s->writer = NULL;
		pthread_cond_destroy(&wr->cv);
		pthread_mutex_destroy(&wr->mu);
		free(wr);
		snprintf(err, errlen, "store: cannot start the writer thread: "
		    "%s", strerror(rc));
		return -1;
	}
	return 0;
}

/* Stop the writer; what it has not taken stays in q. */
static void
store_writer_stop(struct store *s)
{
	struct store_writer	*wr = s->writer;

	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->mu);
	wr->stop = 1;
	pthread_cond_broadcast(&wr->cv);
	pthread_mutex_unlock(&wr->mu);
	pthread_join(wr->thread, NULL);
	s->writer = NULL;
	pthread_cond_destroy(&wr->cv);
	pthread_mutex_destroy(&wr->mu);
	free(wr);
}

int
store_due(struct store *s, char *err, size_t errlen)
{
	struct store_writer	*wr = s->writer;
	int			 rc = 0;

	if (wr == NULL) {
		if (s->q.nrows >= STORE_BATCH_ROWS)
			return store_commit(s, 0, NULL, NULL, err, errlen);
		return 0;
	}
	pthread_mutex_lock(&wr->mu);
	/* The writer is behind: the feed waits, not memory. */
	while (s->q.nrows >= STORE_QUEUE_ROWS && wr->busy)
		pthread_cond_wait(&wr->cv, &wr->mu);
	if (wr->reported != wr->failures) {
		wr->reported = wr->failures;
		snprintf(err, errlen, "%s", wr->err);
		rc = -1;
	}
	pthread_mutex_unlock(&wr->mu);
	return rc;
}

void
store_writer_stats(struct store *s, uint64_t *commits, uint64_t *rows)
{
	struct store_writer	*wr = s->writer;

	*commits = *rows = 0;
	if (wr == NULL)
		return;
	pthread_mutex_lock(&wr->mu);
	*commits = wr->commits;
	*rows = wr->rows;
	pthread_mutex_unlock(&wr->mu);
}

static void
store_finalize(struct store *s)
{
	int	i;

	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}

static void
store_free(struct store *s)
{
	store_finalize(s);
	sqlite3_close_v2(s->db);
	store_file_unlock(s->lockfd);
	store_writer_stop(s);
	batch_free(&s->q);
	batch_free(&s->w);
	free(s->pos);
	free(s->path);
	free(s);
}

/* One PRAGMA that must answer with the given text. */
static int
store_pragma_expect(struct store *s, const char *sql, const char *want,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*got;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot run \"%s\" on %s: %s", sql,
		    s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(err, errlen, "store: cannot run \"%s\" on %s: %s", sql,
		    s->path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	got = (const char *)sqlite3_column_text(st, 0);
	if (got == NULL || strcmp(got, want) != 0) {
		snprintf(err, errlen, "store: %s: \"%s\" gave \"%s\", not "
		    "\"%s\"; invigil needs a database on a local file system "
		    "that supports WAL", s->path, sql, got ? got : "", want);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
store_open(struct store **sp, const char *path, char *err, size_t errlen)
{
	struct store	*s;
	sqlite3_stmt	*st;
	size_t		 len;
	int		 i, rc, exists;

	*sp = NULL;
	s = xmalloc(sizeof *s);
	memset(s, 0, sizeof *s);
	len = strlen(path);
	s->path = xmalloc(len + 1);
	memcpy(s->path, path, len + 1);
	s->lockfd = -1;

	/*
	 * A FIFO or a device is refused before SQLite opens it; a new
	 * database is made 0600, which SQLite passes on to its -wal, -shm and
	 * -journal files; then the writer's lock, before anything is read.
	 */
	if ((exists = store_file_check(path, 0, err, errlen)) == -1)
		goto fail;
	if (!exists && store_file_create(path, err, errlen) == -1)
		goto fail;
	if ((s->lockfd = store_file_lock(path, err, errlen)) == -1)
		goto fail;
	store_file_warn_modes(path);

	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK && store_file_same(s->lockfd, path, err,
	    errlen) == -1)
		goto fail;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot open %s: %s (does its "
		    "directory exist, and may invigil write there?)", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* SQLite quietly falls back to read-only; the writer cannot. */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "store: %s is read-only; the console "
		    "records everything and needs to write to it", path);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	/* No SQL function with side effects from the file's schema, and no
	 * writing to the schema itself (see store_schema_check()). */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);

	/* Look before touching: WAL would rewrite a stranger's header. */
	if (store_schema_check(s->db, path, 0, err, errlen) == -1)
		goto fail;
	if (store_pragma_expect(s, "PRAGMA journal_mode = WAL", "wal", err,
	    errlen) == -1)
		goto fail;
	/*
	 * Batches commit at NORMAL: in WAL mode a crash may lose the last
	 * batches but never corrupts, and the feed replays what was lost
	 * since the position is committed with them.  A 28 MiB page cache
	 * keeps the message indexes' hot pages in memory (32 MiB gave no
	 * clear gain and cost the console 4 MiB more than its 110 MiB at
	 * 10,000 attempts, bench/NOTES.md), and checkpointing
	 * every 10000 pages (40 MiB of WAL) rather than 1000 copies a page
	 * rewritten by many batches once; together they about double the
	 * ingest rate.  After a checkpoint has copied everything back, the
	 * WAL file is cut to 64 MiB when it restarts (journal_size_limit),
	 * so that one long reader does not leave a huge file behind.  See
	 * invigil-store(5), "Readers and the WAL".
	 */
	if (sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL; "
	    "PRAGMA foreign_keys = ON; PRAGMA cache_size = -28672; "
	    "PRAGMA wal_autocheckpoint = 10000; "
	    "PRAGMA journal_size_limit = 67108864", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "store: cannot set up %s: %s", path,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	if (store_schema_migrate(s->db, path, err, errlen) == -1)
		goto fail;

	for (i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "store: cannot prepare statement "
			    "%d for %s: %s", i, path, sqlite3_errmsg(s->db));
			goto fail;
		}
	}

	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(max(id), 0) + 1 "
	    "FROM flags", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read flags of %s: %s",
		    path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "store: cannot read flags of %s: %s",
		    path, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		goto fail;
	}
	s->next_flag_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	*sp = s;
	return 0;

fail:
	store_free(s);
	return -1;
}

int
store_close(struct store *s, char *err, size_t errlen)
{
	size_t	lost, n;
	int	rc = 0;

	if (s == NULL)
		return 0;
	store_writer_stop(s);	/* what it did not commit is in q */
	lost = s->q.nrows;
	if (lost != 0 && store_commit(s, 0, NULL, NULL, err, errlen) == -1) {
		/* After the cause, say what closing anyway costs. */
		n = strlen(err);
		if (n + 1 < errlen)
			snprintf(err + n, errlen - n, "; %zu queued rows were "
			    "not saved", lost);
		rc = -1;
	}
	store_free(s);
	return rc;
}

/*
 * Reads committed rows only: what is still queued does not count, so the
 * answer is what a resume after a crash would find.
 */
int
store_feed_position(struct store *s, const char *feed, int64_t *epoch,
    int64_t *last_seq, char *err, size_t errlen)
{
	sqlite3_stmt	*st = s->st[ST_POSITION];
	int		 rc;

	*epoch = *last_seq = 0;
	store_hold(s);
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*epoch = sqlite3_column_int64(st, 0);
		*last_seq = sqlite3_column_int64(st, 1);
	}
	rc = store_step_end(s, st, rc, "read position of feed=", feed, err,
	    errlen);
	store_release(s);
	return rc;
}

int
store_feed_seen(struct store *s, const char *feed, const char *url, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st = s->st[ST_FEED_URL];
	int		 rc;

	store_hold(s);
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, store_now_ms());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rc = SQLITE_ERROR;	/* an upsert gives no row */
	rc = store_step_end(s, st, rc, "record the URL of feed=", feed, err,
	    errlen);
	store_release(s);
	return rc;
}

int
store_feed_by_url(struct store *s, const char *url, char *feed, size_t feedsz,
    int64_t *epoch, int64_t *last_seq, char *err, size_t errlen)
{
	sqlite3_stmt	*st = s->st[ST_FEED_BY_URL];
	int		 rc;

	*epoch = *last_seq = 0;
	if (feedsz > 0)
		feed[0] = '\0';
	store_hold(s);
	sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) == NULL)
		rc = SQLITE_DONE;	/* a crafted row: no feed */
	if (rc == SQLITE_ROW) {
		snprintf(feed, feedsz, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		*epoch = sqlite3_column_int64(st, 1);
		*last_seq = sqlite3_column_int64(st, 2);
	}
	rc = store_step_end(s, st, rc, "look up feed at ", url, err, errlen);
	store_release(s);
	return rc;
}

/* Give fn each command row of prepared statement which (id, feed,
 * attempt, action, text); 0, or -1 with "cannot read WHAT". */
static int
commands_each(struct store *s, enum store_stmt which, const char *what,
    store_command_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3_stmt		*st = s->st[which];
	struct store_command	 c;
	int			 rc;

	store_hold(s);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof c);
		c.id = (const char *)sqlite3_column_text(st, 0);
		c.feed = (const char *)sqlite3_column_text(st, 1);
		c.attempt = (const char *)sqlite3_column_text(st, 2);
		c.action = (const char *)sqlite3_column_text(st, 3);
		c.text = (const char *)sqlite3_column_text(st, 4);
		if (c.id != NULL && c.feed != NULL && c.attempt != NULL &&
		    c.action != NULL)
			fn(&c, arg);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "store: cannot read %s: %s", what,
		    sqlite3_errmsg(s->db));
	store_release(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_commands_pending(struct store *s, store_command_fn fn, void *arg,
    char *err, size_t errlen)
{
	return commands_each(s, ST_PENDING, "pending commands", fn, arg, err,
	    errlen);
}

int
store_commands_locked(struct store *s, store_command_fn fn, void *arg,
    char *err, size_t errlen)
{
	return commands_each(s, ST_LOCKED, "locked attempts", fn, arg, err,
	    errlen);
}

#define COL_TEXT(st, i)	((const char *)sqlite3_column_text((st), (i)))

/* What store_each_attempt() and store_each_flag() give store_each_row(). */
struct store_each {
	store_attempt_fn	 attempt;
	store_each_flag_fn	 flag;
	void			*arg;
};

/*
 * Run sql and give each row to row(st, each); 0 when every row was read,
 * or -1 with "store: cannot read WHAT: ..." in err.
 */
static int
store_each_row(struct store *s, const char *sql, const char *what,
    void (*row)(sqlite3_stmt *, const struct store_each *),
    const struct store_each *each, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	store_hold(s);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot read %s: %s", what,
		    sqlite3_errmsg(s->db));
		store_release(s);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		row(st, each);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		snprintf(err, errlen, "store: cannot read %s: %s", what,
		    sqlite3_errmsg(s->db));
	store_release(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
store_each_attempt_row(sqlite3_stmt *st, const struct store_each *each)
{
	struct store_attempt	a;

	a.feed = COL_TEXT(st, 0);
	a.attempt = COL_TEXT(st, 1);
	a.candidate = COL_TEXT(st, 2);
	a.name = COL_TEXT(st, 3);
	a.exam = COL_TEXT(st, 4);
	a.modality = COL_TEXT(st, 5);
	a.state = COL_TEXT(st, 6);
	a.ip = COL_TEXT(st, 7);
	a.device = COL_TEXT(st, 8);
	a.center = COL_TEXT(st, 9);
	if (a.feed != NULL && a.attempt != NULL)
		each->attempt(&a, each->arg);
}

int
store_each_attempt(struct store *s, store_attempt_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct store_each	each = { .attempt = fn, .arg = arg };

	return store_each_row(s, "SELECT feed, attempt, candidate, name, "
	    "exam, modality, state, ip, device, center FROM attempts ORDER BY "
	    "feed, "
	    "attempt", "attempts", store_each_attempt_row, &each, err, errlen);
}

static void
store_each_flag_row(sqlite3_stmt *st, const struct store_each *each)
{
	struct store_flag	f;

	store_row_flag(st, 0, &f);
	if (f.feed != NULL && f.attempt != NULL && f.rule != NULL)
		each->flag(&f, each->arg);
}

int
store_each_flag(struct store *s, store_each_flag_fn fn, void *arg, char *err,
    size_t errlen)
{
	struct store_each	each = { .flag = fn, .arg = arg };

	return store_each_row(s, "SELECT " STORE_FLAG_COLUMNS " FROM flags "
	    "ORDER BY id", "flags", store_each_flag_row, &each, err, errlen);
}

int
store_add_message(struct store *s, const char *feed, int64_t epoch,
    const struct proto_msg *m, const char *raw, size_t rawlen,
    int64_t recv_ms, char *err, size_t errlen)
{
	struct store_row	*r;
	struct proto_attempt	*facts;
	const char		*attempt;

	if (feed == NULL || *feed == '\0') {
		snprintf(err, errlen, "store: message seq=%lld has no feed",
		    (long long)m->seq);
		return -1;
	}
	if (!proto_type_is_stream(m->type)) {
		snprintf(err, errlen, "store: a %s message from feed=%s is not "
		    "a stream message and is not stored as one",
		    proto_type_name(m->type), feed);
		return -1;
	}
	if (m->seq < 1) {
		snprintf(err, errlen, "store: message from feed=%s has seq=%lld; "
		    "stream messages start at 1", feed, (long long)m->seq);
		return -1;
	}
	if (raw == NULL)
		rawlen = 0;
	if (rawlen > INT_MAX) {
		snprintf(err, errlen, "store: message feed=%s seq=%lld is %zu "
		    "bytes, too long to store", feed, (long long)m->seq, rawlen);
		return -1;
	}

	attempt = proto_msg_attempt(m);
	store_lock(s);
	r = store_push(s, STORE_ROW_MESSAGE, feed);
	r->u.msg.type = m->type;
	r->u.msg.epoch = epoch;
	r->u.msg.seq = m->seq;
	r->u.msg.ts_ms = m->ts_ms;
	r->u.msg.recv_ms = recv_ms;
	r->u.msg.attempt = store_strdup(s, attempt);
	if (m->type == PROTO_EVENT)
		r->u.msg.kind = proto_event_kind_name(m->u.event.kind);
	r->u.msg.body = store_copy(s, raw != NULL ? raw : "", rawlen);
	r->u.msg.bodylen = rawlen;
	if (m->type == PROTO_ATTEMPT) {
		facts = batch_alloc(&s->q, sizeof *facts);
		memcpy(facts, &m->u.attempt, sizeof *facts);
		r->u.msg.facts = facts;
	} else if (m->type == PROTO_STATE)
		r->u.msg.state = m->u.state.state;
	store_unlock(s);
	return 0;
}

int
store_add_reject(struct store *s, const char *feed, const char *raw,
    size_t rawlen, const char *reason, int64_t recv_ms, char *err,
    size_t errlen)
{
	struct store_row	*r;
	size_t			 keep;

	(void)err;
	(void)errlen;
	if (raw == NULL)
		rawlen = 0;
	keep = rawlen > STORE_REJECT_MAX ? STORE_REJECT_MAX : rawlen;

	store_lock(s);
	r = store_push(s, STORE_ROW_REJECT, feed);
	r->u.reject.raw = store_copy(s, raw != NULL ? raw : "", keep);
	r->u.reject.rawlen = keep;
	r->u.reject.origlen = rawlen;
	r->u.reject.reason = store_strdup(s, reason);
	r->u.reject.recv_ms = recv_ms;
	store_unlock(s);
	return 0;
}

int
store_add_gap(struct store *s, const char *feed, int64_t epoch,
    int64_t from_seq, int64_t to_seq, const char *why, int64_t recv_ms,
    char *err, size_t errlen)
{
	struct store_row	*r;

	if (feed == NULL || *feed == '\0') {
		snprintf(err, errlen, "store: gap seq=%lld-%lld has no feed",
		    (long long)from_seq, (long long)to_seq);
		return -1;
	}
	store_lock(s);
	r = store_push(s, STORE_ROW_GAP, feed);
	r->u.gap.epoch = epoch;
	r->u.gap.from_seq = from_seq;
	r->u.gap.to_seq = to_seq;
	r->u.gap.why = store_strdup(s, why);
	r->u.gap.recv_ms = recv_ms;
	store_unlock(s);
	return 0;
}

int64_t
store_flag_next_id(struct store *s)
{
	return s->next_flag_id++;
}

int
store_put_flag(struct store *s, const struct store_flag *f, char *err,
    size_t errlen)
{
	struct store_row	*r;

	if (f->id < 1 || f->rule == NULL) {
		snprintf(err, errlen, "store: flag id=%lld rule=%s: a flag needs "
		    "an id from store_flag_next_id() and a rule",
		    (long long)f->id, f->rule != NULL ? f->rule : "(none)");
		return -1;
	}
	if ((unsigned)f->severity > PROTO_SEV_CRITICAL ||
	    (unsigned)f->state > STORE_FLAG_CONFIRMED) {
		snprintf(err, errlen, "store: flag id=%lld rule=%s has severity "
		    "%d and state %d; out of range", (long long)f->id, f->rule,
		    (int)f->severity, (int)f->state);
		return -1;
	}
	store_lock(s);
	r = store_push(s, STORE_ROW_FLAG, NULL);
	r->u.flag = *f;
	r->u.flag.feed = store_strdup(s, f->feed);
	r->u.flag.attempt = store_strdup(s, f->attempt);
	r->u.flag.rule = store_strdup(s, f->rule);
	r->u.flag.message = store_strdup(s, f->message);
	r->u.flag.evidence = f->evidence != NULL ? store_strdup(s, f->evidence) : NULL;
	store_unlock(s);
	return 0;
}

size_t
store_pending(struct store *s)
{
	size_t	n;

	store_lock(s);
	n = s->q.nrows + s->w.nrows;
	store_unlock(s);
	return n;
}

int
store_flush(struct store *s, char *err, size_t errlen)
{
	int	rc = 0;

	store_hold(s);
	if (s->q.nrows != 0)
		rc = store_commit_batch(s, &s->q, 0, NULL, NULL, err, errlen);
	store_release(s);
	return rc;
}

static int
store_command_insert(struct store *s, const struct store_command *c,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st = s->st[ST_COMMAND];

	sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->feed, -1, SQLITE_STATIC);
	store_bind_text(st, 3, c->attempt, -1);
	store_bind_text(st, 4, c->action, -1);
	store_bind_text(st, 5, c->text, -1);
	store_bind_text(st, 6, c->actor, -1);
	sqlite3_bind_int64(st, 7, c->sent_ms);
	if (store_step(st) == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "store: cannot record command feed=%s id=%s: %s",
	    c->feed, c->id, sqlite3_errmsg(s->db));
	return -1;
}

struct store_journal_arg {
	const struct store_journal_entry *e;
	const struct store_command	*c;
	struct store_receipt		*rc;
};

/* Canonical evidence and detail, then the chained row (and the command). */
static int
store_journal_insert(struct store *s, void *arg, char *err, size_t errlen)
{
	struct store_journal_arg		*ja = arg;
	const struct store_journal_entry	*e = ja->e;
	struct journal_row			 r;
	char					*evidence = NULL, *detail = NULL;
	int					 rc = -1;

	memset(&r, 0, sizeof r);
	if (e->evidence != NULL && journal_canon_object(e->evidence,
	    "evidence", &evidence, err, errlen) == -1)
		goto out;
	if (e->detail != NULL && journal_canon_object(e->detail, "detail",
	    &detail, err, errlen) == -1)
		goto out;
	r.time_ms = store_now_ms();
	r.actor = e->actor;
	r.role = e->role;
	r.kind = e->kind;
	r.feed = e->feed;
	r.attempt = e->attempt;
	r.flag_id = e->flag_id;
	r.reason_code = e->reason_code;
	r.reason = e->reason;
	r.evidence = evidence;
	r.detail = detail;
	r.signer = s->signer;
	if (journal_insert(s->db, &r, ja->rc->hash, err, errlen) == -1)
		goto out;
	ja->rc->seq = r.seq;
	ja->rc->time_ms = r.time_ms;
	if (ja->c != NULL && store_command_insert(s, ja->c, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	free(evidence);
	free(detail);
	return rc;
}

/*
 * 1 with a sentence if s has no key to sign kind by actor with (the entry
 * is refused, not written unsigned), else 0.
 */
static int
store_unsigned(struct store *s, const char *kind, const char *actor,
    char *err, size_t errlen)
{
	if (s->signer != NULL)
		return 0;
	snprintf(err, errlen, "store: %s by %s has no key to sign it; "
	    "refused, nothing was written (give the store its actor's key: "
	    "store_set_signer)", kind, actor);
	return 1;
}

int
store_journal_append(struct store *s, const struct store_journal_entry *e,
    const struct store_command *c, struct store_receipt *receipt,
    char *err, size_t errlen)
{
	struct store_receipt		 dummy;
	struct store_journal_arg	 ja;

	if (e->kind == NULL || *e->kind == '\0' || e->actor == NULL ||
	    *e->actor == '\0' || e->role == NULL || *e->role == '\0') {
		snprintf(err, errlen, "store: a journal entry needs a kind, an "
		    "actor and a role");
		return -1;
	}
	if (c != NULL && (c->id == NULL || c->feed == NULL)) {
		snprintf(err, errlen, "store: a command needs an id and a feed");
		return -1;
	}
	if (store_unsigned(s, e->kind, e->actor, err, errlen))
		return -1;
	memset(&dummy, 0, sizeof dummy);
	ja.e = e;
	ja.c = c;
	ja.rc = receipt != NULL ? receipt : &dummy;
	return store_commit(s, 1, store_journal_insert, &ja, err, errlen);
}

struct store_ack_arg {
	const char	*feed;
	const char	*id;
	int		 ok;
	const char	*error;
	int64_t		 ack_ms;
	int		 recorded;
	struct store_receipt *rc;
};

/*
 * The first acknowledgement of a command updates its row and is journaled
 * as cmd_ack, by the feed; an acknowledgement of a command this database
 * never sent is kept too (evidence), and a repeat changes nothing.
 */
static int
store_ack_apply(struct store *s, void *arg, char *err, size_t errlen)
{
	struct store_ack_arg		*aa = arg;
	struct store_journal_entry	 e;
	struct store_journal_arg	 ja;
	sqlite3_stmt			*st = s->st[ST_ACK];
	json_t				*o;
	char				*detail, *attempt = NULL, *action = NULL;
	int				 rc, fresh = 0;

	sqlite3_bind_text(st, 1, aa->feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, aa->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, aa->ack_ms);
	sqlite3_bind_int(st, 4, aa->ok != 0);
	store_bind_text(st, 5, aa->error, -1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		fresh = 1;
		if (sqlite3_column_text(st, 0) != NULL)
			attempt = xstrdup((const char *)
			    sqlite3_column_text(st, 0));
		if (sqlite3_column_text(st, 1) != NULL)
			action = xstrdup((const char *)
			    sqlite3_column_text(st, 1));
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot record acknowledgement of "
		    "command feed=%s id=%s: %s", aa->feed, aa->id,
		    sqlite3_errmsg(s->db));
		goto fail;
	}
	if (!fresh)
		return 0;

	o = json_pack("{s:s, s:b}", "cmd", aa->id, "ok", aa->ok != 0);
	if (o == NULL) {
		snprintf(err, errlen, "store: the command id of an "
		    "acknowledgement from feed %s is not UTF-8", aa->feed);
		goto fail;
	}
	if (action != NULL)
		json_object_set_new(o, "action", json_string(action));
	if (aa->error != NULL)	/* NULL (not UTF-8) is left out */
		json_object_set_new(o, "error", json_string(aa->error));
	detail = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	memset(&e, 0, sizeof e);
	e.actor = aa->feed;
	e.role = "feed";
	e.kind = "cmd_ack";
	e.feed = aa->feed;
	e.attempt = attempt;
	e.detail = detail;
	ja.e = &e;
	ja.c = NULL;
	ja.rc = aa->rc;
	rc = store_journal_insert(s, &ja, err, errlen);
	free(detail);
	free(attempt);
	free(action);
	if (rc == 0)
		aa->recorded = 1;
	return rc;
fail:
	free(attempt);
	free(action);
	return -1;
}

int
store_command_acked(struct store *s, const char *feed, const char *id, int ok,
    const char *error, int64_t ack_ms, struct store_receipt *receipt,
    char *err, size_t errlen)
{
	struct store_receipt	dummy;
	struct store_ack_arg	aa;

	if (feed == NULL || id == NULL) {
		snprintf(err, errlen, "store: an acknowledgement needs a feed "
		    "and a command id");
		return -1;
	}
	/* The recording console signs what its feed acknowledged. */
	if (store_unsigned(s, "cmd_ack", feed, err, errlen))
		return -1;
	memset(&dummy, 0, sizeof dummy);
	memset(&aa, 0, sizeof aa);
	aa.feed = feed;
	aa.id = id;
	aa.ok = ok;
	aa.error = error != NULL && *error != '\0' ? error : NULL;
	aa.ack_ms = ack_ms;
	aa.rc = receipt != NULL ? receipt : &dummy;
	if (store_commit(s, 1, store_ack_apply, &aa, err, errlen) == -1)
		return -1;
	return aa.recorded;
}

int64_t
store_journal_size(struct store *s, char *err, size_t errlen)
{
	uint8_t	hash[SIGN_HASH_LEN];
	int64_t	seq;

	int	rc;

	store_hold(s);
	rc = journal_last(s->db, &seq, hash, err, errlen);
	store_release(s);
	return rc == -1 ? -1 : seq;
}

void
store_set_signer(struct store *s, const struct sign_key *key)
{
	s->signer = key;
}

const struct sign_key *
store_signer(struct store *s)
{
	return s->signer;
}

int
store_key_register(struct store *s, const struct sign_key *key,
    const char *actor, const char *role, char *err, size_t errlen)
{
	int	rc;

	store_hold(s);
	rc = journal_key_register(s->db, key, actor, role, store_now_ms(),
	    err, errlen);
	store_release(s);
	return rc;
}

struct store_checkpoint_arg {
	const struct sign_key	*key;
	int64_t			 size;
};

/* Under the write lock, so that the size signed is the journal's size. */
static int
store_checkpoint_apply(struct store *s, void *arg, char *err, size_t errlen)
{
	struct store_checkpoint_arg	*ca = arg;

	return journal_checkpoint(s->db, ca->key, store_now_ms(), &ca->size,
	    err, errlen);
}

int
store_checkpoint(struct store *s, const struct sign_key *key, int64_t *size,
    char *err, size_t errlen)
{
	struct store_checkpoint_arg	ca = { key, 0 };

	if (store_commit(s, 1, store_checkpoint_apply, &ca, err, errlen) == -1)
		return -1;
	if (size != NULL)
		*size = ca.size;
	return 0;
}

struct sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_flag_state_name(enum store_flag_state v)
{
	static const char *const names[] = {
		"open", "dismissed", "confirmed"
	};

	if ((unsigned)v >= sizeof names / sizeof names[0])
		return "?";
	return names[v];
}

/* ---- the console's duplicate check */

static void
store_hex(const void *data, size_t len, char hex[2 * SIGN_HASH_LEN + 1])
{
	static const char	 digits[] = "0123456789abcdef";
	uint8_t			 h[SIGN_HASH_LEN];
	size_t			 i;

	sign_sha256(data, len, h);
	for (i = 0; i < SIGN_HASH_LEN; i++) {
		hex[2 * i] = digits[h[i] >> 4];
		hex[2 * i + 1] = digits[h[i] & 15];
	}
	hex[2 * SIGN_HASH_LEN] = '\0';
}

int
store_message_compare(struct store *s, const char *feed, int64_t epoch,
    int64_t seq, const char *raw, size_t rawlen,
    char stored_hex[2 * SIGN_HASH_LEN + 1], char new_hex[2 * SIGN_HASH_LEN + 1],
    char *err, size_t errlen)
{
	int	rc;

	store_hold(s);
	rc = store_message_compare_held(s, feed, epoch, seq, raw, rawlen,
	    stored_hex, new_hex, err, errlen);
	store_release(s);
	return rc;
}

static int
store_message_compare_held(struct store *s, const char *feed, int64_t epoch,
    int64_t seq, const char *raw, size_t rawlen,
    char stored_hex[2 * SIGN_HASH_LEN + 1], char new_hex[2 * SIGN_HASH_LEN + 1],
    char *err, size_t errlen)
{
	const struct store_row	*r;
	sqlite3_stmt		*st;
	const void		*body = NULL;
	size_t			 len = 0, i;
	int			 rc, found = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT body FROM messages WHERE "
	    "feed = ?1 AND epoch = ?2 AND seq = ?3", -1, &st, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "store: cannot look up message feed=%s "
		    "epoch=%lld seq=%lld: %s", feed, (long long)epoch,
		    (long long)seq, sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		body = sqlite3_column_blob(st, 0);
		len = (size_t)sqlite3_column_bytes(st, 0);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot look up message feed=%s "
		    "epoch=%lld seq=%lld: %s", feed, (long long)epoch,
		    (long long)seq, sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return -1;
	}
	for (i = 0; !found && i < s->q.nrows; i++) {
		r = &s->q.rows[i];
		if (r->type == STORE_ROW_MESSAGE && r->u.msg.seq == seq &&
		    r->u.msg.epoch == epoch && strcmp(r->feed, feed) == 0) {
			body = r->u.msg.body;
			len = r->u.msg.bodylen;
			found = 1;
		}
	}
	if (found) {
		if (len == rawlen && (len == 0 || memcmp(body, raw, len) == 0))
			found = 1;
		else {
			store_hex(body != NULL ? body : "", len, stored_hex);
			store_hex(raw, rawlen, new_hex);
			found = 2;
		}
	}
	sqlite3_finalize(st);
	return found;
}
