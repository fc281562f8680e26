/*
 * similar.c - answer similarity of every pair of attempts on one form: the
 * GBT of van der Linden & Sotaridona (2006) on identical incorrect answers,
 * with Bonferroni control over all pairs.  The contract is in forensics.h.
 *
 * The all-pairs loop is the cost: 5,000 attempts give 12.5 million pairs.
 * Per pair it does 16 popcounts (observed identical incorrect answers) and
 * one dot product of two float vectors of wrong-option probabilities (the
 * expected count); only the few pairs that pass the normal screen get the
 * exact recursion, in double.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forensics/forensics.h"
#include "proto/xmalloc.h"

typedef float v4sf __attribute__((vector_size(16)));

struct sim_work {
	const struct forensics_similar_input *in;
	int	 n_words;		/* 64-bit words per bitset */
	int	 n_wrong;		/* n_options - 1 */
	size_t	 stride;		/* floats per attempt, a multiple of 8 */
	double	*P;			/* [j * n_items + i]: P_i(theta_j) */
	double	*q;			/* [i * n_options + k]: distractor shares */
	float	*pw;			/* [j * stride + i * n_wrong + r]: wrong probs */
	float	*wmax;			/* [j]: largest wrong-option probability */
	uint64_t *wbits;		/* [(j * n_options + k) * n_words + w] */
	uint64_t *cbits;		/* [j * n_words + w]: correct answers */
	double	*pbuf, *work;		/* scratch for the exact recursion */
	struct forensics_similar_result *out;
	size_t	 cap;
	int	*n_partners;		/* [j] */
};

static void
sim_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

double
forensics_gbt_tail(const double *p, int n, int m, double *f)
{
	int	 i, c, top;
	double	 t;

	if (m <= 0)
		return (1.0);
	if (m > n)
		return (0.0);
	/* f[c] = P(c matches so far) for c < m; f[m] = P(at least m). */
	memset(f, 0, (size_t)(m + 1) * sizeof *f);
	f[0] = 1.0;
	top = 0;
	for (i = 0; i < n; i++) {
		f[m] += f[m - 1] * p[i];
		if (top < m)
			top++;
		for (c = (top < m ? top : m - 1); c > 0; c--)
			f[c] = f[c] * (1.0 - p[i]) + f[c - 1] * p[i];
		f[0] *= 1.0 - p[i];
	}
	t = f[m];
	if (t < DBL_MIN)
		t = DBL_MIN;
	return (t > 1.0 ? 1.0 : t);
}

/* Upper normal tail. */
static double
sim_normal_q(double z)
{
	return (0.5 * erfc(z / M_SQRT2));
}

