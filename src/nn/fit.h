/* Internal to the fit loop (train.c): the batch buffers, and the per-epoch metric sums
 * (metrics.c). */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_FIT_H
#define ACTLAB_SRC_NN_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "actlab/train.h"

/* What the loss needs per sample, and the batch buffers. */
struct nn__batcher {
    size_t in, width;   /* floats per input sample, outputs per sample */
    size_t cap;
    float *x, *y, *dy;  /* cap * in, cap * width, cap * width */
    void *t;            /* targets: cap int64 (sparse) or cap * width floats */
    float *py, *pt;     /* cap * width each: predictions and targets in target units */
    int sparse;
};

/* Sums over the samples seen so far of one pass (an epoch's batches, or a validation set). */
struct nn__metric_sums {
    double loss;        /* loss times samples */
    size_t n, hits;     /* samples, correct classifications */
    double sq, abs, sqlog; /* regression: sums of (p - y)^2, |p - y|, (log p - log y)^2 */
    size_t values, log_bad; /* regression values summed, those with p or y <= 0 */
    size_t *confusion;  /* NULL, or classes x classes counts [true * classes + predicted] */
    size_t classes;
};

/* Adds a batch of k samples (b->y predictions, b->t targets as gathered; labels: the int64
 * class of each sample) to s. */
void nn__metrics_add(struct nn__metric_sums *s, struct nn__batcher *b, const data_set *set,
                     const size_t *rows, size_t start, size_t k, const nn_loss *l,
                     double batch_loss, const nn_fit_config *c);

/* The sums as loss, accuracy and regression metrics (NaN where they do not apply). */
void nn__metrics_finish(const struct nn__metric_sums *s, int labels, double *loss, double *acc,
                        double *rmsle, double *mae, double *rmse);

/* The first non-finite value of x (and of float targets) of set, as an error naming what,
 * the sample and the feature; AL_OK when every value is finite. */
int nn__check_finite(const char *what, const data_set *set, size_t in, size_t width);

/* report->baseline and the metric kind: the main metric of a constant model (the training
 * mean, or the majority class) on val, else on train. */
void nn__baseline(const data_set *train, const data_set *val, size_t width,
                  const nn_fit_config *c, nn_fit_report *r);

/* The epoch's main metric, as report describes it; NaN when it has none. */
double nn__main_metric(const nn_epoch_stats *s, const nn_fit_report *r, int has_val);

#endif
