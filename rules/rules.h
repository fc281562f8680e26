/*
 * rules.h - the flagging engine: rules as data (invigil-rules(5)).
 *
 * Two objects.  A struct rules is a compiled rule set: parsed from a rule
 * file (rules_load, rules_parse) or from the compiled-in defaults
 * (rules_default); it is immutable once built and may be shared by any
 * number of engines.  A struct rules_engine holds the per-attempt state of
 * one rule set (windows, runs, open holds, cross-attempt links, outages)
 * and turns the stream messages of one or more feeds into hits, reported
 * through a callback.
 *
 * The engine reports every firing; keeping one open flag per rule and
 * attempt (a repeat raising a count) is the console's business.  The
 * firing semantics that keep the engine from repeating itself are in
 * invigil-rules(5), section FIRING.
 *
 * Strings in a hit point into the engine or the rule set and are valid
 * only during the callback.  Messages may quote raw wire text ({attempt.name},
 * {data.object}): pass them through proto_sanitize() before display.
 *
 * Errors are sentences in a caller buffer, "file:line:col: what is wrong";
 * nothing here aborts on input, only on out-of-memory.
 */
#ifndef INVIGIL_RULES_H
#define INVIGIL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/* How a rule fires (invigil-rules(5), FIRING). */
enum rules_mode {
	RULES_MODE_COUNT,	/* N matches within a sliding window */
	RULES_MODE_RUN,		/* N consecutive matches, a miss breaks the run */
	RULES_MODE_DURATION,	/* a condition held for at least T */
	RULES_MODE_LINK,	/* one value seen in N distinct attempts */
	RULES_NMODES
};

/* Severities are enum proto_severity (proto.h): proto_severity_name(). */
/* "count", "run", "duration", "link"; never NULL. */
const char	*rules_mode_name(enum rules_mode);

/* ---- rule sets */

struct rules;

/*
 * Compile len bytes of rule-file text (need not be NUL-terminated); filename
 * is used in messages only.  Returns a new set (rules_free) or NULL with
 * "filename:line:col: what is wrong" in err.  An empty file is a valid set
 * with no rules.
 */
struct rules	*rules_parse(const char *text, size_t len, const char *filename,
		     char *err, size_t errlen);

/* Read and compile a rule file.  NULL with a sentence in err on failure. */
struct rules	*rules_load(const char *path, char *err, size_t errlen);

/*
 * The compiled-in default set, parsed from rules_default_text().  A new set
 * each call (rules_free).  Aborts if the defaults do not compile: that is a
 * broken build, and the Check suite proves it does not happen.
 */
struct rules	*rules_default(void);

/* The text of the default set, in rule-file syntax (static storage). */
const char	*rules_default_text(void);

void		 rules_free(struct rules *);

/* Number of rules in the set. */
size_t		 rules_count(const struct rules *);

/* What `invigil rules defaults|check` prints about one rule. */
struct rules_info {
	const char	       *name;
	const char	       *description;	/* "" if the rule has none */
	enum proto_severity	severity;
	double			weight;
	enum rules_mode		mode;
	enum proto_type		on;		/* PROTO_EVENT, _ANSWER, _ATTEMPT, _STATE */
	int			during_outage;	/* 1 if the rule opts in */
	int			line;		/* where the rule starts in its file */
};

/* Fill *info for rule i (0 .. rules_count - 1, file order).  0, or -1 if out of range. */
int		 rules_info(const struct rules *, size_t i, struct rules_info *info);

/*
 * Is this event kind named by some rule, as a kind it matches (`on event`)
 * or as the end of a hold (`until`)?  1 or 0.
 */
int		 rules_kind_used(const struct rules *, enum proto_event_kind);

/* ---- attempt states (invigil-proto(7), ATTEMPT STATES) */

/*
 * May a feed move an attempt from state `from` to state `to` (enum
 * proto_state values)?  1 or 0.  The one table of allowed transitions.
 * Staying in a state is not a transition, and an unknown `from` (< 0)
 * allows anything: both 1.
 */
int		 rules_transition_allowed(int from, int to);

/* Is this state final (submitted, terminated)?  1 or 0. */
int		 rules_state_final(int state);

/* ---- the engine */

#define RULES_EVIDENCE_MAX	16

/* One firing of one rule for one attempt. */
struct rules_hit {
	const char	       *rule;
	enum proto_severity	severity;
	double			weight;
	const char	       *message;	/* the rule's template, filled in */
	const char	       *feed;		/* the flagged attempt's feed */
	const char	       *attempt;	/* the flagged attempt */
	int64_t			seq;		/* the triggering message (see below) */
	int64_t			ts_ms;
	const int64_t	       *evidence;	/* seqs of the messages that caused it, oldest first */
	size_t			nevidence;	/* at most RULES_EVIDENCE_MAX */
};

