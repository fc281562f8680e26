/*
 * check_sign.c - Check suite for store/sign.c: key names, the C2SP signed
 * note and checkpoint formats, verifier keys, files of notes, the hash
 * helpers, and identity keys in files.
 *
 * The note format is anchored to a published vector, not to this code:
 * the example of Go's golang.org/x/mod/sumdb/note package (PeterNeumann's
 * signer and verifier keys and a signed note of a two-line text).  Ed25519
 * is deterministic, so signing that text with that seed must give the
 * published signature line byte for byte.  The hashes are checked against
 * FIPS 180-2's SHA-256 examples.
 *
 * Key files are made under a fresh mkdtemp directory set as
 * XDG_CONFIG_HOME.  test_peer_export checks a signed checkpoint with an
 * independent implementation (node tests/peer/verify-note.js; node is
 * required); with SIGN_PEER_DIR set it also leaves the note (note.txt) and
 * its verifier key (vkey.txt) there for tests/e2e-sign-peer.sh.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700	/* mkdtemp, nftw, setenv */
#endif

#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "store/sign.h"

#define CHECK_TMP_NAME	"check_sign"
#include "check_tmp.h"
#include "tests/check_main.h"

/* The example of golang.org/x/mod/sumdb/note (note.go, example_test.go). */
#define PETER_KEY64	"ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_VKEY	"PeterNeumann+c74f20a3+" PETER_KEY64
#define PETER_SKEY	"PRIVATE+KEY+PeterNeumann+c74f20a3+" \
			"AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_TEXT	"If you think cryptography is the answer to your " \
			"problem,\nthen you don't know what your problem is.\n"
#define PETER_B64	"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUg" \
			"YN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
#define PETER_SIGLINE	"\xe2\x80\x94 PeterNeumann " PETER_B64 "\n"
#define PETER_NOTE	PETER_TEXT "\n" PETER_SIGLINE

#define DASH		"\xe2\x80\x94 "

/* SHA-256("abc"), FIPS 180-2 appendix B.1. */
#define ABC_SHA256	"ba7816bf8f01cfea414140de5dae2223" \
			"b00361a396177a9cb410ff61f20015ad"
/* SHA-256 of the 56-byte message of FIPS 180-2 appendix B.2. */
#define B2_MSG		"abcdbcdecdefdefgefghfghighijhijk" \
			"ijkljklmklmnlmnomnopnopq"
#define B2_SHA256	"248d6a61d20638b8e5c026930c3e6039" \
			"a33ce45964ff2167f6ecedd419db06c1"

static char	tmpdir[64];
static char	keydir[256];
static char	err[1024];

static void
setup(void)
{
	check_tmp_make(tmpdir, sizeof tmpdir);
	ck_assert_int_eq(setenv("XDG_CONFIG_HOME", tmpdir, 1), 0);
	snprintf(keydir, sizeof keydir, "%s/invigil", tmpdir);
	err[0] = '\0';
}

static void
teardown(void)
{
	check_tmp_rm(tmpdir);
	unsetenv("XDG_CONFIG_HOME");
}

/* The seed of PETER_SKEY: the base64 after the fourth '+', less 0x01. */
static void
peter_seed(uint8_t seed[32])
{
	const char	*b64 = PETER_SKEY + strlen("PRIVATE+KEY+PeterNeumann+"
			    "c74f20a3+");
	uint8_t		 raw[36];

	ck_assert_int_eq(strlen(b64), 44);
	ck_assert_int_eq(EVP_DecodeBlock(raw, (const unsigned char *)b64, 44),
	    33);
	ck_assert_int_eq(raw[0], 0x01);
	memcpy(seed, raw + 1, 32);
}

static struct sign_key *
peter_key(void)
{
	struct sign_key	*k;
	uint8_t		 seed[32];

	peter_seed(seed);
	k = sign_key_from_seed("PeterNeumann", seed, err, sizeof err);
	if (k == NULL)
		ck_abort_msg("sign_key_from_seed: %s", err);
	return k;
}

static struct sign_key *
seed_key(const char *name, uint8_t fill)
{
	struct sign_key	*k;
	uint8_t		 seed[32];

	memset(seed, fill, sizeof seed);
	k = sign_key_from_seed(name, seed, err, sizeof err);
	if (k == NULL)
		ck_abort_msg("sign_key_from_seed: %s", err);
	return k;
}

static void
parse_ok(const char *text, struct sign_note *n)
{
	if (sign_note_parse(text, strlen(text), n, err, sizeof err) != 0)
		ck_abort_msg("sign_note_parse: %s\n%s", err, text);
}

/* Parse of len bytes must fail with a message that holds want. */
static void
parse_fails_len(const char *text, size_t len, const char *want)
{
	struct sign_note	n;

	err[0] = '\0';
	if (sign_note_parse(text, len, &n, err, sizeof err) != -1)
		ck_abort_msg("parsed, but should not have:\n%.*s", (int)len,
		    text);
	ck_assert_ptr_null(n.text);
	if (strstr(err, want) == NULL)
		ck_abort_msg("\"%s\" does not mention \"%s\"", err, want);
	sign_note_clear(&n);
}

static void
parse_fails(const char *text, const char *want)
{
	parse_fails_len(text, strlen(text), want);
}

/* The base64 of n bytes of fill. */
static void
b64_of(uint8_t fill, size_t n, char *out)
{
	uint8_t	buf[128];

	memset(buf, fill, n);
	EVP_EncodeBlock((unsigned char *)out, buf, (int)n);
}

