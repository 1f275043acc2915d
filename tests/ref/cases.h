/* What the accuracy and gradient tests run on: the parameter settings of every function,
 * and the input generators (dense sweeps, random float bit patterns, special values). */
#ifndef ACTLAB_TESTS_CASES_H
#define ACTLAB_TESTS_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "actlab/act.h"

#define CASES_MAX_SPECS 8      /* settings per kind */
#define CASES_MAX_SPECIALS 640 /* cases_specials() writes at most this many */

/* The settings tested for kind k: the defaults first (act_init), then the non-default ones
 * listed in cases.c. Returns how many, or 0 when a listed setting fails to parse (*bad then
 * names it). */
size_t cases_specs(act_kind k, act_spec *out, size_t max, const char **bad);

/* splitmix64: a tiny seeded generator, separate from the library's own */
uint64_t cases_rng(uint64_t *state);
double cases_uniform(uint64_t *state, double lo, double hi); /* in [lo, hi) */

/* n points from lo to hi (both included), rounded to float */
void cases_sweep(float *out, size_t n, double lo, double hi);

/* n random 32-bit patterns as floats: every exponent, NaNs and infinities included */
void cases_random_bits(float *out, size_t n, uint64_t seed);

/* n floats uniform in [lo, hi) */
void cases_uniform_floats(float *out, size_t n, double lo, double hi, uint64_t seed);

/* +-0, +-inf, NaN, +-FLT_MAX, +-FLT_MIN, denormals, and both sides of the saturation and
 * overflow points of the common functions and of this spec's parameters (kinks, threshold /
 * beta of softplus, ...). Returns how many (<= CASES_MAX_SPECIALS). */
size_t cases_specials(const act_spec *a, float *out);

/* sweep of [-30, 30], then random bit patterns, then the specials, into out (room for
 * n_sweep + n_random + CASES_MAX_SPECIALS). Returns the count. */
size_t cases_inputs(const act_spec *a, float *out, size_t n_sweep, size_t n_random,
                    uint64_t seed);

#endif
