/* A small seeded random number generator (xoshiro256**, seeded through splitmix64): the same
 * seed gives the same stream on every machine and compiler, which the neuron demo, weight
 * initialisation and shuffling rely on. Plain struct: one per user, no global state. */
#ifndef ACTLAB_RNG_H
#define ACTLAB_RNG_H

#include "export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct al_rng {
    uint64_t s[4];
} al_rng;

ACTLAB_API void al_rng_seed(al_rng *r, uint64_t seed);
ACTLAB_API uint64_t al_rng_next(al_rng *r);
/* uniform in [0, 1) with 53 random bits */
ACTLAB_API double al_rng_uniform(al_rng *r);
/* uniform integer in [lo, hi), without modulo bias; lo < hi */
ACTLAB_API int64_t al_rng_range(al_rng *r, int64_t lo, int64_t hi);
/* standard normal N(0, 1) (Box-Muller, one value per call: the pair's second half is
 * dropped so that the stream position never depends on call history) */
ACTLAB_API double al_rng_normal(al_rng *r);

#ifdef __cplusplus
}
#endif
#endif
