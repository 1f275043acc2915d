/* Internal: what the direct convolution kernels (conv_direct.c, conv_lanes.c) share: their
 * target attributes, the OpenMP thread's number, a 16 x 16 float transpose in AVX-512
 * registers (their regrouping of images) and lane masks. Include only on x86-64 with GCC
 * or Clang, where __attribute__((target("avx512f"))) code is compiled. */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_KERN512_H
#define ACTLAB_SRC_NN_KERN512_H

#include <immintrin.h>
#include <stddef.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline, target("avx512f")))

/* The calling thread's number in its OpenMP team: its slot of a scratch. */
static inline int nn__thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* r[i] = row i on entry, column i on return: pairs of rows interleaved, then pairs of
 * pairs within each 128-bit lane, then the lanes across registers twice. */
static inline __attribute__((always_inline, target("avx512f"))) void nn__t16(__m512 r[16])
{
    __m512 t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        u[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
        u[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
        u[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        u[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0x88);
        t[4 + i] = _mm512_shuffle_f32x4(u[i], u[4 + i], 0xDD);
        t[8 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0x88);
        t[12 + i] = _mm512_shuffle_f32x4(u[8 + i], u[12 + i], 0xDD);
    }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xDD);
    }
}

/* The first n bits of a 16-lane mask. */
static inline __attribute__((always_inline, target("avx512f"))) __mmask16 nn__first(size_t n)
{
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);
}

/* r[j] = column j of the 16 x 16 block whose row b is src[b * stride + 0 .. n) (zero past n,
 * and for b >= rows): up to 16 rows of up to 16 floats turned into columns. */
static inline __attribute__((always_inline, target("avx512f"))) void
nn__load_t16(const float *src, size_t stride, size_t rows, size_t n, __m512 r[16])
{
    for (size_t b = 0; b < 16; b++)
        r[b] = b < rows ? _mm512_maskz_loadu_ps(nn__first(n), src + b * stride)
                        : _mm512_setzero_ps();
    nn__t16(r);
}

#endif
