/* Sequential models: construction (shape and size checks, one parameter arena,
 * initialisation; the spec parser is spec.c), the buffers, and forward and backward through
 * the layers and their fused activations. The Keras-style summary is model_summary.c.
 *
 * Buffers. Each layer i reads in[i] (the model's copy of the input for the first layer, the
 * previous layer's output after its activation otherwise) and writes pre[i]; a layer with a
 * fused activation has post[i] = act(pre[i]) in a buffer of its own, else post[i] = pre[i].
 * Backward needs all of them, so they all live until the next forward. The gradients flow
 * through two ping-pong buffers as large as the largest activation: every step reads one and
 * writes the other (never the caller's dy), so no kernel sees aliased arguments. Everything
 * is one allocation, sized for the largest batch seen so far: forward allocates only when a
 * batch is larger than every earlier one. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/mem.h"
#include "../core/par.h"
#include "layer.h"
#include "model_access.h"
#include "model_struct.h"
#include "spec.h"
#include "../core/error.h"

static int is_rowwise(const act_spec *a)
{
    const act_info *in = act_get_info(a->kind);
    return in && (in->flags & ACT_ROWWISE);
}

int nn__act_forward(const act_spec *a, nn_shape in, const float *x, float *y, size_t batch)
{
    size_t cols = nn_shape_count(in);
    if (is_rowwise(a))
        return act_forward_rows(a, x, y, batch, cols);
    return act_forward(a, x, y, batch * cols);
}

int nn__act_backward(const act_spec *a, nn_shape in, const float *x, const float *y,
                     const float *dy, float *dx, size_t batch)
{
    size_t cols = nn_shape_count(in);
    if (is_rowwise(a))
        return act_backward_rows(a, x, y, dy, dx, batch, cols);
    return act_backward(a, x, y, dy, dx, batch * cols);
}

/* ---- Construction --------------------------------------------------------------------------
 * In two steps, so that a model described by a file is checked against the file's tensors
 * before anything the size of its parameters exists (files.c): the plan (layers, shapes,
 * counts, the spec text; its size is that of the spec text), then the arena. Every size that
 * comes from the spec or the input shape is checked arithmetic, and bounded by the limits of
 * nn.h, so later products (a layer's loops, batch x per-sample sizes) cannot overflow. */

size_t nn_shape_count(nn_shape s)
{
    size_t n;
    return nn__shape_count(s, &n) ? n : 0;
}

int nn__shape_count(nn_shape s, size_t *n)
{
    *n = 0;
    if (s.ndim < 1 || s.ndim > NN_MAX_DIMS)
        return 0;
    size_t c = 1;
    for (int i = 0; i < s.ndim; i++)
        if (!nn__mul(c, s.d[i], &c))
            return 0;
    *n = c;
    return 1;
}

static int check_input(nn_shape s)
{
    if (s.ndim < 1 || s.ndim > 3)
        return al__fail(AL_EINVAL, "input shape must have 1 to 3 dimensions, got %d", s.ndim);
    for (int i = 0; i < s.ndim; i++)
        if (s.d[i] < 1 || s.d[i] > (1u << 30))
            return al__fail(AL_EINVAL, "input dimension %d is %zu", i, s.d[i]);
    size_t n;
    if (!nn__shape_count(s, &n) || n > NN_MAX_SAMPLE_FLOATS) {
        char shape[96];
        nn__format_shape(s, shape, sizeof shape);
        return al__fail(AL_EINVAL, "input shape %s holds more than %zu values per sample "
                        "(NN_MAX_SAMPLE_FLOATS)", shape, NN_MAX_SAMPLE_FLOATS);
    }
    return AL_OK;
}

static int valid_shape(nn_shape s)
{
    if (s.ndim < 1 || s.ndim > NN_MAX_DIMS)
        return 0;
    for (int i = 0; i < s.ndim; i++)
        if (!s.d[i])
            return 0;
    return 1;
}

