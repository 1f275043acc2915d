/* actlab: activation functions and their derivatives on float32 arrays.
 *
 * A function with its parameters is an act_spec, made from text ("relu",
 * "leaky_relu:alpha=0.2", "softplus:beta=2,threshold=10") by act_parse() or from a kind by
 * act_init(). Elementwise functions run through act_forward()/act_backward(); row-wise ones
 * (softmax, log_softmax, softmin, maxout, glu, swiglu, geglu) through act_forward_rows()/
 * act_backward_rows(), which also accept elementwise functions.
 *
 * Every call returns 0 (AL_OK) or an al_status code; al_last_error() then says what was
 * wrong. Nothing here allocates except the row-wise backward when it must recompute y.
 *
 * Numerics (the scalar kernels are the specification; see docs/ACCURACY.md):
 * - the specification computes in double and rounds once, from formulas that cannot
 *   overflow; the vector kernels (see "Kernel paths") stay within act_info.max_ulp of it;
 * - NaN in gives NaN out; +-inf give the function's limits (silu(-inf) = -0, not NaN);
 * - at a kink the derivative follows PyTorch: relu'(0) = 0, leaky_relu'(0) = alpha,
 *   relu6'(0) = relu6'(6) = 0, hard_tanh'(+-1) = 0, elu'(0) = alpha, ... (act_info.derivative
 *   of each function states its convention). */
#ifndef ACTLAB_ACT_H
#define ACTLAB_ACT_H

#include "export.h"

#include <stddef.h>

#include "act_list.h"
#include "status.h"
#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum act_kind {
#define X(id, name) ACT_##id,
    ACT_LIST(X)
#undef X
    ACT_COUNT
} act_kind;

#define ACT_MAX_PARAMS 4

/* A function and its parameter values. Complete and plain: hold it on the stack, copy it,
 * compare it with act_equal(). p[] follows the order of act_info.params; unused slots are 0.
 * Parameters are doubles, as PyTorch's Scalars: 0.2 means 0.2, not the float nearest it. */
typedef struct act_spec {
    act_kind kind;
    double p[ACT_MAX_PARAMS];
} act_spec;

/* Flags of act_info.flags. */
#define ACT_ROWWISE 1u  /* operates on rows: use act_forward_rows()/act_backward_rows() */
#define ACT_PWL 2u      /* piecewise linear: exact (max_ulp 0) or correctly rounded from a
                         * double result (0.501: a product like alpha * x is rounded twice,
                         * which can cost 2^-29 ULP next to a rounding boundary) */
#define ACT_SMOOTH 4u   /* differentiable everywhere (no kink) */

/* Flags of act_param_info.flags: the values a parameter accepts. */
#define ACT_P_POSITIVE 1u /* > 0 */
#define ACT_P_NONZERO 2u  /* != 0 */
#define ACT_P_NONNEG 4u   /* >= 0 */
#define ACT_P_INTEGER 8u  /* a whole number >= 1 */

typedef struct act_param_info {
    const char *name;  /* as in the textual form: "alpha" */
    const char *alias; /* PyTorch's keyword where it differs ("negative_slope"), or NULL */
    double def;        /* PyTorch's default where PyTorch has the function */
    unsigned flags;    /* ACT_P_* */
    const char *doc;
} act_param_info;

/* Everything known about one function: the table behind `actlab list` and the docs. */
typedef struct act_info {
    const char *name;       /* canonical snake_case name */
    const char *aliases;    /* space-separated other names a user types, or "" */
    const char *formula;    /* f(x) in plain text */
    const char *range;      /* output range, e.g. "(0, 1)" */
    const char *derivative; /* f'(x), including the convention at kinks */
    const char *use;        /* when to reach for it */
    unsigned flags;         /* ACT_ROWWISE, ACT_PWL, ACT_SMOOTH */
    float max_ulp;          /* documented accuracy bound against exact math, in ULP */
    unsigned n_params;
    act_param_info params[ACT_MAX_PARAMS];
} act_info;

/* ---- Naming ---------------------------------------------------------------------------- */

/* The table entry of a kind; NULL if k is out of range. */
ACTLAB_API const act_info *act_get_info(act_kind k);

/* Finds a function by canonical name or alias. Case, '_' and '-' are ignored, so "LeakyReLU",
 * "leaky-relu" and "lrelu" all name leaky_relu. AL_ENAME (message suggests the closest
 * names) when nothing matches. */
ACTLAB_API al_status act_find(const char *name, act_kind *out);

/* The kind with its default parameters. */
ACTLAB_API al_status act_init(act_spec *out, act_kind k);

/* Parses "NAME" or "NAME:key=value,key=value" (keys may also be PyTorch's spelling, e.g.
 * negative_slope, lambd). Returns 0, AL_ENAME for an unknown function, AL_EINVAL for an
 * unknown key or a bad value; al_last_error() names the bad part. *out is untouched on
 * error. */
