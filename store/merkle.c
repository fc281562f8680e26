/*
 * merkle.c - RFC 6962 / RFC 9162 section 2.1 Merkle tree hashes, proofs
 * and proof verification (see merkle.h).
 *
 * Proof generation follows the recursive definitions of the RFC (PATH and
 * SUBPROOF) over leaf ranges and asks a range function for each subtree
 * hash it needs, so the caller decides where leaves come from (an array
 * in the tests, the journal's rows in store/).  Verification follows the
 * RFC's iterative algorithms, which need only the proof and the roots.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/merkle.h"

#define MERKLE_SIZE_MAX	(UINT64_C(1) << 63)

/* SHA-256(prefix || a[alen] || b[blen]); OpenSSL failing is out of memory. */
static void
merkle_hash(uint8_t prefix, const void *a, size_t alen, const void *b,
    size_t blen, uint8_t out[MERKLE_HASH_LEN])
{
	EVP_MD_CTX	*ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 ||
	    EVP_DigestUpdate(ctx, b, blen) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1) {
		fprintf(stderr, "merkle: SHA-256 failed (out of memory?)\n");
		abort();
	}
	EVP_MD_CTX_free(ctx);
}

void
merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	merkle_hash(0x00, data, len, "", 0, out);
}

void
merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN])
{
	merkle_hash(0x01, left, MERKLE_HASH_LEN, right, MERKLE_HASH_LEN, out);
}

