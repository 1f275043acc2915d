/* Self-gated functions x * g(x): silu (swish), mish and hard_swish. Their value does not
 * determine their input, so the backward works from x. As x -> -inf they go to -0; the
 * product -inf * 0 would be NaN, so the infinities return the limits. */
#include <math.h>

#include "desc.h"
#include "simd/swish.h"

/* At +-inf the gate sigmoid(beta x) goes to 1 (x passes), 0 (a signed zero) or, for
 * beta = 0, stays 1/2. */
static double silu_f(double x, const double *p)
{
    double b = p[0];
    if (isinf(x))
        return b * x > 0 ? x : b == 0 ? x : copysign(0.0, x);
    return x * act__sigmoid(b * x);
}

static double silu_df(double x, const double *p)
{
    double b = p[0];
    if (isinf(x))
        return b * x > 0 ? 1.0 : b == 0 ? 0.5 : 0.0;
    return act__sigmoid(b * x) + b * x * act__dsigmoid(b * x);
}

static void silu_prep(const double *p, struct act__kc *k)
{
    struct act__kc_swish c = {.beta = (float)p[0], .unit = p[0] == 1.0, .beta_d = p[0]};
    ACT__KC_PUT(k, c);
}

const struct act__desc act__desc_silu = {
    .info = {.name = "silu",
             .aliases = "swish",
             .formula = "x * sigmoid(beta * x)",
             .range = "[-0.278, inf) (beta=1)",
             .derivative = "s + beta x s (1 - s), s = sigmoid(beta x)",
             .use = "hidden layers of deep CNNs and LLMs (EfficientNet, LLaMA's SwiGLU): "
                    "smooth, non-monotonic ReLU",
             .flags = ACT_SMOOTH,
             .max_ulp = 2,
             .n_params = 1,
             .params = {{"beta", NULL, 1.0, 0, "sharpness; beta -> inf gives relu"}}},
    .f = silu_f,
    .df = silu_df,
    .vec = ACT_VEC(silu),
    .prep = silu_prep,
};

/* tanh(softplus(x)): softplus never overflows and tanh of it keeps the small values of the
 * left tail exactly, so x * tanh(softplus(x)) is accurate everywhere. */
static double mish_f(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? x : -0.0;
    return x * tanh(act__softplus(x));
}

static double mish_df(double x, const double *p)
{
    (void)p;
    if (isinf(x))
        return x > 0 ? 1.0 : 0.0;
    double sp = act__softplus(x);
    double c = cosh(sp);
    return tanh(sp) + x * act__sigmoid(x) / (c * c);
}

const struct act__desc act__desc_mish = {
    .info = {.name = "mish",
             .aliases = "",
             .formula = "x * tanh(softplus(x))",
             .range = "[-0.309, inf)",
             .derivative = "tanh(sp) + x sigmoid(x) sech^2(sp), sp = softplus(x)",
             .use = "hidden layers of detection CNNs (YOLOv4): smooth, non-monotonic",
             .flags = ACT_SMOOTH,
             .max_ulp = 2},
    .f = mish_f,
    .df = mish_df,
    .vec = ACT_VEC(mish),
};

static double hard_swish_f(double x, const double *p)
{
    (void)p;
    if (x <= -3.0)
        return -0.0; /* x * 0, also at -inf */
    if (x >= 3.0)
        return x;
    return x * (x + 3.0) / 6.0;
}

static double hard_swish_df(double x, const double *p)
{
    (void)p;
    if (x < -3.0)
        return 0.0;
    return x <= 3.0 ? x / 3.0 + 0.5 : 1.0;
}

const struct act__desc act__desc_hard_swish = {
    .info = {.name = "hard_swish",
             .aliases = "",
             .formula = "x * relu6(x + 3) / 6",
             .range = "[-0.375, inf)",
             .derivative = "0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 for x > 3 "
                           "(-1/2 at -3 and 3/2 at 3, as PyTorch)",
             .use = "hidden layers of mobile networks (MobileNetV3): swish without exp",
             .flags = 0,
             .max_ulp = 0.501f},
    .f = hard_swish_f,
    .df = hard_swish_df,
    .vec = ACT_VEC(hard_swish),
};
