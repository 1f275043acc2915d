/* Accuracy of every activation against the MPFR reference (tests/ref), in ULPs of the float
 * result, through the public API. One test per entry of ACT_LIST, so a new function without
 * a reference fails here by name.
 *
 * Elementwise: every setting of cases.c (defaults and non-default parameters) over a dense
 * sweep of [-30, 30], random float bit patterns of every exponent and the special values;
 * the worst error must stay within act_info.max_ulp. Row-wise: random rows of 1, 2, 7 and
 * 1000 (times k or 2) columns, small and large spreads, and rows holding NaN and +-inf. */
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

#define N_SWEEP 12001 /* step 0.005 over [-30, 30] */
#define N_RANDOM 10000
#define SHOW_BAD 6 /* bad points printed per setting */

/* ---- reporting ------------------------------------------------------------------------ */

static void show_bad(void *ctx, const act_spec *a, size_t i, float x, float got,
                     mpfr_srcptr exact, double err, const char *why)
{
    int *shown = ctx;
    if ((*shown)++ >= SHOW_BAD)
        return;
    char line[512];
    acc_describe(line, sizeof line, a, x, got, exact, err, why);
    if (isnan(x))
        cr_log_error("output %zu: %s", i, line);
    else
        cr_log_error("%s", line);
}

static void expect_within(const act_spec *a, const acc_stats *st, double bound,
                          const char *what)
{
    char name[96];
    acc_spec_text(a, name, sizeof name);
    cr_expect(st->worst <= bound,
              "%s (%s): worst error %.10g ULP > bound %g at x = %a (%.9g) [output %zu]: "
              "got %a (%.9g), expected %a (%.17g)%s%s; %zu of %zu outputs over the bound",
              name, what, st->worst, bound, (double)st->worst_x, (double)st->worst_x,
              st->worst_index, (double)st->worst_got, (double)st->worst_got, st->worst_exact,
              st->worst_exact, st->worst_why ? ": " : "",
              st->worst_why ? st->worst_why : "", st->n_over, st->n);
}

static size_t specs_of(act_kind k, act_spec *specs)
{
    const char *bad;
    size_t n = cases_specs(k, specs, CASES_MAX_SPECS, &bad);
    cr_assert(n > 0, "setting '%s' of cases.c does not parse: %s", bad ? bad : "(defaults)",
              al_last_error());
    return n;
}

/* ---- elementwise ---------------------------------------------------------------------- */

static void check_elementwise(act_kind k)
{
    const act_info *in = act_get_info(k);
    act_spec specs[CASES_MAX_SPECS];
    size_t ns = specs_of(k, specs);
    size_t cap = N_SWEEP + N_RANDOM + CASES_MAX_SPECIALS;
    float *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y),
          *z = malloc(cap * sizeof *z);
    cr_assert(x && y && z);
    for (size_t s = 0; s < ns; s++) {
        const act_spec *a = &specs[s];
        char name[96];
        acc_spec_text(a, name, sizeof name);
        size_t n = cases_inputs(a, x, N_SWEEP, N_RANDOM, 0x5eed0000u + 16 * (unsigned)k + s);
        acc_stats st;
        acc_stats_init(&st);
        int shown = 0;
        int rc = acc_measure(a, x, n, in->max_ulp, &st, show_bad, &shown);
        cr_assert(rc != -1, "%s: no MPFR reference in tests/ref/ref_mpfr.c", name);
        cr_assert(rc == 0, "%s: act_forward returned %d (%s)", name, rc, al_last_error());
        expect_within(a, &st, in->max_ulp, "sweep, random bits, specials");

        /* in place: bit-identical to out of place */
        cr_assert_eq(act_forward(a, x, y, n), 0);
        memcpy(z, x, n * sizeof *z);
        cr_assert_eq(act_forward(a, z, z, n), 0, "%s: in place failed", name);
        cr_expect(memcmp(y, z, n * sizeof *z) == 0, "%s: in-place result differs", name);

        /* as rows of an elementwise function: the same values */
        cr_assert_eq(act_forward_rows(a, x, z, 1, n), 0, "%s: forward_rows: %s", name,
                     al_last_error());
        cr_expect(memcmp(y, z, n * sizeof *z) == 0, "%s: forward_rows differs from forward",
                  name);

        /* n = 0 touches nothing */
        z[0] = 12345.0f;
        cr_expect_eq(act_forward(a, x, z, 0), 0, "%s: n = 0 failed", name);
        cr_expect_eq(z[0], 12345.0f, "%s: n = 0 wrote", name);
    }
    free(x);
    free(y);
    free(z);
}

