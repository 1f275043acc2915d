/* Vector kernels of src/act/sigmoid.c (see vmath.h and drive.h). */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_SIGMOID_H
#define ACTLAB_SRC_ACT_SIMD_SIGMOID_H

#include "../kern.h"

ACT_VEC_DECL(sigmoid)
ACT_VEC_DECL(log_sigmoid)
ACT_VEC_DECL(hard_sigmoid)
ACT_VEC_DECL(elliott)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

/* hard_sigmoid: clamp(x + 3, 0, 6) / 6 */
static inline vf F_hard_sigmoid(vf x, const struct act__kc_none *k)
{
    (void)k;
    /* x + 3 is exact in double, and the one rounding is the final one */
    vf2d d = v_widen(v_min(v_max(x, v_set(-3.0f)), v_set(3.0f)));
    vd three = vd_set(3.0), sixth = vd_set(1.0 / 6.0);
    d.lo = (d.lo + three) * sixth;
    d.hi = (d.hi + three) * sixth;
    return v_narrow(d);
}
static inline vf B_hard_sigmoid(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vm in = m_and(v_gt(x, v_set(-3.0f)), v_lt(x, v_set(3.0f)));
    return k_grad(dy, v_sel(in, v_set(1.0f / 6.0f), v_set(0.0f)));
}


static inline vf B_sigmoid(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    return k_grad(dy, k_dsigmoid(k_exp_negabs(x, v_set(0.0f))));
}

/* log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)) */
static inline vf F_log_sigmoid(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf l = k_log1p_01(k_exp_negabs(x, v_set(0.0f)));
    return v_sel(v_gt(x, v_set(0.0f)), v_xor(l, v_set(-0.0f)), v_sub(x, l));
}
static inline vf B_log_sigmoid(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf e = k_exp_negabs(x, v_set(0.0f));
    vf g = v_div(v_sel(v_gt(x, v_set(0.0f)), e, v_set(1.0f)), v_add(v_set(1.0f), e));
    return k_grad(dy, g);
}


/* sigmoid(x) = (x > 0 ? 1 : e) / (1 + e), e = exp(-|x|): the swish quotient with x = 1 */
static inline vf F_sigmoid(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf q, t, one = v_set(1.0f);
    if (k_all(k_common(x))) {
        t = k_exp_negabs_common(x, v_set(0.0f), &q);
        return k_swish_quot_common(one, t, t, q, v_gt(x, v_set(0.0f)), 1);
    }
    t = k_exp_negabs_tq(x, v_set(0.0f), &q);
    return k_untail(x, k_swish_quot(one, t, t, q, x, 1));
}


/* elliott = 1/2 + x / (2 (1 + |x|)), as 1 / (2 (1 - x)) for x < 0 (no cancellation); |x| is
 * capped so that +inf gives 1. ~1 ULP. */
static inline vf F_elliott(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf xc = v_min(x, v_set(1e30f));
    vf neg = v_div(v_set(0.5f), v_sub(v_set(1.0f), x));
    vf pos = v_add(v_set(0.5f), v_div(xc, v_add(v_add(xc, xc), v_set(2.0f))));
    return v_sel(v_lt(x, v_set(0.0f)), neg, pos);
}
static inline vf B_elliott(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf r = v_div(v_set(1.0f), v_add(v_set(1.0f), k_abs(x)));
    return k_grad(dy, v_mul(v_mul(v_set(0.5f), r), r));
}

ACT_VEC_ELEMENTWISE(hard_sigmoid, struct act__kc_none, F_hard_sigmoid, B_hard_sigmoid)
ACT_VEC_ELEMENTWISE(sigmoid, struct act__kc_none, F_sigmoid, B_sigmoid)
ACT_VEC_ELEMENTWISE(log_sigmoid, struct act__kc_none, F_log_sigmoid, B_log_sigmoid)
ACT_VEC_ELEMENTWISE(elliott, struct act__kc_none, F_elliott, B_elliott)

#endif
#endif
