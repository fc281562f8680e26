/*
 * rt.c - van der Linden's (2006) lognormal response-time model for one
 * form, ln t_ij ~ N(beta_i - tau_j, 1 / alpha_i^2): item time intensity
 * beta and discrimination alpha, person speed tau with Var(tau) = 1 /
 * sum alpha_i^2.  Alternating maximum likelihood over the usable times;
 * contracts in forensics.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

#define ALPHA_MAX	100.0

static int
usable(double t)
{
	return isfinite(t) && t > 0;
}

static int
double_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

void
forensics_rt_options_default(struct forensics_rt_options *o)
{
	o->tolerance = 1e-5;
	o->max_cycles = 500;
	o->trim_z = 4.0;
}

static void
rt_alloc(struct forensics_rt *out, int n_items)
{
	memset(out, 0, sizeof *out);
	out->n_items = n_items;
	out->beta = xcalloc(n_items, sizeof *out->beta);
	out->alpha = xcalloc(n_items, sizeof *out->alpha);
	out->status = xcalloc(n_items, sizeof *out->status);
	out->n_times = xcalloc(n_items, sizeof *out->n_times);
}

void
forensics_rt_free(struct forensics_rt *rt)
{
	if (rt == NULL)
		return;
	free(rt->beta);
	free(rt->alpha);
	free(rt->status);
	free(rt->n_times);
	memset(rt, 0, sizeof *rt);
}

void
forensics_rt_from_params(struct forensics_rt *out, int n_items,
    const double *beta, const double *alpha)
{
	rt_alloc(out, n_items);
	memcpy(out->beta, beta, n_items * sizeof *beta);
	memcpy(out->alpha, alpha, n_items * sizeof *alpha);
	out->converged = 1;
}

void
forensics_rt_tau(const struct forensics_rt *rt, const double *row,
    const unsigned char *use, struct forensics_speed *out)
{
	double num = 0, w = 0;
	int i;

	memset(out, 0, sizeof *out);
	for (i = 0; i < rt->n_items; i++) {
		double a2;

		if (!usable(row[i]) || rt->status[i] != FORENSICS_ITEM_OK ||
		    (use != NULL && !use[i]))
			continue;
		a2 = rt->alpha[i] * rt->alpha[i];
		num += a2 * (rt->beta[i] - log(row[i]));
		w += a2;
		out->n_used++;
	}
	out->w = w;
	if (out->n_used == 0) {
		out->tau = out->se = NAN;
		return;
	}
	out->tau = num / w;
	out->se = 1 / sqrt(w);
}

int
forensics_rt_calibrate(const double *t, int n_persons, int n_items,
    const struct forensics_rt_options *opt, struct forensics_rt *out,
    double *tau_out, double *tau_se_out, char *err, size_t errlen)
{
	struct forensics_rt_options def;
	double *lt, *tau, *old_tau, *sum, change = INFINITY, mean, var_kept = 1;
	int i, j, cycle, n_ok = 0, *cnt, *kept, trimmed = 0;
	size_t at;

	if (opt == NULL) {
		forensics_rt_options_default(&def);
		opt = &def;
	}
	if (n_persons < 1 || n_items < 1) {
		snprintf(err, errlen, "no persons or no items to calibrate "
		    "(%d persons, %d items)", n_persons, n_items);
		return -1;
	}
	rt_alloc(out, n_items);
	lt = xcalloc((size_t)n_persons * n_items, sizeof *lt);
	tau = xcalloc(n_persons, sizeof *tau);
	old_tau = xcalloc(n_persons, sizeof *old_tau);
	sum = xcalloc(n_items, sizeof *sum);
	cnt = xcalloc(n_persons, sizeof *cnt);
	for (at = 0; at < (size_t)n_persons * n_items; at++) {
		if (usable(t[at])) {
			lt[at] = log(t[at]);
			out->n_times[at % n_items]++;
		} else {
			lt[at] = NAN;
			out->n_missing++;
		}
	}
	/* Start: beta the item mean of ln t, alpha 1, tau 0. */
	for (at = 0; at < (size_t)n_persons * n_items; at++)
		if (!isnan(lt[at]))
			sum[at % n_items] += lt[at];
	for (i = 0; i < n_items; i++) {
		out->alpha[i] = 1;
		if (out->n_times[i] < 2) {
			out->status[i] = FORENSICS_ITEM_NO_DATA;
			out->beta[i] = out->alpha[i] = NAN;
			out->n_left_out++;
			continue;
		}
		out->beta[i] = sum[i] / out->n_times[i];
	}
	/* Items whose times do not vary are left out as well. */
	for (i = 0; i < n_items; i++) {
		double ss = 0;

		if (out->status[i] != FORENSICS_ITEM_OK)
			continue;
		for (j = 0; j < n_persons; j++) {
			double v = lt[(size_t)j * n_items + i];

			if (!isnan(v))
				ss += (v - out->beta[i]) * (v - out->beta[i]);
		}
		if (ss <= 1e-12 * out->n_times[i]) {
			out->status[i] = FORENSICS_ITEM_NO_DATA;
			out->beta[i] = out->alpha[i] = NAN;
			out->n_left_out++;
		} else
			n_ok++;
	}
	kept = xcalloc(n_items, sizeof *kept);
	for (i = 0; i < n_items; i++)
		kept[i] = out->n_times[i];
	if (n_ok == 0) {
		free(kept);
		snprintf(err, errlen, "no item has two or more varying "
		    "response times: nothing to calibrate");
		free(lt); free(tau); free(old_tau); free(sum); free(cnt);
		forensics_rt_free(out);
		return -1;
	}

	cycle = 0;
