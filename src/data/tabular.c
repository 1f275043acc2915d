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
 * result is rounded to float32. */
#define _POSIX_C_SOURCE 200809L /* newlocale/uselocale: JSON numbers in the C locale */

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/text.h"
#include "actlab/table.h"

int data__parse_number(const char *w, double *out); /* src/data/csv.c */

enum feat_kind { FEAT_VALUE, FEAT_CATEGORY, FEAT_NAN };

struct data_tab_source {
    char *name;
    data_column_type type;
    size_t n_cats; /* text: the fitted categories, strictly increasing (strcmp) */
    char **cats;
};

struct data_tab_feature {
    char *name;
    size_t source;
    enum feat_kind kind;
    size_t cat;   /* FEAT_CATEGORY: index into the source's categories */
    double fill;  /* FEAT_VALUE: stands in for a missing value */
    double a, b;  /* minmax: x * a + b; standard: (x - a) / b; none: unused (1, 0) */
};

struct data_tab_transform {
    char *target;
    data_tab_fill fill;
    data_tab_scale scale;
    int one_hot, dummy_na, drop_first;
    size_t n_sources, n_features;
    struct data_tab_source *src;
    struct data_tab_feature *feat;
};

static const char *const fill_names[] = {"median", "mean", "zero"};
static const char *const scale_names[] = {"minmax", "standard", "none"};

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

static char *str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
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

/* ---- numerics ---------------------------------------------------------------------------- */

/* NumPy's pairwise summation (DOUBLE_pairwise_sum: blocks of 128, eight accumulators), which
 * np.sum uses along a contiguous axis; NaN counts as 0 (np.nansum, pandas' nanmean). */
static double pairwise_sum(const double *a, size_t n)
{
#define V(i) (isnan(a[i]) ? 0.0 : a[i])
    if (n < 8) {
        double res = 0.;
        for (size_t i = 0; i < n; i++)
            res += V(i);
        return res;
    } else if (n <= 128) {
        double r[8], res;
        size_t i;
        for (int k = 0; k < 8; k++)
            r[k] = V(k);
        for (i = 8; i < n - (n % 8); i += 8)
            for (int k = 0; k < 8; k++)
                r[k] += V(i + k);
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += V(i);
        return res;
    } else {
        size_t n2 = n / 2;
        n2 -= n2 % 8;
        return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
    }
#undef V
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The k-th smallest of a[0..n) (no NaN), leaving a[0..k) <= a[k] <= a[k+1..n): quickselect
 * with a median-of-three pivot, falling back to sorting the rest if it degenerates. */
static double select_kth(double *a, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, K = (long)k;
    int budget = 64;
    while (lo < hi) {
        if (budget-- == 0) {
            qsort(a + lo, (size_t)(hi - lo + 1), sizeof *a, cmp_double);
            break;
        }
        double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi], t;
        double pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* a[lo..j] <= pivot, a[i..hi] >= pivot, and anything between equals it */
        if (K <= j)
            hi = j;
        else if (K >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* The fill value of a numeric column (NaN = missing): pandas' median (np.median of the
 * values present), mean (nansum / count) or 0. A column with no value at all gets 0, where
 * pandas would leave NaN. scratch holds n doubles. */
static double fill_value(data_tab_fill how, const double *v, size_t n, double *scratch)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]))
            scratch[m++] = v[i];
    if (m == 0 || how == DATA_TAB_FILL_ZERO)
        return 0.0;
    if (how == DATA_TAB_FILL_MEAN)
        return pairwise_sum(v, n) / (double)m;
    double hi = select_kth(scratch, m, m / 2);
    if (m % 2)
        return hi;
    double lo = scratch[0]; /* the largest of the lower half */
    for (size_t i = 1; i < m / 2; i++)
        lo = scratch[i] > lo ? scratch[i] : lo;
    return (lo + hi) / 2.0;
}

