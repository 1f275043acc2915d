/* conv2d: a 2-D convolution (cross-correlation, as torch.nn.Conv2d) over NCHW images.
 *
 *   y[n][f][oh][ow] = bias[f] + sum_{c,i,j} w[f][c][i][j] * x[n][c][oh*s - pt + i][ow*s - pl + j]
 *
 * with x read as 0 outside the image. Shapes: x (N, C, H, W) -> y (N, F, Ho, Wo); weight
 * (F, C, k, k) and bias (F), torch's layout and order, so a state_dict maps one to one.
 *
 * Padding (per axis; H shown, W is the same):
 *   valid: no padding, Ho = floor((H - k) / s) + 1; H < k is an error.
 *   same:  Keras/TensorFlow "SAME": Ho = ceil(H / s), total padding
 *          pad = max((Ho - 1) * s + k - H, 0), of which pt = floor(pad / 2) goes on top and
 *          the rest (the larger half when pad is odd) at the bottom.
 * PyTorch's padding='same' exists for stride 1 only; there it gives the same output and
 * splits an odd total the same way (the extra row/column at the bottom/right), so weights
 * trained either way agree. For stride > 1 use the TensorFlow rule above (PyTorch users pad
 * by hand to match).
 *
 * Algorithm: im2col + one GEMM per chunk of samples. The columns of a chunk of nb samples are
 * a (C*k*k, nb*Ho*Wo) matrix, sample n in columns [n*P, (n+1)*P) (P = Ho*Wo), so
 *   forward:  T (F, nb*P)       = W (F, Ckk) * cols,   then y[n][f][p] = T[f][n*P + p] + b[f]
 *   backward: dW (F, Ckk)      += dY (F, nb*P) * cols^T           (dY: dy regrouped as T)
 *             dcols (Ckk, nb*P) = W^T * dY, then col2im adds each column back into dx.
 * A chunk is as many samples as fit in CHUNK_FLOATS of workspace (512 KiB): small enough that
 * the columns im2col writes are still in the core's L2 cache when the product reads them,
 * large enough (hundreds to thousands of columns) for OpenBLAS's blocking, and memory stays
 * bounded for any batch. Chunks run in parallel, one per OpenMP thread in a slot of the
 * workspace of its own (columns, product, weight gradient), when OpenBLAS shares OpenMP's
 * pool (its OpenMP build, where a product called inside the parallel loop runs on the calling
 * thread); beside the pthread build they run one after another and OpenBLAS threads each
 * product. The chunks are the same for every thread count, so outputs and input gradients do
 * not depend on it; the weight gradient is summed chunk after chunk within a thread's
 * (static, contiguous) share and then slot by slot, so it depends only on the shapes and the
 * thread count, never on scheduling. Backward recomputes the columns from x rather than
 * keeping them from forward: the scratch need not survive between the two calls, and
 * recomputing a chunk that fits in L2 costs little next to its products. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "blas_core.h"
#include "avx512.h"
#include "conv_direct.h"
#include "layer.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifdef _OPENMP
#define PARALLEL_FOR_IF_BIG _Pragma("omp parallel for schedule(static) if(big)")
#define PRAGMA_SIMD _Pragma("omp simd")
#define PARALLEL_CHUNKS _Pragma("omp parallel for schedule(static) num_threads(slots) if(slots > 1)")
#else
#define PARALLEL_CHUNKS
#define PARALLEL_FOR_IF_BIG
#define PRAGMA_SIMD
#endif

/* Workspace budget of one chunk, in floats (512 KiB): the columns im2col writes are still in
 * the core's L2 cache when the GEMM reads them (and the products' when col2im reads them).
 * At 16 MiB a chunk the passes ran from memory: a LeNet-5 step at batch 256 took 20-30%
 * longer (docs/BENCHMARKS.md). LeNet-5's layers get 4 or 5 samples a chunk, products with N
 * of 245 (last layer) to 3920 (first). */
