/*
 * forensics-pairs.c - times forensics_similar() on all pairs of one form:
 * by default 5,000 attempts x 200 items (12,497,500 pairs), target < 60 s
 * at -O2 on this machine (issue 14).  The exam comes from the seeded test
 * simulator (tests/fx-sim.c): honest attempts and 1 % copiers (each copies
 * U(0.2, 0.4) of a source's answers); the 2PL parameters are the true
 * ones and theta irt.c's bounded MLE from each attempt's answers (as the
 * caller would give it).  The time covers
 * forensics_similar() and
 * forensics_clusters() (model probabilities, bitsets, all pairs, exact
 * tails of the survivors), not the simulation.
 *
 * Prints a Markdown section on stdout (bench/run appends it to
 * bench/results.md) and asserts nothing about time.
 *
 * usage: forensics-pairs [ATTEMPTS [ITEMS [SEED]]]
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forensics/forensics.h"
#include "tests/fx-sim.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

int
main(int argc, char **argv)
{
	struct fx_sim_config	 c;
	struct fx_sim		*s;
	struct forensics_similar_input in;
	struct forensics_similar_result res;
	struct forensics_cluster_result cl;
	int			 n = argc > 1 ? atoi(argv[1]) : 5000;
	int			 items = argc > 2 ? atoi(argv[2]) : 200;
	unsigned long long	 seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 14;
	int8_t			*key;
	char			 err[256];
	double			 t0, t1, t2, *theta;
	size_t			 e;
	int			 i, j, copiers = 0, found = 0, att01 = 0;

	if (n < 2 || items < 1) {
		fprintf(stderr, "usage: forensics-pairs [ATTEMPTS [ITEMS "
		    "[SEED]]]\n");
		return (2);
	}
	fx_sim_config_default(&c, n, items, seed);
	c.share_copier = 0.01;
	s = fx_sim_new(&c);
	key = malloc((size_t)items);
	if (key == NULL)
		return (1);
	for (i = 0; i < items; i++)
		key[i] = (int8_t)s->key[i];
	memset(&in, 0, sizeof in);
	in.n_attempts = n;
	in.n_items = items;
	in.n_options = s->n_options;
	in.option = s->option;
	in.key = key;
	theta = malloc((size_t)n * sizeof *theta);
	if (theta == NULL)
		return (1);
	fx_sim_theta_mle(s, theta);
	in.theta = theta;
	in.a = s->a;
	in.b = s->b;
	in.alpha = 0.05;

	t0 = now();
	if (forensics_similar(&in, &res, err, sizeof err) == -1) {
		fprintf(stderr, "forensics-pairs: %s\n", err);
		return (1);
	}
	t1 = now();
	if (forensics_clusters(n, res.pairs, res.n_significant, NULL, &cl,
	    err, sizeof err) == -1) {
		fprintf(stderr, "forensics-pairs: %s\n", err);
		return (1);
	}
	t2 = now();

	for (e = 0; e < res.n_significant; e++) {
		int	 a = res.pairs[e].j, b = res.pairs[e].k;

		found += s->source[a] == b || s->source[b] == a;
	}
	for (j = 0; j < n; j++)
		if (s->profile[j] == FX_SIM_COPIER) {
			copiers++;
			att01 += res.best_p_adjusted[j] <= 0.01 &&
			    res.best_partner[j] == s->source[j];
		}

	printf("### Forensics: all pairs, %d attempts x %d items\n\n", n, items);
	printf("forensics_similar (weighted GBT 3 M_II + M_IC, Bonferroni 0.05 "
	    "over all pairs) and forensics_clusters on one form; simulated "
	    "exam, seed %llu, %d copiers (20-40 %% copied).\n\n", seed, copiers);
	printf("| measure | value |\n|---|---|\n");
	printf("| pairs | %lld |\n", (long long)res.n_pairs);
	printf("| pairs past the normal screen (exact tail) | %lld |\n",
	    (long long)res.n_exact);
	printf("| screen level | %.3g |\n", res.screen_p);
	printf("| significant pairs | %zu (%d copier-source) |\n",
	    res.n_significant, found);
	for (e = 0; e < res.n_significant; e++) {
		int	 a = res.pairs[e].j, b = res.pairs[e].k;

		if (s->source[a] != b && s->source[b] != a)
			fprintf(stderr, "forensics-pairs: other pair %d "
			    "(profile %d) %d (profile %d) p_adj %.3g\n", a,
			    s->profile[a], b, s->profile[b],
			    res.pairs[e].p_adjusted);
	}
	printf("| clusters | %zu |\n", cl.n_clusters);
	printf("| copiers found per attempt at 0.01 | %d of %d |\n", att01,
	    copiers);
	printf("| time, all pairs | %.2f s |\n", t1 - t0);
	printf("| time, clusters | %.3f s |\n", t2 - t1);
	printf("\n");
	fprintf(stderr, "forensics-pairs: %d x %d: %.2f s\n", n, items, t1 - t0);

	forensics_clusters_free(&cl);
	forensics_similar_free(&res);
	free(key);
	free(theta);
	fx_sim_free(s);
	return (0);
}