/* The sizes of layer i against the limits, before the next layer builds on its output:
 * *floats is what one sample adds to the buffers (reserve). */
static int check_layer_size(const nn_model *m, size_t i, const struct nn__parsed *p,
                            size_t *floats)
{
    const struct nn__layer *l = &m->layers[i];
    const size_t lim = NN_MAX_SAMPLE_FLOATS;
    size_t out, post, ws = 0;
    char shape[96];
    nn__format_shape(l->out, shape, sizeof shape);
    if (!nn__shape_count(l->out, &out) || out > lim)
        return NN__LAYER_FAIL(AL_EINVAL, i, p, "its output %s holds more than %zu values per "
                              "sample (NN_MAX_SAMPLE_FLOATS)", shape, lim);
    if (l->ops->workspace && (ws = l->ops->workspace(l, 1)) > lim)
        return NN__LAYER_FAIL(AL_EINVAL, i, p, "it needs %zu floats of workspace per sample, "
                              "more than %zu (NN_MAX_SAMPLE_FLOATS)", ws, lim);
    if (l->n_params > NN_MAX_PARAMS)
        return NN__LAYER_FAIL(AL_EINVAL, i, p, "%zu parameters are more than a model may have "
                              "(NN_MAX_PARAMS = %zu)", l->n_params, NN_MAX_PARAMS);
    post = l->has_act ? nn_shape_count(m->post_shape[i]) : 0; /* at most out */
    *floats = out + post + ws;
    return AL_OK;
}

/* Sets up layer i after its parse; the error says which layer. */
static int setup_layer(nn_model *m, size_t i, const struct nn__parsed *p, nn_shape in)
{
    struct nn__layer *l = &m->layers[i];
    l->kind = p->kind;
    l->ops = nn__layers[p->kind];
    l->args = p->args;
    l->in = in;
    l->has_act = nn__kind_fuses_act(p->kind) && p->args.act.kind != ACT_IDENTITY;
    int rc = l->ops->setup(l);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", al_last_error());
        return NN__LAYER_FAIL(rc, i, p, "%s", msg);
    }
    if (!valid_shape(l->out))
        return NN__LAYER_FAIL(AL_ESHAPE, i, p, "%s gives an empty output", l->ops->kind);
    nn_shape post = l->out;
    if (l->has_act && is_rowwise(&l->args.act)) {
        char fn[256], shape[64];
        act_format(&l->args.act, fn, sizeof fn);
        nn__format_shape(l->out, shape, sizeof shape);
        size_t cols = l->out.ndim == 1 ? act_out_cols(&l->args.act, l->out.d[0]) : 0;
        if (l->out.ndim != 1)
            return NN__LAYER_FAIL(AL_ESHAPE, i, p,
                              "activation=%s works on rows of features and the output is %s",
                              fn, shape);
        if (!cols)
            return NN__LAYER_FAIL(AL_ESHAPE, i, p, "activation=%s cannot take %zu features", fn,
                              l->out.d[0]);
        post.d[0] = cols;
    }
    m->post_shape[i] = post;
    return AL_OK;
}

static int build_spec_text(nn_model *m)
{
    size_t total = 1;
    for (size_t i = 0; i < m->n_layers; i++)
        total += (size_t)m->layers[i].ops->format(&m->layers[i], NULL, 0) + 1;
    m->spec = malloc(total);
    if (!m->spec)
        return al__fail(AL_ENOMEM, "model: out of memory");
    size_t used = 0;
    for (size_t i = 0; i < m->n_layers; i++) {
        if (i)
            m->spec[used++] = ' ';
        used += (size_t)m->layers[i].ops->format(&m->layers[i], m->spec + used, total - used);
    }
    m->spec[used] = '\0';
    return AL_OK;
}

