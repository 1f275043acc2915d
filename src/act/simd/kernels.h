/* The vector kernels, written once against the operations of vec_<path>.h and compiled once
 * per path (path_avx512.c, path_avx2.c, path_base.c include this file after their vec
 * header). Every kernel follows the scalar specification in src/act/: same formulas where
 * they are stable in float, the same special values, and a stated error bound (the
 * exhaustive sweep in tests/exhaustive.c checks it over all 2^32 inputs).
 *
 * Polynomials: minimax fits with single-precision coefficients made by the scripts in scripts/fit/;
 * each comment gives the fit's relative error. Arguments of exp() that carry a rounding
 * error a tail would amplify (beta * x, the GELU cubic, x - max in softmax) are passed as
 * an unevaluated sum hi + lo. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#include <float.h>
#include <math.h>

#include "../kern.h"

#define K_LOG2E 0x1.715476p+0f
/* ln 2 = K_LN2_HI + K_LN2_LO with K_LN2_HI's 15 bits, so n * K_LN2_HI is exact for |n| < 512
 * also without FMA */
#define K_LN2_HI 0x1.62e4p-1f
#define K_LN2_LO 0x1.7f7d1cp-20f

/* c[0] + c[1] u + ... + c[n-1] u^(n-1), Horner's rule */
static inline vf k_horner(vf u, const float *c, int n)
{
    vf p = v_set(c[n - 1]);
#pragma GCC unroll 16 /* -O2 would keep the loop (and reload c) in every kernel block */
    for (int i = n - 2; i >= 0; i--)
        p = v_fma(p, u, v_set(c[i]));
    return p;
}

/* e^r = 1 + r + r^2 P(r), |r| <= 0.347: scripts/fit/exp.sollya, rel. error 9.7e-9 (2^-26.6) */
static inline vf k_expm1_poly(vf r)
{
    static const float c[] = {0.5f, 0x1.5554dep-3f, 0x1.55556cp-5f, 0x1.120ae6p-7f,
                              0x1.6ca9dp-10f};
    return v_fma(v_mul(r, r), k_horner(r, c, 5), r);
}

/* z = n ln2 + r, n integral, |r| <= ln2/2 */
static inline vf k_reduce(vf z, vf *n)
{
    *n = v_round(v_mul(z, v_set(K_LOG2E)));
    return v_fnma(*n, v_set(K_LN2_LO), v_fnma(*n, v_set(K_LN2_HI), z));
}

/* exp(z + zl) for z in [-104, 88.72] (callers clamp), |zl| <= ulp(z). Subnormal results are
 * rounded once; below the range the result is 0. ~0.6 ULP. */
static inline vf k_exp_parts(vf z, vf zl, vf *n)
{
    return v_add(v_set(1.0f), k_expm1_poly(v_add(k_reduce(z, n), zl))); /* e^r: exp = e^r 2^n */
}

static inline vf k_exp_lo(vf z, vf zl)
{
    vf n, p = k_exp_parts(z, zl, &n);
    return v_scale(p, n);
}

static inline vf k_exp(vf z) { return k_exp_lo(z, v_set(0.0f)); }

/* e^z - 1 for z in [-25, 0]: 2^n (e^r - 1) + (2^n - 1), which is exact in its last step
 * and keeps full relative accuracy near 0, where e^z - 1 would cancel. -0 gives +0: the
 * callers take x itself for x >= 0. */
static inline vf k_expm1_neg(vf z)
{
    vf n, r = k_reduce(z, &n);
    vf t = v_scale(v_set(1.0f), n);
    return v_fma(t, k_expm1_poly(r), v_sub(t, v_set(1.0f)));
}

/* log(1 + e) for e in [0, 1]: u = 1 + e rounded, its rounding error c recovered exactly,
 * u reduced to [sqrt(1/2), sqrt(2)) as 2^k (1 + f) with f exact; log(1 + f) = f + f^2 P(f)
 * (scripts/fit/log1p.sollya, rel. error 1.5e-9); c enters as c / (1 + f), to first order. */
static inline vf k_log1p_01(vf e)
{
    vf one = v_set(1.0f);
    vf u = v_add(one, e);
    vf c = v_sub(e, v_sub(u, one));
    vm big = v_gt(u, v_set(0x1.6a09e6p+0f));
    vf k = v_sel(big, one, v_set(0.0f));
    vf f = v_sub(v_sel(big, v_mul(u, v_set(0.5f)), u), one);
    c = v_sel(big, v_mul(c, v_set(0.5f)), c);
    static const float cp[] = {-0.5f,          0x1.55554ep-2f, -0x1.fffffcp-3f, 0x1.99a14cp-3f,
                               -0x1.555d94p-3f, 0x1.237ae2p-3f, -0x1.fc43cp-4f,  0x1.e34ec6p-4f,
                               -0x1.dc1716p-4f, 0x1.19ad38p-4f};
    vf p = k_horner(f, cp, 10);
    vf corr = v_mul(c, v_fma(f, f, v_sub(one, f))); /* c / (1 + f), to f^3 */
#if VEC_HAS_FMA
    vf s = v_add(v_fma(k, v_set(-0x1.05c61p-29f), corr), v_fma(v_mul(f, f), p, f));
    return v_fma(k, v_set(0x1.62e43p-1f), s); /* k ln2 (hi + lo) + log(1 + f) */
#else /* the sum in double: without FMA its three roundings would cost 2 ULP */
    vf2d fd = v_widen(f), pd = v_widen(p), cd = v_widen(corr), kd = v_widen(k);
    vd ln2 = vd_set(0x1.62e42fefa39efp-1);
    fd.lo = kd.lo * ln2 + (cd.lo + (fd.lo + fd.lo * fd.lo * pd.lo));
    fd.hi = kd.hi * ln2 + (cd.hi + (fd.hi + fd.hi * fd.hi * pd.hi));
    return v_narrow(fd);
#endif
}

/* tanh(x) = x + x^3 P(x^2) for |x| <= 0.5494: scripts/fit/tanh.sollya, rel. error 3.7e-9 (2^-28) */
static inline vf k_tanh_poly(vf x)
{
    static const float c[] = {-0x1.555554p-2f, 0x1.110fc6p-3f, -0x1.b999ecp-5f,
                              0x1.5ced4ep-6f, -0x1.b01094p-8f};
    vf u = v_mul(x, x);
    return v_fma(v_mul(x, u), k_horner(u, c, 5), x);
}

/* NaN in gives the same NaN out, as the specification */
static inline vf k_nan(vf x, vf y) { return v_sel(v_isnan(x), x, y); }

static inline vf k_abs(vf x) { return v_andnot(v_set(-0.0f), x); }
static inline vf k_copysign(vf mag, vf sgn)
{
    return v_or(k_abs(mag), v_and(v_set(-0.0f), sgn));
}

/* dy * g, except that g = 0 gives 0 for any dy (masked inputs get no gradient, as PyTorch) */
static inline vf k_grad(vf dy, vf g) { return v_sel(v_eq(g, v_set(0.0f)), g, v_mul(dy, g)); }

/* x * c for a double c, rounded once: the specification's own product (a float times a
 * double is within 2^-53 in double) */
static inline vf k_mul_d(vf x, double c)
{
    vf2d d = v_widen(x);
    vd cc = vd_set(c);
    d.lo = d.lo * cc;
    d.hi = d.hi * cc;
    return v_narrow(d);
}

/* doubles as float hi + lo */
static inline vf k_split(vf2d d, vf *lo)
{
    vf h = v_narrow(d);
    vf2d hd = v_widen(h);
    d.lo = d.lo - hd.lo;
    d.hi = d.hi - hd.hi;
    *lo = v_narrow(d);
    return h;
}

