/* actlab train --model SPEC --data SOURCE [options]: fit a model, Keras style. Results (the
 * summary, one line per epoch, the final line) go to standard output; the progress bar and
 * messages to standard error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic.h"
#include "actlab/train.h"
#include "cli.h"
#include "model_opts.h"
#include "progress.h"
#include "source.h"
#include "train_ckpt.h"
#include "train_log.h"

static int usage(void)
{
    printf("usage: actlab train --model SPEC --data SOURCE [options]\n"
           "  --model SPEC     lenet5, house-mlp or a spec ('dense(64,activation=relu) dense(1)')\n"
           "  --act FUNC       hidden activation of a built-in model [relu]\n"
           "  --output-act FUNC  activation of the output layer (dense or conv2d)\n"
           "  --loss NAME      mse mae rmsle binary_crossentropy categorical_crossentropy\n"
           "                   sparse_categorical_crossentropy [sparse_categorical_crossentropy\n"
           "                   for class labels, mse otherwise]\n"
           "  --optimizer OPT  sgd adam adamw rmsprop, optionally with settings:\n"
           "                   adam:beta1=0.9,eps=1e-7 [adam]\n"
           "  --lr X           learning rate [the optimizer's default]\n"
           "  --epochs N       passes over the training set [10]\n"
           "  --batch N        samples per batch [32]\n"
           "  --batches K      instead: split each epoch into K batches (np.array_split)\n"
           "  --seed N         initialisation, shuffling, dropout and split [42]\n"
           "  --no-shuffle     batches in file order\n"
           "  --init SCHEME    default (PyTorch) glorot_uniform he_normal he_uniform lecun_normal\n"
           "  --load W         initial weights (safetensors); without --model, the file's model\n"
           "  --val-data SOURCE  validate on this set (a csv: source goes through the training\n"
           "                   set's fitted pipeline); instead of --val FRACTION\n"
           "  --val-split S    which part of an image set --val-data is [test]\n"
           "  --save W         write the trained weights (safetensors)\n"
           "  --metrics FILE   one CSV row per epoch (Keras' CSVLogger names), kept up to date\n"
           "  --plot FILE      loss and the main metric per epoch: .png, .svg or .pdf\n"
           "  --lr-schedule S  step:every=N,factor=F | cosine[:min=LR] |\n"
           "                   plateau:patience=N,factor=F,min=LR (on val_loss, else loss)\n"
           "  --early-stop N   stop after N epochs without a better val_loss (else loss) and\n"
           "                   keep the best epoch's weights (what --save writes)\n"
           "  --checkpoint DIR after every epoch: weights, optimizer and generator states,\n"
           "                   metrics so far (DIR/checkpoint.safetensors, DIR/metrics.csv)\n"
           "  --resume DIR     continue the run checkpointed in DIR (same options otherwise;\n"
           "                   the model comes from the checkpoint) and keep checkpointing there\n"
           "  --quiet          only the final result line\n"
           "  --data SOURCE and its options:\n%s",
           cli_source_help);
    return CLI_OK;
}

static int parse_init(const char *s, nn_init *out)
{
    static const char *const names[] = {"default", "glorot_uniform", "he_normal", "he_uniform",
                                        "lecun_normal"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return *out = (nn_init)i, 0;
    return -1;
}

struct train_args {
    const char *model, *act, *output_act, *data, *val_data, *val_split, *loss, *opt, *load,
        *save, *init, *metrics, *plot, *checkpoint, *resume, *schedule;
    double lr;
    long epochs, batch, batches, early_stop;
    int shuffle, quiet;
    struct cli_source_opts src;
};

static const char **string_slot(struct train_args *a, const char *o)
{
    static const struct {
        const char *name;
        size_t off;
    } slots[] = {
#define S(opt, field) {opt, offsetof(struct train_args, field)}
        S("--model", model),       S("--act", act),         S("--output-act", output_act),
        S("--data", data),         S("--val-data", val_data), S("--val-split", val_split),
        S("--loss", loss),         S("--optimizer", opt),   S("--load", load),
        S("--save", save),         S("--init", init),       S("--metrics", metrics),
        S("--plot", plot),         S("--checkpoint", checkpoint), S("--resume", resume),
        S("--lr-schedule", schedule),
#undef S
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (!strcmp(o, slots[i].name))
            return (const char **)(void *)((char *)a + slots[i].off);
    return NULL;
}

static int parse_args(int argc, char **argv, struct train_args *a)
{
    memset(a, 0, sizeof *a);
    a->epochs = 10, a->batch = 32, a->shuffle = 1, a->lr = -1, a->val_split = "test";
    cli_source_defaults(&a->src);
    for (int i = 1; i < argc; i++) {
        int r = cli_source_option(argv[0], argc, argv, &i, &a->src);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = string_slot(a, o);
        char *end;
        if (cli_is_help(o))
            return usage(), -1;
        if (!strcmp(o, "--no-shuffle")) {
            a->shuffle = 0;
        } else if (!strcmp(o, "--quiet")) {
            a->quiet = 1;
        } else if (!strcmp(o, "--early-stop")) {
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v || end == v || *end || n < 1 || n > 100000000)
                return cli_usage(argv[0], "--early-stop '%s': a whole number of epochs >= 1",
                                 v ? v : "");
            a->early_stop = n;
            i++;
        } else if (slot || !strcmp(o, "--lr") || !strcmp(o, "--epochs") ||
                   !strcmp(o, "--batch") || !strcmp(o, "--batches")) {
            if (!v)
                return cli_usage(argv[0], "%s needs a value", o);
            i++;
            if (slot) {
                *slot = v;
            } else if (!strcmp(o, "--lr")) {
                a->lr = strtod(v, &end);
                if (end == v || *end || !(a->lr > 0 && a->lr < 1e6))
                    return cli_usage(argv[0], "--lr '%s': a positive number", v);
            } else {
                long n = strtol(v, &end, 10);
                if (end == v || *end || n < (o[2] == 'e' ? 0 : 1) || n > 100000000)
                    return cli_usage(argv[0], "%s '%s': a whole number%s", o, v,
                                     o[2] == 'e' ? " >= 0" : " >= 1");
                *(o[2] == 'e' ? &a->epochs : strlen(o) == 7 ? &a->batch : &a->batches) = n;
            }
        } else {
            return cli_usage(argv[0], "unknown option '%s' (try --help)", o);
        }
    }
    if (!a->data)
        return cli_usage(argv[0], "--data SOURCE is required (try --help)");
    if (!a->model && !a->load && !a->resume)
        return cli_usage(argv[0], "--model SPEC (or --load W) is required");
    if (a->resume && a->checkpoint && strcmp(a->resume, a->checkpoint))
        return cli_usage(argv[0], "--resume DIR keeps checkpointing in DIR: give no other "
                                  "--checkpoint");
    if (a->resume)
        a->checkpoint = a->resume;
    if (a->val_data && a->src.val > 0)
        return cli_usage(argv[0], "give --val-data SOURCE or --val FRACTION, not both");
    if (a->output_act && !a->model)
        return cli_usage(argv[0], "--output-act needs --model (a loaded model keeps its own)");
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
    const char *const paths[] = {a->save, a->metrics, a->plot};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (paths[i] && al__check_writable(paths[i]))
            return cli_fail(cmd, "%s", act_last_error());
    return a->checkpoint ? cli_ckpt_prepare(cmd, a->checkpoint) : CLI_OK;
}

static nn_shape sample_shape(const data_array *x)
{
    nn_shape s = {0};
    for (int d = 1; d < x->ndim && s.ndim < NN_MAX_DIMS; d++)
        s.d[s.ndim++] = x->shape[d];
    return s;
}

/* builds (or loads) the model for the data's sample shape */
static int make_model(const struct train_args *a, const data_set *train, al_rng *rng,
                      nn_model **m)
{
    nn_init init = NN_INIT_DEFAULT;
    if (a->init && parse_init(a->init, &init))
        return cli_usage("train", "--init '%s': default, glorot_uniform, he_normal, he_uniform "
                                  "or lecun_normal", a->init);
    if (!a->model) {
        if (nn_load(a->load, m))
            return cli_fail("train", "%s", act_last_error());
        return CLI_OK;
    }
    char spec[4096];
    int rc = cli_model_spec("train", a->model, a->act, spec, sizeof spec);
    if (!rc && a->output_act)
        rc = cli_set_output_act("train", a->output_act, spec, sizeof spec);
    if (rc)
        return rc;
    if (nn_model_create(spec, sample_shape(&train->x), init, rng, m))
        return cli_usage("train", "%s", act_last_error());
    if (a->load && nn_load_weights(*m, a->load)) {
        nn_model_free(*m);
        *m = NULL;
        return cli_fail("train", "%s", act_last_error());
    }
    return CLI_OK;
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
    printf("%zu train / %zu validation samples, %zu batches of %s%zu\n", n,
           d->val.x.data ? d->val.x.shape[0] : 0, batches,
           c->n_batches && n % batches ? "up to " : "", per < n ? per : n);
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

static void on_batch(void *ctx, const nn_batch_progress *b)
{
    cli_log_batch(&((struct train_ctx *)ctx)->log, b);
}

static int save_model(const char *cmd, const nn_model *m, const struct cli_data *d,
                      const char *path, int quiet)
{
    /* a CSV pipeline's fitted transformation goes with the weights, for predict */
    char *json = NULL;
    int rc = CLI_OK;
    if (d->tf && tab_transform_to_json(d->tf, &json))
        rc = cli_fail(cmd, "%s", act_last_error());
    else if (json ? nn_save_with_meta(m, path, "actlab_tabular", json) : nn_save(m, path))
        rc = cli_fail(cmd, "%s", act_last_error());
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
    if ((rc = check_outputs(argv[0], &a)))
        return rc;
    nn_loss loss;
    nn_optimizer opt;
    if (nn_optimizer_init(&opt, a.opt ? a.opt : "adam"))
        return cli_usage(argv[0], "%s", act_last_error());
    if (a.lr > 0)
        opt.lr = (float)a.lr;
    double base_lr = opt.lr; /* a resumed optimizer holds the last scheduled rate instead */
    nn_schedule sched = {0};
    if (a.schedule && nn_schedule_parse(a.schedule, &sched))
        return cli_usage(argv[0], "--lr-schedule: %s", act_last_error());

    struct cli_data d;
    if ((rc = cli_source_load(argv[0], a.data, &a.src, &d)))
        return rc;
    if (a.val_data && (rc = cli_source_load_val(argv[0], a.val_data, &a.src, a.val_split, &d))) {
        cli_data_free(&d);
        return rc;
    }
    const char *loss_name =
        a.loss ? a.loss : d.train.y.dtype == DATA_I64 ? "sparse_categorical_crossentropy" : "mse";
    if (nn_loss_parse(loss_name, &loss)) {
        cli_data_free(&d);
        return cli_usage(argv[0], "%s", act_last_error());
    }
    al_rng rng;
    al_rng_seed(&rng, a.src.seed);
    nn_model *m = NULL;
    struct cli_progress p;
    cli_progress_init(&p, stderr, a.epochs, a.quiet);
    int has_val = d.val.x.data != NULL;
    struct train_ctx t = {.log = {.cmd = argv[0], .metrics = a.metrics,
                                  .out = a.quiet ? NULL : stdout, .progress = &p,
                                  .epochs = a.epochs, .labels = d.train.y.dtype == DATA_I64,
                                  .has_val = has_val},
                          .checkpoint = a.checkpoint, .rng = &rng, .opt = &opt};
    long done = 0;
    float *best_w = NULL;
    t.keep_best = a.checkpoint && a.early_stop;
    if (a.resume) {
        rc = cli_ckpt_resume(argv[0], a.resume, &m, &opt, &rng, &done, &t.log);
        if (!rc && (t.log.labels != (d.train.y.dtype == DATA_I64) || t.log.has_val != has_val))
            rc = cli_usage(argv[0], "--resume %s: the checkpointed run had %s and %s validation "
                                    "set: give the same data options", a.resume,
                           t.log.labels ? "class labels" : "regression targets",
                           t.log.has_val ? "a" : "no");
        if (!rc && t.keep_best && done)
            rc = cli_ckpt_load_best(argv[0], a.resume, &t.log, m, &best_w);
        if (!rc && !a.quiet)
            printf("resuming %s after epoch %ld of %ld\n", a.resume, done, a.epochs);
    } else {
        rc = make_model(&a, &d.train, &rng, &m);
    }
    t.m = m;
    nn_fit_config c = {.epochs = a.epochs, .start_epoch = done < a.epochs ? done : a.epochs,
                       .batch = (size_t)a.batch, .n_batches = (size_t)a.batches,
                       .shuffle = a.shuffle, .loss = loss, .opt = &opt, .rng = &rng,
                       .on_batch = p.bar ? on_batch : NULL, .on_epoch = on_epoch, .ctx = &t,
                       .base_lr = base_lr, .schedule = sched, .early_stop = a.early_stop,
                       .restore_best = a.early_stop > 0, .on_best = on_best,
                       .past = t.log.hist, .best_weights = best_w};
    struct cli_train_log *log = &t.log;
    nn_fit_report r = {0};
    if (!rc && !a.quiet)
        print_header(m, &d, &c);
    if (!rc && nn_fit(m, &d.train, has_val ? &d.val : NULL, &c, NULL, &r)) {
        cli_progress_clear(&p);
        rc = cli_fail(argv[0], "%s", act_last_error());
        if (log->n)
            fprintf(stderr, "actlab train: %ld epoch%s finished before it stopped%s%s%s\n",
                    log->n, log->n == 1 ? "" : "s",
                    a.checkpoint ? "; the last one is checkpointed in " : "",
                    a.checkpoint ? a.checkpoint : "",
                    a.metrics && !a.checkpoint ? "; their metrics are in the --metrics file" : "");
    }
    if (!rc)
        print_result(log, &r, a.quiet);
    if (!rc && a.early_stop && r.best_epoch) /* part of the result: --quiet keeps it */
        printf("early stopping: %s; the weights are epoch %ld's (best %s %.4f)\n",
               r.stopped_early ? "stopped" : "ran every epoch", r.best_epoch,
               has_val ? "val_loss" : "loss",
               has_val ? log->hist[r.best_epoch - 1].val_loss : log->hist[r.best_epoch - 1].loss);
    if (a.plot && log->n && cli_log_plot(a.plot, log->hist, log->n,
                                         r.metric_is_acc ? 0 : r.metric_is_rmsle ? 1 : 2,
                                         has_val)) {
        int prc = cli_fail(argv[0], "%s", act_last_error());
        rc = rc ? rc : prc;
    }
    if (!rc && a.save)
        rc = save_model(argv[0], m, &d, a.save, a.quiet);
    cli_log_free(log);
    free(best_w);
    nn_model_free(m);
    cli_data_free(&d);
    return rc;
}