/* Scaling parameters of one prepared column x (no NaN), as sklearn's fit. scratch: n. */
static void scale_params(data_tab_scale how, const double *x, size_t n, double *scratch, double *a,
                         double *b)
{
    if (how == DATA_TAB_SCALE_MINMAX) {
        double lo = x[0], hi = x[0];
        for (size_t i = 1; i < n; i++) {
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
        double range = hi - lo;
        if (range < 10.0 * DBL_EPSILON) /* _handle_zeros_in_scale */
            range = 1.0;
        *a = 1.0 / range;
        *b = 0.0 - lo * *a;
    } else if (how == DATA_TAB_SCALE_STANDARD) {
        /* _incremental_mean_and_var from an empty state */
        double count = (double)n, sum = pairwise_sum(x, n), mean = sum / count;
        for (size_t i = 0; i < n; i++)
            scratch[i] = x[i] - mean;
        double correction = pairwise_sum(scratch, n);
        for (size_t i = 0; i < n; i++)
            scratch[i] *= scratch[i];
        double var = (pairwise_sum(scratch, n) - correction * correction / count) / count;
        /* _is_constant_feature */
        double eps = DBL_EPSILON, nme = count * mean * eps;
        int constant = var <= count * eps * var + nme * nme;
        *a = mean;
        *b = constant ? 1.0 : sqrt(var);
    } else {
        *a = 1.0;
        *b = 0.0;
    }
}

static double scale_value(data_tab_scale how, const struct data_tab_feature *f, double v)
{
    if (how == DATA_TAB_SCALE_MINMAX)
        return v * f->a + f->b;
    if (how == DATA_TAB_SCALE_STANDARD)
        return (v - f->a) / f->b;
    return v;
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

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
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
        size_t j = hash_str(w) & (cap - 1);
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
        if (!(s->cats[i] = str_dup(all[i]))) {
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
            add_feature(tf, s, FEAT_VALUE, 0, str_dup(tf->src[s].name)))
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
            f->fill = fill_value(tf->fill, v, n, tmp);
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
                scale_params(tf->scale, ends, 2, tmp, &f->a, &f->b);
                continue;
            }
            for (size_t r = 0; r < n; r++)
                x[r] = f->kind == FEAT_NAN ? (code[r] == CODE_MISSING)
                                           : (code[r] == (long)f->cat);
        }
        scale_params(tf->scale, x, n, tmp, &f->a, &f->b);
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
        if (!(tf->target = str_dup(o->target))) {
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
        if (!(s->name = str_dup(c->name)) ||
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
            out[r * nf + i] = (float)scale_value(tf->scale, f, val);
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

/* ---- JSON -------------------------------------------------------------------------------- */

/* Numbers are printed and read in the C locale whatever the program's LC_NUMERIC is. */
struct c_numeric {
    locale_t c, old;
};

static void c_numeric_begin(struct c_numeric *l)
{
    l->old = (locale_t)0;
    l->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (l->c)
        l->old = uselocale(l->c);
}

static void c_numeric_end(struct c_numeric *l)
{
    if (l->c) {
        uselocale(l->old);
        freelocale(l->c);
    }
}

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (len >= b->cap - b->n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (len >= cap - b->n) {
            if (cap > SIZE_MAX / 2) {
                b->oom = 1;
                return;
            }
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= sizeof tmp)
        b->oom = 1;
    else
        sb_add(b, tmp, (size_t)k);
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_add(b, e, 2);
        } else if (c < 0x20) {
            sb_printf(b, "\\u%04x", c);
        } else {
            sb_add(b, (const char *)&c, 1);
        }
    }
    sb_add(b, "\"", 1);
}