#define CHUNK_FLOATS ((size_t)1 << 17)
/* Below this many floats touched (1 MiB), an OpenMP region costs more than it saves: waking
 * a thread takes microseconds on a quiet machine and far longer on a busy one. */
#define PARALLEL_MIN ((size_t)1 << 18)
/* Image sides beyond this are rejected, so that signed index arithmetic cannot overflow. */
#define MAX_SIDE ((size_t)1 << 24)

struct geom {
    size_t c, h, w;  /* input */
    size_t f, k, s;  /* filters, kernel, stride */
    size_t ho, wo;   /* output */
    size_t pt, pl;   /* padding on top and left */
    size_t p, ckk;   /* ho * wo, c * k * k */
};

/* Output size and leading padding of one axis. Returns 0 when valid padding does not fit. */
static int axis(size_t in, size_t k, size_t s, int same, size_t *out, size_t *lead)
{
    *out = *lead = 0;
    if (same) {
        size_t o = (in + s - 1) / s;
        size_t span = (o - 1) * s + k;
        *out = o;
        *lead = span > in ? (span - in) / 2 : 0;
        return 1;
    }
    if (in < k)
        return 0;
    *out = (in - k) / s + 1;
    *lead = 0;
    return 1;
}

static void geom_of(const struct nn__layer *l, struct geom *g)
{
    g->c = l->in.d[0], g->h = l->in.d[1], g->w = l->in.d[2];
    g->f = l->args.units, g->k = l->args.kernel, g->s = l->args.stride;
    axis(g->h, g->k, g->s, l->args.same, &g->ho, &g->pt);
    axis(g->w, g->k, g->s, l->args.same, &g->wo, &g->pl);
    g->p = g->ho * g->wo;
    g->ckk = g->c * g->k * g->k;
}

/* Samples per chunk: as many as fit in CHUNK_FLOATS, at least one. */
static size_t chunk_of(const struct geom *g)
{
    size_t per = g->p * (g->ckk + g->f);
    size_t n = per ? CHUNK_FLOATS / per : 1;
    return n ? n : 1;
}

static int conv_setup(struct nn__layer *l)
{
    const struct nn__layer_args *a = &l->args;
    if (l->in.ndim != 3)
        return al__fail(AL_ESHAPE,
                        "conv2d: input must be an image (C, H, W), got a shape with %d "
                        "dimension(s)",
                        l->in.ndim);
    size_t c = l->in.d[0], h = l->in.d[1], w = l->in.d[2];
    if (c == 0 || h == 0 || w == 0)
        return al__fail(AL_ESHAPE, "conv2d: empty input %zux%zux%zu (C x H x W)", c, h, w);
    if (h > MAX_SIDE || w > MAX_SIDE)
        return al__fail(AL_ESHAPE, "conv2d: input %zux%zu is too large (sides up to %zu)", h,
                        w, MAX_SIDE);
    if (a->units == 0)
        return al__fail(AL_EINVAL, "conv2d: filters must be at least 1, got 0");
    if (a->kernel == 0 || a->kernel > MAX_SIDE)
        return al__fail(AL_EINVAL, "conv2d: kernel must be in 1..%zu, got %zu", MAX_SIDE,
                        a->kernel);
    if (a->stride == 0 || a->stride > MAX_SIDE)
        return al__fail(AL_EINVAL, "conv2d: stride must be in 1..%zu, got %zu", MAX_SIDE,
                        a->stride);
    if (!a->same && (a->kernel > h || a->kernel > w))
        return al__fail(AL_ESHAPE,
                        "conv2d: kernel %zux%zu is larger than the %zux%zu input with "
                        "padding=valid (use padding=same or a smaller kernel)",
                        a->kernel, a->kernel, h, w);
    struct geom g;
    geom_of(l, &g);
    size_t kk, ckk, nw, per;
    if (!nn__mul(a->kernel, a->kernel, &kk) || !nn__mul(c, kk, &ckk) ||
        !nn__mul(a->units, ckk, &nw) || nw > SIZE_MAX - a->units ||
        ckk > SIZE_MAX - a->units || !nn__mul(g.p, ckk + a->units, &per))
        return al__fail(AL_ESHAPE, "conv2d: %zu filters of %zux%zux%zu on a %zux%zu image "
                        "overflow the size type", a->units, c, a->kernel, a->kernel, h, w);
    if (g.p > INT_MAX || ckk > INT_MAX || a->units > INT_MAX)
        return al__fail(AL_ESHAPE,
                        "conv2d: %zux%zu outputs of %zu filters of %zux%zux%zu exceed one BLAS "
                        "call (dimensions up to %d)",
                        g.ho, g.wo, a->units, c, a->kernel, a->kernel, INT_MAX);
    l->out.ndim = 3;
    l->out.d[0] = g.f;
    l->out.d[1] = g.ho;
    l->out.d[2] = g.wo;
    l->out.d[3] = 0;
    l->n_params = nw + (a->bias ? g.f : 0);
    return AL_OK;
}

