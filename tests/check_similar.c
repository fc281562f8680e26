/*
 * check_similar.c - Check suite for the pairs half of forensics/: answer
 * similarity (GBT on identical incorrect answers), clusters, and
 * preknowledge without a list.  Validation is statistical, on data from
 * the seeded simulator tests/fx-sim.c (fixed seeds, same data every run):
 *
 *   - the exact GBT tail against brute force;
 *   - honest exams: how many runs have any false pair after Bonferroni
 *     (family-wise error, must be <= 0.05 of runs), the raw pair p-values'
 *     rates at 0.05 and 0.01, and the per-attempt rate;
 *   - the normal screen changes no decision (against no_screen);
 *   - copiers (20-40 % copied): power per pair and per attempt;
 *   - a planted ring of 4 comes out as one cluster with its shared keys;
 *   - preknowledge without a list: leaked items found (precision and
 *     recall), power at 0.01, per-candidate false-positive rate on honest
 *     data within [alpha/2, 2 alpha].
 *
 * The 2PL parameters are the simulator's true values (the calibration is
 * the other half's; these suites test what is done with them); theta is
 * the bounded MLE from each attempt's responses (irt.c's, through
 * fx_sim_theta_mle), as a caller would have it.  Response-time parameters for preknowledge are estimated here
 * from the (contaminated) data by the alternating scheme of FORENSICS.md,
 * so the leak's pull on beta, alpha and tau is part of the test.
 *
 * Figures are printed (grep "fx-pairs:") so that the report quotes what a
 * run saw.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forensics/forensics.h"
#include "tests/fx-sim.h"
#include "tests/check_main.h"

static char	err[256];

/* The similarity input for a simulated exam. */
struct sim_in {
	struct forensics_similar_input	 in;
	int8_t				*key;
	double				*theta;
};

static void
sim_in_free(struct sim_in *x)
{
	free(x->key);
	free(x->theta);
}

static void
sim_in_make(struct sim_in *x, const struct fx_sim *s, double alpha)
{
	int	 i;

	memset(x, 0, sizeof *x);
	x->theta = calloc((size_t)s->n_persons, sizeof *x->theta);
	fx_sim_theta_mle(s, x->theta);
	x->key = calloc((size_t)s->n_items, 1);
	for (i = 0; i < s->n_items; i++)
		x->key[i] = (int8_t)s->key[i];
	x->in.n_attempts = s->n_persons;
	x->in.n_items = s->n_items;
	x->in.n_options = s->n_options;
	x->in.option = s->option;
	x->in.key = x->key;
	x->in.theta = x->theta;
	x->in.a = s->a;
	x->in.b = s->b;
	x->in.alpha = alpha;
}

static void	check_pair_p(const struct forensics_similar_input *,
		    const struct forensics_similar_result *);

static int
is_copy_pair(const struct fx_sim *s, int j, int k)
{
	return ((s->source[j] == k) || (s->source[k] == j));
}

START_TEST(t_gbt_exact)
{
	double	 p[12], work[16];
	int	 n = 12, m, mask, i, c;

	for (i = 0; i < n; i++)
		p[i] = 0.03 + 0.07 * i;
	for (m = 0; m <= n + 1; m++) {
		double	 brute = 0, got;

		for (mask = 0; mask < 1 << n; mask++) {
			double	 pr = 1;

			for (i = 0, c = 0; i < n; i++) {
				pr *= (mask >> i & 1) ? p[i] : 1 - p[i];
				c += mask >> i & 1;
			}
			if (c >= m)
				brute += pr;
		}
		got = forensics_gbt_tail(p, n, m, work);
		ck_assert_msg(fabs(got - brute) < 1e-12 ||
		    (brute < 1e-300 && got < 1e-300),
		    "m=%d: %g vs brute %g", m, got, brute);
	}
}
END_TEST

/* The weighted (trinomial) tail against enumeration of 3^9 outcomes. */
START_TEST(t_match_tail_exact)
{
	double	 pc[9], pw[9], work[64];
	int	 n = 9, t, code, i, c, sum;

	for (i = 0; i < n; i++) {
		pc[i] = 0.2 + 0.05 * i;
		pw[i] = 0.02 + 0.03 * i;
	}
	for (t = 0; t <= 3 * n + 1; t++) {
		double	 brute = 0, got;

		for (code = 0; code < 19683; code++) {	/* 3^9 */
			double	 pr = 1;

			for (i = 0, c = code, sum = 0; i < n; i++, c /= 3) {
				if (c % 3 == 0)
					pr *= 1 - pc[i] - pw[i];
				else if (c % 3 == 1) {
					pr *= pc[i];
					sum += 1;
				} else {
					pr *= pw[i];
					sum += 3;
				}
			}
			if (sum >= t)
				brute += pr;
		}
		got = forensics_match_tail(pc, pw, n, 1, 3, t, work);
		ck_assert_msg(fabs(got - brute) < 1e-12 ||
		    (brute < 1e-300 && got < 1e-300),
		    "t=%d: %.17g vs brute %.17g", t, got, brute);
	}
}
END_TEST

