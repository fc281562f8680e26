/*
 * sim-answers.h - the simulator's psychometric part (private to feed/).
 *
 * Each form's items have 2PL parameters (a, b), lognormal response-time
 * parameters (beta, alpha), a key and distractor shares; each attempt has
 * an ability theta and a speed tau.  What an attempt answers on item k,
 * and how long it takes, is a pure function of (seed, attempt, item) and
 * those parameters (sim_plan_item), so a copier copies its source's answer
 * by computing it.  sim.c runs the clock and the messages.
 */
#ifndef INVIGIL_FEED_SIM_ANSWERS_H
#define INVIGIL_FEED_SIM_ANSWERS_H

#include <stdint.h>
#include <stdio.h>

#include "feed/feed.h"

#define SIM_FORMS_MAX	26	/* --forms */
#define SIM_ITEMS_MAX	999	/* --items; ids up to "Q999" */

struct sim_item {
	double		a, b;		/* 2PL discrimination, difficulty */
	double		beta, alpha;	/* ln t ~ N(beta - tau, 1 / alpha^2) */
	double		dist[2];	/* cumulative shares of distractors 1, 2 */
	uint8_t		key;		/* 0-3: A-D */
	uint8_t		leaked;
};

struct sim_person {
	double		theta, tau;	/* as sitting */
	double		history_theta, history_tau;	/* proxy: the record */
	double		copy_share;	/* copier: share of items copied */
	int		form;		/* 0-based */
	int		source;		/* copier: the source attempt, else -1 */
	int		rapid_from;	/* rapid guesser: first rapid item */
	uint8_t		profile;
};

/* What attempt idx does on item k. */
struct sim_plan {
	int		first, final;	/* responses 0-3; equal: no change */
	int64_t		t_first;	/* ms from the last answer to the first
					 * message, when first != final */
	int64_t		t_total;	/* ms from the last answer to the final */
	int		own;		/* copier: its own response */
	uint8_t		copied;		/* copier: final is the source's */
	uint8_t		own_first;	/* copier: shows its own first */
	uint8_t		rapid, leaked;
};

/* Make form f's items (leaks included: a sixth, at least one). */
void	sim_items_make(uint64_t seed, int f, int items, struct sim_item *out);
/* Draw attempt idx's ability and speed for its profile; form and source
 * are the caller's (sim.c links pairs), rapid_from is set here. */
void	sim_person_make(uint64_t seed, int idx, enum sim_profile p, int items,
	    struct sim_person *out);
/* Plan item k of attempt idx; people[] holds every attempt (a copier
 * reads its source's plan), items[] the attempt's form. */
void	sim_plan_item(uint64_t seed, const struct sim_person *people, int idx,
	    const struct sim_item *items, int k, struct sim_plan *out);
/* The copier's delay after its source's answer, or to take an answer
 * its source gave already: 1.5-5 s. */
int64_t	sim_copy_delay(uint64_t seed, int idx, int k);
/* Format item k of form f ("Q01", or "F2-Q01" with several forms). */
void	sim_item_id(int forms, int width, int f, int k, char *out,
	    size_t outsz);
/* The {"t":"item",...} truth line of item k of form f. */
void	sim_item_truth(FILE *out, int forms, int width, int f, int k,
	    const struct sim_item *it);

#endif /* INVIGIL_FEED_SIM_ANSWERS_H */
