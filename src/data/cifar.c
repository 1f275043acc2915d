/* CIFAR-10, binary version (www.cs.toronto.edu/~kriz/cifar.html): each batch file is a run
 * of 3073-byte records, one label byte (0..9) and 3072 pixel bytes, the 1024 red values of
 * the 32x32 image row by row, then green, then blue -- already the (C, H, W) layout, so a
 * record converts with one pass. batches.meta.txt lists the class names, one per line.
 *
 * The file sizes are checked (stat) before anything is allocated, so every byte read is one
 * the file was seen to have; labels are checked as the records are read. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/error.h"
#include "internal.h"

#define RECORD 3073
#define PIXELS 3072
#define N_CLASSES 10
#define META_MAX 65536 /* the real batches.meta.txt has 61 bytes */
#define CHUNK 512      /* records per read */

static const char *const standard_names[N_CLASSES] = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
};

static const char how_to_get[] =
    "CIFAR-10's binary version comes from https://www.cs.toronto.edu/~kriz/cifar.html "
    "(cifar-10-binary.tar.gz; unpack it and pass its cifar-10-batches-bin directory)";

/* Records in path, after checking that the file is a whole number of them. */
static int count_records(const char *path, size_t *n)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return al__fail(AL_EIO, "%s not found; %s", path, how_to_get);
        return al__fail(AL_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return al__fail(AL_EIO, "%s is not a regular file", path);
    unsigned long long size = (unsigned long long)st.st_size;
    if (size == 0)
        return al__fail(AL_EFORMAT, "%s is empty; a CIFAR-10 batch holds 3073-byte records",
                        path);
    if (size % RECORD)
        return al__fail(AL_EFORMAT,
                        "%s: %llu bytes is not a whole number of 3073-byte records (1 label + "
                        "3072 pixels): record %llu, at byte %llu, has only %llu bytes",
                        path, size, size / RECORD, size / RECORD * RECORD, size % RECORD);
    if (size / RECORD > SIZE_MAX / RECORD)
        return al__fail(AL_EFORMAT, "%s: too large", path);
    *n = (size_t)(size / RECORD);
    return AL_OK;
}

/* Reads n records of path into x (n*3072 floats) and y (n labels). */
static int read_records(const char *path, size_t n, float *x, int64_t *y, unsigned char *buf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return al__fail(AL_EIO, "cannot open %s: %s", path, strerror(errno));
    int rc = AL_OK;
    for (size_t done = 0; done < n && !rc;) {
        size_t k = n - done < CHUNK ? n - done : CHUNK;
        if (fread(buf, RECORD, k, f) != k) {
            rc = ferror(f) ? al__fail(AL_EIO, "cannot read %s: %s", path, strerror(errno))
                           : al__fail(AL_EIO, "%s became shorter while it was read", path);
            break;
        }
        for (size_t r = 0; r < k; r++, done++) {
            const unsigned char *rec = buf + r * RECORD;
            if (rec[0] >= N_CLASSES) {
                rc = al__fail(AL_EFORMAT,
                              "%s: record %zu (byte %zu) has label %u; labels must be 0..9", path,
                              done, done * RECORD, rec[0]);
                break;
            }
            y[done] = rec[0];
            data__u8_to_unit(rec + 1, PIXELS, x + done * PIXELS);
        }
    }
    fclose(f);
    return rc;
}

/* Class names from dir/batches.meta.txt: ten non-blank lines (surrounding blanks and a
 * '\r' are trimmed; the real file ends with blank lines). A missing file gives the
 * standard names. */
