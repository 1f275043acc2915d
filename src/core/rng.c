/* xoshiro256** (Blackman and Vigna, 2018): fast, 256-bit state, passes BigCrush; seeded from
 * one 64-bit value by splitmix64 as its authors recommend. */
#include <math.h>

#include "actlab/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void al_rng_seed(al_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t al_rng_next(al_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double al_rng_uniform(al_rng *r)
{
    return (double)(al_rng_next(r) >> 11) * 0x1p-53;
}

int64_t al_rng_range(al_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo, limit = -span % span, x;
    do /* reject the low values that would make some results more likely */
        x = al_rng_next(r);
    while (x < limit);
    return lo + (int64_t)(x % span);
}

double al_rng_normal(al_rng *r)
{
    double u = 1.0 - al_rng_uniform(r); /* (0, 1]: log(u) is finite */
    double v = al_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586476925286766559 * v);
}
