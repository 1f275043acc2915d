#define _POSIX_C_SOURCE 200809L /* clock_gettime */
/* The fit loop: check the data, then per epoch shuffle, gather a batch, forward, loss,
 * backward, optimizer step; then validation. Batch buffers are allocated once per call,
 * before the first batch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/error.h"
#include "actlab/train.h"
#include "fit.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int batcher_init(struct nn__batcher *b, nn_model *m, const nn_loss *l, size_t cap)
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
    b->py = malloc(cap * b->width * sizeof *b->py);
    b->pt = malloc(cap * b->width * sizeof *b->pt);
    b->t = malloc(cap * (b->sparse ? sizeof(int64_t) : b->width * sizeof(float)));
    if (!b->x || !b->y || !b->dy || !b->py || !b->pt || !b->t)
        return al__fail(AL_ENOMEM, "training: no memory for batches of %zu", cap);
    return AL_OK;
}

static void batcher_free(struct nn__batcher *b)
{
    free(b->x), free(b->y), free(b->dy), free(b->py), free(b->pt), free(b->t);
}

static int check_set(const char *what, const data_set *s, const struct nn__batcher *b,
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
    if (!labels && l->kind == NN_LOSS_RMSLE) {
        const float *y = s->y.data;
        for (size_t i = 0; i < n * b->width; i++)
            if (!(y[i] > 0.0f))
                return al__fail(AL_EINVAL, "%s data: the target of sample %zu is %g, and rmsle "
                                "takes the log of its targets: every target must be > 0",
                                what, i / b->width, (double)y[i]);
    }
    return AL_OK;
}

/* Gathers samples rows[0..k) (or start..start+k when rows is NULL) into the batch. */
static void gather(struct nn__batcher *b, const data_set *s, const size_t *rows, size_t start,
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

/* The sums of a whole set; confusion (classes x classes, or NULL) counts its labels' guesses. */
static int evaluate(nn_model *m, const data_set *s, const nn_loss *l, struct nn__batcher *b,
                    const nn_fit_config *c, size_t *confusion, size_t classes,
                    struct nn__metric_sums *sums)
{
    size_t n = s->x.shape[0];
    memset(sums, 0, sizeof *sums);
    sums->confusion = confusion, sums->classes = classes;
    for (size_t start = 0; start < n; start += b->cap) {
        size_t k = n - start < b->cap ? n - start : b->cap;
        double bl;
        gather(b, s, NULL, start, k);
        int rc = nn_forward(m, b->x, b->y, k, 0);
        if (!rc)
            rc = nn_loss_eval(l, b->y, b->t, k, b->width, &bl, NULL);
        if (rc)
            return rc;
        nn__metrics_add(sums, b, s, NULL, start, k, l, bl, c);
    }
    return AL_OK;
}

al_status nn_evaluate_stats(nn_model *m, const data_set *s, const nn_loss *l, size_t batch,
                      void (*to_target)(const void *ctx, float *v, size_t n),
                      const void *ctx,
                      size_t *confusion, nn_eval_stats *out)
{
    AL_API_ENTRY;
    struct nn__batcher b;
    if (!m || !s || !l || !batch || !out)
        return al__fail(AL_EINVAL, "nn_evaluate: NULL argument or zero batch");
    size_t n = s->x.ndim ? s->x.shape[0] : 0;
    if (batch > n) /* as nn_fit: no buffers beyond the set's size */
        batch = n ? n : 1;
    /* only to_target is read: metrics.c takes the map from a fit configuration */
    nn_fit_config c = {.to_target = to_target, .target_ctx = ctx};
    struct nn__metric_sums sums;
    int rc = batcher_init(&b, m, l, batch);
    if (!rc)
        rc = check_set("evaluation", s, &b, l);
    if (!rc) /* NaN metrics would not say which sample is to blame */
        rc = nn__check_finite("evaluation", s, b.in, b.width);
    int labels = s->y.dtype == DATA_I64;
    size_t classes = b.width == 1 ? 2 : b.width;
    if (!rc && labels && confusion)
        memset(confusion, 0, classes * classes * sizeof *confusion);
    if (!rc)
        rc = evaluate(m, s, l, &b, &c, labels ? confusion : NULL, classes, &sums);
    if (!rc) {
        out->n = n;
        nn__metrics_finish(&sums, labels, &out->loss, &out->acc, &out->rmsle, &out->mae,
                           &out->rmse);
    }
    batcher_free(&b);
    return rc;
}

al_status nn_evaluate(nn_model *m, const data_set *s, const nn_loss *l, size_t batch, double *loss,
                double *acc)
{
    AL_API_ENTRY;
    nn_eval_stats st;
    if (!loss || !acc)
        return al__fail(AL_EINVAL, "nn_evaluate: NULL argument or zero batch");
    int rc = nn_evaluate_stats(m, s, l, batch, NULL, NULL, NULL, &st);
    if (!rc)
        *loss = st.loss, *acc = st.acc;
    return rc;
}

/* After a batch's loss failed or is not finite: tells apart a prediction outside the loss's
 * domain from divergence, in words, naming the epoch, the batch and the sample. */
static int batch_failure(const struct nn__batcher *b, const nn_fit_config *c, const size_t *rows,
                         size_t k, long e, size_t bi, int loss_rc, double bl,
                         nn_fit_report *r)
{
    size_t n = k * b->width;
    r->epoch = e, r->batch = bi;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(b->y[i])) {
            r->reason = NN_STOP_DIVERGED;
            return al__fail(AL_EINVAL, "epoch %ld, batch %zu: the model's output for sample "
                            "%zu is %s although the data are finite: training diverged; lower "
                            "the learning rate (it is %g)", e, bi, rows[i / b->width],
                            isnan(b->y[i]) ? "NaN" : "infinite", (double)c->opt->lr);
        }
    if (loss_rc && c->loss.kind == NN_LOSS_RMSLE) {
        size_t i = 0;
        while (i + 1 < n && b->y[i] > 0.0f)
            i++;
        r->reason = NN_STOP_DOMAIN;
        return al__fail(AL_EINVAL, "epoch %ld, batch %zu: the model predicted %g for sample %zu, "
                        "but rmsle takes the log of its predictions: the output layer's range "
                        "does not fit the loss (its activation can give values <= 0); end the "
                        "model with a positive activation (softplus, exp) or train mse on log "
                        "targets", e, bi, (double)b->y[i], rows[i / b->width]);
    }
    if (loss_rc) {
        r->reason = NN_STOP_ERROR;
        return loss_rc;
    }
    r->reason = NN_STOP_DIVERGED;
    return al__fail(AL_EINVAL, "epoch %ld, batch %zu: the loss is %s although the data and the "
                    "outputs are finite: training diverged; lower the learning rate (it is %g)",
                    e, bi, isnan(bl) ? "NaN" : "infinite", (double)c->opt->lr);
}

