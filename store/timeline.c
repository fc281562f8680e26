/*
 * timeline.c - an attempt's timeline in time order (see timeline.h): one
 * statement, the UNION ALL of every source of items, each part on an
 * index of its table, sorted by SQLite and stepped row by row into the
 * caller's callback.  And the facts of one attempt, found by its id.
 *
 * Message summaries are made here, in SQL, from the stored body: a body a
 * crafted file made invalid JSON gives no summary instead of an error
 * (json_valid before every json_extract).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/xmalloc.h"
#include "store/store.h"
#include "store/timeline.h"

/* The kinds as the SQL below numbers them. */
_Static_assert(STORE_TL_ATTEMPT == 0 && STORE_TL_STATE == 1 &&
    STORE_TL_EVENT == 2 && STORE_TL_OUTAGE_START == 3 &&
    STORE_TL_OUTAGE_END == 4 && STORE_TL_ANSWER == 5 &&
    STORE_TL_MESSAGE == 6 && STORE_TL_GAP == 7 &&
    STORE_TL_FLAG_RAISED == 8 && STORE_TL_DECISION == 9 &&
    STORE_TL_FLAG_CLOSED == 10 && STORE_TL_COMMAND_SENT == 11 &&
    STORE_TL_COMMAND_ACK == 12, "the timeline's SQL numbers the kinds");
_Static_assert(STORE_TL_FEED == 0 && STORE_TL_LOCAL == 1,
    "the timeline's SQL numbers the clocks");
_Static_assert(STORE_TL_SUMMARY_MAX == 200, "the SQL cuts at 200");

static const char *const tl_kind_names[STORE_TL_NKINDS] = {
	"attempt", "state", "event", "outage_start", "outage_end", "answer",
	"message", "gap", "flag_raised", "decision", "flag_closed",
	"command_sent", "command_ack"
};

const char *
store_tl_kind_name(enum store_tl_kind k)
{
	return (unsigned)k < STORE_TL_NKINDS ? tl_kind_names[k] : "unknown";
}

/* A member of the message's body, NULL when the body is not JSON. */
#define J(path) "(CASE WHEN json_valid(body) THEN json_extract(body, '" \
	path "') END)"
#define CUT(x) "substr(" x ", 1, 200)"

/*
 * A console's time x on the feed's clock (see order_ms in timeline.h):
 * moved by the offset at the last message of the attempt received at or
 * before x (the highest seq: the index's order, no sort), else at its
 * first message, else (no message) x itself.
 */
#define ON_FEED(x) "coalesce((SELECT m.ts_ms + (" x " - m.recv_ms) FROM " \
	"messages m WHERE m.feed = ?1 AND m.attempt = ?2 AND m.recv_ms <= " \
	x " ORDER BY m.seq DESC LIMIT 1), (SELECT m.ts_ms + (" x " - " \
	"m.recv_ms) FROM messages m WHERE m.feed = ?1 AND m.attempt = ?2 " \
	"ORDER BY m.seq LIMIT 1), " x ")"

/*
 * Columns of every part: time_ms, clock, kind, what, actor, role, code,
 * reason, summary, origin, epoch, seq, to_seq, flag_id, journal_seq,
 * command_id, the tie-break id and order_ms.  ?1 feed, ?2 attempt, ?3
 * limit.
 */
