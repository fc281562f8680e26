/*
 * answers.c - an exam's answers read from a store for `invigil review
 * forensics`: attempts x items matrices of final options, correctness,
 * changes and times, built from the stored answer messages (their JSON
 * bodies, by SQLite's json_extract) and the attempts table.  No
 * statistics here (forensics/ does that); this is where hostile rows are
 * bounded.  Contract in store.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/xmalloc.h"
#include "store/rows.h"
#include "store/store.h"

/* Distinct responses kept per item while reading (then the most common
 * STORE_ANSWERS_OPTIONS become options). */
#define RESPONSES_MAX	64

#define JX(f)	STORE_JSON_FIELD("m.body", f)

static const char answers_sql[] =
    "SELECT m.feed, m.attempt, " JX("item") ", " JX("response") ", "
    JX("correct") ", " JX("elapsed_ms") ", " JX("changed") ", "
    "a.candidate, a.exam, a.form, a.center, a.ip, a.device "
    "FROM messages m LEFT JOIN attempts a ON a.feed = m.feed AND "
    "a.attempt = m.attempt WHERE m.type = 'answer' AND m.attempt IS NOT "
    "NULL AND (?1 IS NULL OR a.exam = ?1) AND (?2 IS NULL OR a.form = ?2) "
    "ORDER BY m.feed, m.attempt, m.epoch, m.seq";

static const char starts_sql[] =
    "SELECT feed, attempt, min(ts_ms) FROM messages WHERE type = 'state' "
    "AND attempt IS NOT NULL AND CASE WHEN json_valid(body) THEN "
    "json_extract(body, '$.state') END = 'in_progress' GROUP BY feed, "
    "attempt";

/* One answer message, in read order (by attempt, then seq). */
struct answer_rec {
	int32_t	 att;
	int16_t	 item;		/* < STORE_ANSWERS_MAX_ITEMS */
	int8_t	 resp;		/* index into the item's responses, -1 */
	int8_t	 correct;
	int32_t	 elapsed;	/* ms, -1: none */
	int8_t	 changed;	/* "changed" > 0 */
};

/* Answer messages kept at most: a record is 16 bytes. */
#define RECORDS_MAX	(2 * STORE_ANSWERS_MAX_CELLS)

struct item_acc {
	char	*id;
	char	*resp[RESPONSES_MAX];
	int64_t	 count[RESPONSES_MAX], right[RESPONSES_MAX];
	int	 n_resp;
	int	 map[RESPONSES_MAX];	/* response -> option, -1 */
};

struct reader_acc {
	struct store_answers	*out;
	struct item_acc		*items;
	int			 cap_items, cap_att;
	int			*hash;		/* open addressing, -1 empty */
	size_t			 hash_size;
	struct answer_rec	*recs;
	size_t			 n_recs, cap_recs;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * UINT64_C(1099511628211);
	return h;
}

/* A column's text cut to STORE_ANSWERS_TEXT_MAX bytes, NULL for NULL. */
static char *
column_text(sqlite3_stmt *st, int col, struct store_answers *out)
{
	const unsigned char	*t = sqlite3_column_text(st, col);
	size_t			 n;
	char			*s;

	if (t == NULL || sqlite3_column_type(st, col) == SQLITE_NULL)
		return NULL;
	n = strlen((const char *)t);
	if (n > STORE_ANSWERS_TEXT_MAX) {
		n = STORE_ANSWERS_TEXT_MAX;
		out->n_cut++;
	}
	s = xmalloc(n + 1);
	memcpy(s, t, n);
	s[n] = '\0';
	return s;
}

static void
hash_grow(struct reader_acc *ra)
{
	size_t	i, size = ra->hash_size ? ra->hash_size * 2 : 1024;
	int	k;

	free(ra->hash);
	ra->hash = xreallocarray(NULL, size, sizeof *ra->hash);
	for (i = 0; i < size; i++)
		ra->hash[i] = -1;
	ra->hash_size = size;
	for (k = 0; k < ra->out->n_items; k++) {
		i = fnv1a(ra->items[k].id) & (size - 1);
		while (ra->hash[i] >= 0)
			i = (i + 1) & (size - 1);
		ra->hash[i] = k;
	}
}

/* The index of item id (taken over), made on first sight; -1 past the
 * bound. */