/* ---- row-wise ------------------------------------------------------------------------- */

/* columns a row of `len` units needs: len * k for maxout, 2 len for the gated units */
static size_t row_cols(const act_spec *a, size_t len)
{
    if (a->kind == ACT_MAXOUT)
        return len * (size_t)a->p[0];
    if (a->kind == ACT_GLU || a->kind == ACT_SWIGLU || a->kind == ACT_GEGLU)
        return 2 * len;
    return len;
}

static void check_rows_of(const act_spec *a, const float *x, size_t rows, size_t cols,
                          const char *what)
{
    const act_info *in = act_get_info(a->kind);
    char name[96];
    acc_spec_text(a, name, sizeof name);
    acc_stats st;
    acc_stats_init(&st);
    int shown = 0;
    int rc = acc_measure_rows(a, x, rows, cols, in->max_ulp, &st, show_bad, &shown);
    cr_assert(rc != -1, "%s: no MPFR row reference in tests/ref/ref_mpfr.c", name);
    cr_assert(rc == 0, "%s: act_forward_rows(%zu x %zu) returned %d (%s)", name, rows, cols,
              rc, al_last_error());
    char label[128];
    snprintf(label, sizeof label, "%s, %zu x %zu", what, rows, cols);
    expect_within(a, &st, in->max_ulp, label);

    size_t oc = act_out_cols(a, cols);
    float *y = malloc(rows * oc * sizeof *y);
    cr_assert(y);
    cr_assert_eq(act_forward_rows(a, x, y, rows, cols), 0);
    if (a->kind == ACT_SOFTMAX || a->kind == ACT_SOFTMIN) {
        /* each output is within max_ulp of y_i, and ulp(y_i) <= 2^-23 y_i */
        for (size_t r = 0; r < rows; r++) {
            double sum = 0;
            int nan = 0;
            for (size_t j = 0; j < oc; j++) {
                sum += y[r * oc + j];
                nan |= isnan(x[r * cols + j]) || isinf(x[r * cols + j]);
            }
            if (!nan)
                cr_expect(fabs(sum - 1) <= in->max_ulp * 0x1p-23 + 1e-12,
                          "%s (%s): row %zu of %zu columns sums to %.17g", name, what, r,
                          cols, sum);
        }
    }
    if (oc == cols) { /* in place */
        float *z = malloc(rows * cols * sizeof *z);
        cr_assert(z);
        memcpy(z, x, rows * cols * sizeof *z);
        cr_assert_eq(act_forward_rows(a, z, z, rows, cols), 0);
        cr_expect(memcmp(y, z, rows * cols * sizeof *z) == 0, "%s (%s): in place differs",
                  name, what);
        free(z);
    }
    free(y);
}

