/*
 * consistency.c - consistency proofs between two signed checkpoints of a
 * journal (RFC 9162 2.1.4), so that a checkpoint exported long ago can be
 * shown to be a prefix of a later one without the journal: built from the
 * database (`review checkpoints --prove-consistency`), written as text,
 * and checked from the text alone (`--verify-consistency`, or
 * tests/peer/tlog.js).  The format is in store.h and invigil-review(1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "proto/xmalloc.h"
#include "store/journal.h"
#include "store/merkle.h"
#include "store/store.h"

#define CONSISTENCY_MAGIC	"invigil consistency proof v1\n"

void
store_consistency_clear(struct store_consistency *c)
{
	free(c->notes[0]);
	free(c->notes[1]);
	memset(c, 0, sizeof *c);
}

/*
 * The signed note of the 'rfc6962' checkpoint of size in the chain
 * (origin NULL: the database's own), malloc'd; NULL with a sentence.
 */
static char *
consistency_note(struct store_reader *r, const char *origin, int64_t size,
    char *err, size_t errlen)
{
	sqlite3		*db = store_reader_db(r);
	sqlite3_stmt	*st;
	const char	*note, *tree;
	char		*found = NULL;
	int		 chain = 0, rc;

	if (sqlite3_prepare_v2(db, origin == NULL ?
	    "SELECT note, tree FROM checkpoints WHERE size = ?1 ORDER BY id" :
	    "SELECT note, tree FROM imported_checkpoints WHERE size = ?1 AND "
	    "origin = ?2 ORDER BY rowid", -1, &st, NULL) != SQLITE_OK) {
		store_reader_error(r, "the checkpoints", err, errlen);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, size);
	if (origin != NULL)
		sqlite3_bind_text(st, 2, origin, -1, SQLITE_STATIC);
	while (found == NULL && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		note = (const char *)sqlite3_column_text(st, 0);
		tree = (const char *)sqlite3_column_text(st, 1);
		if (note == NULL || tree == NULL)
			continue;
		if (strcmp(tree, "rfc6962") == 0)
			found = xstrdup(note);
		else
			chain = 1;
	}
	sqlite3_finalize(st);
	if (found != NULL)
		return found;
	if (chain)
		snprintf(err, errlen, "the checkpoint of size %" PRId64 " is a "
		    "'chain' checkpoint (schema 2): it signs the hash of entry "
		    "%" PRId64 ", not a tree root, so no consistency proof "
		    "reaches it; pick a later checkpoint", size, size);
	else
		snprintf(err, errlen, "the %s has no checkpoint of size %"
		    PRId64 "; run invigil review checkpoints to list them",
		    origin == NULL ? "journal" : "imported journal", size);
	return NULL;
}

/* Parse note into n, a checkpoint; -1 with a sentence naming what. */
static int
consistency_parse(const char *note, size_t len, const char *what,
    struct sign_note *n, char *err, size_t errlen)
{
	char	perr[512];

	if (sign_note_parse(note, len, n, perr, sizeof perr) == -1) {
		snprintf(err, errlen, "the %s checkpoint is not a signed note: "
		    "%s", what, perr);
		return -1;
	}
	if (!n->is_checkpoint) {
		snprintf(err, errlen, "the %s note is not a checkpoint (origin, "
		    "size, root)", what);
		sign_note_clear(n);
		return -1;
	}
	return 0;
}

/*
 * Both notes of c are checkpoints of one origin with c's sizes, and the
 * proof holds between their roots.  0, or -1 with a sentence.
 */
static int
consistency_holds(struct store_consistency *c, char *err, size_t errlen)
{
	struct sign_note	n[2];
	char			why[256];
	int			rc = -1;

	memset(n, 0, sizeof n);
	if (consistency_parse(c->notes[0], strlen(c->notes[0]), "old", &n[0],
	    err, errlen) == -1)
		return -1;
	if (consistency_parse(c->notes[1], strlen(c->notes[1]), "new", &n[1],
	    err, errlen) == -1)
		goto out;
	if (strcmp(n[0].origin, n[1].origin) != 0) {
		snprintf(err, errlen, "the two checkpoints are of different "
		    "journals");
		goto out;
	}
	if (n[0].size != (uint64_t)c->size[0] ||
	    n[1].size != (uint64_t)c->size[1]) {
		snprintf(err, errlen, "the sizes %" PRId64 " and %" PRId64
		    " are not the checkpoints' (%" PRIu64 " and %" PRIu64 ")",
		    c->size[0], c->size[1], n[0].size, n[1].size);
		goto out;
	}
	if (merkle_verify_consistency(n[0].size, n[1].size, n[0].root,
	    n[1].root, (const uint8_t (*)[MERKLE_HASH_LEN])c->proof, c->len,
	    why, sizeof why) != 1) {
		snprintf(err, errlen, "the proof does not show that the tree of "
		    "size %" PRIu64 " is a prefix of the tree of size %" PRIu64
		    ": %s", n[0].size, n[1].size, why);
		goto out;
	}
	snprintf(c->origin, sizeof c->origin, "%s", n[0].origin);
	rc = 0;
out:
	sign_note_clear(&n[0]);
	sign_note_clear(&n[1]);
	return rc;
}

