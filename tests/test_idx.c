/* IDX files, plain and gzipped (written here with zlib's gzwrite), every element type, the
 * MNIST/Fashion-MNIST loader on small made-up sets, malformed files; and, when Debian's
 * dataset-fashion-mnist is installed, the real Fashion-MNIST. */
#include "data_util.h"

#include <math.h>
#include <stdint.h>
#include <time.h>
#include <zlib.h>

#include "actlab/data.h"

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(idx, .init = setup, .fini = teardown);
TestSuite(mnist, .init = setup, .fini = teardown);

/* header for type and dims, then n data bytes (already big-endian) */
static size_t idx_bytes(unsigned char *out, int type, int ndim, const uint32_t *dims,
                        const void *data, size_t n)
{
    out[0] = out[1] = 0;
    out[2] = (unsigned char)type;
    out[3] = (unsigned char)ndim;
    for (int d = 0; d < ndim; d++)
        for (int k = 0; k < 4; k++)
            out[4 + 4 * d + k] = (unsigned char)(dims[d] >> (24 - 8 * k));
    memcpy(out + 4 + 4 * ndim, data, n);
    return 4 + 4 * (size_t)ndim + n;
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    cr_assert(g, "gzopen %s", path);
    cr_assert_eq(gzwrite(g, data, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(g), Z_OK);
}

static const char *write_idx(const char *name, int gz, int type, int ndim, const uint32_t *dims,
                             const void *data, size_t n)
{
    unsigned char *buf = malloc(4 + 4 * (size_t)ndim + n);
    size_t len = idx_bytes(buf, type, ndim, dims, data, n);
    const char *path = in_dir(dir, name);
    if (gz)
        write_gz(path, buf, len);
    else
        write_bytes(path, buf, len);
    free(buf);
    return path;
}

Test(idx, uint8_plain_and_gzipped)
{
    unsigned char px[2 * 3 * 4];
    for (int i = 0; i < 24; i++)
        px[i] = (unsigned char)(i * 11);
    const uint32_t dims[3] = {2, 3, 4};
    for (int gz = 0; gz < 2; gz++) {
        const char *path = write_idx(gz ? "a.gz" : "a", gz, 0x08, 3, dims, px, sizeof px);
        data_array a;
        cr_assert_eq(data_idx_read(path, &a), 0, "%s", al_last_error());
        cr_assert_eq(a.dtype, DATA_U8);
        cr_assert_eq(a.ndim, 3);
        cr_assert(a.shape[0] == 2 && a.shape[1] == 3 && a.shape[2] == 4);
        cr_assert_eq(memcmp(a.data, px, sizeof px), 0);
        data_array_free(&a);
    }
}

Test(idx, every_element_type)
{
    const uint32_t dims[1] = {3};
    data_array a;
    /* int8 -> int32 */
    const unsigned char i8[3] = {0x80, 0xff, 0x7f};
    cr_assert_eq(data_idx_read(write_idx("i8", 0, 0x09, 1, dims, i8, 3), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(a.dtype, DATA_I32);
    cr_assert(((int32_t *)a.data)[0] == -128 && ((int32_t *)a.data)[1] == -1 &&
              ((int32_t *)a.data)[2] == 127);
    data_array_free(&a);
    /* int16 big-endian -> int32 */
    const unsigned char i16[6] = {0x80, 0x00, 0xff, 0xfe, 0x01, 0x02};
    cr_assert_eq(data_idx_read(write_idx("i16", 1, 0x0B, 1, dims, i16, 6), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(a.dtype, DATA_I32);
    cr_assert(((int32_t *)a.data)[0] == -32768 && ((int32_t *)a.data)[1] == -2 &&
              ((int32_t *)a.data)[2] == 0x0102);
    data_array_free(&a);
    /* int32 */
    const unsigned char i32[12] = {0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02, 0x03, 0x04};
    cr_assert_eq(data_idx_read(write_idx("i32", 0, 0x0C, 1, dims, i32, 12), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(a.dtype, DATA_I32);
    cr_assert(((int32_t *)a.data)[0] == INT32_MIN && ((int32_t *)a.data)[1] == -1 &&
              ((int32_t *)a.data)[2] == 0x01020304);
    data_array_free(&a);
    /* float32: 1.0, -2.5, 0.15625 */
    const unsigned char f32[12] = {0x3f, 0x80, 0, 0, 0xc0, 0x20, 0, 0, 0x3e, 0x20, 0, 0};
    cr_assert_eq(data_idx_read(write_idx("f32", 1, 0x0D, 1, dims, f32, 12), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(a.dtype, DATA_F32);
    cr_assert(((float *)a.data)[0] == 1.0f && ((float *)a.data)[1] == -2.5f &&
              ((float *)a.data)[2] == 0.15625f);
    data_array_free(&a);
    /* float64: 1.0, -0.5, 1e300 (0x7e37e43c8800759c) */
    const unsigned char f64[24] = {0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xbf, 0xe0, 0, 0,
                                   0,    0,    0, 0, 0x7e, 0x37, 0xe4, 0x3c, 0x88, 0x00, 0x75, 0x9c};
    cr_assert_eq(data_idx_read(write_idx("f64", 0, 0x0E, 1, dims, f64, 24), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(a.dtype, DATA_F64);
    cr_assert(((double *)a.data)[0] == 1.0 && ((double *)a.data)[1] == -0.5 &&
              ((double *)a.data)[2] == 1e300);
    data_array_free(&a);
    /* no elements */
    const uint32_t none[2] = {0, 28};
    cr_assert_eq(data_idx_read(write_idx("none", 0, 0x08, 2, none, "", 0), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(data_array_count(&a), 0);
    data_array_free(&a);
}

Test(idx, malformed_files)
{
    const uint32_t dims[2] = {2, 3};
    const unsigned char px[6] = {1, 2, 3, 4, 5, 6};
    unsigned char buf[64];
    size_t n = idx_bytes(buf, 0x08, 2, dims, px, 6);
    data_array a;

    buf[0] = 0x12;
    write_bytes(in_dir(dir, "magic"), buf, n);
    assert_error(data_idx_read(in_dir(dir, "magic"), &a), AL_EFORMAT, "magic", "not an IDX file");
    buf[0] = 0;
    buf[2] = 0x07;
    write_bytes(in_dir(dir, "type"), buf, n);
    assert_error(data_idx_read(in_dir(dir, "type"), &a), AL_EFORMAT, "type",
                 "unknown IDX element type 0x07");
    buf[2] = 0x08;
    buf[3] = 0;
    write_bytes(in_dir(dir, "ndim0"), buf, n);
    assert_error(data_idx_read(in_dir(dir, "ndim0"), &a), AL_EFORMAT, "ndim0", "0 dimensions");
    buf[3] = 9;
    write_bytes(in_dir(dir, "ndim9"), buf, n);
    assert_error(data_idx_read(in_dir(dir, "ndim9"), &a), AL_EFORMAT, "ndim9", "9 dimensions");
    buf[3] = 2;

    for (int gz = 0; gz < 2; gz++) {
        char name[32];
        snprintf(name, sizeof name, "short_magic%s", gz ? ".gz" : "");
        gz ? write_gz(in_dir(dir, name), buf, 3) : write_bytes(in_dir(dir, name), buf, 3);
        assert_error(data_idx_read(in_dir(dir, name), &a), AL_EFORMAT, name,
                     "magic number is cut short");
        snprintf(name, sizeof name, "short_dims%s", gz ? ".gz" : "");
        gz ? write_gz(in_dir(dir, name), buf, 9) : write_bytes(in_dir(dir, name), buf, 9);
        assert_error(data_idx_read(in_dir(dir, name), &a), AL_EFORMAT, name,
                     "list of dimensions is cut short");
        snprintf(name, sizeof name, "short_data%s", gz ? ".gz" : "");
        gz ? write_gz(in_dir(dir, name), buf, n - 2) : write_bytes(in_dir(dir, name), buf, n - 2);
        assert_error(data_idx_read(in_dir(dir, name), &a), AL_EFORMAT, name,
                     "truncated: IDX dimensions (2, 3) of uint8 need 6 bytes of data after the "
                     "12-byte header, the file has 4");
        snprintf(name, sizeof name, "long%s", gz ? ".gz" : "");
        buf[n] = 7;
        gz ? write_gz(in_dir(dir, name), buf, n + 1) : write_bytes(in_dir(dir, name), buf, n + 1);
        assert_error(data_idx_read(in_dir(dir, name), &a), AL_EFORMAT, name, "too long");
    }

    /* absurd dimensions: more than 2^31 elements, and a product that overflows 64 bits */
    const uint32_t big[3] = {65536, 65536, 2};
    write_idx("big", 0, 0x08, 3, big, px, 6);
    assert_error(data_idx_read(in_dir(dir, "big"), &a), AL_EFORMAT, "big",
                 "absurd IDX dimensions (65536, 65536, 2)");
    const uint32_t huge[8] = {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                              0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff};
    write_idx("huge", 0, 0x0E, 8, huge, px, 6);
    assert_error(data_idx_read(in_dir(dir, "huge"), &a), AL_EFORMAT, "huge", "absurd");
    /* 2^31 elements exactly are allowed by the limit, and then the file is too short */
    const uint32_t edge[2] = {32768, 65536};
    write_idx("edge", 1, 0x08, 2, edge, px, 6);
    assert_error(data_idx_read(in_dir(dir, "edge"), &a), AL_EFORMAT, "edge",
                 "need 2147483648 bytes");

    /* gzip: corrupt deflate data, and a stream cut before its trailer */
    write_gz(in_dir(dir, "c.gz"), buf, n);
    FILE *f = fopen(in_dir(dir, "c.gz"), "rb");
    unsigned char gzb[256];
    size_t gn = fread(gzb, 1, sizeof gzb, f);
    fclose(f);
    unsigned char bad[256];
    memcpy(bad, gzb, gn);
    for (size_t i = 10; i < gn - 8; i++)
        bad[i] ^= 0x5a;
    write_bytes(in_dir(dir, "corrupt.gz"), bad, gn);
    cr_assert_eq(data_idx_read(in_dir(dir, "corrupt.gz"), &a), AL_EFORMAT, "%s",
                 al_last_error());
    cr_assert(strstr(al_last_error(), "corrupt.gz"), "%s", al_last_error());
    write_bytes(in_dir(dir, "cut.gz"), gzb, gn - 4);
    assert_error(data_idx_read(in_dir(dir, "cut.gz"), &a), AL_EFORMAT, "cut.gz", "gzip");
    write_bytes(in_dir(dir, "crc.gz"), gzb, gn);
    gzb[gn - 8] ^= 1; /* CRC-32 */
    write_bytes(in_dir(dir, "crc.gz"), gzb, gn);
    assert_error(data_idx_read(in_dir(dir, "crc.gz"), &a), AL_EFORMAT, "crc.gz", "gzip");

    assert_error(data_idx_read(in_dir(dir, "missing"), &a), AL_EIO, "missing", "No such file");
    cr_assert_null(a.data);
    cr_assert_eq(data_idx_read(NULL, &a), AL_EINVAL);
    cr_assert_eq(data_idx_read("x", NULL), AL_EINVAL);
}

/* ---- the MNIST loader on made-up data ---------------------------------------------------- */

/* n images of 28x28: pixel p of image i is (i * 31 + p) % 256; label i is labels[i] */
static void write_set(const char *prefix, uint32_t n, const unsigned char *labels, int gz)
{
    unsigned char *px = malloc((size_t)n * 784);
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < 784; p++)
            px[i * 784 + p] = (unsigned char)((i * 31 + p) % 256);
    char name[64];
    const uint32_t idims[3] = {n, 28, 28}, ldims[1] = {n};
    snprintf(name, sizeof name, "%s-images-idx3-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(name, gz, 0x08, 3, idims, px, (size_t)n * 784);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte%s", prefix, gz ? ".gz" : "");
    write_idx(name, gz, 0x08, 1, ldims, labels, n);
    free(px);
}

Test(mnist, loads_both_splits)
{
    const unsigned char ltrain[5] = {9, 0, 3, 0, 1}, ltest[2] = {7, 2};
    write_set("train", 5, ltrain, 1);
    write_set("t10k", 2, ltest, 0);
    data_set s;
    cr_assert_eq(data_mnist_load(dir, "train", 1, &s), 0, "%s", al_last_error());
    cr_assert_eq(s.x.dtype, DATA_F32);
    cr_assert_eq(s.x.ndim, 4);
    cr_assert(s.x.shape[0] == 5 && s.x.shape[1] == 1 && s.x.shape[2] == 28 && s.x.shape[3] == 28);
    cr_assert_eq(s.y.dtype, DATA_I64);
    cr_assert(s.y.ndim == 1 && s.y.shape[0] == 5);
    const float *x = s.x.data;
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(((int64_t *)s.y.data)[i], ltrain[i]);
        for (size_t p = 0; p < 784; p++)
            cr_assert_eq(x[i * 784 + p], (float)((i * 31 + p) % 256) / 255.0f);
    }
    cr_assert_eq(x[255], 1.0f, "pixel 255 becomes exactly 1");
    cr_assert_eq(x[0], 0.0f);
    cr_assert_eq(s.n_classes, 10);
    cr_assert_str_eq(s.class_names[0], "T-shirt/top");
    cr_assert_str_eq(s.class_names[9], "Ankle boot");
    data_set_free(&s);
    cr_assert_null(s.class_names);

    cr_assert_eq(data_mnist_load(dir, "test", 0, &s), 0, "%s", al_last_error());
    cr_assert_eq(s.x.shape[0], 2);
    cr_assert_eq(((int64_t *)s.y.data)[0], 7);
    cr_assert_str_eq(s.class_names[0], "0");
    cr_assert_str_eq(s.class_names[9], "9");
    data_set_free(&s);
    data_set_free(&s); /* twice, and NULL: no-ops */
    data_set_free(NULL);
}

Test(mnist, larger_than_the_read_buffers)
{
    /* 300 images = 235200 bytes: more than the first buffer (64 KiB of bytes, 16 Ki floats)
     * and than one 64 KiB read, so the buffers grow several times, by more than a doubling */
    enum { N = 300 };
    unsigned char labels[N];
    for (int i = 0; i < N; i++)
        labels[i] = (unsigned char)(i % 10);
    write_set("train", N, labels, 1);
    data_set s;
    cr_assert_eq(data_mnist_load(dir, "train", 0, &s), 0, "%s", al_last_error());
    cr_assert_eq(s.x.shape[0], N);
    const float *x = s.x.data;
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(((int64_t *)s.y.data)[i], (int64_t)(i % 10));
        for (size_t p = 0; p < 784; p++)
            cr_assert_eq(x[i * 784 + p], (float)((i * 31 + p) % 256) / 255.0f, "image %zu", i);
    }
    data_set_free(&s);
    data_array a;
    cr_assert_eq(data_idx_read(in_dir(dir, "train-images-idx3-ubyte.gz"), &a), 0, "%s",
                 al_last_error());
    cr_assert_eq(data_array_count(&a), (size_t)N * 784);
    for (size_t i = 0; i < (size_t)N * 784; i++)
        cr_assert_eq(((uint8_t *)a.data)[i], (uint8_t)((i / 784 * 31 + i % 784) % 256));
    data_array_free(&a);
}

Test(mnist, errors)
{
    data_set s;
    const unsigned char labels[3] = {1, 2, 3};
    write_set("train", 3, labels, 0);
    /* labels file with one label fewer */
    const uint32_t two[1] = {2};
    write_idx("t10k-labels-idx1-ubyte.gz", 1, 0x08, 1, two, labels, 2);
    const uint32_t idims[3] = {3, 28, 28};
    unsigned char px[3 * 784] = {0};
    write_idx("t10k-images-idx3-ubyte", 0, 0x08, 3, idims, px, sizeof px);
    assert_error(data_mnist_load(dir, "test", 1, &s), AL_EFORMAT, "t10k-labels-idx1-ubyte.gz",
                 "has 3 images but");
    cr_assert(strstr(al_last_error(), "has 2 labels"), "%s", al_last_error());
    cr_assert_null(s.x.data);

    /* a label of 10 */
    const unsigned char bad[3] = {1, 10, 3};
    const uint32_t three[1] = {3};
    write_idx("train-labels-idx1-ubyte", 0, 0x08, 1, three, bad, 3);
    assert_error(data_mnist_load(dir, "train", 1, &s), AL_EFORMAT, "train-labels-idx1-ubyte",
                 "label 10 at item 1");

    /* images that are not uint8 (N, H, W) */
    write_idx("train-images-idx3-ubyte", 0, 0x08, 1, three, bad, 3);
    assert_error(data_mnist_load(dir, "train", 1, &s), AL_EFORMAT, "train-images-idx3-ubyte",
                 "expected uint8 data with 3 dimensions, found uint8 (3,)");

    /* missing files and directories say how to get the data */
    rm_dir(dir);
    tmp_dir(dir);
    assert_error(data_mnist_load(dir, "train", 1, &s), AL_EIO, "train-images-idx3-ubyte(.gz)",
                 "apt-get install dataset-fashion-mnist");
    assert_error(data_mnist_load(dir, "test", 0, &s), AL_EIO, "t10k-images-idx3-ubyte(.gz)",
                 "yann.lecun.com");
    assert_error(data_mnist_load("/nonexistent/mnist", "train", 1, &s), AL_EIO,
                 "/nonexistent/mnist", "apt-get install dataset-fashion-mnist");
    assert_error(data_mnist_load(NULL, "train", 0, &s), AL_EINVAL, "MNIST", "yann.lecun.com");
    assert_error(data_mnist_load(dir, "validation", 1, &s), AL_EINVAL, "validation",
                 "\"train\" or \"test\"");
    cr_assert_eq(data_mnist_load(dir, NULL, 1, &s), AL_EINVAL);
    cr_assert_eq(data_mnist_load(dir, "train", 1, NULL), AL_EINVAL);
}

/* ---- the real Fashion-MNIST (Debian's dataset-fashion-mnist) ------------------------------- */

#define FASHION "/usr/share/datasets/fashion-mnist"

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Loads a split and returns the CPU time it took: ours and the kernel's (page faults) for
 * us, which other jobs on a busy machine do not inflate; the wall time is printed too. */
static double timed_load(const char *split, data_set *s)
{
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    int rc = data_mnist_load(NULL, split, 1, s);
    double cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = now(CLOCK_MONOTONIC) - w0;
    cr_assert_eq(rc, 0, "%s", al_last_error());
    fprintf(stderr, "fashion_mnist: %s split (%zu images) loaded in %.3f s (CPU %.3f s)\n", split,
            s->x.shape[0], wall, cpu);
    return cpu;
}

/* first: label of image 0, the sum of its 784 bytes and its centre pixel (14, 14), as
 * Python's gzip module reads them from the same files */
struct first_image {
    int64_t label;
    unsigned sum, centre;
};

static void check_real(const char *split, size_t n, size_t per_class,
                       struct first_image first_img, double limit_s)
{
    /* best of two: the first load of a fresh process also pays for the VM's first touch of
     * 188 MB (the kernel zeroing the pages), which is the machine's, not the loader's */
    data_set s;
    double first = timed_load(split, &s);
    data_set_free(&s);
    double dt = timed_load(split, &s);
    dt = first < dt ? first : dt;
    cr_assert(s.x.ndim == 4 && s.x.shape[0] == n && s.x.shape[1] == 1 && s.x.shape[2] == 28 &&
              s.x.shape[3] == 28);
    cr_assert_eq(s.y.shape[0], n);
    const float *x = s.x.data;
    double first_sum = 0;
    for (int p = 0; p < 784; p++)
        first_sum += x[p] * 255.0;
    cr_assert_eq(((int64_t *)s.y.data)[0], first_img.label);
    cr_assert(fabs(first_sum - first_img.sum) < 0.01, "image 0: sum %g", first_sum);
    cr_assert_eq(x[14 * 28 + 14], (float)first_img.centre / 255.0f);
    size_t counts[10] = {0};
    for (size_t i = 0; i < n; i++) {
        int64_t c = ((int64_t *)s.y.data)[i];
        cr_assert(c >= 0 && c < 10);
        counts[c]++;
    }
    for (int c = 0; c < 10; c++)
        cr_assert_eq(counts[c], per_class, "class %d (%s): %zu images", c, s.class_names[c],
                     counts[c]);
    double sum = 0;
    float lo = 1, hi = 0;
    for (size_t i = 0; i < n * 784; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
        sum += x[i];
    }
    double mean = sum / ((double)n * 784);
    cr_assert(lo == 0.0f && hi == 1.0f, "range [%g, %g]", lo, hi);
    cr_assert(mean > 0.28 && mean < 0.29, "mean %g (Fashion-MNIST's is 0.286)", mean);
    cr_assert(dt < limit_s, "loading took %.3f s of CPU; expected under %.1f s", dt, limit_s);
    data_set_free(&s);
}

#if defined(__SANITIZE_ADDRESS__)
#define LOAD_LIMIT_S 10.0 /* instrumented: only the values are checked, not the speed */
#else
#define LOAD_LIMIT_S 1.0
#endif

Test(fashion_mnist, real_data, .timeout = 60)
{
    if (access(FASHION "/train-images-idx3-ubyte.gz", R_OK) != 0) {
        fprintf(stderr, "fashion_mnist: skipped: " FASHION " is not there "
                        "(apt-get install dataset-fashion-mnist)\n");
        cr_skip_test("Fashion-MNIST is not installed in " FASHION
                     " (apt-get install dataset-fashion-mnist)");
    }
    check_real("train", 60000, 6000, (struct first_image){9, 76247, 217}, LOAD_LIMIT_S);
    check_real("test", 10000, 1000, (struct first_image){9, 33456, 110}, LOAD_LIMIT_S);
}