static int read_names(const char *dir, data_set *out)
{
    char *path = data__join(dir, "batches.meta.txt");
    if (!path)
        return al__fail(AL_ENOMEM, "out of memory");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        int rc = e == ENOENT ? data__set_names(out, standard_names, NULL, N_CLASSES)
                             : al__fail(AL_EIO, "cannot open %s: %s", path, strerror(e));
        free(path);
        return rc;
    }
    char *text = malloc(META_MAX + 1);
    size_t len = text ? fread(text, 1, META_MAX + 1, f) : 0;
    int rc = AL_OK;
    if (!text)
        rc = al__fail(AL_ENOMEM, "out of memory");
    else if (ferror(f))
        rc = al__fail(AL_EIO, "cannot read %s: %s", path, strerror(errno));
    else if (len > META_MAX)
        rc = al__fail(AL_EFORMAT, "%s: larger than %d bytes; expected 10 class names, one per line",
                      path, META_MAX);
    else if (memchr(text, '\0', len))
        rc = al__fail(AL_EFORMAT, "%s: a NUL byte at byte %zu; expected 10 class names, one per "
                                  "line",
                      path, (size_t)((char *)memchr(text, '\0', len) - text));
    fclose(f);

    const char *name[N_CLASSES];
    size_t nlen[N_CLASSES], found = 0;
    for (size_t p = 0; !rc && p < len;) {
        size_t end = p;
        while (end < len && text[end] != '\n')
            end++;
        size_t a = p, b = end;
        while (a < b && (text[a] == ' ' || text[a] == '\t' || text[a] == '\r'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (b > a) {
            if (found < N_CLASSES) {
                name[found] = text + a;
                nlen[found] = b - a;
            }
            found++;
        }
        p = end + 1;
    }
    if (!rc && found != N_CLASSES)
        rc = al__fail(AL_EFORMAT, "%s: %zu class names; expected 10, one per line", path, found);
    if (!rc)
        rc = data__set_names(out, name, nlen, N_CLASSES);
    free(text);
    free(path);
    return rc;
}

static int load(const char *dir, int train, data_set *out)
{
    char *paths[5] = {0};
    size_t files = train ? 5 : 1, counts[5] = {0}, n = 0;
    unsigned char *buf = NULL;
    int rc = AL_OK;
    for (size_t i = 0; i < files && !rc; i++) {
        char name[48]; /* room for any size_t, so the compiler can prove no truncation */
        if (train)
            snprintf(name, sizeof name, "data_batch_%zu.bin", i + 1);
        else
            snprintf(name, sizeof name, "test_batch.bin");
        if (!(paths[i] = data__join(dir, name)))
            rc = al__fail(AL_ENOMEM, "out of memory");
        else if (!(rc = count_records(paths[i], &counts[i])) && counts[i] > SIZE_MAX / PIXELS - n)
            rc = al__fail(AL_EFORMAT, "%s: too many records in all", paths[i]);
        n += counts[i];
    }
    size_t xs[4] = {n, 3, 32, 32}, ys[1] = {n};
    if (!rc && !(buf = malloc((size_t)CHUNK * RECORD)))
        rc = al__fail(AL_ENOMEM, "out of memory");
    if (!rc && !(rc = data_array_alloc(&out->x, DATA_F32, 4, xs)))
        rc = data_array_alloc(&out->y, DATA_I64, 1, ys);
    for (size_t i = 0, at = 0; i < files && !rc; at += counts[i], i++)
        rc = read_records(paths[i], counts[i], (float *)out->x.data + at * PIXELS,
                          (int64_t *)out->y.data + at, buf);
    if (!rc)
        rc = read_names(dir, out);
    free(buf);
    for (size_t i = 0; i < files; i++)
        free(paths[i]);
    return rc;
}

al_status data_cifar10_load(const char *dir, const char *split, data_set *out)
{
    AL_API_ENTRY;
    if (!out)
        return al__fail(AL_EINVAL, "data_cifar10_load: out is NULL");
    memset(out, 0, sizeof *out);
    int train = split && strcmp(split, "train") == 0;
    if (!train && !(split && strcmp(split, "test") == 0))
        return al__fail(AL_EINVAL, "data_cifar10_load: split '%s'; use \"train\" or \"test\"",
                        split ? split : "(null)");
    if (!dir)
        return al__fail(AL_EINVAL, "data_cifar10_load: no directory given; %s", how_to_get);
    struct stat st;
    int e = stat(dir, &st) != 0 ? errno : 0;
    if (e || !S_ISDIR(st.st_mode))
        return al__fail(AL_EIO, "%s: %s; %s", dir,
                        e == ENOENT ? "no such directory" : e ? strerror(e) : "not a directory",
                        how_to_get);
    int rc = load(dir, train, out);
    if (rc)
        data_set_free(out);
    else
        al__clear_error();
    return rc;
}
