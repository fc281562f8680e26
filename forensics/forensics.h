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
 *              their Stouffer combination).
 *   combine.c  one p per attempt (Cauchy combination, Liu & Xie 2020),
 *              Benjamini-Hochberg q-values, roll-ups by a group key.
 *   similar.c  answer similarity of all pairs on a form (weighted GBT),
 *              Bonferroni over pairs, the best partner per attempt.
 *   cluster.c  connected groups of significant pairs and what they share.
 *   preknow.c  preknowledge without a list: compromised items estimated
 *              from the others, leave-one-out L_S and z_tau per attempt.
 *   changes.c  answer changes: the erasure detection index (EDI).
 *   run.c      the whole analysis of an exam: per form calibration and
 *              indices, similarity, clusters, combination, BH, roll-ups.
 * (similar.c, cluster.c, preknow.c: the section "Pairs, clusters and
 * preknowledge without a list"; changes.c and run.c after it.)
 */
#ifndef INVIGIL_FORENSICS_H
#define INVIGIL_FORENSICS_H

#include <stddef.h>
#include <stdint.h>

#define FORENSICS_MISSING	(-1)
#define FORENSICS_MODEL_VERSION	"invigil-forensics/1"	/* bump when an index changes */

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
 * with steps bounded to 1, clamped to [-4, 4], at most
 * FORENSICS_THETA_ITERATIONS iterations (out->iterations says whether the
 * cap was hit). */
#define FORENSICS_THETA_ITERATIONS	100
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
	   preknowledge fields are NAN (preknow.c estimates a list). */
	const unsigned char *compromised;
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

/*
 * Sinharay's (2017) L_S of one person on a split of the items into list
 * (list[i] != 0) and the rest: theta_C, theta_S and theta by
 * forensics_irt_theta (MLE), LR = 2[l_C(theta_C) + l_S(theta_S) -
 * l(theta)], L_S = sign(theta_C - theta_S) sqrt(LR) (0 when equal).
 * *theta_c, *theta_s, *ls are NAN when either side has no answered item.
 * Returns 1 when one of the three estimates used all
 * FORENSICS_THETA_ITERATIONS, else 0.  Used by person.c (known list) and
 * preknow.c (estimated list).
 */
int	forensics_person_ls(const struct forensics_irt *,
	    const signed char *u_row, const unsigned char *list,
	    double *theta_c, double *theta_s, double *ls);

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
 * add up.  p_i are clamped to [1e-300, 1 - 1e-12].
 * A p of exactly 1 contributes a term of 0 (the median of the standard
 * Cauchy) and still counts in m.  Such a p is not uniform: it is the atom
 * of a capped adjustment (the similarity index's Bonferroni min(1, K p)),
 * and clamping it gave a term of -3.2e11 that drove the combination to 1
 * whatever the other indices said.  Why 0 is valid: Liu & Xie's
 * guarantee (P(T > t) / P(Cauchy > t) -> 1 as t -> infinity, under any
 * dependence of bivariate-normal type) rests only on each term's UPPER
 * tail being standard Cauchy; setting the atom's term to 0 leaves every
 * term's upper tail (P(term > x), x > 0) unchanged, so the tail
 * approximation, and with it the level at small alpha, holds as before.
 * At finite alpha: with three uniform p's and a Bonferroni min over K
 * uniform p's (K = 10 to 2,000) the rate is 0.051 at 0.05 and
 * 0.010 at 0.01 (test_combine_saturated).  Dropping the 1 instead (m -
 * 1 terms) is not valid: conditional on p < 1 a Bonferroni p is
 * stochastically smaller than uniform; nor is zeroing every p > 1/2
 * (0.056 at 0.05).  Bonferroni: valid under any dependence, conservative.
 */
double	forensics_combine_p(const double *p, int m,
	    enum forensics_combine_method);

/* Per person: combined_p of lz_p, rt_fit_p and pk_p (when present) and
 * the n_extra p's of row j of extra (n_persons x n_extra, person-major:
 * e.g. the similarity p, the estimated-list preknowledge p, the EDI p;
 * extra may be NULL with n_extra 0, an entry may be NAN and is then
 * skipped).  rapid_p is not included: rapid guessing shows in rt_fit_p
 * already and is an effort index, not a cheating one. */
#define FORENSICS_COMBINE_EXTRA_MAX	8
void	forensics_combine_persons(struct forensics_person *, int n_persons,
	    const double *extra, int n_extra, enum forensics_combine_method);

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


/* ===================================================================== *
 * Pairs, clusters and preknowledge without a list (similar.c, cluster.c,
 * preknow.c).
 *
 * similar.c   answer similarity of every pair of attempts on the same form:
 *             an exact generalized binomial test (van der Linden &
 *             Sotaridona 2006) on the weighted match count S = 3 M_II +
 *             M_IC (identical incorrect answers weigh 3, identical correct
 *             1), jointly over both kinds of match as Maynes' M4 (2014)
 *             argues, but with a linear order so the tail is a proper
 *             p-value; the plain GBT on identical incorrect answers is
 *             reported beside it for the significant pairs.  Multiplicity:
 *             Bonferroni over all pairs compared (family-wise error).
 * cluster.c   connected components (union-find) of the significant pairs,
 *             with what their members share (IP /24, device, centre, start
 *             times within a window).
 * preknow.c   preknowledge WITHOUT a list of compromised items: per item a
 *             compromise score from the excess of fast correct responses
 *             over the models' prediction, a leave-one-out list per attempt,
 *             then Sinharay's L_S and the speed z_tau on that list.
 * ===================================================================== */

#define FORENSICS_SIM_MAX_OPTIONS	8
#define FORENSICS_SIM_WW	3	/* weight of an identical incorrect answer */
#define FORENSICS_SIM_WC	1	/* weight of an identical correct answer */

/*
 * Input of forensics_similar().  Items are global indices; an attempt on a
 * form that does not contain an item has it missing (-1), so a form's item
 * set is simply the items its attempts answer.
 */
struct forensics_similar_input {
	int		 n_attempts;
	int		 n_items;
	int		 n_options;	/* options per item, 2..8 */
	const int8_t	*option;	/* [j * n_items + i]: 0..n_options-1, -1 missing */
	const int8_t	*key;		/* [i]: the correct option; -1 = item left out */
	const double	*theta;		/* [j]: ability on the 2PL scale */
	const double	*a;		/* [i]: 2PL discrimination */
	const double	*b;		/* [i]: 2PL difficulty */
	const int	*form;		/* [j]: form id, only equal forms pair; NULL = one form */
	double		 alpha;		/* family-wise level over all pairs, e.g. 0.05 */
	int		 no_screen;	/* 1: exact recursion for every pair (tests) */
};

/* One significant pair (p_adjusted <= alpha). */
struct forensics_pair {
	int	 j, k;			/* attempts, j < k */
	int	 n_common;		/* items both answered */
	int	 identical_incorrect;	/* M_II */
	int	 identical_correct;	/* M_IC */
	double	 expected_incorrect;	/* E[M_II] = sum_i pw_i */
	double	 expected_correct;	/* E[M_IC] = sum_i pc_i */
	double	 p;			/* P(3 M_II + M_IC >= observed) */
	double	 p_adjusted;		/* Bonferroni: min(1, p * n_pairs) */
	double	 p_incorrect;		/* GBT on M_II alone (evidence only) */
};

struct forensics_similar_result {
	int64_t	 n_pairs;		/* pairs compared (same form), the Bonferroni factor */
	int64_t	 n_exact;		/* pairs that passed the screen: exact recursion run */
	double	 screen_p;		/* screen level of the largest form (smaller
					   forms use a higher one, see below) */
	double	 threshold;		/* alpha / n_pairs */
	struct forensics_pair *pairs;	/* significant pairs, by p ascending */
	size_t	 n_significant;
	/* Per attempt [j]: the most similar partner among the pairs computed
	 * exactly, or -1 when every pair of j was screened out or had no
	 * identical answer: then best_p and best_p_adjusted are NAN, meaning
	 * "no pair came near screen_p" (not significant, value not computed). */
	int	*best_partner;
	double	*best_p;		/* raw GBT p of that pair */
	double	*best_p_adjusted;	/* min(1, best_p * (partners of j)): per-attempt Bonferroni */
	/* Validation counts over the pairs computed exactly (all pairs with
	 * no_screen; a pair with no identical wrong answer has p = 1). */
	int64_t	 n_p_le[2];		/* pairs with p <= 0.05, p <= 0.01 */
};

/*
 * forensics_similar - answer similarity for every pair of attempts on the
 * same form.
 *
 * Model (FORENSICS.md, "Match probability"; van der Linden & Sotaridona
 * 2006, J. Educ. Behav. Stat. 31, 283-304): for attempt j and item i the
 * option probabilities are pi_j,key = P_i(theta_j) (2PL) and pi_j,k = (1 -
 * P_i(theta_j)) q_ik for a wrong option k, q_ik the item's distractor
 * shares among all wrong answers in the input (add-0.5 smoothed).  Two
 * attempts j, l match correctly on item i with pc_i = P_i(theta_j)
 * P_i(theta_l) and incorrectly with pw_i = sum_{k != key} pi_jk pi_lk.
 * Given the abilities, items are independent, so S = 3 M_II + M_IC is a
 * sum of independent {0, 1, 3}-valued variables; its tail P(S >= s) is
 * computed exactly by the trinomial recursion f_n(s) = f_{n-1}(s)(1 - pc
 * - pw) + f_{n-1}(s - 1) pc + f_{n-1}(s - 3) pw, truncated at s (the last
 * cell absorbs >= s).  Why the weight 3: an identical wrong answer has a
 * match probability around 0.05-0.2, an identical right one around 0.5,
 * and ln(1/0.1) / ln(1/0.5) is about 3; the weight was fixed before any
 * validation run and is not fitted to data.  This is not Maynes' M4 (whose
 * tail is over the joint (M_IC, M_II) table); it uses both kinds of match
 * as M4 does, and its p-value is a proper tail of one ordering.
 *
 * Assumptions: theta and the 2PL parameters are given and treated as
 * known (estimation error in theta makes p slightly liberal for extreme
 * abilities); answers are independent given theta; the distractor shares
 * do not depend on theta.  A small p means more, and rarer, identical
 * answers than two independent workers of these abilities would produce:
 * evidence for a human review (copying, a shared source, a shared answer
 * key), never proof, and not evidence of who copied whom.
 *
 * Missing: an item counts for a pair only when both answered it (an
 * option outside 0..n_options-1 counts as missing); items with key -1 are
 * left out.
 *
 * Multiplicity: the pair is significant when p * n_pairs <= alpha
 * (Bonferroni over all pairs compared: family-wise error, valid under any
 * dependence between pairs).  Per attempt, best_p_adjusted is the best
 * partner's p times the attempt's number of partners.
 *
 * Speed: one bitset per (attempt, option) over the items, observed counts
 * by popcount; the exact mean and variance of S by one pass of 4-wide
 * float arithmetic over the items; a continuity-corrected normal screen
 * skips pairs whose p cannot fall below min(0.05, 100 alpha / (n_f - 1))
 * on a form of n_f attempts: a factor 100 above the per-attempt
 * Bonferroni level alpha / (n_f - 1), which is above the pair level alpha
 * / n_pairs, so neither decision changes.  Only the survivors get the exact
 * recursion.  The normal tail is an approximation, hence the margin; the
 * tests compare with a run without the screen (no_screen = 1).  Memory:
 * 4 n_options n_items + 8 n_items bytes per attempt.
 *
 * Returns 0 and fills *out (release with forensics_similar_free), or -1
 * with err filled on invalid input.
 */
int	forensics_similar(const struct forensics_similar_input *in,
	    struct forensics_similar_result *out, char *err, size_t errlen);
void	forensics_similar_free(struct forensics_similar_result *);

/*
 * forensics_gbt_tail - P(M >= m) for M a sum of independent Bernoulli(p[i]),
 * i < n, by the exact recursion (van der Linden & Sotaridona 2006).
 * forensics_match_tail - P(wc C + ww W >= t) where item i adds wc with
 * probability pc[i], ww with probability pw[i], else 0 (pc may be NULL:
 * all zero).  Tails below the smallest normal double are returned as that
 * (DBL_MIN): report "< 2.2e-308".  t <= 0 gives 1.  work must hold t + 1
 * doubles.  Numerics: in probability space, not logs: every cell is a sum
 * of nonnegative terms (no cancellation, the tail is accumulated directly,
 * never as 1 - CDF), and a cell that underflows carries < 1e-308 of mass.
 * Cost O(n t) for gbt, O(n t) with 3 terms for match.
 */
double	forensics_gbt_tail(const double *p, int n, int m, double *work);
double	forensics_match_tail(const double *pc, const double *pw, int n,
	    int wc, int ww, int t, double *work);

/* Keys an analyst compares within a cluster; 0 or negative means unknown. */
struct forensics_cluster_keys {
	const uint32_t	*ip24;		/* [j]: IPv4 address >> 8, 0 = unknown */
	const int64_t	*device;	/* [j]: a device id (hash), 0 = unknown */
	const int64_t	*center;	/* [j]: a centre id, 0 = unknown */
	const int64_t	*start;		/* [j]: start time in seconds, 0 = unknown */
	int64_t		 window;	/* seconds: "started together" */
};

struct forensics_cluster {
	int	*members;		/* attempts, ascending */
	int	 n_members;
	int	 n_pairs;		/* significant pairs inside */
	double	 min_p_adjusted;	/* strongest pair */
	/* For each key: the most common known value among the members and
	 * how many members share it (0 when no member has it known). */
	uint32_t ip24;		int shared_ip24;
	int64_t	 device;	int shared_device;
	int64_t	 center;	int shared_center;
	/* Start times: the largest number of members whose start lies within
	 * one window, and the span (max - min) of the known starts. */
	int	 shared_start;
	int64_t	 start_span;
};

struct forensics_cluster_result {
	struct forensics_cluster *clusters;	/* by size, then strongest pair */
	size_t	 n_clusters;
	int	*cluster_of;		/* [j]: index into clusters, -1 = none */
};

/*
 * forensics_clusters - connected components of the graph whose edges are
 * the given pairs (normally forensics_similar's significant pairs), by
 * union-find with path halving and union by size; singletons are not
 * clusters.  A cluster is a set of attempts linked by chains of
 * significant similarity (Wollack & Maynes 2017 discuss cluster-level
 * extensions; here the cluster inherits the pairs' family-wise control but
 * has no p-value of its own).  keys may be NULL or have NULL arrays.
 * Returns 0 (release with forensics_clusters_free) or -1 with err.
 */
int	forensics_clusters(int n_attempts, const struct forensics_pair *pairs,
	    size_t n_pairs, const struct forensics_cluster_keys *keys,
	    struct forensics_cluster_result *out, char *err, size_t errlen);
void	forensics_clusters_free(struct forensics_cluster_result *);

struct forensics_preknow_input {
	int		 n_attempts;
	int		 n_items;
	const int8_t	*u;		/* [j * n_items + i]: 1/0, -1 missing */
	const double	*log_t;		/* [j * n_items + i]: ln seconds, NAN missing */
	const double	*a, *b;		/* [i]: 2PL; a <= 0 or NAN = item left out */
	const double	*beta, *alpha;	/* [i]: lognormal time intensity, precision */
	const double	*theta, *tau;	/* [j]: ability and speed, from all items */
	double		 z_fast;	/* "fast" is z_ij < -z_fast; 0 = 1.96 */
	double		 item_alpha;	/* false discovery rate of the reported item
					   list (Benjamini-Hochberg); 0 = 0.01 */
	double		 list_z;	/* an item joins attempt j's list when its
					   leave-one-out score exceeds this; 0 = 1.645 */
};

struct forensics_preknow_item {
	int	 fast_correct;		/* O_i: responses with z < -z_fast and u = 1 */
	int	 n;			/* responses with a time and an answer */
	double	 expected;		/* E_i = sum_j P_i(theta_j) Phi(-z_fast) */
	double	 z;			/* (O_i - E_i) / sqrt(V_i) */
	double	 p;			/* one-sided normal p of z */
	int	 compromised;		/* in the reported list (BH at item_alpha) */
	int	 listed;		/* z > list_z with everyone: the list an
					   attempt gets, before leaving it out */
};

struct forensics_preknow_person {
	int	 n_list;		/* items in j's leave-one-out list (answered) */
	int	 n_secure;		/* answered items not in it */
	double	 theta_c, theta_s;	/* irt.c's MLEs on list / rest */
	double	 ls, p_ls;		/* Sinharay's L_S and 1 - Phi(L_S) */
	double	 tau_c, tau_s;		/* speed on list / rest */
	double	 z_tau, p_tau;		/* speed comparison and 1 - Phi(z_tau) */
	double	 p;			/* Stouffer combination of L_S and z_tau */
	int	 newton_capped;		/* a theta MLE used all iterations */
};

struct forensics_preknow_result {
	struct forensics_preknow_item	*items;		/* [i] */
	struct forensics_preknow_person	*persons;	/* [j] */
	int	 n_compromised;		/* items with compromised = 1 */
	int	 newton_capped;		/* persons with newton_capped */
};

/*
 * forensics_preknow - preknowledge without a list.
 *
 * Item score (FORENSICS.md, "Preknowledge, list unknown"): z_ij =
 * (ln t_ij - beta~_i + tau~_j) / s~_i, van der Linden's (2006) standardized
 * log time with the item's location and scale
 * and the person's speed re-estimated robustly here: beta~_i the median
 * of ln t_ij + tau_j over the attempts with the given tau, then tau~_j the
 * median of beta~_i - ln t_ij over j's items, then beta~_i again with
 * tau~ and s~_i = 1.4826 MAD (items with fewer than 10 timed responses are
 * not scored).  A calibration that includes the fast minority has its
 * mean pulled toward them, its variance inflated and their own speed
 * raised, which hides them; medians move far less.  (tau~_j only enters
 * j's own terms, which j's list leaves out.)  F_ij = 1[z_ij < -z_fast and u_ij = 1].  Under the models and conditional independence
 * of response and time given (theta, tau), E F_ij = e_ij = P_i(theta_j)
 * Phi(-z_fast).  O_i = sum_j F_ij, E_i = sum e_ij, V_i = sum e_ij (1 -
 * e_ij), Z_i = (O_i - E_i) / sqrt(V_i): items on which a group answers
 * correctly and far faster than predicted; p_i = 1 - Phi(Z_i) (normal
 * approximation of a sum of independent Bernoullis).  Reported items
 * ("compromised", with O_i, E_i, Z_i as evidence): Benjamini-Hochberg over
 * the scored items at item_alpha, i.e. an expected share item_alpha of the
 * reported items is secure.
 *
 * Per attempt j, the list is {i : Z_i^(-j) > list_z}, Z_i^(-j) the score
 * with j's own term removed from O_i, E_i and V_i (leave-one-out): j's
 * answers never decide j's list.  (Approximately: the item parameters,
 * the others' theta and tau, and the medians beta~_i and s~_i include j
 * as one of n values; that influence is ignored.  The tests use n = 2,000.)  On the list C and the rest S (answered items only):
 *   L_S = sign(theta_C - theta_S) sqrt(2[l_C(theta_C) + l_S(theta_S) -
 *   l(theta)]), p_ls = 1 - Phi(L_S)         (Sinharay 2017, J. Educ. Meas.)
 *   z_tau = (tau_C - tau_S) / sqrt(1/W_C + 1/W_S), W = sum alpha_i^2,
 *   tau_X = sum_X alpha_i^2 (beta_i - ln t) / W_X, p_tau = 1 - Phi(z_tau)
 * L_S by forensics_person_ls (theta by irt.c's bounded MLE, as for a
 * known list; a person whose estimate used all FORENSICS_THETA_ITERATIONS
 * is counted in newton_capped).  p = 1 - Phi((L_S + z_tau) / sqrt 2) (Stouffer, as
 * for the known list in person.c), defensible because responses and
 * times are conditionally independent given (theta, tau) in van der
 * Linden's hierarchical model and both are N(0, 1) without preknowledge.
 * Not computable (empty list, nothing answered on one side): NAN, for
 * that statistic; p uses the other alone, NAN when neither.  Times
 * missing for an item: the item counts for L_S, not for z_tau.
 *
 * A small p says: on items that OTHER candidates answered suspiciously
 * fast and well, this candidate did better and faster than on the rest.
 * Evidence for a review, never proof; the lists are estimates.
 *
 * Returns 0 (release with forensics_preknow_free) or -1 with err.
 */
int	forensics_preknow(const struct forensics_preknow_input *in,
	    struct forensics_preknow_result *out, char *err, size_t errlen);
void	forensics_preknow_free(struct forensics_preknow_result *);

/* ------------------------------------------------------------------ */
/* changes.c: answer changes                                           */
/* ------------------------------------------------------------------ */

struct forensics_edi {
	int	n_changed;	/* changed items answered and calibrated (E) */
	int	n_unchanged;	/* the items theta was estimated from */
	double	theta;		/* MLE on the unchanged items; NAN: none */
	double	observed;	/* sum_E u_i */
	double	expected;	/* sum_E P_i(theta) */
	double	edi;		/* NAN: no changed item or no unchanged one */
	double	p;		/* 1 - Phi(edi) */
};

/*
 * forensics_edi - the erasure detection index (Wollack, Cohen & Eckerly
 * 2015, "Using statistical methods to detect answer changes", in Kingston
 * & Clark (eds.), Test Fraud; FORENSICS.md "Answer changes"): over the
 * changed items E (changed[i] != 0, answered, calibrated),
 *   EDI = (sum_E (u_i - P_i(theta_-E)) - 0.5) / sqrt(sum_E P_i Q_i),
 * theta_-E the bounded MLE (irt.c) from the answered items NOT changed,
 * p = 1 - Phi(EDI).  The 0.5 is a continuity correction (the sum is over
 * a few Bernoullis), which makes p conservative for small E.
 * Assumes the 2PL holds on the unchanged items and that an honest change
 * is as likely to end right as any answer of that ability; a small p
 * says the changed items ended right far more often than the ability
 * shown elsewhere predicts (tampering, or a candidate coached during the
 * exam): evidence for a review, never proof.  NAN edi and p with no
 * changed item or no unchanged one to estimate theta from.
 */
void	forensics_edi(const struct forensics_irt *, const signed char *u_row,
	    const signed char *changed_row, struct forensics_edi *out);

/* ------------------------------------------------------------------ */
/* run.c: the whole analysis of an exam                                */
/* ------------------------------------------------------------------ */

/*
 * An exam as arrays: n_attempts x n_items cells (global item indices,
 * person-major).  A form's item set is the items its attempts answered.
 * Optional arrays may be NULL.
 */
struct forensics_data {
	int		 n_attempts;
	int		 n_items;
	const int8_t	*option;	/* final option 0..7, -1 missing (may be NULL) */
	const int8_t	*correct;	/* 1/0, -1 not answered */
	const double	*time;		/* seconds, NAN (or <= 0) missing */
	const int8_t	*changed;	/* 0/1: the answer was changed */
	const int8_t	*wtr;		/* changed wrong-to-right: 0/1, -1 unknown */
	const int8_t	*key;		/* [i]: the correct option, -1 unknown */
	const int	*form;		/* [j]: form index >= 0 (NULL: one form) */
	const int	*center;	/* [j]: centre key, 0 unknown */
	const int	*date;		/* [j]: days since 1970, -1 unknown */
	const uint32_t	*ip24;		/* [j]: IPv4 >> 8, 0 unknown */
	const int64_t	*device;	/* [j]: device hash, 0 unknown */
	const int64_t	*start;		/* [j]: start, seconds since 1970, 0 unknown */
};

struct forensics_run_options {
	double		 alpha;		/* BH level over the exam and family-wise
					   level of the pairs: 0.05 */
	const unsigned char *compromised;	/* [i] known list, or NULL */
	int		 min_attempts;	/* a form with fewer is not calibrated: 50 */
	enum forensics_combine_method combine;	/* Cauchy */
	int64_t		 start_window;	/* clusters: "started together", 600 s */
	int		 no_screen;	/* similarity: exact for every pair (tests) */
};

void	forensics_run_options_default(struct forensics_run_options *);

/* One attempt's results.  NAN where not computable; reason says why a
 * whole attempt has none (its form could not be calibrated). */
struct forensics_run_attempt {
	int		 form;
	const char	*reason;	/* static text, NULL when analysed */
	int		 n_items;	/* answered */
	int		 score;		/* correct among them */
	double		 theta, theta_se, tau;
	double		 lz, lz_p;
	double		 rt_fit_p, fast_share, rte;
	double		 pk_known_p;	/* with the list (NAN without) */
	double		 pk_est_p;	/* with the estimated list */
	double		 preknowledge_p;	/* the one combined: known if given */
	double		 similarity_p;	/* best partner, per-attempt Bonferroni */
	int		 partner;	/* that partner's index, -1 */
	int		 cluster;	/* index into clusters, -1 */
	int		 n_changed;	/* items changed (answered) */
	int		 wtr;		/* wrong-to-right among them, -1 unknown */
	double		 edi, edi_p;
	double		 combined_p, q;
	int		 flagged;	/* q <= alpha */
};

enum forensics_run_item_status {
	FORENSICS_RUN_ITEM_OK = 0,
	FORENSICS_RUN_ITEM_NO_VARIANCE,	/* all right or all wrong: left out */
	FORENSICS_RUN_ITEM_FORM_SMALL	/* its form was not calibrated */
};

/* One (form, item) of the item table. */
struct forensics_run_item {
	int	 form, item;	/* form index, global item index */
	int	 status;	/* enum forensics_run_item_status */
	int	 n;		/* responses */
	double	 p_correct;
	double	 a, b;		/* 2PL */
	double	 beta, alpha;	/* lognormal RT */
	double	 outfit;	/* mean of (u - P)^2 / (P Q) over the responses
				   at theta: ~1 under the model */
	int	 known;		/* in the given list */
	int	 compromised;	/* estimated compromised (BH) */
	int	 fast_correct;	/* O_i */
	double	 expected, z, p;	/* E_i, Z_i, its p */
};

struct forensics_report {
	int	 n_attempts, n_items, n_forms;
	int	 n_forms_calibrated;
	int	 n_attempts_analysed;	/* in calibrated forms */
	int	 n_items_left_out;	/* no variance (over all forms) */
	double	 alpha;
	enum forensics_combine_method combine;
	struct forensics_run_attempt *attempts;	/* [j] */
	struct forensics_run_item *items;	/* by form, then item */
	int	 n_item_rows;
	int	 n_compromised;		/* estimated, over the forms */
	struct forensics_pair *pairs;	/* significant, by p, attempts global */
	size_t	 n_pairs;
	int64_t	 n_pairs_compared;	/* the Bonferroni factor */
	struct forensics_cluster_result clusters;
	/* Roll-ups, values: theta, lz, fast_share, combined_p. */
#define FORENSICS_RUN_ROLLUP_VALUES	4
	struct forensics_rollup *by_center, *by_date;
	int	 n_center, n_date;
	int	 n_flagged;
};

/*
 * forensics_run - the whole analysis of one exam, in memory.  Per form
 * (attempts of one form, items they answered): 2PL by
 * forensics_irt_calibrate, lognormal RT by forensics_rt_calibrate, person
 * indices (forensics_person_indices, with the known list if given),
 * preknowledge without a list (forensics_preknow), answer changes
 * (forensics_edi), similarity (forensics_similar, Bonferroni over the
 * pairs of all forms).  A form with fewer than min_attempts attempts, or
 * whose calibration fails, is not analysed: its attempts keep NAN indices
 * and a reason, never made-up values.  Then clusters over all attempts;
 * per attempt the combination (opt->combine) of lz_p, rt_fit_p,
 * preknowledge (known list if given, else estimated), similarity and EDI;
 * Benjamini-Hochberg q over the attempts analysed; flagged = q <= alpha;
 * roll-ups by centre and by date.  Returns 0 and fills *out (release with
 * forensics_report_free), or -1 with err (bad input, nothing to analyse
 * is NOT an error: every attempt then carries its reason).
 */
int	forensics_run(const struct forensics_data *,
	    const struct forensics_run_options *, struct forensics_report *out,
	    char *err, size_t errlen);
void	forensics_report_free(struct forensics_report *);

#endif
