/*
 * check_merkle.c - Check suite for store/merkle.c: RFC 6962 / RFC 9162
 * tree hashes, inclusion and consistency proofs, and their verification.
 *
 * Anchored to published vectors, not to this code: the eight leaves of
 * the certificate-transparency reference test data (as kept in
 * transparency-dev/merkle testonly/constants.go) with the root of every
 * prefix, and the inclusion and consistency proofs of its
 * reference_test.go.  Then exhaustively for every size up to 64: the
 * streamed root equals a naive recursive MTH written here from the RFC,
 * every proof verifies, and a flipped bit, a wrong index or old size, a
 * missing or extra hash makes it fail.  (A wrong tree size alone can go
 * unseen when both sizes give paths of the same shape: the size is bound
 * by the signed checkpoint, not by the hashes.)
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/merkle.h"
#include "tests/check_main.h"

#define NMAX	64

static const char *const leaf_hex[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f"
};

static const char *const root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

#define H_96A2	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
#define H_5F08	"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
#define H_6B47	"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
#define H_6E34	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
#define H_FAC5	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"
#define H_BC1A	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
#define H_CA85	"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"
#define H_D37E	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"
#define H_0EBC	"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"

/* reference_test.go's TestRefInclusionProof. */
static const struct {
	uint64_t	 m, n;
	size_t		 len;
	const char	*proof[3];
} incl_vec[] = {
	{ 0, 1, 0, { NULL } },
	{ 0, 2, 1, { H_96A2 } },
	{ 1, 2, 1, { H_6E34 } },
	{ 2, 3, 1, { H_FAC5 } },
	{ 1, 5, 3, { H_6E34, H_5F08, H_BC1A } },
	{ 0, 8, 3, { H_96A2, H_5F08, H_6B47 } },
	{ 5, 8, 3, { H_BC1A, H_CA85, H_D37E } },
};

/* reference_test.go's TestRefConsistencyProof. */
static const struct {
	uint64_t	 m, n;
	size_t		 len;
	const char	*proof[3];
} cons_vec[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { H_96A2, H_5F08, H_6B47 } },
	{ 2, 5, 2, { H_5F08, H_BC1A } },
	{ 6, 8, 3, { H_0EBC, H_CA85, H_D37E } },
};

static void
unhex(const char *hex, uint8_t *out, size_t *len)
{
	size_t		i, n = strlen(hex) / 2;
	unsigned	b;

	for (i = 0; i < n; i++) {
		ck_assert(sscanf(hex + 2 * i, "%2x", &b) == 1);
		out[i] = (uint8_t)b;
	}
	*len = n;
}

static void
vec_leaves(uint8_t leaves[8][MERKLE_HASH_LEN])
{
	uint8_t	buf[32];
	size_t	len, i;

	for (i = 0; i < 8; i++) {
		unhex(leaf_hex[i], buf, &len);
		merkle_leaf_hash(buf, len, leaves[i]);
	}
}

static void
hash_of(const char *hex, uint8_t h[MERKLE_HASH_LEN])
{
	size_t	len;

	unhex(hex, h, &len);
	ck_assert_uint_eq(len, MERKLE_HASH_LEN);
}

/* proof[len] is the published proof want[wantlen] (hex). */
static void
same_proof(uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
    const char *const *want, size_t wantlen)
{
	uint8_t	h[MERKLE_HASH_LEN];
	size_t	k;

	ck_assert_uint_eq(len, wantlen);
	for (k = 0; k < len; k++) {
		hash_of(want[k], h);
		ck_assert_mem_eq(proof[k], h, MERKLE_HASH_LEN);
	}
}