static void check_rowwise(act_kind k)
{
    act_spec specs[CASES_MAX_SPECS];
    size_t ns = specs_of(k, specs);
    static const size_t lens[] = {1, 2, 7, 1000};
    static const double spreads[] = {5, 30, 1000};
    enum { ROWS = 3 };
    for (size_t s = 0; s < ns; s++) {
        const act_spec *a = &specs[s];
        uint64_t seed = 0x70775eedu + 64 * (unsigned)k + s;
        for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
            size_t cols = row_cols(a, lens[l]);
            float *x = malloc(ROWS * cols * sizeof *x);
            cr_assert(x);
            for (size_t d = 0; d < sizeof spreads / sizeof spreads[0]; d++) {
                char what[64];
                snprintf(what, sizeof what, "uniform in +-%g", spreads[d]);
                cases_uniform_floats(x, ROWS * cols, -spreads[d], spreads[d], seed++);
                check_rows_of(a, x, ROWS, cols, what);
            }
            /* one dominant entry per row, ties, and a row of equal values */
            cases_uniform_floats(x, ROWS * cols, -1, 1, seed++);
            x[0] = 60;
            x[cols] = x[cols + cols - 1] = 3;
            for (size_t j = 0; j < cols; j++)
                x[2 * cols + j] = -7.25f;
            check_rows_of(a, x, ROWS, cols, "dominant entry, ties, equal values");
            /* random bit patterns: every exponent, NaN and inf included */
            cases_random_bits(x, ROWS * cols, seed++);
            check_rows_of(a, x, ROWS, cols, "random bit patterns");
            free(x);
        }
        /* the special values, one per row of 6 (or their multiples) */
        static const float sp[][6] = {
            {1, NAN, 2, 3, 4, 5},
            {INFINITY, 1, INFINITY, -2, 0, 3},
            {-INFINITY, 0, 1, -INFINITY, 2, -1},
            {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY},
            {FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_TRUE_MIN, 0, -0.0f},
            {0, INFINITY, -INFINITY, 0, 1e-40f, -1e30f},
        };
        size_t cols = 6;
        if (act_out_cols(a, cols))
            for (size_t r = 0; r < sizeof sp / sizeof sp[0]; r++)
                check_rows_of(a, sp[r], 1, cols, "special values");
    }

    /* the elementwise entry points refuse a row-wise function rather than guess */
    act_spec a;
    cr_assert_eq(act_init(&a, k), 0);
    float x[4] = {1, 2, 3, 4}, y[4], dy[4] = {1, 1, 1, 1};
    cr_expect_neq(act_forward(&a, x, y, 4), 0, "act_forward accepted row-wise %s",
                  act_get_info(k)->name);
    cr_expect_neq(act_backward(&a, x, NULL, dy, y, 4), 0, "act_backward accepted row-wise %s",
                  act_get_info(k)->name);
}

static void check_kind(act_kind k)
{
    const act_info *in = act_get_info(k);
    cr_assert(in, "no act_info for kind %d", (int)k);
    if (in->flags & ACT_ROWWISE)
        check_rowwise(k);
    else
        check_elementwise(k);
}

