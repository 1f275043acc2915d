/* vec_avx512.h's operations for AVX2 + FMA: 8 floats. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#include <immintrin.h>
#include <string.h>

#define VW 8
#define VEC_HAS_FMA 1
typedef __m256 vf;
typedef __m256i vi;
typedef __m256 vm;

static inline vf v_load(const float *p) { return _mm256_loadu_ps(p); }
static inline void v_store(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline vf v_load_n(const float *p, size_t n)
{
    float b[VW] = {0};
    memcpy(b, p, n * sizeof *b);
    return _mm256_loadu_ps(b);
}
static inline void v_store_n(float *p, vf v, size_t n)
{
    float b[VW];
    _mm256_storeu_ps(b, v);
    memcpy(p, b, n * sizeof *b);
}
static inline vf v_set(float a) { return _mm256_set1_ps(a); }
static inline vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf v_fnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf v_fms(vf a, vf b, vf c) { return _mm256_fmsub_ps(a, b, c); }
static inline vf v_max(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf v_min(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf v_and(vf a, vf b) { return _mm256_and_ps(a, b); }
static inline vf v_or(vf a, vf b) { return _mm256_or_ps(a, b); }
static inline vf v_xor(vf a, vf b) { return _mm256_xor_ps(a, b); }
static inline vf v_andnot(vf a, vf b) { return _mm256_andnot_ps(a, b); }

static inline vm v_lt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vm v_le(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
static inline vm v_gt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline vm v_ge(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline vm v_eq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline vm v_isnan(vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline vm m_or(vm a, vm b) { return _mm256_or_ps(a, b); }
static inline vm m_and(vm a, vm b) { return _mm256_and_ps(a, b); }
static inline int m_any(vm a) { return _mm256_movemask_ps(a) != 0; }
static inline vf v_sel(vm m, vf t, vf f) { return _mm256_blendv_ps(f, t, m); }

static inline vf v_round(vf a)
{
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
/* 2^k for integral k in [-126, 127], built in the exponent field */
static inline vf pow2i(vf k)
{
    vi e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    return _mm256_castsi256_ps(e);
}
/* p * 2^n, n integral in [-252, 254]: two exact-range factors, so one rounding at the end */
static inline vf v_scale(vf p, vf n)
{
    vf h = v_round(v_mul(n, v_set(0.5f)));
    return v_mul(v_mul(p, pow2i(h)), pow2i(v_sub(n, h)));
}

/* a small integral j as a table index, and t[index] lane by lane for a table of 8 */
static inline vi v_index(vf j) { return _mm256_cvttps_epi32(j); }
static inline vf v_lut8(vi i, const float *t) { return _mm256_permutevar8x32_ps(_mm256_loadu_ps(t), i); }

typedef __m256d vd;
static inline vd vd_zero(void) { return _mm256_setzero_pd(); }
static inline vd vd_acc(vd acc, vf v)
{
    acc = _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
    return _mm256_add_pd(acc, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
static inline double vd_sum(vd a)
{
    double b[4];
    _mm256_storeu_pd(b, a);
    return (b[0] + b[1]) + (b[2] + b[3]);
}
static inline float v_hmax(vf a)
{
    float b[VW];
    _mm256_storeu_ps(b, a);
    float m = b[0];
    for (int i = 1; i < VW; i++)
        m = b[i] > m ? b[i] : m;
    return m;
}

typedef struct { vd lo, hi; } vf2d;
static inline vf2d v_widen(vf v)
{
    return (vf2d){_mm256_cvtps_pd(_mm256_castps256_ps128(v)),
                  _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))};
}
static inline vf v_narrow(vf2d d)
{
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(d.lo)),
                                _mm256_cvtpd_ps(d.hi), 1);
}
static inline vd vd_set(double a) { return _mm256_set1_pd(a); }
static inline vd vd_sqrt(vd a) { return _mm256_sqrt_pd(a); }
static inline vd vd_sel_ge0(vd x, vd pos, vd neg)
{
    return _mm256_blendv_pd(neg, pos, _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GE_OQ));
}
