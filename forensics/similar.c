/*
 * similar.c - answer similarity of every pair of attempts on one form:
 * an exact generalized binomial test (van der Linden & Sotaridona 2006) on
 * the weighted match count S = 3 M_II + M_IC, with Bonferroni control over
 * all pairs.  The contract is in forensics.h.
 *
 * The all-pairs loop is the cost: 5,000 attempts give 12.5 million pairs.
 * Per pair it does popcounts (the observed identical answers) and one pass
 * of 4-wide float arithmetic over the items (the exact mean and variance
 * of S under independence); only the pairs that pass the normal screen get
 * the exact recursion, in double.
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
	size_t	 padded;		/* items rounded up to a multiple of 8 */
	size_t	 stride;		/* floats per attempt: n_options * padded */
	double	*P;			/* [j * n_items + i]: P_i(theta_j) */
	double	*q;			/* [i * n_options + k]: distractor shares */
	/* [j * stride + r * padded + i]: r = 0 the key's probability, r >= 1
	 * the r-th wrong option's; zero where j did not answer i. */
	float	*prob;
	uint64_t *wbits;		/* [(j * n_options + k) * n_words + w] */
	uint64_t *cbits;		/* [j * n_words + w]: correct answers */
	double	*pc, *pw, *work;	/* scratch for the exact recursion */
	struct forensics_similar_result *out;
	size_t	 cap;
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
forensics_match_tail(const double *pc, const double *pw, int n, int wc,
    int ww, int t, double *f)
{
	int	 i, s, top = 0, reach = 0;
	double	 r, stay;

	if (t <= 0)
		return (1.0);
	for (i = 0; i < n; i++) {
		int	 sc = pc != NULL && pc[i] > 0 ? wc : 0;
		int	 sw = pw[i] > 0 ? ww : 0;

		reach += sc > sw ? sc : sw;
	}
	if (reach < t)
		return (0.0);
	/* f[s] = P(S = s so far) for s < t; f[t] = P(S >= t). */
	memset(f, 0, (size_t)(t + 1) * sizeof *f);
	f[0] = 1.0;
	for (i = 0; i < n; i++) {
		double	 c = pc != NULL ? pc[i] : 0, w = pw[i];

		stay = 1.0 - c - w;
		if (stay < 0)
			stay = 0;
		/* Mass that crosses into the absorbing cell. */
		r = 0;
		for (s = top < t - 1 ? top : t - 1;
		    s >= 0 && s >= t - (wc > ww ? wc : ww); s--) {
			if (s + wc >= t)
				r += f[s] * c;
			if (s + ww >= t)
				r += f[s] * w;
		}
		f[t] += r;
		top = top + (wc > ww ? wc : ww);
		if (top > t - 1)
			top = t - 1;
		for (s = top; s >= 0; s--) {
			double	 v = f[s] * stay;

			if (s >= wc)
				v += f[s - wc] * c;
			if (s >= ww)
				v += f[s - ww] * w;
			f[s] = v;
		}
	}
	r = f[t];
	if (r < DBL_MIN)
		r = DBL_MIN;
	return (r > 1.0 ? 1.0 : r);
}

