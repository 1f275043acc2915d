/* NumPy .npy files (format versions 1.0, 2.0, 3.0; numpy/lib/format.py is the spec).
 *
 * Layout: "\x93NUMPY", major, minor, header length (uint16 LE for 1.0, uint32 LE after),
 * then the header -- a Python dict literal such as
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ended by '\n' -- then the raw elements.
 *
 * The header is parsed by a small recursive-descent reader for exactly the literals NumPy
 * writes (strings, True/False, tuples of integers), keys in any order, never by evaluating
 * it. Every read is bounded by the length of what was read, and the data must be exactly
 * the shape's size: a short or a long file is an error. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/error.h"
#include "../core/atomic.h"
#include "internal.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* An element type as stored in the file, and what it becomes in memory. */
typedef struct npy_type {
    char kind;     /* 'f', 'i' or 'u' */
    size_t size;   /* bytes in the file */
    int little;    /* stored little-endian (always true for 1-byte types) */
    int swap;      /* stored in the other byte order than the host's */
    data_dtype to; /* in-memory dtype; wider than the file's for the widened integers */
} npy_type;

typedef struct npy_header {
    npy_type type;
    int fortran;
    int ndim;
    size_t shape[DATA_MAX_DIMS];
} npy_header;

/* ---- header dict ---------------------------------------------------------------------- */

typedef struct cursor {
    const char *s;
    size_t n, p;
    const char *file;
} cursor;

static int bad(const cursor *c, const char *what)
{
    return al__fail(AL_EFORMAT, "%s: bad .npy header at byte %zu of the dict: %s", c->file, c->p,
                    what);
}

static void skip_ws(cursor *c)
{
    while (c->p < c->n && (c->s[c->p] == ' ' || c->s[c->p] == '\t' || c->s[c->p] == '\n' ||
                           c->s[c->p] == '\r'))
        c->p++;
}

static int peek(const cursor *c)
{
    return c->p < c->n ? (unsigned char)c->s[c->p] : -1;
}

/* A quoted string without escapes: *str points into the header, *len is its length. */
static int parse_string(cursor *c, const char **str, size_t *len)
{
    int q = peek(c);
    if (q != '\'' && q != '"')
        return bad(c, "expected a quoted string");
    size_t start = ++c->p;
    while (c->p < c->n && c->s[c->p] != q) {
        if (c->s[c->p] == '\\')
            return bad(c, "escape sequences in strings are not supported");
        c->p++;
    }
    if (c->p >= c->n)
        return bad(c, "unterminated string");
    *str = c->s + start;
    *len = c->p - start;
    c->p++;
    return AL_OK;
}

static int parse_bool(cursor *c, int *v)
{
    static const char *const words[2] = {"False", "True"};
    for (int b = 0; b < 2; b++) {
        size_t k = strlen(words[b]);
        if (c->n - c->p >= k && memcmp(c->s + c->p, words[b], k) == 0) {
            c->p += k;
            *v = b;
            return AL_OK;
        }
    }
    return bad(c, "'fortran_order' must be True or False");
}

/* A non-negative decimal integer; Python 2's "3L" suffix is accepted. */
static int parse_dim(cursor *c, size_t *v)
{
    if (peek(c) == '-')
        return bad(c, "negative dimension");
    if (peek(c) < '0' || peek(c) > '9')
        return bad(c, "expected a dimension (a non-negative integer)");
    size_t x = 0;
    while (peek(c) >= '0' && peek(c) <= '9') {
        size_t d = (size_t)(c->s[c->p] - '0');
        if (x > (SIZE_MAX - d) / 10)
            return bad(c, "dimension too large");
        x = x * 10 + d;
        c->p++;
    }
    if (peek(c) == 'L' || peek(c) == 'l')
        c->p++;
    *v = x;
    return AL_OK;
}

