/* Loading the sources named on the command line, with the tabular pipeline options. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "actlab/names.h"
#include "actlab/nn.h"
#include "cli.h"
#include "source.h"

const char cli_source_help[] =
    "  SOURCE: fashion-mnist[:DIR]  mnist:DIR  cifar10:DIR  csv:FILE  npy:X.npy,Y.npy\n"
    "  (a uint8 X.npy is taken as pixels and scaled to [0, 1])\n"
    "  --split train|test   which part of an image set [train]\n"
    "  --val FRACTION       hold out a seeded validation split (sklearn's train_test_split)\n"
    "  --seed N             seed of the split [42]\n"
    "  CSV pipeline (defaults as the regression tutorial: --one-hot --dummy-na --drop-first\n"
    "  --fill median --scale minmax):\n"
    "  --target COL         the column to predict, kept aside unscaled\n"
    "  --drop COL[,COL...]  columns to ignore (e.g. Id)\n"
    "  --one-hot / --no-one-hot, --dummy-na / --no-dummy-na, --drop-first / --no-drop-first\n"
    "  --fill median|mean|zero   missing numbers [median]\n"
    "  --scale minmax|standard|none   per feature [minmax]\n"
    "  --columns FILE       write the output feature names, one per line\n";

void cli_source_defaults(struct cli_source_opts *o)
{
    memset(o, 0, sizeof *o);
    data_tab_options_default(&o->tab);
    o->seed = 42;
    o->split = "train";
}

static int flag(const char *arg, const char *name, int *out)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    if (strcmp(arg + 2, name) == 0)
        return *out = 1, 1;
    if (strncmp(arg + 2, "no-", 3) == 0 && strcmp(arg + 5, name) == 0)
        return *out = 0, 1;
    return 0;
}

int cli_source_option(const char *cmd, int argc, char **argv, int *i, struct cli_source_opts *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    if (flag(a, "one-hot", &o->tab.one_hot) || flag(a, "dummy-na", &o->tab.dummy_na) ||
        flag(a, "drop-first", &o->tab.drop_first))
        return o->tab_given = 1, 1;
    static const char *const valued[] = {"--target", "--drop", "--fill", "--scale", "--val",
                                         "--seed", "--split", "--columns"};
    size_t k = 0;
    while (k < sizeof valued / sizeof *valued && strcmp(a, valued[k]) != 0)
        k++;
    if (k == sizeof valued / sizeof *valued)
        return 0;
    if (!v)
        return cli_usage(cmd, "%s needs a value", a), -1;
    ++*i;
    char *end;
    switch (k) {
    case 0: o->tab.target = v, o->tab_given = 1; break;
    case 1: o->tab.drop = v, o->tab_given = 1; break;
    case 2:
    case 3: {
        static const char *const fills[] = {"median", "mean", "zero"},
                                 *const scales[] = {"minmax", "standard", "none"};
        long c;
        if (cli_choice(cmd, a, v, k == 2 ? fills : scales, 3, &c))
            return -1;
        if (k == 2)
            o->tab.fill = (data_tab_fill)c;
        else
            o->tab.scale = (data_tab_scale)c;
        o->tab_given = 1;
        break;
    }
    case 4:
        o->val = strtod(v, &end);
        if (end == v || *end || !(o->val >= 0 && o->val < 1))
            return cli_usage(cmd, "--val '%s': a fraction in [0, 1)", v), -1;
        break;
    case 5:
        o->seed = strtoul(v, &end, 10);
        if (end == v || *end || v[0] == '-' || o->seed > 0xffffffffUL)
            return cli_usage(cmd, "--seed '%s': a whole number from 0 to 4294967295", v), -1;
        break;
    case 6: {
        static const char *const splits[] = {"train", "test"};
        long c;
        if (cli_choice(cmd, a, v, splits, 2, &c))
            return -1;
        o->split = splits[c];
        break;
    }
    case 7: o->columns = v; break;
    }
    return 1;
}

/* Labels of an npy Y: integers become int64 class indices, floats float32 targets. */
static int npy_targets(const char *path, data_array *y, size_t n, data_set *s)
{
    size_t count = data_array_count(y);
    if (y->ndim < 1 || y->shape[0] != n || count != n || y->ndim > 2)
        return al_set_error(AL_ESHAPE, "%s: shape must be (%zu,) or (%zu, 1) to match X", path, n, n);
    if (y->dtype != DATA_F32 && y->dtype != DATA_F64)
        return data_class_labels(path, y, &s->y, &s->n_classes);
    data_array f = {0};
    int rc = data_array_to_f32(y, &f);
    if (rc)
        return rc;
    f.ndim = 1;
    s->y = f;
    return AL_OK;
}

