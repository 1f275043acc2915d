/* actlab train --model SPEC --data SOURCE [options]: fit a model, Keras style. Results (the
 * summary, one line per epoch, the final line) go to standard output; the progress bar and
 * messages to standard error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/train.h"
#include "cli.h"
#include "mpi.h"
#include "train_opts.h"
#include "progress.h"
#include "source.h"
#include "train_ckpt.h"
#include "train_log.h"

static int usage(void)
{
    printf("usage: actlab train --model SPEC --data SOURCE [options]\n%s%s"
           "  outputs:\n"
           "  --load W         initial weights (safetensors); without --model, the file's model\n"
           "  --save W         write the trained weights (safetensors)\n"
           "  --metrics FILE   one CSV row per epoch (Keras' CSVLogger names), kept up to date\n"
           "  --plot FILE      loss and the main metric per epoch: .png, .svg or .pdf\n"
           "  --checkpoint DIR after every epoch: weights, optimizer and generator states,\n"
           "                   metrics so far (DIR/checkpoint.safetensors, DIR/metrics.csv)\n"
           "  --resume DIR     continue the run checkpointed in DIR (same options otherwise;\n"
           "                   the model comes from the checkpoint) and keep checkpointing there\n",
           cli_train_help, cli_source_help);
    return CLI_OK;
}

struct train_args {
    struct cli_train_opts t;
    const char *load, *save, *metrics, *plot, *checkpoint, *resume;
};

static int parse_args(int argc, char **argv, struct train_args *a)
{
    memset(a, 0, sizeof *a);
    cli_train_opts_defaults(&a->t);
    for (int i = 1; i < argc; i++) {
        int r = cli_train_option(argv[0], argc, argv, &i, &a->t);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = !strcmp(o, "--load")         ? &a->load
                            : !strcmp(o, "--save")       ? &a->save
                            : !strcmp(o, "--metrics")    ? &a->metrics
                            : !strcmp(o, "--plot")       ? &a->plot
                            : !strcmp(o, "--checkpoint") ? &a->checkpoint
                            : !strcmp(o, "--resume")     ? &a->resume
                                                         : NULL;
        if (cli_is_help(o))
            return usage(), -1;
        if (!slot)
            return cli_usage(argv[0], "unknown option '%s' (try --help)", o);
        if (!v)
            return cli_usage(argv[0], "%s needs a value", o);
        *slot = v;
        i++;
    }
    int rc = cli_train_opts_check(argv[0], &a->t);
    if (rc)
        return rc;
    if (!a->t.model && !a->load && !a->resume)
        return cli_usage(argv[0], "--model SPEC (or --load W) is required");
    if (a->t.output_act && !a->t.model)
        return cli_usage(argv[0], "--output-act needs --model (a loaded model keeps its own)");
    if (a->resume && a->checkpoint && strcmp(a->resume, a->checkpoint))
        return cli_usage(argv[0], "--resume DIR keeps checkpointing in DIR: give no other "
                                  "--checkpoint");
    if (a->resume)
        a->checkpoint = a->resume;
    return CLI_OK;
}

/* Every output is checked before any data is read or any epoch runs: a missing directory, no
 * permission or a plot format we cannot write is said now, not after hours of training. */
static int check_outputs(const char *cmd, const struct train_args *a)
{
    if (a->plot) {
        const char *dot = strrchr(a->plot, '.');
        if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg") && strcmp(dot, ".pdf")))
            return cli_usage(cmd, "--plot '%s': the name must end in .png, .svg or .pdf",
                             a->plot);
    }
    /* before the data is read and the epochs run: a bad output must not cost the training */
    const char *const paths[] = {a->save, a->metrics, a->plot, a->t.src.columns};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int rc = cli_check_output(cmd, paths[i]);
        if (rc)
            return rc;
    }
    return a->checkpoint ? cli_ckpt_prepare(cmd, a->checkpoint) : CLI_OK;
}

