/* NumPy .npy: round trips of every dtype and shape, files written byte by byte here (not by
 * our writer), reference files written by NumPy (tests/fixtures/npy, made by
 * make_npy_fixtures.py), our writer's bytes against NumPy's, and malformed files, each of
 * which must be an error naming the file. */
#include "data_util.h"

#include <math.h>
#include <stdint.h>

#include "actlab/data.h"
#include "data/internal.h"

#ifndef ACTLAB_FIXTURES
#error "ACTLAB_FIXTURES must name tests/fixtures (tests/data_formats.cmake sets it)"
#endif
#define FIXTURE(name) ACTLAB_FIXTURES "/npy/" name

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(npy, .init = setup, .fini = teardown);

/* A .npy file: magic, version major.0, header length, dict padded with spaces so that the
 * prefix and header end on a multiple of align, '\n', then n data bytes. */
static size_t npy_bytes(unsigned char *out, int major, const char *dict, size_t align,
                        const void *data, size_t n)
{
    size_t prefix = major == 1 ? 10 : 12, len = strlen(dict), total = prefix + len + 1;
    size_t pad = (align - total % align) % align, hlen = len + pad + 1;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (unsigned char)major;
    out[7] = 0;
    for (size_t i = 0; i < prefix - 8; i++)
        out[8 + i] = (unsigned char)(hlen >> (8 * i));
    memcpy(out + prefix, dict, len);
    memset(out + prefix + len, ' ', pad);
    out[prefix + hlen - 1] = '\n';
    memcpy(out + prefix + hlen, data, n);
    return prefix + hlen + n;
}

static const char *write_npy(const char *name, int major, const char *dict, const void *data,
                             size_t n)
{
    static unsigned char buf[4096];
    size_t len = npy_bytes(buf, major, dict, 64, data, n);
    const char *path = in_dir(dir, name);
    write_bytes(path, buf, len);
    return path;
}

static void assert_shape(const data_array *a, data_dtype t, int ndim, const size_t *shape)
{
    cr_assert_eq(a->dtype, t, "dtype %s, expected %s", data_dtype_name(a->dtype),
                 data_dtype_name(t));
    cr_assert_eq(a->ndim, ndim);
    for (int i = 0; i < ndim; i++)
        cr_assert_eq(a->shape[i], shape[i], "dim %d: %zu, expected %zu", i, a->shape[i],
                     shape[i]);
}

/* ---- round trips ------------------------------------------------------------------------ */

static void fill(data_array *a)
{
    size_t n = data_array_count(a);
    for (size_t i = 0; i < n; i++)
        switch (a->dtype) {
        case DATA_F32: ((float *)a->data)[i] = (float)i * 0.25f - 3.0f; break;
        case DATA_F64: ((double *)a->data)[i] = (double)i * 1e-3 - 7e100; break;
        case DATA_U8: ((uint8_t *)a->data)[i] = (uint8_t)(i * 37); break;
        case DATA_I32: ((int32_t *)a->data)[i] = (int32_t)(uint32_t)(i * 2654435761u); break;
        case DATA_I64: ((int64_t *)a->data)[i] = (int64_t)i * -123456789012345; break;
        }
}

Test(npy, round_trip_every_dtype_and_shape)
{
    static const struct {
        int ndim;
        size_t shape[4];
    } shapes[] = {{0, {0}}, {1, {5}}, {2, {3, 4}}, {4, {2, 3, 4, 5}}, {2, {0, 3}}, {1, {1}}};
    const data_dtype types[] = {DATA_F32, DATA_F64, DATA_U8, DATA_I32, DATA_I64};
    for (size_t t = 0; t < 5; t++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            data_array a, b;
            cr_assert_eq(data_array_alloc(&a, types[t], shapes[s].ndim, shapes[s].shape), 0);
            fill(&a);
            const char *path = in_dir(dir, "rt.npy");
            cr_assert_eq(data_npy_write(path, &a), 0, "%s", al_last_error());
            cr_assert_eq(data_npy_read(path, &b), 0, "%s", al_last_error());
            assert_shape(&b, a.dtype, a.ndim, a.shape);
            cr_assert_eq(memcmp(a.data, b.data, data_array_count(&a) * data_dtype_size(a.dtype)),
                         0, "%s ndim %d: data differs", data_dtype_name(a.dtype), a.ndim);
            /* the header is a multiple of 64 bytes and ends with '\n' */
            FILE *f = fopen(path, "rb");
            unsigned char pre[10];
            cr_assert_eq(fread(pre, 1, 10, f), 10);
            fclose(f);
            size_t hlen = pre[8] | (size_t)pre[9] << 8;
            cr_assert_eq((10 + hlen) % 64, 0);
            data_array_free(&a);
            data_array_free(&b);
        }
    char files[256];
    list_dir(dir, files, sizeof files);
    cr_assert_str_eq(files, "rt.npy ", "a temporary was left behind: %s", files);
}

