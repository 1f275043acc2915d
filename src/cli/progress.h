/* Keras-style progress on standard error: on a terminal a bar redrawn in place after each
 * batch (batches done, elapsed, ETA, samples/s, running loss and accuracy); nothing otherwise,
 * since the epoch lines on standard output say the same once per epoch. */
#ifndef ACTLAB_CLI_PROGRESS_H
#define ACTLAB_CLI_PROGRESS_H

#include <stdio.h>

#include "actlab/train.h"

struct cli_progress {
    FILE *out;
    long epochs;
    int bar;            /* out is a terminal and progress is wanted */
    const char *label;  /* prefix, e.g. the activation under comparison, or NULL */
    double t0;          /* when the epoch's first batch ended (the clock starts there) */
    size_t b0, s0;      /* batches and samples done at t0 */
    long epoch;         /* the epoch t0 belongs to */
    int drawn;          /* a bar is on the line now */
};

void cli_progress_init(struct cli_progress *p, FILE *out, long epochs, int quiet);
/* nn_fit_config.on_batch */
void cli_progress_batch(void *ctx, const nn_batch_progress *b);
/* Clears the bar's line, so that other output starts on a clean line. */
void cli_progress_clear(struct cli_progress *p);

/* seconds on a monotonic clock */
double cli_now(void);

#endif