/* ---- data-parallel steps (nn_fit_shard) ---------------------------------------------------
 * Kept apart from the single-process step, which stays exactly as it was. */

static int sharded(const nn_fit_config *c)
{
    return c->shard && c->shard->ranks > 1;
}

/* The error of a step that another process gave up on (it says why itself). */
static int shard_stopped(long e, size_t bi, nn_fit_report *r)
{
    r->reason = NN_STOP_ERROR, r->epoch = e, r->batch = bi;
    return al__fail(AL_EINVAL, "epoch %ld, batch %zu: another process of the data-parallel run "
                    "stopped (its own message says why)", e, bi);
}

/* rmsle is not a mean over samples: the gradient needs the global batch's loss. Returns the
 * global loss in *bl and scales dy from the local loss (over kl samples) to the global one
 * (over k); *stop as sum_floats has it. */
static int shard_rmsle(const nn_fit_shard *s, struct nn__batcher *b, size_t kl, size_t k,
                       double *bl, int *stop)
{
    double local = *stop || !kl ? 0.0 : *bl, v[2] = {local * local * (double)kl, *stop};
    int rc = s->sum_doubles(s->ctx, v, 2);
    if (rc || v[1] > 0) {
        *stop = 1;
        return rc;
    }
    double global = sqrt(v[0] / (double)k);
    /* local dy = e / (kl L p); global dy = e / (k G p) */
    double scale = global > 0 ? (double)kl * local / ((double)k * global) : 0.0;
    for (size_t i = 0; i < kl * b->width; i++)
        b->dy[i] = (float)(b->dy[i] * scale);
    *bl = global;
    return AL_OK;
}

/* One step on this process's slice of a global batch of k samples (rows): forward, loss,
 * backward on the slice, the gradients summed over the processes, then the same optimizer
 * step everywhere. */