/* X of an npy: source as float32; a uint8 array is taken as pixels and scaled to [0, 1] as
 * the image loaders do. raw is emptied: float32 data moves across rather than being copied
 * (a set of tens of MiB is read once, not twice). */
static int npy_inputs(data_array *raw, data_array *x)
{
    if (raw->dtype == DATA_F32) {
        *x = *raw;
        memset(raw, 0, sizeof *raw);
        return CLI_OK;
    }
    int rc = data_array_to_f32(raw, x);
    if (!rc && raw->dtype == DATA_U8) {
        float *v = x->data;
        for (size_t i = 0, n = data_array_count(x); i < n; i++)
            v[i] /= 255.0f;
    }
    return rc;
}

static int load_npy(const char *spec, data_set *s)
{
    const char *comma = strchr(spec, ',');
    if (!comma)
        return al_set_error(AL_EINVAL, "npy:%s: give both files, npy:X.npy,Y.npy", spec);
    char xpath[4096];
    snprintf(xpath, sizeof xpath, "%.*s", (int)(comma - spec), spec);
    data_array x = {0}, y = {0};
    int rc = data_npy_read(xpath, &x);
    if (!rc)
        rc = data_npy_read(comma + 1, &y);
    if (!rc && (x.ndim != 2 && x.ndim != 4))
        rc = al_set_error(AL_ESHAPE, "%s: X must be (N, features) or (N, C, H, W), not %d-D", xpath,
                      x.ndim);
    if (!rc)
        rc = npy_inputs(&x, &s->x);
    if (!rc)
        rc = npy_targets(comma + 1, &y, s->x.shape[0], s);
    data_array_free(&x);
    data_array_free(&y);
    return rc;
}

static int write_columns(const char *path, const data_tab_transform *tf)
{
    al_outfile out;
    int rc = al_outfile_open(&out, path), failed = 0;
    if (rc)
        return rc;
    for (size_t i = 0; !failed && i < data_tab_n_features(tf); i++)
        failed = fprintf(out.f, "%s\n", data_tab_feature_name(tf, i)) < 0;
    return al_outfile_close(&out, failed);
}

/* The library's message with what the user typed in front ("train.csv: target column ..."). */
static int prefixed(int rc, const char *what)
{
    char msg[512];
    snprintf(msg, sizeof msg, "%s", al_last_error());
    return al_set_error(rc, "%s: %s", what, msg);
}

static int load_csv(const char *path, const struct cli_source_opts *o, struct cli_data *d)
{
    data_table t = {0};
    int rc = data_csv_read(path, &t);
    if (!rc) { /* the reader's messages name the file already */
        rc = data_tab_fit(&t, &o->tab, &d->tf);
        if (!rc)
            rc = data_tab_apply(d->tf, &t, &d->train.x, &d->train.y);
        if (rc)
            rc = prefixed(rc, path);
    }
    if (!rc && o->columns)
        rc = write_columns(o->columns, d->tf);
    data_table_free(&t);
    return rc;
}

static int split(const struct cli_source_opts *o, struct cli_data *d)
{
    size_t n = d->train.x.shape[0], nt, nv;
    size_t *idx = malloc(2 * (n ? n : 1) * sizeof *idx);
    if (!idx)
        return al_set_error(AL_ENOMEM, "no memory for the split");
    data_set all = d->train, tr = {0}, va = {0};
    int rc = data_tab_split(n, o->val, (uint32_t)o->seed, idx, &nt, idx + n, &nv);
    char what[64];
    snprintf(what, sizeof what, "--val %g", o->val);
    if (rc)
        rc = prefixed(rc, what);
    if (!rc)
        rc = data_gather(&all.x, idx, nt, &tr.x);
    if (!rc && all.y.data)
        rc = data_gather(&all.y, idx, nt, &tr.y);
    if (!rc)
        rc = data_gather(&all.x, idx + n, nv, &va.x);
    if (!rc && all.y.data)
        rc = data_gather(&all.y, idx + n, nv, &va.y);
    free(idx);
    if (rc) {
        data_array_free(&tr.x), data_array_free(&tr.y);
        data_array_free(&va.x), data_array_free(&va.y);
        return rc;
    }
    tr.n_classes = va.n_classes = all.n_classes;
    tr.class_names = all.class_names; /* the names move to train; val borrows none */
    all.class_names = NULL;
    all.n_classes = 0;
    data_array_free(&all.x);
    data_array_free(&all.y);
    d->train = tr;
    d->val = va;
    return AL_OK;
}