Test(npy, writer_matches_numpy_byte_for_byte)
{
    const char *names[] = {"f4_2x3.npy",    "f8_le.npy",  "u1_5.npy",    "i4_3.npy",
                           "i8_scalar.npy", "f4_4d.npy", "f4_empty.npy"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char ref[512];
        snprintf(ref, sizeof ref, "%s/npy/%s", ACTLAB_FIXTURES, names[i]);
        data_array a;
        cr_assert_eq(data_npy_read(ref, &a), 0, "%s", al_last_error());
        const char *out = in_dir(dir, names[i]);
        cr_assert_eq(data_npy_write(out, &a), 0, "%s", al_last_error());
        data_array_free(&a);
        unsigned char x[1024], y[1024];
        FILE *fx = fopen(ref, "rb"), *fy = fopen(out, "rb");
        size_t nx = fread(x, 1, sizeof x, fx), ny = fread(y, 1, sizeof y, fy);
        fclose(fx);
        fclose(fy);
        cr_assert_eq(nx, ny, "%s: %zu bytes, NumPy wrote %zu", names[i], ny, nx);
        cr_assert_eq(memcmp(x, y, nx), 0, "%s: bytes differ from NumPy's", names[i]);
    }
}

Test(npy, overwrite_and_write_errors)
{
    size_t shape[1] = {3};
    data_array a, b;
    cr_assert_eq(data_array_alloc(&a, DATA_F32, 1, shape), 0);
    const char *path = in_dir(dir, "x.npy");
    write_bytes(path, "old", 3);
    cr_assert_eq(data_npy_write(path, &a), 0);
    cr_assert_eq(data_npy_read(path, &b), 0);
    data_array_free(&b);
    assert_error(data_npy_write("/nonexistent/dir/x.npy", &a), AL_EIO, "/nonexistent/dir/x.npy",
                 "No such file");
    cr_assert_eq(data_npy_write(NULL, &a), AL_EINVAL);
    cr_assert_eq(data_npy_write(path, NULL), AL_EINVAL);
    data_array bad = a;
    bad.ndim = 9;
    cr_assert_eq(data_npy_write(path, &bad), AL_EINVAL);
    bad = a;
    bad.data = NULL;
    cr_assert_eq(data_npy_write(path, &bad), AL_EINVAL);
    data_array_free(&a);
    char files[256];
    list_dir(dir, files, sizeof files);
    cr_assert_str_eq(files, "x.npy ", "%s", files);
}

/* ---- files written by hand ---------------------------------------------------------------- */