/* z = b * x as hi + lo, b a double: the tail of exp(z) needs z beyond float precision */
static inline vf k_mul_lo(vf x, double b, vf *lo)
{
#if VEC_HAS_FMA /* b = bh + bl; x bh exactly as z + fms(x, bh, z) */
    float bh = (float)b;
    vf z = v_mul(x, v_set(bh));
    *lo = v_fma(x, v_set((float)(b - bh)), v_fms(x, v_set(bh), z));
    return z;
#else
    vf2d d = v_widen(x);
    vd bb = vd_set(b);
    d.lo = d.lo * bb;
    d.hi = d.hi * bb;
    return k_split(d, lo);
#endif
}

/* ---- piecewise linear ----------------------------------------------------------------- */

/* Float constants made from the spec's double parameters by kern.c's act__kprep(). */
#define K(i) v_set(k->c[i])

static inline vf F_identity(vf x, const struct act__kc *k) { (void)k; return x; }
static inline vf B_identity(vf x, vf dy, const struct act__kc *k)
{
    (void)x, (void)k;
    return dy;
}

static inline vf F_relu(vf x, const struct act__kc *k)
{
    (void)k;
    return v_sel(v_gt(x, v_set(0.0f)), x, v_set(0.0f));
}
static inline vf B_relu(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    return v_sel(v_gt(x, v_set(0.0f)), dy, v_set(0.0f));
}

/* d0 = slope (leaky_relu, prelu, rrelu's mean), c0 its float; c2 = 1 when the slope is 0 */
static inline vf F_leaky(vf x, const struct act__kc *k)
{
    vf neg = v_sel(v_eq(K(2), v_set(1.0f)), v_set(0.0f), k_mul_d(x, k->d[0]));
    return v_sel(v_gt(x, v_set(0.0f)), x, neg);
}
static inline vf B_leaky(vf x, vf dy, const struct act__kc *k)
{
    vm pos = v_gt(x, v_set(0.0f));
    return v_sel(pos, dy, v_sel(v_eq(K(2), v_set(1.0f)), v_set(0.0f), k_mul_d(dy, k->d[0])));
}

static inline vf F_relu6(vf x, const struct act__kc *k)
{
    (void)k;
    return v_min(v_max(x, v_set(0.0f)), v_set(6.0f));
}
static inline vf B_relu6(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vm in = m_and(v_gt(x, v_set(0.0f)), v_lt(x, v_set(6.0f)));
    return v_sel(in, dy, v_set(0.0f));
}

/* c0: the largest float <= threshold (so x > c0 iff x > threshold), c1: value */
static inline vf F_threshold(vf x, const struct act__kc *k)
{
    return v_sel(v_gt(x, K(0)), x, K(1));
}
static inline vf B_threshold(vf x, vf dy, const struct act__kc *k)
{
    return v_sel(v_gt(x, K(0)), dy, v_set(0.0f));
}

/* c0, c1: min and max rounded; c2, c3: floats bracketing them for the comparisons
 * (x > min iff x > c2, x < max iff x < c3) */
static inline vf F_hard_tanh(vf x, const struct act__kc *k)
{
    return v_sel(v_gt(x, K(2)), v_sel(v_lt(x, K(3)), x, K(1)), K(0));
}
static inline vf B_hard_tanh(vf x, vf dy, const struct act__kc *k)
{
    return v_sel(m_and(v_gt(x, K(2)), v_lt(x, K(3))), dy, v_set(0.0f));
}

/* c0: the largest float <= lambda, so that x <= lambda iff x <= c0 and x >= -lambda iff
 * x >= -c0; c2 + c3 = lambda */
static inline vm k_in_shrink(vf x, const struct act__kc *k)
{
    return m_and(v_ge(x, v_sub(v_set(0.0f), K(0))), v_le(x, K(0)));
}
static inline vf F_hardshrink(vf x, const struct act__kc *k)
{
    return v_sel(k_in_shrink(x, k), v_set(0.0f), x);
}
static inline vf B_shrink(vf x, vf dy, const struct act__kc *k)
{
    return v_sel(k_in_shrink(x, k), v_set(0.0f), dy);
}
static inline vf F_softshrink(vf x, const struct act__kc *k)
{
    /* x - lambda with lambda = c2 + c3: the first subtraction is exact near the kink
     * (Sterbenz) and the second rounds once */
    vf pos = v_sub(v_sub(x, K(2)), K(3));
    vf neg = v_add(v_add(x, K(2)), K(3));
    vf y = v_sel(v_gt(x, v_set(0.0f)), pos, neg);
    return v_sel(k_in_shrink(x, k), v_set(0.0f), y);
}

/* hard_sigmoid: clamp(x + 3, 0, 6) / 6 */
static inline vf F_hard_sigmoid(vf x, const struct act__kc *k)
{
    (void)k;
    /* x + 3 is exact in double, and the one rounding is the final one */
    vf2d d = v_widen(v_min(v_max(x, v_set(-3.0f)), v_set(3.0f)));
    vd three = vd_set(3.0), sixth = vd_set(1.0 / 6.0);
    d.lo = (d.lo + three) * sixth;
    d.hi = (d.hi + three) * sixth;
    return v_narrow(d);
}
static inline vf B_hard_sigmoid(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vm in = m_and(v_gt(x, v_set(-3.0f)), v_lt(x, v_set(3.0f)));
    return k_grad(dy, v_sel(in, v_set(1.0f / 6.0f), v_set(0.0f)));
}

/* hard_swish: x (x + 3) / 6 on (-3, 3), 0 below, x above */
static inline vf F_hard_swish(vf x, const struct act__kc *k)
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
static inline vf B_hard_swish(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf mid = v_add(v_div(x, v_set(3.0f)), v_set(0.5f));
    vf g = v_sel(v_lt(x, v_set(-3.0f)), v_set(0.0f), v_sel(v_gt(x, v_set(3.0f)), v_set(1.0f), mid));
    return k_grad(dy, g);
}

/* ---- the logistic family --------------------------------------------------------------- */

/* -|z| and its low part for z = hi + lo, clamped to exp's range (where the low part is
 * dropped): every logistic kernel starts here */
static inline vf k_negabs(vf z, vf zl, vf *wl, vm *low)
{
    vf w = v_sub(v_set(0.0f), k_abs(z));
    *wl = v_sel(v_lt(z, v_set(0.0f)), zl, v_sub(v_set(0.0f), zl));
    *low = v_lt(w, v_set(-104.0f));
    *wl = v_sel(*low, v_set(0.0f), *wl);
    return v_max(w, v_set(-104.0f));
}

/* e = exp(-|z|) in [0, 1] */
static inline vf k_exp_negabs(vf z, vf zl)
{
    vf wl;
    vm low;
    vf w = k_negabs(z, zl, &wl, &low);
    return k_exp_lo(w, wl);
}

/* y 2^-64 where z < -80: the lanes whose product was formed with t scaled by 2^64 */
static inline vf k_untail(vf z, vf y)
{
    return v_sel(v_lt(z, v_set(-80.0f)), v_mul(y, v_set(0x1p-64f)), y);
}

/* exp(-|z|) unrounded, as t (1 + q): t a power of 2 (times 2^64 where -|z| < -80, 0 below the
 * range), q = e^r - 1. Products x e then round once: fma(x t, q, x t). */
static inline vf k_exp_negabs_tq(vf z, vf zl, vf *q)
{
    vf wl;
    vm low;
    vf w = k_negabs(z, zl, &wl, &low);
    vf n;
    *q = k_expm1_poly(v_add(k_reduce(w, &n), wl));
    vf t = v_scale(v_set(1.0f), v_sel(v_lt(w, v_set(-80.0f)), v_add(n, v_set(64.0f)), n));
    return v_sel(low, v_set(0.0f), t);
}
/* x sigmoid(z) from the parts: (pos ? xp : x e) / (1 + e') with xt = x t, e = t (1 + q) and
 * e' = td (1 + q) (td = t, or 0 where e is too small to change 1 + e). The three roundings
 * (x e, 1 + e, the quotient) would add up to 2.4 ULP; their exact residuals (FMA) give one
 * correction step, leaving ~1 ULP. num is x e (or xp) rounded once; *y0 the plain quotient.
 * unit (sigmoid: x = 1) takes a shorter way: s = 1 / (1 + e') corrected by the residual of
 * 1 + e', then pos ? s : e s rounded once (1.5 ULP, four operations fewer; for x != 1 the
 * product x s would need s to more than float precision). Without FMA the whole quotient
 * is formed in double instead. */