static int
item_index(struct reader_acc *ra, char *id)
{
	size_t	i;
	int	k;

	if ((size_t)ra->out->n_items * 2 >= ra->hash_size)
		hash_grow(ra);
	i = fnv1a(id) & (ra->hash_size - 1);
	while ((k = ra->hash[i]) >= 0) {
		if (strcmp(ra->items[k].id, id) == 0) {
			free(id);
			return k;
		}
		i = (i + 1) & (ra->hash_size - 1);
	}
	if (ra->out->n_items >= STORE_ANSWERS_MAX_ITEMS) {
		free(id);
		return -1;
	}
	if (ra->out->n_items == ra->cap_items) {
		ra->cap_items = ra->cap_items ? 2 * ra->cap_items : 64;
		ra->items = xreallocarray(ra->items, ra->cap_items,
		    sizeof *ra->items);
	}
	k = ra->out->n_items++;
	memset(&ra->items[k], 0, sizeof ra->items[k]);
	ra->items[k].id = id;
	ra->hash[i] = k;
	return k;
}

/* The index of response r (taken over) among item k's, -1 beyond. */
static int
response_index(struct item_acc *it, char *r, int correct)
{
	int	x;

	for (x = 0; x < it->n_resp; x++)
		if (strcmp(it->resp[x], r) == 0)
			break;
	if (x == it->n_resp) {
		if (x == RESPONSES_MAX) {
			free(r);
			return -1;
		}
		it->resp[it->n_resp++] = r;
	} else
		free(r);
	it->count[x]++;
	it->right[x] += correct > 0;
	return x;
}

/* Columns 7.. of the row: the attempt's facts, for a new attempt. */
static void
attempt_add(struct reader_acc *ra, sqlite3_stmt *st, char *feed,
    char *attempt)
{
	struct store_answers	*o = ra->out;
	int			 j;

	if (o->n_attempts == ra->cap_att) {
		ra->cap_att = ra->cap_att ? 2 * ra->cap_att : 256;
		o->feed = xreallocarray(o->feed, ra->cap_att, sizeof *o->feed);
		o->attempt = xreallocarray(o->attempt, ra->cap_att,
		    sizeof *o->attempt);
		o->candidate = xreallocarray(o->candidate, ra->cap_att,
		    sizeof *o->candidate);
		o->exam = xreallocarray(o->exam, ra->cap_att, sizeof *o->exam);
		o->form = xreallocarray(o->form, ra->cap_att, sizeof *o->form);
		o->center = xreallocarray(o->center, ra->cap_att,
		    sizeof *o->center);
		o->ip = xreallocarray(o->ip, ra->cap_att, sizeof *o->ip);
		o->device = xreallocarray(o->device, ra->cap_att,
		    sizeof *o->device);
	}
	j = o->n_attempts++;
	o->feed[j] = feed;
	o->attempt[j] = attempt;
	o->candidate[j] = column_text(st, 7, o);
	o->exam[j] = column_text(st, 8, o);
	o->form[j] = column_text(st, 9, o);
	o->center[j] = column_text(st, 10, o);
	o->ip[j] = column_text(st, 11, o);
	o->device[j] = column_text(st, 12, o);
}

static int64_t
column_count(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) != SQLITE_INTEGER)
		return -1;
	return sqlite3_column_int64(st, col);
}

/* One answer row; -1 when a bound is passed (err filled). */
static int
answers_row(struct reader_acc *ra, sqlite3_stmt *st, char *err,
    size_t errlen)
{
	struct store_answers	*o = ra->out;
	struct answer_rec	*rec;
	char			*feed = column_text(st, 0, o);
	char			*attempt = column_text(st, 1, o);
	char			*item = column_text(st, 2, o);
	char			*resp = column_text(st, 3, o);
	int64_t			 correct = column_count(st, 4), elapsed;
	int			 k, j = o->n_attempts - 1;

	o->n_messages++;
	if (feed == NULL)
		feed = xstrdup("");
	if (attempt == NULL)
		attempt = xstrdup("");
	if (j >= 0 && strcmp(o->feed[j], feed) == 0 &&
	    strcmp(o->attempt[j], attempt) == 0) {
		free(feed);
		free(attempt);
	} else {
		attempt_add(ra, st, feed, attempt);
		j++;
	}
	if (item == NULL || (correct != 0 && correct != 1)) {
		o->n_unreadable++;
		free(item);
		free(resp);
		return 0;
	}
	if ((k = item_index(ra, item)) < 0) {
		free(resp);
		snprintf(err, errlen, "the exam has more than %d distinct item "
		    "ids; give --exam or --form to analyse one exam at a time",
		    STORE_ANSWERS_MAX_ITEMS);
		return -1;
	}
	if (ra->n_recs >= RECORDS_MAX) {
		free(resp);
		snprintf(err, errlen, "more than %lld answer messages; give "
		    "--exam or --form to analyse one exam at a time",
		    (long long)RECORDS_MAX);
		return -1;
	}
	if (ra->n_recs == ra->cap_recs) {
		ra->cap_recs = ra->cap_recs ? 2 * ra->cap_recs : 4096;
		ra->recs = xreallocarray(ra->recs, ra->cap_recs,
		    sizeof *ra->recs);
	}
	rec = &ra->recs[ra->n_recs++];
	rec->att = j;
	rec->item = (int16_t)k;
	rec->correct = (int8_t)correct;
	rec->resp = (int8_t)(resp == NULL ? -1 :
	    response_index(&ra->items[k], resp, (int)correct));
	elapsed = column_count(st, 5);
	rec->elapsed = elapsed < 0 ? -1 : elapsed > INT32_MAX ? INT32_MAX :
	    (int32_t)elapsed;
	rec->changed = column_count(st, 6) > 0;
	return 0;
}

