/*
 * fx-sim.c - the seeded simulator of fx-sim.h.
 *
 * Draw order, so that the same seed gives the same data: one stream for
 * the items (per item: a, b, beta, alpha, key, distractor shares), then
 * the leaked share and the leaked items, then the profile assignment (a
 * Fisher-Yates shuffle of the persons: the first n_pk are PREKNOWLEDGE,
 * then RAPID, PROXY, COPIER; each copier takes the next unassigned person
 * as its SOURCE).  Each person then has a stream of its own, seeded from
 * (seed, person), for theta, tau, the profile's per-person draws and the
 * responses, so an honest person's data do not depend on how many
 * cheaters the exam has.  Copiers are generated after everyone else.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "forensics/forensics.h"
#include "tests/fx-sim.h"

const char *const fx_sim_profile_name[FX_SIM_NPROFILES] = { "honest",
    "preknowledge", "rapid", "copier", "source", "proxy" };

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

void
fx_rng_seed(struct fx_rng *r, uint64_t seed)
{
	uint64_t x = seed;
	int k;

	for (k = 0; k < 4; k++)
		r->s[k] = splitmix64(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
fx_rng_next(struct fx_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
fx_rng_uniform(struct fx_rng *r)
{
	return ((double)(fx_rng_next(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

double
fx_rng_normal(struct fx_rng *r)
{
	double u1 = fx_rng_uniform(r), u2 = fx_rng_uniform(r);

	/* One of the pair is dropped: simpler to keep the order fixed. */
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586477 * u2);
}

int
fx_rng_below(struct fx_rng *r, int n)
{
	int k = (int)(fx_rng_uniform(r) * n);

	return k < n ? k : n - 1;
}

static void *
sim_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL) {
		fprintf(stderr, "fx-sim: out of memory\n");
		abort();
	}
	return p;
}

void
fx_sim_config_default(struct fx_sim_config *c, int n_persons, int n_items,
    uint64_t seed)
{
	c->seed = seed;
	c->n_persons = n_persons;
	c->n_items = n_items;
	c->n_options = 4;
	c->share_preknowledge = 0;
	c->share_rapid = 0;
	c->share_copier = 0;
	c->share_proxy = 0;
	c->leak_min = 0.10;
	c->leak_max = 0.30;
	c->pk_correct = 0.9;
	c->pk_time_min = 0.4;
	c->pk_time_max = 0.6;
	c->missing_rate = 0;
	c->fixed_a = c->fixed_b = NULL;
}

static int
pick_option(struct fx_sim *s, struct fx_rng *r, int i, int correct)
{
	double x, acc = 0;
	int k;

	if (correct)
		return s->key[i];
	x = fx_rng_uniform(r);
	for (k = 0; k < s->n_options; k++) {
		acc += s->distractor[i * s->n_options + k];
		if (k != s->key[i] && x < acc)
			return k;
	}
	for (k = s->n_options - 1; k >= 0; k--)
		if (k != s->key[i])
			return k;
	return 0;
}