again:
	for (; cycle < opt->max_cycles; cycle++) {
		int n_tau = 0;

		change = 0;
		/* tau given beta, alpha; then centred (mean tau = 0). */
		mean = 0;
		for (j = 0; j < n_persons; j++) {
			double num = 0, w = 0, a2;

			/* As forensics_rt_tau, over the times kept. */
			cnt[j] = 0;
			for (i = 0; i < n_items; i++) {
				at = (size_t)j * n_items + i;
				if (isnan(lt[at]) ||
				    out->status[i] != FORENSICS_ITEM_OK)
					continue;
				a2 = out->alpha[i] * out->alpha[i];
				num += a2 * (out->beta[i] - lt[at]);
				w += a2;
				cnt[j]++;
			}
			old_tau[j] = tau[j];
			tau[j] = cnt[j] ? num / w : 0;
			if (cnt[j]) {
				mean += tau[j];
				n_tau++;
			}
		}
		mean = n_tau ? mean / n_tau : 0;
		for (j = 0; j < n_persons; j++) {
			if (cnt[j])
				tau[j] -= mean;
			if (fabs(tau[j] - old_tau[j]) > change)
				change = fabs(tau[j] - old_tau[j]);
		}
		/* beta given tau. */
		memset(sum, 0, n_items * sizeof *sum);
		for (j = 0; j < n_persons; j++)
			for (i = 0; i < n_items; i++) {
				at = (size_t)j * n_items + i;
				if (!isnan(lt[at]))
					sum[i] += lt[at] + tau[j];
			}
		for (i = 0; i < n_items; i++) {
			double nb;

			if (out->status[i] != FORENSICS_ITEM_OK || kept[i] < 2)
				continue;
			nb = sum[i] / kept[i];
			if (fabs(nb - out->beta[i]) > change)
				change = fabs(nb - out->beta[i]);
			out->beta[i] = nb;
		}
		/* alpha given beta, tau. */
		memset(sum, 0, n_items * sizeof *sum);
		for (j = 0; j < n_persons; j++)
			for (i = 0; i < n_items; i++) {
				double e;

				at = (size_t)j * n_items + i;
				if (isnan(lt[at]) ||
				    out->status[i] != FORENSICS_ITEM_OK)
					continue;
				e = lt[at] - out->beta[i] + tau[j];
				sum[i] += e * e;
			}
		for (i = 0; i < n_items; i++) {
			double na;

			if (out->status[i] != FORENSICS_ITEM_OK || kept[i] < 2)
				continue;
			na = 1 / sqrt(fmax(sum[i] / kept[i] / var_kept,
			    1 / (ALPHA_MAX * ALPHA_MAX)));
			if (fabs(na - out->alpha[i]) > change)
				change = fabs(na - out->alpha[i]);
			out->alpha[i] = na;
		}
		if (change < opt->tolerance) {
			out->converged = 1;
			cycle++;
			break;
		}
	}
	if (out->converged && !trimmed && opt->trim_z > 0) {
		/*
		 * Second pass: the items' parameters again without the times
		 * whose |z| > trim_z (rapid guesses, preknowledge, pauses),
		 * the variance corrected for the truncation of the normal:
		 * E[z^2 | |z| < c] = 1 - 2 c phi(c) / (2 Phi(c) - 1).
		 */
		double c = opt->trim_z;

		double *dev = xcalloc(n_items, sizeof *dev);

		trimmed = 1;
		var_kept = 1 - 2 * c * exp(-c * c / 2) / 2.50662827463100050 /
		    (2 * forensics_norm_cdf(c) - 1);
		for (j = 0; j < n_persons; j++) {
			double tj;
			int nd = 0;

			/* A speed the outliers cannot drag: the median of
			 * beta_i - ln t_ij (a rapid guesser's mean tau would
			 * make his ordinary times look slow). */
			for (i = 0; i < n_items; i++) {
				at = (size_t)j * n_items + i;
				if (!isnan(lt[at]) &&
				    out->status[i] == FORENSICS_ITEM_OK)
					dev[nd++] = out->beta[i] - lt[at];
			}
			if (nd == 0)
				continue;
			qsort(dev, nd, sizeof *dev, double_cmp);
			tj = nd % 2 ? dev[nd / 2] :
			    (dev[nd / 2 - 1] + dev[nd / 2]) / 2;
			for (i = 0; i < n_items; i++) {
				at = (size_t)j * n_items + i;
				if (isnan(lt[at]) ||
				    out->status[i] != FORENSICS_ITEM_OK ||
				    fabs(out->alpha[i] * (lt[at] - out->beta[i] +
				    tj)) <= c)
					continue;
				lt[at] = NAN;
				kept[i]--;
				out->n_trimmed++;
			}
		}
		free(dev);
		out->converged = 0;
		goto again;
	}
	out->cycles = cycle;
	out->last_change = change;
	for (j = 0; j < n_persons; j++) {
		struct forensics_speed sp;

		forensics_rt_tau(out, t + (size_t)j * n_items, NULL, &sp);
		if (tau_out != NULL)
			tau_out[j] = sp.tau;
		if (tau_se_out != NULL)
			tau_se_out[j] = sp.se;
	}
	free(lt);
	free(tau);
	free(old_tau);
	free(sum);
	free(cnt);
	free(kept);
	return 0;
}
