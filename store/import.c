/*
 * import.c - one case database from the databases of many consoles
 * (`invigil review import`, invigil-review(1)).
 *
 * A source is read through a store_reader (read-only, bounded work, its
 * schema checked) and verified with store_verify() before anything is
 * copied; then everything of it goes into the case in one durable write
 * transaction, so a source is imported whole or not at all.  Rows are
 * copied column by column as SQLite values (sqlite3_bind_value), never
 * through C strings, so what lands in the case is byte for byte what the
 * source held: imported journals keep verifying as chains of their own.
 *
 * Every copy is idempotent: messages by (feed, epoch, seq), flags by
 * (source, source_id), commands by (feed, id), gaps and checkpoints by
 * their whole content, keys by vkey, journal rows by (origin, seq) with
 * the rows already imported compared byte for byte.  A second import of
 * an unchanged source therefore changes no row, and no import act is
 * journaled for it.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* clock_gettime, gmtime_r */
#endif

#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/import.h"
#include "store/journal.h"
#include "store/store.h"

/* One import of one source into the case. */
struct import_ctx {
	struct store_reader	*reader;
	sqlite3			*src;
	sqlite3			*dst;
	const char		*path;
	struct store_import	*res;
	int64_t			 entries;	/* journal rows verified */
	int64_t			 ckpts;		/* checkpoints verified */
	void			*touched;	/* tsearch(3): import_key_compare */
	char			**keys;		/* the same keys, to walk */
	size_t			 nkeys, keycap;
	const struct sign_key	*signer;	/* signs the import act */
};

/*
 * The columns copied, source side and case side.  The case side's
 * parameters ?1..?N take the source's columns in order; ?N+1, where a
 * statement has it, the source's origin.
 */
#define FLAG_COLUMNS	"feed, attempt, rule, severity, message, first_ms, " \
	"last_ms, count, first_seq, last_seq, state, weight, evidence, " \
	"closed_ms"
#define JOURNAL_COLUMNS	"seq, time_ms, actor, role, kind, feed, attempt, " \
	"flag_id, reason_code, reason, evidence, detail, body, prev_hash, hash, " \
	"sig, sig_vkey"
/* A command row in the case lacks what the source's row has. */
#define SENT_LATER	"(sent_ms IS NULL AND excluded.sent_ms IS NOT NULL)"
#define ACKED_LATER	"(ack_ms IS NULL AND excluded.ack_ms IS NOT NULL)"
#define MESSAGE_COLUMNS	"feed, epoch, seq, type, attempt, kind, ts_ms, " \
	"recv_ms, body"

static int64_t
import_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A statement on the case, or -1 with a sentence. */
static int
import_prepare(struct import_ctx *x, const char *sql, sqlite3_stmt **st,
    char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(x->dst, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "store: cannot prepare the import into the case "
	    "database: %s", sqlite3_errmsg(x->dst));
	*st = NULL;
	return -1;
}

/* A statement on the source, or -1 with the reader's sentence. */
static int
import_prepare_src(struct import_ctx *x, const char *sql, const char *what,
    sqlite3_stmt **st, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(x->src, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	store_reader_error(x->reader, what, err, errlen);
	*st = NULL;
	return -1;
}

/* Bind the source row's n columns to dst's ?1..?n and the origin to ?n+1
 * (when dst has it). */
static void
import_bind_row(struct import_ctx *x, sqlite3_stmt *dst, sqlite3_stmt *src,
    int n)
{
	int	i;

	sqlite3_reset(dst);
	for (i = 0; i < n; i++)
		sqlite3_bind_value(dst, i + 1, sqlite3_column_value(src, i));
	if (sqlite3_bind_parameter_count(dst) > n)
		sqlite3_bind_text(dst, n + 1, x->res->origin, -1,
		    SQLITE_STATIC);
}

/* Step dst to its end: 0, or -1 with a sentence about what. */
static int
import_step(struct import_ctx *x, sqlite3_stmt *dst, const char *what,
    char *err, size_t errlen)
{
	if (sqlite3_step(dst) == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, "store: cannot import %s into the case database: "
	    "%s", what, sqlite3_errmsg(x->dst));
	return -1;
}

/*
 * Copy every row srcsql reads (its ?1 bound to the journal rows verified,
 * its ?2 to the checkpoints verified) through dstsql; *count (may be
 * NULL) gains the rows dstsql changed.  0, or -1 with a sentence.
 */
static int
import_copy(struct import_ctx *x, const char *srcsql, const char *dstsql,
    int ncols, const char *what, int64_t *count, char *err, size_t errlen)
{
	sqlite3_stmt	*src = NULL, *dst = NULL;
	int		 rc, ret = -1;

	if (import_prepare_src(x, srcsql, what, &src, err, errlen) == -1 ||
	    import_prepare(x, dstsql, &dst, err, errlen) == -1)
		goto out;
	if (sqlite3_bind_parameter_count(src) >= 1)
		sqlite3_bind_int64(src, 1, x->entries);
	if (sqlite3_bind_parameter_count(src) >= 2)
		sqlite3_bind_int64(src, 2, x->ckpts);
	while ((rc = sqlite3_step(src)) == SQLITE_ROW) {
		import_bind_row(x, dst, src, ncols);
		if (import_step(x, dst, what, err, errlen) == -1)
			goto out;
		if (count != NULL)
			*count += sqlite3_changes(x->dst);
	}
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, what, err, errlen);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(src);
	sqlite3_finalize(dst);
	return ret;
}

