/* data_array: element types, allocation with overflow-checked sizes, conversion to float32,
 * row gathering; and data_set_free. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error.h"
#include "../core/mem.h"
#include "internal.h"

#define DTYPE_LIST(X) /* id, C type, name */ \
    X(F32, float, "float32")                 \
    X(F64, double, "float64")                \
    X(U8, uint8_t, "uint8")                  \
    X(I32, int32_t, "int32")                 \
    X(I64, int64_t, "int64")

static const struct {
    size_t size;
    const char *name;
} dtypes[] = {
#define X(id, ctype, nm) [DATA_##id] = {sizeof(ctype), nm},
    DTYPE_LIST(X)
#undef X
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == DATA_I64 + 1, "dtype table out of sync");

/* i / 255.0f, folded by the compiler: a constant expression, correctly rounded */
#define U1(i) ((float)(i) / 255.0f)
#define U4(i) U1(i), U1(i + 1), U1(i + 2), U1(i + 3)
#define U16(i) U4(i), U4(i + 4), U4(i + 8), U4(i + 12)
#define U64(i) U16(i), U16(i + 16), U16(i + 32), U16(i + 48)
const float data__unit_u8[256] = {U64(0), U64(64), U64(128), U64(192)};

static int dtype_ok(data_dtype t)
{
    return (unsigned)t < sizeof dtypes / sizeof dtypes[0];
}

size_t data_dtype_size(data_dtype t)
{
    return dtype_ok(t) ? dtypes[t].size : 0;
}

const char *data_dtype_name(data_dtype t)
{
    return dtype_ok(t) ? dtypes[t].name : "unknown";
}

int data__shape_count(int ndim, const size_t *shape, size_t *count)
{
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] && n > SIZE_MAX / shape[i]) {
            *count = 0;
            return 0;
        }
        n *= shape[i];
    }
    *count = n;
    return 1;
}

size_t data_array_count(const data_array *a)
{
    size_t n;
    if (!a || a->ndim < 0 || a->ndim > DATA_MAX_DIMS)
        return 0;
    return data__shape_count(a->ndim, a->shape, &n) ? n : SIZE_MAX;
}

void data__swap_bytes(void *p, size_t n, size_t size)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++, b += size)
        for (size_t lo = 0, hi = size - 1; lo < hi; lo++, hi--) {
            unsigned char t = b[lo];
            b[lo] = b[hi];
            b[hi] = t;
        }
}

al_status data_array_alloc(data_array *a, data_dtype t, int ndim, const size_t *shape)
{
    AL_API_ENTRY;
    if (!a)
        return al__fail(AL_EINVAL, "data_array_alloc: array is NULL");
    memset(a, 0, sizeof *a);
    if (!dtype_ok(t))
        return al__fail(AL_EINVAL, "data_array_alloc: unknown dtype %d", (int)t);
    if (ndim < 0 || ndim > DATA_MAX_DIMS)
        return al__fail(AL_EINVAL, "data_array_alloc: %d dimensions; at most %d", ndim,
                        DATA_MAX_DIMS);
    if (ndim > 0 && !shape)
        return al__fail(AL_EINVAL, "data_array_alloc: shape is NULL");
    size_t n;
    char text[96];
    if (!data__shape_count(ndim, shape, &n) || n > SIZE_MAX / dtypes[t].size)
        return al__fail(AL_ENOMEM, "an array of %s %s: its size in bytes overflows",
                        data__format_shape(ndim, shape, text, sizeof text), dtypes[t].name);
    /* at least one byte, so a successful allocation never leaves data NULL */
    void *p = calloc(n ? n : 1, dtypes[t].size);
    if (!p)
        return al__fail(AL_ENOMEM, "out of memory for an array of %s %s",
                        data__format_shape(ndim, shape, text, sizeof text), dtypes[t].name);
    al__hint_huge(p, n * dtypes[t].size);
    a->dtype = t;
    a->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        a->shape[i] = shape[i];
    a->data = p;
    return AL_OK;
}

void data_array_free(data_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Arguments shared by the functions that read an existing array. */
static int check_array(const char *fn, const data_array *a, size_t *count)
{
    if (!a)
        return al__fail(AL_EINVAL, "%s: array is NULL", fn);
    if (!dtype_ok(a->dtype) || a->ndim < 0 || a->ndim > DATA_MAX_DIMS)
        return al__fail(AL_EINVAL, "%s: not a valid array (dtype %d, %d dimensions)", fn,
                        (int)a->dtype, a->ndim);
    if (!data__shape_count(a->ndim, a->shape, count) ||
        *count > SIZE_MAX / dtypes[a->dtype].size)
        return al__fail(AL_EINVAL, "%s: the array's size overflows size_t", fn);
    if (*count && !a->data)
        return al__fail(AL_EINVAL, "%s: array data is NULL", fn);
    return AL_OK;
}

al_status data_array_to_f32(const data_array *in, data_array *out)
{
    AL_API_ENTRY;
    size_t n;
    int rc = check_array("data_array_to_f32", in, &n);
    if (rc)
        return rc;
    if (!out)
        return al__fail(AL_EINVAL, "data_array_to_f32: out is NULL");
    data_array r;
    if ((rc = data_array_alloc(&r, DATA_F32, in->ndim, in->shape)))
        return rc;
    float *y = r.data;
    switch (in->dtype) {
#define X(id, ctype, nm)                          \
    case DATA_##id: {                             \
        const ctype *x = in->data;                \
        for (size_t i = 0; i < n; i++)            \
            y[i] = (float)x[i];                   \
        break;                                    \
    }
        DTYPE_LIST(X)
#undef X
    }
    if (out == in) /* in place: the old data goes only once the new is complete */
        data_array_free(out);
    *out = r;
    al__clear_error();
    return AL_OK;
}

