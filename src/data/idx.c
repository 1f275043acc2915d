/* IDX files (the MNIST format, yann.lecun.com/exdb/mnist): bytes 0 and 1 are zero, byte 2
 * the element type, byte 3 the number of dimensions; then each dimension as a big-endian
 * uint32, then the elements, big-endian, in C order.
 *
 * Everything goes through zlib's gzread, which inflates a .gz file and passes any other
 * file through unchanged, so one reader serves train-images-idx3-ubyte and its .gz alike.
 * The data buffer grows as bytes arrive (data__read_grow): dimensions that promise more than
 * the file holds are an error after reading what is there, not a huge allocation first. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/error.h"
#include "../core/mem.h"
#include "internal.h"

typedef struct idx_type {
    unsigned char code;
    size_t size;      /* bytes per element in the file */
    data_dtype to;    /* in memory */
    const char *name; /* as the file has it */
} idx_type;

static const idx_type idx_types[] = {
    {0x08, 1, DATA_U8, "uint8"},    {0x09, 1, DATA_I32, "int8"},
    {0x0B, 2, DATA_I32, "int16"},   {0x0C, 4, DATA_I32, "int32"},
    {0x0D, 4, DATA_F32, "float32"}, {0x0E, 8, DATA_F64, "float64"},
};

typedef struct gz_src {
    gzFile gz;
    const char *path;
} gz_src;

/* zlib's error for gz: errno for an I/O error, its message for bad compressed data. */
static int gz_fail(const gz_src *src)
{
    int zerr = Z_OK;
    const char *msg = gzerror(src->gz, &zerr);
    if (zerr == Z_ERRNO)
        return al__fail(AL_EIO, "cannot read %s: %s", src->path, strerror(errno));
    return al__fail(AL_EFORMAT, "%s: corrupt gzip data (%s)", src->path,
                    msg && msg[0] ? msg : "zlib error");
}

static long read_gz(void *ctx, void *dst, size_t n)
{
    gz_src *src = ctx;
    int got = gzread(src->gz, dst, n > INT_MAX ? INT_MAX : (unsigned)n);
    return got < 0 ? -gz_fail(src) : got;
}

/* Reads exactly n header bytes, or fails saying which part of the header is cut short. */
static int read_header(gz_src *src, void *dst, size_t n, const char *what)
{
    long got = read_gz(src, dst, n);
    if (got < 0)
        return (int)-got;
    if ((size_t)got < n)
        return al__fail(AL_EFORMAT, "%s: truncated IDX file: the %s is cut short", src->path,
                        what);
    return AL_OK;
}

typedef struct idx_header {
    const idx_type *type;
    int ndim;
    size_t shape[DATA_MAX_DIMS];
    size_t count, bytes, offset; /* elements, their bytes, where they start */
} idx_header;

static int read_head(gz_src *src, idx_header *h)
{
    const char *path = src->path;
    unsigned char magic[4], dimb[4];
    int rc = read_header(src, magic, 4, "4-byte magic number");
    if (rc)
        return rc;
    if (magic[0] || magic[1])
        return al__fail(AL_EFORMAT,
                        "%s: not an IDX file: it starts with %02x %02x, not 00 00 (a "
                        "compressed file other than gzip?)",
                        path, magic[0], magic[1]);
    h->type = NULL;
    for (size_t i = 0; i < sizeof idx_types / sizeof idx_types[0]; i++)
        if (idx_types[i].code == magic[2])
            h->type = &idx_types[i];
    if (!h->type)
        return al__fail(AL_EFORMAT,
                        "%s: unknown IDX element type 0x%02x (0x08 uint8, 0x09 int8, 0x0B "
                        "int16, 0x0C int32, 0x0D float32, 0x0E float64)",
                        path, magic[2]);
    h->ndim = magic[3];
    if (h->ndim < 1 || h->ndim > DATA_MAX_DIMS)
        return al__fail(AL_EFORMAT, "%s: IDX file with %d dimensions; 1 to %d are supported",
                        path, h->ndim, DATA_MAX_DIMS);
    int too_big = 0;
    h->count = 1;
    for (int d = 0; d < h->ndim; d++) {
        if ((rc = read_header(src, dimb, 4, "list of dimensions")))
            return rc;
        h->shape[d] =
            (size_t)dimb[0] << 24 | (size_t)dimb[1] << 16 | (size_t)dimb[2] << 8 | dimb[3];
        if (h->shape[d] && h->count > DATA_IDX_MAX_ELEMENTS / h->shape[d])
            too_big = 1; /* checked before every product, so the count never wraps */
        else
            h->count *= h->shape[d];
    }
    char s[256];
    if (too_big || h->count > DATA_IDX_MAX_ELEMENTS || h->count > SIZE_MAX / h->type->size)
        return al__fail(AL_EFORMAT, "%s: absurd IDX dimensions %s: more than 2^31 elements",
                        path, data__format_shape(h->ndim, h->shape, s, sizeof s));
    h->bytes = h->count * h->type->size;
    h->offset = 4 + 4 * (size_t)h->ndim;
    return AL_OK;
}

