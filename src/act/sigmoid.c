/* The logistic family: sigmoid, log_sigmoid, hard_sigmoid, elliott.
 * sigmoid is built from exp(-|x|), which lies in (0, 1] for every x, and reflected, so it
 * never overflows and keeps full relative accuracy in the tail where it is tiny. */
#include <math.h>

#include "desc.h"
#include "simd/sigmoid.h"

double act__sigmoid(double x)
{
    double e = exp(-fabs(x));
    double s = e / (1.0 + e); /* sigmoid(-|x|) */
    return x > 0 ? 1.0 - s : s;
}

double act__dsigmoid(double x)
{
    double e = exp(-fabs(x)); /* s(1-s) = e/(1+e)^2, symmetric in x */
    return e / ((1.0 + e) * (1.0 + e));
}

double act__softplus(double x)
{
    return fmax(x, 0.0) + log1p(exp(-fabs(x)));
}

static double sigmoid_f(double x, const double *p)
{
    (void)p;
    return act__sigmoid(x);
}

static double sigmoid_df(double x, const double *p)
{
    (void)p;
    return act__dsigmoid(x);
}

const struct act__desc act__desc_sigmoid = {
    .info = {.name = "sigmoid",
             .aliases = "logistic expit",
             .formula = "1 / (1 + exp(-x))",
             .range = "(0, 1)",
             .derivative = "sigmoid(x) * (1 - sigmoid(x)); at most 0.25, at x = 0",
             .use = "binary output (a probability); saturates for |x| > 5, so gradients "
                    "vanish in deep hidden layers",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = sigmoid_f,
    .df = sigmoid_df,
    .vec = ACT_VEC(sigmoid),
};

/* log(sigmoid(x)) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|)) */
static double log_sigmoid_f(double x, const double *p)
{
    (void)p;
    /* -log1p(...) keeps the sign of the true value, -0, where exp(-x) underflows */
    return x > 0 ? -log1p(exp(-x)) : x - log1p(exp(x));
}

static double log_sigmoid_df(double x, const double *p)
{
    (void)p;
    return act__sigmoid(-x);
}

const struct act__desc act__desc_log_sigmoid = {
    .info = {.name = "log_sigmoid",
             .aliases = "",
             .formula = "log(sigmoid(x)) = -softplus(-x)",
             .range = "(-inf, 0)",
             .derivative = "sigmoid(-x) = 1 - sigmoid(x)",
             .use = "log-probabilities of a binary output, e.g. inside a stable "
                    "cross-entropy",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = log_sigmoid_f,
    .df = log_sigmoid_df,
    .vec = ACT_VEC(log_sigmoid),
};

static double hard_sigmoid_f(double x, const double *p)
{
    (void)p;
    return fmin(fmax(x + 3.0, 0.0), 6.0) / 6.0;
}

static double hard_sigmoid_df(double x, const double *p)
{
    (void)p;
    return (x > -3.0 && x < 3.0) ? 1.0 / 6.0 : 0.0;
}

const struct act__desc act__desc_hard_sigmoid = {
    .info = {.name = "hard_sigmoid",
             .aliases = "",
             .formula = "relu6(x + 3) / 6",
             .range = "[0, 1]",
             .derivative = "1/6 for -3 < x < 3, else 0 (0 at x = +-3, as PyTorch)",
             .use = "cheap sigmoid for mobile networks (MobileNetV3) and gates",
             .flags = ACT_PWL,
             .max_ulp = 0.501f},
    .f = hard_sigmoid_f,
    .df = hard_sigmoid_df,
    .vec = ACT_VEC(hard_sigmoid),
};

/* x / (2(1 + |x|)) + 1/2, written for x < 0 as 1 / (2(1 - x)) so that the tail towards 0
 * keeps its relative accuracy instead of cancelling against 1/2. */
static double elliott_f(double x, const double *p)
{
    (void)p;
    if (x < 0)
        return 0.5 / (1.0 - x);
    return isinf(x) ? 1.0 : 0.5 + x / (2.0 * (1.0 + x));
}

static double elliott_df(double x, const double *p)
{
    (void)p;
    double d = 1.0 + fabs(x);
    return 0.5 / (d * d);
}

const struct act__desc act__desc_elliott = {
    .info = {.name = "elliott",
             .aliases = "elliot",
             .formula = "x / (2 (1 + |x|)) + 1/2",
             .range = "(0, 1)",
             .derivative = "1 / (2 (1 + |x|)^2)",
             .use = "sigmoid-shaped output without exp; approaches its limits slowly, so "
                    "it saturates less",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = elliott_f,
    .df = elliott_df,
    .vec = ACT_VEC(elliott),
};