static int shard_step(nn_model *m, const data_set *train, const nn_fit_config *c,
                      struct nn__batcher *b, const size_t *rows, size_t k, long e, size_t bi,
                      struct nn__metric_sums *sums, nn_fit_report *r)
{
    const nn_fit_shard *s = c->shard;
    size_t lo = data_split_start(k, (size_t)s->ranks, (size_t)s->rank),
           kl = data_split_start(k, (size_t)s->ranks, (size_t)s->rank + 1) - lo;
    float *w, *g;
    size_t np = nn_params(m, &w, &g);
    /* dropout: a stream of this rank's own for the step; the model's generator advances by
     * one draw on every process, so it stays the same everywhere (and in checkpoints) */
    al_rng *mr = nn_model_rng(m), shared = *mr;
    al_rng_seed(mr, al_rng_next(&shared) ^ (0x9E3779B97F4A7C15u * (uint64_t)(s->rank + 1)));
    double bl = NAN;
    int rc = AL_OK, lrc = AL_OK, stop = 0;
    nn_zero_grad(m);
    if (kl) {
        gather(b, train, rows + lo, 0, kl);
        if (!(rc = nn_forward(m, b->x, b->y, kl, 1))) {
            lrc = nn_loss_eval(&c->loss, b->y, b->t, kl, b->width, &bl, b->dy);
            if (lrc || !isfinite(bl))
                rc = batch_failure(b, c, rows + lo, kl, e, bi, lrc, bl, r);
        }
    }
    stop = rc != AL_OK;
    int rmsle = c->loss.kind == NN_LOSS_RMSLE, xrc = AL_OK, agreed = 0;
    if (rmsle) /* after it, every process knows whether one stopped */
        xrc = shard_rmsle(s, b, kl, k, &bl, &stop), agreed = stop;
    if (!stop && !rmsle) {
        double scale = (double)kl / (double)k; /* the local mean's share of the global one */
        for (size_t i = 0; i < kl * b->width; i++)
            b->dy[i] = (float)(b->dy[i] * scale);
    }
    if (!stop && kl)
        stop = (rc = nn_backward(m, b->dy, NULL)) != AL_OK;
    if (!xrc && !agreed)
        xrc = s->sum_floats(s->ctx, g, np, &stop);
    *mr = shared;
    if (rc || xrc || stop) {
        if (!rc && !xrc)
            return shard_stopped(e, bi, r);
        if (r->reason != NN_STOP_DIVERGED && r->reason != NN_STOP_DOMAIN)
            r->reason = NN_STOP_ERROR, r->epoch = e, r->batch = bi;
        return rc ? rc : xrc;
    }
    if ((rc = nn_optimizer_step(c->opt, m))) {
        r->reason = NN_STOP_ERROR, r->epoch = e, r->batch = bi;
        return rc;
    }
    if (kl)
        nn__metrics_add(sums, b, train, rows + lo, 0, kl, &c->loss, bl, c);
    return AL_OK;
}

/* The epoch's training sums over every process (exact: counts, and sums of doubles added
 * in the same order everywhere). */
static int shard_sums(const nn_fit_config *c, struct nn__metric_sums *m)
{
    double v[8] = {m->loss, (double)m->n, (double)m->hits, m->sq, m->abs, m->sqlog,
                   (double)m->values, (double)m->log_bad};
    int rc = c->shard->sum_doubles(c->shard->ctx, v, 8);
    m->loss = v[0], m->n = (size_t)v[1], m->hits = (size_t)v[2], m->sq = v[3], m->abs = v[4];
    m->sqlog = v[5], m->values = (size_t)v[6], m->log_bad = (size_t)v[7];
    return rc;
}

static void batch_progress(const nn_fit_config *c, const data_set *train,
                           const struct nn__metric_sums *sums, long e, size_t bi,
                           size_t batches)
{
    if (!c->on_batch || !sums->n)
        return;
    nn_batch_progress p = {.epoch = e, .batch = bi, .batches = batches, .samples = sums->n,
                           .loss = sums->loss / (double)sums->n,
                           .acc = train->y.dtype == DATA_I64
                                      ? (double)sums->hits / (double)sums->n
                                      : NAN};
    c->on_batch(c->ctx, &p);
}

