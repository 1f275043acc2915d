/* Direct stride-1 convolution with AVX-512 (conv_direct.h).
 *
 * Why not im2col + GEMM everywhere: LeNet-5's inner layers are small images with "same"
 * padding (14x14 and 7x7 under a 5x5 kernel), where the columns hold 16% and 31% zeros that
 * the product multiplies, and the products (M = 16 or 120, K = 150 or 400) keep OpenBLAS's
 * packing and edge cases busy. These kernels compute only the taps that fall inside the
 * image and read their operands where they lie.
 *
 * Correlation (forward, and the input gradient as the correlation of the output gradient
 * with the flipped kernel): a register tile is NB images x CV vectors of 16 output
 * channels at one output position. Images, not neighbouring positions, share the tile
 * because every image has the same taps inside at a given position: the tile's loop is
 * exactly the valid taps, no test inside. The NB images of a group are first regrouped as
 * (y, x, c, image), so that for one kernel row the taps (x, c) of all NB images are one
 * contiguous run, read as broadcasts, against one contiguous run of packed weights
 * (y, x, c, o). Up to 24 accumulators live in registers; each step is CV loads, NB
 * broadcasts and NB * CV FMAs.
 *
 * Weight gradient: a tile is NT input channels x CV output-channel vectors of one tap,
 * summed over every image and every output position whose input lies inside, from copies
 * of the input as (n, y, x, c) and of the output gradient as (n, y, x, o). A tile is one
 * thread's, summed in one order: the gradient does not depend on the thread count. */
#include <stdint.h>
#include <string.h>

#include "actlab/act.h"
#include "conv_direct.h"


#if defined(__GNUC__) && defined(__x86_64__)
#define DCONV_X86 1
#include <immintrin.h>

#include "kern512.h"
#endif

#define VL 16 /* floats a vector */

size_t nn__dconv_pad(size_t channels)
{
    return (channels + VL - 1) / VL * VL;
}

/* The taps t in [0, k) for which 0 <= o + t - pad < n: [*lo, *hi). */
static void taps(size_t o, size_t pad, size_t k, size_t n, size_t *lo, size_t *hi)
{
    ptrdiff_t a = (ptrdiff_t)pad - (ptrdiff_t)o, b = (ptrdiff_t)(n + pad) - (ptrdiff_t)o;
    a = a < 0 ? 0 : a;
    b = b > (ptrdiff_t)k ? (ptrdiff_t)k : b;
    *lo = (size_t)a;
    *hi = b > a ? (size_t)b : (size_t)a;
}

/* The outputs o in [0, no) for which 0 <= o + t - pad < n: [*lo, *hi). */
static void outs(size_t t, size_t pad, size_t n, size_t no, size_t *lo, size_t *hi)
{
    ptrdiff_t a = (ptrdiff_t)pad - (ptrdiff_t)t, b = (ptrdiff_t)(n + pad) - (ptrdiff_t)t;
    a = a < 0 ? 0 : a;
    b = b > (ptrdiff_t)no ? (ptrdiff_t)no : b;
    *lo = (size_t)a;
    *hi = b > a ? (size_t)b : (size_t)a;
}

/* Images a correlation group holds: enough accumulators for the widest channel block. */
static size_t group_of(size_t co)
{
    size_t cv = nn__dconv_pad(co) / VL;
    return cv == 1 ? 16 : cv == 2 ? 12 : 6;
}

size_t nn__dconv_corr_scratch(const struct nn__dconv *d, size_t threads)
{
    if (d->co <= NN_DCONV_LANES_MAX)
        return nn__dconv_lanes_scratch(d, threads);
    return (threads ? threads : 1) * d->hi * d->wi * d->ci * group_of(d->co);
}

/* Channel-block width of the weight gradient and the input channels it pads to. */
static size_t wgrad_nt(size_t ci)
{
    return ci <= 4 ? 4 : ci <= 6 ? 6 : 8;
}

static size_t wgrad_cip(size_t ci)
{
    size_t nt = wgrad_nt(ci);
    return (ci + nt - 1) / nt * nt;
}

/* Images of one block of the weight gradient: their two copies in about 256 KiB. */
static size_t wgrad_block(const struct nn__dconv *d)
{
    size_t per = d->hi * d->wi * wgrad_cip(d->ci) + d->ho * d->wo * nn__dconv_pad(d->co);
    size_t b = ((size_t)1 << 16) / (per ? per : 1);
    b = b ? b : 1;
    return b < d->n ? b : d->n ? d->n : 1;
}

