/*
 * timeline.h - an attempt's timeline in time order, and the facts of an
 * attempt, read from a database a console wrote (or one `review import`
 * merged), for `invigil review timeline` and `invigil review report`.
 *
 * What a timeline holds, for attempt A of feed F (every source of a merged
 * database: own rows and imported ones alike, origin says which):
 *   - every stored message of (F, A): answers, state changes, the attempt
 *     message, events; an event network_lost or network_restored is
 *     delivered as an outage start or end, not as a plain event;
 *   - every flag on (F, A): raised (at its first_ms, feed time) and, when
 *     dismissed or confirmed, closed (at closed_ms, local time);
 *   - every journal row about (F, A), this database's and every imported
 *     journal's (decisions, notes, ...); the journal's cmd_ack rows are
 *     left out, the acknowledgement is the command's own item;
 *   - every command sent about (F, A) and, once acknowledged, its ack;
 *   - every gap of F whose seqs overlap the seqs A's messages span in the
 *     same epoch (an open-ended gap overlaps all that follows its from_seq).
 *
 * Two clocks meet here: the feed's (messages and raised flags: ts_ms and
 * first_ms) and the console's (everything the console did or saw: journal
 * rows, closed flags, commands, acks, gaps).  Each item keeps its own time
 * on its own clock (time_ms, clock) and gets order_ms, its place on the
 * feed's clock: a feed item's own time; a console item's time moved by
 * the offset between the two clocks at the last message of the attempt
 * the console had received by then (recv_ms <= its time; the one with the
 * highest seq), or at the attempt's first message when it had received
 * none.  So an act comes after what the console had seen when it acted,
 * whatever the skew between the clocks, or a feed that runs faster than
 * real time (a simulation), or a backlog replayed after an outage.
 *
 * Order: by order_ms; at one order_ms by kind (the order of enum
 * store_tl_kind), then by the item's first id (seq, flag id, journal seq).
 *
 * Streaming: one SQL statement (UNION ALL of the sources, each on an
 * index) ordered by SQLite, rows delivered one by one to the callback,
 * never gathered in memory here.  Everything is raw, as stored: a caller
 * that prints a string sanitises it (proto_clean, or HTML escaping).
 */
#ifndef INVIGIL_STORE_TIMELINE_H
#define INVIGIL_STORE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* Which clock an item's time_ms is on. */
enum store_tl_clock {
	STORE_TL_FEED,		/* the feed's ts (messages, raised flags) */
	STORE_TL_LOCAL		/* the console's (acts, acks, gaps) */
};

/* The kinds of item, in the order of items at one time. */
enum store_tl_kind {
	STORE_TL_ATTEMPT,	/* an attempt message (details set or changed) */
	STORE_TL_STATE,		/* a state message; what: the new state */
	STORE_TL_EVENT,		/* an event; what: its kind */
	STORE_TL_OUTAGE_START,	/* the event network_lost */
	STORE_TL_OUTAGE_END,	/* the event network_restored */
	STORE_TL_ANSWER,	/* an answer; what: the item id */
	STORE_TL_MESSAGE,	/* any other message type; what: the type */
	STORE_TL_GAP,		/* seqs the feed cannot replay; what: why */
	STORE_TL_FLAG_RAISED,	/* what: the rule; code: the severity */
	STORE_TL_DECISION,	/* a journal row; what: its kind */
	STORE_TL_FLAG_CLOSED,	/* what: the rule; code: the new state */
	STORE_TL_COMMAND_SENT,	/* what: the action */
	STORE_TL_COMMAND_ACK,	/* what: the action; code: "ok" / "refused" */
	STORE_TL_NKINDS
};

/*
 * One item.  Strings are NULL when they do not apply or are unknown, and
 * valid during the callback only.  Ids are 0 (command_id NULL) when they
 * do not apply.
 */
