/*
 * sim-answers.c - how simulated candidates answer (FORENSICS.md,
 * "Validating"): item parameters per form, each attempt's ability and
 * speed, and each response and response time drawn from the models.
 *
 *   P(correct) = 1 / (1 + exp(-a (theta - b)))		2PL
 *   ln t ~ N(beta - tau, 1 / alpha^2)			lognormal times
 *   a ~ lognormal(0, 0.25), b ~ N(0, 1), beta ~ N(4.0, 0.4) (about 55 s),
 *   alpha ~ U(1.5, 2.5), theta ~ N(0, 1), tau ~ N(0, 0.3)
 *
 * A wrong answer is a distractor chosen with the item's own shares (drawn
 * once per item, Dirichlet(1, 1, 1)), so honest candidates share wrong
 * answers at realistic rates.  Every draw is a hash of (seed, salt,
 * attempt, item), never a stream: what attempt i answers on item k does not
 * depend on anything else that happened, and a copier copies its source by
 * computing the source's answer.  Normal draws are Box-Muller from 53-bit
 * uniforms.  This file uses exp, log, sqrt and cos: a seed gives the same
 * session on every machine with the same libm (glibc's are correctly
 * rounded in practice); the rest of the simulator is integer arithmetic.
 * Times are rounded to whole milliseconds.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "feed/rng.h"
#include "feed/sim-answers.h"

/* Salts for rng_hash(), apart from sim.c's (which stay below 32). */
enum {
	SALT_FORM = 32, SALT_ITEM_A, SALT_ITEM_B, SALT_ITEM_BETA,
	SALT_ITEM_ALPHA, SALT_ITEM_KEY, SALT_ITEM_DIST, SALT_ITEM_LEAKS,
	SALT_THETA, SALT_TAU, SALT_SHARE, SALT_RAPID_FROM,
	SALT_CORRECT, SALT_DIST, SALT_TIME, SALT_CHANGE, SALT_CORRECT2,
	SALT_DIST2, SALT_FRAC, SALT_COPY, SALT_OWN_FIRST, SALT_LEAK_CORRECT,
	SALT_CUT, SALT_RAPID_RESP, SALT_RAPID_TIME, SALT_DELAY
};

#define PREK_CORRECT	0.9	/* leaked items: P(correct) */
#define CHANGE_CHANCE	0.08	/* a second thought (about half differ) */
#define TIME_MIN_MS	1500.0
#define TIME_MAX_MS	600000.0

/* Uniform in [0, 1) from the top 53 bits of h. */
static double
unit(uint64_t h)
{
	return (double)(h >> 11) * 0x1p-53;
}

