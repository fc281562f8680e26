/*
 * query.c - typed reads on a read-only store (struct store_reader): an
 * attempt's timeline, the flags of a rule, the journal of an actor, the
 * attempts with their state, a feed's messages and position, and the
 * whole-table walks of the review commands.  The one place outside the
 * writer that writes SQL against the schema (schema.c): callers get rows
 * as the structs of store.h, never a statement or a handle.
 *
 * Every statement is named in one table, so that store_query_plan() (and
 * tests/check_query.c) can show the plan of each.  Each query is bounded by
 * the caller's limit (LIMIT in the SQL, so that no sort is larger) and
 * streams its rows to a callback.  The rows' strings are raw.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/reader.h"
#include "store/rows.h"
#include "store/store.h"

enum query_stmt {
	Q_TL_MESSAGES,
	Q_TL_RAISED,
	Q_TL_JOURNAL,
	Q_TL_CLOSED,
	Q_TL_COMMANDS,
	Q_RULE_FLAGS,
	Q_ACTOR_JOURNAL,
	Q_ATTEMPTS_ALL,
	Q_ATTEMPTS_FEED,
	Q_FEED_MESSAGES,
	Q_FEED_POSITION,
	Q_EVENTS_AFTER,
	Q_BEGIN,
	Q_COMMIT,
	Q_COUNT
};

_Static_assert(Q_COUNT <= STORE_READER_SLOTS, "a reader slot per statement");

#define ATTEMPT_COLUMNS \
	"a.feed, a.attempt, a.candidate, a.name, a.exam, a.modality, " \
	"a.state, a.ip, a.device, a.first_seq, a.updated_ms, (SELECT " \
	"count(*) FROM flags f WHERE f.feed = a.feed AND f.attempt = " \
	"a.attempt AND f.state = 'open')"

static const struct {
	const char	*query;		/* the name store_query_plan() takes */
	const char	*sql;
} query_sql[Q_COUNT] = {
	/* The timeline's five streams, each in its own order (see
	 * store_query_timeline); ?3 is the limit. */
	/* feed and attempt are the arguments: not read again (NULL in
	 * their places of STORE_MESSAGE_COLUMNS, filled in by tl_step). */
	[Q_TL_MESSAGES] = { "timeline", "SELECT id, NULL, epoch, seq, type, "
	    "NULL, kind, ts_ms, recv_ms, body FROM messages WHERE feed = ?1 "
	    "AND attempt = ?2 ORDER BY seq LIMIT ?3" },
	[Q_TL_RAISED] = { "timeline", "SELECT " STORE_FLAG_COLUMNS " FROM "
	    "flags WHERE feed = ?1 AND attempt = ?2 ORDER BY first_seq, id "
	    "LIMIT ?3" },
	[Q_TL_JOURNAL] = { "timeline", "SELECT " STORE_JOURNAL_COLUMNS
	    " FROM journal WHERE feed = ?1 AND attempt = ?2 ORDER BY seq "
	    "LIMIT ?3" },
	[Q_TL_CLOSED] = { "timeline", "SELECT " STORE_FLAG_COLUMNS " FROM "
	    "flags WHERE feed = ?1 AND attempt = ?2 AND state <> 'open' "
	    "ORDER BY closed_ms, id LIMIT ?3" },
	/* commands has no index on attempt: the search is by feed (its
	 * primary key's prefix), among that feed's few commands. */
	[Q_TL_COMMANDS] = { "timeline", "SELECT " STORE_COMMAND_COLUMNS
	    " FROM commands WHERE feed = ?1 AND attempt = ?2 ORDER BY "
	    "sent_ms, rowid LIMIT ?3" },
	[Q_RULE_FLAGS] = { "rule_flags", "SELECT " STORE_FLAG_COLUMNS
	    " FROM flags WHERE rule = ?1 AND id > ?3 AND (?2 IS NULL OR "
	    "state = ?2) ORDER BY id LIMIT ?4" },
	[Q_ACTOR_JOURNAL] = { "actor_journal", "SELECT "
	    STORE_JOURNAL_COLUMNS " FROM journal WHERE actor = ?1 AND seq > "
	    "?2 ORDER BY seq LIMIT ?3" },
	[Q_ATTEMPTS_ALL] = { "attempts", "SELECT " ATTEMPT_COLUMNS " FROM "
	    "attempts a WHERE (a.feed, a.attempt) > (?1, ?2) ORDER BY a.feed, "
	    "a.attempt LIMIT ?3" },
	[Q_ATTEMPTS_FEED] = { "attempts", "SELECT " ATTEMPT_COLUMNS " FROM "
	    "attempts a WHERE a.feed = ?1 AND a.attempt > ?2 ORDER BY "
	    "a.attempt LIMIT ?3" },
	[Q_FEED_MESSAGES] = { "feed_messages", "SELECT " STORE_MESSAGE_COLUMNS
	    " FROM messages WHERE feed = ?1 AND epoch = ?2 AND seq > ?3 "
	    "ORDER BY seq LIMIT ?4" },
	[Q_FEED_POSITION] = { "feed_position", "SELECT epoch, last_seq FROM "
	    "feeds WHERE feed = ?1" },
	/* By row id: the primary key's range. */
	[Q_EVENTS_AFTER] = { "events_after", "SELECT id, feed, attempt, "
	    "kind, ts_ms FROM messages WHERE id > ?1 AND type = 'event' ORDER "
	    "BY id LIMIT ?2" },
	/* The timeline's snapshot. */
	[Q_BEGIN] = { NULL, "BEGIN" },
	[Q_COMMIT] = { NULL, "COMMIT" },
};

