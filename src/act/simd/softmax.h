/* Vector kernels of src/act/softmax.c (see vmath.h and drive.h): softmax, log_softmax and
 * softmin over rows, at temperature 1 (the descriptors' vec_ok). */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_SOFTMAX_H
#define ACTLAB_SRC_ACT_SIMD_SOFTMAX_H

#include "../kern.h"

ACT_VEC_DECL(softmax)
ACT_VEC_DECL(log_softmax)
ACT_VEC_DECL(softmin)

#ifdef PATH_TAG /* compiled by a path (kernels.h): the kernels */

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

/* The kind stays a run-time value: a copy specialised for softmin's s = -1 may turn s * d
 * into -d, which flips the sign of a NaN where the multiplication keeps it. */
#if defined(__clang__)
#define K_RUNTIME_KIND __attribute__((noinline))
#else
#define K_RUNTIME_KIND __attribute__((noipa))
#endif

static K_RUNTIME_KIND void rows_fwd(act_kind kind, const float *x, float *y, size_t rows,
                                    size_t cols, const double *p)
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
static K_RUNTIME_KIND void rows_bwd(act_kind kind, const float *y, const float *dy, float *dx,
                                    size_t rows, size_t cols)
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

/* one kernel per kind, the kind known */
#define SOFTMAX_KERNEL(name, ID)                                                           \
    static void name##_fwd(const float *x, float *y, size_t rows, size_t cols,             \
                           const double *p)                                                \
    {                                                                                      \
        rows_fwd(ACT_##ID, x, y, rows, cols, p);                                           \
    }                                                                                      \
    static void name##_bwd(const float *x, const float *y, const float *dy, float *dx,     \
                           size_t rows, size_t cols)                                       \
    {                                                                                      \
        (void)x;                                                                           \
        rows_bwd(ACT_##ID, y, dy, dx, rows, cols);                                         \
    }                                                                                      \
    ACT_VEC_ROWS(name, name##_fwd, name##_bwd, 1)

SOFTMAX_KERNEL(softmax, SOFTMAX)
SOFTMAX_KERNEL(log_softmax, LOG_SOFTMAX)
SOFTMAX_KERNEL(softmin, SOFTMIN)
#undef SOFTMAX_KERNEL
#undef K_RUNTIME_KIND

#endif
#endif
