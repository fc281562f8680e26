/*
 * forensics-full.c - times the whole forensics analysis of one form,
 * stage by stage: by default 10,000 attempts x 200 items, target < 120 s
 * at -O2 on this machine (issue 14).  The exam comes from the seeded test
 * simulator (tests/fx-sim.c): honest attempts, 2 % with preknowledge of a
 * leaked set, 1 % rapid guessers, 1 % copiers (each with a source), 1 %
 * of the responses missing, so that the estimated list, the significant
 * pairs and the clusters are not empty.  Nothing is known to the
 * analysis: the 2PL and the lognormal model are calibrated from the data.
 *
 * The stages, in the order the analysis needs them, are the table
 * full_stages[]; each is timed alone and followed by the peak RSS so far
 * (getrusage, which includes the simulated exam).  When forensics_run()
 * exists the table becomes one stage calling it.  Prints a Markdown
 * section on stdout (bench/run appends it to bench/results.md) and
 * asserts nothing about time.
 *
 * usage: forensics-full [ATTEMPTS [ITEMS [SEED]]]
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/resource.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "forensics/forensics.h"
#include "tests/fx-sim.h"

/* What the stages hand each other. */
struct full {
	struct fx_sim			*s;
	int				 n, items;
	char				 err[256];
	struct forensics_irt		 irt;
	struct forensics_rt		 rt;
	double				*tau, *tau_se;
	struct forensics_person		*persons;
	double				*log_t;
	struct forensics_preknow_result	 pk;
	int8_t				*key;
	struct forensics_similar_result	 sim;
	struct forensics_cluster_result	 cl;
	double				*combined, *q;
};

static int
full_irt(struct full *f)
{
	return (forensics_irt_calibrate(f->s->u, f->n, f->items, NULL, &f->irt,
	    f->err, sizeof f->err));
}

static int
full_rt(struct full *f)
{
	return (forensics_rt_calibrate(f->s->t, f->n, f->items, NULL, &f->rt,
	    f->tau, f->tau_se, f->err, sizeof f->err));
}

static int
full_persons(struct full *f)
{
	struct forensics_person_options	 o;

	forensics_person_options_default(&o);
	forensics_person_indices(&f->irt, &f->rt, f->s->u, f->s->t, f->n,
	    f->items, &o, f->persons);
	return (0);
}

static int
full_preknow(struct full *f)
{
	struct forensics_preknow_input	 in;
	double				*theta, *tau;
	size_t				 x;
	int				 j, rc;

	for (x = 0; x < (size_t)f->n * f->items; x++)
		f->log_t[x] = f->s->t[x] > 0 ? log(f->s->t[x]) : NAN;
	theta = calloc((size_t)f->n, sizeof *theta);
	tau = calloc((size_t)f->n, sizeof *tau);
	if (theta == NULL || tau == NULL)
		return (-1);
	/* An attempt without a usable time gets the mean speed, 0. */
	for (j = 0; j < f->n; j++) {
		theta[j] = f->persons[j].theta;
		tau[j] = isfinite(f->tau[j]) ? f->tau[j] : 0;
	}
	memset(&in, 0, sizeof in);
	in.n_attempts = f->n;
	in.n_items = f->items;
	in.u = f->s->u;
	in.log_t = f->log_t;
	in.a = f->irt.a;
	in.b = f->irt.b;
	in.beta = f->rt.beta;
	in.alpha = f->rt.alpha;
	in.theta = theta;
	in.tau = tau;
	rc = forensics_preknow(&in, &f->pk, f->err, sizeof f->err);
	free(theta);
	free(tau);
	return (rc);
}

static int
full_similar(struct full *f)
{
	struct forensics_similar_input	 in;
	double				*theta;
	int				 i, j, rc;

	for (i = 0; i < f->items; i++)
		f->key[i] = f->irt.status[i] == FORENSICS_ITEM_OK ?
		    (int8_t)f->s->key[i] : -1;
	theta = calloc((size_t)f->n, sizeof *theta);
	if (theta == NULL)
		return (-1);
	for (j = 0; j < f->n; j++)
		theta[j] = f->persons[j].theta;
	memset(&in, 0, sizeof in);
	in.n_attempts = f->n;
	in.n_items = f->items;
	in.n_options = f->s->n_options;
	in.option = f->s->option;
	in.key = f->key;
	in.theta = theta;
	in.a = f->irt.a;
	in.b = f->irt.b;
	in.alpha = 0.05;
	rc = forensics_similar(&in, &f->sim, f->err, sizeof f->err);
	free(theta);
	return (rc);
}

static int
full_clusters(struct full *f)
{
	return (forensics_clusters(f->n, f->sim.pairs, f->sim.n_significant,
	    NULL, &f->cl, f->err, sizeof f->err));
}

/* Cauchy over lz_p, rt_fit_p, the estimated preknowledge p (no list is
 * given) and the similarity p; BH q over the exam. */
static int
full_combine(struct full *f)
{
	int	 j;

	for (j = 0; j < f->n; j++)
		f->persons[j].pk_p = f->pk.persons[j].p;
	forensics_combine_persons(f->persons, f->n, f->sim.best_p_adjusted,
	    FORENSICS_COMBINE_CAUCHY);
	for (j = 0; j < f->n; j++)
		f->combined[j] = f->persons[j].combined_p;
	forensics_bh(f->combined, f->n, f->q);
	return (0);
}

