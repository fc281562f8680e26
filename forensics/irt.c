/*
 * irt.c - the 2PL (or Rasch) item response model for one form: item
 * calibration by marginal maximum likelihood (Bock & Aitkin 1981, EM over
 * a fixed quadrature), and person ability by EAP, MLE or Warm's WLE.
 * Contracts in forensics.h.  Everything that multiplies many
 * probabilities does so in log space: a 200-item likelihood underflows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

#define A_MIN		0.05
#define A_MAX		10.0
#define THETA_MIN	(-4.0)
#define THETA_MAX	4.0

void
forensics_irt_options_default(struct forensics_irt_options *o)
{
	o->quadrature = FORENSICS_QUAD_EQUAL;
	o->n_nodes = 41;
	o->prior_log_a_sd = 0.5;
	o->rasch = 0;
	o->tolerance = 1e-4;
	o->max_cycles = 500;
}

static void
irt_alloc(struct forensics_irt *out, int n_items, int n_nodes)
{
	memset(out, 0, sizeof *out);
	out->n_items = n_items;
	out->a = xcalloc(n_items, sizeof *out->a);
	out->d = xcalloc(n_items, sizeof *out->d);
	out->b = xcalloc(n_items, sizeof *out->b);
	out->status = xcalloc(n_items, sizeof *out->status);
	out->n_answered = xcalloc(n_items, sizeof *out->n_answered);
	out->p_correct = xcalloc(n_items, sizeof *out->p_correct);
	out->n_nodes = n_nodes;
	out->nodes = xcalloc(n_nodes, sizeof *out->nodes);
	out->weights = xcalloc(n_nodes, sizeof *out->weights);
	out->sigma = 1;
}

void
forensics_irt_free(struct forensics_irt *irt)
{
	if (irt == NULL)
		return;
	free(irt->a);
	free(irt->d);
	free(irt->b);
	free(irt->status);
	free(irt->n_answered);
	free(irt->p_correct);
	free(irt->nodes);
	free(irt->weights);
	memset(irt, 0, sizeof *irt);
}

void
forensics_irt_from_params(struct forensics_irt *out, int n_items,
    const double *a, const double *b)
{
	int i;

	irt_alloc(out, n_items, 41);
	forensics_quadrature(FORENSICS_QUAD_EQUAL, 41, out->nodes,
	    out->weights);
	for (i = 0; i < n_items; i++) {
		out->a[i] = a != NULL ? a[i] : 1.0;
		out->b[i] = b[i];
		out->d[i] = -out->a[i] * b[i];
		out->p_correct[i] = NAN;
	}
	out->converged = 1;
}

/* log P and log Q of the 2PL at logit z, without overflow. */
static void
log_pq(double z, double *lp, double *lq)
{
	if (z >= 0) {
		*lq = -z - log1p(exp(-z));
		*lp = -log1p(exp(-z));
	} else {
		*lp = z - log1p(exp(z));
		*lq = -log1p(exp(z));
	}
}

/*
 * One Newton-iterated M-step for item i from the expected counts r, n over
 * the nodes X.  With fix_a the slope is held (Rasch).  Returns the largest
 * change of (d, a).
 */
