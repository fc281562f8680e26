/*
 * check_fxrun.c - Check suite for the whole analysis (forensics/run.c),
 * answer changes (forensics/changes.c) and the several extra p's of
 * combine.c, on data from the seeded simulator tests/fx-sim.c:
 *   - two forms with different item sets are calibrated separately (each
 *     recovers its own items), a third too small to calibrate gets NAN
 *     indices and a reason;
 *   - simulated preknowledge ranks near the top, with and without the
 *     list of compromised items;
 *   - EDI: false-positive rate on honest changes, power on changes that
 *     are mostly wrong-to-right.
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

START_TEST(test_combine_extra)
{
	struct forensics_person	pp[2];
	double			extra[6] = { 0.01, NAN, 0.5, NAN, NAN, NAN };
	double			row[6];

	memset(pp, 0, sizeof pp);
	pp[0].lz_p = 0.3;
	pp[0].rt_fit_p = 0.2;
	pp[0].pk_p = NAN;
	pp[1].lz_p = pp[1].rt_fit_p = pp[1].pk_p = NAN;
	forensics_combine_persons(pp, 2, extra, 3, FORENSICS_COMBINE_CAUCHY);
	row[0] = 0.3, row[1] = 0.2, row[2] = NAN, row[3] = 0.01, row[4] = NAN;
	row[5] = 0.5;
	ck_assert(fabs(pp[0].combined_p - forensics_combine_p(row, 6,
	    FORENSICS_COMBINE_CAUCHY)) < 1e-15);
	/* The extra p's count: without them the combination is larger. */
	ck_assert(pp[0].combined_p < forensics_combine_p(row, 3,
	    FORENSICS_COMBINE_CAUCHY));
	ck_assert(isnan(pp[1].combined_p));
	/* No extra column: as before. */
	forensics_combine_persons(pp, 1, NULL, 0, FORENSICS_COMBINE_CAUCHY);
	ck_assert(fabs(pp[0].combined_p - forensics_combine_p(row, 3,
	    FORENSICS_COMBINE_CAUCHY)) < 1e-15);
}
END_TEST

/* ------------------------------------------------------------------ */
/* EDI                                                                 */
/* ------------------------------------------------------------------ */

/*
 * Changes on top of a simulated exam: each answered item is changed with
 * probability rate.  Honest: the final answer is the model's (what fx-sim
 * drew), so a change says nothing about correctness.  Cheating (cheat[j]):
 * additionally, each wrong answer is changed to right with probability
 * to_right.
 */
static void
sim_changes(struct fx_sim *s, double rate, const unsigned char *cheat,
    double to_right, uint64_t seed, signed char *changed)
{
	struct fx_rng	r;
	size_t		g;
	int		j, i;

	fx_rng_seed(&r, seed);
	for (j = 0; j < s->n_persons; j++)
		for (i = 0; i < s->n_items; i++) {
			double	x = fx_rng_uniform(&r), y = fx_rng_uniform(&r);

			g = (size_t)j * s->n_items + i;
			changed[g] = s->u[g] >= 0 && x < rate;
			if (cheat != NULL && cheat[j] && s->u[g] == 0 &&
			    y < to_right) {
				changed[g] = 1;
				s->u[g] = 1;
				s->option[g] = (signed char)s->key[i];
			}
		}
}

