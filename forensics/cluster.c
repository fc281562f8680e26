/*
 * cluster.c - collusion clusters: connected components of the graph of
 * significant similarity pairs (union-find), and what each cluster's
 * members share besides their answers.  The contract is in forensics.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

static int
cl_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];	/* path halving */
		x = parent[x];
	}
	return (x);
}

static void
cl_union(int *parent, int *size, int x, int y)
{
	x = cl_find(parent, x);
	y = cl_find(parent, y);
	if (x == y)
		return;
	if (size[x] < size[y]) {
		int t = x;
		x = y;
		y = t;
	}
	parent[y] = x;
	size[x] += size[y];
}

static int
cl_cmp_i64(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* The most common positive value in v[0..n) and its count (0 if none). */
static int
cl_mode(int64_t *v, int n, int64_t *value)
{
	int	 i, run, best = 0, known = 0;

	*value = 0;
	for (i = 0; i < n; i++)
		if (v[i] > 0)
			v[known++] = v[i];
	qsort(v, (size_t)known, sizeof *v, cl_cmp_i64);
	for (i = 0; i < known; i += run) {
		for (run = 1; i + run < known && v[i + run] == v[i]; run++)
			;
		if (run > best) {
			best = run;
			*value = v[i];
		}
	}
	return (best);
}

static void
cl_shared(struct forensics_cluster *c, const struct forensics_cluster_keys *k)
{
	int64_t	*v = xreallocarray(NULL, (size_t)c->n_members, sizeof *v);
	int64_t	 val;
	int	 i, x, known;

	if (k == NULL) {
		free(v);
		return;
	}
	if (k->ip24 != NULL) {
		for (i = 0; i < c->n_members; i++)
			v[i] = k->ip24[c->members[i]];
		c->shared_ip24 = cl_mode(v, c->n_members, &val);
		c->ip24 = (uint32_t)val;
	}
	if (k->device != NULL) {
		for (i = 0; i < c->n_members; i++)
			v[i] = k->device[c->members[i]];
		c->shared_device = cl_mode(v, c->n_members, &c->device);
	}
	if (k->center != NULL) {
		for (i = 0; i < c->n_members; i++)
			v[i] = k->center[c->members[i]];
		c->shared_center = cl_mode(v, c->n_members, &c->center);
	}
	if (k->start != NULL) {
		for (i = 0, known = 0; i < c->n_members; i++)
			if (k->start[c->members[i]] > 0)
				v[known++] = k->start[c->members[i]];
		qsort(v, (size_t)known, sizeof *v, cl_cmp_i64);
		/* Largest group inside one window: two pointers. */
		for (i = 0, x = 0; i < known; i++) {
			while (v[i] - v[x] > k->window)
				x++;
			if (i - x + 1 > c->shared_start)
				c->shared_start = i - x + 1;
		}
		c->start_span = known > 0 ? v[known - 1] - v[0] : 0;
	}
	free(v);
}

static int
cl_cluster_cmp(const void *a, const void *b)
{
	const struct forensics_cluster *x = a, *y = b;

	if (x->n_members != y->n_members)
		return (x->n_members > y->n_members ? -1 : 1);
	if (x->min_p_adjusted != y->min_p_adjusted)
		return (x->min_p_adjusted < y->min_p_adjusted ? -1 : 1);
	return (x->members[0] < y->members[0] ? -1 : 1);
}

int
forensics_clusters(int n_attempts, const struct forensics_pair *pairs,
    size_t n_pairs, const struct forensics_cluster_keys *keys,
    struct forensics_cluster_result *out, char *err, size_t errlen)
{
	int	*parent, *size, *slot, j, r;
	size_t	 e, nc = 0, c;

	memset(out, 0, sizeof *out);
	if (n_attempts < 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "clusters: negative attempt count");
		return (-1);
	}
	for (e = 0; e < n_pairs; e++)
		if (pairs[e].j < 0 || pairs[e].j >= n_attempts ||
		    pairs[e].k < 0 || pairs[e].k >= n_attempts) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen, "clusters: pair %zu names "
				    "attempt %d/%d outside 0..%d", e, pairs[e].j,
				    pairs[e].k, n_attempts - 1);
			return (-1);
		}

	parent = xreallocarray(NULL, (size_t)n_attempts + 1, sizeof *parent);
	size = xreallocarray(NULL, (size_t)n_attempts + 1, sizeof *size);
	slot = xreallocarray(NULL, (size_t)n_attempts + 1, sizeof *slot);
	out->cluster_of = xreallocarray(NULL, (size_t)n_attempts + 1,
	    sizeof *out->cluster_of);
	for (j = 0; j < n_attempts; j++) {
		parent[j] = j;
		size[j] = 1;
		slot[j] = -1;
	}
	for (e = 0; e < n_pairs; e++)
		cl_union(parent, size, pairs[e].j, pairs[e].k);

	/* One cluster per root of size >= 2. */
	for (j = 0; j < n_attempts; j++)
		if (cl_find(parent, j) == j && size[j] >= 2)
			slot[j] = (int)nc++;
	out->clusters = xcalloc(nc + 1, sizeof *out->clusters);
	out->n_clusters = nc;
	for (j = 0; j < n_attempts; j++)
		if (slot[j] >= 0) {
			out->clusters[slot[j]].members = xreallocarray(NULL,
			    (size_t)size[j], sizeof (int));
			out->clusters[slot[j]].min_p_adjusted = 1;
		}
	for (j = 0; j < n_attempts; j++) {
		struct forensics_cluster *cl;

		r = slot[cl_find(parent, j)];
		if (r < 0)
			continue;
		cl = &out->clusters[r];
		cl->members[cl->n_members++] = j;	/* ascending j */
	}
	for (e = 0; e < n_pairs; e++) {
		struct forensics_cluster *cl;

		cl = &out->clusters[slot[cl_find(parent, pairs[e].j)]];
		cl->n_pairs++;
		if (pairs[e].p_adjusted < cl->min_p_adjusted)
			cl->min_p_adjusted = pairs[e].p_adjusted;
	}
	for (c = 0; c < nc; c++)
		cl_shared(&out->clusters[c], keys);
	qsort(out->clusters, nc, sizeof *out->clusters, cl_cluster_cmp);
	for (j = 0; j < n_attempts; j++)
		out->cluster_of[j] = -1;
	for (c = 0; c < nc; c++)
		for (r = 0; r < out->clusters[c].n_members; r++)
			out->cluster_of[out->clusters[c].members[r]] = (int)c;

	free(parent);
	free(size);
	free(slot);
	return (0);
}

void
forensics_clusters_free(struct forensics_cluster_result *r)
{
	size_t	 c;

	for (c = 0; c < r->n_clusters; c++)
		free(r->clusters[c].members);
	free(r->clusters);
	free(r->cluster_of);
	memset(r, 0, sizeof *r);
}
