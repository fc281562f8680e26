/*
 * rng.h - the simulator's private pseudo-random numbers.
 *
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014): eight bytes of state, one add and a 64-bit mix per
 * draw.  The simulator gives each candidate its own stream so that what one
 * candidate does never depends on how far another has got; integer-only
 * arithmetic keeps the output identical on every platform and compiler.
 */
#ifndef INVIGIL_FEED_RNG_H
#define INVIGIL_FEED_RNG_H

#include <stdint.h>

#define RNG_GOLDEN	UINT64_C(0x9e3779b97f4a7c15)

/* The splitmix64 finaliser: a bijective 64-bit mix. */
static inline uint64_t
rng_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A stateless hash of (seed, a, b): derives seeds and fixed attributes. */
static inline uint64_t
rng_hash(uint64_t seed, uint64_t a, uint64_t b)
{
	return rng_mix(rng_mix(seed ^ rng_mix(a + RNG_GOLDEN)) +
	    rng_mix(b ^ (RNG_GOLDEN >> 1)));
}

/* The next 64 random bits of the stream *s. */
static inline uint64_t
rng_next(uint64_t *s)
{
	*s += RNG_GOLDEN;
	return rng_mix(*s);
}

/* Uniform in [0, n), n >= 1 (Lemire's multiply-shift, no division). */
static inline uint32_t
rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rng_next(s) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi], lo <= hi. */
static inline int64_t
rng_range(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)rng_below(s, (uint32_t)(hi - lo + 1));
}

/* 1 with probability permille/1000. */
static inline int
rng_chance(uint64_t *s, unsigned permille)
{
	return rng_below(s, 1000) < permille;
}

#endif /* INVIGIL_FEED_RNG_H */
