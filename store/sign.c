/*
 * sign.c - Ed25519 identity keys in files, and the C2SP signed-note and
 * tlog-checkpoint formats (see sign.h for the contract of each function).
 *
 * The cryptography is OpenSSL 3's EVP interface only: raw Ed25519 keys
 * (EVP_PKEY_ED25519), one-shot EVP_DigestSign/EVP_DigestVerify (Ed25519
 * hashes the message itself, so the digest is NULL) and EVP_Digest for
 * SHA-256.  Base64 is encoded with EVP_EncodeBlock but decoded here, by a
 * strict decoder: a note is an authenticated text, so there is exactly one
 * accepted spelling of each signature (canonical padding, no white space,
 * no stray bits).
 *
 * A key file is written the way a crash cannot tear: a temporary file in
 * the same directory, fsync'd, then link(2)ed to its name (which fails
 * rather than overwrite, so of two processes creating the same key at once
 * one wins and the other reads the winner's key), then the directory
 * fsync'd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* renameat2 and RENAME_NOREPLACE, where there are */
#endif

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"
#include "store/sign.h"

/* Algorithm byte of Ed25519 verifier keys (signed-note "signature types"). */
#define SIGN_ALG_ED25519	0x01

#define SIGN_PUB_LEN		32
#define SIGN_SIG_LEN		64

/* The prefix of every signature line: U+2014 EM DASH, then a space. */
#define SIGN_DASH		"\xe2\x80\x94 "
#define SIGN_DASH_LEN		4

/* A key file is a few hundred bytes; refuse to read anything much bigger. */
#define SIGN_KEYFILE_MAX	16384

struct sign_key {
	char		 name[SIGN_NAME_MAX + 1];
	char		 path[PATH_MAX];
	EVP_PKEY	*pkey;
	uint8_t		 pub[SIGN_PUB_LEN];
	uint32_t	 id;
	char		 vkey[SIGN_VKEY_MAX + 1];
};

/* OpenSSL failing where only memory can run out: a broken invariant. */
static void
sign_fatal(const char *what)
{
	fprintf(stderr, "sign: %s failed (out of memory?)\n", what);
	abort();
}

/* OpenSSL's reason for the last failure, for a sentence; clears the queue. */
static const char *
sign_ssl_reason(void)
{
	unsigned long	 e;
	const char	*r;

	e = ERR_peek_last_error();
	r = e != 0 ? ERR_reason_error_string(e) : NULL;
	ERR_clear_error();
	return r != NULL ? r : "OpenSSL gave no reason";
}

/* -- Base64, hex, UTF-8 ---------------------------------------------------- */

/* Encode n bytes; out needs 4 * ((n + 2) / 3) + 1 bytes. */
static void
sign_b64_encode(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static int
sign_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode len characters of standard, padded base64 (RFC 4648 section 4).
 * The first outsz bytes go to out; *outlen gets the whole decoded length.
 * -1 for anything but the canonical encoding of some bytes: a length not a
 * multiple of 4, a character outside the alphabet, '=' other than one or
 * two at the very end, or non-zero bits left over before the padding.
 */
static int
sign_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
	const unsigned char	*s = (const unsigned char *)in;
	uint32_t		 acc = 0;
	size_t			 i, k, n = 0, pad = 0;
	int			 v;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad = (len > 1 && s[len - 2] == '=') ? 2 : 1;
	for (i = 0; i < len; i += 4) {
		acc = 0;
		for (k = 0; k < 4; k++) {
			if (i + k >= len - pad)
				v = 0;
			else if ((v = sign_b64_value(s[i + k])) == -1)
				return -1;
			acc = (acc << 6) | (uint32_t)v;
		}
		for (k = 0; k < 3; k++) {
			if (i + 4 == len && k >= 3 - pad)
				break;
			if (n < outsz)
				out[n] = (uint8_t)(acc >> (16 - 8 * k));
			n++;
		}
	}
	/* The bits under the padding must be zero. */
	if ((pad == 1 && (acc & 0xff) != 0) ||
	    (pad == 2 && (acc & 0xffff) != 0))
		return -1;
	*outlen = n;
	return 0;
}

void
sign_hex(const uint8_t h[SIGN_HASH_LEN], char out[2 * SIGN_HASH_LEN + 1])
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < SIGN_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 0xf];
	}
	out[2 * SIGN_HASH_LEN] = '\0';
}

static int
sign_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n bytes from 2n hex digits; -1 at the first non-digit. */
static int
sign_hex_decode(const char *hex, uint8_t *out, size_t n)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		hi = sign_hex_value((unsigned char)hex[2 * i]);
		if (hi == -1)
			return -1;
		lo = sign_hex_value((unsigned char)hex[2 * i + 1]);
		if (lo == -1)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
sign_unhex(const char *hex, uint8_t h[SIGN_HASH_LEN])
{
	uint8_t	tmp[SIGN_HASH_LEN];

	if (strlen(hex) != 2 * SIGN_HASH_LEN ||
	    sign_hex_decode(hex, tmp, SIGN_HASH_LEN) == -1)
		return -1;
	memcpy(h, tmp, SIGN_HASH_LEN);
	return 0;
}

void
sign_hash_b64(const uint8_t h[SIGN_HASH_LEN], char out[SIGN_HASH_B64 + 1])
{
	sign_b64_encode(h, SIGN_HASH_LEN, out);
}

int
sign_hash_unb64(const char *b64, size_t len, uint8_t h[SIGN_HASH_LEN])
{
	uint8_t	tmp[SIGN_HASH_LEN];
	size_t	n;

	if (len != SIGN_HASH_B64 || sign_b64_decode(b64, len, tmp, sizeof tmp,
	    &n) == -1 || n != SIGN_HASH_LEN)
		return -1;
	memcpy(h, tmp, SIGN_HASH_LEN);
	return 0;
}

/*
 * Unicode's White_Space characters outside ASCII (what Go's unicode.IsSpace
 * says), as UTF-8: a key name may hold none of them.
 */
