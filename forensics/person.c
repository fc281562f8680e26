/*
 * person.c - person indices on calibrated models: lz* person fit
 * (Snijders 2001), response-time fit and aberrantly fast responses (van
 * der Linden & Guo 2008), rapid guessing (Wise & Ma 2012), and
 * preknowledge of a known list of compromised items (Sinharay 2017: the
 * signed likelihood ratio L_S, its speed analogue z_tau, and their
 * Stouffer combination).  Without a list, preknowledge is preknow.c's.
 * Each index comes with a p-value whose meaning is stated in forensics.h;
 * a p-value that cannot be computed is NAN.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

void
forensics_person_options_default(struct forensics_person_options *o)
{
	o->theta_method = FORENSICS_THETA_MLE;
	o->rapid_share = 0.10;
	o->rapid_cap = 10.0;
	o->fast_z = -1.96;
	o->compromised = NULL;
}

static int
usable_time(double t)
{
	return isfinite(t) && t > 0;
}

double
forensics_person_lzstar(const struct forensics_irt *irt,
    const signed char *row, double theta, enum forensics_theta_method method)
{
	double num = 0, spw = 0, spr = 0, info = 0, jj = 0, r0 = 0, cn, den = 0;
	int i, n = 0;

	if (isnan(theta))
		return NAN;
	for (i = 0; i < irt->n_items; i++) {
		double a = irt->a[i], z, p, q;

		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK)
			continue;
		z = a * theta + irt->d[i];
		p = 1 / (1 + exp(-z));
		q = 1 - p;
		num += ((row[i] > 0) - p) * z;		/* w_i = ln(P/Q) = z */
		spw += a * p * q * z;			/* P'_i w_i */
		spr += a * p * q * a;			/* P'_i r_i, r_i = a */
		info += a * a * p * q;
		jj += a * a * a * p * q * (q - p);
		n++;
	}
	if (n < 2 || spr <= 0)
		return NAN;
	cn = spw / spr;
	if (method == FORENSICS_THETA_WLE && info > 0)
		r0 = jj / (2 * info);
	for (i = 0; i < irt->n_items; i++) {
		double a = irt->a[i], z, p, wt;

		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK)
			continue;
		z = a * theta + irt->d[i];
		p = 1 / (1 + exp(-z));
		wt = z - cn * a;
		den += wt * wt * p * (1 - p);
	}
	if (den <= 0)
		return NAN;
	return (num + cn * r0) / sqrt(den);
}

/* Log-likelihood of the answered items in use at theta. */
static double
loglik(const struct forensics_irt *irt, const signed char *row,
    const unsigned char *use, int want, double theta)
{
	double ll = 0;
	int i;

	for (i = 0; i < irt->n_items; i++) {
		double z;

		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK ||
		    (use != NULL && (use[i] != 0) != want))
			continue;
		z = irt->a[i] * theta + irt->d[i];
		/* log P = -log(1 + e^-z), log Q = -log(1 + e^z). */
		if (row[i] > 0)
			ll -= z >= 0 ? log1p(exp(-z)) : -z + log1p(exp(z));
		else
			ll -= z <= 0 ? log1p(exp(z)) : z + log1p(exp(-z));
	}
	return ll;
}

/* P(R >= r) for R a sum of independent Bernoulli(p_i) (exact recursion). */
static double
poisson_binomial_sf(const double *p, int n, int r, double *f)
{
	double tail = 0;
	int i, m;

	if (r <= 0)
		return 1;
	if (r > n)
		return 0;
	f[0] = 1;
	for (m = 1; m <= n; m++)
		f[m] = 0;
	for (i = 0; i < n; i++)
		for (m = i + 1; m >= 0; m--)
			f[m] = f[m] * (1 - p[i]) + (m > 0 ? f[m - 1] * p[i] : 0);
	for (m = r; m <= n; m++)
		tail += f[m];
	return tail > 1 ? 1 : tail;
}

