/* dense: a fully connected layer, as torch.nn.Linear.
 *
 *   y (batch, out) = x (batch, in) W^T + b,   W (out, in), b (out)
 *
 * Backward, with dy (batch, out):
 *   dW (out, in) += dy^T x,   db += sum over the batch of dy,   dx (batch, in) = dy W.
 * Parameters: W then b in the arena, torch's state_dict order. */
#include <stdio.h>

#include "avx512.h"
#include "layer.h"

/* The forward product y = x W^T at small batches, on the AVX-512 path (nn__avx512). OpenBLAS packs all of W^T on every call, which a batch of 23
 * rows does not pay back: the house-prices MLP's 23 x 288 by 144 x 288 product took 24.5 us
 * there, 14.5 us here (and 17.5 against 13.4 at 24 rows; both equal at 48 rows; measured
 * with bench/dense_gemm.c). Each output is a dot product of two contiguous rows: 16 partial
 * sums in the lanes of one register (fused multiply-adds along k), added pairwise at the end.
 * That order differs from OpenBLAS's, so the results differ from it by float rounding. */
#define SMALL_BATCH 32

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define DENSE_X86 1

#define AVX512 __attribute__((target("avx512f"), always_inline)) static inline
#define UNROLL _Pragma("GCC unroll 4")

/* y[r][q] for r < R rows of x, q < C rows of w (R, C <= 4, constants after inlining: the
 * 16 sums stay in registers) */
AVX512 void nt_block(const int R, const int C, size_t k, const float *x, const float *w,
                     float *y, size_t ldy)
{
    __m512 acc[4][4], xv[4], wv[4];
    UNROLL for (int r = 0; r < R; r++) UNROLL for (int q = 0; q < C; q++)
        acc[r][q] = _mm512_setzero_ps();
    for (size_t p = 0; p < k; p += 16) {
        /* the tail loads zeros past k: they add 0 * 0 */
        __mmask16 in = k - p >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - p)) - 1);
        UNROLL for (int r = 0; r < R; r++)
            xv[r] = _mm512_maskz_loadu_ps(in, x + r * k + p);
        UNROLL for (int q = 0; q < C; q++)
            wv[q] = _mm512_maskz_loadu_ps(in, w + q * k + p);
        UNROLL for (int r = 0; r < R; r++) UNROLL for (int q = 0; q < C; q++)
            acc[r][q] = _mm512_fmadd_ps(xv[r], wv[q], acc[r][q]);
    }
    if (C < 4) {
        UNROLL for (int r = 0; r < R; r++) UNROLL for (int q = 0; q < C; q++)
            y[r * ldy + q] = _mm512_reduce_add_ps(acc[r][q]);
        return;
    }
    /* four sums at once: pairs of registers interleaved and added until each 128-bit lane
     * holds the four outputs' partial sums, then the four lanes added */
    UNROLL for (int r = 0; r < R; r++) {
        __m512 a = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][0], acc[r][1]),
                                 _mm512_unpackhi_ps(acc[r][0], acc[r][1]));
        __m512 b = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][2], acc[r][3]),
                                 _mm512_unpackhi_ps(acc[r][2], acc[r][3]));
        __m512 s = _mm512_add_ps(_mm512_shuffle_ps(a, b, 0x44), _mm512_shuffle_ps(a, b, 0xEE));
        __m256 h = _mm256_add_ps(_mm512_castps512_ps256(s),
                                 _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)));
        _mm_storeu_ps(y + r * ldy, _mm_add_ps(_mm256_castps256_ps128(h),
                                              _mm256_extractf128_ps(h, 1)));
    }
}

/* R rows of y, n outputs each */
AVX512 void nt_rows(const int R, size_t n, size_t k, const float *x, const float *w, float *y)
{
    size_t q = 0;
    for (; q + 4 <= n; q += 4)
        nt_block(R, 4, k, x, w + q * k, y + q, n);
    switch (n - q) {
    case 3: nt_block(R, 3, k, x, w + q * k, y + q, n); break;
    case 2: nt_block(R, 2, k, x, w + q * k, y + q, n); break;
    case 1: nt_block(R, 1, k, x, w + q * k, y + q, n); break;
    }
}

