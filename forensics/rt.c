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

/*
 * The state of one calibration: the log times (NAN where unusable or
 * trimmed), the persons' speeds and the work arrays of a cycle.
 */
struct rt_fit {
	int	 n_persons, n_items;
	double	*lt;		/* [j * n_items + i] */
	double	*tau, *old_tau;	/* [j] */
	double	*sum;		/* [i] */
	int	*cnt;		/* [j]: times behind tau[j] */
	int	*kept;		/* [i]: times left in the current pass */
	double	 var_kept;	/* E[z^2] of the times kept: 1, then < 1 */
};

static void
rt_fit_free(struct rt_fit *f)
{
	free(f->lt);
	free(f->tau);
	free(f->old_tau);
	free(f->sum);
	free(f->cnt);
	free(f->kept);
}

/* Leave item i out of the calibration (no or constant times). */
static void
rt_leave_out(struct forensics_rt *out, int i)
{
	out->status[i] = FORENSICS_ITEM_NO_DATA;
	out->beta[i] = out->alpha[i] = NAN;
	out->n_left_out++;
}

/*
 * Log times and their counts, then the start: beta the item mean of ln t,
 * alpha 1, tau 0; items with fewer than two times, or times that do not
 * vary, are left out.  Returns the number of items left in.
 */
static int
rt_start(const double *t, struct rt_fit *f, struct forensics_rt *out)
{
	int	 i, j, n_ok = 0, ni = f->n_items;
	size_t	 at;

	for (at = 0; at < (size_t)f->n_persons * ni; at++) {
		if (usable(t[at])) {
			f->lt[at] = log(t[at]);
			out->n_times[at % ni]++;
		} else {
			f->lt[at] = NAN;
			out->n_missing++;
		}
	}
	for (at = 0; at < (size_t)f->n_persons * ni; at++)
		if (!isnan(f->lt[at]))
			f->sum[at % ni] += f->lt[at];
	for (i = 0; i < ni; i++) {
		out->alpha[i] = 1;
		if (out->n_times[i] < 2) {
			rt_leave_out(out, i);
			continue;
		}
		out->beta[i] = f->sum[i] / out->n_times[i];
	}
	for (i = 0; i < ni; i++) {
		double ss = 0;

		if (out->status[i] != FORENSICS_ITEM_OK)
			continue;
		for (j = 0; j < f->n_persons; j++) {
			double v = f->lt[(size_t)j * ni + i];

			if (!isnan(v))
				ss += (v - out->beta[i]) * (v - out->beta[i]);
		}
		if (ss <= 1e-12 * out->n_times[i])
			rt_leave_out(out, i);
		else
			n_ok++;
	}
	for (i = 0; i < ni; i++)
		f->kept[i] = out->n_times[i];
	return n_ok;
}

/* tau given beta, alpha, then centred (mean tau = 0); returns the largest
 * change of a tau. */
static double
rt_step_tau(struct rt_fit *f, const struct forensics_rt *out)
{
	double	 mean = 0, change = 0;
	int	 i, j, n_tau = 0, ni = f->n_items;
	size_t	 at;

	for (j = 0; j < f->n_persons; j++) {
		double num = 0, w = 0, a2;

		/* As forensics_rt_tau, over the times kept. */
		f->cnt[j] = 0;
		for (i = 0; i < ni; i++) {
			at = (size_t)j * ni + i;
			if (isnan(f->lt[at]) ||
			    out->status[i] != FORENSICS_ITEM_OK)
				continue;
			a2 = out->alpha[i] * out->alpha[i];
			num += a2 * (out->beta[i] - f->lt[at]);
			w += a2;
			f->cnt[j]++;
		}
		f->old_tau[j] = f->tau[j];
		f->tau[j] = f->cnt[j] ? num / w : 0;
		if (f->cnt[j]) {
			mean += f->tau[j];
			n_tau++;
		}
	}
	mean = n_tau ? mean / n_tau : 0;
	for (j = 0; j < f->n_persons; j++) {
		if (f->cnt[j])
			f->tau[j] -= mean;
		if (fabs(f->tau[j] - f->old_tau[j]) > change)
			change = fabs(f->tau[j] - f->old_tau[j]);
	}
	return change;
}

/* Set *x to v, keeping in *change the largest |v - x| seen. */
static void
rt_move(double *x, double v, double *change)
{
	if (fabs(v - *x) > *change)
		*change = fabs(v - *x);
	*x = v;
}

/* sum[i] over the times kept of ln t_ij + tau_j (squares 0), or of the
 * squared residual (ln t_ij - beta_i + tau_j)^2 (squares 1). */
static void
rt_item_sums(struct rt_fit *f, const struct forensics_rt *out, int squares)
{
	int	 i, j, ni = f->n_items;
	size_t	 at;
	double	 e;

	memset(f->sum, 0, ni * sizeof *f->sum);
	for (j = 0; j < f->n_persons; j++)
		for (i = 0; i < ni; i++) {
			at = (size_t)j * ni + i;
			if (isnan(f->lt[at]) ||
			    out->status[i] != FORENSICS_ITEM_OK)
				continue;
			if (squares) {
				e = f->lt[at] - out->beta[i] + f->tau[j];
				f->sum[i] += e * e;
			} else
				f->sum[i] += f->lt[at] + f->tau[j];
		}
}

