/*
 * review.c - the filtered readers of `invigil review attempts`, `flags`,
 * `decisions` and `export` (contract in review.h).
 *
 * Each reader is one SELECT, built from a base and the clauses of the
 * filters given (a filter not given adds nothing, so that SQLite plans
 * the statement that is run, not one full of "?1 IS NULL OR"), with the
 * values bound by name, never spliced into the text.  Rows are stepped
 * and handed on one at a time.  The journal readers read this database's
 * journal and every imported one (imported_journal, schema 3) as one
 * UNION ALL.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store/reader.h"
#include "store/review.h"
#include "store/rows.h"
#include "store/store.h"

#define REVIEW_SQL_MAX	8192

#define F_ATTEMPT_FACTS	(STORE_REVIEW_F_EXAM | STORE_REVIEW_F_FORM | \
			 STORE_REVIEW_F_CENTER | STORE_REVIEW_F_FEED | \
			 STORE_REVIEW_F_ATTEMPT | STORE_REVIEW_F_SINCE | \
			 STORE_REVIEW_F_UNTIL)

static const unsigned review_applies[STORE_REVIEW_WHATS] = {
	[STORE_REVIEW_ATTEMPTS] = F_ATTEMPT_FACTS | STORE_REVIEW_F_STATE |
	    STORE_REVIEW_F_FLAGGED | STORE_REVIEW_F_DECIDED |
	    STORE_REVIEW_F_RULE,
	[STORE_REVIEW_FLAGS] = F_ATTEMPT_FACTS | STORE_REVIEW_F_STATE |
	    STORE_REVIEW_F_DECIDED | STORE_REVIEW_F_RULE,
	[STORE_REVIEW_DECISIONS] = F_ATTEMPT_FACTS,
	[STORE_REVIEW_MESSAGES] = F_ATTEMPT_FACTS,
	[STORE_REVIEW_ANSWERS] = F_ATTEMPT_FACTS,
	[STORE_REVIEW_JOURNAL] = F_ATTEMPT_FACTS,
};

/* The table each reader filters, by its alias, and what it is called in
 * a sentence. */
static const struct {
	char		 alias;
	const char	*what;
} review_table[STORE_REVIEW_WHATS] = {
	[STORE_REVIEW_ATTEMPTS] = { 'a', "the attempts" },
	[STORE_REVIEW_FLAGS] = { 'f', "the flags" },
	[STORE_REVIEW_DECISIONS] = { 'j', "the decisions" },
	[STORE_REVIEW_MESSAGES] = { 'm', "the messages" },
	[STORE_REVIEW_ANSWERS] = { 'm', "the answers" },
	[STORE_REVIEW_JOURNAL] = { 'j', "the journal" },
};

/* The journals of every origin, as one table j. */
#define JOURNALS \
	"(SELECT NULL AS origin, " STORE_JOURNAL_COLUMNS " FROM journal " \
	"UNION ALL SELECT origin, " STORE_JOURNAL_COLUMNS " FROM " \
	"imported_journal) j"

/* The latest act of a person on flag f, in its own origin's journal. */
#define DECIDED_BY(tab, origin, id) \
	"(SELECT j.actor FROM " tab " j WHERE " origin " AND j.feed IS " \
	"f.feed AND j.attempt IS f.attempt AND j.flag_id = " id " AND " \
	"j.role <> 'feed' ORDER BY j.seq DESC LIMIT 1)"

/* A first or last message of attempt a, by seq. */
#define SEEN(dir) \
	"coalesce((SELECT m.ts_ms FROM messages m WHERE m.feed = a.feed AND " \
	"m.attempt = a.attempt ORDER BY m.seq " dir " LIMIT 1), 0)"

#define FLAGS_OF_A \
	"FROM flags f WHERE f.feed = a.feed AND f.attempt = a.attempt"
#define ACTS_OF_A(tab) \
	"(SELECT count(*) FROM " tab " j WHERE j.feed = a.feed AND " \
	"j.attempt = a.attempt AND j.role <> 'feed')"

