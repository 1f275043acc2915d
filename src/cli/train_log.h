/* What `train` (and `compare`) keep of each epoch: the line on standard output, the metrics
 * CSV (Keras' CSVLogger column names) rewritten atomically after every epoch, so a killed run
 * keeps the epochs it finished, and the curves figure at the end. */
#ifndef ACTLAB_CLI_TRAIN_LOG_H
#define ACTLAB_CLI_TRAIN_LOG_H

#include <stdio.h>

#include "actlab/train.h"
#include "progress.h"

struct cli_train_log {
    const char *cmd;           /* for messages */
    const char *metrics;       /* --metrics FILE, or NULL */
    FILE *out;                 /* the epoch lines (stdout), or NULL for none */
    struct cli_progress *progress; /* cleared before each line, or NULL */
    long epochs;               /* the run's total, for "Epoch 3/10" */
    int labels, has_val;       /* classification; a validation set */
    nn_epoch_stats *hist;      /* every epoch so far (owned) */
    long n, cap;
};

/* nn_fit_config.on_epoch with ctx a struct cli_train_log: the line, the history, the CSV.
 * A failed write of the CSV stops training with its status (the message names the file). */
int cli_log_epoch(void *ctx, const nn_epoch_stats *s);

/* Appends s to the history only (no line, no file): for a resumed run's earlier epochs. */
int cli_log_epoch_quiet(struct cli_train_log *l, const nn_epoch_stats *s);

/* nn_fit_config.on_batch with the same ctx: the progress bar */
void cli_log_batch(void *ctx, const nn_batch_progress *b);

void cli_log_free(struct cli_train_log *l);

/* The whole history as CSV at path (atomically): epoch,loss,accuracy,val_loss,val_accuracy
 * for classification; epoch,loss,val_loss,rmsle,val_rmsle,mae,val_mae,rmse,val_rmse for
 * regression; then seconds,lr. Validation columns only with a validation set. */
int cli_log_write_csv(const char *path, const nn_epoch_stats *h, long n, int labels,
                      int has_val);

/* Loss and the main metric per epoch, train and validation, two labelled panels, to a .png,
 * .svg or .pdf. metric: 0 accuracy, 1 rmsle, 2 rmse. */
int cli_log_plot(const char *path, const nn_epoch_stats *h, long n, int metric, int has_val);

/* The main metric's name and value of an epoch (validation when has_val). */
const char *cli_metric_name(int metric);
double cli_metric_value(const nn_epoch_stats *s, int metric, int has_val);

#endif
