/* Direct stride-1 correlation for few output channels (conv_direct.h): images in the lanes.
 *
 * conv_direct.c puts output channels in a vector's 16 lanes; with 6 of them (LeNet-5's first
 * layer, and the input gradient of its second) 10 lanes would multiply zeros. Here the lanes
 * are 16 images instead, every lane useful whatever the channel count: a register tile is R
 * neighbouring outputs of one row x all co channels (R * co <= 24), each accumulator the 16
 * images' values of one output. The images of a group are regrouped as (y, x, c, image)
 * with the padding written out as zeros, so that every output of the row reads all k x k
 * taps at fixed offsets: one kernel row's taps (x, c) are a contiguous run, read as vector
 * loads, against the packed weights' contiguous run, read as broadcasts. The zeros cost the
 * taps outside the image (8% of LeNet-5's first layer); the outputs go to their images
 * through scatters. */
#include <stddef.h>
#include <string.h>

#include "conv_direct.h"


#define VL 16    /* floats a vector: the images of a group */
#define ACC 24   /* accumulators a tile */

/* Outputs of one row a tile covers for co channels. */
static size_t tile_r(size_t co)
{
    size_t r = ACC / co;
    return r > 8 ? 8 : r;
}

/* The group's padded sides: every output reads rows y .. y + k - 1 and columns x .. x + k - 1,
 * and a row's last tile reads up to tile_r - 1 columns past the last output. */
static size_t lanes_hp(const struct nn__dconv *d)
{
    return d->ho + d->k - 1;
}

static size_t lanes_wp(const struct nn__dconv *d)
{
    return d->wo + d->k - 1 + tile_r(d->co) - 1;
}

size_t nn__dconv_lanes_scratch(const struct nn__dconv *d, size_t threads)
{
    return (threads ? threads : 1) * lanes_hp(d) * lanes_wp(d) * d->ci * VL;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

#include "kern512.h"

/* g[((r * wp + s) * ci + c) * 16 + b] = in[n0 + b][c][r - pt][s - pl] inside the image and
 * for b < nb (0 for b >= nb); the padding around is left as it is (zero: see the caller).
 * Sixteen images' rows at a time are turned into 16 columns of images, each one store. */
static AVX512 void gather(const struct nn__dconv *d, const float *in, size_t n0, size_t nb,
                          float *g)
{
    size_t hp = lanes_hp(d), wp = lanes_wp(d), img = d->ci * d->hi * d->wi;
    size_t rows = d->hi + d->pt < hp ? d->hi : hp - d->pt;
    size_t cols = d->wi + d->pl < wp ? d->wi : wp - d->pl;
    for (size_t c = 0; c < d->ci; c++)
        for (size_t y = 0; y < rows; y++)
            for (size_t x0 = 0; x0 < cols; x0 += VL) {
                size_t n = cols - x0 < VL ? cols - x0 : VL;
                __m512 r[VL];
                nn__load_t16(in + n0 * img + (c * d->hi + y) * d->wi + x0, img, nb, n, r);
                float *dst = g + (((y + d->pt) * wp + x0 + d->pl) * d->ci + c) * VL;
                for (size_t j = 0; j < n; j++)
                    _mm512_storeu_ps(dst + j * d->ci * VL, r[j]);
            }
}

/* One tile: outputs (oy, ox0 .. ox0 + R - 1) of the CO channels, for the group's images. */
INLINE void lanes_tile(const int R, const int CO, const struct nn__dconv *d, const float *g,
                       const float *wp, size_t cop, size_t oy, size_t ox0, float *out,
                       size_t n0, size_t nb)
{
    __m512 acc[8][8];
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
#pragma GCC unroll 8
        for (int o = 0; o < CO; o++)
            acc[r][o] = _mm512_setzero_ps();
    size_t wpad = lanes_wp(d), run = d->k * d->ci, rs = d->ci * VL;
    for (size_t i = 0; i < d->k; i++) {
        const float *xs = g + ((oy + i) * wpad + ox0) * rs;
        const float *ws = wp + i * run * cop;
        for (size_t t = 0; t < run; t++, xs += VL, ws += cop) {
            __m512 xv[8];
#pragma GCC unroll 8
            for (int r = 0; r < R; r++)
                xv[r] = _mm512_loadu_ps(xs + (size_t)r * rs);
#pragma GCC unroll 8
            for (int o = 0; o < CO; o++) {
                __m512 w = _mm512_set1_ps(ws[o]);
#pragma GCC unroll 8
                for (int r = 0; r < R; r++)
                    acc[r][o] = _mm512_fmadd_ps(xv[r], w, acc[r][o]);
            }
        }
    }
    size_t p = d->ho * d->wo, img = d->co * p;
    __m512i idx = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi32((int)img));
    __mmask16 m = nn__first(nb);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
        if (ox0 + (size_t)r >= d->wo)
            break;
        float *base = out + n0 * img + oy * d->wo + ox0 + (size_t)r;
#pragma GCC unroll 8
        for (int o = 0; o < CO; o++)
            _mm512_mask_i32scatter_ps(base + (size_t)o * p, m, idx, acc[r][o], 4);
    }
}

