#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_opts.h"
#include "train_opts.h"

const char cli_train_help[] =
    "  --model SPEC     lenet5, house-mlp or a spec ('dense(64,activation=relu) dense(1)')\n"
    "  --act FUNC       hidden activation of a built-in model [relu]\n"
    "  --output-act FUNC  activation of the output layer (dense or conv2d)\n"
    "  --loss NAME      mse mae rmsle binary_crossentropy categorical_crossentropy\n"
    "                   sparse_categorical_crossentropy [sparse_categorical_crossentropy\n"
    "                   for class labels, mse otherwise]\n"
    "  --optimizer OPT  sgd adam adamw rmsprop, optionally with settings:\n"
    "                   adam:beta1=0.9,eps=1e-7 [adam]\n"
    "  --lr X           learning rate [the optimizer's default]\n"
    "  --lr-schedule S  step:every=N,factor=F | cosine[:min=LR] |\n"
    "                   plateau:patience=N,factor=F,min=LR (on val_loss, else loss)\n"
    "  --epochs N       passes over the training set [10]\n"
    "  --early-stop N   stop after N epochs without a better val_loss (else loss) and\n"
    "                   keep the best epoch's weights\n"
    "  --batch N        samples per batch [32]\n"
    "  --batches K      instead: split each epoch into K batches (np.array_split)\n"
    "  --seed N         initialisation, shuffling, dropout and split [42]\n"
    "  --no-shuffle     batches in file order\n"
    "  --init SCHEME    default (PyTorch) glorot_uniform he_normal he_uniform lecun_normal\n"
    "  --val-data SOURCE  validate on this set (a csv: source goes through the training\n"
    "                   set's fitted pipeline); instead of --val FRACTION\n"
    "  --val-split S    which part of an image set --val-data is [test]\n"
    "  --train-samples N, --val-samples N   use the first N samples of each set\n"
    "  --log-target     learn log(target); metrics are still in target units\n"
    "  --quiet          only the final result line\n"
    "  --data SOURCE and its options:\n";

void cli_train_opts_defaults(struct cli_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10, o->batch = 32, o->shuffle = 1, o->lr = -1, o->val_split = "test";
    cli_source_defaults(&o->src);
}