/*
 * A touched attempt's key: feed, NUL, attempt, NUL (either may hold any
 * other byte, a newline included).  Ordered by feed, then attempt.
 */
static int
import_key_compare(const void *a, const void *b)
{
	const char	*ka = a, *kb = b;
	int		 c;

	if ((c = strcmp(ka, kb)) != 0)
		return c;
	return strcmp(ka + strlen(ka) + 1, kb + strlen(kb) + 1);
}

/* Remember that (feed, attempt) gained an attempt or state message. */
static void
import_touch(struct import_ctx *x, const char *feed, const char *attempt)
{
	size_t	 fl = strlen(feed), al = strlen(attempt);
	char	*k = xmalloc(fl + al + 2), **found;

	memcpy(k, feed, fl + 1);
	memcpy(k + fl + 1, attempt, al + 1);
	found = tsearch(k, &x->touched, import_key_compare);
	if (found == NULL)
		abort();	/* out of memory */
	if (*found != k) {
		free(k);
		return;
	}
	if (x->nkeys == x->keycap) {
		x->keycap = x->keycap == 0 ? 64 : x->keycap * 2;
		x->keys = xreallocarray(x->keys, x->keycap, sizeof *x->keys);
	}
	x->keys[x->nkeys++] = k;
}

static void
import_note_conflict(struct store_import *res, sqlite3_stmt *src)
{
	struct store_import_key	*k;
	const char		*feed;

	res->conflicts++;
	if (res->nshown >= STORE_IMPORT_SHOW)
		return;
	k = &res->conflict_keys[res->nshown++];
	feed = (const char *)sqlite3_column_text(src, 0);
	snprintf(k->feed, sizeof k->feed, "%s", feed != NULL ? feed : "");
	k->epoch = sqlite3_column_int64(src, 1);
	k->seq = sqlite3_column_int64(src, 2);
}

/*
 * Messages, once by (feed, epoch, seq).  A key already in the case with
 * the same body is present; with another body, this source's body goes
 * to conflicts (once) and the case's stays.
 */
