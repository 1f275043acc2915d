/* Derivatives of every activation against finite differences of the MPFR reference
 * (tests/ref), through act_backward / act_backward_rows.
 *
 * The differences are taken in MPFR around the float input (x +- h exact, h = 2^-24), so
 * they carry no rounding error and a truncation error of order h^2. A point is a kink when
 * its left and right differences disagree; a mismatch there is counted as skipped (their
 * number must stay small), a mismatch anywhere else fails. PyTorch's conventions at the
 * kinks (relu'(0) = 0, ...) are asserted one by one. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "ref/cases.h"
#include "ref/ref_mpfr.h"
#include "ref/ulp.h"

#define H 0x1p-24        /* finite-difference step */
#define TOL_REL 1e-5     /* |dx - dy f'| <= |dy| (TOL_REL |f'| + TOL_ABS) */
#define TOL_ABS 1e-6
#define KINK 2e-6        /* |left - right| above this (times max(1, |f'|)) marks a kink */
#define SHOW_BAD 6

/* ---- elementwise ---------------------------------------------------------------------- */

/* The points: a grid of [-8, 8] with step 1/64 (every integer and half-integer kink lies on
 * it), random points of [-8, 8], and a few large |x|. */
static size_t grad_points(float *x, uint64_t seed)
{
    size_t n = 0;
    for (int i = -512; i <= 512; i++)
        x[n++] = (float)i / 64;
    cases_uniform_floats(x + n, 400, -8, 8, seed);
    n += 400;
    cases_uniform_floats(x + n, 50, 8, 100, seed + 1);
    n += 50;
    cases_uniform_floats(x + n, 50, -100, -8, seed + 2);
    n += 50;
    static const float big[] = {10, 15, 20, 30, 50, 100, 1000, 1e4f};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        x[n++] = big[i];
        x[n++] = -big[i];
    }
    return n;
}
#define GRAD_MAX_POINTS 1600

struct grad_count {
    size_t checked, skipped, nonzero, bad;
};

/* The points where f' is a documented convention rather than a limit (PyTorch's, asserted
 * by the grad_kinks tests): the kinks of the piecewise functions. With lambda = 0 the
 * shrinks are the identity, yet f'(0) = 0 by the same rule. */
static int convention_point(const act_spec *a, float x)
{
    const double *p = a->p;
    switch (a->kind) {
    case ACT_RELU:
    case ACT_LEAKY_RELU:
    case ACT_PRELU:
    case ACT_RRELU:
    case ACT_ELU:
    case ACT_SELU:
        return x == 0;
    case ACT_RELU6:
        return x == 0 || x == 6;
    case ACT_THRESHOLD:
        return x == p[0];
    case ACT_HARD_TANH:
        return x == p[0] || x == p[1];
    case ACT_HARD_SIGMOID:
    case ACT_HARD_SWISH:
        return fabsf(x) == 3;
    case ACT_SOFTSHRINK:
    case ACT_HARDSHRINK:
        return fabsf(x) == p[0];
    default:
        return 0;
    }
}

/* compares dx = dy f'(x) of the library with dy times the central difference */
static void check_point(const act_spec *a, const char *name, float x, float dy, float dx,
                        struct grad_count *c)
{
    double cen, left, right;
    cr_assert_eq(ref_fd(a, x, H, &cen, &left, &right), 0, "%s: no MPFR reference", name);
    double want = (double)dy * cen;
    double tol = fabs((double)dy) * (TOL_REL * fabs(cen) + TOL_ABS);
    c->checked++;
    if (isinf((float)want) ? dx == (float)want : fabs(dx - want) <= tol)
        return; /* beyond the float range the product must overflow to the right infinity */
    if (fabs(left - right) > KINK * fmax(1, fabs(cen)) || convention_point(a, x)) {
        c->skipped++;
        return;
    }
    if (c->bad++ < SHOW_BAD)
        cr_log_error("%s: f'(%a = %.9g) * dy %g: got %.9g, finite differences %.9g "
                     "(left %.9g, right %.9g), error %.3g",
                     name, (double)x, (double)x, (double)dy, (double)dx, want, left, right,
                     fabs(dx - want));
}

