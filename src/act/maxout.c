/* maxout:k -- each output is the maximum of k consecutive inputs of the row (Goodfellow et
 * al., 2013: a unit that learns its own piecewise-linear activation from k linear pieces).
 * A NaN in a group makes its output NaN; the gradient goes to the first maximum (the first
 * NaN), as torch.max does. */
#include <math.h>

#include "desc.h"

static size_t maxout_cols(const double *p, size_t cols)
{
    size_t k = (size_t)p[0];
    return k && cols % k == 0 ? cols / k : 0;
}

/* index, within the group, of its first maximum or first NaN */
static size_t group_arg(const float *g, size_t k)
{
    size_t best = 0;
    for (size_t i = 0; i < k; i++) {
        if (isnan(g[i]))
            return i;
        if (g[i] > g[best])
            best = i;
    }
    return best;
}

static int maxout_fwd(const double *p, const float *x, float *y, size_t rows, size_t cols)
{
    size_t k = (size_t)p[0], groups = rows * (cols / k);
    for (size_t o = 0; o < groups; o++)
        y[o] = x[o * k + group_arg(x + o * k, k)];
    return AL_OK;
}

static int maxout_bwd(const double *p, const float *x, const float *y, const float *dy,
                      float *dx, size_t rows, size_t cols)
{
    (void)y;
    size_t k = (size_t)p[0], groups = rows * (cols / k);
    for (size_t o = 0; o < groups; o++) {
        size_t a = group_arg(x + o * k, k);
        for (size_t i = 0; i < k; i++)
            dx[o * k + i] = i == a ? dy[o] : 0.0f;
    }
    return AL_OK;
}

const struct act__desc act__desc_maxout = {
    .info = {.name = "maxout",
             .aliases = "",
             .formula = "y_j = max(x_{jk}, ..., x_{jk+k-1}): cols -> cols / k",
             .range = "(-inf, inf)",
             .derivative = "dy_j to the first maximum of group j, 0 to the others",
             .use = "hidden layers (with dropout): learns a convex piecewise-linear "
                    "activation; costs k times the weights",
             .flags = ACT_ROWWISE | ACT_PWL,
             .max_ulp = 0,
             .n_params = 1,
             .params = {{"k", NULL, 2.0, ACT_P_INTEGER, "inputs per output"}}},
    .out_cols = maxout_cols,
    .rows_fwd = maxout_fwd,
    .rows_bwd = maxout_bwd,
};