static const struct {
	const char	*utf8;
	unsigned	 cp;
} sign_spaces[] = {
	{ "\xc2\x85", 0x0085 }, { "\xc2\xa0", 0x00a0 },
	{ "\xe1\x9a\x80", 0x1680 }, { "\xe2\x80\x80", 0x2000 },
	{ "\xe2\x80\x81", 0x2001 }, { "\xe2\x80\x82", 0x2002 },
	{ "\xe2\x80\x83", 0x2003 }, { "\xe2\x80\x84", 0x2004 },
	{ "\xe2\x80\x85", 0x2005 }, { "\xe2\x80\x86", 0x2006 },
	{ "\xe2\x80\x87", 0x2007 }, { "\xe2\x80\x88", 0x2008 },
	{ "\xe2\x80\x89", 0x2009 }, { "\xe2\x80\x8a", 0x200a },
	{ "\xe2\x80\xa8", 0x2028 }, { "\xe2\x80\xa9", 0x2029 },
	{ "\xe2\x80\xaf", 0x202f }, { "\xe2\x81\x9f", 0x205f },
	{ "\xe3\x80\x80", 0x3000 },
};

/* The 1-based line of byte off in s. */
static int
sign_line_of(const char *s, size_t off)
{
	size_t	i;
	int	line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

/*
 * The note format's rule for all of a note: valid UTF-8 and no control
 * character but '\n'.  0, or -1 with a sentence naming the line.  (A
 * control character is one byte in UTF-8, never part of a longer sequence,
 * so bytes can be looked at one by one.)
 */
static int
sign_check_text(const char *s, size_t len, const char *what, char *err,
    size_t errlen)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, start;

	for (i = start = 0; i <= len; i++) {
		if (i == len || u[i] == '\n') {
			if (!proto_utf8_valid(s + start, i - start)) {
				snprintf(err, errlen, "line %d of the %s is "
				    "not valid UTF-8", sign_line_of(s, start),
				    what);
				return -1;
			}
			start = i + 1;
		} else if (u[i] < 0x20) {
			snprintf(err, errlen, "line %d of the %s holds the "
			    "control character 0x%02x; a note may hold no "
			    "control character but newline", sign_line_of(s, i),
			    what, u[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * A key name as the note format allows it in a signature line or a vkey
 * (non-empty UTF-8, no Unicode space, no '+'), of len bytes.  0, or -1 with
 * a sentence.
 */
static int
sign_name_format(const char *name, size_t len, char *err, size_t errlen)
{
	size_t	i, k, n;

	if (len == 0) {
		snprintf(err, errlen, "the key name is empty");
		return -1;
	}
	if (!proto_utf8_valid(name, len)) {
		snprintf(err, errlen, "the key name \"%.*s\" is not valid "
		    "UTF-8", (int)len, name);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (name[i] == '+' || (unsigned char)name[i] <= 0x20) {
			snprintf(err, errlen, "the key name \"%.*s\" holds "
			    "%s at byte %zu; a key name may hold no space and "
			    "no '+'", (int)len, name, name[i] == '+' ? "a '+'" :
			    "a space or control character", i + 1);
			return -1;
		}
		for (k = 0; k < sizeof sign_spaces / sizeof sign_spaces[0];
		    k++) {
			n = strlen(sign_spaces[k].utf8);
			if (len - i >= n &&
			    memcmp(name + i, sign_spaces[k].utf8, n) == 0) {
				snprintf(err, errlen, "the key name \"%.*s\" "
				    "holds the space U+%04X at byte %zu; a key "
				    "name may hold no space and no '+'",
				    (int)len, name, sign_spaces[k].cp, i + 1);
				return -1;
			}
		}
	}
	return 0;
}

int
sign_name_valid(const char *name, char *err, size_t errlen)
{
	size_t		len = strlen(name), i;
	unsigned char	c;

	if (len == 0 || len > SIGN_NAME_MAX) {
		snprintf(err, errlen, "the key name \"%.*s\" is %zu bytes "
		    "long; it must be 1 to %d", SIGN_NAME_MAX, name, len,
		    SIGN_NAME_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c < 0x21 || c > 0x7e || c == '+') {
			snprintf(err, errlen, "the key name \"%s\" holds %s "
			    "0x%02x at byte %zu; a key name is printable ASCII "
			    "without spaces and without '+'", name,
			    c == '+' ? "'+'," : "the byte", c, i + 1);
			return -1;
		}
	}
	return 0;
}

/* -- Hashes --------------------------------------------------------------- */

void
sign_sha256(const void *data, size_t len, uint8_t out[SIGN_HASH_LEN])
{
	if (EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) != 1)
		sign_fatal("SHA-256");
}

void
sign_chain(const uint8_t prev[SIGN_HASH_LEN], const char *body, size_t len,
    uint8_t out[SIGN_HASH_LEN])
{
	EVP_MD_CTX	*ctx;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev, SIGN_HASH_LEN) != 1 ||
	    EVP_DigestUpdate(ctx, body, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		sign_fatal("SHA-256");
	EVP_MD_CTX_free(ctx);
}

/* The key id: SHA-256(name || "\n" || 0x01 || public key)[:4], big-endian. */
static uint32_t
sign_key_hash(const char *name, size_t namelen,
    const uint8_t pub[SIGN_PUB_LEN])
{
	uint8_t	buf[SIGN_NAME_MAX + 2 + SIGN_PUB_LEN], h[SIGN_HASH_LEN];

	memcpy(buf, name, namelen);
	buf[namelen] = '\n';
	buf[namelen + 1] = SIGN_ALG_ED25519;
	memcpy(buf + namelen + 2, pub, SIGN_PUB_LEN);
	sign_sha256(buf, namelen + 2 + SIGN_PUB_LEN, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

/* -- Keys ----------------------------------------------------------------- */

/* A key of name around pkey (which it takes); NULL with a sentence. */
static struct sign_key *
sign_key_wrap(const char *name, const char *path, EVP_PKEY *pkey, char *err,
    size_t errlen)
{
	struct sign_key	*k;
	uint8_t		 alg_pub[1 + SIGN_PUB_LEN];
	char		 b64[48];
	size_t		 publen = SIGN_PUB_LEN;

	k = xcalloc(1, sizeof *k);
	if (EVP_PKEY_get_raw_public_key(pkey, k->pub, &publen) != 1 ||
	    publen != SIGN_PUB_LEN) {
		snprintf(err, errlen, "cannot get the public half of the key "
		    "%s: %s", name, sign_ssl_reason());
		EVP_PKEY_free(pkey);
		free(k);
		return NULL;
	}
	snprintf(k->name, sizeof k->name, "%s", name);
	snprintf(k->path, sizeof k->path, "%s", path);
	k->pkey = pkey;
	k->id = sign_key_hash(name, strlen(name), k->pub);
	alg_pub[0] = SIGN_ALG_ED25519;
	memcpy(alg_pub + 1, k->pub, SIGN_PUB_LEN);
	sign_b64_encode(alg_pub, sizeof alg_pub, b64);
	snprintf(k->vkey, sizeof k->vkey, "%s+%08x+%s", name, k->id, b64);
	return k;
}

struct sign_key *
sign_key_from_seed(const char *name, const uint8_t seed[32], char *err,
    size_t errlen)
{
	EVP_PKEY	*pkey;

	if (sign_name_valid(name, err, errlen) == -1)
		return NULL;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (pkey == NULL) {
		snprintf(err, errlen, "cannot make an Ed25519 key from the "
		    "seed: %s", sign_ssl_reason());
		return NULL;
	}
	return sign_key_wrap(name, "", pkey, err, errlen);
}

void
sign_key_free(struct sign_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof *k);
	free(k);
}

const char *
sign_key_name(const struct sign_key *k)
{
	return k->name;
}

const char *
sign_key_path(const struct sign_key *k)
{
	return k->path;
}

const char *
sign_key_vkey(const struct sign_key *k)
{
	return k->vkey;
}

uint32_t
sign_key_id(const struct sign_key *k)
{
	return k->id;
}

int
sign_key_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME");
	const char	*home = getenv("HOME");
	int		 n;

	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, len, "%s/invigil", xdg);
	else if (home != NULL && home[0] == '/')
		n = snprintf(buf, len, "%s/.config/invigil", home);
	else {
		snprintf(err, errlen, "cannot tell where the keys live: "
		    "neither XDG_CONFIG_HOME nor HOME is set to an absolute "
		    "path; set HOME (or XDG_CONFIG_HOME)");
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "the key directory under %s is too long "
		    "a path", xdg != NULL && xdg[0] == '/' ? xdg : home);
		return -1;
	}
	return 0;
}

int
sign_key_dir_or(const char *given, char *buf, size_t len, char *err,
    size_t errlen)
{
	if (given == NULL)
		return sign_key_dir(buf, len, err, errlen);
	snprintf(buf, len, "%s", given);
	return 0;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int
sign_mkdirs(const char *dir, char *err, size_t errlen)
{
	char		path[PATH_MAX];
	struct stat	st;
	size_t		i, len = strlen(dir);

	if (len == 0 || len >= sizeof path) {
		snprintf(err, errlen, "the key directory \"%s\" is %s", dir,
		    len == 0 ? "empty" : "too long a path");
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) == -1 && (errno != EEXIST ||
		    stat(path, &st) == -1 || !S_ISDIR(st.st_mode))) {
			if (errno == EEXIST)
				errno = ENOTDIR;
			snprintf(err, errlen, "cannot create the key directory "
			    "%s: %s", path, strerror(errno));
			return -1;
		}
		path[i] = i == len ? '\0' : '/';
	}
	return 0;
}

/*
 * The key directory must be the user's and writable by no one else:
 * whoever can write it can replace a key file (or plant one), and the
 * checks on the file itself would then pass.
 */
static int
sign_dir_private(const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (stat(dir, &st) == -1) {
		snprintf(err, errlen, "cannot look at the key directory %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the key directory %s belongs to uid %u, "
		    "not to you (uid %u); keys must be their owner's alone: run "
		    "chown %u %s, or give --key-dir a directory of your own",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), dir);
		return -1;
	}
	if ((st.st_mode & 022) != 0) {
		snprintf(err, errlen, "the key directory %s can be written by "
		    "others (mode %03o), who could replace the keys in it; run: "
		    "chmod 700 %s", dir, (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* fsync a directory, so that a name linked into it survives a crash. */
static int
sign_sync_dir(const char *dir, char *err, size_t errlen)
{
	int	fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open the key directory %s to "
		    "sync it: %s", dir, strerror(errno));
		return -1;
	}
	rc = fsync(fd);
	if (rc == -1 && errno == EINVAL)	/* cannot be synced: fine */
		rc = 0;
	if (rc == -1)
		snprintf(err, errlen, "cannot sync the key directory %s: %s",
		    dir, strerror(errno));
	close(fd);
	return rc;
}

/* Refuse to prompt for a passphrase: an encrypted key file is an error. */
static int
sign_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/*
 * The contents of the key file open on fd (which it closes): a regular
 * file, its owner's, private (mode 0600 or less), at most
 * SIGN_KEYFILE_MAX bytes.  A buffer of SIGN_KEYFILE_MAX + 1 bytes (the
 * caller cleanses and frees it) with *len, or NULL with a sentence.
 */
static char *
sign_file_read(int fd, const char *path, size_t *lenp, char *err,
    size_t errlen)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 r;
	size_t		 len = 0;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "cannot stat the key file %s: %s", path,
		    strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "the key file %s is not a regular file; "
		    "move it out of the way and a new key will be created",
		    path);
		close(fd);
		return NULL;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "the key file %s belongs to uid %u, not "
		    "to you (uid %u); a key must be its owner's alone: run "
		    "chown %u %s, or move the file away", path,
		    (unsigned)st.st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), path);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, errlen, "the key file %s can be read or written "
		    "by others (mode %03o); run: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 0777), path);
		close(fd);
		return NULL;
	}
	if (st.st_size > SIGN_KEYFILE_MAX) {
		snprintf(err, errlen, "the key file %s is %lld bytes, too "
		    "large to be a key; move it out of the way and a new key "
		    "will be created", path, (long long)st.st_size);
		close(fd);
		return NULL;
	}
	buf = xmalloc(SIGN_KEYFILE_MAX + 1);
	while (len <= SIGN_KEYFILE_MAX &&
	    (r = read(fd, buf + len, SIGN_KEYFILE_MAX + 1 - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "cannot read the key file %s: %s",
			    path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, SIGN_KEYFILE_MAX + 1);
			free(buf);
			return NULL;
		}
		len += (size_t)r;
	}
	close(fd);
	*lenp = len;
	return buf;
}