START_TEST(test_name_valid)
{
	char	long_name[SIGN_NAME_MAX + 2];

	ck_assert_int_eq(sign_name_valid("PeterNeumann", err, sizeof err), 0);
	ck_assert_int_eq(sign_name_valid("invigil.example/proctor-7", err,
	    sizeof err), 0);
	memset(long_name, 'a', SIGN_NAME_MAX);
	long_name[SIGN_NAME_MAX] = '\0';
	ck_assert_int_eq(sign_name_valid(long_name, err, sizeof err), 0);
	long_name[SIGN_NAME_MAX] = 'a';
	long_name[SIGN_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(sign_name_valid(long_name, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "65 bytes"));
	ck_assert_int_eq(sign_name_valid("", err, sizeof err), -1);
	ck_assert_int_eq(sign_name_valid("a+b", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "'+'"));
	ck_assert_int_eq(sign_name_valid("a b", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "0x20 at byte 2"));
	ck_assert_int_eq(sign_name_valid("caf\xc3\xa9", err, sizeof err), -1);
	ck_assert_int_eq(sign_name_valid("tab\t", err, sizeof err), -1);
}
END_TEST

START_TEST(test_peter_sign)
{
	struct sign_key	*k = peter_key();
	char		*note;

	ck_assert_str_eq(sign_key_vkey(k), PETER_VKEY);
	ck_assert_uint_eq(sign_key_id(k), 0xc74f20a3);
	ck_assert_str_eq(sign_key_name(k), "PeterNeumann");
	ck_assert_str_eq(sign_key_path(k), "");
	note = sign_note(k, PETER_TEXT, err, sizeof err);
	if (note == NULL)
		ck_abort_msg("sign_note: %s", err);
	ck_assert_str_eq(note, PETER_NOTE);
	free(note);
	sign_key_free(k);
}
END_TEST

START_TEST(test_peter_verify)
{
	struct sign_note	n;

	parse_ok(PETER_NOTE, &n);
	ck_assert_str_eq(n.text, PETER_TEXT);
	ck_assert_uint_eq(n.textlen, strlen(PETER_TEXT));
	ck_assert_uint_eq(n.nsigs, 1);
	ck_assert_str_eq(n.sigs[0].name, "PeterNeumann");
	ck_assert_uint_eq(n.sigs[0].key_id, 0xc74f20a3);
	ck_assert_uint_eq(n.sigs[0].siglen, 64);
	ck_assert_int_eq(n.is_checkpoint, 0);
	ck_assert_int_eq(sign_note_verify(&n, PETER_VKEY, err, sizeof err), 1);
	sign_note_clear(&n);
	ck_assert_ptr_null(n.text);
	sign_note_clear(&n);	/* twice is harmless */
}
END_TEST

/* Where the signature's base64 starts in PETER_NOTE. */
#define PETER_B64_AT	(sizeof PETER_NOTE - sizeof PETER_B64 - 1)

/* sign_note_verify() of PETER_NOTE with byte at set to c. */
static int
verify_edited(size_t at, char c)
{
	struct sign_note	n;
	char			buf[sizeof PETER_NOTE];
	int			r;

	memcpy(buf, PETER_NOTE, sizeof buf);
	buf[at] = c;
	parse_ok(buf, &n);
	r = sign_note_verify(&n, PETER_VKEY, err, sizeof err);
	sign_note_clear(&n);
	return r;
}

/* sign_note_verify() of PETER_NOTE parsed, then changed by edit(n, i). */
static int
verify_changed(void (*edit)(struct sign_note *, int), int i)
{
	struct sign_note	n;
	int			r;

	parse_ok(PETER_NOTE, &n);
	edit(&n, i);
	r = sign_note_verify(&n, PETER_VKEY, err, sizeof err);
	sign_note_clear(&n);
	return r;
}

static void
flip_sig_byte(struct sign_note *n, int i)
{
	n->sigs[0].sig[i] ^= 0x10;
}

static void
flip_key_id_bit(struct sign_note *n, int i)
{
	n->sigs[0].key_id ^= 1u << i;
}

/* One bit flipped anywhere in the signed text: the signature fails. */
START_TEST(test_flipped_text)
{
	size_t	i;

	for (i = 0; i < strlen(PETER_TEXT) - 1; i += 7) {
		if (PETER_NOTE[i] == '\n')
			continue;	/* would make a control character */
		ck_assert_int_eq(verify_edited(i, PETER_NOTE[i] ^ 0x01), 0);
		ck_assert_ptr_nonnull(strstr(err, "does not verify"));
	}
}
END_TEST

START_TEST(test_flipped_signature)
{
	int	i;

	/* In the parsed signature. */
	for (i = 0; i < 64; i += 9)
		ck_assert_int_eq(verify_changed(flip_sig_byte, i), 0);
	/* In the base64 on the line, past the key id (first 6 characters). */
	ck_assert_int_eq(PETER_NOTE[PETER_B64_AT], 'x');
	ck_assert_int_eq(verify_edited(PETER_B64_AT + 40, 'A'), 0);
	ck_assert_int_eq(verify_edited(PETER_B64_AT + 80, 'A'), 0);
}
END_TEST

/* A key id that is not the vkey's: not a signature by that key at all. */
START_TEST(test_flipped_key_id)
{
	int	bit;

	for (bit = 0; bit < 32; bit += 5) {
		ck_assert_int_eq(verify_changed(flip_key_id_bit, bit), -2);
		ck_assert_ptr_nonnull(strstr(err, "no signature by "
		    "PeterNeumann+c74f20a3"));
	}
	/* "x08g" -> "xZ8g" on the line: the key id changes. */
	ck_assert_int_eq(verify_edited(PETER_B64_AT + 1, 'Z'), -2);
}
END_TEST

START_TEST(test_wrong_vkey)
{
	struct sign_note	 n;
	struct sign_key		*other, *same_name;

	parse_ok(PETER_NOTE, &n);
	other = seed_key("EnochRoot", 7);
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(other), err,
	    sizeof err), -2);
	/* The same name, another key: its id differs, so also -2. */
	same_name = seed_key("PeterNeumann", 7);
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(same_name), err,
	    sizeof err), -2);
	sign_key_free(other);
	sign_key_free(same_name);
	sign_note_clear(&n);
}
END_TEST

