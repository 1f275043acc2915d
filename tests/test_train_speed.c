/* Issue 14's speed paths, against the paths they replace or a direct reference:
 *  - conv2d with one chunk per OpenMP thread (each with its own weight gradient, added in
 *    slot order): outputs and input gradients bit-identical to one thread (the same chunks,
 *    the same products), weight and bias gradients within float rounding of it, and the
 *    same bits on every run with the same thread count;
 *  - max pooling's unrolled 2x2 window: values, the winner's position (through backward),
 *    ties, infinities and NaN against a direct loop over the documented rule;
 *  - the OpenBLAS core the CLI re-executes with (nn_blas_better_core). */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cblas.h>
#include <criterion/criterion.h>
#include <omp.h>

#include "actlab/act.h"
#include "actlab/rng.h"
#include "nn/blas_core.h"
#include "nn/layer.h"

struct run {
    struct nn__layer l;
    size_t batch, in_n, out_n, ws;
    float *x, *dy, *y, *dx, *g, *scratch;
};

static float *falloc(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    cr_assert(p);
    return p;
}

/* conv2d(f, k, stride s, padding) on batch x c x h x w, seeded weights, x and dy in [-1, 1];
 * the scratch starts as NaN so that the slots a pass used can be told from the rest */
static void run_make(struct run *r, size_t batch, size_t c, size_t h, size_t w, size_t f,
                     size_t k, size_t s, int same, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    struct nn__layer *l = &r->l;
    l->ops = &nn__layer_conv2d;
    l->args.units = f, l->args.kernel = k, l->args.stride = s, l->args.same = same;
    l->args.bias = 1;
    act_init(&l->args.act, ACT_IDENTITY);
    l->in.ndim = 3, l->in.d[0] = c, l->in.d[1] = h, l->in.d[2] = w;
    cr_assert_eq(l->ops->setup(l), AL_OK, "%s", al_last_error());
    r->batch = batch;
    r->in_n = c * h * w;
    r->out_n = l->out.d[0] * l->out.d[1] * l->out.d[2];
    r->ws = l->ops->workspace(l, batch);
    al_rng g;
    al_rng_seed(&g, seed);
    l->w = falloc(l->n_params);
    l->g = r->g = falloc(l->n_params);
    l->scratch = r->scratch = falloc(r->ws);
    r->x = falloc(batch * r->in_n), r->dx = falloc(batch * r->in_n);
    r->y = falloc(batch * r->out_n), r->dy = falloc(batch * r->out_n);
    for (size_t i = 0; i < l->n_params; i++)
        l->w[i] = (float)(2 * al_rng_uniform(&g) - 1);
    for (size_t i = 0; i < batch * r->in_n; i++)
        r->x[i] = (float)(2 * al_rng_uniform(&g) - 1);
    for (size_t i = 0; i < batch * r->out_n; i++)
        r->dy[i] = (float)(2 * al_rng_uniform(&g) - 1);
}

/* forward and backward with `threads` OpenMP threads */
static void run_pass(struct run *r, int threads)
{
    omp_set_num_threads(threads);
    memset(r->g, 0, r->l.n_params * sizeof *r->g);
    for (size_t i = 0; i < r->ws; i++)
        r->scratch[i] = NAN;
    cr_assert_eq(r->l.ops->forward(&r->l, r->x, r->y, r->batch, 1, NULL), AL_OK);
    cr_assert_eq(r->l.ops->backward(&r->l, r->x, r->y, r->dy, r->dx, r->batch), AL_OK);
}

static void run_free(struct run *r)
{
    free(r->l.w), free(r->g), free(r->scratch);
    free(r->x), free(r->dx), free(r->y), free(r->dy);
}

/* the slots a pass wrote: the scratch is cut in equal slots, NaN until used */
static size_t slots_used(const struct run *r, size_t slots)
{
    size_t used = 0, per = r->ws / slots;
    for (size_t s = 0; s < slots; s++)
        used += !isnan(r->scratch[s * per]);
    return used;
}

struct shape {
    size_t batch, c, h, w, f, k, s;
    int same, chunks; /* chunks: several (of 512 KiB), so several slots can work */
};

