/* MNIST and Fashion-MNIST: two IDX files per split (images uint8 (N, H, W), labels uint8
 * (N,)), plain or gzipped. Debian's dataset-fashion-mnist installs the four .gz files in
 * /usr/share/datasets/fashion-mnist; MNIST itself has no Debian package. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/error.h"
#include "internal.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static const char *const fashion_names[10] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot",
};
static const char *const digit_names[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

static const char *how_to_get(int fashion)
{
    return fashion ? "install Fashion-MNIST with `apt-get install dataset-fashion-mnist` (it "
                     "puts the files in " FASHION_DIR ")"
                   : "download MNIST's train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
                     "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from "
                     "http://yann.lecun.com/exdb/mnist/ (or a mirror such as "
                     "https://ossci-datasets.s3.amazonaws.com/mnist/) into one directory";
}

/* dir/base, or dir/base.gz when only that exists; NULL with the error recorded otherwise. */
static char *find(const char *dir, const char *base, int fashion, int *rc)
{
    char gz[64];
    snprintf(gz, sizeof gz, "%s.gz", base);
    const char *names[2] = {base, gz};
    struct stat st;
    for (int i = 0; i < 2; i++) {
        char *p = data__join(dir, names[i]);
        if (!p) {
            *rc = al__fail(AL_ENOMEM, "out of memory");
            return NULL;
        }
        if (stat(p, &st) == 0)
            return p;
        free(p);
    }
    *rc = al__fail(AL_EIO, "%s/%s(.gz) not found; %s", dir, base, how_to_get(fashion));
    return NULL;
}

static int load(const char *dir, const char *prefix, int fashion, data_set *out)
{
    char base[64];
    int rc = AL_OK;
    data_array img = {0}, lab = {0};
    snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
    char *ipath = find(dir, base, fashion, &rc);
    snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
    char *lpath = ipath ? find(dir, base, fashion, &rc) : NULL;
    if (!lpath)
        goto done;
    if ((rc = data__idx_read_unit(ipath, 3, &img)) || (rc = data_idx_read(lpath, &lab)))
        goto done;
    char s[256];
    if (lab.dtype != DATA_U8 || lab.ndim != 1) {
        rc = al__fail(AL_EFORMAT, "%s: expected uint8 labels (N,), found %s %s", lpath,
                      data_dtype_name(lab.dtype),
                      data__format_shape(lab.ndim, lab.shape, s, sizeof s));
        goto done;
    }
    size_t n = img.shape[0];
    if (lab.shape[0] != n) {
        rc = al__fail(AL_EFORMAT, "%s has %zu images but %s has %zu labels", ipath, n, lpath,
                      lab.shape[0]);
        goto done;
    }
    const uint8_t *l = lab.data;
    for (size_t i = 0; i < n; i++)
        if (l[i] >= 10) {
            rc = al__fail(AL_EFORMAT, "%s: label %u at item %zu (byte %zu); labels must be 0..9",
                          lpath, l[i], i, 8 + i);
            goto done;
        }

    size_t ys[1] = {n};
    if ((rc = data_array_alloc(&out->y, DATA_I64, 1, ys)) ||
        (rc = data__set_names(out, fashion ? fashion_names : digit_names, NULL, 10)))
        goto done;
    out->x = img; /* (N, H, W) -> (N, 1, H, W): one channel */
    out->x.ndim = 4;
    out->x.shape[3] = img.shape[2];
    out->x.shape[2] = img.shape[1];
    out->x.shape[1] = 1;
    memset(&img, 0, sizeof img);
    int64_t *y = out->y.data;
    for (size_t i = 0; i < n; i++)
        y[i] = l[i];
done:
    free(ipath);
    free(lpath);
    data_array_free(&img);
    data_array_free(&lab);
    return rc;
}

al_status data_mnist_load(const char *dir, const char *split, int fashion, data_set *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_mnist_load: out is NULL");
    memset(out, 0, sizeof *out);
    const char *prefix = split && strcmp(split, "train") == 0  ? "train"
                         : split && strcmp(split, "test") == 0 ? "t10k"
                                                               : NULL;
    if (!prefix)
        return al__fail(AL_EINVAL, "data_mnist_load: split '%s'; use \"train\" or \"test\"",
                        split ? split : "(null)");
    if (!dir) {
        if (!fashion)
            return al__fail(AL_EINVAL, "data_mnist_load: MNIST has no default directory; %s, "
                                       "and pass that directory",
                            how_to_get(0));
        dir = FASHION_DIR;
    }
    struct stat st;
    int e = stat(dir, &st) != 0 ? errno : 0;
    if (e || !S_ISDIR(st.st_mode))
        return al__fail(AL_EIO, "%s: %s; %s", dir,
                        e == ENOENT ? "no such directory" : e ? strerror(e) : "not a directory",
                        how_to_get(fashion));
    int rc = load(dir, prefix, fashion, out);
    if (rc)
        data_set_free(out);
    else
        al__clear_error();
    return rc;
}