static void conv_init_params(struct nn__layer *l, nn_init scheme, al_rng *rng)
{
    struct geom g;
    geom_of(l, &g);
    size_t nw = g.f * g.ckk;
    /* torch's fans for Conv2d: in * k * k and out * k * k */
    nn__init_weights(l->w, nw, g.ckk, g.f * g.k * g.k, scheme, rng);
    if (l->args.bias)
        nn__init_bias(l->w + nw, g.f, g.ckk, scheme, rng);
}

/* Chunks run in parallel, one per OpenMP thread, each in a slot of its own: columns, products
 * and a private weight gradient. The slots are sized for the most threads this process can
 * have (the processors, at most MAX_SLOTS), a number that never changes, so the workspace the
 * model reserved always holds as many slots as a pass uses. */
#define MAX_SLOTS 64

static size_t slots_max(void)
{
#ifdef _OPENMP
    int p = omp_get_num_procs();
    return p < 1 ? 1 : p > MAX_SLOTS ? MAX_SLOTS : (size_t)p;
#else
    return 1;
#endif
}

/* Slots a pass over `chunks` chunks uses: one beside a pthread OpenBLAS (which threads the
 * products itself, and whose pool our threads would fight); else a thread per chunk up to
 * OpenMP's thread count. Inside the parallel loop the OpenMP OpenBLAS runs each product on
 * the calling thread. */
static size_t slots_now(size_t chunks)
{
#ifdef _OPENMP
    if (chunks < 2 || !nn__omp_loops())
        return 1;
    size_t n = (size_t)omp_get_max_threads(), m = slots_max();
    if (nn__threads() > 0 && (size_t)nn__threads() < n)
        n = (size_t)nn__threads();
    n = n < m ? n : m;
    return n < chunks ? n : chunks;
#else
    (void)chunks;
    return 1;
#endif
}

static int slot_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Floats of one slot for chunks of nb samples: columns and products. */
static size_t slot_floats(const struct geom *g, size_t nb)
{
    return nb * g->p * (g->ckk + g->f);
}

/* Most groups the GEMM path's weight gradient is summed in (conv_backward). */
#define DW_GROUPS 8

/* Which passes run the direct kernels (conv_direct.c, conv_lanes.c): stride 1 on the
 * AVX-512 path, where the channels a pass writes fill its vectors at least three quarters
 * or are few enough to go to the images-in-lanes kernel. LeNet-5 keeps im2col + GEMM only
 * for its first layer's weight gradient. */
struct plan {
    int fwd, dx, dw;
};

static int fills(size_t channels)
{
    return channels * 4 >= nn__dconv_pad(channels) * 3;
}