al_status data_gather(const data_array *a, const size_t *rows, size_t count, data_array *out)
{
    AL_API_ENTRY;
    size_t n;
    int rc = check_array("data_gather", a, &n);
    if (rc)
        return rc;
    if (!out)
        return al__fail(AL_EINVAL, "data_gather: out is NULL");
    if (a->ndim < 1)
        return al__fail(AL_EINVAL, "data_gather: a 0-dimensional array has no rows");
    if (count && !rows)
        return al__fail(AL_EINVAL, "data_gather: rows is NULL");
    for (size_t i = 0; i < count; i++)
        if (rows[i] >= a->shape[0])
            return al__fail(AL_EINVAL, "data_gather: rows[%zu] = %zu, but the array has %zu rows",
                            i, rows[i], a->shape[0]);
    size_t shape[DATA_MAX_DIMS];
    memcpy(shape, a->shape, sizeof shape);
    shape[0] = count;
    data_array r;
    if ((rc = data_array_alloc(&r, a->dtype, a->ndim, shape)))
        return rc;
    /* a row's size cannot overflow: it divides the whole array's, which fits (check_array),
     * unless shape[0] is 0 -- then no row is read and the size is only used for the copy */
    size_t row = dtypes[a->dtype].size;
    for (int d = 1; d < a->ndim; d++)
        row *= a->shape[d];
    for (size_t i = 0; i < count; i++)
        memcpy((unsigned char *)r.data + i * row, (const unsigned char *)a->data + rows[i] * row,
               row);
    if (out == a)
        data_array_free(out);
    *out = r;
    al__clear_error();
    return AL_OK;
}

al_status data_class_labels(const char *name, const data_array *y, data_array *out,
                      size_t *n_classes)
{
    AL_API_ENTRY;
    size_t n;
    int rc = check_array("data_class_labels", y, &n);
    if (rc)
        return rc;
    if (!out || !n_classes)
        return al__fail(AL_EINVAL, "data_class_labels: %s is NULL", out ? "n_classes" : "out");
    memset(out, 0, sizeof *out);
    if (!name)
        name = "labels";
    if (y->ndim < 1 || y->ndim > 2 || n != y->shape[0]) {
        char shape[96];
        return al__fail(AL_EFORMAT, "%s: class labels must have shape (N,) or (N, 1), not %s",
                        name, data__format_shape(y->ndim, y->shape, shape, sizeof shape));
    }
    if (y->dtype != DATA_U8 && y->dtype != DATA_I32 && y->dtype != DATA_I64)
        return al__fail(AL_EFORMAT, "%s: class labels must be whole numbers, not %s", name,
                        dtypes[y->dtype].name);
    size_t shape[1] = {n};
    if ((rc = data_array_alloc(out, DATA_I64, 1, shape)))
        return rc;
    int64_t *v = out->data, top = -1;
    for (size_t i = 0; i < n; i++) {
        v[i] = y->dtype == DATA_U8    ? ((const uint8_t *)y->data)[i]
               : y->dtype == DATA_I32 ? ((const int32_t *)y->data)[i]
                                      : ((const int64_t *)y->data)[i];
        if (v[i] < 0 || v[i] >= DATA_MAX_CLASSES) {
            rc = al__fail(AL_EFORMAT, "%s: label %lld of sample %zu is not a class: labels are "
                                      "0 to %d", name, (long long)v[i], i, DATA_MAX_CLASSES - 1);
            data_array_free(out);
            return rc;
        }
        if (v[i] > top)
            top = v[i];
    }
    *n_classes = (size_t)(top + 1);
    al__clear_error();
    return AL_OK;
}

void data_set_free(data_set *s)
{
    if (!s)
        return;
    data_array_free(&s->x);
    data_array_free(&s->y);
    if (s->class_names)
        for (size_t i = 0; i < s->n_classes; i++)
            free(s->class_names[i]);
    free(s->class_names);
    memset(s, 0, sizeof *s);
}

char *data__format_shape(int ndim, const size_t *shape, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? ", %zu" : "%zu", shape[i]);
    if (used < size)
        snprintf(buf + used, size - used, ndim == 1 ? ",)" : ")");
    return buf;
}

int data__read_grow(data__read_fn *read_fn, void *ctx, size_t want, unsigned char **buf,
                    size_t *got)
{
    const size_t first = (size_t)1 << 16, most = (size_t)1 << 30;
    size_t cap = want < first ? want : first, n = 0;
    unsigned char *b = malloc(cap ? cap : 1);
    *buf = NULL;
    *got = 0;
    if (!b)
        return al__fail(AL_ENOMEM, "out of memory");
    while (n < want) {
        if (n == cap) {
            size_t grown = cap > want / 2 ? want : cap * 2;
            unsigned char *nb = realloc(b, grown);
            if (!nb) {
                free(b);
                return al__fail(AL_ENOMEM, "out of memory for %zu bytes", grown);
            }
            b = nb;
            cap = grown;
            al__hint_huge(b, cap);
        }
        long r = read_fn(ctx, b + n, cap - n < most ? cap - n : most);
        if (r < 0) {
            free(b);
            return (int)-r;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *buf = b;
    *got = n;
    return AL_OK;
}

char *data__join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

int data__set_names(data_set *s, const char *const *names, const size_t *len, size_t n)
{
    char **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return al__fail(AL_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        size_t k = len ? len[i] : strlen(names[i]);
        if (!(v[i] = malloc(k + 1))) {
            while (i--)
                free(v[i]);
            free(v);
            return al__fail(AL_ENOMEM, "out of memory");
        }
        memcpy(v[i], names[i], k);
        v[i][k] = '\0';
    }
    s->class_names = v;
    s->n_classes = n;
    return AL_OK;
}
