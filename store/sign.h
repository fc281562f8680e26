/*
 * sign.h - per-actor Ed25519 identity keys, and the C2SP "signed note" and
 * "tlog-checkpoint" text formats (https://c2sp.org/signed-note,
 * https://c2sp.org/tlog-checkpoint), as the journal uses them.
 *
 * Each actor (proctor, admin, the console itself) has a key of its own in
 * DIR/NAME.key, a PEM PKCS#8 file that openssl(1) can read, created on first
 * use.  The journal's checkpoints are signed notes of the checkpoint text
 * "<origin>\n<size>\n<base64 root>\n"; a verifier needs only the note and
 * the signer's verifier key ("vkey", "<name>+<key id>+<base64 key>"), so a
 * third party can check an exported checkpoint with any implementation of
 * the note format (tests/peer/verify-note.js is one).
 *
 * Every function that can fail returns 0 (or a pointer) on success and -1
 * (or NULL) on failure with a sentence in the caller's err buffer.  Hashing
 * cannot fail short of running out of memory, which aborts.
 */
#ifndef INVIGIL_SIGN_H
#define INVIGIL_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define SIGN_NAME_MAX	64
#define SIGN_HASH_LEN	32	/* SHA-256 */
#define SIGN_MAX_SIGS	16	/* signatures kept per parsed note */

/* Longest vkey: name, '+', 8 hex digits, '+', base64 of 33 bytes. */
#define SIGN_VKEY_MAX	(SIGN_NAME_MAX + 1 + 8 + 1 + 44)

struct sign_key;	/* an Ed25519 private key with its name */

/*
 * A key name may be used in a note: 1..SIGN_NAME_MAX bytes, printable ASCII
 * (0x21..0x7e) except '+'.  0, or -1 with a sentence naming the offending
 * character or the length.
 */
int		 sign_name_valid(const char *name, char *err, size_t errlen);

/*
 * The directory keys live in: $XDG_CONFIG_HOME/invigil when XDG_CONFIG_HOME
 * is set and absolute, else $HOME/.config/invigil.  The path is written to
 * buf (len bytes); nothing is created.  0, or -1 if neither variable is
 * usable or buf is too small.
 */
int		 sign_key_dir(char *buf, size_t len, char *err, size_t errlen);

/*
 * The directory a command's --key-dir names, or, when given is NULL, the
 * default of sign_key_dir(), in buf.  0, or -1 with a sentence.
 */
int		 sign_key_dir_or(const char *given, char *buf, size_t len,
		     char *err, size_t errlen);

/*
 * The key of name from DIR/NAME.key, created on first use.
 *
 * A missing directory is created (mode 0700, parents too).  A new key is
 * generated from a RAND_bytes seed and written as PEM PKCS#8 (so that
 * `openssl pkey -in FILE` reads it) to a temporary file of mode 0600 in
 * DIR, which is fsync'd and then linked into place without overwriting
 * anything, and DIR is fsync'd: two processes creating the same key at once
 * end up with one key, and a crash never leaves a half-written key file.
 *
 * A directory that group or others may write, or that is not the current
 * user's, is refused ("chmod 700 DIR").
 * An existing file that is group- or other-readable or -writable, not a
 * regular file, or not owned by the current user is refused with a sentence
 * that says how to fix it; so is one that does not hold an Ed25519 private
 * key (an encrypted one included: there is no passphrase prompt).  name must
 * pass sign_name_valid() and may not contain '/'.
 *
 * *created (may be NULL) is set to 1 if the key was created by this call,
 * else 0.  Returns the key, freed with sign_key_free(), or NULL with a
 * sentence in err.
 */
struct sign_key	*sign_key_load(const char *dir, const char *name, int *created,
		     char *err, size_t errlen);

/*
 * A key from a 32-byte Ed25519 seed (RFC 8032 private key), for tests and
 * the skey format.  NULL with a sentence if name is not valid.
 */
struct sign_key	*sign_key_from_seed(const char *name, const uint8_t seed[32],
		     char *err, size_t errlen);

/* Free a key (NULL is allowed); the private key is wiped by OpenSSL. */
void		 sign_key_free(struct sign_key *);

