/* actlab data: arrays in and out (NumPy .npy), image data sets (IDX: MNIST and
 * Fashion-MNIST, CIFAR-10 binary batches) and mini-batching.
 *
 * Errors are values: every function returns 0 (AL_OK) or an al_status code (AL_EIO for a
 * file that cannot be read or written, AL_EFORMAT for a malformed one, AL_ENOMEM, AL_EINVAL),
 * and al_last_error() names the file and the record, line or byte offset that is wrong.
 * Nothing is read out of bounds, whatever the input. Written files go to a temporary name
 * in the same directory, are flushed and renamed into place. */
#ifndef ACTLAB_DATA_H
#define ACTLAB_DATA_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "actlab/rng.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum data_dtype {
    DATA_F32,
    DATA_F64,
    DATA_U8,
    DATA_I32,
    DATA_I64
} data_dtype;

#define DATA_MAX_DIMS 8

/* An n-dimensional array in C order. Owns data (free with data_array_free). */
typedef struct data_array {
    data_dtype dtype;
    int ndim;
    size_t shape[DATA_MAX_DIMS];
    void *data;
} data_array;

/* Number of elements (product of the shape; 1 for ndim 0) and bytes of one element. */
ACTLAB_API size_t data_array_count(const data_array *a);
ACTLAB_API size_t data_dtype_size(data_dtype t);
ACTLAB_API const char *data_dtype_name(data_dtype t); /* "float32", "uint8", ... */

/* Allocates a zeroed array of the shape. */
ACTLAB_API al_status data_array_alloc(data_array *a, data_dtype t, int ndim, const size_t *shape);
/* Frees data and zeroes the struct; NULL and an empty array are no-ops. */
ACTLAB_API void data_array_free(data_array *a);
/* A copy converted to float32 (from any dtype; uint8 is NOT rescaled here). */
ACTLAB_API al_status data_array_to_f32(const data_array *in, data_array *out);

/* ---- NumPy .npy (format versions 1.0, 2.0 and 3.0) --------------------------------------
 * Reads little- or big-endian float32/float64/uint8/int8/int16/int32/int64/uint16/uint32,
 * C order ('fortran_order': False); other dtypes or Fortran order are AL_EFORMAT with the
 * reason. Integer types other than uint8/int32/int64 are widened to int64. The data must be
 * exactly the shape's size: a short file ("truncated", expected and actual bytes) and a long
 * one are AL_EFORMAT. Writes version 1.0 (2.0 when the header needs it), little-endian, C
 * order, the same bytes as numpy.save; through a new temporary DIR/.NAME.actlab-XXXXXX,
 * fsync'ed and renamed (a symlink is written through to its target; a device or FIFO such as
 * /dev/stdout is written directly). A failed write, a full disk included, is AL_EIO. */
ACTLAB_API al_status data_npy_read(const char *path, data_array *out);
ACTLAB_API al_status data_npy_write(const char *path, const data_array *a);

/* ---- IDX (MNIST, Fashion-MNIST), plain or .gz (through zlib) ---------------------------- */
/* The dtype is the file's: uint8 (0x08), int32 (0x0C), float32 (0x0D), float64 (0x0E);
 * int8 (0x09) and int16 (0x0B) are widened to int32. More than 2^31 elements, a wrong magic,
 * a short or long file or corrupt gzip data are AL_EFORMAT. */
ACTLAB_API al_status data_idx_read(const char *path, data_array *out);

/* ---- Labelled data sets ----------------------------------------------------------------- */

/* x: float32, images (N, C, H, W) scaled to [0, 1], or features (N, F);
 * y: int64 class labels (N,), or float32 targets (N,) for regression. */
typedef struct data_set {
    data_array x, y;
    size_t n_classes;    /* 0 for regression */
    char **class_names;  /* n_classes names, or NULL */
} data_set;

ACTLAB_API void data_set_free(data_set *s);

/* Fashion-MNIST / MNIST from a directory of IDX files ({train,t10k}-{images-idx3,labels-idx1}-
 * ubyte, with or without .gz). dir NULL looks in /usr/share/datasets/fashion-mnist (Debian's
 * dataset-fashion-mnist) when fashion is non-zero; MNIST has no package and no default
 * (AL_EINVAL saying where to download it). A missing directory or file is AL_EIO saying how
 * to get the data. split: "train" or "test". Images become (N, 1, 28, 28) in [0, 1] (H and W
 * as in the file); labels must be 0..9 and as many as the images. Class names: Fashion-MNIST's
 * ten ("T-shirt/top" ... "Ankle boot") when fashion, else "0".."9". */
ACTLAB_API al_status data_mnist_load(const char *dir, const char *split, int fashion, data_set *out);

/* CIFAR-10 binary version: data_batch_1..5.bin (train) or test_batch.bin (test), each record
 * 1 label byte + 3072 pixel bytes (R, G, B planes of 32x32); class names from
 * batches.meta.txt when present (ten non-blank lines), else the standard ten. Images become
 * (N, 3, 32, 32) in [0, 1]. A file that is not whole records or has a label > 9 is
 * AL_EFORMAT naming the record; a missing one is AL_EIO saying where CIFAR-10 comes from;
 * dir NULL is AL_EINVAL. */
ACTLAB_API al_status data_cifar10_load(const char *dir, const char *split, data_set *out);

/* ---- Class labels ----------------------------------------------------------------------- */

/* The most classes labels may name. A label becomes a size (the table of counts per class,
 * a one-hot row, the width a model's output needs), so one read from a file is believed only
 * up to this bound: far above the largest common label sets (ImageNet-21k has 21841), small
 * enough that a table of counts is half a megabyte, not 2^62 entries. */
#define DATA_MAX_CLASSES 65536

/* Integer labels y (uint8, int32 or int64, shape (N,) or (N, 1)) as int64 class indices (N,)
 * in out, and the number of classes, the largest label + 1. A label below 0 or at least
 * DATA_MAX_CLASSES is AL_EFORMAT naming `name` (the file; NULL for "labels"), the sample
 * (from 0) and the value; so is a float array (class labels are whole numbers) or another
 * shape. On error out is left empty. */
ACTLAB_API al_status data_class_labels(const char *name, const data_array *y, data_array *out,
                                 size_t *n_classes);

/* ---- Mini-batches ----------------------------------------------------------------------- */

/* The order of n samples for one epoch: 0..n-1, shuffled (Fisher-Yates) when rng is non-NULL.
 * Batches are consecutive slices of it: batch b holds order[b*size .. min(n, (b+1)*size)),
 * so the last partial batch is kept (Keras). */
ACTLAB_API al_status data_epoch_order(size_t n, al_rng *rng, size_t *order);
ACTLAB_API size_t data_batch_count(size_t n, size_t batch_size);

/* np.array_split(range(n), k): batch i of k starts at data_split_start(n, k, i); the first
 * n % k batches have one more element. */
ACTLAB_API size_t data_split_start(size_t n, size_t k, size_t i);

/* Gathers rows order[0..count) of a (N, ...) array into out (count, ...), same dtype. */
ACTLAB_API al_status data_gather(const data_array *a, const size_t *rows, size_t count, data_array *out);

#ifdef __cplusplus
}
#endif
#endif
