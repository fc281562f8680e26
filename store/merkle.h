/*
 * merkle.h - the RFC 6962 Merkle tree hash (as restated by RFC 9162
 * section 2.1), its inclusion and consistency proofs, and their
 * verification.  The journal is such a log: its leaves are the canonical
 * bodies of entries 1..size, and a checkpoint of tree 'rfc6962' signs the
 * tree hash of the first size leaves (store/journal.h).
 *
 * Indices are 0-based here as in the RFC (leaf m is journal seq m + 1).
 * Sizes are uint64_t; a tree has at most 2^63 leaves (the journal's seq
 * is an SQLite integer), so no proof is longer than MERKLE_PROOF_MAX
 * hashes.  Hashing cannot fail short of running out of memory, which
 * aborts; everything else returns 0 (or 1 for "verifies") or -1 with a
 * sentence in the caller's err buffer.  Nothing here allocates.
 */
#ifndef INVIGIL_STORE_MERKLE_H
#define INVIGIL_STORE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_LEN		32	/* SHA-256 */
#define MERKLE_PROOF_MAX	64	/* hashes in any proof of < 2^63 leaves */

/* Leaf hash, RFC 9162 2.1.1: SHA-256(0x00 || data[len]). */
void	merkle_leaf_hash(const void *data, size_t len,
	    uint8_t out[MERKLE_HASH_LEN]);

/* Interior node hash, RFC 9162 2.1.1: SHA-256(0x01 || left || right). */
void	merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN],
	    const uint8_t right[MERKLE_HASH_LEN], uint8_t out[MERKLE_HASH_LEN]);

/*
 * A streaming tree hash (a compact range starting at leaf 0): the hashes
 * of the perfect subtrees that the binary digits of size decompose the
 * leaves so far into, largest first.  O(log n) memory however many
 * leaves are added, so a verifier can hash a journal of any length row by
 * row and read off the root at each size it meets.
 */
struct merkle_stream {
	uint64_t	size;			/* leaves added */
	size_t		depth;			/* hashes on the stack */
	uint8_t		stack[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
};

/* An empty stream (size 0). */
void	merkle_stream_init(struct merkle_stream *);

/*
 * Add one leaf given by its leaf hash (merkle_leaf_hash of the entry).
 * -1 with a sentence once 2^63 leaves have been added.
 */
int	merkle_stream_add(struct merkle_stream *,
	    const uint8_t leaf[MERKLE_HASH_LEN], char *err, size_t errlen);

/*
 * MTH of the leaves added so far, RFC 9162 2.1.1: SHA-256 of the empty
 * string for none, the leaf hash for one, else the node hash of the tree
 * hashes of the first k leaves (k the largest power of two < n) and of
 * the rest.  The stream is not changed.
 */
void	merkle_stream_root(const struct merkle_stream *,
	    uint8_t out[MERKLE_HASH_LEN]);

/*
 * Where proofs come from: fn computes MTH of the leaves [start, end)
 * (0 <= start < end <= the tree's size) into out; 0, or -1 with a
 * sentence (a row that cannot be read).  merkle_array_range() is one
 * over an array of leaf hashes (arg is the array).
 */
typedef int	(*merkle_range_fn)(void *arg, uint64_t start, uint64_t end,
		    uint8_t out[MERKLE_HASH_LEN], char *err, size_t errlen);
int	merkle_array_range(void *leaves, uint64_t start, uint64_t end,
	    uint8_t out[MERKLE_HASH_LEN], char *err, size_t errlen);

/*
 * The audit path of leaf m in the tree of the first n leaves, PATH(m,
 * D[n]) of RFC 9162 2.1.3.1, into proof (*len hashes, leaf-side first).
 * 0 <= m < n.  Each hash is one call of fn.  0, or -1 with a sentence
 * (m out of range, or fn's error).
 */
int	merkle_inclusion_proof(uint64_t m, uint64_t n, merkle_range_fn fn,
	    void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
	    size_t *len, char *err, size_t errlen);

/*
 * The consistency proof between the trees of the first m and the first n
 * leaves, PROOF(m, D[n]) of RFC 9162 2.1.4.1, into proof (*len hashes).
 * 0 < m <= n; m == n gives the empty proof.  0, or -1 with a sentence.
 */
int	merkle_consistency_proof(uint64_t m, uint64_t n, merkle_range_fn fn,
	    void *arg, uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN],
	    size_t *len, char *err, size_t errlen);

/*
 * Verify an inclusion proof without the tree, RFC 9162 2.1.3.2: leaf (a
 * leaf hash) is leaf m of the tree of size n whose root is root.
 * 1 if it holds, 0 if not (err says which check failed: index out of
 * range, path too short or too long, root differs).
 */
int	merkle_verify_inclusion(uint64_t m, uint64_t n,
	    const uint8_t leaf[MERKLE_HASH_LEN],
	    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
	    const uint8_t root[MERKLE_HASH_LEN], char *err, size_t errlen);

/*
 * Verify a consistency proof without the tree, RFC 9162 2.1.4.2: the
 * tree of size m and root old is a prefix of the tree of size n and root
 * new.  Beyond the RFC's 0 < m < n: m == n holds with an empty proof and
 * equal roots, m == 0 with an empty proof (every tree extends the empty
 * one).  1 if it holds, 0 if not (err says why).
 */
int	merkle_verify_consistency(uint64_t m, uint64_t n,
	    const uint8_t old[MERKLE_HASH_LEN],
	    const uint8_t new[MERKLE_HASH_LEN],
	    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
	    char *err, size_t errlen);

#endif /* INVIGIL_STORE_MERKLE_H */
