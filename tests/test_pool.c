/* maxpool2d and avgpool2d through their nn__layer_ops, without the model, against direct
 * double loops; ties, NaN and infinities of the max; setup errors. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conv_rig.h"

/* ---- pooling ---------------------------------------------------------------------------- */

struct pool_case {
    size_t n, c, h, w, k, s;
};

static const struct pool_case pcases[] = {
    {2, 3, 4, 4, 2, 2},   /* the common case */
    {1, 2, 5, 5, 2, 2},   /* odd size: the last row and column are dropped, 2x2 out */
    {2, 1, 7, 7, 3, 2},   /* overlapping windows, 3x3 out */
    {1, 2, 8, 9, 2, 3},   /* gaps between windows, 3x3 out */
    {3, 2, 6, 5, 1, 1},   /* identity */
    {1, 1, 3, 3, 3, 5},   /* one window */
    {2, 6, 32, 32, 2, 2}, /* LeNet-5 sizes */
    {32, 8, 32, 32, 2, 2}, /* large enough for the OpenMP loop */
};
#define N_PCASES (sizeof pcases / sizeof pcases[0])

static void ref_pool(const struct pool_case *q, int max, const float *x, double *y)
{
    size_t ho = (q->h - q->k) / q->s + 1, wo = (q->w - q->k) / q->s + 1;
    for (size_t p = 0; p < q->n * q->c; p++)
        for (size_t oh = 0; oh < ho; oh++)
            for (size_t ow = 0; ow < wo; ow++) {
                double acc = max ? -INFINITY : 0.0;
                for (size_t i = 0; i < q->k; i++)
                    for (size_t j = 0; j < q->k; j++) {
                        double v = x[(p * q->h + oh * q->s + i) * q->w + ow * q->s + j];
                        if (!max)
                            acc += v;
                        else if ((isnan(v) && !isnan(acc)) || v > acc)
                            acc = v; /* the first NaN, else the largest */
                    }
                y[(p * ho + oh) * wo + ow] = max ? acc : acc / (double)(q->k * q->k);
            }
}

/* distinct values at least 1/64 apart (a shuffled ramp): no ties, a FD step cannot reorder */
static void distinct_values(float *x, size_t n, al_rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((double)i / 64 - (double)n / 128);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)al_rng_range(r, 0, (int64_t)i);
        float tmp = x[i - 1];
        x[i - 1] = x[j], x[j] = tmp;
    }
}

static void check_pool(const struct pool_case *q, int max, uint64_t seed)
{
    const struct nn__layer_ops *ops = max ? &nn__layer_maxpool2d : &nn__layer_avgpool2d;
    struct rig t;
    rig_make(&t, ops, pool_args(q->k, q->s), q->n, q->c, q->h, q->w, seed);
    al_rng r;
    al_rng_seed(&r, seed + 1);
    size_t nx = q->n * t.in_n, ny = q->n * t.out_n;
    cr_assert_eq(t.out_n, q->c * ((q->h - q->k) / q->s + 1) * ((q->w - q->k) / q->s + 1));
    distinct_values(t.x, nx, &r);
    double *ref = malloc(ny * sizeof *ref);
    cr_assert(ref);
    fwd(&t);
    ref_pool(q, max, t.x, ref);
    size_t bad = 0;
    for (size_t i = 0; i < ny; i++) /* max is exact; the mean is rounded once */
        if (!(fabs(t.y[i] - ref[i]) <= FLT_EPSILON / 2 * fabs(ref[i])) && bad++ < 5)
            cr_log_error("%s %zux%zu k%zu s%zu: y[%zu] = %.9g, reference %.9g", ops->kind, q->h,
                         q->w, q->k, q->s, i, t.y[i], ref[i]);
    cr_expect_eq(bad, 0, "%s: %zu of %zu outputs off", ops->kind, bad, ny);
    bwd(&t, t.dx);
    double nz = 0;
    for (size_t i = 0; i < nx; i++)
        nz += fabs(t.dx[i]);
    cr_expect_gt(nz, 0.01, "%s: dx is zero", ops->kind);

    /* max pooling: the step (1/256) is below half the spacing of the values, so no window's
     * winner changes and the pool is linear around x; its outputs are exact, so the loss is
     * exact but for the double sum. Average pooling is linear everywhere (a large step) and
     * rounds each output once. */
    double h = max ? 1.0 / 256 : 0.25;
    double *d = malloc(nx * sizeof *d);
    cr_assert(d);
    for (size_t i = 0; i < nx; i++)
        d[i] = 2 * al_rng_uniform(&r) - 1;
    double scale = 0, sum_dy = 0;
    for (size_t i = 0; i < ny; i++) {
        scale += fabs(t.dy[i]) * (fabs(ref[i]) + 1);
        sum_dy += fabs(t.dy[i]);
    }
    /* max: only dx's float sums where windows overlap round (and the double loss sum) */
    double tol = max ? 2 * FLT_EPSILON * h * sum_dy + 1e-15 * scale
                     : 4 * FLT_EPSILON * (1 + h) * scale + 1e-12;
    fd_check(&t, t.x, t.dx, nx, d, -1, h, tol, ops->kind);
    for (int k = 0; k < 20; k++) {
        long i = (long)al_rng_range(&r, 0, (int64_t)nx);
        fd_check(&t, t.x, t.dx, nx, d, i, h, tol, ops->kind);
    }
    free(ref), free(d);
    rig_free(&t);
}

