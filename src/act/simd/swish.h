/* Vector kernels of src/act/swish.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_SWISH_H
#define ACTLAB_SRC_ACT_SIMD_SWISH_H

#include "../kern.h"

/* silu and gelu_quick (beta 1.702): x sigmoid(beta x); softplus's z = beta x too */
struct act__kc_swish {
    float beta;
    int unit; /* beta is exactly 1: z = x, no product */
    double beta_d;
};

ACT_VEC_DECL(silu)
ACT_VEC_DECL(mish)
ACT_VEC_DECL(hard_swish)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

/* hard_swish: x (x + 3) / 6 on (-3, 3), 0 below, x above */
static inline vf F_hard_swish(vf x, const struct act__kc_none *k)
{
    (void)k;
    /* x (x + 3) is exact in double: one rounding, the final one */
    vf2d d = v_widen(v_min(v_max(x, v_set(-3.0f)), v_set(3.0f)));
    vd three = vd_set(3.0), sixth = vd_set(1.0 / 6.0);
    d.lo = d.lo * (d.lo + three) * sixth;
    d.hi = d.hi * (d.hi + three) * sixth;
    vf mid = v_narrow(d);
    return v_sel(v_le(x, v_set(-3.0f)), v_set(-0.0f), v_sel(v_ge(x, v_set(3.0f)), x, mid));
}
static inline vf B_hard_swish(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf mid = v_add(v_div(x, v_set(3.0f)), v_set(0.5f));
    vf g = v_sel(v_lt(x, v_set(-3.0f)), v_set(0.0f), v_sel(v_gt(x, v_set(3.0f)), v_set(1.0f), mid));
    return k_grad(dy, g);
}

/* silu: x sigmoid(z), z = beta x, = (z > 0 ? x : x e) / (1 + e) with e = exp(-|z|) */
static inline vf k_swish_z(vf x, const struct act__kc_swish *k, vf *zl)
{
    if (k->unit) {
        *zl = v_set(0.0f);
        return x;
    }
    return k_mul_lo(x, k->beta_d, zl);
}
static inline vf F_silu(vf x, const struct act__kc_swish *k)
{
    vf zl, z = k_swish_z(x, k, &zl);
    if (k_all(k_common(z))) {
        vf q, t = k_exp_negabs_common(z, zl, &q);
        return k_swish_quot_common(x, v_mul(x, t), t, q, v_gt(z, v_set(0.0f)), 0);
    }
    vf q, t = k_exp_negabs_tq(z, zl, &q);
    vf xc = v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)); /* inf * 0 would be NaN */
    return k_untail(z, k_swish_quot(x, v_mul(xc, t), t, q, z, 0));
}
/* silu' = s + z s', s = sigmoid(z), s' = e / (1 + e)^2 */
static inline vf B_silu(vf x, vf dy, const struct act__kc_swish *k)
{
    vf zl, z = k_swish_z(x, k, &zl);
    vf e = k_exp_negabs(z, zl);
    vf s = v_div(v_sel(v_gt(z, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    vf zc = v_min(v_max(z, v_set(-FLT_MAX)), v_set(FLT_MAX));
    vf g = v_fma(zc, k_dsigmoid(e), s);
    if (!k->unit)
        g = v_sel(v_eq(v_set(k->beta), v_set(0.0f)), v_set(0.5f), g);
    return k_grad(dy, g);
}

/* mish = x tanh(softplus(x)) = x n / (n + 2), n = e (e + 2), e = exp(x). With one exp for
 * every lane, w = exp(-|x|): x <= 0: x w (w + 2) / (w (w + 2) + 2); x > 0 (e = 1/w):
 * x (1 + 2w) / (1 + 2w + 2w^2). Every term is positive. w is held unrounded as t (1 + q)
 * (sc = 2^-64 undoes the tail's scaling) and the rest runs in double: one rounding at the
 * end; x > 20 gives x. */
static inline vd k_mish_d(vd x, vd t, vd q, vd sc)
{
    vd one = vd_set(1.0), two = vd_set(2.0);
    vd w = t * (one + q) * sc, a = w + w;
    vd np = one + a, nn = w * (w + two);
    vd num = vd_sel_ge0(x, np, nn), den = vd_sel_ge0(x, np + a * w, nn + two);
    return x * num / den;
}
static inline vf F_mish(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf q, t = k_exp_negabs_tq(x, v_set(0.0f), &q);
    vf sc = v_sel(v_lt(x, v_set(-80.0f)), v_set(0x1p-64f), v_set(1.0f));
    vf xc = v_max(x, v_set(-FLT_MAX));
    vf2d xd = v_widen(xc), td = v_widen(t), qd = v_widen(q), sd = v_widen(sc);
    vf2d y = {k_mish_d(xd.lo, td.lo, qd.lo, sd.lo), k_mish_d(xd.hi, td.hi, qd.hi, sd.hi)};
    return v_sel(v_gt(x, v_set(20.0f)), x, v_narrow(y));
}
/* mish' = t + x sigmoid(x) (1 - t^2), t = n / (n + 2), 1 - t^2 = 4 (n + 1) / (n + 2)^2 */
static inline vf B_mish(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf xm = v_min(v_max(x, v_set(-104.0f)), v_set(20.0f));
    vf e = k_exp(xm);
    vf n = v_fma(e, e, v_add(e, e));
    vf r = v_div(v_set(1.0f), v_add(n, v_set(2.0f)));
    vf t = v_mul(n, r);
    vf sg = v_div(e, v_add(v_set(1.0f), e));
    vf omt2 = v_mul(v_mul(v_set(4.0f), v_add(n, v_set(1.0f))), v_mul(r, r));
    vf g = v_fma(v_mul(xm, sg), omt2, t);
    return k_grad(dy, v_sel(v_gt(x, v_set(20.0f)), v_set(1.0f), g));
}

ACT_VEC_ELEMENTWISE(hard_swish, struct act__kc_none, F_hard_swish, B_hard_swish)
ACT_VEC_ELEMENTWISE(silu, struct act__kc_swish, F_silu, B_silu)
ACT_VEC_ELEMENTWISE(mish, struct act__kc_none, F_mish, B_mish)

#endif
#endif
