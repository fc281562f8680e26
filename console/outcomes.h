/*
 * outcomes.h - what the console knows of attempts' outcomes (issue 16,
 * item 6): the fold of each attempt's outcome acts (store/outcome.h) as the
 * journal delivers them, keyed by identity (feed id, attempt id) and
 * indexed by candidate, so that a proctor sees an attempt under review or
 * invalidated, and a candidate's other attempt that is.
 *
 * Pure: no database, no screen.  outcome-watch.c feeds it the acts it
 * reads (at start and every poll), the views and the headless lines read
 * it.  Bounded: at most max marks; an act on an attempt the console does
 * not hold, of a candidate it does not hold, is kept only while the table
 * is less than half full (the rest is for the attempts on screen), and
 * one that finds no room is counted in dropped.
 */
#ifndef INVIGIL_OUTCOMES_H
#define INVIGIL_OUTCOMES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"
#include "store/outcome.h"

/* The most marks a console keeps, whatever --max-attempts says. */
#define OUTCOMES_MAX		65536

/* One attempt's outcome as folded so far (strings raw, from the store). */
struct outcome_mark {
	char			 feed[PROTO_ID_MAX + 1];	/* "" none */
	char			 attempt[PROTO_ID_MAX + 1];
	char			 candidate[PROTO_ID_MAX + 1];	/* "" unknown */
	struct outcome		 fold;
	int64_t			 last_seq;	/* the last act folded */
	struct outcome_mark	*hnext;		/* by (feed, attempt) */
	struct outcome_mark	*cnext;		/* by candidate */
};

struct outcomes {
	struct outcome_mark	**byid;
	struct outcome_mark	**bycand;
	size_t			 size;		/* buckets, a power of two */
	size_t			 n, max;
	uint64_t		 dropped;	/* acts with no room */
};

/* An empty table of at most max marks (capped at OUTCOMES_MAX). */
void		 outcomes_init(struct outcomes *, size_t max);
void		 outcomes_free(struct outcomes *);

/*
 * Fold act (journal seq) into the mark of (feed, attempt) (feed NULL:
 * none), made on first sight with candidate (may be NULL; a later act that
 * names one fills it in).  held: the console shows the attempt or its
 * candidate (an act that is not held takes no more than half the table).
 * An act at or before the mark's last_seq was folded already and is
 * skipped; an illegal one (forced into the journal) leaves the state as
 * it was, as store_outcome_read does.  Returns 1 if the mark's state
 * changed, 0 if not, -1 if there was no room (counted in dropped) or an
 * id is longer than any attempt's.
 */
int		 outcomes_fold(struct outcomes *, const char *feed,
		    const char *attempt, const char *candidate, int64_t seq,
		    const struct outcome_act_rec *act, int held);

/* The mark of (feed, attempt), or NULL (valid: no act). */
const struct outcome_mark *outcomes_find(const struct outcomes *,
		    const char *feed, const char *attempt);

/*
 * The history of candidate for the attempt (feed, attempt): another
 * attempt of the candidate, on any feed, whose state at now_ms is marked
 * (outcomes_marker() not NULL), the most recently changed; NULL if none
 * (or candidate is empty).
 */
const struct outcome_mark *outcomes_history(const struct outcomes *,
		    const char *candidate, const char *feed,
		    const char *attempt, int64_t now_ms);

/*
 * The marker a proctor sees for state: "REVIEW", "PROPOSED", "INVALID",
 * "APPEAL", "UPHELD"; NULL for valid and reinstated (nothing to show).
 * At most OUTCOMES_MARKER_LEN characters.
 */
#define OUTCOMES_MARKER_LEN	8
const char	*outcomes_marker(enum outcome_state);

/* The history marker. */
#define OUTCOMES_HISTORY	"hist"

#endif /* INVIGIL_OUTCOMES_H */