size_t nn__dconv_wgrad_scratch(const struct nn__dconv *d)
{
    return wgrad_block(d) *
           (d->hi * d->wi * wgrad_cip(d->ci) + d->ho * d->wo * nn__dconv_pad(d->co));
}

#ifdef DCONV_X86

/* ---- correlation ---------------------------------------------------------------------- */

/* g[((y * wi + x) * ci + c) * nbk + b] = in[n0 + b][c][y][x]; zero for b >= nb. Sixteen
 * positions of (up to) 16 images at a time are turned into 16 runs of images, each one
 * (masked) store. */
static AVX512 void gather(const struct nn__dconv *d, const float *in, size_t n0, size_t nb,
                          size_t nbk, float *g)
{
    size_t hw = d->hi * d->wi, per = d->ci * hw;
    __mmask16 keep = nn__first(nbk);
    for (size_t c = 0; c < d->ci; c++)
        for (size_t p0 = 0; p0 < hw; p0 += VL) {
            size_t n = hw - p0 < VL ? hw - p0 : VL;
            __m512 r[VL];
            nn__load_t16(in + n0 * per + c * hw + p0, per, nb, n, r);
            for (size_t j = 0; j < n; j++)
                _mm512_mask_storeu_ps(g + ((p0 + j) * d->ci + c) * nbk, keep, r[j]);
        }
}

/* One register tile: NB images x CV output vectors at output (oy, ox), channel vectors
 * [cv0, cv0 + CV), written into out (NCHW) for the first nb images. */
INLINE void corr_tile(const int NB, const int CV, const struct nn__dconv *d, const float *g,
                      const float *wp, size_t cop, size_t cv0, size_t oy, size_t ox,
                      float *out, size_t n0, size_t nb)
{
    __m512 acc[16][4];
#pragma GCC unroll 16
    for (int b = 0; b < NB; b++)
#pragma GCC unroll 4
        for (int v = 0; v < CV; v++)
            acc[b][v] = _mm512_setzero_ps();
    size_t y0, y1, x0, x1;
    taps(oy, d->pt, d->k, d->hi, &y0, &y1);
    taps(ox, d->pl, d->k, d->wi, &x0, &x1);
    size_t len = (x1 - x0) * d->ci;
    for (size_t i = y0; i < y1; i++) {
        const float *xs = g + ((oy + i - d->pt) * d->wi + ox + x0 - d->pl) * d->ci * (size_t)NB;
        const float *ws = wp + (i * d->k + x0) * d->ci * cop + cv0 * VL;
        for (size_t j = 0; j < len; j++, xs += NB, ws += cop) {
            __m512 w[4];
#pragma GCC unroll 4
            for (int v = 0; v < CV; v++)
                w[v] = _mm512_loadu_ps(ws + v * VL);
#pragma GCC unroll 16
            for (int b = 0; b < NB; b++) {
                __m512 xb = _mm512_set1_ps(xs[b]);
#pragma GCC unroll 4
                for (int v = 0; v < CV; v++)
                    acc[b][v] = _mm512_fmadd_ps(xb, w[v], acc[b][v]);
            }
        }
    }
    size_t p = d->ho * d->wo;
    __m512i idx = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi32((int)p));
#pragma GCC unroll 4
    for (int v = 0; v < CV; v++) {
        size_t o0 = (cv0 + (size_t)v) * VL;
        if (o0 >= d->co)
            break;
        size_t left = d->co - o0;
        __mmask16 m = left >= VL ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        float *base = out + (n0 * d->co + o0) * p + oy * d->wo + ox;
#pragma GCC unroll 16
        for (int b = 0; b < NB; b++)
            if ((size_t)b < nb)
                _mm512_mask_i32scatter_ps(base + (size_t)b * d->co * p, m, idx, acc[b][v], 4);
    }
}

#define CORR_TILE(NB, CV)                                                                   \
    static AVX512 void corr_##NB##_##CV(const struct nn__dconv *d, const float *g,          \
                                        const float *wp, size_t cop, size_t cv0, size_t oy,  \
                                        size_t ox, float *out, size_t n0, size_t nb)         \
    {                                                                                        \
        corr_tile(NB, CV, d, g, wp, cop, cv0, oy, ox, out, n0, nb);                          \
    }