START_TEST(test_edi_null_and_power)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct forensics_irt	 irt;
	struct forensics_edi	 e;
	unsigned char		*cheat;
	signed char		*chg;
	int			 j, n = 4000, m = 60, used = 0, le[2] = { 0, 0 };
	int			 n_cheat = 0, hit = 0;
	double			 sum = 0, sum2 = 0;

	fx_sim_config_default(&c, n, m, 1401);
	s = fx_sim_new(&c);
	chg = calloc((size_t)n * m, 1);
	cheat = calloc(n, 1);
	for (j = 0; j < n; j++)
		cheat[j] = j % 20 == 0;	/* 5 % tamper */
	sim_changes(s, 0.15, cheat, 0.5, 77, chg);
	forensics_irt_from_params(&irt, m, s->a, s->b);
	for (j = 0; j < n; j++) {
		forensics_edi(&irt, s->u + (size_t)j * m, chg + (size_t)j * m,
		    &e);
		if (cheat[j]) {
			n_cheat++;
			hit += e.p <= 0.01;
			continue;
		}
		if (isnan(e.p))
			continue;
		used++;
		le[0] += e.p <= 0.05;
		le[1] += e.p <= 0.01;
		sum += e.edi;
		sum2 += e.edi * e.edi;
	}
	fprintf(stderr, "fx: EDI, 3,800 honest x 60 items, 15 %% changed: "
	    "rate %.4f at 0.05, %.4f at 0.01 (mean %.3f, sd %.3f over %d); "
	    "power at 0.01 on half the wrong answers changed to right: "
	    "%.3f (%d)\n", (double)le[0] / used, (double)le[1] / used,
	    sum / used, sqrt(sum2 / used - (sum / used) * (sum / used)), used,
	    (double)hit / n_cheat, n_cheat);
	/* Conservative (the continuity correction), never liberal. */
	ck_assert(used > 3700);
	ck_assert((double)le[0] / used <= 0.10);
	ck_assert((double)le[0] / used >= 0.015);
	ck_assert((double)le[1] / used <= 0.02);
	ck_assert((double)le[1] / used >= 0.002);
	ck_assert((double)hit / n_cheat >= 0.5);
	/* Nothing changed: NAN, not 0 or 1. */
	memset(chg, 0, m);
	forensics_edi(&irt, s->u, chg, &e);
	ck_assert(isnan(e.edi) && isnan(e.p) && e.n_changed == 0);
	forensics_irt_free(&irt);
	free(chg);
	free(cheat);
	fx_sim_free(s);
}
END_TEST

START_TEST(test_edi_formula)
{
	struct forensics_irt	irt;
	struct forensics_edi	e;
	double			a[4] = { 1, 1, 1, 1 }, b[4] = { 0, 0, 0, 0 };
	signed char		u[4] = { 1, 0, 1, 1 }, chg[4] = { 0, 0, 1, 1 };

	/* theta from items 0, 1 (one right, one wrong, b = 0): 0, so P = 0.5
	 * on the changed items: EDI = (2 - 1 - 0.5) / sqrt(0.5). */
	forensics_irt_from_params(&irt, 4, a, b);
	forensics_edi(&irt, u, chg, &e);
	ck_assert_int_eq(e.n_changed, 2);
	ck_assert(fabs(e.theta) < 1e-6);
	ck_assert(fabs(e.edi - 0.5 / sqrt(0.5)) < 1e-6);
	ck_assert(fabs(e.p - forensics_norm_sf(0.5 / sqrt(0.5))) < 1e-6);
	forensics_irt_free(&irt);
}
END_TEST

/* ------------------------------------------------------------------ */
/* forensics_run                                                       */
/* ------------------------------------------------------------------ */

/* An exam of three forms: A (form 0, items 0..39, 800 attempts, 5 %
 * preknowledge), B (form 1, items 40..79, 600 honest attempts), C (form
 * 2, items 80..89, 20 attempts: too small). */
struct exam {
	struct fx_sim		*s[3];
	int			 n, m;
	int8_t			*option, *correct, *changed, *wtr, *key;
	double			*time;
	int			*form, *center, *date;
	unsigned char		*leaked;	/* global items */
	int			*truth;		/* profile per attempt */
};

