/* vec_avx512.h's operations in GCC vector extensions, 4 floats: the portable baseline (SSE2
 * on x86-64, NEON or plain scalar code elsewhere). No FMA: v_fma rounds twice, and the
 * kernels are written so that this costs accuracy only within their stated bounds. */
/* vd is 32 bytes: fine for these inline functions, whatever the ABI would say */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#pragma GCC diagnostic ignored "-Wpsabi"
#include <stdint.h>
#include <string.h>

#define VW 4
#define VEC_HAS_FMA 0
typedef float vf __attribute__((vector_size(16)));
typedef int32_t vi __attribute__((vector_size(16)));
typedef vi vm;

static inline vf v_load(const float *p)
{
    vf v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void v_store(float *p, vf v) { memcpy(p, &v, sizeof v); }
static inline vf v_load_n(const float *p, size_t n)
{
    vf v = {0};
    memcpy(&v, p, n * sizeof(float));
    return v;
}
static inline void v_store_n(float *p, vf v, size_t n) { memcpy(p, &v, n * sizeof(float)); }
static inline vf v_set(float a) { return (vf){a, a, a, a}; }
static inline vf v_add(vf a, vf b) { return a + b; }
static inline vf v_sub(vf a, vf b) { return a - b; }
static inline vf v_mul(vf a, vf b) { return a * b; }
static inline vf v_div(vf a, vf b) { return a / b; }
static inline vf v_fma(vf a, vf b, vf c) { return a * b + c; }
static inline vf v_fnma(vf a, vf b, vf c) { return c - a * b; }
static inline vf v_fms(vf a, vf b, vf c) { return a * b - c; }
static inline vf v_sel(vm m, vf t, vf f) { return (vf)((m & (vi)t) | (~m & (vi)f)); }
static inline vf v_max(vf a, vf b) { return v_sel(a > b, a, b); }
static inline vf v_min(vf a, vf b) { return v_sel(a < b, a, b); }
static inline vf v_and(vf a, vf b) { return (vf)((vi)a & (vi)b); }
static inline vf v_or(vf a, vf b) { return (vf)((vi)a | (vi)b); }
static inline vf v_xor(vf a, vf b) { return (vf)((vi)a ^ (vi)b); }
static inline vf v_andnot(vf a, vf b) { return (vf)(~(vi)a & (vi)b); }

static inline vm v_lt(vf a, vf b) { return a < b; }
static inline vm v_le(vf a, vf b) { return a <= b; }
static inline vm v_gt(vf a, vf b) { return a > b; }
static inline vm v_ge(vf a, vf b) { return a >= b; }
static inline vm v_eq(vf a, vf b) { return a == b; }
static inline vm v_isnan(vf a) { return a != a; }
static inline vm m_or(vm a, vm b) { return a | b; }
static inline vm m_and(vm a, vm b) { return a & b; }
static inline int m_any(vm a) { return (a[0] | a[1] | a[2] | a[3]) != 0; }

/* nearest integer for |a| < 2^22, the only range the kernels ask for: adding 1.5 * 2^23
 * leaves no fraction bits, and the default rounding mode rounds to nearest even */
static inline vf v_round(vf a)
{
    const vf magic = v_set(0x1.8p23f);
    return (a + magic) - magic;
}
static inline vf pow2i(vf k)
{
    vi e = (__builtin_convertvector(k, vi) + 127) << 23;
    return (vf)e;
}
static inline vf v_scale(vf p, vf n)
{
    vf h = v_round(n * v_set(0.5f));
    return (p * pow2i(h)) * pow2i(n - h);
}

/* a small integral j as a table index, and t[index] lane by lane for a table of 8 */
static inline vi v_index(vf j) { return __builtin_convertvector(j, vi); }
static inline vf v_lut8(vi i, const float *t)
{
    vf r;
    for (int l = 0; l < VW; l++)
        r[l] = t[i[l]];
    return r;
}

typedef double vd __attribute__((vector_size(32)));
static inline vd vd_zero(void) { return (vd){0, 0, 0, 0}; }
static inline vd vd_acc(vd acc, vf v) { return acc + __builtin_convertvector(v, vd); }
static inline double vd_sum(vd a) { return (a[0] + a[1]) + (a[2] + a[3]); }
static inline float v_hmax(vf a)
{
    float m = a[0];
    for (int i = 1; i < VW; i++)
        m = a[i] > m ? a[i] : m;
    return m;
}

/* one vd holds all four lanes; .hi is unused (kept 0) so kernels.h reads the same */
typedef struct { vd lo, hi; } vf2d;
static inline vf2d v_widen(vf v) { return (vf2d){__builtin_convertvector(v, vd), vd_zero()}; }
static inline vf v_narrow(vf2d d) { return __builtin_convertvector(d.lo, vf); }
static inline vd vd_set(double a) { return (vd){a, a, a, a}; }
static inline vd vd_sqrt(vd a)
{
    for (int i = 0; i < 4; i++)
        a[i] = __builtin_sqrt(a[i]);
    return a;
}
static inline vd vd_sel_ge0(vd x, vd pos, vd neg)
{
    typedef int64_t vl __attribute__((vector_size(32)));
    vl m = x >= vd_zero();
    return (vd)((m & (vl)pos) | (~m & (vl)neg));
}
