/* dense: a fully connected layer, as torch.nn.Linear.
 *
 *   y (batch, out) = x (batch, in) W^T + b,   W (out, in), b (out)
 *
 * Backward, with dy (batch, out):
 *   dW (out, in) += dy^T x,   db += sum over the batch of dy,   dx (batch, in) = dy W.
 * Parameters: W then b in the arena, torch's state_dict order. */
#include <stdio.h>

#include "layer.h"

static int dense_setup(struct nn__layer *l)
{
    if (l->in.ndim != 1) {
        char shape[64];
        nn__format_shape(l->in, shape, sizeof shape);
        return al__fail(AL_ESHAPE,
                        "dense needs a feature vector (F), got %s; put flatten before it",
                        shape);
    }
    size_t in = l->in.d[0], out = l->args.units;
    if (out == 0)
        return al__fail(AL_EINVAL, "dense needs units >= 1");
    size_t nw;
    if (!nn__mul(out, in, &nw) || !nn__add(nw, l->args.bias ? out : 0, &l->n_params))
        return al__fail(AL_EINVAL, "dense: %zu x %zu weights overflow the size type", out, in);
    l->out.ndim = 1;
    l->out.d[0] = out;
    return AL_OK;
}

static void dense_init(struct nn__layer *l, nn_init scheme, al_rng *rng)
{
    size_t in = l->in.d[0], out = l->args.units;
    nn__init_weights(l->w, out * in, in, out, scheme, rng);
    if (l->args.bias)
        nn__init_bias(l->w + out * in, out, in, scheme, rng);
}

static const float *dense_bias_of(const struct nn__layer *l, size_t *channels, size_t *inner)
{
    *channels = l->args.units;
    *inner = 1;
    return l->args.bias ? l->w + l->args.units * l->in.d[0] : NULL;
}

static int dense_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                         int training, al_rng *rng)
{
    (void)training, (void)rng;
    size_t in = l->in.d[0], out = l->args.units;
    nn__gemm(0, 1, batch, out, in, 1.0f, x, in, l->w, in, 0.0f, y, out);
    if (l->args.bias && !l->defer_bias) {
        const float *b = l->w + out * in;
        for (size_t n = 0; n < batch; n++)
            for (size_t o = 0; o < out; o++)
                y[n * out + o] += b[o];
    }
    return AL_OK;
}

static int dense_backward(struct nn__layer *l, const float *x, const float *y, const float *dy,
                          float *dx, size_t batch)
{
    (void)y;
    size_t in = l->in.d[0], out = l->args.units;
    nn__gemm(1, 0, out, in, batch, 1.0f, dy, out, x, in, 1.0f, l->g, in);
    if (l->args.bias) {
        float *db = l->g + out * in;
        for (size_t n = 0; n < batch; n++)
            for (size_t o = 0; o < out; o++)
                db[o] += dy[n * out + o];
    }
    if (dx)
        nn__gemm(0, 0, batch, in, out, 1.0f, dy, out, l->w, in, 0.0f, dx, in);
    return AL_OK;
}

static size_t dense_tensors(const struct nn__layer *l, struct nn__tensor_info t[2])
{
    size_t in = l->in.d[0], out = l->args.units;
    t[0] = (struct nn__tensor_info){"weight", 2, {out, in}, 0};
    if (!l->args.bias)
        return 1;
    t[1] = (struct nn__tensor_info){"bias", 1, {out}, out * in};
    return 2;
}

static int dense_format(const struct nn__layer *l, char *buf, size_t size)
{
    char act[256];
    nn__format_act(&l->args.act, act, sizeof act);
    return snprintf(buf, size, "dense(%zu,activation=%s,bias=%d)", l->args.units, act,
                    l->args.bias);
}

const struct nn__layer_ops nn__layer_dense = {
    .kind = "dense",
    .type_name = "Dense",
    .setup = dense_setup,
    .init_params = dense_init,
    .workspace = NULL,
    .forward = dense_forward,
    .backward = dense_backward,
    .bias_of = dense_bias_of,
    .tensors = dense_tensors,
    .format = dense_format,
};
