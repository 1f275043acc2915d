/* ULP errors against the MPFR reference, and the measuring loops. */
#include "ulp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_mpfr.h"

#define RND MPFR_RNDN

double ulp_error(float got, mpfr_srcptr exact, int sign_matters, const char **why)
{
    const char *w = NULL;
    double err = 0;
    if (mpfr_nan_p(exact)) {
        if (!isnan(got))
            w = "NaN expected", err = INFINITY;
        goto done;
    }
    if (isnan(got)) {
        w = "NaN where a number is expected", err = INFINITY;
        goto done;
    }
    float r = mpfr_get_flt(exact, RND);
    if (isinf(r) || isinf(got)) {
        if (got != r)
            w = "infinity mismatch", err = INFINITY;
        goto done;
    }
    int exact_zero = mpfr_zero_p(exact) != 0;
    if (got == 0 && (!exact_zero || sign_matters) &&
        (signbit(got) != 0) != (mpfr_signbit(exact) != 0)) {
        w = "sign of zero", err = INFINITY;
        goto done;
    }
    /* spacing exponent: floor(log2 |exact|) - 23, at least -149 (MPFR's exponent e puts
     * |exact| in [2^(e-1), 2^e)) */
    long se = exact_zero ? -149 : (long)mpfr_get_exp(exact) - 1 - 23;
    if (se < -149)
        se = -149;
    if (got == 0 && !exact_zero && mpfr_get_exp(exact) - 1 < -126)
        goto done; /* a denormal result flushed to zero */
    mpfr_t d;
    mpfr_init2(d, 64);
    mpfr_set_flt(d, got, RND);
    mpfr_sub(d, d, exact, RND);
    mpfr_abs(d, d, RND);
    mpfr_mul_2si(d, d, -se, RND);
    err = mpfr_get_d(d, RND);
    mpfr_clear(d);
done:
    if (why)
        *why = w;
    return err;
}

void acc_stats_init(acc_stats *st)
{
    memset(st, 0, sizeof *st);
    st->worst = -1;
    st->worst_x = NAN;
}

static void account(acc_stats *st, size_t i, float x, float got, mpfr_srcptr exact, double err,
                    const char *why, double bound, const act_spec *a, acc_bad_fn *on_bad,
                    void *ctx)
{
    st->n++;
    if (!(err <= bound)) {
        st->n_over++;
        if (on_bad)
            on_bad(ctx, a, i, x, got, exact, err, why);
    }
    if (err > st->worst) {
        st->worst = err;
        st->worst_x = x;
        st->worst_index = i;
        st->worst_got = got;
        st->worst_exact = mpfr_get_d(exact, RND);
        st->worst_why = why;
    }
}

int acc_measure(const act_spec *a, const float *x, size_t n, double bound, acc_stats *st,
                acc_bad_fn *on_bad, void *ctx)
{
    float *y = malloc((n ? n : 1) * sizeof *y);
    if (!y)
        abort();
    int rc = act_forward(a, x, y, n);
    mpfr_t mx, exact;
    mpfr_init2(mx, 24);
    mpfr_init2(exact, REF_PREC);
    for (size_t i = 0; i < n && !rc; i++) {
        mpfr_set_flt(mx, x[i], RND);
        int f = ref_f(a, mx, exact);
        if (f < 0) {
            rc = -1;
            break;
        }
        /* the sign of a zero limit at +-inf is part of the contract */
        int sign_matters = isinf(x[i]) && f != REF_ANY_ZERO;
        const char *why;
        double err = ulp_error(y[i], exact, sign_matters, &why);
        account(st, i, x[i], y[i], exact, err, why, bound, a, on_bad, ctx);
    }
    mpfr_clear(mx);
    mpfr_clear(exact);
    free(y);
    return rc;
}

int acc_measure_rows(const act_spec *a, const float *x, size_t rows, size_t cols,
                     double bound, acc_stats *st, acc_bad_fn *on_bad, void *ctx)
{
    size_t oc = act_out_cols(a, cols);
    if (!oc)
        return AL_ESHAPE;
    size_t ny = rows * oc;
    float *y = malloc((ny ? ny : 1) * sizeof *y);
    if (!y)
        abort();
    int rc = act_forward_rows(a, x, y, rows, cols);
    mpfr_t *exact = ref_vec_new(oc, REF_PREC);
    for (size_t r = 0; r < rows && !rc; r++) {
        if (ref_row_flt(a, x + r * cols, cols, exact)) {
            rc = -1;
            break;
        }
        for (size_t j = 0; j < oc; j++) {
            const char *why;
            double err = ulp_error(y[r * oc + j], exact[j], 0, &why);
            account(st, r * oc + j, NAN, y[r * oc + j], exact[j], err, why, bound, a, on_bad,
                    ctx);
        }
    }
    ref_vec_free(exact, oc);
    free(y);
    return rc;
}

const char *acc_spec_text(const act_spec *a, char *buf, size_t size)
{
    if (act_format(a, buf, size) < 0 && size)
        snprintf(buf, size, "kind %d", (int)a->kind);
    return buf;
}

void acc_describe(char *buf, size_t size, const act_spec *a, float x, float got,
                  mpfr_srcptr exact, double err, const char *why)
{
    char name[96];
    double e = mpfr_get_d(exact, RND);
    snprintf(buf, size,
             "%s at x = %a (%.9g): got %a (%.9g), expected %a (%.17g, float %a), "
             "error %.10g ULP%s%s",
             acc_spec_text(a, name, sizeof name), (double)x, (double)x, (double)got,
             (double)got, e, e, (double)mpfr_get_flt(exact, RND), err, why ? ": " : "",
             why ? why : "");
}