START_TEST(test_bad_vkeys)
{
	static const char *bad[] = {
		"",
		"PeterNeumann",
		"PeterNeumann+c74f20a3",
		"PeterNeumann+c74f20a3+",
		"+c74f20a3+" PETER_KEY64,
		"PeterNeumann+c74f20a4+" PETER_KEY64,		/* [5] */
		"PeterNeumann+c74f20a+" PETER_KEY64,
		"PeterNeumann+c74f20g3+" PETER_KEY64,
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
		    "LDE4izWy10T",
		PETER_VKEY "==",
		PETER_VKEY "AA==",
		PETER_VKEY " ",
		"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
		    "LDE4izWy10T!",
		"Peter Neumann+c74f20a3+" PETER_KEY64,
		"Peter\nNeumann+c74f20a3+" PETER_KEY64,
		"PeterNeumannX+c74f20a3+" PETER_KEY64,
		/* [16] Type 0x02, the rest of the bytes the same. */
		"PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
		    "LDE4izWy10TW",
	};
	struct sign_note	n;
	size_t			i;

	parse_ok(PETER_NOTE, &n);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (sign_note_verify(&n, bad[i], err, sizeof err) != -1)
			ck_abort_msg("vkey \"%s\" was accepted", bad[i]);
		ck_assert_str_ne(err, "");
	}
	ck_assert_int_eq(sign_note_verify(&n, bad[5], err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not match"));
	ck_assert_int_eq(sign_note_verify(&n, bad[16], err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not an Ed25519 key"));
	sign_note_clear(&n);
}
END_TEST

START_TEST(test_parse_errors)
{
	char	buf[1024], root31[64], root32[64];

	b64_of(0xab, 31, root31);
	b64_of(0xab, 32, root32);

	/* No empty line between text and signatures. */
	parse_fails(PETER_TEXT PETER_SIGLINE, "line 3");
	/* A signature line without the em dash. */
	parse_fails("hello\n\n- PeterNeumann " PETER_B64 "\n", "line 3");
	parse_fails("hello\n\n" PETER_SIGLINE "PeterNeumann " PETER_B64 "\n",
	    "line 4");
	/* Bad base64: a stray character, no padding, non-zero pad bits. */
	parse_fails("hello\n\n" DASH "PeterNeumann x08go/ZJk!uBS=\n", "line 3");
	parse_fails("hello\n\n" DASH "PeterNeumann AAAAAAA\n", "line 3");
	parse_fails("hello\n\n" DASH "PeterNeumann AAAAAAB=\n", "line 3");
	parse_fails("hello\n\n" DASH "PeterNeumann AAAAAA==\n", "line 3");
	/* Fewer than 5 bytes. */
	parse_fails("hello\n\n" DASH "PeterNeumann AAAA\n", "line 3");
	/* No space, a '+' in the name. */
	parse_fails("hello\n\n" DASH "PeterNeumann\n", "line 3");
	parse_fails("hello\n\n" DASH "Peter+Neumann " PETER_B64 "\n", "line 3");
	/* The tree size "007". */
	snprintf(buf, sizeof buf, "example.com/log\n007\n%s\n\n"
	    PETER_SIGLINE, root32);
	parse_fails(buf, "line 2");
	ck_assert_ptr_nonnull(strstr(err, "leading zero"));
	/* A size past 64 bits. */
	snprintf(buf, sizeof buf, "example.com/log\n18446744073709551616\n%s\n"
	    "\n" PETER_SIGLINE, root32);
	parse_fails(buf, "line 2");
	/* A root of 31 bytes. */
	snprintf(buf, sizeof buf, "example.com/log\n7\n%s\n\n" PETER_SIGLINE,
	    root31);
	parse_fails(buf, "line 3");
	ck_assert_ptr_nonnull(strstr(err, "31 bytes"));
	/* An empty extension line (the last empty line splits, so one more). */
	snprintf(buf, sizeof buf, "example.com/log\n7\n%s\next\n\nmore\n\n"
	    PETER_SIGLINE, root32);
	parse_fails(buf, "line 5");
	/* The last line without its newline. */
	parse_fails_len(PETER_NOTE, strlen(PETER_NOTE) - 1, "line 4");
	/* No signature line after the empty line; an empty line too many. */
	parse_fails(PETER_TEXT "\n", "line 3");
	parse_fails(PETER_NOTE "\n", "line 5");
	/* Control characters, invalid UTF-8, a NUL. */
	parse_fails("hel\tlo\n\n" PETER_SIGLINE, "line 1");
	parse_fails("hello\r\n\n" PETER_SIGLINE, "line 1");
	parse_fails("a\nb\xc3\x28\n\n" PETER_SIGLINE, "line 2");
	parse_fails("a\n\xed\xa0\x80\n\n" PETER_SIGLINE, "line 2"); /* U+D800 */
	parse_fails("a\n\xc0\xaf\n\n" PETER_SIGLINE, "line 2");	/* overlong */
	parse_fails_len("a\0b\n\n" PETER_SIGLINE, 5 + strlen(PETER_SIGLINE),
	    "line 1");
	parse_fails("", "empty");
}
END_TEST

START_TEST(test_parse_sigs)
{
	struct sign_note	n;
	char			buf[8192], line[512], longname[80];
	int			i;

	/* 16 signatures are kept, a 17th is refused. */
	snprintf(buf, sizeof buf, "hello\n\n");
	for (i = 0; i < SIGN_MAX_SIGS; i++)
		strcat(buf, PETER_SIGLINE);
	parse_ok(buf, &n);
	ck_assert_uint_eq(n.nsigs, SIGN_MAX_SIGS);
	sign_note_clear(&n);
	strcat(buf, PETER_SIGLINE);
	parse_fails(buf, "line 19");

	/*
	 * A name longer than ours is checked but not kept; a Unicode name and
	 * a signature of another length are kept; an empty line in the text
	 * is allowed (the last one splits).
	 */
	memset(longname, 'n', SIGN_NAME_MAX + 1);
	longname[SIGN_NAME_MAX + 1] = '\0';
	snprintf(line, sizeof line, DASH "%s %s\n", longname, PETER_B64);
	snprintf(buf, sizeof buf, "one\n\nthree\n\n%s" DASH "caf\xc3\xa9 "
	    "AAAAAAAA\n" PETER_SIGLINE, line);
	parse_ok(buf, &n);
	ck_assert_str_eq(n.text, "one\n\nthree\n");
	ck_assert_uint_eq(n.nsigs, 2);
	ck_assert_str_eq(n.sigs[0].name, "caf\xc3\xa9");
	ck_assert_uint_eq(n.sigs[0].siglen, 2);
	ck_assert_int_eq(n.is_checkpoint, 0);
	ck_assert_int_eq(sign_note_verify(&n, PETER_VKEY, err, sizeof err), 0);
	sign_note_clear(&n);

	/* A name with a Unicode space (U+00A0) is malformed. */
	parse_fails("hi\n\n" DASH "a\xc2\xa0" "b AAAAAAAA\n", "line 3");

	/* Three lines whose second is not a number: a plain note. */
	parse_ok("origin\nnot a size\nxyz\n\n" PETER_SIGLINE, &n);
	ck_assert_int_eq(n.is_checkpoint, 0);
	sign_note_clear(&n);
}
END_TEST

START_TEST(test_two_signers)
{
	struct sign_key		*a, *b;
	struct sign_note	 n;
	char			*na, *nb, buf[2048];

	a = peter_key();
	b = seed_key("invigil.example/witness", 0x42);
	na = sign_note(a, PETER_TEXT, err, sizeof err);
	nb = sign_note(b, PETER_TEXT, err, sizeof err);
	ck_assert_ptr_nonnull(na);
	ck_assert_ptr_nonnull(nb);
	/* The same text: both signature lines under one text. */
	snprintf(buf, sizeof buf, "%s%s", na, nb + strlen(PETER_TEXT) + 1);
	parse_ok(buf, &n);
	ck_assert_uint_eq(n.nsigs, 2);
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(a), err,
	    sizeof err), 1);
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(b), err,
	    sizeof err), 1);
	/* A bad signature by the same key, repeated, spoils it. */
	n.sigs[1] = n.sigs[0];
	n.sigs[1].sig[0] ^= 1;
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(a), err,
	    sizeof err), 0);
	sign_note_clear(&n);
	free(na);
	free(nb);
	sign_key_free(a);
	sign_key_free(b);
}
END_TEST

