/* conv2d through its nn__layer_ops, without the model (conv_rig.h), on both of its
 * algorithms: im2col + GEMM, and the direct kernels of the AVX-512 path (conv_direct.c).
 *
 * References are independent of the layer's code: direct loops over the
 * definition, in double. Forward is compared with a bound on float rounding derived from the
 * sum of |terms| of each output; backward with the reference's own direct loops and with
 * central finite differences of the layer's forward. The layers are linear in x, w and b
 * separately, so a difference has no truncation error; to leave no rounding in the step
 * either, the analytic side is dotted with the perturbation actually stored in the float
 * (x+ - x-), not with the nominal h * d. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conv_rig.h"
#include "nn/avx512.h"

/* ---- the reference convolution --------------------------------------------------------- */

struct conv_case {
    size_t n, c, h, w, f, k, s;
    int same, bias;
};

/* Output size and leading pad of one axis by the documented rule (TensorFlow's SAME). */
static void ref_axis(size_t in, size_t k, size_t s, int same, size_t *out, long *lead)
{
    if (same) {
        *out = (in + s - 1) / s;
        long total = (long)((*out - 1) * s + k) - (long)in;
        *lead = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - k) / s + 1;
        *lead = 0;
    }
}

/* y (and, when abs is non-NULL, the sum of |terms| of each output) in double. */
static void ref_conv(const struct conv_case *q, const float *x, const float *w, const float *b,
                     double *y, double *abs)
{
    size_t ho, wo;
    long pt, pl;
    ref_axis(q->h, q->k, q->s, q->same, &ho, &pt);
    ref_axis(q->w, q->k, q->s, q->same, &wo, &pl);
    for (size_t n = 0; n < q->n; n++)
        for (size_t f = 0; f < q->f; f++)
            for (size_t oh = 0; oh < ho; oh++)
                for (size_t ow = 0; ow < wo; ow++) {
                    double s = b ? b[f] : 0.0, a = b ? fabs(b[f]) : 0.0;
                    for (size_t c = 0; c < q->c; c++)
                        for (size_t i = 0; i < q->k; i++)
                            for (size_t j = 0; j < q->k; j++) {
                                long ih = (long)(oh * q->s + i) - pt;
                                long iw = (long)(ow * q->s + j) - pl;
                                if (ih < 0 || iw < 0 || ih >= (long)q->h || iw >= (long)q->w)
                                    continue;
                                double xv = x[((n * q->c + c) * q->h + ih) * q->w + iw];
                                double wv = w[((f * q->c + c) * q->k + i) * q->k + j];
                                s += xv * wv;
                                a += fabs(xv * wv);
                            }
                    size_t o = ((n * q->f + f) * ho + oh) * wo + ow;
                    y[o] = s;
                    if (abs)
                        abs[o] = a;
                }
}

/* The gradients of sum(dy * y) by the same direct loops: dw, db, dx (double). */
static void ref_conv_grad(const struct conv_case *q, const float *x, const float *w,
                          const float *dy, double *dw, double *db, double *dx)
{
    size_t ho, wo;
    long pt, pl;
    ref_axis(q->h, q->k, q->s, q->same, &ho, &pt);
    ref_axis(q->w, q->k, q->s, q->same, &wo, &pl);
    memset(dw, 0, q->f * q->c * q->k * q->k * sizeof *dw);
    memset(db, 0, q->f * sizeof *db);
    memset(dx, 0, q->n * q->c * q->h * q->w * sizeof *dx);
    for (size_t n = 0; n < q->n; n++)
        for (size_t f = 0; f < q->f; f++)
            for (size_t oh = 0; oh < ho; oh++)
                for (size_t ow = 0; ow < wo; ow++) {
                    double d = dy[((n * q->f + f) * ho + oh) * wo + ow];
                    db[f] += d;
                    for (size_t c = 0; c < q->c; c++)
                        for (size_t i = 0; i < q->k; i++)
                            for (size_t j = 0; j < q->k; j++) {
                                long ih = (long)(oh * q->s + i) - pt;
                                long iw = (long)(ow * q->s + j) - pl;
                                if (ih < 0 || iw < 0 || ih >= (long)q->h || iw >= (long)q->w)
                                    continue;
                                size_t xi = ((n * q->c + c) * q->h + ih) * q->w + iw;
                                size_t wi = ((f * q->c + c) * q->k + i) * q->k + j;
                                dw[wi] += d * x[xi];
                                dx[xi] += d * w[wi];
                            }
                }
}