#define LANES_TILE(R, CO)                                                                   \
    static AVX512 void lanes_##R##_##CO(const struct nn__dconv *d, const float *g,          \
                                        const float *wp, size_t cop, size_t oy, size_t ox0,  \
                                        float *out, size_t n0, size_t nb)                    \
    {                                                                                        \
        lanes_tile(R, CO, d, g, wp, cop, oy, ox0, out, n0, nb);                              \
    }
LANES_TILE(8, 1)
LANES_TILE(8, 2)
LANES_TILE(8, 3)
LANES_TILE(6, 4)
LANES_TILE(4, 5)
LANES_TILE(4, 6)
LANES_TILE(3, 7)
LANES_TILE(3, 8)

typedef void lanes_fn(const struct nn__dconv *, const float *, const float *, size_t, size_t,
                      size_t, float *, size_t, size_t);

void nn__dconv_corr_lanes(const struct nn__dconv *d, const float *in, const float *wp,
                          float *out, float *scratch, size_t threads, nn__dconv_done *done,
                          void *ctx)
{
    static lanes_fn *const fns[8] = {lanes_8_1, lanes_8_2, lanes_8_3, lanes_6_4,
                                     lanes_4_5, lanes_4_6, lanes_3_7, lanes_3_8};
    lanes_fn *fn = fns[d->co - 1];
    size_t cop = nn__dconv_pad(d->co), r = tile_r(d->co), groups = (d->n + VL - 1) / VL;
    size_t per = lanes_hp(d) * lanes_wp(d) * d->ci * VL;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel num_threads((int)threads) if (threads > 1)
#endif
    {
        /* the padding is zero once for all the thread's groups: gather writes the inside */
        float *g = scratch + (size_t)nn__thread_id() * per;
        memset(g, 0, per * sizeof *g);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t gi = 0; gi < groups; gi++) {
            size_t n0 = gi * VL, nb = d->n - n0 < VL ? d->n - n0 : VL;
            gather(d, in, n0, nb, g);
            for (size_t oy = 0; oy < d->ho; oy++)
                for (size_t ox = 0; ox < d->wo; ox += r)
                    fn(d, g, wp, cop, oy, ox, out, n0, nb);
            if (done)
                done(ctx, n0, nb);
        }
    }
}

#else /* no x86-64 AVX-512 in this build: never called (nn__avx512 is 0) */

void nn__dconv_corr_lanes(const struct nn__dconv *d, const float *in, const float *wp,
                          float *out, float *scratch, size_t threads, nn__dconv_done *done,
                          void *ctx)
{
    (void)d, (void)in, (void)wp, (void)out, (void)scratch, (void)threads, (void)done, (void)ctx;
}

#endif