/* A limit as SQLite takes it (a size_t may not fit an int64). */
static sqlite3_int64
query_limit(size_t limit)
{
	return limit > (size_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)limit;
}

/* Statement q, prepared once per reader; -1 with a sentence about what.
 * Give it back with query_finish(). */
static int
query_prepare(struct store_reader *r, enum query_stmt q, const char *what,
    sqlite3_stmt **st, char *err, size_t errlen)
{
	if ((*st = store_reader_stmt(r, (int)q, query_sql[q].sql)) != NULL)
		return 0;
	store_reader_error(r, what, err, errlen);
	return -1;
}

/* Bind text that may be NULL (SQL NULL). */
static void
query_bind(sqlite3_stmt *st, int i, const char *text)
{
	if (text == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
}

/* Give the statement of slot back after its last step (rc) (slot -1: one
 * not cached): n, or -1 with a sentence. */
static int
query_finish(struct store_reader *r, int slot, sqlite3_stmt *st, int rc,
    int n, const char *what, char *err, size_t errlen)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, what, err, errlen);
		n = -1;
	}
	store_reader_stmt_done(r, slot, st);
	return n;
}

/* Run BEGIN or COMMIT (cached); 0 or -1. */
static int
query_exec(struct store_reader *r, enum query_stmt q)
{
	sqlite3_stmt	*st = store_reader_stmt(r, (int)q, query_sql[q].sql);
	int		 rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	store_reader_stmt_done(r, (int)q, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A NOT NULL column that a crafted file holds NULL in reads as "". */
static const char *
query_text(const char *t)
{
	return t != NULL ? t : "";
}

static const char *
column_text(sqlite3_stmt *st, int i)
{
	return query_text((const char *)sqlite3_column_text(st, i));
}

static void
query_flag(sqlite3_stmt *st, int first, struct store_flag *f)
{
	store_row_flag(st, first, f);
	f->rule = query_text(f->rule);
}

static void
query_message(sqlite3_stmt *st, int first, struct store_message_row *m)
{
	store_row_message(st, first, m);
	m->feed = query_text(m->feed);
	m->type = query_text(m->type);
	m->body = query_text(m->body);
}

static void
query_journal(sqlite3_stmt *st, int first, struct store_journal_row *j)
{
	store_row_journal(st, first, j);
	j->entry.actor = query_text(j->entry.actor);
	j->entry.role = query_text(j->entry.role);
	j->entry.kind = query_text(j->entry.kind);
	j->hash = query_text(j->hash);
}

static void
query_command(sqlite3_stmt *st, int first, struct store_command_row *c)
{
	store_row_command(st, first, c);
	c->command.id = query_text(c->command.id);
	c->command.feed = query_text(c->command.feed);
}

/* ---- the timeline: five sorted streams merged */

enum { TL_MESSAGES, TL_RAISED, TL_JOURNAL, TL_CLOSED, TL_COMMANDS, TL_N };

static const enum query_stmt tl_stmt[TL_N] = { Q_TL_MESSAGES, Q_TL_RAISED,
    Q_TL_JOURNAL, Q_TL_CLOSED, Q_TL_COMMANDS };

struct tl_cursor {
	sqlite3_stmt	*st;
	const char	*feed, *attempt;	/* the timeline's */
	int		 live;		/* a row is loaded */
	int64_t		 key;		/* seq (messages, raised), else time */
	struct store_message_row message;
	struct store_flag	 flag;
	struct store_journal_row journal;
	struct store_command_row command;
};

/* Load cursor i's next row; 0, or -1 when the step failed. */
static int
tl_step(struct tl_cursor *c, int i)
{
	int	rc = sqlite3_step(c->st);

	c->live = rc == SQLITE_ROW;
	if (!c->live)
		return rc == SQLITE_DONE ? 0 : -1;
	switch (i) {
	case TL_MESSAGES:
		query_message(c->st, 0, &c->message);
		c->message.feed = c->feed;
		c->message.attempt = c->attempt;
		c->key = c->message.seq;
		break;
	case TL_RAISED:
		query_flag(c->st, 0, &c->flag);
		c->key = c->flag.first_seq;
		break;
	case TL_CLOSED:
		query_flag(c->st, 0, &c->flag);
		c->key = c->flag.closed_ms;
		break;
	case TL_JOURNAL:
		query_journal(c->st, 0, &c->journal);
		c->key = c->journal.time_ms;
		break;
	default:
		query_command(c->st, 0, &c->command);
		c->key = c->command.command.sent_ms;
		break;
	}
	return 0;
}

/*
 * Which cursor goes next, or -1 when all are done.  A raised flag goes
 * before the next message if its seq is lower (it follows its own);
 * then the earliest console row (journal, closed, command at one time, in
 * that order) if it happened before the next message was received.
 */
static int
tl_pick(const struct tl_cursor c[TL_N])
{
	const struct tl_cursor	*m = &c[TL_MESSAGES];
	int			 i, local = -1;

	if (c[TL_RAISED].live && (!m->live || c[TL_RAISED].key < m->key))
		return TL_RAISED;
	for (i = TL_JOURNAL; i < TL_N; i++) {
		if (c[i].live && (local == -1 || c[i].key < c[local].key))
			local = i;
	}
	if (local != -1 && (!m->live || c[local].key < m->message.recv_ms))
		return local;
	return m->live ? TL_MESSAGES : local;
}

/* The item for cursor i; *last_seq is the seq of the last message. */
static void
tl_item(const struct tl_cursor *c, int i, int64_t *last_seq,
    struct store_timeline_item *it)
{
	memset(it, 0, sizeof *it);
	it->seq = *last_seq;
	switch (i) {
	case TL_MESSAGES:
		it->kind = STORE_TIMELINE_MESSAGE;
		it->message = &c->message;
		it->seq = *last_seq = c->message.seq;
		break;
	case TL_RAISED:
		it->kind = STORE_TIMELINE_FLAG_RAISED;
		it->flag = &c->flag;
		it->seq = c->flag.first_seq;
		break;
	case TL_CLOSED:
		it->kind = STORE_TIMELINE_FLAG_CLOSED;
		it->flag = &c->flag;
		break;
	case TL_JOURNAL:
		it->kind = STORE_TIMELINE_JOURNAL;
		it->journal = &c->journal;
		break;
	default:
		it->kind = STORE_TIMELINE_COMMAND;
		it->command = &c->command;
		break;
	}
}

/* Prepare, bind and load the first row of every stream. */
static int
tl_open(struct store_reader *r, struct tl_cursor c[TL_N], const char *feed,
    const char *attempt, size_t limit, char *err, size_t errlen)
{
	int	i;

	for (i = 0; i < TL_N; i++) {
		if (query_prepare(r, tl_stmt[i], "the timeline", &c[i].st, err,
		    errlen) == -1)
			return -1;
		query_bind(c[i].st, 1, feed);
		query_bind(c[i].st, 2, attempt);
		c[i].feed = feed;
		c[i].attempt = attempt;
		sqlite3_bind_int64(c[i].st, 3, query_limit(limit));
		if (tl_step(&c[i], i) == -1) {
			store_reader_error(r, "the timeline", err, errlen);
			return -1;
		}
	}
	return 0;
}

int
store_query_timeline(struct store_reader *r, const char *feed,
    const char *attempt, size_t limit, store_timeline_fn fn, void *arg,
    char *err, size_t errlen)
{
	struct tl_cursor		 c[TL_N];
	struct store_timeline_item	 it;
	int64_t				 last_seq = 0;
	int				 i, n = 0, snapshot;

	memset(c, 0, sizeof c);
	/* One snapshot for the five statements, however the writer goes on. */
	snapshot = sqlite3_get_autocommit(store_reader_db(r)) &&
	    query_exec(r, Q_BEGIN) == 0;
	if (tl_open(r, c, feed, attempt, limit, err, errlen) == -1)
		n = -1;
	while (n != -1 && (size_t)n < limit && (i = tl_pick(c)) != -1) {
		tl_item(&c[i], i, &last_seq, &it);
		n++;
		if (fn(&it, arg) != 0)
			break;
		if (tl_step(&c[i], i) == -1) {
			store_reader_error(r, "the timeline", err, errlen);
			n = -1;
		}
	}
	for (i = 0; i < TL_N; i++)
		store_reader_stmt_done(r, (int)tl_stmt[i], c[i].st);
	if (snapshot)
		query_exec(r, Q_COMMIT);
	return n;
}

/* ---- the other typed readers */

int
store_query_rule_flags(struct store_reader *r, const char *rule,
    const char *state, int64_t after, size_t limit, store_flag_row_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt		*st;
	struct store_flag	 f;
	int			 rc, n = 0;

	if (query_prepare(r, Q_RULE_FLAGS, "the flags", &st, err, errlen) == -1)
		return -1;
	query_bind(st, 1, rule);
	query_bind(st, 2, state);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, query_limit(limit));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		query_flag(st, 0, &f);
		n++;
		if (fn(&f, arg) != 0)
			break;
	}
	return query_finish(r, Q_RULE_FLAGS, st, rc, n, "the flags", err,
	    errlen);
}