static void conv_rig(struct rig *t, const struct conv_case *q, uint64_t seed)
{
    rig_make(t, &nn__layer_conv2d, conv_args(q->f, q->k, q->s, q->same, q->bias), q->n, q->c,
             q->h, q->w, seed);
}

static const struct conv_case cases[] = {
    /* n  c  h   w   f   k  s  same bias */
    {1, 1, 7, 5, 2, 3, 1, 0, 1},      /* odd sizes, one channel */
    {2, 1, 7, 5, 3, 3, 1, 1, 1},      /* same */
    {3, 2, 7, 5, 4, 3, 2, 1, 1},      /* stride 2, same: pads 1 on each side */
    {2, 3, 7, 5, 2, 3, 2, 0, 0},      /* stride 2, valid, no bias */
    {2, 3, 8, 8, 3, 3, 2, 1, 1},      /* same with an odd total pad (0 top, 1 bottom) */
    {2, 2, 6, 7, 3, 2, 1, 1, 1},      /* even kernel, same */
    {2, 2, 4, 6, 3, 4, 3, 1, 1},      /* stride 3, even kernel, same */
    {1, 2, 3, 3, 2, 5, 1, 1, 1},      /* kernel larger than the image, same */
    {2, 2, 11, 10, 3, 2, 3, 0, 1},    /* stride > kernel: skipped pixels */
    {1, 1, 1, 1, 1, 1, 1, 0, 1},      /* 1x1 everything */
    {4, 3, 32, 32, 6, 5, 1, 1, 1},    /* LeNet-5 conv1 */
    {2, 6, 16, 16, 16, 5, 1, 1, 1},   /* LeNet-5 conv2 */
    {2, 16, 8, 8, 24, 5, 1, 1, 1},    /* LeNet-5 conv3, fewer filters */
    {53, 3, 32, 32, 6, 5, 1, 1, 1},   /* more samples than one chunk (50 here) */
};
#define N_CASES (sizeof cases / sizeof cases[0])

static void check_case_forward(const struct conv_case *q, uint64_t seed)
{
    struct rig t;
    conv_rig(&t, q, seed);
    size_t n = q->n * t.out_n;
    double *ref = malloc(n * sizeof *ref), *abs = malloc(n * sizeof *abs);
    cr_assert(ref && abs);
    fwd(&t);
    ref_conv(q, t.x, t.l.w, q->bias ? t.l.w + q->f * q->c * q->k * q->k : NULL, ref, abs);
    /* a float dot product of K terms is within K * eps/2 * sum|terms| (first order); the
     * bias add and BLAS's blocking fit in the factor 2 */
    double k_terms = (double)(q->c * q->k * q->k + 1);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double tol = k_terms * FLT_EPSILON * abs[i] + FLT_MIN;
        if (!(fabs(t.y[i] - ref[i]) <= tol) && bad++ < 5)
            cr_log_error("case %zux%zux%zu k%zu s%zu %s: y[%zu] = %.9g, reference %.9g", q->c,
                         q->h, q->w, q->k, q->s, q->same ? "same" : "valid", i, t.y[i],
                         ref[i]);
    }
    cr_expect_eq(bad, 0, "%zu of %zu outputs off", bad, n);
    free(ref), free(abs);
    rig_free(&t);
}

Test(conv_forward, matches_direct_reference)
{
    for (size_t i = 0; i < N_CASES; i++)
        check_case_forward(&cases[i], 100 + i);
}