Test(npy, handwritten_numpy_save_bytes)
{
    /* np.save(np.arange(6, dtype='<f4').reshape(2, 3)): the 59-character dict, spaces and
     * '\n' up to 128 bytes (10-byte prefix + 118), then 6 floats */
    const float v[6] = {0, 1, 2, 3, 4, 5};
    unsigned char buf[256];
    size_t n = npy_bytes(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                         64, v, sizeof v);
    cr_assert_eq(n, 128 + 24);
    cr_assert_eq(buf[8], 118);
    cr_assert_eq(buf[9], 0);
    cr_assert_eq(buf[127], '\n');
    FILE *f = fopen(FIXTURE("f4_2x3.npy"), "rb");
    unsigned char ref[256];
    cr_assert_eq(fread(ref, 1, sizeof ref, f), n);
    fclose(f);
    cr_assert_eq(memcmp(ref, buf, n), 0, "the fixture is not what numpy.save writes");

    const char *path = in_dir(dir, "hand.npy");
    write_bytes(path, buf, n);
    data_array a;
    cr_assert_eq(data_npy_read(path, &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F32, 2, (size_t[]){2, 3});
    cr_assert_eq(memcmp(a.data, v, sizeof v), 0);
    data_array_free(&a);

    /* NumPy before 1.14 aligned to 16 bytes: 10 + 70 = 80 */
    n = npy_bytes(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 16, v,
                  sizeof v);
    cr_assert_eq(n, 80 + 24);
    write_bytes(path, buf, n);
    cr_assert_eq(data_npy_read(path, &a), 0, "%s", al_last_error());
    cr_assert_eq(memcmp(a.data, v, sizeof v), 0);
    data_array_free(&a);
}

static void be_bytes(unsigned char *out, uint64_t v, int size)
{
    for (int i = 0; i < size; i++)
        out[i] = (unsigned char)(v >> (8 * (size - 1 - i)));
}

Test(npy, handwritten_big_endian_f8)
{
    const double v[3] = {1.5, -2.0, 1e300};
    unsigned char data[24];
    for (int i = 0; i < 3; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], 8);
        be_bytes(data + 8 * i, bits, 8);
    }
    const char *path = write_npy("be.npy", 1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }",
                                 data, sizeof data);
    data_array a;
    cr_assert_eq(data_npy_read(path, &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F64, 1, (size_t[]){3});
    cr_assert_eq(memcmp(a.data, v, sizeof v), 0);
    data_array_free(&a);
}

Test(npy, header_variants)
{
    const int32_t v[6] = {1, -2, 3, -4, 5, -6};
    static const struct {
        const char *dict;
        int major, ndim;
        size_t shape[2];
    } cases[] = {
        /* keys in any order, either quote, no trailing comma, odd whitespace */
        {"{'shape': (2, 3), 'fortran_order': False, 'descr': '<i4'}", 1, 2, {2, 3}},
        {"{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (6,)}", 1, 1, {6}},
        {"  {'descr':'<i4','fortran_order':False,'shape':(6,),}", 1, 1, {6}},
        {"{\n 'descr' : '<i4' ,\n 'fortran_order' : False ,\n 'shape' : ( 3 , 2 , ) ,\n}", 1, 2,
         {3, 2}},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (6), }", 1, 1, {6}},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (2L, 3L), }", 1, 2, {2, 3}},
        {"{'descr': 'i4', 'fortran_order': False, 'shape': (6,), }", 1, 1, {6}},
        {"{'descr': '=i4', 'fortran_order': False, 'shape': (6,), }", 1, 1, {6}},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 2, 2, {2, 3}},
        {"{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 3, 2, {2, 3}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = write_npy("v.npy", cases[i].major, cases[i].dict, v, sizeof v);
        data_array a;
        cr_assert_eq(data_npy_read(path, &a), 0, "case %zu: %s", i, al_last_error());
        assert_shape(&a, DATA_I32, cases[i].ndim, cases[i].shape);
        cr_assert_eq(memcmp(a.data, v, sizeof v), 0, "case %zu", i);
        data_array_free(&a);
    }
    /* a scalar, shape () */
    const int64_t s = -42;
    const char *path = write_npy("s.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }",
                                 &s, sizeof s);
    data_array a;
    cr_assert_eq(data_npy_read(path, &a), 0, "%s", al_last_error());
    cr_assert_eq(a.ndim, 0);
    cr_assert_eq(data_array_count(&a), 1);
    cr_assert_eq(*(int64_t *)a.data, -42);
    data_array_free(&a);
}

Test(npy, in_memory_parser)
{
    const float v[2] = {0.5f, -1};
    unsigned char buf[256];
    size_t n = npy_bytes(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                         64, v, sizeof v);
    data_array a;
    cr_assert_eq(data__npy_parse("mem", buf, n, &a), 0, "%s", al_last_error());
    cr_assert_eq(memcmp(a.data, v, sizeof v), 0);
    data_array_free(&a);
    for (size_t cut = 0; cut < n; cut++)
        assert_error(data__npy_parse("mem", buf, cut, &a), AL_EFORMAT, "mem", "mem");
    assert_error(data__npy_parse("mem", buf, n + 1, &a), AL_EFORMAT, "mem", "more data");
}

/* ---- files written by NumPy ------------------------------------------------------------- */