/* Standard normal from h (Box-Muller, the cosine half). */
static double
normal(uint64_t h)
{
	double	u1 = (double)((h >> 11) + 1) * 0x1p-53;	/* (0, 1] */
	double	u2 = unit(rng_mix(h ^ RNG_GOLDEN));

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* The seed of form f: form 1 uses the session seed itself. */
static uint64_t
form_seed(uint64_t seed, int f)
{
	return f == 0 ? seed : rng_hash(seed, SALT_FORM, (uint64_t)f);
}

/* The leaked part of a form: a sixth of its items, at least one. */
static void
items_leak(uint64_t fs, int items, struct sim_item *out)
{
	int		count = items / 6 > 0 ? items / 6 : 1, i, j, tmp;
	int		order[SIM_ITEMS_MAX];
	uint64_t	r = rng_hash(fs, SALT_ITEM_LEAKS, 0);

	for (i = 0; i < items; i++)
		order[i] = i;
	for (i = items - 1; i > 0; i--) {	/* Fisher-Yates */
		j = (int)rng_below(&r, (uint32_t)i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < count; i++)
		out[order[i]].leaked = 1;
}

void
sim_items_make(uint64_t seed, int f, int items, struct sim_item *out)
{
	uint64_t	fs = form_seed(seed, f);
	double		e[3], sum;
	int		k, i;

	memset(out, 0, (size_t)items * sizeof *out);
	for (k = 0; k < items; k++) {
		struct sim_item	*it = &out[k];
		uint64_t	 uk = (uint64_t)k;

		it->a = exp(0.25 * normal(rng_hash(fs, SALT_ITEM_A, uk)));
		it->b = normal(rng_hash(fs, SALT_ITEM_B, uk));
		it->beta = 4.0 + 0.4 * normal(rng_hash(fs, SALT_ITEM_BETA, uk));
		it->alpha = 1.5 + unit(rng_hash(fs, SALT_ITEM_ALPHA, uk));
		it->key = (uint8_t)(rng_hash(fs, SALT_ITEM_KEY, uk) % 4);
		for (i = 0, sum = 0; i < 3; i++) {
			e[i] = -log((double)((rng_hash(fs, SALT_ITEM_DIST,
			    uk * 3 + (uint64_t)i) >> 11) + 1) * 0x1p-53);
			sum += e[i];
		}
		it->dist[0] = e[0] / sum;
		it->dist[1] = (e[0] + e[1]) / sum;
	}
	items_leak(fs, items, out);
}

void
sim_person_make(uint64_t seed, int idx, enum sim_profile p, int items,
    struct sim_person *out)
{
	uint64_t	ui = (uint64_t)idx;
	int		rapid;

	memset(out, 0, sizeof *out);
	out->profile = (uint8_t)p;
	out->source = -1;
	out->theta = normal(rng_hash(seed, SALT_THETA, ui));
	out->tau = 0.3 * normal(rng_hash(seed, SALT_TAU, ui));
	out->history_theta = out->theta;
	out->history_tau = out->tau;
	out->rapid_from = items;
	out->copy_share = 0.2 + 0.2 * unit(rng_hash(seed, SALT_SHARE, ui));
	switch (p) {
	case SIM_PROXY:
		/* Someone abler and quicker than the candidate's record. */
		out->theta += 1.5;
		out->tau += 0.4;
		break;
	case SIM_DISTRACTED:
		out->tau -= 0.15;
		break;
	case SIM_RAPID_GUESSER:
		/* The last 30-50 % of the items. */
		rapid = (int)(items * (0.3 + 0.2 *
		    unit(rng_hash(seed, SALT_RAPID_FROM, ui))) + 0.5);
		out->rapid_from = items - (rapid > 0 ? rapid : 1);
		break;
	default:
		break;
	}
}

/* The 2PL response: the key with P(correct), else a distractor. */
static int
model_response(const struct sim_item *it, double theta, double u_correct,
    double u_dist)
{
	double	p = 1.0 / (1.0 + exp(-it->a * (theta - it->b)));
	int	d;

	if (u_correct < p)
		return it->key;
	d = u_dist < it->dist[0] ? 0 : u_dist < it->dist[1] ? 1 : 2;
	return (it->key + 1 + d) % 4;
}

void
sim_plan_item(uint64_t seed, const struct sim_person *people, int idx,
    const struct sim_item *items, int k, struct sim_plan *out)
{
	const struct sim_person	*pp = &people[idx];
	const struct sim_item	*it = &items[k];
	struct sim_plan		 src;
	uint64_t		 ik = (uint64_t)idx * 1024 + (uint64_t)k;
	double			 t;

#define H(salt)	rng_hash(seed, (salt), ik)
	memset(out, 0, sizeof *out);
	if (pp->profile == SIM_RAPID_GUESSER && k >= pp->rapid_from) {
		out->first = out->final = (int)(H(SALT_RAPID_RESP) % 4);
		out->t_total = 2000 + (int64_t)(H(SALT_RAPID_TIME) % 4001);
		out->rapid = 1;
		return;
	}
	t = 1000.0 * exp(it->beta - pp->tau + normal(H(SALT_TIME)) /
	    it->alpha);
	t = t < TIME_MIN_MS ? TIME_MIN_MS : t > TIME_MAX_MS ? TIME_MAX_MS : t;
	if (pp->profile == SIM_PREKNOWLEDGE && it->leaked) {
		/* Seen before: mostly right, in 40-60 % of the time. */
		out->first = out->final = unit(H(SALT_LEAK_CORRECT)) <
		    PREK_CORRECT ? it->key : model_response(it, -INFINITY,
		    1.0, unit(H(SALT_DIST)));
		out->t_total = (int64_t)(t * (0.4 + 0.2 * unit(H(SALT_CUT))));
		if (out->t_total < 1000)
			out->t_total = 1000;
		out->leaked = 1;
		return;
	}
	out->final = model_response(it, pp->theta, unit(H(SALT_CORRECT)),
	    unit(H(SALT_DIST)));
	out->first = out->final;
	if (unit(H(SALT_CHANGE)) < CHANGE_CHANCE)
		out->first = model_response(it, pp->theta,
		    unit(H(SALT_CORRECT2)), unit(H(SALT_DIST2)));
	if (pp->source >= 0 && unit(H(SALT_COPY)) < pp->copy_share) {
		sim_plan_item(seed, people, pp->source, items, k, &src);
		out->own = out->final;
		out->copied = 1;
		out->final = out->first = src.final;
		out->own_first = out->own != out->final &&
		    unit(H(SALT_OWN_FIRST)) < 0.5;
	}
	out->t_total = (int64_t)t;
	if (out->first != out->final) {
		out->t_first = (int64_t)(t * (0.45 + 0.35 * unit(H(SALT_FRAC))));
		if (out->t_total < out->t_first + 1000)
			out->t_total = out->t_first + 1000;
	}
#undef H
}

int64_t
sim_copy_delay(uint64_t seed, int idx, int k)
{
	return 1500 + (int64_t)(rng_hash(seed, SALT_DELAY,
	    (uint64_t)idx * 1024 + (uint64_t)k) % 3501);
}

void
sim_item_id(int forms, int width, int f, int k, char *out, size_t outsz)
{
	if (forms <= 1)
		snprintf(out, outsz, "Q%0*d", width, k + 1);
	else
		snprintf(out, outsz, "F%d-Q%0*d", f + 1, width, k + 1);
}

void
sim_item_truth(FILE *out, int forms, int width, int f, int k,
    const struct sim_item *it)
{
	char	id[32];
	int	d;

	sim_item_id(forms, width, f, k, id, sizeof id);
	fprintf(out, "{\"t\":\"item\",\"form\":\"F%d\",\"item\":\"%s\","
	    "\"a\":%.4f,\"b\":%.4f,\"beta\":%.4f,\"alpha\":%.4f,"
	    "\"key\":\"%c\",\"leaked\":%s,\"distractors\":{", f + 1, id,
	    it->a, it->b, it->beta, it->alpha, 'A' + it->key,
	    it->leaked ? "true" : "false");
	for (d = 0; d < 3; d++)
		fprintf(out, "%s\"%c\":%.4f", d > 0 ? "," : "",
		    'A' + (it->key + 1 + d) % 4,
		    d == 0 ? it->dist[0] : d == 1 ? it->dist[1] - it->dist[0] :
		    1.0 - it->dist[1]);
	fprintf(out, "}}\n");
}
