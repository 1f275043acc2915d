/* identity and the ReLU family: relu, leaky_relu, relu6, prelu, rrelu, threshold. All piecewise linear:
 * a product of two floats is exact in double, so rounding once gives the exact float.
 * Derivatives at the kinks follow PyTorch's backward kernels. */
#include <math.h>

#include "desc.h"
#include "simd/relu.h"

static double identity_f(double x, const double *p)
{
    (void)p;
    return x;
}

static double identity_df(double x, const double *p)
{
    (void)x, (void)p;
    return 1.0;
}

const struct act__desc act__desc_identity = {
    .info = {.name = "identity",
             .aliases = "linear none",
             .formula = "x",
             .range = "(-inf, inf)",
             .derivative = "1",
             .use = "regression output (Keras' 'linear'): predictions on any scale",
             .flags = ACT_PWL | ACT_SMOOTH,
             .max_ulp = 0},
    .f = identity_f,
    .df = identity_df,
    .vec = ACT_VEC(identity),
};

static double relu_f(double x, const double *p)
{
    (void)p;
    return x > 0 ? x : 0.0;
}

static double relu_df(double x, const double *p)
{
    (void)p;
    return x > 0 ? 1.0 : 0.0;
}

const struct act__desc act__desc_relu = {
    .info = {.name = "relu",
             .aliases = "",
             .formula = "max(0, x)",
             .range = "[0, inf)",
             .derivative = "1 for x > 0, else 0 (0 at x = 0, as PyTorch)",
             .use = "hidden layers: the default; units whose input stays negative stop "
                    "learning (dying ReLU)",
             .flags = ACT_PWL,
             .max_ulp = 0},
    .f = relu_f,
    .df = relu_df,
    .vec = ACT_VEC(relu),
};

/* slope * x for x <= 0; slope 0 gives 0 even at -inf, the limit, rather than -inf * 0 */
static double leaky(double x, double slope)
{
    if (x > 0)
        return x;
    return slope == 0 ? 0.0 : slope * x;
}

static double leaky_relu_f(double x, const double *p)
{
    return leaky(x, p[0]);
}

static double leaky_relu_df(double x, const double *p)
{
    return x > 0 ? 1.0 : p[0];
}

static void leaky_prep(const double *p, struct act__kc *k)
{
    struct act__kc_leaky c = {.slope = p[0], .zero = p[0] == 0};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_leaky_relu = {
    .info = {.name = "leaky_relu",
             .aliases = "leaky lrelu",
             .formula = "x for x > 0, alpha * x otherwise",
             .range = "(-inf, inf)",
             .derivative = "1 for x > 0, else alpha (alpha at x = 0, as PyTorch)",
             .use = "hidden layers when ReLU units die: negative inputs keep a small "
                    "gradient",
             .flags = ACT_PWL,
             .max_ulp = 0.501f,
             .n_params = 1,
             .params = {{"alpha", "negative_slope", 0.01, 0, "slope for x < 0"}}},
    .f = leaky_relu_f,
    .df = leaky_relu_df,
    .vec = ACT_VEC(leaky),
    .prep = leaky_prep,
};

static double relu6_f(double x, const double *p)
{
    (void)p;
    return fmin(fmax(x, 0.0), 6.0);
}

static double relu6_df(double x, const double *p)
{
    (void)p;
    return (x > 0 && x < 6) ? 1.0 : 0.0;
}

const struct act__desc act__desc_relu6 = {
    .info = {.name = "relu6",
             .aliases = "",
             .formula = "min(max(0, x), 6)",
             .range = "[0, 6]",
             .derivative = "1 for 0 < x < 6, else 0 (0 at both kinks, as PyTorch)",
             .use = "hidden layers of quantised and mobile networks (bounded output)",
             .flags = ACT_PWL,
             .max_ulp = 0},
    .f = relu6_f,
    .df = relu6_df,
    .vec = ACT_VEC(relu6),
};

const struct act__desc act__desc_prelu = {
    .info = {.name = "prelu",
             .aliases = "",
             .formula = "x for x > 0, alpha * x otherwise (alpha learned)",
             .range = "(-inf, inf)",
             .derivative = "1 for x > 0, else alpha; d/dalpha = min(x, 0)",
             .use = "hidden layers: a leaky ReLU whose slope the network learns",
             .flags = ACT_PWL,
             .max_ulp = 0.501f,
             .n_params = 1,
             .params = {{"alpha", "init", 0.25, 0, "slope for x < 0 (initial value)"}}},
    .f = leaky_relu_f,
    .df = leaky_relu_df,
    .vec = ACT_VEC(leaky),
    .prep = leaky_prep,
};

/* Outside training RReLU is deterministic: a leaky ReLU with the mean slope. */
static double rrelu_f(double x, const double *p)
{
    return leaky(x, ((double)p[0] + p[1]) / 2.0);
}

static double rrelu_df(double x, const double *p)
{
    return x > 0 ? 1.0 : ((double)p[0] + p[1]) / 2.0;
}

static const char *rrelu_check(const double *p)
{
    return p[0] <= p[1] ? NULL : "lower must not exceed upper";
}

/* outside training rrelu is leaky_relu with the mean slope */
static void rrelu_prep(const double *p, struct act__kc *k)
{
    double slope = (p[0] + p[1]) / 2.0;
    struct act__kc_leaky c = {.slope = slope, .zero = slope == 0};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_rrelu = {
    .info = {.name = "rrelu",
             .aliases = "",
             .formula = "x for x > 0, a * x otherwise, a = (lower + upper) / 2 "
                        "(random in [lower, upper] while training)",
             .range = "(-inf, inf)",
             .derivative = "1 for x > 0, else (lower + upper) / 2",
             .use = "hidden layers: randomised leaky ReLU, a regulariser against "
                    "overfitting",
             .flags = ACT_PWL,
             .max_ulp = 0.501f,
             .n_params = 2,
             .params = {{"lower", NULL, 0.125, 0, "smallest slope"},
                        {"upper", NULL, 1.0 / 3.0, 0, "largest slope"}}},
    .f = rrelu_f,
    .df = rrelu_df,
    .check = rrelu_check,
    .vec = ACT_VEC(leaky),
    .prep = rrelu_prep,
};

static double threshold_f(double x, const double *p)
{
    return x > p[0] ? x : (double)p[1];
}

static double threshold_df(double x, const double *p)
{
    return x > p[0] ? 1.0 : 0.0;
}

static void threshold_prep(const double *p, struct act__kc *k)
{
    struct act__kc_threshold c = {.above = act__float_below(p[0]), .value = (float)p[1]};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_threshold = {
    .info = {.name = "threshold",
             .aliases = "",
             .formula = "x for x > threshold, value otherwise",
             .range = "(-inf, inf)",
             .derivative = "1 for x > threshold, else 0",
             .use = "the step-like unit of early networks; relu is threshold:0,0",
             .flags = ACT_PWL,
             .max_ulp = 0,
             .n_params = 2,
             .params = {{"threshold", NULL, 0.0, 0, "inputs at or below it are replaced"},
                        {"value", NULL, 0.0, 0, "the replacement"}}},
    .f = threshold_f,
    .df = threshold_df,
    .vec = ACT_VEC(threshold),
    .prep = threshold_prep,
};
