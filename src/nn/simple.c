/* The layers without a matrix product: flatten, dropout, activation, prelu, maxout. */
#include <stdio.h>
#include <string.h>

#include "layer.h"

static size_t count_of(nn_shape s)
{
    return nn_shape_count(s);
}

/* ---- flatten: (C, H, W) -> (C*H*W), C order, so a copy ------------------------------------ */

static int flatten_setup(struct nn__layer *l)
{
    l->out.ndim = 1;
    if (!nn__shape_count(l->in, &l->out.d[0]))
        return al__fail(AL_EINVAL, "flatten: the input has more values than the size type "
                        "holds");
    l->n_params = 0;
    return AL_OK;
}

/* A copy from src to dst over the OpenMP threads when it is large (a LeNet-5 batch's 6 MB:
 * at 2 threads one thread copying alone was a step's largest serial part). */
struct copy_job {
    float *dst;
    const float *src;
};

static void copy_block(void *ctx, size_t at, size_t len)
{
    const struct copy_job *j = ctx;
    memcpy(j->dst + at, j->src + at, len * sizeof *j->dst);
}

static void copy(float *dst, const float *src, size_t n)
{
    struct copy_job j = {dst, src};
    nn__for_blocks(n, (size_t)1 << 16, 4, copy_block, &j);
}

static int flatten_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                           int training, al_rng *rng)
{
    (void)training, (void)rng;
    copy(y, x, batch * count_of(l->in));
    return AL_OK;
}

static int flatten_backward(struct nn__layer *l, const float *x, const float *y,
                            const float *dy, float *dx, size_t batch)
{
    (void)x, (void)y;
    if (dx)
        copy(dx, dy, batch * count_of(l->in));
    return AL_OK;
}

static int flatten_format(const struct nn__layer *l, char *buf, size_t size)
{
    (void)l;
    return snprintf(buf, size, "flatten");
}

const struct nn__layer_ops nn__layer_flatten = {
    .kind = "flatten",
    .type_name = "Flatten",
    .setup = flatten_setup,
    .forward = flatten_forward,
    .backward = flatten_backward,
    .format = flatten_format,
};

/* ---- dropout: inverted dropout, as torch.nn.Dropout -------------------------------------
 * Training: each value is kept with probability 1 - rate and scaled by 1 / (1 - rate), so
 * the expected output equals the input and inference is the identity. The mask (0 or the
 * scale) stays in the scratch for backward: dx = dy * mask. */

static int dropout_setup(struct nn__layer *l)
{
    double r = l->args.rate;
    if (!(r >= 0.0 && r < 1.0))
        return al__fail(AL_EINVAL, "dropout rate must be in [0, 1), got %g", r);
    l->out = l->in;
    l->n_params = 0;
    return AL_OK;
}

static size_t dropout_workspace(const struct nn__layer *l, size_t batch)
{
    return batch * count_of(l->in);
}

static int dropout_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                           int training, al_rng *rng)
{
    size_t n = batch * count_of(l->in);
    double rate = l->args.rate;
    if (!training || rate == 0.0) {
        memcpy(y, x, n * sizeof *y);
        return AL_OK;
    }
    float scale = (float)(1.0 / (1.0 - rate)), *mask = l->scratch;
    for (size_t i = 0; i < n; i++) {
        mask[i] = al_rng_uniform(rng) < rate ? 0.0f : scale;
        y[i] = x[i] * mask[i];
    }
    return AL_OK;
}

static int dropout_backward(struct nn__layer *l, const float *x, const float *y,
                            const float *dy, float *dx, size_t batch)
{
    (void)x, (void)y;
    if (!dx)
        return AL_OK;
    size_t n = batch * count_of(l->in);
    if (!l->training || l->args.rate == 0.0) {
        memcpy(dx, dy, n * sizeof *dx);
        return AL_OK;
    }
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] * l->scratch[i];
    return AL_OK;
}

static int dropout_format(const struct nn__layer *l, char *buf, size_t size)
{
    char rate[40];
    nn__format_double(l->args.rate, rate, sizeof rate);
    return snprintf(buf, size, "dropout(%s)", rate);
}

const struct nn__layer_ops nn__layer_dropout = {
    .kind = "dropout",
    .type_name = "Dropout",
    .setup = dropout_setup,
    .workspace = dropout_workspace,
    .forward = dropout_forward,
    .backward = dropout_backward,
    .format = dropout_format,
};

/* ---- activation(FUNC) and maxout(k): any function of the act library --------------------
 * Elementwise functions apply to any shape; row-wise ones (softmax, glu, maxout, ...) to
 * feature vectors (F), one row per sample, and may change the width (act_out_cols). */

static int act_setup(struct nn__layer *l, const char *what)
{
    const act_info *info = act_get_info(l->args.act.kind);
    l->n_params = 0;
    if (!info)
        return al__fail(AL_EINVAL, "%s: no activation function", what);
    if (!(info->flags & ACT_ROWWISE)) {
        l->out = l->in;
        return AL_OK;
    }
    char shape[64], fn[256];
    nn__format_shape(l->in, shape, sizeof shape);
    act_format(&l->args.act, fn, sizeof fn);
    if (l->in.ndim != 1)
        return al__fail(AL_ESHAPE,
                        "%s works on rows and needs a feature vector (F), got %s; put flatten "
                        "before it",
                        fn, shape);
    size_t cols = act_out_cols(&l->args.act, l->in.d[0]);
    if (!cols)
        return al__fail(AL_ESHAPE, "%s cannot take %zu features%s", fn, l->in.d[0],
                        l->args.act.kind == ACT_MAXOUT ? " (not a multiple of k)"
                                                       : " (not an even number)");
    l->out.ndim = 1;
    l->out.d[0] = cols;
    return AL_OK;
}

