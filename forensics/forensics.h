/*
 * forensics.h - data forensics for analysts: calibrated response and
 * response-time models, person indices with p-values, and their
 * combination with error control.  Pure computation: arrays in, results
 * out; no SQLite, no I/O, no printing.  Depends on libm and
 * proto/xmalloc.h (results are allocated with xmalloc and freed by the
 * matching _free function; out-of-memory aborts).
 *
 * The formulas and their sources are collected in FORENSICS.md; each
 * function below names its own.
 *
 * Conventions for every function here:
 *   - Data are person-major matrices: element (j, i) of n_persons x n_items
 *     is at [j * n_items + i].
 *   - Responses u: 1 correct, 0 wrong, FORENSICS_MISSING (-1) not answered.
 *     A missing response is left out of every sum (it is not scored wrong).
 *   - Times t in seconds; a time <= 0 or not finite is missing and left out
 *     of every sum over that person's and that item's times.
 *   - A p-value is the probability, under the model and with the item
 *     parameters taken as known, of a value at least as extreme in the
 *     aberrant direction (small = aberrant).  NAN = not computable (too
 *     few data), never 0 or 1 in its place.  An index is evidence for a
 *     human review, never proof.
 *
 * What each part returns:
 *   stats.c    normal and chi-square CDFs and quantiles; quadrature nodes.
 *   irt.c      2PL (or Rasch) item calibration by MML/EM (Bock-Aitkin);
 *              ability by EAP (with PSD) or bounded MLE/WLE (with SE).
 *   rt.c       van der Linden's lognormal response-time model: beta,
 *              alpha per item, tau and Var(tau) per person.
 *   person.c   lz* (Snijders), response-time fit l_t and the share of
 *              aberrantly fast responses, rapid guessing (Wise & Ma),
 *              preknowledge with a known list (Sinharay's L_S, z_tau and
 *              their Stouffer combination) or with a list estimated from
 *              the data (excess fast correct responses per item, each
 *              person scored on a leave-one-out list).
 *   combine.c  one p per attempt (Cauchy combination, Liu & Xie 2020),
 *              Benjamini-Hochberg q-values, roll-ups by a group key.
 */
#ifndef INVIGIL_FORENSICS_H
#define INVIGIL_FORENSICS_H

#include <stddef.h>

#define FORENSICS_MISSING	(-1)

/* ------------------------------------------------------------------ */
/* stats.c: distributions and quadrature                               */
/* ------------------------------------------------------------------ */

/* Standard normal CDF Phi(x), upper tail 1 - Phi(x) (accurate in the tail),
 * and the quantile Phi^-1(p) for 0 < p < 1 (+-INFINITY at 0 and 1, NAN
 * outside).  Quantile: Acklam's rational approximation refined by one
 * Halley step against erfc (relative error < 1e-14). */
double	forensics_norm_cdf(double x);
double	forensics_norm_sf(double x);
double	forensics_norm_quantile(double p);

/* Regularised incomplete gamma P(s, x) and Q(s, x) = 1 - P (series for
 * x < s + 1, Lentz continued fraction otherwise; relative error ~1e-14). */
double	forensics_gamma_p(double s, double x);
double	forensics_gamma_q(double s, double x);

/* Chi-square with df > 0 degrees of freedom: CDF, upper tail, quantile
 * (Wilson-Hilferty start, safeguarded Newton; NAN for p outside (0, 1)). */
double	forensics_chi2_cdf(double x, double df);
double	forensics_chi2_sf(double x, double df);
double	forensics_chi2_quantile(double p, double df);

enum forensics_quadrature {
	FORENSICS_QUAD_EQUAL = 0,	/* K equally spaced on [-5, 5], A_k
					   proportional to phi(X_k) */
	FORENSICS_QUAD_HERMITE		/* Gauss-Hermite for N(0, 1) */
};

/* K >= 2 nodes and weights (summing to 1) for expectations under N(0, 1).
 * Gauss-Hermite: Newton on the orthonormal Hermite recurrence (Golub &
 * Welsch's nodes; K <= 200).  Returns 0, or -1 for a K out of range. */