/* The largest power of two smaller than n (n >= 2): the RFC's k. */
static uint64_t
merkle_split(uint64_t n)
{
	uint64_t	k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

/* -- Streaming tree hash ------------------------------------------------- */

void
merkle_stream_init(struct merkle_stream *s)
{
	memset(s, 0, sizeof *s);
}

int
merkle_stream_add(struct merkle_stream *s, const uint8_t leaf[MERKLE_HASH_LEN],
    char *err, size_t errlen)
{
	uint8_t		h[MERKLE_HASH_LEN];
	uint64_t	bits;

	if (s->size >= MERKLE_SIZE_MAX - 1) {
		snprintf(err, errlen, "the tree is full: it cannot hold more "
		    "than 2^63 - 1 leaves");
		return -1;
	}
	memcpy(h, leaf, sizeof h);
	/* Each trailing 1 bit of size is a subtree of equal height to merge. */
	for (bits = s->size; bits & 1; bits >>= 1)
		merkle_node_hash(s->stack[--s->depth], h, h);
	memcpy(s->stack[s->depth++], h, sizeof h);
	s->size++;
	return 0;
}

void
merkle_stream_root(const struct merkle_stream *s,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t	h[MERKLE_HASH_LEN];
	size_t	i;

	if (s->depth == 0) {
		/* MTH({}) is SHA-256 of nothing, without a prefix byte. */
		if (EVP_Digest("", 0, out, NULL, EVP_sha256(), NULL) != 1) {
			fprintf(stderr, "merkle: SHA-256 failed\n");
			abort();
		}
		return;
	}
	memcpy(h, s->stack[s->depth - 1], sizeof h);
	for (i = s->depth - 1; i > 0; i--)
		merkle_node_hash(s->stack[i - 1], h, h);
	memcpy(out, h, sizeof h);
}

int
merkle_array_range(void *leaves, uint64_t start, uint64_t end,
    uint8_t out[MERKLE_HASH_LEN], char *err, size_t errlen)
{
	const uint8_t		(*l)[MERKLE_HASH_LEN] = leaves;
	struct merkle_stream	 s;
	uint64_t		 i;

	merkle_stream_init(&s);
	for (i = start; i < end; i++)
		if (merkle_stream_add(&s, l[i], err, errlen) == -1)
			return -1;
	merkle_stream_root(&s, out);
	return 0;
}

/* -- Proofs ---------------------------------------------------------------- */

/* A proof being built: hashes appended leaf-side first. */
struct merkle_proof {
	merkle_range_fn	  fn;
	void		 *arg;
	uint8_t		(*hashes)[MERKLE_HASH_LEN];
	size_t		  len;
};

/* Append MTH(D[start:end]). */
static int
merkle_proof_push(struct merkle_proof *p, uint64_t start, uint64_t end,
    char *err, size_t errlen)
{
	if (p->len >= MERKLE_PROOF_MAX) {
		snprintf(err, errlen, "the proof is longer than %d hashes",
		    MERKLE_PROOF_MAX);
		return -1;
	}
	return p->fn(p->arg, start, end, p->hashes[p->len++], err, errlen);
}

/*
 * PATH(m, D[off:off+n]) of RFC 9162 2.1.3.1; the recursive call comes
 * first so the hashes nearest the leaf come first.
 */
static int
merkle_path(struct merkle_proof *p, uint64_t m, uint64_t off, uint64_t n,
    char *err, size_t errlen)
{
	uint64_t	k;

	if (n <= 1)
		return 0;
	k = merkle_split(n);
	if (m < k) {
		if (merkle_path(p, m, off, k, err, errlen) == -1)
			return -1;
		return merkle_proof_push(p, off + k, off + n, err, errlen);
	}
	if (merkle_path(p, m - k, off + k, n - k, err, errlen) == -1)
		return -1;
	return merkle_proof_push(p, off, off + k, err, errlen);
}

/* SUBPROOF(m, D[off:off+n], b) of RFC 9162 2.1.4.1. */
static int
merkle_subproof(struct merkle_proof *p, uint64_t m, uint64_t off, uint64_t n,
    int b, char *err, size_t errlen)
{
	uint64_t	k;

	if (m == n)
		return b ? 0 : merkle_proof_push(p, off, off + n, err, errlen);
	k = merkle_split(n);
	if (m <= k) {
		if (merkle_subproof(p, m, off, k, b, err, errlen) == -1)
			return -1;
		return merkle_proof_push(p, off + k, off + n, err, errlen);
	}
	if (merkle_subproof(p, m - k, off + k, n - k, 0, err, errlen) == -1)
		return -1;
	return merkle_proof_push(p, off, off + k, err, errlen);
}

int
merkle_inclusion_proof(uint64_t m, uint64_t n, merkle_range_fn fn, void *arg,
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len, char *err,
    size_t errlen)
{
	struct merkle_proof	p = { fn, arg, proof, 0 };

	*len = 0;
	if (m >= n || n >= MERKLE_SIZE_MAX) {
		snprintf(err, errlen, "no inclusion proof of leaf %" PRIu64
		    " in a tree of %" PRIu64 " leaves: the leaf must be below "
		    "the size", m, n);
		return -1;
	}
	if (merkle_path(&p, m, 0, n, err, errlen) == -1)
		return -1;
	*len = p.len;
	return 0;
}

int
merkle_consistency_proof(uint64_t m, uint64_t n, merkle_range_fn fn,
    void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len,
    char *err, size_t errlen)
{
	struct merkle_proof	p = { fn, arg, proof, 0 };

	*len = 0;
	if (m == 0 || m > n || n >= MERKLE_SIZE_MAX) {
		snprintf(err, errlen, "no consistency proof from size %" PRIu64
		    " to size %" PRIu64 ": the old size must be between 1 and "
		    "the new size", m, n);
		return -1;
	}
	if (merkle_subproof(&p, m, 0, n, 1, err, errlen) == -1)
		return -1;
	*len = p.len;
	return 0;
}

/* -- Verification ---------------------------------------------------------- */

int
merkle_verify_inclusion(uint64_t m, uint64_t n,
    const uint8_t leaf[MERKLE_HASH_LEN],
    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
    const uint8_t root[MERKLE_HASH_LEN], char *err, size_t errlen)
{
	uint8_t		r[MERKLE_HASH_LEN];
	uint64_t	fn, sn;
	size_t		i;

	if (m >= n) {
		snprintf(err, errlen, "leaf %" PRIu64 " is not in a tree of %"
		    PRIu64 " leaves", m, n);
		return 0;
	}
	fn = m;
	sn = n - 1;
	memcpy(r, leaf, sizeof r);
	for (i = 0; i < len; i++) {
		if (sn == 0) {
			snprintf(err, errlen, "the inclusion proof is too long "
			    "(%zu hashes) for leaf %" PRIu64 " of %" PRIu64,
			    len, m, n);
			return 0;
		}
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			merkle_node_hash(r, proof[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		snprintf(err, errlen, "the inclusion proof is too short (%zu "
		    "hashes) for leaf %" PRIu64 " of %" PRIu64, len, m, n);
		return 0;
	}
	if (memcmp(r, root, sizeof r) != 0) {
		snprintf(err, errlen, "the inclusion proof of leaf %" PRIu64
		    " of %" PRIu64 " does not lead to the root", m, n);
		return 0;
	}
	return 1;
}

int
merkle_verify_consistency(uint64_t m, uint64_t n,
    const uint8_t old[MERKLE_HASH_LEN], const uint8_t new[MERKLE_HASH_LEN],
    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len, char *err,
    size_t errlen)
{
	uint8_t		fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	uint64_t	fn, sn;
	size_t		i = 0;

	if (m > n) {
		snprintf(err, errlen, "size %" PRIu64 " cannot be a prefix of "
		    "the smaller size %" PRIu64, m, n);
		return 0;
	}
	if (m == n || m == 0) {
		if (len != 0) {
			snprintf(err, errlen, "the consistency proof from %"
			    PRIu64 " to %" PRIu64 " must be empty", m, n);
			return 0;
		}
		if (m == n && memcmp(old, new, MERKLE_HASH_LEN) != 0) {
			snprintf(err, errlen, "two trees of size %" PRIu64
			    " have different roots", m);
			return 0;
		}
		return 1;
	}
	if (len == 0) {
		snprintf(err, errlen, "the consistency proof from %" PRIu64
		    " to %" PRIu64 " is empty", m, n);
		return 0;
	}
	/* Step 2: a power-of-two old tree is itself a node of the new one. */
	if ((m & (m - 1)) == 0) {
		memcpy(fr, old, sizeof fr);
	} else
		memcpy(fr, proof[i++], sizeof fr);
	memcpy(sr, fr, sizeof sr);
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0) {
			snprintf(err, errlen, "the consistency proof from %"
			    PRIu64 " to %" PRIu64 " is too long (%zu hashes)",
			    m, n, len);
			return 0;
		}
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else
			merkle_node_hash(sr, proof[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		snprintf(err, errlen, "the consistency proof from %" PRIu64
		    " to %" PRIu64 " is too short (%zu hashes)", m, n, len);
		return 0;
	}
	if (memcmp(fr, old, sizeof fr) != 0) {
		snprintf(err, errlen, "the consistency proof does not lead to "
		    "the old root of size %" PRIu64, m);
		return 0;
	}
	if (memcmp(sr, new, sizeof sr) != 0) {
		snprintf(err, errlen, "the consistency proof does not lead to "
		    "the new root of size %" PRIu64, n);
		return 0;
	}
	return 1;
}