CORR_TILE(16, 1)
CORR_TILE(12, 1)
CORR_TILE(12, 2)
CORR_TILE(6, 1)
CORR_TILE(6, 2)
CORR_TILE(6, 3)
CORR_TILE(6, 4)

typedef void corr_fn(const struct nn__dconv *, const float *, const float *, size_t, size_t,
                     size_t, size_t, float *, size_t, size_t);

static corr_fn *corr_pick(size_t nbk, size_t cv)
{
    if (nbk == 16)
        return corr_16_1;
    if (nbk == 12)
        return cv == 1 ? corr_12_1 : corr_12_2;
    return cv == 1 ? corr_6_1 : cv == 2 ? corr_6_2 : cv == 3 ? corr_6_3 : corr_6_4;
}

void nn__dconv_corr(const struct nn__dconv *d, const float *in, const float *wp, float *out,
                    float *scratch, size_t threads, nn__dconv_done *done, void *ctx)
{
    if (d->co <= NN_DCONV_LANES_MAX) {
        nn__dconv_corr_lanes(d, in, wp, out, scratch, threads, done, ctx);
        return;
    }
    size_t cop = nn__dconv_pad(d->co), cvn = cop / VL, cvmax = cvn < 4 ? cvn : 4;
    size_t nbk = group_of(d->co), groups = (d->n + nbk - 1) / nbk;
    size_t per = d->hi * d->wi * d->ci * nbk;
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads((int)threads) if (threads > 1)
#endif
    for (size_t gi = 0; gi < groups; gi++) {
        float *g = scratch + (size_t)nn__thread_id() * per;
        size_t n0 = gi * nbk, nb = d->n - n0 < nbk ? d->n - n0 : nbk;
        gather(d, in, n0, nb, nbk, g);
        for (size_t oy = 0; oy < d->ho; oy++)
            for (size_t ox = 0; ox < d->wo; ox++)
                for (size_t cv0 = 0; cv0 < cvn; cv0 += cvmax) {
                    size_t cv = cvn - cv0 < cvmax ? cvn - cv0 : cvmax;
                    corr_pick(nbk, cv)(d, g, wp, cop, cv0, oy, ox, out, n0, nb);
                }
        if (done)
            done(ctx, n0, nb);
    }
}

/* ---- weight gradient ------------------------------------------------------------------ */

/* dst[q * ld + o] = src[o * cols + q] for o < rows and q < cols, 0 for rows <= o < ld: a
 * (rows, cols) matrix transposed into rows ld floats apart, 16 x 16 at a time. */
static AVX512 void transpose_pad(const float *src, size_t rows, size_t cols, float *dst,
                                 size_t ld)
{
    for (size_t o0 = 0; o0 < ld; o0 += VL) {
        __mmask16 keep = nn__first(ld - o0);
        for (size_t q0 = 0; q0 < cols; q0 += VL) {
            size_t n = cols - q0 < VL ? cols - q0 : VL;
            __m512 r[VL];
            size_t have = o0 >= rows ? 0 : rows - o0 < VL ? rows - o0 : VL;
            nn__load_t16(src + o0 * cols + q0, cols, have, n, r);
            for (size_t j = 0; j < n; j++)
                _mm512_mask_storeu_ps(dst + (q0 + j) * ld + o0, keep, r[j]);
        }
    }
}

/* One tile of the weight gradient: tap (i, j), input channels [c0, c0 + NT), output
 * vectors [cv0, cv0 + CV). Small tiles keep two sets of accumulators (even and odd
 * positions) so that the FMAs' latency is hidden; the sets are added at the end. */