Test(conv_forward, output_shapes)
{
    static const struct {
        size_t h, w, k, s;
        int same;
        size_t ho, wo;
    } s[] = {
        {32, 32, 5, 1, 1, 32, 32}, {32, 32, 5, 1, 0, 28, 28}, {7, 5, 3, 2, 1, 4, 3},
        {7, 5, 3, 2, 0, 3, 2},     {8, 8, 3, 2, 1, 4, 4},     {5, 5, 5, 1, 0, 1, 1},
        {3, 3, 5, 1, 1, 3, 3},     {11, 10, 2, 3, 0, 4, 3},   {9, 9, 1, 4, 1, 3, 3},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        struct nn__layer l;
        int rc = try_setup(&l, &nn__layer_conv2d, conv_args(4, s[i].k, s[i].s, s[i].same, 1),
                           3, s[i].h, s[i].w);
        cr_assert_eq(rc, AL_OK, "%s", al_last_error());
        cr_expect_eq(l.out.ndim, 3);
        cr_expect_eq(l.out.d[0], 4);
        cr_expect_eq(l.out.d[1], s[i].ho, "case %zu: Ho %zu, expected %zu", i, l.out.d[1],
                     s[i].ho);
        cr_expect_eq(l.out.d[2], s[i].wo, "case %zu: Wo %zu, expected %zu", i, l.out.d[2],
                     s[i].wo);
        cr_expect_eq(l.n_params, 4 * 3 * s[i].k * s[i].k + 4);
    }
}

/* The SAME split fixed by hand, independent of ref_axis: a 2x2 kernel of ones over a 4x4
 * image of 1..16 pads one row and column at the bottom/right only (TensorFlow; also
 * PyTorch's padding='same'), so y[0][0] = 1+2+5+6 and the last row/column sees the zeros. */
Test(conv_forward, same_padding_goes_bottom_right)
{
    struct rig t;
    rig_make(&t, &nn__layer_conv2d, conv_args(1, 2, 1, 1, 0), 1, 1, 4, 4, 1);
    for (int i = 0; i < 16; i++)
        t.x[i] = (float)(i + 1);
    for (int i = 0; i < 4; i++)
        t.l.w[i] = 1.0f;
    fwd(&t);
    static const float want[16] = {14, 18, 22, 12, 30, 34, 38, 20, 46, 50, 54, 28, 27, 29, 31, 16};
    for (int i = 0; i < 16; i++)
        cr_expect_eq(t.y[i], want[i], "y[%d] = %g, expected %g", i, t.y[i], want[i]);
    rig_free(&t);
}

/* ---- backward ------------------------------------------------------------------------- */

static void check_case_backward(const struct conv_case *q, uint64_t seed)
{
    struct rig t;
    conv_rig(&t, q, seed);
    size_t nw = q->f * q->c * q->k * q->k, nx = q->n * t.in_n;
    double *dw = malloc(nw * sizeof *dw), *db = malloc(q->f * sizeof *db),
           *dx = malloc(nx * sizeof *dx);
    cr_assert(dw && db && dx);
    fwd(&t);
    bwd(&t, t.dx);
    ref_conv_grad(q, t.x, t.l.w, t.dy, dw, db, dx);
    /* each gradient entry is a sum of terms |dy| |x| or |dy| |w| <= 1: bound by their count */
    size_t ho = t.l.out.d[1], wo = t.l.out.d[2];
    double tw = (double)(q->n * ho * wo) * FLT_EPSILON * 2;
    double tx = (double)(q->f * q->k * q->k) * FLT_EPSILON * 2;
    size_t bad = 0, nonzero = 0;
    for (size_t i = 0; i < nw; i++) {
        nonzero += t.l.g[i] != 0;
        if (!(fabs(t.l.g[i] - dw[i]) <= tw) && bad++ < 5)
            cr_log_error("case %zux%zux%zu k%zu: dw[%zu] = %.9g, reference %.9g", q->c, q->h,
                         q->w, q->k, i, t.l.g[i], dw[i]);
    }
    for (size_t f = 0; q->bias && f < q->f; f++)
        if (!(fabs(t.l.g[nw + f] - db[f]) <= tw) && bad++ < 5)
            cr_log_error("case %zux%zux%zu k%zu: db[%zu] = %.9g, reference %.9g", q->c, q->h,
                         q->w, q->k, f, t.l.g[nw + f], db[f]);
    for (size_t i = 0; i < nx; i++)
        if (!(fabs(t.dx[i] - dx[i]) <= tx) && bad++ < 5)
            cr_log_error("case %zux%zux%zu k%zu s%zu %s: dx[%zu] = %.9g, reference %.9g",
                         q->c, q->h, q->w, q->k, q->s, q->same ? "same" : "valid", i, t.dx[i],
                         dx[i]);
    cr_expect_eq(bad, 0, "%zu gradient entries off", bad);
    cr_expect_gt(nonzero, nw / 2, "only %zu of %zu weight gradients are nonzero", nonzero, nw);
    free(dw), free(db), free(dx);
    rig_free(&t);
}

