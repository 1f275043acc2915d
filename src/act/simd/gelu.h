/* Vector kernels of src/act/gelu.c (see vmath.h and drive.h); gelu_quick runs swish.h's
 * silu kernel. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_GELU_H
#define ACTLAB_SRC_ACT_SIMD_GELU_H

#include "../kern.h"

ACT_VEC_DECL(gelu)
ACT_VEC_DECL(gelu_tanh)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

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
static inline vf F_gelu_tanh(vf x, const struct act__kc_none *k)
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
static inline vf B_gelu_tanh(vf x, vf dy, const struct act__kc_none *k)
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

static inline vf F_gelu(vf x, const struct act__kc_none *k)
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
static inline vf B_gelu(vf x, vf dy, const struct act__kc_none *k)
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

ACT_VEC_ELEMENTWISE(gelu_tanh, struct act__kc_none, F_gelu_tanh, B_gelu_tanh)
ACT_VEC_ELEMENTWISE(gelu, struct act__kc_none, F_gelu, B_gelu)

#endif
#endif