/* The layers one after the other, each checked before the next builds on its output. */
static int plan_layers(nn_model *m, const struct nn__parsed *layers)
{
    size_t in_floats = nn_shape_count(m->input), biggest = in_floats, floats = in_floats;
    nn_shape cur = m->input;
    for (size_t i = 0; i < m->n_layers; i++) {
        const struct nn__parsed *p = &layers[i];
        size_t f = 0;
        int rc = setup_layer(m, i, p, cur);
        if (!rc)
            rc = check_layer_size(m, i, p, &f);
        if (rc)
            return rc;
        if (!nn__add(m->n_params, m->layers[i].n_params, &m->n_params) ||
            m->n_params > NN_MAX_PARAMS)
            return NN__LAYER_FAIL(AL_EINVAL, i, p, "with it the model has more than %zu "
                                  "parameters (NN_MAX_PARAMS)", NN_MAX_PARAMS);
        cur = m->post_shape[i];
        size_t out = nn_shape_count(m->layers[i].out);
        biggest = out > biggest ? out : biggest;
        if (!nn__add(floats, f, &floats))
            return NN__LAYER_FAIL(AL_EINVAL, i, p, "the buffers of one sample overflow the "
                                  "size type%s", "");
    }
    /* the two gradient buffers (reserve); each term is below NN_MAX_SAMPLE_FLOATS */
    if (!nn__add(floats, 2 * biggest, &m->sample_floats))
        return al__fail(AL_EINVAL, "model: the buffers of one sample overflow the size type");
    return AL_OK;
}

int nn__model_plan(const char *spec, nn_shape input, nn_model **out)
{
    *out = NULL;
    if (!spec)
        return al__fail(AL_EINVAL, "nn_model_create: spec is NULL");
    int rc = check_input(input);
    if (rc)
        return rc;
    char *expanded;
    struct nn__parsed *layers;
    size_t n;
    nn_model *m = NULL;
    if ((rc = nn__spec_parse(spec, &layers, &n, &expanded)))
        goto fail;
    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->n_layers = n;
    m->input = input;
    m->layers = calloc(n, sizeof *m->layers);
    m->post_shape = calloc(n, sizeof *m->post_shape);
    m->pre = calloc(n, sizeof *m->pre);
    m->post = calloc(n, sizeof *m->post);
    if (!m->layers || !m->post_shape || !m->pre || !m->post)
        goto nomem;
    if ((rc = plan_layers(m, layers)) || (rc = build_spec_text(m)))
        goto fail;
    free(layers);
    free(expanded);
    *out = m;
    return AL_OK;

nomem:
    rc = al__fail(AL_ENOMEM, "nn_model_create: out of memory");
fail:
    free(layers);
    free(expanded);
    nn_model_free(m);
    return rc;
}

int nn__model_alloc(nn_model *m, nn_init scheme, al_rng *rng, int init)
{
    /* one allocation: w, g, m, v, all zero until initialised (NN_MAX_PARAMS keeps 4 n_params
     * floats far from overflow) */
    m->w = calloc(m->n_params ? 4 * m->n_params : 1, sizeof *m->w);
    if (!m->w)
        return al__fail(AL_ENOMEM, "model: no memory for %zu parameters", m->n_params);
    m->g = m->w + m->n_params;
    m->m = m->g + m->n_params;
    m->v = m->m + m->n_params;
    size_t off = 0;
    for (size_t i = 0; i < m->n_layers; i++) {
        struct nn__layer *l = &m->layers[i];
        l->w = m->w + off;
        l->g = m->g + off;
        off += l->n_params;
        if (init && l->n_params && l->ops->init_params)
            l->ops->init_params(l, scheme, rng);
    }
    al_rng_seed(&m->rng, al_rng_next(rng));
    return AL_OK;
}

al_status nn_model_create(const char *spec, nn_shape input, nn_init scheme, al_rng *rng,
                    nn_model **out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "nn_model_create: out is NULL");
    *out = NULL;
    if (!spec || !rng)
        return al__fail(AL_EINVAL, "nn_model_create: %s is NULL", spec ? "rng" : "spec");
    if ((unsigned)scheme > NN_INIT_LECUN_NORMAL)
        return al__fail(AL_EINVAL, "nn_model_create: unknown init scheme %d", (int)scheme);
    nn_model *m;
    int rc = nn__model_plan(spec, input, &m);
    if (!rc && (rc = nn__model_alloc(m, scheme, rng, 1)))
        nn_model_free(m);
    if (rc)
        return rc;
    al__clear_error();
    *out = m;
    return AL_OK;
}