/* beta given tau, then alpha given beta, tau; returns the largest change
 * of a beta or an alpha. */
static double
rt_step_items(struct rt_fit *f, struct forensics_rt *out)
{
	double	 change = 0;
	int	 i;

	rt_item_sums(f, out, 0);
	for (i = 0; i < f->n_items; i++)
		if (out->status[i] == FORENSICS_ITEM_OK && f->kept[i] >= 2)
			rt_move(&out->beta[i], f->sum[i] / f->kept[i], &change);
	rt_item_sums(f, out, 1);
	for (i = 0; i < f->n_items; i++)
		if (out->status[i] == FORENSICS_ITEM_OK && f->kept[i] >= 2)
			rt_move(&out->alpha[i], 1 / sqrt(fmax(f->sum[i] /
			    f->kept[i] / f->var_kept,
			    1 / (ALPHA_MAX * ALPHA_MAX))), &change);
	return change;
}

/*
 * Alternate the steps (speeds, then items) from *cycle until the largest
 * change is below the tolerance (out->converged) or max_cycles, counting
 * in *cycle (both passes share the budget).  *change is the last cycle's, untouched when
 * no cycle is left.
 */
static void
rt_cycles(struct rt_fit *f, struct forensics_rt *out,
    const struct forensics_rt_options *opt, int *cycle, double *change)
{
	double	 c;

	for (; *cycle < opt->max_cycles; (*cycle)++) {
		c = rt_step_tau(f, out);
		c = fmax(c, rt_step_items(f, out));
		*change = c;
		if (c < opt->tolerance) {
			out->converged = 1;
			(*cycle)++;
			break;
		}
	}
}

/*
 * Before the second pass: drop the times whose |z| > c (rapid guesses,
 * preknowledge, pauses) and set the variance correction for the
 * truncation of the normal, E[z^2 | |z| < c] = 1 - 2 c phi(c) / (2 Phi(c)
 * - 1).
 */
static void
rt_trim(struct rt_fit *f, struct forensics_rt *out, double c)
{
	double	*dev = xcalloc(f->n_items, sizeof *dev);
	int	 i, j, ni = f->n_items;
	size_t	 at;

	f->var_kept = 1 - 2 * c * exp(-c * c / 2) / 2.50662827463100050 /
	    (2 * forensics_norm_cdf(c) - 1);
	for (j = 0; j < f->n_persons; j++) {
		double tj;
		int nd = 0;

		/* A speed the outliers cannot drag: the median of
		 * beta_i - ln t_ij (a rapid guesser's mean tau would
		 * make his ordinary times look slow). */
		for (i = 0; i < ni; i++) {
			at = (size_t)j * ni + i;
			if (!isnan(f->lt[at]) &&
			    out->status[i] == FORENSICS_ITEM_OK)
				dev[nd++] = out->beta[i] - f->lt[at];
		}
		if (nd == 0)
			continue;
		qsort(dev, nd, sizeof *dev, double_cmp);
		tj = nd % 2 ? dev[nd / 2] :
		    (dev[nd / 2 - 1] + dev[nd / 2]) / 2;
		for (i = 0; i < ni; i++) {
			at = (size_t)j * ni + i;
			if (isnan(f->lt[at]) ||
			    out->status[i] != FORENSICS_ITEM_OK ||
			    fabs(out->alpha[i] * (f->lt[at] - out->beta[i] +
			    tj)) <= c)
				continue;
			f->lt[at] = NAN;
			f->kept[i]--;
			out->n_trimmed++;
		}
	}
	free(dev);
}

int
forensics_rt_calibrate(const double *t, int n_persons, int n_items,
    const struct forensics_rt_options *opt, struct forensics_rt *out,
    double *tau_out, double *tau_se_out, char *err, size_t errlen)
{
	struct forensics_rt_options def;
	struct rt_fit f;
	double change = INFINITY;
	int j, cycle = 0;

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
	f.n_persons = n_persons;
	f.n_items = n_items;
	f.lt = xcalloc((size_t)n_persons * n_items, sizeof *f.lt);
	f.tau = xcalloc(n_persons, sizeof *f.tau);
	f.old_tau = xcalloc(n_persons, sizeof *f.old_tau);
	f.sum = xcalloc(n_items, sizeof *f.sum);
	f.cnt = xcalloc(n_persons, sizeof *f.cnt);
	f.kept = xcalloc(n_items, sizeof *f.kept);
	f.var_kept = 1;
	if (rt_start(t, &f, out) == 0) {
		snprintf(err, errlen, "no item has two or more varying "
		    "response times: nothing to calibrate");
		rt_fit_free(&f);
		forensics_rt_free(out);
		return -1;
	}
	rt_cycles(&f, out, opt, &cycle, &change);
	if (out->converged && opt->trim_z > 0) {
		/* Second pass: beta, alpha (and tau) again without the
		 * outlying times. */
		rt_trim(&f, out, opt->trim_z);
		out->converged = 0;
		rt_cycles(&f, out, opt, &cycle, &change);
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
	rt_fit_free(&f);
	return 0;
}