al_status data_tab_transform_to_json(const data_tab_transform *tf, char **json)
{
    AL_API_ENTRY;
    if (json)
        *json = NULL;
    if (!tf || !json)
        return al__fail(AL_EINVAL, "data_tab_transform_to_json: %s is NULL",
                        tf ? "json" : "the transform");
    struct sbuf b = {0};
    struct c_numeric loc;
    c_numeric_begin(&loc);
    sb_puts(&b, "{\n  \"format\": \"actlab-tab-transform\",\n  \"version\": 1,\n  \"target\": ");
    if (tf->target)
        sb_str(&b, tf->target);
    else
        sb_puts(&b, "null");
    sb_printf(&b, ",\n  \"fill\": \"%s\",\n  \"scale\": \"%s\",\n", fill_names[tf->fill],
              scale_names[tf->scale]);
    sb_printf(&b, "  \"one_hot\": %s,\n  \"dummy_na\": %s,\n  \"drop_first\": %s,\n",
              tf->one_hot ? "true" : "false", tf->dummy_na ? "true" : "false",
              tf->drop_first ? "true" : "false");
    sb_puts(&b, "  \"sources\": [");
    for (size_t s = 0; s < tf->n_sources; s++) {
        const struct data_tab_source *src = &tf->src[s];
        sb_puts(&b, s ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sb_str(&b, src->name);
        if (src->type == DATA_COL_NUMERIC) {
            sb_puts(&b, ", \"type\": \"numeric\"}");
            continue;
        }
        sb_puts(&b, ", \"type\": \"text\", \"categories\": [");
        for (size_t k = 0; k < src->n_cats; k++) {
            if (k)
                sb_puts(&b, ", ");
            sb_str(&b, src->cats[k]);
        }
        sb_puts(&b, "]}");
    }
    sb_puts(&b, tf->n_sources ? "\n  ],\n  \"features\": [" : "],\n  \"features\": [");
    static const char *const kinds[] = {"value", "category", "nan"};
    for (size_t i = 0; i < tf->n_features; i++) {
        const struct data_tab_feature *f = &tf->feat[i];
        sb_puts(&b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        sb_str(&b, f->name);
        sb_printf(&b, ", \"source\": %zu, \"kind\": \"%s\"", f->source, kinds[f->kind]);
        if (f->kind == FEAT_VALUE)
            sb_printf(&b, ", \"fill\": %.17g", f->fill);
        else if (f->kind == FEAT_CATEGORY)
            sb_printf(&b, ", \"category\": %zu", f->cat);
        sb_printf(&b, ", \"a\": %.17g", f->a);
        sb_printf(&b, ", \"b\": %.17g}", f->b);
    }
    sb_puts(&b, tf->n_features ? "\n  ]\n}\n" : "]\n}\n");
    c_numeric_end(&loc);
    if (b.oom) {
        free(b.p);
        return al__fail(AL_ENOMEM, "data_tab_transform_to_json: out of memory");
    }
    *json = b.p;
    return AL_OK;
}

/* A strict reader for exactly the layout above (any JSON whitespace between tokens): the
 * keys in that order, nothing else. */
struct jp {
    const char *s;
    size_t pos;
    int rc;
};

static int jp_fail(struct jp *p, const char *what)
{
    if (!p->rc)
        p->rc = al__fail(AL_EFORMAT, "the tabular pipeline (JSON), byte %zu: expected %s",
                         p->pos, what);
    return p->rc;
}

static void jp_ws(struct jp *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
           p->s[p->pos] == '\r')
        p->pos++;
}

static int jp_lit(struct jp *p, const char *lit)
{
    if (p->rc)
        return p->rc;
    jp_ws(p);
    size_t n = strlen(lit);
    if (strncmp(p->s + p->pos, lit, n) != 0) {
        char what[64];
        snprintf(what, sizeof what, "'%s'", lit);
        return jp_fail(p, what);
    }
    p->pos += n;
    return AL_OK;
}

/* is the next token lit? (consumed when it is) */
static int jp_peek(struct jp *p, const char *lit)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    size_t n = strlen(lit);
    if (strncmp(p->s + p->pos, lit, n) != 0)
        return 0;
    p->pos += n;
    return 1;
}

static int hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        *v = *v * 16 + (unsigned)d;
    }
    return 1;
}