Test(conv_backward, matches_direct_reference)
{
    for (size_t i = 0; i < N_CASES; i++)
        check_case_backward(&cases[i], 200 + i);
}

/* Rounding scale of the loss: each output's float error is of order eps * sqrt(K) * (sum of
 * |terms|), with independent signs across outputs, so the loss's is of order eps * sqrt(K)
 * * sqrt(sum (dy * |terms|)^2). */
static double loss_scale(const struct conv_case *q, struct rig *t)
{
    size_t n = t->batch * t->out_n;
    double *ref = malloc(n * sizeof *ref), *abs = malloc(n * sizeof *abs), s = 0.0;
    cr_assert(ref && abs);
    ref_conv(q, t->x, t->l.w, q->bias ? t->l.w + q->f * q->c * q->k * q->k : NULL, ref, abs);
    for (size_t i = 0; i < n; i++)
        s += (t->dy[i] * abs[i]) * (t->dy[i] * abs[i]);
    free(ref), free(abs);
    return sqrt(s);
}

/* Central difference of the loss along d (all entries, or one when only >= 0) of v[0..n),
 * against the analytic gradient g. Returns |numeric - analytic| / tol (<= 1 passes). */

static void check_case_fd(const struct conv_case *q, uint64_t seed)
{
    struct rig t;
    conv_rig(&t, q, seed);
    size_t nw = q->f * q->c * q->k * q->k, nx = q->n * t.in_n, np = t.l.n_params;
    al_rng r;
    al_rng_seed(&r, seed ^ 0x5eed);
    double *d = malloc((nx > np ? nx : np) * sizeof *d);
    cr_assert(d);
    fwd(&t);
    bwd(&t, t.dx);
    float *gw = falloc(np), *gx = falloc(nx);
    memcpy(gw, t.l.g, np * sizeof *gw);
    memcpy(gx, t.dx, nx * sizeof *gx);
    double nzw = 0, nzx = 0;
    for (size_t i = 0; i < np; i++)
        nzw += fabs(gw[i]);
    for (size_t i = 0; i < nx; i++)
        nzx += fabs(gx[i]);
    cr_assert_gt(nzw, 1e-3, "weight gradient is zero");
    cr_assert_gt(nzx, 1e-3, "input gradient is zero");

    /* the step is large because the loss is linear in each group: the difference is then
     * exact but for the rounding of the two forwards (outputs the perturbation does not
     * reach round the same way twice and cancel), which tol covers with a margin of 4 */
    const double h = 0.25;
    double tol = 4 * sqrt((double)(q->c * q->k * q->k + 1)) * FLT_EPSILON * (1 + h) * 2 *
                     loss_scale(q, &t) +
                 1e-12;
    double worst = 0.0, rat;
    /* x: a random direction, then single entries */
    for (size_t i = 0; i < nx; i++)
        d[i] = 2 * al_rng_uniform(&r) - 1;
    rat = fd_check(&t, t.x, gx, nx, d, -1, h, tol, "dx direction");
    worst = fmax(worst, rat);
    for (int k = 0; k < 12; k++) {
        long i = (long)al_rng_range(&r, 0, (int64_t)nx);
        rat = fd_check(&t, t.x, gx, nx, d, i, h, tol, "dx entry");
        worst = fmax(worst, rat);
    }
    /* weights and bias together along a direction, then single weights and biases */
    for (size_t i = 0; i < np; i++)
        d[i] = 2 * al_rng_uniform(&r) - 1;
    rat = fd_check(&t, t.l.w, gw, np, d, -1, h, tol, "dw direction");
    worst = fmax(worst, rat);
    for (int k = 0; k < 12; k++) {
        long i = (long)al_rng_range(&r, 0, (int64_t)nw);
        rat = fd_check(&t, t.l.w, gw, np, d, i, h, tol, "dw entry");
        worst = fmax(worst, rat);
    }
    for (size_t f = 0; q->bias && f < q->f; f++) {
        rat = fd_check(&t, t.l.w, gw, np, d, (long)(nw + f), h, tol, "db entry");
        worst = fmax(worst, rat);
    }
    cr_log_info("fd %zux%zux%zu k%zu s%zu %s: worst error %.3g of tolerance %.3g", q->c,
                q->h, q->w, q->k, q->s, q->same ? "same" : "valid", worst, tol);
    free(d), free(gw), free(gx);
    rig_free(&t);
}