int	forensics_quadrature(enum forensics_quadrature, int k, double *nodes,
	    double *weights);

/* ------------------------------------------------------------------ */
/* irt.c: 2PL calibration and ability                                  */
/* ------------------------------------------------------------------ */

enum forensics_item_status {
	FORENSICS_ITEM_OK = 0,
	FORENSICS_ITEM_NO_DATA,		/* nobody answered it */
	FORENSICS_ITEM_ALL_CORRECT,	/* no variance: left out */
	FORENSICS_ITEM_ALL_WRONG	/* no variance: left out */
};

struct forensics_irt_options {
	enum forensics_quadrature quadrature;	/* FORENSICS_QUAD_EQUAL */
	int	n_nodes;	/* 41 */
	double	prior_log_a_sd;	/* log a ~ N(0, sd^2); 0.5; 0 = no prior */
	int	rasch;		/* 1: all slopes equal (one common slope
				   estimated = SD of theta on the logit
				   scale, see below); 0: 2PL */
	double	tolerance;	/* largest parameter change: 1e-4 */
	int	max_cycles;	/* EM cycles: 500 */
};

/*
 * Item parameters of one form: P_i(theta) = 1 / (1 + exp(-(a_i theta +
 * d_i))), b_i = -d_i / a_i, theta ~ N(0, 1).  Items left out (status !=
 * OK) have a = d = b = NAN and take no part in anything that uses them.
 * With rasch = 1 every a_i equals one common slope `sigma`: the Rasch
 * model with theta' = sigma * theta ~ N(0, sigma^2) and Rasch difficulty
 * -d_i (what CML and GLMM Rasch fits report).
 */
struct forensics_irt {
	int	 n_items;
	double	*a, *d, *b;
	int	*status;	/* enum forensics_item_status */
	int	*n_answered;	/* responses per item */
	double	*p_correct;	/* observed share correct (NAN: none) */
	int	 n_left_out;
	double	 sigma;		/* rasch: common slope; 2PL: 1 */
	/* How the EM ended: cycles run, converged (largest change <
	   tolerance) or stopped at max_cycles, the last largest change, and
	   the marginal log-likelihood at the last E-step. */
	int	 cycles;
	int	 converged;
	double	 last_change;
	double	 loglik;
	/* The quadrature used. */
	int	 n_nodes;
	double	*nodes, *weights;
};

void	forensics_irt_options_default(struct forensics_irt_options *);

/*
 * forensics_irt_calibrate - marginal maximum likelihood for the 2PL by
 * Bock & Aitkin's (1981) EM.  E-step in log space: log L_j(X_k) = sum over
 * answered i of u log P_i(X_k) + (1 - u) log Q_i(X_k); posterior w_jk
 * proportional to L_j(X_k) A_k; expected counts n_ik, r_ik.  M-step per
 * item: Newton on (d, a) with gradient sum_k (r_ik - n_ik P_ik)(1, X_k),
 * Hessian -sum_k n_ik P_ik Q_ik [[1, X], [X, X^2]] plus the prior on log a,
 * steps bounded to 1 in each parameter and a kept in [0.05, 10].  Stops
 * when the largest change < tolerance or after max_cycles (reported in
 * out->converged / cycles, never silently).
 * Assumes: unidimensional theta ~ N(0, 1); responses missing at random.
 * One form per call: calibrate forms with different item sets separately.
 * Items with no variance or no responses are reported in status and left
 * out.  Fills *out (free with forensics_irt_free).  Returns 0, or -1 with
 * a sentence in err when nothing can be calibrated (no persons, no item
 * with variance).
 */
int	forensics_irt_calibrate(const signed char *u, int n_persons,
	    int n_items, const struct forensics_irt_options *,
	    struct forensics_irt *out, char *err, size_t errlen);

/* Known parameters (a, b; a NULL a means all slopes 1) as a calibrated
 * struct: for tests and for item banks.  Free with forensics_irt_free. */
void	forensics_irt_from_params(struct forensics_irt *out, int n_items,
	    const double *a, const double *b);
void	forensics_irt_free(struct forensics_irt *);