/* The key's name. */
const char	*sign_key_name(const struct sign_key *);

/* The file the key came from; "" when it did not come from a file. */
const char	*sign_key_path(const struct sign_key *);

/*
 * The verifier key in the note format:
 * "<name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>".
 * The string lives as long as the key.
 */
const char	*sign_key_vkey(const struct sign_key *);

/*
 * The 4-byte key id, big-endian: the first four bytes of
 * SHA-256(name || "\n" || 0x01 || 32-byte public key).
 */
uint32_t	 sign_key_id(const struct sign_key *);

/*
 * The checkpoint text per tlog-checkpoint, "<origin>\n<size>\n<base64 of
 * root>\n", into buf (len bytes, NUL-terminated).  origin must be 1 to 255
 * bytes of UTF-8 without control characters (so no newline).  0, or -1 if
 * buf is too small or origin is bad.
 */
int		 sign_checkpoint_body(char *buf, size_t len, const char *origin,
		     uint64_t size, const uint8_t root[SIGN_HASH_LEN],
		     char *err, size_t errlen);

/*
 * The signed note of text: text + "\n" + "— <name> <base64(4-byte key id
 * || 64-byte signature)>\n", where the signature is Ed25519 over text.
 *
 * text must be non-empty valid UTF-8 ending in '\n', with no control
 * characters other than '\n' (the note format's rules) and, stricter than
 * the format, no empty line, so that a file of notes splits unambiguously
 * (sign_notes_split).  Returns a malloc'd NUL-terminated string, or NULL
 * with a sentence.
 */
char		*sign_note(const struct sign_key *, const char *text, char *err,
		     size_t errlen);

struct sign_sig {
	char		name[SIGN_NAME_MAX + 1];
	uint32_t	key_id;
	uint8_t		sig[64];	/* its first 64 bytes */
	size_t		siglen;		/* 64 for Ed25519; other lengths kept but never verify */
};

struct sign_note {
	char		*text;		/* the signed text, malloc'd, ends in '\n' */
	size_t		 textlen;
	size_t		 nsigs;
	struct sign_sig	 sigs[SIGN_MAX_SIGS];
	/* The checkpoint fields when text is a checkpoint (is_checkpoint): */
	int		 is_checkpoint;
	char		 origin[256];
	uint64_t	 size;
	uint8_t		 root[SIGN_HASH_LEN];
};

/*
 * Parse one signed note from text (len bytes: exactly one note, nothing
 * after its last signature line).  Strict: the whole note is valid UTF-8
 * without control characters other than '\n', every line ends in '\n', the
 * text is separated from the signatures by the last empty line (the text
 * itself may hold empty lines, as the format allows), and every line after
 * it is "— NAME BASE64" with a NAME of the format (non-empty, no Unicode
 * space, no '+') and a canonical padded base64 of at least 5 bytes.  At most
 * SIGN_MAX_SIGS signature lines.  A signature whose name is longer than
 * SIGN_NAME_MAX bytes is checked but not kept (no key of ours can have that
 * name): nsigs counts those kept.
 *
 * Then, if the text has at least 3 lines and its second line is all ASCII
 * digits (it claims to be a tree size), the text must be a checkpoint:
 * origin of 1 to 255 bytes, size in decimal without leading zeros (except
 * "0") that fits 64 bits, root the base64 of exactly 32 bytes, and any
 * further (extension) lines non-empty; is_checkpoint = 1 and the fields are
 * filled.  Any other text is a plain note (is_checkpoint = 0).
 *
 * 0, or -1 with a sentence saying what is wrong and on which line (1-based,
 * counted from the note's first line).  On failure the struct holds
 * nothing; either way sign_note_clear() may be called.
 */
int		 sign_note_parse(const char *text, size_t len,
		     struct sign_note *, char *err, size_t errlen);

/* Free what sign_note_parse() allocated and zero the struct. */
void		 sign_note_clear(struct sign_note *);

/*
 * Check the note's signatures against one verifier key (a vkey string as
 * from sign_key_vkey()).  Returns 1 if a signature with the vkey's name and
 * key id is present and every such signature is valid, 0 if one with that
 * name and id is present but does not verify (err says so), -2 if no
 * signature by that key is present (signatures by other keys are ignored,
 * as the format requires), -1 if the vkey itself is malformed: not of the
 * form above, not an Ed25519 key (type 0x01), or its key id does not match
 * its name and key (sentence in err).
 */