static double
m_step_item(double *pd, double *pa, const double *r, const double *n,
    const double *x, int k_nodes, double prior_sd, int fix_a)
{
	double d = *pd, a = *pa, d0 = d, a0 = a;
	int it, k;

	for (it = 0; it < 20; it++) {
		double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0, det, s0, s1;

		for (k = 0; k < k_nodes; k++) {
			double p = 1 / (1 + exp(-(a * x[k] + d)));
			double res = r[k] - n[k] * p, w = n[k] * p * (1 - p);

			g0 += res;
			g1 += res * x[k];
			h00 += w;
			h01 += w * x[k];
			h11 += w * x[k] * x[k];
		}
		if (prior_sd > 0 && !fix_a) {
			g1 += -log(a) / (a * prior_sd * prior_sd);
			h11 += 1 / (a * a * prior_sd * prior_sd);
		}
		if (fix_a) {
			s0 = h00 > 1e-12 ? g0 / h00 : 0;
			s1 = 0;
		} else {
			det = h00 * h11 - h01 * h01;
			if (det <= 1e-12 * (h00 * h11 + 1e-300)) {
				s0 = h00 > 1e-12 ? g0 / h00 : 0;
				s1 = 0;
			} else {
				s0 = (h11 * g0 - h01 * g1) / det;
				s1 = (h00 * g1 - h01 * g0) / det;
			}
		}
		/* Bounded steps. */
		if (s0 > 1)
			s0 = 1;
		if (s0 < -1)
			s0 = -1;
		if (s1 > 0.5)
			s1 = 0.5;
		if (s1 < -0.5)
			s1 = -0.5;
		d += s0;
		a += s1;
		if (a < A_MIN)
			a = A_MIN;
		if (a > A_MAX)
			a = A_MAX;
		if (d > 30)
			d = 30;
		if (d < -30)
			d = -30;
		if (fabs(s0) < 1e-8 && fabs(s1) < 1e-8)
			break;
	}
	*pd = d;
	*pa = a;
	return fmax(fabs(d - d0), fabs(a - a0));
}

/*
 * The E-step for everyone: fills r (correct) and n (answered) expected
 * counts, item-major [i * K + k], and returns the marginal log-likelihood.
 * If theta/psd are given, stores the EAP and PSD instead of accumulating.
 */
static double
e_step(const struct forensics_irt *irt, const signed char *u, int n_persons,
    const double *lp, const double *lq, double *r, double *n,
    double *theta, double *psd)
{
	int n_items = irt->n_items, K = irt->n_nodes, i, j, k;
	double *ll = xcalloc(K, sizeof *ll), loglik = 0;

	for (j = 0; j < n_persons; j++) {
		const signed char *row = u + (size_t)j * n_items;
		double mx = -INFINITY, sum = 0, m1 = 0, m2 = 0;

		for (k = 0; k < K; k++)
			ll[k] = log(irt->weights[k]);
		for (i = 0; i < n_items; i++) {
			const double *t;

			if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK)
				continue;
			t = (row[i] ? lp : lq) + (size_t)i * K;
			for (k = 0; k < K; k++)
				ll[k] += t[k];
		}
		for (k = 0; k < K; k++)
			if (ll[k] > mx)
				mx = ll[k];
		for (k = 0; k < K; k++) {
			ll[k] = exp(ll[k] - mx);
			sum += ll[k];
		}
		for (k = 0; k < K; k++)
			ll[k] /= sum;
		loglik += mx + log(sum);
		if (theta != NULL) {
			for (k = 0; k < K; k++)
				m1 += ll[k] * irt->nodes[k];
			for (k = 0; k < K; k++)
				m2 += ll[k] * (irt->nodes[k] - m1) *
				    (irt->nodes[k] - m1);
			theta[j] = m1;
			if (psd != NULL)
				psd[j] = sqrt(m2);
			continue;
		}
		for (i = 0; i < n_items; i++) {
			double *ni, *ri;

			if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK)
				continue;
			ni = n + (size_t)i * K;
			for (k = 0; k < K; k++)
				ni[k] += ll[k];
			if (row[i]) {
				ri = r + (size_t)i * K;
				for (k = 0; k < K; k++)
					ri[k] += ll[k];
			}
		}
	}
	free(ll);
	return loglik;
}

static void
fill_tables(const struct forensics_irt *irt, double *lp, double *lq)
{
	int K = irt->n_nodes, i, k;

	for (i = 0; i < irt->n_items; i++) {
		if (irt->status[i] != FORENSICS_ITEM_OK)
			continue;
		for (k = 0; k < K; k++)
			log_pq(irt->a[i] * irt->nodes[k] + irt->d[i],
			    &lp[(size_t)i * K + k], &lq[(size_t)i * K + k]);
	}
}

