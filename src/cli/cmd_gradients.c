/* actlab gradients: the vanishing-gradient and dying-ReLU demonstrations, measured. One deep
 * MLP per activation, the same initial weights for all, measured on a fixed evaluation batch
 * at initialisation and after every epoch (include/actlab/diag.h says what is measured). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/atomic.h"
#include "actlab/diag.h"
#include "actlab/train.h"
#include "cli.h"
#include "progress.h"
#include "source.h"
#ifdef ACTLAB_HAVE_PLOT
#include "actlab/plot.h"
#endif

#define MAX_ACTS 16

static int usage(void)
{
    printf("usage: actlab gradients [options] -o DIR\n"
           "  Trains the same deep MLP (flatten, DEPTH x dense(WIDTH, activation=A), then\n"
           "  dense(classes, softmax) for labels or dense(1) for regression) once per\n"
           "  activation, from the same initial weights, and measures on a fixed batch at\n"
           "  initialisation and after each epoch: the L2 norm of each layer's weight\n"
           "  gradient, and for the ReLU family the fraction of dead units (pre-activation\n"
           "  <= 0 on every sample of the batch).\n"
           "  -o DIR              gradients.csv, gradients.png/.svg, dead_units.png/.svg\n"
           "  --acts LIST         activations [sigmoid,tanh,relu,leaky_relu]\n"
           "  --depth D           hidden layers, 1..64 [8]\n"
           "  --width W           units per hidden layer, 1..4096 [64]\n"
           "  --epochs N          training epochs, 0 measures the initialisation only [5]\n"
           "  --batch B           training batch size [64]\n"
           "  --lr X              Adam's learning rate [0.001]\n"
           "  --samples N         size of the evaluation batch: the first N samples [1000]\n"
           "  --train-samples N   train on the first N samples, 0 for all [10000]\n"
           "  --seed N            weights, shuffling [42]\n"
           "  --quiet             no progress on stderr\n"
           "  --data SOURCE and its options [fashion-mnist]:\n%s",
           cli_source_help);
    return CLI_OK;
}

struct grad_args {
    const char *data, *acts, *out;
    long depth, width, epochs, batch, samples, train_samples;
    double lr;
    int quiet;
    struct cli_source_opts src;
    act_spec specs[MAX_ACTS];
    int n_acts;
};

static const struct {
    const char *name;
    size_t field; /* offset of the long in struct grad_args */
    long lo, hi;
} long_opts[] = {
    {"--depth", offsetof(struct grad_args, depth), 1, 64},
    {"--width", offsetof(struct grad_args, width), 1, 4096},
    {"--epochs", offsetof(struct grad_args, epochs), 0, 1000},
    {"--batch", offsetof(struct grad_args, batch), 1, 1000000},
    {"--samples", offsetof(struct grad_args, samples), 1, 1000000},
    {"--train-samples", offsetof(struct grad_args, train_samples), 0, 100000000},
};
#define N_LONG_OPTS (sizeof long_opts / sizeof long_opts[0])

static int parse_value(const char *cmd, struct grad_args *a, const char *o, const char *v)
{
    char *end;
    if (!strcmp(o, "--lr")) {
        a->lr = strtod(v, &end);
        if (end == v || *end || !(a->lr > 0 && a->lr < 1e6))
            return cli_usage(cmd, "--lr '%s': a positive number", v);
        return CLI_OK;
    }
    for (size_t k = 0; k < N_LONG_OPTS; k++) {
        if (strcmp(o, long_opts[k].name))
            continue;
        return cli_parse_long(cmd, o, v, long_opts[k].lo, long_opts[k].hi,
                              (long *)(void *)((char *)a + long_opts[k].field));
    }
    const char **slot = !strcmp(o, "--data") ? &a->data : !strcmp(o, "--acts") ? &a->acts
                                                                                : &a->out;
    *slot = v;
    return CLI_OK;
}

