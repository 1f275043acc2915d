/* Internal: direct stride-1 convolution on the AVX-512 path (conv_direct.c), the kernels
 * conv2d.c runs instead of im2col + GEMM where they pay, when nn__avx512() (avx512.h). */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
/* db[o] += the sum of dout[n][o][q] over images and positions, in double (two vectors of
 * running sums, added in one fixed order; a channel is one thread's). */
void nn__dconv_bias_grad(const float *dout, size_t n, size_t co, size_t p, float *db,
                         size_t threads);

#endif
#ifndef ACTLAB_SRC_NN_CONV_DIRECT_H
#define ACTLAB_SRC_NN_CONV_DIRECT_H

#include <stddef.h>

/* One stride-1 correlation, out (n, co, ho, wo) from in (n, ci, hi, wi) and a k x k kernel:
 *   out[n][o][y][x] = sum_{c,i,j} wp[i][j][c][o] * in[n][c][y + i - pt][x + j - pl]
 * with in read as 0 outside the image. wp is the packed kernel: (k, k, ci, cop) with cop =
 * co rounded up to 16 (nn__dconv_pad) and zeros in the padding. */
struct nn__dconv {
    size_t n;          /* images */
    size_t ci, hi, wi; /* input channels and sides */
    size_t co, ho, wo; /* output channels and sides */
    size_t k, pt, pl;  /* kernel side, padding on top and on the left */
};

/* Channels rounded up to a whole vector (16 floats). */
size_t nn__dconv_pad(size_t channels);

/* Called once per group of images [n0, n0 + nb) as soon as their outputs are complete, from
 * the thread that computed them (bias and activation while the outputs are in its cache). */
typedef void nn__dconv_done(void *ctx, size_t n0, size_t nb);

/* Scratch floats nn__dconv_corr needs with `threads` threads. */
size_t nn__dconv_corr_scratch(const struct nn__dconv *d, size_t threads);

/* out = the correlation above (overwritten), run on `threads` OpenMP threads; outputs do not
 * depend on the thread count. done may be NULL. */
void nn__dconv_corr(const struct nn__dconv *d, const float *in, const float *wp, float *out,
                    float *scratch, size_t threads, nn__dconv_done *done, void *ctx);

/* Channels of the output up to which nn__dconv_corr puts images, not channels, in a
 * vector's lanes (conv_lanes.c): fewer than 16 channels would leave lanes empty. */
#define NN_DCONV_LANES_MAX 8

/* The images-in-lanes correlation nn__dconv_corr runs for co <= NN_DCONV_LANES_MAX, and its
 * scratch (conv_lanes.c). */
size_t nn__dconv_lanes_scratch(const struct nn__dconv *d, size_t threads);
void nn__dconv_corr_lanes(const struct nn__dconv *d, const float *in, const float *wp,
                          float *out, float *scratch, size_t threads, nn__dconv_done *done,
                          void *ctx);

/* The weight gradient of that correlation, packed as wp is:
 *   gwp[i][j][c][o] = sum_{n,y,x} dout[n][o][y][x] * in[n][c][y + i - pt][x + j - pl]
 * (overwritten; the padded o are 0). Scratch: nn__dconv_wgrad_scratch floats. Each entry is
 * summed by one thread in one order, whatever the thread count. */
size_t nn__dconv_wgrad_scratch(const struct nn__dconv *d);
void nn__dconv_wgrad(const struct nn__dconv *d, const float *in, const float *dout, float *gwp,
                     float *scratch, size_t threads);

/* db[o] += the sum of dout[n][o][q] over images and positions, in double (two vectors of
 * running sums, added in one fixed order; a channel is one thread's). */
void nn__dconv_bias_grad(const float *dout, size_t n, size_t co, size_t p, float *db,
                         size_t threads);

#endif