Test(pool, max_forward_backward)
{
    for (size_t i = 0; i < N_PCASES; i++)
        check_pool(&pcases[i], 1, 500 + i);
}

Test(pool, avg_forward_backward)
{
    for (size_t i = 0; i < N_PCASES; i++)
        check_pool(&pcases[i], 0, 600 + i);
}

/* ties go to the first maximum in row-major order; NaN wins and propagates */
Test(pool, max_ties_and_nan)
{
    struct rig t;
    rig_make(&t, &nn__layer_maxpool2d, pool_args(2, 2), 1, 1, 4, 4, 3);
    static const float x[16] = {
        1, 3, 0, 0,     /* window 0: 3 twice -> first, at (0,1) */
        2, 3, NAN, 5,   /* window 1: NaN */
        -INFINITY, -INFINITY, 7, 7,
        -INFINITY, -INFINITY, 7, 7,
    };
    memcpy(t.x, x, sizeof x);
    for (int i = 0; i < 4; i++)
        t.dy[i] = (float)(i + 1);
    fwd(&t);
    cr_expect_eq(t.y[0], 3.0f);
    cr_expect(isnan(t.y[1]), "y[1] = %g, expected NaN", t.y[1]);
    cr_expect_eq(t.y[2], -INFINITY);
    cr_expect_eq(t.y[3], 7.0f);
    bwd(&t, t.dx);
    static const float want[16] = {0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++)
        cr_expect_eq(t.dx[i], want[i], "dx[%d] = %g, expected %g", i, t.dx[i], want[i]);
    rig_free(&t);
}

Test(pool, meta)
{
    struct nn__layer l;
    char buf[64];
    cr_assert_eq(try_setup(&l, &nn__layer_maxpool2d, pool_args(2, 2), 6, 32, 32), AL_OK);
    cr_expect_eq(l.n_params, 0);
    cr_expect(l.out.ndim == 3 && l.out.d[0] == 6 && l.out.d[1] == 16 && l.out.d[2] == 16);
    l.ops->format(&l, buf, sizeof buf);
    cr_expect_str_eq(buf, "maxpool2d(2,stride=2)");
    struct nn__tensor_info ti[2];
    cr_expect_eq(l.ops->tensors(&l, ti), 0);
    cr_expect_eq(l.ops->workspace(&l, 64), 64 * 6 * 16 * 16);
    cr_assert_eq(try_setup(&l, &nn__layer_avgpool2d, pool_args(3, 2), 2, 7, 7), AL_OK);
    cr_expect(l.out.d[1] == 3 && l.out.d[2] == 3);
    l.ops->format(&l, buf, sizeof buf);
    cr_expect_str_eq(buf, "avgpool2d(3,stride=2)");
    cr_expect_eq(l.ops->workspace(&l, 64), 0);
}