INLINE void wgrad_tile(const int NT, const int CV, const struct nn__dconv *d, size_t nimg,
                       const float *xh, size_t cip, const float *dyh, size_t cop, size_t i,
                       size_t j, size_t c0, size_t cv0, int add, float *gwp)
{
    const int U = NT * CV <= 12 ? 2 : 1;
    __m512 acc[2][8][3];
#pragma GCC unroll 2
    for (int u = 0; u < U; u++)
#pragma GCC unroll 8
        for (int s = 0; s < NT; s++)
#pragma GCC unroll 3
            for (int v = 0; v < CV; v++)
                acc[u][s][v] = _mm512_setzero_ps();
    size_t y0, y1, x0, x1;
    outs(i, d->pt, d->hi, d->ho, &y0, &y1);
    outs(j, d->pl, d->wi, d->wo, &x0, &x1);
    size_t len = x1 - x0;
    for (size_t n = 0; n < nimg; n++)
        for (size_t y = y0; y < y1; y++) {
            const float *xs =
                xh + ((n * d->hi + y + i - d->pt) * d->wi + x0 + j - d->pl) * cip + c0;
            const float *ds = dyh + ((n * d->ho + y) * d->wo + x0) * cop + cv0 * VL;
            size_t t = 0;
            for (; t + (size_t)U <= len; t += (size_t)U)
#pragma GCC unroll 2
                for (int u = 0; u < U; u++) {
                    __m512 dv[3];
#pragma GCC unroll 3
                    for (int v = 0; v < CV; v++)
                        dv[v] = _mm512_loadu_ps(ds + (t + (size_t)u) * cop + v * VL);
#pragma GCC unroll 8
                    for (int s = 0; s < NT; s++) {
                        __m512 xb = _mm512_set1_ps(xs[(t + (size_t)u) * cip + (size_t)s]);
#pragma GCC unroll 3
                        for (int v = 0; v < CV; v++)
                            acc[u][s][v] = _mm512_fmadd_ps(xb, dv[v], acc[u][s][v]);
                    }
                }
            for (; t < len; t++) {
                __m512 dv[3];
#pragma GCC unroll 3
                for (int v = 0; v < CV; v++)
                    dv[v] = _mm512_loadu_ps(ds + t * cop + v * VL);
#pragma GCC unroll 8
                for (int s = 0; s < NT; s++) {
                    __m512 xb = _mm512_set1_ps(xs[t * cip + (size_t)s]);
#pragma GCC unroll 3
                    for (int v = 0; v < CV; v++)
                        acc[0][s][v] = _mm512_fmadd_ps(xb, dv[v], acc[0][s][v]);
                }
            }
        }
#pragma GCC unroll 8
    for (int s = 0; s < NT; s++) {
        if (c0 + (size_t)s >= d->ci)
            break;
        float *dst = gwp + ((i * d->k + j) * d->ci + c0 + (size_t)s) * cop + cv0 * VL;
#pragma GCC unroll 3
        for (int v = 0; v < CV; v++) {
            __m512 r = U == 2 ? _mm512_add_ps(acc[0][s][v], acc[1][s][v]) : acc[0][s][v];
            if (add)
                r = _mm512_add_ps(_mm512_loadu_ps(dst + v * VL), r);
            _mm512_storeu_ps(dst + v * VL, r);
        }
    }
}

#define WGRAD_TILE(NT, CV)                                                                  \
    static AVX512 void wgrad_##NT##_##CV(const struct nn__dconv *d, size_t nimg,             \
                                         const float *xh, size_t cip, const float *dyh,      \
                                         size_t cop, size_t i, size_t j, size_t c0,          \
                                         size_t cv0, int add, float *gwp)                    \
    {                                                                                        \
        wgrad_tile(NT, CV, d, nimg, xh, cip, dyh, cop, i, j, c0, cv0, add, gwp);             \
    }
WGRAD_TILE(4, 1)
WGRAD_TILE(4, 2)
WGRAD_TILE(4, 3)
WGRAD_TILE(6, 1)
WGRAD_TILE(6, 2)
WGRAD_TILE(6, 3)
WGRAD_TILE(8, 1)
WGRAD_TILE(8, 2)
WGRAD_TILE(8, 3)

typedef void wgrad_fn(const struct nn__dconv *, size_t, const float *, size_t, const float *,
                      size_t, size_t, size_t, size_t, size_t, int, float *);

static wgrad_fn *wgrad_pick(size_t nt, size_t cv)
{
    static wgrad_fn *const fns[3][3] = {{wgrad_4_1, wgrad_4_2, wgrad_4_3},
                                        {wgrad_6_1, wgrad_6_2, wgrad_6_3},
                                        {wgrad_8_1, wgrad_8_2, wgrad_8_3}};
    return fns[nt == 4 ? 0 : nt == 6 ? 1 : 2][cv - 1];
}

