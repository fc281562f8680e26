/*
 * forensics-full.c - times the whole forensics analysis of one exam, as
 * `invigil review forensics` runs it (forensics_run, after the store is
 * read): by default 10,000 attempts x 200 items, target < 120 s at -O2 on
 * this machine (issue 14).  The exam comes from the seeded test simulator
 * (tests/fx-sim.c): honest attempts, 2 % with preknowledge of a leaked
 * set, 1 % rapid guessers, 1 % copiers (each with a source), 1 % of the
 * responses missing, so that the estimated list, the significant pairs and
 * the clusters are not empty.  Nothing is known to the analysis: the 2PL
 * and the lognormal model are calibrated from the data.  Peak RSS from
 * getrusage (includes the simulated exam).  Prints a Markdown section on
 * stdout (bench/run appends it to bench/results.md) and asserts nothing
 * about time.  The cost is mostly the all-pairs similarity (about three
 * quarters) and the 2PL EM; bench/forensics-pairs times the pairs alone.
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

/* Peak resident set so far, in MiB. */
static double
full_peak_rss(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return (NAN);
	return (ru.ru_maxrss / 1024.0);	/* ru_maxrss is in KiB on Linux */
}

/* What the analysis found, against the simulation's truth. */
static void
full_print_found(const struct fx_sim *s, const struct forensics_report *r)
{
	int	 i, j, hit = 0, flagged[FX_SIM_NPROFILES] = { 0 };
	int	 count[FX_SIM_NPROFILES] = { 0 };

	for (i = 0; i < r->n_item_rows; i++)
		hit += r->items[i].compromised && s->leaked[r->items[i].item];
	for (j = 0; j < s->n_persons; j++) {
		count[s->profile[j]]++;
		flagged[s->profile[j]] += r->attempts[j].flagged;
	}
	printf("| items left out (no variance) | %d |\n", r->n_items_left_out);
	printf("| items reported compromised | %d (%d of %d leaked) |\n",
	    r->n_compromised, hit, s->n_leaked);
	printf("| significant pairs, clusters | %zu, %zu |\n", r->n_pairs,
	    r->clusters.n_clusters);
	printf("| flagged at q <= %.2f, by profile |", r->alpha);
	for (i = 0; i < FX_SIM_NPROFILES; i++)
		if (count[i] > 0)
			printf(" %s %d of %d;", fx_sim_profile_name[i],
			    flagged[i], count[i]);
	printf(" |\n");
}

int
main(int argc, char **argv)
{
	struct fx_sim_config		 c;
	struct fx_sim			*s;
	struct forensics_data		 d;
	struct forensics_run_options	 o;
	struct forensics_report		 r;
	int8_t				*key, *option;
	int				 n = argc > 1 ? atoi(argv[1]) : 10000;
	int				 items = argc > 2 ? atoi(argv[2]) : 200;
	unsigned long long		 seed = argc > 3 ?
					     strtoull(argv[3], NULL, 10) : 14;
	char				 err[256];
	double				 t0, sec, rss_sim;
	size_t				 x;
	int				 i;

	if (n < 2 || items < 1) {
		fprintf(stderr, "usage: forensics-full [ATTEMPTS [ITEMS "
		    "[SEED]]]\n");
		return (2);
	}
	fx_sim_config_default(&c, n, items, seed);
	c.share_preknowledge = 0.02;
	c.share_rapid = 0.01;
	c.share_copier = 0.01;
	c.missing_rate = 0.01;
	s = fx_sim_new(&c);
	key = calloc((size_t)items, 1);
	option = calloc((size_t)n * items, 1);
	if (key == NULL || option == NULL) {
		fprintf(stderr, "forensics-full: out of memory\n");
		return (1);
	}
	for (i = 0; i < items; i++)
		key[i] = (int8_t)s->key[i];
	for (x = 0; x < (size_t)n * items; x++)
		option[x] = s->option[x];
	memset(&d, 0, sizeof d);
	d.n_attempts = n;
	d.n_items = items;
	d.option = option;
	d.correct = s->u;
	d.time = s->t;
	d.key = key;
	forensics_run_options_default(&o);
	rss_sim = full_peak_rss();

	fprintf(stderr, "forensics-full: forensics_run on %d x %d\n", n, items);
	t0 = bench_now_s();
	if (forensics_run(&d, &o, &r, err, sizeof err) == -1) {
		fprintf(stderr, "forensics-full: %s\n", err);
		return (1);
	}
	sec = bench_now_s() - t0;

	printf("### Forensics: whole analysis, %d attempts x %d items\n\n", n,
	    items);
	printf("`forensics_run` (what `invigil review forensics` runs once the "
	    "store is read) on one form of a simulated exam (seed %llu: 2 %% "
	    "preknowledge, 1 %% rapid, 1 %% copiers, 1 %% missing), the "
	    "models calibrated from the data; peak RSS includes the exam "
	    "(%.1f MiB after simulating it).\n\n", seed, rss_sim);
	printf("| result | value |\n|---|---|\n");
	printf("| time, whole analysis | %.2f s (target < 120 s) |\n", sec);
	printf("| peak RSS | %.1f MiB |\n", full_peak_rss());
	full_print_found(s, &r);
	printf("\n");
	fprintf(stderr, "forensics-full: %d x %d: %.2f s, peak RSS %.1f MiB\n",
	    n, items, sec, full_peak_rss());
	forensics_report_free(&r);
	free(key);
	free(option);
	fx_sim_free(s);
	return (0);
}
