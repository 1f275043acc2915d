/* sklearn's train_test_split for the tabular pipeline: NumPy's legacy MT19937 stream and its
 * permutation, so that a seed picks the same validation rows as in Python. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "actlab/table.h"

/* ---- split: sklearn's train_test_split ------------------------------------------------- */

/* MT19937 as NumPy's legacy RandomState: seeded by init_genrand(seed) (numpy
 * random/src/mt19937/mt19937.c, mt19937_seed), tempered 32-bit outputs. */
struct mt19937 {
    uint32_t key[624];
    int pos;
};

static void mt_seed(struct mt19937 *m, uint32_t seed)
{
    for (int i = 0; i < 624; i++) {
        m->key[i] = seed;
        seed = 1812433253u * (seed ^ (seed >> 30)) + (uint32_t)i + 1u;
    }
    m->pos = 624;
}

static void mt_generate(struct mt19937 *m)
{
    static const uint32_t mag[2] = {0u, 0x9908b0dfu};
    uint32_t *k = m->key, y;
    int i;
    for (i = 0; i < 624 - 397; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + 397] ^ (y >> 1) ^ mag[y & 1];
    }
    for (; i < 623; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + 397 - 624] ^ (y >> 1) ^ mag[y & 1];
    }
    y = (k[623] & 0x80000000u) | (k[0] & 0x7fffffffu);
    k[623] = k[396] ^ (y >> 1) ^ mag[y & 1];
    m->pos = 0;
}

static uint32_t mt_next(struct mt19937 *m)
{
    if (m->pos == 624)
        mt_generate(m);
    uint32_t y = m->key[m->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* numpy random_interval: a uniform integer in [0, max] by masked rejection sampling, on
 * 32-bit outputs while max fits in 32 bits. */
static uint64_t random_interval(struct mt19937 *m, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = max, v;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    if (max <= 0xffffffffu) {
        while ((v = (mt_next(m) & mask)) > max)
            ;
    } else {
        do {
            uint64_t hi = mt_next(m);
            v = ((hi << 32) | mt_next(m)) & mask;
        } while (v > max);
    }
    return v;
}

al_status data_tab_split(size_t n, double val_fraction, uint32_t seed, size_t *train, size_t *n_train,
              size_t *val, size_t *n_val)
{
    AL_API_ENTRY;
    if (!train || !n_train || !val || !n_val)
        return al__fail(AL_EINVAL, "data_tab_split: an output pointer is NULL");
    *n_train = *n_val = 0;
    if (n == 0)
        return al__fail(AL_EINVAL, "no rows to split");
    if (!(val_fraction >= 0.0 && val_fraction < 1.0))
        return al__fail(AL_EINVAL, "data_tab_split: validation fraction %g is not in [0, 1)",
                        val_fraction);
    size_t nv = (size_t)ceil(val_fraction * (double)n);
    if (nv >= n)
        return al__fail(AL_EINVAL,
                        "%zu rows with validation fraction %g leave no training rows",
                        n, val_fraction);
    /* RandomState(seed).permutation(n): np.arange(n) then the legacy shuffle */
    struct mt19937 *m = malloc(sizeof *m);
    if (!m)
        return al__fail(AL_ENOMEM, "out of memory");
    mt_seed(m, seed);
    for (size_t i = 0; i < n; i++)
        train[i] = i;
    for (size_t i = n - 1; i >= 1; i--) {
        size_t j = (size_t)random_interval(m, i), t = train[i];
        train[i] = train[j];
        train[j] = t;
    }
    free(m);
    memcpy(val, train, nv * sizeof *val);
    memmove(train, train + nv, (n - nv) * sizeof *train);
    *n_val = nv;
    *n_train = n - nv;
    al__clear_error();
    return AL_OK;
}
