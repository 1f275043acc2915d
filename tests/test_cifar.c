/* CIFAR-10 binary batches made here (a few records each): layout (R plane first), scaling,
 * labels, the order of the five training batches, class names from batches.meta.txt, and
 * malformed or missing files. */
#include "data_util.h"

#include <stdint.h>

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
TestSuite(cifar, .init = setup, .fini = teardown);

#define RECORD 3073

/* byte of plane c (0 R, 1 G, 2 B), position p, of the record with global index i */
static unsigned char pixel(size_t i, size_t c, size_t p)
{
    return (unsigned char)((i * 7 + c * 100 + p) % 256);
}

/* n records with global indices first.., labels (first + k) % 10 */
static void write_batch(const char *name, size_t first, size_t n)
{
    unsigned char *b = malloc(n * RECORD);
    for (size_t k = 0; k < n; k++) {
        unsigned char *r = b + k * RECORD;
        r[0] = (unsigned char)((first + k) % 10);
        for (size_t c = 0; c < 3; c++)
            for (size_t p = 0; p < 1024; p++)
                r[1 + c * 1024 + p] = pixel(first + k, c, p);
    }
    write_bytes(in_dir(dir, name), b, n * RECORD);
    free(b);
}

static void check_set(const data_set *s, size_t n)
{
    cr_assert_eq(s->x.dtype, DATA_F32);
    cr_assert_eq(s->x.ndim, 4);
    cr_assert(s->x.shape[0] == n && s->x.shape[1] == 3 && s->x.shape[2] == 32 &&
              s->x.shape[3] == 32);
    cr_assert_eq(s->y.dtype, DATA_I64);
    cr_assert(s->y.ndim == 1 && s->y.shape[0] == n);
    const float *x = s->x.data;
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(((int64_t *)s->y.data)[i], (int64_t)(i % 10));
        for (size_t c = 0; c < 3; c++)
            for (size_t p = 0; p < 1024; p++) /* NCHW: x[i][c][p / 32][p % 32] */
                cr_assert_eq(x[(i * 3 + c) * 1024 + p], (float)pixel(i, c, p) / 255.0f,
                             "record %zu plane %zu pixel %zu", i, c, p);
    }
    cr_assert_eq(s->n_classes, 10);
}

Test(cifar, train_batches_in_order)
{
    const size_t sizes[5] = {1, 2, 3, 1, 2};
    size_t first = 0;
    for (int b = 0; b < 5; b++) {
        char name[32];
        snprintf(name, sizeof name, "data_batch_%d.bin", b + 1);
        write_batch(name, first, sizes[b]);
        first += sizes[b];
    }
    data_set s;
    cr_assert_eq(data_cifar10_load(dir, "train", &s), 0, "%s", al_last_error());
    check_set(&s, 9);
    const float *x = s.x.data;
    /* record 0: R plane starts at (0*7 + 0) = 0 -> 0; G plane at 100; pixel 155 of R = 155 */
    cr_assert_eq(x[0], 0.0f);
    cr_assert_eq(x[1024], 100.0f / 255.0f);
    cr_assert_eq(x[255], 1.0f, "pixel 255 becomes exactly 1");
    cr_assert_str_eq(s.class_names[0], "airplane", "standard names without batches.meta.txt");
    cr_assert_str_eq(s.class_names[9], "truck");
    data_set_free(&s);
}

Test(cifar, test_batch_and_meta_names)
{
    write_batch("test_batch.bin", 0, 4);
    const char meta[] = "plane\r\ncar\r\n  bird  \ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n\n";
    write_bytes(in_dir(dir, "batches.meta.txt"), meta, sizeof meta - 1);
    data_set s;
    cr_assert_eq(data_cifar10_load(dir, "test", &s), 0, "%s", al_last_error());
    check_set(&s, 4);
    cr_assert_str_eq(s.class_names[0], "plane");
    cr_assert_str_eq(s.class_names[1], "car");
    cr_assert_str_eq(s.class_names[2], "bird");
    cr_assert_str_eq(s.class_names[9], "truck");
    data_set_free(&s);

    const char nine[] = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
    write_bytes(in_dir(dir, "batches.meta.txt"), nine, sizeof nine - 1);
    assert_error(data_cifar10_load(dir, "test", &s), AL_EFORMAT, "batches.meta.txt",
                 "9 class names; expected 10");
    write_bytes(in_dir(dir, "batches.meta.txt"), "a\0b\n", 4);
    assert_error(data_cifar10_load(dir, "test", &s), AL_EFORMAT, "batches.meta.txt", "NUL");
    cr_assert_null(s.x.data);
}

Test(cifar, malformed_batches)
{
    data_set s;
    /* a size that is not a multiple of 3073: record 2 is cut after 100 bytes */
    write_batch("test_batch.bin", 0, 3);
    FILE *f = fopen(in_dir(dir, "test_batch.bin"), "r+b");
    cr_assert_eq(ftruncate(fileno(f), 2 * RECORD + 100), 0);
    fclose(f);
    assert_error(data_cifar10_load(dir, "test", &s), AL_EFORMAT, "test_batch.bin",
                 "record 2, at byte 6146, has only 100 bytes");

    /* label 11 in record 1 */
    write_batch("test_batch.bin", 0, 3);
    f = fopen(in_dir(dir, "test_batch.bin"), "r+b");
    fseek(f, RECORD, SEEK_SET);
    fputc(11, f);
    fclose(f);
    assert_error(data_cifar10_load(dir, "test", &s), AL_EFORMAT, "test_batch.bin",
                 "record 1 (byte 3073) has label 11");
    cr_assert_null(s.x.data);

    write_bytes(in_dir(dir, "test_batch.bin"), "", 0);
    assert_error(data_cifar10_load(dir, "test", &s), AL_EFORMAT, "test_batch.bin", "empty");
}

Test(cifar, missing_files_say_where_to_get_them)
{
    data_set s;
    write_batch("data_batch_1.bin", 0, 1);
    write_batch("data_batch_2.bin", 1, 1);
    assert_error(data_cifar10_load(dir, "train", &s), AL_EIO, "data_batch_3.bin",
                 "https://www.cs.toronto.edu/~kriz/cifar.html");
    cr_assert(strstr(al_last_error(), "cifar-10-binary.tar.gz"), "%s", al_last_error());
    assert_error(data_cifar10_load(dir, "test", &s), AL_EIO, "test_batch.bin", "not found");
    assert_error(data_cifar10_load("/nonexistent/cifar", "test", &s), AL_EIO, "/nonexistent/cifar",
                 "cifar-10-binary.tar.gz");
    assert_error(data_cifar10_load(NULL, "test", &s), AL_EINVAL, "no directory",
                 "cifar-10-binary.tar.gz");
    assert_error(data_cifar10_load(dir, "valid", &s), AL_EINVAL, "valid", "\"train\" or \"test\"");
    cr_assert_eq(data_cifar10_load(dir, "test", NULL), AL_EINVAL);
}
