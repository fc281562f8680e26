/*
 * headless.h - --headless: requests on stdin, one JSON object per line,
 * and the console's answers and events on stdout, one per line
 * (invigil(1), HEADLESS).
 */
#ifndef INVIGIL_HEADLESS_H
#define INVIGIL_HEADLESS_H

#include <stddef.h>

#include "proto/proto.h"
#include "store/store.h"

struct app;
struct flag;
struct pending_cmd;

/* A flag was raised: say it on stdout. */
void		 headless_flag(struct app *, const struct flag *);
/* fd (stdin) is readable: take in the requests it holds.  0, or -1 at
 * the end of the requests. */
int		 headless_input(struct app *, int fd);
/* The feed answered p's command (m, an ack); receipt is the journal entry
 * that recorded the answer, or NULL if none did (a repeat, a failure). */
void		 headless_done(struct app *, const struct pending_cmd *p,
		     const struct proto_msg *m,
		     const struct store_receipt *receipt);
/* p's command was not answered within --command-timeout. */
void		 headless_unanswered(struct app *, const struct pending_cmd *p);

#endif /* INVIGIL_HEADLESS_H */
