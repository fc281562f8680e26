/*
 * forensics.h - data forensics for analysts: pure computation over arrays
 * (no SQLite, no I/O, no printing).  The caller owns every input array;
 * results are returned in structures this module allocates with proto's
 * xmalloc and that the caller releases with the matching *_free function.
 * Out of memory aborts (xmalloc); bad arguments return -1 with a sentence
 * in the caller's error buffer.
 *
 * Notation (FORENSICS.md): attempt j, item i, chosen option o_ij, response
 * u_ij in {0, 1}, time t_ij in seconds.  Matrices are row-major by attempt:
 * element (j, i) is at [j * n_items + i].  Missing is -1 for options and
 * responses and NAN (or <= 0) for times.
 *
 * The models section (2PL calibration, lognormal response times, person
 * indices) is written in a sibling branch and goes BEFORE this section.
 */
#ifndef INVIGIL_FORENSICS_H
#define INVIGIL_FORENSICS_H

#include <stddef.h>
#include <stdint.h>

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
	double	 screen_p;		/* pairs whose normal upper-bound p exceeded this were skipped */
	double	 threshold;		/* alpha / n_pairs */
	struct forensics_pair *pairs;	/* significant pairs, by p ascending */
	size_t	 n_significant;
	/* Per attempt [j]: the most similar partner among the pairs computed
	 * exactly, or -1 when every pair of j was screened out (then best_p is
	 * 1 and means "no pair reached screen_p"). */
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
 * Missing: an item counts for a pair only when both answered it; items
 * with key -1 are left out.
 *
 * Multiplicity: the pair is significant when p * n_pairs <= alpha
 * (Bonferroni over all pairs compared: family-wise error, valid under any
 * dependence between pairs).  Per attempt, best_p_adjusted is the best
 * partner's p times the attempt's number of partners.
 *
 * Speed: one bitset per (attempt, option) over the items, observed counts
 * by popcount; the exact mean and variance of S by one pass of 4-wide
 * float arithmetic over the items; a continuity-corrected normal screen
 * skips pairs whose p cannot fall below screen_p = min(0.05, 100 alpha /
 * (most partners of any attempt)): a factor 100 above the per-attempt
 * Bonferroni level alpha / (n - 1), which is above the pair level alpha /
 * n_pairs, so neither decision changes.  Only the survivors get the exact
 * recursion.  The normal tail is an approximation, hence the margin; the
 * tests compare with a run without the screen (no_screen = 1).
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
 * doubles.
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
	double	 theta_c, theta_s;	/* bounded MLEs on list / rest */
	double	 ls, p_ls;		/* Sinharay's L_S and 1 - Phi(L_S) */
	double	 tau_c, tau_s;		/* speed on list / rest */
	double	 z_tau, p_tau;		/* speed comparison and 1 - Phi(z_tau) */
	double	 p;			/* Fisher combination of p_ls and p_tau, chi2(4) */
	int	 newton_capped;		/* a theta MLE hit its iteration cap */
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
 * answers never decide j's list.  (The item parameters and the others'
 * theta, tau were estimated with j among thousands: that influence is
 * ignored.)  On the list C and the rest S (answered items only):
 *   L_S = sign(theta_C - theta_S) sqrt(2[l_C(theta_C) + l_S(theta_S) -
 *   l(theta)]), p_ls = 1 - Phi(L_S)         (Sinharay 2017, J. Educ. Meas.)
 *   z_tau = (tau_C - tau_S) / sqrt(1/W_C + 1/W_S), W = sum alpha_i^2,
 *   tau_X = sum_X alpha_i^2 (beta_i - ln t) / W_X, p_tau = 1 - Phi(z_tau)
 * theta by a Newton MLE internal to preknow.c (bounded to [-4, 4], steps
 * capped at 1, at most 50 iterations, stop at |step| < 1e-6; a capped
 * person is counted).  p = Fisher's combination of p_ls and p_tau
 * (chi-square with 4 df), defensible because responses and times are
 * conditionally independent given (theta, tau) in van der Linden's
 * hierarchical model.  With an empty list or no secure items, p = 1.
 * Times missing for an item: the item counts for L_S, not for z_tau.
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

#endif