/* Options per item: the most common responses first; the key. */
static void
map_options(struct reader_acc *ra)
{
	struct store_answers	*o = ra->out;
	int			 k, x, y, best;

	o->key = xcalloc(o->n_items + 1, sizeof *o->key);
	o->n_options = xcalloc(o->n_items + 1, sizeof *o->n_options);
	o->item = xcalloc(o->n_items + 1, sizeof *o->item);
	o->option_text = xcalloc((size_t)o->n_items * STORE_ANSWERS_OPTIONS +
	    1, sizeof *o->option_text);
	for (k = 0; k < o->n_items; k++) {
		struct item_acc	*it = &ra->items[k];
		unsigned char	 taken[RESPONSES_MAX];
		int64_t		 most = 0;

		memset(taken, 0, sizeof taken);
		o->key[k] = -1;
		for (x = 0; x < it->n_resp; x++)
			it->map[x] = -1;
		for (y = 0; y < STORE_ANSWERS_OPTIONS; y++) {
			best = -1;
			for (x = 0; x < it->n_resp; x++)
				if (!taken[x] && (best < 0 ||
				    it->count[x] > it->count[best]))
					best = x;
			if (best < 0)
				break;
			taken[best] = 1;
			it->map[best] = y;
			o->option_text[(size_t)k * STORE_ANSWERS_OPTIONS + y] =
			    xstrdup(it->resp[best]);
		}
		o->n_options[k] = y;
		for (x = 0; x < it->n_resp; x++)
			if (it->right[x] > most && it->map[x] >= 0) {
				most = it->right[x];
				o->key[k] = (int8_t)it->map[x];
			}
		o->item[k] = it->id;
		it->id = NULL;
	}
}

/* The cells from the records (per attempt, in seq order). */
static int
build_cells(struct reader_acc *ra, char *err, size_t errlen)
{
	struct store_answers	*o = ra->out;
	size_t			 n, g, r;
	int32_t			*count;

	if ((long long)o->n_attempts * o->n_items > STORE_ANSWERS_MAX_CELLS) {
		snprintf(err, errlen, "%d attempts x %d items is more than "
		    "this command analyses at once (%lld cells); give --exam "
		    "or --form", o->n_attempts, o->n_items,
		    (long long)STORE_ANSWERS_MAX_CELLS);
		return -1;
	}
	n = (size_t)o->n_attempts * o->n_items;
	o->option = xmalloc(n + 1);
	o->correct = xmalloc(n + 1);
	o->changed = xcalloc(n + 1, 1);
	o->wtr = xcalloc(n + 1, 1);
	o->time = xcalloc(n + 1, sizeof *o->time);
	count = xcalloc(n + 1, sizeof *count);
	memset(o->option, -1, n);
	memset(o->correct, -1, n);
	for (g = 0; g < n; g++)
		o->time[g] = NAN;
	for (r = 0; r < ra->n_recs; r++) {
		const struct answer_rec *a = &ra->recs[r];
		int	opt = a->resp < 0 ? -1 : ra->items[a->item].map[a->resp];

		g = (size_t)a->att * o->n_items + a->item;
		if (count[g]++ == 0)
			o->wtr[g] = (int8_t)(a->correct == 0 ? 2 : 0);
		else
			o->changed[g] = 1;
		if (a->changed > 0)
			o->changed[g] = 1;
		if (a->resp >= 0 && opt < 0)
			o->n_beyond_options++;
		o->option[g] = (int8_t)opt;
		o->correct[g] = a->correct;
		if (a->elapsed >= 0)
			o->time[g] = (isnan(o->time[g]) ? 0 : o->time[g]) +
			    a->elapsed / 1000.0;
	}
	/* wtr held "first wrong" (2) until the final answer is known. */
	for (g = 0; g < n; g++) {
		int first_wrong = o->wtr[g] == 2;

		if (!o->changed[g])
			o->wtr[g] = 0;
		else if (count[g] < 2)
			o->wtr[g] = -1;
		else
			o->wtr[g] = first_wrong && o->correct[g] == 1;
	}
	free(count);
	return 0;
}