/*
 * Called once per hit.  For a hold that reaches its length by time passing
 * (rules_engine_tick), seq is the seq of the event that started the hold and
 * ts_ms the moment the hold reached the rule's length.  For a link, feed and
 * attempt name each attempt of the group in turn, seq/ts_ms the message that
 * completed the group (or brought the latecomer in).
 */
typedef void	 rules_hit_fn(const struct rules_hit *hit, void *arg);

struct rules_engine;

/*
 * How much state a feed can make the engine hold (see rules_engine_limits).
 * The defaults are far above any real exam and keep a hostile feed's
 * memory to a few hundred MB at most.
 */
#define RULES_ATTEMPTS_PER_FEED	50000	/* attempts of one feed */
#define RULES_ATTEMPTS_ALL	1000000	/* attempts of every feed */
#define RULES_LINK_VALUES	200000	/* distinct values, all link rules */
#define RULES_LINKS_PER_ATTEMPT	8	/* values one attempt joins, per rule */

struct rules_limits {
	size_t		attempts_per_feed;
	size_t		attempts;
	size_t		link_values;
	size_t		links_per_attempt;
};

/* What the engine holds and what its limits kept out (rules_engine_stats). */
struct rules_stats {
	size_t		attempts;
	uint64_t	refused;	/* messages about a new attempt over a limit */
	size_t		link_values;
	uint64_t	unlinked;	/* values not linked: a link table was full */
	uint64_t	after_end;	/* messages of ended attempts, no rules run */
	uint64_t	transitions;	/* impossible state transitions seen */
};

/*
 * A new engine for rule set r, which must outlive it.  Never NULL (aborts on
 * out-of-memory).  The engine starts knowing no attempt, with the default
 * limits.
 */
struct rules_engine *rules_engine_new(const struct rules *r);
void		 rules_engine_free(struct rules_engine *);

/*
 * Set the limits (0 in a field: keep its current value).  Lowering them
 * forgets nothing already held; it only keeps more out.
 */
void		 rules_engine_limits(struct rules_engine *,
		     const struct rules_limits *);

/* What rules_engine_message said about a message. */
enum rules_take {
	RULES_TAKEN,		/* evaluated (or a type the engine ignores) */
	RULES_FULL		/* a new attempt over a limit: not evaluated */
};

/*
 * Feed one message of feed's stream, in stream order.  Attempt, event,
 * answer and state messages are evaluated; every other type is ignored.
 * Hits are reported through fn (which may be NULL) before this returns.
 * The message is not kept.  The message's ts moves feed's clock forward
 * (never back): each feed has its own clock, and a hold of an attempt
 * completes only by its own feed's clock.
 *
 * Returns RULES_FULL, evaluating nothing, for a message about an attempt the
 * engine does not know when its feed already has limits.attempts_per_feed
 * attempts or the engine limits.attempts.
 *
 * An attempt whose state became final (submitted, terminated) has ended for
 * good: its later messages raise no flags, except rules `on state`, which
 * see every change of state (from a state message or an attempt message)
 * so that an impossible transition can be flagged (see
 * rules_transition_allowed and the fields attempt.previous_state and
 * attempt.transition, invigil-rules(5)).
 */
enum rules_take	 rules_engine_message(struct rules_engine *, const char *feed,
		     const struct proto_msg *m, rules_hit_fn *fn, void *arg);

/*
 * Move feed's clock forward to now_ms (never back), as a message with that
 * ts would.  Nothing for a feed the engine holds no attempt of.
 */
void		 rules_engine_clock(struct rules_engine *, const char *feed,
		     int64_t now_ms);

/* The clock of feed (the latest ts taken from it), or INT64_MIN if none. */
int64_t		 rules_engine_feed_clock(const struct rules_engine *,
		     const char *feed);

/*
 * Let time pass: every open hold that has reached its rule's length by the
 * clock of its own attempt's feed fires.  Another feed's clock, however far
 * ahead, completes nothing here.  Cheap when nothing is held; call it on a
 * timer (once a second is plenty).
 */
void		 rules_engine_tick(struct rules_engine *, rules_hit_fn *fn,
		     void *arg);

/*
 * Is this attempt inside a network outage now (network_lost seen, no
 * network_restored or attempt end since)?  1 or 0 (0 for an unknown attempt).
 */
int		 rules_engine_outage(const struct rules_engine *, const char *feed,
		     const char *attempt);

/* Number of attempts the engine holds state for. */
size_t		 rules_engine_attempts(const struct rules_engine *);

/* Fill *st. */
void		 rules_engine_stats(const struct rules_engine *,
		     struct rules_stats *st);

/*
 * Test hook: how many times a rule has been looked at for a message since
 * the engine was made (matching kinds, hold ends).  Rules for other message
 * types and event kinds are never looked at, so this does not grow with them.
 */
uint64_t	 rules_engine_evaluations(const struct rules_engine *);

#endif /* INVIGIL_RULES_H */
