/*
 * bulk.h - marked attempts and the one act taken on all of them.
 *
 * On the attempts view, Space marks an attempt (by identity: feed id and
 * attempt id, so that a mark survives re-sorting and an attempt that
 * comes back after a reconnect), and an act allowed in bulk (ACT_BULK of
 * decide.h: warn, message, pause, resume) is then taken on every marked
 * attempt: one reason for all, one decision each (its own journal entry
 * and command id).  The batch remembers what it sent and counts the
 * feeds' answers as they come, with the failures (refused at once, or by
 * the feed) listed until the proctor dismisses them.
 *
 * Pure: no curses, no libwebsockets, no app; bounded (BULK_MAX marks and
 * as many commands and failures in one batch).
 */
#ifndef INVIGIL_BULK_H
#define INVIGIL_BULK_H

#include <stddef.h>

#include "proto/proto.h"

#define BULK_MAX	128		/* marks, and commands of one act */
#define BULK_WHY_MAX	200		/* a failure's sentence, bytes */

struct bulk_mark {
	char	feed[PROTO_ID_MAX + 1];
	char	attempt[PROTO_ID_MAX + 1];
};

struct bulk_fail {
	char	attempt[PROTO_ID_MAX + 1];
	char	why[BULK_WHY_MAX + 1];	/* raw: sanitised where shown */
};

struct bulk {
	struct bulk_mark	mark[BULK_MAX];
	size_t			nmarks;
	/* The last bulk act: "" before the first and once dismissed. */
	char			act[32];
	size_t			sent;		/* commands recorded and sent */
	size_t			acked;		/* answered ok by their feed */
	size_t			refused;	/* answered not ok */
	size_t			unsent;		/* not recorded: never sent */
	char			cmd[BULK_MAX][PROTO_ID_MAX + 1]; /* awaiting */
	size_t			ncmd;
	struct bulk_fail	fail[BULK_MAX];	/* not recorded, or refused */
	size_t			nfail;
};

/* Is (feed, attempt) marked?  1 or 0. */
int	bulk_marked(const struct bulk *, const char *feed, const char *attempt);
/* Mark (feed, attempt), or unmark it if it is marked: 1 now marked, 0 now
 * unmarked, -1 not marked: BULK_MAX are marked already. */
int	bulk_toggle(struct bulk *, const char *feed, const char *attempt);
/* Forget every mark and the last act's result. */
void	bulk_clear(struct bulk *);
/* A new bulk act named act: the last one's result is forgotten. */
void	bulk_begin(struct bulk *, const char *act);
/* One decision of the act recorded and its command cmd sent. */
void	bulk_sent(struct bulk *, const char *cmd);
/* One decision of the act failed: on attempt, why (cut to fit, never
 * inside a UTF-8 character). */
void	bulk_failed(struct bulk *, const char *attempt, const char *why);
/*
 * A feed answered command cmd about attempt: if cmd is one of the act's,
 * counted (ok) or listed as a failure (why), and 1; else 0, nothing done.
 */
int	bulk_acked(struct bulk *, const char *cmd, const char *attempt, int ok,
	    const char *why);
/*
 * The act's result in one line into out: "warn: 3 sent" until the first
 * answer, then "warn: 1 of 3 acknowledged" as answers come; "pause: 2 of
 * 3 acknowledged, 1 refused" once a feed refused one; ", 1 not sent" when
 * decisions failed before anything was sent.  "" when there is no act.
 */
void	bulk_summary(const struct bulk *, char *out, size_t outsz);

#endif /* INVIGIL_BULK_H */