static void check_grad_kind(act_kind k)
{
    act_spec specs[CASES_MAX_SPECS];
    const char *bad;
    size_t ns = cases_specs(k, specs, CASES_MAX_SPECS, &bad);
    cr_assert(ns > 0, "setting '%s' of cases.c does not parse", bad ? bad : "(defaults)");
    float *x = malloc(GRAD_MAX_POINTS * sizeof *x), *y = malloc(GRAD_MAX_POINTS * sizeof *y),
          *ones = malloc(GRAD_MAX_POINTS * sizeof *ones),
          *dy = malloc(GRAD_MAX_POINTS * sizeof *dy), *dx = malloc(GRAD_MAX_POINTS * sizeof *dx),
          *dx2 = malloc(GRAD_MAX_POINTS * sizeof *dx2);
    cr_assert(x && y && ones && dy && dx && dx2);
    for (size_t s = 0; s < ns; s++) {
        const act_spec *a = &specs[s];
        char name[96];
        acc_spec_text(a, name, sizeof name);
        uint64_t seed = 0x96ad0000u + 16 * (unsigned)k + s;
        size_t n = grad_points(x, seed);
        for (size_t i = 0; i < n; i++)
            ones[i] = 1;
        cases_uniform_floats(dy, n, -2, 2, seed + 3);

        /* dy = 1: dx is f'(x) itself */
        cr_assert_eq(act_backward(a, x, NULL, ones, dx, n), 0, "%s: act_backward: %s", name,
                     al_last_error());
        struct grad_count c = {0};
        for (size_t i = 0; i < n; i++) {
            check_point(a, name, x[i], 1, dx[i], &c);
            c.nonzero += fabsf(dx[i]) > 1e-3f;
        }
        cr_expect(c.bad == 0, "%s: %zu of %zu derivatives differ from finite differences",
                  name, c.bad, c.checked);
        cr_expect(c.skipped * 50 < c.checked, "%s: %zu of %zu points skipped as kinks (>= 2%%)",
                  name, c.skipped, c.checked);
        cr_expect(c.nonzero * 50 >= c.checked,
                  "%s: derivative trivially zero (|f'| > 1e-3 at %zu of %zu points)", name,
                  c.nonzero, c.checked);

        /* a random dy: the product */
        cr_assert_eq(act_backward(a, x, NULL, dy, dx, n), 0);
        struct grad_count c2 = {0};
        for (size_t i = 0; i < n; i++)
            check_point(a, name, x[i], dy[i], dx[i], &c2);
        cr_expect(c2.bad == 0, "%s: %zu of %zu products dy f'(x) differ from finite "
                  "differences", name, c2.bad, c2.checked);
        cr_expect(c2.skipped * 50 < c2.checked, "%s: %zu of %zu points skipped (random dy)",
                  name, c2.skipped, c2.checked);

        /* y given or NULL: the same; dx may be dy; rows of an elementwise function too */
        cr_assert_eq(act_forward(a, x, y, n), 0);
        cr_assert_eq(act_backward(a, x, y, dy, dx2, n), 0);
        cr_expect(memcmp(dx, dx2, n * sizeof *dx) == 0, "%s: backward with y != with NULL",
                  name);
        memcpy(dx2, dy, n * sizeof *dx2);
        cr_assert_eq(act_backward(a, x, NULL, dx2, dx2, n), 0);
        cr_expect(memcmp(dx, dx2, n * sizeof *dx) == 0, "%s: backward in place (dx == dy) "
                  "differs", name);
        cr_assert_eq(act_backward_rows(a, x, NULL, dy, dx2, 1, n), 0);
        cr_expect(memcmp(dx, dx2, n * sizeof *dx) == 0, "%s: backward_rows differs", name);
        dx2[0] = 777;
        cr_expect_eq(act_backward(a, x, NULL, dy, dx2, 0), 0, "%s: n = 0 failed", name);
        cr_expect_eq(dx2[0], 777.0f, "%s: n = 0 wrote", name);

        /* NaN in, NaN out; at +-inf the limit of f' (the value at +-FLT_MAX, where every
         * derivative here has reached its limit in float); snake' has none: NaN */
        float sx[5] = {NAN, INFINITY, -INFINITY, FLT_MAX, -FLT_MAX}, sd[5];
        cr_assert_eq(act_backward(a, sx, NULL, ones, sd, 5), 0);
        cr_expect(isnan(sd[0]), "%s: f'(NaN) = %g, not NaN", name, (double)sd[0]);
        if (k == ACT_SNAKE) {
            cr_expect(isnan(sd[1]) && isnan(sd[2]), "%s: f'(+-inf) = %g, %g: documented NaN",
                      name, (double)sd[1], (double)sd[2]);
        } else {
            cr_expect(sd[1] == sd[3] || (isnan(sd[1]) && isnan(sd[3])),
                      "%s: f'(inf) = %g but f'(FLT_MAX) = %g", name, (double)sd[1],
                      (double)sd[3]);
            cr_expect(sd[2] == sd[4] || (isnan(sd[2]) && isnan(sd[4])),
                      "%s: f'(-inf) = %g but f'(-FLT_MAX) = %g", name, (double)sd[2],
                      (double)sd[4]);
        }
    }
    free(x), free(y), free(ones), free(dy), free(dx), free(dx2);
}

