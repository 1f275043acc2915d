/* actlab training: the Keras-style fit loop over a data_set, with validation and a
 * progress callback, plus evaluation and prediction in batches.
 *
 * Targets come from data_set.y: int64 class labels (N,) for classification -- used as they
 * are by sparse_categorical_crossentropy, as one-hot rows by categorical_crossentropy, as 0/1
 * by binary_crossentropy -- or float32 targets (N,) / (N, width) for regression losses.
 * The loop allocates its batch buffers once, before the first batch. */
/* Library code below nn must not include this (docs/ARCHITECTURE.md). */
#if defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_LAYER_NN)
#error "a public header of the nn layer of actlab, which this library code is below (docs/ARCHITECTURE.md)"
#endif
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
    /* Regression metrics of the model's output in target units (after to_target), whatever
     * the loss; NaN for class labels. rmsle is sqrt(mean((log p - log y)^2)), NaN when a
     * prediction or target is <= 0 (the log is undefined: see nn_fit_report.rmsle_bad). On the
     * training set they are taken over the epoch's batches as they were trained (Keras). */
    double rmsle, val_rmsle, mae, val_mae, rmse, val_rmse;
    double lr;                 /* the learning rate of the epoch */
    double seconds;            /* wall time of the epoch's training, validation excluded */
    double val_seconds;        /* wall time of its validation */
} nn_epoch_stats;

/* Why nn_fit stopped. */
typedef enum nn_stop_reason {
    NN_STOP_DONE = 0,   /* every epoch ran */
    NN_STOP_BAD_DATA,   /* a non-finite value in the data (found before the first batch) */
    NN_STOP_DOMAIN,     /* a prediction outside the loss's domain (rmsle of an output <= 0) */
    NN_STOP_DIVERGED,   /* the loss became NaN or infinite on finite data */
    NN_STOP_CALLBACK,   /* on_epoch asked to stop (its status is returned) */
    NN_STOP_ERROR       /* anything else: bad arguments, shapes, memory */
} nn_stop_reason;

typedef struct nn_fit_report {
    nn_stop_reason reason;
    long epoch;          /* where it stopped (1-based; 0 before the first epoch) */
    size_t batch;        /* and the batch (1-based; 0 outside one) */
    long epochs_done;    /* epochs completed (each one's stats went to history and on_epoch) */
    /* The baseline a model must beat: the validation (else training) value of the main
     * metric when predicting the training targets' mean (regression: rmsle where every
     * target is > 0, else rmse) or the majority class (classification: accuracy). */
    double baseline;
    int metric_is_acc;   /* the main metric: 1 accuracy (higher is better), 0 rmsle/rmse */
    int metric_is_rmsle; /* regression: 1 rmsle, 0 rmse */
    int beat_baseline;   /* some epoch's main metric was better than baseline */
    long best_epoch;     /* the epoch with the lowest monitored loss (0: none yet) */
    int stopped_early;   /* early stopping ended the run before its last epoch */
} nn_fit_report;

/* Learning-rate schedules, as Keras and torch.optim.lr_scheduler have them. The rate of
 * epoch e depends only on the base rate, e, the run's length and the monitored loss of the
 * epochs before e, so a resumed run replays it exactly.
 *   step      lr = base * factor^floor((e - 1) / every)                    (StepLR)
 *   cosine    lr = min + (base - min) (1 + cos(pi (e - 1) / epochs)) / 2    (CosineAnnealingLR)
 *   plateau   lr *= factor after `patience` epochs in a row without a new best of the
 *             monitored loss, never below min                   (ReduceLROnPlateau) */
typedef enum nn_schedule_kind {
    NN_SCHED_NONE = 0,
    NN_SCHED_STEP,
    NN_SCHED_COSINE,
    NN_SCHED_PLATEAU
} nn_schedule_kind;

typedef struct nn_schedule {
    nn_schedule_kind kind;
    long every;        /* step: epochs between decays [10] */
    double factor;     /* step, plateau: the multiplier [0.1] */
    long patience;     /* plateau [10] */
    double min_lr;     /* cosine, plateau: the floor [0] */
} nn_schedule;

/* "step:every=10,factor=0.5", "cosine", "cosine:min=1e-5", "plateau:patience=3,factor=0.5"
 * ("none" too). AL_EINVAL naming the bad part. */
ACTLAB_API al_status nn_schedule_parse(const char *text, nn_schedule *out);

/* The rate of epoch e (1-based) of a run of `epochs`, from base and the monitored loss of
 * epochs 1 .. e-1 (monitor[0 .. e-2]). */
ACTLAB_API double nn_schedule_lr(const nn_schedule *s, double base, long e, long epochs,
                                 const double *monitor);

/* Where an epoch is, for a progress display: after each batch. */
typedef struct nn_batch_progress {
    long epoch;                /* 1-based */
    size_t batch, batches;     /* batches done (1-based) of the epoch's */
    size_t samples;            /* samples trained so far in the epoch */
    double loss, acc;          /* running means over the epoch; acc NaN for regression */
} nn_batch_progress;