/* The key in the open file fd (which it closes); NULL with a sentence. */
static struct sign_key *
sign_key_read(int fd, const char *path, const char *name, char *err,
    size_t errlen)
{
	char		*buf;
	BIO		*bio;
	EVP_PKEY	*pkey;
	size_t		 len = 0;

	if ((buf = sign_file_read(fd, path, &len, err, errlen)) == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		sign_fatal("BIO_new_mem_buf");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, sign_no_passphrase, NULL);
	BIO_free(bio);
	OPENSSL_cleanse(buf, SIGN_KEYFILE_MAX + 1);
	free(buf);
	if (pkey == NULL) {
		ERR_clear_error();
		snprintf(err, errlen, "the key file %s does not hold an "
		    "unencrypted PEM private key; restore the right file, or "
		    "move it out of the way and a new key will be created",
		    path);
		return NULL;
	}
	if (!EVP_PKEY_is_a(pkey, "ED25519")) {
		snprintf(err, errlen, "the key file %s holds a %s key, not an "
		    "Ed25519 one; restore the right file, or move it out of "
		    "the way and a new key will be created", path,
		    EVP_PKEY_get0_type_name(pkey) != NULL ?
		    EVP_PKEY_get0_type_name(pkey) : "different");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return sign_key_wrap(name, path, pkey, err, errlen);
}

/* Write pkey as PEM PKCS#8 to the new file fd, and sync it.  0 or -1. */
static int
sign_key_write(int fd, EVP_PKEY *pkey, const char *tmp, char *err,
    size_t errlen)
{
	BIO	*bio;
	int	 ok;

	if (fchmod(fd, 0600) == -1) {
		snprintf(err, errlen, "cannot make %s private: %s", tmp,
		    strerror(errno));
		return -1;
	}
	if ((bio = BIO_new_fd(fd, BIO_NOCLOSE)) == NULL)
		sign_fatal("BIO_new_fd");
	ok = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) ==
	    1 && BIO_flush(bio) == 1;
	BIO_free(bio);
	if (!ok) {
		snprintf(err, errlen, "cannot write the new key to %s: %s", tmp,
		    errno != 0 ? strerror(errno) : sign_ssl_reason());
		ERR_clear_error();
		return -1;
	}
	if (fsync(fd) == -1) {
		snprintf(err, errlen, "cannot sync the new key file %s: %s",
		    tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Put tmp in place as path unless path exists.  0 if it was, 1 if path
 * already existed (tmp is then left alone), -1 with a sentence.
 */
static int
sign_key_place(const char *tmp, const char *path, char *err, size_t errlen)
{
	if (link(tmp, path) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
#ifdef RENAME_NOREPLACE
	/* A file system without hard links may still rename exclusively. */
	if (errno == EPERM || errno == ENOTSUP || errno == ENOSYS) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path,
		    RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			return 1;
	}
#endif
	snprintf(err, errlen, "cannot put the new key file in place as %s: %s",
	    path, strerror(errno));
	return -1;
}

/*
 * Create the key file path in dir.  The key, or NULL with *lost = 1 if
 * another process created path first, or NULL with a sentence.
 */
static struct sign_key *
sign_key_create(const char *dir, const char *path, const char *name,
    int *lost, char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	uint8_t		 seed[32];
	char		 tmp[PATH_MAX];
	int		 fd, placed;

	*lost = 0;
	if (RAND_bytes(seed, sizeof seed) != 1) {
		snprintf(err, errlen, "cannot get random bytes for a new key: "
		    "%s", sign_ssl_reason());
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof seed);
	OPENSSL_cleanse(seed, sizeof seed);
	if (pkey == NULL) {
		snprintf(err, errlen, "cannot make a new Ed25519 key: %s",
		    sign_ssl_reason());
		return NULL;
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.%s.key.XXXXXX", dir,
	    name) >= sizeof tmp) {
		snprintf(err, errlen, "the key file path %s is too long", path);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create a key file in %s: %s",
		    dir, strerror(errno));
		EVP_PKEY_free(pkey);
		return NULL;
	}
	errno = 0;
	if (sign_key_write(fd, pkey, tmp, err, errlen) == -1) {
		close(fd);
		unlink(tmp);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if (close(fd) == -1) {
		snprintf(err, errlen, "cannot write the new key to %s: %s", tmp,
		    strerror(errno));
		unlink(tmp);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	placed = sign_key_place(tmp, path, err, errlen);
	unlink(tmp);
	if (placed != 0) {
		*lost = placed == 1;
		EVP_PKEY_free(pkey);
		return NULL;
	}
	if (sign_sync_dir(dir, err, errlen) == -1) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return sign_key_wrap(name, path, pkey, err, errlen);
}

struct sign_key *
sign_key_load(const char *dir, const char *name, int *created, char *err,
    size_t errlen)
{
	struct sign_key	*k;
	struct stat	 st;
	char		 path[PATH_MAX];
	int		 fd, tries, lost;

	if (created != NULL)
		*created = 0;
	if (sign_name_valid(name, err, errlen) == -1)
		return NULL;
	if (strchr(name, '/') != NULL) {
		snprintf(err, errlen, "the key name \"%s\" holds a '/', which "
		    "cannot be in the name of a key file", name);
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/%s.key", dir, name) >=
	    sizeof path - 16) {	/* room for the temporary file's suffix */
		snprintf(err, errlen, "the key directory %s is too long a path",
		    dir);
		return NULL;
	}
	if (sign_mkdirs(dir, err, errlen) == -1 ||
	    sign_dir_private(dir, err, errlen) == -1)
		return NULL;
	/* Twice at most: a key another process created meanwhile is read. */
	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd != -1)
			return sign_key_read(fd, path, name, err, errlen);
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot open the key file %s: %s",
			    path, strerror(errno));
			return NULL;
		}
		if (lstat(path, &st) == 0) {
			snprintf(err, errlen, "the key file %s is a symbolic "
			    "link to nothing; remove it, or point it at the "
			    "key", path);
			return NULL;
		}
		k = sign_key_create(dir, path, name, &lost, err, errlen);
		if (k != NULL && created != NULL)
			*created = 1;
		if (k != NULL || !lost)
			return k;
	}
	snprintf(err, errlen, "the key file %s keeps appearing and "
	    "disappearing; is another program removing it?", path);
	return NULL;
}

