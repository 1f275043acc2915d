#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic.h"
#include "actlab/status.h"
#include "cli.h"
#include "train_log.h"
#ifdef ACTLAB_HAVE_PLOT
#include "actlab/plot.h"
#endif

const char *cli_metric_name(int metric)
{
    return metric == 0 ? "accuracy" : metric == 1 ? "rmsle" : "rmse";
}

double cli_metric_value(const nn_epoch_stats *s, int metric, int has_val)
{
    if (metric == 0)
        return has_val ? s->val_acc : s->acc;
    if (metric == 1)
        return has_val ? s->val_rmsle : s->rmsle;
    return has_val ? s->val_rmse : s->rmse;
}

/* one epoch's line: "Epoch 3/10 - 1.2s - loss: 0.4012 - accuracy: 0.8611 - val_loss: ..." */
static void epoch_line(FILE *f, const struct cli_train_log *l, const nn_epoch_stats *s)
{
    fprintf(f, "Epoch %ld/%ld - %.1fs - loss: %.4f", s->epoch, l->epochs, s->seconds, s->loss);
    const struct {
        const char *name;
        double v, val;
    } m[] = {{"accuracy", s->acc, s->val_acc}, {"rmsle", s->rmsle, s->val_rmsle},
             {"mae", s->mae, s->val_mae}, {"rmse", s->rmse, s->val_rmse}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (l->labels == (i == 0))
            fprintf(f, " - %s: %.4f", m[i].name, m[i].v);
    if (l->has_val) {
        fprintf(f, " - val_loss: %.4f", s->val_loss);
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
            if (l->labels == (i == 0))
                fprintf(f, " - val_%s: %.4f", m[i].name, m[i].val);
    }
    fputc('\n', f);
    fflush(f);
}

int cli_log_epoch_quiet(struct cli_train_log *l, const nn_epoch_stats *s)
{
    if (l->n == l->cap) {
        long cap = l->cap ? 2 * l->cap : 16;
        nn_epoch_stats *h = realloc(l->hist, (size_t)cap * sizeof *h);
        if (!h)
            return al_set_error(AL_ENOMEM, "out of memory for the training history");
        l->hist = h, l->cap = cap;
    }
    l->hist[l->n++] = *s;
    return AL_OK;
}

int cli_log_epoch(void *ctx, const nn_epoch_stats *s)
{
    struct cli_train_log *l = ctx;
    int rc = cli_log_epoch_quiet(l, s);
    if (rc)
        return rc;
    if (l->out) {
        if (l->progress)
            cli_progress_clear(l->progress);
        epoch_line(l->out, l, s);
    }
    if (l->metrics)
        return cli_log_write_csv(l->metrics, l->hist, l->n, l->labels, l->has_val);
    return AL_OK;
}

void cli_log_batch(void *ctx, const nn_batch_progress *b)
{
    struct cli_train_log *l = ctx;
    if (l->progress)
        cli_progress_batch(l->progress, b);
}

void cli_log_free(struct cli_train_log *l)
{
    free(l->hist);
    l->hist = NULL;
    l->n = l->cap = 0;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",nan", f);
    else
        fprintf(f, ",%.9g", v);
}

int cli_log_write_csv(const char *path, const nn_epoch_stats *h, long n, int labels,
                      int has_val)
{
    FILE *f;
    char *tmp;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    int bad = 0;
    if (labels)
        bad |= fputs(has_val ? "epoch,loss,accuracy,val_loss,val_accuracy" : "epoch,loss,accuracy",
                     f) < 0;
    else
        bad |= fputs(has_val ? "epoch,loss,val_loss,rmsle,val_rmsle,mae,val_mae,rmse,val_rmse"
                             : "epoch,loss,rmsle,mae,rmse",
                     f) < 0;
    bad |= fputs(",seconds,lr\n", f) < 0;
    for (long i = 0; i < n && !bad; i++) {
        const nn_epoch_stats *s = &h[i];
        bad |= fprintf(f, "%ld", s->epoch) < 0;
        csv_num(f, s->loss);
        if (labels) {
            csv_num(f, s->acc);
            if (has_val)
                csv_num(f, s->val_loss), csv_num(f, s->val_acc);
        } else {
            if (has_val)
                csv_num(f, s->val_loss);
            const double pairs[3][2] = {{s->rmsle, s->val_rmsle}, {s->mae, s->val_mae},
                                        {s->rmse, s->val_rmse}};
            for (int k = 0; k < 3; k++) {
                csv_num(f, pairs[k][0]);
                if (has_val)
                    csv_num(f, pairs[k][1]);
            }
        }
        csv_num(f, s->seconds);
        csv_num(f, s->lr);
        bad |= fputc('\n', f) == EOF || ferror(f);
    }
    return al__atomic_commit(path, tmp, f, bad);
}

#ifdef ACTLAB_HAVE_PLOT
int cli_log_plot(const char *path, const nn_epoch_stats *h, long n, int metric, int has_val)
{
    double *v = malloc(5 * (size_t)(n ? n : 1) * sizeof *v);
    if (!v)
        return al_set_error(AL_ENOMEM, "out of memory for the curves");
    double *ep = v, *loss = v + n, *vloss = v + 2 * n, *met = v + 3 * n, *vmet = v + 4 * n;
    for (long i = 0; i < n; i++) {
        ep[i] = (double)h[i].epoch;
        loss[i] = h[i].loss, vloss[i] = h[i].val_loss;
        met[i] = cli_metric_value(&h[i], metric, 0);
        vmet[i] = cli_metric_value(&h[i], metric, 1);
    }
    const char *name = cli_metric_name(metric);
    char vname[32];
    snprintf(vname, sizeof vname, "val_%s", name);
    plot_curve lc[2] = {{"loss", ep, loss, (size_t)n, PLOT_SOLID, 0, NULL},
                        {"val_loss", ep, vloss, (size_t)n, PLOT_DASHED, 1, NULL}};
    plot_curve mc[2] = {{name, ep, met, (size_t)n, PLOT_SOLID, 0, NULL},
                        {vname, ep, vmet, (size_t)n, PLOT_DASHED, 1, NULL}};
    size_t nc = has_val ? 2 : 1;
    plot_panel p[2] = {
        {.title = "Loss", .xlabel = "epoch", .ylabel = "loss", .curves = lc, .n_curves = nc,
         .flags = PLOT_GRID | PLOT_LEGEND},
        {.title = metric == 0 ? "Accuracy" : metric == 1 ? "RMSLE" : "RMSE", .xlabel = "epoch",
         .ylabel = name, .curves = mc, .n_curves = nc, .flags = PLOT_GRID | PLOT_LEGEND},
    };
    plot_figure fig = {.title = "Training curves", .panels = p, .n_panels = 2};
    int rc = plot_write(&fig, path);
    free(v);
    return rc;
}
#else
int cli_log_plot(const char *path, const nn_epoch_stats *h, long n, int metric, int has_val)
{
    (void)h, (void)n, (void)metric, (void)has_val;
    return al_set_error(AL_EUNSUPPORTED, "cannot write %s: this actlab was built without plots",
                    path);
}
#endif
