/*
 * fx-rasch-dump.c - helper of tests/fx-rasch-compare.sh: simulates a Rasch
 * exam with tests/fx-sim.c (all slopes 1, b ~ N(0, 1), theta ~ N(0, 1)),
 * writes the responses as CSV (persons in rows, items i1..in; complete:
 * eRm's CML splits persons by missing pattern and becomes very slow) to
 * argv[1], and forensics_irt_calibrate's Rasch difficulties
 * (-d_i, the logit scale with theta' ~ N(0, sigma^2)) with the true b to
 * argv[2] as "item,true_b,invigil_b".  Not a test by itself.
 */
#include <stdio.h>
#include <stdlib.h>

#include "forensics/forensics.h"
#include "tests/fx-sim.h"

int
main(int argc, char **argv)
{
	struct fx_sim_config c;
	struct forensics_irt_options o;
	struct forensics_irt irt;
	struct fx_sim *s;
	double *ones;
	char err[256];
	FILE *f;
	int n = 1000, m = 30, i, j;

	if (argc != 3) {
		fprintf(stderr, "usage: fx-rasch-dump responses.csv ours.csv\n");
		return 2;
	}
	ones = calloc(m, sizeof *ones);
	for (i = 0; i < m; i++)
		ones[i] = 1;
	fx_sim_config_default(&c, n, m, 314159);
	c.fixed_a = ones;
	s = fx_sim_new(&c);
	if ((f = fopen(argv[1], "w")) == NULL)
		return 1;
	for (i = 0; i < m; i++)
		fprintf(f, "%si%d", i ? "," : "", i + 1);
	fprintf(f, "\n");
	for (j = 0; j < n; j++)
		for (i = 0; i < m; i++) {
			int v = s->u[j * m + i];

			if (v < 0)
				fprintf(f, "NA");
			else
				fprintf(f, "%d", v);
			fprintf(f, "%s", i == m - 1 ? "\n" : ",");
		}
	fclose(f);
	forensics_irt_options_default(&o);
	o.rasch = 1;
	if (forensics_irt_calibrate(s->u, n, m, &o, &irt, err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((f = fopen(argv[2], "w")) == NULL)
		return 1;
	fprintf(f, "item,true_b,invigil_b\n");
	for (i = 0; i < m; i++)
		fprintf(f, "i%d,%.6f,%.6f\n", i + 1, s->b[i], -irt.d[i]);
	fclose(f);
	fprintf(stderr, "invigil Rasch: %d EM cycles, converged %d, sigma "
	    "%.4f\n", irt.cycles, irt.converged, irt.sigma);
	forensics_irt_free(&irt);
	fx_sim_free(s);
	free(ones);
	return 0;
}