static int
import_messages(struct import_ctx *x, char *err, size_t errlen)
{
	sqlite3_stmt	*src = NULL, *look = NULL, *ins = NULL, *conf = NULL;
	const char	*type, *attempt;
	int		 rc, ret = -1;

	if (import_prepare_src(x, "SELECT " MESSAGE_COLUMNS " FROM messages "
	    "ORDER BY feed, epoch, seq", "the messages", &src, err,
	    errlen) == -1 ||
	    import_prepare(x, "SELECT body IS ?9 FROM messages WHERE feed = ?1 "
	    "AND epoch = ?2 AND seq = ?3", &look, err, errlen) == -1 ||
	    import_prepare(x, "INSERT INTO messages (" MESSAGE_COLUMNS ") "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &ins, err,
	    errlen) == -1 ||
	    import_prepare(x, "INSERT INTO conflicts (feed, epoch, seq, source, "
	    "body, recv_ms) VALUES (?1, ?2, ?3, ?10, ?9, ?8) ON CONFLICT DO "
	    "NOTHING", &conf, err, errlen) == -1)
		goto out;
	while ((rc = sqlite3_step(src)) == SQLITE_ROW) {
		import_bind_row(x, look, src, 9);
		rc = sqlite3_step(look);
		if (rc == SQLITE_ROW && sqlite3_column_int(look, 0) == 1) {
			x->res->present++;
			continue;
		}
		if (rc == SQLITE_ROW) {
			import_bind_row(x, conf, src, 9);
			if (import_step(x, conf, "a conflicting message", err,
			    errlen) == -1)
				goto out;
			if (sqlite3_changes(x->dst) > 0)
				import_note_conflict(x->res, src);
			else
				x->res->present++;	/* kept aside before */
			continue;
		}
		if (rc != SQLITE_DONE) {
			snprintf(err, errlen, "store: cannot read the case "
			    "database's messages: %s", sqlite3_errmsg(x->dst));
			goto out;
		}
		import_bind_row(x, ins, src, 9);
		if (import_step(x, ins, "a message", err, errlen) == -1)
			goto out;
		x->res->messages++;
		type = (const char *)sqlite3_column_text(src, 3);
		attempt = (const char *)sqlite3_column_text(src, 4);
		if (type != NULL && attempt != NULL &&
		    (strcmp(type, "attempt") == 0 || strcmp(type, "state") == 0))
			import_touch(x, (const char *)sqlite3_column_text(src,
			    0), attempt);
	}
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the messages", err, errlen);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(src);
	sqlite3_finalize(look);
	sqlite3_finalize(ins);
	sqlite3_finalize(conf);
	return ret;
}

/* An attempt's row as its attempt and state messages build it. */
struct import_attempt {
	int		 known;
	int		 facts;		/* an attempt message was seen */
	struct proto_attempt a;		/* facts; form etc. "" when unknown */
	const char	*state;
	int64_t		 first_seq;
	int64_t		 updated_ms;
};

/* One attempt or state message applied as the live console applies it
 * (store.c: ST_ATTEMPT, ST_STATE). */
static void
import_fold(struct import_attempt *ia, const struct proto_msg *m, int64_t seq)
{
	const struct proto_attempt	*a = &m->u.attempt;

	if (!ia->known) {
		ia->known = 1;
		ia->first_seq = seq;
	}
	ia->updated_ms = m->ts_ms;
	if (m->type == PROTO_STATE) {
		ia->state = proto_state_name(m->u.state.state);
		return;
	}
	memcpy(ia->a.candidate, a->candidate, sizeof a->candidate);
	memcpy(ia->a.name, a->name, sizeof a->name);
	memcpy(ia->a.exam, a->exam, sizeof a->exam);
	ia->a.modality = a->modality;
	ia->state = proto_state_name(a->state);
	if (*a->form != '\0')
		memcpy(ia->a.form, a->form, sizeof a->form);
	if (*a->center != '\0')
		memcpy(ia->a.center, a->center, sizeof a->center);
	if (*a->ip != '\0')
		memcpy(ia->a.ip, a->ip, sizeof a->ip);
	if (*a->device != '\0')
		memcpy(ia->a.device, a->device, sizeof a->device);
	ia->facts = 1;
}

