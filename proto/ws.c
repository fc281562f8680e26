/*
 * ws.c - the WebSocket glue both ends share: reassembly of fragmented
 * messages under the message cap, and the outbound queue that turns "send
 * this" into one lws_write() per WRITEABLE callback.
 */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "proto/proto.h"
#include "proto/xmalloc.h"

struct proto_txbuf {
	struct proto_txbuf *next;
	size_t		len;
	unsigned char	data[];		/* LWS_PRE headroom, then the text */
};

/* Append len bytes of in to rx->buf, growing it; NUL-terminated. */
static void
rx_append(struct proto_rx *rx, const void *in, size_t len)
{
	if (rx->len + len + 1 > rx->cap) {
		size_t	ncap = rx->cap ? rx->cap : 4096;

		while (ncap < rx->len + len + 1)
			ncap *= 2;
		rx->buf = xrealloc(rx->buf, ncap);
		rx->cap = ncap;
	}
	if (len > 0)
		memcpy(rx->buf + rx->len, in, len);
	rx->len += len;
	rx->buf[rx->len] = '\0';
}

/* Over the cap: keep the first PROTO_RX_KEEP bytes, for the record. */
static void
rx_keep_head(struct proto_rx *rx, const void *in, size_t len)
{
	if (rx->len > PROTO_RX_KEEP) {
		rx->len = PROTO_RX_KEEP;
		rx->buf[rx->len] = '\0';
	}
	if (rx->len < PROTO_RX_KEEP)
		rx_append(rx, in, len < PROTO_RX_KEEP - rx->len ? len :
		    PROTO_RX_KEEP - rx->len);
}

enum proto_rx_result
proto_rx_add(struct proto_rx *rx, const void *in, size_t len, int first,
    int final, size_t limit)
{
	if (first) {
		rx->len = 0;
		rx->total = 0;
		rx->discarding = 0;
	}
	rx->total += len;
	if (rx->discarding) {
		rx_keep_head(rx, in, len);
		if (final)
			rx->discarding = 0;
		return PROTO_RX_TOO_BIG;
	}
	if (len > limit || rx->len > limit - len) {
		rx_keep_head(rx, in, len);
		rx->discarding = !final;
		return PROTO_RX_TOO_BIG;
	}
	rx_append(rx, in, len);
	if (!final)
		return PROTO_RX_MORE;
	if (!proto_utf8_valid(rx->buf, rx->len))
		return PROTO_RX_BAD_UTF8;
	return PROTO_RX_MESSAGE;
}

const char *
proto_rx_refuse(struct lws *wsi, enum proto_rx_result r)
{
	static char	too_big[] = "a message over 65536 bytes";
	static char	bad_utf8[] = "text that is not UTF-8";

	if (r == PROTO_RX_TOO_BIG) {
		lws_close_reason(wsi, PROTO_CLOSE_TOO_BIG,
		    (unsigned char *)"message too big", 15);
		return too_big;
	}
	lws_close_reason(wsi, PROTO_CLOSE_BAD_UTF8,
	    (unsigned char *)"text is not UTF-8", 17);
	return bad_utf8;
}

void
proto_rx_free(struct proto_rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof *rx);
}

void
proto_txq_push(struct proto_txq *q, const char *text, size_t len)
{
	struct proto_txbuf *b;

	b = xmalloc(sizeof *b + LWS_PRE + len);
	b->next = NULL;
	b->len = len;
	memcpy(b->data + LWS_PRE, text, len);
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->count++;
	q->bytes += len;
}

int
proto_txq_write(struct proto_txq *q, struct lws *wsi)
{
	struct proto_txbuf *b = q->head;
	int	n;

	if (b == NULL)
		return 0;
	n = lws_write(wsi, b->data + LWS_PRE, b->len, LWS_WRITE_TEXT);
	q->head = b->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->count--;
	q->bytes -= b->len;
	free(b);
	return n < 0 ? -1 : 0;
}

void
proto_txq_clear(struct proto_txq *q)
{
	struct proto_txbuf *b, *next;

	for (b = q->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	memset(q, 0, sizeof *q);
}