static struct plan plan_of(const struct geom *g)
{
    struct plan p = {0, 0, 0};
    /* the scatter's lane offsets are int32: channel 15 of an image side must fit; and whole
     * images of at most 2^32 floats keep every workspace size (64 threads, groups of 24
     * images) far from overflowing */
    size_t lim = (size_t)INT_MAX / 16, img = (size_t)1 << 32;
    if (g->s != 1 || g->p > lim || g->h * g->w > lim || g->c * g->h * g->w > img ||
        g->f * g->p > img || !nn__avx512())
        return p;
    /* few channels go to the images-in-lanes kernel, whose scatter spans a whole image */
    p.fwd = fills(g->f) || (g->f <= NN_DCONV_LANES_MAX && g->f * g->p <= lim);
    p.dx = fills(g->c) || (g->c <= NN_DCONV_LANES_MAX && g->c * g->h * g->w <= lim);
    p.dw = fills(g->f) && g->c >= 4;
    return p;
}

/* The forward and the input gradient as the correlations conv_direct.h computes. */
static struct nn__dconv dconv_fwd(const struct geom *g, size_t batch)
{
    return (struct nn__dconv){batch, g->c, g->h, g->w, g->f, g->ho, g->wo, g->k, g->pt, g->pl};
}

static struct nn__dconv dconv_dx(const struct geom *g, size_t batch)
{
    return (struct nn__dconv){batch,          g->f, g->ho, g->wo, g->c, g->h, g->w, g->k,
                              g->k - 1 - g->pt, g->k - 1 - g->pl};
}

static size_t max_of(size_t a, size_t b)
{
    return a > b ? a : b;
}

static size_t conv_workspace(const struct nn__layer *l, size_t batch)
{
    struct geom g;
    geom_of(l, &g);
    struct plan p = plan_of(&g);
    size_t need = 0, kk = g.k * g.k, threads = slots_max();
    if (!p.fwd || !p.dx || !p.dw) {
        size_t nb = chunk_of(&g);
        need = slots_max() * slot_floats(&g, batch < nb ? batch : nb) +
               (p.dw ? 0 : DW_GROUPS * g.f * g.ckk);
    }
    struct nn__dconv f = dconv_fwd(&g, batch), b = dconv_dx(&g, batch);
    if (p.fwd)
        need = max_of(need, kk * g.c * nn__dconv_pad(g.f) + nn__dconv_corr_scratch(&f, threads));
    size_t bwd = 0;
    if (p.dx)
        bwd = kk * g.f * nn__dconv_pad(g.c) + nn__dconv_corr_scratch(&b, threads);
    if (p.dw)
        bwd = kk * g.c * nn__dconv_pad(g.f) + max_of(bwd, nn__dconv_wgrad_scratch(&f));
    return max_of(need, bwd);
}

/* Threads for the direct kernels: OpenMP's count, or nn_set_threads' when smaller; one
 * beside a pthread OpenBLAS, whose pool would fight OpenMP's for the cores (nn__omp_loops). */
static size_t direct_threads(void)
{
#ifdef _OPENMP
    if (!nn__omp_loops())
        return 1;
    size_t n = (size_t)omp_get_max_threads();
    if (nn__threads() > 0 && (size_t)nn__threads() < n)
        n = (size_t)nn__threads();
    return n < slots_max() ? n : slots_max();
#else
    return 1;
#endif
}

/* The kernel packed for the direct correlations: wp[i][j][c][o] = w[o][c][i][j] (forward),
 * or, flipped for the input gradient, wp[i][j][o][c] = w[o][c][k-1-i][k-1-j]; the channels
 * the vectors run along padded with zeros to whole vectors. */
static void pack(const struct geom *g, const float *w, int flip, float *wp)
{
    size_t kk = g->k * g->k, rows = flip ? g->f : g->c, lanes = flip ? g->c : g->f;
    size_t ld = nn__dconv_pad(lanes);
    memset(wp, 0, kk * rows * ld * sizeof *wp);
    for (size_t o = 0; o < g->f; o++)
        for (size_t c = 0; c < g->c; c++)
            for (size_t t = 0; t < kk; t++) {
                size_t tap = flip ? kk - 1 - t : t, row = flip ? o : c, lane = flip ? c : o;
                wp[(tap * rows + row) * ld + lane] = w[(o * g->c + c) * kk + t];
            }
}