/*
 * Create the secret file path (in dir) with a new random secret, as
 * hex on one line, mode 0600, unless another process created it first
 * (1).  0, 1, or -1 with a sentence.
 */
static int
sign_secret_create(const char *dir, const char *path,
    uint8_t secret[SIGN_SECRET_LEN], char *err, size_t errlen)
{
	char	tmp[PATH_MAX], line[2 * SIGN_SECRET_LEN + 2];
	size_t	i;
	int	fd, placed, ok;

	if (RAND_bytes(secret, SIGN_SECRET_LEN) != 1) {
		snprintf(err, errlen, "cannot get random bytes for a new key: "
		    "%s", sign_ssl_reason());
		return -1;
	}
	for (i = 0; i < SIGN_SECRET_LEN; i++)
		snprintf(line + 2 * i, 3, "%02x", secret[i]);
	line[2 * SIGN_SECRET_LEN] = '\n';
	if ((size_t)snprintf(tmp, sizeof tmp, "%s/.secret.XXXXXX", dir) >=
	    sizeof tmp || (fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create a key file in %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	ok = fchmod(fd, 0600) == 0 && write(fd, line, sizeof line - 1) ==
	    (ssize_t)(sizeof line - 1) && fsync(fd) == 0;
	OPENSSL_cleanse(line, sizeof line);
	if (close(fd) == -1 || !ok) {
		snprintf(err, errlen, "cannot write the new key to %s: %s", tmp,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	placed = sign_key_place(tmp, path, err, errlen);
	unlink(tmp);
	if (placed == 0 && sign_sync_dir(dir, err, errlen) == -1)
		return -1;
	return placed;
}

int
sign_secret_load(const char *path, uint8_t secret[SIGN_SECRET_LEN],
    int *created, char *err, size_t errlen)
{
	char	 dir[PATH_MAX], *buf, *slash;
	size_t	 len = 0;
	int	 fd, tries, rc;

	*created = 0;
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir - 16) {
		snprintf(err, errlen, "the key file path %s is too long", path);
		return -1;
	}
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	for (tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd != -1)
			break;
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot open the key file %s: %s",
			    path, strerror(errno));
			return -1;
		}
		if (sign_mkdirs(dir, err, errlen) == -1)
			return -1;
		if ((rc = sign_secret_create(dir, path, secret, err,
		    errlen)) != 1) {
			*created = rc == 0;
			return rc;
		}
	}
	if (fd == -1) {
		snprintf(err, errlen, "the key file %s keeps appearing and "
		    "disappearing; is another program removing it?", path);
		return -1;
	}
	if ((buf = sign_file_read(fd, path, &len, err, errlen)) == NULL)
		return -1;
	rc = 0;
	if (len != 2 * SIGN_SECRET_LEN + 1 || buf[len - 1] != '\n' ||
	    sign_hex_decode(buf, secret, SIGN_SECRET_LEN) != 0) {
		snprintf(err, errlen, "the key file %s is not %d hex digits on "
		    "one line; restore the right file (a new key would give "
		    "every candidate a new pseudonym)", path,
		    2 * SIGN_SECRET_LEN);
		rc = -1;
	}
	OPENSSL_cleanse(buf, SIGN_KEYFILE_MAX + 1);
	free(buf);
	return rc;
}

