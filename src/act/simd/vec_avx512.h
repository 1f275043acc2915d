/* The vector operations the kernels are written in, for AVX-512 (F, DQ, BW, VL): 16 floats.
 * vec_avx2.h and vec_base.h provide the same names for the other paths; kernels.h uses only
 * these, so one kernel source serves every path. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#include <immintrin.h>
#include <string.h>

#define VW 16
#define VEC_HAS_FMA 1
typedef __m512 vf;
typedef __m512i vi;
typedef __mmask16 vm;

static inline vf v_load(const float *p) { return _mm512_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline vf v_load_n(const float *p, size_t n)
{
    return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
}
static inline void v_store_n(float *p, vf v, size_t n)
{
    _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), v);
}
static inline vf v_set(float a) { return _mm512_set1_ps(a); }
static inline vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   /* a*b+c */
static inline vf v_fnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } /* c-a*b */
static inline vf v_fms(vf a, vf b, vf c) { return _mm512_fmsub_ps(a, b, c); }   /* a*b-c */
/* max/min as x86 defines them: b when either is NaN */
static inline vf v_max(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf v_and(vf a, vf b) { return _mm512_and_ps(a, b); }
static inline vf v_or(vf a, vf b) { return _mm512_or_ps(a, b); }
static inline vf v_xor(vf a, vf b) { return _mm512_xor_ps(a, b); }
static inline vf v_andnot(vf a, vf b) { return _mm512_andnot_ps(a, b); } /* ~a & b */

static inline vm v_lt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vm v_le(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline vm v_gt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline vm v_ge(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline vm v_eq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline vm v_isnan(vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static inline vm m_or(vm a, vm b) { return a | b; }
static inline vm m_and(vm a, vm b) { return a & b; }
static inline int m_any(vm a) { return a != 0; }
/* m ? t : f, lane by lane */
static inline vf v_sel(vm m, vf t, vf f) { return _mm512_mask_blend_ps(m, f, t); }

/* nearest integer (ties to even), as a float */
static inline vf v_round(vf a)
{
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* a small integral j as a table index, and t[index] lane by lane for a table of 8 */
static inline vi v_index(vf j) { return _mm512_cvttps_epi32(j); }
static inline vf v_lut8(vi i, const float *t)
{
    return _mm512_permutexvar_ps(i, _mm512_castps256_ps512(_mm256_loadu_ps(t)));
}
/* p * 2^n for an integral n in [-160, 160], rounded once (subnormal results included) */
static inline vf v_scale(vf p, vf n) { return _mm512_scalef_ps(p, n); }

/* Double-precision accumulation for sums of many floats. */
typedef __m512d vd;
static inline vd vd_zero(void) { return _mm512_setzero_pd(); }
static inline vd vd_acc(vd acc, vf v)
{
    acc = _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    return _mm512_add_pd(acc, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
}
static inline double vd_sum(vd a) { return _mm512_reduce_add_pd(a); }
static inline float v_hmax(vf a) { return _mm512_reduce_max_ps(a); }

/* The lanes of a vf as doubles (two halves) and back, rounding once. */
typedef struct { vd lo, hi; } vf2d;
static inline vf2d v_widen(vf v)
{
    return (vf2d){_mm512_cvtps_pd(_mm512_castps512_ps256(v)),
                  _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1))};
}
static inline vf v_narrow(vf2d d)
{
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(d.lo)),
                              _mm512_cvtpd_ps(d.hi), 1);
}
static inline vd vd_set(double a) { return _mm512_set1_pd(a); }
static inline vd vd_sqrt(vd a) { return _mm512_sqrt_pd(a); }
/* x >= 0 ? pos : neg, in double */
static inline vd vd_sel_ge0(vd x, vd pos, vd neg)
{
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_GE_OQ), neg, pos);
}
