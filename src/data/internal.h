/* Internal pieces of the data module shared between its files, the tests and the fuzzers
 * (the static library exports them; the shared one hides them). */
#ifndef ACTLAB_LAYER_DATA
#error "internal to the data layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_DATA_INTERNAL_H
#define ACTLAB_SRC_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "actlab/data.h"

/* IDX refuses more elements than this: 2^31, eight times the largest real IDX data set, and
 * small enough that the byte count of any element type fits in 64 bits. */
#define DATA_IDX_MAX_ELEMENTS ((size_t)1 << 31)

/* The largest .npy header read (NumPy itself refuses more than 10000 bytes by default). */
#define DATA_NPY_MAX_HEADER ((size_t)1 << 20)

/* Product of shape[0..ndim) into *count; 0 when it overflows size_t. */
int data__shape_count(int ndim, const size_t *shape, size_t *count);

/* "(2, 3)", "(5,)" or "()" (the way NumPy prints a shape) into buf; returns buf. */
char *data__format_shape(int ndim, const size_t *shape, char *buf, size_t size);

/* Little-endian host? Decided at compile time; the byte swapping below depends on it. */
static inline int data__host_is_little(void)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return 0;
#else
    return 1;
#endif
}

/* Reverses the bytes of each of the n elements of size bytes (2, 4 or 8) in place. */
void data__swap_bytes(void *p, size_t n, size_t size);

/* Reads up to want bytes through read_fn into a buffer that grows as data arrives, so a
 * header that claims a huge size costs only as much memory as the file really holds.
 * read_fn returns the bytes read (0 at the end), or on error records a message with
 * al__fail and returns minus its status. *got is what arrived; on success (AL_OK, also
 * when *got < want) the caller owns *buf. On error *buf is NULL. */
typedef long data__read_fn(void *ctx, void *dst, size_t n);
int data__read_grow(data__read_fn *read_fn, void *ctx, size_t want, unsigned char **buf,
                    size_t *got);

/* "dir/name" in a new string, or NULL when out of memory. */
char *data__join(const char *dir, const char *name);

/* Copies of names[0..n) into s->class_names and sets s->n_classes; AL_ENOMEM on failure
 * (then nothing is left allocated). names[i] points at len[i] bytes (strlen when len is
 * NULL). */
int data__set_names(data_set *s, const char *const *names, const size_t *len, size_t n);

/* Pixels to [0, 1]: y[i] = x[i] / 255, correctly rounded (255 -> exactly 1.0f). Through a
 * table of the 256 quotients: a float division per pixel is 30 times slower here. */
extern const float data__unit_u8[256];
static inline void data__u8_to_unit(const uint8_t *x, size_t n, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = data__unit_u8[x[i]];
}

/* Reads an IDX file of uint8 with ndim dimensions straight into float32 in [0, 1] (the
 * MNIST images without an intermediate copy); another type or rank is AL_EFORMAT. */
int data__idx_read_unit(const char *path, int ndim, data_array *out);

/* Parses a whole .npy file held in memory (the fuzzer's entry; data_npy_read uses the same
 * header parser). name is used in messages only. */
int data__npy_parse(const char *name, const void *buf, size_t len, data_array *out);

#endif