/* builds (or loads) the model for the data's sample shape */
static int make_model(const struct train_args *a, const data_set *train, al_rng *rng,
                      nn_model **m)
{
    if (!a->t.model) {
        if (nn_load(a->load, m))
            return cli_fail("train", "%s", al_last_error());
        return CLI_OK;
    }
    int rc = cli_train_model("train", &a->t, NULL, train, rng, m);
    if (!rc && a->load && nn_load_weights(*m, a->load)) {
        nn_model_free(*m);
        *m = NULL;
        return cli_fail("train", "%s", al_last_error());
    }
    return rc;
}

/* the summary and "N train / M validation samples, K batches of B" */
static void print_header(const nn_model *m, const struct cli_data *d, const nn_fit_config *c)
{
    char *text = NULL;
    if (!nn_model_summary(m, &text))
        fputs(text, stdout);
    free(text);
    size_t n = d->train.x.shape[0];
    size_t batches = c->n_batches ? c->n_batches : data_batch_count(n, c->batch);
    size_t per = c->n_batches ? data_split_start(n, batches, 1) : c->batch;
    printf("%zu train / %zu validation samples, %zu batches of %s%zu", n,
           d->val.x.data ? d->val.x.shape[0] : 0, batches,
           c->n_batches && n % batches ? "up to " : "", per < n ? per : n);
    if (c->shard && c->shard->ranks > 1)
        printf(", each split over %d processes", c->shard->ranks);
    putchar('\n');
    fflush(stdout);
}

/* the final result line, and a warning when the model never beat a constant one */
static void print_result(const struct cli_train_log *log, const nn_fit_report *r,
                         int quiet)
{
    if (!log->n) {
        if (!quiet)
            printf("no epochs trained\n");
        return;
    }
    int metric = r->metric_is_acc ? 0 : r->metric_is_rmsle ? 1 : 2, has_val = log->has_val;
    const nn_epoch_stats *last = &log->hist[log->n - 1], *best = last;
    for (long i = 0; i < log->n; i++) {
        double v = cli_metric_value(&log->hist[i], metric, has_val),
               b = cli_metric_value(best, metric, has_val);
        if (metric == 0 ? v > b : v < b)
            best = &log->hist[i];
    }
    double secs = 0;
    for (long i = 0; i < log->n; i++)
        secs += log->hist[i].seconds;
    const char *name = cli_metric_name(metric);
    const char *pre = has_val ? "val_" : "";
    printf("final: %ld epochs, %.1fs training - %sloss: %.4f - %s%s: %.4f (best %.4f at epoch "
           "%ld)\n",
           log->n, secs, pre, has_val ? last->val_loss : last->loss, pre, name,
           cli_metric_value(last, metric, has_val), cli_metric_value(best, metric, has_val),
           best->epoch);
    fflush(stdout);
    int beat = isnan(r->baseline);
    for (long i = 0; i < log->n; i++) {
        double v = cli_metric_value(&log->hist[i], metric, has_val);
        beat |= metric == 0 ? v > r->baseline : v < r->baseline;
    }
    if (!beat)
        fprintf(stderr, "actlab train: warning: the %s%s never beat %.4f, what %s gets: the "
                        "model learned nothing a constant would not (the learning rate, the "
                        "activation, or the output layer's range?)\n",
                has_val ? "val_" : "", name, r->baseline,
                metric == 0 ? "always predicting the majority class"
                            : "always predicting the training mean");
}

/* what on_epoch needs: the log, and the state a checkpoint saves */
struct train_ctx {
    struct cli_train_log log;
    const char *checkpoint;
    nn_model *m;
    const nn_optimizer *opt;
    const al_rng *rng;
    int keep_best;         /* --early-stop with --checkpoint: DIR/best-EPOCH.safetensors */
    long best_epoch;
};

static int on_best(void *ctx, long epoch)
{
    struct train_ctx *t = ctx;
    t->best_epoch = epoch;
    return t->keep_best ? cli_ckpt_save_best(t->checkpoint, t->m, epoch) : 0;
}

