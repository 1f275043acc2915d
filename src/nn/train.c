#define _POSIX_C_SOURCE 200809L /* clock_gettime */
/* The fit loop: shuffle, gather a batch, forward, loss, backward, optimizer step; then
 * validation. Batch buffers are allocated once per call, before the first batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/error.h"
#include "actlab/train.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* What the loss needs per sample, and the batch buffers. */
struct batcher {
    size_t in, width;      /* floats per input sample, outputs per sample */
    size_t cap;
    float *x, *y, *dy;     /* cap * in, cap * width, cap * width */
    void *t;               /* targets: cap int64 (sparse) or cap * width floats */
    int sparse;
};

static int batcher_init(struct batcher *b, nn_model *m, const nn_loss *l, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->in = nn_shape_count(nn_model_input_shape(m));
    b->width = nn_shape_count(nn_model_output_shape(m));
    b->cap = cap;
    b->sparse = l->kind == NN_LOSS_SPARSE_CCE;
    size_t per = b->in > b->width ? b->in : b->width; /* floats; a label takes 2 */
    if (cap > SIZE_MAX / sizeof(float) / (per > 2 ? per : 2))
        return al__fail(AL_ENOMEM, "training: batches of %zu are too large", cap);
    b->x = malloc(cap * b->in * sizeof *b->x);
    b->y = malloc(cap * b->width * sizeof *b->y);
    b->dy = malloc(cap * b->width * sizeof *b->dy);
    b->t = malloc(cap * (b->sparse ? sizeof(int64_t) : b->width * sizeof(float)));
    if (!b->x || !b->y || !b->dy || !b->t)
        return al__fail(AL_ENOMEM, "training: no memory for batches of %zu", cap);
    return AL_OK;
}

static void batcher_free(struct batcher *b)
{
    free(b->x), free(b->y), free(b->dy), free(b->t);
}

static int check_set(const char *what, const data_set *s, const struct batcher *b,
                     const nn_loss *l)
{
    if (!s->x.data || s->x.dtype != DATA_F32 || s->x.ndim < 2 ||
        data_array_count(&s->x) != s->x.shape[0] * b->in)
        return al__fail(AL_ESHAPE, "%s data: x must be float32 with %zu values per sample",
                        what, b->in);
    size_t n = s->x.shape[0];
    if (!s->y.data || s->y.shape[0] != n)
        return al__fail(AL_ESHAPE, "%s data: %zu targets for %zu samples", what,
                        s->y.data ? s->y.shape[0] : 0, n);
    int labels = s->y.dtype == DATA_I64;
    if (labels && data_array_count(&s->y) != n)
        return al__fail(AL_ESHAPE, "%s data: labels must be (N,)", what);
    if (!labels && (s->y.dtype != DATA_F32 || data_array_count(&s->y) != n * b->width))
        return al__fail(AL_ESHAPE, "%s data: targets must be float32 with %zu per sample (the "
                                   "model's output)", what, b->width);
    if (b->sparse && !labels)
        return al__fail(AL_EINVAL, "sparse_categorical_crossentropy needs integer class labels");
    if (labels && l->kind != NN_LOSS_SPARSE_CCE && l->kind != NN_LOSS_CCE &&
        l->kind != NN_LOSS_BCE)
        return al__fail(AL_EINVAL, "%s data has class labels: use a cross-entropy loss", what);
    if (labels && l->kind == NN_LOSS_BCE && b->width != 1)
        return al__fail(AL_ESHAPE, "binary_crossentropy on labels needs 1 output, not %zu",
                        b->width);
    if (labels) {
        const int64_t *y = s->y.data;
        size_t classes = l->kind == NN_LOSS_BCE ? 2 : b->width;
        for (size_t i = 0; i < n; i++)
            if (y[i] < 0 || (size_t)y[i] >= classes)
                return al__fail(AL_EINVAL, "%s data: label %lld of sample %zu is not a class "
                                           "of the model's %zu", what, (long long)y[i], i,
                                classes);
    }
    return AL_OK;
}