static void
gen_person(struct fx_sim *s, const struct fx_sim_config *c, int j)
{
	struct fx_rng r;
	double theta, tau, pk_factor = 1, rapid_share = 0, copy_share = 0;
	double p, lt;
	int i, n = s->n_items, prof = s->profile[j], copied;

	fx_rng_seed(&r, c->seed ^ (UINT64_C(0xA24BAED4963EE407) * (uint64_t)(j + 1)));
	theta = fx_rng_normal(&r);
	tau = 0.3 * fx_rng_normal(&r);
	s->history_theta[j] = theta;
	s->history_tau[j] = tau;
	if (prof == FX_SIM_PROXY) {
		theta += 1.5;
		tau += 0.5;
	}
	s->theta[j] = theta;
	s->tau[j] = tau;
	if (prof == FX_SIM_PREKNOWLEDGE)
		pk_factor = c->pk_time_min +
		    (c->pk_time_max - c->pk_time_min) * fx_rng_uniform(&r);
	if (prof == FX_SIM_RAPID)
		rapid_share = 0.3 + 0.5 * fx_rng_uniform(&r);
	if (prof == FX_SIM_COPIER)
		copy_share = 0.2 + 0.2 * fx_rng_uniform(&r);

	for (i = 0; i < n; i++) {
		size_t at = (size_t)j * n + i;
		double um = fx_rng_uniform(&r), uc = fx_rng_uniform(&r);
		double e = fx_rng_normal(&r), us = fx_rng_uniform(&r);
		int correct;

		p = 1.0 / (1.0 + exp(-s->a[i] * (theta - s->b[i])));
		lt = s->beta[i] - tau + e / s->alpha[i];
		if (prof == FX_SIM_PREKNOWLEDGE && s->leaked[i]) {
			if (p < c->pk_correct)
				p = c->pk_correct;
			lt += log(pk_factor);
		}
		if (prof == FX_SIM_RAPID && us < rapid_share) {
			p = 1.0 / s->n_options;
			lt = log(2.0) + 0.3 * e;
		}
		correct = uc < p;
		s->u[at] = (signed char)correct;
		s->option[at] = (signed char)pick_option(s, &r, i, correct);
		s->t[at] = exp(lt);
		copied = prof == FX_SIM_COPIER && us < copy_share &&
		    s->option[(size_t)s->source[j] * n + i] >= 0;
		if (copied) {
			s->option[at] = s->option[(size_t)s->source[j] * n + i];
			s->u[at] = s->option[at] == s->key[i];
		}
		if (um < c->missing_rate) {
			s->u[at] = -1;
			s->option[at] = -1;
			s->t[at] = 0;
		}
	}
}

