/* actlab evaluate --load W --data SOURCE: the loss and metrics of a saved model on a data set,
 * with a confusion matrix for classes. Results go to standard output, errors to standard
 * error. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/train.h"
#include "cli.h"
#include "source.h"

/* Beyond this many classes a matrix is neither readable nor cheap (65536 labels would ask
 * for 32 GiB of counts): the totals are printed, the matrix is not. */
#define MATRIX_MAX_CLASSES 32

static int usage(void)
{
    printf("usage: actlab evaluate --load W.safetensors --data SOURCE [options]\n"
           "  the loss and metrics of a saved model on a data set, on standard output:\n"
           "  samples, loss, and accuracy with a confusion matrix (rows: true class,\n"
           "  columns: predicted class, last column: the class's accuracy) for class labels,\n"
           "  or rmsle, mae and rmse (in target units) for regression targets.\n"
           "  --load W         weights saved by train --save (the model comes with them)\n"
           "  --data SOURCE    fashion-mnist[:DIR]  mnist:DIR  cifar10:DIR  csv:FILE\n"
           "                   npy:X.npy,Y.npy; a csv: file goes through the pipeline saved\n"
           "                   with the model (fitted on its training set, not re-fitted)\n"
           "  --split train|test   which part of an image set [train]\n"
           "  --loss NAME      as train's [sparse_categorical_crossentropy for class labels\n"
           "                   (binary_crossentropy for a model with one output), mse otherwise]\n"
           "  --batch N        samples per forward pass [256]\n");
    return CLI_OK;
}

struct eval_args {
    const char *load, *data, *loss;
    long batch;
    struct cli_source_opts src;
};

static int parse_args(int argc, char **argv, struct eval_args *a)
{
    memset(a, 0, sizeof *a);
    a->batch = 256;
    cli_source_defaults(&a->src);
    for (int i = 1; i < argc; i++) {
        int r = cli_source_option(argv[0], argc, argv, &i, &a->src);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(o))
            return usage(), -1;
        const char **slot = !strcmp(o, "--load")   ? &a->load
                            : !strcmp(o, "--data") ? &a->data
                            : !strcmp(o, "--loss") ? &a->loss
                                                   : NULL;
        if (!slot && strcmp(o, "--batch"))
            return cli_usage(argv[0], "unknown option '%s' (try --help)", o);
        if (!v)
            return cli_usage(argv[0], "%s needs a value", o);
        i++;
        if (slot) {
            *slot = v;
            continue;
        }
        if (cli_parse_long(argv[0], o, v, 1, 1000000, &a->batch))
            return CLI_USAGE;
    }
    if (!a->load || !a->data)
        return cli_usage(argv[0], "needs --load W.safetensors --data SOURCE (try --help)");
    if (cli_source_for_model_check(argv[0], &a->src))
        return CLI_USAGE;
    nn_loss l;
    if (a->loss && nn_loss_parse(a->loss, &l))
        return cli_usage(argv[0], "--loss: %s", al_last_error());
    return CLI_OK;
}

static void print_value(const char *name, double v, const char *why_nan)
{
    printf("%s: ", name);
    if (isnan(v))
        printf("nan%s\n", why_nan);
    else
        printf("%.6g\n", v);
}