int
forensics_irt_calibrate(const signed char *u, int n_persons, int n_items,
    const struct forensics_irt_options *opt, struct forensics_irt *out,
    char *err, size_t errlen)
{
	struct forensics_irt_options def;
	double *lp, *lq, *r, *n, change = INFINITY;
	int K, i, j, k, cycle, n_ok, *n_correct;

	if (opt == NULL) {
		forensics_irt_options_default(&def);
		opt = &def;
	}
	K = opt->n_nodes;
	if (n_persons < 1 || n_items < 1) {
		snprintf(err, errlen, "no persons or no items to calibrate "
		    "(%d persons, %d items)", n_persons, n_items);
		return -1;
	}
	if (K < 2 || K > 200) {
		snprintf(err, errlen, "%d quadrature nodes: use 2 to 200", K);
		return -1;
	}
	irt_alloc(out, n_items, K);
	forensics_quadrature(opt->quadrature, K, out->nodes, out->weights);

	/* Observed counts; items without variance are left out. */
	n_correct = xcalloc(n_items, sizeof *n_correct);
	for (j = 0; j < n_persons; j++)
		for (i = 0; i < n_items; i++) {
			signed char v = u[(size_t)j * n_items + i];

			if (v < 0)
				continue;
			out->n_answered[i]++;
			n_correct[i] += v > 0;
		}
	n_ok = 0;
	for (i = 0; i < n_items; i++) {
		double p;

		out->a[i] = out->d[i] = out->b[i] = NAN;
		if (out->n_answered[i] == 0) {
			out->status[i] = FORENSICS_ITEM_NO_DATA;
			out->p_correct[i] = NAN;
		} else if (n_correct[i] == out->n_answered[i])
			out->status[i] = FORENSICS_ITEM_ALL_CORRECT;
		else if (n_correct[i] == 0)
			out->status[i] = FORENSICS_ITEM_ALL_WRONG;
		else
			out->status[i] = FORENSICS_ITEM_OK;
		if (out->n_answered[i] > 0)
			out->p_correct[i] = (double)n_correct[i] /
			    out->n_answered[i];
		if (out->status[i] != FORENSICS_ITEM_OK) {
			out->n_left_out++;
			continue;
		}
		n_ok++;
		p = out->p_correct[i];
		out->a[i] = 1;
		out->d[i] = 1.2 * log(p / (1 - p));
	}
	free(n_correct);
	if (n_ok == 0) {
		snprintf(err, errlen, "no item has both correct and wrong "
		    "responses: nothing to calibrate");
		forensics_irt_free(out);
		return -1;
	}

	lp = xcalloc((size_t)n_items * K, sizeof *lp);
	lq = xcalloc((size_t)n_items * K, sizeof *lq);
	r = xcalloc((size_t)n_items * K, sizeof *r);
	n = xcalloc((size_t)n_items * K, sizeof *n);
	for (cycle = 0; cycle < opt->max_cycles; cycle++) {
		fill_tables(out, lp, lq);
		memset(r, 0, (size_t)n_items * K * sizeof *r);
		memset(n, 0, (size_t)n_items * K * sizeof *n);
		out->loglik = e_step(out, u, n_persons, lp, lq, r, n, NULL,
		    NULL);
		change = 0;
		for (i = 0; i < n_items; i++) {
			double c;

			if (out->status[i] != FORENSICS_ITEM_OK)
				continue;
			c = m_step_item(&out->d[i], &out->a[i],
			    r + (size_t)i * K, n + (size_t)i * K, out->nodes, K,
			    opt->prior_log_a_sd, opt->rasch);
			if (c > change)
				change = c;
		}
		if (opt->rasch) {
			/* One bounded Newton step on the common slope. */
			double g = 0, h = 0, a = out->sigma, s;

			for (i = 0; i < n_items; i++) {
				if (out->status[i] != FORENSICS_ITEM_OK)
					continue;
				for (k = 0; k < K; k++) {
					double x = out->nodes[k];
					double p = 1 / (1 + exp(-(a * x +
					    out->d[i])));
					size_t at = (size_t)i * K + k;

					g += (r[at] - n[at] * p) * x;
					h += n[at] * p * (1 - p) * x * x;
				}
			}
			s = h > 0 ? g / h : 0;
			if (s > 0.5)
				s = 0.5;
			if (s < -0.5)
				s = -0.5;
			a += s;
			if (a < A_MIN)
				a = A_MIN;
			if (a > A_MAX)
				a = A_MAX;
			if (fabs(s) > change)
				change = fabs(s);
			out->sigma = a;
			for (i = 0; i < n_items; i++)
				if (out->status[i] == FORENSICS_ITEM_OK)
					out->a[i] = a;
		}
		if (change < opt->tolerance) {
			out->converged = 1;
			cycle++;
			break;
		}
	}
	out->cycles = cycle;
	out->last_change = change;
	for (i = 0; i < n_items; i++)
		if (out->status[i] == FORENSICS_ITEM_OK)
			out->b[i] = -out->d[i] / out->a[i];
	free(lp);
	free(lq);
	free(r);
	free(n);
	return 0;
}

