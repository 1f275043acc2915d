/* The vector math the kernel families share, written once against the operations of
 * vec_<path>.h: exp, expm1 and log1p pieces, tanh's polynomial, the logistic quotient of
 * sigmoid, silu, gelu_tanh and the gated functions, and small helpers. Every kernel follows
 * the scalar specification in src/act/: same formulas where they are stable in float, the
 * same special values, and a stated error bound (the exhaustive sweep in tests/exhaustive.c
 * checks it over all 2^32 inputs).
 *
 * Polynomials: minimax fits with single-precision coefficients made by the scripts in scripts/fit/;
 * each comment gives the fit's relative error. Arguments of exp() that carry a rounding
 * error a tail would amplify (beta * x, the GELU cubic, x - max in softmax) are passed as
 * an unevaluated sum hi + lo. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_VMATH_H
#define ACTLAB_SRC_ACT_SIMD_VMATH_H

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

/* ---- the logistic quotient (sigmoid, silu, gelu_tanh, glu, swiglu) ------------------------ */

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

/* a whole block or the tail of one */
static inline vf k_load_w(const float *p, size_t w) { return w == VW ? v_load(p) : v_load_n(p, w); }
static inline void k_store_w(float *p, vf v, size_t w)
{
    if (w == VW)
        v_store(p, v);
    else
        v_store_n(p, v, w);
}

#endif
