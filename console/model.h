/*
 * model.h - what the console knows: the feeds' sessions (identity and how
 * far each stream is taken in), the attempts (an index by feed and id, and
 * the display order by risk), their flags (flags.h), the tail of recent
 * events and the event rate.
 *
 * Pure: no connection, no screen, no database.  ingest.c changes the model
 * as messages arrive, restore.c fills it from the database at start, the
 * views read it.
 */
#ifndef INVIGIL_MODEL_H
#define INVIGIL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "console/flags.h"
#include "proto/proto.h"

#define CONSOLE_TAIL		256	/* recent events kept for the screen */
#define CONSOLE_MAX_SESSIONS	64	/* feed ids known at once (see
					   struct feed_session) */
/* The highest seq a console takes in: 2^53 - 1, the largest integer every
 * JSON implementation holds exactly.  Positions stay at or below it, so
 * "the next seq" never overflows (invigil-proto(7), Receiving). */
#define CONSOLE_SEQ_MAX		9007199254740991LL

struct feed_link;	/* a connection (link.h); sessions point to it */

/*
 * A feed's identity and session state: the id it gave in welcome, its name,
 * and how far its stream is taken in (epoch, last_seq).  Attempts (and
 * through them flags, evidence and pending commands) point here, never to a
 * connection, so that when a URL starts answering with another feed id the
 * old feed's candidates, flags and commands stay the old feed's: the
 * connection gets a new session and the old one stays, replaced.  One
 * session per feed id; at most CONSOLE_MAX_SESSIONS, owned by the model.
 */
struct feed_session {
	char			id[PROTO_ID_MAX + 1];
	char			name[PROTO_NAME_MAX + 1];
	int64_t			epoch;
	int64_t			last_seq;	/* highest seq accounted for */
	uint64_t		messages;
	uint64_t		rejects;
	uint64_t		gaps;
	int			order;		/* creation order, a sort key */
	size_t			nattempts;	/* attempts pointing here */
	struct feed_link       *link;		/* connection it answers on */
	char			replaced_by[PROTO_ID_MAX + 1];	/* or "" */
	char			replaced_url[512];

	/* What the bounds (ingest.c, invigil(1) BOUNDS) saw and kept out. */
	int			simulated;	/* --demo's own simulator, whose
						   clock runs --rate times fast:
						   no clock bound applies */
	int64_t			clock_ms;	/* latest ts taken, INT64_MIN none */
	int64_t			skew_ms;	/* ts - receive time, last taken */
	uint64_t		over_cap;	/* kept in rejects: --max-attempts */
	uint64_t		skewed;		/* kept in rejects: --max-clock-skew */
	int			said_skew, said_cap, said_skewed; /* on stderr */
};

struct attempt {
	struct feed_session    *feed;		/* identity, not connection */
	char			id[PROTO_ID_MAX + 1];
	char			candidate[PROTO_ID_MAX + 1];
	char			name[PROTO_NAME_MAX + 1];
	enum proto_state	state;
	uint64_t		events;
	enum proto_event_kind	last_kind;
	int64_t			last_ms;	/* feed time of the last event */
	int			has_event;
	struct flag	       *flags;		/* open flags, newest first */
	struct flag	       *closed;		/* dismissed or confirmed */
	int			open_flags;
	int			top_severity;	/* of open flags, -1 if none */
	double			risk;		/* see attempt_risk() */
	char			pending_cmd[64];/* "pause pending", "pause ok" */
	int			locked;		/* a lock acknowledged, no resume
						   since (not a protocol state:
						   shown while in_progress) */
	char			center[PROTO_ID_MAX + 1]; /* "" if not said */
	char			ip[PROTO_IP_MAX + 1];	/* "" if not said */
	int64_t			recv_ms;	/* console clock: the last message
						   about it arrived (or it was
						   made), see model_missing() */
	int			missing;	/* MISSING (model_missing) */
	int			offline;	/* in a network outage, as the
						   rules engine says after each
						   message that can change it
						   (ingest.c): the screen asks
						   for every attempt every frame */
	struct attempt	       *hnext;		/* hash chain */
};

struct tail_line {
	int64_t			ts_ms;
	char			feed[PROTO_ID_MAX + 1];
	char			attempt[PROTO_ID_MAX + 1];
	char			text[200];	/* raw, sanitised when drawn */
};

/* The display orders (`s` on the screen cycles them). */
enum model_order {
	MODEL_ORDER_RISK,	/* most urgent first (the default) */
	MODEL_ORDER_LAST,	/* latest event first, none last */
	MODEL_ORDER_ATTEMPT,	/* by feed, then attempt id */
	MODEL_ORDER_NAME,	/* by candidate name */
	MODEL_ORDER_CENTER,	/* by test centre, then name */
	MODEL_ORDER_COUNT
};