/* A JSON string (malloc'd, UTF-8; \u0000 refused since names are C strings). */
static char *jp_str(struct jp *p)
{
    if (jp_lit(p, "\""))
        return NULL;
    size_t start = p->pos, n = 0;
    /* the decoded text is never longer than the escaped one */
    while (p->s[start + n] && p->s[start + n] != '"')
        n += p->s[start + n] == '\\' && p->s[start + n + 1] ? 2 : 1;
    char *out = malloc(n + 1), *o = out;
    if (!out) {
        p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
        return NULL;
    }
    for (;;) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            jp_fail(p, c ? "a string without control characters" : "the end of a string");
            free(out);
            return NULL;
        }
        p->pos++;
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        char e = p->s[p->pos++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            *o++ = map[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned u, lo;
        if (e != 'u' || !hex4(p->s + p->pos, &u)) {
            p->pos--;
            jp_fail(p, "a valid escape");
            free(out);
            return NULL;
        }
        p->pos += 4;
        if (u >= 0xD800 && u < 0xDC00 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u' &&
            hex4(p->s + p->pos + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            p->pos += 6;
        } else if (u >= 0xD800 && u < 0xE000) {
            jp_fail(p, "a complete surrogate pair");
            free(out);
            return NULL;
        }
        if (u == 0) {
            jp_fail(p, "no \\u0000 in a name");
            free(out);
            return NULL;
        }
        /* an escape is at least 6 bytes and decodes to at most 4 (12 -> 4 for a pair) */
        if (u < 0x80) {
            *o++ = (char)u;
        } else if (u < 0x800) {
            *o++ = (char)(0xC0 | (u >> 6));
            *o++ = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            *o++ = (char)(0xE0 | (u >> 12));
            *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (u >> 18));
            *o++ = (char)(0x80 | ((u >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
            *o++ = (char)(0x80 | (u & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

/* "key": */
static int jp_key(struct jp *p, const char *key)
{
    if (p->rc)
        return p->rc;
    jp_ws(p);
    size_t at = p->pos;
    char *k = jp_str(p);
    if (!k)
        return p->rc;
    int same = strcmp(k, key) == 0;
    free(k);
    if (!same) {
        char what[64];
        p->pos = at;
        snprintf(what, sizeof what, "the key \"%s\"", key);
        return jp_fail(p, what);
    }
    return jp_lit(p, ":");
}

/* a finite JSON number */
static double jp_num(struct jp *p)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    const char *s = p->s + p->pos;
    size_t i = 0;
    if (s[i] == '-')
        i++;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        jp_fail(p, "a number");
        return 0;
    }
    if (s[i] == '.') {
        i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            jp_fail(p, "a number");
            return 0;
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i++;
        if (s[i] == '+' || s[i] == '-')
            i++;
        if (!(s[i] >= '0' && s[i] <= '9')) {
            jp_fail(p, "a number");
            return 0;
        }
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    char tmp[64];
    if (i >= sizeof tmp) {
        jp_fail(p, "a number of at most 63 characters");
        return 0;
    }
    memcpy(tmp, s, i);
    tmp[i] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end != tmp + i || !isfinite(v)) {
        jp_fail(p, "a finite number");
        return 0;
    }
    p->pos += i;
    return v;
}

/* a non-negative integer below limit */
static size_t jp_index(struct jp *p, size_t limit, const char *what)
{
    if (p->rc)
        return 0;
    jp_ws(p);
    size_t v = 0, i = 0;
    const char *s = p->s + p->pos;
    while (s[i] >= '0' && s[i] <= '9' && v <= SIZE_MAX / 10 - 1)
        v = v * 10 + (size_t)(s[i++] - '0');
    if (i == 0 || (s[i] >= '0' && s[i] <= '9') || v >= limit) {
        jp_fail(p, what);
        return 0;
    }
    p->pos += i;
    return v;
}

static int jp_bool(struct jp *p)
{
    if (jp_peek(p, "true"))
        return 1;
    if (jp_peek(p, "false"))
        return 0;
    jp_fail(p, "true or false");
    return 0;
}

/* one of names[0..n) as a JSON string */
static int jp_enum(struct jp *p, const char *const *names, int n, const char *what)
{
    size_t at = p->pos;
    char *s = jp_str(p);
    if (!s)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            free(s);
            return i;
        }
    free(s);
    p->pos = at;
    jp_fail(p, what);
    return 0;
}

/* grows a zero-initialised array of elements of size sz to hold index i */
static int grow(void **a, size_t *cap, size_t i, size_t sz)
{
    if (i < *cap)
        return 1;
    size_t nc = *cap ? 2 * *cap : 16;
    if (nc > SIZE_MAX / sz)
        return 0;
    char *b = realloc(*a, nc * sz);
    if (!b)
        return 0;
    memset(b + *cap * sz, 0, (nc - *cap) * sz);
    *a = b;
    *cap = nc;
    return 1;
}

static void jp_sources(struct jp *p, data_tab_transform *tf)
{
    size_t cap = 0;
    if (jp_key(p, "sources") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->src, &cap, tf->n_sources, sizeof *tf->src)) {
            p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
            return;
        }
        struct data_tab_source *s = &tf->src[tf->n_sources++];
        if (jp_lit(p, "{") || jp_key(p, "name") || !(s->name = jp_str(p)) || jp_lit(p, ",") ||
            jp_key(p, "type"))
            return;
        static const char *const types[] = {"numeric", "text"};
        s->type = jp_enum(p, types, 2, "\"numeric\" or \"text\"") ? DATA_COL_TEXT : DATA_COL_NUMERIC;
        if (p->rc)
            return;
        if (s->type == DATA_COL_TEXT) {
            size_t ccap = 0;
            if (jp_lit(p, ",") || jp_key(p, "categories") || jp_lit(p, "["))
                return;
            if (!jp_peek(p, "]")) {
                do {
                    if (!grow((void **)&s->cats, &ccap, s->n_cats, sizeof *s->cats)) {
                        p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
                        return;
                    }
                    size_t at = p->pos;
                    if (!(s->cats[s->n_cats] = jp_str(p)))
                        return;
                    s->n_cats++;
                    if (s->n_cats > 1 &&
                        strcmp(s->cats[s->n_cats - 2], s->cats[s->n_cats - 1]) >= 0) {
                        p->pos = at;
                        jp_fail(p, "categories in strictly increasing byte order");
                        return;
                    }
                } while (jp_peek(p, ","));
                if (jp_lit(p, "]"))
                    return;
            }
        }
        if (jp_lit(p, "}"))
            return;
    } while (jp_peek(p, ","));
    jp_lit(p, "]");
}

static void jp_features(struct jp *p, data_tab_transform *tf)
{
    static const char *const kinds[] = {"value", "category", "nan"};
    size_t cap = 0;
    if (jp_key(p, "features") || jp_lit(p, "["))
        return;
    if (jp_peek(p, "]"))
        return;
    do {
        if (!grow((void **)&tf->feat, &cap, tf->n_features, sizeof *tf->feat)) {
            p->rc = al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
            return;
        }
        struct data_tab_feature *f = &tf->feat[tf->n_features++];
        if (jp_lit(p, "{") || jp_key(p, "name") || !(f->name = jp_str(p)) ||
            jp_lit(p, ",") || jp_key(p, "source"))
            return;
        f->source = jp_index(p, tf->n_sources, "a source index");
        if (jp_lit(p, ",") || jp_key(p, "kind"))
            return;
        size_t at = p->pos;
        f->kind = (enum feat_kind)jp_enum(p, kinds, 3, "\"value\", \"category\" or \"nan\"");
        if (p->rc)
            return;
        const struct data_tab_source *s = &tf->src[f->source];
        if ((f->kind == FEAT_VALUE) != (s->type == DATA_COL_NUMERIC)) {
            p->pos = at;
            jp_fail(p, f->kind == FEAT_VALUE ? "\"category\" or \"nan\" for a text source"
                                             : "\"value\" for a numeric source");
            return;
        }
        if (f->kind == FEAT_VALUE) {
            if (jp_lit(p, ",") || jp_key(p, "fill"))
                return;
            f->fill = jp_num(p);
        } else if (f->kind == FEAT_CATEGORY) {
            if (jp_lit(p, ",") || jp_key(p, "category"))
                return;
            f->cat = jp_index(p, s->n_cats, "a category index of the source");
        }
        if (jp_lit(p, ",") || jp_key(p, "a"))
            return;
        f->a = jp_num(p);
        if (jp_lit(p, ",") || jp_key(p, "b"))
            return;
        at = p->pos;
        f->b = jp_num(p);
        if (!p->rc && tf->scale == DATA_TAB_SCALE_STANDARD && f->b == 0) {
            p->pos = at;
            jp_fail(p, "a non-zero standard deviation");
            return;
        }
        if (jp_lit(p, "}"))
            return;
    } while (jp_peek(p, ","));
    jp_lit(p, "]");
}

al_status data_tab_transform_from_json(const char *json, data_tab_transform **out)
{
    AL_API_ENTRY;
    if (out)
        *out = NULL;
    if (!json || !out)
        return al__fail(AL_EINVAL, "data_tab_transform_from_json: %s is NULL",
                        json ? "out" : "json");
    data_tab_transform *tf = calloc(1, sizeof *tf);
    if (!tf)
        return al__fail(AL_ENOMEM, "out of memory reading the tabular pipeline");
    struct jp p = {json, 0, AL_OK};
    struct c_numeric loc;
    c_numeric_begin(&loc);
    if (!jp_lit(&p, "{") && !jp_key(&p, "format") && !jp_lit(&p, "\"actlab-tab-transform\"") &&
        !jp_lit(&p, ",") && !jp_key(&p, "version") && !jp_lit(&p, "1") && !jp_lit(&p, ",") &&
        !jp_key(&p, "target")) {
        if (!jp_peek(&p, "null"))
            tf->target = jp_str(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "fill"))
            tf->fill = (data_tab_fill)jp_enum(&p, fill_names, 3, "\"median\", \"mean\" or \"zero\"");
        if (!jp_lit(&p, ",") && !jp_key(&p, "scale"))
            tf->scale =
                (data_tab_scale)jp_enum(&p, scale_names, 3, "\"minmax\", \"standard\" or \"none\"");
        if (!jp_lit(&p, ",") && !jp_key(&p, "one_hot"))
            tf->one_hot = jp_bool(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "dummy_na"))
            tf->dummy_na = jp_bool(&p);
        if (!jp_lit(&p, ",") && !jp_key(&p, "drop_first"))
            tf->drop_first = jp_bool(&p);
        if (!jp_lit(&p, ","))
            jp_sources(&p, tf);
        if (!jp_lit(&p, ","))
            jp_features(&p, tf);
        if (!jp_lit(&p, "}")) {
            jp_ws(&p);
            if (p.s[p.pos])
                jp_fail(&p, "the end of the text");
        }
    }
    c_numeric_end(&loc);
    if (p.rc) {
        data_tab_transform_free(tf);
        return p.rc;
    }
    *out = tf;
    al__clear_error();
    return AL_OK;
}

/* ---- split: sklearn's train_test_split ------------------------------------------------- */

/* MT19937 as NumPy's legacy RandomState: seeded by init_genrand(seed) (numpy
 * random/src/mt19937/mt19937.c, mt19937_seed), tempered 32-bit outputs. */
struct mt19937 {
    uint32_t key[624];
    int pos;
};

static void mt_seed(struct mt19937 *m, uint32_t seed)
{
    for (int i = 0; i < 624; i++) {
        m->key[i] = seed;
        seed = 1812433253u * (seed ^ (seed >> 30)) + (uint32_t)i + 1u;
    }
    m->pos = 624;
}

static void mt_generate(struct mt19937 *m)
{
    static const uint32_t mag[2] = {0u, 0x9908b0dfu};
    uint32_t *k = m->key, y;
    int i;
    for (i = 0; i < 624 - 397; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + 397] ^ (y >> 1) ^ mag[y & 1];
    }
    for (; i < 623; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + 397 - 624] ^ (y >> 1) ^ mag[y & 1];
    }
    y = (k[623] & 0x80000000u) | (k[0] & 0x7fffffffu);
    k[623] = k[396] ^ (y >> 1) ^ mag[y & 1];
    m->pos = 0;
}