Test(conv_backward, finite_differences)
{
    for (size_t i = 0; i < N_CASES; i++)
        if (cases[i].n * cases[i].c * cases[i].h * cases[i].w <= 4096)
            check_case_fd(&cases[i], 300 + i);
}

/* backward adds into g (twice gives twice), dx = NULL gives the same g, batch 0 is a no-op */
Test(conv_backward, accumulates_and_dx_optional)
{
    struct conv_case q = {3, 2, 9, 7, 4, 3, 2, 1, 1};
    struct rig t;
    conv_rig(&t, &q, 7);
    size_t np = t.l.n_params;
    fwd(&t);
    bwd(&t, t.dx);
    float *g1 = falloc(np);
    memcpy(g1, t.l.g, np * sizeof *g1);
    memset(t.l.g, 0, np * sizeof *t.l.g);
    bwd(&t, NULL);
    cr_expect_arr_eq(t.l.g, g1, np * sizeof *g1, "gradients differ when dx is NULL");
    bwd(&t, NULL);
    for (size_t i = 0; i < np; i++)
        cr_expect_float_eq(t.l.g[i], 2 * g1[i], 1e-5 * (1 + fabs(g1[i])), "g[%zu] = %g, 2g = %g",
                           i, t.l.g[i], 2 * g1[i]);
    /* an empty batch touches nothing */
    memcpy(g1, t.l.g, np * sizeof *g1);
    cr_expect_eq(t.l.ops->forward(&t.l, t.x, t.y, 0, 1, NULL), AL_OK);
    cr_expect_eq(t.l.ops->backward(&t.l, t.x, t.y, t.dy, t.dx, 0), AL_OK);
    cr_expect_arr_eq(t.l.g, g1, np * sizeof *g1, "an empty batch changed the gradients");
    free(g1);
    rig_free(&t);
}

/* ---- determinism ----------------------------------------------------------------------- */

static void run_once(const struct conv_case *q, float **y, float **g, float **dx)
{
    struct rig t;
    conv_rig(&t, q, 4242);
    fwd(&t);
    bwd(&t, t.dx);
    *y = t.y, *g = t.l.g, *dx = t.dx;
    t.y = NULL, t.l.g = NULL, t.dx = NULL;
    rig_free(&t);
}