struct fx_sim *
fx_sim_new(const struct fx_sim_config *c)
{
	struct fx_sim *s = sim_calloc(1, sizeof *s);
	struct fx_rng r;
	int n = c->n_items, m = c->n_persons, o = c->n_options;
	int i, j, k, *perm, at, n_pk, n_rapid, n_copier, n_proxy;
	double leak, sum;

	s->n_persons = m;
	s->n_items = n;
	s->n_options = o;
	s->a = sim_calloc(n, sizeof *s->a);
	s->b = sim_calloc(n, sizeof *s->b);
	s->beta = sim_calloc(n, sizeof *s->beta);
	s->alpha = sim_calloc(n, sizeof *s->alpha);
	s->key = sim_calloc(n, sizeof *s->key);
	s->distractor = sim_calloc((size_t)n * o, sizeof *s->distractor);
	s->leaked = sim_calloc(n, 1);
	s->theta = sim_calloc(m, sizeof *s->theta);
	s->tau = sim_calloc(m, sizeof *s->tau);
	s->history_theta = sim_calloc(m, sizeof *s->history_theta);
	s->history_tau = sim_calloc(m, sizeof *s->history_tau);
	s->profile = sim_calloc(m, sizeof *s->profile);
	s->source = sim_calloc(m, sizeof *s->source);
	s->u = sim_calloc((size_t)m * n, 1);
	s->option = sim_calloc((size_t)m * n, 1);
	s->t = sim_calloc((size_t)m * n, sizeof *s->t);

	fx_rng_seed(&r, c->seed);
	for (i = 0; i < n; i++) {
		s->a[i] = exp(0.25 * fx_rng_normal(&r));
		s->b[i] = fx_rng_normal(&r);
		s->beta[i] = 4.0 + 0.4 * fx_rng_normal(&r);
		s->alpha[i] = 1.5 + fx_rng_uniform(&r);
		if (c->fixed_a != NULL)
			s->a[i] = c->fixed_a[i];
		if (c->fixed_b != NULL)
			s->b[i] = c->fixed_b[i];
		s->key[i] = fx_rng_below(&r, o);
		sum = 0;
		for (k = 0; k < o; k++) {
			double w = k == s->key[i] ? 0 : 0.2 + fx_rng_uniform(&r);

			s->distractor[i * o + k] = w;
			sum += w;
		}
		for (k = 0; k < o; k++)
			s->distractor[i * o + k] /= sum;
	}

	/* The leaked items: a share U(leak_min, leak_max), at least one. */
	perm = sim_calloc(n > m ? n : m, sizeof *perm);
	leak = c->leak_min + (c->leak_max - c->leak_min) * fx_rng_uniform(&r);
	s->n_leaked = (int)lround(leak * n);
	if (s->n_leaked < 1)
		s->n_leaked = 1;
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		k = fx_rng_below(&r, i + 1);
		at = perm[i]; perm[i] = perm[k]; perm[k] = at;
	}
	for (i = 0; i < s->n_leaked; i++)
		s->leaked[perm[i]] = 1;

	/* Profiles. */
	for (j = 0; j < m; j++) {
		perm[j] = j;
		s->source[j] = -1;
	}
	for (j = m - 1; j > 0; j--) {
		k = fx_rng_below(&r, j + 1);
		at = perm[j]; perm[j] = perm[k]; perm[k] = at;
	}
	n_pk = (int)lround(c->share_preknowledge * m);
	n_rapid = (int)lround(c->share_rapid * m);
	n_proxy = (int)lround(c->share_proxy * m);
	n_copier = (int)lround(c->share_copier * m);
	if (n_pk + n_rapid + n_proxy + 2 * n_copier > m) {
		fprintf(stderr, "fx-sim: profile shares exceed the persons\n");
		abort();
	}
	at = 0;
	for (k = 0; k < n_pk; k++)
		s->profile[perm[at++]] = FX_SIM_PREKNOWLEDGE;
	for (k = 0; k < n_rapid; k++)
		s->profile[perm[at++]] = FX_SIM_RAPID;
	for (k = 0; k < n_proxy; k++)
		s->profile[perm[at++]] = FX_SIM_PROXY;
	for (k = 0; k < n_copier; k++) {
		int cj = perm[at++], sj = perm[at++];

		s->profile[cj] = FX_SIM_COPIER;
		s->profile[sj] = FX_SIM_SOURCE;
		s->source[cj] = sj;
	}
	free(perm);

	for (j = 0; j < m; j++)
		if (s->profile[j] != FX_SIM_COPIER)
			gen_person(s, c, j);
	for (j = 0; j < m; j++)
		if (s->profile[j] == FX_SIM_COPIER)
			gen_person(s, c, j);
	return s;
}

void
fx_sim_free(struct fx_sim *s)
{
	if (s == NULL)
		return;
	free(s->a); free(s->b); free(s->beta); free(s->alpha);
	free(s->key); free(s->distractor); free(s->leaked);
	free(s->theta); free(s->tau);
	free(s->history_theta); free(s->history_tau);
	free(s->profile); free(s->source);
	free(s->u); free(s->option); free(s->t);
	free(s);
}

double
fx_sim_corr(const double *x, const double *y, int n)
{
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
	int k;

	for (k = 0; k < n; k++) {
		mx += x[k];
		my += y[k];
	}
	mx /= n;
	my /= n;
	for (k = 0; k < n; k++) {
		sxx += (x[k] - mx) * (x[k] - mx);
		syy += (y[k] - my) * (y[k] - my);
		sxy += (x[k] - mx) * (y[k] - my);
	}
	return sxy / sqrt(sxx * syy);
}

void
fx_sim_theta_mle(const struct fx_sim *s, double *theta)
{
	struct forensics_irt	 irt;
	struct forensics_theta	 th;
	int			 j;

	forensics_irt_from_params(&irt, s->n_items, s->a, s->b);
	for (j = 0; j < s->n_persons; j++) {
		forensics_irt_theta(&irt, s->u + (size_t)j * s->n_items, NULL,
		    FORENSICS_THETA_MLE, &th);
		theta[j] = th.theta;
	}
	forensics_irt_free(&irt);
}