/* (), (n,), (n), (a, b), (a, b,) */
static int parse_shape(cursor *c, npy_header *h)
{
    if (peek(c) != '(')
        return bad(c, "'shape' must be a tuple such as (2, 3)");
    c->p++;
    h->ndim = 0;
    for (;;) {
        skip_ws(c);
        if (peek(c) == ')')
            break;
        if (h->ndim == DATA_MAX_DIMS)
            return al__fail(AL_EFORMAT, "%s: the shape has more than %d dimensions", c->file,
                            DATA_MAX_DIMS);
        int rc = parse_dim(c, &h->shape[h->ndim]);
        if (rc)
            return rc;
        h->ndim++;
        skip_ws(c);
        if (peek(c) == ',')
            c->p++;
        else if (peek(c) != ')')
            return bad(c, "expected ',' or ')' in 'shape'");
    }
    c->p++;
    return AL_OK;
}

static const char supported[] = "float32, float64, int8, int16, int32, int64, uint8, uint16, "
                                "uint32";

/* '<f4', '>i8', '|u1', 'f8' (no order: native). */
static int parse_descr(const cursor *c, const char *s, size_t len, npy_type *t)
{
    char text[32];
    snprintf(text, sizeof text, "%.*s", (int)(len < 24 ? len : 24), s);
    size_t i = 0;
    int little = data__host_is_little();
    if (i < len && (s[i] == '<' || s[i] == '>' || s[i] == '|' || s[i] == '=')) {
        if (s[i] == '<')
            little = 1;
        else if (s[i] == '>')
            little = 0;
        i++;
    }
    char kind = i < len ? s[i++] : '\0';
    size_t size = 0;
    int digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 3) {
        size = size * 10 + (size_t)(s[i++] - '0');
        digits++;
    }
    static const struct {
        char kind;
        size_t size;
        data_dtype to;
    } known[] = {
        {'f', 4, DATA_F32}, {'f', 8, DATA_F64}, {'u', 1, DATA_U8},  {'i', 1, DATA_I64},
        {'i', 2, DATA_I64}, {'i', 4, DATA_I32}, {'i', 8, DATA_I64}, {'u', 2, DATA_I64},
        {'u', 4, DATA_I64},
    };
    if (i == len && digits)
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            if (known[k].kind == kind && known[k].size == size) {
                t->kind = kind;
                t->size = size;
                t->to = known[k].to;
                t->little = size == 1 || little;
                t->swap = t->little != data__host_is_little();
                return AL_OK;
            }
    return al__fail(AL_EFORMAT, "%s: unsupported dtype '%s%s'; actlab reads %s", c->file, text,
                    len > 24 ? "..." : "", supported);
}

static int parse_dict(const char *file, const char *s, size_t n, npy_header *h)
{
    cursor c = {s, n, 0, file};
    int have[3] = {0, 0, 0}, rc;
    skip_ws(&c);
    if (peek(&c) != '{')
        return bad(&c, "expected '{'");
    c.p++;
    for (;;) {
        skip_ws(&c);
        if (peek(&c) == '}')
            break;
        const char *key, *str;
        size_t klen, slen;
        if ((rc = parse_string(&c, &key, &klen)))
            return rc;
        int which = klen == 5 && memcmp(key, "descr", 5) == 0            ? 0
                    : klen == 13 && memcmp(key, "fortran_order", 13) == 0 ? 1
                    : klen == 5 && memcmp(key, "shape", 5) == 0          ? 2
                                                                          : -1;
        if (which < 0)
            return al__fail(AL_EFORMAT,
                            "%s: bad .npy header: unexpected key '%.*s' (expected 'descr', "
                            "'fortran_order', 'shape')",
                            file, (int)(klen < 32 ? klen : 32), key);
        if (have[which])
            return al__fail(AL_EFORMAT, "%s: bad .npy header: key '%.*s' appears twice", file,
                            (int)klen, key);
        have[which] = 1;
        skip_ws(&c);
        if (peek(&c) != ':')
            return bad(&c, "expected ':' after a key");
        c.p++;
        skip_ws(&c);
        if (which == 0) {
            if (peek(&c) == '[')
                return al__fail(AL_EFORMAT,
                                "%s: unsupported dtype: structured arrays (a list 'descr') "
                                "are not supported; actlab reads %s",
                                file, supported);
            if ((rc = parse_string(&c, &str, &slen)) || (rc = parse_descr(&c, str, slen, &h->type)))
                return rc;
        } else if (which == 1) {
            if ((rc = parse_bool(&c, &h->fortran)))
                return rc;
        } else if ((rc = parse_shape(&c, h))) {
            return rc;
        }
        skip_ws(&c);
        if (peek(&c) == ',')
            c.p++;
        else if (peek(&c) != '}')
            return bad(&c, "expected ',' or '}' after a value");
    }
    c.p++;
    skip_ws(&c);
    if (c.p != c.n)
        return bad(&c, "unexpected text after the dict");
    static const char *const names[3] = {"descr", "fortran_order", "shape"};
    for (int k = 0; k < 3; k++)
        if (!have[k])
            return al__fail(AL_EFORMAT, "%s: bad .npy header: no '%s' key", file, names[k]);
    if (h->fortran)
        return al__fail(AL_EFORMAT,
                        "%s: Fortran-order arrays are not supported; save a C-order array "
                        "(np.save(path, np.ascontiguousarray(a)))",
                        file);
    return AL_OK;
}