/* The live model: attempts, feed sessions, risk; the screen reads it. */
struct model {
	struct feed_session    *sessions[CONSOLE_MAX_SESSIONS];
	int			nsessions;
	int			session_order;
	struct attempt	      **hash;		/* by (session, id) */
	size_t			hash_size;
	struct attempt	      **attempts;	/* all, display order */
	size_t			nattempts, attempts_cap;
	int			order_dirty;	/* attempts to sort */
	enum model_order	order;		/* how */
	struct flags		flagset;	/* interned rule names */
	uint64_t		open_flags;
	struct tail_line	tail[CONSOLE_TAIL];
	size_t			tail_next, tail_count;
	uint64_t		ev_window[8];	/* events per second */
	int64_t			ev_window_sec;
	double			events_per_sec;	/* the last 5 s */
	int			dirty;		/* something to redraw */
	size_t			nmissing;	/* attempts MISSING now */
	size_t			unseen;		/* critical flags unseen */
	uint64_t		alerts;		/* critical flags raised in this
						   run: the screen rings when it
						   grows */
};

/* Free everything the model holds (sessions, attempts, flags) and zero
 * it. */
void		 model_free(struct model *);

/* The attempt id of session fs, or NULL. */
struct attempt	*model_attempt_find(struct model *, struct feed_session *fs,
		    const char *id);
/*
 * The attempt id of session fs, made on first sight (and counted in
 * fs->nattempts).  Whether a feed may add one more is the caller's
 * business (--max-attempts).  Aborts when out of memory.
 */
struct attempt	*model_attempt_get(struct model *, struct feed_session *fs,
		    const char *id);
/* Put the attempts in display order (model_set_order), if anything
 * changed it; by default most urgent first (risk, top severity, open
 * flags), then by feed and id. */
void		 model_sort(struct model *);
/* Sort by order from now on (each order breaks ties by feed and attempt
 * id, so equal keys keep one order); its name ("risk", "last event",
 * "attempt", "name", "centre"). */
void		 model_set_order(struct model *, enum model_order order);
const char	*model_order_name(enum model_order);
/* a's flags changed: count its open flags and score it again; the order
 * and the screen are then out of date. */
void		 model_recount(struct model *, struct attempt *a);
/*
 * The risk score that orders the screen (documented in invigil(1)): the
 * weights of open flags, twice those of confirmed ones, and those of
 * dismissed ones halved every 15 minutes since the dismissal.
 */
double		 attempt_risk(const struct attempt *, int64_t now_ms);
/* What flag f adds to its attempt's risk score at now_ms: its weight when
 * open, twice when confirmed, halved every 15 minutes since its
 * dismissal. */
double		 flag_risk(const struct flag *f, int64_t now_ms);
/* Score again every attempt with closed flags (dismissed ones fade). */
void		 model_fade(struct model *, int64_t now_ms);
/* The flag with this id, open or closed, or NULL. */
struct flag	*model_flag_by_id(struct model *, int64_t id);

/*
 * MISSING, a state shown and not a flag (like OFFLINE): an attempt in
 * progress whose feed is live but about which nothing arrived for
 * after_ms, on the console's receive clock (recv_ms against now_ms: a
 * feed's clock skew does not matter).  live(a, arg) says since when a's
 * feed is live (console clock), or -1 when it is not: its attempts are
 * not MISSING, and silence counts from that moment, so that a feed back
 * from an outage does not make every candidate MISSING at once.  Marks
 * a->missing on every attempt, counts them in nmissing (returned) and
 * makes the screen dirty when that changed; after_ms <= 0: none.  One
 * pass over the attempts: call it about once a second.
 */
size_t		 model_missing(struct model *, int64_t now_ms, int64_t after_ms,
		    int64_t (*live)(const struct attempt *, void *), void *arg);
/* A message about a arrived at now_ms (console clock): no longer
 * MISSING. */
void		 model_heard(struct model *, struct attempt *a, int64_t now_ms);

/*
 * Critical flags not yet looked at: model_unseen() counts f (a critical
 * flag just raised, not one restored from the database) as unseen and as
 * an alert; it counts as seen once model_seen() is called on its attempt
 * (selected in the table, its detail opened) or model_flag_seen() on it
 * (decided).
 */
void		 model_unseen(struct model *, struct flag *f);
void		 model_seen(struct model *, struct attempt *a);
void		 model_flag_seen(struct model *, struct flag *f);

/* The session of feed id, or NULL. */
struct feed_session *model_session_find(struct model *, const char *id);
/*
 * A new session for feed id (not yet known).  The table is bounded: when
 * full, sessions nothing refers to any more (no attempts, and in_use(fs,
 * arg) false: no connection) make room; NULL with a sentence in err if
 * none does.  Aborts when out of memory.
 */
struct feed_session *model_session_new(struct model *, const char *id,
		    int (*in_use)(const struct feed_session *, void *),
		    void *arg, char *err, size_t errlen);
/* Set fs's position, kept within what the console can advance (a
 * database written before positions were bounded may hold more). */
void		 model_session_position(struct feed_session *fs,
		    int64_t epoch, int64_t last_seq);

/* Add a line to the tail of recent events (text raw: sanitised when
 * drawn; cut at a character boundary when too long). */
void		 model_tail_add(struct model *, const char *feed,
		    int64_t ts_ms, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
/* One event arrived at now_ms (wall clock), for the rate. */
void		 model_rate_count(struct model *, int64_t now_ms);
/* Bring events_per_sec up to now_ms: the mean of the last five complete
 * seconds. */
void		 model_rate_update(struct model *, int64_t now_ms);

#endif /* INVIGIL_MODEL_H */
