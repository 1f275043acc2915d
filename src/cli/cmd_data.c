/* actlab data inspect SOURCE | data prepare SOURCE [options] -o X.npy Y.npy */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "source.h"

static int usage(void)
{
    printf("usage: actlab data inspect SOURCE [options]\n"
           "       actlab data prepare SOURCE [options] -o X.npy Y.npy\n"
           "  inspect: shapes, dtypes, class counts or column types, missing values, ranges.\n"
           "  prepare: applies the pipeline (CSV) or the scaling to [0, 1] (images) and writes\n"
           "  NumPy arrays: all rows in file order, or with --val the training rows to X.npy,\n"
           "  Y.npy and the validation rows to X.val.npy, Y.val.npy.\n%s",
           cli_source_help);
    return CLI_OK;
}

static void range_f32(const data_array *a, double *lo, double *hi, double *mean, size_t *nan)
{
    const float *v = a->data;
    size_t n = data_array_count(a);
    double s = 0;
    *lo = INFINITY, *hi = -INFINITY, *nan = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            ++*nan;
            continue;
        }
        *lo = fmin(*lo, v[i]), *hi = fmax(*hi, v[i]), s += v[i];
    }
    *mean = n > *nan ? s / (double)(n - *nan) : NAN;
}

static void print_shape(const data_array *a)
{
    printf("(");
    for (int d = 0; d < a->ndim; d++)
        printf("%s%zu", d ? ", " : "", a->shape[d]);
    printf("%s) %s", a->ndim == 1 ? "," : "", data_dtype_name(a->dtype));
}

static void describe_set(const char *what, const data_set *s)
{
    double lo, hi, mean;
    size_t nan;
    printf("%s: %zu samples\n  x: ", what, s->x.ndim ? s->x.shape[0] : 0);
    print_shape(&s->x);
    range_f32(&s->x, &lo, &hi, &mean, &nan);
    printf(", range [%g, %g], mean %.4g%s\n  y: ", lo, hi, mean, nan ? ", has NaN" : "");
    print_shape(&s->y);
    if (!s->n_classes && s->y.data) {
        range_f32(&s->y, &lo, &hi, &mean, &nan);
        printf(", targets in [%g, %g], mean %.6g\n", lo, hi, mean);
        return;
    }
    printf(", %zu classes\n", s->n_classes);
    /* the loaders keep n_classes within DATA_MAX_CLASSES; a long list of empty classes (labels
     * 0 and 60000 only) is summed up rather than printed */
    size_t *count = calloc(s->n_classes ? s->n_classes : 1, sizeof *count), empty = 0;
    const int64_t *y = s->y.data;
    for (size_t i = 0; count && i < s->y.shape[0]; i++)
        if ((size_t)y[i] < s->n_classes)
            count[y[i]]++;
    for (size_t c = 0; count && c < s->n_classes; c++) {
        if (!count[c] && s->n_classes > 100 && !s->class_names) {
            empty++;
            continue;
        }
        printf("    %2zu %-14s %zu\n", c, s->class_names ? s->class_names[c] : "", count[c]);
    }
    if (empty)
        printf("    (%zu classes without samples not shown)\n", empty);
    free(count);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct non-missing values of a text column: sorted, then runs counted, so 20000
 * categories cost n log n comparisons, not n^2. */
static int count_categories(const data_column *col, size_t n_rows, size_t *distinct)
{
    const char **v = malloc((n_rows ? n_rows : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t k = 0;
    for (size_t r = 0; r < n_rows; r++)
        if (col->text[r])
            v[k++] = col->text[r];
    qsort(v, k, sizeof *v, cmp_text);
    *distinct = 0;
    for (size_t i = 0; i < k; i++)
        *distinct += i == 0 || strcmp(v[i - 1], v[i]) != 0;
    free(v);
    return 0;
}

static int inspect_csv(const char *path, const struct cli_source_opts *o)
{
    data_table t;
    if (data_csv_read(path, &t))
        return cli_fail("data", "%s", al_last_error());
    printf("%s: %zu rows, %zu columns\n\n%-16s %-8s %8s  %s\n", path, t.n_rows, t.n_cols,
           "column", "type", "missing", "values");
    for (size_t c = 0; c < t.n_cols; c++) {
        const data_column *col = &t.cols[c];
        printf("%-16s %-8s %8zu  ", col->name, col->type == DATA_COL_NUMERIC ? "numeric" : "text",
               col->n_missing);
        if (col->type == DATA_COL_NUMERIC) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t r = 0; r < t.n_rows; r++)
                if (!isnan(col->num[r]))
                    lo = fmin(lo, col->num[r]), hi = fmax(hi, col->num[r]);
            printf("[%g, %g]\n", lo, hi);
        } else {
            size_t distinct;
            if (count_categories(col, t.n_rows, &distinct)) {
                data_table_free(&t);
                return cli_fail("data", "out of memory for column '%s'", col->name);
            }
            printf("%zu categories\n", distinct);
        }
    }
    int rc = CLI_OK;
    data_tab_transform *tf = NULL;
    if (o->tab.target) {
        if (data_tab_fit(&t, &o->tab, &tf))
            rc = cli_fail("data", "%s: %s", path, al_last_error());
        else
            printf("\nthe pipeline gives %zu features (target %s)\n", data_tab_n_features(tf),
                   o->tab.target);
    }
    data_tab_transform_free(tf);
    data_table_free(&t);
    return rc;
}

static int write_pair(const char *xp, const char *yp, const data_set *s)
{
    if (data_npy_write(xp, &s->x) || (s->y.data && data_npy_write(yp, &s->y)))
        return cli_fail("data", "%s", al_last_error());
    printf("wrote %s", xp);
    if (s->y.data)
        printf(" and %s", yp);
    printf(" (%zu rows)\n", s->x.shape[0]);
    return CLI_OK;
}

/* X.npy -> X.val.npy */
static void val_name(const char *path, char *out, size_t size)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        snprintf(out, size, "%s.val", path);
    else
        snprintf(out, size, "%.*s.val%s", (int)(dot - path), path, dot);
}

