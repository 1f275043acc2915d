/* Data sources on the command line, shared by `data`, `train` and later `compare`:
 *   fashion-mnist[:DIR]  mnist:DIR  cifar10:DIR  csv:FILE  npy:X.npy,Y.npy
 * and the tabular pipeline options, the same wherever a CSV source is used. */
#ifndef ACTLAB_CLI_SOURCE_H
#define ACTLAB_CLI_SOURCE_H

#include "actlab/data.h"
#include "actlab/nn.h"
#include "actlab/table.h"
#include "target_map.h"

struct cli_source_opts {
    data_tab_options tab;      /* --target --drop --one-hot --dummy-na --drop-first --fill --scale */
    int tab_given;        /* any pipeline option was given */
    double val;           /* --val FRACTION (0: no split) */
    unsigned long seed;   /* --seed N [42] */
    const char *split;    /* --split train|test [train] */
    const char *columns;  /* --columns FILE: write the feature names */
};

void cli_source_defaults(struct cli_source_opts *o);

/* If argv[*i] is a source option, consumes it (and its value) and returns 1; returns -1
 * after printing a usage error; 0 when it is not a source option. */
int cli_source_option(const char *cmd, int argc, char **argv, int *i, struct cli_source_opts *o);

/* The option lines for --help. */
extern const char cli_source_help[];

/* A loaded source: the whole set in file order, or train/val when o->val > 0. For CSV the
 * fitted transformation (fitted on all rows, as the tutorial's pandas pipeline) comes too. */
struct cli_data {
    data_set train, val;  /* val.x.data is NULL without a split */
    data_tab_transform *tf;    /* CSV only */
    const char *kind;     /* "fashion-mnist", "csv", ... */
    /* cli_source_load_for_model's csv: the target's name (NULL: none, or not printable), and
     * the Id column the pipeline leaves out (n_cols 0: none), one value per sample */
    char *target;
    data_table ids;
    /* and the target's scale saved by train --log-target (log 0: none); its targets are
     * already on the model's scale */
    struct cli_target_map tmap;
};

/* The kind a SOURCE names, canonical ("fashion-mnist", "mnist", "cifar10", "csv", "npy"),
 * matched as every name (any case, '_' or '-': "Fashion_MNIST:DIR", "CSV:t.csv"), or NULL;
 * *arg (when arg is not NULL) is what follows the colon, or NULL. */
const char *cli_source_kind(const char *source, const char **arg);

int cli_source_load(const char *cmd, const char *source, const struct cli_source_opts *o,
                    struct cli_data *out);
void cli_data_free(struct cli_data *d);

/* --val-data SOURCE into d->val: the split'th part of an image set, an npy: pair, or a csv:
 * file through d's fitted pipeline (d must come from a csv: source then). Exit code. */
int cli_source_load_val(const char *cmd, const char *source, const struct cli_source_opts *o,
                        const char *split, struct cli_data *d);

/* The pipeline options, --val and --columns are usage errors for a saved model's source: for
 * the command line's checks before any work. Exit code. */
int cli_source_for_model_check(const char *cmd, const struct cli_source_opts *o);

/* SOURCE for the saved model in weights (evaluate, predict): as cli_source_load, except that
 * a csv: file goes through the pipeline saved with the model, never re-fitted, and may lack
 * the target column, and npy:X.npy alone (no targets) is taken; a sample's targets are
 * empty (train.y.data NULL) when the source has none. Exit code. */
int cli_source_load_for_model(const char *cmd, const char *source,
                              const struct cli_source_opts *o, const char *weights,
                              struct cli_data *d);

/* Whether the samples of x (N, ...) have as many values as m's input: exit code, the message
 * naming source. */
int cli_source_fits(const char *cmd, const char *source, const data_array *x, const nn_model *m);

#endif