ACTLAB_API al_status act_parse(const char *text, act_spec *out);

/* Writes the textual form, parameters that differ from the defaults only, so that
 * act_parse(buf) gives back an equal spec. Returns the length it needs (snprintf-like). */
ACTLAB_API int act_format(const act_spec *a, char *buf, size_t size);

/* Checks the parameter values (act_parse does this; use it for specs built by hand). */
ACTLAB_API al_status act_validate(const act_spec *a);

/* Same kind and bit-identical parameters. */
ACTLAB_API int act_equal(const act_spec *a, const act_spec *b);

/* ---- Elementwise ----------------------------------------------------------------------- */

/* y[i] = f(x[i]). y may equal x. n may be 0. AL_EINVAL for a row-wise function. */
ACTLAB_API al_status act_forward(const act_spec *a, const float *x, float *y, size_t n);

/* dx[i] = dy[i] * f'(x[i]). y is the forward output or NULL (the scalar kernels recompute
 * what they need from x, so the result is the same either way). dx may equal dy; dx is
 * overwritten, never accumulated. */
ACTLAB_API al_status act_backward(const act_spec *a, const float *x, const float *y, const float *dy,
                 float *dx, size_t n);

/* ---- Row-wise -------------------------------------------------------------------------- */

/* Output columns for input rows of `cols` columns: cols for softmax, log_softmax, softmin
 * and every elementwise function; cols/k for maxout:k (groups of k consecutive inputs);
 * cols/2 for glu, swiglu and geglu (first half a, second half the gate b). 0 when cols does
 * not fit (not a multiple of k or 2, or 0). */
ACTLAB_API size_t act_out_cols(const act_spec *a, size_t cols);

/* x: rows x cols, row-major; y: rows x act_out_cols(a, cols). y may equal x when the
 * column count does not change. AL_ESHAPE when cols does not fit. */
ACTLAB_API al_status act_forward_rows(const act_spec *a, const float *x, float *y, size_t rows, size_t cols);

/* dy: rows x out_cols, dx: rows x cols. y is the forward output or NULL (then it is
 * recomputed, which allocates one row). dx may equal dy when the column count does not
 * change. */
ACTLAB_API al_status act_backward_rows(const act_spec *a, const float *x, const float *y, const float *dy,
                      float *dx, size_t rows, size_t cols);

/* ---- Fused forms for layers ------------------------------------------------------------ */

/* z[o][c][i] += bias[c]; y[o][c][i] = f(z[o][c][i]) for o < outer, c < channels, i < inner:
 * a Dense layer's bias and activation (outer = batch, channels = units, inner = 1) or a
 * Conv2D layer's (outer = batch, channels = filters, inner = H*W) in one pass over the
 * output. z keeps the pre-activation that act_backward() needs; y may equal z when it need
 * not be kept. bias may be NULL (no bias). Row-wise functions take rows of `channels`
 * columns and need inner = 1 (AL_ESHAPE otherwise). */
ACTLAB_API al_status act_forward_bias(const act_spec *a, float *z, const float *bias, float *y,
                                size_t outer, size_t channels, size_t inner);

/* ---- Kernel paths ---------------------------------------------------------------------- */

/* The array functions above run on one of these paths, chosen once from the CPU (cpuid),
 * never from the compiler's target:
 *   "avx512"   AVX-512 F/DQ/BW/VL, 16 floats a step
 *   "avx2"     AVX2 + FMA, 8 floats
 *   "baseline" portable vector code (SSE2 on x86-64), 4 floats, no FMA
 *   "exact"    the scalar specification: double, rounded once (slow; max 0.5 ULP + a hair)
 * The fast paths keep every function within act_info.max_ulp of exact math and give the
 * exact special values (NaN, +-0, +-inf, limits) of the specification; functions that have
 * no vector kernel on a path run the scalar specification there.
 * The environment variable ACTLAB_ISA (one of the names, or "auto") picks the path at the
 * first call; a path the CPU cannot run falls back to the best one it can. */

/* The name of the path in use. */
ACTLAB_API const char *act_isa(void);

/* Switches every thread to the named path ("auto": the best this CPU runs). AL_ENAME for an
 * unknown name, AL_EUNSUPPORTED when this CPU (or this build) cannot run it. */
ACTLAB_API al_status act_set_isa(const char *name);

/* 1 if this CPU and build can run the named path, else 0. */
ACTLAB_API int act_isa_supported(const char *name);

/* The path names, best first, NULL-terminated. */
ACTLAB_API const char *const *act_isa_names(void);

/* ---- Convenience ----------------------------------------------------------------------- */

/* f(x) and f'(x) of an elementwise function for one value, in double: the scalar
 * specification before its final rounding to float (what `actlab eval` prints). NaN for a
 * row-wise function or an invalid spec. */
ACTLAB_API double act_eval(const act_spec *a, double x);
ACTLAB_API double act_grad(const act_spec *a, double x);

#ifdef __cplusplus
}
#endif
#endif
