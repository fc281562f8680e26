/*
 * changes.c - answer changes: the erasure detection index EDI (Wollack,
 * Cohen & Eckerly 2015).  Which items were changed is the caller's
 * business (run.c from the data, the command from repeated answer
 * messages or the `changed` count of the stream); here only the
 * statistic.  Contract in forensics.h.
 */
#include <math.h>
#include <stdlib.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

void
forensics_edi(const struct forensics_irt *irt, const signed char *row,
    const signed char *changed, struct forensics_edi *out)
{
	struct forensics_theta	 th;
	unsigned char		*use;
	double			 var = 0;
	int			 i, n = irt->n_items;

	out->n_changed = out->n_unchanged = 0;
	out->theta = out->edi = out->p = NAN;
	out->observed = out->expected = 0;
	use = xcalloc(n > 0 ? n : 1, 1);
	for (i = 0; i < n; i++) {
		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK)
			continue;
		if (changed != NULL && changed[i] > 0)
			out->n_changed++;
		else {
			use[i] = 1;
			out->n_unchanged++;
		}
	}
	if (out->n_changed == 0 || out->n_unchanged == 0) {
		free(use);
		return;
	}
	forensics_irt_theta(irt, row, use, FORENSICS_THETA_MLE, &th);
	free(use);
	out->theta = th.theta;
	for (i = 0; i < n; i++) {
		double p;

		if (row[i] < 0 || irt->status[i] != FORENSICS_ITEM_OK ||
		    changed[i] <= 0)
			continue;
		p = 1 / (1 + exp(-(irt->a[i] * th.theta + irt->d[i])));
		out->observed += row[i] > 0;
		out->expected += p;
		var += p * (1 - p);
	}
	if (var <= 0)
		return;
	out->edi = (out->observed - out->expected - 0.5) / sqrt(var);
	out->p = forensics_norm_sf(out->edi);
}
