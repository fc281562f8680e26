/*
 * combine.c - from many indices to one decision per attempt with error
 * control over the exam: the Cauchy combination of an attempt's p-values
 * (Liu & Xie 2020), Benjamini-Hochberg q-values (1995) over the attempts,
 * and roll-ups by a group key (centre, date).  Contracts in forensics.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

#define PI	3.14159265358979323846

/* tan((0.5 - p) pi), accurate for p near 0 (where it is ~1 / (p pi));
 * 0, the null median, for a p of exactly 1 (why: forensics.h). */
static double
cauchy_term(double p)
{
	if (p >= 1)
		return 0;
	if (p < 1e-300)
		p = 1e-300;
	if (p > 1 - 1e-12)
		p = 1 - 1e-12;
	if (p < 1e-15)
		return 1 / (p * PI);
	return tan((0.5 - p) * PI);
}

double
forensics_combine_p(const double *p, int m, enum forensics_combine_method how)
{
	double t = 0, mn = INFINITY, r;
	int k, used = 0;

	for (k = 0; k < m; k++) {
		if (isnan(p[k]))
			continue;
		used++;
		if (p[k] < mn)
			mn = p[k];
		t += cauchy_term(p[k]);
	}
	if (used == 0)
		return NAN;
	if (how == FORENSICS_COMBINE_BONFERRONI) {
		r = used * mn;
		return r > 1 ? 1 : r;
	}
	t /= used;
	/* 0.5 - arctan(t) / pi, with the large-t tail kept accurate. */
	if (t > 1e15)
		return 1 / (t * PI);
	r = 0.5 - atan(t) / PI;
	return r < 0 ? 0 : r;
}

void
forensics_combine_persons(struct forensics_person *pp, int n,
    const double *extra, int n_extra, enum forensics_combine_method how)
{
	double	p[3 + FORENSICS_COMBINE_EXTRA_MAX];
	int	j, k;

	if (extra == NULL || n_extra < 0)
		n_extra = 0;
	if (n_extra > FORENSICS_COMBINE_EXTRA_MAX)
		n_extra = FORENSICS_COMBINE_EXTRA_MAX;
	for (j = 0; j < n; j++) {
		p[0] = pp[j].lz_p;
		p[1] = pp[j].rt_fit_p;
		p[2] = pp[j].pk_p;
		for (k = 0; k < n_extra; k++)
			p[3 + k] = extra[(size_t)j * n_extra + k];
		pp[j].combined_p = forensics_combine_p(p, 3 + n_extra, how);
	}
}

struct bh_item {
	double	p;
	int	at;
};

static int
bh_cmp(const void *x, const void *y)
{
	const struct bh_item *a = x, *b = y;

	if (a->p < b->p)
		return -1;
	if (a->p > b->p)
		return 1;
	return a->at - b->at;
}

void
forensics_bh(const double *p, int n, double *q)
{
	struct bh_item *s = xcalloc(n, sizeof *s);
	double run = 1;
	int j, m = 0;

	for (j = 0; j < n; j++) {
		q[j] = NAN;
		if (!isnan(p[j])) {
			s[m].p = p[j];
			s[m].at = j;
			m++;
		}
	}
	qsort(s, m, sizeof *s, bh_cmp);
	for (j = m - 1; j >= 0; j--) {
		double v = s[j].p * m / (j + 1);

		if (v < run)
			run = v;
		q[s[j].at] = run;
	}
	free(s);
}

static int
int_cmp(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return (a > b) - (a < b);
}

int
forensics_rollup(const int *key, int n, const unsigned char *flagged,
    const double *values, int n_values, struct forensics_rollup **out)
{
	struct forensics_rollup *g;
	int *keys = xcalloc(n, sizeof *keys), count = 0, j, k, lo, hi, mid;

	memcpy(keys, key, n * sizeof *keys);
	qsort(keys, n, sizeof *keys, int_cmp);
	for (j = 0; j < n; j++)
		if (j == 0 || keys[j] != keys[j - 1])
			keys[count++] = keys[j];
	g = xcalloc(count, sizeof *g);
	for (k = 0; k < count; k++) {
		g[k].key = keys[k];
		g[k].mean = xcalloc(n_values, sizeof *g[k].mean);
		g[k].n_mean = xcalloc(n_values, sizeof *g[k].n_mean);
	}
	for (j = 0; j < n; j++) {
		lo = 0;
		hi = count - 1;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (keys[mid] < key[j])
				lo = mid + 1;
			else
				hi = mid;
		}
		g[lo].n++;
		if (flagged != NULL && flagged[j])
			g[lo].n_flagged++;
		for (k = 0; k < n_values; k++) {
			double v = values[(size_t)j * n_values + k];

			if (isnan(v))
				continue;
			g[lo].mean[k] += v;
			g[lo].n_mean[k]++;
		}
	}
	for (k = 0; k < count; k++) {
		int v;

		g[k].share_flagged = (double)g[k].n_flagged / g[k].n;
		for (v = 0; v < n_values; v++)
			g[k].mean[v] = g[k].n_mean[v] ?
			    g[k].mean[v] / g[k].n_mean[v] : NAN;
	}
	free(keys);
	*out = g;
	return count;
}

void
forensics_rollup_free(struct forensics_rollup *g, int count)
{
	int k;

	if (g == NULL)
		return;
	for (k = 0; k < count; k++) {
		free(g[k].mean);
		free(g[k].n_mean);
	}
	free(g);
}