static const char *const review_base[STORE_REVIEW_WHATS] = {
	[STORE_REVIEW_ATTEMPTS] = "SELECT a.feed, a.attempt, a.candidate, "
	    "a.name, a.exam, a.form, a.center, a.state, (SELECT count(*) "
	    FLAGS_OF_A " AND f.state = 'open'), (SELECT count(*) " FLAGS_OF_A
	    "), (SELECT total(f.weight) " FLAGS_OF_A " AND f.state = 'open'), "
	    ACTS_OF_A("journal") " + " ACTS_OF_A("imported_journal") ", "
	    SEEN("ASC") ", " SEEN("DESC") " FROM attempts a WHERE 1",
	[STORE_REVIEW_FLAGS] = "SELECT " STORE_FLAG_COLUMNS ", f.source, "
	    "CASE WHEN f.state <> 'open' THEN coalesce(" DECIDED_BY("journal",
	    "f.source IS NULL", "f.id") ", " DECIDED_BY("imported_journal",
	    "j.origin = f.source", "f.source_id") ") END FROM flags f WHERE 1",
	[STORE_REVIEW_DECISIONS] = "SELECT j.origin, j.seq, j.time_ms, "
	    "j.actor, j.role, j.kind, j.feed, j.attempt, j.flag_id, "
	    "j.reason_code, j.reason, j.evidence, j.detail, j.hash FROM "
	    JOURNALS " WHERE j.role <> 'feed'",
	[STORE_REVIEW_MESSAGES] = "SELECT " STORE_MESSAGE_COLUMNS " FROM "
	    "messages m WHERE 1",
	[STORE_REVIEW_ANSWERS] = "SELECT m.id, m.feed, m.attempt, m.epoch, "
	    "m.seq, m.ts_ms, " STORE_JSON_FIELD("m.body", "item") ", "
	    STORE_JSON_FIELD("m.body", "response") ", "
	    STORE_JSON_FIELD("m.body", "correct") ", "
	    STORE_JSON_FIELD("m.body", "elapsed_ms") ", "
	    STORE_JSON_FIELD("m.body", "changed") ", a.candidate, a.exam, "
	    "a.form FROM messages m LEFT JOIN attempts a ON a.feed = m.feed "
	    "AND a.attempt = m.attempt WHERE m.type = 'answer'",
	[STORE_REVIEW_JOURNAL] = "SELECT j.origin, j.seq, j.time_ms, j.actor, "
	    "j.role, j.kind, j.feed, j.attempt, j.flag_id, j.reason_code, "
	    "j.reason, j.evidence, j.detail, j.hash FROM " JOURNALS " WHERE 1",
};

static const char *const review_order[STORE_REVIEW_WHATS] = {
	[STORE_REVIEW_ATTEMPTS] = " ORDER BY a.feed, a.attempt",
	[STORE_REVIEW_FLAGS] = " ORDER BY f.id",
	[STORE_REVIEW_DECISIONS] = " ORDER BY j.time_ms, j.origin IS NOT "
	    "NULL, j.origin, j.seq",
	[STORE_REVIEW_MESSAGES] = " ORDER BY m.id",
	[STORE_REVIEW_ANSWERS] = " ORDER BY m.id",
	[STORE_REVIEW_JOURNAL] = " ORDER BY j.origin IS NOT NULL, j.origin, "
	    "j.seq",
};

unsigned
store_review_applies(enum store_review_what what)
{
	return what < STORE_REVIEW_WHATS ? review_applies[what] : 0;
}

unsigned
store_review_given(const struct store_review_filter *f)
{
	unsigned	g = 0;

	g |= f->exam != NULL ? STORE_REVIEW_F_EXAM : 0;
	g |= f->form != NULL ? STORE_REVIEW_F_FORM : 0;
	g |= f->center != NULL ? STORE_REVIEW_F_CENTER : 0;
	g |= f->feed != NULL ? STORE_REVIEW_F_FEED : 0;
	g |= f->state != NULL ? STORE_REVIEW_F_STATE : 0;
	g |= f->flagged ? STORE_REVIEW_F_FLAGGED : 0;
	g |= f->decided ? STORE_REVIEW_F_DECIDED : 0;
	g |= f->rule != NULL ? STORE_REVIEW_F_RULE : 0;
	g |= f->has_since ? STORE_REVIEW_F_SINCE : 0;
	g |= f->has_until ? STORE_REVIEW_F_UNTIL : 0;
	g |= f->attempt != NULL ? STORE_REVIEW_F_ATTEMPT : 0;
	return g;
}

