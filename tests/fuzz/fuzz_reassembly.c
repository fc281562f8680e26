/*
 * fuzz_reassembly.c - libFuzzer target for WebSocket message reassembly
 * (proto_rx_add in proto/ws.c).
 *
 * The input is a script of fragments as lws would report them.  Its first
 * byte picks the message limit: 300 bytes, PROTO_MAX_MESSAGE, or a tiny one
 * (0..63).  Then each fragment is a 3-byte header and its payload:
 *
 *	flags	bit 0: final fragment
 *		bit 1: also "first" although the last message did not end
 *		       (a new message abandons a partial one)
 *		bit 2: fill: the payload is the length in copies of one byte
 *		       (taken from the input), to reach the big limit cheaply
 *		bit 3: fill length doubled (past 64 KiB in one fragment)
 *		       (after FILL_MAX bytes of fill, fills are short)
 *		bit 4: pass NULL for an empty payload
 *	len	2 bytes, little-endian; a literal payload is cut to what is left
 *
 * A fragment is "first" when the one before it was final (or it opens the
 * input), as lws reports them.  A shadow copy, kept by the rules in proto.h,
 * says what each call must return; on PROTO_RX_MESSAGE the buffer must be
 * NUL-terminated, within the limit, UTF-8, and equal the shadow.
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

#define SMALL_LIMIT	300
#define FILL_MAX	(4 * PROTO_MAX_MESSAGE)	/* fill bytes per input */

struct shadow {
	unsigned char	*buf;		/* PROTO_MAX_MESSAGE bytes */
	size_t		 len;
	int		 discarding;
};

static const char *result_names[] = {
	"MORE", "MESSAGE", "TOO_BIG", "BAD_UTF8"
};

static const char *
result_name(enum proto_rx_result r)
{
	if ((unsigned)r < sizeof result_names / sizeof result_names[0])
		return result_names[r];
	return "(out of range)";
}

/*
 * A reference UTF-8 check written from RFC 3629's table, independent of
 * proto_utf8_valid.
 */
static int
ref_utf8_valid(const unsigned char *p, size_t len)
{
	size_t		i = 0, n, k;
	unsigned char	lo, hi;

	while (i < len) {
		lo = 0x80;
		hi = 0xbf;
		if (p[i] <= 0x7f) {
			i++;
			continue;
		} else if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 1;
		else if (p[i] == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if (p[i] == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (p[i] >= 0xe1 && p[i] <= 0xef)
			n = 2;
		else if (p[i] == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (p[i] == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else if (p[i] >= 0xf1 && p[i] <= 0xf3)
			n = 3;
		else
			return 0;
		if (len - i - 1 < n)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		}
		i += n + 1;
	}
	return 1;
}

/* What proto_rx_add must return, updating the shadow as it would. */
static enum proto_rx_result
expect(struct shadow *sh, const unsigned char *in, size_t len, int first,
    int final, size_t limit)
{
	if (first) {
		sh->len = 0;
		sh->discarding = 0;
	}
	if (sh->discarding) {
		if (final)
			sh->discarding = 0;
		return PROTO_RX_TOO_BIG;
	}
	if (sh->len + len > limit) {
		sh->len = 0;
		sh->discarding = !final;
		return PROTO_RX_TOO_BIG;
	}
	memcpy(sh->buf + sh->len, in, len);
	sh->len += len;
	if (!final)
		return PROTO_RX_MORE;
	if (!ref_utf8_valid(sh->buf, sh->len))
		return PROTO_RX_BAD_UTF8;
	return PROTO_RX_MESSAGE;
}

static void __attribute__((noreturn))
fail(size_t fragment, const char *what, enum proto_rx_result got,
    enum proto_rx_result want)
{
	fprintf(stderr, "fuzz_reassembly: fragment %zu: %s (got %s, "
	    "expected %s)\n", fragment, what, result_name(got),
	    result_name(want));
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 shadow_buf[PROTO_MAX_MESSAGE];
	static unsigned char	 fill_buf[2 * 0xffff];
	struct shadow		 sh = { shadow_buf, 0, 0 };
	struct proto_rx		 rx;
	enum proto_rx_result	 got, want;
	unsigned char		*frag;
	const unsigned char	*payload;
	size_t			 limit, pos, len, nfrag = 0, filled = 0;
	int			 flags, first, final, prev_final = 1;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		limit = SMALL_LIMIT;
		break;
	case 1:
		limit = PROTO_MAX_MESSAGE;
		break;
	default:
		limit = data[0] >> 2;
		break;
	}

	memset(&rx, 0, sizeof rx);
	pos = 1;
	while (size - pos >= 3) {
		flags = data[pos];
		len = (size_t)data[pos + 1] | (size_t)data[pos + 2] << 8;
		pos += 3;
		if (flags & 0x04) {
			if (flags & 0x08)
				len *= 2;
			/* Keep an input cheap to run. */
			if (filled > FILL_MAX)
				len %= 256;
			filled += len;
			/* Not from malloc: large blocks make ASan slow. */
			frag = fill_buf;
			memset(frag, pos < size ? data[pos++] : 'a', len);
		} else {
			if (len > size - pos)
				len = size - pos;
			/* An exact copy, so reading past it is caught. */
			frag = xmalloc(len);
			if (len > 0)
				memcpy(frag, data + pos, len);
			pos += len;
		}
		payload = frag;
		if (len == 0 && (flags & 0x10))
			payload = NULL;

		first = prev_final || (flags & 0x02) != 0;
		final = (flags & 0x01) != 0;
		want = expect(&sh, frag, len, first, final, limit);
		got = proto_rx_add(&rx, payload, len, first, final, limit);
		if (frag != fill_buf)
			free(frag);

		if (got != want)
			fail(nfrag, "wrong result", got, want);
		if (got == PROTO_RX_MESSAGE) {
			if (rx.len > limit)
				fail(nfrag, "message over the limit", got,
				    want);
			if (rx.buf == NULL || rx.buf[rx.len] != '\0')
				fail(nfrag, "message not NUL-terminated", got,
				    want);
			if (!proto_utf8_valid(rx.buf, rx.len))
				fail(nfrag, "message is not UTF-8", got, want);
			if (rx.len != sh.len ||
			    memcmp(rx.buf, sh.buf, sh.len) != 0)
				fail(nfrag, "message differs from its "
				    "fragments", got, want);
		}
		if (got == PROTO_RX_BAD_UTF8 && proto_utf8_valid(rx.buf,
		    rx.len))
			fail(nfrag, "refused as not UTF-8 but it is", got, want);
		prev_final = final;
		nfrag++;
	}
	proto_rx_free(&rx);
	if (rx.buf != NULL || rx.len != 0 || rx.cap != 0)
		fail(nfrag, "proto_rx_free left state behind", PROTO_RX_MORE,
		    PROTO_RX_MORE);
	return 0;
}