int
store_query_actor_journal(struct store_reader *r, const char *actor,
    int64_t after, size_t limit, store_journal_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt		*st;
	struct store_journal_row j;
	int			 rc, n = 0;

	if (query_prepare(r, Q_ACTOR_JOURNAL, "the journal", &st, err,
	    errlen) == -1)
		return -1;
	query_bind(st, 1, actor);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, query_limit(limit));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		query_journal(st, 0, &j);
		n++;
		if (fn(&j, arg) != 0)
			break;
	}
	return query_finish(r, Q_ACTOR_JOURNAL, st, rc, n, "the journal",
	    err, errlen);
}

static void
query_attempt(sqlite3_stmt *st, struct store_attempt_row *a)
{
	memset(a, 0, sizeof *a);
	a->attempt.feed = query_text((const char *)sqlite3_column_text(st, 0));
	a->attempt.attempt = query_text((const char *)sqlite3_column_text(st,
	    1));
	a->attempt.candidate = (const char *)sqlite3_column_text(st, 2);
	a->attempt.name = (const char *)sqlite3_column_text(st, 3);
	a->attempt.exam = (const char *)sqlite3_column_text(st, 4);
	a->attempt.modality = (const char *)sqlite3_column_text(st, 5);
	a->attempt.state = (const char *)sqlite3_column_text(st, 6);
	a->attempt.ip = (const char *)sqlite3_column_text(st, 7);
	a->attempt.device = (const char *)sqlite3_column_text(st, 8);
	a->first_seq = sqlite3_column_int64(st, 9);
	a->updated_ms = sqlite3_column_int64(st, 10);
	a->open_flags = sqlite3_column_int64(st, 11);
}