/* After got bytes of data: the file must end exactly there, with a whole gzip stream. */
static int check_end(gz_src *src, const idx_header *h, size_t got)
{
    unsigned char extra;
    int more = got == h->bytes ? gzread(src->gz, &extra, 1) : 0, zerr = Z_OK;
    gzerror(src->gz, &zerr);
    if (more < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR))
        return gz_fail(src);
    if (got < h->bytes || more > 0) {
        char s[256];
        return al__fail(AL_EFORMAT,
                        "%s: %s: IDX dimensions %s of %s need %zu bytes of data after the "
                        "%zu-byte header, the file has %s%zu",
                        src->path, got < h->bytes ? "truncated" : "too long",
                        data__format_shape(h->ndim, h->shape, s, sizeof s), h->type->name,
                        h->bytes, h->offset, more > 0 ? "more than " : "", got);
    }
    if (zerr == Z_BUF_ERROR) /* all the data, but the gzip stream stops before its end */
        return al__fail(AL_EFORMAT,
                        "%s: truncated gzip stream (the data is complete, the gzip trailer "
                        "is not)",
                        src->path);
    return AL_OK;
}

static int read_idx(gz_src *src, data_array *out)
{
    idx_header h;
    unsigned char *raw;
    size_t got;
    int rc = read_head(src, &h);
    if (rc || (rc = data__read_grow(read_gz, src, h.bytes, &raw, &got)))
        return rc;
    if ((rc = check_end(src, &h, got))) {
        free(raw);
        return rc;
    }
    const idx_type *t = h.type;
    if (data_dtype_size(t->to) == t->size) { /* uint8, int32, float32, float64: in place */
        if (t->size > 1 && data__host_is_little())
            data__swap_bytes(raw, h.count, t->size);
        out->dtype = t->to;
        out->ndim = h.ndim;
        memcpy(out->shape, h.shape, sizeof h.shape);
        out->data = raw;
        return AL_OK;
    }
    if ((rc = data_array_alloc(out, t->to, h.ndim, h.shape))) {
        free(raw);
        return rc;
    }
    int32_t *y = out->data; /* int8 and int16 widened to int32 */
    for (size_t i = 0; i < h.count; i++)
        y[i] = t->size == 1 ? (int8_t)raw[i] : (int16_t)(uint16_t)(raw[2 * i] << 8 | raw[2 * i + 1]);
    free(raw);
    return AL_OK;
}

/* uint8 data straight to floats in [0, 1], a chunk at a time: no byte copy of the whole
 * set, and the float buffer grows with the data that arrives, as in data__read_grow. */
static int read_unit(gz_src *src, int ndim, data_array *out)
{
    idx_header h;
    int rc = read_head(src, &h);
    if (rc)
        return rc;
    if (h.type->code != 0x08 || h.ndim != ndim) {
        char s[256];
        return al__fail(AL_EFORMAT, "%s: expected uint8 data with %d dimensions, found %s %s",
                        src->path, ndim, h.type->name,
                        data__format_shape(h.ndim, h.shape, s, sizeof s));
    }
    size_t chunk = (size_t)1 << 16, first = (size_t)1 << 14;
    size_t cap = h.count < first ? h.count : first, n = 0;
    chunk = h.count < chunk ? h.count : chunk;
    unsigned char *buf = malloc(chunk ? chunk : 1);
    float *y = malloc((cap ? cap : 1) * sizeof *y);
    if (!buf || !y)
        rc = al__fail(AL_ENOMEM, "%s: out of memory", src->path);
    while (!rc && n < h.count) {
        long got = read_gz(src, buf, h.count - n < chunk ? h.count - n : chunk);
        if (got <= 0) {
            rc = got < 0 ? (int)-got : AL_OK;
            break;
        }
        if (n + (size_t)got > cap) { /* got <= count - n, so this ends at count at most */
            size_t grown = cap;
            while (grown < n + (size_t)got)
                grown = grown > h.count / 2 ? h.count : grown * 2;
            float *ny = realloc(y, grown * sizeof *y);
            if (!ny) {
                rc = al__fail(AL_ENOMEM, "%s: out of memory", src->path);
                break;
            }
            y = ny;
            cap = grown;
            al__hint_huge(y, cap * sizeof *y);
        }
        data__u8_to_unit(buf, (size_t)got, y + n);
        n += (size_t)got;
    }
    free(buf);
    if (!rc)
        rc = check_end(src, &h, n);
    if (rc) {
        free(y);
        return rc;
    }
    out->dtype = DATA_F32;
    out->ndim = h.ndim;
    memcpy(out->shape, h.shape, sizeof h.shape);
    out->data = y;
    return AL_OK;
}

typedef int idx_reader(gz_src *src, int ndim, data_array *out);

static int read_any(gz_src *src, int ndim, data_array *out)
{
    (void)ndim;
    return read_idx(src, out);
}

static int open_and_read(const char *path, idx_reader *reader, int ndim, data_array *out)
{
    errno = 0;
    gz_src src = {gzopen(path, "rb"), path};
    if (!src.gz)
        return al__fail(AL_EIO, "cannot open %s: %s", path,
                        errno ? strerror(errno) : "out of memory");
    gzbuffer(src.gz, 1 << 15); /* 32 KiB in, 64 KiB out: bigger is no faster */
    int rc = reader(&src, ndim, out);
    gzclose(src.gz);
    if (rc)
        data_array_free(out);
    else
        al__clear_error();
    return rc;
}

int data__idx_read_unit(const char *path, int ndim, data_array *out)
{
    memset(out, 0, sizeof *out);
    return open_and_read(path, read_unit, ndim, out);
}

al_status data_idx_read(const char *path, data_array *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_idx_read: out is NULL");
    memset(out, 0, sizeof *out);
    if (!path)
        return al__fail(AL_EINVAL, "data_idx_read: path is NULL");
    return open_and_read(path, read_any, 0, out);
}