/* ---- row-wise ------------------------------------------------------------------------- */

static size_t grad_cols(const act_spec *a, size_t want)
{
    size_t m = a->kind == ACT_MAXOUT ? (size_t)a->p[0]
               : (a->kind == ACT_GLU || a->kind == ACT_SWIGLU || a->kind == ACT_GEGLU) ? 2
                                                                                        : 1;
    size_t cols = want / m * m;
    return cols ? cols : m;
}

/* maxout needs the maximum of each group clear of the others by more than h */
static int ties(const act_spec *a, const float *x, size_t cols)
{
    if (a->kind != ACT_MAXOUT)
        return 0;
    size_t k = (size_t)a->p[0];
    for (size_t g = 0; g < cols; g += k)
        for (size_t i = 0; i < k; i++)
            for (size_t j = i + 1; j < k; j++)
                if (fabsf(x[g + i] - x[g + j]) < 1e-3f)
                    return 1;
    return 0;
}

/* every input's gradient (or `probe` of them for long rows) against finite differences of
 * L(x) = sum dy_i y_i(x) */
static void check_row_grad(const act_spec *a, const char *name, size_t cols, size_t probe,
                           uint64_t seed)
{
    size_t oc = act_out_cols(a, cols);
    cr_assert(oc, "%s: %zu columns do not fit", name, cols);
    float *x = malloc(cols * sizeof *x), *y = malloc(oc * sizeof *y),
          *dy = malloc(oc * sizeof *dy), *dx = malloc(cols * sizeof *dx),
          *dx2 = malloc(cols * sizeof *dx2);
    cr_assert(x && y && dy && dx && dx2);
    do
        cases_uniform_floats(x, cols, -3, 3, seed++);
    while (ties(a, x, cols));
    cases_uniform_floats(dy, oc, -1, 1, seed++);
    cr_assert_eq(act_backward_rows(a, x, NULL, dy, dx, 1, cols), 0, "%s: %s", name,
                 al_last_error());
    double scale = 1; /* |d/dx| of a softmax grows like 1/T */
    if (a->kind == ACT_SOFTMAX || a->kind == ACT_LOG_SOFTMAX || a->kind == ACT_SOFTMIN)
        scale = fmax(1, 1 / (double)a->p[0]);
    double sum_dy = 0;
    for (size_t i = 0; i < oc; i++)
        sum_dy += fabs(dy[i]);
    size_t bad = 0;
    uint64_t pick = seed;
    for (size_t t = 0; t < (probe ? probe : cols); t++) {
        size_t j = probe ? (size_t)(cases_rng(&pick) % cols) : t;
        double cen, left, right;
        cr_assert_eq(ref_row_fd(a, x, cols, dy, j, H, &cen, &left, &right), 0,
                     "%s: no MPFR row reference", name);
        double tol = TOL_REL * fabs(cen) + TOL_ABS * scale * fmax(1, sum_dy);
        if (!(fabs(dx[j] - cen) <= tol) && bad++ < SHOW_BAD)
            cr_log_error("%s, %zu columns: dx[%zu] = %.9g, finite differences %.9g (left %.9g,"
                         " right %.9g), x[%zu] = %.9g",
                         name, cols, j, (double)dx[j], cen, left, right, j, (double)x[j]);
    }
    cr_expect(bad == 0, "%s, %zu columns: %zu gradients differ from finite differences", name,
              cols, bad);

    /* y given or NULL: the same; dx may be dy when the shape does not change */
    cr_assert_eq(act_forward_rows(a, x, y, 1, cols), 0);
    cr_assert_eq(act_backward_rows(a, x, y, dy, dx2, 1, cols), 0);
    cr_expect(memcmp(dx, dx2, cols * sizeof *dx) == 0,
              "%s, %zu columns: backward_rows with y != with NULL", name, cols);
    if (oc == cols) {
        memcpy(dx2, dy, cols * sizeof *dx2);
        cr_assert_eq(act_backward_rows(a, x, NULL, dx2, dx2, 1, cols), 0);
        cr_expect(memcmp(dx, dx2, cols * sizeof *dx) == 0,
                  "%s, %zu columns: backward_rows in place differs", name, cols);
    }
    free(x), free(y), free(dy), free(dx), free(dx2);
}