/*
 * Honest exams: 100 replications of 150 attempts x 60 items (11,175
 * pairs each), every pair computed exactly.  1,117,500 pairs give the
 * raw rates a standard error of 0.0002 at 0.05; 100 runs bound the
 * family-wise rate only coarsely (5/100 has a 95 % upper bound of 0.11).
 */
START_TEST(t_honest_pairs)
{
	const int	 R = 100, N = 150, I = 60;
	int		 r, runs_false = 0, j;
	int64_t		 pairs = 0, le05 = 0, le01 = 0, att = 0, a05 = 0, a01 = 0;

	for (r = 0; r < R; r++) {
		struct fx_sim_config	 c;
		struct fx_sim		*s;
		struct sim_in		 x;
		struct forensics_similar_result res;

		fx_sim_config_default(&c, N, I, 1000 + (uint64_t)r);
		s = fx_sim_new(&c);
		sim_in_make(&x, s, 0.05);
		x.in.no_screen = 1;
		ck_assert_int_eq(forensics_similar(&x.in, &res, err,
		    sizeof err), 0);
		ck_assert_int_eq(res.n_pairs, (int64_t)N * (N - 1) / 2);
		runs_false += res.n_significant > 0;
		pairs += res.n_pairs;
		le05 += res.n_p_le[0];
		le01 += res.n_p_le[1];
		for (j = 0; j < N; j++) {
			att++;
			a05 += res.best_p_adjusted[j] <= 0.05;
			a01 += res.best_p_adjusted[j] <= 0.01;
		}
		forensics_similar_free(&res);
		sim_in_free(&x);
		fx_sim_free(s);
	}
	printf("fx-pairs: honest %d runs x %d attempts x %d items: runs with a "
	    "false pair (Bonferroni 0.05) %d/%d; raw pair p<=0.05 %.4f, "
	    "p<=0.01 %.4f over %lld pairs; per-attempt best partner "
	    "(Bonferroni over partners) <=0.05 %.4f, <=0.01 %.4f over %lld\n",
	    R, N, I, runs_false, R, (double)le05 / pairs, (double)le01 / pairs,
	    (long long)pairs, (double)a05 / att, (double)a01 / att,
	    (long long)att);
	ck_assert_int_le(runs_false, R * 5 / 100);
	/* Raw pair p-values within [alpha/2, 2 alpha]; the per-attempt
	 * Bonferroni over partners may be conservative, never liberal. */
	ck_assert((double)le05 / pairs >= 0.025 && (double)le05 / pairs <= 0.1);
	ck_assert((double)le01 / pairs >= 0.005 && (double)le01 / pairs <= 0.02);
	ck_assert((double)a05 / att <= 0.1);
	ck_assert((double)a01 / att <= 0.02);
}
END_TEST

/* The screen changes no decision: same significant pairs, same partners
 * wherever the partner is significant at the per-attempt level. */
START_TEST(t_screen_agrees)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result fast, slow;
	size_t			 e;
	int			 j;
	double			 min_skipped = 1;

	fx_sim_config_default(&c, 600, 100, 77);
	c.share_copier = 0.04;
	c.missing_rate = 0.05;
	s = fx_sim_new(&c);
	sim_in_make(&x, s, 0.05);
	ck_assert_int_eq(forensics_similar(&x.in, &fast, err, sizeof err), 0);
	x.in.no_screen = 1;
	ck_assert_int_eq(forensics_similar(&x.in, &slow, err, sizeof err), 0);
	ck_assert_uint_eq(fast.n_significant, slow.n_significant);
	for (e = 0; e < fast.n_significant; e++) {
		ck_assert_int_eq(fast.pairs[e].j, slow.pairs[e].j);
		ck_assert_int_eq(fast.pairs[e].k, slow.pairs[e].k);
		ck_assert(fast.pairs[e].p == slow.pairs[e].p);
	}
	for (j = 0; j < s->n_persons; j++) {
		if (slow.best_p_adjusted[j] <= 0.05) {
			ck_assert_int_eq(fast.best_partner[j],
			    slow.best_partner[j]);
			ck_assert(fast.best_p[j] == slow.best_p[j]);
		}
		if (fast.best_partner[j] < 0 && slow.best_p[j] < min_skipped)
			min_skipped = slow.best_p[j];
	}
	printf("fx-pairs: screen: %lld of %lld pairs exact (screen_p %.3g); "
	    "smallest exact p of an attempt whose pairs were all screened "
	    "out %.3g\n", (long long)fast.n_exact, (long long)fast.n_pairs,
	    fast.screen_p, min_skipped);
	ck_assert(min_skipped >= fast.screen_p / 100);
	forensics_similar_free(&fast);
	forensics_similar_free(&slow);
	sim_in_free(&x);
	fx_sim_free(s);
}
END_TEST