/* EAP ability and its posterior SD on the calibration's quadrature
 * (Bock & Mislevy 1982): theta_j = sum_k X_k w_jk, PSD^2 = sum_k (X_k -
 * theta_j)^2 w_jk.  A person with no answered item gets the prior (0, 1). */
void	forensics_irt_eap(const struct forensics_irt *, const signed char *u,
	    int n_persons, double *theta, double *psd);

enum forensics_theta_method {
	FORENSICS_THETA_MLE = 0,	/* sum_i a_i (u_i - P_i) = 0 */
	FORENSICS_THETA_WLE		/* Warm (1989): + J / (2 I) */
};

struct forensics_theta {
	double	theta;		/* in [-4, 4] */
	double	se;		/* 1 / sqrt(I(theta)); NAN with no items */
	int	n_used;		/* answered items used */
	int	score;		/* correct among them */
	int	iterations;
	int	at_bound;	/* 1: theta hit -4 or 4 (e.g. perfect or zero
				   score under MLE, which has no finite MLE) */
};

/* Ability of one person (u_row: n_items responses) from the items with
 * use[i] != 0 (use NULL: all) that are answered and not left out; Newton
 * with steps bounded to 1, clamped to [-4, 4], at most 100 iterations. */
void	forensics_irt_theta(const struct forensics_irt *,
	    const signed char *u_row, const unsigned char *use,
	    enum forensics_theta_method, struct forensics_theta *out);

/* ------------------------------------------------------------------ */
/* rt.c: van der Linden's lognormal response-time model                */
/* ------------------------------------------------------------------ */

struct forensics_rt_options {
	double	tolerance;	/* largest parameter change: 1e-5 */
	int	max_cycles;	/* 500, over both passes */
	double	trim_z;		/* second pass without |z| > trim_z: 4; 0 =
				   one pass */
};

/*
 * ln t_ij ~ N(beta_i - tau_j, 1 / alpha_i^2) (van der Linden 2006).
 * Items with fewer than 2 times or no spread are left out (status
 * FORENSICS_ITEM_NO_DATA; beta = alpha = NAN).
 */
struct forensics_rt {
	int	 n_items;
	double	*beta, *alpha;
	int	*status;
	int	*n_times;	/* usable times per item */
	int	 n_left_out;
	long	 n_missing;	/* times missing or <= 0 over the matrix */
	long	 n_trimmed;	/* times left out of the second pass */
	int	 cycles;
	int	 converged;
	double	 last_change;
};

void	forensics_rt_options_default(struct forensics_rt_options *);

/*
 * forensics_rt_calibrate - alternating (block coordinate) maximum
 * likelihood, mean tau fixed at 0: beta_i = mean_j (ln t_ij + tau_j);
 * tau_j = sum_i alpha_i^2 (beta_i - ln t_ij) / sum_i alpha_i^2;
 * alpha_i = 1 / sqrt(mean_j (ln t_ij - beta_i + tau_j)^2), each over the
 * usable times only.  Stops when the largest change < tolerance or at
 * max_cycles (reported).  Robustness: once converged, a second pass
 * re-estimates beta, alpha (and the persons' tau inside the loop) without
 * the times with |z| > trim_z, z taken at the person's median speed (rapid
 * guesses and preknowledge would otherwise inflate the variance and make
 * every honest person's fit look too good), the variance corrected for
 * the truncation; the tau returned uses all times.  Assumes: times conditionally
 * independent given tau, lognormal; missing at random.  tau and tau_se
 * (each n_persons, may be NULL) receive the speeds and sqrt(Var tau) = 1 / sqrt(sum alpha_i^2)
 * (NAN for a person with no usable time).  Returns 0, or -1 with err.
 */
int	forensics_rt_calibrate(const double *t, int n_persons, int n_items,
	    const struct forensics_rt_options *, struct forensics_rt *out,
	    double *tau, double *tau_se, char *err, size_t errlen);

void	forensics_rt_from_params(struct forensics_rt *out, int n_items,
	    const double *beta, const double *alpha);
void	forensics_rt_free(struct forensics_rt *);

