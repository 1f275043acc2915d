/* Internal: the nn layer's AVX-512 kernels outside the convolution (avx512.c) and the one
 * switch every AVX-512 kernel of the layer follows. */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_AVX512_H
#define ACTLAB_SRC_NN_AVX512_H

#include <stddef.h>

/* 1 when this build and CPU run the layer's AVX-512 kernels and the act library's path is
 * "avx512": a user who forces a narrower path (act_set_isa, --isa) gets the portable code
 * everywhere. */
int nn__avx512(void);

/* 2x2, stride-2 max-pooling of one plane (h x w, rows w apart) into ho x wo outputs, with the
 * winner's offset in the window (0..3, as a float) in arg: the first maximum in row-major
 * window order, the first NaN winning and staying, as pool.c's portable loop. */
void nn__maxpool2x2_avx512(const float *x, size_t w, size_t ho, size_t wo, float *y,
                           float *arg);

#endif