/* Copiers copy U(0.2, 0.4) of their source's options. */
static double
copier_power(int N, int I, uint64_t seed)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result res;
	size_t			 e;
	int			 j, copiers = 0, found = 0, att01 = 0, false_pairs = 0;
	int			 honest = 0, honest01 = 0;

	fx_sim_config_default(&c, N, I, seed);
	c.share_copier = 0.05;
	s = fx_sim_new(&c);
	sim_in_make(&x, s, 0.05);
	ck_assert_int_eq(forensics_similar(&x.in, &res, err, sizeof err), 0);
	check_pair_p(&x.in, &res);
	for (e = 0; e < res.n_significant; e++)
		if (is_copy_pair(s, res.pairs[e].j, res.pairs[e].k))
			found++;
		else {
			const struct forensics_pair *q = &res.pairs[e];

			false_pairs++;
			printf("fx-pairs: false pair %d (profile %d, source %d) "
			    "%d (profile %d, source %d): II %d (E %.1f) IC %d "
			    "(E %.1f) p %.3g p_adj %.3g\n", q->j,
			    s->profile[q->j], s->source[q->j], q->k,
			    s->profile[q->k], s->source[q->k],
			    q->identical_incorrect, q->expected_incorrect,
			    q->identical_correct, q->expected_correct, q->p,
			    q->p_adjusted);
		}
	for (j = 0; j < N; j++) {
		if (s->profile[j] == FX_SIM_COPIER) {
			copiers++;
			att01 += res.best_p_adjusted[j] <= 0.01 &&
			    res.best_partner[j] == s->source[j];
		} else if (s->profile[j] == FX_SIM_HONEST) {
			honest++;
			honest01 += res.best_p_adjusted[j] <= 0.01;
		}
	}
	printf("fx-pairs: copiers %d x %d items, %d copier pairs: found %d "
	    "(power %.2f, Bonferroni 0.05 over %lld pairs), false pairs %d; "
	    "per attempt at 0.01 (partner = source) %.2f; honest attempts "
	    "at 0.01 %.4f (%d)\n", N, I, copiers, found,
	    (double)found / copiers, (long long)res.n_pairs, false_pairs,
	    (double)att01 / copiers, (double)honest01 / honest, honest);
	ck_assert_int_eq(false_pairs, 0);
	forensics_similar_free(&res);
	sim_in_free(&x);
	fx_sim_free(s);
	return ((double)att01 / copiers);
}

START_TEST(t_copier_power)
{
	double	 p100, p200;

	p100 = copier_power(1000, 100, 4242);
	p200 = copier_power(1000, 200, 4243);
	/* Regression guards well below what was seen, not targets. */
	ck_assert(p100 >= 0.15);
	ck_assert(p200 >= 0.4);
}
END_TEST

/*
 * Every significant pair's p and counts recomputed here from the contract
 * alone (2PL, distractor shares with add-0.5 smoothing, the trinomial
 * tail by forensics_match_tail), independently of similar.c's float
 * layout and bitsets.
 */
static void
check_pair_p(const struct forensics_similar_input *in,
    const struct forensics_similar_result *res)
{
	int	 ni = in->n_items, no = in->n_options, i, k, j;
	double	*q = calloc((size_t)ni * no, sizeof *q);
	double	*pc = calloc((size_t)ni, sizeof *pc), *pw = calloc((size_t)ni, 8);
	double	*work = calloc((size_t)ni * 3 + 2, sizeof *work);
	size_t	 e;

	for (i = 0; i < ni; i++) {
		double	 tot = 0;

		for (k = 0; k < no; k++) {
			if (k == in->key[i])
				continue;
			q[i * no + k] = 0.5;
			for (j = 0; j < in->n_attempts; j++)
				q[i * no + k] += in->option[(size_t)j * ni + i] == k;
			tot += q[i * no + k];
		}
		for (k = 0; k < no; k++)
			q[i * no + k] /= tot;
	}
	for (e = 0; e < res->n_significant; e++) {
		const struct forensics_pair *pr = &res->pairs[e];
		int	 n = 0, mi = 0, mc = 0;
		double	 p;

		for (i = 0; i < ni; i++) {
			int	 oj = in->option[(size_t)pr->j * ni + i];
			int	 ol = in->option[(size_t)pr->k * ni + i];
			double	 Pj, Pl, sq = 0;

			if (oj < 0 || ol < 0)
				continue;
			Pj = 1 / (1 + exp(-in->a[i] * (in->theta[pr->j] - in->b[i])));
			Pl = 1 / (1 + exp(-in->a[i] * (in->theta[pr->k] - in->b[i])));
			for (k = 0; k < no; k++)
				if (k != in->key[i])
					sq += (1 - Pj) * q[i * no + k] *
					    (1 - Pl) * q[i * no + k];
			pc[n] = Pj * Pl;
			pw[n] = sq;
			n++;
			if (oj == ol)
				*(oj == in->key[i] ? &mc : &mi) += 1;
		}
		p = forensics_match_tail(pc, pw, n, 1, 3, mc + 3 * mi, work);
		ck_assert_int_eq(pr->n_common, n);
		ck_assert_int_eq(pr->identical_correct, mc);
		ck_assert_int_eq(pr->identical_incorrect, mi);
		ck_assert_msg(fabs(log(p) - log(pr->p)) < 1e-9,
		    "pair %d-%d: p %g, recomputed %g", pr->j, pr->k, pr->p, p);
	}
	free(q);
	free(pc);
	free(pw);
	free(work);
}