/* ---- prefix and data ------------------------------------------------------------------- */

/* Checks the magic and version in b[0..have) and finds where the header dict lies. */
static int parse_prefix(const char *file, const unsigned char *b, size_t have, size_t *prefix,
                        size_t *hlen)
{
    if (have < 8 || memcmp(b, npy_magic, sizeof npy_magic) != 0)
        return al__fail(AL_EFORMAT, "%s: not a .npy file (it does not start with \\x93NUMPY)",
                        file);
    if ((b[6] != 1 && b[6] != 2 && b[6] != 3) || b[7] != 0)
        return al__fail(AL_EFORMAT, "%s: unsupported .npy format version %u.%u (1.0, 2.0, 3.0 are)",
                        file, b[6], b[7]);
    *prefix = b[6] == 1 ? 10 : 12;
    if (have < *prefix)
        return al__fail(AL_EFORMAT, "%s: truncated .npy header (%zu bytes)", file, have);
    *hlen = b[6] == 1 ? (size_t)b[8] | (size_t)b[9] << 8
                      : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 |
                            (size_t)b[11] << 24;
    if (*hlen > DATA_NPY_MAX_HEADER)
        return al__fail(AL_EFORMAT, "%s: .npy header of %zu bytes; at most %zu are read", file,
                        *hlen, DATA_NPY_MAX_HEADER);
    return AL_OK;
}

/* Element count and data bytes of the header's shape, refusing sizes that overflow. */
static int data_size(const char *file, const npy_header *h, size_t *count, size_t *bytes)
{
    if (!data__shape_count(h->ndim, h->shape, count) || *count > SIZE_MAX / h->type.size ||
        *count > SIZE_MAX / data_dtype_size(h->type.to)) {
        char s[256];
        return al__fail(AL_EFORMAT, "%s: shape %s is too large (its size overflows size_t)", file,
                        data__format_shape(h->ndim, h->shape, s, sizeof s));
    }
    *bytes = *count * h->type.size;
    return AL_OK;
}

static int truncated(const char *file, const npy_header *h, size_t offset, size_t want,
                     size_t got)
{
    char s[256];
    return al__fail(AL_EFORMAT,
                    "%s: truncated: shape %s of %c%zu needs %zu bytes of data after the "
                    "%zu-byte header, the file has %zu",
                    file, data__format_shape(h->ndim, h->shape, s, sizeof s), h->type.kind,
                    h->type.size, want, offset, got);
}

static int too_long(const char *file, const npy_header *h, size_t offset, size_t want)
{
    char s[256];
    return al__fail(AL_EFORMAT,
                    "%s: more data than shape %s of %c%zu needs (%zu bytes after the %zu-byte "
                    "header)",
                    file, data__format_shape(h->ndim, h->shape, s, sizeof s), h->type.kind,
                    h->type.size, want, offset);
}

/* Converts count elements of the file's type at src into dst (the in-memory dtype). src may
 * equal dst when the sizes are the same. */
static void decode(const npy_type *t, const unsigned char *src, size_t count, void *dst)
{
    size_t out = data_dtype_size(t->to);
    if (out == t->size) {
        if (src != dst)
            memcpy(dst, src, count * out);
        if (t->swap)
            data__swap_bytes(dst, count, out);
        return;
    }
    int64_t *y = dst; /* the widened integers */
    for (size_t i = 0; i < count; i++, src += t->size) {
        uint64_t v = 0;
        for (size_t k = 0; k < t->size; k++) /* most significant byte first */
            v = v << 8 | src[t->little ? t->size - 1 - k : k];
        if (t->kind == 'i' && (v >> (8 * t->size - 1)) & 1)
            v |= ~(uint64_t)0 << (8 * t->size); /* sign-extend */
        y[i] = (int64_t)v;
    }
}

