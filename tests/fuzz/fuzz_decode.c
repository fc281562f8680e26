/*
 * fuzz_decode.c - libFuzzer target for protocol v1 message decoding.
 *
 * The input is one message as it arrives off the wire.  It is decoded both
 * strictly and with PROTO_DECODE_UNSEQUENCED; a message that decodes must
 * encode, its encoding must decode again, and the second encoding must be
 * byte-identical to the first (the codec's two directions agree); its
 * terminal-safe form (proto_json_safe, what headless prints) must decode to
 * the same message and hold no raw control or invisible character.  A message
 * that does not decode must leave one sentence in the error buffer:
 * NUL-terminated, valid UTF-8, no raw control bytes.  The same input also
 * goes through the display sanitiser, into a buffer large enough for all of
 * it and into a small one, whose output must hold no control characters, no
 * bidi controls and no invisible characters (zero widths, joiners, Hangul
 * fillers, tags...), and the small output must be a prefix of the large.
 *
 * Build and run with `make fuzz` (tests/fuzz/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ERR_SIZE	1024

static void __attribute__((noreturn))
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_decode: %s%s%s\n", what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	abort();
}

/*
 * Is the code point of the well-formed UTF-8 character at p (n bytes) one
 * that hides in text: a zero width, joiner, separator, Hangul filler, soft
 * hyphen, invisible operator, variation selector or tag?  (Listed here
 * independently of the sanitiser.)
 */
static const char *
find_invisible(const unsigned char *p, size_t n)
{
	static const struct {
		uint32_t	lo, hi;
	} hidden[] = {
		{ 0x00ad, 0x00ad }, { 0x115f, 0x1160 }, { 0x180e, 0x180e },
		{ 0x200b, 0x200d }, { 0x2028, 0x2029 }, { 0x2060, 0x2064 },
		{ 0x206a, 0x206f }, { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f },
		{ 0xfeff, 0xfeff }, { 0xffa0, 0xffa0 }, { 0xfff9, 0xfffb },
		{ 0xe0000, 0xe007f },
	};
	uint32_t	cp;
	size_t		i;

	if (n == 2)
		cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	else if (n == 3)
		cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 |
		    (p[2] & 0x3f);
	else
		cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		    (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	for (i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
		if (cp >= hidden[i].lo && cp <= hidden[i].hi)
			return "an invisible character";
	return NULL;
}

/*
 * Is there a C0 control, DEL, a C1 control, a bidi control or an invisible
 * character in s?
 */
static const char *
find_control(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const char		*what;
	size_t			 i, n;

	for (i = 0; i < len; i++) {
		n = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : p[i] >= 0xc0 ? 2 : 1;
		if (n > 1 && i + n <= len && proto_utf8_valid(s + i, n) &&
		    (what = find_invisible(p + i, n)) != NULL)
			return what;
		if (p[i] < 0x20 || p[i] == 0x7f)
			return "a C0 control or DEL";
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 &&
		    p[i + 1] <= 0x9f)
			return "a C1 control";
		/* U+061C */
		if (p[i] == 0xd8 && i + 1 < len && p[i + 1] == 0x9c)
			return "bidi control U+061C";
		/* U+200E, U+200F, U+202A..U+202E */
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x80 &&
		    (p[i + 2] == 0x8e || p[i + 2] == 0x8f ||
		    (p[i + 2] >= 0xaa && p[i + 2] <= 0xae)))
			return "bidi control U+200E..U+202E";
		/* U+2066..U+2069 */
		if (p[i] == 0xe2 && i + 2 < len && p[i + 1] == 0x81 &&
		    p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)
			return "bidi control U+2066..U+2069";
	}
	return NULL;
}

/* An error sentence must be terminated, UTF-8 and free of controls. */
static void
check_error(const char *err, size_t errlen)
{
	const char	*what;
	size_t		 len;

	if (errlen == 0)
		return;
	if (memchr(err, '\0', errlen) == NULL)
		fail("error sentence not NUL-terminated", NULL);
	len = strlen(err);
	if (errlen > 64 && len == 0)
		fail("decode failed with an empty error sentence", NULL);
	if ((what = find_control(err, len)) != NULL)
		fail("error sentence holds a raw control", what);
	if (!proto_utf8_valid(err, len))
		fail("error sentence is not UTF-8", err);
}

/*
 * Run the sanitiser into a buffer that fits every escape and into one of
 * small bytes; both outputs must be clean, the small one a prefix of the
 * large one.
 */
