/* Gradient norms and dead units per weighted layer (include/actlab/diag.h).
 *
 * The model keeps its pre-activations private (model.c), so the dead-unit pass runs the
 * layers itself through the layer contract (layer.h): each layer's forward with its bias
 * applied in place and no fused activation, then the activation through nn__act_forward,
 * into buffers of its own. That pass borrows the layers' scratch, which the model sizes on
 * a forward of the same batch first; a last nn_forward and nn_backward then leave the model
 * exactly as a plain forward and backward of the batch would. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/par.h"
#include "actlab/diag.h"
#include "model_access.h"
#include "../core/error.h"

int nn_diag_relu_family(act_kind k)
{
    return k == ACT_RELU || k == ACT_RELU6 || k == ACT_LEAKY_RELU || k == ACT_PRELU ||
           k == ACT_RRELU;
}

static int weighted(const struct nn__layer *l)
{
    return l->kind == NN_LAYER_DENSE || l->kind == NN_LAYER_CONV2D;
}

size_t nn_diag_count(const nn_model *m)
{
    size_t n = 0, layers = m ? nn__model_layer_count(m) : 0;
    for (size_t i = 0; i < layers; i++)
        n += weighted(nn__model_layer(m, i));
    return n;
}

/* The activation applied to layer i's output: its fused one, else an activation layer right
 * after it; NULL when neither. */
static const act_spec *act_after(const nn_model *m, size_t i)
{
    const struct nn__layer *l = nn__model_layer(m, i);
    if (l->has_act)
        return &l->args.act;
    if (i + 1 < nn__model_layer_count(m)) {
        const struct nn__layer *next = nn__model_layer(m, i + 1);
        if (next->kind == NN_LAYER_ACTIVATION)
            return &next->args.act;
    }
    return NULL;
}

static int counts_dead(const nn_model *m, size_t i)
{
    const act_spec *a = act_after(m, i);
    return weighted(nn__model_layer(m, i)) && a && nn_diag_relu_family(a->kind);
}

/* Units of a weighted layer whose pre-activation y (batch, out...) is <= 0 everywhere. */
static size_t dead_units(const struct nn__layer *l, const float *y, size_t batch)
{
    size_t per = nn_shape_count(l->out), units = l->out.d[0], inner = per / units, dead = 0;
    for (size_t u = 0; u < units; u++) {
        int alive = 0;
        for (size_t n = 0; n < batch && !alive; n++) {
            const float *p = y + n * per + u * inner;
            for (size_t k = 0; k < inner && !alive; k++)
                alive = !(p[k] <= 0.0f); /* NaN is alive */
        }
        dead += !alive;
    }
    return dead;
}

/* Floats of layer i's output after its fused activation. */
static size_t post_count(const struct nn__layer *l)
{
    const act_info *info = act_get_info(l->args.act.kind);
    if (l->has_act && info && (info->flags & ACT_ROWWISE) && l->out.ndim == 1)
        return act_out_cols(&l->args.act, l->out.d[0]);
    return nn_shape_count(l->out);
}

/* Runs layers 0..last on x and records dead units into out (entries in weighted order).
 * The model's buffers must already hold a batch this size (scratch). */