static int
attempt_find(const struct store_answers *o, const char *feed,
    const char *attempt)
{
	int	lo = 0, hi = o->n_attempts - 1, mid, c;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		c = strcmp(o->feed[mid], feed);
		if (c == 0)
			c = strcmp(o->attempt[mid], attempt);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
read_starts(struct store_reader *rd, struct store_answers *o, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc, j;

	o->start_ms = xcalloc(o->n_attempts + 1, sizeof *o->start_ms);
	if (sqlite3_prepare_v2(store_reader_db(rd), starts_sql, -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(rd, "the attempts' start times", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char	*feed = column_text(st, 0, o);
		char	*attempt = column_text(st, 1, o);

		if (feed != NULL && attempt != NULL &&
		    (j = attempt_find(o, feed, attempt)) >= 0)
			o->start_ms[j] = sqlite3_column_int64(st, 2);
		free(feed);
		free(attempt);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(rd, "the attempts' start times", err, errlen);
		return -1;
	}
	return 0;
}

static void
acc_free(struct reader_acc *ra)
{
	int	k, x;

	for (k = 0; k < ra->out->n_items && ra->items != NULL; k++) {
		free(ra->items[k].id);
		for (x = 0; x < ra->items[k].n_resp; x++)
			free(ra->items[k].resp[x]);
	}
	free(ra->items);
	free(ra->hash);
	free(ra->recs);
}

int
store_answers_read(struct store_reader *rd, const char *exam,
    const char *form, struct store_answers *out, char *err, size_t errlen)
{
	struct reader_acc	 ra;
	sqlite3_stmt		*st;
	int			 rc = SQLITE_DONE, bad = 0;

	memset(out, 0, sizeof *out);
	memset(&ra, 0, sizeof ra);
	ra.out = out;
	if (sqlite3_prepare_v2(store_reader_db(rd), answers_sql, -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(rd, "the answers", err, errlen);
		return -1;
	}
	sqlite3_bind_text(st, 1, exam, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, form, -1, SQLITE_STATIC);
	while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW)
		bad = answers_row(&ra, st, err, errlen) != 0;
	if (!bad && rc != SQLITE_DONE) {
		store_reader_error(rd, "the answers", err, errlen);
		bad = 1;
	}
	sqlite3_finalize(st);
	if (!bad) {
		map_options(&ra);
		bad = build_cells(&ra, err, errlen) != 0 ||
		    read_starts(rd, out, err, errlen) != 0;
	}
	acc_free(&ra);
	return bad ? -1 : 0;
}

static void
strings_free(char **v, int n)
{
	int	j;

	if (v == NULL)
		return;
	for (j = 0; j < n; j++)
		free(v[j]);
	free(v);
}

void
store_answers_free(struct store_answers *o)
{
	strings_free(o->feed, o->n_attempts);
	strings_free(o->attempt, o->n_attempts);
	strings_free(o->candidate, o->n_attempts);
	strings_free(o->exam, o->n_attempts);
	strings_free(o->form, o->n_attempts);
	strings_free(o->center, o->n_attempts);
	strings_free(o->ip, o->n_attempts);
	strings_free(o->device, o->n_attempts);
	strings_free(o->item, o->item != NULL ? o->n_items : 0);
	strings_free(o->option_text, o->option_text != NULL ?
	    o->n_items * STORE_ANSWERS_OPTIONS : 0);
	free(o->start_ms);
	free(o->key);
	free(o->n_options);
	free(o->option);
	free(o->correct);
	free(o->changed);
	free(o->wtr);
	free(o->time);
	memset(o, 0, sizeof *o);
}
