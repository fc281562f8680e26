/*
 * bench.h - what the benchmark programs share: clocks, the one
 * pseudo-random stream their synthetic data comes from, and a comparison
 * for sorting timings.  Linked into each program (bench/bench.mk); no
 * module of the tree is needed.
 */
#ifndef INVIGIL_BENCH_H
#define INVIGIL_BENCH_H

#include <stdint.h>
#include <time.h>

/* Clock id (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID, ...) now, in ms. */
double		 bench_clock_ms(clockid_t id);

/* The monotonic clock now, in seconds. */
double		 bench_now_s(void);

/*
 * The next number of a xorshift64 stream seeded with 20261123: the same
 * sequence in every run, so that the data and the figures repeat.  One
 * stream per program; not thread-safe.
 */
uint64_t	 bench_rng(void);

/* qsort(3) comparison of two doubles, ascending. */
int		 bench_cmp_double(const void *, const void *);

#endif /* INVIGIL_BENCH_H */