static void
exam_make(struct exam *x)
{
	static const int persons[3] = { 800, 600, 20 }, items[3] = { 40, 40,
	    10 };
	struct fx_sim_config	c;
	int			f, j, i, at = 0, base = 0;

	memset(x, 0, sizeof *x);
	x->n = 1420;
	x->m = 90;
	x->option = malloc((size_t)x->n * x->m);
	x->correct = malloc((size_t)x->n * x->m);
	x->changed = calloc((size_t)x->n * x->m, 1);
	x->wtr = calloc((size_t)x->n * x->m, 1);
	x->time = malloc((size_t)x->n * x->m * sizeof *x->time);
	x->key = malloc(x->m);
	x->form = malloc(x->n * sizeof *x->form);
	x->center = malloc(x->n * sizeof *x->center);
	x->date = malloc(x->n * sizeof *x->date);
	x->leaked = calloc(x->m, 1);
	x->truth = calloc(x->n, sizeof *x->truth);
	memset(x->option, -1, (size_t)x->n * x->m);
	memset(x->correct, -1, (size_t)x->n * x->m);
	for (f = 0; f < 3; f++) {
		fx_sim_config_default(&c, persons[f], items[f], 900 + f);
		if (f == 0)
			c.share_preknowledge = 0.05;
		x->s[f] = fx_sim_new(&c);
		for (i = 0; i < items[f]; i++) {
			x->key[base + i] = (int8_t)x->s[f]->key[i];
			x->leaked[base + i] = x->s[f]->leaked[i];
		}
		for (j = 0; j < persons[f]; j++, at++) {
			x->form[at] = f;
			x->center[at] = 1 + j % 7;
			x->date[at] = 20000 + j % 2;
			x->truth[at] = x->s[f]->profile[j];
			for (i = 0; i < items[f]; i++) {
				size_t	g = (size_t)at * x->m + base + i;
				size_t	l = (size_t)j * items[f] + i;

				x->option[g] = x->s[f]->option[l];
				x->correct[g] = x->s[f]->u[l];
				x->time[g] = x->s[f]->u[l] < 0 ? NAN :
				    x->s[f]->t[l];
			}
		}
		base += items[f];
	}
	for (j = at * x->m; j < x->n * x->m; j++)
		x->time[j] = NAN;
	for (j = 0; j < x->n; j++)
		for (i = 0; i < x->m; i++)
			if (x->correct[(size_t)j * x->m + i] < 0)
				x->time[(size_t)j * x->m + i] = NAN;
}

static void
exam_free(struct exam *x)
{
	int f;

	for (f = 0; f < 3; f++)
		fx_sim_free(x->s[f]);
	free(x->option);
	free(x->correct);
	free(x->changed);
	free(x->wtr);
	free(x->time);
	free(x->key);
	free(x->form);
	free(x->center);
	free(x->date);
	free(x->leaked);
	free(x->truth);
}

static void
exam_data(const struct exam *x, struct forensics_data *d)
{
	memset(d, 0, sizeof *d);
	d->n_attempts = x->n;
	d->n_items = x->m;
	d->option = x->option;
	d->correct = x->correct;
	d->time = x->time;
	d->changed = x->changed;
	d->wtr = x->wtr;
	d->key = x->key;
	d->form = x->form;
	d->center = x->center;
	d->date = x->date;
}

/* Share of the preknowledge attempts whose rank by combined_p is among
 * the first top attempts. */
static double
share_on_top(const struct exam *x, const struct forensics_report *r,
    int top)
{
	int	j, k, n_pk = 0, hit = 0;

	for (j = 0; j < x->n; j++) {
		int rank = 0;

		if (x->truth[j] != FX_SIM_PREKNOWLEDGE)
			continue;
		n_pk++;
		for (k = 0; k < x->n; k++)
			if (r->attempts[k].combined_p <
			    r->attempts[j].combined_p)
				rank++;
		hit += rank < top;
	}
	return n_pk ? (double)hit / n_pk : 0;
}