/* z with sim_normal_q(z) = p, by bisection (called once). */
static double
sim_normal_q_inverse(double p)
{
	double	 lo = -40, hi = 40, mid;
	int	 i;

	for (i = 0; i < 200; i++) {
		mid = 0.5 * (lo + hi);
		if (sim_normal_q(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (0.5 * (lo + hi));
}

static float
sim_dot(const float *x, const float *y, size_t n)
{
	const v4sf	*vx = (const v4sf *)x, *vy = (const v4sf *)y;
	v4sf		 s0 = { 0, 0, 0, 0 }, s1 = { 0, 0, 0, 0 };
	size_t		 i;

	for (i = 0; i < n / 4; i += 2) {
		s0 += vx[i] * vy[i];
		s1 += vx[i + 1] * vy[i + 1];
	}
	s0 += s1;
	return (s0[0] + s0[1] + s0[2] + s0[3]);
}

/* Model probabilities, distractor shares and bitsets. */
static void
sim_prepare(struct sim_work *w)
{
	const struct forensics_similar_input *in = w->in;
	int	 j, i, k, r, no = in->n_options, ni = in->n_items;
	double	*count, tot;
	int8_t	 o;

	w->n_words = (ni + 63) / 64;
	w->n_wrong = no - 1;
	w->stride = ((size_t)ni * (size_t)w->n_wrong + 7) / 8 * 8;
	w->P = xreallocarray(NULL, (size_t)in->n_attempts * ni, sizeof *w->P);
	w->q = xcalloc((size_t)ni * no, sizeof *w->q);
	w->pw = xcalloc((size_t)in->n_attempts * w->stride, sizeof *w->pw);
	w->wmax = xcalloc((size_t)in->n_attempts, sizeof *w->wmax);
	w->wbits = xcalloc((size_t)in->n_attempts * no * w->n_words,
	    sizeof *w->wbits);
	w->cbits = xcalloc((size_t)in->n_attempts * w->n_words,
	    sizeof *w->cbits);

	/* Distractor shares among all wrong answers, add-0.5 smoothed. */
	count = xcalloc((size_t)ni * no, sizeof *count);
	for (j = 0; j < in->n_attempts; j++)
		for (i = 0; i < ni; i++) {
			o = in->option[(size_t)j * ni + i];
			if (o >= 0 && o < no && o != in->key[i] && in->key[i] >= 0)
				count[(size_t)i * no + o] += 1;
		}
	for (i = 0; i < ni; i++) {
		if (in->key[i] < 0)
			continue;
		tot = 0;
		for (k = 0; k < no; k++)
			if (k != in->key[i])
				tot += count[(size_t)i * no + k] + 0.5;
		for (k = 0; k < no; k++)
			if (k != in->key[i])
				w->q[(size_t)i * no + k] =
				    (count[(size_t)i * no + k] + 0.5) / tot;
	}
	free(count);

	for (j = 0; j < in->n_attempts; j++) {
		float	*row = w->pw + (size_t)j * w->stride, mx = 0;

		for (i = 0; i < ni; i++) {
			double	 P;

			P = 1.0 / (1.0 + exp(-in->a[i] * (in->theta[j] - in->b[i])));
			w->P[(size_t)j * ni + i] = P;
			o = in->option[(size_t)j * ni + i];
			if (in->key[i] < 0 || o < 0 || o >= no)
				continue;	/* zeros: the item drops out of every dot */
			for (k = 0, r = 0; k < no; k++) {
				if (k == in->key[i])
					continue;
				row[i * w->n_wrong + r] =
				    (float)((1 - P) * w->q[(size_t)i * no + k]);
				if (row[i * w->n_wrong + r] > mx)
					mx = row[i * w->n_wrong + r];
				r++;
			}
			if (o == in->key[i])
				w->cbits[(size_t)j * w->n_words + i / 64] |=
				    UINT64_C(1) << (i % 64);
			else
				w->wbits[((size_t)j * no + o) * w->n_words +
				    i / 64] |= UINT64_C(1) << (i % 64);
		}
		w->wmax[j] = mx;
	}
	w->pbuf = xreallocarray(NULL, (size_t)ni, sizeof *w->pbuf);
	w->work = xreallocarray(NULL, (size_t)ni + 2, sizeof *w->work);
}

/* Exact GBT for pair (j, l), j < l; m_ii the observed count. */
static void
sim_exact(struct sim_work *w, int j, int l, int m_ii)
{
	const struct forensics_similar_input *in = w->in;
	struct forensics_similar_result *out = w->out;
	struct forensics_pair *pr;
	int	 i, k, ni = in->n_items, no = in->n_options, n = 0, m_ic = 0;
	int8_t	 oj, ol;
	double	 p, p_adj, mu = 0, p_all;
	double	*pa;

	pa = xreallocarray(NULL, (size_t)ni, sizeof *pa);
	for (i = 0; i < ni; i++) {
		double	 pj = w->P[(size_t)j * ni + i], pl = w->P[(size_t)l * ni + i];
		double	 s = 0;

		oj = in->option[(size_t)j * ni + i];
		ol = in->option[(size_t)l * ni + i];
		if (in->key[i] < 0 || oj < 0 || ol < 0 || oj >= no || ol >= no)
			continue;
		for (k = 0; k < no; k++)
			if (k != in->key[i])
				s += (1 - pj) * (1 - pl) *
				    w->q[(size_t)i * no + k] * w->q[(size_t)i * no + k];
		w->pbuf[n] = s;
		pa[n] = s + pj * pl;
		mu += s;
		if (oj == ol && oj == in->key[i])
			m_ic++;
		n++;
	}
	p = forensics_gbt_tail(w->pbuf, n, m_ii, w->work);
	out->n_p_le[0] += p <= 0.05;
	out->n_p_le[1] += p <= 0.01;
	p_adj = p * (double)out->n_pairs;
	if (p_adj > 1)
		p_adj = 1;
	if (p < out->best_p[j]) {
		out->best_p[j] = p;
		out->best_partner[j] = l;
	}
	if (p < out->best_p[l]) {
		out->best_p[l] = p;
		out->best_partner[l] = j;
	}
	if (p_adj <= in->alpha) {
		p_all = forensics_gbt_tail(pa, n, m_ii + m_ic, w->work);
		if (out->n_significant == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 64;
			out->pairs = xreallocarray(out->pairs, w->cap,
			    sizeof *out->pairs);
		}
		pr = &out->pairs[out->n_significant++];
		pr->j = j;
		pr->k = l;
		pr->n_common = n;
		pr->identical_incorrect = m_ii;
		pr->identical_correct = m_ic;
		pr->expected_incorrect = mu;
		pr->p = p;
		pr->p_adjusted = p_adj;
		pr->p_all = p_all;
	}
	free(pa);
}

static int
sim_pair_cmp(const void *x, const void *y)
{
	const struct forensics_pair *a = x, *b = y;

	if (a->p != b->p)
		return (a->p < b->p ? -1 : 1);
	if (a->j != b->j)
		return (a->j < b->j ? -1 : 1);
	return (a->k < b->k ? -1 : a->k > b->k);
}

/* The pairs (idx[x], idx[y]), x < y < n, of one form. */
static void
sim_group(struct sim_work *w, const int *idx, int n, double z2)
{
	const int	 B = 64;
	int		 xb, yb, x, y, k, no = w->in->n_options;
	int		 nw = w->n_words;

	for (xb = 0; xb < n; xb += B)
	for (yb = xb; yb < n; yb += B)
	for (x = xb; x < xb + B && x < n; x++) {
		int		 j = idx[x];
		const float	*rj = w->pw + (size_t)j * w->stride;
		const uint64_t	*bj = w->wbits + (size_t)j * no * nw;

		for (y = (yb > x ? yb : x + 1); y < yb + B && y < n; y++) {
			int		 l = idx[y], m = 0, lo, hi;
			const uint64_t	*bl = w->wbits + (size_t)l * no * nw;
			double		 mu, pmax, d;

			for (k = 0; k < no * nw; k++)
				m += __builtin_popcountll(bj[k] & bl[k]);
			if (m == 0)
				continue;
			lo = j < l ? j : l;
			hi = j < l ? l : j;
			if (z2 < 0) {	/* no screen */
				w->out->n_exact++;
				sim_exact(w, lo, hi, m);
				continue;
			}
			mu = sim_dot(rj, w->pw + (size_t)l * w->stride,
			    w->stride);
			pmax = w->wmax[j] < w->wmax[l] ? w->wmax[j] : w->wmax[l];
			d = m - 0.5 - mu;
			/* var >= mu (1 - pmax); float rounding of mu is far
			 * inside the factor-100 margin of the screen. */
			if (d <= 0 || d * d < z2 * mu * (1 - pmax))
				continue;
			w->out->n_exact++;
			sim_exact(w, lo, hi, m);
		}
	}
}

int
forensics_similar(const struct forensics_similar_input *in,
    struct forensics_similar_result *out, char *err, size_t errlen)
{
	struct sim_work	 w;
	int		*order, *start, j, g, n_forms, max_group = 0;
	double		 z;

	memset(out, 0, sizeof *out);
	if (in->n_attempts < 0 || in->n_items <= 0 ||
	    in->n_options < 2 || in->n_options > FORENSICS_SIM_MAX_OPTIONS) {
		sim_error(err, errlen, "similarity: need items > 0 and 2..%d "
		    "options (got %d items, %d options)",
		    FORENSICS_SIM_MAX_OPTIONS, in->n_items, in->n_options);
		return (-1);
	}
	if (!(in->alpha > 0 && in->alpha < 1)) {
		sim_error(err, errlen, "similarity: alpha must lie in (0, 1), "
		    "got %g", in->alpha);
		return (-1);
	}
	for (j = 0; j < in->n_items; j++)
		if (in->key[j] >= in->n_options) {
			sim_error(err, errlen, "similarity: item %d has key %d "
			    "but only %d options", j, in->key[j], in->n_options);
			return (-1);
		}
	for (j = 0; j < in->n_attempts; j++)
		if (!isfinite(in->theta[j])) {
			sim_error(err, errlen, "similarity: attempt %d has no "
			    "finite theta", j);
			return (-1);
		}

	memset(&w, 0, sizeof w);
	w.in = in;
	w.out = out;
	out->best_partner = xreallocarray(NULL, (size_t)in->n_attempts + 1,
	    sizeof *out->best_partner);
	out->best_p = xreallocarray(NULL, (size_t)in->n_attempts + 1,
	    sizeof *out->best_p);
	out->best_p_adjusted = xreallocarray(NULL, (size_t)in->n_attempts + 1,
	    sizeof *out->best_p_adjusted);
	for (j = 0; j < in->n_attempts; j++) {
		out->best_partner[j] = -1;
		out->best_p[j] = 1;
	}

	/* Group attempts by form: a counting sort over form ids seen. */
	order = xreallocarray(NULL, (size_t)in->n_attempts + 1, sizeof *order);
	start = xreallocarray(NULL, (size_t)in->n_attempts + 2, sizeof *start);
	w.n_partners = xcalloc((size_t)in->n_attempts + 1, sizeof *w.n_partners);
	{
		int	*seen = xcalloc((size_t)in->n_attempts + 1, sizeof *seen);
		int	 x, y, n = 0;

		n_forms = 0;
		for (x = 0; x < in->n_attempts; x++) {
			if (seen[x])
				continue;
			start[n_forms++] = n;
			for (y = x; y < in->n_attempts; y++)
				if (!seen[y] && (in->form == NULL ||
				    in->form[y] == in->form[x])) {
					seen[y] = 1;
					order[n++] = y;
				}
			if (in->form == NULL)
				break;
		}
		start[n_forms] = n;
		free(seen);
	}
	for (g = 0; g < n_forms; g++) {
		int64_t	 sz = start[g + 1] - start[g];

		out->n_pairs += sz * (sz - 1) / 2;
		if (sz - 1 > max_group)
			max_group = (int)(sz - 1);
		for (j = start[g]; j < start[g + 1]; j++)
			w.n_partners[order[j]] = (int)(sz - 1);
	}
	out->threshold = out->n_pairs > 0 ? in->alpha / (double)out->n_pairs : 0;
	/* A factor 100 above the per-attempt Bonferroni level alpha / (n - 1),
	 * itself above the pair level alpha / n_pairs. */
	out->screen_p = max_group > 0 ? 100.0 * in->alpha / max_group : 1;
	if (out->screen_p > 0.05)
		out->screen_p = 0.05;
	z = in->no_screen ? -1 : sim_normal_q_inverse(out->screen_p);

	sim_prepare(&w);
	for (g = 0; g < n_forms; g++)
		sim_group(&w, order + start[g], start[g + 1] - start[g],
		    z < 0 ? -1 : z * z);
	qsort(out->pairs, out->n_significant, sizeof *out->pairs, sim_pair_cmp);
	for (j = 0; j < in->n_attempts; j++) {
		double	 pa = out->best_p[j] * (double)w.n_partners[j];

		out->best_p_adjusted[j] = pa > 1 || out->best_partner[j] < 0 ?
		    1 : pa;
	}

	free(order);
	free(start);
	free(w.n_partners);
	free(w.P);
	free(w.q);
	free(w.pw);
	free(w.wmax);
	free(w.wbits);
	free(w.cbits);
	free(w.pbuf);
	free(w.work);
	return (0);
}

void
forensics_similar_free(struct forensics_similar_result *r)
{
	free(r->pairs);
	free(r->best_partner);
	free(r->best_p);
	free(r->best_p_adjusted);
	memset(r, 0, sizeof *r);
}
