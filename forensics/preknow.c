/*
 * preknow.c - preknowledge without a list of compromised items: estimate
 * the list from the other candidates (fast correct responses in excess of
 * the models' prediction), then compare each candidate's ability and speed
 * on their leave-one-out list with the rest (Sinharay 2017).  The contract
 * is in forensics.h.  L_S and its theta MLEs are person.c's and irt.c's
 * (forensics_person_ls), the same as for a known list.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

static double
pk_normal_q(double z)
{
	return (0.5 * erfc(z / M_SQRT2));
}

static int
pk_item_ok(const struct forensics_preknow_input *in, int i)
{
	return (in->a[i] > 0 && isfinite(in->a[i]) && isfinite(in->b[i]));
}

static int
pk_has_time(const struct forensics_preknow_input *in, int i, double lt)
{
	return (isfinite(lt) && isfinite(in->beta[i]) && in->alpha[i] > 0 &&
	    isfinite(in->alpha[i]));
}

static int
pk_cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* The median of v[0..n), n > 0; v is reordered. */
static double
pk_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, pk_cmp_double);
	return (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

/*
 * What the steps share: the options with their defaults, the robust time
 * location, scale and speed, and V_i.
 */
struct pk_fit {
	const struct forensics_preknow_input *in;
	double	 zf, pf, lz;	/* z_fast, Phi(-z_fast), list_z */
	double	*V;		/* [i]: sum e_ij (1 - e_ij); 0 = not scored */
	double	*rbeta, *rsd;	/* [i]: beta~, s~ (0: not scored) */
	double	*rtau;		/* [j]: tau~ */
	unsigned char *low_effort;	/* [j]: left out of the item scores */
};

/* -1 with err when the input cannot be scored. */
static int
pk_check(const struct forensics_preknow_input *in, char *err, size_t errlen)
{
	int	 j;

	if (in->n_attempts < 0 || in->n_items <= 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "preknowledge: need items > 0 "
			    "(got %d attempts, %d items)", in->n_attempts,
			    in->n_items);
		return (-1);
	}
	for (j = 0; j < in->n_attempts; j++)
		if (!isfinite(in->theta[j]) || !isfinite(in->tau[j])) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "preknowledge: attempt %d "
				    "has no finite theta or tau", j);
			return (-1);
		}
	return (0);
}

/* beta~_i and s~_i: the median and 1.4826 MAD of ln t_ij + tau~_j over
 * the timed answers (rsd 0 with fewer than 10). */
static void
pk_item_location(struct pk_fit *f, double *buf)
{
	const struct forensics_preknow_input *in = f->in;
	int	 i, j, ni = in->n_items;

	for (i = 0; i < ni; i++) {
		int	 n = 0;

		f->rsd[i] = 0;
		for (j = 0; j < in->n_attempts; j++) {
			size_t	 x = (size_t)j * ni + i;

			if (in->u[x] >= 0 && pk_has_time(in, i, in->log_t[x]))
				buf[n++] = in->log_t[x] + f->rtau[j];
		}
		if (n < 10)
			continue;	/* rsd 0: item not scored */
		f->rbeta[i] = pk_median(buf, n);
		for (j = 0; j < n; j++)
			buf[j] = fabs(buf[j] - f->rbeta[i]);
		f->rsd[i] = 1.4826 * pk_median(buf, n);
	}
}

/*
 * Robust time location and scale per item (median and MAD of ln t +
 * tau_j): a fast minority moves the mean beta and inflates the residual
 * variance of a calibration it is part of, and so hides; it moves the
 * median and the MAD far less.  Items with the given tau, then the speed
 * robustly (the median of beta~_i - ln t_ij), then the items again.
 */