__attribute__((target("avx512f"))) static void nt_avx512(size_t m, size_t n, size_t k,
                                                         const float *x, const float *w,
                                                         float *y)
{
    size_t r = 0;
    for (; r + 4 <= m; r += 4)
        nt_rows(4, n, k, x + r * k, w, y + r * n);
    switch (m - r) {
    case 3: nt_rows(3, n, k, x + r * k, w, y + r * n); break;
    case 2: nt_rows(2, n, k, x + r * k, w, y + r * n); break;
    case 1: nt_rows(1, n, k, x + r * k, w, y + r * n); break;
    }
}
#endif

/* y (batch, out) = x (batch, in) W^T */
static void forward_product(size_t batch, size_t out, size_t in, const float *x,
                            const float *w, float *y)
{
#ifdef DENSE_X86
    if (batch <= SMALL_BATCH && nn__avx512()) {
        nt_avx512(batch, out, in, x, w, y);
        return;
    }
#endif
    nn__gemm(0, 1, batch, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
}

static int dense_setup(struct nn__layer *l)
{
    if (l->in.ndim != 1) {
        char shape[64];
        nn__format_shape(l->in, shape, sizeof shape);
        return al__fail(AL_ESHAPE,
                        "dense needs a feature vector (F), got %s; put flatten before it",
                        shape);
    }
    size_t in = l->in.d[0], out = l->args.units;
    if (out == 0)
        return al__fail(AL_EINVAL, "dense needs units >= 1");
    size_t nw;
    if (!nn__mul(out, in, &nw) || !nn__add(nw, l->args.bias ? out : 0, &l->n_params))
        return al__fail(AL_EINVAL, "dense: %zu x %zu weights overflow the size type", out, in);
    l->out.ndim = 1;
    l->out.d[0] = out;
    return AL_OK;
}

static void dense_init(struct nn__layer *l, nn_init scheme, al_rng *rng)
{
    size_t in = l->in.d[0], out = l->args.units;
    nn__init_weights(l->w, out * in, in, out, scheme, rng);
    if (l->args.bias)
        nn__init_bias(l->w + out * in, out, in, scheme, rng);
}

static const float *dense_bias_of(const struct nn__layer *l, size_t *channels, size_t *inner)
{
    *channels = l->args.units;
    *inner = 1;
    return l->args.bias ? l->w + l->args.units * l->in.d[0] : NULL;
}

static int dense_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                         int training, al_rng *rng)
{
    (void)training, (void)rng;
    size_t in = l->in.d[0], out = l->args.units;
    forward_product(batch, out, in, x, l->w, y);
    if (l->args.bias && !l->defer_bias) {
        const float *b = l->w + out * in;
        for (size_t n = 0; n < batch; n++)
            for (size_t o = 0; o < out; o++)
                y[n * out + o] += b[o];
    }
    return AL_OK;
}

static int dense_backward(struct nn__layer *l, const float *x, const float *y, const float *dy,
                          float *dx, size_t batch)
{
    (void)y;
    size_t in = l->in.d[0], out = l->args.units;
    nn__gemm(1, 0, out, in, batch, 1.0f, dy, out, x, in, 1.0f, l->g, in);
    if (l->args.bias) {
        float *db = l->g + out * in;
        for (size_t n = 0; n < batch; n++)
            for (size_t o = 0; o < out; o++)
                db[o] += dy[n * out + o];
    }
    if (dx)
        nn__gemm(0, 0, batch, in, out, 1.0f, dy, out, l->w, in, 0.0f, dx, in);
    return AL_OK;
}

static size_t dense_tensors(const struct nn__layer *l, struct nn__tensor_info t[2])
{
    size_t in = l->in.d[0], out = l->args.units;
    t[0] = (struct nn__tensor_info){"weight", 2, {out, in}, 0};
    if (!l->args.bias)
        return 1;
    t[1] = (struct nn__tensor_info){"bias", 1, {out}, out * in};
    return 2;
}

static int dense_format(const struct nn__layer *l, char *buf, size_t size)
{
    char act[256];
    nn__format_act(&l->args.act, act, sizeof act);
    return snprintf(buf, size, "dense(%zu,activation=%s,bias=%d)", l->args.units, act,
                    l->args.bias);
}

const struct nn__layer_ops nn__layer_dense = {
    .kind = "dense",
    .type_name = "Dense",
    .setup = dense_setup,
    .init_params = dense_init,
    .workspace = NULL,
    .forward = dense_forward,
    .backward = dense_backward,
    .bias_of = dense_bias_of,
    .tensors = dense_tensors,
    .format = dense_format,
};
