#define _POSIX_C_SOURCE 200809L /* mkdir */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "../core/atomic.h"
#include "actlab/table.h"
#include "cli.h"
#include "train_ckpt.h"

#define CKPT "checkpoint.safetensors"
#define METRICS "metrics.csv"

static int path_in(char *buf, size_t size, const char *dir, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);
    return n < 0 || (size_t)n >= size;
}

int cli_ckpt_prepare(const char *cmd, const char *dir)
{
    char p[4096];
    if (path_in(p, sizeof p, dir, CKPT))
        return cli_usage(cmd, "--checkpoint: the directory name is too long");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail(cmd, "cannot create the checkpoint directory %s: %s", dir,
                        strerror(errno));
    if (al__check_writable(p))
        return cli_fail(cmd, "%s", al_last_error());
    path_in(p, sizeof p, dir, METRICS);
    if (al__check_writable(p))
        return cli_fail(cmd, "%s", al_last_error());
    return CLI_OK;
}

int cli_ckpt_write(const char *dir, nn_model *m, const nn_optimizer *o,
                   const al_rng *rng, const struct cli_train_log *log)
{
    char p[4096];
    path_in(p, sizeof p, dir, METRICS); /* lengths checked by cli_ckpt_prepare */
    int rc = cli_log_write_csv(p, log->hist, log->n, log->labels, log->has_val);
    if (rc)
        return rc;
    path_in(p, sizeof p, dir, CKPT);
    return nn_checkpoint_save(m, o, log->n ? log->hist[log->n - 1].epoch : 0, rng, p);
}

/* The column's value in row r, NaN when the column is absent */
static double cell(const data_table *t, const char *name, size_t r)
{
    long c = data_table_find_column(t, name);
    return c < 0 || t->cols[c].type != DATA_COL_NUMERIC ? NAN : t->cols[c].num[r];
}

/* metrics.csv back into the history: rows for epochs 1..epoch */
static int read_history(const char *path, long epoch, struct cli_train_log *log)
{
    data_table t = {0};
    int rc = data_csv_read(path, &t);
    if (rc)
        return rc;
    if (t.n_rows < (size_t)epoch || data_table_find_column(&t, "epoch") < 0) {
        data_table_free(&t);
        return al_set_error(AL_EFORMAT, "%s has %zu epochs of metrics, the checkpoint is at epoch "
                        "%ld", path, t.n_rows, epoch);
    }
    log->labels = data_table_find_column(&t, "accuracy") >= 0;
    log->has_val = data_table_find_column(&t, "val_loss") >= 0;
    for (size_t r = 0; r < (size_t)epoch && !rc; r++) {
        nn_epoch_stats s = {
            .epoch = (long)cell(&t, "epoch", r), .loss = cell(&t, "loss", r),
            .val_loss = cell(&t, "val_loss", r), .acc = cell(&t, "accuracy", r),
            .val_acc = cell(&t, "val_accuracy", r), .rmsle = cell(&t, "rmsle", r),
            .val_rmsle = cell(&t, "val_rmsle", r), .mae = cell(&t, "mae", r),
            .val_mae = cell(&t, "val_mae", r), .rmse = cell(&t, "rmse", r),
            .val_rmse = cell(&t, "val_rmse", r), .seconds = cell(&t, "seconds", r),
            .lr = cell(&t, "lr", r)};
        if (s.epoch != (long)r + 1)
            rc = al_set_error(AL_EFORMAT, "%s: row %zu is not epoch %zu", path, r + 1, r + 1);
        else
            rc = cli_log_epoch_quiet(log, &s);
    }
    data_table_free(&t);
    return rc;
}

int cli_ckpt_resume(const char *cmd, const char *dir, nn_model **m, nn_optimizer *o,
                    al_rng *rng, long *epoch, struct cli_train_log *log)
{
    char p[4096];
    if (path_in(p, sizeof p, dir, CKPT))
        return cli_usage(cmd, "--resume: the directory name is too long");
    if (nn_checkpoint_load(p, m, o, epoch, rng))
        return cli_fail(cmd, "--resume %s: %s", dir, al_last_error());
    path_in(p, sizeof p, dir, METRICS);
    if (read_history(p, *epoch, log)) {
        nn_model_free(*m);
        *m = NULL;
        return cli_fail(cmd, "--resume %s: %s", dir, al_last_error());
    }
    return CLI_OK;
}

static void best_path(char *buf, size_t size, const char *dir, long epoch)
{
    snprintf(buf, size, "%s/best-%ld.safetensors", dir, epoch);
}

int cli_ckpt_save_best(const char *dir, const nn_model *m, long epoch)
{
    char p[4200];
    best_path(p, sizeof p, dir, epoch);
    return nn_save(m, p);
}

void cli_ckpt_prune_best(const char *dir, long keep)
{
    DIR *d = opendir(dir);
    if (!d)
        return; /* stale files cost disk, nothing else: the next prune removes them */
    struct dirent *e;
    char p[4200];
    while ((e = readdir(d))) {
        long epoch;
        char tail[32];
        if (sscanf(e->d_name, "best-%ld.safetensor%31s", &epoch, tail) == 2 &&
            !strcmp(tail, "s") && epoch != keep) {
            best_path(p, sizeof p, dir, epoch);
            remove(p);
        }
    }
    closedir(d);
}

int cli_ckpt_load_best(const char *cmd, const char *dir, const struct cli_train_log *log,
                       nn_model *m, float **out)
{
    long best = 0;
    double low = INFINITY;
    for (long i = 0; i < log->n; i++) {
        double v = log->has_val ? log->hist[i].val_loss : log->hist[i].loss;
        if (v < low)
            low = v, best = log->hist[i].epoch;
    }
    *out = NULL;
    if (!best)
        return CLI_OK;
    char path[4200];
    best_path(path, sizeof path, dir, best);
    nn_model *b;
    float *w, *g, *bw, *bg;
    if (nn_load(path, &b))
        return cli_fail(cmd, "--resume: the best weights so far: %s", al_last_error());
    size_t n = nn_params(m, &w, &g), nb = nn_params(b, &bw, &bg);
    int rc = CLI_OK;
    if (n != nb || strcmp(nn_model_spec(m), nn_model_spec(b)))
        rc = cli_fail(cmd, "--resume: %s holds another model than the checkpoint", path);
    else if (!(*out = malloc((n ? n : 1) * sizeof **out)))
        rc = cli_fail(cmd, "out of memory");
    else
        memcpy(*out, bw, n * sizeof **out);
    nn_model_free(b);
    return rc;
}
