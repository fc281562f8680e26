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

int
forensics_preknow(const struct forensics_preknow_input *in,
    struct forensics_preknow_result *out, char *err, size_t errlen)
{
	int		 ni = in->n_items, j, i, n_scored = 0;
	double		 zf = in->z_fast > 0 ? in->z_fast : 1.96;
	double		 ialpha = in->item_alpha > 0 ? in->item_alpha : 0.01;
	double		 lz = in->list_z > 0 ? in->list_z : 1.645;
	double		 pf = pk_normal_q(zf), *V, *rbeta, *rsd, *rtau, *buf;
	int		 pass;
	unsigned char	*mask;
	struct forensics_irt irt;

	memset(out, 0, sizeof *out);
	if (in->n_attempts < 0 || ni <= 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "preknowledge: need items > 0 "
			    "(got %d attempts, %d items)", in->n_attempts, ni);
		return (-1);
	}
	for (j = 0; j < in->n_attempts; j++)
		if (!isfinite(in->theta[j]) || !isfinite(in->tau[j])) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "preknowledge: attempt %d "
				    "has no finite theta or tau", j);
			return (-1);
		}

	out->items = xcalloc((size_t)ni, sizeof *out->items);
	out->persons = xcalloc((size_t)in->n_attempts + 1, sizeof *out->persons);
	V = xcalloc((size_t)ni, sizeof *V);
	mask = xreallocarray(NULL, (size_t)ni, sizeof *mask);

	/* Robust time location and scale per item (median and MAD of ln t +
	 * tau_j): a fast minority moves the mean beta and inflates the
	 * residual variance of a calibration it is part of, and so hides;
	 * it moves the median and the MAD far less. */
	rbeta = xcalloc((size_t)ni, sizeof *rbeta);
	rsd = xcalloc((size_t)ni, sizeof *rsd);
	rtau = xreallocarray(NULL, (size_t)in->n_attempts + 1, sizeof *rtau);
	memcpy(rtau, in->tau, (size_t)in->n_attempts * sizeof *rtau);
	buf = xreallocarray(NULL, (size_t)(in->n_attempts > ni ?
	    in->n_attempts : ni) + 1, sizeof *buf);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ni; i++) {
			int	 n = 0;

			rsd[i] = 0;
			for (j = 0; j < in->n_attempts; j++) {
				size_t	 x = (size_t)j * ni + i;

				if (in->u[x] >= 0 &&
				    pk_has_time(in, i, in->log_t[x]))
					buf[n++] = in->log_t[x] + rtau[j];
			}
			if (n < 10)
				continue;	/* rsd 0: item not scored */
			rbeta[i] = pk_median(buf, n);
			for (j = 0; j < n; j++)
				buf[j] = fabs(buf[j] - rbeta[i]);
			rsd[i] = 1.4826 * pk_median(buf, n);
		}
		if (pass == 1)
			break;
		/* Speed, robustly: the median of beta~_i - ln t_ij. */
		for (j = 0; j < in->n_attempts; j++) {
			int	 n = 0;

			for (i = 0; i < ni; i++) {
				size_t	 x = (size_t)j * ni + i;

				if (in->u[x] >= 0 && rsd[i] > 0 &&
				    pk_has_time(in, i, in->log_t[x]))
					buf[n++] = rbeta[i] - in->log_t[x];
			}
			if (n > 0)
				rtau[j] = pk_median(buf, n);
		}
	}
	free(buf);

	/* Item scores: observed and expected fast correct responses. */
	for (j = 0; j < in->n_attempts; j++)
		for (i = 0; i < ni; i++) {
			size_t	 x = (size_t)j * ni + i;
			double	 P, e, z;

			if (in->u[x] < 0 || !pk_item_ok(in, i) ||
			    !pk_has_time(in, i, in->log_t[x]) || rsd[i] <= 0)
				continue;
			P = 1 / (1 + exp(-in->a[i] * (in->theta[j] - in->b[i])));
			e = P * pf;
			z = (in->log_t[x] - rbeta[i] + rtau[j]) / rsd[i];
			out->items[i].n++;
			out->items[i].expected += e;
			V[i] += e * (1 - e);
			if (z < -zf && in->u[x] == 1)
				out->items[i].fast_correct++;
		}
	for (i = 0; i < ni; i++) {
		struct forensics_preknow_item *it = &out->items[i];

		if (V[i] <= 0) {
			it->p = 1;
			continue;
		}
		n_scored++;
		it->z = (it->fast_correct - it->expected) / sqrt(V[i]);
		it->p = pk_normal_q(it->z);
		it->listed = it->z > lz;
	}
	/* Benjamini-Hochberg over the scored items: the largest k with
	 * p_(k) <= k q / m; the k smallest are reported. */
	{
		double	*ps = xreallocarray(NULL, (size_t)ni, sizeof *ps);
		double	 cut = -1;
		int	 k, n = 0;

		for (i = 0; i < ni; i++)
			if (V[i] > 0)
				ps[n++] = out->items[i].p;
		qsort(ps, (size_t)n, sizeof *ps, pk_cmp_double);
		for (k = n; k >= 1; k--)
			if (ps[k - 1] <= k * ialpha / n_scored) {
				cut = ps[k - 1];
				break;
			}
		for (i = 0; i < ni; i++)
			if (V[i] > 0 && out->items[i].p <= cut) {
				out->items[i].compromised = 1;
				out->n_compromised++;
			}
		free(ps);
	}

	/* Per attempt: leave-one-out list, then L_S and z_tau.  The 2PL as
	 * irt.c's struct; items without usable a, b are left out. */
	forensics_irt_from_params(&irt, ni, in->a, in->b);
	for (i = 0; i < ni; i++)
		if (!pk_item_ok(in, i))
			irt.status[i] = FORENSICS_ITEM_NO_DATA;
	for (j = 0; j < in->n_attempts; j++) {
		struct forensics_preknow_person *ps = &out->persons[j];
		const int8_t	*u = in->u + (size_t)j * ni;
		const double	*lt = in->log_t + (size_t)j * ni;
		double		 wc = 0, ws = 0, sc = 0, ss = 0;

		for (i = 0; i < ni; i++) {
			double	 o, e = 0, v, f = 0, P, z;

			mask[i] = 0;
			if (V[i] <= 0 || !pk_item_ok(in, i))
				continue;
			o = out->items[i].fast_correct;
			v = V[i];
			if (u[i] >= 0 && pk_has_time(in, i, lt[i])) {
				P = 1 / (1 + exp(-in->a[i] *
				    (in->theta[j] - in->b[i])));
				e = P * pf;
				z = (lt[i] - rbeta[i] + rtau[j]) / rsd[i];
				f = z < -zf && u[i] == 1;
				v -= e * (1 - e);
			}
			if (v <= 0)
				continue;
			if ((o - f - (out->items[i].expected - e)) / sqrt(v) > lz)
				mask[i] = 1;
		}
		for (i = 0; i < ni; i++) {
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
		ps->ls = ps->p_ls = ps->z_tau = ps->p_tau = NAN;
		ps->theta_c = ps->theta_s = ps->tau_c = ps->tau_s = NAN;
		if (ps->n_list > 0 && ps->n_secure > 0) {
			ps->newton_capped = forensics_person_ls(&irt, u, mask,
			    &ps->theta_c, &ps->theta_s, &ps->ls);
			ps->p_ls = pk_normal_q(ps->ls);
		}
		if (wc > 0 && ws > 0) {
			ps->tau_c = sc / wc;
			ps->tau_s = ss / ws;
			ps->z_tau = (ps->tau_c - ps->tau_s) /
			    sqrt(1 / wc + 1 / ws);
			ps->p_tau = pk_normal_q(ps->z_tau);
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
	forensics_irt_free(&irt);
	free(V);
	free(rbeta);
	free(rsd);
	free(rtau);
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