static int is_valued(const char *o)
{
    for (size_t k = 0; k < N_LONG_OPTS; k++)
        if (!strcmp(o, long_opts[k].name))
            return 1;
    return !strcmp(o, "--lr") || !strcmp(o, "--data") || !strcmp(o, "--acts") ||
           !strcmp(o, "-o") || !strcmp(o, "--out");
}

static int parse_args(int argc, char **argv, struct grad_args *a)
{
    memset(a, 0, sizeof *a);
    a->data = "fashion-mnist", a->acts = "sigmoid,tanh,relu,leaky_relu";
    a->depth = 8, a->width = 64, a->epochs = 5, a->batch = 64, a->lr = 1e-3;
    a->samples = 1000, a->train_samples = 10000;
    cli_source_defaults(&a->src);
    for (int i = 1; i < argc; i++) {
        int r = cli_source_option(argv[0], argc, argv, &i, &a->src);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        const char *o = argv[i];
        if (cli_is_help(o))
            return usage(), -1;
        if (!strcmp(o, "--quiet")) {
            a->quiet = 1;
        } else if (is_valued(o)) {
            if (i + 1 >= argc)
                return cli_usage(argv[0], "%s needs a value", o);
            int rc = parse_value(argv[0], a, o, argv[++i]);
            if (rc)
                return rc;
        } else {
            return cli_usage(argv[0], "unknown option '%s' (try --help)", o);
        }
    }
    if (!a->out)
        return cli_usage(argv[0], "-o DIR is required (try --help)");
    if (a->src.val > 0)
        return cli_usage(argv[0], "--val: gradients measures on the training set's first "
                                  "samples and has no validation split");
    return cli_parse_act_list(argv[0], "--acts", "a hidden layer", a->acts, a->specs, MAX_ACTS,
                              &a->n_acts);
}