/*
 * A ring of 4: three members take 60 % of one leader's answers (a shared
 * answer sheet), with a shared /24 and starts 30 s apart; the other
 * attempts have their own addresses and random starts over two hours.
 * This tests the clustering, not the similarity's power (see the copier
 * test for that).
 */
START_TEST(t_ring)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result res;
	struct forensics_cluster_result cl;
	struct forensics_cluster_keys keys;
	struct fx_rng		 rng;
	const int		 N = 300, I = 120, ring[4] = { 11, 57, 123, 250 };
	uint32_t		 ip[300];
	int64_t			 center[300], start[300], device[300];
	const struct forensics_cluster *k;
	int			 m, i, j, n_in;

	fx_sim_config_default(&c, N, I, 99);
	s = fx_sim_new(&c);
	fx_rng_seed(&rng, 5);
	for (j = 0; j < N; j++) {
		ip[j] = 0x0a0000 + (uint32_t)j;
		center[j] = 1 + fx_rng_below(&rng, 6);
		start[j] = 1800000000 + fx_rng_below(&rng, 7200);
		device[j] = j < 150 ? 1000 + j : 0;	/* half unknown */
	}
	device[ring[1]] = device[ring[2]] = 4242;	/* two share a device */
	for (m = 0; m < 4; m++) {
		ip[ring[m]] = 0xc0a801;
		start[ring[m]] = 1800003600 + 30 * m;
	}
	for (m = 1; m < 4; m++)
		for (i = 0; i < I; i++)
			if (fx_rng_uniform(&rng) < 0.6) {
				size_t	 to = (size_t)ring[m] * I + i;
				size_t	 from = (size_t)ring[0] * I + i;

				s->option[to] = s->option[from];
				s->u[to] = s->u[from];
			}
	sim_in_make(&x, s, 0.05);
	ck_assert_int_eq(forensics_similar(&x.in, &res, err, sizeof err), 0);
	check_pair_p(&x.in, &res);
	keys.ip24 = ip;
	keys.device = device;
	keys.center = center;
	keys.start = start;
	keys.window = 300;
	ck_assert_int_eq(forensics_clusters(N, res.pairs, res.n_significant,
	    &keys, &cl, err, sizeof err), 0);
	for (m = 1; m < 4; m++)
		printf("fx-pairs: ring member %d: best partner %d p %.3g\n",
		    ring[m], res.best_partner[ring[m]], res.best_p[ring[m]]);
	ck_assert_int_ge(cl.cluster_of[ring[0]], 0);
	k = &cl.clusters[cl.cluster_of[ring[0]]];
	for (m = 0, n_in = 0; m < 4; m++)
		n_in += cl.cluster_of[ring[m]] == cl.cluster_of[ring[0]];
	printf("fx-pairs: ring of 4 (60 %% copied from one leader, %d "
	    "attempts x %d items): %zu clusters; the ring's has %d members "
	    "(%d of the ring), %d pairs, strongest p_adj %.3g, %d share the "
	    "/24, %d start within 300 s (span %lld s)\n", N, I,
	    cl.n_clusters, k->n_members, n_in, k->n_pairs,
	    k->min_p_adjusted, k->shared_ip24, k->shared_start,
	    (long long)k->start_span);
	ck_assert_int_eq(n_in, 4);
	ck_assert_int_eq(k->n_members, 4);
	ck_assert_int_eq(k->shared_ip24, 4);
	ck_assert_uint_eq(k->ip24, 0xc0a801);
	ck_assert_int_eq(k->shared_start, 4);
	ck_assert_int_eq(k->start_span, 90);
	ck_assert_int_eq(k->shared_device, 2);
	ck_assert_int_eq(k->device, 4242);
	ck_assert_uint_eq(cl.n_clusters, 1);
	forensics_clusters_free(&cl);
	forensics_similar_free(&res);
	sim_in_free(&x);
	fx_sim_free(s);
}
END_TEST