Test(conv_determinism, bit_identical_runs)
{
    const struct conv_case q = {53, 3, 32, 32, 6, 5, 1, 1, 1}; /* two chunks */
    float *y1, *g1, *dx1, *y2, *g2, *dx2;
    run_once(&q, &y1, &g1, &dx1);
    run_once(&q, &y2, &g2, &dx2);
    cr_expect_arr_eq(y1, y2, q.n * 6 * 32 * 32 * sizeof *y1, "forward differs between runs");
    cr_expect_arr_eq(g1, g2, (6 * 3 * 25 + 6) * sizeof *g1, "gradients differ between runs");
    cr_expect_arr_eq(dx1, dx2, q.n * 3 * 32 * 32 * sizeof *dx1, "dx differs between runs");
    free(y1), free(g1), free(dx1), free(y2), free(g2), free(dx2);
}

/* ---- parameters, tensors, text ---------------------------------------------------------- */

Test(conv_meta, tensors_format_init)
{
    struct nn__layer l;
    struct nn__layer_args a = conv_args(6, 5, 1, 1, 1);
    cr_assert_eq(act_parse("relu", &a.act), AL_OK);
    cr_assert_eq(try_setup(&l, &nn__layer_conv2d, a, 3, 32, 32), AL_OK);
    cr_expect_eq(l.n_params, 6 * 3 * 25 + 6);
    struct nn__tensor_info ti[2];
    cr_assert_eq(l.ops->tensors(&l, ti), 2);
    cr_expect_str_eq(ti[0].name, "weight");
    cr_expect_eq(ti[0].ndim, 4);
    cr_expect(ti[0].shape[0] == 6 && ti[0].shape[1] == 3 && ti[0].shape[2] == 5 &&
              ti[0].shape[3] == 5);
    cr_expect_eq(ti[0].offset, 0);
    cr_expect_str_eq(ti[1].name, "bias");
    cr_expect(ti[1].ndim == 1 && ti[1].shape[0] == 6 && ti[1].offset == 450);
    char buf[128];
    int n = l.ops->format(&l, buf, sizeof buf);
    cr_expect_str_eq(buf, "conv2d(6,5,stride=1,padding=same,activation=relu)");
    cr_expect_eq(n, (int)strlen(buf));
    cr_expect_str_eq(l.ops->type_name, "Conv2D");

    /* PyTorch's default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = 3 * 5 * 5 */
    float *w = falloc(l.n_params);
    al_rng r;
    al_rng_seed(&r, 9);
    l.w = w;
    l.ops->init_params(&l, NN_INIT_DEFAULT, &r);
    double bound = 1 / sqrt(75.0), mx = 0;
    for (size_t i = 0; i < l.n_params; i++)
        mx = fmax(mx, fabs(w[i]));
    cr_expect(mx <= bound && mx > 0.8 * bound, "max |w| %g, bound %g", mx, bound);
    free(w);

    a = conv_args(16, 3, 2, 0, 0);
    cr_assert_eq(act_parse("softplus:beta=2,threshold=10", &a.act), AL_OK);
    cr_assert_eq(try_setup(&l, &nn__layer_conv2d, a, 6, 16, 16), AL_OK);
    cr_expect_eq(l.n_params, 16 * 6 * 9);
    cr_expect_eq(l.ops->tensors(&l, ti), 1);
    l.ops->format(&l, buf, sizeof buf);
    cr_expect_str_eq(buf,
                     "conv2d(16,3,stride=2,padding=valid,"
                     "activation=[softplus:beta=2,threshold=10],bias=0)");
    a = conv_args(4, 1, 1, 0, 1);
    cr_assert_eq(try_setup(&l, &nn__layer_conv2d, a, 1, 2, 2), AL_OK);
    l.ops->format(&l, buf, sizeof buf);
    cr_expect_str_eq(buf, "conv2d(4,1,stride=1,padding=valid)");
}

/* ---- shape and argument errors -------------------------------------------------------- */