int cli_data(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1]))
        return argc < 2 ? (usage(), CLI_USAGE) : usage();
    const char *verb = argv[1], *source = NULL, *xout = NULL, *yout = NULL;
    int prepare = strcmp(verb, "prepare") == 0;
    if (!prepare && strcmp(verb, "inspect") != 0)
        return cli_usage("data", "unknown verb '%s': inspect or prepare", verb);
    struct cli_source_opts o;
    cli_source_defaults(&o);
    for (int i = 2; i < argc; i++) {
        int r = cli_source_option("data", argc, argv, &i, &o);
        if (r < 0)
            return CLI_USAGE;
        if (r)
            continue;
        if (cli_is_help(argv[i]))
            return usage();
        if (strcmp(argv[i], "-o") == 0 && prepare) {
            if (i + 2 >= argc)
                return cli_usage("data", "-o needs two files: -o X.npy Y.npy");
            xout = argv[++i], yout = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage("data", "unknown option '%s' (try --help)", argv[i]);
        } else if (!source) {
            source = argv[i];
        } else {
            return cli_usage("data", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!source)
        return cli_usage("data", "which SOURCE? (try --help)");
    if (prepare && !xout)
        return cli_usage("data", "prepare needs -o X.npy Y.npy");
    /* Y.npy of a table is its target column: without one there would be nothing to write
     * to it, and a missing file is found out only later, by train */
    if (prepare && strncmp(source, "csv:", 4) == 0 && !o.tab.target)
        return cli_usage("data", "prepare %s -o %s %s: which column goes to %s? give --target "
                                 "COL", source, xout, yout, yout);
    if (prepare) { /* every output, before the source is read */
        char xv[4096], yv[4096];
        val_name(xout, xv, sizeof xv);
        val_name(yout, yv, sizeof yv);
        const char *outs[] = {xout, yout, o.val > 0 ? xv : NULL, o.val > 0 ? yv : NULL,
                              o.columns};
        for (size_t k = 0; k < sizeof outs / sizeof *outs; k++) {
            int bad = cli_check_output("data", outs[k]);
            if (bad)
                return bad;
        }
    }
    if (!prepare && strncmp(source, "csv:", 4) == 0)
        return inspect_csv(source + 4, &o);

    struct cli_data d;
    int rc = cli_source_load("data", source, &o, &d);
    if (rc)
        return rc;
    if (!prepare) {
        describe_set(d.val.x.data ? "train" : d.kind, &d.train);
        if (d.val.x.data)
            describe_set("validation", &d.val);
    } else {
        rc = write_pair(xout, yout, &d.train);
        if (!rc && d.val.x.data) {
            char xv[4096], yv[4096];
            val_name(xout, xv, sizeof xv);
            val_name(yout, yv, sizeof yv);
            rc = write_pair(xv, yv, &d.val);
        }
    }
    cli_data_free(&d);
    return rc;
}