/* -- Notes ---------------------------------------------------------------- */

int
sign_checkpoint_body(char *buf, size_t len, const char *origin, uint64_t size,
    const uint8_t root[SIGN_HASH_LEN], char *err, size_t errlen)
{
	char	b64[48];
	size_t	olen = strlen(origin);
	int	n;

	if (olen == 0 || olen > 255) {
		snprintf(err, errlen, "a checkpoint origin must be 1 to 255 "
		    "bytes, not %zu", olen);
		return -1;
	}
	if (strchr(origin, '\n') != NULL) {
		snprintf(err, errlen, "a checkpoint origin is one line; "
		    "\"%s\" holds a newline", origin);
		return -1;
	}
	if (sign_check_text(origin, olen, "checkpoint origin", err,
	    errlen) == -1)
		return -1;
	sign_b64_encode(root, SIGN_HASH_LEN, b64);
	n = snprintf(buf, len, "%s\n%llu\n%s\n", origin,
	    (unsigned long long)size, b64);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "a checkpoint of \"%s\" needs %d bytes, "
		    "more than the %zu given", origin, n + 1, len);
		return -1;
	}
	return 0;
}

char *
sign_note(const struct sign_key *k, const char *text, char *err,
    size_t errlen)
{
	EVP_MD_CTX	*ctx;
	uint8_t		 blob[4 + SIGN_SIG_LEN];
	char		 b64[4 * ((sizeof blob + 2) / 3) + 1], *out;
	size_t		 len = strlen(text), siglen = SIGN_SIG_LEN, outsz;
	const char	*empty = NULL;

	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "the text to sign must end in a newline");
		return NULL;
	}
	if (sign_check_text(text, len, "text to sign", err, errlen) == -1)
		return NULL;
	if (text[0] == '\n' || (empty = strstr(text, "\n\n")) != NULL) {
		snprintf(err, errlen, "line %d of the text to sign is empty; a "
		    "note's text may hold no empty line here",
		    text[0] == '\n' ? 1 :
		    sign_line_of(text, (size_t)(empty - text)) + 1);
		return NULL;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		sign_fatal("EVP_MD_CTX_new");
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, blob + 4, &siglen, (const unsigned char *)text,
	    len) != 1 || siglen != SIGN_SIG_LEN) {
		snprintf(err, errlen, "cannot sign with the key %s: %s",
		    k->name, sign_ssl_reason());
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	EVP_MD_CTX_free(ctx);
	blob[0] = (uint8_t)(k->id >> 24);
	blob[1] = (uint8_t)(k->id >> 16);
	blob[2] = (uint8_t)(k->id >> 8);
	blob[3] = (uint8_t)k->id;
	sign_b64_encode(blob, sizeof blob, b64);
	outsz = len + 1 + SIGN_DASH_LEN + strlen(k->name) + 1 + strlen(b64) +
	    2;
	out = xmalloc(outsz);
	snprintf(out, outsz, "%s\n" SIGN_DASH "%s %s\n", text, k->name, b64);
	return out;
}