int
store_query_attempts(struct store_reader *r, const char *feed,
    const char *after_feed, const char *after_attempt, size_t limit,
    store_attempt_row_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3_stmt		*st;
	struct store_attempt_row a;
	int			 rc, n = 0;

	enum query_stmt		 q = feed != NULL ? Q_ATTEMPTS_FEED :
				     Q_ATTEMPTS_ALL;

	if (query_prepare(r, q, "the attempts", &st, err, errlen) == -1)
		return -1;
	if (feed != NULL) {
		/* Paging within the feed: after_feed is the same feed. */
		query_bind(st, 1, feed);
		query_bind(st, 2, after_attempt != NULL ? after_attempt : "");
	} else {
		/* Every id is longer than "": from the first. */
		query_bind(st, 1, after_feed != NULL ? after_feed : "");
		query_bind(st, 2, after_feed != NULL && after_attempt != NULL ?
		    after_attempt : "");
	}
	sqlite3_bind_int64(st, 3, query_limit(limit));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		query_attempt(st, &a);
		n++;
		if (fn(&a, arg) != 0)
			break;
	}
	return query_finish(r, (int)q, st, rc, n, "the attempts", err,
	    errlen);
}

int
store_query_feed_messages(struct store_reader *r, const char *feed,
    int64_t epoch, int64_t after, size_t limit, store_message_row_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt		*st;
	struct store_message_row m;
	int			 rc, n = 0;

	if (query_prepare(r, Q_FEED_MESSAGES, "messages", &st, err,
	    errlen) == -1)
		return -1;
	query_bind(st, 1, feed);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int64(st, 3, after);
	sqlite3_bind_int64(st, 4, query_limit(limit));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		query_message(st, 0, &m);
		n++;
		if (fn(&m, arg) != 0)
			break;
	}
	return query_finish(r, Q_FEED_MESSAGES, st, rc, n, "messages", err,
	    errlen);
}