START_TEST(test_sign_text_rules)
{
	struct sign_key	*k = peter_key();

	ck_assert_ptr_null(sign_note(k, "", err, sizeof err));
	ck_assert_ptr_null(sign_note(k, "no newline", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "newline"));
	ck_assert_ptr_null(sign_note(k, "a\n\nb\n", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "line 2"));
	ck_assert_ptr_null(sign_note(k, "\nb\n", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "line 1"));
	ck_assert_ptr_null(sign_note(k, "a\nb\x01\n", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "line 2"));
	ck_assert_ptr_null(sign_note(k, "a\xff\n", err, sizeof err));
	sign_key_free(k);
}
END_TEST

START_TEST(test_checkpoint_roundtrip)
{
	static const uint64_t	 sizes[] = { 0, 1, 12345, UINT64_MAX };
	struct sign_key		*k = seed_key("invigil.example/console", 9);
	struct sign_note	 n;
	uint8_t			 root[SIGN_HASH_LEN];
	char			 body[256], want[1024], *note;
	size_t			 i;

	sign_sha256("abc", 3, root);
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body,
	    "invigil.example/journal", 12345, root, err, sizeof err), 0);
	ck_assert_str_eq(body, "invigil.example/journal\n12345\n"
	    "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\n");
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		ck_assert_int_eq(sign_checkpoint_body(body, sizeof body,
		    "invigil.example/journal", sizes[i], root, err,
		    sizeof err), 0);
		note = sign_note(k, body, err, sizeof err);
		ck_assert_ptr_nonnull(note);
		snprintf(want, sizeof want, "%s\n" DASH "invigil.example/"
		    "console ", body);
		ck_assert_int_eq(strncmp(note, want, strlen(want)), 0);
		parse_ok(note, &n);
		ck_assert_int_eq(n.is_checkpoint, 1);
		ck_assert_str_eq(n.origin, "invigil.example/journal");
		ck_assert_uint_eq(n.size, sizes[i]);
		ck_assert_mem_eq(n.root, root, SIGN_HASH_LEN);
		ck_assert_str_eq(n.text, body);
		ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(k), err,
		    sizeof err), 1);
		sign_note_clear(&n);
		free(note);
	}
	/* Bad origins, a buffer too small. */
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body, "", 1, root,
	    err, sizeof err), -1);
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body, "a\nb", 1,
	    root, err, sizeof err), -1);
	memset(want, 'o', 256);
	want[256] = '\0';
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body, want, 1, root,
	    err, sizeof err), -1);
	ck_assert_int_eq(sign_checkpoint_body(body, 40, "invigil.example/"
	    "journal", 1, root, err, sizeof err), -1);
	/* Extension lines are allowed. */
	sign_checkpoint_body(body, sizeof body, "o", 5, root, err, sizeof err);
	snprintf(want, sizeof want, "%sext one\n\n" PETER_SIGLINE, body);
	parse_ok(want, &n);
	ck_assert_int_eq(n.is_checkpoint, 1);
	ck_assert_uint_eq(n.size, 5);
	sign_note_clear(&n);
	sign_key_free(k);
}
END_TEST

START_TEST(test_hashes)
{
	uint8_t	h[SIGN_HASH_LEN], h2[SIGN_HASH_LEN], prev[SIGN_HASH_LEN];
	char	hex[2 * SIGN_HASH_LEN + 1], upper[2 * SIGN_HASH_LEN + 1];
	size_t	i;

	sign_sha256("abc", 3, h);
	sign_hex(h, hex);
	ck_assert_str_eq(hex, ABC_SHA256);

	/* The chain step over a known message cut in two. */
	memcpy(prev, B2_MSG, SIGN_HASH_LEN);
	sign_chain(prev, B2_MSG + SIGN_HASH_LEN, strlen(B2_MSG) - SIGN_HASH_LEN,
	    h);
	sign_hex(h, hex);
	ck_assert_str_eq(hex, B2_SHA256);
	sign_sha256(B2_MSG, strlen(B2_MSG), h2);
	ck_assert_mem_eq(h, h2, SIGN_HASH_LEN);

	/* hex round trip, either case in, lower case out. */
	ck_assert_int_eq(sign_unhex(B2_SHA256, h2), 0);
	ck_assert_mem_eq(h, h2, SIGN_HASH_LEN);
	for (i = 0; i <= 2 * SIGN_HASH_LEN; i++)
		upper[i] = (char)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
	memset(h2, 0, sizeof h2);
	ck_assert_int_eq(sign_unhex(upper, h2), 0);
	ck_assert_mem_eq(h, h2, SIGN_HASH_LEN);
	memset(h2, 0, sizeof h2);
	ck_assert_int_eq(sign_unhex(B2_SHA256 "0", h2), -1);
	ck_assert_int_eq(sign_unhex(B2_SHA256 + 1, h2), -1);
	ck_assert_int_eq(sign_unhex("", h2), -1);
	hex[10] = 'g';
	ck_assert_int_eq(sign_unhex(hex, h2), -1);
	for (i = 0; i < SIGN_HASH_LEN; i++)
		ck_assert_uint_eq(h2[i], 0);	/* untouched on failure */
}
END_TEST