struct forensics_speed {
	double	tau;		/* NAN with no usable time */
	double	w;		/* sum alpha_i^2 over the times used */
	double	se;		/* 1 / sqrt(w) */
	int	n_used;
};

/* Speed of one person from the items with use[i] != 0 (NULL: all), the
 * item parameters known (the ML estimate given beta, alpha). */
void	forensics_rt_tau(const struct forensics_rt *, const double *t_row,
	    const unsigned char *use, struct forensics_speed *out);

/* ------------------------------------------------------------------ */
/* person.c: person indices                                            */
/* ------------------------------------------------------------------ */

struct forensics_person_options {
	enum forensics_theta_method theta_method;	/* for lz* and L_S:
							   MLE */
	double	rapid_share;	/* rapid threshold: share of the item's mean
				   time, 0.10 (Wise & Ma 2012) */
	double	rapid_cap;	/* ... capped at 10 s */
	double	fast_z;		/* "aberrantly fast": z < -1.96 */
	/* Compromised items (n_items flags) or NULL: without a list the
	   preknowledge fields are NAN, unless estimate_compromised. */
	const unsigned char *compromised;
	/*
	 * Without a list: 1 estimates one from the data (items with more
	 * fast correct responses, u = 1 and z < compromise_z, than the
	 * models predict: z_i = (O_i - E_i) / sqrt(sum e(1 - e)), e =
	 * P_i(theta_j) Phi(compromise_z), z at the person's median speed
	 * (the ML tau is dragged by the very responses counted); flagged when z_i > Phi^-1(1 - compromised_alpha /
	 * n_items), Bonferroni over items).  Each person's L_S and z_tau use
	 * the list computed without that person's responses (leave-one-out);
	 * persons whose list is empty keep NAN.  item_evidence (n_items, may
	 * be NULL) receives the items' counts and z over all persons.
	 */
	int	estimate_compromised;		/* 0 */
	double	compromised_alpha;		/* 0.01 */
	double	compromise_z;	/* "fast" for the item count: -1.96 */
	struct forensics_item_evidence *item_evidence;
};

struct forensics_item_evidence {
	double	observed;	/* fast correct responses */
	double	expected;	/* their expectation under the models */
	double	z, p;		/* one-sided excess */
	int	flagged;	/* in the estimated list (all persons) */
};

struct forensics_person {
	/* Ability (irt). */
	int	n_answered;
	int	score;
	double	theta;		/* MLE or WLE per options, in [-4, 4] */
	double	theta_se;
	/*
	 * lz* (Snijders 2001), at theta above: w_i = ln(P/Q), r_i = a_i,
	 * c_n = sum P'_i w_i / sum P'_i r_i, lz* = [sum (u - P) w + c_n r_0] /
	 * sqrt(sum (w - c_n r)^2 P Q), r_0 = 0 (MLE) or J / (2I) (WLE).
	 * p = Phi(lz*): misfit is negative.  NAN with fewer than 2 items.
	 */
	double	lz;
	double	lz_p;
	/* Speed (rt), from all usable times. */
	int	n_times;
	double	tau;
	double	tau_se;
	/*
	 * Response-time fit (van der Linden & Guo 2008; Marianti et al.
	 * 2014): z_i = alpha_i (ln t_i - beta_i + tau), l_t = sum z_i^2 ~
	 * chi^2(n - 1); p = upper tail.  fast_share: share of z_i < fast_z.
	 */
	double	rt_fit;
	double	rt_fit_p;
	double	fast_share;
	/*
	 * Rapid guessing (Wise & Ma 2012): t < min(rapid_share * item mean
	 * time, rapid_cap).  rte = 1 - share rapid (response-time effort).
	 * rapid_p: P(R >= observed) where R is the Poisson-binomial count of
	 * rapid responses expected under the lognormal model at tau (exact
	 * recursion): conservative, as rapid responses also raise tau.
	 */
	int	n_rapid;
	double	rte;
	double	rapid_p;
	/*
	 * Preknowledge with a known list (Sinharay 2017): theta_C, theta_S
	 * by bounded MLE on compromised and secure items, LR = 2[l_C(theta_C)
	 * + l_S(theta_S) - l(theta)], L_S = sign(theta_C - theta_S) sqrt(LR),
	 * p = 1 - Phi(L_S).  Speed: z_tau = (tau_C - tau_S) / sqrt(1/W_C +
	 * 1/W_S), p = 1 - Phi(z_tau).  Combined (Stouffer): z = (L_S +
	 * z_tau) / sqrt 2, p = 1 - Phi(z): responses and times are
	 * conditionally independent given (theta, tau) in van der Linden's
	 * hierarchical model, and both statistics are N(0, 1) under no
	 * preknowledge.  NAN without a list or with no answered item on
	 * either side; with one side missing pk uses the other alone.
	 */
	double	theta_c, theta_s;
	double	ls, ls_p;
	double	tau_c, tau_s;
	double	z_tau, z_tau_p;
	double	pk_z, pk_p;
	/* Filled by forensics_combine_persons. */
	double	combined_p;
};

