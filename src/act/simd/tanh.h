/* Vector kernels of src/act/tanh.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_TANH_H
#define ACTLAB_SRC_ACT_SIMD_TANH_H

#include "../kern.h"

struct act__kc_hard_tanh {
    float min, max;     /* rounded */
    float above, below; /* floats bracketing them: x > min iff x > above, x < max iff x < below */
};

/* hardshrink, softshrink */
struct act__kc_shrink {
    float below;  /* the largest float <= lambda: |x| <= lambda iff -below <= x <= below */
    float hi, lo; /* lambda = hi + lo */
};

ACT_VEC_DECL(tanh)
ACT_VEC_DECL(hard_tanh)
ACT_VEC_DECL(hardshrink)
ACT_VEC_DECL(softshrink)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

static inline vf F_hard_tanh(vf x, const struct act__kc_hard_tanh *k)
{
    return v_sel(v_gt(x, v_set(k->above)), v_sel(v_lt(x, v_set(k->below)), x, v_set(k->max)),
                 v_set(k->min));
}
static inline vf B_hard_tanh(vf x, vf dy, const struct act__kc_hard_tanh *k)
{
    return v_sel(m_and(v_gt(x, v_set(k->above)), v_lt(x, v_set(k->below))), dy, v_set(0.0f));
}

static inline vm k_in_shrink(vf x, const struct act__kc_shrink *k)
{
    return m_and(v_ge(x, v_sub(v_set(0.0f), v_set(k->below))), v_le(x, v_set(k->below)));
}
static inline vf F_hardshrink(vf x, const struct act__kc_shrink *k)
{
    return v_sel(k_in_shrink(x, k), v_set(0.0f), x);
}
static inline vf B_shrink(vf x, vf dy, const struct act__kc_shrink *k)
{
    return v_sel(k_in_shrink(x, k), v_set(0.0f), dy);
}
static inline vf F_softshrink(vf x, const struct act__kc_shrink *k)
{
    /* x - lambda with lambda = hi + lo: the first subtraction is exact near the kink
     * (Sterbenz) and the second rounds once */
    vf pos = v_sub(v_sub(x, v_set(k->hi)), v_set(k->lo));
    vf neg = v_add(v_add(x, v_set(k->hi)), v_set(k->lo));
    vf y = v_sel(v_gt(x, v_set(0.0f)), pos, neg);
    return v_sel(k_in_shrink(x, k), v_set(0.0f), y);
}

/* |x| <= 0.5494: the odd polynomial; beyond: 1 - 2e / (1 + e), e = exp(-2|x|), ~1 ULP.
 * Both are evaluated for every block: a branch on "some lane is small" is taken at random
 * on mixed data, and its mispredictions cost more than the polynomial (measured at 256K
 * elements: 0.475 ns branching, see docs/BENCHMARKS.md). */
static inline vf k_tanh(vf x, vf *dt)
{
    vf a = k_abs(x);
    vm small = v_le(a, v_set(0.5494f));
    vf ys = k_tanh_poly(x);
    vf e = k_exp(v_max(v_mul(a, v_set(-2.0f)), v_set(-104.0f)));
    vf q = v_div(v_add(e, e), v_add(v_set(1.0f), e));
    vf y = v_sel(small, ys, k_copysign(v_sub(v_set(1.0f), q), x));
    if (dt) /* 1 - t^2 = q (2 - q) = 4e / (1 + e)^2 */
        *dt = v_sel(small, v_fnma(ys, ys, v_set(1.0f)), v_mul(q, v_sub(v_set(2.0f), q)));
    return v_sel(v_eq(x, v_set(0.0f)), x, y); /* tanh(-0) = -0 */
}
static inline vf F_tanh(vf x, const struct act__kc_none *k)
{
    (void)k;
    return k_tanh(x, NULL);
}
static inline vf B_tanh(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf d;
    k_tanh(x, &d);
    return k_grad(dy, d);
}

ACT_VEC_ELEMENTWISE(hard_tanh, struct act__kc_hard_tanh, F_hard_tanh, B_hard_tanh)
ACT_VEC_ELEMENTWISE(hardshrink, struct act__kc_shrink, F_hardshrink, B_shrink)
ACT_VEC_ELEMENTWISE(softshrink, struct act__kc_shrink, F_softshrink, B_shrink)
ACT_VEC_ELEMENTWISE(tanh, struct act__kc_none, F_tanh, B_tanh)

#endif
#endif