#define X(id, name)                                                                       \
    Test(accuracy, name, .timeout = 120)                                                   \
    {                                                                                     \
        check_kind(ACT_##id);                                                             \
    }
ACT_LIST(X)
#undef X

/* ---- shapes --------------------------------------------------------------------------- */

static act_spec spec(const char *text)
{
    act_spec a;
    cr_assert_eq(act_parse(text, &a), 0, "act_parse(\"%s\"): %s", text, al_last_error());
    return a;
}

Test(accuracy_rows, out_cols)
{
    act_spec a;
    a = spec("softmax");
    cr_expect_eq(act_out_cols(&a, 7), 7);
    cr_expect_eq(act_out_cols(&a, 0), 0);
    a = spec("relu");
    cr_expect_eq(act_out_cols(&a, 5), 5);
    a = spec("maxout");
    cr_expect_eq(act_out_cols(&a, 8), 4);
    cr_expect_eq(act_out_cols(&a, 7), 0);
    a = spec("maxout:k=3");
    cr_expect_eq(act_out_cols(&a, 9), 3);
    cr_expect_eq(act_out_cols(&a, 7), 0);
    a = spec("glu");
    cr_expect_eq(act_out_cols(&a, 8), 4);
    cr_expect_eq(act_out_cols(&a, 7), 0);
    a = spec("geglu");
    cr_expect_eq(act_out_cols(&a, 2), 1);
}

Test(accuracy_rows, shape_errors)
{
    float x[14] = {0}, y[14], dy[14] = {0};
    act_spec a = spec("maxout:k=3");
    cr_expect_eq(act_forward_rows(&a, x, y, 2, 7), AL_ESHAPE, "maxout:k=3 on 7 columns");
    cr_expect_eq(act_backward_rows(&a, x, NULL, dy, y, 2, 7), AL_ESHAPE);
    cr_expect_eq(act_forward_rows(&a, x, y, 1, 9), 0);
    a = spec("swiglu");
    cr_expect_eq(act_forward_rows(&a, x, y, 1, 7), AL_ESHAPE, "swiglu on 7 columns");
    cr_expect_eq(act_backward_rows(&a, x, NULL, dy, y, 1, 7), AL_ESHAPE);
}

Test(accuracy_rows, zero_rows)
{
    float x[4] = {1, 2, 3, 4}, y[4] = {9, 9, 9, 9};
    act_spec a = spec("softmax");
    cr_expect_eq(act_forward_rows(&a, x, y, 0, 4), 0);
    cr_expect_eq(y[0], 9.0f, "0 rows wrote");
}

/* ---- the reference itself -------------------------------------------------------------
 * Spot values of tests/ref/ref_mpfr.c against closed forms evaluated independently (Python's
 * math module in double, so to ~1e-15), and its limits at +-inf: a wrong reference would
 * otherwise make every other test here meaningless. */

static double ref_at(const char *text, double x)
{
    act_spec a = spec(text);
    return ref_f_dbl(&a, x);
}

Test(reference, known_values)
{
    static const struct {
        const char *spec;
        double x, want;
    } v[] = {
        {"selu", -1.0, -1.1113307378125625},
        {"gelu", 1.0, 0.8413447460685429},
        {"gelu", -3.0, -0.004049694094890287},
        {"gelu_tanh", 1.0, 0.8411919906082768},
        {"gelu_quick", 1.0, 0.8457957659328212},
        {"mish", 1.0, 0.8650983882673103},
        {"softplus", 1.0, 1.3132616875182228},
        {"softplus:beta=2,threshold=10", 1.0, 1.0634640055214863},
        {"softplus:beta=2,threshold=10", 5.5, 5.5}, /* beta x > threshold: x itself */
        {"log_sigmoid", -1.0, -1.3132616875182228},
        {"tanhshrink", 0.5, 0.03788284273999026},
        {"tanhshrink", 1e-30, 1e-90 / 3}, /* x^3/3: needs the extra precision */
        {"elliott", -3.0, 0.125},
        {"snake", 1.0, 1.708073418273571},
        {"snake:alpha=0.5", 1.0, 1.4596976941318602},
        {"squareplus", 0.0, 1.0},
        {"squareplus:b=1", -2.0, 0.1180339887498949},
        {"hard_swish", 1.0, 0.6666666666666666},
        {"hard_sigmoid", 1.0, 0.6666666666666666},
        {"celu:alpha=2", -1.0, -0.7869386805747332},
        {"elu:alpha=0.5", -1.0, -0.31606027941427883},
        {"silu", 1.0, 0.7310585786300049},
        {"silu:beta=1.5", -2.0, -0.09485174635513356},
        {"sigmoid", -20.0, 2.0611536181902037e-09},
        {"tanh", 0.5, 0.46211715726000974},
        {"softsign", -3.0, -0.75},
        {"exponential", 2.0, 7.38905609893065},
        {"rrelu", -3.0, -0.6875},
        {"leaky_relu:alpha=0.2", -5.0, -1.0},
        {"threshold:threshold=1,value=-2", 0.5, -2.0},
        {"softshrink", -2.0, -1.5},
        {"hardshrink", 0.25, 0.0},
        {"hard_tanh:min=-2,max=3", 5.0, 3.0},
        {"relu6", 7.0, 6.0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        double got = ref_at(v[i].spec, v[i].x);
        cr_expect(fabs(got - v[i].want) <= 1e-14 * fabs(v[i].want),
                  "reference %s(%g) = %.17g, closed form %.17g", v[i].spec, v[i].x, got,
                  v[i].want);
    }
}

Test(reference, limits)
{
    static const struct {
        const char *spec;
        double x, want;
    } v[] = {
        {"silu", -INFINITY, -0.0},        {"gelu", -INFINITY, -0.0},
        {"gelu_tanh", -INFINITY, -0.0},   {"gelu_quick", -INFINITY, -0.0},
        {"mish", -INFINITY, -0.0},        {"hard_swish", -INFINITY, -0.0},
        {"softsign", INFINITY, 1},        {"softsign", -INFINITY, -1},
        {"softplus", -INFINITY, 0.0},     {"elu", -INFINITY, -1},
        {"elu:alpha=0.5", -INFINITY, -0.5}, {"snake", INFINITY, INFINITY},
        {"snake", -INFINITY, -INFINITY},  {"log_sigmoid", INFINITY, -0.0},
        {"sigmoid", -INFINITY, 0.0},      {"tanhshrink", -INFINITY, -INFINITY},
        {"elliott", -INFINITY, 0.0},      {"squareplus", -INFINITY, 0.0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        double got = ref_at(v[i].spec, v[i].x);
        cr_expect(got == v[i].want && signbit(got) == signbit(v[i].want),
                  "reference %s(%g) = %g, limit %g", v[i].spec, v[i].x, got, v[i].want);
    }
    cr_expect(isnan(ref_at("relu", NAN)), "reference relu(NaN) is not NaN");
}

Test(reference, rows)
{
    mpfr_t *y = ref_vec_new(4, REF_PREC);
    act_spec a = spec("softmax");
    float x2[2] = {0, (float)log(3.0)};
    cr_assert_eq(ref_row_flt(&a, x2, 2, y), 0);
    /* exp(log 3 rounded to float) / (1 + that): within float's rounding of log 3 */
    cr_expect(fabs(mpfr_get_d(y[1], MPFR_RNDN) - 0.75) < 1e-7, "softmax([0, log 3])[1]");
    a = spec("log_softmax");
    float z2[2] = {5, 5};
    cr_assert_eq(ref_row_flt(&a, z2, 2, y), 0);
    cr_expect(mpfr_get_d(y[0], MPFR_RNDN) == -log(2.0), "log_softmax of a tie: -log 2");
    a = spec("softmin:temperature=0.5");
    float m2[2] = {0, 1};
    cr_assert_eq(ref_row_flt(&a, m2, 2, y), 0);
    cr_expect(fabs(mpfr_get_d(y[0], MPFR_RNDN) - 1 / (1 + exp(-2.0))) < 1e-15, "softmin:T=0.5");
    a = spec("maxout");
    float x4[4] = {1, 5, 3, 2};
    cr_assert_eq(ref_row_flt(&a, x4, 4, y), 0);
    cr_expect(mpfr_get_d(y[0], MPFR_RNDN) == 5 && mpfr_get_d(y[1], MPFR_RNDN) == 3, "maxout");
    a = spec("glu");
    float g2[2] = {2, 0};
    cr_assert_eq(ref_row_flt(&a, g2, 2, y), 0);
    cr_expect(mpfr_get_d(y[0], MPFR_RNDN) == 1, "glu([2 | 0]) = 2 sigmoid(0) = 1");
    a = spec("maxout:k=3");
    cr_expect_eq(ref_row_flt(&a, x4, 4, y), -1, "maxout:k=3 on 4 columns");
    ref_vec_free(y, 4);
}