static const char tl_sql[] =
	/* INDEXED BY: grouping by epoch, the planner would rather walk the
	 * (feed, epoch, seq) index over the whole feed. */
	"WITH span AS (SELECT epoch, min(seq) AS lo, max(seq) AS hi FROM "
	"    messages INDEXED BY messages_attempt WHERE feed = ?1 AND "
	"    attempt = ?2 GROUP BY epoch) "
	/* messages */
	"SELECT ts_ms, 0, CASE type WHEN 'attempt' THEN 0 WHEN 'state' THEN 1 "
	"    WHEN 'answer' THEN 5 WHEN 'event' THEN CASE kind WHEN "
	"    'network_lost' THEN 3 WHEN 'network_restored' THEN 4 ELSE 2 END "
	"    ELSE 6 END, "
	"  CASE type WHEN 'state' THEN " J("$.state") " WHEN 'answer' THEN "
	"    " J("$.item") " WHEN 'event' THEN kind ELSE type END, "
	"  NULL, NULL, NULL, NULL, "
	"  " CUT("CASE type "
	"    WHEN 'answer' THEN 'item ' || coalesce(" J("$.item") ", '?') || "
	"      ': ' || coalesce(" J("$.response") ", '?') || CASE "
	"      " J("$.correct") " WHEN 1 THEN ' (right)' WHEN 0 THEN ' (wrong)' "
	"      ELSE '' END || coalesce(', ' || (" J("$.elapsed_ms") " / 1000.0) "
	"      || ' s', '') || CASE WHEN " J("$.changed") " > 0 THEN "
	"      ', changed ' || " J("$.changed") " || 'x' ELSE '' END "
	"    WHEN 'state' THEN 'state ' || coalesce(" J("$.state") ", '?') "
	"    WHEN 'attempt' THEN coalesce(" J("$.name") ", '?') || ' (' || "
	"      coalesce(" J("$.candidate") ", '?') || '), exam ' || "
	"      coalesce(" J("$.exam") ", '?') || coalesce(' form ' || "
	"      " J("$.form") ", '') || ', ' || coalesce(" J("$.state") ", '?') "
	"    WHEN 'event' THEN coalesce(kind, '?') || coalesce(' ' || "
	"      " J("$.data") ", '') "
	"    ELSE type END") ", "
	"  NULL, epoch, seq, NULL, NULL, NULL, NULL, seq, ts_ms "
	"FROM messages WHERE feed = ?1 AND attempt = ?2 "
	/* gaps of the feed overlapping the attempt's seqs */
	"UNION ALL SELECT g.recv_ms, 1, 7, g.why, NULL, NULL, NULL, NULL, "
	"  " CUT("'seqs ' || g.from_seq || '..' || coalesce(g.to_seq, '') || "
	"    ' of epoch ' || g.epoch || ' cannot be replayed' || "
	"    coalesce(': ' || g.why, '')") ", "
	"  g.source, g.epoch, g.from_seq, coalesce(g.to_seq, -1), NULL, NULL, "
	"  NULL, g.id, " ON_FEED("g.recv_ms") " "
	"FROM span s JOIN gaps g ON g.feed = ?1 AND g.epoch = s.epoch AND "
	"  g.from_seq <= s.hi AND (g.to_seq IS NULL OR g.to_seq >= s.lo) "
	/* flags raised and closed */
	"UNION ALL SELECT coalesce(first_ms, 0), 0, 8, rule, NULL, NULL, "
	"  severity, NULL, " CUT("'flag ' || id || ' ' || rule || ' (' || "
	"    severity || ')' || coalesce(': ' || message, '')") ", "
	"  source, NULL, first_seq, NULL, id, NULL, NULL, id, "
	"  coalesce(first_ms, 0) "
	"FROM flags WHERE feed = ?1 AND attempt = ?2 "
	"UNION ALL SELECT coalesce(closed_ms, 0), 1, 10, rule, NULL, NULL, "
	"  state, NULL, " CUT("'flag ' || id || ' ' || rule || ' ' || "
	"    state") ", source, NULL, NULL, NULL, id, NULL, NULL, id, "
	"  " ON_FEED("coalesce(closed_ms, 0)") " "
	"FROM flags WHERE feed = ?1 AND attempt = ?2 AND state <> 'open' "
	/* the journals: this database's, then every imported one (whose
	 * flag ids are the source's: mapped to this database's) */
	"UNION ALL SELECT time_ms, 1, 9, kind, actor, role, reason_code, "
	"  reason, " CUT("kind || coalesce(' flag ' || flag_id, '') || "
	"    coalesce(' [' || reason_code || ']', '') || coalesce(': ' || "
	"    reason, '')") ", NULL, NULL, NULL, NULL, flag_id, seq, "
	"  CASE WHEN json_valid(detail) THEN json_extract(detail, '$.cmd') END, "
	"  seq, " ON_FEED("time_ms") " "
	"FROM journal WHERE feed = ?1 AND attempt = ?2 AND kind <> 'cmd_ack' "
	"UNION ALL SELECT j.time_ms, 1, 9, j.kind, j.actor, j.role, "
	"  j.reason_code, j.reason, " CUT("j.kind || coalesce(' flag ' || "
	"    f.id, '') || coalesce(' [' || j.reason_code || ']', '') || "
	"    coalesce(': ' || j.reason, '')") ", j.origin, NULL, NULL, NULL, "
	"  f.id, j.seq, CASE WHEN json_valid(j.detail) THEN "
	"  json_extract(j.detail, '$.cmd') END, j.seq, " ON_FEED("j.time_ms")
	" "
	"FROM imported_journal j LEFT JOIN flags f ON f.source = j.origin AND "
	"  f.source_id = j.flag_id "
	"WHERE j.feed = ?1 AND j.attempt = ?2 AND j.kind <> 'cmd_ack' "
	/* commands and their acknowledgements */
	"UNION ALL SELECT coalesce(sent_ms, 0), 1, 11, action, actor, NULL, "
	"  NULL, NULL, " CUT("coalesce(action, '?') || coalesce(': ' || text, "
	"    '')") ", source, NULL, NULL, NULL, NULL, NULL, id, rowid, "
	"  " ON_FEED("coalesce(sent_ms, 0)") " "
	"FROM commands WHERE feed = ?1 AND attempt = ?2 "
	"UNION ALL SELECT ack_ms, 1, 12, action, feed, 'feed', CASE ok WHEN 1 "
	"  THEN 'ok' ELSE 'refused' END, error, " CUT("coalesce(action, '?') "
	"    || CASE ok WHEN 1 THEN ' done' ELSE ' refused' || coalesce(': ' || "
	"    error, '') END") ", source, NULL, NULL, NULL, NULL, NULL, id, "
	"  rowid, " ON_FEED("ack_ms") " "
	"FROM commands WHERE feed = ?1 AND attempt = ?2 AND ack_ms IS NOT NULL "
	"ORDER BY 18, 3, 17 LIMIT ?3";