static void
pk_robust_times(struct pk_fit *f)
{
	const struct forensics_preknow_input *in = f->in;
	int	 i, j, ni = in->n_items;
	double	*buf;

	memcpy(f->rtau, in->tau, (size_t)in->n_attempts * sizeof *f->rtau);
	buf = xreallocarray(NULL, (size_t)(in->n_attempts > ni ?
	    in->n_attempts : ni) + 1, sizeof *buf);
	pk_item_location(f, buf);
	for (j = 0; j < in->n_attempts; j++) {
		int	 n = 0;

		for (i = 0; i < ni; i++) {
			size_t	 x = (size_t)j * ni + i;

			if (in->u[x] >= 0 && f->rsd[i] > 0 &&
			    pk_has_time(in, i, in->log_t[x]))
				buf[n++] = f->rbeta[i] - in->log_t[x];
		}
		if (n > 0)
			f->rtau[j] = pk_median(buf, n);
	}
	pk_item_location(f, buf);
	free(buf);
}

/*
 * Low-effort attempts (effort moderation, Wise & DeMars 2006): an attempt
 * with more than 10 % of its timed answers rapid (faster than Wise & Ma's
 * 2012 normative threshold, 10 % of the item's mean time and at most
 * 10 s, as in person.c) takes no part in the item scores.  A rapid guess
 * is fast and right at chance, so a rapid guesser's right guesses counted
 * as "fast and correct" and pushed the items it guessed on into the
 * compromised list (seen on the simulator: 5 of 8 reported items not
 * leaked).  The attempt is still scored against the list like any other
 * (rt_fit and the rapid count in person.c are the indices that catch it).
 * Dropping whole attempts chosen by their own speed, not single
 * responses, keeps a preknowledge candidate's fastest right answers in;
 * under the models an honest attempt is almost never past 10 % rapid
 * (ln 0.1 is about -2.3, z < -4 at alpha >= 1.7), so E_i is not changed.
 */
static void
pk_low_effort(struct pk_fit *f)
{
	const struct forensics_preknow_input *in = f->in;
	double	*lt_rapid = xcalloc((size_t)in->n_items, sizeof *lt_rapid);
	int	 i, j, ni = in->n_items;

	for (i = 0; i < ni; i++) {
		double	 sum = 0;
		int	 n = 0;

		for (j = 0; j < in->n_attempts; j++) {
			size_t	 x = (size_t)j * ni + i;

			if (in->u[x] >= 0 && pk_has_time(in, i, in->log_t[x])) {
				sum += exp(in->log_t[x]);
				n++;
			}
		}
		lt_rapid[i] = n > 0 ? log(fmin(0.1 * sum / n, 10.0)) :
		    -INFINITY;
	}
	for (j = 0; j < in->n_attempts; j++) {
		int	 timed = 0, rapid = 0;

		for (i = 0; i < ni; i++) {
			size_t	 x = (size_t)j * ni + i;

			if (in->u[x] < 0 || !pk_has_time(in, i, in->log_t[x]))
				continue;
			timed++;
			rapid += in->log_t[x] < lt_rapid[i];
		}
		f->low_effort[j] = rapid * 10 > timed;
	}
	free(lt_rapid);
}

/* A timed answer x = (j, i) of an attempt that takes part in the item
 * scores. */
static int
pk_usable(const struct pk_fit *f, int j, int i, size_t x)
{
	const struct forensics_preknow_input *in = f->in;

	return (in->u[x] >= 0 && pk_has_time(in, i, in->log_t[x]) &&
	    !f->low_effort[j]);
}

/* e_ij = P_i(theta_j) Phi(-z_fast) and F_ij of a timed answer x = (j, i). */
static double
pk_expected(const struct pk_fit *f, int j, int i, size_t x, int *fast)
{
	const struct forensics_preknow_input *in = f->in;
	double	 P, z;

	P = 1 / (1 + exp(-in->a[i] * (in->theta[j] - in->b[i])));
	z = (in->log_t[x] - f->rbeta[i] + f->rtau[j]) / f->rsd[i];
	*fast = z < -f->zf && in->u[x] == 1;
	return (P * f->pf);
}

/* Item scores: observed and expected fast correct responses, V_i, z_i,
 * p_i and the everyone list.  Returns the number of items scored. */