static int dead_pass(nn_model *m, const float *x, size_t batch, size_t last,
                     nn_diag_layer *out)
{
    size_t biggest = 1;
    for (size_t i = 0; i <= last; i++) {
        const struct nn__layer *l = nn__model_layer(m, i);
        size_t pre = nn_shape_count(l->out), post = post_count(l);
        biggest = pre > biggest ? pre : biggest;
        biggest = post > biggest ? post : biggest;
    }
    if (batch > SIZE_MAX / sizeof(float) / 2 / biggest)
        return al__fail(AL_ENOMEM, "diagnostics: a batch of %zu is too large", batch);
    float *block = malloc(2 * biggest * batch * sizeof *block);
    if (!block)
        return al__fail(AL_ENOMEM, "diagnostics: no memory for a batch of %zu", batch);
    float *buf[2] = {block, block + biggest * batch};
    const float *in = x;
    int rc = AL_OK;
    for (size_t i = 0, w = 0; i <= last && !rc; i++) {
        struct nn__layer *l = nn__model_layer(m, i);
        float *pre = in == buf[0] ? buf[1] : buf[0];
        float *post = pre == buf[0] ? buf[1] : buf[0]; /* may be in: spent once pre exists */
        int defer = l->defer_bias, training = l->training;
        float *act_out = l->act_out;
        l->defer_bias = 0, l->act_out = NULL, l->training = 0;
        rc = l->ops->forward(l, in, pre, batch, 0, nn_model_rng(m));
        l->defer_bias = defer, l->act_out = act_out, l->training = training;
        if (rc)
            break;
        if (weighted(l)) {
            if (counts_dead(m, i)) {
                out[w].dead = dead_units(l, pre, batch);
                out[w].dead_fraction = (double)out[w].dead / (double)out[w].units;
            }
            w++;
        }
        in = pre;
        if (l->has_act) {
            rc = nn__act_forward(&l->args.act, l->out, pre, post, batch);
            in = post;
        }
    }
    free(block);
    return rc;
}

static double weight_norm(const struct nn__layer *l)
{
    struct nn__tensor_info t[2];
    size_t n = l->ops->tensors(l, t);
    double s = 0.0;
    for (size_t j = 0; j < n; j++) {
        if (strcmp(t[j].name, "weight") != 0)
            continue;
        size_t count = 1;
        for (int d = 0; d < t[j].ndim; d++)
            count *= t[j].shape[d];
        const float *g = l->g + t[j].offset;
        for (size_t k = 0; k < count; k++)
            s += (double)g[k] * (double)g[k];
    }
    return sqrt(s);
}

al_status nn_diagnose(nn_model *m, const float *x, const void *target, size_t batch,
                const nn_loss *loss, nn_diag_layer *out, size_t n_out, double *loss_value)
{
    AL_API_ENTRY;
    if (!m || !x || !target || !loss || !out || !batch)
        return al__fail(AL_EINVAL, "nn_diagnose: %s", !batch ? "batch is 0" : "NULL argument");
    size_t count = nn_diag_count(m), layers = nn__model_layer_count(m), last = SIZE_MAX;
    if (n_out < count)
        return al__fail(AL_EINVAL, "nn_diagnose: the model has %zu weighted layers, room for "
                                   "%zu", count, n_out);
    for (size_t i = 0, w = 0; i < layers; i++) {
        const struct nn__layer *l = nn__model_layer(m, i);
        if (!weighted(l))
            continue;
        out[w] = (nn_diag_layer){.layer = i + 1, .units = l->out.d[0],
                                 .relu_family = counts_dead(m, i), .dead_fraction = NAN};
        last = counts_dead(m, i) ? i : last;
        w++;
    }
    size_t width = nn_shape_count(nn_model_output_shape(m));
    if (batch > SIZE_MAX / sizeof(float) / 2 / width)
        return al__fail(AL_ENOMEM, "nn_diagnose: a batch of %zu is too large", batch);
    float *y = malloc(2 * width * batch * sizeof *y), *dy = y + width * batch;
    if (!y)
        return al__fail(AL_ENOMEM, "nn_diagnose: no memory for a batch of %zu", batch);
    double lv = NAN;
    int rc = AL_OK;
    if (last != SIZE_MAX) { /* the first forward sizes the scratch the dead pass borrows */
        rc = nn_forward(m, x, y, batch, 0);
        if (!rc) {
            int was = al__par_allow(nn__omp_loops());
            rc = dead_pass(m, x, batch, last, out);
            al__par_allow(was);
        }
    }
    if (!rc)
        rc = nn_forward(m, x, y, batch, 0);
    if (!rc)
        rc = nn_loss_eval(loss, y, target, batch, width, &lv, dy);
    if (!rc) {
        nn_zero_grad(m);
        rc = nn_backward(m, dy, NULL);
    }
    for (size_t i = 0, w = 0; !rc && i < layers; i++)
        if (weighted(nn__model_layer(m, i)))
            out[w++].grad_norm = weight_norm(nn__model_layer(m, i));
    free(y);
    if (!rc && loss_value)
        *loss_value = lv;
    return rc;
}
