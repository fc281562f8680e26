/*
 * flags.h - the flag lifecycle, as pure code.
 *
 * A rule that fires for an attempt raises a flag.  One flag per rule and
 * attempt is open at a time: a repeat merges into it (count, last time,
 * last seq, evidence), it does not open another.  Once a proctor has
 * dismissed or confirmed it, the flag is closed and the next hit of the
 * rule opens a new one (the flag re-arms).
 *
 * The caller owns the lists (an attempt's open flags and its closed ones)
 * and the storage: flags_hit() and flags_close() change the lists and say
 * what changed, and the caller stores the flag it is given (in the
 * console, store_put_flag() through flags_to_store()).  Nothing here
 * knows a connection, a screen or a database, so the console, `invigil
 * review backtest` and the benchmarks keep flags the same way.
 *
 * A struct flags holds what the flags of one run share: the rule names,
 * interned so that flags can compare rules by pointer and keep their
 * rule after a rule set is reloaded.
 */
#ifndef INVIGIL_FLAGS_H
#define INVIGIL_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"
#include "store/store.h"

struct attempt;		/* the owner's type (console.h); opaque here */

struct flag {
	int64_t			id;		/* the caller's, 0 until set */
	struct attempt	       *attempt;	/* owner, or NULL */
	const char	       *rule;		/* interned: flags_rule_name() */
	enum proto_severity	severity;
	double			weight;
	int64_t			evidence[RULES_EVIDENCE_MAX];	/* seqs, oldest first */
	size_t			nevidence;
	int64_t			closed_ms;	/* wall time of the decision */
	int64_t			first_ms, last_ms;
	int64_t			first_seq, last_seq;
	int64_t			count;
	enum store_flag_state	state;
	int			unseen;		/* critical, raised in this run,
						   not yet seen (model_unseen) */
	struct flag	       *next;	/* in the owner's open or closed list */
	char			message[];	/* raw, sanitised when drawn;
						   allocated to its length */
};

/* What the flags of one run share: interned rule names. */
struct flags {
	char		      **rule_names;
	size_t			nrule_names;
};

/* What flags_hit() did. */
enum flags_change {
	FLAGS_MERGED,		/* into the rule's open flag */
	FLAGS_RAISED		/* a new open flag, at the head of the list */
};

/* "12,15,31": room for the evidence seqs as text (flags_to_store). */
#define FLAGS_EVIDENCE_TEXT	(RULES_EVIDENCE_MAX * 21)

/* Free the interned names; the set is then empty and may be reused. */
void		 flags_free(struct flags *);

/*
 * The interned copy of a rule name, kept until flags_free(): equal names
 * give the same pointer.  Aborts when out of memory.
 */
const char	*flags_rule_name(struct flags *, const char *name);

/*
 * A flag with room for message (copied; NULL is ""), every other field
 * zero.  Owned by the caller until put in a list.  Aborts when out of
 * memory.
 */
struct flag	*flags_new(const char *message);

/*
 * Merge seqs into f's evidence: seqs already there are skipped, and when
 * RULES_EVIDENCE_MAX are kept the oldest gives way to the newest.
 */
void		 flags_evidence_add(struct flag *f, const int64_t *seqs,
		    size_t n);

/*
 * Rule hit h for the attempt whose open flags are *open (owner is put in
 * a new flag's attempt).  If the rule has an open flag there it merges
 * into it and FLAGS_MERGED is returned; otherwise a new open flag (id 0:
 * the caller numbers it) is put at the head of *open and FLAGS_RAISED
 * returned.  *out is the flag either way; the caller stores it.
 */
enum flags_change flags_hit(struct flags *, struct flag **open,
		    struct attempt *owner, const struct rules_hit *h,
		    struct flag **out);

/*
 * Close open flag f (in *open) as state, decided at now_ms: it moves to
 * the head of *closed, where it still counts in the risk score, and the
 * rule's next hit raises a new flag.  The caller stores f.
 */
void		 flags_close(struct flag **open, struct flag **closed,
		    struct flag *f, enum store_flag_state state,
		    int64_t now_ms);

/* Put a loaded flag f in *open or *closed by its state. */
void		 flags_put(struct flag **open, struct flag **closed,
		    struct flag *f);

/* The open flag a dismiss or confirm applies to: most severe, and of
 * equal ones the nearest the head (the newest).  NULL if none. */
struct flag	*flags_top(struct flag *open);

/* The flag with this id in list, or NULL. */
struct flag	*flags_find(struct flag *list, int64_t id);

/* Free every flag of a list. */
void		 flags_free_list(struct flag *list);

/*
 * f as a store row, for feed and attempt: sf's strings point into f,
 * feed, attempt and evidence (FLAGS_EVIDENCE_TEXT bytes, the caller's),
 * valid while they are.
 */
void		 flags_to_store(const struct flag *f, const char *feed,
		    const char *attempt, struct store_flag *sf,
		    char *evidence, size_t evidencesz);

/*
 * A flag made from a stored row (evidence "12,15,31" as flags_to_store
 * wrote it), its rule interned in fl, owned by owner.  Not in a list yet:
 * see flags_put().
 */
struct flag	*flags_from_store(struct flags *fl,
		    const struct store_flag *sf, struct attempt *owner);

#endif /* INVIGIL_FLAGS_H */
