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

/* xIELU (Huang & Schlag 2024, "Deriving Activation Functions Using Integration"; Apertus):
 * the integral of a linearly growing gradient for x > 0 and of an ELU-like one below.
 * Parameters as the reference implementation's effective values: alpha_p = softplus(raw),
 * alpha_n = beta + softplus(raw), so alpha_p > 0 and alpha_n > beta; eps < 0 caps the
 * argument of expm1 (the gradient there is constant). */
static double xielu_f(double x, const double *p)
{
    double ap = p[0], an = p[1], b = p[2], eps = p[3];
    if (x > 0)
        return x * (ap * x + b);
    if (isinf(x)) /* (beta - alpha_n) x - alpha_n: +inf, where the formula gives inf - inf */
        return INFINITY;
    return an * (expm1(fmin(x, eps)) - x) + b * x;
}

/* At the kink x = eps, min(x, eps) passes half the gradient to x, as torch.minimum does:
 * the mean of the two sides. */
static double xielu_df(double x, const double *p)
{
    double ap = p[0], an = p[1], b = p[2], eps = p[3];
    if (x > 0)
        return 2 * ap * x + b;
    if (x < eps)
        return an * expm1(x) + b;
    if (x == eps)
        return an * (0.5 * exp(x) - 1) + b;
    return b - an;
}

static const char *xielu_check(const double *p)
{
    if (!(p[1] > p[2]))
        return "alpha_n must be greater than beta";
    if (!(p[3] < 0)) /* at eps = 0 the tie below would halve a smooth derivative */
        return "eps must be < 0";
    return NULL;
}

static void xielu_prep(const double *p, struct act__kc *k)
{
    struct act__kc_xielu c = {.alpha_p = p[0],
                              .alpha_n = p[1],
                              .beta = p[2],
                              .eps = p[3],
                              .eps_f = (float)p[3],
                              .eps_above = act__float_above(p[3]),
                              .eps_tie = (double)(float)p[3] == p[3]};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_xielu = {
    .info = {.name = "xielu",
             .aliases = "",
             .formula = "alpha_p x^2 + beta x for x > 0, alpha_n (expm1(min(x, eps)) - x) + "
                        "beta x otherwise",
             .range = "[-0.206, inf) (defaults)",
             .derivative = "2 alpha_p x + beta for x > 0, alpha_n expm1(x) + beta for x < eps, "
                           "beta - alpha_n for eps < x <= 0 (at x = eps the mean of both, as "
                           "torch.minimum)",
             .use = "MLPs of LLMs (Apertus): ReLU^2-like growth for x > 0, an ELU-like "
                    "negative side whose slope is learnable",
             .flags = 0,
             .max_ulp = 2,
             .n_params = 4,
             .params = {{"alpha_p", "alpha_p_init", 0.8, ACT_P_POSITIVE,
                         "curvature for x > 0 (effective value, softplus of the raw one)"},
                        {"alpha_n", "alpha_n_init", 0.8, ACT_P_POSITIVE,
                         "scale of the negative side (effective value, > beta)"},
                        {"beta", NULL, 0.5, 0, "slope at 0"},
                        {"eps", NULL, -1e-6, 0, "cap on the argument of expm1 (< 0)"}}},
    .f = xielu_f,
    .df = xielu_df,
    .check = xielu_check,
    .vec = ACT_VEC(xielu),
    .prep = xielu_prep,
};
