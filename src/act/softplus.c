/* Smooth rectifiers and soft sign-like curves: softplus, softsign, squareplus, snake. */
#include <math.h>

#include "desc.h"
#include "simd/softplus.h"

/* PyTorch's softplus: linear once beta * x exceeds the threshold. */
static double softplus_f(double x, const double *p)
{
    double z = p[0] * x;
    if (z > p[1])
        return x;
    return act__softplus(z) / p[0];
}

static double softplus_df(double x, const double *p)
{
    double z = p[0] * x;
    return z > p[1] ? 1.0 : act__sigmoid(z);
}

static void softplus_prep(const double *p, struct act__kc *k)
{
    struct act__kc_softplus c = {.z = {.beta = (float)p[0], .unit = p[0] == 1.0, .beta_d = p[0]},
                                 .threshold = (float)p[1]};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_softplus = {
    .info = {.name = "softplus",
             .aliases = "",
             .formula = "log(1 + exp(beta x)) / beta; x where beta x > threshold",
             .range = "(0, inf)",
             .derivative = "sigmoid(beta x); 1 where beta x > threshold",
             .use = "positive outputs (variances, rates); a smooth relu for hidden layers",
             .flags = ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 2,
             .params = {{"beta", NULL, 1.0, ACT_P_NONZERO, "sharpness"},
                        {"threshold", NULL, 20.0, 0, "beta x above it is treated as linear"}}},
    .f = softplus_f,
    .df = softplus_df,
    .vec = ACT_VEC(softplus),
    .prep = softplus_prep,
};

static double softsign_f(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? 1.0 : -1.0;
    return x / (1.0 + fabs(x));
}

static double softsign_df(double x, const double *p)
{
    (void)p;
    double d = 1.0 + fabs(x);
    return 1.0 / (d * d);
}

const struct act__desc act__desc_softsign = {
    .info = {.name = "softsign",
             .aliases = "",
             .formula = "x / (1 + |x|)",
             .range = "(-1, 1)",
             .derivative = "1 / (1 + |x|)^2",
             .use = "a tanh-shaped unit without exp; saturates polynomially, not "
                    "exponentially",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = softsign_f,
    .df = softsign_df,
    .vec = ACT_VEC(softsign),
};

/* (x + sqrt(x^2 + b)) / 2, rewritten for x < 0 as b / (2 (sqrt(x^2 + b) - x)) so the left
 * tail does not cancel. x^2 of a float cannot overflow in double. */
static double squareplus_f(double x, const double *p)
{
    double s = sqrt(x * x + p[0]);
    return x >= 0 ? (x + s) / 2.0 : p[0] / (2.0 * (s - x));
}

static double squareplus_df(double x, const double *p)
{
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    double s = sqrt(x * x + p[0]);
    return x >= 0 ? (1.0 + x / s) / 2.0 : p[0] / (2.0 * s * (s - x));
}

static void squareplus_prep(const double *p, struct act__kc *k)
{
    struct act__kc_squareplus c = {.b = p[0]};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_squareplus = {
    .info = {.name = "squareplus",
             .aliases = "",
             .formula = "(x + sqrt(x^2 + b)) / 2",
             .range = "(0, inf)",
             .derivative = "(1 + x / sqrt(x^2 + b)) / 2",
             .use = "softplus-like smooth rectifier from sqrt only (cheap on any hardware)",
             .flags = ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {{"b", NULL, 4.0, ACT_P_POSITIVE, "curvature near 0"}}},
    .f = squareplus_f,
    .df = squareplus_df,
    .vec = ACT_VEC(squareplus),
    .prep = squareplus_prep,
};

/* x + sin^2(a x) / a. a * x of two floats is exact in double, and glibc's sin reduces any
 * argument exactly, so large inputs stay accurate. */
static double snake_f(double x, const double *p)
{
    if (isinf(x))
        return x; /* the bounded term cannot change the limit */
    double s = sin(p[0] * x);
    return x + s * s / p[0];
}

static double snake_df(double x, const double *p)
{
    return 1.0 + sin(2.0 * p[0] * x); /* NaN at +-inf: sin has no limit there */
}

const struct act__desc act__desc_snake = {
    .info = {.name = "snake",
             .aliases = "",
             .formula = "x + sin^2(alpha x) / alpha",
             .range = "(-inf, inf)",
             .derivative = "1 + sin(2 alpha x); NaN at +-inf (no limit)",
             .use = "periodic signals (audio: BigVGAN, DAC): a ReLU-like trend with "
                    "learnable periodicity",
             .flags = ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {{"alpha", NULL, 1.0, ACT_P_NONZERO, "frequency"}}},
    .f = snake_f,
    .df = snake_df,
};