/* The outputs o in [0, n_out) whose input index o * s + off lies in [0, n_in): [*lo, *hi). */
static void in_range(ptrdiff_t off, size_t s, size_t n_in, size_t n_out, size_t *lo,
                     size_t *hi)
{
    size_t a = off >= 0 ? 0 : ((size_t)-off + s - 1) / s;
    ptrdiff_t last = (ptrdiff_t)n_in - 1 - off; /* largest o * s allowed */
    size_t b = last < 0 ? 0 : (size_t)last / s + 1;
    if (b > n_out)
        b = n_out;
    if (a > b)
        a = b;
    *lo = a, *hi = b;
}

/* cols[(c*k + i)*k + j][oh*wo + ow] = x[c][oh*s - pt + i][ow*s - pl + j], 0 in the padding;
 * rows ld floats apart. */
static void im2col(const struct geom *g, const float *x, float *cols, size_t ld)
{
    for (size_t c = 0; c < g->c; c++)
        for (size_t i = 0; i < g->k; i++)
            for (size_t j = 0; j < g->k; j++) {
                float *row = cols + ((c * g->k + i) * g->k + j) * ld;
                ptrdiff_t offw = (ptrdiff_t)j - (ptrdiff_t)g->pl;
                size_t lo, hi;
                in_range(offw, g->s, g->w, g->wo, &lo, &hi);
                for (size_t oh = 0; oh < g->ho; oh++) {
                    float *d = row + oh * g->wo;
                    ptrdiff_t ih = (ptrdiff_t)(oh * g->s + i) - (ptrdiff_t)g->pt;
                    if (ih < 0 || ih >= (ptrdiff_t)g->h || lo == hi) {
                        memset(d, 0, g->wo * sizeof *d);
                        continue;
                    }
                    const float *src = x + (c * g->h + (size_t)ih) * g->w;
                    for (size_t ow = 0; ow < lo; ow++)
                        d[ow] = 0.0f;
                    if (g->s == 1)
                        memcpy(d + lo, src + (ptrdiff_t)lo + offw, (hi - lo) * sizeof *d);
                    else
                        for (size_t ow = lo; ow < hi; ow++)
                            d[ow] = src[(ptrdiff_t)(ow * g->s) + offw];
                    for (size_t ow = hi; ow < g->wo; ow++)
                        d[ow] = 0.0f;
                }
            }
}

/* d[i] += s[i]. The pragma vectorises it whatever the optimisation level's cost model says
 * (-O2 leaves loops that need a tail alone); the arrays do not overlap (dx and the columns). */
static void add_row(float *restrict d, const float *restrict s, size_t n)
{
    PRAGMA_SIMD
    for (size_t i = 0; i < n; i++)
        d[i] += s[i];
}

/* The adjoint of im2col: dx = sum over the columns' entries of their input positions.
 * dx is overwritten. Entries are added in row order, the same every call. */
static void col2im(const struct geom *g, const float *cols, size_t ld, float *dx)
{
    memset(dx, 0, g->c * g->h * g->w * sizeof *dx);
    for (size_t c = 0; c < g->c; c++)
        for (size_t i = 0; i < g->k; i++)
            for (size_t j = 0; j < g->k; j++) {
                const float *row = cols + ((c * g->k + i) * g->k + j) * ld;
                ptrdiff_t offw = (ptrdiff_t)j - (ptrdiff_t)g->pl;
                size_t lo, hi;
                in_range(offw, g->s, g->w, g->wo, &lo, &hi);
                for (size_t oh = 0; oh < g->ho; oh++) {
                    ptrdiff_t ih = (ptrdiff_t)(oh * g->s + i) - (ptrdiff_t)g->pt;
                    if (ih < 0 || ih >= (ptrdiff_t)g->h)
                        continue;
                    const float *s = row + oh * g->wo;
                    float *d = dx + (c * g->h + (size_t)ih) * g->w;
                    if (g->s == 1) /* contiguous: one vector add (each d once, no reordering) */
                        add_row(d + (ptrdiff_t)lo + offw, s + lo, hi - lo);
                    else
                        for (size_t ow = lo; ow < hi; ow++)
                            d[(ptrdiff_t)(ow * g->s) + offw] += s[ow];
                }
            }
}