static void
person_nan(struct forensics_person *pp)
{
	memset(pp, 0, sizeof *pp);
	pp->theta = pp->theta_se = pp->lz = pp->lz_p = NAN;
	pp->tau = pp->tau_se = pp->rt_fit = pp->rt_fit_p = NAN;
	pp->fast_share = pp->rte = pp->rapid_p = NAN;
	pp->theta_c = pp->theta_s = pp->ls = pp->ls_p = NAN;
	pp->tau_c = pp->tau_s = pp->z_tau = pp->z_tau_p = NAN;
	pp->pk_z = pp->pk_p = pp->combined_p = NAN;
}

static void
ability_indices(const struct forensics_irt *irt, const signed char *row,
    const struct forensics_person_options *o, struct forensics_person *pp)
{
	struct forensics_theta th;

	forensics_irt_theta(irt, row, NULL, o->theta_method, &th);
	pp->n_answered = th.n_used;
	pp->score = th.score;
	pp->theta = th.theta;
	pp->theta_se = th.se;
	pp->lz = forensics_person_lzstar(irt, row, th.theta, o->theta_method);
	pp->lz_p = isnan(pp->lz) ? NAN : forensics_norm_cdf(pp->lz);

	if (o->compromised != NULL)
		(void)forensics_person_ls(irt, row, o->compromised,
		    &pp->theta_c, &pp->theta_s, &pp->ls);
	if (!isnan(pp->ls))
		pp->ls_p = forensics_norm_sf(pp->ls);
}

/* L_S is defined on maximum-likelihood estimates. */
int
forensics_person_ls(const struct forensics_irt *irt, const signed char *row,
    const unsigned char *list, double *theta_c, double *theta_s, double *ls)
{
	unsigned char *secure = xcalloc(irt->n_items, 1);
	struct forensics_theta tall, tc, ts;
	double lr;
	int i;

	*theta_c = *theta_s = *ls = NAN;
	for (i = 0; i < irt->n_items; i++)
		secure[i] = !list[i];
	forensics_irt_theta(irt, row, NULL, FORENSICS_THETA_MLE, &tall);
	forensics_irt_theta(irt, row, list, FORENSICS_THETA_MLE, &tc);
	forensics_irt_theta(irt, row, secure, FORENSICS_THETA_MLE, &ts);
	free(secure);
	if (tc.n_used == 0 || ts.n_used == 0)
		return 0;
	*theta_c = tc.theta;
	*theta_s = ts.theta;
	lr = 2 * (loglik(irt, row, list, 1, tc.theta) +
	    loglik(irt, row, list, 0, ts.theta) -
	    loglik(irt, row, NULL, 1, tall.theta));
	if (lr < 0)
		lr = 0;		/* rounding: the split cannot fit worse */
	*ls = tc.theta == ts.theta ? 0 :
	    (tc.theta > ts.theta ? 1 : -1) * sqrt(lr);
	return tall.iterations >= FORENSICS_THETA_ITERATIONS ||
	    tc.iterations >= FORENSICS_THETA_ITERATIONS ||
	    ts.iterations >= FORENSICS_THETA_ITERATIONS;
}

