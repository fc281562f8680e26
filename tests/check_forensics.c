/*
 * check_forensics.c - Check suite for the models and person indices of
 * forensics/ (stats.c, irt.c, rt.c, person.c, combine.c), validated
 * statistically on data from the seeded simulator tests/fx-sim.c:
 *   - the distributions and quadrature against tabled values;
 *   - parameter recovery on 2,000 simulated candidates x 100 items;
 *   - false-positive rates of every p-value on honest data, with the item
 *     parameters estimated from the same data (10,000 x 60), and on the
 *     FORENSICS.md reference design (4,000 x 60, known parameters);
 *   - power per cheating profile at alpha = 0.01 (printed; asserted only
 *     to exceed the false-positive rate where the index is meant to see
 *     the profile).
 * Seeds are fixed; the figures print on stderr with a "fx:" prefix.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "tests/fx-sim.h"
#include "tests/check_main.h"

#define NEAR(x, y, tol)	ck_assert_msg(fabs((x) - (y)) <= (tol), \
	"%s = %.15g, expected %.15g (tol %g)", #x, (double)(x), (double)(y), \
	(double)(tol))

/* ------------------------------------------------------------------ */
/* Distributions and quadrature                                        */
/* ------------------------------------------------------------------ */

START_TEST(test_normal)
{
	NEAR(forensics_norm_cdf(0), 0.5, 1e-15);
	NEAR(forensics_norm_cdf(1.959963984540054), 0.975, 1e-14);
	NEAR(forensics_norm_cdf(-2.326347874040841), 0.01, 1e-15);
	NEAR(forensics_norm_sf(5), 2.866515718791939e-07, 1e-20);
	NEAR(forensics_norm_sf(10), 7.619853024160527e-24, 1e-36);
	NEAR(forensics_norm_quantile(0.975), 1.959963984540054, 1e-12);
	NEAR(forensics_norm_quantile(0.01), -2.326347874040841, 1e-12);
	NEAR(forensics_norm_quantile(0.5), 0, 1e-15);
	NEAR(forensics_norm_quantile(1e-10), -6.361340902404056, 1e-10);
	NEAR(forensics_norm_quantile(1 - 1e-10), 6.361340889697422, 1e-6);
	ck_assert(isinf(forensics_norm_quantile(0)));
	ck_assert(isnan(forensics_norm_quantile(1.5)));
}
END_TEST

START_TEST(test_chi2)
{
	NEAR(forensics_chi2_cdf(3.841458820694124, 1), 0.95, 1e-13);
	NEAR(forensics_chi2_sf(6.634896601021214, 1), 0.01, 1e-14);
	NEAR(forensics_chi2_sf(10, 2), exp(-5.0), 1e-15);
	NEAR(forensics_chi2_cdf(23.20925115895094, 10), 0.99, 1e-13);
	NEAR(forensics_chi2_sf(123.2252, 99), 0.05000013599602517, 1e-14);
	NEAR(forensics_chi2_sf(300, 99), 4.22665346441963e-22, 1e-34);
	NEAR(forensics_chi2_quantile(0.99, 10), 23.20925115895094, 1e-9);
	NEAR(forensics_chi2_quantile(0.05, 3), 0.3518463177, 1e-9);
	NEAR(forensics_chi2_quantile(0.95, 99), 123.2252214533618, 1e-9);
	NEAR(forensics_gamma_p(0.5, 2), erf(sqrt(2.0)), 1e-14);
	ck_assert(forensics_chi2_cdf(0, 3) == 0);
}
END_TEST

