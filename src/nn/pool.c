/* maxpool2d and avgpool2d: square windows of `pool` pixels a side, `stride` apart (default:
 * pool, set by the spec parser), over each channel of NCHW images. No padding and the last
 * incomplete window is dropped, as PyTorch's defaults (padding=0, ceil_mode=False) and Keras'
 * padding="valid": Ho = floor((H - pool) / stride) + 1.
 *
 * Max pooling takes the first maximum in row-major window order and backward routes the
 * gradient to it alone (PyTorch does the same on the CPU). A NaN anywhere in a window makes
 * the output NaN, its gradient going to the first NaN. The winner's offset in the window,
 * di * pool + dj, is kept in the scratch as a float (exact: pool is at most 4096, so the
 * offset stays below 2^24) for backward.
 *
 * Average pooling divides the window's sum, taken in double and rounded once, by pool^2;
 * every window is complete, so the divisor never changes.
 *
 * Planes (sample, channel) are independent: the OpenMP loops give each thread whole planes,
 * and within a plane the order of accumulation (overlapping windows when stride < pool) is
 * fixed, so results do not depend on the thread count. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "avx512.h"
#include "layer.h"

#ifdef _OPENMP
#define PARALLEL_FOR_IF_BIG _Pragma("omp parallel for schedule(static) if(big)")
#else
#define PARALLEL_FOR_IF_BIG
#endif

#define PARALLEL_MIN ((size_t)1 << 18) /* floats touched below which threads do not pay */
#define MAX_POOL ((size_t)4096)        /* window offsets stay exact in a float */

struct pgeom {
    size_t c;           /* channels of one sample */
    size_t h, w, k, s;  /* input, window, stride */
    size_t ho, wo;
};

static void pgeom_of(const struct nn__layer *l, struct pgeom *g)
{
    g->c = l->in.d[0], g->h = l->in.d[1], g->w = l->in.d[2];
    g->k = l->args.pool, g->s = l->args.stride;
    g->ho = (g->h - g->k) / g->s + 1;
    g->wo = (g->w - g->k) / g->s + 1;
}

/* whether a loop over planes of in_p values is worth threads (and may have them) */
static int parallel(size_t planes, size_t in_p)
{
    return planes > 1 && planes * in_p >= PARALLEL_MIN && nn__omp_loops();
}

static int pool_setup(struct nn__layer *l)
{
    const char *name = l->ops->kind;
    size_t k = l->args.pool, s = l->args.stride;
    if (l->in.ndim != 3)
        return al__fail(AL_ESHAPE,
                        "%s: input must be an image (C, H, W), got a shape with %d "
                        "dimension(s)",
                        name, l->in.ndim);
    size_t c = l->in.d[0], h = l->in.d[1], w = l->in.d[2];
    if (c == 0 || h == 0 || w == 0)
        return al__fail(AL_ESHAPE, "%s: empty input %zux%zux%zu (C x H x W)", name, c, h, w);
    if (k == 0 || k > MAX_POOL)
        return al__fail(AL_EINVAL, "%s: pool must be in 1..%zu, got %zu", name, MAX_POOL, k);
    if (s == 0)
        return al__fail(AL_EINVAL, "%s: stride must be at least 1, got 0", name);
    if (k > h || k > w)
        return al__fail(AL_ESHAPE,
                        "%s: pool %zux%zu is larger than the %zux%zu input (pooling uses no "
                        "padding)",
                        name, k, k, h, w);
    struct pgeom g;
    pgeom_of(l, &g);
    l->out.ndim = 3;
    l->out.d[0] = c;
    l->out.d[1] = g.ho;
    l->out.d[2] = g.wo;
    l->out.d[3] = 0;
    l->n_params = 0;
    return AL_OK;
}

static size_t maxpool_workspace(const struct nn__layer *l, size_t batch)
{
    struct pgeom g;
    pgeom_of(l, &g);
    return batch * g.c * g.ho * g.wo;
}

static size_t avgpool_workspace(const struct nn__layer *l, size_t batch)
{
    (void)l, (void)batch;
    return 0;
}

