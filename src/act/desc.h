/* Internal: the descriptor behind each entry of ACT_LIST, and the scalar helpers the
 * families share. The scalar kernels are the specification of every function: they compute
 * in double and round once, so they are within 0.5 ULP + a few double ULPs of exact math. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_DESC_H
#define ACTLAB_SRC_ACT_DESC_H

#include <stddef.h>

#include "actlab/act.h"
#include "kern.h"
#include "../core/error.h"
#include "../core/ieee.h"

/* f(x) or f'(x) of an elementwise function at a value that is not NaN (the caller passes NaN
 * through), with the spec's parameters p[]. */
typedef double act__elem_fn(double x, const double *p);

typedef int act__rows_fwd_fn(const double *p, const float *x, float *y, size_t rows,
                             size_t cols);
typedef int act__rows_bwd_fn(const double *p, const float *x, const float *y, const float *dy,
                             float *dx, size_t rows, size_t cols);

struct act__desc {
    act_info info;
    /* elementwise functions */
    act__elem_fn *f, *df;
    /* row-wise functions */
    size_t (*out_cols)(const double *p, size_t cols);
    act__rows_fwd_fn *rows_fwd;
    act__rows_bwd_fn *rows_bwd;
    /* constraints between parameters (min < max): NULL when fine, else what is wrong */
    const char *(*check)(const double *p);
    /* the vector kernels: ACT_VEC(name) from src/act/simd/<family>.h; none: the spec runs */
    struct act__vec vec;
    /* their named constants from the parameters (NULL: none), and the specs they serve
     * (NULL: every valid one) */
    void (*prep)(const double *p, struct act__kc *k);
    int (*vec_ok)(const double *p);
};

#define X(id, name, value) extern const struct act__desc act__desc_##name;
ACT_LIST(X)
#undef X

extern const struct act__desc *const act__table[ACT_COUNT];

/* Shared scalar pieces (double in, double out), used by several families and by the gated
 * row-wise functions. */
double act__sigmoid(double x);
double act__dsigmoid(double x); /* sigmoid(x) * (1 - sigmoid(x)) without cancellation */
double act__softplus(double x); /* log(1 + exp(x)) without overflow */
double act__gelu(double x);
double act__dgelu(double x);

#endif
