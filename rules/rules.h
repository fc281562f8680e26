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

enum rules_severity {
	RULES_SEV_INFO,
	RULES_SEV_LOW,
	RULES_SEV_MEDIUM,
	RULES_SEV_HIGH,
	RULES_SEV_CRITICAL,
	RULES_SEV_COUNT
};

/* How a rule fires (invigil-rules(5), FIRING). */
enum rules_mode {
	RULES_MODE_COUNT,	/* N matches within a sliding window */
	RULES_MODE_RUN,		/* N consecutive matches, a miss breaks the run */
	RULES_MODE_DURATION,	/* a condition held for at least T */
	RULES_MODE_LINK,	/* one value seen in N distinct attempts */
	RULES_NMODES
};

/* "info", "low", ...; never NULL.  _parse returns -1 if unknown. */
const char	*rules_severity_name(enum rules_severity);
int		 rules_severity_parse(const char *);
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
	enum rules_severity	severity;
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

/* ---- the engine */

#define RULES_EVIDENCE_MAX	16

/* One firing of one rule for one attempt. */
struct rules_hit {
	const char	       *rule;
	enum rules_severity	severity;
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
 * A new engine for rule set r, which must outlive it.  Never NULL (aborts on
 * out-of-memory).  The engine starts knowing no attempt.
 */
struct rules_engine *rules_engine_new(const struct rules *r);
void		 rules_engine_free(struct rules_engine *);

/*
 * Feed one message of feed's stream, in stream order.  Attempt, event,
 * answer and state messages are evaluated; every other type is ignored.
 * Hits are reported through fn (which may be NULL) before this returns.
 * The message is not kept.
 */
void		 rules_engine_message(struct rules_engine *, const char *feed,
		     const struct proto_msg *m, rules_hit_fn *fn, void *arg);

/*
 * Let time pass to now_ms (the feeds' clock, as in message ts): every open
 * hold that has reached its rule's length fires.  Cheap when nothing is
 * held; call it on a timer (once a second is plenty).
 */
void		 rules_engine_tick(struct rules_engine *, int64_t now_ms,
		     rules_hit_fn *fn, void *arg);

/*
 * Is this attempt inside a network outage now (network_lost seen, no
 * network_restored or attempt end since)?  1 or 0 (0 for an unknown attempt).
 */
int		 rules_engine_outage(const struct rules_engine *, const char *feed,
		     const char *attempt);

/* Number of attempts the engine holds state for. */
size_t		 rules_engine_attempts(const struct rules_engine *);

/*
 * Test hook: how many times a rule has been looked at for a message since
 * the engine was made (matching kinds, hold ends).  Rules for other message
 * types and event kinds are never looked at, so this does not grow with them.
 */
uint64_t	 rules_engine_evaluations(const struct rules_engine *);

#endif /* INVIGIL_RULES_H */
