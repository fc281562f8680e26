/*
 * fx-sim.h - the seeded test simulator shared by the forensics suites
 * (tests/check_forensics*.c).  Not part of any module: it is linked into
 * the suites as tests/fx-sim.o.
 *
 * Items follow the 2PL and van der Linden's lognormal response-time model
 * with the generating distributions of /work/shared/FORENSICS.md:
 *   a ~ lognormal(0, 0.25), b ~ N(0, 1), beta ~ N(4, 0.4), alpha ~ U(1.5, 2.5)
 *   theta ~ N(0, 1), tau ~ N(0, 0.3)
 *   P(u = 1) = 1 / (1 + exp(-a (theta - b))),
 *   ln t = beta - tau + e, e ~ N(0, 1 / alpha^2).
 * Each item has n_options options (default 4): a key drawn uniformly and
 * distractor shares (among wrong answers) drawn once per item; a wrong
 * response picks a distractor with those shares.
 *
 * Profiles (a person has exactly one; counts are round(share * n_persons)):
 *   HONEST        the models above.
 *   PREKNOWLEDGE  on the leaked items (one set per exam, 10-30 % of the
 *                 items), P(correct) = max(P, pk_correct) (0.9) and the
 *                 time is multiplied by a per-person factor U(0.4, 0.6).
 *   RAPID         on a per-person share U(0.3, 0.8) of the items, a random
 *                 option (P(correct) = 1/n_options) in ln t ~ N(ln 2, 0.3).
 *   COPIER        has a SOURCE (another person, generated honestly first);
 *                 on a per-person share U(0.2, 0.4) of the items the option
 *                 (right or wrong) is the source's; the time stays the
 *                 copier's own.  Copiers come in pairs with their source:
 *                 the number of copiers is round(share_copier * n).
 *   SOURCE        an honest person that someone copies from.
 *   PROXY         a different ability and speed than the candidate's
 *                 history: history_theta/tau are the candidate's, the
 *                 responses come from theta + 1.5, tau + 0.5.
 * Missing: each response independently missing with missing_rate
 * (u = -1, option = -1, t = 0).
 *
 * Same config, same seed: same data (xoshiro256** seeded by splitmix64;
 * normals by Box-Muller; the draw order is fixed and documented in fx-sim.c).
 */
#ifndef INVIGIL_FX_SIM_H
#define INVIGIL_FX_SIM_H

#include <stdint.h>

enum fx_sim_profile {
	FX_SIM_HONEST = 0,
	FX_SIM_PREKNOWLEDGE,
	FX_SIM_RAPID,
	FX_SIM_COPIER,
	FX_SIM_SOURCE,
	FX_SIM_PROXY,
	FX_SIM_NPROFILES
};

/* "honest", "preknowledge", ... for printing, by enum fx_sim_profile. */
extern const char *const fx_sim_profile_name[FX_SIM_NPROFILES];

struct fx_rng {
	uint64_t	s[4];
};

void	fx_rng_seed(struct fx_rng *, uint64_t seed);
uint64_t fx_rng_next(struct fx_rng *);
double	fx_rng_uniform(struct fx_rng *);		/* (0, 1) */
double	fx_rng_normal(struct fx_rng *);		/* N(0, 1) */
int	fx_rng_below(struct fx_rng *, int n);	/* 0 .. n-1 */

struct fx_sim_config {
	uint64_t	seed;
	int		n_persons;
	int		n_items;
	int		n_options;	/* 2..8, default 4 */
	double		share_preknowledge;
	double		share_rapid;
	double		share_copier;
	double		share_proxy;
	double		leak_min, leak_max;	/* share of items leaked: 0.10, 0.30 */
	double		pk_correct;	/* 0.9 */
	double		pk_time_min, pk_time_max;	/* time factor: 0.4, 0.6 */
	double		missing_rate;
	/* Optional fixed item parameters (n_items each), else drawn. */
	const double	*fixed_a, *fixed_b;
};

struct fx_sim {
	int		 n_persons, n_items, n_options;
	/* Items. */
	double		*a, *b, *beta, *alpha;
	int		*key;		/* correct option per item */
	double		*distractor;	/* n_items * n_options shares among
					   wrong options (0 for the key) */
	unsigned char	*leaked;	/* 1 if the item is compromised */
	int		 n_leaked;
	/* Persons. */
	double		*theta, *tau;	/* the values that generated the data */
	double		*history_theta, *history_tau;	/* = theta, tau except
							   for proxies */
	int		*profile;	/* enum fx_sim_profile */
	int		*source;	/* copier's source, else -1 */
	/* Data, person-major (j * n_items + i). */
	signed char	*u;		/* 0/1, -1 missing */
	signed char	*option;	/* 0..n_options-1, -1 missing */
	double		*t;		/* seconds, 0 when missing */
};

/* Defaults: 4 options, no cheaters, no missing, leak 10-30 %, pk 0.9. */
void		 fx_sim_config_default(struct fx_sim_config *,
		     int n_persons, int n_items, uint64_t seed);
/* A new simulated exam (calloc'd; aborts on out-of-memory). */
struct fx_sim	*fx_sim_new(const struct fx_sim_config *);
void		 fx_sim_free(struct fx_sim *);
/* theta[j] (n_persons): each person's bounded MLE from his responses with
 * the true 2PL parameters, by irt.c's forensics_irt_theta, as a caller
 * would have it. */
void		 fx_sim_theta_mle(const struct fx_sim *, double *theta);
/* Pearson correlation of x and y over n values. */
double		 fx_sim_corr(const double *x, const double *y, int n);

#endif