START_TEST(test_quadrature)
{
	double x[41], w[41], m0, m2, m4;
	int k, n, kinds[2] = { FORENSICS_QUAD_EQUAL, FORENSICS_QUAD_HERMITE };
	int sizes[2] = { 41, 21 }, q;

	/* Three-point Gauss-Hermite for N(0, 1): 0, +-sqrt 3; 2/3, 1/6. */
	ck_assert_int_eq(forensics_quadrature(FORENSICS_QUAD_HERMITE, 3, x, w),
	    0);
	NEAR(x[0], -sqrt(3.0), 1e-12);
	NEAR(x[1], 0, 1e-12);
	NEAR(x[2], sqrt(3.0), 1e-12);
	NEAR(w[1], 2.0 / 3, 1e-12);
	NEAR(w[0], 1.0 / 6, 1e-12);
	for (q = 0; q < 2; q++) {
		n = sizes[q];
		ck_assert_int_eq(forensics_quadrature(kinds[q], n, x, w), 0);
		m0 = m2 = m4 = 0;
		for (k = 0; k < n; k++) {
			m0 += w[k];
			m2 += w[k] * x[k] * x[k];
			m4 += w[k] * pow(x[k], 4);
			if (k > 0)
				ck_assert(x[k] > x[k - 1]);
		}
		NEAR(m0, 1, 1e-12);
		NEAR(m2, 1, q ? 1e-10 : 1e-5);
		NEAR(m4, 3, q ? 1e-9 : 1e-3);
	}
	ck_assert_int_eq(forensics_quadrature(FORENSICS_QUAD_HERMITE, 1, x, w),
	    -1);
}
END_TEST

START_TEST(test_combine)
{
	double p[5] = { 0.01, 0.02, 0.03, 0.04, 0.05 }, q[5];
	double p2[6] = { 0.04, NAN, 0.001, 0.5, 0.2, 0.03 }, q2[6];
	double one[2] = { 0.03, NAN }, nan2[2] = { NAN, NAN };
	double both[2] = { 1e-20, 1.0 };
	int k;

	/* R: p.adjust(c(.01,.02,.03,.04,.05), "BH") is 0.05 throughout. */
	forensics_bh(p, 5, q);
	for (k = 0; k < 5; k++)
		NEAR(q[k], 0.05, 1e-15);
	/* p.adjust(c(.04,.001,.5,.2,.03), "BH") = 1/15 .005 .5 .25 1/15 */
	forensics_bh(p2, 6, q2);
	NEAR(q2[0], 1.0 / 15, 1e-15);
	ck_assert(isnan(q2[1]));
	NEAR(q2[2], 0.005, 1e-15);
	NEAR(q2[3], 0.5, 1e-15);
	NEAR(q2[4], 0.25, 1e-15);
	NEAR(q2[5], 1.0 / 15, 1e-15);

	NEAR(forensics_combine_p(one, 2, FORENSICS_COMBINE_CAUCHY), 0.03,
	    1e-12);
	NEAR(forensics_combine_p(p, 2, FORENSICS_COMBINE_BONFERRONI), 0.02,
	    1e-15);
	ck_assert(isnan(forensics_combine_p(nan2, 2, FORENSICS_COMBINE_CAUCHY)));
	/* A p of 1 does not cancel a tiny one: about 2e-20. */
	NEAR(forensics_combine_p(both, 2, FORENSICS_COMBINE_CAUCHY), 2e-20,
	    1e-22);
}
END_TEST

/*
 * A saturated p (a Bonferroni-adjusted similarity p capped at 1) must not
 * hide the other indices: lz p = 1e-4 with two neutral p's and a
 * similarity p of 1.  Clamped to 1 - 1e-12 the 1 contributed -3.2e11 and
 * the combination came out at 1.0; as a term of 0 the combination is
 * 0.5 - atan(cot(1e-4 pi) / 4) / pi, about 4e-4.  And on null data (three
 * uniform p's and a Bonferroni min over K uniform p's, K = 10, 100, 2000;
 * 200,000 draws each) the rate at 0.05 and 0.01 stays within [alpha/2,
 * 2 alpha] (the clamp gave about 0.037 / 0.0075: conservative, and
 * powerless whenever the similarity p is 1).
 */