/* What the user probably meant by a source we do not know: a file or a path is most
 * likely a CSV (or, ending in .npy, an array), a word near a data set's name a typo. */
static const char *source_hint(const char *source, size_t klen, char *buf, size_t size)
{
    static const char *const names[] = {"fashion-mnist", "mnist", "cifar10", "csv", "npy"},
                             *const forms[] = {"fashion-mnist[:DIR]", "mnist:DIR", "cifar10:DIR",
                                               "csv:FILE", "npy:X.npy,Y.npy"};
    const char *dot = strrchr(source, '.'), *slash = strrchr(source, '/');
    struct stat st;
    buf[0] = '\0';
    if (dot && (!slash || dot > slash) && strcasecmp(dot, ".npy") == 0)
        snprintf(buf, size, "; for a NumPy array write npy:%s,Y.npy", source);
    else if (stat(source, &st) == 0 || slash || (dot && strcasecmp(dot, ".csv") == 0))
        snprintf(buf, size, "; for a CSV file write csv:%s", source);
    else
        for (size_t i = 0, best = 3; i < sizeof names / sizeof *names; i++) {
            size_t d = al_edit_distance(source, klen, names[i]);
            if (d < best && d < strlen(names[i]))
                best = d, snprintf(buf, size, d ? "; did you mean %s?" : "; write %s", forms[i]);
        }
    return buf;
}

const char *cli_source_kind(const char *source, const char **arg)
{
    static const char *const kinds[] = {"fashion-mnist", "mnist", "cifar10", "csv", "npy"};
    const char *colon = strchr(source, ':');
    size_t klen = colon ? (size_t)(colon - source) : strlen(source);
    long k = al_name_find(source, klen, kinds, sizeof kinds / sizeof *kinds);
    if (arg)
        *arg = colon ? colon + 1 : NULL;
    return k < 0 ? NULL : kinds[k];
}

int cli_source_load(const char *cmd, const char *source, const struct cli_source_opts *o,
                    struct cli_data *d)
{
    memset(d, 0, sizeof *d);
    const char *arg, *kind = cli_source_kind(source, &arg);
    const char *colon = strchr(source, ':');
    size_t klen = colon ? (size_t)(colon - source) : strlen(source);
    int rc;
    if (kind && !strcmp(kind, "fashion-mnist"))
        d->kind = kind, rc = data_mnist_load(arg, o->split, 1, &d->train);
    else if (kind && !strcmp(kind, "mnist") && arg)
        d->kind = kind, rc = data_mnist_load(arg, o->split, 0, &d->train);
    else if (kind && !strcmp(kind, "cifar10") && arg)
        d->kind = kind, rc = data_cifar10_load(arg, o->split, &d->train);
    else if (kind && !strcmp(kind, "csv") && arg)
        d->kind = kind, rc = load_csv(arg, o, d);
    else if (kind && !strcmp(kind, "npy") && arg)
        d->kind = kind, rc = load_npy(arg, &d->train);
    else {
        char hint[4200];
        return cli_usage(cmd, "unknown data source '%s': fashion-mnist[:DIR], mnist:DIR, "
                              "cifar10:DIR, csv:FILE or npy:X.npy,Y.npy%s", source,
                         source_hint(source, klen, hint, sizeof hint));
    }
    if (!rc && o->tab_given && strcmp(d->kind, "csv") != 0)
        rc = al_set_error(AL_EINVAL, "--target, --drop, --fill, --scale, --one-hot ... apply to "
                                 "csv: sources only");
    if (!rc && o->val > 0)
        rc = split(o, d);
    if (rc) {
        cli_data_free(d);
        return cli_fail(cmd, "%s", al_last_error());
    }
    return CLI_OK;
}