/* One epoch's batches; the training sums go to sums. */
static int train_epoch(nn_model *m, const data_set *train, const nn_fit_config *c,
                       struct nn__batcher *b, size_t *order, size_t batches, long e,
                       struct nn__metric_sums *sums, nn_fit_report *r)
{
    size_t n = train->x.shape[0];
    memset(sums, 0, sizeof *sums);
    int rc = data_epoch_order(n, c->shuffle ? c->rng : NULL, order);
    if (rc) {
        r->reason = NN_STOP_ERROR;
        return rc;
    }
    for (size_t bi = 0; bi < batches; bi++) {
        size_t start = c->n_batches ? data_split_start(n, batches, bi) : bi * c->batch;
        size_t end = c->n_batches ? data_split_start(n, batches, bi + 1)
                                  : (n - start < c->batch ? n : start + c->batch);
        size_t k = end - start;
        if (!k)
            continue; /* array_split gives empty batches when k > n */
        if (sharded(c)) {
            if ((rc = shard_step(m, train, c, b, order + start, k, e, bi + 1, sums, r)))
                return rc;
            batch_progress(c, train, sums, e, bi + 1, batches);
            continue;
        }
        double bl = NAN;
        gather(b, train, order + start, 0, k);
        nn_zero_grad(m);
        rc = nn_forward(m, b->x, b->y, k, 1);
        if (rc) {
            r->reason = NN_STOP_ERROR, r->epoch = e, r->batch = bi + 1;
            return rc;
        }
        int lrc = nn_loss_eval(&c->loss, b->y, b->t, k, b->width, &bl, b->dy);
        if (lrc || !isfinite(bl))
            return batch_failure(b, c, order + start, k, e, bi + 1, lrc, bl, r);
        if ((rc = nn_backward(m, b->dy, NULL)) || (rc = nn_optimizer_step(c->opt, m))) {
            r->reason = NN_STOP_ERROR, r->epoch = e, r->batch = bi + 1;
            return rc;
        }
        nn__metrics_add(sums, b, train, order + start, 0, k, &c->loss, bl, c);
        batch_progress(c, train, sums, e, bi + 1, batches);
    }
    return sharded(c) ? shard_sums(c, sums) : AL_OK;
}

/* The schedule's and early stopping's view of the run: the monitored loss of every epoch
 * (replayed from c->past on resume), the best so far and, for restore_best, its weights.
 * watch_free releases it whether or not watch_init succeeded. */
struct watch {
    double base_lr;
    double *monitor;   /* the epochs done so far; room for cap, grown as epochs end (a run
                        * may ask for millions) */
    size_t cap;
    double best;
    float *w, *best_w; /* the model's weights, and a copy of the best (restore_best) */
    size_t n;
};

static int watch_init(struct watch *w, nn_model *m, const nn_fit_config *c, int has_val,
                      nn_fit_report *r)
{
    memset(w, 0, sizeof *w);
    w->base_lr = c->base_lr > 0 ? c->base_lr : c->opt->lr;
    w->best = INFINITY;
    if (c->start_epoch && !c->past)
        return al__fail(AL_EINVAL, "nn_fit: a resumed run (start_epoch %ld) needs the stats of "
                        "its past epochs", c->start_epoch);
    size_t len = (size_t)c->start_epoch + 64;
    float *g;
    w->n = nn_params(m, &w->w, &g);
    w->monitor = malloc(len * sizeof *w->monitor);
    w->cap = len;
    if (c->restore_best && c->early_stop)
        w->best_w = malloc((w->n ? w->n : 1) * sizeof *w->best_w);
    if (!w->monitor || (c->restore_best && c->early_stop && !w->best_w))
        return al__fail(AL_ENOMEM, "training: no memory for early stopping");
    for (long i = 0; i < c->start_epoch && i < c->epochs; i++) {
        double v = has_val ? c->past[i].val_loss : c->past[i].loss;
        w->monitor[i] = v;
        if (v < w->best)
            w->best = v, r->best_epoch = i + 1;
    }
    if (w->best_w && r->best_epoch) {
        if (!c->best_weights)
            return al__fail(AL_EINVAL, "nn_fit: restoring the best weights of a resumed run "
                            "needs them (best_weights)");
        memcpy(w->best_w, c->best_weights, w->n * sizeof *w->best_w);
    }
    return AL_OK;
}

/* records epoch e's monitored loss: 1 when it is a new best, 0 when not, -1 out of memory */
static int watch_epoch(struct watch *w, long e, double v, nn_fit_report *r)
{
    if ((size_t)e > w->cap) {
        double *m = realloc(w->monitor, 2 * w->cap * sizeof *m);
        if (!m)
            return -1;
        w->monitor = m, w->cap *= 2;
    }
    w->monitor[e - 1] = v;
    if (!(v < w->best))
        return 0;
    w->best = v, r->best_epoch = e;
    if (w->best_w)
        memcpy(w->best_w, w->w, w->n * sizeof *w->best_w);
    return 1;
}