double
forensics_gbt_tail(const double *p, int n, int m, double *work)
{
	return (forensics_match_tail(NULL, p, n, 0, 1, m, work));
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

/*
 * The screen level for attempts with `partners` partners: a factor 100
 * above their per-attempt Bonferroni level alpha / partners, itself above
 * the pair level alpha / n_pairs; at most 0.05.
 */
static double
sim_screen_p(double alpha, int partners)
{
	double	 p = partners > 0 ? 100.0 * alpha / partners : 1;

	return (p > 0.05 ? 0.05 : p);
}

static float
sim_hsum(v4sf v)
{
	return (v[0] + v[1] + v[2] + v[3]);
}

/*
 * Exact mean and variance of S = WC M_IC + WW M_II for attempts x and y:
 * per item e_i = WC pc_i + WW pw_i and E S_i^2 = WC^2 pc_i + WW^2 pw_i.
 */
static void
sim_moments(const struct sim_work *w, const float *x, const float *y,
    double *mean, double *var)
{
	const v4sf	 wc = { FORENSICS_SIM_WC, FORENSICS_SIM_WC,
			    FORENSICS_SIM_WC, FORENSICS_SIM_WC };
	const v4sf	 ww = { FORENSICS_SIM_WW, FORENSICS_SIM_WW,
			    FORENSICS_SIM_WW, FORENSICS_SIM_WW };
	v4sf		 sm = { 0, 0, 0, 0 }, sq = sm, se = sm;
	size_t		 v, r, nv = w->padded / 4;
	int		 no = w->in->n_options;

	for (v = 0; v < nv; v++) {
		v4sf	 c, p, e;

		c = ((const v4sf *)x)[v] * ((const v4sf *)y)[v];
		p = ((const v4sf *)(x + w->padded))[v] *
		    ((const v4sf *)(y + w->padded))[v];
		for (r = 2; r < (size_t)no; r++)
			p += ((const v4sf *)(x + r * w->padded))[v] *
			    ((const v4sf *)(y + r * w->padded))[v];
		e = wc * c + ww * p;
		sm += e;
		sq += wc * wc * c + ww * ww * p;
		se += e * e;
	}
	*mean = sim_hsum(sm);
	*var = sim_hsum(sq) - sim_hsum(se);
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
	w->padded = ((size_t)ni + 7) / 8 * 8;
	w->stride = (size_t)no * w->padded;
	w->P = xreallocarray(NULL, (size_t)in->n_attempts * ni, sizeof *w->P);
	w->q = xcalloc((size_t)ni * no, sizeof *w->q);
	w->prob = xcalloc((size_t)in->n_attempts * w->stride + 1,
	    sizeof *w->prob);
	w->wbits = xcalloc((size_t)in->n_attempts * no * w->n_words + 1,
	    sizeof *w->wbits);
	w->cbits = xcalloc((size_t)in->n_attempts * w->n_words + 1,
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
		float	*row = w->prob + (size_t)j * w->stride;

		for (i = 0; i < ni; i++) {
			double	 P;

			P = 1.0 / (1.0 + exp(-in->a[i] * (in->theta[j] - in->b[i])));
			w->P[(size_t)j * ni + i] = P;
			o = in->option[(size_t)j * ni + i];
			if (in->key[i] < 0 || o < 0 || o >= no)
				continue;	/* zeros: the item drops out */
			row[i] = (float)P;
			for (k = 0, r = 1; k < no; k++) {
				if (k == in->key[i])
					continue;
				row[(size_t)r * w->padded + i] =
				    (float)((1 - P) * w->q[(size_t)i * no + k]);
				r++;
			}
			if (o == in->key[i])
				w->cbits[(size_t)j * w->n_words + i / 64] |=
				    UINT64_C(1) << (i % 64);
			else
				w->wbits[((size_t)j * no + o) * w->n_words +
				    i / 64] |= UINT64_C(1) << (i % 64);
		}
	}
	w->pc = xreallocarray(NULL, (size_t)ni + 1, sizeof *w->pc);
	w->pw = xreallocarray(NULL, (size_t)ni + 1, sizeof *w->pw);
	w->work = xreallocarray(NULL, (size_t)ni * FORENSICS_SIM_WW + 2,
	    sizeof *w->work);
}

/* Exact tails for pair (j, l), j < l, with observed counts. */
static void
sim_exact(struct sim_work *w, int j, int l, int m_ii, int m_ic)
{
	const struct forensics_similar_input *in = w->in;
	struct forensics_similar_result *out = w->out;
	struct forensics_pair *pr;
	int	 i, k, ni = in->n_items, no = in->n_options, n = 0;
	int8_t	 oj, ol;
	double	 p, p_adj, mu_w = 0, mu_c = 0;

	for (i = 0; i < ni; i++) {
		double	 pj = w->P[(size_t)j * ni + i], pl = w->P[(size_t)l * ni + i];
		double	 s = 0;

		oj = in->option[(size_t)j * ni + i];
		ol = in->option[(size_t)l * ni + i];
		if (in->key[i] < 0 || oj < 0 || ol < 0 || oj >= no || ol >= no)
			continue;
		for (k = 0; k < no; k++)
			if (k != in->key[i])
				s += w->q[(size_t)i * no + k] *
				    w->q[(size_t)i * no + k];
		w->pw[n] = (1 - pj) * (1 - pl) * s;
		w->pc[n] = pj * pl;
		mu_w += w->pw[n];
		mu_c += w->pc[n];
		n++;
	}
	p = forensics_match_tail(w->pc, w->pw, n, FORENSICS_SIM_WC,
	    FORENSICS_SIM_WW, FORENSICS_SIM_WC * m_ic + FORENSICS_SIM_WW * m_ii,
	    w->work);
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
	if (p_adj > in->alpha)
		return;
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
	pr->expected_incorrect = mu_w;
	pr->expected_correct = mu_c;
	pr->p = p;
	pr->p_adjusted = p_adj;
	pr->p_incorrect = forensics_gbt_tail(w->pw, n, m_ii, w->work);
}

static int
sim_pair_cmp(const void *a, const void *b)
{
	const struct forensics_pair *x = a, *y = b;

	if (x->p != y->p)
		return (x->p < y->p ? -1 : 1);
	if (x->j != y->j)
		return (x->j < y->j ? -1 : 1);
	return (x->k < y->k ? -1 : x->k > y->k);
}

/* The pairs (idx[x], idx[y]), x < y < n, of one form, in 64 x 64 tiles. */
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
		const float	*rj = w->prob + (size_t)j * w->stride;
		const uint64_t	*bj = w->wbits + (size_t)j * no * nw;
		const uint64_t	*cj = w->cbits + (size_t)j * nw;

		for (y = (yb > x ? yb : x + 1); y < yb + B && y < n; y++) {
			int		 l = idx[y], mw = 0, mc = 0;
			const uint64_t	*bl = w->wbits + (size_t)l * no * nw;
			const uint64_t	*cl = w->cbits + (size_t)l * nw;
			double		 mean, var, d;

			for (k = 0; k < no * nw; k++)
				mw += __builtin_popcountll(bj[k] & bl[k]);
			for (k = 0; k < nw; k++)
				mc += __builtin_popcountll(cj[k] & cl[k]);
			if (mw + mc == 0)
				continue;
			if (z2 >= 0) {
				sim_moments(w, rj, w->prob + (size_t)l *
				    w->stride, &mean, &var);
				d = FORENSICS_SIM_WC * mc + FORENSICS_SIM_WW *
				    mw - 0.5 - mean;
				if (d <= 0 || d * d < z2 * var)
					continue;
			}
			w->out->n_exact++;
			sim_exact(w, j < l ? j : l, j < l ? l : j, mw, mc);
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
	int		*n_partners;

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

	/* Group attempts by form: one pass per form (forms are few). */
	order = xreallocarray(NULL, (size_t)in->n_attempts + 1, sizeof *order);
	start = xreallocarray(NULL, (size_t)in->n_attempts + 2, sizeof *start);
	n_partners = xcalloc((size_t)in->n_attempts + 1, sizeof *n_partners);
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
			n_partners[order[j]] = (int)(sz - 1);
	}
	out->threshold = out->n_pairs > 0 ? in->alpha / (double)out->n_pairs : 0;
	out->screen_p = sim_screen_p(in->alpha, max_group);

	sim_prepare(&w);
	for (g = 0; g < n_forms; g++) {
		int	 sz = start[g + 1] - start[g];

		/* Per form: a small form's attempts have fewer partners, so a
		 * higher per-attempt level, so a higher screen level. */
		z = in->no_screen || sz < 2 ? -1 :
		    sim_normal_q_inverse(sim_screen_p(in->alpha, sz - 1));
		sim_group(&w, order + start[g], sz, z < 0 ? -1 : z * z);
	}
	if (out->n_significant > 0)
		qsort(out->pairs, out->n_significant, sizeof *out->pairs,
		    sim_pair_cmp);
	for (j = 0; j < in->n_attempts; j++) {
		double	 pa = out->best_p[j] * (double)n_partners[j];

		if (out->best_partner[j] < 0)
			out->best_p[j] = out->best_p_adjusted[j] = NAN;
		else
			out->best_p_adjusted[j] = pa > 1 ? 1 : pa;
	}

	free(order);
	free(start);
	free(n_partners);
	free(w.P);
	free(w.q);
	free(w.prob);
	free(w.pc);
	free(w.pw);
	free(w.wbits);
	free(w.cbits);
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