static uint32_t mt_next(struct mt19937 *m)
{
    if (m->pos == 624)
        mt_generate(m);
    uint32_t y = m->key[m->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* numpy random_interval: a uniform integer in [0, max] by masked rejection sampling, on
 * 32-bit outputs while max fits in 32 bits. */
static uint64_t random_interval(struct mt19937 *m, uint64_t max)
{
    if (max == 0)
        return 0;
    uint64_t mask = max, v;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    if (max <= 0xffffffffu) {
        while ((v = (mt_next(m) & mask)) > max)
            ;
    } else {
        do {
            uint64_t hi = mt_next(m);
            v = ((hi << 32) | mt_next(m)) & mask;
        } while (v > max);
    }
    return v;
}

al_status data_tab_split(size_t n, double val_fraction, uint32_t seed, size_t *train, size_t *n_train,
              size_t *val, size_t *n_val)
{
    AL_API_ENTRY;
    if (!train || !n_train || !val || !n_val)
        return al__fail(AL_EINVAL, "data_tab_split: an output pointer is NULL");
    *n_train = *n_val = 0;
    if (n == 0)
        return al__fail(AL_EINVAL, "no rows to split");
    if (!(val_fraction >= 0.0 && val_fraction < 1.0))
        return al__fail(AL_EINVAL, "data_tab_split: validation fraction %g is not in [0, 1)",
                        val_fraction);
    size_t nv = (size_t)ceil(val_fraction * (double)n);
    if (nv >= n)
        return al__fail(AL_EINVAL,
                        "%zu rows with validation fraction %g leave no training rows",
                        n, val_fraction);
    /* RandomState(seed).permutation(n): np.arange(n) then the legacy shuffle */
    struct mt19937 *m = malloc(sizeof *m);
    if (!m)
        return al__fail(AL_ENOMEM, "out of memory");
    mt_seed(m, seed);
    for (size_t i = 0; i < n; i++)
        train[i] = i;
    for (size_t i = n - 1; i >= 1; i--) {
        size_t j = (size_t)random_interval(m, i), t = train[i];
        train[i] = train[j];
        train[j] = t;
    }
    free(m);
    memcpy(val, train, nv * sizeof *val);
    memmove(train, train + nv, (n - nv) * sizeof *train);
    *n_val = nv;
    *n_train = n - nv;
    al__clear_error();
    return AL_OK;
}
