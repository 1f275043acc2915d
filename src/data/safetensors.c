/* The safetensors format (see safetensors.h for the layout and what is checked).
 *
 * The JSON header is walked with the core pull reader (src/core/json.h) for exactly the
 * grammar the format uses (an object of objects of strings, integer arrays and string maps):
 * every value is checked against what its key allows, every read is bounded by
 * the header length, and decoded strings go to one arena of header-length bytes (a decoded
 * string plus its NUL is never longer than its quoted form). Tensor offsets are checked after
 * the whole header is read: sorted by offset, the tensors must tile the data section exactly,
 * as the reference's Metadata::validate requires. */
#define _POSIX_C_SOURCE 200809L

#include "safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/atomic.h"
#include "../core/error.h"
#include "../core/json.h"
#include "../core/strbuf.h"
#include "internal.h"
#include "actlab/status.h"

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
#define X(id, size) [DATA__ST_##id] = {#id, size},
    DATA__ST_DTYPE_LIST(X)
#undef X
};
_Static_assert(sizeof dtypes / sizeof dtypes[0] == DATA__ST_DTYPE_COUNT, "dtype table out of sync");

const char *data__st_dtype_name(enum data__st_dtype t)
{
    return (unsigned)t < DATA__ST_DTYPE_COUNT ? dtypes[t].name : "?";
}

size_t data__st_dtype_size(enum data__st_dtype t)
{
    return (unsigned)t < DATA__ST_DTYPE_COUNT ? dtypes[t].size : 0;
}

/* Product of the shape; 0 (with *ok = 0) when it overflows size_t. */
static size_t shape_count(int ndim, const size_t *shape, int *ok)
{
    size_t n;
    *ok = data__shape_count(ndim, shape, &n);
    return n;
}

size_t data__st_count(const struct data__st_tensor *t)
{
    int ok;
    return shape_count(t->ndim, t->shape, &ok);
}

char *data__st_format_shape(int ndim, const size_t *shape, char *buf, size_t size)
{
    size_t used = 0;
    if (!size)
        return buf;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", i ? ", " : "", shape[i]);
    if (used < size)
        snprintf(buf + used, size - used, "]");
    return buf;
}

/* ---- JSON header ------------------------------------------------------------------------ */

struct parser {
    const char *file;
    struct al__json j; /* over the header: bytes [8, 8 + n) of the file */
    char *arena;
    size_t used;
    struct data__st_tensor *t;
    size_t nt, cap_t;
    struct data__st_kv *kv;
    size_t nkv, cap_kv;
    int have_meta;
};

/* Offset of the first byte that is not part of well-formed UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF), or n when all is well. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0)
            len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0)
            len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0)
            len = 4, cp = c & 0x07, min = 0x10000;
        else
            return i;
        if (n - i < len)
            return i;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return n;
}

/* A JSON string, decoded into the arena (NUL-terminated). The header is valid UTF-8
 * already, so raw bytes are copied as they are. */
static int parse_string(struct parser *c, const char **out)
{
    size_t len;
    char *dst = c->arena + c->used;
    int rc = al__json_string_into(&c->j, dst, &len);
    if (rc)
        return rc;
    c->used += len + 1;
    *out = dst;
    return AL_OK;
}

static int grow(void **p, size_t *cap, size_t need, size_t el)
{
    if (need <= *cap)
        return AL_OK;
    size_t n = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, n * el);
    if (!q)
        return al__fail(AL_ENOMEM, "out of memory reading a safetensors header");
    *p = q;
    *cap = n;
    return AL_OK;
}