void nn_model_free(nn_model *m)
{
    if (!m)
        return;
    free(m->layers);
    free(m->post_shape);
    free(m->pre);
    free(m->post);
    free(m->w);
    free(m->spec);
    free(m->block);
    free(m);
}

nn_shape nn_model_input_shape(const nn_model *m)
{
    return m ? m->input : (nn_shape){0};
}

nn_shape nn_model_output_shape(const nn_model *m)
{
    return m ? m->post_shape[m->n_layers - 1] : (nn_shape){0};
}

size_t nn_model_param_count(const nn_model *m)
{
    return m ? m->n_params : 0;
}

const char *nn_model_spec(const nn_model *m)
{
    return m ? m->spec : "";
}

size_t nn__model_layer_count(const nn_model *m)
{
    return m->n_layers;
}

struct nn__layer *nn__model_layer(const nn_model *m, size_t i)
{
    return &m->layers[i];
}

float *nn__model_moment(const nn_model *m, int which)
{
    return m->n_params ? (which ? m->v : m->m) : NULL;
}

al_rng *nn_model_rng(nn_model *m)
{
    return m ? &m->rng : NULL;
}

size_t nn_params(nn_model *m, float **w, float **g)
{
    if (w)
        *w = m ? m->w : NULL;
    if (g)
        *g = m ? m->g : NULL;
    return m ? m->n_params : 0;
}

void nn_zero_grad(nn_model *m)
{
    if (m)
        memset(m->g, 0, m->n_params * sizeof *m->g);
}

/* ---- Forward and backward ------------------------------------------------------------------ */

/* a += b * c, failing on overflow */
static int add_mul(size_t *a, size_t b, size_t c)
{
    if (c && b > (SIZE_MAX - *a) / c)
        return 0;
    *a += b * c;
    return 1;
}

static int reserve(nn_model *m, size_t batch)
{
    if (batch <= m->cap)
        return AL_OK;
    /* every buffer and workspace below is at most batch x its per-sample size, so this one
     * check keeps all of them (and the callers' batch x count products) from overflowing */
    if (batch > SIZE_MAX / sizeof(float) / m->sample_floats)
        return al__fail(AL_ENOMEM, "nn_forward: a batch of %zu needs %zu floats a sample, "
                        "more than memory can address", batch, m->sample_floats);
    size_t total = 0, biggest = 0;
    int ok = add_mul(&total, nn_shape_count(m->input), batch);
    for (size_t i = 0; i < m->n_layers && ok; i++) {
        const struct nn__layer *l = &m->layers[i];
        size_t pre = nn_shape_count(l->out), post = nn_shape_count(m->post_shape[i]);
        ok = ok && add_mul(&total, pre, batch);
        if (l->has_act)
            ok = ok && add_mul(&total, post, batch);
        if (l->ops->workspace)
            ok = ok && add_mul(&total, l->ops->workspace(l, batch), 1);
        biggest = pre > biggest ? pre : biggest;
        biggest = post > biggest ? post : biggest;
    }
    ok = ok && add_mul(&total, 2 * biggest, batch) && total <= SIZE_MAX / sizeof(float);
    float *block = ok ? malloc(total * sizeof *block) : NULL;
    if (!block)
        return al__fail(AL_ENOMEM, "nn_forward: no memory for the buffers of a batch of %zu",
                        batch);
    al__hint_huge(block, total * sizeof *block);
    free(m->block);
    m->block = block;
    m->cap = batch;
    float *p = block;
    m->x0 = p;
    p += nn_shape_count(m->input) * batch;
    for (size_t i = 0; i < m->n_layers; i++) {
        struct nn__layer *l = &m->layers[i];
        m->pre[i] = p;
        p += nn_shape_count(l->out) * batch;
        m->post[i] = m->pre[i];
        if (l->has_act) {
            m->post[i] = p;
            p += nn_shape_count(m->post_shape[i]) * batch;
        }
        l->scratch = p;
        if (l->ops->workspace)
            p += l->ops->workspace(l, batch);
    }
    m->grad[0] = p;
    m->grad[1] = p + biggest * batch;
    return AL_OK;
}

