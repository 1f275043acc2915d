/* actlab train --model SPEC --data SOURCE [options]: fit a model, Keras style. */
#include <stdlib.h>
#include <string.h>

#include "actlab/train.h"
#include "cli.h"
#include "model_opts.h"
#include "progress.h"
#include "source.h"

static int usage(void)
{
    printf("usage: actlab train --model SPEC --data SOURCE [options]\n"
           "  --model SPEC     lenet5, house-mlp or a spec ('dense(64,activation=relu) dense(1)')\n"
           "  --act FUNC       hidden activation of a built-in model [relu]\n"
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
           "  --save W         write the trained weights (safetensors)\n"
           "  --quiet          no progress output\n"
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
    const char *model, *act, *data, *loss, *opt, *load, *save, *init;
    double lr;
    long epochs, batch, batches;
    int shuffle, quiet;
    struct cli_source_opts src;
};

static int parse_args(int argc, char **argv, struct train_args *a)
{
    memset(a, 0, sizeof *a);
    a->epochs = 10, a->batch = 32, a->shuffle = 1, a->lr = -1;
    cli_source_defaults(&a->src);
    for (int i = 1; i < argc; i++) {
        int r = cli_source_option(argv[0], argc, argv, &i, &a->src);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **slot = !strcmp(o, "--model")       ? &a->model
                            : !strcmp(o, "--act")       ? &a->act
                            : !strcmp(o, "--data")      ? &a->data
                            : !strcmp(o, "--loss")      ? &a->loss
                            : !strcmp(o, "--optimizer") ? &a->opt
                            : !strcmp(o, "--load")      ? &a->load
                            : !strcmp(o, "--save")      ? &a->save
                            : !strcmp(o, "--init")      ? &a->init
                                                        : NULL;
        char *end;
        if (cli_is_help(o))
            return usage(), -1;
        if (!strcmp(o, "--no-shuffle")) {
            a->shuffle = 0;
        } else if (!strcmp(o, "--quiet")) {
            a->quiet = 1;
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
    if (!a->model && !a->load)
        return cli_usage(argv[0], "--model SPEC (or --load W) is required");
    return CLI_OK;
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

int cli_train(int argc, char **argv)
{
    struct train_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    /* before the data is read and the epochs run: a bad --save must not cost the training */
    if ((rc = cli_check_output(argv[0], a.save)) || (rc = cli_check_output(argv[0], a.src.columns)))
        return rc;
    nn_loss loss;
    const char *loss_name = a.loss ? a.loss : NULL;
    nn_optimizer opt;
    if (nn_optimizer_init(&opt, a.opt ? a.opt : "adam"))
        return cli_usage(argv[0], "%s", act_last_error());
    if (a.lr > 0)
        opt.lr = (float)a.lr;

    struct cli_data d;
    if ((rc = cli_source_load(argv[0], a.data, &a.src, &d)))
        return rc;
    if (!loss_name)
        loss_name = d.train.y.dtype == DATA_I64 ? "sparse_categorical_crossentropy" : "mse";
    if (nn_loss_parse(loss_name, &loss)) {
        cli_data_free(&d);
        return cli_usage(argv[0], "%s", act_last_error());
    }
    al_rng rng;
    al_rng_seed(&rng, a.src.seed);
    nn_model *m = NULL;
    rc = make_model(&a, &d.train, &rng, &m);
    struct cli_progress p;
    cli_progress_init(&p, stderr, a.epochs, a.quiet);
    nn_fit_config c = {.epochs = a.epochs, .batch = (size_t)a.batch,
                       .n_batches = (size_t)a.batches, .shuffle = a.shuffle,
                       .loss = loss, .opt = &opt, .rng = &rng,
                       .on_batch = cli_progress_batch, .on_epoch = cli_progress_epoch, .ctx = &p};
    if (!rc && nn_fit(m, &d.train, d.val.x.data ? &d.val : NULL, &c, NULL))
        rc = cli_fail(argv[0], "%s", act_last_error());
    if (!rc && a.save) {
        /* a CSV pipeline's fitted transformation goes with the weights, for predict */
        char *json = NULL;
        if (d.tf && tab_transform_to_json(d.tf, &json))
            rc = cli_fail(argv[0], "%s", act_last_error());
        else if (json ? nn_save_with_meta(m, a.save, "actlab_tabular", json)
                      : nn_save(m, a.save))
            rc = cli_fail(argv[0], "%s", act_last_error());
        else if (!a.quiet)
            fprintf(stderr, "saved %s\n", a.save);
        free(json);
    }
    nn_model_free(m);
    cli_data_free(&d);
    return rc;
}