/* "__metadata__": null or an object of string values. */
static int parse_meta(struct parser *c)
{
    struct al__json *j = &c->j;
    if (c->have_meta)
        return al__json_fail(j, "\"__metadata__\" appears twice");
    c->have_meta = 1;
    if (al__json_accept(j, "null"))
        return AL_OK;
    int rc = al__json_expect(j, "{", "to open \"__metadata__\"");
    if (rc || al__json_accept(j, "}"))
        return rc;
    for (;;) {
        struct data__st_kv kv;
        if ((rc = parse_string(c, &kv.key)) ||
            (rc = al__json_expect(j, ":", "after a metadata key")))
            return rc;
        if (al__json_peek(j) != '"')
            return al__json_fail(j, "__metadata__ values must be strings (\"%s\" has another "
                                    "value)", kv.key);
        if ((rc = parse_string(c, &kv.value)))
            return rc;
        if ((rc = grow((void **)&c->kv, &c->cap_kv, c->nkv + 1, sizeof *c->kv)))
            return rc;
        c->kv[c->nkv++] = kv;
        if (al__json_accept(j, "}"))
            return AL_OK;
        if ((rc = al__json_expect(j, ",", "or '}' after a metadata value")))
            return rc;
    }
}

/* [d0, d1, ...], at most DATA__ST_MAX_DIMS of them */
static int parse_shape(struct parser *c, struct data__st_tensor *t)
{
    struct al__json *j = &c->j;
    int rc = al__json_expect(j, "[", "to open \"shape\"");
    t->ndim = 0;
    if (rc || al__json_accept(j, "]"))
        return rc;
    for (;;) {
        if (t->ndim == DATA__ST_MAX_DIMS)
            return al__fail(AL_EUNSUPPORTED, "%s: tensor \"%s\" has more than %d dimensions",
                            c->file, t->name, DATA__ST_MAX_DIMS);
        if ((rc = al__json_uint(j, &t->shape[t->ndim], "a dimension")))
            return rc;
        t->ndim++;
        if (al__json_accept(j, "]"))
            return AL_OK;
        if ((rc = al__json_expect(j, ",", "or ']' in \"shape\"")))
            return rc;
    }
}

static int parse_offsets(struct parser *c, struct data__st_tensor *t)
{
    struct al__json *j = &c->j;
    int rc;
    if ((rc = al__json_expect(j, "[", "to open \"data_offsets\"")) ||
        (rc = al__json_uint(j, &t->begin, "a data offset")) ||
        (rc = al__json_expect(j, ",", "between the two data offsets")) ||
        (rc = al__json_uint(j, &t->end, "a data offset")))
        return rc;
    if (!al__json_accept(j, "]"))
        return al__json_fail(j, "\"data_offsets\" must be [begin, end]");
    return AL_OK;
}

/* {"dtype": "F32", "shape": [...], "data_offsets": [b, e]} in any order, each exactly once */
static int parse_tensor(struct parser *c, const char *name)
{
    struct al__json *j = &c->j;
    struct data__st_tensor t = {.name = name};
    int seen[3] = {0, 0, 0}, rc;
    static const char *const keys[3] = {"dtype", "shape", "data_offsets"};
    if ((rc = al__json_expect(j, "{", "to open a tensor entry")))
        return rc;
    if (!al__json_accept(j, "}"))
        for (;;) {
            const char *key;
            if ((rc = parse_string(c, &key)) || (rc = al__json_expect(j, ":", "after a key")))
                return rc;
            int k = 0;
            while (k < 3 && strcmp(key, keys[k]) != 0)
                k++;
            if (k == 3)
                return al__json_fail(j, "tensor \"%s\": unknown key \"%s\" (a tensor has dtype, "
                                        "shape and data_offsets)", name, key);
            if (seen[k]++)
                return al__json_fail(j, "tensor \"%s\": \"%s\" appears twice", name, key);
            if (k == 0) {
                const char *dt;
                if ((rc = parse_string(c, &dt)))
                    return rc;
                unsigned d = 0;
                while (d < DATA__ST_DTYPE_COUNT && strcmp(dt, dtypes[d].name) != 0)
                    d++;
                if (d == DATA__ST_DTYPE_COUNT)
                    return al__fail(AL_EFORMAT, "%s: tensor \"%s\" has unknown dtype \"%s\"",
                                    c->file, name, dt);
                t.dtype = (enum data__st_dtype)d;
            } else if ((rc = k == 1 ? parse_shape(c, &t) : parse_offsets(c, &t)))
                return rc;
            if (al__json_accept(j, "}"))
                break;
            if ((rc = al__json_expect(j, ",", "or '}' in a tensor entry")))
                return rc;
        }
    for (int k = 0; k < 3; k++)
        if (!seen[k])
            return al__json_fail(j, "tensor \"%s\" has no \"%s\"", name, keys[k]);
    if ((rc = grow((void **)&c->t, &c->cap_t, c->nt + 1, sizeof *c->t)))
        return rc;
    c->t[c->nt++] = t;
    return AL_OK;
}