static void expect_error(const struct nn__layer_ops *ops, struct nn__layer_args a, size_t c,
                         size_t h, size_t w, int status, const char *const *words)
{
    struct nn__layer l;
    int rc = try_setup(&l, ops, a, c, h, w);
    cr_expect_eq(rc, status, "%s on %zux%zux%zu: status %d (%s), expected %d", ops->kind, c, h,
                 w, rc, al_last_error(), status);
    for (; *words; words++)
        cr_expect(strstr(al_last_error(), *words), "message \"%s\" lacks \"%s\"",
                  al_last_error(), *words);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(conv_errors, setup_rejects)
{
    expect_error(&nn__layer_conv2d, conv_args(6, 5, 1, 0, 1), 1, 3, 3, AL_ESHAPE,
                 WORDS("conv2d", "5x5", "3x3", "valid"));
    expect_error(&nn__layer_conv2d, conv_args(6, 5, 1, 0, 1), 1, 7, 4, AL_ESHAPE,
                 WORDS("conv2d", "5x5", "7x4"));
    expect_error(&nn__layer_conv2d, conv_args(6, 3, 0, 1, 1), 1, 8, 8, AL_EINVAL,
                 WORDS("conv2d", "stride", "0"));
    expect_error(&nn__layer_conv2d, conv_args(0, 3, 1, 1, 1), 1, 8, 8, AL_EINVAL,
                 WORDS("conv2d", "filters"));
    expect_error(&nn__layer_conv2d, conv_args(6, 0, 1, 1, 1), 1, 8, 8, AL_EINVAL,
                 WORDS("conv2d", "kernel"));
    expect_error(&nn__layer_conv2d, conv_args(6, 3, 1, 1, 1), 0, 8, 8, AL_ESHAPE,
                 WORDS("conv2d", "0x8x8"));
    struct nn__layer l;
    memset(&l, 0, sizeof l);
    l.ops = &nn__layer_conv2d;
    l.args = conv_args(6, 3, 1, 1, 1);
    l.in.ndim = 1;
    l.in.d[0] = 784;
    cr_expect_eq(l.ops->setup(&l), AL_ESHAPE);
    cr_expect(strstr(al_last_error(), "conv2d") && strstr(al_last_error(), "(C, H, W)"),
              "%s", al_last_error());

    expect_error(&nn__layer_maxpool2d, pool_args(3, 3), 2, 2, 2, AL_ESHAPE,
                 WORDS("maxpool2d", "3x3", "2x2"));
    expect_error(&nn__layer_avgpool2d, pool_args(3, 1), 2, 5, 2, AL_ESHAPE,
                 WORDS("avgpool2d", "3x3", "5x2"));
    expect_error(&nn__layer_maxpool2d, pool_args(0, 1), 2, 5, 5, AL_EINVAL,
                 WORDS("maxpool2d", "pool"));
    expect_error(&nn__layer_avgpool2d, pool_args(2, 0), 2, 5, 5, AL_EINVAL,
                 WORDS("avgpool2d", "stride"));
}

/* ---- the direct kernels ------------------------------------------------------------------ */

/* Shapes that run the direct kernels on the AVX-512 path (stride 1, channels that fill their
 * vectors, or few enough to put images in the lanes), chosen for their edges: groups of
 * images with a remainder, channel blocks of every width with a masked last vector, input
 * channels padded to the weight gradient's block, valid and same padding, odd and even
 * kernels, a kernel larger than the image. Each runs on every path the CPU has, so the GEMM
 * algorithm is checked on the same shapes. */
static const struct conv_case dcases[] = {
    /* n  c   h  w  f    k  s  same bias */
    {37, 6, 9, 7, 16, 5, 1, 1, 1},   /* groups of 16, remainder 5; LeNet-5 conv2's channels */
    {13, 16, 7, 7, 120, 5, 1, 1, 1}, /* LeNet-5 conv3: blocks of 4 vectors, the last masked */
    {14, 10, 6, 5, 48, 3, 1, 0, 1},  /* valid; 3-vector blocks; 10 channels padded to 16 */
    {25, 5, 5, 8, 32, 2, 1, 1, 0},   /* even kernel, same; groups of 12; no bias */
    {3, 24, 4, 4, 12, 3, 1, 1, 1},   /* one masked vector each way */
    {2, 32, 3, 3, 80, 5, 1, 1, 1},   /* kernel larger than the image; blocks of 4 and 1 */
    /* few channels: images in the lanes (conv_lanes.c), 1 to 8 channels out either way */
    {20, 3, 6, 9, 5, 3, 1, 1, 1},    /* 5 filters; input gradient 3 channels */
    {17, 7, 5, 6, 8, 3, 1, 0, 1},    /* 8 and 7 channels; a group of 16 and one image */
    {33, 8, 4, 11, 7, 4, 1, 1, 1},   /* even kernel; 7 and 8 */
    {18, 1, 9, 9, 4, 5, 1, 1, 1},    /* 4 filters on one channel; input gradient 1 */
};
#define N_DCASES (sizeof dcases / sizeof dcases[0])

static void each_path(void (*check)(const struct conv_case *, uint64_t), uint64_t seed)
{
    static const char *const paths[] = {"avx512", "avx2", "baseline"};
    char was[32];
    snprintf(was, sizeof was, "%s", act_isa());
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (!act_isa_supported(paths[p])) {
            cr_log_info("path %s: not on this CPU, its kernels untested here", paths[p]);
            continue;
        }
        cr_assert_eq(act_set_isa(paths[p]), AL_OK);
        cr_assert_eq(nn__avx512(), p == 0, "direct kernels %s on path %s",
                     nn__avx512() ? "on" : "off", paths[p]);
        for (size_t i = 0; i < N_DCASES; i++)
            check(&dcases[i], seed + i);
    }
    cr_assert_eq(act_set_isa(was), AL_OK);
}