static void
import_bind_fact(sqlite3_stmt *st, int i, const char *s, int seen)
{
	if (seen && *s != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/*
 * Rebuild the attempts row of key (feed, attempt) from every attempt and
 * state message the case holds for it, in (epoch, seq) order: the same
 * row whatever order the sources came in.  Bodies that no longer decode,
 * or that speak of another attempt, are skipped.
 */
static int
import_attempt(struct import_ctx *x, sqlite3_stmt *sel, sqlite3_stmt *put,
    const char *key, char *err, size_t errlen)
{
	struct import_attempt	 ia;
	struct proto_msg	 m;
	const char		*attempt = key + strlen(key) + 1, *body, *about;
	char			 derr[256];
	int			 rc, facts;

	memset(&ia, 0, sizeof ia);
	sqlite3_reset(sel);
	sqlite3_bind_text(sel, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(sel, 2, attempt, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		body = (const char *)sqlite3_column_blob(sel, 1);
		if (body == NULL || proto_decode(body, (size_t)
		    sqlite3_column_bytes(sel, 1), 0, &m, derr,
		    sizeof derr) != 0)
			continue;
		about = proto_msg_attempt(&m);
		if ((m.type == PROTO_ATTEMPT || m.type == PROTO_STATE) &&
		    about != NULL && strcmp(about, attempt) == 0)
			import_fold(&ia, &m, sqlite3_column_int64(sel, 0));
		proto_msg_clear(&m);
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the case database's "
		    "messages: %s", sqlite3_errmsg(x->dst));
		return -1;
	}
	if (!ia.known)
		return 0;
	facts = ia.facts;
	sqlite3_reset(put);
	sqlite3_bind_text(put, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 2, attempt, -1, SQLITE_STATIC);
	import_bind_fact(put, 3, ia.a.candidate, facts);
	import_bind_fact(put, 4, ia.a.name, facts);
	import_bind_fact(put, 5, ia.a.exam, facts);
	import_bind_fact(put, 6, ia.a.form, facts);
	import_bind_fact(put, 7, ia.a.center, facts);
	import_bind_fact(put, 8, proto_modality_name(ia.a.modality), facts);
	sqlite3_bind_text(put, 9, ia.state, -1, SQLITE_STATIC);
	import_bind_fact(put, 10, ia.a.ip, facts);
	import_bind_fact(put, 11, ia.a.device, facts);
	sqlite3_bind_int64(put, 12, ia.first_seq);
	sqlite3_bind_int64(put, 13, ia.updated_ms);
	if (import_step(x, put, "an attempt", err, errlen) == -1)
		return -1;
	x->res->attempts++;
	return 0;
}

static int
import_attempts(struct import_ctx *x, char *err, size_t errlen)
{
	sqlite3_stmt	*sel = NULL, *put = NULL;
	size_t		 i;
	int		 ret = -1;

	if (import_prepare(x, "SELECT seq, body FROM messages WHERE feed = ?1 "
	    "AND attempt = ?2 AND type IN ('attempt', 'state') "
	    "ORDER BY epoch, seq", &sel, err, errlen) == -1 ||
	    import_prepare(x, "INSERT OR REPLACE INTO attempts (feed, attempt, "
	    "candidate, name, exam, form, center, modality, state, ip, device, "
	    "first_seq, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10, ?11, ?12, ?13)", &put, err, errlen) == -1)
		goto out;
	for (i = 0; i < x->nkeys; i++) {
		if (import_attempt(x, sel, put, x->keys[i], err, errlen) == -1)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(put);
	return ret;
}

/* "2026-12-07 14:30 UTC" for a time in ms. */
static void
import_date(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "an earlier import");
}

/*
 * The source's journal, seq 1..entries, into its chain in imported_journal:
 * the rows an earlier import copied must be there byte for byte (else the
 * source forks from that copy: refused), the rest appended.
 */
static int
import_journal(struct import_ctx *x, int64_t had, int64_t since,
    char *err, size_t errlen)
{
	sqlite3_stmt	*src = NULL, *same = NULL, *ins = NULL;
	char		 when[64];
	int64_t		 seq;
	int		 rc, ret = -1;

	import_date(since, when, sizeof when);
	if (had > x->entries) {
		snprintf(err, errlen, "%s's journal forks from the copy imported "
		    "on %s: it ends at seq %lld, but %lld rows were imported "
		    "from it then (entries were removed since); nothing was "
		    "imported from it", x->path, when, (long long)x->entries,
		    (long long)had);
		return -1;
	}
	if (import_prepare_src(x, "SELECT " JOURNAL_COLUMNS " FROM journal "
	    "WHERE seq <= ?1 ORDER BY seq", "the journal", &src, err,
	    errlen) == -1 ||
	    import_prepare(x, "SELECT 1 FROM imported_journal WHERE origin = ?18 "
	    "AND seq IS ?1 AND time_ms IS ?2 AND actor IS ?3 AND role IS ?4 "
	    "AND kind IS ?5 AND feed IS ?6 AND attempt IS ?7 AND flag_id IS ?8 "
	    "AND reason_code IS ?9 AND reason IS ?10 AND evidence IS ?11 AND "
	    "detail IS ?12 AND body IS ?13 AND prev_hash IS ?14 AND hash IS "
	    "?15 AND sig IS ?16 AND sig_vkey IS ?17", &same, err,
	    errlen) == -1 ||
	    import_prepare(x, "INSERT INTO imported_journal (" JOURNAL_COLUMNS
	    ", origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15, ?16, ?17, ?18)", &ins, err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(src, 1, x->entries);
	while ((rc = sqlite3_step(src)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(src, 0);
		if (seq <= had) {
			import_bind_row(x, same, src, 17);
			if ((rc = sqlite3_step(same)) == SQLITE_ROW)
				continue;
			if (rc != SQLITE_DONE) {
				snprintf(err, errlen, "store: cannot read the "
				    "imported journal: %s",
				    sqlite3_errmsg(x->dst));
				goto out;
			}
			snprintf(err, errlen, "%s's journal forks from the copy "
			    "imported on %s: its seq %lld is not the row "
			    "imported then; nothing was imported from it (keep "
			    "both files: one of them was rewritten)", x->path,
			    when, (long long)seq);
			goto out;
		}
		import_bind_row(x, ins, src, 17);
		if (import_step(x, ins, "a journal row", err, errlen) == -1)
			goto out;
		x->res->journal_rows++;
	}
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the journal", err, errlen);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(src);
	sqlite3_finalize(same);
	sqlite3_finalize(ins);
	return ret;
}

/*
 * The source's row in sources (added at its first import), and what was
 * imported of it before: *had journal rows, first imported at *since.
 */
static int
import_source_row(struct import_ctx *x, int64_t *had, int64_t *since,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	*had = 0;
	*since = import_now_ms();
	if (import_prepare(x, "SELECT (SELECT coalesce(max(seq), 0) FROM "
	    "imported_journal WHERE origin = ?1), imported_ms FROM sources "
	    "WHERE origin = ?1", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, x->res->origin, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*had = sqlite3_column_int64(st, 0);
		*since = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "store: cannot read the case database's "
		    "sources: %s", sqlite3_errmsg(x->dst));
		return -1;
	}
	if (import_prepare(x, "INSERT INTO sources (origin, path, imported_ms, "
	    "journal_size) VALUES (?1, ?2, ?3, ?4)", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, x->res->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, x->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, *since);
	sqlite3_bind_int64(st, 4, x->entries);
	rc = import_step(x, st, "the source", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* Everything of the source but the journal, and then the attempts. */
static int
import_rows(struct import_ctx *x, char *err, size_t errlen)
{
	struct store_import	*res = x->res;

	if (import_messages(x, err, errlen) == -1 ||
	    import_attempts(x, err, errlen) == -1)
		return -1;
	/* A flag the source decided since the last import is updated. */
	if (import_copy(x, "SELECT " FLAG_COLUMNS ", id FROM flags WHERE "
	    "source IS NULL ORDER BY id", "INSERT INTO flags (" FLAG_COLUMNS
	    ", source_id, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT (source, "
	    "source_id) WHERE source IS NOT NULL DO UPDATE SET "
	    "state = excluded.state, count = excluded.count, "
	    "last_ms = excluded.last_ms, last_seq = excluded.last_seq, "
	    "evidence = excluded.evidence, closed_ms = excluded.closed_ms "
	    "WHERE (state, count, last_ms, last_seq, evidence, closed_ms) IS "
	    "NOT (excluded.state, excluded.count, excluded.last_ms, "
	    "excluded.last_seq, excluded.evidence, excluded.closed_ms)",
	    15, "the flags", &res->flags, err, errlen) == -1)
		return -1;
	/*
	 * Every console stores the feed's acknowledgement of any console's
	 * command (evidence), so one command comes as a row with what was
	 * sent (from its sender) and rows with only the acknowledgement
	 * (from the others): the row is completed from each, whatever the
	 * order, and its source is its sender.
	 */
	if (import_copy(x, "SELECT id, feed, attempt, action, text, actor, "
	    "sent_ms, ack_ms, ok, error FROM commands WHERE source IS NULL "
	    "ORDER BY feed, id", "INSERT INTO commands (id, feed, attempt, "
	    "action, text, actor, sent_ms, ack_ms, ok, error, source) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (feed, "
	    "id) DO UPDATE SET "
	    "source = iif(" SENT_LATER ", excluded.source, source), "
	    "attempt = iif(" SENT_LATER ", excluded.attempt, attempt), "
	    "action = iif(" SENT_LATER ", excluded.action, action), "
	    "text = iif(" SENT_LATER ", excluded.text, text), "
	    "actor = iif(" SENT_LATER ", excluded.actor, actor), "
	    "sent_ms = iif(" SENT_LATER ", excluded.sent_ms, sent_ms), "
	    "ack_ms = iif(" ACKED_LATER ", excluded.ack_ms, ack_ms), "
	    "ok = iif(" ACKED_LATER ", excluded.ok, ok), "
	    "error = iif(" ACKED_LATER ", excluded.error, error) "
	    "WHERE " SENT_LATER " OR " ACKED_LATER, 10, "the commands",
	    &res->commands, err, errlen) == -1)
		return -1;
	if (import_copy(x, "SELECT feed, epoch, from_seq, to_seq, why, recv_ms "
	    "FROM gaps WHERE source IS NULL ORDER BY id", "INSERT INTO gaps "
	    "(feed, epoch, from_seq, to_seq, why, recv_ms, source) SELECT ?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7 WHERE NOT EXISTS (SELECT 1 FROM gaps WHERE "
	    "feed IS ?1 AND epoch IS ?2 AND from_seq IS ?3 AND to_seq IS ?4 "
	    "AND why IS ?5 AND recv_ms IS ?6 AND source IS ?7)", 6, "the gaps",
	    &res->gaps, err, errlen) == -1)
		return -1;
	/* The furthest position of each feed: a later epoch, or further in
	 * the same one (updated_ms breaks a tie, whatever the order). */
	if (import_copy(x, "SELECT feed, epoch, last_seq, updated_ms, url FROM "
	    "feeds", "INSERT INTO feeds (feed, epoch, last_seq, updated_ms, "
	    "url) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (feed) DO UPDATE SET "
	    "epoch = excluded.epoch, last_seq = excluded.last_seq, "
	    "updated_ms = excluded.updated_ms, url = coalesce(url, "
	    "excluded.url) WHERE (excluded.epoch, excluded.last_seq, "
	    "coalesce(excluded.updated_ms, 0)) > (epoch, last_seq, "
	    "coalesce(updated_ms, 0))", 5, "the feeds", NULL, err,
	    errlen) == -1)
		return -1;
	if (import_copy(x, "SELECT vkey, name, actor, role, added_ms FROM keys "
	    "ORDER BY vkey", "INSERT INTO keys (vkey, name, actor, role, "
	    "added_ms) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (vkey) DO "
	    "NOTHING", 5, "the keys", &res->keys, err, errlen) == -1)
		return -1;
	/* The checkpoints verified: the first ckpts, none beyond entries. */
	return import_copy(x, "SELECT size, root, signer, time_ms, note, tree "
	    "FROM checkpoints WHERE size <= ?1 ORDER BY id LIMIT ?2",
	    "INSERT INTO imported_checkpoints (size, root, signer, time_ms, "
	    "note, tree, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON "
	    "CONFLICT (origin, note) DO NOTHING", 6, "the checkpoints",
	    &res->checkpoints, err, errlen);
}

/* The import act in the case's own journal, by actor as an analyst. */
static int
import_act(struct import_ctx *x, const char *actor, char *err, size_t errlen)
{
	struct journal_row	 r;
	json_t			*o;
	char			*text, *detail = NULL, origin[1024], path[4096];
	int			 rc;

	/* The detail must be UTF-8 JSON: the path may be any bytes. */
	proto_clean(x->res->origin, origin, sizeof origin);
	proto_clean(x->path, path, sizeof path);
	o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "origin", origin, "path",
	    path, "messages", (json_int_t)x->res->messages, "conflicts",
	    (json_int_t)x->res->conflicts, "journal_rows",
	    (json_int_t)x->res->journal_rows);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL)
		abort();	/* out of memory: the strings are UTF-8 */
	json_decref(o);
	rc = journal_canon_object(text, "detail", &detail, err, errlen);
	free(text);
	if (rc == -1)
		return -1;
	memset(&r, 0, sizeof r);
	r.time_ms = import_now_ms();
	r.actor = actor;
	r.role = "analyst";
	r.kind = "import";
	r.detail = detail;
	r.signer = x->signer;
	rc = journal_insert(x->dst, &r, NULL, err, errlen);
	free(detail);
	return rc;
}

/* Open and verify the source: -1 with a sentence naming it when refused. */
static int
import_open_source(struct import_ctx *x, const char *case_origin, char *err,
    size_t errlen)
{
	struct store_verify	 v;
	char			 rerr[1024];

	if (store_reader_open(&x->reader, x->path, rerr, sizeof rerr) == -1) {
		/* A console's file is evidence: upgrade a copy, not it. */
		if (strstr(rerr, "older than this invigil") != NULL)
			snprintf(err, errlen, "%s; nothing was imported from it "
			    "(to keep it as it is, upgrade a copy: sqlite3 %s "
			    "'.backup COPY', invigil --db COPY --feed URL, and "
			    "import COPY)", rerr, x->path);
		else
			snprintf(err, errlen, "%s; nothing was imported from it",
			    rerr);
		return -1;
	}
	x->src = store_reader_db(x->reader);
	if (journal_origin(x->src, x->res->origin, sizeof x->res->origin, rerr,
	    sizeof rerr) == -1) {
		snprintf(err, errlen, "%s: %s; nothing was imported from it",
		    x->path, rerr);
		return -1;
	}
	if (strcmp(x->res->origin, case_origin) == 0) {
		snprintf(err, errlen, "%s is the case database itself (or a copy "
		    "of it: the same journal origin); nothing was imported from "
		    "it", x->path);
		return -1;
	}
	if (store_verify(x->reader, NULL, 0, NULL, &v, rerr,
	    sizeof rerr) == -1) {
		snprintf(err, errlen, "%s; nothing was imported from it", rerr);
		return -1;
	}
	if (v.problem != STORE_VERIFY_OK) {
		snprintf(err, errlen, "%s's journal does not verify (%s): %s; "
		    "nothing was imported from it (see invigil review verify "
		    "--db %s)", x->path, store_verify_problem_name(v.problem),
		    v.what, x->path);
		return -1;
	}
	x->entries = v.entries;
	x->ckpts = v.db_checkpoints;
	return 0;
}

/* Copy everything inside the case's write transaction. */
static int
import_all(struct import_ctx *x, const char *actor, char *err, size_t errlen)
{
	int64_t		had, since;
	int		before;

	before = sqlite3_total_changes(x->dst);
	if (import_source_row(x, &had, &since, err, errlen) == -1 ||
	    import_journal(x, had, since, err, errlen) == -1 ||
	    import_rows(x, err, errlen) == -1)
		return -1;
	x->res->changed = sqlite3_total_changes(x->dst) != before;
	if (x->res->changed && import_act(x, actor, err, errlen) == -1)
		return -1;
	return 0;
}

int
store_import(struct store *s, const char *path, const char *actor,
    struct store_import *res, char *err, size_t errlen)
{
	struct import_ctx	 x;
	char			 case_origin[256];
	size_t			 i;
	int			 rc = -1;

	memset(res, 0, sizeof *res);
	memset(&x, 0, sizeof x);
	x.path = path;
	x.res = res;
	x.dst = store_db(s);
	/* The import act is signed by the importer: no key, no import. */
	if ((x.signer = store_signer(s)) == NULL) {
		snprintf(err, errlen, "store: the import act by %s has no key "
		    "to sign it; nothing was imported", actor);
		return -1;
	}
	if (store_flush(s, err, errlen) == -1 ||
	    journal_origin(x.dst, case_origin, sizeof case_origin, err,
	    errlen) == -1 ||
	    import_open_source(&x, case_origin, err, errlen) == -1)
		goto out;
	/* One snapshot of the source for the whole copy. */
	if (sqlite3_exec(x.src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_error(x.reader, "the database", err, errlen);
		goto out;
	}
	if (sqlite3_exec(x.dst, "PRAGMA synchronous = FULL; BEGIN IMMEDIATE",
	    NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot begin the import into the "
		    "case database: %s", sqlite3_errmsg(x.dst));
		goto out;
	}
	if (import_all(&x, actor, err, errlen) == -1) {
		sqlite3_exec(x.dst, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	if (sqlite3_exec(x.dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "store: cannot commit the import of %s: %s",
		    path, sqlite3_errmsg(x.dst));
		sqlite3_exec(x.dst, "ROLLBACK", NULL, NULL, NULL);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		memset(res->conflict_keys, 0, sizeof res->conflict_keys);
	sqlite3_exec(x.dst, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
	if (x.src != NULL)
		sqlite3_exec(x.src, "COMMIT", NULL, NULL, NULL);
	store_reader_close(x.reader);
	for (i = 0; i < x.nkeys; i++) {
		tdelete(x.keys[i], &x.touched, import_key_compare);
		free(x.keys[i]);
	}
	free(x.keys);
	return rc;
}
