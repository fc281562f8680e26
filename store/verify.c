/*
 * verify.c - `invigil review verify`: is every journal in the file what
 * was written?
 *
 * A file holds one chain of its own (table journal, checkpoints) and,
 * after `review import`, one per source (imported_journal and
 * imported_checkpoints rows of that origin).  Each chain is checked in
 * three layers; the first problem found is reported, in this order:
 *
 * 1. Each row: its columns rebuild its canonical body byte for byte, its
 *    prev_hash is the hash of the row before, its hash is SHA-256 of
 *    prev_hash and body, and seqs run 1, 2, 3... without a hole.  This
 *    catches any edit made without recomputing the chain.
 * 2. Each checkpoint, in the database and in the file given: a well-formed
 *    signed note for that chain's origin, signed by a key the keys table
 *    holds (and, with --key, by one of the keys given), whose signature
 *    holds.
 * 3. Each checkpoint's size and root against the journal: a size beyond
 *    the journal's end is a truncation; a root that differs means history
 *    was rewritten at or before that size, and the checkpoints that still
 *    agree narrow where.  A 'chain' checkpoint (schema 2) signs the hash
 *    of entry size; an 'rfc6962' one the Merkle tree hash of entries
 *    1..size.  Only checkpoints kept out of the attacker's reach (exported,
 *    or signed by a key given with --key) catch a rewrite that was
 *    re-signed with a key the database lists.
 * 4. Each entry's own signature (schema 4): by the key sig_vkey names,
 *    over the entry's hash; the key found in the trust file (--trust) or,
 *    without one, in the keys table; not revoked before the entry was
 *    made; and its holder's roles allowed to make the entry's kind
 *    (store/trust.h's one table).  Entries from before signatures (no sig,
 *    seq below meta 'signed_from') are covered by checkpoints only.  Run
 *    with layer 1, row by row, after the row's hash holds.
 *
 * Rows are streamed once per chain: the chain hash and a compact range
 * (struct merkle_stream) are all that is kept, and each checkpoint is
 * compared when the stream reaches its size, so memory does not grow with
 * the journal.
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
#include "store/merkle.h"
#include "store/store.h"
#include "store/trust.h"

/* What root a checkpoint signs. */
enum verify_tree {
	VERIFY_TREE_CHAIN,	/* the hash of entry size (schema 2) */
	VERIFY_TREE_RFC6962,	/* the Merkle tree hash of 1..size */
	VERIFY_TREE_EITHER	/* from a file: the note does not say */
};

/* A checkpoint met in the database or the file. */
struct verify_ckpt {
	char		 where[200];	/* "the database's checkpoint 3" */
	int64_t		 size;
	uint8_t		 root[SIGN_HASH_LEN];
	enum verify_tree tree;
	int		 infile;	/* from the file, not the database */
	int		 agrees;	/* -1 differs, 0 not reached, 1 agrees */
	uint8_t		 ours[SIGN_HASH_LEN];	/* ours at size, for the report */
};

/* One journal: the database's own or an imported origin's. */
struct verify_chain {
	char		 origin[256];
	int		 imported;
	struct verify_ckpt *ckpts;
	size_t		 nckpts;
	size_t		 ckptsz;
	int64_t		 entries;
	int64_t		 signed_from;	/* meta: seqs from it are signed */
	int64_t		 first_signed;	/* the first signed seq, or 0 */
};

struct verify_ctx {
	struct store_reader	*reader;
	sqlite3			*db;
	struct store_verify	*v;
	struct store_verify	 notes;	/* layer 2's first problem, held back */
	char		       **vkeys;	/* the keys table */
	char		       **vroles;	/* and each key's role */
	size_t			 nvkeys;
	const struct trust	*trust;		/* --trust, or NULL */
	const char *const	*trusted;	/* --key */
	size_t			 ntrusted;
	struct verify_chain	*chains;	/* [0] is the database's own */
	size_t			 nchains;
	const char		*fname;
};

/* Record the first problem in v, naming chain c; later ones are dropped. */
static void
verify_fail(struct store_verify *v, const struct verify_chain *c,
    enum store_verify_problem p, int64_t seq, const char *fmt, ...)
{
	va_list	ap;
	char	clean[256];
	size_t	len = 0;

