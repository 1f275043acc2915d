/* The tabular preparation of the regression tutorial, with the semantics of the libraries it
 * uses (pandas 1.5.3, scikit-learn 1.2, NumPy 1.24):
 *
 *   y = df.pop(target); df = df.drop(columns=drop)
 *   df = pd.get_dummies(df, dummy_na=True, drop_first=True)
 *   df = df.fillna(df.median())
 *   x = MinMaxScaler().fit_transform(df)          (or StandardScaler, or nothing)
 *
 * get_dummies: the columns it does not encode come first in their order, then for each
 * text column its indicators "COL_CAT" for the categories sorted by Python's string order
 * (byte order of UTF-8), then "COL_nan" with dummy_na (always, even when nothing is
 * missing). drop_first removes each column's first level, so with dummy_na a column with a
 * single category keeps only "COL_nan", and without dummy_na it vanishes
 * (pandas/core/reshape/encoding.py, _get_dummies_1d).
 *
 * The numbers are computed in double as the libraries do: the median is the middle value or
 * the mean of the two middle ones; the mean and StandardScaler's sums use NumPy's pairwise
 * summation; MinMaxScaler maps x to x * scale + min_ with scale = 1 / (max - min) and
 * min_ = 0 - data_min * scale, a range below 10 eps counting as 1; StandardScaler keeps
 * sklearn's two-pass variance with its correction term and its near-constant test. Only the
 * result is rounded to float32.
 *
 * This file fits and applies; the numbers are tab_numeric.c, the JSON form tab_json.c and
 * the train/validation split data_tab_split.c. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/text.h"
#include "csv_number.h"
#include "tabular.h"

void data_tab_options_default(data_tab_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->one_hot = 1;
    o->dummy_na = 1;
    o->drop_first = 1;
    o->fill = DATA_TAB_FILL_MEDIAN;
    o->scale = DATA_TAB_SCALE_MINMAX;
}

static char *str_cat3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *d = malloc(la + lb + lc + 1);
    if (d) {
        memcpy(d, a, la);
        memcpy(d + la, b, lb);
        memcpy(d + la + lb, c, lc + 1);
    }
    return d;
}

void data_tab_transform_free(data_tab_transform *tf)
{
    if (!tf)
        return;
    for (size_t i = 0; tf->src && i < tf->n_sources; i++) {
        free(tf->src[i].name);
        for (size_t k = 0; tf->src[i].cats && k < tf->src[i].n_cats; k++)
            free(tf->src[i].cats[k]);
        free(tf->src[i].cats);
    }
    for (size_t i = 0; tf->feat && i < tf->n_features; i++)
        free(tf->feat[i].name);
    free(tf->src);
    free(tf->feat);
    free(tf->target);
    free(tf);
}

size_t data_tab_n_features(const data_tab_transform *tf)
{
    return tf ? tf->n_features : 0;
}

const char *data_tab_feature_name(const data_tab_transform *tf, size_t i)
{
    return tf && i < tf->n_features ? tf->feat[i].name : NULL;
}

/* ---- shared checks ----------------------------------------------------------------------- */

static int check_table(const char *fn, const data_table *t)
{
    if (!t)
        return al__fail(AL_EINVAL, "%s: table is NULL", fn);
    if (t->n_cols && !t->cols)
        return al__fail(AL_EINVAL, "%s: table has %zu columns but cols is NULL", fn, t->n_cols);
    for (size_t j = 0; j < t->n_cols; j++) {
        const data_column *c = &t->cols[j];
        if (!c->name)
            return al__fail(AL_EINVAL, "%s: column %zu has no name", fn, j);
        if (c->type != DATA_COL_NUMERIC && c->type != DATA_COL_TEXT)
            return al__fail(AL_EINVAL, "%s: column '%s' has an unknown type %d", fn, c->name,
                            (int)c->type);
        if (t->n_rows && c->type == DATA_COL_NUMERIC && !c->num)
            return al__fail(AL_EINVAL, "%s: numeric column '%s' has no values", fn, c->name);
        if (t->n_rows && c->type == DATA_COL_TEXT && !c->text)
            return al__fail(AL_EINVAL, "%s: text column '%s' has no values", fn, c->name);
    }
    return AL_OK;
}