struct store_tl_item {
	int64_t		 time_ms;	/* ms since the epoch, on clock */
	enum store_tl_clock clock;
	int64_t		 order_ms;	/* its place on the feed's clock */
	enum store_tl_kind kind;
	const char	*what;		/* see enum store_tl_kind */
	const char	*actor;		/* decision: actor; command: who sent it;
					   ack: the feed */
	const char	*role;		/* decision: the actor's role */
	const char	*code;		/* see the kinds; decision: reason_code */
	const char	*reason;	/* decision: the reason as typed;
					   refused ack: the feed's error */
	const char	*summary;	/* one short line, at most
					   STORE_TL_SUMMARY_MAX characters */
	const char	*origin;	/* NULL: this database's own row; else
					   the journal origin it was imported
					   from (flags, journal, commands, gaps) */
	int64_t		 epoch;		/* messages and gaps */
	int64_t		 seq;		/* message: its seq; raised flag: first_seq;
					   gap: from_seq */
	int64_t		 to_seq;	/* gap: its last seq, -1 open-ended */
	int64_t		 flag_id;	/* flags; decisions on a flag */
	int64_t		 journal_seq;	/* decision: its seq in its journal */
	const char	*command_id;	/* commands, acks; a decision that sent
					   one (its detail's "cmd") */
};

#define STORE_TL_SUMMARY_MAX	200

/* The item kind's name: "answer", "outage_start", "flag_raised", ... */
const char	*store_tl_kind_name(enum store_tl_kind);

/* Callback: return non-zero to stop. */
typedef int	(*store_tl_fn)(const struct store_tl_item *, void *);

/*
 * Deliver the timeline of attempt on feed (see above) to fn, at most limit
 * items.  Returns the number delivered, or -1 with a sentence in err.
 */
int		 store_timeline(struct store_reader *, const char *feed,
		     const char *attempt, size_t limit, store_tl_fn fn,
		     void *arg, char *err, size_t errlen);

/*
 * SQLite's plan for the timeline's statement: its EXPLAIN QUERY PLAN
 * lines, one a line, in out (for tests: every table is searched through
 * an index, none scanned whole).  0, or -1 with a sentence.
 */
int		 store_tl_plan(struct store_reader *, char *out, size_t outlen,
		     char *err, size_t errlen);

/*
 * An attempt's stored facts (the attempts table, strings NULL when unknown)
 * and the span of its messages (feed time; 0 when it has none).  Strings
 * owned by the struct: free with store_tl_facts_free.
 */
struct store_tl_facts {
	char		*feed, *attempt, *candidate, *name, *exam, *form;
	char		*center, *modality, *state, *ip, *device;
	int64_t		 n_messages;
	int64_t		 first_ms, last_ms;
};

/*
 * Find attempt (on feed, or on any feed when feed is NULL: the attempts
 * table is then read whole) and fill *out.
 * Returns 1 when found, 0 when there is no such attempt (a sentence in
 * err that says so), -1 with a sentence on a failed read or when feed is
 * NULL and the attempt is on more than one feed (the sentence names two
 * and asks for --feed).  *out is zeroed first.
 */
int		 store_tl_facts(struct store_reader *, const char *feed,
		     const char *attempt, struct store_tl_facts *out,
		     char *err, size_t errlen);
void		 store_tl_facts_free(struct store_tl_facts *);

/*
 * As store_timeline, but the last limit items of the timeline, delivered
 * newest first (a screen that shows the end of a long attempt reads no
 * more than it shows).  Returns the number delivered, or -1 with a
 * sentence in err.
 */
int		 store_timeline_last(struct store_reader *, const char *feed,
		     const char *attempt, size_t limit, store_tl_fn fn,
		     void *arg, char *err, size_t errlen);

/*
 * The attempt of the message (feed, epoch, seq) into out (raw, cut to
 * outlen): 1, 0 when no such message is stored or it names no attempt
 * (out ""), or -1 with a sentence in err.
 */
int		 store_tl_seq_attempt(struct store_reader *, const char *feed,
		     int64_t epoch, int64_t seq, char *out, size_t outlen,
		     char *err, size_t errlen);

#endif /* INVIGIL_STORE_TIMELINE_H */
