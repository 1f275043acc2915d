/* The independent reference of every activation, in MPFR.
 *
 * Written from the mathematical definitions (PyTorch's where PyTorch has the function), not
 * from src/act: the tests measure the library against exact math, so the two must not share
 * code or shortcuts. Every value is computed with at least 64 guard bits beyond the requested
 * precision, more where a definition cancels (tanhshrink near 0, elliott for large |x|), and
 * MPFR's exponent range is widened so that nothing a float can produce overflows or
 * underflows on the way (exp(2000) in a softmax row of spread 2000 is fine).
 *
 * Conventions: NaN in gives NaN out; +-inf give the mathematical limit, with the sign of a
 * zero limit taken from the side it is approached from (silu(-inf) = -0, log_sigmoid(+inf)
 * = -0); parameters are the float values stored in the act_spec, taken as exact numbers;
 * constants (selu's, 0.044715, 1.702) are the exact decimals of their definitions. */
#ifndef ACTLAB_TESTS_REF_MPFR_H
#define ACTLAB_TESTS_REF_MPFR_H

#include <stddef.h>

#include <mpfr.h>

#include "actlab/act.h"

/* Precision of reference values handed to the tests. */
#define REF_PREC 256

/* Widens MPFR's exponent range to its maximum. The functions below call it themselves. */
void ref_init(void);

/* out = f(x) for an elementwise spec, rounded to out's precision. Returns -1 when the kind is
 * row-wise or has no reference (a new entry of ACT_LIST without one here); REF_ANY_ZERO when
 * x is infinite and out is a zero whose sign is only a convention, because f is exactly 0 on
 * a whole half-line (relu(-inf)); else 0. */
int ref_f(const act_spec *a, mpfr_srcptr x, mpfr_ptr out);
#define REF_ANY_ZERO 1

/* f(x) for a double input (floats convert exactly), at REF_PREC, rounded once to double or
 * to float (subnormals included). NaN when there is no reference. */
double ref_f_dbl(const act_spec *a, double x);
float ref_f_flt(const act_spec *a, double x);

/* Finite differences of the reference around x, computed in MPFR (x +- h exact), returned
 * as doubles: central (f(x+h) - f(x-h)) / 2h, left (f(x) - f(x-h)) / h and right
 * (f(x+h) - f(x)) / h. Returns 0 or -1 as ref_f. */
int ref_fd(const act_spec *a, double x, double h, double *central, double *left,
           double *right);

/* ---- Row-wise ----------------------------------------------------------------------------
 * One row of `cols` inputs to act_out_cols(a, cols) outputs. Accepts every kind (elementwise
 * kinds apply f to each entry). x and y are arrays of initialised mpfr_t; y's entries keep
 * their precision. Returns 0, or -1 when cols does not fit or the kind is unknown.
 * softmax, log_softmax: of x / T; softmin: softmax(-x / T); maxout:k: max of k consecutive
 * inputs (NaN if the group holds one); glu, swiglu, geglu: row [a | b] -> a * g(b) with
 * g = sigmoid, silu, gelu (the exact, erf form). */
int ref_row(const act_spec *a, const mpfr_t *x, size_t cols, mpfr_t *y);

/* ref_row of a float row. */
int ref_row_flt(const act_spec *a, const float *x, size_t cols, mpfr_t *y);

/* Finite differences of L(x) = sum_i dy[i] * y_i(x) with respect to x[j] (step h), in MPFR,
 * as ref_fd. dy has act_out_cols(a, cols) entries. */
int ref_row_fd(const act_spec *a, const float *x, size_t cols, const float *dy, size_t j,
               double h, double *central, double *left, double *right);

/* n initialised mpfr_t of the given precision, and their release. */
mpfr_t *ref_vec_new(size_t n, mpfr_prec_t prec);
void ref_vec_free(mpfr_t *v, size_t n);

#endif