/* DIR exists or is created, and a file can be created in it: checked before any training. */
static int check_out_dir(const char *cmd, const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail(cmd, "-o %s: cannot create the directory: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return cli_fail(cmd, "-o %s: not a directory", dir);
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/gradients.csv", dir);
    if (al__check_writable(probe))
        return cli_fail(cmd, "-o %s: %s", dir, al_last_error());
    return CLI_OK;
}

/* The first n samples of s, sharing its storage (never freed). */
static data_set head(const data_set *s, size_t n)
{
    data_set v = *s;
    v.x.shape[0] = n;
    v.y.shape[0] = n;
    return v;
}

static size_t class_count(const data_set *s)
{
    if (s->y.dtype != DATA_I64)
        return 0;
    if (s->n_classes)
        return s->n_classes;
    const int64_t *y = s->y.data;
    int64_t top = 0;
    for (size_t i = 0; i < s->y.shape[0]; i++)
        top = y[i] > top ? y[i] : top;
    return (size_t)top + 1;
}

static nn_shape sample_shape(const data_array *x)
{
    nn_shape s = {0};
    for (int d = 1; d < x->ndim && s.ndim < NN_MAX_DIMS; d++)
        s.d[s.ndim++] = x->shape[d];
    return s;
}

/* "flatten dense(W,activation=A,...) x D dense(out[,activation=softmax])", malloc'd. */
static char *mlp_spec(const act_spec *act, long depth, long width, size_t out, int classes)
{
    char fn[300], layer[400];
    int len = act_format(act, fn + 1, sizeof fn - 2);
    if (len < 0 || (size_t)len >= sizeof fn - 2)
        return NULL;
    int bracket = strchr(fn + 1, ',') != NULL; /* as the spec needs: [softplus:beta=2,...] */
    fn[0] = '[';
    if (bracket)
        strcat(fn, "]");
    snprintf(layer, sizeof layer, " dense(%ld,activation=%s)", width, bracket ? fn : fn + 1);
    size_t size = strlen("flatten") + (size_t)depth * strlen(layer) + 64;
    char *spec = malloc(size);
    if (!spec)
        return NULL;
    strcpy(spec, "flatten");
    for (long i = 0; i < depth; i++)
        strcat(spec, layer);
    snprintf(spec + strlen(spec), 64, " dense(%zu%s)", out, classes ? ",activation=softmax" : "");
    return spec;
}

/* Measurements: m[(a * (epochs + 1) + e) * layers + l]. */
struct results {
    int n_acts;
    long epochs;
    size_t layers;
    nn_diag_layer *m;
    char names[MAX_ACTS][256];
};

static nn_diag_layer *at(const struct results *r, int a, long e, size_t l)
{
    return &r->m[((size_t)a * (size_t)(r->epochs + 1) + (size_t)e) * r->layers + l];
}

/* Progress over the whole run of one activation, although nn_fit runs one epoch a call. */
struct progress {
    struct cli_progress p;
    long done;
    int quiet;
};

static void on_batch(void *ctx, const nn_batch_progress *b)
{
    struct progress *g = ctx;
    nn_batch_progress t = *b;
    t.epoch += g->done;
    cli_progress_batch(&g->p, &t);
}

static int on_epoch(void *ctx, const nn_epoch_stats *s)
{
    struct progress *g = ctx;
    if (g->quiet)
        return 0;
    cli_progress_clear(&g->p);
    fprintf(stderr, "%s epoch %ld/%ld - %.1fs - loss: %.4f", g->p.label, g->done + s->epoch,
            g->p.epochs, s->seconds, s->loss);
    if (!isnan(s->acc))
        fprintf(stderr, " - accuracy: %.4f", s->acc);
    fputc('\n', stderr);
    return 0;
}

struct run {
    const struct grad_args *a;
    const data_set *train, *eval;
    size_t out;  /* model outputs */
    int classes;
};

static int run_act(const char *cmd, const struct run *r, int ai, struct results *res)
{
    const struct grad_args *a = r->a;
    char *spec = mlp_spec(&a->specs[ai], a->depth, a->width, r->out, r->classes);
    if (!spec)
        return cli_fail(cmd, "out of memory");
    al_rng rng;
    al_rng_seed(&rng, r->a->src.seed); /* the same seed: the same initial weights for all */
    nn_model *m = NULL;
    nn_optimizer opt = {0};
    nn_loss loss = {0};
    int rc = nn_model_create(spec, sample_shape(&r->train->x), NN_INIT_DEFAULT, &rng, &m);
    free(spec);
    if (!rc)
        rc = nn_optimizer_init(&opt, "adam");
    if (!rc)
        rc = nn_loss_parse(r->classes ? "sparse_categorical_crossentropy" : "mse", &loss);
    opt.lr = (float)a->lr;
    struct progress g = {.done = 0, .quiet = a->quiet};
    cli_progress_init(&g.p, stderr, a->epochs, a->quiet);
    g.p.label = res->names[ai];
    nn_fit_config c = {.epochs = 1, .batch = (size_t)a->batch, .shuffle = 1, .loss = loss,
                       .opt = &opt, .rng = &rng, .on_batch = on_batch, .on_epoch = on_epoch,
                       .ctx = &g};
    const data_set *e = r->eval;
    long ep = 0;
    for (; !rc && ep <= a->epochs; ep++) {
        if (ep > 0 && !(rc = nn_fit(m, r->train, NULL, &c, NULL, NULL)))
            g.done++;
        if (!rc)
            rc = nn_diagnose(m, e->x.data, e->y.data, e->x.shape[0], &loss, at(res, ai, ep, 0),
                             res->layers, NULL);
    }
    nn_model_free(m);
    if (!rc)
        return CLI_OK;
    /* a run that fails (a diverging loss) keeps what it measured; the other activations run */
    cli_fail(cmd, "%s: %s", res->names[ai], al_last_error());
    if (ep-- <= 1)
        return CLI_FAIL; /* nothing measured: no model, or a bad batch */
    fprintf(stderr, "actlab %s: %s: epochs %ld to %ld are left NaN\n", cmd, res->names[ai], ep,
            a->epochs);
    for (; ep <= a->epochs; ep++)
        for (size_t l = 0; l < res->layers; l++) {
            nn_diag_layer *d = at(res, ai, ep, l);
            *d = *at(res, ai, 0, l);
            d->grad_norm = d->dead_fraction = NAN;
            d->dead = 0;
        }
    return -1;
}

/* ---- Output ----------------------------------------------------------------------------- */

static int any_relu(const struct results *r, int a)
{
    for (size_t l = 0; l < r->layers; l++)
        if (at(r, a, 0, l)->relu_family)
            return 1;
    return 0;
}

/* %.3g, with NaN always "nan" (0 / 0 ratios, epochs after a failed one) */
static const char *num(char buf[32], double v)
{
    snprintf(buf, 32, isnan(v) ? "nan" : "%.3g", v);
    return buf;
}

/* A table with a row per layer (the first rows) and, per activation (ReLU family only for
 * dead units), a column at initialisation and one after the last epoch. */
static void print_table(const struct results *r, size_t rows, int dead)
{
    char head[32], cell[2][32], text[80];
    int width[MAX_ACTS];
    snprintf(head, sizeof head, "epoch %ld", r->epochs);
    for (int pass = 0; pass < 2; pass++) {
        printf("%-6s", pass ? "" : "layer");
        for (int a = 0; a < r->n_acts; a++) {
            if (dead && !any_relu(r, a))
                continue;
            int name = (int)strlen(r->names[a]), cells = r->epochs ? 21 : 10;
            width[a] = name > cells ? name : cells;
            snprintf(text, sizeof text, "%-10s %s", "init", r->epochs ? head : "");
            printf(" %-*s", width[a], pass ? text : r->names[a]);
        }
        printf("\n");
    }
    for (size_t l = 0; l < rows; l++) {
        printf("%-6zu", l + 1);
        for (int a = 0; a < r->n_acts; a++) {
            if (dead && !any_relu(r, a))
                continue;
            for (int k = 0; k < 2; k++) {
                const nn_diag_layer *d = at(r, a, k ? r->epochs : 0, l);
                if (dead && !isnan(d->dead_fraction))
                    snprintf(cell[k], sizeof cell[k], "%.1f%%", 100.0 * d->dead_fraction);
                else
                    num(cell[k], dead ? d->dead_fraction : d->grad_norm);
            }
            snprintf(text, sizeof text, "%-10s %s", cell[0], r->epochs ? cell[1] : "");
            printf(" %-*s", width[a], text);
        }
        printf("\n");
    }
}

static void print_tables(const struct results *r, long depth)
{
    printf("\ngradient norm of each layer's weights (layer 1 = input side, %zu = output)\n",
           r->layers);
    print_table(r, r->layers, 0);
    for (int a = 0; depth > 1 && a < r->n_acts; a++) {
        if (!a)
            printf("layer 1 / layer %ld (the last hidden one):\n", depth);
        char v[2][32];
        for (int k = 0; k < 2; k++) {
            long e = k ? r->epochs : 0;
            num(v[k], at(r, a, e, 0)->grad_norm / at(r, a, e, (size_t)depth - 1)->grad_norm);
        }
        printf("  %-21s init %-10s", r->names[a], v[0]);
        if (r->epochs)
            printf(" epoch %ld %s", r->epochs, v[1]);
        printf("\n");
    }
    int relus = 0;
    for (int a = 0; a < r->n_acts; a++)
        relus += any_relu(r, a);
    if (relus) {
        printf("\ndead units (pre-activation <= 0 on every evaluation sample), per hidden "
               "layer\n");
        print_table(r, (size_t)depth, 1);
    }
}

/* An activation's text as a CSV field: quoted when it has a comma (softplus:beta=2,...). */
static int csv_name(FILE *f, const char *s)
{
    if (!strchr(s, ',') && !strchr(s, '"'))
        return fprintf(f, "%s", s) < 0;
    int bad = fputc('"', f) == EOF;
    for (; *s && !bad; s++)
        bad = (*s == '"' && fputc('"', f) == EOF) || fputc(*s, f) == EOF;
    return bad || fputc('"', f) == EOF;
}

static int csv_number(FILE *f, double v)
{
    return (isnan(v) ? fprintf(f, "nan") : fprintf(f, "%.9g", v)) < 0;
}

/* dead_fraction is empty where it does not apply (not a ReLU-family activation), which
 * pandas and R read as NaN/NA. */
static int write_csv(const char *path, const struct results *r)
{
    char *tmp;
    FILE *f;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    int bad = fprintf(f, "activation,epoch,layer,grad_norm,dead_fraction\n") < 0;
    for (int a = 0; a < r->n_acts; a++)
        for (long e = 0; e <= r->epochs; e++)
            for (size_t l = 0; l < r->layers && !bad; l++) {
                const nn_diag_layer *d = at(r, a, e, l);
                bad = csv_name(f, r->names[a]) ||
                      fprintf(f, ",%ld,%zu,", e, l + 1) < 0 || csv_number(f, d->grad_norm) ||
                      fputc(',', f) == EOF ||
                      (d->relu_family && csv_number(f, d->dead_fraction)) ||
                      fputc('\n', f) == EOF;
            }
    return al__atomic_commit(path, tmp, f, bad);
}

#ifdef ACTLAB_HAVE_PLOT
/* Curves of r for the figures: x and y arrays owned here, freed together. */
struct series {
    double *x, *y; /* layers or epochs + 1 values per curve */
    plot_curve c[PLOT_MAX_CURVES];
    size_t n;
};

static double *series_add(struct series *s, const char *label, size_t n, int color,
                          plot_style style)
{
    if (s->n == PLOT_MAX_CURVES)
        return NULL;
    size_t i = s->n++;
    s->c[i] = (plot_curve){.label = label, .x = s->x, .y = s->y + i * n, .n = n,
                           .style = style, .color = color};
    return s->y + i * n;
}

static int series_init(struct series *s, size_t n, int one_based)
{
    memset(s, 0, sizeof *s);
    s->x = malloc(n * sizeof *s->x);
    s->y = malloc(PLOT_MAX_CURVES * n * sizeof *s->y);
    if (!s->x || !s->y)
        return al_set_error(AL_ENOMEM, "out of memory for the figures");
    for (size_t i = 0; i < n; i++)
        s->x[i] = (double)i + one_based;
    return AL_OK;
}

static void series_free(struct series *s)
{
    free(s->x), free(s->y);
}

static int write_both(const plot_figure *fig, const char *dir, const char *name)
{
    static const char *const ext[] = {"png", "svg"};
    for (int k = 0; k < 2; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[k]);
        int rc = plot_write(fig, path);
        if (rc)
            return rc;
        printf("wrote %s\n", path);
    }
    return AL_OK;
}

