/* actlab training: the Keras-style fit loop over a data_set, with validation and a
 * progress callback, plus evaluation and prediction in batches.
 *
 * Targets come from data_set.y: int64 class labels (N,) for classification -- used as they
 * are by sparse_categorical_crossentropy, as one-hot rows by categorical_crossentropy, as 0/1
 * by binary_crossentropy -- or float32 targets (N,) / (N, width) for regression losses.
 * The loop allocates its batch buffers once, before the first batch. */
#ifndef ACTLAB_TRAIN_H
#define ACTLAB_TRAIN_H

#include "export.h"

#include <stddef.h>

#include "data.h"
#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nn_epoch_stats {
    long epoch;                /* 1-based */
    double loss, val_loss;     /* mean over samples; val_loss NaN without validation data */
    double acc, val_acc;       /* classification accuracy; NaN for regression */
    double seconds;            /* wall time of the epoch, validation included */
} nn_epoch_stats;

typedef struct nn_fit_config {
    long epochs;
    size_t batch;              /* samples per batch; the last partial batch is kept */
    size_t n_batches;          /* instead of batch, when > 0: split every epoch into this many
                                * batches as np.array_split (sizes differ by at most one) */
    int shuffle;               /* reshuffle every epoch with rng (else file order) */
    nn_loss loss;
    nn_optimizer *opt;
    al_rng *rng;               /* shuffling and dropout */
    /* progress: after every batch (running mean loss of the epoch) and after every epoch;
     * either may be NULL */
    void (*on_batch)(void *ctx, long epoch, size_t batch, size_t batches, double loss);
    void (*on_epoch)(void *ctx, const nn_epoch_stats *s);
    void *ctx;
} nn_fit_config;

/* Trains m on train (validating on val when val && val->x.data) for c->epochs epochs;
 * history, when non-NULL, receives one entry per epoch. */
ACTLAB_API int nn_fit(nn_model *m, const data_set *train, const data_set *val,
                      const nn_fit_config *c, nn_epoch_stats *history);

/* Mean loss and accuracy (NaN for regression) over a whole set, in batches. */
ACTLAB_API int nn_evaluate(nn_model *m, const data_set *s, const nn_loss *l, size_t batch,
                           double *loss, double *acc);

/* y (n, output...) = m(x) in inference mode, in batches of at most batch samples. */
ACTLAB_API int nn_predict(nn_model *m, const float *x, size_t n, float *y, size_t batch);

#ifdef __cplusplus
}
#endif
#endif
