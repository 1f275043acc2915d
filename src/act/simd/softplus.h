/* Vector kernels of src/act/softplus.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_SOFTPLUS_H
#define ACTLAB_SRC_ACT_SIMD_SOFTPLUS_H

#include "../kern.h"
#include "swish.h" /* z = beta x as silu's */

struct act__kc_softplus {
    struct act__kc_swish z;
    float threshold;
};

struct act__kc_squareplus {
    double b;
};

ACT_VEC_DECL(softplus)
ACT_VEC_DECL(softsign)
ACT_VEC_DECL(squareplus)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

/* max(z, 0) + log1p(exp(-|z|)), z = beta x as hi + lo */
static inline vf F_softplus(vf x, const struct act__kc_softplus *k)
{
    vf zl, z = k_swish_z(x, &k->z, &zl);
    vf l = k_log1p_01(k_exp_negabs(z, zl));
    vf y = v_add(v_max(z, v_set(0.0f)), l);
    if (!k->z.unit)
        y = v_div(y, v_set(k->z.beta));
    return v_sel(v_gt(z, v_set(k->threshold)), x, y);
}
static inline vf B_softplus(vf x, vf dy, const struct act__kc_softplus *k)
{
    vf zl, z = k_swish_z(x, &k->z, &zl);
    vf e = k_exp_negabs(z, zl);
    vf s = v_div(v_sel(v_gt(z, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    return k_grad(dy, v_sel(v_gt(z, v_set(k->threshold)), v_set(1.0f), s));
}

/* softsign = x / (1 + |x|); |x| is capped so that +-inf give +-1 */
static inline vf F_softsign(vf x, const struct act__kc_none *k)
{
    (void)k;
    vf xc = v_min(v_max(x, v_set(-1e30f)), v_set(1e30f));
    return v_div(xc, v_add(v_set(1.0f), k_abs(xc)));
}
static inline vf B_softsign(vf x, vf dy, const struct act__kc_none *k)
{
    (void)k;
    vf r = v_div(v_set(1.0f), v_add(v_set(1.0f), k_abs(x)));
    return k_grad(dy, v_mul(r, r));
}

/* squareplus (d0 = b): (x + s) / 2 and, for x < 0, b / (2 (s - x)), s = sqrt(x^2 + b), all in
 * double as the specification (x^2 of a float cannot overflow there): rounded once */
static inline vd k_squareplus_d(vd x, vd b)
{
    vd s = vd_sqrt(x * x + b), h = vd_set(0.5);
    vd pos = (x + s) * h, neg = b / ((s - x) + (s - x));
    return vd_sel_ge0(x, pos, neg);
}
static inline vf F_squareplus(vf x, const struct act__kc_squareplus *k)
{
    vf2d d = v_widen(v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)));
    vd b = vd_set(k->b);
    d.lo = k_squareplus_d(d.lo, b);
    d.hi = k_squareplus_d(d.hi, b);
    vf y = v_narrow(d);
    /* the limits: inf at +inf, 0 at -inf */
    y = v_sel(v_eq(x, v_set(-INFINITY)), v_set(0.0f), y);
    return v_sel(v_eq(x, v_set(INFINITY)), x, y);
}
/* squareplus' = (1 + x / s) / 2, for x < 0 b / (2 s (s - x)) */
static inline vd k_dsquareplus_d(vd x, vd b)
{
    vd s = vd_sqrt(x * x + b), h = vd_set(0.5), one = vd_set(1.0);
    vd pos = (one + x / s) * h, neg = b / ((s + s) * (s - x));
    return vd_sel_ge0(x, pos, neg);
}
static inline vf B_squareplus(vf x, vf dy, const struct act__kc_squareplus *k)
{
    vf2d d = v_widen(v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)));
    vd b = vd_set(k->b);
    d.lo = k_dsquareplus_d(d.lo, b);
    d.hi = k_dsquareplus_d(d.hi, b);
    vf g = v_narrow(d);
    g = v_sel(v_eq(x, v_set(INFINITY)), v_set(1.0f), v_sel(v_eq(x, v_set(-INFINITY)), v_set(0.0f), g));
    return k_grad(dy, g);
}

ACT_VEC_ELEMENTWISE(softplus, struct act__kc_softplus, F_softplus, B_softplus)
ACT_VEC_ELEMENTWISE(softsign, struct act__kc_none, F_softsign, B_softsign)
ACT_VEC_ELEMENTWISE(squareplus, struct act__kc_squareplus, F_squareplus, B_squareplus)

#endif
#endif