/* Two forms: pairs only within a form; a copy across forms is not a pair. */
START_TEST(t_forms)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result res;
	int			 form[200], j, i;

	fx_sim_config_default(&c, 200, 80, 31);
	s = fx_sim_new(&c);
	for (j = 0; j < 200; j++)
		form[j] = 7 + j % 2;
	/* 1 copies all of 0 (other form); 3 copies all of 1 (same form). */
	for (i = 0; i < 80; i++) {
		s->option[1 * 80 + i] = s->option[0 * 80 + i];
		s->u[1 * 80 + i] = s->u[0 * 80 + i];
		s->option[3 * 80 + i] = s->option[1 * 80 + i];
		s->u[3 * 80 + i] = s->u[1 * 80 + i];
	}
	sim_in_make(&x, s, 0.05);
	x.in.form = form;
	ck_assert_int_eq(forensics_similar(&x.in, &res, err, sizeof err), 0);
	ck_assert_int_eq(res.n_pairs, 2 * (100 * 99 / 2));
	ck_assert_int_eq(res.best_partner[3], 1);
	ck_assert_int_eq(res.best_partner[1], 3);
	ck_assert(res.best_partner[0] != 1);
	for (j = 0; j < (int)res.n_significant; j++)
		ck_assert_int_eq(form[res.pairs[j].j], form[res.pairs[j].k]);
	forensics_similar_free(&res);

	sim_in_free(&x);
	fx_sim_free(s);
}
END_TEST

/*
 * Forms of 1,200 and 6 attempts: the small form's attempts have 5
 * partners (per-attempt level alpha / 5 = 0.01), above the large form's
 * screen level (100 alpha / 1199 = 0.0042); the screen is per form, so it
 * changes no per-attempt decision in either.  (These data happen to put
 * no small-form pair between 0.0042 and 0.01: the check is agreement, it
 * would not have caught a single screen level for all forms.)
 */
START_TEST(t_forms_screen)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result fast, slow;
	int			 form[1206], j, i, small = 0;

	fx_sim_config_default(&c, 1206, 60, 32);
	s = fx_sim_new(&c);
	for (j = 0; j < 1206; j++)
		form[j] = j < 1200 ? 7 : 8;
	for (i = 0; i < 60; i += 3) {	/* 1203 copies a third of 1201 */
		s->option[1203 * 60 + i] = s->option[1201 * 60 + i];
		s->u[1203 * 60 + i] = s->u[1201 * 60 + i];
	}
	sim_in_make(&x, s, 0.05);
	x.in.form = form;
	ck_assert_int_eq(forensics_similar(&x.in, &fast, err, sizeof err), 0);
	x.in.no_screen = 1;
	ck_assert_int_eq(forensics_similar(&x.in, &slow, err, sizeof err), 0);
	for (j = 0; j < 1206; j++)
		if (slow.best_p_adjusted[j] <= 0.05) {
			ck_assert_int_eq(fast.best_partner[j],
			    slow.best_partner[j]);
			ck_assert(fast.best_p_adjusted[j] ==
			    slow.best_p_adjusted[j]);
			small += j >= 1200;
		}
	printf("fx-pairs: forms of 1200 and 6: %d of the small form's "
	    "attempts at <= 0.05 per attempt, all kept by the screen\n", small);
	forensics_similar_free(&fast);
	forensics_similar_free(&slow);
	sim_in_free(&x);
	fx_sim_free(s);
}
END_TEST

