/* Weight initialisation. Every scheme draws from the caller's generator in parameter order
 * (weights, then biases), so a seed fixes the whole model.
 *
 * NN_INIT_DEFAULT is what torch.nn.Linear and Conv2d do in reset_parameters():
 * kaiming_uniform_(w, a = sqrt(5)) has bound gain * sqrt(3 / fan_in) with
 * gain = sqrt(2 / (1 + a^2)) = sqrt(1/3), i.e. bound 1/sqrt(fan_in), and the bias is
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)). The others are Keras' names with the textbook formulas
 * (He and LeCun normal without Keras' truncation), biases zero as in Keras. */
#include <math.h>
#include <string.h>

#include "layer.h"

void nn__init_uniform(float *w, size_t n, double bound, al_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = (float)((2.0 * al_rng_uniform(rng) - 1.0) * bound);
}

void nn__init_normal(float *w, size_t n, double std, al_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(al_rng_normal(rng) * std);
}

void nn__init_weights(float *w, size_t n, size_t fan_in, size_t fan_out, nn_init scheme,
                      al_rng *rng)
{
    double in = (double)fan_in, out = (double)fan_out;
    switch (scheme) {
    case NN_INIT_GLOROT_UNIFORM:
        nn__init_uniform(w, n, sqrt(6.0 / (in + out)), rng);
        break;
    case NN_INIT_HE_NORMAL:
        nn__init_normal(w, n, sqrt(2.0 / in), rng);
        break;
    case NN_INIT_HE_UNIFORM:
        nn__init_uniform(w, n, sqrt(6.0 / in), rng);
        break;
    case NN_INIT_LECUN_NORMAL:
        nn__init_normal(w, n, sqrt(1.0 / in), rng);
        break;
    case NN_INIT_DEFAULT:
    default:
        nn__init_uniform(w, n, 1.0 / sqrt(in), rng);
        break;
    }
}

void nn__init_bias(float *b, size_t n, size_t fan_in, nn_init scheme, al_rng *rng)
{
    if (scheme == NN_INIT_DEFAULT)
        nn__init_uniform(b, n, 1.0 / sqrt((double)fan_in), rng);
    else
        memset(b, 0, n * sizeof *b);
}