START_TEST(test_run_forms)
{
	struct exam			 x;
	struct forensics_data		 d;
	struct forensics_run_options	 o;
	struct forensics_report		 r;
	double				 est[40], tru[40];
	char				 err[256];
	int				 f, k, j, rows[3] = { 0, 0, 0 };

	exam_make(&x);
	exam_data(&x, &d);
	forensics_run_options_default(&o);
	ck_assert_int_eq(forensics_run(&d, &o, &r, err, sizeof err), 0);
	ck_assert_int_eq(r.n_forms, 3);
	ck_assert_int_eq(r.n_forms_calibrated, 2);
	ck_assert_int_eq(r.n_attempts_analysed, 1400);
	ck_assert_int_eq(r.n_item_rows, 90);
	/* Each form's rows hold its own items, recovered from its own data. */
	for (f = 0; f < 2; f++) {
		int n = 0;

		for (k = 0; k < r.n_item_rows; k++) {
			const struct forensics_run_item *it = &r.items[k];

			if (it->form != f)
				continue;
			ck_assert(it->item >= 40 * f && it->item < 40 * f + 40);
			ck_assert_int_eq(it->status, FORENSICS_RUN_ITEM_OK);
			est[n] = it->b;
			tru[n] = x.s[f]->b[it->item - 40 * f];
			n++;
		}
		ck_assert_int_eq(n, 40);
		fprintf(stderr, "fx: run, form %d: corr(b, true b) = %.3f\n",
		    f, fx_sim_corr(est, tru, n));
		ck_assert(fx_sim_corr(est, tru, n) >= 0.95);
	}
	for (k = 0; k < r.n_item_rows; k++) {
		rows[r.items[k].form]++;
		if (r.items[k].form == 2) {
			ck_assert_int_eq(r.items[k].status,
			    FORENSICS_RUN_ITEM_FORM_SMALL);
			ck_assert(isnan(r.items[k].a) && isnan(r.items[k].b));
		}
	}
	ck_assert_int_eq(rows[2], 10);
	/* The small form: NAN and a reason, the data's counts kept. */
	for (j = 1400; j < 1420; j++) {
		const struct forensics_run_attempt *a = &r.attempts[j];

		ck_assert_ptr_nonnull(a->reason);
		ck_assert(isnan(a->theta) && isnan(a->lz_p) &&
		    isnan(a->combined_p) && isnan(a->q) && !a->flagged);
		ck_assert_int_eq(a->n_items, 10);
	}
	for (j = 0; j < 1400; j++) {
		ck_assert_ptr_null(r.attempts[j].reason);
		ck_assert(!isnan(r.attempts[j].theta));
		ck_assert(!isnan(r.attempts[j].combined_p));
	}
	/* Roll-ups: seven centres and the unknown-less dates. */
	ck_assert_int_eq(r.n_center, 7);
	ck_assert_int_eq(r.n_date, 2);
	/* Chance would put 10 % of them in the top 10 %. */
	fprintf(stderr, "fx: run without a list: %d flagged of %d, %d items "
	    "estimated compromised; preknowledge in the top 40: %.2f, in the "
	    "top 10 %%: %.2f\n", r.n_flagged, r.n_attempts_analysed,
	    r.n_compromised, share_on_top(&x, &r, 40),
	    share_on_top(&x, &r, 140));
	ck_assert(share_on_top(&x, &r, 140) >= 0.4);
	forensics_report_free(&r);

	/* With the list: preknowledge ranks higher still. */
	o.compromised = x.leaked;
	ck_assert_int_eq(forensics_run(&d, &o, &r, err, sizeof err), 0);
	fprintf(stderr, "fx: run with the list: %d flagged; preknowledge in "
	    "the top 40: %.2f, in the top 10 %%: %.2f\n", r.n_flagged,
	    share_on_top(&x, &r, 40), share_on_top(&x, &r, 140));
	ck_assert(share_on_top(&x, &r, 40) >= 0.5);
	ck_assert(share_on_top(&x, &r, 140) >= 0.7);
	for (k = 0; k < r.n_item_rows; k++)
		ck_assert_int_eq(r.items[k].known, x.leaked[r.items[k].item]);
	forensics_report_free(&r);
	exam_free(&x);
}
END_TEST

START_TEST(test_run_honest_flags)
{
	struct exam			 x;
	struct forensics_data		 d;
	struct forensics_report		 r;
	char				 err[256];
	int				 j, fp = 0, n = 0;

	exam_make(&x);
	exam_data(&x, &d);
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), 0);
	for (j = 0; j < x.n; j++) {
		if (x.truth[j] != FX_SIM_HONEST || r.attempts[j].reason)
			continue;
		n++;
		fp += r.attempts[j].flagged;
	}
	fprintf(stderr, "fx: run, honest attempts flagged: %d of %d\n", fp, n);
	/* BH at 0.05 over the exam: a few false flags at most. */
	ck_assert(fp <= n / 50);
	forensics_report_free(&r);
	exam_free(&x);
}
END_TEST