#if VEC_HAS_FMA
/* (num + nl) / (den + dl) from the rounded quotient and one correction step */
static inline vf k_quot_fin(vf num, vf nl, vf den, vf dl, vf *y0)
{
    *y0 = v_div(num, den);
    vf c = v_fnma(*y0, dl, v_add(v_fnma(*y0, den, num), nl));
    return v_fma(c, v_fnma(v_set(0.5f), den, v_set(1.5f)), *y0); /* c / den, 1/den to 12% */
}
static inline vf k_quot(vf num, vf xt, vf td, vf q, vm pos, int unit, vf *y0)
{
    vf t1 = v_add(td, v_set(1.0f));
    vf den = v_fma(td, q, t1);
    vf dl = v_fma(td, q, v_sub(t1, den));
    if (unit) {
        vf s0 = v_div(v_set(1.0f), den);
        vf s = v_fma(s0, v_fnma(s0, dl, v_fnma(s0, den, v_set(1.0f))), s0);
        vf p = v_mul(xt, s);
        return *y0 = v_sel(pos, s, v_fma(p, q, p));
    }
    vf nl = v_sel(pos, v_set(0.0f), v_fma(xt, q, v_sub(xt, num)));
    return k_quot_fin(num, nl, den, dl, y0);
}
/* x e from x t and q, rounded once; a zero keeps its sign */
static inline vf k_xe(vf xt, vf q)
{
    return v_sel(v_eq(xt, v_set(0.0f)), xt, v_fma(xt, q, xt));
}
#else
static inline vf k_quot_d(vf xp, vf xt, vf td, vf q, vm pos)
{
    vf2d a = v_widen(v_sel(pos, xp, xt)), tl = v_widen(td), qd = v_widen(q);
    vf2d pq = v_widen(v_sel(pos, v_set(0.0f), q));
    vd one = vd_set(1.0);
    a.lo = a.lo * (one + pq.lo) / (one + tl.lo * (one + qd.lo));
    a.hi = a.hi * (one + pq.hi) / (one + tl.hi * (one + qd.hi));
    return v_narrow(a);
}
#endif

/* the quotient for any z: tails (e below 2^-115), zeros and infinities included */
static inline vf k_swish_quot(vf xp, vf xt, vf t, vf q, vf z, int unit)
{
    vm pos = v_gt(z, v_set(0.0f));
    vf td = v_sel(v_lt(v_sub(v_set(0.0f), k_abs(z)), v_set(-80.0f)), v_set(0.0f), t);
#if VEC_HAS_FMA
    vf y0;
    if (unit) /* no zero or infinity to keep */
        return k_quot(xp, xt, td, q, pos, 1, &y0);
    vf y = k_quot(v_sel(pos, xp, k_xe(xt, q)), xt, td, q, pos, 0, &y0);
    vm plain = m_or(v_eq(y0, v_set(0.0f)), v_gt(k_abs(y0), v_set(FLT_MAX))); /* 0, inf */
    return v_sel(plain, y0, y);
#else
    (void)unit;
    return k_quot_d(xp, xt, td, q, pos);
#endif
}

/* sigmoid' = e / (1 + e)^2, the square as 1 + e (e + 2) rounded once */
static inline vf k_dsigmoid(vf e) { return v_div(e, v_fma(e, v_add(e, v_set(2.0f)), v_set(1.0f))); }
static inline vf B_sigmoid(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    return k_grad(dy, k_dsigmoid(k_exp_negabs(x, v_set(0.0f))));
}

/* log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|)) */
static inline vf F_log_sigmoid(vf x, const struct act__kc *k)
{
    (void)k;
    vf l = k_log1p_01(k_exp_negabs(x, v_set(0.0f)));
    return v_sel(v_gt(x, v_set(0.0f)), v_xor(l, v_set(-0.0f)), v_sub(x, l));
}
static inline vf B_log_sigmoid(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf e = k_exp_negabs(x, v_set(0.0f));
    vf g = v_div(v_sel(v_gt(x, v_set(0.0f)), e, v_set(1.0f)), v_add(v_set(1.0f), e));
    return k_grad(dy, g);
}

/* The common case of the logistic kernels: every lane 0 < |z| <= 80, so no tail, no
 * infinity, no zero to keep the sign of. One test per block picks it; results are the same
 * as k_swish_quot's. e = exp(-|z|) = t (1 + q), z exact (no low part). */
static inline vm k_common(vf z)
{
    vf a = k_abs(z);
    return m_and(v_le(a, v_set(80.0f)), v_gt(a, v_set(0.0f)));
}
static inline int k_all(vm m)
{
#if VW == 16
    return m == 0xffff;
#else
    return !m_any(v_eq(v_sel(m, v_set(1.0f), v_set(0.0f)), v_set(0.0f)));
#endif
}
static inline vf k_exp_negabs_common(vf z, vf zl, vf *q)
{
    vf w = v_or(z, v_set(-0.0f)); /* -|z| */
    vf wl = v_xor(zl, v_andnot(z, v_set(-0.0f))); /* the low part follows the sign flip */
    vf n;
    *q = k_expm1_poly(v_add(k_reduce(w, &n), wl));
    return v_scale(v_set(1.0f), n);
}
/* k_swish_quot where k_common holds: no tail, no zero */
static inline vf k_swish_quot_common(vf xp, vf xt, vf t, vf q, vm pos, int unit)
{
#if VEC_HAS_FMA
    vf y0;
    return k_quot(unit ? xp : v_sel(pos, xp, v_fma(xt, q, xt)), xt, t, q, pos, unit, &y0);
#else
    (void)unit;
    return k_quot_d(xp, xt, t, q, pos);
#endif
}

/* sigmoid(x) = (x > 0 ? 1 : e) / (1 + e), e = exp(-|x|): the swish quotient with x = 1 */
static inline vf F_sigmoid(vf x, const struct act__kc *k)
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

/* silu (c0 = beta, c1 = 1 when beta is exactly 1) and gelu_quick (beta 1.702):
 * x sigmoid(z), z = beta x, = (z > 0 ? x : x e) / (1 + e) with e = exp(-|z|) */
