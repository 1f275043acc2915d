/* Gated linear units: each row [a | b] of 2h columns gives h outputs a * g(b), with the gate
 * g = sigmoid (glu, as torch.nn.functional.glu), silu (swiglu) or gelu (geglu). The gate is
 * the second half, the value the first, as PyTorch's glu. */
#include <math.h>

#include "desc.h"
#include "simd/glu.h"

typedef double gate_fn(double);

static size_t half_cols(const double *p, size_t cols)
{
    (void)p;
    return cols % 2 == 0 ? cols / 2 : 0;
}

static double silu(double b)
{
    return isinf(b) ? (b > 0 ? b : -0.0) : b * act__sigmoid(b);
}

static double dsilu(double b)
{
    return isinf(b) ? (b > 0 ? 1.0 : 0.0) : act__sigmoid(b) + b * act__dsigmoid(b);
}

/* a * g(b) where a = 0 and g(b) = inf (or the reverse) has no single limit: NaN, as the
 * product gives. */
static void gated_fwd(gate_fn *g, const float *x, float *y, size_t rows, size_t cols)
{
    size_t h = cols / 2;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < h; j++) {
            double a = x[r * cols + j], b = x[r * cols + h + j];
            y[r * h + j] = (float)(a * g(b));
        }
}

static void gated_bwd(gate_fn *g, gate_fn *dg, const float *x, const float *dy, float *dx,
                      size_t rows, size_t cols)
{
    size_t h = cols / 2;
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < h; j++) {
            double a = x[r * cols + j], b = x[r * cols + h + j], d = dy[r * h + j];
            dx[r * cols + j] = (float)(d * g(b));
            dx[r * cols + h + j] = (float)(d * a * dg(b));
        }
}

#define GATED(name, gate, dgate)                                                          \
    static int name##_fwd(const double *p, const float *x, float *y, size_t rows,          \
                          size_t cols)                                                    \
    {                                                                                     \
        (void)p;                                                                          \
        gated_fwd(gate, x, y, rows, cols);                                                \
        return AL_OK;                                                                     \
    }                                                                                     \
    static int name##_bwd(const double *p, const float *x, const float *y, const float *dy, \
                          float *dx, size_t rows, size_t cols)                            \
    {                                                                                     \
        (void)p, (void)y;                                                                 \
        gated_bwd(gate, dgate, x, dy, dx, rows, cols);                                    \
        return AL_OK;                                                                     \
    }

GATED(glu, act__sigmoid, act__dsigmoid)
GATED(swiglu, silu, dsilu)
GATED(geglu, act__gelu, act__dgelu)

const struct act__desc act__desc_glu = {
    .info = {.name = "glu",
             .aliases = "",
             .formula = "a * sigmoid(b), row [a | b]: cols -> cols / 2",
             .range = "(-inf, inf)",
             .derivative = "da = dy sigmoid(b), db = dy a sigmoid(b)(1 - sigmoid(b))",
             .use = "gated convolutional language models (Dauphin et al.)",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2},
    .out_cols = half_cols,
    .rows_fwd = glu_fwd,
    .rows_bwd = glu_bwd,
    .vec = ACT_VEC(glu),
};

const struct act__desc act__desc_swiglu = {
    .info = {.name = "swiglu",
             .aliases = "",
             .formula = "a * silu(b), row [a | b]: cols -> cols / 2",
             .range = "(-inf, inf)",
             .derivative = "da = dy silu(b), db = dy a silu'(b)",
             .use = "transformer feed-forward blocks (PaLM, LLaMA)",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2},
    .out_cols = half_cols,
    .rows_fwd = swiglu_fwd,
    .rows_bwd = swiglu_bwd,
    .vec = ACT_VEC(swiglu),
};

const struct act__desc act__desc_geglu = {
    .info = {.name = "geglu",
             .aliases = "",
             .formula = "a * gelu(b), row [a | b]: cols -> cols / 2",
             .range = "(-inf, inf)",
             .derivative = "da = dy gelu(b), db = dy a gelu'(b)",
             .use = "transformer feed-forward blocks (T5 v1.1)",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2},
    .out_cols = half_cols,
    .rows_fwd = geglu_fwd,
    .rows_bwd = geglu_bwd,
};