/* x: layer, y: grad norm on a log axis; one curve per activation (colour and line style),
 * at initialisation and after the last epoch side by side. */
static int plot_gradients(const struct results *r, const char *dir, const char *title)
{
    struct series s[2];
    int panels = r->epochs ? 2 : 1, rc = AL_OK;
    plot_panel p[2];
    char t1[64], xlabel[64];
    snprintf(t1, sizeof t1, "After epoch %ld", r->epochs);
    snprintf(xlabel, sizeof xlabel, "layer (1 = input side, %zu = output)", r->layers);
    double lo = INFINITY, hi = 0.0; /* one y range for both panels, so they compare */
    for (int a = 0; a < r->n_acts; a++)
        for (long e = 0; e <= r->epochs; e += r->epochs ? r->epochs : 1)
            for (size_t l = 0; l < r->layers; l++) {
                double v = at(r, a, e, l)->grad_norm;
                lo = v > 0.0 && v < lo ? v : lo;
                hi = v > hi && isfinite(v) ? v : hi;
            }
    for (int k = 0; k < panels && !rc; k++) {
        rc = series_init(&s[k], r->layers, 1);
        for (int a = 0; a < r->n_acts && !rc; a++) {
            double *y = series_add(&s[k], r->names[a], r->layers, a, (plot_style)(a % 3));
            for (size_t l = 0; l < r->layers; l++)
                y[l] = at(r, a, k ? r->epochs : 0, l)->grad_norm;
        }
        p[k] = (plot_panel){.title = k ? t1 : "At initialisation",
                            .xlabel = xlabel, .ylabel = "weight gradient L2 norm",
                            .curves = s[k].c, .n_curves = s[k].n,
                            .flags = PLOT_GRID | PLOT_LEGEND | PLOT_LOG_Y,
                            .ymin = lo < hi ? lo / 2.0 : 0.0, .ymax = lo < hi ? hi * 2.0 : 0.0};
    }
    plot_figure fig = {.title = title, .panels = p, .n_panels = (size_t)panels};
    if (!rc)
        rc = write_both(&fig, dir, "gradients");
    for (int k = 0; k < panels; k++)
        series_free(&s[k]);
    return rc;
}