START_TEST(t_cluster_chain)
{
	struct forensics_pair	 p[4];
	struct forensics_cluster_result cl;

	memset(p, 0, sizeof p);
	p[0].j = 0; p[0].k = 5; p[0].p_adjusted = 0.01;
	p[1].j = 5; p[1].k = 7; p[1].p_adjusted = 0.001;
	p[2].j = 2; p[2].k = 3; p[2].p_adjusted = 0.02;
	p[3].j = 7; p[3].k = 0; p[3].p_adjusted = 0.03;
	ck_assert_int_eq(forensics_clusters(9, p, 4, NULL, &cl, err,
	    sizeof err), 0);
	ck_assert_uint_eq(cl.n_clusters, 2);
	ck_assert_int_eq(cl.clusters[0].n_members, 3);
	ck_assert_int_eq(cl.clusters[0].members[0], 0);
	ck_assert_int_eq(cl.clusters[0].members[2], 7);
	ck_assert_int_eq(cl.clusters[0].n_pairs, 3);
	ck_assert(cl.clusters[0].min_p_adjusted == 0.001);
	ck_assert_int_eq(cl.cluster_of[1], -1);
	ck_assert_int_eq(cl.cluster_of[3], 1);
	forensics_clusters_free(&cl);
	p[0].k = 9;
	ck_assert_int_eq(forensics_clusters(9, p, 4, NULL, &cl, err,
	    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside"));
}
END_TEST

/*
 * Response-time parameters from the data, as the models half would:
 * alternate beta_i = mean_j (ln t + tau_j), alpha_i = 1 / rms residual,
 * tau_j = sum alpha^2 (beta - ln t) / sum alpha^2, mean tau = 0.
 */
static void
estimate_rt(const struct fx_sim *s, double *lt, double *beta, double *alpha,
    double *tau)
{
	int	 N = s->n_persons, I = s->n_items, it, i, j;

	for (j = 0; j < N; j++)
		for (i = 0; i < I; i++) {
			double	 t = s->t[(size_t)j * I + i];

			lt[(size_t)j * I + i] = t > 0 ? log(t) : NAN;
		}
	for (j = 0; j < N; j++)
		tau[j] = 0;
	for (i = 0; i < I; i++)
		alpha[i] = 1;
	for (it = 0; it < 30; it++) {
		double	 mt = 0;

		for (i = 0; i < I; i++) {
			double	 sum = 0, ss = 0;
			int	 n = 0;

			for (j = 0; j < N; j++)
				if (isfinite(lt[(size_t)j * I + i])) {
					sum += lt[(size_t)j * I + i] + tau[j];
					n++;
				}
			beta[i] = sum / n;
			for (j = 0; j < N; j++)
				if (isfinite(lt[(size_t)j * I + i])) {
					double d = lt[(size_t)j * I + i] -
					    beta[i] + tau[j];
					ss += d * d;
				}
			alpha[i] = 1 / sqrt(ss / n);
		}
		for (j = 0; j < N; j++) {
			double	 w = 0, sw = 0;

			for (i = 0; i < I; i++)
				if (isfinite(lt[(size_t)j * I + i])) {
					w += alpha[i] * alpha[i];
					sw += alpha[i] * alpha[i] *
					    (beta[i] - lt[(size_t)j * I + i]);
				}
			tau[j] = sw / w;
			mt += tau[j];
		}
		mt /= N;
		for (j = 0; j < N; j++)
			tau[j] -= mt;
		for (i = 0; i < I; i++)
			beta[i] -= mt;
	}
}

struct pk_run {
	int	 items_true, items_found, items_hit;	/* leaked, flagged, both */
	int	 items_listed, items_listed_hit;	/* z > list_z */
	int	 cheaters, cheat01, cheat05;
	int	 honest, h05, h01, h05_ls, h01_ls, h05_tau, h01_tau;
	int	 capped;
};

static void
pk_run(uint64_t seed, int N, int I, double share, struct pk_run *o)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct forensics_preknow_input in;
	struct forensics_preknow_result r;
	double	*lt, *beta, *alpha, *tau, *theta;
	int	 i, j;

	fx_sim_config_default(&c, N, I, seed);
	c.share_preknowledge = share;
	s = fx_sim_new(&c);
	lt = calloc((size_t)N * I, sizeof *lt);
	beta = calloc((size_t)I, sizeof *beta);
	alpha = calloc((size_t)I, sizeof *alpha);
	tau = calloc((size_t)N, sizeof *tau);
	theta = calloc((size_t)N, sizeof *theta);
	estimate_rt(s, lt, beta, alpha, tau);
	fx_sim_theta_mle(s, theta);
	memset(&in, 0, sizeof in);
	in.n_attempts = N;
	in.n_items = I;
	in.u = s->u;
	in.log_t = lt;
	in.a = s->a;
	in.b = s->b;
	in.beta = beta;
	in.alpha = alpha;
	in.theta = theta;
	in.tau = tau;
	ck_assert_int_eq(forensics_preknow(&in, &r, err, sizeof err), 0);
	for (i = 0; i < I; i++) {
		o->items_true += s->leaked[i] && share > 0;
		o->items_found += r.items[i].compromised;
		o->items_hit += r.items[i].compromised && s->leaked[i] &&
		    share > 0;
		o->items_listed += r.items[i].listed;
		o->items_listed_hit += r.items[i].listed && s->leaked[i] &&
		    share > 0;
	}
	for (j = 0; j < N; j++) {
		const struct forensics_preknow_person *p = &r.persons[j];

		if (s->profile[j] == FX_SIM_PREKNOWLEDGE) {
			o->cheaters++;
			o->cheat01 += p->p <= 0.01;
			o->cheat05 += p->p <= 0.05;
		} else {
			o->honest++;
			o->h05 += p->p <= 0.05;
			o->h01 += p->p <= 0.01;
			o->h05_ls += p->p_ls <= 0.05;
			o->h01_ls += p->p_ls <= 0.01;
			o->h05_tau += p->p_tau <= 0.05;
			o->h01_tau += p->p_tau <= 0.01;
		}
	}
	o->capped += r.newton_capped;
	forensics_preknow_free(&r);
	free(lt);
	free(beta);
	free(alpha);
	free(tau);
	free(theta);
	fx_sim_free(s);
}

/* Honest only: 5 replications of 2,000 x 100 = 10,000 candidates. */
START_TEST(t_preknow_honest)
{
	struct pk_run	 o;
	int		 r;
	double		 f05, f01;

	memset(&o, 0, sizeof o);
	for (r = 0; r < 5; r++)
		pk_run(500 + (uint64_t)r, 2000, 100, 0, &o);
	f05 = (double)o.h05 / o.honest;
	f01 = (double)o.h01 / o.honest;
	printf("fx-pairs: preknowledge without a list, honest only, 5 runs x "
	    "2000 x 100 (%d candidates): FPR combined %.4f at 0.05, %.4f at "
	    "0.01; L_S %.4f / %.4f; z_tau %.4f / %.4f; items flagged %d "
	    "(of 500); Newton capped %d\n", o.honest, f05, f01,
	    (double)o.h05_ls / o.honest, (double)o.h01_ls / o.honest,
	    (double)o.h05_tau / o.honest, (double)o.h01_tau / o.honest,
	    o.items_found, o.capped);
	ck_assert(f05 >= 0.025 && f05 <= 0.10);
	ck_assert(f01 >= 0.005 && f01 <= 0.02);
	ck_assert_int_eq(o.capped, 0);
}
END_TEST

/* 10 % of candidates know 10-30 % of the items. */
START_TEST(t_preknow_power)
{
	struct pk_run	 o;
	int		 r;
	double		 prec, rec;

	memset(&o, 0, sizeof o);
	for (r = 0; r < 3; r++)
		pk_run(900 + (uint64_t)r, 2000, 100, 0.10, &o);
	prec = o.items_found ? (double)o.items_hit / o.items_found : 0;
	rec = (double)o.items_hit / o.items_true;
	printf("fx-pairs: preknowledge without a list, 3 runs x 2000 x 100, "
	    "10 %% with preknowledge: reported items (BH 0.01) precision %.2f "
	    "recall %.2f (%d leaked, %d reported); per-candidate lists "
	    "(z > 1.645) precision %.2f recall %.2f; power %.2f at 0.01, "
	    "%.2f at 0.05 (%d cheaters); honest FPR %.4f at 0.05, %.4f at "
	    "0.01 (%d)\n",
	    prec, rec, o.items_true, o.items_found,
	    (double)o.items_listed_hit / o.items_listed,
	    (double)o.items_listed_hit / o.items_true,
	    (double)o.cheat01 / o.cheaters, (double)o.cheat05 / o.cheaters,
	    o.cheaters, (double)o.h05 / o.honest, (double)o.h01 / o.honest,
	    o.honest);
	ck_assert(prec >= 0.9);
	ck_assert(rec >= 0.4);
	ck_assert((double)o.items_listed_hit / o.items_true >= 0.8);
	ck_assert((double)o.h01 / o.honest <= 0.02);
	ck_assert((double)o.cheat01 / o.cheaters >= 0.5);
}
END_TEST

/*
 * Every profile at once (5 % each of preknowledge, rapid guessing,
 * copiers with their sources, proxies; 2,000 x 100): the share flagged at
 * 0.01 per profile by the similarity (best partner, Bonferroni over
 * partners) and by preknowledge without a list.  Reported; asserted: the
 * honest rates, and preknowledge without a list at >= 0.75 (0.89 seen;
 * 0.56 when the rapid guessers' attempts count in the item scores, before
 * preknow.c's effort moderation).
 */
START_TEST(t_profiles)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct sim_in		 x;
	struct forensics_similar_result res;
	struct forensics_preknow_input in;
	struct forensics_preknow_result r;
	const int		 N = 2000, I = 100;
	int			 n[FX_SIM_NPROFILES] = { 0 };
	int			 fs[FX_SIM_NPROFILES] = { 0 }, fp[FX_SIM_NPROFILES] = { 0 };
	double			*lt, *beta, *alpha, *tau;
	int			 j, k;

	fx_sim_config_default(&c, N, I, 2026);
	c.share_preknowledge = c.share_rapid = c.share_copier =
	    c.share_proxy = 0.05;
	s = fx_sim_new(&c);
	sim_in_make(&x, s, 0.05);
	ck_assert_int_eq(forensics_similar(&x.in, &res, err, sizeof err), 0);
	lt = calloc((size_t)N * I, sizeof *lt);
	beta = calloc((size_t)I, sizeof *beta);
	alpha = calloc((size_t)I, sizeof *alpha);
	tau = calloc((size_t)N, sizeof *tau);
	estimate_rt(s, lt, beta, alpha, tau);
	memset(&in, 0, sizeof in);
	in.n_attempts = N;
	in.n_items = I;
	in.u = s->u;
	in.log_t = lt;
	in.a = s->a;
	in.b = s->b;
	in.beta = beta;
	in.alpha = alpha;
	in.theta = x.theta;
	in.tau = tau;
	ck_assert_int_eq(forensics_preknow(&in, &r, err, sizeof err), 0);
	for (j = 0; j < N; j++) {
		k = s->profile[j];
		n[k]++;
		fs[k] += res.best_p_adjusted[j] <= 0.01;
		fp[k] += r.persons[j].p <= 0.01;
	}
	for (k = 0; k < FX_SIM_NPROFILES; k++)
		if (n[k] > 0)
			printf("fx-pairs: profiles 2000 x 100: %-12s n %4d  "
			    "similarity at 0.01 %.3f  preknowledge (no list) at "
			    "0.01 %.3f\n", fx_sim_profile_name[k], n[k], (double)fs[k] / n[k],
			    (double)fp[k] / n[k]);
	ck_assert((double)fs[FX_SIM_HONEST] / n[FX_SIM_HONEST] <= 0.02);
	ck_assert((double)fp[FX_SIM_HONEST] / n[FX_SIM_HONEST] <= 0.02);
	ck_assert((double)fp[FX_SIM_PREKNOWLEDGE] / n[FX_SIM_PREKNOWLEDGE] >=
	    0.75);
	forensics_preknow_free(&r);
	forensics_similar_free(&res);
	sim_in_free(&x);
	free(lt);
	free(beta);
	free(alpha);
	free(tau);
	fx_sim_free(s);
}
END_TEST

