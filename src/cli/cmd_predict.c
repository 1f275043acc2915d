/* actlab predict --load W --data SOURCE -o OUT: a saved model's outputs for every sample, as
 * a float32 .npy or a CSV (a Kaggle submission: Id,SalePrice). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/atomic.h"
#include "actlab/train.h"
#include "cli.h"
#include "source.h"

static int usage(void)
{
    printf("usage: actlab predict --load W.safetensors --data SOURCE -o OUT [options]\n"
           "  runs a saved model on every sample of SOURCE (file order) and writes its outputs.\n"
           "  --load W         weights saved by train --save (the model comes with them)\n"
           "  --data SOURCE    fashion-mnist[:DIR]  mnist:DIR  cifar10:DIR  csv:FILE\n"
           "                   npy:X.npy[,Y.npy]; a csv: file goes through the pipeline saved\n"
           "                   with the model (its target column may be absent, e.g. Kaggle's\n"
           "                   test.csv; a category never seen in training becomes all zeros)\n"
           "  --input X.npy|csv:FILE   the same as --data npy:X.npy or --data csv:FILE\n"
           "                   (X: float32, float64, or uint8 pixels scaled to [0, 1]; shape\n"
           "                   (N, input...))\n"
           "  --split train|test   which part of an image set [train]\n"
           "  -o, --output OUT the predictions\n"
           "  --format npy|csv [csv when OUT ends in .csv, else npy]\n"
           "                   npy: float32 (N, output...)\n"
           "                   csv: a header, then one row per sample, values as %%.9g. An Id\n"
           "                   column comes first when a csv: source has one (Id, id or ID)\n"
           "                   that the model does not use. A classifier (class labels in\n"
           "                   SOURCE, or a softmax output layer) gives class,p0,...,pK-1:\n"
           "                   the predicted class (argmax; output > 0.5 for one output) and\n"
           "                   the outputs. Otherwise one column per output, named after the\n"
           "                   CSV target (Id,SalePrice) or prediction (prediction_0, ... for\n"
           "                   several).\n"
           "  --batch N        samples per forward pass [256]\n");
    return CLI_OK;
}

struct predict_args {
    const char *load, *data, *output;
    char *input_source; /* --input as a SOURCE (malloc'd) */
    int csv;
    long batch;
    struct cli_source_opts src;
};

/* --input X.npy|csv:FILE as the SOURCE it stands for */
static int input_source(const char *cmd, const char *input, struct predict_args *a)
{
    const char *arg, *kind = cli_source_kind(input, &arg);
    const char *pre = kind && arg && (!strcmp(kind, "csv") || !strcmp(kind, "npy")) ? "" : "npy:";
    size_t n = strlen(pre) + strlen(input) + 1;
    free(a->input_source);
    if (!(a->input_source = malloc(n)))
        return cli_fail(cmd, "out of memory");
    snprintf(a->input_source, n, "%s%s", pre, input);
    a->data = a->input_source;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, struct predict_args *a)
{
    const char *format = NULL, *data = NULL, *input = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_source_option(argv[0], argc, argv, &i, &a->src);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(o))
            return usage(), -1;
        const char **slot = !strcmp(o, "--load")                              ? &a->load
                            : !strcmp(o, "--data")                            ? &data
                            : !strcmp(o, "--input")                           ? &input
                            : !strcmp(o, "-o") || !strcmp(o, "--output")      ? &a->output
                            : !strcmp(o, "--format")                          ? &format
                                                                              : NULL;
        if (!slot && strcmp(o, "--batch"))
            return cli_usage(argv[0], "unknown option or missing value '%s'", o);
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
    if (!a->load || !(data || input) || !a->output)
        return cli_usage(argv[0], "needs --load W.safetensors --data SOURCE -o OUT (try --help)");
    if (cli_source_for_model_check(argv[0], &a->src))
        return CLI_USAGE;
    if (data && input)
        return cli_usage(argv[0], "give --data SOURCE or --input X.npy|csv:FILE, not both");
    static const char *const formats[] = {"npy", "csv"};
    long f = -1;
    if (format && cli_choice(argv[0], "--format", format, formats, 2, &f))
        return CLI_USAGE;
    const char *dot = strrchr(a->output, '.');
    a->csv = format ? f == 1 : dot && !strcasecmp(dot, ".csv");
    a->data = data;
    return input ? input_source(argv[0], input, a) : CLI_OK;
}

/* Whether the spec's last layer ends in softmax (or log_softmax): its outputs are classes. */
static int softmax_output(const char *spec)
{
    const char *last = spec;
    int depth = 0;
    for (const char *p = spec; *p; p++) {
        depth += (*p == '(') - (*p == ')');
        if (!depth && *p == ' ' && p[1] && p[1] != ' ')
            last = p + 1;
    }
    return strstr(last, "softmax") != NULL;
}

/* a CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180) */
static int put_field(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")])
        return fputs(s, f) < 0;
    int bad = fputc('"', f) < 0;
    for (; *s && !bad; s++)
        bad = (*s == '"' && fputc('"', f) < 0) || fputc(*s, f) < 0;
    return bad || fputc('"', f) < 0;
}