/* Dead fraction per hidden layer (solid after the last epoch, dashed at initialisation) and,
 * beside it, the fraction over all hidden units per epoch; ReLU-family activations only. */
static int plot_dead(const struct results *r, long depth, const char *dir, const char *title)
{
    struct series s[2];
    int panels = r->epochs ? 2 : 1, rc = series_init(&s[0], (size_t)depth, 1);
    if (!rc && panels == 2)
        rc = series_init(&s[1], (size_t)r->epochs + 1, 0);
    char labels[MAX_ACTS][2][280];
    for (int a = 0, color = 0; a < r->n_acts && !rc; a++) {
        if (!any_relu(r, a))
            continue;
        snprintf(labels[a][0], sizeof labels[a][0], "%s, init", r->names[a]);
        snprintf(labels[a][1], sizeof labels[a][1], "%s, epoch %ld", r->names[a], r->epochs);
        for (long k = r->epochs ? 1 : 0; k >= 0; k--) {
            double *y = series_add(&s[0], labels[a][k != 0], (size_t)depth, color,
                                   k || !r->epochs ? PLOT_SOLID : PLOT_DASHED);
            for (long l = 0; l < depth; l++)
                y[l] = at(r, a, k ? r->epochs : 0, (size_t)l)->dead_fraction;
        }
        if (panels == 2) {
            double *y = series_add(&s[1], r->names[a], (size_t)r->epochs + 1, color,
                                   (plot_style)(color % 3));
            for (long e = 0; e <= r->epochs; e++) {
                size_t dead = 0, units = 0;
                for (long l = 0; l < depth; l++)
                    dead += at(r, a, e, (size_t)l)->dead, units += at(r, a, e, (size_t)l)->units;
                y[e] = (double)dead / (double)units;
            }
        }
        color++;
    }
    plot_panel p[2] = {
        {.title = "Dead units per layer", .xlabel = "hidden layer (1 = input side)",
         .ylabel = "fraction of dead units", .curves = s[0].c, .n_curves = s[0].n,
         .flags = PLOT_GRID | PLOT_LEGEND, .ymin = 0.0, .ymax = 1.0},
        {.title = "All hidden layers, during training", .xlabel = "epoch (0 = initialisation)",
         .ylabel = "fraction of dead units", .curves = s[1].c, .n_curves = panels == 2 ? s[1].n : 0,
         .flags = PLOT_GRID | PLOT_LEGEND, .ymin = 0.0, .ymax = 1.0}};
    plot_figure fig = {.title = title, .panels = p, .n_panels = (size_t)panels};
    if (!rc)
        rc = write_both(&fig, dir, "dead_units");
    series_free(&s[0]);
    if (panels == 2)
        series_free(&s[1]);
    return rc;
}
#endif