/* whether v replaces the running maximum m: strictly greater keeps the first maximum; the
 * first NaN wins and stays */
static inline int beats(float v, float m)
{
    return (v > m) | ((v != v) & (m == m)); /* v != v: NaN; bitwise, so no branches */
}

/* m, at = v, k when v beats m. Selected through the bits: the compiler turns a float ?: into a
 * branch, and on real data which value of a window wins is a coin toss (mispredicted, the
 * branches cost more than the rest of the pass). */
static inline void take(float v, float k, float *m, float *at)
{
    uint32_t c = 0u - (uint32_t)beats(v, *m), vb, mb, kb, ab;
    memcpy(&vb, &v, 4), memcpy(&mb, m, 4), memcpy(&kb, &k, 4), memcpy(&ab, at, 4);
    mb = (vb & c) | (mb & ~c), ab = (kb & c) | (ab & ~c);
    memcpy(m, &mb, 4), memcpy(at, &ab, 4);
}

/* The common 2x2, stride 2 window with the general loop's comparisons in its order (so the
 * same winner), unrolled. */
static void max2x2(const struct pgeom *g, const float *xp, float *yp, float *arg)
{
    for (size_t oh = 0; oh < g->ho; oh++) {
        const float *r0 = xp + 2 * oh * g->w, *r1 = r0 + g->w;
        float *yo = yp + oh * g->wo, *ao = arg + oh * g->wo;
        for (size_t ow = 0; ow < g->wo; ow++) {
            float m = r0[2 * ow], at = 0.0f;
            take(r0[2 * ow + 1], 1.0f, &m, &at);
            take(r1[2 * ow], 2.0f, &m, &at);
            take(r1[2 * ow + 1], 3.0f, &m, &at);
            yo[ow] = m;
            ao[ow] = at;
        }
    }
}

static int maxpool_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                           int training, al_rng *rng)
{
    (void)training, (void)rng;
    struct pgeom g;
    pgeom_of(l, &g);
    size_t planes = batch * g.c, in_p = g.h * g.w, out_p = g.ho * g.wo;
    int big = parallel(planes, in_p), vec = nn__avx512();
    (void)big;
    PARALLEL_FOR_IF_BIG
    for (size_t q = 0; q < planes; q++) {
        const float *xp = x + q * in_p;
        float *yp = y + q * out_p, *arg = l->scratch + q * out_p;
        if (g.k == 2 && g.s == 2) {
            if (vec)
                nn__maxpool2x2_avx512(xp, g.w, g.ho, g.wo, yp, arg);
            else
                max2x2(&g, xp, yp, arg);
            continue;
        }
        for (size_t oh = 0; oh < g.ho; oh++)
            for (size_t ow = 0; ow < g.wo; ow++) {
                const float *win = xp + oh * g.s * g.w + ow * g.s;
                float m = win[0];
                size_t at = 0;
                for (size_t di = 0; di < g.k; di++)
                    for (size_t dj = 0; dj < g.k; dj++) {
                        float v = win[di * g.w + dj];
                        if (beats(v, m)) {
                            m = v;
                            at = di * g.k + dj;
                        }
                    }
                yp[oh * g.wo + ow] = m;
                arg[oh * g.wo + ow] = (float)at;
            }
    }
    return AL_OK;
}

static int maxpool_backward(struct nn__layer *l, const float *x, const float *y,
                            const float *dy, float *dx, size_t batch)
{
    (void)x, (void)y;
    if (!dx)
        return AL_OK;
    struct pgeom g;
    pgeom_of(l, &g);
    size_t planes = batch * g.c, in_p = g.h * g.w, out_p = g.ho * g.wo;
    int big = parallel(planes, in_p);
    (void)big;
    PARALLEL_FOR_IF_BIG
    for (size_t q = 0; q < planes; q++) {
        float *dxp = dx + q * in_p;
        const float *dyp = dy + q * out_p, *arg = l->scratch + q * out_p;
        memset(dxp, 0, in_p * sizeof *dxp);
        if (g.k == 2 && g.s == 2) { /* no division by the window's side */
            for (size_t oh = 0; oh < g.ho; oh++)
                for (size_t ow = 0; ow < g.wo; ow++) {
                    size_t at = (size_t)arg[oh * g.wo + ow];
                    dxp[(2 * oh + (at >> 1)) * g.w + 2 * ow + (at & 1)] += dyp[oh * g.wo + ow];
                }
            continue;
        }
        for (size_t oh = 0; oh < g.ho; oh++)
            for (size_t ow = 0; ow < g.wo; ow++) {
                size_t at = (size_t)arg[oh * g.wo + ow];
                size_t di = at / g.k, dj = at % g.k;
                dxp[(oh * g.s + di) * g.w + ow * g.s + dj] += dyp[oh * g.wo + ow];
            }
    }
    return AL_OK;
}