START_TEST(test_run_copiers_cluster)
{
	struct fx_sim_config		 c;
	struct fx_sim			*s;
	struct forensics_data		 d;
	struct forensics_report		 r;
	int8_t				*key, *cor;
	double				*t;
	char				 err[256];
	size_t				 g, nm;
	int				 j, i, copier_pairs = 0, found = 0;

	fx_sim_config_default(&c, 400, 100, 31);
	c.share_copier = 0.03;
	s = fx_sim_new(&c);
	nm = (size_t)400 * 100;
	key = malloc(100);
	cor = malloc(nm);
	t = malloc(nm * sizeof *t);
	for (i = 0; i < 100; i++)
		key[i] = (int8_t)s->key[i];
	for (g = 0; g < nm; g++) {
		cor[g] = s->u[g];
		t[g] = s->t[g];
	}
	memset(&d, 0, sizeof d);
	d.n_attempts = 400;
	d.n_items = 100;
	d.option = s->option;
	d.correct = cor;
	d.time = t;
	d.key = key;
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), 0);
	for (j = 0; j < 400; j++) {
		if (s->profile[j] != FX_SIM_COPIER)
			continue;
		copier_pairs++;
		if (r.attempts[j].cluster >= 0 && r.attempts[j].cluster ==
		    r.attempts[s->source[j]].cluster)
			found++;
	}
	fprintf(stderr, "fx: run, copier and source in one cluster: %d of "
	    "%d; %zu significant pairs of %lld\n", found, copier_pairs,
	    r.n_pairs, (long long)r.n_pairs_compared);
	ck_assert_int_eq(r.n_pairs_compared, 400 * 399 / 2);
	/* Bonferroni over 79,800 pairs: few found, none wrongly. */
	ck_assert(found >= 1);
	for (g = 0; g < r.n_pairs; g++) {
		const struct forensics_pair *p = &r.pairs[g];

		ck_assert(p->p_adjusted <= 0.05);
		ck_assert(s->source[p->j] == p->k || s->source[p->k] == p->j);
	}
	forensics_report_free(&r);
	free(key);
	free(cor);
	free(t);
	fx_sim_free(s);
}
END_TEST

START_TEST(test_run_edges)
{
	struct forensics_data	d;
	struct forensics_report	r;
	int8_t			cor[4] = { 1, 0, -1, 1 };
	int			form[2] = { 0, 5 };
	char			err[256];

	memset(&d, 0, sizeof d);
	/* Empty exam: a report with nothing in it. */
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), -1);
	d.correct = cor;
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), 0);
	ck_assert_int_eq(r.n_attempts, 0);
	forensics_report_free(&r);
	/* Two attempts: too small, reasons, no values. */
	d.n_attempts = 2;
	d.n_items = 2;
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(r.attempts[0].reason);
	ck_assert(isnan(r.attempts[1].combined_p));
	ck_assert_int_eq(r.attempts[0].score, 1);
	forensics_report_free(&r);
	/* A form index outside the attempts: refused. */
	d.form = form;
	ck_assert_int_eq(forensics_run(&d, NULL, &r, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "form 5"));
}
END_TEST

static Suite *
fxrun_suite(void)
{
	Suite	*s = suite_create("fxrun");
	TCase	*tc = tcase_create("units");
	TCase	*tv = tcase_create("validation");

	tcase_add_test(tc, test_combine_extra);
	tcase_add_test(tc, test_edi_formula);
	tcase_add_test(tc, test_run_edges);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tv, 600);
	tcase_add_test(tv, test_edi_null_and_power);
	tcase_add_test(tv, test_run_forms);
	tcase_add_test(tv, test_run_honest_flags);
	tcase_add_test(tv, test_run_copiers_cluster);
	suite_add_tcase(s, tv);
	return s;
}

int
main(void)
{
	return check_main(fxrun_suite());
}
