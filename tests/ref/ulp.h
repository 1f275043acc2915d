/* Error of float results against the MPFR reference, in ULPs, and the loops that measure
 * a spec over many inputs (shared by the Criterion tests and the accuracy report).
 *
 * Error rule (docs/ACCURACY.md): err = |got - exact| / ulp(exact), where ulp(exact) is the
 * spacing of floats at |exact| (2^(floor(log2 |exact|) - 23)), and 2^-149, the denormal
 * spacing, for |exact| < 2^-126. Special cases:
 * - NaN must give NaN; a NaN where a number is expected is an infinite error;
 * - where exact rounds to +-inf, or got is +-inf, they must be equal;
 * - a zero result must have the sign of a nonzero exact value, and the sign of a zero
 *   limit at +-inf (silu(-inf) = -0) unless the reference calls it a convention;
 * - an exact value in the denormal range (|exact| < 2^-126) may be flushed to zero. */
#ifndef ACTLAB_TESTS_ULP_H
#define ACTLAB_TESTS_ULP_H

#include <stddef.h>

#include <mpfr.h>

#include "actlab/act.h"

/* err as above; *why (may be NULL) gets "NaN expected", "sign of zero", ... for an
 * infinite error, NULL otherwise. sign_matters: check the sign even when exact is zero. */
double ulp_error(float got, mpfr_srcptr exact, int sign_matters, const char **why);

/* The worst point of a measurement. */
typedef struct acc_stats {
    double worst;         /* largest error in ULP; INFINITY for a special-value mismatch */
    float worst_x;        /* elementwise: the input there */
    size_t worst_index;   /* position of the worst output in the measured array */
    float worst_got;      /* the library's result there */
    double worst_exact;   /* the reference there, rounded to double */
    const char *worst_why;
    size_t n;             /* outputs compared */
    size_t n_over;        /* outputs over the bound */
} acc_stats;

void acc_stats_init(acc_stats *st);

/* Called for each output over the bound: index i of the output, its input x (elementwise;
 * NaN for rows), the result, the exact value, the error and why. */
typedef void acc_bad_fn(void *ctx, const act_spec *a, size_t i, float x, float got,
                        mpfr_srcptr exact, double err, const char *why);

/* Runs act_forward over x[0..n) and compares each output with ref_f, accumulating into st.
 * Returns 0, the act_forward status, or -1 when there is no reference. */
int acc_measure(const act_spec *a, const float *x, size_t n, double bound, acc_stats *st,
                acc_bad_fn *on_bad, void *ctx);

/* Runs act_forward_rows over rows x cols inputs and compares each output with ref_row.
 * Outputs are indexed row * out_cols + column. Returns as acc_measure. */
int acc_measure_rows(const act_spec *a, const float *x, size_t rows, size_t cols,
                     double bound, acc_stats *st, acc_bad_fn *on_bad, void *ctx);

/* "leaky_relu:alpha=0.2" (act_format's text) */
const char *acc_spec_text(const act_spec *a, char *buf, size_t size);

/* One line describing a bad point: spec, input (%a and %g), got, expected, ULP, why. */
void acc_describe(char *buf, size_t size, const act_spec *a, float x, float got,
                  mpfr_srcptr exact, double err, const char *why);

#endif