static const char *
tl_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* The item of the current row. */
static void
tl_row(sqlite3_stmt *st, struct store_tl_item *it)
{
	int	kind = sqlite3_column_int(st, 2);

	memset(it, 0, sizeof *it);
	it->time_ms = sqlite3_column_int64(st, 0);
	it->clock = sqlite3_column_int(st, 1) ? STORE_TL_LOCAL : STORE_TL_FEED;
	it->kind = kind >= 0 && kind < STORE_TL_NKINDS ? kind :
	    STORE_TL_MESSAGE;
	it->what = tl_text(st, 3);
	it->actor = tl_text(st, 4);
	it->role = tl_text(st, 5);
	it->code = tl_text(st, 6);
	it->reason = tl_text(st, 7);
	it->summary = tl_text(st, 8);
	it->origin = tl_text(st, 9);
	it->epoch = sqlite3_column_int64(st, 10);
	it->seq = sqlite3_column_int64(st, 11);
	it->to_seq = sqlite3_column_int64(st, 12);
	it->flag_id = sqlite3_column_int64(st, 13);
	it->journal_seq = sqlite3_column_int64(st, 14);
	it->command_id = tl_text(st, 15);
	it->order_ms = sqlite3_column_int64(st, 17);
}

/* Step statement sql (tl_sql, or its newest-first twin) for ?1 feed, ?2
 * attempt, ?3 limit into fn: the number delivered, or -1. */
