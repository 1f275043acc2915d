/* Vector kernels of src/act/glu.c (see vmath.h and drive.h): glu and swiglu; geglu runs
 * the specification. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_GLU_H
#define ACTLAB_SRC_ACT_SIMD_GLU_H

#include "../kern.h"
#include "swish.h" /* swiglu's gradient is silu's */

ACT_VEC_DECL(glu)
ACT_VEC_DECL(swiglu)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

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
    const struct act__kc_swish k1 = {.beta = 1.0f, .unit = 1, .beta_d = 1.0};
    k_store_w(da, v_mul(g, FN(F_silu, b, &k1)), w);
    k_store_w(db, k_nan(a, BN(B_silu, b, v_mul(g, a), &k1)), w);
}

ACT_VEC_GATED(glu)
ACT_VEC_GATED(swiglu)

#endif
#endif
