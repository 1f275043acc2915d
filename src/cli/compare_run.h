/* compare's trainings: one per (activation, seed), the same model, data and options, run J
 * at a time on worker threads, each single-threaded, so the results do not depend on J. */
#ifndef ACTLAB_CLI_COMPARE_RUN_H
#define ACTLAB_CLI_COMPARE_RUN_H

#include <pthread.h>

#include "actlab/train.h"
#include "train_opts.h"

struct cmp_run {
    const char *act;         /* the activation's text, as given */
    unsigned long seed;
    nn_epoch_stats *hist;    /* epochs run (owned) */
    long n;
    nn_fit_report report;
    int failed;              /* nn_fit or the setup failed */
    char why[512];           /* its message */
    double seconds;          /* training time, validation excluded */
    int done;
};

struct cmp_plan {
    const char *cmd;
    const struct cli_train_opts *opts;
    const struct cli_data *data;
    int act_output;          /* the compared activation is the output layer's too */
    const char *runs_dir;    /* DIR/runs: one metrics CSV per run; NULL: none written */
    struct cmp_run *runs;
    size_t n_runs;
    int quiet;
    /* after each run ends, under the plan's lock (e.g. rewriting summary.csv) */
    void (*on_run_done)(void *ctx);
    void *ctx;
    /* NULL, or where the next run's index comes from (n_runs or more: none left), under the
     * lock: several processes share the runs (mpirun) */
    size_t (*next_run)(void *ctx);
    /* internal */
    pthread_mutex_t lock;
    size_t next;
};

/* Runs every run of the plan, jobs at a time. Returns 0, or an exit code when the threads
 * could not be started; failed trainings are results (run->failed), not errors. */
int cmp_run_all(struct cmp_plan *p, int jobs);

#endif
