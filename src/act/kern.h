/* Internal: the vector kernels of each path (src/act/simd/) and the dispatch that picks a
 * path. The scalar descriptors (desc.h) stay the specification; a path's kernel for a kind
 * is a faster way to the same values within act_info.max_ulp. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_KERN_H
#define ACTLAB_SRC_ACT_KERN_H

#include <stddef.h>

#include "desc.h"

/* A spec's parameters as the kernels want them: float constants (c), and doubles for the
 * products that must round once (d). Filled by act__kprep(). */
struct act__kc {
    float c[8];
    double d[4];
};

typedef void act__kfwd(const float *x, float *y, size_t n, const struct act__kc *k);
typedef void act__kbwd(const float *x, const float *dy, float *dx, size_t n,
                       const struct act__kc *k);
typedef void act__kbias(float *z, const float *b, float *y, size_t outer, size_t ch,
                        size_t inner, const struct act__kc *k);

struct act__kern {
    act__kfwd *fwd; /* NULL: this kind has no vector kernel; the spec runs */
    act__kbwd *bwd;
    act__kbias *bias;
};

typedef void act__gfwd(const float *x, float *y, size_t rows, size_t cols);
typedef void act__gbwd(const float *x, const float *dy, float *dx, size_t rows, size_t cols);
struct act__gated {
    act__gfwd *fwd;
    act__gbwd *bwd;
};

struct act__path {
    const char *name;
    struct act__kern k[ACT_COUNT];
    /* softmax, log_softmax, softmin at temperature 1 (NULL on the exact path) */
    void (*rows_fwd)(act_kind kind, const float *x, float *y, size_t rows, size_t cols,
                     const double *p);
    void (*rows_bwd)(act_kind kind, const float *y, const float *dy, float *dx, size_t rows,
                     size_t cols);
    /* the gated row functions (glu, swiglu), by kind: rows [a | b] of cols = 2h give h
     * outputs; backward from x and dy. NULL where the path has none. */
    struct act__gated g[ACT_COUNT];
};

/* Which vector kernel serves each kind (kinds absent here run the spec on every path). */
#define ACT_VEC_MAP(X)                 \
    X(IDENTITY, identity)              \
    X(SIGMOID, sigmoid)                \
    X(TANH, tanh)                      \
    X(RELU, relu)                      \
    X(LEAKY_RELU, leaky)               \
    X(RELU6, relu6)                    \
    X(PRELU, leaky)                    \
    X(RRELU, leaky)                    \
    X(THRESHOLD, threshold)            \
    X(ELU, elu)                        \
    X(CELU, celu)                      \
    X(SELU, selu)                      \
    X(GELU, gelu)                      \
    X(GELU_TANH, gelu_tanh)            \
    X(GELU_QUICK, silu)                \
    X(SILU, silu)                      \
    X(MISH, mish)                      \
    X(SOFTPLUS, softplus)              \
    X(SOFTSIGN, softsign)              \
    X(LOG_SIGMOID, log_sigmoid)        \
    X(HARD_SIGMOID, hard_sigmoid)      \
    X(HARD_SWISH, hard_swish)          \
    X(HARD_TANH, hard_tanh)            \
    X(SOFTSHRINK, softshrink)          \
    X(HARDSHRINK, hardshrink)          \
    X(EXPONENTIAL, exponential)        \
    X(ELLIOTT, elliott)                \
    X(SQUAREPLUS, squareplus)

extern const struct act__path act__path_avx512, act__path_avx2, act__path_base;

/* The path in use (never NULL; the exact path has no kernels). */
const struct act__path *act__cur_path(void);

/* The kernel constants of a valid spec. */
void act__kprep(const act_spec *a, struct act__kc *k);

#endif