static const char **string_slot(struct cli_train_opts *o, const char *name)
{
    static const struct {
        const char *name;
        size_t off;
    } slots[] = {
#define S(opt, field) {opt, offsetof(struct cli_train_opts, field)}
        S("--model", model),         S("--act", act),         S("--output-act", output_act),
        S("--data", data),           S("--val-data", val_data), S("--val-split", val_split),
        S("--loss", loss),           S("--optimizer", opt),   S("--init", init),
        S("--lr-schedule", schedule),
#undef S
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (!strcmp(name, slots[i].name))
            return (const char **)(void *)((char *)o + slots[i].off);
    return NULL;
}

static long *count_slot(struct cli_train_opts *o, const char *name, long *min)
{
    static const struct {
        const char *name;
        size_t off;
        long min;
    } slots[] = {
#define C(opt, field, lo) {opt, offsetof(struct cli_train_opts, field), lo}
        C("--epochs", epochs, 0),         C("--batch", batch, 1),
        C("--batches", batches, 1),       C("--early-stop", early_stop, 1),
        C("--train-samples", train_samples, 1), C("--val-samples", val_samples, 1),
#undef C
    };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (!strcmp(name, slots[i].name)) {
            *min = slots[i].min;
            return (long *)(void *)((char *)o + slots[i].off);
        }
    return NULL;
}

int cli_train_option(const char *cmd, int argc, char **argv, int *i, struct cli_train_opts *o)
{
    int r = cli_source_option(cmd, argc, argv, i, &o->src);
    if (r)
        return r;
    const char *name = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (!strcmp(name, "--no-shuffle"))
        return o->shuffle = 0, 1;
    if (!strcmp(name, "--quiet"))
        return o->quiet = 1, 1;
    if (!strcmp(name, "--log-target"))
        return o->log_target = 1, 1;
    const char **slot = string_slot(o, name);
    long min = 0, *count = count_slot(o, name, &min);
    if (!slot && !count && strcmp(name, "--lr"))
        return 0;
    if (!v)
        return cli_usage(cmd, "%s needs a value", name), -1;
    ++*i;
    char *end;
    if (slot) {
        *slot = v;
    } else if (count) {
        if (cli_parse_long(cmd, name, v, min, 100000000, count))
            return -1;
    } else {
        o->lr = strtod(v, &end);
        if (end == v || *end || !(o->lr > 0 && o->lr < 1e6))
            return cli_usage(cmd, "--lr '%s': a positive number", v), -1;
    }
    return 1;
}

int cli_train_opts_check(const char *cmd, const struct cli_train_opts *o)
{
    if (!o->data)
        return cli_usage(cmd, "--data SOURCE is required (try --help)");
    if (o->val_data && o->src.val > 0)
        return cli_usage(cmd, "give --val-data SOURCE or --val FRACTION, not both");
    if (o->val_samples && !o->val_data && !(o->src.val > 0))
        return cli_usage(cmd, "--val-samples needs a validation set (--val-data or --val)");
    return CLI_OK;
}

/* the first n samples of s, in place */
static int keep_first(data_set *s, size_t n)
{
    if (!s->x.data || s->x.shape[0] <= n)
        return AL_OK;
    data_array x = {0}, y = {0};
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return al_set_error(AL_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    int rc = data_gather(&s->x, idx, n, &x);
    if (!rc && s->y.data)
        rc = data_gather(&s->y, idx, n, &y);
    free(idx);
    if (rc) {
        data_array_free(&x), data_array_free(&y);
        return rc;
    }
    data_array_free(&s->x), data_array_free(&s->y);
    s->x = x, s->y = y;
    return AL_OK;
}

int cli_train_data(const char *cmd, struct cli_train_opts *o, struct cli_data *d)
{
    int rc = cli_source_load(cmd, o->data, &o->src, d);
    if (rc)
        return rc;
    if (o->val_data && (rc = cli_source_load_val(cmd, o->val_data, &o->src, o->val_split, d))) {
        cli_data_free(d);
        return rc;
    }
    if ((o->train_samples && keep_first(&d->train, (size_t)o->train_samples)) ||
        (o->val_samples && keep_first(&d->val, (size_t)o->val_samples)) ||
        (o->log_target && (cli_target_map_fit(&o->tmap, &d->train, "training") ||
                           cli_target_map_apply(&o->tmap, &d->train, "training") ||
                           cli_target_map_apply(&o->tmap, &d->val, "validation")))) {
        cli_data_free(d);
        return cli_fail(cmd, "%s", al_last_error());
    }
    return CLI_OK;
}

int cli_train_setup(const char *cmd, const struct cli_train_opts *o, const data_set *train,
                    nn_loss *loss, nn_optimizer *opt, nn_schedule *sched)
{
    if (nn_optimizer_init(opt, o->opt ? o->opt : "adam"))
        return cli_usage(cmd, "%s", al_last_error());
    if (o->lr > 0)
        opt->lr = (float)o->lr;
    memset(sched, 0, sizeof *sched);
    if (o->schedule && nn_schedule_parse(o->schedule, sched))
        return cli_usage(cmd, "--lr-schedule: %s", al_last_error());
    const char *name = o->loss ? o->loss
                       : train->y.dtype == DATA_I64 ? "sparse_categorical_crossentropy"
                                                    : "mse";
    if (nn_loss_parse(name, loss))
        return cli_usage(cmd, "%s", al_last_error());
    return CLI_OK;
}

static nn_shape sample_shape(const data_array *x)
{
    nn_shape s = {0};
    for (int d = 1; d < x->ndim && s.ndim < NN_MAX_DIMS; d++)
        s.d[s.ndim++] = x->shape[d];
    return s;
}

int cli_train_model(const char *cmd, const struct cli_train_opts *o, const char *act,
                    const data_set *train, al_rng *rng, nn_model **m)
{
    /* in nn_init's order; Keras' names, PyTorch's where they differ */
    static const char *const inits[] = {"default", "glorot_uniform xavier_uniform",
                                        "he_normal kaiming_normal", "he_uniform kaiming_uniform",
                                        "lecun_normal"};
    long init = NN_INIT_DEFAULT;
    if (o->init && cli_choice(cmd, "--init", o->init, inits, 5, &init))
        return CLI_USAGE;
    char spec[4096];
    int rc;
    if (act && strchr(o->model, '@'))
        rc = cli_spec_with_act(cmd, o->model, act, spec, sizeof spec);
    else
        rc = cli_model_spec(cmd, o->model, act ? act : o->act, spec, sizeof spec);
    if (!rc && o->output_act)
        rc = cli_set_output_act(cmd, o->output_act, spec, sizeof spec);
    if (rc)
        return rc;
    if (nn_model_create(spec, sample_shape(&train->x), (nn_init)init, rng, m))
        return cli_usage(cmd, "%s", al_last_error());
    return CLI_OK;
}

int cli_spec_with_act(const char *cmd, const char *model, const char *act, char *buf,
                      size_t size)
{
    size_t used = 0;
    for (const char *p = model; *p; p++) {
        int n = *p == '@' ? snprintf(buf + used, size - used, "[%s]", act)
                          : snprintf(buf + used, size - used, "%c", *p);
        if (n < 0 || (size_t)n >= size - used)
            return cli_usage(cmd, "model spec too long");
        used += (size_t)n;
    }
    return CLI_OK;
}

nn_fit_config cli_train_config(const struct cli_train_opts *o, const nn_loss *loss,
                               nn_optimizer *opt, const nn_schedule *sched, al_rng *rng)
{
    return (nn_fit_config){.epochs = o->epochs, .batch = (size_t)o->batch,
                           .n_batches = (size_t)o->batches, .shuffle = o->shuffle,
                           .loss = *loss, .opt = opt, .rng = rng,
                           .to_target = o->log_target ? cli_target_to_units : NULL,
                           .target_ctx = &o->tmap,
                           .base_lr = opt->lr, .schedule = *sched,
                           .early_stop = o->early_stop, .restore_best = o->early_stop > 0};
}