void
sign_note_clear(struct sign_note *n)
{
	free(n->text);
	memset(n, 0, sizeof *n);
}

/* One signature line (without its '\n'), line lineno; 0 or -1. */
static int
sign_parse_sig(struct sign_note *n, const char *s, size_t len, int lineno,
    char *err, size_t errlen)
{
	struct sign_sig	*sig;
	uint8_t		 blob[4 + SIGN_SIG_LEN];
	const char	*sp;
	size_t		 namelen, bloblen;
	char		 nerr[256];

	if (len < SIGN_DASH_LEN || memcmp(s, SIGN_DASH, SIGN_DASH_LEN) != 0) {
		snprintf(err, errlen, "line %d: a signature line must start "
		    "with an em dash (U+2014) and a space, as in \"" SIGN_DASH
		    "NAME SIGNATURE\"", lineno);
		return -1;
	}
	s += SIGN_DASH_LEN;
	len -= SIGN_DASH_LEN;
	if ((sp = memchr(s, ' ', len)) == NULL) {
		snprintf(err, errlen, "line %d: the signature line has no "
		    "space between the key name and the signature", lineno);
		return -1;
	}
	namelen = (size_t)(sp - s);
	if (sign_name_format(s, namelen, nerr, sizeof nerr) == -1) {
		snprintf(err, errlen, "line %d: %s", lineno, nerr);
		return -1;
	}
	if (sign_b64_decode(sp + 1, len - namelen - 1, blob, sizeof blob,
	    &bloblen) == -1) {
		snprintf(err, errlen, "line %d: the signature by %.*s is not "
		    "valid base64 (standard alphabet, padded, nothing else on "
		    "the line)", lineno, (int)namelen, s);
		return -1;
	}
	if (bloblen < 5) {
		snprintf(err, errlen, "line %d: the signature by %.*s is %zu "
		    "bytes; it must be a 4-byte key id and at least one byte "
		    "of signature", lineno, (int)namelen, s, bloblen);
		return -1;
	}
	if (n->nsigs == SIGN_MAX_SIGS) {
		snprintf(err, errlen, "line %d: the note has more than %d "
		    "signatures", lineno, SIGN_MAX_SIGS);
		return -1;
	}
	if (namelen > SIGN_NAME_MAX)
		return 0;	/* not ours: no key of ours has such a name */
	sig = &n->sigs[n->nsigs++];
	memcpy(sig->name, s, namelen);
	sig->name[namelen] = '\0';
	sig->key_id = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	    (uint32_t)blob[2] << 8 | blob[3];
	sig->siglen = bloblen - 4;
	memcpy(sig->sig, blob + 4, sig->siglen < SIGN_SIG_LEN ? sig->siglen :
	    SIGN_SIG_LEN);
	return 0;
}

/*
 * The checkpoint fields of n->text, if its second line is all digits.
 * 0 (is_checkpoint set or not), or -1 with a sentence naming the line.
 */
static int
sign_parse_checkpoint(struct sign_note *n, char *err, size_t errlen)
{
	const char	*line[3], *end[3], *p, *nl;
	const char	*textend = n->text + n->textlen;
	uint8_t		 root[SIGN_HASH_LEN];
	size_t		 i, rootlen;
	uint64_t	 size = 0;
	int		 lineno;

	p = n->text;
	for (i = 0; i < 3; i++) {
		if ((nl = memchr(p, '\n', (size_t)(textend - p))) == NULL)
			return 0;	/* fewer than 3 lines */
		line[i] = p;
		end[i] = nl;
		p = nl + 1;
	}
	if (end[1] == line[1])
		return 0;
	for (p = line[1]; p < end[1]; p++)
		if (*p < '0' || *p > '9')
			return 0;	/* not a tree size: a plain note */
	if (end[0] == line[0] || end[0] - line[0] > 255) {
		snprintf(err, errlen, "line 1: a checkpoint's origin must be 1 "
		    "to 255 bytes, not %zu", (size_t)(end[0] - line[0]));
		return -1;
	}
	if (line[1][0] == '0' && end[1] - line[1] > 1) {
		snprintf(err, errlen, "line 2: the tree size \"%.*s\" has a "
		    "leading zero", (int)(end[1] - line[1]), line[1]);
		return -1;
	}
	for (p = line[1]; p < end[1]; p++) {
		if (size > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			snprintf(err, errlen, "line 2: the tree size \"%.*s\" "
			    "does not fit in 64 bits", (int)(end[1] - line[1]),
			    line[1]);
			return -1;
		}
		size = size * 10 + (uint64_t)(*p - '0');
	}
	if (sign_b64_decode(line[2], (size_t)(end[2] - line[2]), root,
	    sizeof root, &rootlen) == -1) {
		snprintf(err, errlen, "line 3: a checkpoint's root hash is not "
		    "valid base64 (standard alphabet, padded)");
		return -1;
	}
	if (rootlen != SIGN_HASH_LEN) {
		snprintf(err, errlen, "line 3: a checkpoint's root hash is %zu "
		    "bytes; it must be the base64 of %d", rootlen,
		    SIGN_HASH_LEN);
		return -1;
	}
	/* Extension lines, if any, must not be empty. */
	for (p = end[2] + 1, lineno = 4; p < textend; p = nl + 1, lineno++) {
		nl = memchr(p, '\n', (size_t)(textend - p));
		if (nl == p) {
			snprintf(err, errlen, "line %d: a checkpoint's "
			    "extension lines must not be empty", lineno);
			return -1;
		}
	}
	memcpy(n->origin, line[0], (size_t)(end[0] - line[0]));
	n->origin[end[0] - line[0]] = '\0';
	n->size = size;
	memcpy(n->root, root, SIGN_HASH_LEN);
	n->is_checkpoint = 1;
	return 0;
}