static void check_grad_rows(act_kind k)
{
    act_spec specs[CASES_MAX_SPECS];
    const char *bad;
    size_t ns = cases_specs(k, specs, CASES_MAX_SPECS, &bad);
    cr_assert(ns > 0, "setting '%s' of cases.c does not parse", bad ? bad : "(defaults)");
    for (size_t s = 0; s < ns; s++) {
        const act_spec *a = &specs[s];
        char name[96];
        acc_spec_text(a, name, sizeof name);
        uint64_t seed = 0x90e50000u + 64 * (unsigned)k + 8 * s;
        for (size_t want = 5; want <= 8; want++)
            check_row_grad(a, name, grad_cols(a, want), 0, seed += 16);
        check_row_grad(a, name, grad_cols(a, 64), 8, seed += 16);

        /* several rows at once: the same as one at a time */
        size_t cols = grad_cols(a, 6), oc = act_out_cols(a, cols);
        float x[3 * 6], dy[3 * 6], dx[3 * 6], one[6];
        cases_uniform_floats(x, 3 * cols, -3, 3, seed + 1);
        cases_uniform_floats(dy, 3 * oc, -1, 1, seed + 2);
        cr_assert_eq(act_backward_rows(a, x, NULL, dy, dx, 3, cols), 0);
        for (size_t r = 0; r < 3; r++) {
            cr_assert_eq(act_backward_rows(a, x + r * cols, NULL, dy + r * oc, one, 1, cols), 0);
            cr_expect(memcmp(one, dx + r * cols, cols * sizeof *one) == 0,
                      "%s: row %zu of 3 differs from the row alone", name, r);
        }
    }
}

static void check_kind(act_kind k)
{
    if (act_get_info(k)->flags & ACT_ROWWISE)
        check_grad_rows(k);
    else
        check_grad_kind(k);
}