/* Append to the SQL in b (len bytes); sets *over when it does not fit. */
static void
sql_add(char *b, size_t len, int *over, const char *fmt, char t)
{
	size_t	used = strlen(b);
	int	n;

	n = snprintf(b + used, len - used, fmt, t, t, t, t);
	if (n < 0 || (size_t)n >= len - used)
		*over = 1;
}

/* The clauses of the filters of f that apply to what, on alias t. */
static void
review_where(enum store_review_what what, const struct store_review_filter *f,
    char *b, size_t len, int *over)
{
	char	t = review_table[what].alias;

	if (f->feed != NULL)
		sql_add(b, len, over, " AND %c.feed = :feed", t);
	if (f->attempt != NULL)
		sql_add(b, len, over, " AND %c.attempt = :attempt", t);
	if (f->exam != NULL || f->form != NULL || f->center != NULL) {
		if (what == STORE_REVIEW_ATTEMPTS)
			sql_add(b, len, over, " AND 1", t);
		else
			sql_add(b, len, over, " AND EXISTS (SELECT 1 FROM "
			    "attempts a WHERE a.feed = %c.feed AND a.attempt = "
			    "%c.attempt", t);
		if (f->exam != NULL)
			sql_add(b, len, over, " AND a.exam = :exam", t);
		if (f->form != NULL)
			sql_add(b, len, over, " AND a.form = :form", t);
		if (f->center != NULL)
			sql_add(b, len, over, " AND a.center = :center", t);
		if (what != STORE_REVIEW_ATTEMPTS)
			sql_add(b, len, over, ")", t);
	}
	if (f->state != NULL)
		sql_add(b, len, over, " AND %c.state = :state", t);
	if (what == STORE_REVIEW_ATTEMPTS) {
		if (f->rule != NULL)
			sql_add(b, len, over, " AND EXISTS (SELECT 1 "
			    FLAGS_OF_A " AND f.rule = :rule)", t);
		if (f->flagged)
			sql_add(b, len, over, " AND EXISTS (SELECT 1 "
			    FLAGS_OF_A ")", t);
		if (f->decided)
			sql_add(b, len, over, " AND " ACTS_OF_A("journal")
			    " + " ACTS_OF_A("imported_journal") " > 0", t);
		if (f->has_since || f->has_until)
			sql_add(b, len, over, " AND EXISTS (SELECT 1 FROM "
			    "messages m WHERE m.feed = a.feed AND m.attempt = "
			    "a.attempt", t);
		if (f->has_since)
			sql_add(b, len, over, " AND m.ts_ms >= :since", t);
		if (f->has_until)
			sql_add(b, len, over, " AND m.ts_ms < :until", t);
		if (f->has_since || f->has_until)
			sql_add(b, len, over, ")", t);
		return;
	}
	if (what == STORE_REVIEW_FLAGS) {
		if (f->rule != NULL)
			sql_add(b, len, over, " AND f.rule = :rule", t);
		if (f->decided)
			sql_add(b, len, over, " AND f.state <> 'open'", t);
		if (f->has_since)
			sql_add(b, len, over, " AND f.last_ms >= :since", t);
		if (f->has_until)
			sql_add(b, len, over, " AND f.first_ms < :until", t);
		return;
	}
	if (f->has_since)
		sql_add(b, len, over, t == 'j' ? " AND j.time_ms >= :since" :
		    " AND m.ts_ms >= :since", t);
	if (f->has_until)
		sql_add(b, len, over, t == 'j' ? " AND j.time_ms < :until" :
		    " AND m.ts_ms < :until", t);
}