static int on_epoch(void *ctx, const nn_epoch_stats *s)
{
    struct train_ctx *t = ctx;
    int rc = cli_log_epoch(&t->log, s);
    if (!rc && t->checkpoint)
        rc = cli_ckpt_write(t->checkpoint, t->m, t->opt, t->rng, &t->log);
    if (!rc && t->keep_best) /* only now is the older best no longer needed */
        cli_ckpt_prune_best(t->checkpoint, t->best_epoch);
    return rc;
}

/* under mpirun rank 0 writes, and every process stops when its write failed */
static int agreed(int rc)
{
    int all = cli_mpi_agree(rc);
    if (all && !rc)
        return al_set_error((al_status)all, "rank 0 could not write the run's outputs (its message "
                        "says why)");
    return all;
}

static int on_best_mpi(void *ctx, long epoch)
{
    return agreed(on_best(ctx, epoch));
}

static int on_epoch_mpi(void *ctx, const nn_epoch_stats *s)
{
    return agreed(on_epoch(ctx, s));
}

static void on_batch(void *ctx, const nn_batch_progress *b)
{
    cli_log_batch(&((struct train_ctx *)ctx)->log, b);
}

static int save_model(const char *cmd, const nn_model *m, const struct cli_data *d,
                      const struct cli_target_map *tmap, const char *path, int quiet)
{
    /* what predict and evaluate need to see the data as training did: a CSV pipeline's
     * fitted transformation, and --log-target's scale */
    char *json = NULL, target[128];
    const char *keys[2], *values[2];
    size_t n = 0;
    int rc = CLI_OK;
    if (d->tf && data_tab_transform_to_json(d->tf, &json))
        return cli_fail(cmd, "%s", al_last_error());
    if (json)
        keys[n] = "actlab_tabular", values[n++] = json;
    if (tmap->log) {
        cli_target_map_format(tmap, target, sizeof target);
        keys[n] = CLI_TARGET_META, values[n++] = target;
    }
    if (nn_save_with_metas(m, path, keys, values, n))
        rc = cli_fail(cmd, "%s", al_last_error());
    else if (!quiet)
        fprintf(stderr, "saved %s\n", path);
    free(json);
    return rc;
}