static int parse_object(struct parser *c)
{
    struct al__json *j = &c->j;
    int rc = al__json_expect(j, "{", "to open the header");
    if (!rc && !al__json_accept(j, "}"))
        for (;;) {
            const char *key;
            if ((rc = parse_string(c, &key)) ||
                (rc = al__json_expect(j, ":", "after a tensor name")))
                return rc;
            if ((rc = strcmp(key, "__metadata__") == 0 ? parse_meta(c) : parse_tensor(c, key)))
                return rc;
            if (al__json_accept(j, "}"))
                break;
            if ((rc = al__json_expect(j, ",", "or '}' after a tensor entry")))
                return rc;
        }
    if (!rc && al__json_peek(j) != -1)
        return al__json_fail(j, "unexpected text after the JSON object");
    return rc;
}

/* The header, with a syntax error reported at its position counted in bytes from the start
 * of the file. */
static int parse_header(struct parser *c)
{
    int rc = parse_object(c);
    if (rc && c->j.rc)
        rc = al__fail(c->j.rc, "%s: bad JSON header at byte %zu: %s", c->file, 8 + c->j.err_pos,
                      c->j.msg);
    return rc;
}

/* ---- checks across tensors -------------------------------------------------------------- */

static int by_offset(const void *a, const void *b)
{
    const struct data__st_tensor *x = *(const struct data__st_tensor *const *)a;
    const struct data__st_tensor *y = *(const struct data__st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* The names at stride bytes apart (tensor or kv structs start with their name), sorted; the
 * first duplicate, or NULL. */
static int find_duplicate(const void *items, size_t n, size_t stride, const char **dup)
{
    *dup = NULL;
    if (n < 2)
        return AL_OK;
    const char *const **v = malloc(n * sizeof *v);
    if (!v)
        return al__fail(AL_ENOMEM, "out of memory reading a safetensors header");
    for (size_t i = 0; i < n; i++)
        v[i] = (const char *const *)((const char *)items + i * stride);
    qsort(v, n, sizeof *v, by_name);
    for (size_t i = 1; i < n && !*dup; i++)
        if (strcmp(*v[i - 1], *v[i]) == 0)
            *dup = *v[i];
    free(v);
    return AL_OK;
}

static int check_tensors(const struct parser *c, size_t data_size)
{
    char sh[128];
    const char *dup;
    int rc;
    _Static_assert(offsetof(struct data__st_tensor, name) == 0, "name first");
    _Static_assert(offsetof(struct data__st_kv, key) == 0, "key first");
    if ((rc = find_duplicate(c->t, c->nt, sizeof *c->t, &dup)))
        return rc;
    if (dup)
        return al__fail(AL_EFORMAT, "%s: tensor \"%s\" appears twice", c->file, dup);
    if ((rc = find_duplicate(c->kv, c->nkv, sizeof *c->kv, &dup)))
        return rc;
    if (dup)
        return al__fail(AL_EFORMAT, "%s: metadata key \"%s\" appears twice", c->file, dup);

    for (size_t i = 0; i < c->nt; i++) {
        const struct data__st_tensor *t = &c->t[i];
        int ok;
        size_t count = shape_count(t->ndim, t->shape, &ok), el = dtypes[t->dtype].size;
        data__st_format_shape(t->ndim, t->shape, sh, sizeof sh);
        if (!ok || count > SIZE_MAX / el)
            return al__fail(AL_EFORMAT, "%s: tensor \"%s\": shape %s is too large", c->file,
                            t->name, sh);
        if (t->end < t->begin)
            return al__fail(AL_EFORMAT, "%s: tensor \"%s\": data_offsets [%zu, %zu] end before "
                            "they begin", c->file, t->name, t->begin, t->end);
        if (t->end > data_size)
            return al__fail(AL_EFORMAT, "%s: tensor \"%s\": data_offsets [%zu, %zu] go past the "
                            "end of the data (%zu bytes after the header): the file is "
                            "truncated or the offsets are wrong", c->file, t->name, t->begin,
                            t->end, data_size);
        if (t->end - t->begin != count * el)
            return al__fail(AL_EFORMAT, "%s: tensor \"%s\": shape %s of %s needs %zu bytes, but "
                            "data_offsets [%zu, %zu] hold %zu", c->file, t->name, sh,
                            dtypes[t->dtype].name, count * el, t->begin, t->end,
                            t->end - t->begin);
    }

    /* sorted by offset, each tensor starts where the previous one ended */
    const struct data__st_tensor **v = malloc((c->nt ? c->nt : 1) * sizeof *v);
    if (!v)
        return al__fail(AL_ENOMEM, "out of memory reading a safetensors header");
    for (size_t i = 0; i < c->nt; i++)
        v[i] = &c->t[i];
    qsort(v, c->nt, sizeof *v, by_offset);
    size_t at = 0;
    rc = AL_OK;
    for (size_t i = 0; i < c->nt && !rc; i++) {
        if (v[i]->begin < at)
            rc = al__fail(AL_EFORMAT, "%s: tensors \"%s\" [%zu, %zu) and \"%s\" [%zu, %zu) "
                          "overlap", c->file, v[i - 1]->name, v[i - 1]->begin, v[i - 1]->end,
                          v[i]->name, v[i]->begin, v[i]->end);
        else if (v[i]->begin > at)
            rc = al__fail(AL_EFORMAT, "%s: bytes [%zu, %zu) of the data belong to no tensor "
                          "(a gap before \"%s\")", c->file, at, v[i]->begin, v[i]->name);
        at = v[i]->end;
    }
    if (!rc && at != data_size)
        rc = al__fail(AL_EFORMAT, "%s: %zu bytes of data after the last tensor (the data "
                      "section is %zu bytes)", c->file, data_size - at, data_size);
    free(v);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

void data__st_free(struct data__st_file *f)
{
    if (!f)
        return;
    free(f->tensors);
    free(f->meta);
    free(f->arena);
    free(f->buf);
    memset(f, 0, sizeof *f);
}

int data__st_parse(const char *name, const unsigned char *bytes, size_t size,
                 struct data__st_file *out)
{
    memset(out, 0, sizeof *out);
    if (!name)
        name = "safetensors";
    if (!bytes && size)
        return al__fail(AL_EINVAL, "data__st_parse: no bytes");
    if (size < 8)
        return al__fail(AL_EFORMAT, "%s: %zu bytes: too short for a safetensors file (it starts "
                        "with an 8-byte header length)", name, size);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | bytes[i];
    if (n > DATA__ST_MAX_HEADER)
        return al__fail(AL_EFORMAT, "%s: header length %llu is over the format's limit of %llu "
                        "bytes: not a safetensors file?", name, (unsigned long long)n,
                        (unsigned long long)DATA__ST_MAX_HEADER);
    if (n > size - 8)
        return al__fail(AL_EFORMAT, "%s: header length %llu is larger than the rest of the file "
                        "(%zu bytes): the file is truncated or not a safetensors file", name,
                        (unsigned long long)n, size - 8);
    if (n < 2 || bytes[8] != '{')
        return al__fail(AL_EFORMAT, "%s: the header does not start with '{': not a safetensors "
                        "file", name);
    size_t bad_at = utf8_check(bytes + 8, (size_t)n);
    if (bad_at != n)
        return al__fail(AL_EFORMAT, "%s: the JSON header is not valid UTF-8 (byte %zu)", name,
                        8 + bad_at);

    size_t name_len = strlen(name) + 1;
    struct parser c = {0};
    al__json_init(&c.j, bytes + 8, (size_t)n);
    c.arena = malloc((size_t)n + 1 + name_len);
    if (!c.arena)
        return al__fail(AL_ENOMEM, "%s: out of memory for a %llu-byte header", name,
                        (unsigned long long)n);
    /* the name goes at the end, so messages can use it while the arena fills up */
    char *own_name = c.arena + n + 1;
    memcpy(own_name, name, name_len);
    c.file = own_name;
    int rc = parse_header(&c);
    if (!rc)
        rc = check_tensors(&c, size - 8 - (size_t)n);
    if (rc) {
        free(c.arena);
        free(c.t);
        free(c.kv);
        return rc;
    }
    out->name = own_name;
    out->data = bytes + 8 + n;
    out->data_size = size - 8 - (size_t)n;
    out->header_len = (size_t)n;
    out->n_tensors = c.nt;
    out->tensors = c.t;
    out->n_meta = c.nkv;
    out->meta = c.kv;
    out->arena = c.arena;
    return AL_OK;
}

int data__st_read(const char *path, struct data__st_file *out)
{
    memset(out, 0, sizeof *out);
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "no path given for a safetensors file");
    FILE *f = fopen(path, "rb");
    if (!f)
        return al__fail(AL_EIO, "cannot read %s: %s", path, strerror(errno));
    struct stat st;
    size_t cap = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    size_t len = 0;
    unsigned char *buf = malloc(cap);
    int err = 0;
    while (buf) {
        if (len == cap) {
            unsigned char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            err = ferror(f) ? errno : 0;
            break;
        }
    }
    fclose(f);
    if (!buf)
        return al__fail(AL_ENOMEM, "%s: out of memory reading the file", path);
    if (err) {
        free(buf);
        return al__fail(AL_EIO, "cannot read %s: %s", path, strerror(err));
    }
    int rc = data__st_parse(path, buf, len, out);
    if (rc) {
        free(buf);
        return rc;
    }
    out->buf = buf;
    return AL_OK;
}

const struct data__st_tensor *data__st_find(const struct data__st_file *f, const char *name)
{
    for (size_t i = 0; i < f->n_tensors; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

const char *data__st_meta(const struct data__st_file *f, const char *key)
{
    for (size_t i = 0; i < f->n_meta; i++)
        if (strcmp(f->meta[i].key, key) == 0)
            return f->meta[i].value;
    return NULL;
}

int data__st_get_f32(const struct data__st_file *f, const struct data__st_tensor *t, float *out)
{
    if (t->dtype != DATA__ST_F32)
        return al__fail(AL_EUNSUPPORTED, "%s: %s has dtype %s; actlab reads F32 only (save it with "
                        "tensor.float())", f->name, t->name, dtypes[t->dtype].name);
    size_t n = data__st_count(t);
    memcpy(out, f->data + t->begin, n * sizeof *out);
    if (!data__host_is_little())
        data__swap_bytes(out, n, 4);
    return AL_OK;
}

/* ---- writing ---------------------------------------------------------------------------- */

static int check_text(const char *path, const char *what, const char *s)
{
    if (!s)
        return al__fail(AL_EINVAL, "%s: %s is NULL", path, what);
    size_t n = strlen(s);
    if (utf8_check((const unsigned char *)s, n) != n)
        return al__fail(AL_EINVAL, "%s: %s \"%.60s\" is not valid UTF-8", path, what, s);
    return AL_OK;
}

/* The JSON header, padded with spaces to a multiple of 8 bytes. */
static int build_header(const char *path, const struct data__st_kv *meta, size_t n_meta,
                        const struct data__st_entry *t, size_t n, struct al__sb *b)
{
    int rc;
    for (size_t i = 0; i < n_meta; i++) {
        if ((rc = check_text(path, "a metadata key", meta[i].key)) ||
            (rc = check_text(path, "a metadata value", meta[i].value)))
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(meta[i].key, meta[j].key) == 0)
                return al__fail(AL_EINVAL, "%s: metadata key \"%s\" given twice", path,
                                meta[i].key);
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = check_text(path, "a tensor name", t[i].name)))
            return rc;
        if (strcmp(t[i].name, "__metadata__") == 0)
            return al__fail(AL_EINVAL, "%s: \"%s\" cannot name a tensor", path, t[i].name);
        if (t[i].ndim < 0 || t[i].ndim > DATA__ST_MAX_DIMS)
            return al__fail(AL_EINVAL, "%s: tensor %s has %d dimensions", path, t[i].name,
                            t[i].ndim);
        for (size_t j = 0; j < i; j++)
            if (strcmp(t[i].name, t[j].name) == 0)
                return al__fail(AL_EINVAL, "%s: tensor %s given twice", path, t[i].name);
    }

    al__sb_add(b, "{", 1);
    if (n_meta) {
        al__sb_puts(b, "\"__metadata__\":{");
        for (size_t i = 0; i < n_meta; i++) {
            if (i)
                al__sb_add(b, ",", 1);
            al__sb_json(b, meta[i].key, AL__JSON_ESC_SHORT);
            al__sb_add(b, ":", 1);
            al__sb_json(b, meta[i].value, AL__JSON_ESC_SHORT);
        }
        al__sb_add(b, "}", 1);
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        int ok;
        size_t count = shape_count(t[i].ndim, t[i].shape, &ok);
        if (!ok || count > (SIZE_MAX - at) / 4)
            return al__fail(AL_EINVAL, "%s: tensor %s is too large", path, t[i].name);
        if (count && !t[i].data)
            return al__fail(AL_EINVAL, "%s: tensor %s has no data", path, t[i].name);
        if (n_meta || i)
            al__sb_add(b, ",", 1);
        al__sb_json(b, t[i].name, AL__JSON_ESC_SHORT);
        al__sb_puts(b, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < t[i].ndim; d++)
            al__sb_printf(b, "%s%zu", d ? "," : "", t[i].shape[d]);
        al__sb_printf(b, "],\"data_offsets\":[%zu,%zu]}", at, at + count * 4);
        at += count * 4;
    }
    al__sb_add(b, "}", 1);
    while (!b->failed && b->len % 8)
        al__sb_add(b, " ", 1);
    if (b->failed)
        return al__fail(AL_ENOMEM, "%s: out of memory building the header", path);
    if ((uint64_t)b->len > DATA__ST_MAX_HEADER)
        return al__fail(AL_EINVAL, "%s: the header would be %zu bytes, over the format's limit",
                        path, b->len);
    return AL_OK;
}

static int write_body(FILE *f, const struct al__sb *h, const struct data__st_entry *t, size_t n)
{
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)((uint64_t)h->len >> (8 * i));
    if (fwrite(len, 1, 8, f) != 8 || fwrite(h->p, 1, h->len, f) != h->len)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int ok;
        size_t count = shape_count(t[i].ndim, t[i].shape, &ok); /* checked in build_header */
        if (data__host_is_little()) {
            if (count && fwrite(t[i].data, sizeof(float), count, f) != count)
                return -1;
            continue;
        }
        float chunk[1024];
        for (size_t k = 0; k < count;) {
            size_t m = count - k < 1024 ? count - k : 1024;
            memcpy(chunk, t[i].data + k, m * sizeof *chunk);
            data__swap_bytes(chunk, m, 4);
            if (fwrite(chunk, sizeof *chunk, m, f) != m)
                return -1;
            k += m;
        }
    }
    return 0;
}

int data__st_write(const char *path, const struct data__st_kv *meta, size_t n_meta,
                 const struct data__st_entry *t, size_t n)
{
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "no path given to write a safetensors file");
    if ((n && !t) || (n_meta && !meta))
        return al__fail(AL_EINVAL, "%s: no tensors or metadata array", path);
    struct al__sb h = {0};
    int rc = build_header(path, meta, n_meta, t, n, &h);
    if (rc) {
        al__sb_free(&h);
        return rc;
    }

    char *tmp;
    FILE *f;
    rc = al__atomic_open(path, &tmp, &f);
    if (!rc)
        rc = al__atomic_commit(path, tmp, f, write_body(f, &h, t, n) != 0);
    al__sb_free(&h);
    if (!rc)
        al__clear_error();
    return rc;
}