static int put_number(FILE *f, const char *sep, double v)
{
    return (isnan(v) ? fprintf(f, "%snan", sep) : fprintf(f, "%s%.9g", sep, v)) < 0;
}

/* row i's id: a number as %.17g (exact for whole numbers below 2^53), text as it is, a
 * missing value empty */
static int put_id(FILE *f, const data_column *c, size_t i)
{
    if (c->type == DATA_COL_TEXT)
        return put_field(f, c->text[i] ? c->text[i] : "");
    return isnan(c->num[i]) ? 0 : fprintf(f, "%.17g", c->num[i]) < 0;
}

static int write_header(FILE *f, const struct cli_data *d, size_t width, int classes)
{
    const char *id = d->ids.n_cols ? d->ids.cols[0].name : NULL;
    int bad = id && (put_field(f, id) || fputc(',', f) < 0);
    if (classes) {
        bad |= fputs("class", f) < 0;
        for (size_t j = 0; j < width && !bad; j++)
            bad = fprintf(f, ",p%zu", width == 1 ? (size_t)1 : j) < 0;
        return bad || fputc('\n', f) < 0;
    }
    const char *name = d->target ? d->target : "prediction";
    for (size_t j = 0; j < width && !bad; j++) {
        bad = (j && fputc(',', f) < 0) || put_field(f, name);
        if (!bad && width > 1)
            bad = fprintf(f, "_%zu", j) < 0;
    }
    return bad || fputc('\n', f) < 0;
}

static int write_csv(const char *path, const struct cli_data *d, const float *y, size_t n,
                     size_t width, int classes)
{
    char *tmp;
    FILE *f;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    int bad = write_header(f, d, width, classes);
    for (size_t i = 0; i < n && !bad; i++) {
        const float *row = y + i * width;
        bad = d->ids.n_cols && (put_id(f, d->ids.cols, i) || fputc(',', f) < 0);
        if (classes && !bad) {
            size_t guess = 0;
            for (size_t j = 1; j < width; j++)
                guess = row[j] > row[guess] ? j : guess;
            if (width == 1)
                guess = row[0] > 0.5f;
            bad = fprintf(f, "%zu", guess) < 0;
        }
        for (size_t j = 0; j < width && !bad; j++)
            bad = put_number(f, j || classes ? "," : "", row[j]);
        bad = bad || fputc('\n', f) < 0;
    }
    return al__atomic_commit(path, tmp, f, bad);
}

static int run(const char *cmd, const struct predict_args *a, nn_model *m,
               const struct cli_data *d)
{
    nn_shape out = nn_model_output_shape(m);
    size_t n = d->train.x.shape[0], width = nn_shape_count(out);
    size_t shape[1 + NN_MAX_DIMS] = {n};
    for (int k = 0; k < out.ndim; k++)
        shape[1 + k] = out.d[k];
    data_array y = {0};
    int classes = d->train.y.dtype == DATA_I64 || softmax_output(nn_model_spec(m));
    int rc = data_array_alloc(&y, DATA_F32, 1 + out.ndim, shape);
    if (!rc)
        rc = nn_predict(m, d->train.x.data, n, y.data, (size_t)a->batch);
    if (!rc) /* a model of log targets gives them back in target units */
        cli_target_to_units(&d->tmap, y.data, data_array_count(&y));
    if (!rc)
        rc = a->csv ? write_csv(a->output, d, y.data, n, width, classes)
                    : (int)data_npy_write(a->output, &y);
    data_array_free(&y);
    if (rc)
        return cli_fail(cmd, "%s", al_last_error());
    /* -o /dev/stdout: the note must not become a row of the CSV */
    struct stat o, so;
    int to_stdout = !stat(a->output, &o) && !fstat(STDOUT_FILENO, &so) &&
                    o.st_dev == so.st_dev && o.st_ino == so.st_ino;
    fprintf(to_stdout ? stderr : stdout, "wrote %s (%zu predictions)\n", a->output, n);
    return CLI_OK;
}

int cli_predict(int argc, char **argv)
{
    struct predict_args a = {.batch = 256};
    cli_source_defaults(&a.src);
    int rc = parse_args(argc, argv, &a);
    if (rc || (rc = cli_check_output(argv[0], a.output))) {
        free(a.input_source);
        return rc < 0 ? CLI_OK : rc;
    }
    nn_model *m = NULL;
    struct cli_data d = {0};
    if (nn_load(a.load, &m))
        rc = cli_fail(argv[0], "%s", al_last_error());
    if (!rc)
        rc = cli_source_load_for_model(argv[0], a.data, &a.src, a.load, &d);
    if (!rc)
        rc = cli_source_fits(argv[0], a.data, &d.train.x, m);
    if (!rc)
        rc = run(argv[0], &a, m, &d);
    cli_data_free(&d);
    nn_model_free(m);
    free(a.input_source);
    return rc;
}