/* Forward of samples [n0, n0 + nb) in one slot: im2col, one product, then bias and
 * activation while regrouping the product into NCHW. */
static void forward_chunk(struct nn__layer *l, const struct geom *g, const float *x, float *y,
                          size_t n0, size_t nb, float *slot, size_t nbmax)
{
    float *cols = slot, *t = slot + nbmax * g->p * g->ckk;
    const float *b = l->args.bias ? l->w + g->f * g->ckk : NULL;
    size_t in_n = g->c * g->h * g->w, out_n = g->f * g->p, ld = nb * g->p;
    for (size_t n = 0; n < nb; n++)
        im2col(g, x + (n0 + n) * in_n, cols + n * g->p, ld);
    nn__gemm(0, 0, g->f, ld, g->ckk, 1.0f, l->w, g->ckk, cols, ld, 0.0f, t, ld);
    for (size_t n = 0; n < nb; n++) {
        float *yn = y + (n0 + n) * out_n;
        for (size_t f = 0; f < g->f; f++) {
            float *src = t + f * ld + n * g->p;
            float *dst = yn + f * g->p;
            if (l->act_out) { /* bias and activation in the same pass (setup made sure the
                               * activation is elementwise: it cannot fail) */
                float *post = l->act_out + (n0 + n) * out_n + f * g->p;
                (void)act_forward_bias(&l->args.act, src, b ? b + f : NULL, post, 1, 1, g->p);
                memcpy(dst, src, g->p * sizeof *dst);
            } else if (b)
                for (size_t p = 0; p < g->p; p++)
                    dst[p] = src[p] + b[f];
            else
                memcpy(dst, src, g->p * sizeof *dst);
        }
    }
}

/* Bias and activation of images [n0, n0 + nb) the direct forward has finished. */
struct fwd_ctx {
    struct nn__layer *l;
    const struct geom *g;
    float *y;
};

static void fwd_done(void *ctx, size_t n0, size_t nb)
{
    const struct fwd_ctx *c = ctx;
    const struct geom *g = c->g;
    size_t out_n = g->f * g->p;
    const float *b = c->l->args.bias ? c->l->w + g->f * g->ckk : NULL;
    float *y = c->y + n0 * out_n;
    if (c->l->act_out)
        (void)act_forward_bias(&c->l->args.act, y, b, c->l->act_out + n0 * out_n, nb, g->f,
                               g->p);
    else if (b)
        for (size_t n = 0; n < nb; n++)
            for (size_t f = 0; f < g->f; f++)
                for (size_t q = 0; q < g->p; q++)
                    y[(n * g->f + f) * g->p + q] += b[f];
}

static int conv_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                        int training, al_rng *rng)
{
    (void)training, (void)rng;
    if (batch == 0)
        return AL_OK;
    struct geom g;
    geom_of(l, &g);
    if (plan_of(&g).fwd) {
        float *wp = l->scratch;
        pack(&g, l->w, 0, wp);
        struct nn__dconv d = dconv_fwd(&g, batch);
        struct fwd_ctx c = {l, &g, y};
        nn__dconv_corr(&d, x, wp, y, wp + g.k * g.k * g.c * nn__dconv_pad(g.f),
                       direct_threads(), fwd_done, &c);
        return AL_OK;
    }
    size_t chunk = chunk_of(&g), nbmax = batch < chunk ? batch : chunk;
    size_t chunks = (batch + chunk - 1) / chunk, slots = slots_now(chunks);
    size_t per = slot_floats(&g, nbmax);
    (void)slots;
    PARALLEL_CHUNKS
    for (size_t ci = 0; ci < chunks; ci++) {
        size_t n0 = ci * chunk, nb = batch - n0 < chunk ? batch - n0 : chunk;
        forward_chunk(l, &g, x, y, n0, nb, l->scratch + (size_t)slot_id() * per, nbmax);
    }
    return AL_OK;
}