static int alloc_out(const npy_header *h, data_array *out)
{
    return data_array_alloc(out, h->type.to, h->ndim, h->shape);
}

int data__npy_parse(const char *name, const void *buf, size_t len, data_array *out)
{
    const unsigned char *b = buf;
    size_t prefix = 0, hlen = 0, count = 0, bytes = 0;
    npy_header h = {0};
    int rc;
    if (!out)
        return al__fail(AL_EINVAL, "data__npy_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!b && len)
        return al__fail(AL_EINVAL, "data__npy_parse: buffer is NULL");
    if ((rc = parse_prefix(name, b, len, &prefix, &hlen)))
        return rc;
    if (len - prefix < hlen)
        return al__fail(AL_EFORMAT, "%s: truncated .npy header: %zu bytes, the file has %zu",
                        name, hlen, len - prefix);
    if ((rc = parse_dict(name, (const char *)b + prefix, hlen, &h)) ||
        (rc = data_size(name, &h, &count, &bytes)))
        return rc;
    size_t offset = prefix + hlen, got = len - offset;
    if (got < bytes)
        return truncated(name, &h, offset, bytes, got);
    if (got > bytes)
        return too_long(name, &h, offset, bytes);
    if ((rc = alloc_out(&h, out)))
        return rc;
    decode(&h.type, b + offset, count, out->data);
    al__clear_error();
    return AL_OK;
}

typedef struct file_src {
    FILE *f;
    const char *path;
} file_src;

static long read_file(void *ctx, void *dst, size_t n)
{
    file_src *src = ctx;
    size_t got = fread(dst, 1, n, src->f);
    if (got < n && ferror(src->f))
        return -al__fail(AL_EIO, "cannot read %s: %s", src->path, strerror(errno));
    return (long)got;
}

static int read_npy(FILE *f, const char *path, data_array *out)
{
    file_src src = {f, path};
    unsigned char pre[12], *dict = NULL, *raw = NULL;
    size_t have = fread(pre, 1, 8, f), prefix = 0, hlen = 0, got = 0, count = 0, bytes = 0;
    if (have == 8 && pre[6] >= 1 && pre[6] <= 3) /* the length field: 2 or 4 bytes */
        have += fread(pre + 8, 1, pre[6] == 1 ? 2 : 4, f);
    if (ferror(f))
        return al__fail(AL_EIO, "cannot read %s: %s", path, strerror(errno));
    int rc = parse_prefix(path, pre, have, &prefix, &hlen);
    if (rc || (rc = data__read_grow(read_file, &src, hlen, &dict, &got)))
        return rc;
    if (got < hlen) {
        free(dict);
        return al__fail(AL_EFORMAT, "%s: truncated .npy header: %zu bytes, the file has %zu",
                        path, hlen, got);
    }
    npy_header h = {0};
    rc = parse_dict(path, (const char *)dict, hlen, &h);
    free(dict);
    if (rc || (rc = data_size(path, &h, &count, &bytes)) ||
        (rc = data__read_grow(read_file, &src, bytes, &raw, &got)))
        return rc;
    if (got < bytes) {
        free(raw);
        return truncated(path, &h, prefix + hlen, bytes, got);
    }
    unsigned char extra[1];
    if (fread(extra, 1, 1, f) == 1) {
        free(raw);
        return too_long(path, &h, prefix + hlen, bytes);
    }
    if (data_dtype_size(h.type.to) == h.type.size) { /* the buffer becomes the array */
        decode(&h.type, raw, count, raw);
        out->dtype = h.type.to;
        out->ndim = h.ndim;
        memcpy(out->shape, h.shape, sizeof h.shape);
        out->data = raw;
        return AL_OK;
    }
    if ((rc = alloc_out(&h, out))) {
        free(raw);
        return rc;
    }
    decode(&h.type, raw, count, out->data);
    free(raw);
    return AL_OK;
}

al_status data_npy_read(const char *path, data_array *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_npy_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return al__fail(AL_EINVAL, "data_npy_read: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return al__fail(AL_EIO, "cannot open %s: %s", path, strerror(errno));
    int rc = read_npy(f, path, out);
    fclose(f);
    if (!rc)
        al__clear_error();
    return rc;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* The header NumPy 1.24 writes for the array, byte for byte: the dict with sorted keys and
 * repr() values, spare spaces for the first dimension to grow to 21 digits, then spaces and
 * '\n' up to a multiple of 64 bytes (always at least one space: NumPy pads a full 64 when
 * already aligned). Returns the bytes in hdr, or 0 if hdr is too small. */
static size_t make_header(const data_array *a, unsigned char *hdr, size_t size)
{
    static const char *const descr[] = {
        [DATA_F32] = "<f4", [DATA_F64] = "<f8", [DATA_U8] = "|u1",
        [DATA_I32] = "<i4", [DATA_I64] = "<i8",
    };
    char dict[400], shape[256];
    int len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                       descr[a->dtype], data__format_shape(a->ndim, a->shape, shape, sizeof shape));
    if (a->ndim > 0) {
        char first[32];
        int digits = snprintf(first, sizeof first, "%zu", a->shape[0]);
        for (int i = digits; i < 21; i++)
            dict[len++] = ' ';
    }
    size_t hlen = (size_t)len + 1; /* with the final '\n' */
    int version = 1;
    size_t prefix = 10, pad = 64 - (prefix + hlen) % 64;
    if (hlen + pad > 65535) { /* never with 8 dimensions, but this is the rule */
        version = 2;
        prefix = 12;
        pad = 64 - (prefix + hlen) % 64;
    }
    size_t total = prefix + hlen + pad, field = hlen + pad;
    if (total > size)
        return 0;
    memcpy(hdr, npy_magic, sizeof npy_magic);
    hdr[6] = (unsigned char)version;
    hdr[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++)
        hdr[8 + i] = (unsigned char)(field >> (8 * i));
    memcpy(hdr + prefix, dict, (size_t)len);
    memset(hdr + prefix + len, ' ', pad);
    hdr[total - 1] = '\n';
    return total;
}

/* Writes the header and the data, little-endian, to f. */
static int write_body(FILE *f, const data_array *a, size_t count)
{
    unsigned char hdr[512];
    size_t n = make_header(a, hdr, sizeof hdr), el = data_dtype_size(a->dtype);
    if (!n || fwrite(hdr, 1, n, f) != n)
        return -1;
    if (data__host_is_little() || el == 1)
        return count && fwrite(a->data, el, count, f) != count ? -1 : 0;
    unsigned char chunk[4096]; /* big-endian host: swap a copy, a chunk at a time */
    for (size_t i = 0; i < count;) {
        size_t k = count - i < sizeof chunk / el ? count - i : sizeof chunk / el;
        memcpy(chunk, (const unsigned char *)a->data + i * el, k * el);
        data__swap_bytes(chunk, k, el);
        if (fwrite(chunk, el, k, f) != k)
            return -1;
        i += k;
    }
    return 0;
}

al_status data_npy_write(const char *path, const data_array *a)
{
    AL_API_ENTRY;
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "data_npy_write: no path");
    if (!a || (unsigned)a->dtype > DATA_I64 || a->ndim < 0 || a->ndim > DATA_MAX_DIMS)
        return al__fail(AL_EINVAL, "data_npy_write: %s: not a valid array", path);
    size_t count = 0;
    if (!data__shape_count(a->ndim, a->shape, &count) ||
        count > SIZE_MAX / data_dtype_size(a->dtype))
        return al__fail(AL_EINVAL, "data_npy_write: %s: the array's size overflows", path);
    if (count && !a->data)
        return al__fail(AL_EINVAL, "data_npy_write: %s: array data is NULL", path);

    char *tmp;
    FILE *f;
    int rc = al__atomic_open(path, &tmp, &f);
    if (!rc)
        rc = al__atomic_commit(path, tmp, f, write_body(f, a, count) != 0);
    if (!rc)
        al__clear_error();
    return rc;
}
