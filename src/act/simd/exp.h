/* Vector kernels of src/act/exp.c (see vmath.h and drive.h), and their constants. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
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

/* xielu: the parameters, and eps as the kernels compare it */
struct act__kc_xielu {
    double alpha_p, alpha_n, beta, eps;
    float eps_f;     /* eps rounded: the reduction's argument */
    float eps_above; /* the smallest float >= eps: x < eps iff x < eps_above */
    int eps_tie;     /* eps is a float: x = eps can occur */
};

ACT_VEC_DECL(elu)
ACT_VEC_DECL(celu)
ACT_VEC_DECL(selu)
ACT_VEC_DECL(exponential)
ACT_VEC_DECL(xielu)

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

/* xielu, in double and rounded once: near its root (x = -2.3 at the defaults) alpha_n (e^x -
 * 1 - x) and beta x cancel to 2^-25 of their size, which float's exp cannot carry.
 * e^m - 1 for m = max(min(x, eps), -80) as 2^n (e^r - 1) + (2^n - 1): n from the float m,
 * r = m - n ln2 in double (ln2's high part has 28 bits, so n ln2_hi is exact), e^r - 1 by
 * its Taylor series to r^13 (|r| <= 0.35: truncation 2^-57). */
/* always inline: an out-of-line copy would return a 32-byte vector on the base path */
static inline __attribute__((always_inline)) vd
k_xielu_expm1(vd x, vd n, vd t, const struct act__kc_xielu *k)
{
    static const double c[] = {1.0 / 2,         1.0 / 6,          1.0 / 24,
                               1.0 / 120,       1.0 / 720,        1.0 / 5040,
                               1.0 / 40320,     1.0 / 362880,     1.0 / 3628800,
                               1.0 / 39916800,  1.0 / 479001600,  1.0 / 6227020800};
    vd m = vd_sel_ge0(x - vd_set(k->eps), vd_set(k->eps), x);
    m = vd_sel_ge0(m + vd_set(80.0), m, vd_set(-80.0));
    vd r = (m - n * vd_set(0x1.62e42feep-1)) - n * vd_set(0x1.a39ef35793c76p-33);
    vd p = vd_set(c[11]);
#pragma GCC unroll 12
    for (int i = 10; i >= 0; i--)
        p = p * r + vd_set(c[i]);
    return t * (r + r * r * p) + (t - vd_set(1.0));
}

/* n and 2^n (exact) for the reduction, from the float m; x clamped to the finite floats */
static inline void k_xielu_parts(vf x, const struct act__kc_xielu *k, vf2d *xd, vf2d *nd,
                                 vf2d *td)
{
    vf mf = v_max(v_min(x, v_set(k->eps_f)), v_set(-80.0f));
    vf n = v_round(v_mul(mf, v_set(K_LOG2E)));
    *xd = v_widen(v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)));
    *nd = v_widen(n);
    *td = v_widen(v_scale(v_set(1.0f), n));
}

/* x (alpha_p x + beta) for x > 0, alpha_n (expm1(min(x, eps)) - x) + beta x otherwise, as
 * the specification; -inf gives the limit +inf (alpha_n > beta) */
static inline __attribute__((always_inline)) vd
k_xielu_neg(vd x, vd n, vd t, const struct act__kc_xielu *k)
{
    return vd_set(k->alpha_n) * (k_xielu_expm1(x, n, t, k) - x) + vd_set(k->beta) * x;
}
static inline __attribute__((always_inline)) vd k_xielu_pos(vd x,
                                                              const struct act__kc_xielu *k)
{
    return x * (vd_set(k->alpha_p) * x + vd_set(k->beta));
}
static inline vf F_xielu(vf x, const struct act__kc_xielu *k)
{
    vf2d xd, nd, td, pos, neg;
    k_xielu_parts(x, k, &xd, &nd, &td);
    pos.lo = k_xielu_pos(xd.lo, k);
    pos.hi = k_xielu_pos(xd.hi, k);
    neg.lo = k_xielu_neg(xd.lo, nd.lo, td.lo, k);
    neg.hi = k_xielu_neg(xd.hi, nd.hi, td.hi, k);
    vf y = v_sel(v_gt(x, v_set(0.0f)), v_narrow(pos), v_narrow(neg));
    return v_sel(v_eq(x, v_set(-INFINITY)), v_set(INFINITY), y);
}

/* xielu' = 2 alpha_p x + beta for x > 0; alpha_n expm1(x) + beta for x < eps; at x = eps
 * alpha_n (e^x / 2 - 1) + beta (torch.minimum's half); beta - alpha_n up to 0 */
static inline vf B_xielu(vf x, vf dy, const struct act__kc_xielu *k)
{
    vf2d xd, nd, td, pos, lt, tie;
    k_xielu_parts(x, k, &xd, &nd, &td);
    vd an = vd_set(k->alpha_n), b = vd_set(k->beta), two_ap = vd_set(2 * k->alpha_p);
    vd half = vd_set(0.5), one = vd_set(1.0);
    vd em = k_xielu_expm1(xd.lo, nd.lo, td.lo, k);
    pos.lo = two_ap * xd.lo + b;
    lt.lo = an * em + b;
    tie.lo = an * (half * (em + one) - one) + b;
    em = k_xielu_expm1(xd.hi, nd.hi, td.hi, k);
    pos.hi = two_ap * xd.hi + b;
    lt.hi = an * em + b;
    tie.hi = an * (half * (em + one) - one) + b;
    vf g = v_set((float)(k->beta - k->alpha_n));
    if (k->eps_tie)
        g = v_sel(v_eq(x, v_set(k->eps_f)), v_narrow(tie), g);
    g = v_sel(v_lt(x, v_set(k->eps_above)), v_narrow(lt), g);
    g = v_sel(v_gt(x, v_set(0.0f)), v_narrow(pos), g);
    /* f' grows without bound: +inf at +inf, which x clamped to FLT_MAX may not reach */
    return k_grad(dy, v_sel(v_eq(x, v_set(INFINITY)), x, g));
}

ACT_VEC_ELEMENTWISE(elu, struct act__kc_elu, F_elu, B_elu)
ACT_VEC_ELEMENTWISE(selu, struct act__kc_selu, F_selu, B_selu)
ACT_VEC_ELEMENTWISE(celu, struct act__kc_celu, F_celu, B_celu)
ACT_VEC_ELEMENTWISE(exponential, struct act__kc_none, F_exponential, B_exponential)
ACT_VEC_ELEMENTWISE(xielu, struct act__kc_xielu, F_xielu, B_xielu)

#endif
#endif