static void
speed_indices(const struct forensics_rt *rt, const double *row,
    const double *threshold, const struct forensics_person_options *o,
    double *pbuf, double *fbuf, struct forensics_person *pp)
{
	struct forensics_speed sp, sc, ss;
	double lt = 0;
	int i, n = 0, fast = 0, rapid = 0, nr = 0;

	forensics_rt_tau(rt, row, NULL, &sp);
	pp->n_times = sp.n_used;
	pp->tau = sp.tau;
	pp->tau_se = sp.se;
	if (sp.n_used == 0)
		return;
	for (i = 0; i < rt->n_items; i++) {
		double z;

		if (!usable_time(row[i]) || rt->status[i] != FORENSICS_ITEM_OK)
			continue;
		z = rt->alpha[i] * (log(row[i]) - rt->beta[i] + sp.tau);
		lt += z * z;
		fast += z < o->fast_z;
		n++;
		if (threshold[i] > 0) {
			pbuf[nr++] = forensics_norm_cdf(rt->alpha[i] *
			    (log(threshold[i]) - rt->beta[i] + sp.tau));
			rapid += row[i] < threshold[i];
		}
	}
	pp->fast_share = (double)fast / n;
	if (n >= 2) {
		pp->rt_fit = lt;
		pp->rt_fit_p = forensics_chi2_sf(lt, n - 1);
	}
	pp->n_rapid = rapid;
	pp->rte = nr ? 1 - (double)rapid / nr : NAN;
	pp->rapid_p = nr ? poisson_binomial_sf(pbuf, nr, rapid, fbuf) : NAN;

	if (o->compromised == NULL)
		return;
	{
		unsigned char *secure = xcalloc(rt->n_items, 1);

		for (i = 0; i < rt->n_items; i++)
			secure[i] = !o->compromised[i];
		forensics_rt_tau(rt, row, o->compromised, &sc);
		forensics_rt_tau(rt, row, secure, &ss);
		free(secure);
	}
	if (sc.n_used == 0 || ss.n_used == 0)
		return;
	pp->tau_c = sc.tau;
	pp->tau_s = ss.tau;
	pp->z_tau = (sc.tau - ss.tau) / sqrt(1 / sc.w + 1 / ss.w);
	pp->z_tau_p = forensics_norm_sf(pp->z_tau);
}

/* Stouffer: L_S and z_tau are N(0, 1) and independent given (theta, tau). */
static void
stouffer(struct forensics_person *pp)
{
	pp->pk_z = pp->pk_p = NAN;
	if (!isnan(pp->ls) && !isnan(pp->z_tau))
		pp->pk_z = (pp->ls + pp->z_tau) / sqrt(2.0);
	else if (!isnan(pp->ls))
		pp->pk_z = pp->ls;
	else if (!isnan(pp->z_tau))
		pp->pk_z = pp->z_tau;
	if (!isnan(pp->pk_z))
		pp->pk_p = forensics_norm_sf(pp->pk_z);
}

void
forensics_person_indices(const struct forensics_irt *irt,
    const struct forensics_rt *rt, const signed char *u, const double *t,
    int n_persons, int n_items, const struct forensics_person_options *opt,
    struct forensics_person *out)
{
	struct forensics_person_options def;
	double *threshold = NULL, *pbuf = NULL, *fbuf = NULL;
	int i, j, *cnt;

	if (opt == NULL) {
		forensics_person_options_default(&def);
		opt = &def;
	}
	if (rt != NULL && t != NULL) {
		/* Normative threshold: a share of the item's mean time. */
		threshold = xcalloc(n_items, sizeof *threshold);
		cnt = xcalloc(n_items, sizeof *cnt);
		for (j = 0; j < n_persons; j++)
			for (i = 0; i < n_items; i++) {
				double v = t[(size_t)j * n_items + i];

				if (usable_time(v)) {
					threshold[i] += v;
					cnt[i]++;
				}
			}
		for (i = 0; i < n_items; i++) {
			threshold[i] = cnt[i] ? opt->rapid_share *
			    threshold[i] / cnt[i] : 0;
			if (threshold[i] > opt->rapid_cap)
				threshold[i] = opt->rapid_cap;
		}
		free(cnt);
		pbuf = xcalloc(n_items + 1, sizeof *pbuf);
		fbuf = xcalloc(n_items + 2, sizeof *fbuf);
	}
	for (j = 0; j < n_persons; j++) {
		struct forensics_person *pp = &out[j];

		person_nan(pp);
		if (irt != NULL && u != NULL)
			ability_indices(irt, u + (size_t)j * n_items, opt, pp);
		if (threshold != NULL)
			speed_indices(rt, t + (size_t)j * n_items, threshold,
			    opt, pbuf, fbuf, pp);
		stouffer(pp);
	}
	free(threshold);
	free(pbuf);
	free(fbuf);
}