static const struct shape shapes[] = {
    /* batch c   h   w   f   k  s  same chunks */
    {23, 1, 28, 28, 6, 5, 1, 1, 1},   /* LeNet-5 conv1: 5 chunks, the last one partial */
    {23, 6, 14, 14, 16, 5, 1, 1, 1},  /* conv2: 6 chunks */
    {17, 16, 7, 7, 120, 5, 1, 1, 1},  /* conv3 */
    {45, 3, 31, 29, 5, 3, 2, 0, 1},   /* odd sides, stride 2, valid */
    {130, 2, 19, 23, 7, 4, 3, 1, 1},  /* even kernel, stride 3, same (uneven padding) */
    {3, 1, 5, 5, 1, 5, 1, 0, 0},      /* one output pixel a sample, one chunk */
};

Test(conv_slots, threads_match_one_thread)
{
    int procs = omp_get_num_procs();
    if (!nn__omp_loops())
        cr_log_info("OpenBLAS is its pthread build: conv2d runs one slot, the parallel path "
                    "is not exercised");
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        const struct shape *q = &shapes[i];
        struct run one, many;
        run_make(&one, q->batch, q->c, q->h, q->w, q->f, q->k, q->s, q->same, 40 + i);
        run_make(&many, q->batch, q->c, q->h, q->w, q->f, q->k, q->s, q->same, 40 + i);
        run_pass(&one, 1);
        size_t ny = q->batch * one.out_n, nx = q->batch * one.in_n, np = one.l.n_params;
        for (int t = 2; t <= 3; t++) {
            run_pass(&many, t);
            if (nn__omp_loops() && procs >= 2 && q->chunks)
                cr_expect_geq(slots_used(&many, (size_t)(procs < 64 ? procs : 64)), 2,
                              "shape %zu, %d threads: one slot used", i, t);
            cr_expect_eq(memcmp(one.y, many.y, ny * sizeof *one.y), 0,
                         "shape %zu, %d threads: y differs from one thread", i, t);
            cr_expect_eq(memcmp(one.dx, many.dx, nx * sizeof *one.dx), 0,
                         "shape %zu, %d threads: dx differs from one thread", i, t);
            /* each gradient entry sums at most batch * Ho * Wo terms |dy x| <= 1, in another
             * grouping: within twice that count of float steps */
            double tol = 2.0 * FLT_EPSILON * (double)(q->batch * one.out_n / q->f);
            size_t bad = 0;
            for (size_t j = 0; j < np; j++)
                if (!(fabs(one.g[j] - many.g[j]) <= tol) && bad++ < 5)
                    cr_log_error("shape %zu, %d threads: g[%zu] = %.9g, one thread %.9g", i, t,
                                 j, many.g[j], one.g[j]);
            cr_expect_eq(bad, 0, "shape %zu, %d threads: %zu gradients off", i, t, bad);
            /* the same thread count gives the same bits */
            float *g1 = falloc(np);
            memcpy(g1, many.g, np * sizeof *g1);
            run_pass(&many, t);
            cr_expect_eq(memcmp(g1, many.g, np * sizeof *g1), 0,
                         "shape %zu, %d threads: two runs differ", i, t);
            free(g1);
        }
        run_free(&one), run_free(&many);
    }
    omp_set_num_threads(procs);
}

/* ---- max pooling, 2x2 stride 2 --------------------------------------------------------- */

/* the rule: the first maximum in row-major window order; the first NaN wins */
static void ref_max2(const float *x, size_t planes, size_t h, size_t w, float *y, size_t *at)
{
    size_t ho = h / 2, wo = w / 2;
    for (size_t p = 0; p < planes; p++)
        for (size_t i = 0; i < ho; i++)
            for (size_t j = 0; j < wo; j++) {
                size_t best = (p * h + 2 * i) * w + 2 * j;
                for (size_t d = 1; d < 4; d++) {
                    size_t k = (p * h + 2 * i + d / 2) * w + 2 * j + d % 2;
                    if (isnan(x[best]))
                        break;
                    if (isnan(x[k]) || x[k] > x[best])
                        best = k;
                }
                y[(p * ho + i) * wo + j] = x[best];
                at[(p * ho + i) * wo + j] = best;
            }
}

/* on every path the CPU has: the AVX-512 kernel (avx512.c; rows of 16 outputs, the last
 * masked: sides past 32 and odd ones) and the portable loop */
static void pool_2x2_sides(void);

Test(pool_2x2, ties_nan_inf_odd_sides)
{
    static const char *const paths[] = {"avx512", "avx2", "baseline"};
    char was[32];
    snprintf(was, sizeof was, "%s", act_isa());
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (!act_isa_supported(paths[p])) {
            cr_log_info("path %s: not on this CPU, its pooling untested here", paths[p]);
            continue;
        }
        cr_assert_eq(act_set_isa(paths[p]), AL_OK);
        pool_2x2_sides();
    }
    cr_assert_eq(act_set_isa(was), AL_OK);
}