static int
tl_stream(struct store_reader *r, const char *sql, const char *feed,
    const char *attempt, size_t limit, store_tl_fn fn, void *arg, char *err,
    size_t errlen)
{
	sqlite3_stmt		*st;
	struct store_tl_item	 it;
	int			 rc, n = 0;

	if (sqlite3_prepare_v2(store_reader_db(r), sql, -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(r, "the timeline", err, errlen);
		return -1;
	}
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, attempt, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, limit > (size_t)INT64_MAX ? INT64_MAX :
	    (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		tl_row(st, &it);
		n++;
		if (fn(&it, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, "the timeline", err, errlen);
		n = -1;
	}
	sqlite3_finalize(st);
	return n;
}

int
store_timeline(struct store_reader *r, const char *feed, const char *attempt,
    size_t limit, store_tl_fn fn, void *arg, char *err, size_t errlen)
{
	return tl_stream(r, tl_sql, feed, attempt, limit, fn, arg, err,
	    errlen);
}

int
store_tl_plan(struct store_reader *r, char *out, size_t outlen, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	char		*sql;
	size_t		 used = 0;
	int		 rc, n;

	if (outlen > 0)
		out[0] = '\0';
	sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", tl_sql);
	rc = sql == NULL ? SQLITE_NOMEM : sqlite3_prepare_v2(
	    store_reader_db(r), sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		store_reader_error(r, "the timeline's plan", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && used < outlen) {
		n = snprintf(out + used, outlen - used, "%s\n",
		    tl_text(st, 3) != NULL ? tl_text(st, 3) : "");
		used += n > 0 ? (size_t)n : 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, "the timeline's plan", err, errlen);
		return -1;
	}
	return 0;
}

/* ---- an attempt's facts */

static const char tl_facts_sql[] =
	"SELECT feed, attempt, candidate, name, exam, form, center, modality, "
	"  state, ip, device FROM attempts WHERE attempt = ?2 AND (?1 IS NULL "
	"  OR feed = ?1) ORDER BY feed LIMIT 2";
static const char tl_span_sql[] =
	"SELECT count(*), coalesce(min(ts_ms), 0), coalesce(max(ts_ms), 0) "
	"FROM messages WHERE feed = ?1 AND attempt = ?2";

static char *
tl_dup(sqlite3_stmt *st, int i)
{
	const char	*s = tl_text(st, i);

	return s != NULL ? xstrdup(s) : NULL;
}

/* The facts' strings in the order tl_facts_sql selects them. */
#define TL_FACTS_N	11
static void
tl_facts_fields(struct store_tl_facts *f, char **v[TL_FACTS_N])
{
	v[0] = &f->feed;
	v[1] = &f->attempt;
	v[2] = &f->candidate;
	v[3] = &f->name;
	v[4] = &f->exam;
	v[5] = &f->form;
	v[6] = &f->center;
	v[7] = &f->modality;
	v[8] = &f->state;
	v[9] = &f->ip;
	v[10] = &f->device;
}

void
store_tl_facts_free(struct store_tl_facts *f)
{
	char	**v[TL_FACTS_N];
	int	  i;

	tl_facts_fields(f, v);
	for (i = 0; i < TL_FACTS_N; i++)
		free(*v[i]);
	memset(f, 0, sizeof *f);
}

/* Step the span statement for out's (feed, attempt); 0 or -1. */
static int
tl_span(sqlite3 *db, struct store_tl_facts *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, tl_span_sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, out->feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, out->attempt, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->n_messages = sqlite3_column_int64(st, 0);
		out->first_ms = sqlite3_column_int64(st, 1);
		out->last_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_tl_facts(struct store_reader *r, const char *feed, const char *attempt,
    struct store_tl_facts *out, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	char		 other[128], **v[TL_FACTS_N];
	int		 rc, i, found = 0;

	memset(out, 0, sizeof *out);
	tl_facts_fields(out, v);
	if (sqlite3_prepare_v2(store_reader_db(r), tl_facts_sql, -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(r, "the attempts", err, errlen);
		return -1;
	}
	if (feed != NULL)
		sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, attempt, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && found < 2) {
		if (found++ == 1) {
			/* Raw: the caller sanitises the sentence it prints. */
			snprintf(other, sizeof other, "%s",
			    tl_text(st, 0) != NULL ? tl_text(st, 0) : "");
			break;
		}
		for (i = 0; i < TL_FACTS_N; i++)
			*v[i] = tl_dup(st, i);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, "the attempts", err, errlen);
		found = -1;
	}
	sqlite3_finalize(st);
	if (found == 2) {
		snprintf(err, errlen, "attempt \"%s\" is on more than one feed "
		    "(\"%s\" and \"%s\"); give --feed to say which", attempt,
		    out->feed != NULL ? out->feed : "", other);
		found = -1;
	} else if (found == 0) {
		snprintf(err, errlen, "no attempt \"%s\"%s%s%s is stored; "
		    "`invigil review attempts` lists them", attempt,
		    feed != NULL ? " on feed \"" : "", feed != NULL ? feed : "",
		    feed != NULL ? "\"" : "");
	} else if (found == 1 && (out->feed == NULL || out->attempt == NULL ||
	    tl_span(store_reader_db(r), out) == -1)) {
		store_reader_error(r, "the attempt's messages", err, errlen);
		found = -1;
	}
	if (found != 1)
		store_tl_facts_free(out);
	return found;
}

/* ---- the newest items first, and the attempt of a seq (the console's
 * detail view) */

/* tl_sql's order, and the same reversed. */
#define TL_ORDER	"ORDER BY 18, 3, 17 LIMIT ?3"
#define TL_ORDER_DESC	"ORDER BY 18 DESC, 3 DESC, 17 DESC LIMIT ?3"

int
store_timeline_last(struct store_reader *r, const char *feed,
    const char *attempt, size_t limit, store_tl_fn fn, void *arg, char *err,
    size_t errlen)
{
	static char	sql[sizeof tl_sql + sizeof TL_ORDER_DESC];
	size_t		body = sizeof tl_sql - sizeof TL_ORDER;

	/* Made once: tl_sql with its ORDER BY turned around. */
	if (sql[0] == '\0') {
		if (strcmp(tl_sql + body, TL_ORDER) != 0)
			abort();	/* tl_sql no longer ends as it did */
		memcpy(sql, tl_sql, body);
		memcpy(sql + body, TL_ORDER_DESC, sizeof TL_ORDER_DESC);
	}
	return tl_stream(r, sql, feed, attempt, limit, fn, arg, err, errlen);
}

int
store_tl_seq_attempt(struct store_reader *r, const char *feed, int64_t epoch,
    int64_t seq, char *out, size_t outlen, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	if (outlen > 0)
		out[0] = '\0';
	if (sqlite3_prepare_v2(store_reader_db(r), "SELECT attempt FROM "
	    "messages WHERE feed = ?1 AND epoch = ?2 AND seq = ?3", -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(r, "the messages", err, errlen);
		return -1;
	}
	sqlite3_bind_text(st, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int64(st, 3, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW && tl_text(st, 0) != NULL) {
		snprintf(out, outlen, "%s", tl_text(st, 0));
		found = 1;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, "the messages", err, errlen);
		found = -1;
	}
	sqlite3_finalize(st);
	return found;
}