int cli_train(int argc, char **argv)
{
    struct train_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    int rank = cli_mpi_rank(), procs = cli_mpi_size(); /* under mpirun, rank 0 writes */
    if ((rc = cli_mpi_agree(rank ? CLI_OK : check_outputs(argv[0], &a))))
        return rc;
    struct cli_data d;
    int drc = cli_train_data(argv[0], &a.t, &d);
    if ((rc = cli_mpi_agree(drc))) {
        if (!drc)
            cli_data_free(&d);
        return rc;
    }
    nn_loss loss;
    nn_optimizer opt;
    nn_schedule sched;
    if ((rc = cli_train_setup(argv[0], &a.t, &d.train, &loss, &opt, &sched))) {
        cli_data_free(&d);
        return rc;
    }
    al_rng rng;
    al_rng_seed(&rng, a.t.src.seed);
    nn_model *m = NULL;
    struct cli_progress p;
    cli_progress_init(&p, stderr, a.t.epochs, a.t.quiet || rank);
    int has_val = d.val.x.data != NULL;
    struct train_ctx t = {.log = {.cmd = argv[0], .metrics = rank ? NULL : a.metrics,
                                  .out = a.t.quiet || rank ? NULL : stdout, .progress = &p,
                                  .epochs = a.t.epochs, .labels = d.train.y.dtype == DATA_I64,
                                  .has_val = has_val},
                          .checkpoint = rank ? NULL : a.checkpoint, .rng = &rng, .opt = &opt,
                          .keep_best = a.checkpoint && a.t.early_stop && !rank};
    /* the config holds the base rate: a resumed optimizer has the last scheduled one */
    nn_fit_config c = cli_train_config(&a.t, &loss, &opt, &sched, &rng);
    long done = 0;
    float *best_w = NULL;
    if (a.resume) {
        rc = cli_ckpt_resume(argv[0], a.resume, &m, &opt, &rng, &done, &t.log);
        if (!rc && (t.log.labels != (d.train.y.dtype == DATA_I64) || t.log.has_val != has_val))
            rc = cli_usage(argv[0], "--resume %s: the checkpointed run had %s and %s validation "
                                    "set: give the same data options", a.resume,
                           t.log.labels ? "class labels" : "regression targets",
                           t.log.has_val ? "a" : "no");
        /* every process needs the best weights (restore_best), rank 0 alone keeps them */
        if (!rc && a.checkpoint && a.t.early_stop && done)
            rc = cli_ckpt_load_best(argv[0], a.resume, &t.log, m, &best_w);
        if (!rc && !a.t.quiet && !rank)
            printf("resuming %s after epoch %ld of %ld\n", a.resume, done, a.t.epochs);
    } else {
        rc = make_model(&a, &d.train, &rng, &m);
    }
    rc = cli_mpi_agree(rc);
    t.m = m;
    c.start_epoch = done < a.t.epochs ? done : a.t.epochs;
    c.on_batch = p.bar ? on_batch : NULL, c.on_epoch = on_epoch, c.on_best = on_best;
    c.ctx = &t, c.past = t.log.hist, c.best_weights = best_w;
    nn_fit_shard shard;
    if (procs > 1) {
        cli_mpi_shard(&shard);
        c.shard = &shard, c.on_epoch = on_epoch_mpi, c.on_best = on_best_mpi;
    }
    struct cli_train_log *log = &t.log;
    nn_fit_report r = {0};
    if (!rc && !a.t.quiet && !rank)
        print_header(m, &d, &c);
    if (!rc && nn_fit(m, &d.train, has_val ? &d.val : NULL, &c, NULL, &r)) {
        cli_progress_clear(&p);
        if (rank) /* each process says why it stopped; only rank 0 says more */
            fprintf(stderr, "actlab %s (rank %d of %d): %s\n", argv[0], rank, procs,
                    al_last_error());
        rc = rank ? CLI_FAIL : cli_fail(argv[0], "%s", al_last_error());
        if (log->n && !rank)
            fprintf(stderr, "actlab train: %ld epoch%s finished before it stopped%s%s%s\n",
                    log->n, log->n == 1 ? "" : "s",
                    a.checkpoint ? "; the last one is checkpointed in " : "",
                    a.checkpoint ? a.checkpoint : "",
                    a.metrics && !a.checkpoint ? "; their metrics are in the --metrics file" : "");
    }
    int out = !rank; /* rank 0 prints and writes the results */
    if (!rc && out)
        print_result(log, &r, a.t.quiet);
    if (!rc && out && a.t.early_stop && r.best_epoch) /* part of the result: --quiet keeps it */
        printf("early stopping: %s; the weights are epoch %ld's (best %s %.4f)\n",
               r.stopped_early ? "stopped" : "ran every epoch", r.best_epoch,
               has_val ? "val_loss" : "loss",
               has_val ? log->hist[r.best_epoch - 1].val_loss : log->hist[r.best_epoch - 1].loss);
    if (out && a.plot && log->n && cli_log_plot(a.plot, log->hist, log->n,
                                         r.metric_is_acc ? 0 : r.metric_is_rmsle ? 1 : 2,
                                         has_val)) {
        int prc = cli_fail(argv[0], "%s", al_last_error());
        rc = rc ? rc : prc;
    }
    if (!rc && out && a.save)
        rc = save_model(argv[0], m, &d, &a.t.tmap, a.save, a.t.quiet);
    cli_log_free(log);
    free(best_w);
    nn_model_free(m);
    cli_data_free(&d);
    return rc;
}