int
sign_note_parse(const char *text, size_t len, struct sign_note *n, char *err,
    size_t errlen)
{
	const char	*sigs, *p, *nl;
	size_t		 split;
	int		 lineno;

	memset(n, 0, sizeof *n);
	if (len == 0) {
		snprintf(err, errlen, "the note is empty");
		return -1;
	}
	if (sign_check_text(text, len, "note", err, errlen) == -1)
		return -1;
	if (text[len - 1] != '\n') {
		snprintf(err, errlen, "line %d: the note's last line does not "
		    "end in a newline", sign_line_of(text, len));
		return -1;
	}
	/* The text ends at the last empty line. */
	for (split = len - 1; split > 0; split--)
		if (text[split - 1] == '\n' && text[split] == '\n')
			break;
	if (split == 0) {
		snprintf(err, errlen, "line %d: the note ends without an empty "
		    "line between its text and its signatures",
		    sign_line_of(text, len - 1));
		return -1;
	}
	n->textlen = split;
	lineno = sign_line_of(text, split) + 1;	/* the first signature line */
	sigs = text + split + 1;
	if (sigs == text + len) {
		snprintf(err, errlen, "line %d: the note has no signature "
		    "lines after the empty line (or an empty line too many at "
		    "its end)", lineno - 1);
		return -1;
	}
	for (p = sigs; p < text + len; p = nl + 1, lineno++) {
		nl = memchr(p, '\n', text + len - p);
		if (sign_parse_sig(n, p, (size_t)(nl - p), lineno, err,
		    errlen) == -1)
			goto fail;
	}
	n->text = xmalloc(n->textlen + 1);
	memcpy(n->text, text, n->textlen);
	n->text[n->textlen] = '\0';
	if (sign_parse_checkpoint(n, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	sign_note_clear(n);
	return -1;
}

/*
 * A vkey's name, key id and public key; 0, or -1 with a sentence.  The
 * name is the text up to the first '+' (names hold no '+'), then 8 hex
 * digits and a '+', then the base64 (which may hold '+') of 0x01 and the
 * key.
 */
static int
sign_vkey_parse(const char *vkey, char name[SIGN_NAME_MAX + 1],
    uint32_t *id, uint8_t pub[SIGN_PUB_LEN], char *err, size_t errlen)
{
	const char	*plus, *hex, *b64;
	uint8_t		 key[1 + SIGN_PUB_LEN], idb[4];
	size_t		 namelen, keylen;
	uint32_t	 want;
	char		 nerr[256];

	if (sign_check_text(vkey, strlen(vkey), "verifier key", err,
	    errlen) == -1)
		return -1;
	if ((plus = strchr(vkey, '+')) == NULL) {
		snprintf(err, errlen, "the verifier key \"%s\" is not of the "
		    "form NAME+KEYID+KEY", vkey);
		return -1;
	}
	namelen = (size_t)(plus - vkey);
	if (sign_name_format(vkey, namelen, nerr, sizeof nerr) == -1) {
		snprintf(err, errlen, "the verifier key \"%s\": %s", vkey,
		    nerr);
		return -1;
	}
	if (namelen > SIGN_NAME_MAX) {
		snprintf(err, errlen, "the verifier key's name is %zu bytes, "
		    "longer than %d", namelen, SIGN_NAME_MAX);
		return -1;
	}
	hex = plus + 1;
	if (strlen(hex) < 9 || hex[8] != '+' ||
	    sign_hex_decode(hex, idb, 4) == -1) {
		snprintf(err, errlen, "the verifier key \"%s\" has no key id "
		    "(8 hex digits) after the name", vkey);
		return -1;
	}
	b64 = hex + 9;
	if (sign_b64_decode(b64, strlen(b64), key, sizeof key, &keylen) ==
	    -1) {
		snprintf(err, errlen, "the key of the verifier key \"%s\" is "
		    "not valid base64", vkey);
		return -1;
	}
	if (keylen == 0 || key[0] != SIGN_ALG_ED25519) {
		snprintf(err, errlen, "the verifier key \"%s\" is not an "
		    "Ed25519 key (type 0x%02x, not 0x01)", vkey,
		    keylen == 0 ? 0 : key[0]);
		return -1;
	}
	if (keylen != 1 + SIGN_PUB_LEN) {
		snprintf(err, errlen, "the verifier key \"%s\" holds %zu bytes "
		    "of key; an Ed25519 key is %d", vkey, keylen - 1,
		    SIGN_PUB_LEN);
		return -1;
	}
	memcpy(name, vkey, namelen);
	name[namelen] = '\0';
	memcpy(pub, key + 1, SIGN_PUB_LEN);
	*id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 |
	    (uint32_t)idb[2] << 8 | idb[3];
	want = sign_key_hash(name, namelen, pub);
	if (*id != want) {
		snprintf(err, errlen, "the verifier key \"%s\" is damaged: its "
		    "key id %08x does not match its name and key (%08x)", vkey,
		    *id, want);
		return -1;
	}
	return 0;
}

/* 1 if sig is a valid Ed25519 signature of text by pkey, else 0. */
static int
sign_verify_one(EVP_PKEY *pkey, const struct sign_sig *sig, const char *text,
    size_t len)
{
	EVP_MD_CTX	*ctx;
	int		 ok;

	if (sig->siglen != SIGN_SIG_LEN)
		return 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		sign_fatal("EVP_MD_CTX_new");
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sig->sig, SIGN_SIG_LEN,
	    (const unsigned char *)text, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/*
 * The public key of the verifier key vkey, its name and key id; NULL with
 * a sentence if vkey is not one.  The caller frees it.
 */
static EVP_PKEY *
sign_vkey_pkey(const char *vkey, char name[SIGN_NAME_MAX + 1], uint32_t *id,
    char *err, size_t errlen)
{
	EVP_PKEY	*pkey;
	uint8_t		 pub[SIGN_PUB_LEN];

	if (sign_vkey_parse(vkey, name, id, pub, err, errlen) == -1)
		return NULL;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    SIGN_PUB_LEN);
	if (pkey == NULL)
		snprintf(err, errlen, "the verifier key \"%s\" is not a valid "
		    "Ed25519 public key: %s", vkey, sign_ssl_reason());
	return pkey;
}

int
sign_note_verify(const struct sign_note *n, const char *vkey, char *err,
    size_t errlen)
{
	EVP_PKEY	*pkey;
	char		 name[SIGN_NAME_MAX + 1];
	uint32_t	 id;
	size_t		 i, found = 0;

	if ((pkey = sign_vkey_pkey(vkey, name, &id, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < n->nsigs; i++) {
		if (n->sigs[i].key_id != id ||
		    strcmp(n->sigs[i].name, name) != 0)
			continue;
		found++;
		if (!sign_verify_one(pkey, &n->sigs[i], n->text, n->textlen)) {
			snprintf(err, errlen, "the signature by %s+%08x does "
			    "not verify: the text was changed after it was "
			    "signed, or the signature is damaged", name, id);
			EVP_PKEY_free(pkey);
			return 0;
		}
	}
	EVP_PKEY_free(pkey);
	if (found == 0) {
		snprintf(err, errlen, "the note has no signature by %s+%08x",
		    name, id);
		return -2;
	}
	return 1;
}

/* What sign_notes_split is looking at. */
enum sign_split_state {
	SPLIT_START,		/* the first line of a note */
	SPLIT_TEXT,		/* in the text */
	SPLIT_BLANK,		/* after an empty line inside the note */
	SPLIT_SIGS		/* after a signature line that follows one */
};

int
sign_notes_split(const char *buf, size_t len, sign_note_fn fn, void *arg,
    char *err, size_t errlen)
{
	enum sign_split_state	 state = SPLIT_START;
	const char		*p, *nl, *note = buf;
	int			 line, start = 1, count = 0;
	size_t			 n;

	for (p = buf, line = 1; p < buf + len; p = nl + 1, line++) {
		if ((nl = memchr(p, '\n', buf + len - p)) == NULL) {
			snprintf(err, errlen, "line %d: the last line does not "
			    "end in a newline", line);
			return -1;
		}
		n = (size_t)(nl - p);
		switch (state) {
		case SPLIT_START:
			if (n == 0) {
				snprintf(err, errlen, "line %d: an empty line "
				    "where note %d should start (notes are "
				    "separated by exactly one empty line)",
				    line, count + 1);
				return -1;
			}
			note = p;
			start = line;
			state = SPLIT_TEXT;
			break;
		case SPLIT_TEXT:
			if (n == 0)
				state = SPLIT_BLANK;
			break;
		case SPLIT_BLANK:
			if (n >= SIGN_DASH_LEN &&
			    memcmp(p, SIGN_DASH, SIGN_DASH_LEN) == 0)
				state = SPLIT_SIGS;
			else if (n != 0)	/* that empty line was text */
				state = SPLIT_TEXT;
			break;
		case SPLIT_SIGS:
			if (n == 0) {
				count++;
				if (fn(note, (size_t)(p - note), start, arg,
				    err, errlen) == -1)
					return -1;
				state = SPLIT_START;
			} else if (n < SIGN_DASH_LEN ||
			    memcmp(p, SIGN_DASH, SIGN_DASH_LEN) != 0)
				state = SPLIT_TEXT;
			break;
		}
	}
	switch (state) {
	case SPLIT_START:
		return count;
	case SPLIT_SIGS:
		snprintf(err, errlen, "line %d: the file ends right after note "
		    "%d (which starts on line %d); each note must be followed "
		    "by one empty line", line - 1, count + 1, start);
		return -1;
	default:
		snprintf(err, errlen, "line %d: the file ends inside note %d "
		    "(which starts on line %d), before its signature lines",
		    line - 1, count + 1, start);
		return -1;
	}
}

int
sign_bytes(const struct sign_key *k, const void *msg, size_t len,
    uint8_t sig[SIGN_SIG_BYTES], char *err, size_t errlen)
{
	EVP_MD_CTX	*ctx;
	size_t		 siglen = SIGN_SIG_LEN;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		sign_fatal("EVP_MD_CTX_new");
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 ||
	    siglen != SIGN_SIG_LEN) {
		snprintf(err, errlen, "cannot sign with the key %s: %s",
		    k->name, sign_ssl_reason());
		EVP_MD_CTX_free(ctx);
		return -1;
	}
	EVP_MD_CTX_free(ctx);
	return 0;
}

int
sign_bytes_verify(const char *vkey, const void *msg, size_t len,
    const uint8_t sig[SIGN_SIG_BYTES], char *err, size_t errlen)
{
	struct sign_sig	 one;
	EVP_PKEY	*pkey;
	char		 name[SIGN_NAME_MAX + 1];
	uint32_t	 id;
	int		 ok;

	if ((pkey = sign_vkey_pkey(vkey, name, &id, err, errlen)) == NULL)
		return -1;
	memset(&one, 0, sizeof one);
	memcpy(one.sig, sig, SIGN_SIG_LEN);
	one.siglen = SIGN_SIG_LEN;
	ok = sign_verify_one(pkey, &one, msg, len);
	EVP_PKEY_free(pkey);
	if (!ok)
		snprintf(err, errlen, "the signature by %s+%08x does not "
		    "verify", name, id);
	return ok;
}
