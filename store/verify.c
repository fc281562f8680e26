/*
 * verify.c - `invigil review verify`: is the journal what was written?
 *
 * Three layers, checked in this order, stopping at the first problem:
 *
 * 1. Each row: its columns rebuild its canonical body byte for byte, its
 *    prev_hash is the hash of the row before, its hash is SHA-256 of
 *    prev_hash and body, and seqs run 1, 2, 3... without a hole.  This
 *    catches any edit made without recomputing the chain.
 * 2. Each checkpoint, in the database and in the file given: a well-formed
 *    signed note for this journal's origin, signed by a key the keys table
 *    holds, whose signature holds.
 * 3. Each checkpoint's size and hash against the journal: a size beyond
 *    the journal's end is a truncation; a hash that differs means history
 *    was rewritten (and the chain recomputed) at or before that size, and
 *    the checkpoints that still agree narrow where.  Only checkpoints kept
 *    out of the attacker's reach (exported) catch a rewrite that was
 *    re-signed with a stolen or current key.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/journal.h"
#include "store/store.h"

/* A checkpoint met in the database or the file. */
struct verify_ckpt {
	char		 where[160];	/* "the database's checkpoint 3" */
	int64_t		 size;
	uint8_t		 root[SIGN_HASH_LEN];
	int		 infile;	/* from the file, not the database */
};

struct verify_ctx {
	struct store_reader	*reader;
	sqlite3			*db;
	struct store_verify	*v;
	char			 origin[256];
	char		       **vkeys;
	size_t			 nvkeys;
	uint8_t			(*hashes)[SIGN_HASH_LEN];	/* [seq - 1] */
	int64_t			 nhashes;
	int64_t			 hashcap;
	struct verify_ckpt	*ckpts;
	size_t			 nckpts;
	size_t			 ckptsz;
	const char		*fname;
	int			 infile;
};

/* Record the first problem; later ones are not reported. */
static void
verify_fail(struct store_verify *v, enum store_verify_problem p, int64_t seq,
    const char *fmt, ...)
{
	va_list	ap;

	if (v->problem != STORE_VERIFY_OK)
		return;
	v->problem = p;
	v->seq = seq;
	va_start(ap, fmt);
	vsnprintf(v->what, sizeof v->what, fmt, ap);
	va_end(ap);
}

static const char *
verify_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Text from the database or the file, safe to print (returns buf). */
static const char *
verify_clean(const char *s, char *buf, size_t len)
{
	proto_sanitize(s, strlen(s), buf, len);
	return buf;
}

static int
verify_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

/* evidence/detail as stored must already be canonical. */
static int
verify_canonical(const char *text)
{
	char	*c, err[256];
	int	 same;

	if (text == NULL)
		return 1;
	if (journal_canon_object(text, "column", &c, err, sizeof err) == -1)
		return 0;
	same = strcmp(c, text) == 0;
	free(c);
	return same;
}

