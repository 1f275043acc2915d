/* Vector kernels of src/act/exp.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_SRC_ACT_SIMD_EXP_H
#define ACTLAB_SRC_ACT_SIMD_EXP_H

#include "../kern.h"

struct act__kc_elu {
    double alpha;
    int unit; /* alpha = 1 (PyTorch's default): no product */
};

struct act__kc_celu {
    struct act__kc_elu elu;
    float inv_alpha;
    float tiny; /* alpha 2^-100: below it x / alpha would be subnormal */
};

struct act__kc_selu {
    double scale, scale_alpha;
    float scale_f;
};

ACT_VEC_DECL(elu)
ACT_VEC_DECL(celu)
ACT_VEC_DECL(selu)
ACT_VEC_DECL(exponential)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

static inline vf k_expm1_clamped(vf z) { return k_expm1_neg(v_max(z, v_set(-25.0f))); }

static inline vf F_elu(vf x, const struct act__kc_elu *k)
{
    vf neg = k_expm1_clamped(x);
    if (!k->unit)
        neg = k_mul_d(neg, k->alpha);
    return v_sel(v_ge(x, v_set(0.0f)), x, neg); /* >=: -0 stays -0 */
}
static inline vf B_elu(vf x, vf dy, const struct act__kc_elu *k)
{
    vf g = k_exp(v_max(v_min(x, v_set(0.0f)), v_set(-104.0f)));
    if (!k->unit)
        g = k_mul_d(g, k->alpha);
    return k_grad(dy, v_sel(v_gt(x, v_set(0.0f)), v_set(1.0f), g));
}

/* selu: scale (d0) x for x > 0, scale alpha (d1) expm1(x) below */
static inline vf F_selu(vf x, const struct act__kc_selu *k)
{
    vf neg = k_mul_d(k_expm1_clamped(x), k->scale_alpha);
    return v_sel(v_ge(x, v_set(0.0f)), k_mul_d(x, k->scale), neg);
}
static inline vf B_selu(vf x, vf dy, const struct act__kc_selu *k)
{
    vf g = k_mul_d(k_exp(v_max(v_min(x, v_set(0.0f)), v_set(-104.0f))), k->scale_alpha);
    g = v_sel(v_gt(x, v_set(0.0f)), v_set(k->scale_f), g);
    return k_grad(dy, g);
}

static inline vf F_celu(vf x, const struct act__kc_celu *k)
{
    if (k->elu.unit) /* elu's */
        return F_elu(x, &k->elu);
    vf neg = k_mul_d(k_expm1_clamped(v_mul(x, v_set(k->inv_alpha))), k->elu.alpha);
    /* where x / alpha would be subnormal, alpha expm1(x / alpha) = x to 2^-100 */
    neg = v_sel(v_lt(k_abs(x), v_set(k->tiny)), x, neg);
    return v_sel(v_gt(x, v_set(0.0f)), x, neg);
}
static inline vf B_celu(vf x, vf dy, const struct act__kc_celu *k)
{
    if (k->elu.unit)
        return B_elu(x, dy, &k->elu);
    vf g = k_exp(v_max(v_min(v_mul(x, v_set(k->inv_alpha)), v_set(0.0f)), v_set(-104.0f)));
    return k_grad(dy, v_sel(v_gt(x, v_set(0.0f)), v_set(1.0f), g));
}

static inline vf F_exponential(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf y = k_exp(v_min(v_max(x, v_set(-104.0f)), v_set(89.0f)));
    return y;
}
static inline vf B_exponential(vf x, vf dy, const struct act__kc_none *k)
{
    return k_grad(dy, F_exponential(x, k));
}

ACT_VEC_ELEMENTWISE(elu, struct act__kc_elu, F_elu, B_elu)
ACT_VEC_ELEMENTWISE(selu, struct act__kc_selu, F_selu, B_selu)
ACT_VEC_ELEMENTWISE(celu, struct act__kc_celu, F_celu, B_celu)
ACT_VEC_ELEMENTWISE(exponential, struct act__kc_none, F_exponential, B_exponential)

#endif
#endif