static int activation_setup(struct nn__layer *l)
{
    return act_setup(l, "activation");
}

static int act_layer_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                             int training, al_rng *rng)
{
    (void)training, (void)rng;
    return nn__act_forward(&l->args.act, l->in, x, y, batch);
}

static int act_layer_backward(struct nn__layer *l, const float *x, const float *y,
                              const float *dy, float *dx, size_t batch)
{
    if (!dx)
        return AL_OK;
    return nn__act_backward(&l->args.act, l->in, x, y, dy, dx, batch);
}

static int activation_format(const struct nn__layer *l, char *buf, size_t size)
{
    char act[256];
    nn__format_act(&l->args.act, act, sizeof act);
    return snprintf(buf, size, "activation(%s)", act);
}

const struct nn__layer_ops nn__layer_activation = {
    .kind = "activation",
    .type_name = "Activation",
    .setup = activation_setup,
    .forward = act_layer_forward,
    .backward = act_layer_backward,
    .format = activation_format,
};

static int maxout_setup(struct nn__layer *l)
{
    if (l->args.units < 1 || l->args.units > 65536)
        return al__fail(AL_EINVAL, "maxout needs k from 1 to 65536, got %zu", l->args.units);
    act_init(&l->args.act, ACT_MAXOUT);
    l->args.act.p[0] = (double)l->args.units;
    if (l->in.ndim != 1) {
        char shape[64];
        nn__format_shape(l->in, shape, sizeof shape);
        return al__fail(AL_ESHAPE, "maxout needs a feature vector (F), got %s; put flatten "
                                   "before it", shape);
    }
    if (l->in.d[0] % l->args.units)
        return al__fail(AL_ESHAPE, "maxout(%zu) needs a multiple of %zu features, got %zu",
                        l->args.units, l->args.units, l->in.d[0]);
    return act_setup(l, "maxout");
}

static int maxout_format(const struct nn__layer *l, char *buf, size_t size)
{
    return snprintf(buf, size, "maxout(%zu)", l->args.units);
}

const struct nn__layer_ops nn__layer_maxout = {
    .kind = "maxout",
    .type_name = "Maxout",
    .setup = maxout_setup,
    .forward = act_layer_forward,
    .backward = act_layer_backward,
    .format = maxout_format,
};

/* ---- prelu: y = x > 0 ? x : a_c x, as torch.nn.PReLU(num_parameters) ---------------------
 * One learnable slope per channel (dim 1 of the batch: C of (C, H, W), F of (F)) or one
 * shared by all (channels = 1). Gradients: dx = x > 0 ? dy : a dy; da_c += sum of x dy over
 * the channel's values with x <= 0 (torch's rule, x = 0 included). */

static int prelu_setup(struct nn__layer *l)
{
    size_t c = l->args.channels, have = l->in.d[0];
    if (c != 1 && c != have)
        return al__fail(AL_ESHAPE,
                        "prelu(channels=%zu) needs 1 (one shared slope) or the input's "
                        "channels, %zu",
                        c, have);
    l->out = l->in;
    l->n_params = c;
    return AL_OK;
}

static void prelu_init(struct nn__layer *l, nn_init scheme, al_rng *rng)
{
    (void)scheme, (void)rng;
    for (size_t i = 0; i < l->n_params; i++)
        l->w[i] = (float)l->args.init;
}

static int prelu_forward(struct nn__layer *l, const float *x, float *y, size_t batch,
                         int training, al_rng *rng)
{
    (void)training, (void)rng;
    size_t ch = l->in.d[0], inner = count_of(l->in) / ch, shared = l->n_params == 1;
    for (size_t n = 0; n < batch; n++)
        for (size_t c = 0; c < ch; c++) {
            float a = l->w[shared ? 0 : c];
            size_t base = (n * ch + c) * inner;
            for (size_t j = 0; j < inner; j++) {
                float v = x[base + j];
                y[base + j] = v > 0.0f ? v : a * v;
            }
        }
    return AL_OK;
}

static int prelu_backward(struct nn__layer *l, const float *x, const float *y, const float *dy,
                          float *dx, size_t batch)
{
    (void)y;
    size_t ch = l->in.d[0], inner = count_of(l->in) / ch, shared = l->n_params == 1;
    for (size_t c = 0; c < ch; c++) {
        float a = l->w[shared ? 0 : c];
        double ga = 0.0;
        for (size_t n = 0; n < batch; n++) {
            size_t base = (n * ch + c) * inner;
            for (size_t j = 0; j < inner; j++) {
                float v = x[base + j], d = dy[base + j];
                if (v <= 0.0f)
                    ga += (double)v * d;
                if (dx)
                    dx[base + j] = v > 0.0f ? d : a * d;
            }
        }
        l->g[shared ? 0 : c] += (float)ga;
    }
    return AL_OK;
}

static size_t prelu_tensors(const struct nn__layer *l, struct nn__tensor_info t[2])
{
    t[0] = (struct nn__tensor_info){"weight", 1, {l->n_params}, 0};
    return 1;
}

static int prelu_format(const struct nn__layer *l, char *buf, size_t size)
{
    char init[40];
    nn__format_double(l->args.init, init, sizeof init);
    return snprintf(buf, size, "prelu(channels=%zu,init=%s)", l->args.channels, init);
}

const struct nn__layer_ops nn__layer_prelu = {
    .kind = "prelu",
    .type_name = "PReLU",
    .setup = prelu_setup,
    .init_params = prelu_init,
    .forward = prelu_forward,
    .backward = prelu_backward,
    .tensors = prelu_tensors,
    .format = prelu_format,
};