/* the matrix, one row per true class with its accuracy; names where the data set has them */
static void print_confusion(const size_t *cm, size_t classes, const data_set *s)
{
    int wide = 0; /* the widest "I NAME" row label */
    char label[64];
    for (size_t t = 0; t < classes; t++) {
        int n = snprintf(label, sizeof label, "%zu%s%s", t, s->class_names ? " " : "",
                         s->class_names && t < s->n_classes ? s->class_names[t] : "");
        wide = n > wide ? n : wide;
    }
    wide = wide > 40 ? 40 : wide;
    printf("confusion matrix (rows: true class, columns: predicted class):\n%-*s", wide, "");
    for (size_t p = 0; p < classes; p++)
        printf(" %6zu", p);
    printf("  accuracy\n");
    for (size_t t = 0; t < classes; t++) {
        size_t total = 0;
        snprintf(label, sizeof label, "%zu%s%s", t, s->class_names ? " " : "",
                 s->class_names && t < s->n_classes ? s->class_names[t] : "");
        printf("%-*.*s", wide, wide, label);
        for (size_t p = 0; p < classes; p++) {
            printf(" %6zu", cm[t * classes + p]);
            total += cm[t * classes + p];
        }
        if (total)
            printf("  %.4f\n", (double)cm[t * classes + t] / (double)total);
        else
            printf("  -\n");
    }
}

static void print_results(const struct eval_args *a, const struct cli_data *d, const char *loss,
                          const nn_eval_stats *st, const size_t *cm, size_t classes)
{
    int image = strcmp(d->kind, "csv") && strcmp(d->kind, "npy");
    printf("data: %s%s%s%s\n", a->data, image ? " (" : "", image ? a->src.split : "",
           image ? " split)" : "");
    printf("samples: %zu\n", st->n);
    printf("loss: %.6g (%s)\n", st->loss, loss);
    if (d->train.y.dtype == DATA_I64) {
        size_t hits = 0;
        for (size_t c = 0; cm && c < classes; c++)
            hits += cm[c * classes + c];
        printf("accuracy: %.4f", st->acc);
        if (cm)
            printf(" (%zu of %zu)", hits, st->n);
        printf("\n");
        if (cm)
            print_confusion(cm, classes, &d->train);
        else
            printf("(%zu classes: too many for a confusion matrix)\n", classes);
        return;
    }
    print_value("rmsle", st->rmsle, " (some prediction or target is <= 0: no log)");
    print_value("mae", st->mae, "");
    print_value("rmse", st->rmse, "");
}

int cli_evaluate(int argc, char **argv)
{
    struct eval_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    nn_model *m = NULL;
    if (nn_load(a.load, &m))
        return cli_fail(argv[0], "%s", al_last_error());
    struct cli_data d;
    if ((rc = cli_source_load_for_model(argv[0], a.data, &a.src, a.load, &d))) {
        nn_model_free(m);
        return rc;
    }
    if (!d.train.y.data)
        rc = cli_fail(argv[0], "%s has no targets%s%s%s: evaluate compares the model's outputs "
                               "with them (predict does not need them)", a.data,
                      d.target ? " (no column " : "", d.target ? d.target : "",
                      d.target ? ")" : "");
    if (!rc)
        rc = cli_source_fits(argv[0], a.data, &d.train.x, m);
    size_t width = nn_shape_count(nn_model_output_shape(m)), classes = width == 1 ? 2 : width;
    int labels = d.train.y.dtype == DATA_I64;
    const char *name = a.loss                 ? a.loss
                       : !labels              ? "mse"
                       : width == 1           ? "binary_crossentropy"
                                              : "sparse_categorical_crossentropy";
    nn_loss loss;
    size_t *cm = NULL;
    if (!rc && nn_loss_parse(name, &loss))
        rc = cli_usage(argv[0], "--loss: %s", al_last_error());
    if (!rc && labels && classes <= MATRIX_MAX_CLASSES &&
        !(cm = malloc(classes * classes * sizeof *cm)))
        rc = cli_fail(argv[0], "out of memory");
    nn_eval_stats st;
    if (!rc && nn_evaluate_stats(m, &d.train, &loss, (size_t)a.batch,
                                 d.tmap.log ? cli_target_to_units : NULL, &d.tmap, cm, &st))
        rc = cli_fail(argv[0], "%s: %s", a.data, al_last_error());
    if (!rc)
        print_results(&a, &d, name, &st, cm, classes);
    free(cm);
    cli_data_free(&d);
    nn_model_free(m);
    return rc;
}
