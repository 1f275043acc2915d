/* The exponential-linear family: elu, celu, selu, exponential. The negative branch uses
 * expm1 so that small negative inputs keep their relative accuracy. */
#include <math.h>

#include "desc.h"
#include "simd/exp.h"

static double elu_f(double x, const double *p)
{
    return x > 0 ? x : p[0] * expm1(x);
}

static double elu_df(double x, const double *p)
{
    return x > 0 ? 1.0 : p[0] * exp(x);
}

static void elu_prep(const double *p, struct act__kc *k)
{
    struct act__kc_elu c = {.alpha = p[0], .unit = p[0] == 1.0};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_elu = {
    .info = {.name = "elu",
             .aliases = "",
             .formula = "x for x > 0, alpha * (exp(x) - 1) otherwise",
             .range = "(-alpha, inf)",
             .derivative = "1 for x > 0, else alpha * exp(x) (alpha at x = 0, as PyTorch)",
             .use = "hidden layers: ReLU-like, but negative outputs push mean activations "
                    "towards zero",
             .flags = 0,
             .max_ulp = 2,
             .n_params = 1,
             .params = {{"alpha", NULL, 1.0, 0, "value approached as x -> -inf is -alpha"}}},
    .f = elu_f,
    .df = elu_df,
    .vec = ACT_VEC(elu),
    .prep = elu_prep,
};

static double celu_f(double x, const double *p)
{
    return x > 0 ? x : p[0] * expm1(x / p[0]);
}

static double celu_df(double x, const double *p)
{
    return x > 0 ? 1.0 : exp(x / p[0]);
}

static void celu_prep(const double *p, struct act__kc *k)
{
    struct act__kc_celu c = {.elu = {.alpha = p[0], .unit = p[0] == 1.0},
                             .inv_alpha = (float)(1.0 / p[0]),
                             .tiny = (float)(p[0] * 0x1p-100)};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_celu = {
    .info = {.name = "celu",
             .aliases = "",
             .formula = "x for x > 0, alpha * (exp(x / alpha) - 1) otherwise",
             .range = "(-alpha, inf)",
             .derivative = "1 for x > 0, else exp(x / alpha); continuous at 0",
             .use = "hidden layers: ELU made continuously differentiable for any alpha",
             .flags = ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {{"alpha", NULL, 1.0, ACT_P_NONZERO, "scale of the negative branch"}}},
    .f = celu_f,
    .df = celu_df,
    .vec = ACT_VEC(celu),
    .prep = celu_prep,
};

/* The constants of Klambauer et al. (2017), as PyTorch and Keras use them. */
static const double selu_scale = 1.0507009873554804934193349852946;
static const double selu_alpha = 1.6732632423543772848170429916717;

static double selu_f(double x, const double *p)
{
    (void)p;
    return selu_scale * (x > 0 ? x : selu_alpha * expm1(x));
}

static double selu_df(double x, const double *p)
{
    (void)p;
    return selu_scale * (x > 0 ? 1.0 : selu_alpha * exp(x));
}

static void selu_prep(const double *p, struct act__kc *k)
{
    (void)p;
    struct act__kc_selu c = {.scale = selu_scale, .scale_alpha = selu_scale * selu_alpha,
                             .scale_f = (float)selu_scale};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_selu = {
    .info = {.name = "selu",
             .aliases = "",
             .formula = "scale * (x for x > 0, alpha * (exp(x) - 1) otherwise), "
                        "scale = 1.0507009873554805, alpha = 1.6732632423543772",
             .range = "(-1.7581, inf)",
             .derivative = "scale for x > 0, else scale * alpha * exp(x) "
                           "(scale * alpha at x = 0, as PyTorch)",
             .use = "self-normalising dense networks (with LeCun normal initialisation)",
             .flags = 0,
             .max_ulp = 2},
    .f = selu_f,
    .df = selu_df,
    .vec = ACT_VEC(selu),
    .prep = selu_prep,
};

static double exponential_f(double x, const double *p)
{
    (void)p;
    return exp(x);
}

const struct act__desc act__desc_exponential = {
    .info = {.name = "exponential",
             .aliases = "exp",
             .formula = "exp(x)",
             .range = "(0, inf)",
             .derivative = "exp(x)",
             .use = "positive outputs such as rates and scales (Keras' 'exponential')",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = exponential_f,
    .df = exponential_f,
    .vec = ACT_VEC(exponential),
};