/* Gathers samples rows[0..k) (or start..start+k when rows is NULL) into the batch. */
static void gather(struct batcher *b, const data_set *s, const size_t *rows, size_t start,
                   size_t k)
{
    const float *x = s->x.data;
    for (size_t i = 0; i < k; i++) {
        size_t r = rows ? rows[i] : start + i;
        memcpy(b->x + i * b->in, x + r * b->in, b->in * sizeof *b->x);
        if (s->y.dtype == DATA_I64) {
            int64_t c = ((const int64_t *)s->y.data)[r];
            if (b->sparse) {
                ((int64_t *)b->t)[i] = c;
            } else if (b->width == 1) {
                ((float *)b->t)[i] = (float)c;
            } else {
                float *t = (float *)b->t + i * b->width;
                memset(t, 0, b->width * sizeof *t);
                t[c] = 1.0f;
            }
        } else {
            memcpy((float *)b->t + i * b->width, (const float *)s->y.data + r * b->width,
                   b->width * sizeof(float));
        }
    }
}

/* correct predictions in the batch: argmax (or > threshold for one output) vs the label */
static size_t correct(const struct batcher *b, const data_set *s, const size_t *rows,
                      size_t start, size_t k, const nn_loss *l)
{
    if (s->y.dtype != DATA_I64)
        return 0;
    size_t hits = 0;
    for (size_t i = 0; i < k; i++) {
        const float *y = b->y + i * b->width;
        int64_t label = ((const int64_t *)s->y.data)[rows ? rows[i] : start + i], guess = 0;
        if (b->width == 1) {
            guess = y[0] > (l->from_logits ? 0.0f : 0.5f);
        } else {
            for (size_t j = 1; j < b->width; j++)
                if (y[j] > y[guess])
                    guess = (int64_t)j;
        }
        hits += guess == label;
    }
    return hits;
}

static int evaluate(nn_model *m, const data_set *s, const nn_loss *l, struct batcher *b,
                    double *loss, double *acc)
{
    size_t n = s->x.shape[0], hits = 0;
    double sum = 0;
    for (size_t start = 0; start < n; start += b->cap) {
        size_t k = n - start < b->cap ? n - start : b->cap;
        double bl;
        gather(b, s, NULL, start, k);
        int rc = nn_forward(m, b->x, b->y, k, 0);
        if (!rc)
            rc = nn_loss_eval(l, b->y, b->t, k, b->width, &bl, NULL);
        if (rc)
            return rc;
        sum += bl * (double)k;
        hits += correct(b, s, NULL, start, k, l);
    }
    *loss = n ? sum / (double)n : NAN;
    *acc = s->y.dtype == DATA_I64 && n ? (double)hits / (double)n : NAN;
    return AL_OK;
}

int nn_evaluate(nn_model *m, const data_set *s, const nn_loss *l, size_t batch, double *loss,
                double *acc)
{
    struct batcher b;
    if (!m || !s || !l || !batch)
        return al__fail(AL_EINVAL, "nn_evaluate: NULL argument or zero batch");
    size_t n = s->x.ndim ? s->x.shape[0] : 0;
    if (batch > n) /* as nn_fit: no buffers beyond the set's size */
        batch = n ? n : 1;
    int rc = batcher_init(&b, m, l, batch);
    if (!rc)
        rc = check_set("evaluation", s, &b, l);
    if (!rc)
        rc = evaluate(m, s, l, &b, loss, acc);
    batcher_free(&b);
    return rc;
}

