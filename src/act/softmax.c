/* softmax, log_softmax and softmin over rows. One kernel serves all three: each works on
 * z = s * x with s = 1/temperature (softmax, log_softmax) or -1/temperature (softmin).
 * Subtracting the row maximum of z keeps every exp() in (0, 1]; sums run in double.
 * A row holding +inf gives its limit (the mass shared by the +inf entries); a row of -inf
 * only has no limit and gives NaN, as PyTorch. */
#include <math.h>
#include <stdlib.h>

#include "desc.h"
#include "simd/softmax.h"

static size_t same_cols(const double *p, size_t cols)
{
    (void)p;
    return cols;
}

/* One row: y = softmax(s x) or, when logs, log_softmax(s x). */
static void softmax_row(double s, int logs, const float *x, float *y, size_t n)
{
    double m = -INFINITY;
    int has_nan = 0;
    for (size_t j = 0; j < n; j++) {
        double z = s * x[j];
        has_nan |= isnan(z);
        if (z > m)
            m = z;
    }
    if (has_nan || m == -INFINITY) {
        for (size_t j = 0; j < n; j++)
            y[j] = NAN;
        return;
    }
    if (m == INFINITY) { /* the limit: +inf entries share the mass */
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += s * x[j] == INFINITY;
        for (size_t j = 0; j < n; j++) {
            int top = s * x[j] == INFINITY;
            y[j] = (float)(logs ? (top ? -log((double)k) : -INFINITY) : (top ? 1.0 / k : 0.0));
        }
        return;
    }
    /* The maximum contributes exactly 1; summing the rest apart lets log1p keep
     * log_softmax of a dominant entry (close to 0) accurate to the last bit. */
    size_t top = 0;
    while (s * x[top] != m)
        top++;
    double rest = 0;
    for (size_t j = 0; j < n; j++)
        if (j != top)
            rest += exp(s * x[j] - m);
    double lse = log1p(rest);
    for (size_t j = 0; j < n; j++) {
        double d = s * x[j] - m;
        y[j] = (float)(logs ? d - lse : exp(d) / (1.0 + rest));
    }
}

static double row_scale(act_kind k, const double *p)
{
    return k == ACT_SOFTMIN ? -1.0 / p[0] : 1.0 / p[0];
}

static int rows_fwd(act_kind k, const double *p, const float *x, float *y, size_t rows,
                    size_t cols)
{
    double s = row_scale(k, p);
    for (size_t r = 0; r < rows; r++)
        softmax_row(s, k == ACT_LOG_SOFTMAX, x + r * cols, y + r * cols, cols);
    return AL_OK;
}

/* softmax:     dx = s * y * (dy - sum(dy * y))
 * log_softmax: dx = s * (dy - exp(y) * sum(dy))
 * y is recomputed into a row buffer when the caller has none. */
static int rows_bwd(act_kind k, const double *p, const float *x, const float *y,
                    const float *dy, float *dx, size_t rows, size_t cols)
{
    double s = row_scale(k, p);
    int logs = k == ACT_LOG_SOFTMAX;
    float *buf = NULL;
    if (!y && rows && cols) {
        buf = malloc(cols * sizeof *buf);
        if (!buf)
            return al__fail(AL_ENOMEM, "softmax backward: no memory for a row of %zu", cols);
    }
    for (size_t r = 0; r < rows; r++) {
        const float *yr = y ? y + r * cols : buf;
        const float *dyr = dy + r * cols;
        float *dxr = dx + r * cols;
        if (!y)
            softmax_row(s, logs, x + r * cols, buf, cols);
        double acc = 0;
        for (size_t j = 0; j < cols; j++)
            acc += logs ? (double)dyr[j] : (double)dyr[j] * yr[j];
        for (size_t j = 0; j < cols; j++) {
            double g = logs ? dyr[j] - exp((double)yr[j]) * acc : yr[j] * (dyr[j] - acc);
            dxr[j] = (float)(s * g);
        }
    }
    free(buf);
    return AL_OK;
}

#define ROW_KERNELS(name, KIND)                                                        \
    static int name##_fwd(const double *p, const float *x, float *y, size_t rows,       \
                          size_t cols)                                                 \
    {                                                                                  \
        return rows_fwd(KIND, p, x, y, rows, cols);                                    \
    }                                                                                  \
    static int name##_bwd(const double *p, const float *x, const float *y,              \
                          const float *dy, float *dx, size_t rows, size_t cols)        \
    {                                                                                  \
        return rows_bwd(KIND, p, x, y, dy, dx, rows, cols);                            \
    }

ROW_KERNELS(softmax, ACT_SOFTMAX)
ROW_KERNELS(log_softmax, ACT_LOG_SOFTMAX)
ROW_KERNELS(softmin, ACT_SOFTMIN)

#define TEMPERATURE {"temperature", NULL, 1.0, ACT_P_POSITIVE, "divides the inputs"}

/* the kernels know temperature 1 only */
static int temperature_one(const double *p) { return p[0] == 1.0; }

const struct act__desc act__desc_softmax = {
    .info = {.name = "softmax",
             .aliases = "",
             .formula = "exp(x_i / T) / sum_j exp(x_j / T), over each row",
             .range = "(0, 1), rows sum to 1",
             .derivative = "dx_i = y_i (dy_i - sum_j dy_j y_j) / T",
             .use = "multi-class output: one probability per class",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {TEMPERATURE}},
    .out_cols = same_cols,
    .rows_fwd = softmax_fwd,
    .rows_bwd = softmax_bwd,
    .vec = ACT_VEC(softmax),
    .vec_ok = temperature_one,
};

const struct act__desc act__desc_log_softmax = {
    .info = {.name = "log_softmax",
             .aliases = "",
             .formula = "x_i / T - log(sum_j exp(x_j / T)), over each row",
             .range = "(-inf, 0)",
             .derivative = "dx_i = (dy_i - exp(y_i) sum_j dy_j) / T",
             .use = "multi-class output feeding a negative log-likelihood loss (stable)",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {TEMPERATURE}},
    .out_cols = same_cols,
    .rows_fwd = log_softmax_fwd,
    .rows_bwd = log_softmax_bwd,
    .vec = ACT_VEC(log_softmax),
    .vec_ok = temperature_one,
};

const struct act__desc act__desc_softmin = {
    .info = {.name = "softmin",
             .aliases = "",
             .formula = "softmax(-x / T), over each row",
             .range = "(0, 1), rows sum to 1",
             .derivative = "dx_i = -y_i (dy_i - sum_j dy_j y_j) / T",
             .use = "weights that favour the smallest inputs (soft arg-min)",
             .flags = ACT_ROWWISE | ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {TEMPERATURE}},
    .out_cols = same_cols,
    .rows_fwd = softmin_fwd,
    .rows_bwd = softmin_bwd,
    .vec = ACT_VEC(softmin),
    .vec_ok = temperature_one,
};
