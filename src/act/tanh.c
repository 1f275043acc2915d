/* tanh and the functions built on it or on hard clipping: hard_tanh, tanhshrink,
 * softshrink, hardshrink. */
#include <math.h>

#include "desc.h"
#include "simd/tanh.h"

static double tanh_f(double x, const double *p)
{
    (void)p;
    return tanh(x);
}

/* sech^2 rather than 1 - tanh^2, which cancels to 0 long before the true value underflows */
static double tanh_df(double x, const double *p)
{
    (void)p;
    double c = cosh(x);
    return 1.0 / (c * c);
}

const struct act__desc act__desc_tanh = {
    .info = {.name = "tanh",
             .aliases = "",
             .formula = "(exp(x) - exp(-x)) / (exp(x) + exp(-x)) = 2 sigmoid(2x) - 1",
             .range = "(-1, 1)",
             .derivative = "1 - tanh(x)^2; at most 1, at x = 0",
             .use = "zero-centred hidden units and RNN/LSTM states; saturates like sigmoid",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = tanh_f,
    .df = tanh_df,
    .vec = ACT_VEC(tanh),
};

static double hard_tanh_f(double x, const double *p)
{
    return fmin(fmax(x, p[0]), p[1]);
}

static double hard_tanh_df(double x, const double *p)
{
    return (x > p[0] && x < p[1]) ? 1.0 : 0.0;
}

static const char *hard_tanh_check(const double *p)
{
    return p[0] < p[1] ? NULL : "min must be less than max";
}

static void hard_tanh_prep(const double *p, struct act__kc *k)
{
    struct act__kc_hard_tanh c = {.min = (float)p[0],
                                  .max = (float)p[1],
                                  .above = act__float_below(p[0]),
                                  .below = act__float_above(p[1])};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_hard_tanh = {
    .info = {.name = "hard_tanh",
             .aliases = "",
             .formula = "min(max(x, min), max)",
             .range = "[min, max]",
             .derivative = "1 for min < x < max, else 0 (0 at both kinks, as PyTorch)",
             .use = "a cheap tanh, e.g. for bounded outputs or binarised networks",
             .flags = ACT_PWL,
             .max_ulp = 0,
             .n_params = 2,
             .params = {{"min", "min_val", -1.0, 0, "lower clip"},
                        {"max", "max_val", 1.0, 0, "upper clip"}}},
    .f = hard_tanh_f,
    .df = hard_tanh_df,
    .check = hard_tanh_check,
    .vec = ACT_VEC(hard_tanh),
    .prep = hard_tanh_prep,
};

/* x - tanh(x) loses its digits near 0, where it is x^3/3 - 2x^5/15 + ...; below |x| = 1/32
 * four terms of the Taylor series leave a relative error under 2^-45 (the first omitted
 * term), and above it the subtraction loses at most 12 of double's 53 bits. */
static double tanhshrink_f(double x, const double *p)
{
    (void)p;
    if (fabs(x) < 0.03125) {
        double x2 = x * x;
        return x * x2 * (1.0 / 3 + x2 * (-2.0 / 15 + x2 * (17.0 / 315 + x2 * (-62.0 / 2835))));
    }
    return x - tanh(x);
}

static double tanhshrink_df(double x, const double *p)
{
    (void)p;
    double t = tanh(x);
    return t * t;
}

const struct act__desc act__desc_tanhshrink = {
    .info = {.name = "tanhshrink",
             .aliases = "",
             .formula = "x - tanh(x)",
             .range = "(-inf, inf)",
             .derivative = "tanh(x)^2",
             .use = "sparse coding and denoising (LISTA); flat near 0",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = tanhshrink_f,
    .df = tanhshrink_df,
};

static double softshrink_f(double x, const double *p)
{
    double l = p[0];
    if (x > l)
        return x - l;
    return x < -l ? x + l : 0.0;
}

static double shrink_df(double x, const double *p)
{
    return (x >= -p[0] && x <= p[0]) ? 0.0 : 1.0;
}

static void shrink_prep(const double *p, struct act__kc *k)
{
    struct act__kc_shrink c = {.below = act__float_below(p[0])};
    act__split(p[0], &c.hi, &c.lo);
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_softshrink = {
    .info = {.name = "softshrink",
             .aliases = "",
             .formula = "x - lambda for x > lambda, x + lambda for x < -lambda, else 0",
             .range = "(-inf, inf)",
             .derivative = "1 for |x| > lambda, else 0 (0 at +-lambda, as PyTorch)",
             .use = "soft thresholding: sparse codes, wavelet denoising (ISTA)",
             .flags = ACT_PWL,
             .max_ulp = 0.501f,
             .n_params = 1,
             .params = {{"lambda", "lambd", 0.5, ACT_P_NONNEG, "half-width of the dead zone"}}},
    .f = softshrink_f,
    .df = shrink_df,
    .vec = ACT_VEC(softshrink),
    .prep = shrink_prep,
};

static double hardshrink_f(double x, const double *p)
{
    return (x >= -p[0] && x <= p[0]) ? 0.0 : x;
}

const struct act__desc act__desc_hardshrink = {
    .info = {.name = "hardshrink",
             .aliases = "",
             .formula = "x for |x| > lambda, else 0",
             .range = "(-inf, inf)",
             .derivative = "1 for |x| > lambda, else 0",
             .use = "hard thresholding: keep only large activations",
             .flags = ACT_PWL,
             .max_ulp = 0,
             .n_params = 1,
             .params = {{"lambda", "lambd", 0.5, ACT_P_NONNEG, "half-width of the dead zone"}}},
    .f = hardshrink_f,
    .df = shrink_df,
    .vec = ACT_VEC(hardshrink),
    .prep = shrink_prep,
};