void
forensics_irt_eap(const struct forensics_irt *irt, const signed char *u,
    int n_persons, double *theta, double *psd)
{
	size_t sz = (size_t)irt->n_items * irt->n_nodes;
	double *lp = xcalloc(sz, sizeof *lp), *lq = xcalloc(sz, sizeof *lq);

	fill_tables(irt, lp, lq);
	e_step(irt, u, n_persons, lp, lq, NULL, NULL, theta, psd);
	free(lp);
	free(lq);
}

void
forensics_irt_theta(const struct forensics_irt *irt, const signed char *row,
    const unsigned char *use, enum forensics_theta_method method,
    struct forensics_theta *out)
{
	double theta = 0, info = 0;
	int i, it;

	memset(out, 0, sizeof *out);
	for (i = 0; i < irt->n_items; i++) {
		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK ||
		    (use != NULL && !use[i]))
			continue;
		out->n_used++;
		out->score += row[i] > 0;
	}
	if (out->n_used == 0) {
		out->theta = NAN;
		out->se = NAN;
		return;
	}
	for (it = 0; it < FORENSICS_THETA_ITERATIONS; it++) {
		double f = 0, jj = 0, step;

		info = 0;
		for (i = 0; i < irt->n_items; i++) {
			double a = irt->a[i], p, q;

			if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK ||
			    (use != NULL && !use[i]))
				continue;
			p = 1 / (1 + exp(-(a * theta + irt->d[i])));
			q = 1 - p;
			f += a * ((row[i] > 0) - p);
			info += a * a * p * q;
			jj += a * a * a * p * q * (q - p);
		}
		if (method == FORENSICS_THETA_WLE && info > 0)
			f += jj / (2 * info);
		step = info > 1e-12 ? f / info : (f > 0 ? 1 : -1);
		if (step > 1)
			step = 1;
		if (step < -1)
			step = -1;
		theta += step;
		out->iterations = it + 1;
		if (theta >= THETA_MAX) {
			theta = THETA_MAX;
			if (f > 0)
				break;
		}
		if (theta <= THETA_MIN) {
			theta = THETA_MIN;
			if (f < 0)
				break;
		}
		if (fabs(step) < 1e-8)
			break;
	}
	info = 0;
	for (i = 0; i < irt->n_items; i++) {
		double p;

		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK ||
		    (use != NULL && !use[i]))
			continue;
		p = 1 / (1 + exp(-(irt->a[i] * theta + irt->d[i])));
		info += irt->a[i] * irt->a[i] * p * (1 - p);
	}
	out->theta = theta;
	out->se = info > 0 ? 1 / sqrt(info) : NAN;
	out->at_bound = theta <= THETA_MIN || theta >= THETA_MAX;
}