Test(npy, numpy_reference_files)
{
    data_array a;
    cr_assert_eq(data_npy_read(FIXTURE("f4_2x3.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F32, 2, (size_t[]){2, 3});
    for (int i = 0; i < 6; i++)
        cr_assert_eq(((float *)a.data)[i], (float)i);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("f8_be.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F64, 1, (size_t[]){4});
    const double *d = a.data;
    cr_assert(d[0] == 1.5 && d[1] == -2.25 && d[2] == 1e300 && d[3] == 0 && signbit(d[3]));
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("i8_be.npy"), &a), 0, "%s", al_last_error());
    cr_assert_eq(((int64_t *)a.data)[0], -((int64_t)1 << 62));
    cr_assert_eq(((int64_t *)a.data)[1], ((int64_t)1 << 40) + 3);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("i8_scalar.npy"), &a), 0, "%s", al_last_error());
    cr_assert_eq(a.ndim, 0);
    cr_assert_eq(*(int64_t *)a.data, -7);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("u1_5.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_U8, 1, (size_t[]){5});
    cr_assert_eq(((uint8_t *)a.data)[4], 254);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("i4_3.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_I32, 1, (size_t[]){3});
    cr_assert_eq(((int32_t *)a.data)[0], INT32_MIN);
    cr_assert_eq(((int32_t *)a.data)[1], INT32_MAX);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("f4_4d.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F32, 4, (size_t[]){2, 3, 4, 5});
    cr_assert_eq(((float *)a.data)[119], 59.5f); /* C order: the last element is last */
    cr_assert_eq(((float *)a.data)[1 * 60 + 2 * 20 + 3 * 5 + 4], (60 + 40 + 15 + 4) * 0.5f);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("f4_empty.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F32, 2, (size_t[]){0, 3});
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("v2_f8.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_F64, 1, (size_t[]){4});
    cr_assert_eq(((double *)a.data)[3], 3.0);
    data_array_free(&a);

    cr_assert_eq(data_npy_read(FIXTURE("v3_i4.npy"), &a), 0, "%s", al_last_error());
    assert_shape(&a, DATA_I32, 1, (size_t[]){3});
    cr_assert_eq(((int32_t *)a.data)[2], 2);
    data_array_free(&a);
}

Test(npy, widened_integers)
{
    static const struct {
        const char *file;
        size_t n;
        int64_t v[4];
    } cases[] = {
        {FIXTURE("i1.npy"), 4, {-128, -1, 0, 127}},
        {FIXTURE("i2_be_2x2.npy"), 4, {-32768, -2, 3, 32767}},
        {FIXTURE("u2.npy"), 2, {0, 65535}},
        {FIXTURE("u4_be.npy"), 2, {4000000000, 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        data_array a;
        cr_assert_eq(data_npy_read(cases[i].file, &a), 0, "%s", al_last_error());
        cr_assert_eq(a.dtype, DATA_I64, "%s", cases[i].file);
        cr_assert_eq(data_array_count(&a), cases[i].n);
        for (size_t k = 0; k < cases[i].n; k++)
            cr_assert_eq(((int64_t *)a.data)[k], cases[i].v[k], "%s[%zu] = %lld", cases[i].file,
                         k, (long long)((int64_t *)a.data)[k]);
        data_array_free(&a);
    }
}

/* ---- malformed files ---------------------------------------------------------------------- */

Test(npy, refused_numpy_files)
{
    data_array a;
    assert_error(data_npy_read(FIXTURE("fortran.npy"), &a), AL_EFORMAT, "fortran.npy",
                 "Fortran");
    assert_error(data_npy_read(FIXTURE("bool.npy"), &a), AL_EFORMAT, "bool.npy",
                 "unsupported dtype '|b1'");
    assert_error(data_npy_read(FIXTURE("c8.npy"), &a), AL_EFORMAT, "c8.npy",
                 "unsupported dtype '<c8'");
    assert_error(data_npy_read(FIXTURE("structured.npy"), &a), AL_EFORMAT, "structured.npy",
                 "structured");
    cr_assert_null(a.data);
}

Test(npy, malformed_files)
{
    const float v[4] = {1, 2, 3, 4};
    data_array a;
    const char *good = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
    unsigned char buf[512];
    size_t n = npy_bytes(buf, 1, good, 64, v, sizeof v);

    /* wrong magic */
    buf[1] = 'X';
    write_bytes(in_dir(dir, "magic.npy"), buf, n);
    assert_error(data_npy_read(in_dir(dir, "magic.npy"), &a), AL_EFORMAT, "magic.npy",
                 "not a .npy file");
    buf[1] = 'N';
    /* unknown version */
    buf[6] = 4;
    write_bytes(in_dir(dir, "ver.npy"), buf, n);
    assert_error(data_npy_read(in_dir(dir, "ver.npy"), &a), AL_EFORMAT, "ver.npy", "version 4.0");
    buf[6] = 1;
    /* truncated: in the prefix, in the header, in the data; and too long */
    write_bytes(in_dir(dir, "t1.npy"), buf, 9);
    assert_error(data_npy_read(in_dir(dir, "t1.npy"), &a), AL_EFORMAT, "t1.npy", "truncated");
    write_bytes(in_dir(dir, "t2.npy"), buf, 40);
    assert_error(data_npy_read(in_dir(dir, "t2.npy"), &a), AL_EFORMAT, "t2.npy",
                 "truncated .npy header: 118 bytes, the file has 30");
    write_bytes(in_dir(dir, "t3.npy"), buf, n - 3);
    assert_error(data_npy_read(in_dir(dir, "t3.npy"), &a), AL_EFORMAT, "t3.npy",
                 "needs 16 bytes of data after the 128-byte header, the file has 13");
    buf[n] = 0;
    write_bytes(in_dir(dir, "long.npy"), buf, n + 1);
    assert_error(data_npy_read(in_dir(dir, "long.npy"), &a), AL_EFORMAT, "long.npy",
                 "more data than shape (4,)");
    write_bytes(in_dir(dir, "empty.npy"), buf, 0);
    assert_error(data_npy_read(in_dir(dir, "empty.npy"), &a), AL_EFORMAT, "empty.npy",
                 "not a .npy file");
    assert_error(data_npy_read(in_dir(dir, "missing.npy"), &a), AL_EIO, "missing.npy",
                 "No such file");
    cr_assert_eq(data_npy_read(NULL, &a), AL_EINVAL);
    cr_assert_eq(data_npy_read("x", NULL), AL_EINVAL);

    static const struct {
        const char *dict, *what;
    } bad[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }",
         "too large"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
         "too large"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
         "dimension too large"},
        /* a huge but representable shape is a truncated file, found without allocating it */
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }",
         "needs 8000000000000 bytes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", "negative dimension"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,4), }",
         "more than 8 dimensions"},
        {"{'descr': '<f4', 'fortran_order': True, 'shape': (4,), }", "Fortran"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }", "True or False"},
        {"{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", "unsupported dtype '<f2'"},
        {"{'descr': '<u8', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<u8'"},
        {"{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }", "unsupported dtype '<U4'"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '|O'"},
        {"{'descr': '<f4', 'shape': (4,), }", "no 'fortran_order' key"},
        {"{'fortran_order': False, 'shape': (4,), }", "no 'descr' key"},
        {"{'descr': '<f4', 'fortran_order': False, }", "no 'shape' key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
         "appears twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1, }", "unexpected key 'x'"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (4,), }", "expected ',' or '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), } junk", "unexpected text"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4,), ", "expected a quoted string"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (4,), }", "expected ':'"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (4,), }", "unsupported dtype"},
        {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (4,), }", "escape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [4], }", "must be a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4 4), }", "expected ',' or ')'"},
        {"['descr', '<f4']", "expected '{'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.npy", i);
        const char *path = write_npy(name, 1, bad[i].dict, v, sizeof v);
        assert_error(data_npy_read(path, &a), AL_EFORMAT, name, bad[i].what);
        cr_assert_null(a.data);
    }
}

Test(npy, header_length_limits)
{
    /* a version 2.0 header that claims 4 GiB */
    unsigned char buf[16] = {0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0xff, '{'};
    write_bytes(in_dir(dir, "huge.npy"), buf, sizeof buf);
    data_array a;
    assert_error(data_npy_read(in_dir(dir, "huge.npy"), &a), AL_EFORMAT, "huge.npy",
                 "header of 4294967295 bytes");
    /* a header of 0 bytes */
    unsigned char zero[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    write_bytes(in_dir(dir, "zero.npy"), zero, sizeof zero);
    assert_error(data_npy_read(in_dir(dir, "zero.npy"), &a), AL_EFORMAT, "zero.npy",
                 "expected '{'");
}
