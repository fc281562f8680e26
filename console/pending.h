/*
 * pending.h - commands sent to a feed and not yet acknowledged.
 *
 * A command (warn, message, pause, resume, terminate, extend, lock) is
 * recorded with its journal
 * entry (decide.c), then waits here, oldest first, until the feed it was
 * sent to acknowledges it.  It is bound to the feed id it was sent to:
 * re-sent after that feed's next welcome, never to another feed.
 */
#ifndef INVIGIL_PENDING_H
#define INVIGIL_PENDING_H

#include <stddef.h>

#include "proto/proto.h"

struct app;
struct attempt;
struct feed_link;
struct feed_session;
struct pending_cmd;

/*
 * An extend's minutes: the console records an extend with the text
 * "N minutes: REASON" (decide.c), which is also what the feed is sent as
 * its text, so that the minutes survive in the commands table and are
 * sent again after a restart.  0 for any other action or text.
 */
int64_t		 pending_minutes(enum proto_action action, const char *text);
/*
 * The cmd message for a command (an extend's minutes from its text,
 * pending_minutes()); -1 if its text is longer than the protocol allows
 * (PROTO_TEXT_MAX bytes), never a cut one.
 */
int		 pending_message(struct proto_msg *m, const char *id,
		    const struct attempt *a, enum proto_action action,
		    const char *text);
/*
 * Wait for command id about a (text cut where the codec can still encode
 * it; request: the headless request's id as JSON text, copied, or NULL).
 * Shown on the attempt as "ACTION pending".  Aborts when out of memory.
 */
struct pending_cmd *pending_add(struct app *, const char *id,
		    struct attempt *a, enum proto_action action,
		    const char *text, const char *request);
/* Send p's command on link. */
void		 pending_send(struct feed_link *, const struct pending_cmd *p);
/*
 * After a welcome: send again every command of the feed id link now
 * answers for that was not acknowledged (the feed treats a repeated id as
 * the same command).  Commands of any other feed id are never sent here.
 */
void		 pending_resend(struct app *, struct feed_link *);
/*
 * m, an ack from session fs: the command it answers is done (shown on its
 * attempt, said on the status line and headless, with receipt, the
 * journal entry of the answer, or NULL) and forgotten.  Only the feed the
 * command went to answers it.
 */
void		 pending_acked(struct app *, struct feed_session *fs,
		    const struct proto_msg *m,
		    const struct store_receipt *receipt);
/*
 * Session old was replaced by another feed id at its URL: its commands are
 * shown as not sent.  Returns how many, their ids in unsent (a JSON array,
 * jansson's json_t *, appended to; may be NULL).
 */
int		 pending_replaced(struct app *, struct feed_session *old,
		    void *unsent);
/*
 * Headless: a command the feed has not answered --command-timeout seconds
 * after it was recorded (or loaded at start) is said to be unanswered,
 * once.  It stays pending and is still re-sent on reconnect; an answer
 * that comes later is still printed.
 */
void		 pending_overdue(struct app *, int64_t now_ms);
/* Forget every pending command. */
void		 pending_free(struct app *);

#endif /* INVIGIL_PENDING_H */