static void
check_sanitize(const char *in, size_t len, size_t small)
{
	char		*big, *lit;
	size_t		 bigsz = 4 * len + 1, nbig, nlit;
	const char	*what;

	big = xmalloc(bigsz);
	lit = xmalloc(small);
	nbig = proto_sanitize(in, len, big, bigsz);
	nlit = proto_sanitize(in, len, lit, small);
	if (nbig >= bigsz || big[nbig] != '\0' || strlen(big) != nbig)
		fail("sanitize: length or terminator wrong (large)", NULL);
	if (nlit >= small || lit[nlit] != '\0' || strlen(lit) != nlit)
		fail("sanitize: length or terminator wrong (small)", NULL);
	if ((what = find_control(big, nbig)) != NULL)
		fail("sanitize output holds", what);
	if ((what = find_control(lit, nlit)) != NULL)
		fail("sanitize output (small) holds", what);
	if (!proto_utf8_valid(big, nbig) || !proto_utf8_valid(lit, nlit))
		fail("sanitize output is not UTF-8", NULL);
	if (nlit > nbig || memcmp(lit, big, nlit) != 0)
		fail("sanitize: small output is not a prefix of the large",
		    NULL);
	/* Everything fits in 4x, so the large output took all the input. */
	if (len > 0 && nbig == 0)
		fail("sanitize: nothing written for non-empty input", NULL);
	free(lit);
	free(big);
}

/* Encode m, which decoded, or abort: returns the heap string. */
static char *
must_encode(const struct proto_msg *m, size_t *len, const char *when)
{
	char	 err[ERR_SIZE], *out;

	if ((out = proto_encode(m, len, err, sizeof err)) == NULL) {
		fprintf(stderr, "fuzz_decode: %s: %s message does not encode: "
		    "%s\n", when, proto_type_name(m->type), err);
		abort();
	}
	if (strlen(out) != *len)
		fail("encode: length does not match the text", when);
	return out;
}

/*
 * Encode again (the encoding named when) and abort unless the bytes are
 * those of one, printing why, one, and after label the text again was
 * decoded from (NULL: its own encoding).  Clears again.
 */
static void
must_match(const char *one, size_t len1, struct proto_msg *again,
    const char *when, const char *why, const char *label, const char *from)
{
	char	*two;
	size_t	 len2;

	two = must_encode(again, &len2, when);
	if (len1 != len2 || memcmp(one, two, len1) != 0) {
		fprintf(stderr, "fuzz_decode: %s\nfirst:  %s\n%s %s\n", why,
		    one, label, from != NULL ? from : two);
		abort();
	}
	proto_msg_clear(again);
	free(two);
}

/*
 * The round trip: encode m, decode that strictly, encode again; the two
 * encodings must be the same bytes.
 */
static void
round_trip(struct proto_msg *m)
{
	struct proto_msg	 again;
	char			 err[ERR_SIZE], *one, *safe;
	size_t			 len1, len2;

	/* Decoded unsequenced: give it the header a stream message needs. */
	if (proto_type_is_stream(m->type) && m->seq == 0)
		m->seq = 1;
	one = must_encode(m, &len1, "first encoding");
	if (proto_decode(one, len1, 0, &again, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_decode: own encoding does not decode: "
		    "%s\nencoding: %s\n", err, one);
		abort();
	}
	must_match(one, len1, &again, "second encoding", "round trip differs",
	    "second:", NULL);
	/* The terminal-safe form (headless output) is the same message and
	 * holds nothing that acts on a terminal or hides in text. */
	safe = proto_json_safe(one, len1, &len2);
	if (find_control(safe, len2) != NULL ||
	    proto_decode(safe, len2, 0, &again, err, sizeof err) != 0) {
		fprintf(stderr, "fuzz_decode: terminal-safe JSON is unsafe or "
		    "does not decode\nsafe: %s\n", safe);
		abort();
	}
	must_match(one, len1, &again, "encoding of the terminal-safe form",
	    "terminal-safe JSON is another message", "safe:  ", safe);
	free(safe);
	free(one);
}

static void
decode_one(const char *buf, size_t len, int flags, size_t errlen)
{
	struct proto_msg	 m;
	char			*err;

	/* Exactly errlen bytes, so a write past it is caught by ASan. */
	err = xmalloc(errlen);
	memset(err, 'x', errlen == 0 ? 1 : errlen);
	if (proto_decode(buf, len, flags, &m, err, errlen) == 0) {
		round_trip(&m);
		proto_msg_clear(&m);
	} else
		check_error(err, errlen);
	free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*buf = (const char *)data;
	size_t		 small;

	decode_one(buf, size, 0, ERR_SIZE);
	/* A short buffer too, to cut sentences at every length. */
	decode_one(buf, size, PROTO_DECODE_UNSEQUENCED,
	    size % 2 == 0 ? ERR_SIZE : 1 + size % 97);

	small = 1 + (size > 0 ? data[0] % 64 : 0);
	check_sanitize(buf, size, small);
	return 0;
}