/* Backward of samples [n0, n0 + nb) in one slot: the columns again, dy regrouped as the
 * product was, dw += dY cols^T, then (dx) dcols = W^T dY and col2im. */
static void backward_chunk(struct nn__layer *l, const struct geom *g, const float *x,
                           const float *dy, float *dx, size_t n0, size_t nb, float *slot,
                           size_t nbmax, float *dw)
{
    float *cols = slot, *dyt = slot + nbmax * g->p * g->ckk;
    size_t in_n = g->c * g->h * g->w, out_n = g->f * g->p, ld = nb * g->p;
    for (size_t n = 0; n < nb; n++) {
        if (dw)
            im2col(g, x + (n0 + n) * in_n, cols + n * g->p, ld);
        const float *dyn = dy + (n0 + n) * out_n;
        for (size_t f = 0; f < g->f; f++)
            memcpy(dyt + f * ld + n * g->p, dyn + f * g->p, g->p * sizeof *dyt);
    }
    if (dw)
        nn__gemm(0, 1, g->f, g->ckk, ld, 1.0f, dyt, ld, cols, ld, 1.0f, dw, g->ckk);
    if (!dx)
        return;
    nn__gemm(1, 0, g->ckk, ld, g->f, 1.0f, l->w, g->ckk, dyt, ld, 0.0f, cols, ld);
    for (size_t n = 0; n < nb; n++)
        col2im(g, cols + n * g->p, ld, dx + (n0 + n) * in_n);
}

/* The weight gradient by the direct kernel, packed, then added into l->g in torch's
 * layout. */
static void direct_dw(struct nn__layer *l, const struct geom *g, const float *x,
                      const float *dy, size_t batch)
{
    size_t fp = nn__dconv_pad(g->f), kk = g->k * g->k;
    float *gwp = l->scratch;
    struct nn__dconv d = dconv_fwd(g, batch);
    nn__dconv_wgrad(&d, x, dy, gwp, gwp + kk * g->c * fp, direct_threads());
    for (size_t o = 0; o < g->f; o++)
        for (size_t c = 0; c < g->c; c++)
            for (size_t t = 0; t < kk; t++)
                l->g[(o * g->c + c) * kk + t] += gwp[(t * g->c + c) * fp + o];
}

