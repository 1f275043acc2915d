/* Internal: the safetensors format (huggingface/safetensors), read and written without any
 * model in sight; src/nn/files.c builds nn_save/nn_load on it, the fuzzer and the tests call
 * it directly (the static library exports these symbols; the shared one hides them).
 *
 * Layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data
 * section. The JSON is one object: an optional "__metadata__" object of string values, and
 * one entry per tensor
 *     "0.weight": {"dtype": "F32", "shape": [6, 3, 5, 5], "data_offsets": [0, 1800]}
 * whose offsets are relative to the start of the data section. The writer pads the JSON with
 * spaces to a multiple of 8 bytes, as the reference implementation does, so the data starts
 * 8-byte aligned.
 *
 * The reader is strict where the reference is: the JSON must be well-formed (escapes and
 * surrogate pairs checked, UTF-8 validated), every tensor's bytes must be exactly its shape
 * times its dtype's size, and the tensors must tile the data section with no gap, overlap or
 * bytes left over. It is stricter than the reference where a file would be ambiguous:
 * duplicate names, unknown keys in a tensor entry and "\u0000" in a name are errors. */
#ifndef ACTLAB_SRC_DATA_SAFETENSORS_H
#define ACTLAB_SRC_DATA_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

/* The reference's limit on the JSON header (MAX_HEADER_SIZE in safetensors/src/tensor.rs). */
#define DATA__ST_MAX_HEADER ((uint64_t)100000000)
/* Dimensions of one tensor; actlab's own tensors have at most 4. */
#define DATA__ST_MAX_DIMS 8

/* X(ID, bytes per element): every dtype of the format, spelled as in the file. Only F32
 * can be read into floats; the others are parsed and size-checked so that a file holding
 * them is reported as "has dtype F16", not as malformed. */
#define DATA__ST_DTYPE_LIST(X) \
    X(BOOL, 1)               \
    X(U8, 1)                 \
    X(I8, 1)                 \
    X(F8_E5M2, 1)            \
    X(F8_E4M3, 1)            \
    X(I16, 2)                \
    X(U16, 2)                \
    X(F16, 2)                \
    X(BF16, 2)               \
    X(I32, 4)                \
    X(U32, 4)                \
    X(F32, 4)                \
    X(F64, 8)                \
    X(I64, 8)                \
    X(U64, 8)

enum data__st_dtype {
#define X(id, size) DATA__ST_##id,
    DATA__ST_DTYPE_LIST(X)
#undef X
    DATA__ST_DTYPE_COUNT
};

const char *data__st_dtype_name(enum data__st_dtype t); /* "F32"; "?" when out of range */
size_t data__st_dtype_size(enum data__st_dtype t);      /* bytes per element; 0 when out of range */

/* A string pair: metadata entries when reading and writing. */
struct data__st_kv {
    const char *key, *value;
};

struct data__st_tensor {
    const char *name;
    enum data__st_dtype dtype;
    int ndim; /* 0 for a scalar (one element) */
    size_t shape[DATA__ST_MAX_DIMS];
    size_t begin, end; /* bytes [begin, end) of the data section */
};

/* A parsed file. Names and metadata strings live in one arena freed with the struct. */
struct data__st_file {
    const char *name;            /* for messages: the path, or what the caller passed */
    const unsigned char *data;   /* the data section (inside the caller's bytes or buf) */
    size_t data_size;
    size_t header_len;           /* N */
    size_t n_tensors;            /* in the order of the JSON header */
    struct data__st_tensor *tensors;
    size_t n_meta;
    struct data__st_kv *meta;
    char *arena;                 /* owned */
    unsigned char *buf;          /* the file's bytes when data__st_read read them; owned */
};

/* Parses size bytes as a safetensors file; name is used in messages. Does not copy bytes:
 * out->data points into them, so they must outlive *out. On error (AL_EFORMAT, AL_ENOMEM,
 * AL_EUNSUPPORTED for more than DATA__ST_MAX_DIMS dimensions) al_last_error() says what is
 * wrong and where, and *out is empty (data__st_free on it is a no-op). */
int data__st_parse(const char *name, const unsigned char *bytes, size_t size,
                 struct data__st_file *out);
/* Reads and parses path; AL_EIO when it cannot be read. */
int data__st_read(const char *path, struct data__st_file *out);
void data__st_free(struct data__st_file *f); /* NULL and an empty struct are no-ops */

/* The tensor or metadata value of that name, or NULL. */
const struct data__st_tensor *data__st_find(const struct data__st_file *f, const char *name);
const char *data__st_meta(const struct data__st_file *f, const char *key);

/* Number of elements (1 for a scalar); the parser has checked that it does not overflow. */
size_t data__st_count(const struct data__st_tensor *t);

/* Copies an F32 tensor into out (data__st_count(t) floats), in host byte order;
 * AL_EUNSUPPORTED naming the tensor and its dtype when it is not F32. */
int data__st_get_f32(const struct data__st_file *f, const struct data__st_tensor *t, float *out);

/* "[84, 7680]" (a scalar: "[]") into buf; returns buf. */
char *data__st_format_shape(int ndim, const size_t *shape, char *buf, size_t size);

/* One F32 tensor to write: shape[0..ndim), data__st_count floats at data. */
struct data__st_entry {
    const char *name;
    int ndim;
    size_t shape[DATA__ST_MAX_DIMS];
    const float *data;
};

/* Writes the tensors (data in the order given) and metadata to path through
 * src/core/atomic.h (a temporary .NAME.actlab-XXXXXX beside the target, then fflush, fsync
 * and rename), so a crash or an error never leaves a half-written
 * file under path, and the temporary is removed on failure. AL_EINVAL for duplicate names or
 * a tensor named __metadata__, AL_EIO (with strerror) when writing fails. */
int data__st_write(const char *path, const struct data__st_kv *meta, size_t n_meta,
                 const struct data__st_entry *t, size_t n);

#endif