static int
pk_item_scores(struct pk_fit *f, struct forensics_preknow_result *out)
{
	const struct forensics_preknow_input *in = f->in;
	int	 i, j, ni = in->n_items, n_scored = 0, fast;

	for (j = 0; j < in->n_attempts; j++)
		for (i = 0; i < ni; i++) {
			size_t	 x = (size_t)j * ni + i;
			double	 e;

			if (!pk_item_ok(in, i) || !pk_usable(f, j, i, x) ||
			    f->rsd[i] <= 0)
				continue;
			e = pk_expected(f, j, i, x, &fast);
			out->items[i].n++;
			out->items[i].expected += e;
			f->V[i] += e * (1 - e);
			if (fast)
				out->items[i].fast_correct++;
		}
	for (i = 0; i < ni; i++) {
		struct forensics_preknow_item *it = &out->items[i];

		if (f->V[i] <= 0) {
			it->p = 1;
			continue;
		}
		n_scored++;
		it->z = (it->fast_correct - it->expected) / sqrt(f->V[i]);
		it->p = pk_normal_q(it->z);
		it->listed = it->z > f->lz;
	}
	return (n_scored);
}

/* Benjamini-Hochberg over the scored items: the largest k with p_(k) <=
 * k q / m; the k smallest are reported. */
static void
pk_item_report(const struct pk_fit *f, int n_scored, double ialpha,
    struct forensics_preknow_result *out)
{
	int	 i, k, n = 0, ni = f->in->n_items;
	double	*ps = xreallocarray(NULL, (size_t)ni, sizeof *ps);
	double	 cut = -1;

	for (i = 0; i < ni; i++)
		if (f->V[i] > 0)
			ps[n++] = out->items[i].p;
	qsort(ps, (size_t)n, sizeof *ps, pk_cmp_double);
	for (k = n; k >= 1; k--)
		if (ps[k - 1] <= k * ialpha / n_scored) {
			cut = ps[k - 1];
			break;
		}
	for (i = 0; i < ni; i++)
		if (f->V[i] > 0 && out->items[i].p <= cut) {
			out->items[i].compromised = 1;
			out->n_compromised++;
		}
	free(ps);
}

/* Attempt j's leave-one-out list in mask: Z_i^(-j) > list_z. */
static void
pk_person_list(const struct pk_fit *f, int j,
    const struct forensics_preknow_result *out, unsigned char *mask)
{
	const struct forensics_preknow_input *in = f->in;
	int	 i, ni = in->n_items, fast;

	for (i = 0; i < ni; i++) {
		size_t	 x = (size_t)j * ni + i;
		double	 o, e = 0, v, fc = 0;

		mask[i] = 0;
		if (f->V[i] <= 0 || !pk_item_ok(in, i))
			continue;
		o = out->items[i].fast_correct;
		v = f->V[i];
		if (pk_usable(f, j, i, x)) {
			e = pk_expected(f, j, i, x, &fast);
			fc = fast;
			v -= e * (1 - e);
		}
		if (v <= 0)
			continue;
		if ((o - fc - (out->items[i].expected - e)) / sqrt(v) > f->lz)
			mask[i] = 1;
	}
}

/* Counts of list and rest, and the speed comparison z_tau, of attempt j. */
static void
pk_person_speed(const struct pk_fit *f, int j, const unsigned char *mask,
    struct forensics_preknow_person *ps)
{
	const struct forensics_preknow_input *in = f->in;
	const int8_t	*u = in->u + (size_t)j * in->n_items;
	const double	*lt = in->log_t + (size_t)j * in->n_items;
	double		 wc = 0, ws = 0, sc = 0, ss = 0;
	int		 i;

	for (i = 0; i < in->n_items; i++) {
		if (u[i] < 0 || !pk_item_ok(in, i))
			continue;
		if (mask[i])
			ps->n_list++;
		else
			ps->n_secure++;
		if (!pk_has_time(in, i, lt[i]))
			continue;
		if (mask[i]) {
			wc += in->alpha[i] * in->alpha[i];
			sc += in->alpha[i] * in->alpha[i] *
			    (in->beta[i] - lt[i]);
		} else {
			ws += in->alpha[i] * in->alpha[i];
			ss += in->alpha[i] * in->alpha[i] *
			    (in->beta[i] - lt[i]);
		}
	}
	ps->z_tau = ps->p_tau = ps->tau_c = ps->tau_s = NAN;
	if (wc > 0 && ws > 0) {
		ps->tau_c = sc / wc;
		ps->tau_s = ss / ws;
		ps->z_tau = (ps->tau_c - ps->tau_s) / sqrt(1 / wc + 1 / ws);
		ps->p_tau = pk_normal_q(ps->z_tau);
	}
}