int
store_review_sql(enum store_review_what what,
    const struct store_review_filter *f, char *out, size_t outlen)
{
	int	over = 0;

	if (what >= STORE_REVIEW_WHATS || outlen == 0)
		return -1;
	snprintf(out, outlen, "%s", review_base[what]);
	if (strlen(review_base[what]) >= outlen)
		over = 1;
	review_where(what, f, out, outlen, &over);
	sql_add(out, outlen, &over, review_order[what], 'x');
	return over ? -1 : 0;
}

/* Bind text to the parameter named name, if the statement has it. */
static void
bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int	i = sqlite3_bind_parameter_index(st, name);

	if (i > 0 && v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Bind v to the parameter named name, if the statement has it. */
static void
bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int	i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/* A NOT NULL column that a crafted file holds NULL in reads as "". */
static const char *
text_nn(sqlite3_stmt *st, int i)
{
	const char	*t = (const char *)sqlite3_column_text(st, i);

	return t != NULL ? t : "";
}

#define TEXT(st, i)	((const char *)sqlite3_column_text((st), (i)))

/* A JSON field read by json_extract: an integer, or -1. */
static int64_t
field_int(sqlite3_stmt *st, int i)
{
	int	type = sqlite3_column_type(st, i);

	if (type == SQLITE_INTEGER)
		return sqlite3_column_int64(st, i);
	if (type == SQLITE_FLOAT)
		return (int64_t)sqlite3_column_double(st, i);
	return -1;
}

/* A JSON boolean read by json_extract (1 or 0), or -1. */
static int
field_bool(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) != SQLITE_INTEGER)
		return -1;
	return sqlite3_column_int64(st, i) != 0;
}

/* The callback of one reader. */
union review_fn {
	store_review_attempt_fn	 attempt;
	store_review_flag_fn	 flag;
	store_review_journal_fn	 journal;
	store_message_row_fn	 message;
	store_review_answer_fn	 answer;
};

/* Hand the row st stands on to fn as what's struct; fn's return. */
static int
review_emit(enum store_review_what what, sqlite3_stmt *st, union review_fn fn,
    void *arg)
{
	struct store_review_attempt	a;
	struct store_review_flag	f;
	struct store_review_journal	j;
	struct store_message_row	m;
	struct store_review_answer	x;

	switch (what) {
	case STORE_REVIEW_ATTEMPTS:
		a.feed = text_nn(st, 0);
		a.attempt = text_nn(st, 1);
		a.candidate = TEXT(st, 2);
		a.name = TEXT(st, 3);
		a.exam = TEXT(st, 4);
		a.form = TEXT(st, 5);
		a.center = TEXT(st, 6);
		a.state = TEXT(st, 7);
		a.open_flags = sqlite3_column_int64(st, 8);
		a.flags = sqlite3_column_int64(st, 9);
		a.risk = sqlite3_column_double(st, 10);
		a.decisions = sqlite3_column_int64(st, 11);
		a.first_ms = sqlite3_column_int64(st, 12);
		a.last_ms = sqlite3_column_int64(st, 13);
		return fn.attempt(&a, arg);
	case STORE_REVIEW_FLAGS:
		store_row_flag(st, 0, &f.flag);
		f.flag.rule = f.flag.rule != NULL ? f.flag.rule : "";
		f.source = TEXT(st, STORE_FLAG_NCOLUMNS);
		f.decided_by = TEXT(st, STORE_FLAG_NCOLUMNS + 1);
		return fn.flag(&f, arg);
	case STORE_REVIEW_DECISIONS:
	case STORE_REVIEW_JOURNAL:
		j.origin = TEXT(st, 0);
		store_row_journal(st, 1, &j.row);
		j.row.entry.actor = j.row.entry.actor ? j.row.entry.actor : "";
		j.row.entry.role = j.row.entry.role ? j.row.entry.role : "";
		j.row.entry.kind = j.row.entry.kind ? j.row.entry.kind : "";
		j.row.hash = j.row.hash != NULL ? j.row.hash : "";
		return fn.journal(&j, arg);
	case STORE_REVIEW_MESSAGES:
		store_row_message(st, 0, &m);
		m.feed = m.feed != NULL ? m.feed : "";
		m.type = m.type != NULL ? m.type : "";
		m.body = m.body != NULL ? m.body : "";
		return fn.message(&m, arg);
	case STORE_REVIEW_ANSWERS:
		x.id = sqlite3_column_int64(st, 0);
		x.feed = text_nn(st, 1);
		x.attempt = text_nn(st, 2);
		x.epoch = sqlite3_column_int64(st, 3);
		x.seq = sqlite3_column_int64(st, 4);
		x.ts_ms = sqlite3_column_int64(st, 5);
		x.item = TEXT(st, 6);
		x.response = TEXT(st, 7);
		x.correct = field_bool(st, 8);
		x.elapsed_ms = field_int(st, 9);
		x.changed = field_int(st, 10) < 0 ? -1 :
		    field_int(st, 10) > 0;
		x.candidate = TEXT(st, 11);
		x.exam = TEXT(st, 12);
		x.form = TEXT(st, 13);
		return fn.answer(&x, arg);
	case STORE_REVIEW_WHATS:
		break;
	}
	return 1;
}