static int conv_backward(struct nn__layer *l, const float *x, const float *y, const float *dy,
                         float *dx, size_t batch)
{
    (void)y;
    if (batch == 0)
        return AL_OK;
    struct geom g;
    geom_of(l, &g);
    size_t chunk = chunk_of(&g), nbmax = batch < chunk ? batch : chunk;
    size_t chunks = (batch + chunk - 1) / chunk;
    size_t per = slot_floats(&g, nbmax), out_n = g.f * g.p, nw = g.f * g.ckk;

    if (l->args.bias && nn__avx512())
        nn__dconv_bias_grad(dy, batch, g.f, g.p, l->g + nw, direct_threads());
    else if (l->args.bias) {
        /* db[f] += sum over samples and positions, in double: eight running sums over
         * the positions (independent, so the loop is vector adds, not one chain of
         * dependent additions), added together in a fixed order at the end */
        float *db = l->g + nw;
        int big = batch * out_n >= PARALLEL_MIN && g.f > 1 && nn__omp_loops();
        (void)big;
        PARALLEL_FOR_IF_BIG
        for (size_t f = 0; f < g.f; f++) {
            double lane[8] = {0}, tail = 0.0;
            for (size_t n = 0; n < batch; n++) {
                const float *d = dy + n * out_n + f * g.p;
                size_t p = 0;
                for (; p + 8 <= g.p; p += 8)
                    for (size_t j = 0; j < 8; j++)
                        lane[j] += d[p + j];
                for (; p < g.p; p++)
                    tail += d[p];
            }
            double s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) +
                       ((lane[4] + lane[5]) + (lane[6] + lane[7])) + tail;
            db[f] = (float)((double)db[f] + s);
        }
    }

    struct plan pl = plan_of(&g);
    if (pl.dw)
        direct_dw(l, &g, x, dy, batch);
    if (pl.dx && dx) {
        float *wp = l->scratch;
        pack(&g, l->w, 1, wp);
        struct nn__dconv d = dconv_dx(&g, batch);
        nn__dconv_corr(&d, dy, wp, dx, wp + g.k * g.k * g.f * nn__dconv_pad(g.c),
                       direct_threads(), NULL, NULL);
    }
    if (pl.dw && (pl.dx || !dx))
        return AL_OK;
    int gemm_dw = !pl.dw;
    float *gemm_dx = pl.dx ? NULL : dx;

    /* The weight gradient goes in groups of consecutive chunks: a group is one thread's,
     * summed chunk after chunk into its own buffer, and the groups are added into l->g in
     * order. The groups depend on the batch, not on the thread count, and neither do the
     * bits. */
    size_t groups = gemm_dw && chunks > DW_GROUPS ? DW_GROUPS : chunks, slots = slots_now(groups);
    (void)slots; /* only the OpenMP pragma reads it */
    float *dwg = l->scratch + slots_max() * per;
    if (gemm_dw && groups > 1)
        memset(dwg, 0, groups * nw * sizeof *dwg);
    PARALLEL_CHUNKS
    for (size_t gi = 0; gi < groups; gi++) {
        float *slot = l->scratch + (size_t)slot_id() * per;
        float *dw = !gemm_dw ? NULL : groups > 1 ? dwg + gi * nw : l->g;
        for (size_t ci = gi * chunks / groups; ci < (gi + 1) * chunks / groups; ci++) {
            size_t n0 = ci * chunk, nb = batch - n0 < chunk ? batch - n0 : chunk;
            backward_chunk(l, &g, x, dy, gemm_dx, n0, nb, slot, nbmax, dw);
        }
    }
    for (size_t gi = 0; gemm_dw && groups > 1 && gi < groups; gi++)
        add_row(l->g, dwg + gi * nw, nw);
    return AL_OK;
}

static size_t conv_tensors(const struct nn__layer *l, struct nn__tensor_info out[2])
{
    struct geom g;
    geom_of(l, &g);
    out[0] = (struct nn__tensor_info){
        .name = "weight", .ndim = 4, .shape = {g.f, g.c, g.k, g.k}, .offset = 0};
    if (!l->args.bias)
        return 1;
    out[1] = (struct nn__tensor_info){
        .name = "bias", .ndim = 1, .shape = {g.f}, .offset = g.f * g.ckk};
    return 2;
}

/* "conv2d(6,5,stride=1,padding=same,activation=relu)", arguments in nn.h's order: the
 * activation only when it is not the identity, bias=0 only when there is none. Returns the
 * length it needs, as snprintf. */
static int conv_format(const struct nn__layer *l, char *buf, size_t size)
{
    const struct nn__layer_args *a = &l->args;
    char act[300] = "";
    if (a->act.kind != ACT_IDENTITY)
        nn__format_act(&a->act, act, sizeof act);
    return snprintf(buf, size, "conv2d(%zu,%zu,stride=%zu,padding=%s%s%s%s)", a->units,
                    a->kernel, a->stride, a->same ? "same" : "valid",
                    act[0] ? ",activation=" : "", act, a->bias ? "" : ",bias=0");
}

const struct nn__layer_ops nn__layer_conv2d = {
    .kind = "conv2d",
    .type_name = "Conv2D",
    .setup = conv_setup,
    .init_params = conv_init_params,
    .workspace = conv_workspace,
    .forward = conv_forward,
    .backward = conv_backward,
    .writes_act = 1,
    .tensors = conv_tensors,
    .format = conv_format,
};