/* Data-parallel training (e.g. over MPI, which the library does not link): `ranks`
 * processes hold the same model, data, generator and options, and each trains on its slice
 * of every global batch of `batch` samples (rank r takes samples [split(r), split(r + 1)) of
 * a batch of k, split as np.array_split does), with the loss normalised by the global batch.
 * Validation runs whole on every process, so every process sees the same metrics.
 *   sum_floats  sums v[0 .. n) over the processes, in place, once per step (the gradients,
 *               before the optimizer step); *stop is 1 when this process cannot go on, and
 *               must come back 1 on every process when any of them said so.
 *   sum_doubles sums v[0 .. n) over the processes: the epoch's training metrics (and, for
 *               rmsle, each batch's sum of squares, which the gradient needs whole).
 * Both must give every process the same bits (a fixed order of addition also makes two runs
 * with the same ranks identical); a non-zero return stops training with that status.
 * Dropout masks come from a stream per rank derived each step from the model's generator. */
typedef struct nn_fit_shard {
    int rank, ranks;
    int (*sum_floats)(void *ctx, float *v, size_t n, int *stop);
    int (*sum_doubles)(void *ctx, double *v, size_t n);
    void *ctx;
} nn_fit_shard;

typedef struct nn_fit_config {
    long epochs;               /* the run's last epoch */
    long start_epoch;          /* epochs already done (a resumed run): training runs epochs
                                * start_epoch + 1 .. epochs; history[0] is the first of them */
    size_t batch;              /* samples per batch; the last partial batch is kept */
    size_t n_batches;          /* instead of batch, when > 0: split every epoch into this many
                                * batches as np.array_split (sizes differ by at most one) */
    int shuffle;               /* reshuffle every epoch with rng (else file order) */
    nn_loss loss;
    nn_optimizer *opt;
    al_rng *rng;               /* shuffling and dropout */
    /* Maps float values from the model's target scale to target units, in place (e.g. exp
     * when the model learns log(price)); NULL: they are the same. Used for the regression
     * metrics only. */
    void (*to_target)(const void *target_ctx, float *v, size_t n);
    const void *target_ctx;
    /* progress: after every batch (running mean loss of the epoch) and after every epoch;
     * either may be NULL. A non-zero return of on_epoch stops training with that status. */
    void (*on_batch)(void *ctx, const nn_batch_progress *p);
    int (*on_epoch)(void *ctx, const nn_epoch_stats *s);
    void *ctx;
    /* The learning rate: base_lr (0: the optimizer's lr on entry) through schedule (zero: a
     * constant rate). */
    double base_lr;
    nn_schedule schedule;
    /* Early stopping (Keras' EarlyStopping): stop after `early_stop` epochs in a row without
     * a new best of the monitored loss (val_loss with validation data, else loss); 0 never.
     * restore_best ends the run with the best epoch's weights. on_best, when set, is called
     * after each new best, before on_epoch (the model holds its weights then), e.g. to save
     * them; a non-zero return stops training as on_epoch's does. */
    long early_stop;
    int restore_best;
    int (*on_best)(void *ctx, long epoch);
    /* A resumed run: the stats of epochs 1 .. start_epoch (for the schedule and early
     * stopping), and the best weights so far in nn_params order (NULL: none kept). */
    const nn_epoch_stats *past;
    const float *best_weights;
    /* NULL, or ranks 1: one process trains on whole batches */
    const nn_fit_shard *shard;
} nn_fit_config;

/* Trains m on train (validating on val when val && val->x.data) for c->epochs epochs;
 * history, when non-NULL, receives one entry per epoch, and report, when non-NULL, says why
 * and where it stopped. Before the first batch the data are checked: a non-finite input or
 * target is an error naming the set, the sample and the feature. A failure names the epoch
 * and the batch and tells apart bad data, a prediction outside the loss's domain and
 * divergence (report->reason). */
ACTLAB_API al_status nn_fit(nn_model *m, const data_set *train, const data_set *val,
                      const nn_fit_config *c, nn_epoch_stats *history, nn_fit_report *report);

/* Mean loss and accuracy (NaN for regression) over a whole set, in batches. */
ACTLAB_API al_status nn_evaluate(nn_model *m, const data_set *s, const nn_loss *l, size_t batch,
                           double *loss, double *acc);

/* What nn_evaluate_stats measures: nn_epoch_stats' metrics, of one set. */
typedef struct nn_eval_stats {
    size_t n;                  /* samples */
    double loss;               /* mean over samples */
    double acc;                /* classification accuracy; NaN for regression */
    double rmsle, mae, rmse;   /* regression, in target units; NaN for class labels (rmsle
                                * also where a prediction or target is <= 0) */
} nn_eval_stats;

/* nn_evaluate with every metric. to_target (NULL: none; ctx is its argument) maps outputs and
 * targets to target units for the regression metrics, as nn_fit_config's does. confusion,
 * when not NULL and s has class labels, receives the count of each (true, predicted) pair at
 * confusion[true * classes + predicted], classes being the model's outputs (2 for a single
 * output, thresholded as accuracy is): the caller allocates classes * classes counts, which
 * are zeroed first. A non-finite input or target is an error naming the sample. */
ACTLAB_API al_status nn_evaluate_stats(nn_model *m, const data_set *s, const nn_loss *l, size_t batch,
                                 void (*to_target)(const void *ctx, float *v, size_t n),
                                 const void *ctx,
                                 size_t *confusion, nn_eval_stats *out);

/* y (n, output...) = m(x) in inference mode, in batches of at most batch samples. */
ACTLAB_API al_status nn_predict(nn_model *m, const float *x, size_t n, float *y, size_t batch);

#ifdef __cplusplus
}
#endif
#endif