int
store_query_feed_position(struct store_reader *r, const char *feed,
    int64_t *epoch, int64_t *last_seq, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	*epoch = *last_seq = 0;
	if (query_prepare(r, Q_FEED_POSITION, "the feed's position", &st, err,
	    errlen) == -1)
		return -1;
	query_bind(st, 1, feed);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*epoch = sqlite3_column_int64(st, 0);
		*last_seq = sqlite3_column_int64(st, 1);
		n = 1;
	}
	return query_finish(r, Q_FEED_POSITION, st, rc, n,
	    "the feed's position", err, errlen);
}

/* The first column of the first row of sql into out ("" if none). */
static int
query_one_text(struct store_reader *r, const char *sql, char *out,
    size_t outsz, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*t;
	int		 rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(store_reader_db(r), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		store_reader_error(r, "a sample", err, errlen);
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, outsz, "%s", t);
	return query_finish(r, -1, st, rc, 0, "a sample", err, errlen);
}

int
store_query_sample(struct store_reader *r, struct store_sample *s,
    char *err, size_t errlen)
{
	static const char middle[] = "FROM messages WHERE id = (SELECT "
	    "(min(id) + max(id)) / 2 FROM messages)";
	char	sql[256];

	memset(s, 0, sizeof *s);
	snprintf(sql, sizeof sql, "SELECT feed %s", middle);
	if (query_one_text(r, sql, s->feed, sizeof s->feed, err, errlen) == -1)
		return -1;
	snprintf(sql, sizeof sql, "SELECT attempt %s", middle);
	if (query_one_text(r, sql, s->attempt, sizeof s->attempt, err,
	    errlen) == -1)
		return -1;
	if (query_one_text(r, "SELECT rule FROM flags GROUP BY rule ORDER BY "
	    "count(*) DESC, rule LIMIT 1", s->rule, sizeof s->rule, err,
	    errlen) == -1)
		return -1;
	return query_one_text(r, "SELECT actor FROM journal GROUP BY actor "
	    "ORDER BY count(*) DESC, actor LIMIT 1", s->actor, sizeof s->actor,
	    err, errlen);
}

