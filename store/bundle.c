/*
 * bundle.c - evidence bundles and outcome lists (bundle.h,
 * invigil-bundle(5)): gathering one attempt's rows on a reader, keeping
 * every other attempt out of them, proving its journal entries in the
 * journal's RFC 6962 tree, signing the whole; and checking a bundle with
 * nothing but the bundle and keys.  The outcome list for the exam
 * platform is the same kind of signed note (lines, checkpoint, keys,
 * proofs) over every attempt's outcome, so it is written and checked
 * here with the same parts.
 *
 * A bundle is written as lines (canonical JSON objects) in memory, then
 * signed as one note; it is bounded by BUNDLE_MAX_BYTES and
 * BUNDLE_MAX_LINES, and everything read from the database or from a
 * bundle is hostile: strings are never trusted to be what they claim.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem */
#endif
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "proto/xmalloc.h"
#include "store/bundle.h"
#include "store/journal.h"
#include "store/merkle.h"
#include "store/outcome.h"
#include "store/sign.h"
#include "store/store.h"

#define BUNDLE_DUMP	(JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

/* ---- the lines of a bundle */

struct bundle_lines {
	char	**v;
	size_t	  n, cap;
	size_t	  bytes;
};

/*
 * Append obj (a new reference, consumed) as one canonical line.  -1 with
 * a sentence when the bundle would pass its bounds.
 */
static int
lines_add(struct bundle_lines *l, json_t *obj, char *err, size_t errlen)
{
	char	*s = json_dumps(obj, BUNDLE_DUMP);

	json_decref(obj);
	if (s == NULL) {
		snprintf(err, errlen, "bundle: cannot encode a line (out of "
		    "memory or not UTF-8)");
		return -1;
	}
	if (l->n >= BUNDLE_MAX_LINES || strlen(s) + 1 > BUNDLE_MAX_BYTES -
	    l->bytes) {
		free(s);
		snprintf(err, errlen, "the bundle would be larger than %d lines "
		    "or %d MiB; this attempt has too much to bundle",
		    BUNDLE_MAX_LINES, BUNDLE_MAX_BYTES / (1024 * 1024));
		return -1;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = s;
	l->bytes += strlen(s) + 1;
	return 0;
}

/* Free v[0..n) and v. */
static void
strings_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The lines joined, each ending in '\n' (malloc'd). */
static char *
lines_join(const struct bundle_lines *l)
{
	char	*out = xmalloc(l->bytes + 1), *p = out;
	size_t	 i, n;

	for (i = 0; i < l->n; i++) {
		n = strlen(l->v[i]);
		memcpy(p, l->v[i], n);
		p[n] = '\n';
		p += n + 1;
	}
	*p = '\0';
	return out;
}

/* ---- other attempts' strings, and whether a text names one */

struct bundle_scan {
	char		**other;	/* sorted, unique after scan_finish */
	size_t		  n, cap;
	const char	 *own[3];	/* attempt, candidate, name: masked */
};

/* qsort(3) order of strings. */
static int
scan_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remember s (NULL and "" ignored, and the attempt's own strings). */
static int
scan_add(struct bundle_scan *sc, const char *s, char *err, size_t errlen)
{
	size_t	i;

	if (s == NULL || *s == '\0')
		return 0;
	for (i = 0; i < 3; i++)
		if (sc->own[i] != NULL && strcmp(s, sc->own[i]) == 0)
			return 0;
	if (sc->n >= BUNDLE_MAX_OTHERS) {
		snprintf(err, errlen, "the database names more than %d other "
		    "attempts, candidates and names; too many to check the "
		    "bundle against", BUNDLE_MAX_OTHERS);
		return -1;
	}
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 256;
		sc->other = xreallocarray(sc->other, sc->cap,
		    sizeof *sc->other);
	}
	sc->other[sc->n++] = xstrdup(s);
	return 0;
}

/* Sort the strings and drop repeats, once all are added. */
static void
scan_finish(struct bundle_scan *sc)
{
	size_t	i, o = 0;

	if (sc->n > 0)
		qsort(sc->other, sc->n, sizeof *sc->other, scan_compare);
	for (i = 0; i < sc->n; i++) {
		if (o > 0 && strcmp(sc->other[o - 1], sc->other[i]) == 0)
			free(sc->other[i]);
		else
			sc->other[o++] = sc->other[i];
	}
	sc->n = o;
}

/*
 * 1 if s (len bytes) holds any other attempt's string once the attempt's
 * own strings are blanked out of it (so that another id inside this
 * attempt's own, "A1" in "A12", is not a hit), else 0.
 */
static int
scan_hits(const struct bundle_scan *sc, const char *s, size_t len)
{
	char		*copy;
	const char	*p;
	size_t		 i, ol, at;
	int		 hit = 0;

	if (s == NULL || sc->n == 0)
		return 0;
	copy = xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	for (i = 0; i < 3; i++) {
		if (sc->own[i] == NULL || (ol = strlen(sc->own[i])) == 0)
			continue;
		for (at = 0; at + ol <= len &&
		    (p = memmem(copy + at, len - at, sc->own[i], ol)) != NULL;
		    at = (size_t)(p - copy) + ol)
			memset((char *)p, '\1', ol);
	}
	for (i = 0; i < sc->n && !hit; i++)
		hit = memmem(copy, len, sc->other[i], strlen(sc->other[i])) !=
		    NULL;
	free(copy);
	return hit;
}

/* ---- reading */

struct bundle_read {
	sqlite3			*db;
	struct store_reader	*reader;
	char			*err;
	size_t			 errlen;
};

/* A statement, or NULL with the reader's sentence about what. */
static sqlite3_stmt *
read_prepare(struct bundle_read *r, const char *sql, const char *what)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(r->reader, what, r->err, r->errlen);
		return NULL;
	}
	return st;
}

/* Finish a statement's loop: 0 when it ended with SQLITE_DONE. */
static int
read_done(struct bundle_read *r, sqlite3_stmt *st, int rc, const char *what)
{
	if (rc != SQLITE_DONE) {
		store_reader_error(r->reader, what, r->err, r->errlen);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Column i as text (NULL for NULL), valid until the next step. */
static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Column i as a JSON value: NULL, integer, real or (UTF-8) string. */
static json_t *
col_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_stringn(col_text(st, i) ? col_text(st, i) : "",
		    (size_t)sqlite3_column_bytes(st, i));
	}
}

/* Set key of obj to value, which may be NULL (not UTF-8): JSON null. */
static void
set(json_t *obj, const char *key, json_t *value)
{
	json_object_set_new(obj, key, value != NULL ? value : json_null());
}

/* Columns from..to (inclusive) of st's row, each under its name in obj. */
static void
set_columns(json_t *obj, sqlite3_stmt *st, int from, int to)
{
	for (; from <= to; from++)
		set(obj, sqlite3_column_name(st, from), col_json(st, from));
}

/* ---- gathering */

struct bundle_gather {
	struct bundle_read	 r;
	const struct bundle_options *o;
	char			 feed[256], attempt[256];
	char			*candidate, *name, *exam, *form;
	struct bundle_scan	 scan;
	struct bundle_lines	 lines;		/* after the first */
	struct bundle_summary	*sum;
	int64_t			*seqs;		/* the attempt's message seqs */
	size_t			 nseqs, seqcap;
	char			*keys[BUNDLE_MAX_KEYS];	/* key lines written */
	size_t			 nkeys;
};

/* sql prepared with ?1 the feed and ?2 the attempt bound, or NULL. */
static sqlite3_stmt *
gather_prepare(struct bundle_gather *g, const char *sql, const char *what)
{
	sqlite3_stmt	*st;

	if ((st = read_prepare(&g->r, sql, what)) != NULL) {
		sqlite3_bind_text(st, 1, g->feed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, g->attempt, -1, SQLITE_STATIC);
	}
	return st;
}

/* Add obj as a line; on failure st is finalised (-1 with the sentence). */
static int
gather_add(struct bundle_gather *g, sqlite3_stmt *st, json_t *obj)
{
	if (lines_add(&g->lines, obj, g->r.err, g->r.errlen) == 0)
		return 0;
	sqlite3_finalize(st);
	return -1;
}

/*
 * Put hash h (hex) under key in obj in place of a body, and why: a body
 * withheld because it names another attempt, or cannot be written.
 */
static void
gather_withhold(struct bundle_gather *g, json_t *obj, const char *key,
    const uint8_t h[SIGN_HASH_LEN], const char *why)
{
	char	hex[2 * SIGN_HASH_LEN + 1];

	sign_hex(h, hex);
	json_object_set_new(obj, key, json_string(hex));
	json_object_set_new(obj, "withheld", json_string(why));
	g->sum->withheld++;
}

/*
 * The attempt's feed when none was given: its one feed among attempts.
 * 0, or -1 with a sentence (none, or more than one).
 */
static int
gather_feed(struct bundle_gather *g)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	if (g->o->feed != NULL) {
		snprintf(g->feed, sizeof g->feed, "%s", g->o->feed);
		return 0;
	}
	if ((st = read_prepare(&g->r, "SELECT DISTINCT feed FROM attempts "
	    "WHERE attempt = ?1 ORDER BY feed LIMIT 2", "the attempts")) ==
	    NULL)
		return -1;
	sqlite3_bind_text(st, 1, g->o->attempt, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (n++ == 0)
			snprintf(g->feed, sizeof g->feed, "%s",
			    col_text(st, 0) ? col_text(st, 0) : "");
	if (read_done(&g->r, st, rc, "the attempts") != 0)
		return -1;
	if (n == 1)
		return 0;
	snprintf(g->r.err, g->r.errlen, n == 0 ? "the database has no "
	    "attempt %s; list the attempts with invigil review attempts" :
	    "attempt %s is on more than one feed; say which with --feed",
	    g->o->attempt);
	return -1;
}