static void pool_2x2_sides(void)
{
    static const size_t sides[][2] = {{2, 2}, {5, 7}, {28, 28}, {3, 2},
                                      {9, 4}, {4, 70}, {3, 33}, {6, 65}};
    static const float pick[] = {0.0f, 1.0f, -1.0f, 1.0f, NAN, INFINITY, -INFINITY, -0.0f};
    al_rng g;
    al_rng_seed(&g, 9);
    for (size_t c = 0; c < sizeof sides / sizeof *sides; c++) {
        size_t h = sides[c][0], w = sides[c][1], planes = 6, ho = h / 2, wo = w / 2;
        struct nn__layer l;
        memset(&l, 0, sizeof l);
        l.ops = &nn__layer_maxpool2d;
        l.args.pool = 2, l.args.stride = 2;
        act_init(&l.args.act, ACT_IDENTITY);
        l.in.ndim = 3, l.in.d[0] = 3, l.in.d[1] = h, l.in.d[2] = w;
        cr_assert_eq(l.ops->setup(&l), AL_OK);
        size_t nx = planes * h * w, ny = planes * ho * wo;
        float *x = falloc(nx), *y = falloc(ny), *dy = falloc(ny), *dx = falloc(nx);
        float *ry = falloc(ny);
        size_t *at = malloc(ny * sizeof *at);
        cr_assert(at);
        l.scratch = falloc(l.ops->workspace(&l, 2));
        for (size_t i = 0; i < nx; i++) /* few distinct values: ties everywhere, some NaN */
            x[i] = al_rng_uniform(&g) < 0.1 ? pick[al_rng_range(&g, 0, 8)]
                                            : (float)al_rng_range(&g, -2, 3);
        for (size_t i = 0; i < ny; i++)
            dy[i] = (float)(i + 1);
        cr_assert_eq(l.ops->forward(&l, x, y, 2, 1, NULL), AL_OK);
        cr_assert_eq(l.ops->backward(&l, x, y, dy, dx, 2), AL_OK);
        ref_max2(x, planes, h, w, ry, at);
        size_t bad = 0;
        for (size_t i = 0; i < ny; i++) {
            int same = isnan(ry[i]) ? isnan(y[i]) : memcmp(&y[i], &ry[i], sizeof *y) == 0;
            if ((!same || dx[at[i]] != dy[i]) && bad++ < 5)
                cr_log_error("%s %zux%zu: y[%zu] = %g (reference %g), dx at %zu = %g, expected %g",
                             act_isa(), h, w, i, y[i], ry[i], at[i], dx[at[i]], dy[i]);
        }
        double total = 0; /* and nothing anywhere else */
        for (size_t i = 0; i < nx; i++)
            total += dx[i];
        cr_expect_eq(total, (double)ny * (double)(ny + 1) / 2, "%zux%zu: dx holds more", h, w);
        cr_expect_eq(bad, 0, "%zux%zu: %zu windows off", h, w, bad);
        free(x), free(y), free(dy), free(dx), free(ry), free(at), free(l.scratch);
    }
}

/* ---- the OpenBLAS core the CLI asks for ------------------------------------------------ */

Test(blas_core, asks_only_when_the_cpu_has_more)
{
    const char *was = getenv("OPENBLAS_CORETYPE");
    char *keep = was ? strdup(was) : NULL;
    setenv("OPENBLAS_CORETYPE", "Haswell", 1);
    cr_expect_null(nn_blas_better_core(), "the user's OPENBLAS_CORETYPE is overridden");
    unsetenv("OPENBLAS_CORETYPE");
    const char *core = openblas_get_corename(), *want = NULL;
    int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
                 __builtin_cpu_supports("avx512cd");
    /* the AVX-512 cores of OpenBLAS 0.3.21's DYNAMIC_ARCH list */
    int has = core && (!strcasecmp(core, "skylakex") || !strcasecmp(core, "cooperlake") ||
                       !strcasecmp(core, "sapphirerapids"));
    if (avx512 && !has)
        want = "SkylakeX";
    const char *got = nn_blas_better_core();
    cr_expect((want == NULL && got == NULL) || (want && got && !strcmp(want, got)),
              "core %s, AVX-512 %d: asked for %s, expected %s", core, avx512,
              got ? got : "nothing", want ? want : "nothing");
    if (keep)
        setenv("OPENBLAS_CORETYPE", keep, 1);
    free(keep);
}