static int avgpool_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                           int training, al_rng *rng)
{
    (void)training, (void)rng;
    struct pgeom g;
    pgeom_of(l, &g);
    size_t planes = batch * g.c, in_p = g.h * g.w, out_p = g.ho * g.wo;
    double area = (double)(g.k * g.k);
    int big = parallel(planes, in_p);
    (void)big;
    PARALLEL_FOR_IF_BIG
    for (size_t q = 0; q < planes; q++) {
        const float *xp = x + q * in_p;
        float *yp = y + q * out_p;
        for (size_t oh = 0; oh < g.ho; oh++)
            for (size_t ow = 0; ow < g.wo; ow++) {
                const float *win = xp + oh * g.s * g.w + ow * g.s;
                double sum = 0.0;
                for (size_t di = 0; di < g.k; di++)
                    for (size_t dj = 0; dj < g.k; dj++)
                        sum += win[di * g.w + dj];
                yp[oh * g.wo + ow] = (float)(sum / area);
            }
    }
    return AL_OK;
}

static int avgpool_backward(struct nn__layer *l, const float *x, const float *y,
                            const float *dy, float *dx, size_t batch)
{
    (void)x, (void)y;
    if (!dx)
        return AL_OK;
    struct pgeom g;
    pgeom_of(l, &g);
    size_t planes = batch * g.c, in_p = g.h * g.w, out_p = g.ho * g.wo;
    float area = (float)(g.k * g.k);
    int big = parallel(planes, in_p);
    (void)big;
    PARALLEL_FOR_IF_BIG
    for (size_t q = 0; q < planes; q++) {
        float *dxp = dx + q * in_p;
        const float *dyp = dy + q * out_p;
        memset(dxp, 0, in_p * sizeof *dxp);
        for (size_t oh = 0; oh < g.ho; oh++)
            for (size_t ow = 0; ow < g.wo; ow++) {
                float d = dyp[oh * g.wo + ow] / area;
                float *win = dxp + oh * g.s * g.w + ow * g.s;
                for (size_t di = 0; di < g.k; di++)
                    for (size_t dj = 0; dj < g.k; dj++)
                        win[di * g.w + dj] += d;
            }
    }
    return AL_OK;
}

static size_t pool_tensors(const struct nn__layer *l, struct nn__tensor_info out[2])
{
    (void)l, (void)out;
    return 0;
}

/* "maxpool2d(2,stride=2)": every argument explicit. Returns the length it needs. */
static int pool_format(const struct nn__layer *l, char *buf, size_t size)
{
    return snprintf(buf, size, "%s(%zu,stride=%zu)", l->ops->kind, l->args.pool,
                    l->args.stride);
}

const struct nn__layer_ops nn__layer_maxpool2d = {
    .kind = "maxpool2d",
    .type_name = "MaxPooling2D",
    .setup = pool_setup,
    .init_params = NULL,
    .workspace = maxpool_workspace,
    .forward = maxpool_forward,
    .backward = maxpool_backward,
    .tensors = pool_tensors,
    .format = pool_format,
};

const struct nn__layer_ops nn__layer_avgpool2d = {
    .kind = "avgpool2d",
    .type_name = "AveragePooling2D",
    .setup = pool_setup,
    .init_params = NULL,
    .workspace = avgpool_workspace,
    .forward = avgpool_forward,
    .backward = avgpool_backward,
    .tensors = pool_tensors,
    .format = pool_format,
};