/* Layer 1: every row, in seq order. */
static int
verify_rows(struct verify_ctx *x, char *err, size_t errlen)
{
	struct store_verify	*v = x->v;
	struct journal_row	 r;
	sqlite3_stmt		*st;
	uint8_t			 prev[SIGN_HASH_LEN], h[SIGN_HASH_LEN];
	char			 hex[2 * SIGN_HASH_LEN + 1], *body, berr[256];
	const char		*stored;
	int64_t			 expect = 1;
	int			 rc;

	memset(prev, 0, sizeof prev);
	if (sqlite3_prepare_v2(x->db, "SELECT seq, time_ms, actor, role, kind, "
	    "feed, attempt, flag_id, reason_code, reason, evidence, detail, "
	    "body, prev_hash, hash FROM journal ORDER BY seq", -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the journal", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.seq = sqlite3_column_int64(st, 0);
		if (r.seq != expect) {
			verify_fail(v, STORE_VERIFY_MISSING, expect, "seq %"
			    PRId64 " is missing: the journal goes from %" PRId64
			    " to %" PRId64 " (entries were deleted)", expect,
			    expect - 1, r.seq);
			break;
		}
		r.time_ms = sqlite3_column_int64(st, 1);
		r.actor = verify_text(st, 2);
		r.role = verify_text(st, 3);
		r.kind = verify_text(st, 4);
		r.feed = verify_text(st, 5);
		r.attempt = verify_text(st, 6);
		r.flag_id = sqlite3_column_int64(st, 7);
		r.reason_code = verify_text(st, 8);
		r.reason = verify_text(st, 9);
		r.evidence = verify_text(st, 10);
		r.detail = verify_text(st, 11);
		stored = verify_text(st, 12);
		body = NULL;
		if (!verify_canonical(r.evidence) ||
		    !verify_canonical(r.detail) ||
		    sqlite3_column_type(st, 0) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    (sqlite3_column_type(st, 7) != SQLITE_NULL &&
		    (sqlite3_column_type(st, 7) != SQLITE_INTEGER ||
		    r.flag_id == 0)) ||
		    journal_body(&r, &body, berr, sizeof berr) == -1 ||
		    !verify_same(body, stored)) {
			verify_fail(v, STORE_VERIFY_ALTERED, r.seq, "seq %"
			    PRId64 " was altered: its columns do not match "
			    "the body its hash covers", r.seq);
			free(body);
			break;
		}
		free(body);
		sign_hex(prev, hex);
		if (!verify_same(verify_text(st, 13), hex)) {
			verify_fail(v, STORE_VERIFY_CHAIN, r.seq, "seq %" PRId64
			    " does not follow seq %" PRId64 ": its prev_hash "
			    "is not the hash of the entry before it", r.seq,
			    r.seq - 1);
			break;
		}
		sign_chain(prev, stored, strlen(stored), h);
		sign_hex(h, hex);
		if (!verify_same(verify_text(st, 14), hex)) {
			verify_fail(v, STORE_VERIFY_ALTERED, r.seq, "seq %"
			    PRId64 " was altered: its hash is not SHA-256 of "
			    "prev_hash and its body", r.seq);
			break;
		}
		if (expect > x->hashcap) {
			x->hashcap = x->hashcap == 0 ? 1024 : x->hashcap * 2;
			x->hashes = xreallocarray(x->hashes,
			    (size_t)x->hashcap, sizeof *x->hashes);
		}
		memcpy(x->hashes[expect - 1], h, SIGN_HASH_LEN);
		memcpy(prev, h, sizeof prev);
		expect++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the journal", err, errlen);
		return -1;
	}
	x->nhashes = expect - 1;
	v->entries = expect - 1;
	return 0;
}

static int
verify_load_keys(struct verify_ctx *x, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(x->db, "SELECT vkey FROM keys", -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the keys", err, errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* A crafted row may hold anything, NULL included. */
		if (verify_text(st, 0) == NULL)
			continue;
		x->vkeys = xreallocarray(x->vkeys, x->nvkeys + 1,
		    sizeof *x->vkeys);
		x->vkeys[x->nvkeys++] = xstrdup(verify_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the keys", err, errlen);
		return -1;
	}
	return 0;
}

static void
verify_add_signer(struct store_verify *v, const char *name)
{
	size_t	len = strlen(v->signers), n = strlen(name);
	char	*p = v->signers;

	/* Already listed? */
	while ((p = strstr(p, name)) != NULL) {
		if ((p == v->signers || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return;
		p += n;
	}
	if (len + n + 3 >= sizeof v->signers)
		return;
	snprintf(v->signers + len, sizeof v->signers - len, "%s%s",
	    len > 0 ? ", " : "", name);
}

/* Layer 2 for one note; layer 3 is left for later (it needs them all). */
static int
verify_note(struct verify_ctx *x, const char *text, size_t len,
    const char *where)
{
	struct store_verify	*v = x->v;
	struct sign_note	 n;
	struct verify_ckpt	*c;
	char			 perr[512], prefix[SIGN_NAME_MAX + 2];
	char			 c1[256], c2[256];
	size_t			 i, k;
	int			 good = 0, r;

	if (sign_note_parse(text, len, &n, perr, sizeof perr) == -1) {
		verify_fail(v, STORE_VERIFY_MALFORMED, 0, "%s is not a signed "
		    "note: %s", where, perr);
		return -1;
	}
	if (!n.is_checkpoint) {
		verify_fail(v, STORE_VERIFY_MALFORMED, 0, "%s is a signed note "
		    "but not a checkpoint (origin, size, hash)", where);
		goto fail;
	}
	if (strcmp(n.origin, x->origin) != 0) {
		verify_fail(v, STORE_VERIFY_MISMATCH, 0, "%s is for the journal "
		    "\"%s\", not this database's \"%s\"", where,
		    verify_clean(n.origin, c1, sizeof c1),
		    verify_clean(x->origin, c2, sizeof c2));
		goto fail;
	}
	for (i = 0; i < n.nsigs; i++) {
		snprintf(prefix, sizeof prefix, "%s+", n.sigs[i].name);
		for (k = 0; k < x->nvkeys; k++) {
			if (strncmp(x->vkeys[k], prefix, strlen(prefix)) != 0)
				continue;
			r = sign_note_verify(&n, x->vkeys[k], perr,
			    sizeof perr);
			if (r == 1) {
				good++;
				verify_add_signer(v, verify_clean(
				    n.sigs[i].name, c1, sizeof c1));
			} else if (r == 0) {
				verify_fail(v, STORE_VERIFY_SIGNATURE, 0,
				    "%s (size %" PRIu64 "): the signature by %s "
				    "does not verify; the note was changed after "
				    "it was signed", where, n.size,
				    verify_clean(n.sigs[i].name, c1,
				    sizeof c1));
				goto fail;
			}
		}
	}
	if (good == 0) {
		verify_fail(v, STORE_VERIFY_UNKNOWN_KEY, 0, "%s (size %" PRIu64
		    ") is signed by %s, but no key of that name and id is in "
		    "the database's keys table (the keys were replaced, or "
		    "the note was signed elsewhere)", where, n.size,
		    verify_clean(n.nsigs > 0 ? n.sigs[0].name : "nobody", c1,
		    sizeof c1));
		goto fail;
	}
	if (x->nckpts == x->ckptsz) {
		x->ckptsz = x->ckptsz == 0 ? 16 : x->ckptsz * 2;
		x->ckpts = xreallocarray(x->ckpts, x->ckptsz,
		    sizeof *x->ckpts);
	}
	c = &x->ckpts[x->nckpts++];
	snprintf(c->where, sizeof c->where, "%s", where);
	c->size = (int64_t)n.size;
	memcpy(c->root, n.root, SIGN_HASH_LEN);
	c->infile = x->infile;
	if (x->infile)
		v->file_checkpoints++;
	else
		v->db_checkpoints++;
	sign_note_clear(&n);
	return 0;
fail:
	sign_note_clear(&n);
	return -1;
}

static int
verify_db_note(const char *note, void *arg)
{
	struct verify_ctx	*x = arg;
	char			 where[64];

	snprintf(where, sizeof where, "the database's checkpoint %d",
	    x->v->db_checkpoints + 1);
	return verify_note(x, note, strlen(note), where) == -1 ? 1 : 0;
}

static int
verify_file_note(const char *note, size_t len, int line, void *arg,
    char *err, size_t errlen)
{
	struct verify_ctx	*x = arg;
	char			 where[160];

	(void)err;
	(void)errlen;
	snprintf(where, sizeof where, "the checkpoint at %s line %d",
	    x->fname, line);
	verify_note(x, note, len, where);
	return 0;	/* all of them: the first problem is kept */
}

/* Layer 3: sizes and hashes against the journal. */
static void
verify_against_journal(struct verify_ctx *x)
{
	struct store_verify	*v = x->v;
	const struct verify_ckpt *bad = NULL, *c;
	int64_t			 good = 0;	/* largest size that agrees */
	char			 hex[2 * SIGN_HASH_LEN + 1];
	char			 ours[2 * SIGN_HASH_LEN + 1];
	size_t			 i;

	for (i = 0; i < x->nckpts; i++) {
		c = &x->ckpts[i];
		if (c->size > x->nhashes) {
			verify_fail(v, STORE_VERIFY_TRUNCATED, x->nhashes + 1,
			    "the journal was truncated: it ends at seq %" PRId64
			    " but %s covers %" PRId64 " entries (seq %" PRId64
			    "..%" PRId64 " are gone)", x->nhashes, c->where,
			    c->size, x->nhashes + 1, c->size);
			return;
		}
	}
	for (i = 0; i < x->nckpts; i++) {
		c = &x->ckpts[i];
		if (c->size == 0)
			continue;
		if (memcmp(c->root, x->hashes[c->size - 1],
		    SIGN_HASH_LEN) != 0) {
			if (bad == NULL || c->size < bad->size)
				bad = c;
		}
	}
	if (bad == NULL)
		return;
	for (i = 0; i < x->nckpts; i++) {
		c = &x->ckpts[i];
		if (c->size < bad->size && c->size > good &&
		    memcmp(c->root, x->hashes[c->size - 1], SIGN_HASH_LEN) == 0)
			good = c->size;
	}
	sign_hex(bad->root, hex);
	sign_hex(x->hashes[bad->size - 1], ours);
	verify_fail(v, STORE_VERIFY_MISMATCH, good + 1, "the journal was "
	    "rewritten between seq %" PRId64 " and %" PRId64 ": %s says entry "
	    "%" PRId64 " hashes to %.16s... but the journal's entry %" PRId64
	    " hashes to %.16s...%s", good + 1, bad->size, bad->where,
	    bad->size, hex, bad->size, ours, good > 0 ? "" : " (no earlier "
	    "checkpoint agrees)");
}

/*
 * A checkpoint of size S that holds covers entries 1..S, since entry S's
 * hash chains every entry before it; entries after the largest such S are
 * covered by none, and only the chain vouches for them, which anyone who
 * can write the file can recompute.
 */
static void
verify_coverage(struct verify_ctx *x)
{
	struct store_verify	*v = x->v;
	size_t			 i;

	for (i = 0; i < x->nckpts; i++) {
		if (x->ckpts[i].size > v->covered)
			v->covered = x->ckpts[i].size;
		if (x->ckpts[i].infile && x->ckpts[i].size > v->file_covered)
			v->file_covered = x->ckpts[i].size;
	}
}

int
store_verify(struct store_reader *r, const char *file, size_t len,
    const char *fname, struct store_verify *v, char *err, size_t errlen)
{
	struct verify_ctx	 x;
	char			 serr[512];
	size_t			 i;
	int			 rc = -1;

	memset(v, 0, sizeof *v);
	memset(&x, 0, sizeof x);
	x.v = v;
	x.reader = r;
	x.db = store_reader_db(r);
	x.fname = fname != NULL ? fname : "the checkpoints file";

	/* One snapshot for all three layers, however the writer goes on. */
	if (sqlite3_exec(x.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database: %s",
		    sqlite3_errmsg(x.db));
		return -1;
	}
	if (journal_origin(x.db, x.origin, sizeof x.origin, err, errlen) ==
	    -1 || verify_load_keys(&x, err, errlen) == -1 ||
	    verify_rows(&x, err, errlen) == -1)
		goto out;
	if (v->problem == STORE_VERIFY_OK && store_reader_each_checkpoint(r,
	    verify_db_note, &x, err, errlen) == -1)
		goto out;
	if (v->problem == STORE_VERIFY_OK && file != NULL) {
		x.infile = 1;
		if (sign_notes_split(file, len, verify_file_note, &x, serr,
		    sizeof serr) == -1)
			verify_fail(v, STORE_VERIFY_MALFORMED, 0, "%s: %s",
			    x.fname, serr);
		else if (v->problem == STORE_VERIFY_OK &&
		    v->file_checkpoints == 0)
			verify_fail(v, STORE_VERIFY_MALFORMED, 0, "%s holds no "
			    "checkpoint", x.fname);
	}
	if (v->problem == STORE_VERIFY_OK)
		verify_against_journal(&x);
	verify_coverage(&x);
	rc = 0;
out:
	sqlite3_exec(x.db, "COMMIT", NULL, NULL, NULL);
	for (i = 0; i < x.nvkeys; i++)
		free(x.vkeys[i]);
	free(x.vkeys);
	free(x.hashes);
	free(x.ckpts);
	return rc;
}

const char *
store_verify_problem_name(enum store_verify_problem p)
{
	static const char *const names[] = {
		"ok", "altered", "missing", "broken-chain", "truncated",
		"bad-signature", "unknown-key", "mismatch", "malformed"
	};

	if ((unsigned)p >= sizeof names / sizeof names[0])
		return "?";
	return names[p];
}