Test(conv_direct, forward)
{
    each_path(check_case_forward, 400);
}

Test(conv_direct, backward)
{
    each_path(check_case_backward, 500);
}

Test(conv_direct, finite_differences)
{
    each_path(check_case_fd, 600);
}

/* the bits do not depend on the thread count: in the direct kernels a group of images is
 * one thread's and a gradient tile is summed by one thread; in the GEMM algorithm (beside an
 * OpenMP OpenBLAS, whose products then run one per thread) the weight gradient is summed in
 * groups of chunks fixed by the batch */
Test(conv_direct, threads_bit_identical)
{
    const struct conv_case gemm = {53, 3, 32, 32, 6, 5, 1, 1, 1}; /* 6 filters: GEMM */
    const struct conv_case *qs[] = {&dcases[1], &gemm};
    for (size_t c = 0; c < 2; c++) {
        const struct conv_case *q = qs[c];
        nn_set_threads(2);
        if (c == 1 && !nn__omp_loops()) { /* a pthread OpenBLAS threads each product itself */
            cr_log_info("GEMM case skipped: OpenBLAS's own threads choose its bits");
            nn_set_threads(0);
            continue;
        }
        size_t ny = q->n * q->f * q->h * q->w, nx = q->n * q->c * q->h * q->w;
        size_t np = q->f * q->c * q->k * q->k + q->f;
        float *y[2], *g[2], *dx[2];
        for (int i = 0; i < 2; i++) {
            nn_set_threads(i + 1);
            run_once(q, &y[i], &g[i], &dx[i]);
        }
        nn_set_threads(0);
        cr_expect_arr_eq(y[0], y[1], ny * sizeof *y[0], "case %zu: forward differs", c);
        cr_expect_arr_eq(g[0], g[1], np * sizeof *g[0], "case %zu: gradients differ", c);
        cr_expect_arr_eq(dx[0], dx[1], nx * sizeof *dx[0], "case %zu: dx differs", c);
        for (int i = 0; i < 2; i++)
            free(y[i]), free(g[i]), free(dx[i]);
    }
}
