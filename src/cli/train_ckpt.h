/* train --checkpoint DIR / --resume DIR. After every epoch DIR holds metrics.csv (the
 * history so far, written first) and checkpoint.safetensors (weights, optimizer state, the
 * shuffling and dropout generators, the epoch), each replaced atomically, so a run killed at
 * any moment leaves the last finished epoch whole. Resuming loads both and continues with
 * the next epoch; with the same options the end result is bit-identical to a run that was
 * never stopped. */
#ifndef ACTLAB_CLI_TRAIN_CKPT_H
#define ACTLAB_CLI_TRAIN_CKPT_H

#include "actlab/train.h"
#include "train_log.h"

/* Creates DIR when missing and checks that both files can be written there. Exit code. */
int cli_ckpt_prepare(const char *cmd, const char *dir);

/* Writes the epoch's state (log->hist holds every epoch so far). al_status. */
int cli_ckpt_write(const char *dir, nn_model *m, const nn_optimizer *o,
                   const al_rng *rng, const struct cli_train_log *log);

/* Loads DIR's checkpoint: the model (*m, new), optimizer, shuffling generator, and the
 * history of its epochs into log. *epoch is the last finished epoch. Exit code. */
int cli_ckpt_resume(const char *cmd, const char *dir, nn_model **m, nn_optimizer *o,
                    al_rng *rng, long *epoch, struct cli_train_log *log);

#endif