/* Run what's SELECT with f, each row to fn: rows, or -1 with a sentence. */
static int64_t
review_run(struct store_reader *r, enum store_review_what what,
    const struct store_review_filter *f, union review_fn fn, void *arg,
    char *err, size_t errlen)
{
	char		 sql[REVIEW_SQL_MAX];
	sqlite3_stmt	*st = NULL;
	int64_t		 n = 0;
	int		 rc;

	if (store_review_sql(what, f, sql, sizeof sql) != 0) {
		snprintf(err, errlen, "the query of %s is too long (an "
		    "invigil bug; please report it)", review_table[what].what);
		return -1;
	}
	if (sqlite3_prepare_v2(store_reader_db(r), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		store_reader_error(r, review_table[what].what, err, errlen);
		return -1;
	}
	bind_text(st, ":feed", f->feed);
	bind_text(st, ":attempt", f->attempt);
	bind_text(st, ":exam", f->exam);
	bind_text(st, ":form", f->form);
	bind_text(st, ":center", f->center);
	bind_text(st, ":state", f->state);
	bind_text(st, ":rule", f->rule);
	bind_int(st, ":since", f->since_ms);
	bind_int(st, ":until", f->until_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (review_emit(what, st, fn, arg) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(r, review_table[what].what, err, errlen);
		n = -1;
	}
	sqlite3_finalize(st);
	return n;
}

int64_t
store_review_attempts(struct store_reader *r,
    const struct store_review_filter *f, store_review_attempt_fn fn,
    void *arg, char *err, size_t errlen)
{
	union review_fn	u = { .attempt = fn };

	return review_run(r, STORE_REVIEW_ATTEMPTS, f, u, arg, err, errlen);
}

int64_t
store_review_flags(struct store_reader *r, const struct store_review_filter *f,
    store_review_flag_fn fn, void *arg, char *err, size_t errlen)
{
	union review_fn	u = { .flag = fn };

	return review_run(r, STORE_REVIEW_FLAGS, f, u, arg, err, errlen);
}

int64_t
store_review_journal(struct store_reader *r,
    const struct store_review_filter *f, int decisions,
    store_review_journal_fn fn, void *arg, char *err, size_t errlen)
{
	union review_fn	u = { .journal = fn };

	return review_run(r, decisions ? STORE_REVIEW_DECISIONS :
	    STORE_REVIEW_JOURNAL, f, u, arg, err, errlen);
}

int64_t
store_review_messages(struct store_reader *r,
    const struct store_review_filter *f, store_message_row_fn fn, void *arg,
    char *err, size_t errlen)
{
	union review_fn	u = { .message = fn };

	return review_run(r, STORE_REVIEW_MESSAGES, f, u, arg, err, errlen);
}

int64_t
store_review_answers(struct store_reader *r,
    const struct store_review_filter *f, store_review_answer_fn fn,
    void *arg, char *err, size_t errlen)
{
	union review_fn	u = { .answer = fn };

	return review_run(r, STORE_REVIEW_ANSWERS, f, u, arg, err, errlen);
}
