/* The fit loop's metrics: accuracy for class labels; RMSLE, MAE and RMSE of the output in
 * target units for regression, whatever the loss (Keras' CSVLogger names them); the data check
 * before the first batch; the constant model a trained one must beat. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "fit.h"

/* correct predictions in the batch: argmax (or > threshold for one output) vs the label;
 * each (label, guess) pair is counted in confusion when it is set */
static size_t correct(const struct nn__batcher *b, const data_set *s, const size_t *rows,
                      size_t start, size_t k, const nn_loss *l, size_t *confusion,
                      size_t classes)
{
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
        if (confusion) /* labels were checked to be classes of the model */
            confusion[(size_t)label * classes + (size_t)guess]++;
    }
    return hits;
}

static void add_regression(struct nn__metric_sums *s, const float *p, const float *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double e = (double)p[i] - y[i];
        s->sq += e * e;
        s->abs += fabs(e);
        if (p[i] > 0.0f && y[i] > 0.0f) {
            double le = log((double)p[i]) - log((double)y[i]);
            s->sqlog += le * le;
        } else {
            s->log_bad++;
        }
    }
    s->values += n;
}

void nn__metrics_add(struct nn__metric_sums *s, struct nn__batcher *b, const data_set *set,
                     const size_t *rows, size_t start, size_t k, const nn_loss *l,
                     double batch_loss, const nn_fit_config *c)
{
    s->loss += batch_loss * (double)k;
    s->n += k;
    if (set->y.dtype == DATA_I64) {
        s->hits += correct(b, set, rows, start, k, l, s->confusion, s->classes);
        return;
    }
    size_t n = k * b->width;
    const float *p = b->y, *y = b->t;
    if (c && c->to_target) {
        memcpy(b->py, b->y, n * sizeof *b->py);
        memcpy(b->pt, b->t, n * sizeof *b->pt);
        c->to_target(c->target_ctx, b->py, n);
        c->to_target(c->target_ctx, b->pt, n);
        p = b->py, y = b->pt;
    }
    add_regression(s, p, y, n);
}

void nn__metrics_finish(const struct nn__metric_sums *s, int labels, double *loss, double *acc,
                        double *rmsle, double *mae, double *rmse)
{
    double n = (double)s->n, v = (double)s->values;
    *loss = s->n ? s->loss / n : NAN;
    *acc = labels && s->n ? (double)s->hits / n : NAN;
    int reg = !labels && s->values;
    *rmsle = reg && !s->log_bad ? sqrt(s->sqlog / v) : NAN;
    *mae = reg ? s->abs / v : NAN;
    *rmse = reg ? sqrt(s->sq / v) : NAN;
}

int nn__check_finite(const char *what, const data_set *set, size_t in, size_t width)
{
    size_t n = set->x.shape[0];
    const float *x = set->x.data;
    for (size_t i = 0; i < n * in; i++)
        if (!isfinite(x[i]))
            return al__fail(AL_EINVAL, "%s data: sample %zu, feature %zu is %s: the inputs must "
                            "be finite (fill or drop missing values first)", what, i / in,
                            i % in, isnan(x[i]) ? "NaN" : "infinite");
    if (set->y.dtype != DATA_F32)
        return AL_OK;
    const float *y = set->y.data;
    for (size_t i = 0; i < n * width; i++)
        if (!isfinite(y[i]))
            return al__fail(AL_EINVAL, "%s data: the target of sample %zu%s is %s: targets must "
                            "be finite", what, i / width, width > 1 ? " (some output)" : "",
                            isnan(y[i]) ? "NaN" : "infinite");
    return AL_OK;
}

/* ---- the constant model ------------------------------------------------------------------ */

/* The accuracy on eval of always guessing train's most frequent class. Labels were checked
 * to be classes of the model (below classes), so counting needs no more than the model's
 * outputs. */
static double majority_rate(const data_set *train, const data_set *eval, size_t classes)
{
    size_t *count = calloc(classes, sizeof *count), best = 0;
    if (!count)
        return NAN;
    const int64_t *y = train->y.data;
    for (size_t i = 0; i < train->y.shape[0]; i++)
        count[y[i]]++;
    for (size_t c = 1; c < classes; c++)
        if (count[c] > count[best])
            best = c;
    free(count);
    const int64_t *e = eval->y.data;
    size_t n = eval->y.shape[0], hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += (size_t)e[i] == best;
    return n ? (double)hits / (double)n : NAN;
}

/* rmsle (or rmse) on eval of always predicting train's mean target, in target units */
static double mean_error(const data_set *train, const data_set *eval, size_t width,
                         const nn_fit_config *c, int use_log)
{
    const float *y = train->y.data;
    size_t n = train->y.shape[0], m = eval->y.shape[0];
    double *mean = calloc(width, sizeof *mean);
    float *p = malloc(width * sizeof *p), *t = malloc(width * sizeof *t);
    double err = NAN;
    if (mean && p && t && n && m) {
        for (size_t i = 0; i < n * width; i++)
            mean[i % width] += y[i];
        for (size_t j = 0; j < width; j++)
            mean[j] /= (double)n;
        struct nn__metric_sums s = {0};
        const float *ey = eval->y.data;
        for (size_t i = 0; i < m; i++) {
            for (size_t j = 0; j < width; j++)
                p[j] = (float)mean[j], t[j] = ey[i * width + j];
            if (c->to_target) {
                c->to_target(c->target_ctx, p, width);
                c->to_target(c->target_ctx, t, width);
            }
            add_regression(&s, p, t, width);
        }
        double v = (double)s.values;
        err = use_log ? (s.log_bad ? NAN : sqrt(s.sqlog / v)) : sqrt(s.sq / v);
    }
    free(mean), free(p), free(t);
    return err;
}

/* whether every training target is > 0 in target units, so that rmsle is defined */
static int targets_positive(const data_set *train, size_t width, const nn_fit_config *c)
{
    const float *y = train->y.data;
    size_t n = train->y.shape[0] * width;
    for (size_t i = 0; i < n; i++) {
        float v = y[i];
        if (c->to_target)
            c->to_target(c->target_ctx, &v, 1);
        if (!(v > 0.0f))
            return 0;
    }
    return 1;
}

void nn__baseline(const data_set *train, const data_set *val, size_t width,
                  const nn_fit_config *c, nn_fit_report *r)
{
    const data_set *eval = val ? val : train;
    r->metric_is_acc = train->y.dtype == DATA_I64;
    if (r->metric_is_acc) {
        size_t classes = c->loss.kind == NN_LOSS_BCE ? 2 : width;
        r->metric_is_rmsle = 0;
        r->baseline = majority_rate(train, eval, classes);
    } else {
        r->metric_is_rmsle = targets_positive(train, width, c);
        r->baseline = mean_error(train, eval, width, c, r->metric_is_rmsle);
    }
}

double nn__main_metric(const nn_epoch_stats *s, const nn_fit_report *r, int has_val)
{
    if (r->metric_is_acc)
        return has_val ? s->val_acc : s->acc;
    if (r->metric_is_rmsle)
        return has_val ? s->val_rmsle : s->rmsle;
    return has_val ? s->val_rmse : s->rmse;
}