START_TEST(t_bad_input)
{
	struct forensics_similar_input in;
	struct forensics_similar_result res;
	int8_t	 key[2] = { 0, 5 }, opt[2] = { 0, 1 };
	double	 th[1] = { 0 }, a[2] = { 1, 1 }, b[2] = { 0, 0 };

	memset(&in, 0, sizeof in);
	in.n_attempts = 1;
	in.n_items = 2;
	in.n_options = 4;
	in.option = opt;
	in.key = key;
	in.theta = th;
	in.a = a;
	in.b = b;
	in.alpha = 0.05;
	ck_assert_int_eq(forensics_similar(&in, &res, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "key 5"));
	key[1] = 1;
	in.alpha = 0;
	ck_assert_int_eq(forensics_similar(&in, &res, err, sizeof err), -1);
	in.alpha = 0.05;
	ck_assert_int_eq(forensics_similar(&in, &res, err, sizeof err), 0);
	ck_assert_int_eq(res.n_pairs, 0);
	ck_assert_int_eq(res.best_partner[0], -1);
	forensics_similar_free(&res);
}
END_TEST

/* Each test's CPU time, printed after its figures (not asserted). */
static clock_t	 test_start;

static void
cpu_setup(void)
{
	test_start = clock();
}

static void
cpu_teardown(void)
{
	printf("fx-pairs: (test took %.1f s CPU)\n",
	    (double)(clock() - test_start) / CLOCKS_PER_SEC);
}

static Suite *
similar_suite(void)
{
	Suite	*s = suite_create("similar");
	TCase	*tc;

	tc = tcase_create("gbt");
	tcase_add_test(tc, t_gbt_exact);
	tcase_add_test(tc, t_match_tail_exact);
	tcase_add_test(tc, t_bad_input);
	tcase_add_test(tc, t_cluster_chain);
	tcase_add_test(tc, t_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("pairs");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, cpu_setup, cpu_teardown);
	tcase_add_test(tc, t_honest_pairs);
	tcase_add_test(tc, t_screen_agrees);
	tcase_add_test(tc, t_forms_screen);
	tcase_add_test(tc, t_copier_power);
	tcase_add_test(tc, t_ring);
	suite_add_tcase(s, tc);

	tc = tcase_create("preknowledge");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, cpu_setup, cpu_teardown);
	tcase_add_test(tc, t_preknow_honest);
	tcase_add_test(tc, t_preknow_power);
	tcase_add_test(tc, t_profiles);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return (check_main(similar_suite()));
}
