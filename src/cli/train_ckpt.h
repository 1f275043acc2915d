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

/* Early stopping keeps the best weights in DIR/best-EPOCH.safetensors: saved when an epoch
 * improves (before that epoch's checkpoint), and the older one removed only after the
 * checkpoint that no longer needs it, so a kill at any moment leaves the file a resume needs. */
int cli_ckpt_save_best(const char *dir, const nn_model *m, long epoch);
void cli_ckpt_prune_best(const char *dir, long keep);

/* A resumed run's best weights so far: the best epoch of log's history (the lowest val_loss,
 * else loss, as nn_fit finds it), from DIR/best-EPOCH.safetensors, checked against m, as a
 * malloc'd copy in nn_params order. Exit code. */
int cli_ckpt_load_best(const char *cmd, const char *dir, const struct cli_train_log *log,
                       nn_model *m, float **w);

#endif