/* Append the plan of statement q to out (at *used). */
static int
query_plan_one(struct store_reader *r, enum query_stmt q, char *out,
    size_t outlen, size_t *used, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	char		 sql[2048];
	int		 rc;

	snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", query_sql[q].sql);
	if (sqlite3_prepare_v2(store_reader_db(r), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		store_reader_error(r, "a query plan", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);

		if (*used < outlen)
			*used += (size_t)snprintf(out + *used, outlen - *used,
			    "%s\n", d != NULL ? d : "");
	}
	return query_finish(r, -1, st, rc, 0, "a query plan", err,
	    errlen);
}

int
store_query_plan(struct store_reader *r, const char *name, char *out,
    size_t outlen, char *err, size_t errlen)
{
	size_t	used = 0;
	int	q, found = 0;

	if (outlen > 0)
		out[0] = '\0';
	for (q = 0; q < Q_COUNT; q++) {
		if (query_sql[q].query == NULL ||
		    strcmp(query_sql[q].query, name) != 0)
			continue;
		found = 1;
		if (query_plan_one(r, (enum query_stmt)q, out, outlen, &used,
		    err, errlen) == -1)
			return -1;
	}
	if (!found) {
		snprintf(err, errlen, "no query named \"%s\"", name);
		return -1;
	}
	return 0;
}

/* ---- whole-table walks (review backtest and verify) */

int
store_reader_each_message(struct store_reader *r, store_message_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(store_reader_db(r), "SELECT feed, epoch, seq, "
	    "body FROM messages ORDER BY feed, epoch, seq", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_reader_error(r, "messages", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(column_text(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), column_text(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3), arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, "messages", err, errlen);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
store_reader_each_flag(struct store_reader *r, store_flag_fn fn, void *arg,
    char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(store_reader_db(r), "SELECT feed, attempt, "
	    "rule, state, count FROM flags ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_reader_error(r, "flags", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    sqlite3_column_int64(st, 4), arg);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(r, "flags", err, errlen);
		return -1;
	}
	return 0;
}

int
store_reader_each_checkpoint(struct store_reader *r, store_note_fn fn,
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(store_reader_db(r), "SELECT note FROM "
	    "checkpoints ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(r, "checkpoints", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (fn(column_text(st, 0), arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(r, "checkpoints", err, errlen);
		return -1;
	}
	return 0;
}

int
store_query_events_after(struct store_reader *r, int64_t after,
    size_t limit, store_event_fn fn, void *arg, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if (query_prepare(r, Q_EVENTS_AFTER, "messages", &st, err,
	    errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, query_limit(limit));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fn(sqlite3_column_int64(st, 0), query_text((const char *)
		    sqlite3_column_text(st, 1)), (const char *)
		    sqlite3_column_text(st, 2), (const char *)
		    sqlite3_column_text(st, 3), sqlite3_column_int64(st, 4),
		    arg) != 0)
			break;
	}
	return query_finish(r, Q_EVENTS_AFTER, st, rc, n, "messages", err,
	    errlen);
}