int nn_fit(nn_model *m, const data_set *train, const data_set *val, const nn_fit_config *c,
           nn_epoch_stats *history)
{
    if (!m || !train || !c || !c->opt || (!c->batch && !c->n_batches) || c->epochs < 0)
        return al__fail(AL_EINVAL, "nn_fit: NULL argument, zero batch or negative epochs");
    if (c->shuffle && !c->rng)
        return al__fail(AL_EINVAL, "nn_fit: shuffling needs an rng");
    int has_val = val && val->x.data;
    size_t n = train->x.ndim ? train->x.shape[0] : 0;
    /* batch b covers order[start(b) .. start(b + 1)) */
    size_t batches = c->n_batches ? c->n_batches : data_batch_count(n, c->batch);
    size_t cap = c->n_batches ? data_split_start(n, batches, 1) : c->batch;
    if (cap > n || !cap)
        cap = n ? n : 1;
    struct batcher b;
    int rc = batcher_init(&b, m, &c->loss, cap);
    if (!rc)
        rc = check_set("training", train, &b, &c->loss);
    if (!rc && has_val)
        rc = check_set("validation", val, &b, &c->loss);
    size_t *order = rc ? NULL : malloc((n ? n : 1) * sizeof *order);
    if (!rc && !order)
        rc = al__fail(AL_ENOMEM, "training: no memory for the sample order");
    for (long e = 1; !rc && e <= c->epochs; e++) {
        double t0 = now(), sum = 0;
        size_t hits = 0;
        rc = data_epoch_order(n, c->shuffle ? c->rng : NULL, order);
        for (size_t bi = 0; !rc && bi < batches; bi++) {
            size_t start = c->n_batches ? data_split_start(n, batches, bi) : bi * c->batch;
            size_t end = c->n_batches ? data_split_start(n, batches, bi + 1)
                                      : (n - start < c->batch ? n : start + c->batch);
            size_t k = end - start;
            if (!k)
                continue; /* array_split gives empty batches when k > n */
            double bl;
            gather(&b, train, order + start, 0, k);
            nn_zero_grad(m);
            rc = nn_forward(m, b.x, b.y, k, 1);
            if (!rc)
                rc = nn_loss_eval(&c->loss, b.y, b.t, k, b.width, &bl, b.dy);
            if (!rc && !isfinite(bl))
                rc = al__fail(AL_EINVAL, "epoch %ld, batch %zu: the loss is %s; lower the "
                                         "learning rate?", e, bi + 1, isnan(bl) ? "NaN" : "inf");
            if (!rc)
                rc = nn_backward(m, b.dy, NULL);
            if (!rc)
                rc = nn_optimizer_step(c->opt, m);
            if (rc)
                break;
            sum += bl * (double)k;
            hits += correct(&b, train, order + start, 0, k, &c->loss);
            if (c->on_batch)
                c->on_batch(c->ctx, e, bi + 1, batches, sum / (double)(start + k));
        }
        if (rc)
            break;
        nn_epoch_stats st = {.epoch = e, .loss = n ? sum / (double)n : NAN, .val_loss = NAN,
                             .acc = train->y.dtype == DATA_I64 && n ? (double)hits / (double)n
                                                                    : NAN,
                             .val_acc = NAN};
        if (has_val)
            rc = evaluate(m, val, &c->loss, &b, &st.val_loss, &st.val_acc);
        st.seconds = now() - t0;
        if (history)
            history[e - 1] = st;
        if (!rc && c->on_epoch)
            c->on_epoch(c->ctx, &st);
    }
    free(order);
    batcher_free(&b);
    return rc;
}

int nn_predict(nn_model *m, const float *x, size_t n, float *y, size_t batch)
{
    if (!m || (n && (!x || !y)) || !batch)
        return al__fail(AL_EINVAL, "nn_predict: NULL argument or zero batch");
    size_t in = nn_shape_count(nn_model_input_shape(m));
    size_t out = nn_shape_count(nn_model_output_shape(m));
    for (size_t start = 0; start < n; start += batch) {
        size_t k = n - start < batch ? n - start : batch;
        int rc = nn_forward(m, x + start * in, y + start * out, k, 0);
        if (rc)
            return rc;
    }
    return AL_OK;
}