#define X(id, name)                                                                       \
    Test(grad, name, .timeout = 120)                                                       \
    {                                                                                     \
        check_kind(ACT_##id);                                                             \
    }
ACT_LIST(X)
#undef X

/* ---- the documented conventions at the kinks (PyTorch) --------------------------------- */

static float grad_at(const char *text, float x)
{
    act_spec a;
    cr_assert_eq(act_parse(text, &a), 0, "act_parse(\"%s\"): %s", text, al_last_error());
    float dy = 1, dx;
    cr_assert_eq(act_backward(&a, &x, NULL, &dy, &dx, 1), 0, "%s: %s", text, al_last_error());
    return dx;
}

#define EXPECT_GRAD(text, x, want)                                                        \
    do {                                                                                  \
        float g_ = grad_at(text, x);                                                      \
        cr_expect(g_ == (float)(want), "%s'(%g) = %.9g, expected %.9g (PyTorch)", text,   \
                  (double)(x), (double)g_, (double)(float)(want));                        \
    } while (0)

Test(grad_kinks, relu_family)
{
    EXPECT_GRAD("relu", 0.0f, 0);
    EXPECT_GRAD("relu", -0.0f, 0);
    EXPECT_GRAD("leaky_relu", 0.0f, 0.01f);
    EXPECT_GRAD("leaky_relu:alpha=0.2", 0.0f, 0.2f);
    EXPECT_GRAD("prelu", 0.0f, 0.25f);
    EXPECT_GRAD("rrelu:lower=0.1,upper=0.3", 0.0f, (0.1 + 0.3) / 2);
    EXPECT_GRAD("relu6", 0.0f, 0);
    EXPECT_GRAD("relu6", 6.0f, 0);
    EXPECT_GRAD("threshold", 0.0f, 0);
    EXPECT_GRAD("threshold:threshold=1,value=-2", 1.0f, 0);
}

Test(grad_kinks, clipping)
{
    EXPECT_GRAD("hard_tanh", 1.0f, 0);
    EXPECT_GRAD("hard_tanh", -1.0f, 0);
    EXPECT_GRAD("hard_tanh:min=-2,max=3", -2.0f, 0);
    EXPECT_GRAD("hard_tanh:min=-2,max=3", 3.0f, 0);
    EXPECT_GRAD("hard_sigmoid", 3.0f, 0);
    EXPECT_GRAD("hard_sigmoid", -3.0f, 0);
    EXPECT_GRAD("hard_swish", -3.0f, -0.5);
    EXPECT_GRAD("hard_swish", 3.0f, 1.5);
}

Test(grad_kinks, shrink)
{
    EXPECT_GRAD("softshrink", 0.5f, 0);
    EXPECT_GRAD("softshrink", -0.5f, 0);
    EXPECT_GRAD("softshrink:lambda=1", 1.0f, 0);
    EXPECT_GRAD("softshrink:lambda=1", -1.0f, 0);
    EXPECT_GRAD("hardshrink", 0.5f, 0);
    EXPECT_GRAD("hardshrink", -0.5f, 0);
    EXPECT_GRAD("hardshrink:lambda=1", 1.0f, 0);
    EXPECT_GRAD("hardshrink:lambda=1", -1.0f, 0);
}

Test(grad_kinks, exponential_linear)
{
    EXPECT_GRAD("elu", 0.0f, 1);
    EXPECT_GRAD("elu:alpha=0.5", 0.0f, 0.5f);
    EXPECT_GRAD("elu:alpha=2", 0.0f, 2);
    EXPECT_GRAD("celu:alpha=2", 0.0f, 1); /* continuous */
    /* selu'(0) = scale * alpha, rounded once */
    float g = grad_at("selu", 0.0f);
    float want = (float)(1.0507009873554804934 * 1.6732632423543772848);
    cr_expect(fabsf(g - want) <= nextafterf(want, INFINITY) - want,
              "selu'(0) = %.9g, expected scale * alpha = %.9g", (double)g, (double)want);
}