/* A table's columns sorted by name, ties by position, so that the lookups of a fit or an
 * apply (every column of the transform, every --drop name) cost n log n in all: with one
 * linear data_table_find_column each, a table of 100000 columns took tens of seconds. */
struct col_index {
    struct named_col {
        const char *name;
        size_t col;
    } *e;
    size_t n;
};

static int cmp_named_col(const void *pa, const void *pb)
{
    const struct named_col *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->col > b->col) - (a->col < b->col);
}

static int col_index_make(const data_table *t, struct col_index *ix)
{
    ix->n = t->n_cols;
    if (!(ix->e = malloc((ix->n ? ix->n : 1) * sizeof *ix->e)))
        return al__fail(AL_ENOMEM, "out of memory for %zu column names", ix->n);
    for (size_t j = 0; j < ix->n; j++)
        ix->e[j] = (struct named_col){t->cols[j].name, j};
    qsort(ix->e, ix->n, sizeof *ix->e, cmp_named_col);
    return AL_OK;
}

/* The first column named name, as data_table_find_column; -1 when there is none. */
static long col_index_find(const struct col_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->e[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ix->n && strcmp(ix->e[lo].name, name) == 0 ? (long)ix->e[lo].col : -1;
}

/* "; did you mean 'Price'?" for a column name that was not found (the nearest by edit
 * distance, if near enough), or "". Only on the error path, so a linear scan is fine. */
static const char *column_hint(const data_table *t, const char *name, char *buf, size_t size)
{
    size_t best = (size_t)-1, len = strlen(name), limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    const char *near = NULL;
    for (size_t j = 0; j < t->n_cols; j++) {
        size_t d = al_edit_distance(name, len, t->cols[j].name);
        if (d <= limit && d < best)
            best = d, near = t->cols[j].name;
    }
    buf[0] = '\0';
    if (near)
        snprintf(buf, size, "; did you mean '%.80s'?", near);
    return buf;
}

static int cmp_str_ptr(const void *pa, const void *pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* index of s among the sorted categories, or -1 */
static long find_cat(const struct data_tab_source *s, const char *w)
{
    size_t lo = 0, hi = s->n_cats;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->cats[mid], w);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

#define CODE_MISSING (-2L)
#define CODE_UNSEEN (-1L)

struct cat_number {
    double v;
    size_t k;
};

static int cmp_cat_number(const void *pa, const void *pb)
{
    const struct cat_number *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

/* Per-row category codes of a text source in column c: the category's index, CODE_UNSEEN
 * or CODE_MISSING. A numeric column (a table where every value of the column happened to
 * look like a number) matches the first category that reads as the same number: the
 * categories' numbers are sorted once and each row is a binary search, so 20000 categories
 * cost no more per row than 20. AL_ENOMEM is the only error. */
static int category_codes(const struct data_tab_source *s, const data_column *c, size_t n, long *code)
{
    if (c->type == DATA_COL_TEXT) {
        for (size_t r = 0; r < n; r++)
            code[r] = c->text[r] ? find_cat(s, c->text[r]) : CODE_MISSING;
        return AL_OK;
    }
    struct cat_number *num = malloc((s->n_cats ? s->n_cats : 1) * sizeof *num);
    if (!num)
        return AL_ENOMEM;
    size_t m = 0;
    for (size_t k = 0; k < s->n_cats; k++)
        if (data__parse_number(s->cats[k], &num[m].v) && !isnan(num[m].v))
            num[m++].k = k;
    qsort(num, m, sizeof *num, cmp_cat_number);
    for (size_t r = 0; r < n; r++) {
        double x = c->num[r];
        size_t lo = 0, hi = m;
        while (lo < hi) { /* the first entry not below x: the lowest k among equal values */
            size_t mid = lo + (hi - lo) / 2;
            if (num[mid].v < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        code[r] = isnan(x) ? CODE_MISSING : lo < m && num[lo].v == x ? (long)num[lo].k
                                                                      : CODE_UNSEEN;
    }
    free(num);
    return AL_OK;
}

/* The values of a numeric source from column c (NaN = missing); text that does not read
 * as a number, or an infinite value (sklearn's scalers refuse them), is an error. */
static int numeric_values(const data_column *c, size_t n, double *v)
{
    for (size_t r = 0; r < n; r++) {
        if (c->type == DATA_COL_NUMERIC)
            v[r] = c->num[r];
        else if (!c->text[r])
            v[r] = NAN;
        else if (!data__parse_number(c->text[r], &v[r]))
            return al__fail(AL_EFORMAT, "column '%s', row %zu: '%s' is not a number", c->name,
                            r, c->text[r]);
        if (isinf(v[r]))
            return al__fail(AL_EFORMAT, "column '%s', row %zu: infinite value", c->name, r);
    }
    return AL_OK;
}

/* The target column as float32 into y; a missing, non-numeric or infinite value names the
 * row (rows count from 0, the header excluded). */
static int target_values(const data_column *c, size_t n, data_array *y)
{
    size_t shape[1] = {n};
    int rc = data_array_alloc(y, DATA_F32, 1, shape);
    if (rc)
        return rc;
    float *out = y->data;
    for (size_t r = 0; r < n; r++) {
        double v;
        if (c->type == DATA_COL_TEXT) {
            if (!c->text[r])
                v = NAN;
            else if (!data__parse_number(c->text[r], &v))
                return al__fail(AL_EFORMAT,
                                "target column '%s', row %zu: '%s' is not a number", c->name,
                                r, c->text[r]);
        } else {
            v = c->num[r];
        }
        if (isnan(v))
            return al__fail(AL_EFORMAT, "target column '%s' is missing in row %zu", c->name,
                            r);
        if (isinf(v))
            return al__fail(AL_EFORMAT, "target column '%s' is infinite in row %zu", c->name,
                            r);
        out[r] = (float)v;
    }
    return AL_OK;
}

/* ---- fit --------------------------------------------------------------------------------- */

enum role { ROLE_KEEP, ROLE_DROP, ROLE_TARGET };

static int parse_drop(const data_table *t, const struct col_index *ix, const char *drop,
                      unsigned char *role)
{
    const char *p = drop;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *s = p;
        while (len && (*s == ' ' || *s == '\t'))
            s++, len--;
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len) {
            char *name = malloc(len + 1);
            if (!name)
                return al__fail(AL_ENOMEM, "out of memory");
            memcpy(name, s, len);
            name[len] = '\0';
            long j = col_index_find(ix, name);
            if (j < 0) {
                char hint[128];
                int rc = al__fail(AL_ENAME, "cannot drop column '%s': no such column%s", name,
                                  column_hint(t, name, hint, sizeof hint));
                free(name);
                return rc;
            }
            free(name);
            role[j] = ROLE_DROP;
        }
        p = e ? e + 1 : NULL;
    }
    return AL_OK;
}

/* The sorted distinct categories of a text column, copied: distinct through a hash set
 * first, so only the few distinct values are sorted. */
static int collect_categories(const data_column *c, size_t n, struct data_tab_source *s)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    const char **set = calloc(cap, sizeof *set), **all = malloc((n ? n : 1) * sizeof *all);
    if (!set || !all) {
        free(set);
        free(all);
        return AL_ENOMEM;
    }
    size_t u = 0;
    for (size_t r = 0; r < n; r++) {
        const char *w = c->text[r];
        if (!w)
            continue;
        size_t j = al__hash_str(w) & (cap - 1);
        while (set[j] && strcmp(set[j], w) != 0)
            j = (j + 1) & (cap - 1);
        if (!set[j])
            set[j] = all[u++] = w;
    }
    free(set);
    qsort(all, u, sizeof *all, cmp_str_ptr);
    s->cats = calloc(u ? u : 1, sizeof *s->cats);
    if (!s->cats) {
        free(all);
        return AL_ENOMEM;
    }
    for (size_t i = 0; i < u; i++) {
        if (!(s->cats[i] = al__str_dup(all[i]))) {
            s->n_cats = i;
            free(all);
            return AL_ENOMEM;
        }
    }
    s->n_cats = u;
    free(all);
    return AL_OK;
}

/* appends a feature (the array has room: make_features counted) */
static int add_feature(data_tab_transform *tf, size_t src, enum feat_kind kind, size_t cat, char *name)
{
    if (!name)
        return AL_ENOMEM;
    struct data_tab_feature *f = &tf->feat[tf->n_features++];
    memset(f, 0, sizeof *f);
    f->name = name;
    f->source = src;
    f->kind = kind;
    f->cat = cat;
    f->a = 1.0;
    return AL_OK;
}

/* The features of the fitted sources, in pandas' order. */
static int make_features(data_tab_transform *tf)
{
    size_t cap = 0;
    for (size_t s = 0; s < tf->n_sources; s++)
        cap += tf->src[s].type == DATA_COL_NUMERIC ? 1 : tf->src[s].n_cats + 1;
    if (!(tf->feat = calloc(cap ? cap : 1, sizeof *tf->feat)))
        return AL_ENOMEM;
    for (size_t s = 0; s < tf->n_sources; s++)
        if (tf->src[s].type == DATA_COL_NUMERIC &&
            add_feature(tf, s, FEAT_VALUE, 0, al__str_dup(tf->src[s].name)))
            return AL_ENOMEM;
    for (size_t s = 0; s < tf->n_sources; s++) {
        const struct data_tab_source *src = &tf->src[s];
        if (src->type != DATA_COL_TEXT)
            continue;
        size_t levels = src->n_cats + (tf->dummy_na ? 1 : 0);
        if (levels == 0 || (tf->drop_first && levels == 1))
            continue;
        for (size_t l = tf->drop_first ? 1 : 0; l < levels; l++) {
            int rc = l < src->n_cats
                         ? add_feature(tf, s, FEAT_CATEGORY, l,
                                       str_cat3(src->name, "_", src->cats[l]))
                         : add_feature(tf, s, FEAT_NAN, 0, str_cat3(src->name, "_", "nan"));
            if (rc)
                return rc;
        }
    }
    return AL_OK;
}

/* Fill values and scaling parameters from the fitted rows. */
static int fit_numbers(data_tab_transform *tf, const data_table *t, const size_t *col_of)
{
    size_t n = t->n_rows;
    double *v = malloc(n * sizeof *v), *x = malloc(n * sizeof *x), *tmp = malloc(n * sizeof *tmp);
    long *code = malloc(n * sizeof *code);
    size_t *ones = NULL; /* per category of the coded source, then missing: rows with it */
    int rc = AL_OK;
    size_t coded = SIZE_MAX;
    if (!v || !x || !tmp || !code) {
        rc = al__fail(AL_ENOMEM, "out of memory for %zu rows", n);
        goto done;
    }
    for (size_t i = 0; i < tf->n_features; i++) {
        struct data_tab_feature *f = &tf->feat[i];
        const struct data_tab_source *s = &tf->src[f->source];
        const data_column *c = &t->cols[col_of[f->source]];
        if (f->kind == FEAT_VALUE) {
            if ((rc = numeric_values(c, n, v)))
                goto done;
            f->fill = data__tab_fill_value(tf->fill, v, n, tmp);
            for (size_t r = 0; r < n; r++)
                x[r] = isnan(v[r]) ? f->fill : v[r];
        } else {
            if (coded != f->source) {
                free(ones);
                if (!(ones = calloc(s->n_cats + 1, sizeof *ones)) ||
                    (rc = category_codes(s, c, n, code))) {
                    rc = al__fail(AL_ENOMEM, "out of memory for column '%s'", c->name);
                    goto done;
                }
                for (size_t r = 0; r < n; r++)
                    if (code[r] >= 0 || code[r] == CODE_MISSING)
                        ones[code[r] >= 0 ? (size_t)code[r] : s->n_cats]++;
                coded = f->source;
            }
            if (tf->scale != DATA_TAB_SCALE_STANDARD) {
                /* an indicator's minimum and maximum follow from how many rows it marks, so
                 * 20000 categories cost one pass over the rows, not 20000 */
                size_t k = ones[f->kind == FEAT_NAN ? s->n_cats : f->cat];
                double ends[2] = {k == n ? 1.0 : 0.0, k ? 1.0 : 0.0};
                data__tab_scale_params(tf->scale, ends, 2, tmp, &f->a, &f->b);
                continue;
            }
            for (size_t r = 0; r < n; r++)
                x[r] = f->kind == FEAT_NAN ? (code[r] == CODE_MISSING)
                                           : (code[r] == (long)f->cat);
        }
        data__tab_scale_params(tf->scale, x, n, tmp, &f->a, &f->b);
        /* values near DBL_MAX overflow a sum or a range; sklearn would go on with inf/NaN */
        if (!isfinite(f->fill) || !isfinite(f->a) || !isfinite(f->b)) {
            rc = al__fail(AL_EFORMAT,
                          "column '%s': values too large to %s (the %s overflows)",
                          f->name, isfinite(f->fill) ? "scale" : "fill in",
                          isfinite(f->fill) ? "scaling" : tf->fill == DATA_TAB_FILL_MEAN ? "mean"
                                                                                    : "median");
            goto done;
        }
    }
done:
    free(v);
    free(x);
    free(tmp);
    free(code);
    free(ones);
    return rc;
}

al_status data_tab_fit(const data_table *t, const data_tab_options *o, data_tab_transform **out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_tab_fit: out is NULL");
    *out = NULL;
    int rc = check_table("data_tab_fit", t);
    if (rc)
        return rc;
    data_tab_options def;
    if (!o) {
        data_tab_options_default(&def);
        o = &def;
    }
    if ((unsigned)o->fill > DATA_TAB_FILL_ZERO)
        return al__fail(AL_EINVAL, "data_tab_fit: unknown fill %d", (int)o->fill);
    if ((unsigned)o->scale > DATA_TAB_SCALE_NONE)
        return al__fail(AL_EINVAL, "data_tab_fit: unknown scale %d", (int)o->scale);
    if (t->n_rows == 0)
        return al__fail(AL_EINVAL, "the table has no rows to fit");

    struct col_index ix = {0};
    unsigned char *role = calloc(t->n_cols ? t->n_cols : 1, 1);
    size_t *col_of = malloc((t->n_cols ? t->n_cols : 1) * sizeof *col_of);
    data_tab_transform *tf = calloc(1, sizeof *tf);
    if (!role || !col_of || !tf) {
        rc = al__fail(AL_ENOMEM, "out of memory");
        goto fail;
    }
    tf->fill = o->fill;
    tf->scale = o->scale;
    tf->one_hot = !!o->one_hot;
    tf->dummy_na = o->one_hot && o->dummy_na;
    tf->drop_first = o->one_hot && o->drop_first;
    if ((rc = col_index_make(t, &ix)) || (rc = parse_drop(t, &ix, o->drop, role)))
        goto fail;
    if (o->target) {
        long j = col_index_find(&ix, o->target);
        if (j < 0) {
            char hint[128];
            rc = al__fail(AL_ENAME, "target column '%s' not found%s", o->target,
                          column_hint(t, o->target, hint, sizeof hint));
            goto fail;
        }
        if (role[j] == ROLE_DROP) {
            rc = al__fail(AL_EINVAL, "column '%s' is both the target and dropped",
                          o->target);
            goto fail;
        }
        role[j] = ROLE_TARGET;
        data_array y = {0};
        rc = target_values(&t->cols[j], t->n_rows, &y);
        data_array_free(&y);
        if (rc)
            goto fail;
        if (!(tf->target = al__str_dup(o->target))) {
            rc = al__fail(AL_ENOMEM, "out of memory");
            goto fail;
        }
    }

    size_t n_src = 0;
    for (size_t j = 0; j < t->n_cols; j++)
        n_src += role[j] == ROLE_KEEP;
    if (!(tf->src = calloc(n_src ? n_src : 1, sizeof *tf->src))) {
        rc = al__fail(AL_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t j = 0; j < t->n_cols; j++) {
        if (role[j] != ROLE_KEEP)
            continue;
        const data_column *c = &t->cols[j];
        struct data_tab_source *s = &tf->src[tf->n_sources];
        if (c->type == DATA_COL_TEXT && !tf->one_hot) {
            rc = al__fail(AL_EINVAL,
                          "column '%s' is text: drop it, or one-hot encode it into indicator "
                          "columns",
                          c->name);
            goto fail;
        }
        col_of[tf->n_sources++] = j;
        s->type = c->type;
        if (!(s->name = al__str_dup(c->name)) ||
            (c->type == DATA_COL_TEXT && collect_categories(c, t->n_rows, s))) {
            rc = al__fail(AL_ENOMEM, "out of memory for column '%s'", c->name);
            goto fail;
        }
    }
    if (make_features(tf)) {
        rc = al__fail(AL_ENOMEM, "out of memory for the feature names");
        goto fail;
    }
    if ((rc = fit_numbers(tf, t, col_of)))
        goto fail;
    free(role);
    free(col_of);
    free(ix.e);
    *out = tf;
    al__clear_error();
    return AL_OK;
fail:
    free(role);
    free(col_of);
    free(ix.e);
    data_tab_transform_free(tf);
    return rc;
}

/* ---- apply ------------------------------------------------------------------------------- */

al_status data_tab_apply(const data_tab_transform *tf, const data_table *t, data_array *x, data_array *y)
{
    AL_API_ENTRY;
    if (x)
        memset(x, 0, sizeof *x);
    if (y)
        memset(y, 0, sizeof *y);
    if (!tf || !x)
        return al__fail(AL_EINVAL, "data_tab_apply: %s is NULL", tf ? "x" : "the transform");
    int rc = check_table("data_tab_apply", t);
    if (rc)
        return rc;
    size_t n = t->n_rows, nf = tf->n_features;
    struct col_index ix = {0};
    size_t *col_of = malloc((tf->n_sources ? tf->n_sources : 1) * sizeof *col_of);
    double *v = malloc((n ? n : 1) * sizeof *v);
    long *code = malloc((n ? n : 1) * sizeof *code);
    if (!col_of || !v || !code) {
        rc = al__fail(AL_ENOMEM, "out of memory for %zu rows", n);
        goto done;
    }
    if ((rc = col_index_make(t, &ix)))
        goto done;
    for (size_t s = 0; s < tf->n_sources; s++) {
        long j = col_index_find(&ix, tf->src[s].name);
        if (j < 0) {
            char hint[128];
            rc = al__fail(AL_ENAME, "the table has no column '%s', which the fitted pipeline "
                                    "needs%s", tf->src[s].name,
                          column_hint(t, tf->src[s].name, hint, sizeof hint));
            goto done;
        }
        col_of[s] = (size_t)j;
    }
    size_t shape[2] = {n, nf};
    if ((rc = data_array_alloc(x, DATA_F32, 2, shape)))
        goto done;
    float *out = x->data;
    size_t prepared = SIZE_MAX;
    for (size_t i = 0; i < nf; i++) {
        const struct data_tab_feature *f = &tf->feat[i];
        const struct data_tab_source *s = &tf->src[f->source];
        const data_column *c = &t->cols[col_of[f->source]];
        if (prepared != f->source) {
            if (s->type == DATA_COL_NUMERIC) {
                if ((rc = numeric_values(c, n, v)))
                    goto done;
            } else if ((rc = category_codes(s, c, n, code))) {
                rc = al__fail(rc, "out of memory for column '%s'", c->name);
                goto done;
            }
            prepared = f->source;
        }
        for (size_t r = 0; r < n; r++) {
            double val;
            if (f->kind == FEAT_VALUE)
                val = isnan(v[r]) ? f->fill : v[r];
            else if (f->kind == FEAT_NAN)
                val = code[r] == CODE_MISSING;
            else
                val = code[r] == (long)f->cat;
            out[r * nf + i] = (float)data__tab_scale_value(tf->scale, f, val);
        }
    }
    if (y && tf->target) {
        long j = col_index_find(&ix, tf->target);
        if (j >= 0 && (rc = target_values(&t->cols[j], n, y)))
            goto done;
    }
    al__clear_error();
done:
    if (rc) {
        data_array_free(x);
        if (y)
            data_array_free(y);
    }
    free(ix.e);
    free(col_of);
    free(v);
    free(code);
    return rc;
}