START_TEST(test_combine_saturated)
{
	double p[4] = { 1e-4, 0.5, 0.5, 1.0 }, want;
	static const int ks[3] = { 10, 100, 2000 };
	struct fx_rng rng;
	int r, k, n = 200000;

	want = 0.5 - atan(tan((0.5 - 1e-4) * M_PI) / 4) / M_PI;
	NEAR(forensics_combine_p(p, 4, FORENSICS_COMBINE_CAUCHY), want,
	    1e-12);
	ck_assert(forensics_combine_p(p, 4, FORENSICS_COMBINE_CAUCHY) < 5e-4);
	fx_rng_seed(&rng, 20261207);
	for (k = 0; k < 3; k++) {
		int h05 = 0, h01 = 0;

		for (r = 0; r < n; r++) {
			double q[4], c;

			q[0] = fx_rng_uniform(&rng);
			q[1] = fx_rng_uniform(&rng);
			q[2] = fx_rng_uniform(&rng);
			/* min of K uniforms by inversion, then Bonferroni */
			q[3] = ks[k] * -expm1(log(fx_rng_uniform(&rng)) /
			    ks[k]);
			if (q[3] > 1)
				q[3] = 1;
			c = forensics_combine_p(q, 4, FORENSICS_COMBINE_CAUCHY);
			h05 += c <= 0.05;
			h01 += c <= 0.01;
		}
		fprintf(stderr, "fx: Cauchy with a Bonferroni p (K = %d) on "
		    "null data: %.4f at 0.05, %.4f at 0.01\n", ks[k],
		    (double)h05 / n, (double)h01 / n);
		ck_assert((double)h05 / n >= 0.025 && (double)h05 / n <= 0.10);
		ck_assert((double)h01 / n >= 0.005 && (double)h01 / n <= 0.02);
	}
}
END_TEST