/* MTH written straight from RFC 9162 2.1.1, recursively. */
static void
naive_mth(uint8_t (*l)[MERKLE_HASH_LEN], uint64_t n,
    uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t		a[MERKLE_HASH_LEN], b[MERKLE_HASH_LEN];
	uint64_t	k = 1;

	if (n == 1) {
		memcpy(out, l[0], MERKLE_HASH_LEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_mth(l, k, a);
	naive_mth(l + k, n - k, b);
	merkle_node_hash(a, b, out);
}

/* Leaves 0..NMAX-1: leaf hashes of distinct 4-byte strings. */
static void
many_leaves(uint8_t leaves[NMAX][MERKLE_HASH_LEN])
{
	uint8_t	buf[4];
	size_t	i;

	for (i = 0; i < NMAX; i++) {
		buf[0] = 'L';
		buf[1] = (uint8_t)i;
		buf[2] = (uint8_t)(i * 7);
		buf[3] = 0xff;
		merkle_leaf_hash(buf, sizeof buf, leaves[i]);
	}
}

/* The root of the first n leaves. */
static void
root_of(uint8_t (*l)[MERKLE_HASH_LEN], uint64_t n,
    uint8_t out[MERKLE_HASH_LEN])
{
	char	err[256];

	ck_assert_int_eq(merkle_array_range(l, 0, n, out, err, sizeof err), 0);
}

START_TEST(test_leaf_and_node)
{
	uint8_t	leaves[8][MERKLE_HASH_LEN], h[MERKLE_HASH_LEN], want[32];

	vec_leaves(leaves);
	hash_of(root_hex[1], want);
	ck_assert_mem_eq(leaves[0], want, MERKLE_HASH_LEN);
	merkle_node_hash(leaves[0], leaves[1], h);
	hash_of(root_hex[2], want);
	ck_assert_mem_eq(h, want, MERKLE_HASH_LEN);
	hash_of(H_96A2, want);
	ck_assert_mem_eq(leaves[1], want, MERKLE_HASH_LEN);
}
END_TEST

START_TEST(test_vector_roots)
{
	uint8_t			leaves[8][MERKLE_HASH_LEN], h[32], want[32];
	struct merkle_stream	s;
	char			err[256];
	uint64_t		n;

	vec_leaves(leaves);
	merkle_stream_init(&s);
	for (n = 0; n <= 8; n++) {
		hash_of(root_hex[n], want);
		merkle_stream_root(&s, h);
		ck_assert_msg(memcmp(h, want, 32) == 0, "root of %d", (int)n);
		if (n > 0) {
			root_of(leaves, n, h);
			ck_assert_mem_eq(h, want, 32);
		}
		if (n < 8)
			ck_assert_int_eq(merkle_stream_add(&s, leaves[n], err,
			    sizeof err), 0);
	}
}
END_TEST

START_TEST(test_vector_inclusion)
{
	uint8_t	leaves[8][MERKLE_HASH_LEN], root[32];
	uint8_t	proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	char	err[256];
	size_t	i, len;

	vec_leaves(leaves);
	for (i = 0; i < sizeof incl_vec / sizeof incl_vec[0]; i++) {
		ck_assert_int_eq(merkle_inclusion_proof(incl_vec[i].m,
		    incl_vec[i].n, merkle_array_range, leaves, proof, &len, err,
		    sizeof err), 0);
		same_proof(proof, len, incl_vec[i].proof, incl_vec[i].len);
		hash_of(root_hex[incl_vec[i].n], root);
		ck_assert_int_eq(merkle_verify_inclusion(incl_vec[i].m,
		    incl_vec[i].n, leaves[incl_vec[i].m],
		    (const uint8_t (*)[32])proof, len, root, err, sizeof err),
		    1);
	}
}
END_TEST

START_TEST(test_vector_consistency)
{
	uint8_t	proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	uint8_t	leaves[8][MERKLE_HASH_LEN], r1[32], r2[32];
	char	err[256];
	size_t	i, len;

	vec_leaves(leaves);
	for (i = 0; i < sizeof cons_vec / sizeof cons_vec[0]; i++) {
		ck_assert_int_eq(merkle_consistency_proof(cons_vec[i].m,
		    cons_vec[i].n, merkle_array_range, leaves, proof, &len, err,
		    sizeof err), 0);
		same_proof(proof, len, cons_vec[i].proof, cons_vec[i].len);
		hash_of(root_hex[cons_vec[i].m], r1);
		hash_of(root_hex[cons_vec[i].n], r2);
		ck_assert_int_eq(merkle_verify_consistency(cons_vec[i].m,
		    cons_vec[i].n, r1, r2, (const uint8_t (*)[32])proof, len,
		    err, sizeof err), 1);
	}
}
END_TEST

/* Every size to NMAX: stream, array and naive roots agree. */
START_TEST(test_roots_all_sizes)
{
	uint8_t			l[NMAX][MERKLE_HASH_LEN], a[32], b[32], c[32];
	struct merkle_stream	s;
	char			err[256];
	uint64_t		n;

	many_leaves(l);
	merkle_stream_init(&s);
	for (n = 1; n <= NMAX; n++) {
		ck_assert_int_eq(merkle_stream_add(&s, l[n - 1], err,
		    sizeof err), 0);
		merkle_stream_root(&s, a);
		root_of(l, n, b);
		naive_mth(l, n, c);
		ck_assert_mem_eq(a, c, 32);
		ck_assert_mem_eq(b, c, 32);
		ck_assert_uint_eq(s.size, n);
	}
}
END_TEST

START_TEST(test_inclusion_all)
{
	uint8_t		l[NMAX][MERKLE_HASH_LEN], root[32], other[32];
	uint8_t		p[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	const uint8_t	(*cp)[MERKLE_HASH_LEN] = (const uint8_t (*)[32])p;
	char		err[256];
	uint64_t	n, m;
	size_t		len, k;
	int		bit;

	many_leaves(l);
	for (n = 1; n <= NMAX; n++) {
		naive_mth(l, n, root);
		for (m = 0; m < n; m++) {
			ck_assert_int_eq(merkle_inclusion_proof(m, n,
			    merkle_array_range, l, p, &len, err, sizeof err),
			    0);
			ck_assert_int_eq(merkle_verify_inclusion(m, n, l[m], cp,
			    len, root, err, sizeof err), 1);
			/* Another leaf or index. */
			ck_assert_int_eq(merkle_verify_inclusion(m, n,
			    l[(m + 1) % NMAX], cp, len, root, err, sizeof err),
			    0);
			if (n > 1)
				ck_assert_int_eq(merkle_verify_inclusion(
				    (m + 1) % n, n, l[m], cp, len, root, err,
				    sizeof err), 0);
			ck_assert_int_eq(merkle_verify_inclusion(n, n, l[m],
			    cp, len, root, err, sizeof err), 0);
			/* A hash too few, a hash too many. */
			if (len > 0)
				ck_assert_int_eq(merkle_verify_inclusion(m, n,
				    l[m], cp, len - 1, root, err, sizeof err),
				    0);
			memcpy(p[len], root, 32);
			ck_assert_int_eq(merkle_verify_inclusion(m, n, l[m],
			    cp, len + 1, root, err, sizeof err), 0);
			/* Every flipped bit of the proof and the root. */
			for (k = 0; k < len; k++)
				for (bit = 0; bit < 256; bit += 37) {
					p[k][bit / 8] ^= 1 << (bit % 8);
					ck_assert_int_eq(merkle_verify_inclusion(
					    m, n, l[m], cp, len, root, err,
					    sizeof err), 0);
					p[k][bit / 8] ^= 1 << (bit % 8);
				}
			memcpy(other, root, 32);
			other[31] ^= 1;
			ck_assert_int_eq(merkle_verify_inclusion(m, n, l[m], cp,
			    len, other, err, sizeof err), 0);
		}
	}
}
END_TEST

START_TEST(test_consistency_all)
{
	uint8_t		l[NMAX][MERKLE_HASH_LEN], r1[32], r2[32], r0[32];
	uint8_t		p[MERKLE_PROOF_MAX + 1][MERKLE_HASH_LEN];
	const uint8_t	(*cp)[MERKLE_HASH_LEN] = (const uint8_t (*)[32])p;
	char		err[256];
	uint64_t	n, m;
	size_t		len, k;
	int		bit;

	many_leaves(l);
	for (n = 1; n <= NMAX; n++) {
		naive_mth(l, n, r2);
		for (m = 1; m <= n; m++) {
			naive_mth(l, m, r1);
			ck_assert_int_eq(merkle_consistency_proof(m, n,
			    merkle_array_range, l, p, &len, err, sizeof err),
			    0);
			ck_assert_msg(merkle_verify_consistency(m, n, r1, r2,
			    cp, len, err, sizeof err) == 1, "%d->%d: %s",
			    (int)m, (int)n, err);
			/* Swapped roots. */
			if (m < n)
				ck_assert_int_eq(merkle_verify_consistency(m,
				    n, r2, r1, cp, len, err, sizeof err), 0);
			if (m > 1) {
				naive_mth(l, m - 1, r0);
				ck_assert_int_eq(merkle_verify_consistency(
				    m - 1, n, r0, r2, cp, len, err,
				    sizeof err), 0);
			}
			/* A hash too few, a hash too many. */
			if (len > 0)
				ck_assert_int_eq(merkle_verify_consistency(m,
				    n, r1, r2, cp, len - 1, err, sizeof err),
				    0);
			memcpy(p[len], r2, 32);
			ck_assert_int_eq(merkle_verify_consistency(m, n, r1, r2,
			    cp, len + 1, err, sizeof err), 0);
			for (k = 0; k < len; k++)
				for (bit = 0; bit < 256; bit += 37) {
					p[k][bit / 8] ^= 1 << (bit % 8);
					ck_assert_int_eq(
					    merkle_verify_consistency(m, n, r1,
					    r2, cp, len, err, sizeof err), 0);
					p[k][bit / 8] ^= 1 << (bit % 8);
				}
			r1[0] ^= 0x80;
			ck_assert_int_eq(merkle_verify_consistency(m, n, r1, r2,
			    cp, len, err, sizeof err), 0);
		}
	}
}
END_TEST

START_TEST(test_bad_arguments)
{
	uint8_t	l[4][MERKLE_HASH_LEN], p[MERKLE_PROOF_MAX][32], r[32];
	char	err[256];
	size_t	len;

	memset(l, 0, sizeof l);
	memset(r, 0, sizeof r);
	ck_assert_int_eq(merkle_inclusion_proof(4, 4, merkle_array_range, l,
	    p, &len, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "below the size"));
	ck_assert_int_eq(merkle_consistency_proof(0, 4, merkle_array_range, l,
	    p, &len, err, sizeof err), -1);
	ck_assert_int_eq(merkle_consistency_proof(5, 4, merkle_array_range, l,
	    p, &len, err, sizeof err), -1);
	/* Size 0 to anything: the empty proof holds, a non-empty one not. */
	ck_assert_int_eq(merkle_verify_consistency(0, 4, r, r, NULL, 0, err,
	    sizeof err), 1);
	ck_assert_int_eq(merkle_verify_consistency(0, 4, r, r,
	    (const uint8_t (*)[32])p, 1, err, sizeof err), 0);
	ck_assert_int_eq(merkle_verify_consistency(5, 4, r, r, NULL, 0, err,
	    sizeof err), 0);
	/* Equal sizes, different roots. */
	l[0][0] = 1;
	ck_assert_int_eq(merkle_verify_consistency(3, 3, r, l[0], NULL, 0, err,
	    sizeof err), 0);
	/* Sizes from 1 to 2^63 - 1 give proofs within the bound. */
	ck_assert_int_eq(merkle_verify_inclusion(0, 0, r, NULL, 0, r, err,
	    sizeof err), 0);
}
END_TEST

static Suite *
merkle_suite(void)
{
	Suite	*s = suite_create("merkle");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_leaf_and_node);
	tcase_add_test(tc, test_vector_roots);
	tcase_add_test(tc, test_vector_inclusion);
	tcase_add_test(tc, test_vector_consistency);
	tcase_add_test(tc, test_roots_all_sizes);
	tcase_add_test(tc, test_inclusion_all);
	tcase_add_test(tc, test_consistency_all);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return check_main(merkle_suite());
}
