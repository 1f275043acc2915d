/* The nn layer's AVX-512 switch and its max-pooling kernel (avx512.h). */
#include <string.h>

#include "actlab/act.h"
#include "avx512.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_X86 1
#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline, target("avx512f")))
#endif

int nn__avx512(void)
{
#ifdef HAVE_X86
    const char *isa = act_isa();
    return isa && strcmp(isa, "avx512") == 0 && __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}

#ifdef HAVE_X86

/* m, at = v, k in the lanes where v beats m: strictly greater, or v NaN and m not (the
 * portable loop's rule, lane by lane) */
INLINE void take(__m512 v, float k, __m512 *m, __m512 *at)
{
    __mmask16 gt = _mm512_cmp_ps_mask(v, *m, _CMP_GT_OQ);
    __mmask16 nan =
        _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(*m, *m, _CMP_ORD_Q);
    __mmask16 b = gt | nan;
    *m = _mm512_mask_blend_ps(b, *m, v);
    *at = _mm512_mask_blend_ps(b, *at, _mm512_set1_ps(k));
}

/* the first n bits */
INLINE __mmask16 first(size_t n)
{
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

AVX512 void nn__maxpool2x2_avx512(const float *x, size_t w, size_t ho, size_t wo, float *y,
                                  float *arg)
{
    /* 32 inputs of a row pair give 16 outputs: the even and the odd columns apart */
    const __m512i even =
        _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i odd =
        _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    for (size_t oh = 0; oh < ho; oh++) {
        const float *r0 = x + 2 * oh * w, *r1 = r0 + w;
        for (size_t o = 0; o < wo; o += 16) {
            size_t n = wo - o < 16 ? wo - o : 16, in = 2 * n; /* outputs, inputs this step */
            __mmask16 lo = first(in), hi = first(in > 16 ? in - 16 : 0);
            const float *a = r0 + 2 * o, *b = r1 + 2 * o;
            __m512 a0 = _mm512_maskz_loadu_ps(lo, a), a1 = _mm512_maskz_loadu_ps(hi, a + 16);
            __m512 b0 = _mm512_maskz_loadu_ps(lo, b), b1 = _mm512_maskz_loadu_ps(hi, b + 16);
            __m512 m = _mm512_permutex2var_ps(a0, even, a1), at = _mm512_setzero_ps();
            take(_mm512_permutex2var_ps(a0, odd, a1), 1.0f, &m, &at);
            take(_mm512_permutex2var_ps(b0, even, b1), 2.0f, &m, &at);
            take(_mm512_permutex2var_ps(b0, odd, b1), 3.0f, &m, &at);
            _mm512_mask_storeu_ps(y + oh * wo + o, first(n), m);
            _mm512_mask_storeu_ps(arg + oh * wo + o, first(n), at);
        }
    }
}

#else

void nn__maxpool2x2_avx512(const float *x, size_t w, size_t ho, size_t wo, float *y,
                           float *arg)
{
    (void)x, (void)w, (void)ho, (void)wo, (void)y, (void)arg;
}

#endif