	if (v->problem != STORE_VERIFY_OK)
		return;
	v->problem = p;
	v->seq = seq;
	if (c != NULL && c->imported) {
		snprintf(v->chain, sizeof v->chain, "%s", c->origin);
		proto_sanitize(c->origin, strlen(c->origin), clean,
		    sizeof clean);
		len = (size_t)snprintf(v->what, sizeof v->what, "in the "
		    "journal imported from \"%s\": ", clean);
		if (len >= sizeof v->what)
			len = sizeof v->what - 1;
	}
	va_start(ap, fmt);
	vsnprintf(v->what + len, sizeof v->what - len, fmt, ap);
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

/* -- Layer 3, as the stream goes ----------------------------------------- */

static int
verify_ckpt_cmp(const void *a, const void *b)
{
	const struct verify_ckpt	*x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

/*
 * Compare the checkpoints of size n (from *next on, sorted) with the chain
 * hash h of entry n and the tree hash of the stream's n leaves.
 */
static void
verify_reach(struct verify_chain *c, size_t *next, int64_t n,
    const uint8_t h[SIGN_HASH_LEN], const struct merkle_stream *ms)
{
	struct verify_ckpt	*k;
	uint8_t			 root[MERKLE_HASH_LEN];
	int			 have_root = 0;

	for (; *next < c->nckpts && c->ckpts[*next].size == n; (*next)++) {
		k = &c->ckpts[*next];
		if (k->tree != VERIFY_TREE_CHAIN && !have_root) {
			merkle_stream_root(ms, root);
			have_root = 1;
		}
		if (k->tree == VERIFY_TREE_CHAIN)
			memcpy(k->ours, h, SIGN_HASH_LEN);
		else
			memcpy(k->ours, root, SIGN_HASH_LEN);
		k->agrees = memcmp(k->root, k->ours, SIGN_HASH_LEN) == 0;
		if (!k->agrees && k->tree == VERIFY_TREE_EITHER &&
		    memcmp(k->root, h, SIGN_HASH_LEN) == 0)
			k->agrees = 1;
		if (!k->agrees)
			k->agrees = -1;
	}
}

/* -- Layer 4, row by row --------------------------------------------------- */

/* What to call a row in a sentence: "seq 7 (approve_invalidation by bo)". */
static const char *
verify_row_name(const struct journal_row *r, char *buf, size_t len)
{
	char	c1[128], c2[128];

	snprintf(buf, len, "seq %" PRId64 " (%s by %s)", r->seq,
	    verify_clean(r->kind != NULL ? r->kind : "", c1, sizeof c1),
	    verify_clean(r->actor != NULL ? r->actor : "", c2, sizeof c2));
	return buf;
}

/*
 * The signer of a row whose signature held: its roles from the trust file
 * or the keys table, and whether its key was revoked before the row.  0,
 * or -1 with the problem recorded.
 */
static int
verify_signer(struct verify_ctx *x, struct verify_chain *c,
    const struct journal_row *r, const char *vkey, const char *row,
    unsigned *roles)
{
	struct store_verify		*v = x->v;
	const struct trust_entry	*te;
	char				 c1[256], c2[SIGN_NAME_MAX * 4 + 1];
	int64_t				 revoked_ms;
	size_t				 k;

	if (x->trust == NULL) {
		for (k = 0; k < x->nvkeys; k++)
			if (strcmp(x->vkeys[k], vkey) == 0) {
				*roles = trust_role(x->vroles[k]);
				return 0;
			}
		verify_fail(v, c, STORE_VERIFY_ENTRY_SIGNER, r->seq, "%s is "
		    "signed by the key %s, which the database's keys table "
		    "does not have", row, verify_clean(vkey, c1, sizeof c1));
		return -1;
	}
	switch (trust_lookup(x->trust, vkey, &te)) {
	case TRUST_UNKNOWN:
		verify_fail(v, c, STORE_VERIFY_ENTRY_SIGNER, r->seq, "%s is "
		    "signed by the key %s, which the trust file does not have",
		    row, verify_clean(vkey, c1, sizeof c1));
		return -1;
	case TRUST_REVOKED:
		if (proto_time_parse(te->revoked_on, &revoked_ms) == -1 ||
		    r->time_ms >= revoked_ms) {
			verify_fail(v, c, STORE_VERIFY_ENTRY_SIGNER, r->seq,
			    "%s is signed by the key of %s, revoked on %s, "
			    "before the entry was made", row, verify_clean(
			    te->name, c1, sizeof c1), te->revoked_on);
			return -1;
		}
		if (v->revoked_entries++ == 0) {
			v->revoked_seq = r->seq;
			snprintf(v->revoked_what, sizeof v->revoked_what, "%.100s's "
			    "key, revoked on %.32s", verify_clean(te->name, c2,
			    sizeof c2), te->revoked_on);
		}
		break;
	case TRUST_TRUSTED:
		break;
	}
	*roles = te->roles;
	return 0;
}

/*
 * Layer 4 for row r of chain c, whose hash (hex) held: its signature by
 * vkey, its signer and the signer's roles.  0 when it holds (or the row
 * is from before signatures), -1 with the problem recorded in x->v.
 */
static int
verify_entry(struct verify_ctx *x, struct verify_chain *c,
    const struct journal_row *r, const char *hash, const char *sig,
    const char *vkey)
{
	struct store_verify	*v = x->v;
	char			 perr[512], row[320], c1[256], c2[256];
	const char		*actor = r->actor != NULL ? r->actor : "";
	const char		*role = r->role != NULL ? r->role : "";
	size_t			 nlen;
	unsigned		 roles = 0;

	verify_row_name(r, row, sizeof row);
	if (sig == NULL && vkey == NULL) {
		if (c->first_signed != 0 || r->seq >= c->signed_from) {
			verify_fail(v, c, STORE_VERIFY_UNSIGNED, r->seq, "%s is "
			    "not signed, but every entry from seq %" PRId64
			    " on must be: it was added without its actor's "
			    "signature", row, c->first_signed != 0 ?
			    c->first_signed : c->signed_from);
			return -1;
		}
		v->unsigned_entries++;
		return 0;
	}
	if (c->first_signed == 0)
		c->first_signed = r->seq;
	if (sig == NULL || vkey == NULL) {
		verify_fail(v, c, STORE_VERIFY_UNSIGNED, r->seq, "%s has %s",
		    row, sig == NULL ? "a signer but no signature" :
		    "a signature but no signer");
		return -1;
	}
	if (journal_sig_check(vkey, hash, sig, perr, sizeof perr) != 1) {
		verify_fail(v, c, STORE_VERIFY_ENTRY_SIGNATURE, r->seq, "%s: "
		    "its signature by %s does not hold (%s): the entry was "
		    "re-signed or altered after it was written", row,
		    verify_clean(vkey, c1, sizeof c1), verify_clean(perr, c2,
		    sizeof c2));
		return -1;
	}
	if (verify_signer(x, c, r, vkey, row, &roles) == -1)
		return -1;
	/* A feed's acts are signed by the console that recorded them. */
	nlen = strcspn(vkey, "+");
	if (strcmp(role, "feed") != 0 && (strlen(actor) != nlen ||
	    strncmp(actor, vkey, nlen) != 0)) {
		verify_fail(v, c, STORE_VERIFY_ENTRY_SIGNER, r->seq, "%s is "
		    "signed by the key of %.*s, not by its actor", row,
		    (int)nlen, verify_clean(vkey, c1, sizeof c1));
		return -1;
	}
	if (trust_may(roles, r->kind != NULL ? r->kind : "", perr,
	    sizeof perr) != 0) {
		verify_fail(v, c, STORE_VERIFY_ROLE, r->seq, "%s: %s", row,
		    verify_clean(perr, c1, sizeof c1));
		return -1;
	}
	if (strcmp(role, "feed") != 0 && (trust_role(role) & roles) == 0) {
		verify_fail(v, c, STORE_VERIFY_ROLE, r->seq, "%s names the "
		    "role \"%s\", which its signer does not hold", row,
		    verify_clean(role, c1, sizeof c1));
		return -1;
	}
	v->signed_entries++;
	return 0;
}

/* -- Layer 1 ---------------------------------------------------------------- */

/* Every row of chain c, in seq order, with layer 3 as sizes are reached. */
static int
verify_rows(struct verify_ctx *x, struct verify_chain *c, char *err,
    size_t errlen)
{
	struct store_verify	*v = x->v;
	struct journal_row	 r;
	struct merkle_stream	 ms;
	sqlite3_stmt		*st;
	uint8_t			 prev[SIGN_HASH_LEN], h[SIGN_HASH_LEN];
	uint8_t			 leaf[MERKLE_HASH_LEN];
	char			 hex[2 * SIGN_HASH_LEN + 1], *body, berr[256];
	const char		*stored;
	int64_t			 expect = 1;
	size_t			 next = 0;
	int			 rc;

	memset(prev, 0, sizeof prev);
	merkle_stream_init(&ms);
	if (c->nckpts > 0)	/* qsort's array may not be NULL, even empty */
		qsort(c->ckpts, c->nckpts, sizeof *c->ckpts, verify_ckpt_cmp);
	verify_reach(c, &next, 0, prev, &ms);
	if (sqlite3_prepare_v2(x->db, c->imported ?
	    "SELECT seq, time_ms, actor, role, kind, feed, attempt, flag_id, "
	    "reason_code, reason, evidence, detail, body, prev_hash, hash, "
	    "sig, sig_vkey FROM imported_journal WHERE origin = ?1 ORDER BY "
	    "seq" :
	    "SELECT seq, time_ms, actor, role, kind, feed, attempt, flag_id, "
	    "reason_code, reason, evidence, detail, body, prev_hash, hash, "
	    "sig, sig_vkey FROM journal ORDER BY seq", -1, &st,
	    NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the journal", err, errlen);
		return -1;
	}
	if (c->imported)
		sqlite3_bind_text(st, 1, c->origin, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof r);
		r.seq = sqlite3_column_int64(st, 0);
		if (r.seq != expect) {
			verify_fail(v, c, STORE_VERIFY_MISSING, expect, "seq %"
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
			verify_fail(v, c, STORE_VERIFY_ALTERED, r.seq, "seq %"
			    PRId64 " was altered: its columns do not match "
			    "the body its hash covers", r.seq);
			free(body);
			break;
		}
		free(body);
		sign_hex(prev, hex);
		if (!verify_same(verify_text(st, 13), hex)) {
			verify_fail(v, c, STORE_VERIFY_CHAIN, r.seq, "seq %"
			    PRId64 " does not follow seq %" PRId64 ": its "
			    "prev_hash is not the hash of the entry before it",
			    r.seq, r.seq - 1);
			break;
		}
		sign_chain(prev, stored, strlen(stored), h);
		sign_hex(h, hex);
		if (!verify_same(verify_text(st, 14), hex)) {
			verify_fail(v, c, STORE_VERIFY_ALTERED, r.seq, "seq %"
			    PRId64 " was altered: its hash is not SHA-256 of "
			    "prev_hash and its body", r.seq);
			break;
		}
		if (verify_entry(x, c, &r, hex, verify_text(st, 15),
		    verify_text(st, 16)) == -1)
			break;
		merkle_leaf_hash(stored, strlen(stored), leaf);
		if (merkle_stream_add(&ms, leaf, err, errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		memcpy(prev, h, sizeof prev);
		verify_reach(c, &next, expect, h, &ms);
		expect++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the journal", err, errlen);
		return -1;
	}
	c->entries = expect - 1;
	return 0;
}

/* -- Layer 2 ---------------------------------------------------------------- */

static int
verify_load_keys(struct verify_ctx *x, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(x->db, "SELECT vkey, role FROM keys", -1, &st,
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
		x->vroles = xreallocarray(x->vroles, x->nvkeys + 1,
		    sizeof *x->vroles);
		x->vroles[x->nvkeys] = xstrdup(verify_text(st, 1) != NULL ?
		    verify_text(st, 1) : "");
		x->vkeys[x->nvkeys++] = xstrdup(verify_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the keys", err, errlen);
		return -1;
	}
	return 0;
}

/* The chains: the database's own, then each imported origin's, sorted. */
static int
verify_load_chains(struct verify_ctx *x, char *err, size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*o;
	int		 rc;

	x->chains = xcalloc(1, sizeof *x->chains);
	x->nchains = 1;
	if (journal_origin(x->db, x->chains[0].origin,
	    sizeof x->chains[0].origin, err, errlen) == -1)
		return -1;
	/* Where signatures began; a database without the row signs all. */
	x->chains[0].signed_from = 1;
	if (sqlite3_prepare_v2(x->db, "SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'signed_from'", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the meta table", err, errlen);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		x->chains[0].signed_from = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(x->db, "SELECT origin FROM sources UNION "
	    "SELECT origin FROM imported_journal UNION SELECT origin FROM "
	    "imported_checkpoints ORDER BY 1", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the imported journals", err,
		    errlen);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((o = verify_text(st, 0)) == NULL)
			o = "";
		x->chains = xreallocarray(x->chains, x->nchains + 1,
		    sizeof *x->chains);
		memset(&x->chains[x->nchains], 0, sizeof *x->chains);
		snprintf(x->chains[x->nchains].origin,
		    sizeof x->chains[x->nchains].origin, "%s", o);
		/* A source's own signed_from is not imported: its unsigned
		 * entries must come first, that is all. */
		x->chains[x->nchains].signed_from = INT64_MAX;
		x->chains[x->nchains++].imported = 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the imported journals", err,
		    errlen);
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

/*
 * The signatures of n: 1 if they hold (by a key of the keys table, and by
 * a trusted key when some are given), else 0 with the problem recorded
 * in x->notes.
 */
static int
verify_signatures(struct verify_ctx *x, const struct verify_chain *c,
    const struct sign_note *n, const char *where)
{
	struct store_verify	*nv = &x->notes;
	char			 perr[512], prefix[SIGN_NAME_MAX + 2];
	char			 c1[256], names[256];
	const char		*who = "";
	size_t			 i, k;
	int			 good = 0, trusted = 0, r;

	names[0] = '\0';
	for (i = 0; i < n->nsigs; i++) {
		snprintf(prefix, sizeof prefix, "%s+", n->sigs[i].name);
		for (k = 0; k < x->nvkeys; k++) {
			if (strncmp(x->vkeys[k], prefix, strlen(prefix)) != 0)
				continue;
			r = sign_note_verify(n, x->vkeys[k], perr,
			    sizeof perr);
			if (r == 1) {
				good++;
				verify_add_signer(x->v, verify_clean(
				    n->sigs[i].name, c1, sizeof c1));
			} else if (r == 0) {
				who = n->sigs[i].name;
				goto bad;
			}
		}
		if (strlen(names) + strlen(n->sigs[i].name) + 3 < sizeof names)
			snprintf(names + strlen(names), sizeof names -
			    strlen(names), "%s%s", names[0] != '\0' ? ", " : "",
			    verify_clean(n->sigs[i].name, c1, sizeof c1));
	}
	for (k = 0; k < x->ntrusted; k++) {
		r = sign_note_verify(n, x->trusted[k], perr, sizeof perr);
		if (r == 1)
			trusted++;
		else if (r == 0) {
			who = x->trusted[k];
			goto bad;
		}
	}
	if (x->ntrusted > 0 && trusted == 0) {
		verify_fail(nv, c, STORE_VERIFY_UNTRUSTED, 0, "%s (size %"
		    PRIu64 ") is signed only by %s, and by none of the keys "
		    "given with --key (whoever can write the database can add "
		    "a key to its keys table; a key kept elsewhere cannot be "
		    "added)", where, n->size, n->nsigs > 0 ? names : "nobody");
		return 0;
	}
	if (good == 0 && trusted == 0) {
		verify_fail(nv, c, STORE_VERIFY_UNKNOWN_KEY, 0, "%s (size %"
		    PRIu64 ") is signed by %s, but no key of that name and id "
		    "is in the database's keys table (the keys were replaced, "
		    "or the note was signed elsewhere)", where, n->size,
		    verify_clean(n->nsigs > 0 ? n->sigs[0].name : "nobody", c1,
		    sizeof c1));
		return 0;
	}
	if (trusted > 0)
		x->v->trusted++;
	return 1;
bad:
	verify_fail(nv, c, STORE_VERIFY_SIGNATURE, 0, "%s (size %" PRIu64 "): "
	    "the signature by %s does not verify; the note was changed after "
	    "it was signed", where, n->size, verify_clean(who, c1,
	    sizeof c1));
	return 0;
}

/*
 * Layer 2 for one note of chain c (NULL: find it by the note's origin,
 * as for a note from the file); layer 3 waits for the rows.
 */
static void
verify_note(struct verify_ctx *x, struct verify_chain *c, const char *text,
    size_t len, const char *where, enum verify_tree tree, int infile)
{
	struct store_verify	*nv = &x->notes;
	struct sign_note	 n;
	struct verify_ckpt	*k;
	char			 perr[512], c1[256], c2[256];
	size_t			 i;

	if (sign_note_parse(text, len, &n, perr, sizeof perr) == -1) {
		verify_fail(nv, c, STORE_VERIFY_MALFORMED, 0, "%s is not a "
		    "signed note: %s", where, perr);
		return;
	}
	if (!n.is_checkpoint) {
		verify_fail(nv, c, STORE_VERIFY_MALFORMED, 0, "%s is a signed "
		    "note but not a checkpoint (origin, size, hash)", where);
		goto out;
	}
	for (i = 0; c == NULL && i < x->nchains; i++)
		if (strcmp(n.origin, x->chains[i].origin) == 0)
			c = &x->chains[i];
	if (c == NULL) {
		verify_fail(nv, NULL, STORE_VERIFY_MISMATCH, 0, "%s is for the "
		    "journal \"%s\", not this database's \"%s\" nor one "
		    "imported into it", where, verify_clean(n.origin, c1,
		    sizeof c1), verify_clean(x->chains[0].origin, c2,
		    sizeof c2));
		goto out;
	}
	if (strcmp(n.origin, c->origin) != 0) {
		verify_fail(nv, c, STORE_VERIFY_MISMATCH, 0, "%s is for the "
		    "journal \"%s\", not this %s \"%s\"", where,
		    verify_clean(n.origin, c1, sizeof c1), c->imported ?
		    "imported journal's" : "database's",
		    verify_clean(c->origin, c2, sizeof c2));
		goto out;
	}
	if (n.size > INT64_MAX) {
		verify_fail(nv, c, STORE_VERIFY_MALFORMED, 0, "%s claims a size "
		    "beyond any journal's", where);
		goto out;
	}
	if (!verify_signatures(x, c, &n, where))
		goto out;
	if (c->nckpts == c->ckptsz) {
		c->ckptsz = c->ckptsz == 0 ? 16 : c->ckptsz * 2;
		c->ckpts = xreallocarray(c->ckpts, c->ckptsz,
		    sizeof *c->ckpts);
	}
	k = &c->ckpts[c->nckpts++];
	memset(k, 0, sizeof *k);
	snprintf(k->where, sizeof k->where, "%s", where);
	k->size = (int64_t)n.size;
	memcpy(k->root, n.root, SIGN_HASH_LEN);
	k->tree = tree;
	k->infile = infile;
	if (infile)
		x->v->file_checkpoints++;
	else if (c->imported)
		x->v->imported_checkpoints++;
	else
		x->v->db_checkpoints++;
out:
	sign_note_clear(&n);
}

/* The checkpoints the database holds for chain c. */
static int
verify_db_notes(struct verify_ctx *x, struct verify_chain *c, char *err,
    size_t errlen)
{
	sqlite3_stmt	*st;
	const char	*note, *tree;
	char		 where[400], clean[256];
	int		 rc, i = 0;

	if (sqlite3_prepare_v2(x->db, c->imported ?
	    "SELECT note, tree FROM imported_checkpoints WHERE origin = ?1 "
	    "ORDER BY rowid" : "SELECT note, tree FROM checkpoints ORDER BY "
	    "id", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(x->reader, "the checkpoints", err, errlen);
		return -1;
	}
	if (c->imported)
		sqlite3_bind_text(st, 1, c->origin, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i++;
		if ((note = verify_text(st, 0)) == NULL)
			note = "";
		tree = verify_text(st, 1);
		if (c->imported)
			snprintf(where, sizeof where, "the imported checkpoint "
			    "%d of \"%s\"", i, verify_clean(c->origin, clean,
			    sizeof clean));
		else
			snprintf(where, sizeof where, "the database's "
			    "checkpoint %d", i);
		if (tree == NULL || (strcmp(tree, "chain") != 0 &&
		    strcmp(tree, "rfc6962") != 0)) {
			verify_fail(&x->notes, c, STORE_VERIFY_MALFORMED, 0,
			    "%s names no tree ('chain' or 'rfc6962')", where);
			continue;
		}
		verify_note(x, c, note, strlen(note), where,
		    strcmp(tree, "chain") == 0 ? VERIFY_TREE_CHAIN :
		    VERIFY_TREE_RFC6962, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_reader_error(x->reader, "the checkpoints", err, errlen);
		return -1;
	}
	return 0;
}

static int
verify_file_note(const char *note, size_t len, int line, void *arg,
    char *err, size_t errlen)
{
	struct verify_ctx	*x = arg;
	char			 where[200];

	(void)err;
	(void)errlen;
	snprintf(where, sizeof where, "the checkpoint at %s line %d",
	    x->fname, line);
	verify_note(x, NULL, note, len, where, VERIFY_TREE_EITHER, 1);
	return 0;	/* all of them: the first problem is kept */
}

/* -- Layer 3's verdict ------------------------------------------------------ */

/* Sizes and roots of chain c's checkpoints against its journal. */
static void
verify_against_journal(struct verify_ctx *x, const struct verify_chain *c)
{
	struct store_verify	*v = x->v;
	const struct verify_ckpt *bad = NULL, *k;
	int64_t			 good = 0;	/* largest size that agrees */
	char			 hex[2 * SIGN_HASH_LEN + 1];
	char			 ours[2 * SIGN_HASH_LEN + 1];
	size_t			 i;

	for (i = 0; i < c->nckpts; i++) {
		k = &c->ckpts[i];
		if (k->size > c->entries) {
			verify_fail(v, c, STORE_VERIFY_TRUNCATED, c->entries +
			    1, "the journal was truncated: it ends at seq %"
			    PRId64 " but %s covers %" PRId64 " entries (seq %"
			    PRId64 "..%" PRId64 " are gone)", c->entries,
			    k->where, k->size, c->entries + 1, k->size);
			return;
		}
	}
	/* Sorted by size: the first that differs is the smallest. */
	for (i = 0; i < c->nckpts && bad == NULL; i++)
		if (c->ckpts[i].agrees < 0)
			bad = &c->ckpts[i];
	if (bad == NULL)
		return;
	for (i = 0; i < c->nckpts; i++) {
		k = &c->ckpts[i];
		if (k->size < bad->size && k->size > good && k->agrees > 0)
			good = k->size;
	}
	sign_hex(bad->root, hex);
	sign_hex(bad->ours, ours);
	verify_fail(v, c, STORE_VERIFY_MISMATCH, good + 1, "the journal was "
	    "rewritten between seq %" PRId64 " and %" PRId64 ": %s says the "
	    "%s of %" PRId64 " entries is %.16s... but the journal's is "
	    "%.16s...%s%s", good + 1, bad->size, bad->where, bad->tree ==
	    VERIFY_TREE_CHAIN ? "chain hash" : bad->tree ==
	    VERIFY_TREE_RFC6962 ? "tree hash" : "root", bad->size, hex, ours,
	    bad->tree == VERIFY_TREE_EITHER ? " (tree hash; its chain hash "
	    "differs too)" : "", good > 0 ? "" :
	    " (no earlier checkpoint agrees)");
}

/*
 * A checkpoint of size S that holds covers entries 1..S (the chain hash of
 * entry S and the tree hash of 1..S both commit to every entry up to S);
 * entries after the largest such S are covered by none, and only the
 * chain vouches for them, which anyone who can write the file can
 * recompute.
 */
static void
verify_coverage(struct verify_ctx *x, const struct verify_chain *c)
{
	struct store_verify	*v = x->v;
	int64_t			 covered = 0;
	size_t			 i;

	for (i = 0; i < c->nckpts; i++) {
		if (c->ckpts[i].size > covered)
			covered = c->ckpts[i].size;
		if (!c->imported && c->ckpts[i].infile &&
		    c->ckpts[i].size > v->file_covered)
			v->file_covered = c->ckpts[i].size;
	}
	if (!c->imported) {
		v->covered = covered;
		v->entries = c->entries;
		return;
	}
	v->chains++;
	v->imported_entries += c->entries;
	if (c->entries > covered)
		v->imported_uncovered += c->entries - covered;
}

int
store_verify_keys(struct store_reader *r, const char *file, size_t len,
    const char *fname, const char *const *keys, size_t nkeys,
    struct store_verify *v, char *err, size_t errlen)
{
	return store_verify_trust(r, file, len, fname, keys, nkeys, NULL, v,
	    err, errlen);
}

int
store_verify_trust(struct store_reader *r, const char *file, size_t len,
    const char *fname, const char *const *keys, size_t nkeys,
    const struct trust *t, struct store_verify *v, char *err, size_t errlen)
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
	x.trusted = keys;
	x.ntrusted = nkeys;
	x.trust = t;
	v->trust_file = t != NULL;
	x.fname = fname != NULL ? fname : "the checkpoints file";

	/* One snapshot for all chains, however the writer goes on. */
	if (sqlite3_exec(x.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database: %s",
		    sqlite3_errmsg(x.db));
		return -1;
	}
	if (verify_load_chains(&x, err, errlen) == -1 ||
	    verify_load_keys(&x, err, errlen) == -1)
		goto out;
	for (i = 0; i < x.nchains; i++)
		if (verify_db_notes(&x, &x.chains[i], err, errlen) == -1)
			goto out;
	if (file != NULL) {
		if (sign_notes_split(file, len, verify_file_note, &x, serr,
		    sizeof serr) == -1)
			verify_fail(&x.notes, NULL, STORE_VERIFY_MALFORMED, 0,
			    "%s: %s", x.fname, serr);
		else if (x.notes.problem == STORE_VERIFY_OK &&
		    v->file_checkpoints == 0)
			verify_fail(&x.notes, NULL, STORE_VERIFY_MALFORMED, 0,
			    "%s holds no checkpoint", x.fname);
	}
	/* Layer 1 of every chain, then the notes' problems, then layer 3. */
	for (i = 0; i < x.nchains && v->problem == STORE_VERIFY_OK; i++)
		if (verify_rows(&x, &x.chains[i], err, errlen) == -1)
			goto out;
	if (v->problem == STORE_VERIFY_OK && x.notes.problem !=
	    STORE_VERIFY_OK) {
		v->problem = x.notes.problem;
		v->seq = x.notes.seq;
		memcpy(v->what, x.notes.what, sizeof v->what);
		memcpy(v->chain, x.notes.chain, sizeof v->chain);
	}
	for (i = 0; i < x.nchains && v->problem == STORE_VERIFY_OK; i++)
		verify_against_journal(&x, &x.chains[i]);
	for (i = 0; i < x.nchains; i++)
		verify_coverage(&x, &x.chains[i]);
	rc = 0;
out:
	sqlite3_exec(x.db, "COMMIT", NULL, NULL, NULL);
	for (i = 0; i < x.nvkeys; i++) {
		free(x.vkeys[i]);
		free(x.vroles[i]);
	}
	free(x.vkeys);
	free(x.vroles);
	for (i = 0; i < x.nchains; i++)
		free(x.chains[i].ckpts);
	free(x.chains);
	return rc;
}

int
store_verify(struct store_reader *r, const char *file, size_t len,
    const char *fname, struct store_verify *v, char *err, size_t errlen)
{
	return store_verify_keys(r, file, len, fname, NULL, 0, v, err,
	    errlen);
}

const char *
store_verify_problem_name(enum store_verify_problem p)
{
	static const char *const names[] = {
		"ok", "altered", "missing", "broken-chain", "truncated",
		"bad-signature", "unknown-key", "mismatch", "malformed",
		"untrusted", "entry-signature", "entry-signer", "role",
		"unsigned"
	};

	if ((unsigned)p >= sizeof names / sizeof names[0])
		return "?";
	return names[p];
}