void nn__dconv_wgrad(const struct nn__dconv *d, const float *in, const float *dout, float *gwp,
                     float *scratch, size_t threads)
{
    size_t nt = wgrad_nt(d->ci), cip = wgrad_cip(d->ci), cop = nn__dconv_pad(d->co);
    size_t hw = d->hi * d->wi, p = d->ho * d->wo, cvn = cop / VL, cvmax = cvn < 3 ? cvn : 3;
    size_t kk = d->k * d->k, cb = cip / nt, ob = (cvn + cvmax - 1) / cvmax;
    size_t tiles = kk * cb * ob, blk = wgrad_block(d);
    (void)threads;
    /* a block of images at a time, so that every tile reads the copies from L2 rather than
     * the whole batch's from memory; the blocks add into gwp in order */
    for (size_t n0 = 0; n0 < d->n; n0 += blk) {
        size_t nb = d->n - n0 < blk ? d->n - n0 : blk;
        float *xh = scratch, *dyh = scratch + nb * hw * cip;
#ifdef _OPENMP
#pragma omp parallel num_threads((int)threads) if (threads > 1)
#endif
        {
            /* the copies: (n, y, x, c) and (n, y, x, o), zero in the padded channels */
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
            for (size_t n = 0; n < nb; n++) {
                transpose_pad(in + (n0 + n) * d->ci * hw, d->ci, hw, xh + n * hw * cip, cip);
                transpose_pad(dout + (n0 + n) * d->co * p, d->co, p, dyh + n * p * cop, cop);
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
            for (size_t t = 0; t < tiles; t++) {
                size_t tap = t / (cb * ob), r = t % (cb * ob);
                size_t c0 = r / ob * nt, cv0 = r % ob * cvmax;
                size_t cv = cvn - cv0 < cvmax ? cvn - cv0 : cvmax;
                wgrad_pick(nt, cv)(d, nb, xh, cip, dyh, cop, tap / d->k, tap % d->k, c0, cv0,
                                   n0 > 0, gwp);
            }
        }
    }
}

/* ---- bias gradient ------------------------------------------------------------------- */

/* the low and high eight floats of v as doubles */
INLINE __m512d lo_pd(__m512 v)
{
    return _mm512_cvtps_pd(_mm512_castps512_ps256(v));
}

INLINE __m512d hi_pd(__m512 v)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

AVX512 void nn__dconv_bias_grad(const float *dout, size_t n, size_t co, size_t p, float *db,
                                 size_t threads)
{
    size_t full = p / VL * VL;
    __mmask16 tail = (__mmask16)((1u << (p - full)) - 1);
    (void)threads;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads((int)threads) if (threads > 1 && co > 1)
#endif
    for (size_t o = 0; o < co; o++) {
        __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
        for (size_t i = 0; i < n; i++) {
            const float *d = dout + (i * co + o) * p;
            for (size_t q = 0; q < full; q += VL) {
                __m512 v = _mm512_loadu_ps(d + q);
                a0 = _mm512_add_pd(a0, lo_pd(v));
                a1 = _mm512_add_pd(a1, hi_pd(v));
            }
            if (tail) {
                __m512 v = _mm512_maskz_loadu_ps(tail, d + full);
                a0 = _mm512_add_pd(a0, lo_pd(v));
                a1 = _mm512_add_pd(a1, hi_pd(v));
            }
        }
        db[o] = (float)((double)db[o] + _mm512_reduce_add_pd(_mm512_add_pd(a0, a1)));
    }
}

#else /* no x86-64 AVX-512 in this build: never called (nn__avx512 is 0) */

void nn__dconv_corr(const struct nn__dconv *d, const float *in, const float *wp, float *out,
                    float *scratch, size_t threads, nn__dconv_done *done, void *ctx)
{
    (void)d, (void)in, (void)wp, (void)out, (void)scratch, (void)threads, (void)done, (void)ctx;
}

void nn__dconv_wgrad(const struct nn__dconv *d, const float *in, const float *dout, float *gwp,
                     float *scratch, size_t threads)
{
    (void)d, (void)in, (void)dout, (void)gwp, (void)scratch, (void)threads;
}

void nn__dconv_bias_grad(const float *dout, size_t n, size_t co, size_t p, float *db,
                         size_t threads)
{
    (void)dout, (void)n, (void)co, (void)p, (void)db, (void)threads;
}

#endif
