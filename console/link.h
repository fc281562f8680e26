/*
 * link.h - a feed link: the console's connection to one --feed URL,
 * whatever carries it.
 *
 * A struct feed_link holds what every transport shares (the URL, the
 * connection state the screen shows, the retry count, whether welcome
 * came, the session it carries) and an implementation pointer for the
 * transport's own state, reached only through its ops table.  Today's
 * transport is WebSocket (link-ws.c); another is one new file with a
 * struct link_ops, and its line in the loop's list of transports
 * (loop.c).
 *
 * A transport reports what happens to the connection through one
 * function, link_report(), and hands every message it receives to
 * ingest_receive() (ingest.h).  Session state (epoch, last seq) lives in
 * the model (struct feed_session), never in the link, so that the
 * position survives the connection.
 *
 * Pure of any transport: link.c includes neither libwebsockets.h nor
 * curses.h.
 */
#ifndef INVIGIL_LINK_H
#define INVIGIL_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

struct app;
struct feed_link;
struct feed_session;

/* The connection states the screen shows (link_state_name). */
enum conn_state {
	CONN_CONNECTING,
	CONN_LIVE,		/* welcome received */
	CONN_RETRYING,
	CONN_REFUSED,		/* 401: wrong or missing token; long backoff */
	CONN_STOPPED
};

/* What a transport reports to link_report(). */
enum link_event {
	LINK_CONNECTING,	/* a connection is being made */
	LINK_OPENED,		/* it is open: the hello may go */
	LINK_CLOSED,		/* it closed or failed: retry */
	LINK_REFUSED		/* the feed refused us (a token): retry late */
};

/* A transport. */
struct link_ops {
	const char	       *name;
	const char	       *schemes[4];	/* URL prefixes, NULL-ended */
	/* Set the link up for its URL (parse, check): 0, or -1 with a
	 * sentence in err. */
	int		(*open)(struct feed_link *, char *err, size_t errlen);
	/* Start a connection; how it goes comes back through
	 * link_report(). */
	void		(*connect)(struct feed_link *);
	/* Queue one encoded message; 0, or -1 if not connected. */
	int		(*send)(struct feed_link *, const char *text,
			    size_t len);
	/* Close with a code and a reason, after what is queued; nothing if
	 * not connected. */
	void		(*close)(struct feed_link *, int code,
			    const char *reason);
	/* The console quits: no more retries, and close what is open
	 * (optional, as is free). */
	void		(*stop)(struct feed_link *);
	/* Is a connection there (made or being made)? */
	int		(*connected)(const struct feed_link *);
	/* Free the implementation (after the loop is gone). */
	void		(*free)(struct feed_link *);
};

/* One --feed: a connection to a URL, and the session it carries. */
struct feed_link {
	struct app	       *app;
	int			index;
	char			url[512];
	const char	       *token;		/* bearer token, or NULL */
	int			token_own;	/* from --feed-token-file, not
						   --token-file */
	const struct link_ops  *ops;		/* NULL: never connects */
	void		       *impl;		/* the transport's */

	enum conn_state		state;
	unsigned		retries;	/* since the last success */
	int64_t			next_try_ms;
	char			last_error[256];
	int64_t			live_ms;	/* welcomed at (console clock):
						   MISSING counts from here */

	int			welcomed;	/* on this connection */
	int			resync;		/* closing to resume afresh
						   (welcome answered another
						   feed's resume, or came
						   twice): nothing more is
						   taken in from it */
	struct feed_session    *session;	/* expected, then confirmed by
						   welcome; NULL if unknown */
	char			resumed_for[PROTO_ID_MAX + 1];	/* hello's */
	int64_t			resumed_epoch;	/* resume, 0 if none */
	uint64_t		early_rejects;	/* before any welcome */
};

/*
 * Make link the index-th feed of app, for url: the transport is the one of
 * transports (NULL-ended) whose scheme url starts with.  0, or -1 with a
 * sentence in err (no transport takes the URL, or it is not valid for the
 * one that does).
 */
int		 link_open(struct feed_link *, struct app *, int index,
		    const char *url, const struct link_ops *const *transports,
		    char *err, size_t errlen);
/* Start connecting (nothing for a link without a transport). */
void		 link_connect(struct feed_link *);
/* Encode m and queue it: 0, or -1 if not connected or it would not
 * encode (said on the status line). */
int		 link_send(struct feed_link *, const struct proto_msg *m);
/* Close with code and reason (nothing if not connected). */
void		 link_close(struct feed_link *, int code, const char *reason);
/* Is a connection there? */
int		 link_connected(const struct feed_link *);
/* The console quits: stop retrying, say goodbye (close 1000). */
void		 link_stop(struct feed_link *);
/* Free the transport's part (the link itself is the caller's). */
void		 link_free(struct feed_link *);
/* Send the hello: who we are, and where to resume the session from. */
void		 link_hello(struct feed_link *);

/*
 * The one way a transport says how its connection is.  For LINK_CLOSED
 * and LINK_REFUSED (why says what happened; it may be link->last_error):
 * the milliseconds before the next connect, which the transport
 * schedules, or -1 when the console is quitting and none is to be made.
 * 0 for the other events.
 */
int64_t		 link_report(struct feed_link *, enum link_event,
		    const char *why);

/* "live", "retrying", ... for the screen. */
const char	*link_state_name(enum conn_state);
/*
 * Milliseconds before attempt retries + 1 (refused: after a 401): 0.5 s
 * doubling to 30 s, or 60 s doubling to 10 min; draw is any random
 * number, which picks the jitter in -25..+25 %.
 */
int64_t		 link_retry_delay(unsigned retries, int refused,
		    unsigned draw);

#endif /* INVIGIL_LINK_H */