/* -- Files of notes -------------------------------------------------------- */

struct split_seen {
	int	count;
	int	lines[8];
	int	verified;
	int	stop_at;
	char	vkey[SIGN_VKEY_MAX + 1];
};

static int
split_cb(const char *note, size_t len, int line, void *arg, char *cberr,
    size_t cberrlen)
{
	struct split_seen	*s = arg;
	struct sign_note	 n;

	if (s->count < 8)
		s->lines[s->count] = line;
	s->count++;
	if (s->stop_at == s->count) {
		snprintf(cberr, cberrlen, "stopped at note %d", s->count);
		return -1;
	}
	if (sign_note_parse(note, len, &n, cberr, cberrlen) == -1)
		return -1;
	if (sign_note_verify(&n, s->vkey, cberr, cberrlen) == 1)
		s->verified++;
	sign_note_clear(&n);
	return 0;
}

START_TEST(test_notes_split)
{
	struct sign_key		*k = seed_key("invigil.example/console", 3);
	struct split_seen	 s;
	uint8_t			 root[SIGN_HASH_LEN];
	char			 body[256], *notes[3], file[4096], bad[4096];
	size_t			 i;

	memset(root, 0x5a, sizeof root);
	file[0] = '\0';
	for (i = 0; i < 3; i++) {
		sign_checkpoint_body(body, sizeof body, "invigil.example/j",
		    i + 1, root, err, sizeof err);
		notes[i] = sign_note(k, body, err, sizeof err);
		ck_assert_ptr_nonnull(notes[i]);
		strcat(file, notes[i]);
		strcat(file, "\n");
	}
	memset(&s, 0, sizeof s);
	snprintf(s.vkey, sizeof s.vkey, "%s", sign_key_vkey(k));
	ck_assert_int_eq(sign_notes_split(file, strlen(file), split_cb, &s,
	    err, sizeof err), 3);
	ck_assert_int_eq(s.count, 3);
	ck_assert_int_eq(s.verified, 3);
	/* Each note: 3 lines of text, 1 empty, 1 signature; then 1 empty. */
	ck_assert_int_eq(s.lines[0], 1);
	ck_assert_int_eq(s.lines[1], 7);
	ck_assert_int_eq(s.lines[2], 13);

	/* Empty: no notes. */
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split("", 0, split_cb, &s, err,
	    sizeof err), 0);

	/* The callback stops it. */
	memset(&s, 0, sizeof s);
	s.stop_at = 2;
	ck_assert_int_eq(sign_notes_split(file, strlen(file), split_cb, &s,
	    err, sizeof err), -1);
	ck_assert_str_eq(err, "stopped at note 2");

	/* The last note not followed by its empty line. */
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split(file, strlen(file) - 1, split_cb, &s,
	    err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "note 3"));
	ck_assert_ptr_nonnull(strstr(err, "line 13"));

	/* Two empty lines between notes. */
	snprintf(bad, sizeof bad, "%s\n\n%s\n", notes[0], notes[1]);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split(bad, strlen(bad), split_cb, &s, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 7"));
	ck_assert_ptr_nonnull(strstr(err, "note 2"));

	/* A note with no signature lines: the file ends inside it. */
	snprintf(bad, sizeof bad, "%s\n%s\n", notes[0], body);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split(bad, strlen(bad), split_cb, &s, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "note 2"));

	/* A last line without a newline. */
	snprintf(bad, sizeof bad, "%s\nabc", notes[0]);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split(bad, strlen(bad), split_cb, &s, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 7"));

	/* A note that splits but does not parse: the callback's error. */
	snprintf(bad, sizeof bad, "%s\nx\n\n" DASH "k AAAA\n\n", notes[0]);
	memset(&s, 0, sizeof s);
	ck_assert_int_eq(sign_notes_split(bad, strlen(bad), split_cb, &s, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 3"));	/* of the note */

	for (i = 0; i < 3; i++)
		free(notes[i]);
	sign_key_free(k);
}
END_TEST

/* -- Key files ----------------------------------------------------------- */

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* Entries in dir, but . and .. */
static int
count_entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(test_key_dir)
{
	char		 buf[512], home[512];
	const char	*h = getenv("HOME");

	snprintf(home, sizeof home, "%s", h != NULL ? h : "");
	ck_assert_int_eq(sign_key_dir(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, keydir);
	ck_assert_int_eq(sign_key_dir(buf, 10, err, sizeof err), -1);

	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	setenv("HOME", "/home/someone", 1);
	ck_assert_int_eq(sign_key_dir(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/someone/.config/invigil");
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_int_eq(sign_key_dir(buf, sizeof buf, err, sizeof err), 0);
	ck_assert_str_eq(buf, "/home/someone/.config/invigil");
	unsetenv("HOME");
	ck_assert_int_eq(sign_key_dir(buf, sizeof buf, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "HOME"));
	if (h != NULL)
		setenv("HOME", home, 1);
}
END_TEST

START_TEST(test_key_create_and_load)
{
	struct sign_key		*k, *k2;
	struct sign_note	 n;
	struct stat		 st;
	char			 dir[512], path[600], vkey[SIGN_VKEY_MAX + 1];
	char			 head[64], *note;
	FILE			*f;
	int			 created = -1;

	ck_assert_int_eq(sign_key_dir(dir, sizeof dir, err, sizeof err), 0);
	ck_assert_int_eq(stat(dir, &st), -1);
	k = sign_key_load(dir, "proctor-7", &created, err, sizeof err);
	if (k == NULL)
		ck_abort_msg("sign_key_load: %s", err);
	ck_assert_int_eq(created, 1);
	snprintf(path, sizeof path, "%s/proctor-7.key", dir);
	ck_assert_str_eq(sign_key_path(k), path);
	ck_assert_str_eq(sign_key_name(k), "proctor-7");
	ck_assert_int_eq(strncmp(sign_key_vkey(k), "proctor-7+", 10), 0);
	snprintf(vkey, sizeof vkey, "%s", sign_key_vkey(k));

	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(count_entries(dir), 1);	/* no temporary left */
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(head, sizeof head, f));
	fclose(f);
	ck_assert_str_eq(head, "-----BEGIN PRIVATE KEY-----\n");

	/* It signs, and the second load is the same key. */
	note = sign_note(k, "hello\n", err, sizeof err);
	ck_assert_ptr_nonnull(note);
	sign_key_free(k);
	k2 = sign_key_load(dir, "proctor-7", &created, err, sizeof err);
	if (k2 == NULL)
		ck_abort_msg("sign_key_load again: %s", err);
	ck_assert_int_eq(created, 0);
	ck_assert_str_eq(sign_key_vkey(k2), vkey);
	parse_ok(note, &n);
	ck_assert_int_eq(sign_note_verify(&n, sign_key_vkey(k2), err,
	    sizeof err), 1);
	sign_note_clear(&n);
	free(note);
	sign_key_free(k2);

	/* Another name, another key; created may be NULL. */
	k = sign_key_load(dir, "admin", NULL, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	ck_assert_str_ne(sign_key_vkey(k), vkey);
	sign_key_free(k);
}
END_TEST

START_TEST(test_key_parents_created)
{
	struct sign_key	*k;
	struct stat	 st;
	char		 dir[512], sub[512];

	snprintf(dir, sizeof dir, "%s/a/b/keys", tmpdir);
	k = sign_key_load(dir, "p1", NULL, err, sizeof err);
	if (k == NULL)
		ck_abort_msg("sign_key_load: %s", err);
	sign_key_free(k);
	snprintf(sub, sizeof sub, "%s/a", tmpdir);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	snprintf(sub, sizeof sub, "%s/a/b", tmpdir);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);

	/* A file where a directory should be. */
	snprintf(sub, sizeof sub, "%s/file", tmpdir);
	write_file(sub, "x", 0600);
	snprintf(dir, sizeof dir, "%s/file/keys", tmpdir);
	ck_assert_ptr_null(sign_key_load(dir, "p1", NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "file"));
}
END_TEST

START_TEST(test_key_loose_mode)
{
	struct sign_key	*k;
	char		 path[600];
	int		 created = -1;
	static const mode_t modes[] = { 0644, 0640, 0604, 0620, 0602, 0660 };
	size_t		 i;

	k = sign_key_load(keydir, "p2", NULL, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	sign_key_free(k);
	snprintf(path, sizeof path, "%s/p2.key", keydir);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		ck_assert_int_eq(chmod(path, modes[i]), 0);
		ck_assert_ptr_null(sign_key_load(keydir, "p2", &created, err,
		    sizeof err));
		ck_assert_int_eq(created, 0);
		ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
		ck_assert_ptr_nonnull(strstr(err, path));
	}
	ck_assert_int_eq(chmod(path, 0600), 0);
	k = sign_key_load(keydir, "p2", &created, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(created, 0);
	sign_key_free(k);
	ck_assert_int_eq(chmod(path, 0400), 0);	/* read-only is fine */
	k = sign_key_load(keydir, "p2", NULL, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	sign_key_free(k);
}
END_TEST

START_TEST(test_key_refused)
{
	EVP_PKEY	*x;
	FILE		*f;
	uint8_t		 seed[32];
	char		 path[600];
	int		 created = -1;

	ck_assert_int_eq(mkdir(keydir, 0700), 0);

	/* Garbage. */
	snprintf(path, sizeof path, "%s/g.key", keydir);
	write_file(path, "this is not a key\n", 0600);
	ck_assert_ptr_null(sign_key_load(keydir, "g", &created, err,
	    sizeof err));
	ck_assert_int_eq(created, 0);
	ck_assert_ptr_nonnull(strstr(err, path));

	/* Empty. */
	snprintf(path, sizeof path, "%s/e.key", keydir);
	write_file(path, "", 0600);
	ck_assert_ptr_null(sign_key_load(keydir, "e", NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, path));

	/* A private key, but X25519. */
	memset(seed, 1, sizeof seed);
	x = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, seed, 32);
	ck_assert_ptr_nonnull(x);
	snprintf(path, sizeof path, "%s/x.key", keydir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(PEM_write_PrivateKey(f, x, NULL, NULL, 0, NULL, NULL),
	    1);
	fclose(f);
	EVP_PKEY_free(x);
	chmod(path, 0600);
	ck_assert_ptr_null(sign_key_load(keydir, "x", NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "not an Ed25519"));
	ck_assert_ptr_nonnull(strstr(err, path));

	/* Not a regular file. */
	snprintf(path, sizeof path, "%s/d.key", keydir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_ptr_null(sign_key_load(keydir, "d", NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));

	/* Someone else's (only root can make one). */
	if (geteuid() == 0) {
		struct sign_key	*k;

		k = sign_key_load(keydir, "o", NULL, err, sizeof err);
		ck_assert_ptr_nonnull(k);
		sign_key_free(k);
		snprintf(path, sizeof path, "%s/o.key", keydir);
		ck_assert_int_eq(chown(path, 4321, (gid_t)-1), 0);
		ck_assert_ptr_null(sign_key_load(keydir, "o", NULL, err,
		    sizeof err));
		ck_assert_ptr_nonnull(strstr(err, "uid 4321"));
	}

	/* Names that cannot make a file name. */
	ck_assert_ptr_null(sign_key_load(keydir, "a/b", NULL, err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "'/'"));
	ck_assert_ptr_null(sign_key_load(keydir, "a b", NULL, err, sizeof err));
	ck_assert_ptr_null(sign_key_load(keydir, "", NULL, err, sizeof err));
}
END_TEST

/* The pseudonym key: created once (0600, hex on one line), the same
 * bytes read back; a loose, short, FIFO or directory file refused. */
START_TEST(test_secret)
{
	struct stat	st;
	uint8_t		a[SIGN_SECRET_LEN], b[SIGN_SECRET_LEN];
	char		path[600], fifo[600];
	int		created = -1;

	snprintf(path, sizeof path, "%s/sub/pseudonym.key", keydir);
	ck_assert_msg(sign_secret_load(path, a, &created, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(created, 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 2 * SIGN_SECRET_LEN + 1);
	ck_assert_msg(sign_secret_load(path, b, &created, err,
	    sizeof err) == 0, "%s", err);
	ck_assert_int_eq(created, 0);
	ck_assert_mem_eq(a, b, sizeof a);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(sign_secret_load(path, b, &created, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "chmod 600"));
	write_file(path, "abcd\n", 0600);
	ck_assert_int_eq(sign_secret_load(path, b, &created, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "64 hex digits"));
	snprintf(fifo, sizeof fifo, "%s/sub/fifo.key", keydir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_int_eq(sign_secret_load(fifo, b, &created, err, sizeof err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	ck_assert_int_eq(sign_secret_load(keydir, b, &created, err,
	    sizeof err), -1);
}
END_TEST

/*
 * A key directory others may write is refused, whatever the mode bits
 * (modes, not access: as root every directory is writable); so is one
 * that is someone else's (only root can make one).
 */
START_TEST(test_key_dir_loose)
{
	static const mode_t modes[] = { 0777, 0770, 0707, 0720, 0702, 01777,
	    0730, 0703 };
	struct sign_key	*k;
	char		 want[1024];
	size_t		 i;

	k = sign_key_load(keydir, "p3", NULL, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	sign_key_free(k);
	for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		ck_assert_int_eq(chmod(keydir, modes[i]), 0);
		ck_assert_ptr_null(sign_key_load(keydir, "p3", NULL, err,
		    sizeof err));
		snprintf(want, sizeof want, "the key directory %s can be "
		    "written by others (mode %03o), who could replace the keys "
		    "in it; run: chmod 700 %s", keydir, (unsigned)modes[i],
		    keydir);
		ck_assert_str_eq(err, want);
		/* ... and a new key is not made there either. */
		ck_assert_ptr_null(sign_key_load(keydir, "new", NULL, err,
		    sizeof err));
		ck_assert_ptr_nonnull(strstr(err, "chmod 700"));
	}
	ck_assert_int_eq(chmod(keydir, 0750), 0);	/* readable: fine */
	k = sign_key_load(keydir, "p3", NULL, err, sizeof err);
	ck_assert_ptr_nonnull(k);
	sign_key_free(k);
	ck_assert_int_eq(chmod(keydir, 0700), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(keydir, 4321, (gid_t)-1), 0);
		ck_assert_ptr_null(sign_key_load(keydir, "p3", NULL, err,
		    sizeof err));
		ck_assert_ptr_nonnull(strstr(err, "belongs to uid 4321"));
	}
}
END_TEST

/*
 * Several processes load a key that does not exist yet, all at once: one
 * creates it, the others read that one.  Several rounds, fresh names.
 */
START_TEST(test_key_race)
{
	enum { PROCS = 4, ROUNDS = 8 };
	char		 name[32], path[600], vkeys[PROCS][sizeof err + 2];
	int		 go[2], out[PROCS][2], round, i, created, status;
	int		 ncreated;
	pid_t		 pid[PROCS];
	ssize_t		 r;

	for (round = 0; round < ROUNDS; round++) {
		snprintf(name, sizeof name, "racer-%d", round);
		ck_assert_int_eq(pipe(go), 0);
		for (i = 0; i < PROCS; i++) {
			ck_assert_int_eq(pipe(out[i]), 0);
			if ((pid[i] = fork()) == 0) {
				struct sign_key	*k;
				char		 c, msg[sizeof err + 2];

				close(go[1]);
				close(out[i][0]);
				/* Wait until the parent closes go[1]. */
				if (read(go[0], &c, 1) == -1)
					_exit(2);
				k = sign_key_load(keydir, name, &created, err,
				    sizeof err);
				if (k == NULL)
					snprintf(msg, sizeof msg, "!%s", err);
				else
					snprintf(msg, sizeof msg, "%d%s",
					    created, sign_key_vkey(k));
				sign_key_free(k);
				_exit(write(out[i][1], msg, strlen(msg) + 1) ==
				    (ssize_t)strlen(msg) + 1 ? 0 : 3);
			}
			ck_assert_int_gt(pid[i], 0);
			close(out[i][1]);
		}
		close(go[0]);
		close(go[1]);	/* all start now */
		ncreated = 0;
		for (i = 0; i < PROCS; i++) {
			memset(vkeys[i], 0, sizeof vkeys[i]);
			r = read(out[i][0], vkeys[i], sizeof vkeys[i] - 1);
			close(out[i][0]);
			ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
			ck_assert(WIFEXITED(status));
			ck_assert_int_eq(WEXITSTATUS(status), 0);
			ck_assert_int_gt(r, 1);
			if (vkeys[i][0] == '!')
				ck_abort_msg("process %d: %s", i, vkeys[i] + 1);
			ncreated += vkeys[i][0] == '1';
			ck_assert_str_eq(vkeys[i] + 1, vkeys[0] + 1);
		}
		ck_assert_int_eq(ncreated, 1);
		snprintf(path, sizeof path, "%s/%s.key", keydir, name);
		ck_assert_int_eq(access(path, R_OK), 0);
		ck_assert_int_eq(count_entries(keydir), round + 1);
	}
}
END_TEST

/*
 * run_peer(OUT, ARGS...): node tests/peer/verify-note.js ARGS with stdout
 * and stderr to OUT; its exit status, 127 if node could not be run.
 */
static int
run_peer(const char *out, const char *vkey, const char *note)
{
	const char	*tests = getenv("TESTS_DIR");
	char		 script[512];
	pid_t		 pid;
	int		 fd, status;

	snprintf(script, sizeof script, "%s/peer/verify-note.js",
	    tests != NULL && *tests != '\0' ? tests : "tests");
	ck_assert_msg(access(script, R_OK) == 0, "%s: not found (run from "
	    "the source tree or set TESTS_DIR)", script);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execlp("node", "node", script, vkey, note, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
	    "node not found: install Debian's nodejs (scripts/install-deps); "
	    "the signed notes are checked against its independent verifier");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *
slurp(const char *path)
{
	static char	 buf[4096];
	FILE		*f;
	size_t		 n;

	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/*
 * A fresh key's signed checkpoint verifies with an independent
 * implementation of signed notes (tests/peer/verify-note.js, Node's own
 * crypto), and stops verifying once a byte of its text changes.  Node is
 * required: without it the test fails.  With SIGN_PEER_DIR set, the note
 * and its vkey are left there for tests/e2e-sign-peer.sh.
 */
START_TEST(test_peer_export)
{
	struct sign_key	*k;
	const char	*out = getenv("SIGN_PEER_DIR");
	uint8_t		 root[SIGN_HASH_LEN];
	char		 body[256], path[600], vkey[600], flip[600], log[600];
	char		*note, *p;
	FILE		*f;
	int		 rc;

	if (out == NULL || *out == '\0')
		out = tmpdir;
	k = sign_key_load(keydir, "peer-test", NULL, err, sizeof err);
	if (k == NULL)
		ck_abort_msg("sign_key_load: %s", err);
	sign_chain((const uint8_t *)"0123456789abcdef0123456789abcdef",
	    "journal entry\n", 14, root);
	ck_assert_int_eq(sign_checkpoint_body(body, sizeof body,
	    "invigil.example/journal", 42, root, err, sizeof err), 0);
	note = sign_note(k, body, err, sizeof err);
	ck_assert_ptr_nonnull(note);

	snprintf(path, sizeof path, "%s/note.txt", out);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(note, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(vkey, sizeof vkey, "%s/vkey.txt", out);
	ck_assert_ptr_nonnull(f = fopen(vkey, "w"));
	ck_assert_int_ge(fprintf(f, "%s\n", sign_key_vkey(k)), 0);
	ck_assert_int_eq(fclose(f), 0);

	snprintf(log, sizeof log, "%s/peer.log", tmpdir);
	rc = run_peer(log, vkey, path);
	ck_assert_msg(rc == 0, "verify-note.js refused the note (exit %d): "
	    "%s", rc, slurp(log));
	ck_assert_msg(strstr(slurp(log), "ok: checkpoint origin=invigil."
	    "example/journal size=42 ") != NULL, "the peer did not read the "
	    "checkpoint: %s", slurp(log));

	/* The size line "42" made "43": the signature must no longer hold. */
	ck_assert_ptr_nonnull(p = strstr(note, "\n42\n"));
	p[2] = '3';
	snprintf(flip, sizeof flip, "%s/flip.txt", tmpdir);
	ck_assert_ptr_nonnull(f = fopen(flip, "w"));
	ck_assert_int_eq(fputs(note, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	rc = run_peer(log, vkey, flip);
	ck_assert_msg(rc == 1 && strstr(slurp(log), "does not verify"),
	    "a changed note was not refused (exit %d): %s", rc, slurp(log));
	free(note);
	sign_key_free(k);
}
END_TEST

/* A hash as base64 (a checkpoint's root line, a proof's hash lines). */
START_TEST(test_hash_b64)
{
	uint8_t	h[SIGN_HASH_LEN], back[SIGN_HASH_LEN];
	char	b64[SIGN_HASH_B64 + 1];
	size_t	i;

	ck_assert_int_eq(SIGN_HASH_B64, 44);
	/* SHA-256("abc"), FIPS 180-2, in base64 as any encoder writes it. */
	ck_assert_int_eq(sign_unhex(ABC_SHA256, h), 0);
	sign_hash_b64(h, b64);
	ck_assert_str_eq(b64, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
	ck_assert_int_eq(sign_hash_unb64(b64, strlen(b64), back), 0);
	ck_assert_mem_eq(back, h, SIGN_HASH_LEN);
	/* Not 44 characters, not canonical, not base64. */
	ck_assert_int_eq(sign_hash_unb64(b64, 43, back), -1);
	b64[42] = 'b';		/* bits left over before the '=' */
	ck_assert_int_eq(sign_hash_unb64(b64, 44, back), -1);
	for (i = 0; i < 44; i++)
		b64[i] = i == 43 ? '=' : '!';
	ck_assert_int_eq(sign_hash_unb64(b64, 44, back), -1);
	ck_assert_mem_eq(back, h, SIGN_HASH_LEN);	/* untouched */
}
END_TEST

static Suite *
sign_suite(void)
{
	Suite	*su;
	TCase	*tc;

	su = suite_create("sign");

	tc = tcase_create("notes");
	tcase_add_test(tc, test_name_valid);
	tcase_add_test(tc, test_peter_sign);
	tcase_add_test(tc, test_peter_verify);
	tcase_add_test(tc, test_flipped_text);
	tcase_add_test(tc, test_flipped_signature);
	tcase_add_test(tc, test_flipped_key_id);
	tcase_add_test(tc, test_wrong_vkey);
	tcase_add_test(tc, test_bad_vkeys);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_sigs);
	tcase_add_test(tc, test_two_signers);
	tcase_add_test(tc, test_sign_text_rules);
	tcase_add_test(tc, test_checkpoint_roundtrip);
	tcase_add_test(tc, test_hashes);
	tcase_add_test(tc, test_hash_b64);
	tcase_add_test(tc, test_notes_split);
	suite_add_tcase(su, tc);

	tc = tcase_create("keys");
	check_tmp_fixture(tc);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_key_dir);
	tcase_add_test(tc, test_key_create_and_load);
	tcase_add_test(tc, test_key_parents_created);
	tcase_add_test(tc, test_key_loose_mode);
	tcase_add_test(tc, test_key_refused);
	tcase_add_test(tc, test_key_dir_loose);
	tcase_add_test(tc, test_secret);
	tcase_add_test(tc, test_key_race);
	tcase_add_test(tc, test_peer_export);
	suite_add_tcase(su, tc);

	return su;
}

int
main(void)
{
	return check_main(sign_suite());
}