int
store_consistency_prove(struct store_reader *r, const char *origin,
    int64_t oldsize, int64_t newsize, struct store_consistency *c, char *err,
    size_t errlen)
{
	struct journal_tree	t;
	char			cerr[512];

	memset(c, 0, sizeof *c);
	if (oldsize < 1 || newsize < oldsize) {
		snprintf(err, errlen, "give two checkpoint sizes, the old one "
		    "first: 1 <= OLD <= NEW (not %" PRId64 " and %" PRId64 ")",
		    oldsize, newsize);
		return -1;
	}
	t.db = store_reader_db(r);
	t.origin = origin;
	c->size[0] = oldsize;
	c->size[1] = newsize;
	if (sqlite3_exec(t.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read the database: %s",
		    sqlite3_errmsg(t.db));
		return -1;
	}
	if ((c->notes[0] = consistency_note(r, origin, oldsize, err,
	    errlen)) == NULL || (c->notes[1] = consistency_note(r, origin,
	    newsize, err, errlen)) == NULL ||
	    merkle_consistency_proof((uint64_t)oldsize, (uint64_t)newsize,
	    journal_tree_range, &t, c->proof, &c->len, err, errlen) == -1)
		goto fail;
	if (consistency_holds(c, cerr, sizeof cerr) == -1) {
		snprintf(err, errlen, "the journal no longer matches its "
		    "checkpoints (%s); run invigil review verify", cerr);
		goto fail;
	}
	sqlite3_exec(t.db, "COMMIT", NULL, NULL, NULL);
	return 0;
fail:
	sqlite3_exec(t.db, "COMMIT", NULL, NULL, NULL);
	store_consistency_clear(c);
	return -1;
}

char *
store_consistency_text(const struct store_consistency *c)
{
	char	*out, b64[SIGN_HASH_B64 + 1];
	size_t	 len, cap, i, n;

	cap = 128 + c->len * (SIGN_HASH_B64 + 6) + strlen(c->notes[0]) +
	    strlen(c->notes[1]);
	out = xmalloc(cap);
	len = (size_t)snprintf(out, cap, "%sold %" PRId64 "\nnew %" PRId64
	    "\n", CONSISTENCY_MAGIC, c->size[0], c->size[1]);
	for (i = 0; i < c->len; i++) {
		sign_hash_b64(c->proof[i], b64);
		n = (size_t)snprintf(out + len, cap - len, "hash %s\n", b64);
		len += n;
	}
	snprintf(out + len, cap - len, "\n%s\n%s\n", c->notes[0], c->notes[1]);
	return out;
}

/* Collect the notes of the file (at most two). */
struct consistency_split {
	struct store_consistency	*c;
	int				 n;
};

static int
consistency_one_note(const char *note, size_t len, int line, void *arg,
    char *err, size_t errlen)
{
	struct consistency_split	*s = arg;

	if (s->n == 2) {
		snprintf(err, errlen, "line %d: a third note; a proof file "
		    "holds two", line);
		return -1;
	}
	s->c->notes[s->n] = xmalloc(len + 1);
	memcpy(s->c->notes[s->n], note, len);
	s->c->notes[s->n++][len] = '\0';
	return 0;
}

/* "old N" or "new N" at *p (a line of the header); -1 if not. */
static int
consistency_size_line(const char **p, const char *end, const char *word,
    int64_t *size)
{
	const char	*q = *p;
	int64_t		 v = 0;
	size_t		 wl = strlen(word);

	if ((size_t)(end - q) < wl + 2 || memcmp(q, word, wl) != 0 ||
	    q[wl] != ' ')
		return -1;
	q += wl + 1;
	if (*q == '0' && q + 1 < end && q[1] != '\n')
		return -1;
	if (q >= end || *q < '0' || *q > '9')
		return -1;
	for (; q < end && *q >= '0' && *q <= '9'; q++) {
		if (v > (INT64_MAX - (*q - '0')) / 10)
			return -1;
		v = v * 10 + (*q - '0');
	}
	if (q >= end || *q != '\n')
		return -1;
	*size = v;
	*p = q + 1;
	return 0;
}

