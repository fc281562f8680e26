/*
 * ingest.h - what feeds send, into the console (ingest.c, welcome.c).
 */
#ifndef INVIGIL_INGEST_H
#define INVIGIL_INGEST_H

#include <stddef.h>

#include "proto/proto.h"

struct app;
struct feed_link;

/*
 * A whole message (len bytes of text) arrived on link: decode it, place it
 * in the feed's stream and take it in, or keep it in rejects with the
 * reason.  The one entry point of every transport.
 */
void		 ingest_receive(struct feed_link *, const char *buf,
		    size_t len);
/*
 * A message refused for its size or encoding (rx): the transport closes
 * the connection.  What there is of it is kept in rejects (raw holds at
 * least its first min(rawlen, 4096) bytes, all the store keeps; rawlen is
 * the whole message's length), and its seq is accounted for with a gap so
 * that the resume goes past it instead of fetching it again forever.
 */
void		 ingest_refused(struct feed_link *, enum proto_rx_result rx,
		    const char *raw, size_t rawlen);
/* Holds that reached their time with nothing arriving (a face that never
 * returns) fire on the feed's clock: run the rules' clock. */
void		 ingest_tick(struct app *);
/* welcome.c: link's welcome w (see welcome.c). */
void		 ingest_welcome(struct app *, struct feed_link *,
		    const struct proto_welcome *w);

#endif /* INVIGIL_INGEST_H */
