/* The options `train` and `compare` share: the model, the data and how to train on it, parsed
 * one way for both, and the pieces built from them (data, loss, optimizer, schedule, model). */
#ifndef ACTLAB_CLI_TRAIN_OPTS_H
#define ACTLAB_CLI_TRAIN_OPTS_H

#include "actlab/train.h"
#include "source.h"
#include "target_map.h"

struct cli_train_opts {
    const char *model, *act, *output_act, *data, *val_data, *val_split, *loss, *opt, *init,
        *schedule;
    double lr;
    long epochs, batch, batches, early_stop;
    long train_samples, val_samples; /* budgets: the first N of each set (0: all) */
    int shuffle, quiet, log_target;
    struct cli_target_map tmap; /* --log-target: fitted on the training set by cli_train_data */
    struct cli_source_opts src;
};

void cli_train_opts_defaults(struct cli_train_opts *o);

/* If argv[*i] is one of these options, consumes it (and its value) and returns 1; -1 after
 * printing a usage error; 0 when it is not one. */
int cli_train_option(const char *cmd, int argc, char **argv, int *i, struct cli_train_opts *o);

/* The checks that need every option: exit code. */
int cli_train_opts_check(const char *cmd, const struct cli_train_opts *o);

/* The --help lines of these options (the data source's included). */
extern const char cli_train_help[];

/* The data: --data (with --val or --val-data), then the sample budgets and --log-target
 * (whose mean and deviation it keeps in o). Exit code. */
int cli_train_data(const char *cmd, struct cli_train_opts *o, struct cli_data *d);

/* Loss (the default follows the targets), optimizer with --lr, schedule. Exit code. */
int cli_train_setup(const char *cmd, const struct cli_train_opts *o, const data_set *train,
                    nn_loss *loss, nn_optimizer *opt, nn_schedule *sched);

/* The model for the data's samples: o->model with act as the hidden activation of a built-in
 * (act NULL: o->act) and o->output_act; initialised from rng. Exit code. */
int cli_train_model(const char *cmd, const struct cli_train_opts *o, const char *act,
                    const data_set *train, al_rng *rng, nn_model **m);

/* A spec text with every '@' replaced by act (how compare swaps the activation of a model
 * that is not a built-in). Exit code. */
int cli_spec_with_act(const char *cmd, const char *model, const char *act, char *buf,
                      size_t size);

/* A fit configuration from the options (no callbacks). */
nn_fit_config cli_train_config(const struct cli_train_opts *o, const nn_loss *loss,
                               nn_optimizer *opt, const nn_schedule *sched, al_rng *rng);


#endif