void cli_data_free(struct cli_data *d)
{
    data_set_free(&d->train);
    data_set_free(&d->val);
    data_tab_transform_free(d->tf);
    data_table_free(&d->ids);
    free(d->target);
    memset(d, 0, sizeof *d);
}

/* csv:FILE through a transformation fitted elsewhere (the training set's) */
static int load_csv_applied(const char *path, const data_tab_transform *tf, data_set *s)
{
    data_table t = {0};
    int rc = data_csv_read(path, &t);
    if (!rc)
        rc = data_tab_apply(tf, &t, &s->x, &s->y);
    data_table_free(&t);
    return rc;
}

int cli_source_load_val(const char *cmd, const char *source, const struct cli_source_opts *o,
                        const char *split, struct cli_data *d)
{
    struct cli_source_opts vo = *o;
    vo.val = 0, vo.columns = NULL, vo.split = split;
    const char *arg, *kind = cli_source_kind(source, &arg);
    if (kind && !strcmp(kind, "csv") && arg) {
        if (!d->tf)
            return cli_usage(cmd, "--val-data %s: a csv: validation set needs a csv: training "
                                  "set, whose fitted pipeline it goes through", source);
        data_set v = {0};
        int rc = load_csv_applied(arg, d->tf, &v);
        if (!rc && !v.y.data)
            rc = al_set_error(AL_EINVAL, "--val-data %s has no target column", source);
        if (rc) {
            data_set_free(&v);
            return cli_fail(cmd, "%s", al_last_error());
        }
        d->val = v;
        return CLI_OK;
    }
    vo.tab_given = 0; /* the pipeline options were the training set's */
    struct cli_data v;
    int rc = cli_source_load(cmd, source, &vo, &v);
    if (rc)
        return rc;
    d->val = v.train;
    memset(&v.train, 0, sizeof v.train);
    cli_data_free(&v);
    return CLI_OK;
}

/* ---- a source for a saved model: evaluate, predict ------------------------------------- */

/* The target's name in the pipeline's JSON, as data_tab_transform_to_json writes it (and
 * data_tab_transform_from_json has checked it): only for headers, so a name that needed escapes
 * is left out (NULL) rather than decoded a second way. */
static int json_target(const char *json, char **out)
{
    *out = NULL;
    const char *p = strstr(json, "\"target\""); /* the third key; the two before are fixed */
    if (!p)
        return AL_OK;
    p += strlen("\"target\"");
    p += strspn(p, " \t\r\n");
    p += *p == ':';
    p += strspn(p, " \t\r\n");
    size_t len = *p == '"' ? strcspn(p + 1, "\"\\") : 0;
    if (!len || p[1 + len] != '"')
        return AL_OK;
    if (!(*out = malloc(len + 1)))
        return al_set_error(AL_ENOMEM, "out of memory");
    memcpy(*out, p + 1, len);
    (*out)[len] = '\0';
    return AL_OK;
}

/* An Id column the pipeline does not use is the rows' identity (Kaggle's Id): data_tab_apply on a
 * view of the table where it has no name tells whether the pipeline needs it. Empty names
 * never occur in a table (pandas' "Unnamed: I"), so "" hides it. The column then moves from
 * t into d->ids. */
static int apply_with_ids(const data_tab_transform *tf, data_table *t, struct cli_data *d)
{
    static const char *const names[] = {"Id", "id", "ID"};
    long id = -1;
    for (size_t i = 0; id < 0 && i < sizeof names / sizeof *names; i++)
        if (!d->target || strcmp(names[i], d->target))
            id = data_table_find_column(t, names[i]);
    if (id < 0)
        return data_tab_apply(tf, t, &d->train.x, &d->train.y);
    data_column *view_cols = malloc(t->n_cols * sizeof *view_cols);
    if (!view_cols)
        return al_set_error(AL_ENOMEM, "out of memory");
    memcpy(view_cols, t->cols, t->n_cols * sizeof *view_cols);
    view_cols[id].name = "";
    data_table view = {.n_rows = t->n_rows, .n_cols = t->n_cols, .cols = view_cols};
    int rc = data_tab_apply(tf, &view, &d->train.x, &d->train.y);
    free(view_cols);
    if (rc == AL_ENAME) /* the pipeline uses the column (or misses another: said again) */
        return data_tab_apply(tf, t, &d->train.x, &d->train.y);
    if (rc)
        return rc;
    if (!(d->ids.cols = malloc(sizeof *d->ids.cols)))
        return al_set_error(AL_ENOMEM, "out of memory");
    d->ids.cols[0] = t->cols[id];
    d->ids.n_rows = t->n_rows, d->ids.n_cols = 1;
    t->cols[id] = t->cols[--t->n_cols];
    return AL_OK;
}

