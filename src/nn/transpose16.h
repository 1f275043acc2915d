/* Internal: a 16 x 16 float transpose in AVX-512 registers, for the direct kernels'
 * regrouping of images (conv_direct.c, conv_lanes.c). Include only where
 * __attribute__((target("avx512f"))) code is compiled (x86-64, GCC or Clang). */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_TRANSPOSE16_H
#define ACTLAB_SRC_NN_TRANSPOSE16_H

#include <immintrin.h>

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

#endif