/* Attempt j on its list: L_S, z_tau and their Stouffer p. */
static void
pk_person(const struct pk_fit *f, const struct forensics_irt *irt, int j,
    unsigned char *mask, struct forensics_preknow_result *out)
{
	struct forensics_preknow_person *ps = &out->persons[j];
	const int8_t	*u = f->in->u + (size_t)j * f->in->n_items;

	pk_person_list(f, j, out, mask);
	pk_person_speed(f, j, mask, ps);
	ps->ls = ps->p_ls = ps->theta_c = ps->theta_s = NAN;
	if (ps->n_list > 0 && ps->n_secure > 0) {
		ps->newton_capped = forensics_person_ls(irt, u, mask,
		    &ps->theta_c, &ps->theta_s, &ps->ls);
		ps->p_ls = pk_normal_q(ps->ls);
	}
	/* Stouffer, as for the known list (person.c). */
	if (!isnan(ps->ls) && !isnan(ps->z_tau))
		ps->p = pk_normal_q((ps->ls + ps->z_tau) / M_SQRT2);
	else if (!isnan(ps->ls))
		ps->p = ps->p_ls;
	else
		ps->p = ps->p_tau;	/* NAN when neither */
	if (ps->newton_capped)
		out->newton_capped++;
}

int
forensics_preknow(const struct forensics_preknow_input *in,
    struct forensics_preknow_result *out, char *err, size_t errlen)
{
	struct pk_fit	 f;
	struct forensics_irt irt;
	unsigned char	*mask;
	int		 i, j, ni = in->n_items, n_scored;

	memset(out, 0, sizeof *out);
	if (pk_check(in, err, errlen) == -1)
		return (-1);
	f.in = in;
	f.zf = in->z_fast > 0 ? in->z_fast : 1.96;
	f.pf = pk_normal_q(f.zf);
	f.lz = in->list_z > 0 ? in->list_z : 1.645;
	f.V = xcalloc((size_t)ni, sizeof *f.V);
	f.rbeta = xcalloc((size_t)ni, sizeof *f.rbeta);
	f.rsd = xcalloc((size_t)ni, sizeof *f.rsd);
	f.rtau = xreallocarray(NULL, (size_t)in->n_attempts + 1,
	    sizeof *f.rtau);
	f.low_effort = xcalloc((size_t)in->n_attempts + 1, 1);
	out->items = xcalloc((size_t)ni, sizeof *out->items);
	out->persons = xcalloc((size_t)in->n_attempts + 1, sizeof *out->persons);
	mask = xreallocarray(NULL, (size_t)ni, sizeof *mask);

	pk_robust_times(&f);
	pk_low_effort(&f);
	n_scored = pk_item_scores(&f, out);
	pk_item_report(&f, n_scored, in->item_alpha > 0 ? in->item_alpha :
	    0.01, out);

	/* Per attempt: leave-one-out list, then L_S and z_tau.  The 2PL as
	 * irt.c's struct; items without usable a, b are left out. */
	forensics_irt_from_params(&irt, ni, in->a, in->b);
	for (i = 0; i < ni; i++)
		if (!pk_item_ok(in, i))
			irt.status[i] = FORENSICS_ITEM_NO_DATA;
	for (j = 0; j < in->n_attempts; j++)
		pk_person(&f, &irt, j, mask, out);
	forensics_irt_free(&irt);
	free(f.V);
	free(f.rbeta);
	free(f.rsd);
	free(f.rtau);
	free(f.low_effort);
	free(mask);
	return (0);
}

void
forensics_preknow_free(struct forensics_preknow_result *r)
{
	free(r->items);
	free(r->persons);
	memset(r, 0, sizeof *r);
}