/* The analysis, in order: the one list of stages. */
static const struct full_stage {
	const char	*name;
	int		(*run)(struct full *);
} full_stages[] = {
	{ "IRT calibration (2PL, EM)", full_irt },
	{ "RT calibration (lognormal)", full_rt },
	{ "person indices", full_persons },
	{ "preknowledge without a list", full_preknow },
	{ "all-pairs similarity", full_similar },
	{ "clusters", full_clusters },
	{ "combination and BH", full_combine },
};
#define FULL_NSTAGES	(sizeof full_stages / sizeof full_stages[0])

/* Peak resident set so far, in MiB. */
static double
full_peak_rss(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return (NAN);
	return (ru.ru_maxrss / 1024.0);	/* ru_maxrss is in KiB on Linux */
}

static void
full_alloc(struct full *f)
{
	f->tau = calloc((size_t)f->n, sizeof *f->tau);
	f->tau_se = calloc((size_t)f->n, sizeof *f->tau_se);
	f->persons = calloc((size_t)f->n, sizeof *f->persons);
	f->log_t = calloc((size_t)f->n * f->items, sizeof *f->log_t);
	f->key = calloc((size_t)f->items, sizeof *f->key);
	f->combined = calloc((size_t)f->n, sizeof *f->combined);
	f->q = calloc((size_t)f->n, sizeof *f->q);
	if (f->tau == NULL || f->tau_se == NULL || f->persons == NULL ||
	    f->log_t == NULL || f->key == NULL || f->combined == NULL ||
	    f->q == NULL) {
		fprintf(stderr, "forensics-full: out of memory\n");
		exit(1);
	}
}

static void
full_free(struct full *f)
{
	forensics_clusters_free(&f->cl);
	forensics_similar_free(&f->sim);
	forensics_preknow_free(&f->pk);
	forensics_rt_free(&f->rt);
	forensics_irt_free(&f->irt);
	free(f->tau);
	free(f->tau_se);
	free(f->persons);
	free(f->log_t);
	free(f->key);
	free(f->combined);
	free(f->q);
	fx_sim_free(f->s);
}

/* What the analysis found, against the simulation's truth. */
static void
full_print_found(const struct full *f)
{
	int	 i, j, hit = 0, flagged[FX_SIM_NPROFILES] = { 0 };
	int	 count[FX_SIM_NPROFILES] = { 0 };

	for (i = 0; i < f->items; i++)
		hit += f->pk.items[i].compromised && f->s->leaked[i];
	for (j = 0; j < f->n; j++) {
		count[f->s->profile[j]]++;
		flagged[f->s->profile[j]] += f->q[j] <= 0.05;
	}
	printf("| items left out (IRT, RT) | %d, %d |\n", f->irt.n_left_out,
	    f->rt.n_left_out);
	printf("| items reported compromised | %d (%d of %d leaked) |\n",
	    f->pk.n_compromised, hit, f->s->n_leaked);
	printf("| significant pairs, clusters | %zu, %zu |\n",
	    f->sim.n_significant, f->cl.n_clusters);
	printf("| flagged at q <= 0.05, by profile |");
	for (i = 0; i < FX_SIM_NPROFILES; i++)
		if (count[i] > 0)
			printf(" %s %d of %d;", fx_sim_profile_name[i],
			    flagged[i], count[i]);
	printf(" |\n");
}

int
main(int argc, char **argv)
{
	struct fx_sim_config	 c;
	struct full		 f;
	int			 n = argc > 1 ? atoi(argv[1]) : 10000;
	int			 items = argc > 2 ? atoi(argv[2]) : 200;
	unsigned long long	 seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 14;
	double			 t0, t, sec[FULL_NSTAGES], rss[FULL_NSTAGES];
	double			 rss_sim, total = 0;
	size_t			 k;

	if (n < 2 || items < 1) {
		fprintf(stderr, "usage: forensics-full [ATTEMPTS [ITEMS "
		    "[SEED]]]\n");
		return (2);
	}
	memset(&f, 0, sizeof f);
	f.n = n;
	f.items = items;
	fx_sim_config_default(&c, n, items, seed);
	c.share_preknowledge = 0.02;
	c.share_rapid = 0.01;
	c.share_copier = 0.01;
	c.missing_rate = 0.01;
	f.s = fx_sim_new(&c);
	full_alloc(&f);
	rss_sim = full_peak_rss();

	for (k = 0; k < FULL_NSTAGES; k++) {
		fprintf(stderr, "forensics-full: %s\n", full_stages[k].name);
		t0 = bench_now_s();
		if (full_stages[k].run(&f) == -1) {
			fprintf(stderr, "forensics-full: %s: %s\n",
			    full_stages[k].name, f.err);
			return (1);
		}
		t = bench_now_s();
		sec[k] = t - t0;
		total += sec[k];
		rss[k] = full_peak_rss();
	}

	printf("### Forensics: whole analysis, %d attempts x %d items\n\n", n,
	    items);
	printf("Every stage on one form of a simulated exam (seed %llu: 2 %% "
	    "preknowledge, 1 %% rapid, 1 %% copiers, 1 %% missing), the "
	    "models calibrated from the data; peak RSS includes the exam "
	    "(%.1f MiB after simulating it).\n\n", seed, rss_sim);
	printf("| stage | time | peak RSS after |\n|---|---|---|\n");
	for (k = 0; k < FULL_NSTAGES; k++)
		printf("| %s | %.2f s | %.1f MiB |\n", full_stages[k].name,
		    sec[k], rss[k]);
	printf("| time, whole analysis | %.2f s | %.1f MiB |\n\n", total,
	    full_peak_rss());
	printf("| result | value |\n|---|---|\n");
	full_print_found(&f);
	printf("\n");
	fprintf(stderr, "forensics-full: %d x %d: %.2f s, peak RSS %.1f MiB\n",
	    n, items, total, full_peak_rss());
	full_free(&f);
	return (0);
}