static int forward(nn_model *m, const float *x, float *y, size_t batch, int training);
static int backward(nn_model *m, const float *dy, float *dx);

/* The passes run the activation kernels serially beside pthread OpenBLAS (core/par.h). */
al_status nn_forward(nn_model *m, const float *x, float *y, size_t batch, int training)
{
    AL_API_ENTRY;
    int was = al__par_allow(nn__omp_loops());
    int rc = forward(m, x, y, batch, training);
    al__par_allow(was);
    return rc;
}

al_status nn_backward(nn_model *m, const float *dy, float *dx)
{
    AL_API_ENTRY;
    int was = al__par_allow(nn__omp_loops());
    int rc = backward(m, dy, dx);
    al__par_allow(was);
    return rc;
}

static int forward(nn_model *m, const float *x, float *y, size_t batch, int training)
{
    if (!m || !x || !y || !batch)
        return al__fail(AL_EINVAL, "nn_forward: %s", !m ? "model is NULL"
                                                     : !batch ? "batch is 0"
                                                              : "NULL array");
    int rc = reserve(m, batch);
    if (rc)
        return rc;
    m->batch = 0;
    memcpy(m->x0, x, nn_shape_count(m->input) * batch * sizeof *x);
    const float *in = m->x0;
    for (size_t i = 0; i < m->n_layers; i++) {
        struct nn__layer *l = &m->layers[i];
        l->training = training != 0;
        size_t ch = 0, inner = 0;
        const float *b = l->has_act && l->ops->bias_of ? l->ops->bias_of(l, &ch, &inner) : NULL;
        l->defer_bias = b != NULL;
        l->act_out = l->has_act && l->ops->writes_act ? m->post[i] : NULL;
        if ((rc = l->ops->forward(l, in, m->pre[i], batch, l->training, &m->rng)))
            return rc;
        if (b)
            rc = act_forward_bias(&l->args.act, m->pre[i], b, m->post[i], batch, ch, inner);
        else if (l->has_act && !l->act_out)
            rc = nn__act_forward(&l->args.act, l->out, m->pre[i], m->post[i], batch);
        if (rc)
            return rc;
        in = m->post[i];
    }
    memcpy(y, in, nn_shape_count(m->post_shape[m->n_layers - 1]) * batch * sizeof *y);
    m->batch = batch;
    return AL_OK;
}

static int backward(nn_model *m, const float *dy, float *dx)
{
    if (!m || !dy)
        return al__fail(AL_EINVAL, "nn_backward: %s is NULL", m ? "dy" : "model");
    if (!m->batch)
        return al__fail(AL_EINVAL, "nn_backward: no forward pass to differentiate");
    size_t batch = m->batch;
    const float *cur = dy;
    int rc;
    for (size_t i = m->n_layers; i-- > 0;) {
        struct nn__layer *l = &m->layers[i];
        float *next = cur == m->grad[0] ? m->grad[1] : m->grad[0];
        if (l->has_act) {
            if ((rc = nn__act_backward(&l->args.act, l->out, m->pre[i], m->post[i], cur, next,
                                       batch)))
                return rc;
            cur = next;
            next = cur == m->grad[0] ? m->grad[1] : m->grad[0];
        }
        const float *in = i ? m->post[i - 1] : m->x0;
        float *din = i ? next : dx;
        if ((rc = l->ops->backward(l, in, m->pre[i], cur, din, batch)))
            return rc;
        cur = din;
    }
    return AL_OK;
}