static void watch_free(struct watch *w)
{
    free(w->monitor), free(w->best_w);
}

static int better(double v, double than, int higher_is_better)
{
    return higher_is_better ? v > than : v < than;
}

al_status nn_fit(nn_model *m, const data_set *train, const data_set *val, const nn_fit_config *c,
           nn_epoch_stats *history, nn_fit_report *report)
{
    AL_API_ENTRY;
    nn_fit_report r_local, *r = report ? report : &r_local;
    memset(r, 0, sizeof *r);
    r->reason = NN_STOP_ERROR;
    r->baseline = NAN;
    if (!m || !train || !c || !c->opt || (!c->batch && !c->n_batches) || c->epochs < 0 ||
        c->start_epoch < 0)
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
    struct nn__batcher b;
    int rc = batcher_init(&b, m, &c->loss, cap);
    if (!rc)
        rc = check_set("training", train, &b, &c->loss);
    if (!rc && has_val)
        rc = check_set("validation", val, &b, &c->loss);
    if (!rc && ((rc = nn__check_finite("training", train, b.in, b.width)) ||
                (has_val && (rc = nn__check_finite("validation", val, b.in, b.width)))))
        r->reason = NN_STOP_BAD_DATA;
    size_t *order = rc ? NULL : malloc((n ? n : 1) * sizeof *order);
    if (!rc && !order)
        rc = al__fail(AL_ENOMEM, "training: no memory for the sample order");
    if (!rc) {
        nn__baseline(train, has_val ? val : NULL, b.width, c, r);
        r->beat_baseline = isnan(r->baseline); /* nothing to beat */
    }
    int labels = train->y.dtype == DATA_I64;
    struct watch w = {0};
    if (!rc)
        rc = watch_init(&w, m, c, has_val, r);
    r->epochs_done = c->start_epoch;
    for (long e = c->start_epoch + 1; !rc && e <= c->epochs; e++) {
        c->opt->lr = (float)nn_schedule_lr(&c->schedule, w.base_lr, e, c->epochs, w.monitor);
        nn_epoch_stats st = {.epoch = e, .lr = c->opt->lr, .val_loss = NAN, .val_acc = NAN,
                             .val_rmsle = NAN, .val_mae = NAN, .val_rmse = NAN};
        struct nn__metric_sums sums;
        double t0 = now();
        if ((rc = train_epoch(m, train, c, &b, order, batches, e, &sums, r)))
            break;
        st.seconds = now() - t0;
        nn__metrics_finish(&sums, labels, &st.loss, &st.acc, &st.rmsle, &st.mae, &st.rmse);
        if (has_val) {
            t0 = now();
            if ((rc = evaluate(m, val, &c->loss, &b, c, NULL, 0, &sums))) {
                r->reason = NN_STOP_ERROR, r->epoch = e;
                break;
            }
            nn__metrics_finish(&sums, labels, &st.val_loss, &st.val_acc, &st.val_rmsle,
                               &st.val_mae, &st.val_rmse);
            st.val_seconds = now() - t0;
        }
        if (history)
            history[e - 1 - c->start_epoch] = st;
        r->epochs_done = e;
        double v = nn__main_metric(&st, r, has_val);
        if (better(v, r->baseline, r->metric_is_acc))
            r->beat_baseline = 1;
        int improved = watch_epoch(&w, e, has_val ? st.val_loss : st.loss, r);
        if (improved < 0) {
            rc = al__fail(AL_ENOMEM, "training: out of memory after epoch %ld", e);
            break;
        }
        /* on_best first: an on_epoch that checkpoints then finds the best weights saved */
        if ((improved && c->on_best && (rc = c->on_best(c->ctx, e))) ||
            (c->on_epoch && (rc = c->on_epoch(c->ctx, &st)))) {
            r->reason = NN_STOP_CALLBACK, r->epoch = e;
            break;
        }
        if (c->early_stop && e - r->best_epoch >= c->early_stop && e < c->epochs) {
            r->stopped_early = 1;
            break;
        }
    }
    if (!rc) {
        r->reason = NN_STOP_DONE;
        r->epoch = r->epochs_done, r->batch = 0;
        if (c->restore_best && w.best_w && r->best_epoch)
            memcpy(w.w, w.best_w, w.n * sizeof *w.w);
    }
    watch_free(&w);
    free(order);
    batcher_free(&b);
    return rc;
}

al_status nn_predict(nn_model *m, const float *x, size_t n, float *y, size_t batch)
{
    AL_API_ENTRY;
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
