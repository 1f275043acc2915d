/* Parameter settings and input generators of the accuracy and gradient tests. */
#include "cases.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Non-default settings: at least one for every parametrised function, chosen to move the
 * kinks and saturation points (and a few edge values the parser accepts: slope 0, a dead
 * zone of width 0, negative beta). Defaults are always tested as well. */
static const char *const extra[] = {
    "leaky_relu:alpha=0.2",
    "leaky_relu:alpha=0",
    "prelu:alpha=0.1",
    "rrelu:lower=0.1,upper=0.3",
    "rrelu:lower=0.2,upper=0.2",
    "threshold:threshold=1,value=-2",
    "threshold:threshold=-0.5,value=0.25",
    "elu:alpha=0.5",
    "elu:alpha=2",
    "celu:alpha=2",
    "celu:alpha=0.5",
    "silu:beta=1.5",
    "silu:beta=0.5",
    "silu:beta=-1",
    "softplus:beta=2,threshold=10",
    "softplus:beta=0.5,threshold=5",
    "softplus:beta=-1",
    "squareplus:b=1",
    "squareplus:b=0.25",
    "hard_tanh:min=-2,max=3",
    "hard_tanh:min=0,max=1",
    "softshrink:lambda=1",
    "softshrink:lambda=0",
    "hardshrink:lambda=1",
    "hardshrink:lambda=0",
    "snake:alpha=0.5",
    "snake:alpha=3",
    "xielu:alpha_p=2,alpha_n=1.5,beta=0.25",
    "xielu:alpha_p=0.25,alpha_n=3,beta=-0.5,eps=-0.01",
    "xielu:eps=-0.5", /* a float: x = eps is reached */
    /* row-wise */
    "softmax:temperature=0.5",
    "softmax:temperature=2",
    "log_softmax:temperature=0.5",
    "log_softmax:temperature=2",
    "softmin:temperature=0.5",
    "softmin:temperature=2",
    "maxout:k=3",
};

size_t cases_specs(act_kind k, act_spec *out, size_t max, const char **bad)
{
    size_t n = 0;
    *bad = NULL;
    if (max == 0 || act_init(&out[n++], k))
        return 0;
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        act_spec s;
        if (act_parse(extra[i], &s)) {
            *bad = extra[i];
            return 0;
        }
        if (s.kind == k && n < max)
            out[n++] = s;
    }
    return n;
}

uint64_t cases_rng(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

double cases_uniform(uint64_t *state, double lo, double hi)
{
    return lo + (hi - lo) * ((double)(cases_rng(state) >> 11) * 0x1p-53);
}

void cases_sweep(float *out, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(n > 1 ? lo + (hi - lo) * (double)i / (double)(n - 1) : lo);
}

void cases_random_bits(float *out, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        uint32_t b = (uint32_t)(cases_rng(&s) >> 32);
        memcpy(&out[i], &b, sizeof b);
    }
}

void cases_uniform_floats(float *out, size_t n, double lo, double hi, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)cases_uniform(&s, lo, hi);
}

/* v, and the floats just below and above it */
static size_t around(float *out, float v)
{
    out[0] = v;
    out[1] = nextafterf(v, -INFINITY);
    out[2] = nextafterf(v, INFINITY);
    return 3;
}

size_t cases_specials(const act_spec *a, float *out)
{
    /* where common functions saturate in float (sigmoid and tanh reach 1 near 8.3-17.3),
     * where exp overflows (88.72) or leaves the denormals (-103.97), and the kinks of
     * relu6, hard_sigmoid and hard_swish (+-3, 6) */
    static const float mags[] = {
        FLT_TRUE_MIN, 2 * FLT_TRUE_MIN, 1e-40f, FLT_MIN, 1e-30f, 1e-20f, 1e-10f, 1e-8f,
        0x1p-12f, 1e-4f, 1e-3f, 0.01f, 0.1f, 0.25f, 0.5f, 0.75f, 1, 1.5f, 2, 2.5f, 3, 4, 5,
        6, 7, 8, 8.3f, 9, 9.1f, 10, 12, 15, 16, 16.6f, 17, 17.33f, 18, 20, 25, 30, 40, 50,
        87, 87.34f, 88, 88.72f, 89, 100, 103, 103.97f, 104, 105, 150, 1000, 1e4f, 1e5f,
        0x1p23f, 0x1p24f, 1e10f, 1e15f, 1e19f, 1e20f, 1e30f, 1e37f, FLT_MAX,
    };
    size_t n = 0;
    out[n++] = 0.0f;
    out[n++] = -0.0f;
    out[n++] = INFINITY;
    out[n++] = -INFINITY;
    out[n++] = NAN;
    out[n++] = -NAN;
    for (size_t i = 0; i < sizeof mags / sizeof mags[0]; i++) {
        n += around(out + n, mags[i]);
        n += around(out + n, -mags[i]);
    }
    /* the parameters' own kinks: +-lambda, threshold, min, max, ... */
    const act_info *in = act_get_info(a->kind);
    for (unsigned i = 0; in && i < in->n_params; i++) {
        n += around(out + n, (float)a->p[i]);
        n += around(out + n, (float)-a->p[i]);
    }
    if (a->kind == ACT_SOFTPLUS && a->p[0] != 0) { /* where beta x crosses the threshold */
        float t = (float)(a->p[1] / a->p[0]);
        n += around(out + n, t);
        n += around(out + n, nextafterf(nextafterf(t, INFINITY), INFINITY));
        n += around(out + n, nextafterf(nextafterf(t, -INFINITY), -INFINITY));
    }
    return n;
}

size_t cases_inputs(const act_spec *a, float *out, size_t n_sweep, size_t n_random,
                    uint64_t seed)
{
    cases_sweep(out, n_sweep, -30.0, 30.0);
    cases_random_bits(out + n_sweep, n_random, seed);
    return n_sweep + n_random + cases_specials(a, out + n_sweep + n_random);
}