static int write_outputs(const char *cmd, const struct grad_args *a, const struct results *r,
                         const char *kind, size_t n_train)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/gradients.csv", a->out);
    if (write_csv(path, r))
        return cli_fail(cmd, "%s", al_last_error());
    printf("\nwrote %s\n", path);
#ifdef ACTLAB_HAVE_PLOT
    char title[256];
    char data[128]; /* a file source by its name alone: csv:train.csv */
    const char *slash = strrchr(a->data, '/');
    snprintf(data, sizeof data, "%s%s%s", slash ? kind : "", slash ? ":" : "",
             slash ? slash + 1 : a->data);
    if (a->epochs) /* two panels: room for the training set's size */
        snprintf(title, sizeof title, "%s: %ld hidden layers of %ld, %zu training samples",
                 data, a->depth, a->width, n_train);
    else
        snprintf(title, sizeof title, "%s: %ld x dense(%ld)", data, a->depth, a->width);
    if (plot_gradients(r, a->out, title))
        return cli_fail(cmd, "%s", al_last_error());
    int relus = 0;
    for (int k = 0; k < r->n_acts; k++)
        relus += any_relu(r, k);
    if (relus && plot_dead(r, a->depth, a->out, title))
        return cli_fail(cmd, "%s", al_last_error());