void	forensics_person_options_default(struct forensics_person_options *);

/* The indices above for every person (out: n_persons).  irt or rt may be
 * NULL: the fields that need it are NAN.  u or t may be NULL likewise. */
void	forensics_person_indices(const struct forensics_irt *,
	    const struct forensics_rt *, const signed char *u, const double *t,
	    int n_persons, int n_items, const struct forensics_person_options *,
	    struct forensics_person *out);

/* lz* of one person at a given theta (see struct forensics_person). */
double	forensics_person_lzstar(const struct forensics_irt *,
	    const signed char *u_row, double theta,
	    enum forensics_theta_method);

/* ------------------------------------------------------------------ */
/* combine.c: one p per attempt, error control, roll-ups               */
/* ------------------------------------------------------------------ */

enum forensics_combine_method {
	FORENSICS_COMBINE_CAUCHY = 0,	/* Liu & Xie (2020) */
	FORENSICS_COMBINE_BONFERRONI	/* min(m min p, 1) */
};

/*
 * Combine m p-values (NAN entries skipped; all NAN gives NAN).
 * Cauchy (Liu & Xie 2020): T = sum tan((0.5 - p_i) pi) / m, p = 0.5 -
 * arctan(T) / pi; exact when the p_i are independent, and its tail stays
 * valid under arbitrary dependence (the indices of one attempt share
 * theta and tau), while, unlike Bonferroni, several moderately small p's
 * add up.  p_i are clamped to [1e-300, 1 - 1e-12] so that one p of 1
 * cannot cancel the rest.  Bonferroni: valid under any dependence,
 * conservative.
 */
double	forensics_combine_p(const double *p, int m,
	    enum forensics_combine_method);

/* Per person: combined_p of lz_p, rt_fit_p and pk_p (when present) and
 * extra[j] (e.g. the similarity p from the pairs half; extra may be NULL,
 * an entry may be NAN).  rapid_p is not included: rapid guessing shows in
 * rt_fit_p already and is an effort index, not a cheating one. */
void	forensics_combine_persons(struct forensics_person *, int n_persons,
	    const double *extra, enum forensics_combine_method);

/* Benjamini-Hochberg (1995) q-values over the n p-values: q_(k) =
 * min_{j >= k} N p_(j) / j, N the number of non-NAN p's; NAN stays NAN.
 * Flag q <= level for FDR control at that level (independent or positively
 * dependent p's). */
void	forensics_bh(const double *p, int n, double *q);

struct forensics_rollup {
	int	 key;		/* the caller's group key (centre, date ...) */
	int	 n;		/* attempts */
	int	 n_flagged;
	double	 share_flagged;
	double	*mean;		/* n_values means, NAN entries skipped */
	int	*n_mean;	/* values behind each mean */
};

/* Roll-up by key: values is n x n_values (person-major), flagged n flags
 * (may be NULL).  *out receives the groups sorted by key; returns their
 * number.  Free with forensics_rollup_free(*out, count).  Small groups are
 * noisy: the caller shows n. */
int	forensics_rollup(const int *key, int n, const unsigned char *flagged,
	    const double *values, int n_values, struct forensics_rollup **out);
void	forensics_rollup_free(struct forensics_rollup *, int count);

#endif