static inline vf k_swish_z(vf x, const struct act__kc *k, vf *zl)
{
    if (k->c[1] == 1.0f) {
        *zl = v_set(0.0f);
        return x;
    }
    return k_mul_lo(x, k->d[0], zl);
}
static inline vf F_silu(vf x, const struct act__kc *k)
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
static inline vf B_silu(vf x, vf dy, const struct act__kc *k)
{
    vf zl, z = k_swish_z(x, k, &zl);
    vf e = k_exp_negabs(z, zl);
    vf s = v_div(v_sel(v_gt(z, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    vf zc = v_min(v_max(z, v_set(-FLT_MAX)), v_set(FLT_MAX));
    vf g = v_fma(zc, k_dsigmoid(e), s);
    if (k->c[1] != 1.0f)
        g = v_sel(v_eq(K(0), v_set(0.0f)), v_set(0.5f), g);
    return k_grad(dy, g);
}

/* gelu_tanh: x sigmoid(z), z = x (c1 + c2 x^2) in double, then as silu */
static inline vf k_gelu_tanh_z(vf x, vf *zl)
{
#if VEC_HAS_FMA /* double-float arithmetic: cheaper than converting to double and back */
    const vf c1h = v_set(0x1.988454p+0f), c1l = v_set(-0x1.857936p-25f);
    const vf c2h = v_set(0x1.2444f2p-4f), c2l = v_set(0x1.49b16ap-29f);
    vf x2 = v_mul(x, x), x2l = v_fms(x, x, x2);
    vf p = v_mul(c2h, x2);
    vf pl = v_add(v_fms(c2h, x2, p), v_fma(c2h, x2l, v_mul(c2l, x2)));
    vf w = v_add(c1h, p), bb = v_sub(w, c1h); /* two-sum c1h + p = w + wl */
    vf wl = v_add(v_sub(c1h, v_sub(w, bb)), v_sub(p, bb));
    wl = v_add(wl, v_add(pl, c1l));
    vf z = v_mul(x, w);
    *zl = v_fma(x, wl, v_fms(x, w, z));
    return z;
#else
    const double c1 = 1.5957691216057308, c2 = 1.5957691216057308 * 0.044715;
    vf2d d = v_widen(x);
    vd a = vd_set(c1), b = vd_set(c2);
    d.lo = d.lo * (a + b * d.lo * d.lo);
    d.hi = d.hi * (a + b * d.hi * d.hi);
    return k_split(d, zl);
#endif
}
static inline vf F_gelu_tanh(vf x, const struct act__kc *k)
{
    (void)k;
    /* from x = 9 (z = 66) on the result is x (e < 2^-95), so z is formed from min(x, 9):
     * positive lanes stay in the common case, whose test is then not taken at random on
     * data that reaches past z = 80; below, z stays finite */
    vf xc = v_min(v_max(x, v_set(-1e12f)), v_set(9.0f));
    vf zl, z = k_gelu_tanh_z(xc, &zl), y;
    if (k_all(k_common(z))) {
        vf q, t = k_exp_negabs_common(z, zl, &q);
        y = k_swish_quot_common(xc, v_mul(xc, t), t, q, v_gt(z, v_set(0.0f)), 0);
    } else {
        vf q, t = k_exp_negabs_tq(z, zl, &q);
        y = k_untail(z, k_swish_quot(xc, v_mul(xc, t), t, q, z, 0));
        y = v_sel(v_le(x, v_set(-1e12f)), v_set(-0.0f), y);
    }
    return v_sel(v_ge(x, v_set(9.0f)), x, y);
}
/* gelu_tanh' = s + 2 x s' du/dx with u = z / 2: du/dx = (c1 + 3 c2 x^2) / 2 */
static inline vf B_gelu_tanh(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf xc = v_min(v_max(x, v_set(-1e12f)), v_set(1e12f));
    vf zl, z = k_gelu_tanh_z(xc, &zl);
    vf e = k_exp_negabs(z, zl);
    vf s = v_div(v_sel(v_gt(z, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    vf dz = v_fma(v_mul(xc, xc), v_set((float)(3 * 1.5957691216057308 * 0.044715)),
                  v_set((float)1.5957691216057308));
    vf g = v_fma(v_mul(xc, dz), k_dsigmoid(e), s);
    g = v_sel(v_ge(x, v_set(1e12f)), v_set(1.0f), v_sel(v_le(x, v_set(-1e12f)), v_set(0.0f), g));
    return k_grad(dy, g);
}

/* ---- gelu (the erf form) ----------------------------------------------------------------
 * scripts/fit/gelu.sollya. |x| <= 0.5: x (1/2 + x P(x^2)). Beyond, with u = |x| and
 * M(u) = u Phi(-u) exp(u^2/2) (from 0.17 at u = 0.5 up to 1/sqrt(2 pi)):
 * gelu = (x > 0 ? x : 0) - exp(-x^2/2) M. M is a degree-7 polynomial in float on eight
 * pieces looked up per lane: u - c on [0.5, 4) in steps of 1/2, 1/u - 5/32 on [4, 14.5]
 * (rel. error 2^-29.7 .. 2^-38); its constant term is a float pair, so that M comes out as
 * hi + lo and exp(-x^2/2) M rounds once. x^2 enters exp() as hi + lo. Beyond u = 14.5: x or
 * -0. */

/* per piece: hi, lo, then the coefficients of w .. w^7; last, the centres */
static const float gelu_m[10][8] = {
    {0x1.cd2836p-3f, 0x1.275f8ap-2f, 0x1.4bef66p-2f, 0x1.62039ap-2f, 0x1.701efp-2f,
     0x1.799186p-2f, 0x1.80268cp-2f, 0x1.8f327ep-2f},
    {-0x1.892aa4p-28f, 0x1.8ce9d8p-27f, -0x1.d8a81p-28f, -0x1.40996p-28f, 0x1.b268p-30f,
     0x1.8d3f58p-27f, -0x1.24ec0cp-27f, -0x1.82d8bp-29f},
    {0x1.5bf7f2p-3f, 0x1.7b79d2p-4f, 0x1.bd45f4p-5f, 0x1.15aa6cp-5f, 0x1.6c5e3cp-6f,
     0x1.f2f5dp-7f, 0x1.62200ep-7f, -0x1.bf12e6p-4f},
    {-0x1.c2c6f4p-4f, -0x1.aece02p-5f, -0x1.be147p-6f, -0x1.ee984ep-7f, -0x1.22a93ep-7f,
     -0x1.67143ap-8f, -0x1.cef384p-9f, -0x1.0ec4dp-2f},
    {0x1.d68c82p-5f, 0x1.8ff248p-6f, 0x1.722026p-7f, 0x1.70c4bcp-8f, 0x1.87b8c8p-9f,
     0x1.b7d51cp-10f, 0x1.031ddcp-10f, 0x1.c31dc4p-2f},
    {-0x1.a88bc2p-6f, -0x1.446b36p-7f, -0x1.0ee8aep-8f, -0x1.e92bf6p-10f, -0x1.d8f7cap-11f,
     -0x1.e5a04p-12f, -0x1.06d1aep-12f, 0x1.8c62d2p-5f},
    {0x1.571e76p-7f, 0x1.dbc0fap-9f, 0x1.67be1cp-10f, 0x1.29b27ep-11f, 0x1.05ae36p-12f,
     0x1.f06444p-14f, 0x1.f56bdap-15f, -0x1.61366ep0f},
    {-0x1.0166bcp-8f, -0x1.44e4f6p-10f, -0x1.c1ff72p-12f, -0x1.53b188p-13f, -0x1.142d5ap-14f,
     -0x1.e11a14p-16f, -0x1.bdbb6p-17f, 0x1.0fa8ap1f},
    {0x1.63b4f6p-10f, 0x1.83f614p-12f, 0x1.546a14p-13f, 0x1.31870cp-15f, 0x1.d3de8ap-16f,
     0x1.dc7aeap-18f, -0x1.53a706p-19f, 0x1.1aff54p0f},
    {0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3.25f, 3.75f, 0.15625f},
};

/* 1/2 + x P(x^2) = Phi(x) for |x| <= 0.5 */
static inline vf k_phi_small(vf x)
{
    static const float c[] = {0x1.988454p-2f,  -0x1.10592ap-4f, 0x1.47796ap-7f,
                              -0x1.676fa8p-10f, 0x1.bd04aap-11f, -0x1.19730cp-10f};
    return v_fma(x, k_horner(v_mul(x, x), c, 6), v_set(0.5f));
}

/* M(u) for u in [0.5, 14.5] as hi + *lo, and *v = 1/u */
static inline vf k_gelu_m(vf u, vf *v, vf *lo)
{
    *v = v_div(v_set(1.0f), u);
    /* piece floor(2u - 1), capped at 7; a lane on a boundary may take either neighbour,
     * whose fit covers it */
    vf j = v_min(v_max(v_round(v_fms(u, v_set(2.0f), v_set(1.5f))), v_set(0.0f)), v_set(7.0f));
    vi ix = v_index(j);
    vf w = v_sub(v_sel(v_eq(j, v_set(7.0f)), *v, u), v_lut8(ix, gelu_m[9]));
    vf p = v_lut8(ix, gelu_m[8]);
#pragma GCC unroll 8
    for (int i = 7; i >= 1; i--)
        p = v_fma(p, w, v_lut8(ix, gelu_m[i]));
    vf hi = v_lut8(ix, gelu_m[0]);
    vf m = v_add(hi, p);
    *lo = v_add(v_sub(hi, m), p); /* exact: |hi| > |p| */
    return m;
}

/* exp(-x^2/2) as t (1 + q) (see k_exp_negabs_tq), x^2 = h + l exactly */
static inline vf k_gauss_tq(vf x, vf *q)
{
    vf h = v_mul(x, x);
#if VEC_HAS_FMA
    vf l = v_fms(x, x, h);
#else /* x^2 is exact in double */
    vf2d d = v_widen(x), hd = v_widen(h);
    d.lo = d.lo * d.lo - hd.lo;
    d.hi = d.hi * d.hi - hd.hi;
    vf l = v_narrow(d);
#endif
    return k_exp_negabs_tq(v_mul(h, v_set(-0.5f)), v_mul(l, v_set(-0.5f)), q);
}

static inline vf F_gelu(vf x, const struct act__kc *k)
{
    (void)k;
    /* both forms for every block, as k_tanh */
    vf a = k_abs(x);
    vf xc = v_min(v_max(x, v_set(-14.5f)), v_set(14.5f)), uc = k_abs(xc);
    vf v, ml, mh = k_gelu_m(v_max(uc, v_set(0.5f)), &v, &ml);
    vf q, t = k_gauss_tq(xc, &q);
    vm neg = v_lt(x, v_set(0.0f));
    vm tail = v_lt(v_mul(v_mul(xc, xc), v_set(-0.5f)), v_set(-80.0f));
    /* exp(-x^2/2) M = t (1 + q) (mh + ml) = t mh + t (mh q + ml), rounded once */
    vf tm = v_mul(t, mh);
    vf es = v_fma(t, v_fma(mh, q, ml), tm);
    es = v_sel(m_and(tail, v_gt(x, v_set(0.0f))), v_set(0.0f), es);
    vf big = v_sel(neg, v_xor(es, v_set(-0.0f)), v_sub(x, es));
    big = v_sel(m_and(tail, neg), v_mul(big, v_set(0x1p-64f)), big);
    big = v_sel(v_gt(a, v_set(14.5f)), v_sel(neg, v_set(-0.0f), x), big);
    return v_sel(v_le(a, v_set(0.5f)), v_mul(x, k_phi_small(x)), big);
}

/* gelu' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi) */
static inline vf B_gelu(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf xc = v_min(v_max(x, v_set(-14.5f)), v_set(14.5f)), uc = k_abs(xc);
    vf q, t = k_gauss_tq(xc, &q);
    vm tail = v_lt(v_mul(v_mul(xc, xc), v_set(-0.5f)), v_set(-80.0f));
    vf e = v_sel(tail, v_set(0.0f), v_fma(t, q, t));
    vf v, ml, s = k_gelu_m(v_max(uc, v_set(0.5f)), &v, &ml);
    vf tailp = v_mul(v_mul(e, s), v);            /* Phi(-|x|) */
    vf phi = v_sel(v_le(uc, v_set(0.5f)), k_phi_small(xc),
                   v_sel(v_lt(x, v_set(0.0f)), tailp, v_sub(v_set(1.0f), tailp)));
    vf g = v_fma(v_mul(xc, e), v_set(0x1.988454p-2f), phi);
    g = v_sel(v_gt(x, v_set(14.5f)), v_set(1.0f), v_sel(v_lt(x, v_set(-14.5f)), v_set(0.0f), g));
    return k_grad(dy, g);
}

/* ---- tanh ----------------------------------------------------------------------------- */

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
static inline vf F_tanh(vf x, const struct act__kc *k)
{
    (void)k;
    return k_tanh(x, NULL);
}
static inline vf B_tanh(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf d;
    k_tanh(x, &d);
    return k_grad(dy, d);
}

/* ---- the exponential family: elu (d0 = alpha, c2 = 1 when alpha is 1), selu, celu (d0 =
 * alpha, c1 = 1/alpha, c2 = 1 when alpha is 1, c3 = alpha 2^-100) ---- */

static inline vf k_expm1_clamped(vf z) { return k_expm1_neg(v_max(z, v_set(-25.0f))); }

static inline vf F_elu(vf x, const struct act__kc *k)
{
    vf neg = k_expm1_clamped(x);
    if (k->c[2] == 0.0f) /* alpha = 1 (PyTorch's default) needs no product */
        neg = k_mul_d(neg, k->d[0]);
    return v_sel(v_ge(x, v_set(0.0f)), x, neg); /* >=: -0 stays -0 */
}
static inline vf B_elu(vf x, vf dy, const struct act__kc *k)
{
    vf g = k_exp(v_max(v_min(x, v_set(0.0f)), v_set(-104.0f)));
    if (k->c[2] == 0.0f)
        g = k_mul_d(g, k->d[0]);
    return k_grad(dy, v_sel(v_gt(x, v_set(0.0f)), v_set(1.0f), g));
}

/* selu: scale (d0) x for x > 0, scale alpha (d1) expm1(x) below */
static inline vf F_selu(vf x, const struct act__kc *k)
{
    vf neg = k_mul_d(k_expm1_clamped(x), k->d[1]);
    return v_sel(v_ge(x, v_set(0.0f)), k_mul_d(x, k->d[0]), neg);
}
static inline vf B_selu(vf x, vf dy, const struct act__kc *k)
{
    vf g = k_mul_d(k_exp(v_max(v_min(x, v_set(0.0f)), v_set(-104.0f))), k->d[1]);
    g = v_sel(v_gt(x, v_set(0.0f)), K(0), g);
    return k_grad(dy, g);
}

static inline vf F_celu(vf x, const struct act__kc *k)
{
    if (k->c[2] != 0.0f) /* alpha = 1: elu's */
        return F_elu(x, k);
    vf neg = k_mul_d(k_expm1_clamped(v_mul(x, K(1))), k->d[0]);
    /* where x / alpha would be subnormal, alpha expm1(x / alpha) = x to 2^-100 */
    neg = v_sel(v_lt(k_abs(x), K(3)), x, neg);
    return v_sel(v_gt(x, v_set(0.0f)), x, neg);
}
static inline vf B_celu(vf x, vf dy, const struct act__kc *k)
{
    if (k->c[2] != 0.0f)
        return B_elu(x, dy, k);
    vf g = k_exp(v_max(v_min(v_mul(x, K(1)), v_set(0.0f)), v_set(-104.0f)));
    return k_grad(dy, v_sel(v_gt(x, v_set(0.0f)), v_set(1.0f), g));
}

static inline vf F_exponential(vf x, const struct act__kc *k)
{
    (void)k;
    vf y = k_exp(v_min(v_max(x, v_set(-104.0f)), v_set(89.0f)));
    return y;
}
static inline vf B_exponential(vf x, vf dy, const struct act__kc *k)
{
    return k_grad(dy, F_exponential(x, k));
}

/* ---- softplus (c0 = beta, c1 = 1 when beta is 1, c2 = threshold, d = beta) and mish ---- */

/* max(z, 0) + log1p(exp(-|z|)), z = beta x as hi + lo */
static inline vf F_softplus(vf x, const struct act__kc *k)
{
    vf zl, z = k_swish_z(x, k, &zl);
    vf l = k_log1p_01(k_exp_negabs(z, zl));
    vf y = v_add(v_max(z, v_set(0.0f)), l);
    if (k->c[1] != 1.0f)
        y = v_div(y, K(0));
    return v_sel(v_gt(z, K(2)), x, y);
}
static inline vf B_softplus(vf x, vf dy, const struct act__kc *k)
{
    vf zl, z = k_swish_z(x, k, &zl);
    vf e = k_exp_negabs(z, zl);
    vf s = v_div(v_sel(v_gt(z, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    return k_grad(dy, v_sel(v_gt(z, K(2)), v_set(1.0f), s));
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
static inline vf F_mish(vf x, const struct act__kc *k)
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
static inline vf B_mish(vf x, vf dy, const struct act__kc *k)
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

/* softsign = x / (1 + |x|); |x| is capped so that +-inf give +-1 */
static inline vf F_softsign(vf x, const struct act__kc *k)
{
    (void)k;
    vf xc = v_min(v_max(x, v_set(-1e30f)), v_set(1e30f));
    return v_div(xc, v_add(v_set(1.0f), k_abs(xc)));
}
static inline vf B_softsign(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf r = v_div(v_set(1.0f), v_add(v_set(1.0f), k_abs(x)));
    return k_grad(dy, v_mul(r, r));
}

/* elliott = 1/2 + x / (2 (1 + |x|)), as 1 / (2 (1 - x)) for x < 0 (no cancellation); |x| is
 * capped so that +inf gives 1. ~1 ULP. */
static inline vf F_elliott(vf x, const struct act__kc *k)
{
    (void)k;
    vf xc = v_min(x, v_set(1e30f));
    vf neg = v_div(v_set(0.5f), v_sub(v_set(1.0f), x));
    vf pos = v_add(v_set(0.5f), v_div(xc, v_add(v_add(xc, xc), v_set(2.0f))));
    return v_sel(v_lt(x, v_set(0.0f)), neg, pos);
}
static inline vf B_elliott(vf x, vf dy, const struct act__kc *k)
{
    (void)k;
    vf r = v_div(v_set(1.0f), v_add(v_set(1.0f), k_abs(x)));
    return k_grad(dy, v_mul(v_mul(v_set(0.5f), r), r));
}

/* squareplus (d0 = b): (x + s) / 2 and, for x < 0, b / (2 (s - x)), s = sqrt(x^2 + b), all in
 * double as the specification (x^2 of a float cannot overflow there): rounded once */
static inline vd k_squareplus_d(vd x, vd b)
{
    vd s = vd_sqrt(x * x + b), h = vd_set(0.5);
    vd pos = (x + s) * h, neg = b / ((s - x) + (s - x));
    return vd_sel_ge0(x, pos, neg);
}
static inline vf F_squareplus(vf x, const struct act__kc *k)
{
    vf2d d = v_widen(v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)));
    vd b = vd_set(k->d[0]);
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
static inline vf B_squareplus(vf x, vf dy, const struct act__kc *k)
{
    vf2d d = v_widen(v_min(v_max(x, v_set(-FLT_MAX)), v_set(FLT_MAX)));
    vd b = vd_set(k->d[0]);
    d.lo = k_dsquareplus_d(d.lo, b);
    d.hi = k_dsquareplus_d(d.hi, b);
    vf g = v_narrow(d);
    g = v_sel(v_eq(x, v_set(INFINITY)), v_set(1.0f), v_sel(v_eq(x, v_set(-INFINITY)), v_set(0.0f), g));
    return k_grad(dy, g);
}

#undef K

/* ---- drivers: one loop per form, the same block function for the tail ------------------- */

/* NaN in gives NaN out in both directions, as the specification: the blocks need not care */
#define FN(F, v, k) k_nan(v, F(v, k))
#define BN(B, v, g, k) k_nan(v, B(v, g, k))

#define ELEMENTWISE(name, F, B)                                                            \
    static void fwd_##name(const float *x, float *y, size_t n, const struct act__kc *kp)   \
    {                                                                                      \
        const struct act__kc kk = *kp; /* a local copy: stores to y cannot alias it */     \
        size_t i = 0;                                                                      \
        for (; i + VW <= n; i += VW)                                                       \
            v_store(y + i, FN(F, v_load(x + i), &kk));                                         \
        if (i < n)                                                                         \
            v_store_n(y + i, FN(F, v_load_n(x + i, n - i), &kk), n - i);                       \
    }                                                                                      \
    static void bwd_##name(const float *x, const float *dy, float *dx, size_t n,           \
                           const struct act__kc *kp)                                       \
    {                                                                                      \
        const struct act__kc kk = *kp;                                                     \
        size_t i = 0;                                                                      \
        for (; i + VW <= n; i += VW)                                                       \
            v_store(dx + i, BN(B, v_load(x + i), v_load(dy + i), &kk));                        \
        if (i < n)                                                                         \
            v_store_n(dx + i, BN(B, v_load_n(x + i, n - i), v_load_n(dy + i, n - i), &kk),     \
                      n - i);                                                              \
    }                                                                                      \
    static void bias_##name(float *z, const float *b, float *y, size_t outer, size_t ch,  \
                            size_t inner, const struct act__kc *kp)                        \
    {                                                                                      \
        const struct act__kc kk = *kp;                                                     \
        int keep = z != y;                                                                 \
        for (size_t o = 0; o < outer; o++) {                                               \
            if (inner == 1) { /* a bias per column */                                      \
                float *zr = z + o * ch, *yr = y + o * ch;                                  \
                size_t i = 0;                                                              \
                for (; i + VW <= ch; i += VW) {                                            \
                    vf v = v_add(v_load(zr + i), v_load(b + i));                           \
                    if (keep)                                                              \
                        v_store(zr + i, v);                                                \
                    v_store(yr + i, FN(F, v, &kk));                                            \
                }                                                                          \
                if (i < ch) {                                                              \
                    vf v = v_add(v_load_n(zr + i, ch - i), v_load_n(b + i, ch - i));       \
                    if (keep)                                                              \
                        v_store_n(zr + i, v, ch - i);                                      \
                    v_store_n(yr + i, FN(F, v, &kk), ch - i);                                  \
                }                                                                          \
                continue;                                                                  \
            }                                                                              \
            for (size_t c = 0; c < ch; c++) { /* a bias per plane */                       \
                float *zr = z + (o * ch + c) * inner, *yr = y + (o * ch + c) * inner;      \
                vf bv = v_set(b[c]);                                                       \
                size_t i = 0;                                                              \
                for (; i + VW <= inner; i += VW) {                                         \
                    vf v = v_add(v_load(zr + i), bv);                                      \
                    if (keep)                                                              \
                        v_store(zr + i, v);                                                \
                    v_store(yr + i, FN(F, v, &kk));                                            \
                }                                                                          \
                if (i < inner) {                                                           \
                    vf v = v_add(v_load_n(zr + i, inner - i), bv);                         \
                    if (keep)                                                              \
                        v_store_n(zr + i, v, inner - i);                                   \
                    v_store_n(yr + i, FN(F, v, &kk), inner - i);                               \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

/* name, forward block, backward block; kinds that share a kernel share a name */
#define VEC_LIST(X)                                         \
    X(identity, F_identity, B_identity)                     \
    X(relu, F_relu, B_relu)                                 \
    X(leaky, F_leaky, B_leaky)                              \
    X(relu6, F_relu6, B_relu6)                              \
    X(threshold, F_threshold, B_threshold)                  \
    X(hard_tanh, F_hard_tanh, B_hard_tanh)                  \
    X(hardshrink, F_hardshrink, B_shrink)                   \
    X(softshrink, F_softshrink, B_shrink)                   \
    X(hard_sigmoid, F_hard_sigmoid, B_hard_sigmoid)         \
    X(hard_swish, F_hard_swish, B_hard_swish)               \
    X(sigmoid, F_sigmoid, B_sigmoid)                        \
    X(log_sigmoid, F_log_sigmoid, B_log_sigmoid)            \
    X(silu, F_silu, B_silu)                                 \
    X(gelu_tanh, F_gelu_tanh, B_gelu_tanh)                  \
    X(gelu, F_gelu, B_gelu)                                 \
    X(tanh, F_tanh, B_tanh)                                 \
    X(elu, F_elu, B_elu)                                    \
    X(selu, F_selu, B_selu)                                 \
    X(celu, F_celu, B_celu)                                 \
    X(exponential, F_exponential, B_exponential)            \
    X(softplus, F_softplus, B_softplus)                     \
    X(mish, F_mish, B_mish)                                 \
    X(softsign, F_softsign, B_softsign)                     \
    X(elliott, F_elliott, B_elliott)                        \
    X(squareplus, F_squareplus, B_squareplus)

VEC_LIST(ELEMENTWISE)

#define KERN(name) {fwd_##name, bwd_##name, bias_##name}

/* ---- softmax, log_softmax, softmin over rows (temperature 1) ----------------------------- */

/* a whole block or the tail of one */
static inline vf k_load_w(const float *p, size_t w) { return w == VW ? v_load(p) : v_load_n(p, w); }
static inline void k_store_w(float *p, vf v, size_t w)
{
    if (w == VW)
        v_store(p, v);
    else
        v_store_n(p, v, w);
}

/* exp(z - m) for z, m floats: z - m as hi + lo by Knuth's two-sum, so the tail keeps its
 * precision */
static inline vf k_exp_diff(vf z, vf m)
{
    vf h = v_sub(z, m);
    vf bb = v_sub(h, z);
    vf l = v_add(v_sub(z, v_sub(h, bb)), v_sub(v_sub(v_set(0.0f), m), bb));
    vm low = v_lt(h, v_set(-104.0f)); /* also h = -inf, where l is NaN */
    return k_exp_lo(v_sel(low, v_set(-104.0f), h), v_sel(low, v_set(0.0f), l));
}

/* One row with finite entries, sign s = +-1 (softmin negates). Returns 0, or 1 when the row
 * holds a NaN or an infinity (the caller then runs the specification on it). */
static inline __attribute__((always_inline)) int softmax_row(float s, int logs, const float *x,
                                                             float *y, size_t n)
{
    vf sv = v_set(s), mx = v_set(-FLT_MAX);
    vf bad = v_set(0.0f);
    size_t i = 0;
    for (; i + VW <= n; i += VW) {
        vf z = v_mul(sv, v_load(x + i));
        bad = v_or(bad, v_sel(v_le(k_abs(z), v_set(FLT_MAX)), v_set(0.0f), v_set(1.0f)));
        mx = v_max(mx, z);
    }
    if (i < n) {
        vf z = v_mul(sv, k_load_w(x + i, n - i));
        bad = v_or(bad, v_sel(v_le(k_abs(z), v_set(FLT_MAX)), v_set(0.0f), v_set(1.0f)));
        /* the zero padding must not win the max */
        float pad[VW];
        v_store(pad, z);
        for (size_t j = n - i; j < VW; j++)
            pad[j] = -FLT_MAX;
        mx = v_max(mx, v_load(pad));
    }
    if (v_hmax(bad) != 0.0f)
        return 1;
    vf m = v_set(v_hmax(mx));
    /* sum exp(z - m) over the entries below the maximum apart from the count of maxima
     * (each exactly 1), so that log1p(rest) keeps a dominant entry's log_softmax, close to 0,
     * to the last bit */
    vd acc = vd_zero(), cnt = vd_zero();
    for (i = 0; i < n; i += VW) {
        size_t w = n - i < VW ? n - i : VW;
        vf z = v_mul(sv, k_load_w(x + i, w));
        vf e = k_exp_diff(z, m);
        vm top = v_eq(z, m);
        if (w < VW) { /* padding lanes count for nothing */
            float t[VW] = {0};
            k_store_w(t, v_set(1.0f), w);
            vm real = v_eq(v_load(t), v_set(1.0f));
            top = m_and(top, real);
            e = v_sel(real, e, v_set(0.0f));
        }
        if (logs) {
            acc = vd_acc(acc, v_sel(top, v_set(0.0f), e));
            cnt = vd_acc(cnt, v_sel(top, v_set(1.0f), v_set(0.0f)));
        } else { /* softmax needs only the whole sum */
            acc = vd_acc(acc, e);
            k_store_w(y + i, e, w);
        }
    }
    double rest = logs ? vd_sum(acc) + (vd_sum(cnt) - 1.0) : vd_sum(acc) - 1.0;
    if (logs) { /* y = (s x - m) - log1p(rest), in double: rounded once */
        vd md = vd_set((double)v_hmax(m)), lse = vd_set(log1p(rest));
        vd sd = vd_set(s);
        for (i = 0; i < n; i += VW) {
            size_t w = n - i < VW ? n - i : VW;
            vf2d d = v_widen(k_load_w(x + i, w));
            d.lo = (sd * d.lo - md) - lse; /* the first difference is exact */
            d.hi = (sd * d.hi - md) - lse;
            k_store_w(y + i, v_narrow(d), w);
        }
        return 0;
    }
    double inv = 1.0 / (1.0 + rest);
#if VEC_HAS_FMA /* e inv with inv = ih + il: e ih + (e il) rounds once, as in double */
    vf ih = v_set((float)inv), il = v_set((float)(inv - (double)(float)inv));
    for (i = 0; i < n; i += VW) {
        size_t w = n - i < VW ? n - i : VW;
        vf e = k_load_w(y + i, w);
        k_store_w(y + i, v_fma(e, ih, v_mul(e, il)), w);
    }
#else
    vd invd = vd_set(inv);
    for (i = 0; i < n; i += VW) {
        size_t w = n - i < VW ? n - i : VW;
        vf2d d = v_widen(k_load_w(y + i, w));
        d.lo = d.lo * invd;
        d.hi = d.hi * invd;
        k_store_w(y + i, v_narrow(d), w);
    }
#endif
    return 0;
}

static void rows_fwd(act_kind kind, const float *x, float *y, size_t rows, size_t cols,
                     const double *p)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        /* each kind its own copy, the sign and the form known */
        int bad = kind == ACT_SOFTMIN      ? softmax_row(-1.0f, 0, xr, yr, cols)
                  : kind == ACT_LOG_SOFTMAX ? softmax_row(1.0f, 1, xr, yr, cols)
                                            : softmax_row(1.0f, 0, xr, yr, cols);
        if (bad)
            act__table[kind]->rows_fwd(p, xr, yr, 1, cols);
    }
}

/* softmax: dx = s y (dy - sum(dy y)); log_softmax: dx = s (dy - exp(y) sum(dy)); y given */
static void rows_bwd(act_kind kind, const float *y, const float *dy, float *dx, size_t rows,
                     size_t cols)
{
    float s = kind == ACT_SOFTMIN ? -1.0f : 1.0f;
    int logs = kind == ACT_LOG_SOFTMAX;
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        vd acc = vd_zero();
        size_t i = 0;
        for (; i < cols; i += VW) {
            size_t w = cols - i < VW ? cols - i : VW;
            vf g = k_load_w(dyr + i, w);
            acc = vd_acc(acc, logs ? g : v_mul(g, k_load_w(yr + i, w)));
        }
        vf a = v_set((float)vd_sum(acc)), sv = v_set(s);
        for (i = 0; i < cols; i += VW) {
            size_t w = cols - i < VW ? cols - i : VW;
            vf yy = k_load_w(yr + i, w), g = k_load_w(dyr + i, w);
            vf d = logs ? v_fnma(k_exp(v_max(yy, v_set(-104.0f))), a, g)
                        : v_mul(yy, v_sub(g, a));
            k_store_w(dxr + i, v_mul(sv, d), w);
        }
    }
}

/* ---- glu: rows [a | b] -> a sigmoid(b) ----------------------------------------------------- */

/* a exp(b) for b in [-200, -80], rounded once: there sigmoid(b) = exp(b) to 2^-115, and
 * unlike silu's x, a can be large enough (up to 2^128) to lift a exp(b) far below exp's
 * float range back into it. a (1 + q) / 2 then 2^(n+1) in two steps, the first exact. */
static inline vf k_glu_tail(vf ac, vf b)
{
    vf n, q = k_expm1_poly(k_reduce(v_max(b, v_set(-200.0f)), &n));
    vf h = v_mul(ac, v_set(0.5f));
    vf n1 = v_max(v_add(n, v_set(1.0f)), v_set(-100.0f));
    return v_scale(v_scale(v_fma(h, q, h), n1), v_sub(v_add(n, v_set(1.0f)), n1));
}

/* a sigmoid(b) as silu's quotient with x = a, z = b (~1.6 ULP), below b = -80 as
 * k_glu_tail; a = +-inf gives a (NaN where sigmoid(b) is 0), a NaN in either gives NaN, as
 * the specification */
static inline vf k_glu(vf a, vf b)
{
    vf aa = k_abs(a);
    vm afin = v_le(aa, v_set(FLT_MAX));
    if (k_all(m_and(k_common(b), m_and(afin, v_gt(aa, v_set(0.0f)))))) {
        vf q, t = k_exp_negabs_common(b, v_set(0.0f), &q);
        /* a t can underflow where |a| is tiny: the sign of a zero result is a's */
        return k_copysign(k_swish_quot_common(a, v_mul(a, t), t, q, v_gt(b, v_set(0.0f)), 0), a);
    }
    vf ac = v_min(v_max(a, v_set(-FLT_MAX)), v_set(FLT_MAX));
    vf q, t = k_exp_negabs_tq(b, v_set(0.0f), &q);
    vf y = k_swish_quot(a, v_mul(ac, t), t, q, b, 0);
    y = k_copysign(v_sel(v_lt(b, v_set(-80.0f)), k_glu_tail(ac, b), y), a);
    /* the specification's sigmoid(b) is 0 in double from b = -745.13 down: inf * 0 */
    vf inf = v_sel(v_le(b, v_set(-0x1.74910ep+9f)), v_set(NAN), a);
    y = v_sel(m_or(afin, v_isnan(a)), y, inf);
    return k_nan(b, k_nan(a, y));
}

/* a block of w lanes of a gated row function: y from a, b; da, db from a, b, dy */
static void glu_block(vf a, vf b, float *y, size_t w) { k_store_w(y, k_glu(a, b), w); }

/* da = dy sigmoid(b), db = dy a sigmoid'(b) */
static void glu_grad(vf a, vf b, vf g, float *da, float *db, size_t w)
{
    vf e = k_exp_negabs(b, v_set(0.0f));
    vf s = v_div(v_sel(v_gt(b, v_set(0.0f)), v_set(1.0f), e), v_add(v_set(1.0f), e));
    k_store_w(da, k_nan(b, v_mul(g, s)), w);
    k_store_w(db, k_nan(b, v_mul(g, v_mul(a, k_dsigmoid(e)))), w);
}

/* ---- swiglu: rows [a | b] -> a silu(b) = (a b) sigmoid(b) ------------------------------------ */

/* The common case of a block: every b in k_common's range, every a b finite and nonzero.
 * a b = p + pl exactly (FMA; without FMA in double, where it is exact), then the swish
 * quotient with x = p + pl, z = b, rounded once; a zero result (a b t underflowing) takes
 * the sign of a b. Returns 0 when the block is not common: the caller runs the
 * specification on it. */
static inline int k_swiglu(vf a, vf b, vf *y)
{
    vf p = v_mul(a, b), ap = k_abs(p);
    if (!k_all(m_and(k_common(b), m_and(v_le(ap, v_set(FLT_MAX)), v_gt(ap, v_set(0.0f))))))
        return 0;
    vf q, t = k_exp_negabs_common(b, v_set(0.0f), &q);
    vm pos = v_gt(b, v_set(0.0f));
#if VEC_HAS_FMA
    vf pl = v_fms(a, b, p), xt = v_mul(p, t), xlt = v_mul(pl, t);
    vf num = v_sel(pos, p, v_fma(xt, q, xt));
    vf nl = v_sel(pos, pl, v_add(v_fma(xt, q, v_sub(xt, num)), v_fma(xlt, q, xlt)));
    vf t1 = v_add(t, v_set(1.0f));
    vf den = v_fma(t, q, t1), dl = v_fma(t, q, v_sub(t1, den)), y0;
    *y = k_copysign(k_quot_fin(num, nl, den, dl, &y0), p);
#else
    vf2d ad = v_widen(a), bd = v_widen(b), td = v_widen(t), qd = v_widen(q);
    vf2d pq = v_widen(v_sel(pos, v_set(0.0f), q)), tt = v_widen(v_sel(pos, v_set(1.0f), t));
    vd one = vd_set(1.0);
    ad.lo = ad.lo * bd.lo * tt.lo * (one + pq.lo) / (one + td.lo * (one + qd.lo));
    ad.hi = ad.hi * bd.hi * tt.hi * (one + pq.hi) / (one + td.hi * (one + qd.hi));
    *y = k_copysign(v_narrow(ad), p);
#endif
    return 1;
}

/* the specification on one block of w lanes: a row [a | b] of 2w */
static void swiglu_spec(vf a, vf b, float *y, size_t w)
{
    float row[2 * VW], out[VW];
    k_store_w(row, a, w);
    k_store_w(row + w, b, w);
    act__table[ACT_SWIGLU]->rows_fwd(NULL, row, out, 1, 2 * w);
    memcpy(y, out, w * sizeof *y);
}

static void swiglu_block(vf a, vf b, float *y, size_t w)
{
    vf yv;
    if (w == VW && k_swiglu(a, b, &yv))
        v_store(y, yv);
    else
        swiglu_spec(a, b, y, w);
}

/* da = dy silu(b), db = dy a silu'(b), through silu's kernels (beta 1) */
static void swiglu_grad(vf a, vf b, vf g, float *da, float *db, size_t w)
{
    const struct act__kc k1 = {.c = {1.0f, 1.0f}, .d = {1.0}};
    k_store_w(da, v_mul(g, FN(F_silu, b, &k1)), w);
    k_store_w(db, k_nan(a, BN(B_silu, b, v_mul(g, a), &k1)), w);
}

/* the row loops: rows [a | b] of cols = 2h, h outputs per row, blocks of w <= VW lanes */
#define GATED_LOOP(BODY)                                                                   \
    size_t h = cols / 2;                                                                   \
    for (size_t r = 0; r < rows; r++)                                                      \
        for (size_t j = 0; j < h; j += VW) {                                               \
            size_t w = h - j < VW ? h - j : VW;                                            \
            const float *a = x + r * cols + j;                                             \
            BODY;                                                                          \
        }
#define GATED_ROWS(name)                                                                   \
    static void name##_fwd(const float *x, float *y, size_t rows, size_t cols)             \
    {                                                                                      \
        GATED_LOOP(name##_block(k_load_w(a, w), k_load_w(a + h, w), y + r * h + j, w))     \
    }                                                                                      \
    static void name##_bwd(const float *x, const float *dy, float *dx, size_t rows,       \
                           size_t cols)                                                    \
    {                                                                                      \
        GATED_LOOP(float *da = dx + r * cols + j;                                          \
                   name##_grad(k_load_w(a, w), k_load_w(a + h, w),                         \
                               k_load_w(dy + r * h + j, w), da, da + h, w))                \
    }
GATED_ROWS(glu)
GATED_ROWS(swiglu)

#define ENTRY(ID, name) [ACT_##ID] = KERN(name),
const struct act__path PATH_SYM = {
    .name = PATH_NAME,
    .k = {ACT_VEC_MAP(ENTRY)},
    .rows_fwd = rows_fwd,
    .rows_bwd = rows_bwd,
    .g = {[ACT_GLU] = {glu_fwd, glu_bwd}, [ACT_SWIGLU] = {swiglu_fwd, swiglu_bwd}},
};
#undef ENTRY