/* The attempt's facts line, and its own strings for the scan. */
static int
gather_attempt(struct bundle_gather *g)
{
	sqlite3_stmt	*st;
	json_t		*obj;
	int		 rc, found = 0;

	if ((st = gather_prepare(g, "SELECT candidate, name, exam, form, "
	    "center, modality, state, ip, device, first_seq FROM attempts "
	    "WHERE feed = ?1 AND attempt = ?2", "the attempt")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !found) {
		found = 1;
		obj = json_pack("{s:s, s:s, s:s}", "type", "attempt", "feed",
		    g->feed, "attempt", g->attempt);
		if (obj == NULL) {
			sqlite3_finalize(st);
			snprintf(g->r.err, g->r.errlen, "attempt %s or its feed "
			    "is not UTF-8; it cannot be bundled", g->attempt);
			return -1;
		}
		set_columns(obj, st, 0, 9);
		if (col_text(st, 0) != NULL)
			g->candidate = xstrdup(col_text(st, 0));
		if (col_text(st, 1) != NULL)
			g->name = xstrdup(col_text(st, 1));
		if (col_text(st, 2) != NULL)
			g->exam = xstrdup(col_text(st, 2));
		if (col_text(st, 3) != NULL)
			g->form = xstrdup(col_text(st, 3));
		if (gather_add(g, st, obj) != 0)
			return -1;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	if (read_done(&g->r, st, rc, "the attempt") != 0)
		return -1;
	if (!found) {
		snprintf(g->r.err, g->r.errlen, "the database has no attempt %s "
		    "on feed %s; list the attempts with invigil review attempts",
		    g->attempt, g->feed);
		return -1;
	}
	g->scan.own[0] = g->attempt;
	g->scan.own[1] = g->candidate;
	g->scan.own[2] = g->name;
	return 0;
}

/* Every other attempt's id, candidate id and name, wherever one shows. */
static int
gather_others(struct bundle_gather *g)
{
	static const char *const sql[] = {
		"SELECT attempt, candidate, name FROM attempts WHERE NOT "
		"(feed = ?1 AND attempt = ?2)",
		"SELECT DISTINCT attempt, NULL, NULL FROM messages WHERE "
		"attempt IS NOT NULL AND NOT (feed = ?1 AND attempt = ?2)",
		"SELECT DISTINCT attempt, NULL, NULL FROM flags WHERE "
		"attempt IS NOT NULL AND NOT (feed IS ?1 AND attempt = ?2)",
		"SELECT DISTINCT attempt, NULL, NULL FROM journal WHERE "
		"attempt IS NOT NULL AND NOT (feed IS ?1 AND attempt = ?2)",
		"SELECT DISTINCT attempt, NULL, NULL FROM imported_journal "
		"WHERE attempt IS NOT NULL AND NOT (feed IS ?1 AND attempt = "
		"?2)",
	};
	sqlite3_stmt	*st;
	size_t		 q;
	int		 rc, i;

	for (q = 0; q < sizeof sql / sizeof sql[0]; q++) {
		if ((st = gather_prepare(g, sql[q], "the other attempts")) ==
		    NULL)
			return -1;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			for (i = 0; i < 3; i++)
				if (scan_add(&g->scan, col_text(st, i), g->r.err,
				    g->r.errlen) != 0) {
					sqlite3_finalize(st);
					return -1;
				}
		if (read_done(&g->r, st, rc, "the other attempts") != 0)
			return -1;
	}
	scan_finish(&g->scan);
	return 0;
}

/* What a withheld body says instead of itself. */
#define BUNDLE_WITHHELD	"it names another attempt"

/* The attempt's messages, in (epoch, seq) order. */
static int
gather_messages(struct bundle_gather *g)
{
	sqlite3_stmt	*st;
	json_t		*obj, *body;
	uint8_t		 h[SIGN_HASH_LEN];
	const char	*text;
	size_t		 len;
	int		 rc, hit;

	if ((st = gather_prepare(g, "SELECT epoch, seq, type AS message_type, "
	    "body FROM messages WHERE feed = ?1 AND attempt = ?2 ORDER BY "
	    "epoch, seq", "the messages")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text = col_text(st, 3) ? col_text(st, 3) : "";
		len = (size_t)sqlite3_column_bytes(st, 3);
		obj = json_pack("{s:s, s:s, s:s}", "type", "message", "feed",
		    g->feed, "attempt", g->attempt);
		set_columns(obj, st, 0, 2);
		hit = scan_hits(&g->scan, text, len);
		body = hit ? NULL : json_stringn(text, len);
		if (body != NULL)
			json_object_set_new(obj, "body", body);
		else {
			/* Withheld, or not UTF-8 (the store keeps bytes). */
			sign_sha256(text, len, h);
			gather_withhold(g, obj, "body_sha256", h, hit ?
			    BUNDLE_WITHHELD : "it is not UTF-8");
		}
		if (g->nseqs == g->seqcap) {
			g->seqcap = g->seqcap ? g->seqcap * 2 : 256;
			g->seqs = xreallocarray(g->seqs, g->seqcap,
			    sizeof *g->seqs);
		}
		g->seqs[g->nseqs++] = sqlite3_column_int64(st, 1);
		g->sum->messages++;
		if (gather_add(g, st, obj) != 0)
			return -1;
	}
	return read_done(&g->r, st, rc, "the messages");
}

/* qsort(3) and bsearch(3) order of seqs. */
static int
seq_compare(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * A flag's evidence ("12,15": seqs of the messages that caused it) with
 * only the seqs of this attempt's messages; *cut is set when one was left
 * out (or the text is not a list of seqs).  Returns a JSON string or null.
 */
static json_t *
flag_evidence(struct bundle_gather *g, const char *ev, int *cut)
{
	json_t		*j;
	char		*out, *end;
	const char	*p = ev;
	size_t		 o = 0, len;
	long long	 v;
	int64_t		 seq;

	if (ev == NULL)
		return json_null();
	len = strlen(ev);
	out = xmalloc(len + 1);
	while (*p != '\0') {
		v = strtoll(p, &end, 10);
		seq = v;
		if (end == p || (*end != ',' && *end != '\0')) {
			*cut = 1;	/* not seqs: nothing of it is kept */
			o = 0;
			break;
		}
		if (g->nseqs > 0 && bsearch(&seq, g->seqs, g->nseqs,
		    sizeof *g->seqs, seq_compare) != NULL)
			o += (size_t)snprintf(out + o, len + 1 - o, "%s%lld",
			    o > 0 ? "," : "", v);
		else
			*cut = 1;
		p = *end == ',' ? end + 1 : end;
	}
	out[o] = '\0';
	j = json_string(out);
	free(out);
	return j != NULL ? j : json_null();
}

/* The attempt's flags, oldest first. */
static int
gather_flags(struct bundle_gather *g)
{
	sqlite3_stmt	*st;
	json_t		*obj, *red;
	const char	*msg;
	int		 rc, cut;

	if (g->nseqs > 0)
		qsort(g->seqs, g->nseqs, sizeof *g->seqs, seq_compare);
	if ((st = gather_prepare(g, "SELECT id, rule, severity, state, "
	    "message, first_ms, last_ms, count, first_seq, last_seq, weight, "
	    "evidence, closed_ms FROM flags WHERE feed = ?1 AND attempt = ?2 "
	    "ORDER BY id", "the flags")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		obj = json_pack("{s:s, s:s, s:s}", "type", "flag", "feed",
		    g->feed, "attempt", g->attempt);
		red = json_array();
		set_columns(obj, st, 0, 3);
		msg = col_text(st, 4);
		if (msg != NULL && scan_hits(&g->scan, msg, strlen(msg))) {
			json_object_set_new(obj, "message", json_null());
			json_array_append_new(red, json_string("message"));
		} else
			set(obj, "message", col_json(st, 4));
		set_columns(obj, st, 5, 10);
		cut = 0;
		json_object_set_new(obj, "evidence", flag_evidence(g,
		    col_text(st, 11), &cut));
		if (cut)
			json_array_append_new(red, json_string("evidence"));
		set_columns(obj, st, 12, 12);
		if (json_array_size(red) > 0) {
			json_object_set_new(obj, "redacted", red);
			g->sum->redacted++;
		} else
			json_decref(red);
		g->sum->flags++;
		if (gather_add(g, st, obj) != 0)
			return -1;
	}
	return read_done(&g->r, st, rc, "the flags");
}

/* ---- the journal's RFC 6962 tree (store/merkle.h) */

/* The leaf hashes of the journal's first n entries. */
struct bundle_tree {
	uint8_t		(*leaves)[MERKLE_HASH_LEN];
	size_t		  n;
};

/* The audit path of leaf m as an array of hex strings, or NULL. */
static json_t *
tree_path(const struct bundle_tree *t, size_t m, char *err, size_t errlen)
{
	uint8_t	 proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	size_t	 len, i;
	json_t	*a;
	char	 hex[2 * SIGN_HASH_LEN + 1];

	if (merkle_inclusion_proof(m, t->n, merkle_array_range, t->leaves,
	    proof, &len, err, errlen) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < len; i++) {
		sign_hex(proof[i], hex);
		json_array_append_new(a, json_string(hex));
	}
	return a;
}

/* ---- the checkpoint, its keys, the entries */

/*
 * Where a journal lives: the database's own (journal, checkpoints), or one
 * imported from another console's database by `review import`
 * (imported_journal, imported_checkpoints, by origin).  Each statement is
 * [own, imported]; ?1 feed, ?2 attempt, ?3 origin, ?4 a size.
 */
struct bundle_log {
	const char	*origin;
	int		 imported;
	struct sign_note note;
	char		*text;		/* the latest 'rfc6962' note, or NULL */
	struct bundle_tree tree;	/* its leaves */
};

static const char *const log_sql_count[2] = {
	"SELECT count(*) FROM journal WHERE attempt = ?2 AND (feed = ?1 OR "
	"feed IS NULL) AND ?3 IS NOT NULL",
	"SELECT count(*) FROM imported_journal WHERE origin = ?3 AND attempt "
	"= ?2 AND (feed = ?1 OR feed IS NULL)",
};
static const char *const log_sql_checkpoint[2] = {
	"SELECT size, note FROM checkpoints WHERE tree = 'rfc6962' AND ?3 IS "
	"NOT NULL ORDER BY size DESC, id DESC LIMIT 1",
	"SELECT size, note FROM imported_checkpoints WHERE origin = ?3 AND "
	"tree = 'rfc6962' ORDER BY size DESC, rowid DESC LIMIT 1",
};
static const char *const log_sql_leaves[2] = {
	"SELECT seq, body FROM journal WHERE seq <= ?4 AND ?3 IS NOT NULL "
	"ORDER BY seq",
	"SELECT seq, body FROM imported_journal WHERE origin = ?3 AND seq <= "
	"?4 ORDER BY seq",
};
static const char *const log_sql_entries[2] = {
	"SELECT seq, body FROM journal WHERE attempt = ?2 AND (feed = ?1 OR "
	"feed IS NULL) AND ?3 IS NOT NULL ORDER BY seq",
	"SELECT seq, body FROM imported_journal WHERE origin = ?3 AND attempt "
	"= ?2 AND (feed = ?1 OR feed IS NULL) ORDER BY seq",
};

/* One of the log_sql statements with ?1..?3 bound, or NULL. */
static sqlite3_stmt *
log_prepare(struct bundle_gather *g, const struct bundle_log *l,
    const char *const sql[2], const char *what)
{
	sqlite3_stmt	*st;

	if ((st = gather_prepare(g, sql[l->imported], what)) != NULL)
		sqlite3_bind_text(st, 3, l->origin, -1, SQLITE_STATIC);
	return st;
}

/* How many entries of the attempt the log holds; -1 on error. */
static int64_t
log_count(struct bundle_gather *g, struct bundle_log *l)
{
	sqlite3_stmt	*st;
	int64_t		 n = 0;
	int		 rc;

	if ((st = log_prepare(g, l, log_sql_count, "the journal")) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	return read_done(&g->r, st, rc, "the journal") == 0 ? n : -1;
}

/*
 * The log's latest 'rfc6962' checkpoint: its note parsed into l->note
 * (checked to be one of l->origin), and the leaves of the first size
 * bodies, whose tree hash must be the note's root.  No checkpoint: 0 with
 * l->text NULL.
 */
static int
log_checkpoint(struct bundle_gather *g, struct bundle_log *l)
{
	struct merkle_stream	 ms;
	struct bundle_tree	*t = &l->tree;
	sqlite3_stmt		*st;
	const char		*s;
	uint8_t			 root[MERKLE_HASH_LEN];
	char			 perr[512];
	int64_t			 size = 0, i = 0;
	int			 rc;

	merkle_stream_init(&ms);
	if ((st = log_prepare(g, l, log_sql_checkpoint, "the checkpoints")) ==
	    NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size = sqlite3_column_int64(st, 0);
		s = col_text(st, 1) ? col_text(st, 1) : "";
		l->text = xstrdup(s);
		rc = SQLITE_DONE;
	}
	if (read_done(&g->r, st, rc, "the checkpoints") != 0)
		return -1;
	if (l->text == NULL)
		return 0;
	if (sign_note_parse(l->text, strlen(l->text), &l->note, perr,
	    sizeof perr) != 0 || !l->note.is_checkpoint || size < 1 ||
	    (uint64_t)size != l->note.size ||
	    strcmp(l->note.origin, l->origin) != 0) {
		snprintf(g->r.err, g->r.errlen, "the latest checkpoint (size %"
		    PRId64 ") of journal %s is not one of it; run invigil "
		    "review verify", size, l->origin);
		return -1;
	}
	if ((size_t)size > SIZE_MAX / SIGN_HASH_LEN / 4) {
		snprintf(g->r.err, g->r.errlen, "the checkpoint's size %" PRId64
		    " is too large", size);
		return -1;
	}
	t->leaves = xreallocarray(NULL, (size_t)size, MERKLE_HASH_LEN);
	if ((st = log_prepare(g, l, log_sql_leaves, "the journal")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 4, size);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) != i + 1)
			break;
		s = col_text(st, 1) ? col_text(st, 1) : "";
		merkle_leaf_hash(s, (size_t)sqlite3_column_bytes(st, 1),
		    t->leaves[i]);
		if (merkle_stream_add(&ms, t->leaves[i++], g->r.err,
		    g->r.errlen) != 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	t->n = (size_t)i;
	if (read_done(&g->r, st, rc, "the journal") != 0)
		return -1;
	merkle_stream_root(&ms, root);
	if (i != size || memcmp(root, l->note.root, SIGN_HASH_LEN) != 0) {
		snprintf(g->r.err, g->r.errlen, "the first %" PRId64 " entries "
		    "of journal %s are not what its checkpoint of that size "
		    "signed; run invigil review verify", size, l->origin);
		return -1;
	}
	return 0;
}

/* Append name to the summary's signers unless it is there. */
static void
gather_signer(struct bundle_gather *g, const char *vkey)
{
	char	*s = g->sum->checkpoint_signers, name[SIGN_NAME_MAX + 1];
	size_t	 o = strlen(s);

	snprintf(name, sizeof name, "%.*s", (int)strcspn(vkey, "+"), vkey);
	if (strstr(s, name) == NULL)
		snprintf(s + o, sizeof g->sum->checkpoint_signers - o, "%s%s",
		    o > 0 ? ", " : "", name);
}

/*
 * The checkpoint's line, and a line for each stored key whose signature
 * on it holds (once per bundle: keys[] are those already written).
 */
static int
log_keys(struct bundle_gather *g, struct bundle_log *l)
{
	sqlite3_stmt	*st;
	json_t		*obj;
	const char	*vkey;
	char		 verr[256];
	size_t		 i;
	int		 rc, n = 0;

	if (lines_add(&g->lines, json_pack("{s:s, s:s}", "type", "checkpoint",
	    "note", l->text), g->r.err, g->r.errlen) != 0)
		return -1;
	g->sum->checkpoints++;
	if (g->sum->checkpoint_size < (int64_t)l->note.size) {
		g->sum->checkpoint_size = (int64_t)l->note.size;
		snprintf(g->sum->checkpoint_origin,
		    sizeof g->sum->checkpoint_origin, "%s", l->origin);
	}
	if ((st = read_prepare(&g->r, "SELECT vkey, actor, role FROM keys "
	    "ORDER BY vkey", "the keys")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((vkey = col_text(st, 0)) == NULL || sign_note_verify(&l->note,
		    vkey, verr, sizeof verr) != 1)
			continue;
		n++;
		gather_signer(g, vkey);
		for (i = 0; i < g->nkeys && strcmp(g->keys[i], vkey) != 0; i++)
			;
		if (i < g->nkeys)
			continue;	/* written for another journal */
		if (g->nkeys == BUNDLE_MAX_KEYS) {
			sqlite3_finalize(st);
			snprintf(g->r.err, g->r.errlen, "more than %d keys sign "
			    "the journals of attempt %s", BUNDLE_MAX_KEYS,
			    g->attempt);
			return -1;
		}
		g->keys[g->nkeys++] = xstrdup(vkey);
		obj = json_pack("{s:s, s:s}", "type", "key", "vkey", vkey);
		set(obj, "actor", col_json(st, 1));
		set(obj, "role", col_json(st, 2));
		if (gather_add(g, st, obj) != 0)
			return -1;
	}
	if (read_done(&g->r, st, rc, "the keys") != 0)
		return -1;
	if (n == 0) {
		snprintf(g->r.err, g->r.errlen, "no key in the database verifies "
		    "the latest checkpoint of journal %s; run invigil review "
		    "verify", l->origin);
		return -1;
	}
	return 0;
}

/* The attempt's entries in the log, each with its proof. */
static int
log_entries(struct bundle_gather *g, const struct bundle_log *l)
{
	const struct bundle_tree *t = &l->tree;
	sqlite3_stmt	*st;
	json_t		*obj, *proof;
	uint8_t		 h[SIGN_HASH_LEN];
	const char	*body;
	size_t		 len;
	int64_t		 seq;
	int		 rc;

	if ((st = log_prepare(g, l, log_sql_entries, "the journal")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq < 1 || (uint64_t)seq > t->n) {
			sqlite3_finalize(st);
			snprintf(g->r.err, g->r.errlen, "journal entry %" PRId64
			    " of attempt %s (journal %s) is covered by no Merkle "
			    "tree ('rfc6962') checkpoint yet (%s %zu); let the "
			    "console sign one (it does every 100 entries, every "
			    "5 minutes and at exit) and bundle again", seq,
			    g->attempt, l->origin, t->n > 0 ? "the latest is of "
			    "size" : "there is none, size", t->n);
			return -1;
		}
		body = col_text(st, 1) ? col_text(st, 1) : "";
		len = (size_t)sqlite3_column_bytes(st, 1);
		if ((proof = tree_path(t, (size_t)(seq - 1), g->r.err,
		    g->r.errlen)) == NULL) {
			sqlite3_finalize(st);
			return -1;
		}
		obj = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "type",
		    "entry", "origin", l->origin, "seq", (json_int_t)seq,
		    "leaf_index", (json_int_t)(seq - 1), "size",
		    (json_int_t)t->n, "proof", proof);
		if (scan_hits(&g->scan, body, len) || json_object_set_new(obj,
		    "body", json_stringn(body, len)) != 0) {
			merkle_leaf_hash(body, len, h);
			gather_withhold(g, obj, "leaf_hash", h, BUNDLE_WITHHELD);
		}
		g->sum->entries++;
		if (gather_add(g, st, obj) != 0)
			return -1;
	}
	return read_done(&g->r, st, rc, "the journal");
}

/*
 * One journal's part of the bundle: nothing when it holds no entry of the
 * attempt, else its checkpoint, the keys that signed it and the entries.
 */
static int
gather_log(struct bundle_gather *g, const char *origin, int imported)
{
	struct bundle_log	l;
	int64_t			n;
	int			rc = -1;

	memset(&l, 0, sizeof l);
	l.origin = origin;
	l.imported = imported;
	if ((n = log_count(g, &l)) <= 0)
		return n == 0 ? 0 : -1;
	if (log_checkpoint(g, &l) == 0 &&
	    (l.text == NULL || log_keys(g, &l) == 0) &&
	    log_entries(g, &l) == 0)
		rc = 0;
	free(l.text);
	sign_note_clear(&l.note);
	free(l.tree.leaves);
	return rc;
}

/* The database's own journal, then each imported one, by origin. */
static int
gather_logs(struct bundle_gather *g, const char *origin)
{
	sqlite3_stmt	*st;
	char		**v = NULL;
	size_t		 i, n = 0;
	int		 rc;

	if (gather_log(g, origin, 0) != 0)
		return -1;
	/* The origins first: a statement per journal runs inside the loop. */
	if ((st = read_prepare(&g->r, "SELECT origin FROM sources WHERE "
	    "origin IS NOT NULL ORDER BY origin", "the sources")) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrdup(col_text(st, 0) ? col_text(st, 0) : "");
	}
	rc = read_done(&g->r, st, rc, "the sources");
	for (i = 0; rc == 0 && i < n; i++)
		rc = gather_log(g, v[i], 1);
	strings_free(v, n);
	return rc;
}

/* RFC 3339 UTC with milliseconds. */
static void
bundle_time(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* The first line, once the rest is known; inserted before them. */
static int
bundle_header(struct bundle_gather *g, const char *origin)
{
	struct bundle_lines	*l = &g->lines;
	struct bundle_summary	*s = g->sum;
	char			 when[80], *first;
	json_t			*obj;
	size_t			 n;

	bundle_time(g->o->now_ms, when, sizeof when);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I}", "type", "bundle", "format",
	    BUNDLE_FORMAT, "feed", g->feed, "attempt", g->attempt, "created",
	    when, "exporter", sign_key_name(g->o->key), "vkey",
	    sign_key_vkey(g->o->key), "origin", origin, "checkpoints",
	    (json_int_t)s->checkpoints, "messages",
	    (json_int_t)s->messages, "flags", (json_int_t)s->flags, "entries",
	    (json_int_t)s->entries, "forensics", (json_int_t)s->forensics,
	    "withheld", (json_int_t)s->withheld, "redacted",
	    (json_int_t)s->redacted);
	n = l->n;
	if (lines_add(l, obj, g->r.err, g->r.errlen) != 0)
		return -1;
	first = l->v[n];
	memmove(l->v + 1, l->v, n * sizeof *l->v);
	l->v[0] = first;
	return 0;
}

char *
bundle_write(struct store_reader *reader, const struct bundle_options *o,
    size_t *len, struct bundle_summary *sum, char *err, size_t errlen)
{
	struct bundle_gather	 g;
	char			 origin[256], *text = NULL, *out = NULL;
	json_t			*fx;

	memset(&g, 0, sizeof g);
	memset(sum, 0, sizeof *sum);
	g.r.db = store_reader_db(reader);
	g.r.reader = reader;
	g.r.err = err;
	g.r.errlen = errlen;
	g.o = o;
	g.sum = sum;
	if (strlen(o->attempt) >= sizeof g.attempt || (o->feed != NULL &&
	    strlen(o->feed) >= sizeof g.feed)) {
		snprintf(err, errlen, "the attempt or feed id is longer than "
		    "%zu bytes", sizeof g.attempt - 1);
		return NULL;
	}
	snprintf(g.attempt, sizeof g.attempt, "%s", o->attempt);
	if (sqlite3_exec(g.r.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_error(reader, "the database", err, errlen);
		return NULL;
	}
	if (gather_feed(&g) != 0 || gather_attempt(&g) != 0 ||
	    gather_others(&g) != 0 ||
	    journal_origin(g.r.db, origin, sizeof origin, err, errlen) != 0 ||
	    gather_messages(&g) != 0 || gather_flags(&g) != 0 ||
	    gather_logs(&g, origin) != 0)
		goto done;
	if (o->forensics != NULL) {
		if ((fx = o->forensics(reader, g.feed, g.attempt, g.exam,
		    g.form, o->forensics_arg, err, errlen)) == NULL)
			goto done;
		if (json_object_set_new(fx, "type",
		    json_string("forensics")) != 0 || json_object_set_new(fx,
		    "attempt", json_string(g.attempt)) != 0) {
			json_decref(fx);
			snprintf(err, errlen, "bundle: the forensic indices "
			    "cannot be written");
			goto done;
		}
		sum->forensics = 1;
		if (lines_add(&g.lines, fx, err, errlen) != 0)
			goto done;
	}
	snprintf(sum->feed, sizeof sum->feed, "%s", g.feed);
	snprintf(sum->attempt, sizeof sum->attempt, "%s", g.attempt);
	snprintf(sum->exporter, sizeof sum->exporter, "%s",
	    sign_key_name(o->key));
	snprintf(sum->origin, sizeof sum->origin, "%s", origin);
	if (bundle_header(&g, origin) != 0)
		goto done;
	text = lines_join(&g.lines);
	if ((out = sign_note(o->key, text, err, errlen)) != NULL)
		*len = strlen(out);
done:
	sqlite3_exec(g.r.db, "COMMIT", NULL, NULL, NULL);
	free(text);
	strings_free(g.lines.v, g.lines.n);
	while (g.nkeys > 0)
		free(g.keys[--g.nkeys]);
	strings_free(g.scan.other, g.scan.n);
	free(g.seqs);
	free(g.candidate);
	free(g.name);
	free(g.exam);
	free(g.form);
	return out;
}

/* ---- the outcome list */

void
outcomes_key_id(const uint8_t key[OUTCOMES_KEY_LEN], char id[17])
{
	static const char	 label[] = "invigil pseudonym key\n";
	uint8_t			 buf[sizeof label - 1 + OUTCOMES_KEY_LEN];
	uint8_t			 h[SIGN_HASH_LEN];
	char			 hex[2 * SIGN_HASH_LEN + 1];

	memcpy(buf, label, sizeof label - 1);
	memcpy(buf + sizeof label - 1, key, OUTCOMES_KEY_LEN);
	sign_sha256(buf, sizeof buf, h);
	sign_hex(h, hex);
	snprintf(id, 17, "%.16s", hex);
}

/* What outcomes_write carries through store_outcome_cases. */
struct outcomes_gather {
	struct bundle_gather		*g;
	const struct outcomes_options	*o;
	const struct bundle_log		*l;
	sqlite3_stmt			*body;	/* ?1 seq */
	sqlite3_stmt			*who;	/* ?1 feed, ?2 attempt */
	int				 failed;
};

/*
 * One journal entry's fields on obj: origin, seq, leaf_index, size, the
 * proof, and the body, or (withhold) its leaf hash.  0 or -1.
 */
static int
outcomes_entry(struct outcomes_gather *x, json_t *obj, int64_t seq,
    int withhold)
{
	struct bundle_gather	*g = x->g;
	const char		*body;
	uint8_t			 h[SIGN_HASH_LEN];
	json_t			*proof;
	size_t			 len;
	int			 rc;

	if (seq < 1 || (uint64_t)seq > x->l->tree.n) {
		snprintf(g->r.err, g->r.errlen, "journal entry %" PRId64 " is "
		    "covered by no Merkle tree ('rfc6962') checkpoint (the "
		    "latest is of size %zu); export again", seq,
		    x->l->tree.n);
		return -1;
	}
	if ((proof = tree_path(&x->l->tree, (size_t)(seq - 1), g->r.err,
	    g->r.errlen)) == NULL)
		return -1;
	json_object_set_new(obj, "origin", json_string(x->l->origin));
	json_object_set_new(obj, "seq", json_integer(seq));
	json_object_set_new(obj, "leaf_index", json_integer(seq - 1));
	json_object_set_new(obj, "size", json_integer((json_int_t)
	    x->l->tree.n));
	json_object_set_new(obj, "proof", proof);
	sqlite3_reset(x->body);
	sqlite3_bind_int64(x->body, 1, seq);
	if ((rc = sqlite3_step(x->body)) != SQLITE_ROW) {
		store_reader_error(g->r.reader, "the journal", g->r.err,
		    g->r.errlen);
		return -1;
	}
	body = col_text(x->body, 0) ? col_text(x->body, 0) : "";
	len = (size_t)sqlite3_column_bytes(x->body, 0);
	if (withhold || json_object_set_new(obj, "body", json_stringn(body,
	    len)) != 0) {
		merkle_leaf_hash(body, len, h);
		gather_withhold(g, obj, "leaf_hash", h, withhold ?
		    "pseudonymous" : BUNDLE_WITHHELD);
	}
	return 0;
}

/* The candidate's pseudonym: hex HMAC-SHA-256 under the key. */
static void
outcomes_pseudonym(const uint8_t *key, const char *candidate, size_t len,
    char hex[2 * SIGN_HASH_LEN + 1])
{
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned	maclen = 0;

	HMAC(EVP_sha256(), key, OUTCOMES_KEY_LEN, (const uint8_t *)candidate,
	    len, mac, &maclen);
	sign_hex(mac, hex);
}

/* An attempt's outcome line (outcome_case_fn); stops on an error. */
static int
outcomes_case(const char *feed, const char *attempt,
    const struct outcome *oc, void *arg)
{
	struct outcomes_gather	*x = arg;
	struct bundle_gather	*g = x->g;
	char			 when[80], hex[2 * SIGN_HASH_LEN + 1];
	const char		*cand;
	json_t			*obj;
	int			 invalid, rc;

	invalid = oc->state == OUTCOME_INVALIDATED ||
	    oc->state == OUTCOME_UPHELD;
	bundle_time(oc->since_ms, when, sizeof when);
	obj = json_pack("{s:s, s:s, s:s, s:b, s:s}", "type", "outcome",
	    "attempt", attempt, "state", outcome_state_name(oc->state),
	    "invalid", invalid, "time", when);
	set(obj, "feed", feed != NULL && *feed != '\0' ? json_string(feed) :
	    NULL);
	set(obj, "code", oc->code[0] != '\0' && (invalid || oc->state ==
	    OUTCOME_PROPOSED || oc->state == OUTCOME_APPEAL_OPEN) ?
	    json_string(oc->code) : NULL);
	if (oc->expired)
		json_object_set_new(obj, "expired", json_true());
	sqlite3_reset(x->who);
	sqlite3_bind_text(x->who, 1, feed, -1, SQLITE_STATIC);
	sqlite3_bind_text(x->who, 2, attempt, -1, SQLITE_STATIC);
	set(obj, "exam", NULL);
	set(obj, "form", NULL);
	set(obj, x->o->pseudonym_key != NULL ? "pseudonym" : "candidate",
	    NULL);
	if ((rc = sqlite3_step(x->who)) == SQLITE_ROW) {
		set(obj, "exam", col_json(x->who, 1));
		set(obj, "form", col_json(x->who, 2));
		if ((cand = col_text(x->who, 0)) == NULL)
			;
		else if (x->o->pseudonym_key != NULL) {
			outcomes_pseudonym(x->o->pseudonym_key, cand,
			    (size_t)sqlite3_column_bytes(x->who, 0), hex);
			set(obj, "pseudonym", json_string(hex));
		} else
			set(obj, "candidate", col_json(x->who, 0));
	} else if (rc != SQLITE_DONE) {
		json_decref(obj);
		store_reader_error(g->r.reader, "the attempts", g->r.err,
		    g->r.errlen);
		return x->failed = 1;
	}
	if (outcomes_entry(x, obj, oc->seq, x->o->pseudonym_key != NULL) !=
	    0) {
		json_decref(obj);
		return x->failed = 1;
	}
	g->sum->outcomes++;
	g->sum->invalid += invalid;
	if (lines_add(&g->lines, obj, g->r.err, g->r.errlen) != 0)
		return x->failed = 1;
	return 0;
}

/* The header line, first, once the rest is known. */
static int
outcomes_header(struct bundle_gather *g, const struct outcomes_options *o,
    const char *origin)
{
	struct bundle_lines	*l = &g->lines;
	struct bundle_summary	*s = g->sum;
	char			 when[80], *first;
	json_t			*obj;
	size_t			 n;

	bundle_time(o->now_ms, when, sizeof when);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:I}", "type", "outcomes", "format", OUTCOMES_FORMAT, "created",
	    when, "exporter", sign_key_name(o->key), "vkey",
	    sign_key_vkey(o->key), "origin", origin, "seq",
	    (json_int_t)o->export_seq, "checkpoints",
	    (json_int_t)s->checkpoints, "outcomes", (json_int_t)s->outcomes,
	    "invalid", (json_int_t)s->invalid, "withheld",
	    (json_int_t)s->withheld);
	set(obj, "pseudonyms", s->pseudonyms[0] != '\0' ?
	    json_string(s->pseudonyms) : NULL);
	n = l->n;
	if (lines_add(l, obj, g->r.err, g->r.errlen) != 0)
		return -1;
	first = l->v[n];
	memmove(l->v + 1, l->v, n * sizeof *l->v);
	l->v[0] = first;
	return 0;
}

/* Everything but the header, inside the read transaction. */
static int
outcomes_gather(struct bundle_gather *g, const struct outcomes_options *o,
    struct bundle_log *l)
{
	struct outcomes_gather	 x;
	json_t			*entry;
	int			 rc = -1;

	memset(&x, 0, sizeof x);
	x.g = g;
	x.o = o;
	x.l = l;
	if (log_checkpoint(g, l) != 0)
		return -1;
	if (l->text == NULL || (uint64_t)o->export_seq > l->tree.n) {
		snprintf(g->r.err, g->r.errlen, "no Merkle tree ('rfc6962') "
		    "checkpoint of journal %s covers the export act (seq %"
		    PRId64 "); export again", l->origin, o->export_seq);
		return -1;
	}
	if (log_keys(g, l) != 0)
		return -1;
	if ((x.body = read_prepare(&g->r, "SELECT body FROM journal WHERE "
	    "seq = ?1", "the journal")) == NULL)
		return -1;
	if ((x.who = read_prepare(&g->r, "SELECT candidate, exam, form FROM "
	    "attempts WHERE feed = ?1 AND attempt = ?2", "the attempts")) ==
	    NULL)
		goto done;
	entry = json_pack("{s:s}", "type", "entry");
	if (outcomes_entry(&x, entry, o->export_seq, 0) != 0) {
		json_decref(entry);
		goto done;
	}
	if (lines_add(&g->lines, entry, g->r.err, g->r.errlen) != 0)
		goto done;
	g->sum->entries++;
	if (store_outcome_cases(g->r.reader, o->now_ms, outcomes_case, &x,
	    g->r.err, g->r.errlen) >= 0 && !x.failed)
		rc = 0;
done:
	sqlite3_finalize(x.body);
	sqlite3_finalize(x.who);
	return rc;
}

char *
outcomes_write(struct store_reader *reader, const struct outcomes_options *o,
    size_t *len, struct bundle_summary *sum, char *err, size_t errlen)
{
	struct bundle_gather	 g;
	struct bundle_log	 l;
	char			 origin[256], id[17], *text = NULL;
	char			*out = NULL;

	memset(&g, 0, sizeof g);
	memset(&l, 0, sizeof l);
	memset(sum, 0, sizeof *sum);
	g.r.db = store_reader_db(reader);
	g.r.reader = reader;
	g.r.err = err;
	g.r.errlen = errlen;
	g.sum = sum;
	if (o->pseudonym_key != NULL) {
		outcomes_key_id(o->pseudonym_key, id);
		snprintf(sum->pseudonyms, sizeof sum->pseudonyms,
		    "hmac-sha256:%s", id);
	}
	if (sqlite3_exec(g.r.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		store_reader_error(reader, "the database", err, errlen);
		return NULL;
	}
	if (journal_origin(g.r.db, origin, sizeof origin, err, errlen) != 0)
		goto done;
	l.origin = origin;
	if (outcomes_gather(&g, o, &l) != 0)
		goto done;
	sum->export_seq = o->export_seq;
	snprintf(sum->exporter, sizeof sum->exporter, "%s",
	    sign_key_name(o->key));
	snprintf(sum->origin, sizeof sum->origin, "%s", origin);
	if (outcomes_header(&g, o, origin) != 0)
		goto done;
	text = lines_join(&g.lines);
	if ((out = sign_note(o->key, text, err, errlen)) != NULL)
		*len = strlen(out);
done:
	sqlite3_exec(g.r.db, "COMMIT", NULL, NULL, NULL);
	free(text);
	free(l.text);
	sign_note_clear(&l.note);
	free(l.tree.leaves);
	strings_free(g.lines.v, g.lines.n);
	while (g.nkeys > 0)
		free(g.keys[--g.nkeys]);
	return out;
}

/* ---- verifying */


struct bundle_check {
	struct bundle_summary	*sum;
	char			*err;
	size_t			 errlen;
	const char		*doc;		/* "bundle", "outcome list" */
	int			 line;		/* 1-based, of the text */
	int			 pseudonymous;	/* an outcome list's */
	const char		*feed, *attempt;
	struct sign_note	 ckpt[BUNDLE_MAX_CHECKPOINTS];
	size_t			 nckpt;
	const char		*keys[BUNDLE_MAX_KEYS];	/* the bundle's */
	size_t			 nkeys;
};

/* A problem on the current line: -1 with "line N: ..." in err. */
static int
check_fail(struct bundle_check *c, const char *fmt, const char *arg)
{
	char	what[1024];

	snprintf(what, sizeof what, fmt, arg != NULL ? arg : "");
	snprintf(c->err, c->errlen, "line %d of the %s: %s", c->line,
	    c->doc, what);
	return -1;
}

/* The string field key of obj, or NULL. */
static const char *
field_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Field key of obj is an integer: 1 with *v, else 0. */
static int
field_int(json_t *obj, const char *key, int64_t *v)
{
	json_t	*j = json_object_get(obj, key);

	if (!json_is_integer(j))
		return 0;
	*v = json_integer_value(j);
	return 1;
}

/* The line names the bundle's feed and attempt (and is about nothing
 * else): 0, or -1 naming the type of line. */
static int
check_names(struct bundle_check *c, json_t *obj, const char *type)
{
	const char	*f = field_str(obj, "feed"), *a = field_str(obj,
			    "attempt");

	if (a == NULL || strcmp(a, c->attempt) != 0 || (f != NULL &&
	    strcmp(f, c->feed) != 0) || (f == NULL && json_object_get(obj,
	    "feed") != NULL && !json_is_null(json_object_get(obj, "feed"))))
		return check_fail(c, "this %s is not about the bundle's attempt "
		    "on its feed", type);
	return 0;
}

/* A body (message or journal entry) as JSON naming the attempt. */
static int
check_body(struct bundle_check *c, const char *body, const char *type,
    int64_t seq)
{
	json_t		*b;
	json_error_t	 je;
	int64_t		 s;
	int		 rc;

	if ((b = json_loads(body, JSON_REJECT_DUPLICATES, &je)) == NULL ||
	    !json_is_object(b)) {
		json_decref(b);
		return check_fail(c, "the %s's body is not a JSON object", type);
	}
	rc = check_names(c, b, type);
	if (rc == 0 && (!field_int(b, "seq", &s) || s != seq))
		rc = check_fail(c, "the %s's body has another seq than the line",
		    type);
	json_decref(b);
	return rc;
}

/* A hex hash field: 0 with h, or -1. */
static int
check_hash(struct bundle_check *c, json_t *obj, const char *key,
    uint8_t h[SIGN_HASH_LEN])
{
	const char	*s = field_str(obj, key);

	if (s == NULL || sign_unhex(s, h) != 0)
		return check_fail(c, "%s is not 64 hex digits", key);
	return 0;
}

/* A message line: about the attempt, with its body or a withheld one's
 * hash. */
static int
check_message(struct bundle_check *c, json_t *obj)
{
	const char	*body = field_str(obj, "body");
	uint8_t		 h[SIGN_HASH_LEN];
	int64_t		 seq, epoch;

	if (check_names(c, obj, "message") != 0)
		return -1;
	if (!field_int(obj, "seq", &seq) || !field_int(obj, "epoch", &epoch))
		return check_fail(c, "a message without its epoch and seq%s",
		    NULL);
	if (body == NULL) {
		if (field_str(obj, "withheld") == NULL ||
		    check_hash(c, obj, "body_sha256", h) != 0)
			return check_fail(c, "a message with neither its body "
			    "nor the hash of a withheld one%s", NULL);
		c->sum->withheld++;
	} else if (check_body(c, body, "message", seq) != 0)
		return -1;
	c->sum->messages++;
	return 0;
}

/* A flag line: about the attempt, with its id and rule. */
static int
check_flag(struct bundle_check *c, json_t *obj)
{
	int64_t	id;

	if (check_names(c, obj, "flag") != 0)
		return -1;
	if (!field_int(obj, "id", &id) || field_str(obj, "rule") == NULL)
		return check_fail(c, "a flag without its id and rule%s", NULL);
	if (json_object_get(obj, "redacted") != NULL)
		c->sum->redacted++;
	c->sum->flags++;
	return 0;
}

/* What a proven line's body must be (check_proven): 0 or -1. */
typedef int	(*check_body_fn)(struct bundle_check *, json_t *line,
		    const char *body, int64_t seq);

/*
 * A line with a journal entry's fields (origin, seq, leaf_index = seq -
 * 1, size, proof) and its body (checked by fn) or a withheld one's leaf
 * hash: the proof from that leaf leads to the root of the list's
 * checkpoint of that journal and size.
 */
static int
check_proven(struct bundle_check *c, json_t *obj, const char *what,
    check_body_fn fn)
{
	json_t		*proof = json_object_get(obj, "proof"), *p;
	const char	*body = field_str(obj, "body");
	const char	*origin = field_str(obj, "origin");
	uint8_t		 leaf[SIGN_HASH_LEN], (*path)[SIGN_HASH_LEN];
	char		 why[256];
	int64_t		 seq, index, size;
	size_t		 i, k, n;
	int		 ok;

	if (!field_int(obj, "seq", &seq) || !field_int(obj, "leaf_index",
	    &index) || !field_int(obj, "size", &size) || seq < 1 ||
	    index != seq - 1 || !json_is_array(proof) || origin == NULL ||
	    (n = json_array_size(proof)) > 64)
		return check_fail(c, "a %s without its origin, seq, leaf index "
		    "(seq - 1), size and proof", what);
	if (body != NULL) {
		if (fn(c, obj, body, seq) != 0)
			return -1;
		merkle_leaf_hash(body, strlen(body), leaf);
	} else {
		if (field_str(obj, "withheld") == NULL ||
		    check_hash(c, obj, "leaf_hash", leaf) != 0)
			return check_fail(c, "a %s with neither its body nor "
			    "the leaf hash of a withheld one", what);
		c->sum->withheld++;
	}
	for (k = 0; k < c->nckpt; k++)
		if (c->ckpt[k].size == (uint64_t)size &&
		    strcmp(c->ckpt[k].origin, origin) == 0)
			break;
	if (k == c->nckpt)
		return check_fail(c, "no checkpoint here is of the journal and "
		    "size this %s is proven in", what);
	path = xcalloc(n + 1, SIGN_HASH_LEN);
	json_array_foreach(proof, i, p)
		if (json_string_value(p) == NULL ||
		    sign_unhex(json_string_value(p), path[i]) != 0) {
			free(path);
			return check_fail(c, "a proof hash is not 64 hex "
			    "digits%s", NULL);
		}
	ok = merkle_verify_inclusion((uint64_t)index, (uint64_t)size, leaf,
	    (const uint8_t (*)[MERKLE_HASH_LEN])path, n, c->ckpt[k].root,
	    why, sizeof why);
	free(path);
	if (ok != 1)
		return check_fail(c, "the inclusion proof of this journal entry "
		    "does not hold: %s", why);
	return 0;
}

/* A bundle's journal entry body names the attempt (check_body_fn). */
static int
entry_body(struct bundle_check *c, json_t *line, const char *body,
    int64_t seq)
{
	(void)line;
	return check_body(c, body, "journal entry", seq);
}

/* A journal entry: its body names the attempt, and its proof holds. */
static int
check_entry(struct bundle_check *c, json_t *obj)
{
	if (check_proven(c, obj, "journal entry", entry_body) != 0)
		return -1;
	c->sum->entries++;
	return 0;
}

/* The name part of a vkey ("" when it has no '+'), in buf. */
static void
vkey_name(const char *vkey, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(vkey, "+"), vkey);
}

/*
 * A checkpoint's signatures: at least one of keys holds, and none of them
 * is there and fails.  Adds the names that held to the summary.
 */
static int
check_checkpoint_sigs(struct bundle_check *c, const struct sign_note *n,
    const char *const *keys, size_t nkeys)
{
	struct bundle_summary	*s = c->sum;
	char			 verr[512], name[SIGN_NAME_MAX + 1];
	size_t			 i, o;
	int			 good = 0, rc;

	for (i = 0; i < nkeys; i++) {
		rc = sign_note_verify(n, keys[i], verr, sizeof verr);
		if (rc == -1 || rc == 0)
			return check_fail(c, "the checkpoint: %s", verr);
		if (rc != 1)
			continue;
		good++;
		vkey_name(keys[i], name, sizeof name);
		o = strlen(s->checkpoint_signers);
		if (strstr(s->checkpoint_signers, name) == NULL)
			snprintf(s->checkpoint_signers + o,
			    sizeof s->checkpoint_signers - o, "%s%s",
			    o > 0 ? ", " : "", name);
	}
	if (good == 0)
		return check_fail(c, "the checkpoint is signed by none of the "
		    "%s", nkeys > 0 && s->keys_given ? "keys given" :
		    "keys in the bundle");
	return 0;
}

/*
 * The first line's type, format, exporter, vkey and origin, and the
 * signature over the whole text by the exporter (a key of keys with the
 * exporter's name, else the vkey the line names).
 */
static int
check_signer(struct bundle_check *c, json_t *h, const struct sign_note *n,
    const char *const *keys, size_t nkeys, const char *type,
    const char *format)
{
	const char	*fmt = field_str(h, "format"), *vkey = field_str(h,
			    "vkey"), *exporter = field_str(h, "exporter");
	const char	*origin = field_str(h, "origin"), *use = vkey;
	char		 verr[512], name[SIGN_NAME_MAX + 1], what[64];
	size_t		 i;
	int		 rc;

	c->line = 1;
	if (!json_is_object(h) || field_str(h, "type") == NULL ||
	    strcmp(field_str(h, "type"), type) != 0 || fmt == NULL) {
		snprintf(what, sizeof what, "\"type\":\"%s\"", type);
		return check_fail(c, "the first line is not a header (%s)",
		    what);
	}
	if (strcmp(fmt, format) != 0) {
		snprintf(verr, sizeof verr, "format \"%.256s\" is not %s", fmt,
		    format);
		return check_fail(c, "%s", verr);
	}
	if (vkey == NULL || exporter == NULL || origin == NULL)
		return check_fail(c, "the first line lacks the exporter, vkey "
		    "or origin%s", NULL);
	for (i = 0; i < nkeys; i++) {
		vkey_name(keys[i], name, sizeof name);
		if (strcmp(name, exporter) == 0) {
			use = keys[i];
			c->sum->exporter_given = 1;
		}
	}
	vkey_name(use, name, sizeof name);
	if (strcmp(name, exporter) != 0)
		return check_fail(c, "the vkey is not the exporter's%s", NULL);
	rc = sign_note_verify(n, use, verr, sizeof verr);
	if (rc != 1) {
		snprintf(c->err, c->errlen, "the %s's signature by %s does not "
		    "hold: %s", c->doc, exporter, rc == -2 ? "it is not signed "
		    "by that key" : verr);
		return -1;
	}
	snprintf(c->sum->exporter, sizeof c->sum->exporter, "%s", exporter);
	snprintf(c->sum->origin, sizeof c->sum->origin, "%s", origin);
	return 0;
}

/* The first line: the bundle's own facts, and its signature. */
static int
check_header(struct bundle_check *c, json_t *h, const struct sign_note *n,
    const char *const *keys, size_t nkeys)
{
	if (check_signer(c, h, n, keys, nkeys, "bundle", BUNDLE_FORMAT) != 0)
		return -1;
	c->feed = field_str(h, "feed");
	c->attempt = field_str(h, "attempt");
	if (c->feed == NULL || c->attempt == NULL)
		return check_fail(c, "the first line lacks the feed or "
		    "attempt%s", NULL);
	snprintf(c->sum->feed, sizeof c->sum->feed, "%s", c->feed);
	snprintf(c->sum->attempt, sizeof c->sum->attempt, "%s", c->attempt);
	return 0;
}

/* First pass over line obj: checkpoints and keys; -1 on a bad one. */
static int
check_collect(struct bundle_check *c, json_t *obj, const char *type)
{
	const char	*s;
	char		 perr[512];

	if (strcmp(type, "checkpoint") == 0) {
		if (c->nckpt == BUNDLE_MAX_CHECKPOINTS)
			return check_fail(c, "more than 16 checkpoints%s", NULL);
		if ((s = field_str(obj, "note")) == NULL ||
		    sign_note_parse(s, strlen(s), &c->ckpt[c->nckpt], perr,
		    sizeof perr) != 0)
			return check_fail(c, "the checkpoint's note is not a "
			    "signed note: %s", s == NULL ? "none" : perr);
		if (!c->ckpt[c->nckpt++].is_checkpoint)
			return check_fail(c, "the note is not a checkpoint%s",
			    NULL);
		c->sum->checkpoints++;
		if (c->sum->checkpoint_size < (int64_t)c->ckpt[c->nckpt - 1].size) {
			c->sum->checkpoint_size =
			    (int64_t)c->ckpt[c->nckpt - 1].size;
			snprintf(c->sum->checkpoint_origin,
			    sizeof c->sum->checkpoint_origin, "%s",
			    c->ckpt[c->nckpt - 1].origin);
		}
	} else if (strcmp(type, "key") == 0) {
		if (c->nkeys == BUNDLE_MAX_KEYS ||
		    (s = field_str(obj, "vkey")) == NULL)
			return check_fail(c, "a key line without its vkey, or "
			    "more than 16%s", NULL);
		c->keys[c->nkeys++] = s;
	}
	return 0;
}

/* Second pass: every other line by its type. */
static int
check_line(struct bundle_check *c, json_t *obj, const char *type,
    int *attempts)
{
	if (strcmp(type, "checkpoint") == 0 || strcmp(type, "key") == 0)
		return 0;
	if (strcmp(type, "attempt") == 0) {
		(*attempts)++;
		return check_names(c, obj, "attempt");
	}
	if (strcmp(type, "message") == 0)
		return check_message(c, obj);
	if (strcmp(type, "flag") == 0)
		return check_flag(c, obj);
	if (strcmp(type, "entry") == 0)
		return check_entry(c, obj);
	if (strcmp(type, "forensics") == 0) {
		c->sum->forensics++;
		if (field_str(obj, "model") == NULL)
			return check_fail(c, "forensic indices without their "
			    "model version%s", NULL);
		return check_names(c, obj, "forensics line");
	}
	return check_fail(c, "unknown line type \"%s\"", type);
}

/* The header's counts key[0..n-1] are want[]: 0, or -1 naming the first
 * that is not. */
static int
check_header_counts(struct bundle_check *c, json_t *h,
    const char *const *key, const int64_t *want, size_t n)
{
	char	what[128];
	int64_t	v;
	size_t	i;

	c->line = 1;
	for (i = 0; i < n; i++)
		if (!field_int(h, key[i], &v) || v != want[i]) {
			snprintf(what, sizeof what, "its count of %s is not what "
			    "the %s holds", key[i], c->doc);
			return check_fail(c, "%s", what);
		}
	return 0;
}

/* The first line's counts are what the lines hold. */
static int
check_counts(struct bundle_check *c, json_t *h, int attempts)
{
	static const char *const key[] = { "messages", "flags", "entries",
	    "forensics", "withheld", "redacted", "checkpoints" };
	const struct bundle_summary *s = c->sum;
	const int64_t	 want[] = { s->messages, s->flags, s->entries,
			    s->forensics, s->withheld, s->redacted,
			    s->checkpoints };

	c->line = 1;
	if (attempts != 1)
		return check_fail(c, "the bundle must hold one attempt line, "
		    "not another number of them%s", NULL);
	return check_header_counts(c, h, key, want, 7);
}

/* What differs between the two kinds of signed list. */
struct check_kind {
	const char	*doc;
	int		(*header)(struct bundle_check *, json_t *,
			    const struct sign_note *, const char *const *,
			    size_t);
	int		(*line)(struct bundle_check *, json_t *, const char *,
			    int *);
	int		(*counts)(struct bundle_check *, json_t *, int);
};

/*
 * Check a signed list of kind k: the note, one JSON object with a type a
 * line, the header (k->header), checkpoints and keys (first pass), every
 * other line (k->line, which counts what k->counts checks).
 */
static int
check_note(const struct check_kind *k, const char *text, size_t len,
    const char *const *keys, size_t nkeys, struct bundle_summary *sum,
    char *err, size_t errlen)
{
	struct bundle_check	 c;
	struct sign_note	 n;
	json_error_t		 je;
	json_t			**obj = NULL;
	const char		*p, *nl, *type;
	size_t			 nlines = 0, i;
	int			 rc = -1, pass, counted = 0;

	memset(&c, 0, sizeof c);
	memset(&n, 0, sizeof n);
	memset(sum, 0, sizeof *sum);
	c.sum = sum;
	c.err = err;
	c.errlen = errlen;
	c.doc = k->doc;
	if (len > BUNDLE_MAX_BYTES) {
		snprintf(err, errlen, "the file is larger than %d MiB; not a "
		    "%s", BUNDLE_MAX_BYTES / (1024 * 1024), k->doc);
		return -1;
	}
	if (sign_note_parse(text, len, &n, err, errlen) != 0)
		return -1;
	obj = xcalloc(BUNDLE_MAX_LINES, sizeof *obj);
	for (p = n.text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		c.line = (int)nlines + 1;
		if (nlines == BUNDLE_MAX_LINES) {
			check_fail(&c, "more than %s lines", "200000");
			goto done;
		}
		obj[nlines] = json_loadb(p, (size_t)(nl - p),
		    JSON_REJECT_DUPLICATES, &je);
		nlines++;
		if (!json_is_object(obj[nlines - 1]) || (nlines > 1 &&
		    field_str(obj[nlines - 1], "type") == NULL)) {
			check_fail(&c, "not a JSON object with a type%s", NULL);
			goto done;
		}
	}
	sum->keys_given = nkeys > 0;
	if (k->header(&c, obj[0], &n, keys, nkeys) != 0)
		goto done;
	for (pass = 0; pass < 2; pass++) {
		for (i = 1; i < nlines; i++) {
			c.line = (int)i + 1;
			type = field_str(obj[i], "type");
			if ((pass == 0 ? check_collect(&c, obj[i], type) :
			    k->line(&c, obj[i], type, &counted)) != 0)
				goto done;
		}
		if (pass > 0)
			break;
		for (i = 0; i < c.nckpt; i++)
			if (check_checkpoint_sigs(&c, &c.ckpt[i], nkeys > 0 ?
			    keys : c.keys, nkeys > 0 ? nkeys : c.nkeys) != 0)
				goto done;
	}
	rc = k->counts(&c, obj[0], counted);
done:
	for (i = 0; i < nlines; i++)
		json_decref(obj[i]);
	free(obj);
	for (i = 0; i < c.nckpt; i++)
		sign_note_clear(&c.ckpt[i]);
	sign_note_clear(&n);
	return rc;
}

int
bundle_verify(const char *text, size_t len, const char *const *keys,
    size_t nkeys, struct bundle_summary *sum, char *err, size_t errlen)
{
	static const struct check_kind bundle = { "bundle", check_header,
	    check_line, check_counts };

	return check_note(&bundle, text, len, keys, nkeys, sum, err, errlen);
}

/* ---- verifying an outcome list */

/* The header: signed by the exporter, the export act's seq, and whether
 * candidates are pseudonyms. */
static int
outcomes_check_header(struct bundle_check *c, json_t *h,
    const struct sign_note *n, const char *const *keys, size_t nkeys)
{
	json_t		*ps;
	const char	*s;
	size_t		 i;

	if (check_signer(c, h, n, keys, nkeys, "outcomes",
	    OUTCOMES_FORMAT) != 0)
		return -1;
	if (!field_int(h, "seq", &c->sum->export_seq) ||
	    c->sum->export_seq < 1)
		return check_fail(c, "the first line has no seq of the export "
		    "act%s", NULL);
	ps = json_object_get(h, "pseudonyms");
	if (ps == NULL || json_is_null(ps))
		return 0;
	s = json_string_value(ps);
	if (s == NULL || strncmp(s, "hmac-sha256:", 12) != 0 ||
	    strlen(s) != 28)
		return check_fail(c, "pseudonyms is not hmac-sha256:KEYID%s",
		    NULL);
	for (i = 12; i < 28; i++)
		if (strchr("0123456789abcdef", s[i]) == NULL)
			return check_fail(c, "the pseudonym key id is not 16 "
			    "hex digits%s", NULL);
	c->pseudonymous = 1;
	snprintf(c->sum->pseudonyms, sizeof c->sum->pseudonyms, "%s", s);
	return 0;
}

/* A body: a JSON object with this seq, and (when kind is not NULL) of
 * that kind; *b is the object (the caller's).  0 or -1. */
static int
outcomes_body_load(struct bundle_check *c, const char *body, int64_t seq,
    const char *what, json_t **b)
{
	json_error_t	je;
	int64_t		s;

	if ((*b = json_loads(body, JSON_REJECT_DUPLICATES, &je)) == NULL ||
	    !json_is_object(*b))
		return check_fail(c, "the %s's body is not a JSON object",
		    what);
	if (!field_int(*b, "seq", &s) || s != seq)
		return check_fail(c, "the %s's body has another seq than the "
		    "line", what);
	return 0;
}

/* The export act's entry (check_body_fn). */
static int
outcomes_export_body(struct bundle_check *c, json_t *line, const char *body,
    int64_t seq)
{
	json_t		*b = NULL;
	const char	*kind;
	int		 rc;

	(void)line;
	rc = outcomes_body_load(c, body, seq, "export act", &b);
	if (rc == 0 && ((kind = field_str(b, "kind")) == NULL ||
	    strcmp(kind, "export_outcomes") != 0 || seq !=
	    c->sum->export_seq))
		rc = check_fail(c, "the entry is not the export act the first "
		    "line names%s", NULL);
	json_decref(b);
	return rc;
}

/* The state act a leaves an attempt in (expired: the proposal lapsed). */
static enum outcome_state
outcomes_after(enum outcome_act a, int expired)
{
	switch (a) {
	case OUTCOME_OPEN_CASE:
	case OUTCOME_REJECT:
		return OUTCOME_UNDER_REVIEW;
	case OUTCOME_PROPOSE:
		return expired ? OUTCOME_UNDER_REVIEW : OUTCOME_PROPOSED;
	case OUTCOME_APPROVE:
		return OUTCOME_INVALIDATED;
	case OUTCOME_APPEAL:
		return OUTCOME_APPEAL_OPEN;
	case OUTCOME_REINSTATE:
		return OUTCOME_REINSTATED;
	default:
		return OUTCOME_UPHELD;
	}
}

/* An outcome's deciding act (check_body_fn): of this attempt on this
 * feed, with this seq, of a kind that leaves it in the line's state. */
static int
outcomes_act_body(struct bundle_check *c, json_t *line, const char *body,
    int64_t seq)
{
	json_t			*b = NULL, *lf, *bf;
	enum outcome_act	 a;
	enum outcome_state	 st;
	const char		*kind, *la, *ba;
	int			 rc;

	rc = outcomes_body_load(c, body, seq, "outcome act", &b);
	if (rc != 0)
		goto done;
	la = field_str(line, "attempt");
	ba = field_str(b, "attempt");
	lf = json_object_get(line, "feed");
	bf = json_object_get(b, "feed");
	if (ba == NULL || strcmp(ba, la) != 0 || !(json_equal(lf, bf) ||
	    (json_is_null(lf) && bf == NULL))) {
		rc = check_fail(c, "the act's body is about another attempt "
		    "or feed%s", NULL);
		goto done;
	}
	outcome_state_parse(field_str(line, "state"), &st);
	if ((kind = field_str(b, "kind")) == NULL ||
	    outcome_act_parse(kind, &a) != 0 || outcomes_after(a,
	    json_is_true(json_object_get(line, "expired"))) != st)
		rc = check_fail(c, "the act's body is not an act that leaves "
		    "the attempt %s", field_str(line, "state"));
done:
	json_decref(b);
	return rc;
}

/* An outcome line: its fields, then its act proven. */
static int
outcomes_check_outcome(struct bundle_check *c, json_t *obj)
{
	enum outcome_state	 st;
	json_t			*inv = json_object_get(obj, "invalid"), *who;
	const char		*state = field_str(obj, "state"), *p;
	int			 invalid;

	if (field_str(obj, "attempt") == NULL || state == NULL ||
	    outcome_state_parse(state, &st) != 0 || st == OUTCOME_VALID ||
	    !json_is_boolean(inv) || field_str(obj, "time") == NULL)
		return check_fail(c, "an outcome without its attempt, state (of "
		    "invigil-admin(1)), invalid and time%s", NULL);
	invalid = st == OUTCOME_INVALIDATED || st == OUTCOME_UPHELD;
	if (json_is_true(inv) != invalid)
		return check_fail(c, "\"invalid\" is not true exactly for "
		    "invalidated and upheld (state %s)", state);
	if (json_object_get(obj, c->pseudonymous ? "candidate" :
	    "pseudonym") != NULL)
		return check_fail(c, "a %s in a list whose header says "
		    "otherwise", c->pseudonymous ? "candidate id" : "pseudonym");
	who = json_object_get(obj, c->pseudonymous ? "pseudonym" :
	    "candidate");
	if (who == NULL || !(json_is_null(who) || json_is_string(who)))
		return check_fail(c, "an outcome without its %s (or null)",
		    c->pseudonymous ? "pseudonym" : "candidate");
	if (c->pseudonymous && (p = json_string_value(who)) != NULL &&
	    (strlen(p) != 64 || strspn(p, "0123456789abcdef") != 64))
		return check_fail(c, "a pseudonym is not 64 hex digits%s",
		    NULL);
	if (check_proven(c, obj, "outcome", outcomes_act_body) != 0)
		return -1;
	c->sum->outcomes++;
	c->sum->invalid += invalid;
	return 0;
}

/* Second pass: every other line of an outcome list by its type; entries
 * counted in *entries. */
static int
outcomes_check_line(struct bundle_check *c, json_t *obj, const char *type,
    int *entries)
{
	if (strcmp(type, "checkpoint") == 0 || strcmp(type, "key") == 0)
		return 0;
	if (strcmp(type, "outcome") == 0)
		return outcomes_check_outcome(c, obj);
	if (strcmp(type, "entry") == 0) {
		(*entries)++;
		c->sum->entries++;
		return check_proven(c, obj, "journal entry",
		    outcomes_export_body);
	}
	return check_fail(c, "unknown line type \"%s\"", type);
}

/* The header's counts are what the list holds, with one export act. */
static int
outcomes_check_counts(struct bundle_check *c, json_t *h, int entries)
{
	static const char *const key[] = { "outcomes", "invalid", "withheld",
	    "checkpoints" };
	const struct bundle_summary *s = c->sum;
	const int64_t	 want[] = { s->outcomes, s->invalid, s->withheld,
			    s->checkpoints };

	c->line = 1;
	if (entries != 1)
		return check_fail(c, "the list must hold its export act's "
		    "entry, once%s", NULL);
	return check_header_counts(c, h, key, want, 4);
}

int
outcomes_verify(const char *text, size_t len, const char *const *keys,
    size_t nkeys, struct bundle_summary *sum, char *err, size_t errlen)
{
	static const struct check_kind outcomes = { "outcome list",
	    outcomes_check_header, outcomes_check_line,
	    outcomes_check_counts };

	return check_note(&outcomes, text, len, keys, nkeys, sum, err,
	    errlen);
}