static int load_csv_for_model(const char *path, const char *weights, struct cli_data *d)
{
    char *json = NULL;
    data_table t = {0};
    int rc = nn_file_meta(weights, "actlab_tabular", &json);
    if (!rc && !json)
        rc = al_set_error(AL_EINVAL, "%s was not trained on a CSV source, so it has no "
                                 "preprocessing for csv:%s; give it a prepared npy: source",
                      weights, path);
    if (!rc)
        rc = data_tab_transform_from_json(json, &d->tf);
    if (!rc)
        rc = json_target(json, &d->target);
    if (!rc)
        rc = data_csv_read(path, &t);
    if (!rc && (rc = apply_with_ids(d->tf, &t, d)))
        rc = prefixed(rc, path);
    data_table_free(&t);
    free(json);
    return rc;
}

/* npy:X.npy (inputs only) or npy:X.npy,Y.npy */
static int load_npy_for_model(const char *spec, data_set *s)
{
    if (strchr(spec, ','))
        return load_npy(spec, s);
    data_array raw = {0};
    int rc = data_npy_read(spec, &raw);
    if (!rc && raw.ndim < 2)
        rc = al_set_error(AL_ESHAPE, "%s: X must be (N, input...), not %d-D", spec, raw.ndim);
    if (!rc)
        rc = npy_inputs(&raw, &s->x);
    data_array_free(&raw);
    return rc;
}

int cli_source_for_model_check(const char *cmd, const struct cli_source_opts *o)
{
    if (o->tab_given || o->val > 0 || o->columns)
        return cli_usage(cmd, "the pipeline options, --val and --columns are train's: a csv: "
                              "source goes through the pipeline saved with the model, and the "
                              "whole set is used");
    return CLI_OK;
}

static int load_for_model(const char *cmd, const char *source,
                              const struct cli_source_opts *o, const char *weights,
                              struct cli_data *d)
{
    int rc = cli_source_for_model_check(cmd, o);
    if (rc)
        return rc;
    const char *arg, *kind = cli_source_kind(source, &arg);
    if (kind && arg && (!strcmp(kind, "csv") || !strcmp(kind, "npy"))) {
        memset(d, 0, sizeof *d);
        d->kind = kind;
        rc = kind[0] == 'c' ? load_csv_for_model(arg, weights, d)
                            : load_npy_for_model(arg, &d->train);
        if (rc) {
            cli_data_free(d);
            return cli_fail(cmd, "%s", al_last_error());
        }
        return CLI_OK;
    }
    return cli_source_load(cmd, source, o, d);
}

/* the data as the model was trained on them: --log-target's scale from the weights file,
 * kept for the outputs and applied to regression targets */
static int target_scale(const char *weights, struct cli_data *d)
{
    char *text = NULL;
    int rc = nn_file_meta(weights, CLI_TARGET_META, &text);
    if (!rc && text)
        rc = cli_target_map_parse(weights, text, &d->tmap);
    if (!rc && d->train.y.dtype == DATA_F32)
        rc = cli_target_map_apply(&d->tmap, &d->train, "evaluation");
    free(text);
    return rc;
}

int cli_source_load_for_model(const char *cmd, const char *source,
                              const struct cli_source_opts *o, const char *weights,
                              struct cli_data *d)
{
    int rc = load_for_model(cmd, source, o, weights, d);
    if (!rc && target_scale(weights, d)) {
        cli_data_free(d);
        return cli_fail(cmd, "%s", al_last_error());
    }
    return rc;
}

int cli_source_fits(const char *cmd, const char *source, const data_array *x, const nn_model *m)
{
    size_t per = 1, want = nn_shape_count(nn_model_input_shape(m));
    for (int d = 1; d < x->ndim; d++)
        per *= x->shape[d];
    if (x->ndim < 2 || per != want)
        return cli_fail(cmd, "%s: samples have %zu values, the model takes %zu", source,
                        x->ndim < 2 ? 0 : per, want);
    return CLI_OK;
}
