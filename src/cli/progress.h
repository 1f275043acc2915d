/* Keras-style progress: a bar redrawn in place on a terminal, one line per epoch. */
#ifndef ACTLAB_CLI_PROGRESS_H
#define ACTLAB_CLI_PROGRESS_H

#include <stdio.h>

#include "actlab/train.h"

struct cli_progress {
    FILE *out;
    long epochs;
    int bar;   /* redraw a bar after each batch (out is a terminal) */
    int quiet; /* print nothing */
    const char *label; /* prefix, e.g. the activation under comparison, or NULL */
};

void cli_progress_init(struct cli_progress *p, FILE *out, long epochs, int quiet);
void cli_progress_batch(void *ctx, long epoch, size_t batch, size_t batches, double loss);
void cli_progress_epoch(void *ctx, const nn_epoch_stats *s);

#endif