int		 sign_note_verify(const struct sign_note *, const char *vkey,
		     char *err, size_t errlen);

/*
 * A file of several notes (what `invigil review checkpoints --export`
 * writes): notes one after another, each followed by one empty line (so the
 * file is note, "\n", note, "\n", ...).  A note ends at the first empty line
 * after a run of signature lines ("— " ...) that itself follows an empty
 * line.  sign_notes_split() calls fn for each note (its bytes up to and
 * including the '\n' of its last signature line, not the empty line after
 * it) with the 1-based line number of the file on which it starts; fn
 * returns 0 to go on, or -1 to stop with the error it left in err.
 *
 * Returns the number of notes (0 for an empty buffer), or -1 with a
 * sentence naming the note and line that is malformed (an empty line where
 * a note should start, a note without signatures, a note not followed by
 * an empty line, a last line without '\n'), or fn's error.
 */
typedef int	(*sign_note_fn)(const char *note, size_t len, int line,
		     void *arg, char *err, size_t errlen);
int		 sign_notes_split(const char *buf, size_t len, sign_note_fn fn,
		     void *arg, char *err, size_t errlen);

#define SIGN_SIG_BYTES	64	/* an Ed25519 signature */

/*
 * A secret of SIGN_SECRET_LEN bytes kept in the file path as hex on one
 * line (the outcome list's pseudonym key): read with a signing key's
 * checks (a regular file, yours, mode 0600), or created with a random
 * one when there is none (*created = 1; its directory made if needed).
 * 0, or -1 with a sentence.
 */
#define SIGN_SECRET_LEN	32
int		 sign_secret_load(const char *path,
		     uint8_t secret[SIGN_SECRET_LEN], int *created, char *err,
		     size_t errlen);

/*
 * The Ed25519 signature of msg[len] by k into sig (the journal signs its
 * entries so, store/journal.h).  0, or -1 with a sentence.
 */
int		 sign_bytes(const struct sign_key *, const void *msg,
		     size_t len, uint8_t sig[SIGN_SIG_BYTES], char *err,
		     size_t errlen);
/*
 * Is sig an Ed25519 signature of msg[len] by the key vkey names?  1 yes,
 * 0 no (err says so), -1 vkey is not a verifier key (sentence in err).
 */
int		 sign_bytes_verify(const char *vkey, const void *msg,
		     size_t len, const uint8_t sig[SIGN_SIG_BYTES], char *err,
		     size_t errlen);

/* out = SHA-256(data[len]). */
void		 sign_sha256(const void *data, size_t len,
		     uint8_t out[SIGN_HASH_LEN]);

/* The chain step used by the journal: out = SHA-256(prev[32] || body[len]). */
void		 sign_chain(const uint8_t prev[SIGN_HASH_LEN], const char *body,
		     size_t len, uint8_t out[SIGN_HASH_LEN]);

/* h as 64 lower-case hex digits and a NUL. */
void		 sign_hex(const uint8_t h[SIGN_HASH_LEN],
		     char out[2 * SIGN_HASH_LEN + 1]);

/*
 * The 32 bytes of exactly 64 hex digits (either case) and nothing else;
 * 0, or -1 (h untouched) for anything else.
 */
int		 sign_unhex(const char *hex, uint8_t h[SIGN_HASH_LEN]);

/* Length of the padded base64 of a hash: 44. */
#define SIGN_HASH_B64	(4 * ((SIGN_HASH_LEN + 2) / 3))

/* h as standard padded base64 (as in a checkpoint's root line) and a NUL. */
void		 sign_hash_b64(const uint8_t h[SIGN_HASH_LEN],
		     char out[SIGN_HASH_B64 + 1]);

/*
 * The 32 bytes of exactly len characters of canonical padded base64;
 * 0, or -1 (h untouched) for anything else.
 */
int		 sign_hash_unb64(const char *b64, size_t len,
		     uint8_t h[SIGN_HASH_LEN]);

#endif /* INVIGIL_SIGN_H */