START_TEST(test_rollup)
{
	int key[6] = { 7, 3, 7, 7, 3, 9 };
	unsigned char fl[6] = { 1, 0, 0, 1, 1, 0 };
	double v[12] = { 1, 10, 2, NAN, 3, 30, 4, 40, 5, 50, NAN, NAN };
	struct forensics_rollup *g;
	int n = forensics_rollup(key, 6, fl, v, 2, &g);

	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(g[0].key, 3);
	ck_assert_int_eq(g[0].n, 2);
	ck_assert_int_eq(g[0].n_flagged, 1);
	NEAR(g[0].mean[0], 3.5, 1e-15);
	NEAR(g[0].mean[1], 50, 1e-15);
	ck_assert_int_eq(g[1].key, 7);
	NEAR(g[1].share_flagged, 2.0 / 3, 1e-15);
	NEAR(g[1].mean[0], 8.0 / 3, 1e-14);
	NEAR(g[1].mean[1], 80.0 / 3, 1e-13);
	ck_assert_int_eq(g[2].n, 1);
	ck_assert(isnan(g[2].mean[0]));
	ck_assert_int_eq(g[2].n_mean[0], 0);
	forensics_rollup_free(g, n);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

/* Items without variance and missing responses. */
START_TEST(test_irt_edges)
{
	struct fx_sim_config c;
	struct fx_sim *s;
	struct forensics_irt irt;
	struct forensics_rt rt;
	struct forensics_theta th;
	signed char row[10];
	char err[256];
	int j, i;

	fx_sim_config_default(&c, 300, 10, 11);
	c.missing_rate = 0.1;
	s = fx_sim_new(&c);
	for (j = 0; j < 300; j++) {
		s->u[j * 10 + 0] = 1;			/* all correct */
		s->u[j * 10 + 1] = 0;			/* all wrong */
		s->u[j * 10 + 2] = FORENSICS_MISSING;	/* nobody */
		s->t[j * 10 + 2] = 0;
	}
	ck_assert_int_eq(forensics_irt_calibrate(s->u, 300, 10, NULL, &irt,
	    err, sizeof err), 0);
	ck_assert_int_eq(irt.status[0], FORENSICS_ITEM_ALL_CORRECT);
	ck_assert_int_eq(irt.status[1], FORENSICS_ITEM_ALL_WRONG);
	ck_assert_int_eq(irt.status[2], FORENSICS_ITEM_NO_DATA);
	ck_assert_int_eq(irt.n_left_out, 3);
	ck_assert(isnan(irt.b[0]));
	for (i = 3; i < 10; i++) {
		ck_assert_int_eq(irt.status[i], FORENSICS_ITEM_OK);
		ck_assert(isfinite(irt.a[i]) && isfinite(irt.b[i]));
	}
	ck_assert(irt.converged);
	/* Perfect and zero scores: bounded MLE at +-4, flagged. */
	for (i = 0; i < 10; i++)
		row[i] = 1;
	forensics_irt_theta(&irt, row, NULL, FORENSICS_THETA_MLE, &th);
	ck_assert(th.theta == 4 && th.at_bound);
	ck_assert_int_eq(th.n_used, 7);
	for (i = 0; i < 10; i++)
		row[i] = 0;
	forensics_irt_theta(&irt, row, NULL, FORENSICS_THETA_WLE, &th);
	ck_assert(th.theta >= -4 && isfinite(th.se));
	for (i = 0; i < 10; i++)
		row[i] = FORENSICS_MISSING;
	forensics_irt_theta(&irt, row, NULL, FORENSICS_THETA_MLE, &th);
	ck_assert(isnan(th.theta) && th.n_used == 0);

	ck_assert_int_eq(forensics_rt_calibrate(s->t, 300, 10, NULL, &rt,
	    NULL, NULL, err, sizeof err), 0);
	ck_assert_int_eq(rt.status[2], FORENSICS_ITEM_NO_DATA);
	ck_assert(rt.n_missing >= 300);
	ck_assert(rt.converged);
	forensics_rt_free(&rt);
	forensics_irt_free(&irt);

	memset(s->u, 1, 300 * 10);
	ck_assert_int_eq(forensics_irt_calibrate(s->u, 300, 10, NULL, &irt,
	    err, sizeof err), -1);
	ck_assert(strstr(err, "nothing to calibrate") != NULL);
	fx_sim_free(s);
}
END_TEST

START_TEST(test_recovery)
{
	struct fx_sim_config c;
	struct fx_sim *s;
	struct forensics_irt irt;
	struct forensics_rt rt;
	char err[256];
	double *theta, *psd, *tau, *tse, *mle, r;
	int n = 2000, m = 100, j;

	fx_sim_config_default(&c, n, m, 20261207);
	c.missing_rate = 0.02;
	s = fx_sim_new(&c);
	ck_assert_int_eq(forensics_irt_calibrate(s->u, n, m, NULL, &irt, err,
	    sizeof err), 0);
	theta = calloc(n, sizeof *theta);
	psd = calloc(n, sizeof *psd);
	tau = calloc(n, sizeof *tau);
	tse = calloc(n, sizeof *tse);
	mle = calloc(n, sizeof *mle);
	forensics_irt_eap(&irt, s->u, n, theta, psd);
	for (j = 0; j < n; j++) {
		struct forensics_theta th;

		forensics_irt_theta(&irt, s->u + (size_t)j * m, NULL,
		    FORENSICS_THETA_WLE, &th);
		mle[j] = th.theta;
	}
	ck_assert_int_eq(forensics_rt_calibrate(s->t, n, m, NULL, &rt, tau,
	    tse, err, sizeof err), 0);
	fprintf(stderr, "fx: recovery 2000 x 100 (2%% missing): EM %d cycles "
	    "(converged %d, last change %.2g), RT %d cycles (converged %d, "
	    "%ld times trimmed)\n", irt.cycles, irt.converged,
	    irt.last_change, rt.cycles, rt.converged, rt.n_trimmed);
	ck_assert(irt.converged && rt.converged);
	{
		/* Estimate against truth: correlation at least min. */
		const struct {
			const char	*name;
			const double	*est, *truth;
			int		 n;
			double		 min;
		} rec[] = {
			{ "a", irt.a, s->a, m, 0.85 },
			{ "b", irt.b, s->b, m, 0.95 },
			{ "beta", rt.beta, s->beta, m, 0.95 },
			{ "alpha", rt.alpha, s->alpha, m, 0.85 },
			{ "theta(EAP)", theta, s->theta, n, 0.90 },
			{ "theta(WLE)", mle, s->theta, n, 0.90 },
			{ "tau", tau, s->tau, n, 0.90 },
		};
		size_t k;

		fprintf(stderr, "fx:   corr");
		for (k = 0; k < sizeof rec / sizeof rec[0]; k++) {
			r = fx_sim_corr(rec[k].est, rec[k].truth, rec[k].n);
			fprintf(stderr, " %s %.4f", rec[k].name, r);
			ck_assert_msg(r >= rec[k].min, "corr %s %.4f < %.2f",
			    rec[k].name, r, rec[k].min);
		}
		fprintf(stderr, "\n");
	}
	free(theta); free(psd); free(tau); free(tse); free(mle);
	forensics_irt_free(&irt);
	forensics_rt_free(&rt);
	fx_sim_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* False-positive rates and power                                      */
/* ------------------------------------------------------------------ */

enum { IX_LZ, IX_RT, IX_RAPID, IX_LS, IX_ZTAU, IX_PK, IX_COMB, IX_N };
static const char *ix_name[IX_N] = { "lz*", "rt_fit", "rapid", "L_S",
    "z_tau", "pk", "combined" };

static double
ix_p(const struct forensics_person *pp, int ix)
{
	switch (ix) {
	case IX_LZ:	return pp->lz_p;
	case IX_RT:	return pp->rt_fit_p;
	case IX_RAPID:	return pp->rapid_p;
	case IX_LS:	return pp->ls_p;
	case IX_ZTAU:	return pp->z_tau_p;
	case IX_PK:	return pp->pk_p;
	default:	return pp->combined_p;
	}
}

/* Share of persons of profile prof (or all when prof < 0) with p <= a. */
static double
rate(const struct forensics_person *pp, const struct fx_sim *s, int prof,
    int ix, double alpha, int *count)
{
	int j, n = 0, hit = 0;

	for (j = 0; j < s->n_persons; j++) {
		double p = ix_p(&pp[j], ix);

		if ((prof >= 0 && s->profile[j] != prof) || isnan(p))
			continue;
		n++;
		hit += p <= alpha;
	}
	if (count != NULL)
		*count = n;
	return n ? (double)hit / n : NAN;
}

/* Runs the indices with estimated or known parameters. */
static struct forensics_person *
run_indices(struct fx_sim *s, int estimate, const unsigned char *list)
{
	struct forensics_irt irt;
	struct forensics_rt rt;
	struct forensics_person_options o;
	struct forensics_person *pp;
	char err[256];
	int n = s->n_persons, m = s->n_items;

	if (estimate) {
		ck_assert_int_eq(forensics_irt_calibrate(s->u, n, m, NULL,
		    &irt, err, sizeof err), 0);
		ck_assert_int_eq(forensics_rt_calibrate(s->t, n, m, NULL, &rt,
		    NULL, NULL, err, sizeof err), 0);
		ck_assert(irt.converged && rt.converged);
	} else {
		forensics_irt_from_params(&irt, m, s->a, s->b);
		forensics_rt_from_params(&rt, m, s->beta, s->alpha);
	}
	forensics_person_options_default(&o);
	o.compromised = list;
	pp = calloc(n, sizeof *pp);
	forensics_person_indices(&irt, &rt, s->u, s->t, n, m, &o, pp);
	forensics_combine_persons(pp, n, NULL, 0, FORENSICS_COMBINE_CAUCHY);
	forensics_irt_free(&irt);
	forensics_rt_free(&rt);
	return pp;
}

static void
assert_fpr(const char *what, const struct forensics_person *pp,
    const struct fx_sim *s, int ix)
{
	double f05, f01;
	int n;

	f05 = rate(pp, s, -1, ix, 0.05, &n);
	f01 = rate(pp, s, -1, ix, 0.01, NULL);
	fprintf(stderr, "fx: FPR %-9s %s n=%d: %.4f at 0.05, %.4f at 0.01\n",
	    ix_name[ix], what, n, f05, f01);
	ck_assert_msg(f05 >= 0.025 && f05 <= 0.10, "%s FPR %.4f at 0.05",
	    ix_name[ix], f05);
	ck_assert_msg(f01 >= 0.005 && f01 <= 0.02, "%s FPR %.4f at 0.01",
	    ix_name[ix], f01);
}

/*
 * Honest data, parameters estimated from the same data: 10,000 persons x
 * 60 items, 2 % missing, the exam's leak list (20 % of items) as the
 * compromised list.  At 10,000 persons the binomial SE of an FPR is
 * 0.0022 at 0.05 and 0.0010 at 0.01: [alpha/2, 2 alpha] is 5 SE away.
 */
START_TEST(test_fpr_estimated)
{
	struct fx_sim_config c;
	struct fx_sim *s;
	struct forensics_person *pp;
	int ix;

	fx_sim_config_default(&c, 10000, 60, 424242);
	c.missing_rate = 0.02;
	c.leak_min = c.leak_max = 0.2;
	s = fx_sim_new(&c);
	pp = run_indices(s, 1, s->leaked);
	for (ix = 0; ix < IX_N; ix++)
		if (ix != IX_RAPID)
			assert_fpr("(estimated, 10000 x 60)", pp, s, ix);
	/* Rapid: a conservative count test; on honest data it must not be
	 * liberal. */
	ck_assert(rate(pp, s, -1, IX_RAPID, 0.01, NULL) <= 0.02);
	free(pp);

	fx_sim_free(s);
}
END_TEST

/*
 * FORENSICS.md's reference design: 4,000 honest x 60 items, known 2PL
 * parameters, theta by bounded MLE; lz* 0.055 / 0.015, L_S on a 24/36
 * split 0.048 / 0.009.  Three seeds (12,000 persons).
 */
START_TEST(test_reference_design)
{
	double lz05 = 0, lz01 = 0, ls05 = 0, ls01 = 0, mean = 0, sd = 0;
	int seed, j, nlz = 0;

	for (seed = 1; seed <= 3; seed++) {
		struct fx_sim_config c;
		struct fx_sim *s;
		struct forensics_person *pp;

		fx_sim_config_default(&c, 4000, 60, 9000 + seed);
		c.leak_min = c.leak_max = 0.4;		/* 24 of 60 */
		s = fx_sim_new(&c);
		ck_assert_int_eq(s->n_leaked, 24);
		pp = run_indices(s, 0, s->leaked);
		lz05 += rate(pp, s, -1, IX_LZ, 0.05, NULL) / 3;
		lz01 += rate(pp, s, -1, IX_LZ, 0.01, NULL) / 3;
		ls05 += rate(pp, s, -1, IX_LS, 0.05, NULL) / 3;
		ls01 += rate(pp, s, -1, IX_LS, 0.01, NULL) / 3;
		for (j = 0; j < 4000; j++)
			if (!isnan(pp[j].lz)) {
				mean += pp[j].lz;
				sd += pp[j].lz * pp[j].lz;
				nlz++;
			}
		free(pp);
		fx_sim_free(s);
	}
	mean /= nlz;
	sd = sqrt(sd / nlz - mean * mean);
	fprintf(stderr, "fx: reference 3 x 4000 x 60 known params: lz* %.4f / "
	    "%.4f (mean %.3f sd %.3f; sheet 0.055 / 0.015, 0.03, 1.01), L_S "
	    "24/36 %.4f / %.4f (sheet 0.048 / 0.009)\n", lz05, lz01, mean, sd,
	    ls05, ls01);
	NEAR(lz05, 0.055, 0.012);
	NEAR(lz01, 0.015, 0.006);
	NEAR(ls05, 0.048, 0.012);
	NEAR(ls01, 0.009, 0.005);
	NEAR(sd, 1.01, 0.05);
}
END_TEST

/*
 * Power at alpha = 0.01 per profile on a contaminated exam (2,000 x 100,
 * parameters estimated from it, the leak list known): 8 % preknowledge,
 * 5 % rapid guessers, 5 % copiers (with their sources), 5 % proxies.
 * Printed; asserted only to exceed the honest FPR where the index is
 * designed to see the profile.
 */
START_TEST(test_power)
{
	struct fx_sim_config c;
	struct fx_sim *s;
	struct forensics_person *pp;
	double pw[FX_SIM_NPROFILES][IX_N];
	int prof, ix, cnt[FX_SIM_NPROFILES];

	fx_sim_config_default(&c, 2000, 100, 777);
	c.share_preknowledge = 0.08;
	c.share_rapid = 0.05;
	c.share_copier = 0.05;
	c.share_proxy = 0.05;
	c.missing_rate = 0.02;
	s = fx_sim_new(&c);
	pp = run_indices(s, 1, s->leaked);
	fprintf(stderr, "fx: power at 0.01, 2000 x 100, %d leaked items, "
	    "estimated params:\nfx:   %-13s %5s", s->n_leaked, "profile", "n");
	for (ix = 0; ix < IX_N; ix++)
		fprintf(stderr, " %9s", ix_name[ix]);
	fprintf(stderr, "\n");
	for (prof = 0; prof < FX_SIM_NPROFILES; prof++) {
		fprintf(stderr, "fx:   %-13s", fx_sim_profile_name[prof]);
		for (ix = 0; ix < IX_N; ix++)
			pw[prof][ix] = rate(pp, s, prof, ix, 0.01, &cnt[prof]);
		fprintf(stderr, " %5d", cnt[prof]);
		for (ix = 0; ix < IX_N; ix++)
			fprintf(stderr, " %9.3f", pw[prof][ix]);
		fprintf(stderr, "\n");
	}
	for (ix = IX_LS; ix <= IX_COMB; ix++)
		ck_assert(pw[FX_SIM_PREKNOWLEDGE][ix] > 2 * 0.01);
	fprintf(stderr, "fx:   at 0.05 with the list: preknowledge pk %.3f "
	    "combined %.3f; honest combined %.3f\n",
	    rate(pp, s, FX_SIM_PREKNOWLEDGE, IX_PK, 0.05, NULL),
	    rate(pp, s, FX_SIM_PREKNOWLEDGE, IX_COMB, 0.05, NULL),
	    rate(pp, s, FX_SIM_HONEST, IX_COMB, 0.05, NULL));
	ck_assert(pw[FX_SIM_RAPID][IX_RT] > 0.02);
	ck_assert(pw[FX_SIM_RAPID][IX_RAPID] > 0.02);
	ck_assert(pw[FX_SIM_RAPID][IX_COMB] > 0.02);
	free(pp);
	fx_sim_free(s);
}
END_TEST

/* The simulator: same seed, same data; profiles as asked. */
START_TEST(test_simulator)
{
	struct fx_sim_config c;
	struct fx_sim *s1, *s2;
	int j, n_pk = 0, n_cp = 0;

	fx_sim_config_default(&c, 500, 40, 5);
	c.share_preknowledge = 0.1;
	c.share_copier = 0.05;
	s1 = fx_sim_new(&c);
	s2 = fx_sim_new(&c);
	ck_assert(memcmp(s1->u, s2->u, 500 * 40) == 0);
	ck_assert(memcmp(s1->t, s2->t, 500 * 40 * sizeof(double)) == 0);
	for (j = 0; j < 500; j++) {
		n_pk += s1->profile[j] == FX_SIM_PREKNOWLEDGE;
		if (s1->profile[j] == FX_SIM_COPIER) {
			n_cp++;
			ck_assert(s1->profile[s1->source[j]] == FX_SIM_SOURCE);
		}
	}
	ck_assert_int_eq(n_pk, 50);
	ck_assert_int_eq(n_cp, 25);
	ck_assert(s1->n_leaked >= 4 && s1->n_leaked <= 12);
	for (j = 0; j < 500 * 40; j++)
		ck_assert((s1->u[j] == 1) == (s1->option[j] ==
		    s1->key[j % 40]));
	fx_sim_free(s1);
	fx_sim_free(s2);
}
END_TEST

static Suite *
forensics_suite(void)
{
	Suite *s = suite_create("forensics");
	TCase *tc = tcase_create("stats");
	TCase *tm = tcase_create("models");
	TCase *tv = tcase_create("validation");

	tcase_add_test(tc, test_normal);
	tcase_add_test(tc, test_chi2);
	tcase_add_test(tc, test_quadrature);
	tcase_add_test(tc, test_combine);
	tcase_add_test(tc, test_combine_saturated);
	tcase_add_test(tc, test_rollup);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, test_simulator);
	tcase_add_test(tm, test_irt_edges);
	suite_add_tcase(s, tm);
	/* Under ASan these take minutes, not seconds. */
	tcase_set_timeout(tv, 600);
	tcase_add_test(tv, test_recovery);
	tcase_add_test(tv, test_fpr_estimated);
	tcase_add_test(tv, test_reference_design);
	tcase_add_test(tv, test_power);
	suite_add_tcase(s, tv);
	return s;
}

int
main(void)
{
	return check_main(forensics_suite());
}