/* The signatures of both notes by the given keys. */
static int
consistency_signed(struct store_consistency *c, const char *const *keys,
    size_t nkeys, char *err, size_t errlen)
{
	struct sign_note	n;
	char			perr[512], name[SIGN_NAME_MAX + 1];
	size_t			i, k, good;
	int			r;

	for (i = 0; i < 2; i++) {
		if (sign_note_parse(c->notes[i], strlen(c->notes[i]), &n, perr,
		    sizeof perr) == -1) {
			snprintf(err, errlen, "%s", perr);
			return -1;
		}
		good = 0;
		for (k = 0; k < nkeys; k++) {
			r = sign_note_verify(&n, keys[k], perr, sizeof perr);
			if (r == 0 || r == -1) {
				snprintf(err, errlen, "the %s checkpoint: %s",
				    i == 0 ? "old" : "new", perr);
				sign_note_clear(&n);
				return -1;
			}
			if (r == 1) {
				good++;
				snprintf(name, sizeof name, "%.*s",
				    (int)strcspn(keys[k], "+"), keys[k]);
				if (strstr(c->signers, name) == NULL &&
				    strlen(c->signers) + strlen(name) + 3 <
				    sizeof c->signers)
					snprintf(c->signers +
					    strlen(c->signers), sizeof
					    c->signers - strlen(c->signers),
					    "%s%s", c->signers[0] != '\0' ?
					    ", " : "", name);
			}
		}
		sign_note_clear(&n);
		if (good == 0) {
			snprintf(err, errlen, "the %s checkpoint (size %" PRId64
			    ") is signed by none of the keys given",
			    i == 0 ? "old" : "new", c->size[i]);
			return -1;
		}
	}
	return 0;
}

int
store_consistency_check(const char *text, size_t len,
    const char *const *keys, size_t nkeys, struct store_consistency *c,
    char *err, size_t errlen)
{
	struct consistency_split	 s = { c, 0 };
	const char			*p = text, *end = text + len, *nl;
	char				 serr[512];
	size_t				 ml = strlen(CONSISTENCY_MAGIC);

	memset(c, 0, sizeof *c);
	if (len < ml || memcmp(text, CONSISTENCY_MAGIC, ml) != 0) {
		snprintf(err, errlen, "line 1 is not \"invigil consistency "
		    "proof v1\"; give the file review checkpoints "
		    "--prove-consistency wrote");
		return -1;
	}
	p += ml;
	if (consistency_size_line(&p, end, "old", &c->size[0]) == -1 ||
	    consistency_size_line(&p, end, "new", &c->size[1]) == -1) {
		snprintf(err, errlen, "lines 2 and 3 must be \"old SIZE\" and "
		    "\"new SIZE\" in decimal");
		return -1;
	}
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (c->len == MERKLE_PROOF_MAX || nl == NULL ||
		    (size_t)(nl - p) != 5 + SIGN_HASH_B64 ||
		    memcmp(p, "hash ", 5) != 0 || sign_hash_unb64(p + 5,
		    SIGN_HASH_B64, c->proof[c->len]) == -1) {
			snprintf(err, errlen, "line %zu is not \"hash BASE64\" "
			    "of a 32-byte hash (at most %d of them)",
			    c->len + 4, MERKLE_PROOF_MAX);
			goto fail;
		}
		c->len++;
		p = nl + 1;
	}
	if (p >= end) {
		snprintf(err, errlen, "no empty line and notes after the proof");
		goto fail;
	}
	p++;
	if (sign_notes_split(p, (size_t)(end - p), consistency_one_note, &s,
	    serr, sizeof serr) == -1) {
		snprintf(err, errlen, "after the proof: %s", serr);
		goto fail;
	}
	if (s.n != 2) {
		snprintf(err, errlen, "the file holds %d notes after the proof, "
		    "not the two checkpoints", s.n);
		goto fail;
	}
	if (consistency_holds(c, err, errlen) == -1 ||
	    (nkeys > 0 && consistency_signed(c, keys, nkeys, err,
	    errlen) == -1))
		goto fail;
	return 0;
fail:
	store_consistency_clear(c);
	return -1;
}
