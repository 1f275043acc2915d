/* The GELU family: gelu (exact, through erfc), gelu_tanh (the tanh approximation) and
 * gelu_quick (x * sigmoid(1.702 x)). All three go to -0 as x -> -inf; the products x * Phi(x)
 * would give -inf * 0 = NaN there, so the infinities are returned as limits. */
#include <math.h>

#include "desc.h"
#include "simd/gelu.h"
#include "simd/swish.h"

static const double sqrt1_2 = 0.70710678118654752440084436210485;
static const double inv_sqrt_2pi = 0.39894228040143267793994605993438;

/* Phi(x) = erfc(-x / sqrt 2) / 2 keeps full relative accuracy in the left tail, where
 * 1 + erf(x / sqrt 2) would cancel. */
double act__gelu(double x)
{
    if (isinf(x))
        return x > 0 ? x : -0.0;
    return 0.5 * x * erfc(-x * sqrt1_2);
}

double act__dgelu(double x)
{
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    /* Phi(x) + x phi(x), phi the standard normal density */
    return 0.5 * erfc(-x * sqrt1_2) + x * exp(-0.5 * x * x) * inv_sqrt_2pi;
}

static double gelu_f(double x, const double *p)
{
    (void)p;
    return act__gelu(x);
}

static double gelu_df(double x, const double *p)
{
    (void)p;
    return act__dgelu(x);
}

const struct act__desc act__desc_gelu = {
    .info = {.name = "gelu",
             .aliases = "gelu_erf",
             .formula = "x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))",
             .range = "[-0.17, inf)",
             .derivative = "Phi(x) + x * exp(-x^2/2) / sqrt(2 pi)",
             .use = "hidden layers of transformers (BERT, GPT): a smooth ReLU",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = gelu_f,
    .df = gelu_df,
    .vec = ACT_VEC(gelu),
};

/* 0.5 x (1 + tanh(u)) = x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): the sigmoid form
 * does not cancel for negative x. In double, x^3 cannot overflow for any float x. */
static const double gelu_k = 0.79788456080286535587989211986876; /* sqrt(2/pi) */
static const double gelu_c = 0.044715;

static double gelu_tanh_f(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? x : -0.0;
    double u = gelu_k * (x + gelu_c * x * x * x);
    return x * act__sigmoid(2.0 * u);
}

static double gelu_tanh_df(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    double u = gelu_k * (x + gelu_c * x * x * x);
    double du = gelu_k * (1.0 + 3.0 * gelu_c * x * x);
    return act__sigmoid(2.0 * u) + 2.0 * x * act__dsigmoid(2.0 * u) * du;
}

const struct act__desc act__desc_gelu_tanh = {
    .info = {.name = "gelu_tanh",
             .aliases = "gelu_approx gelu_new",
             .formula = "x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))",
             .range = "[-0.17, inf)",
             .derivative = "s + 2x s(1-s) sqrt(2/pi)(1 + 0.134145 x^2), "
                           "s = sigmoid(2 sqrt(2/pi)(x + 0.044715 x^3))",
             .use = "GPT-2 and PyTorch's gelu(approximate='tanh'): GELU without erf",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = gelu_tanh_f,
    .df = gelu_tanh_df,
    .vec = ACT_VEC(gelu_tanh),
};

static double gelu_quick_f(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? x : -0.0;
    return x * act__sigmoid(1.702 * x);
}

static double gelu_quick_df(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    return act__sigmoid(1.702 * x) + 1.702 * x * act__dsigmoid(1.702 * x);
}

/* x sigmoid(1.702 x): silu's kernel with beta 1.702 */
static void gelu_quick_prep(const double *p, struct act__kc *k)
{
    (void)p;
    struct act__kc_swish c = {.beta = (float)1.702, .unit = 0, .beta_d = 1.702};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_gelu_quick = {
    .info = {.name = "gelu_quick",
             .aliases = "quick_gelu",
             .formula = "x * sigmoid(1.702 x)",
             .range = "[-0.16, inf)",
             .derivative = "s + 1.702 x s (1 - s), s = sigmoid(1.702 x)",
             .use = "CLIP's cheaper GELU approximation",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = gelu_quick_f,
    .df = gelu_quick_df,
    .vec = ACT_VEC(silu),
    .prep = gelu_quick_prep,
};