#else
    (void)kind, (void)n_train;
    printf("(no figures: built without PLplot)\n");
#endif
    return CLI_OK;
}

int cli_gradients(int argc, char **argv)
{
    struct grad_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if ((rc = check_out_dir(argv[0], a.out)))
        return rc;
    struct cli_data d;
    if ((rc = cli_source_load(argv[0], a.data, &a.src, &d)))
        return rc;
    size_t n = d.train.x.shape[0];
    if (!n) {
        cli_data_free(&d);
        return cli_fail(argv[0], "%s: no samples to train or measure on", a.data);
    }
    size_t n_train = a.train_samples && (size_t)a.train_samples < n ? (size_t)a.train_samples : n;
    size_t n_eval = (size_t)a.samples < n ? (size_t)a.samples : n;
    data_set train = head(&d.train, n_train), eval = head(&d.train, n_eval);
    size_t classes = class_count(&d.train);
    struct run run = {.a = &a, .train = &train, .eval = &eval, .classes = classes != 0,
                      .out = classes ? classes : (n ? data_array_count(&d.train.y) / n : 1)};
    struct results res = {.n_acts = a.n_acts, .epochs = a.epochs,
                          .layers = (size_t)a.depth + 1};
    res.m = calloc((size_t)a.n_acts * (size_t)(a.epochs + 1) * res.layers, sizeof *res.m);
    if (!res.m)
        rc = cli_fail(argv[0], "out of memory");
    for (int k = 0; k < a.n_acts; k++)
        act_format(&a.specs[k], res.names[k], sizeof res.names[k]);
    if (!rc && !a.quiet)
        fprintf(stderr, "%s: %zu training samples, evaluation batch of the first %zu, "
                        "%ld x dense(%ld), Adam lr %g, batch %ld\n", a.data, n_train, n_eval,
                a.depth, a.width, a.lr, a.batch);
    int failed = 0;
    for (int k = 0; !rc && k < a.n_acts; k++) {
        rc = run_act(argv[0], &run, k, &res);
        failed |= rc < 0;
        rc = rc < 0 ? CLI_OK : rc;
    }
    if (!rc) {
        print_tables(&res, a.depth);
        rc = write_outputs(argv[0], &a, &res, d.kind, n_train);
    }
    rc = rc ? rc : failed ? CLI_FAIL : CLI_OK;
    free(res.m);
    cli_data_free(&d);
    return rc;
}
