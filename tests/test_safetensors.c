/* safetensors: the format on its own (src/data/safetensors.c): round trips, files written byte
 * by byte here in the reference's style, every kind of malformed file (each an error whose
 * message says what is wrong), and a loop of random corruptions that must never crash or read
 * out of bounds (run it under ASan). Then the model files (src/nn/files.c): torch state_dict
 * names, nn_save/nn_load/nn_load_weights with their mismatch messages, and checkpoints. */
#include "data_util.h"

#include <math.h>
#include <stdint.h>
#include <sys/stat.h>

#include "actlab/nn.h"
#include "nn/model_access.h"
#include "data/safetensors.h"

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(safetensors, .init = setup, .fini = teardown);
TestSuite(nn_files, .init = setup, .fini = teardown);

/* No temporary (.NAME.actlab-XXXXXX, src/core/atomic.h) left in the test directory. */
static void assert_no_temporaries(void)
{
    char names[4096];
    list_dir(dir, names, sizeof names);
    cr_assert_null(strstr(names, ".actlab-"), "temporary file left behind: %s", names);
}

/* An 8-byte length, the JSON as given (no padding), then n data bytes. */
static size_t st_bytes(unsigned char *out, const char *json, const void *data, size_t n)
{
    size_t len = strlen(json);
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)((uint64_t)len >> (8 * i));
    memcpy(out + 8, json, len);
    if (n)
        memcpy(out + 8 + len, data, n);
    return 8 + len + n;
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    cr_assert(b);
    cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* ---- round trips ------------------------------------------------------------------------ */

Test(safetensors, round_trip)
{
    float a[6] = {1.5f, -2.25f, 0.0f, -0.0f, 3.4028235e38f, 1e-45f}, s = 42.0f, e = 0.0f;
    a[2] = NAN;
    /* names and values with everything JSON must escape, and non-ASCII UTF-8 */
    const char *odd = "w \"q\" \\ /\n\t\x01 \xc3\xa9 \xf0\x9f\x98\x80";
    const struct data__st_entry t[4] = {
        {.name = "a", .ndim = 2, .shape = {2, 3}, .data = a},
        {.name = "scalar", .ndim = 0, .data = &s},
        {.name = "empty", .ndim = 2, .shape = {0, 4}, .data = &e},
        {.name = odd, .ndim = 1, .shape = {1}, .data = &s},
    };
    const struct data__st_kv meta[2] = {{"format", "pt"}, {odd, odd}};
    const char *path = in_dir(dir, "rt.safetensors");
    cr_assert_eq(data__st_write(path, meta, 2, t, 4), AL_OK, "%s", al_last_error());
    assert_no_temporaries();

    struct data__st_file f;
    cr_assert_eq(data__st_read(path, &f), AL_OK, "%s", al_last_error());
    cr_assert_eq(f.header_len % 8, 0, "header padded to 8 bytes: %zu", f.header_len);
    cr_assert_eq(f.n_tensors, 4);
    cr_assert_eq(f.data_size, (6 + 1 + 0 + 1) * 4);
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(f.tensors[i].name, t[i].name);
        cr_assert_eq(f.tensors[i].dtype, DATA__ST_F32);
        cr_assert_eq(f.tensors[i].ndim, t[i].ndim);
        for (int d = 0; d < t[i].ndim; d++)
            cr_assert_eq(f.tensors[i].shape[d], t[i].shape[d]);
    }
    float back[6];
    cr_assert_eq(data__st_get_f32(&f, data__st_find(&f, "a"), back), AL_OK);
    cr_assert_eq(memcmp(back, a, sizeof a), 0, "values come back bit for bit");
    cr_assert_eq(data__st_count(data__st_find(&f, "scalar")), 1);
    cr_assert_eq(data__st_count(data__st_find(&f, "empty")), 0);
    cr_assert_eq(data__st_get_f32(&f, data__st_find(&f, odd), back), AL_OK);
    cr_assert_eq(back[0], 42.0f);
    cr_assert_str_eq(data__st_meta(&f, "format"), "pt");
    cr_assert_str_eq(data__st_meta(&f, odd), odd);
    cr_assert_null(data__st_meta(&f, "missing"));
    cr_assert_null(data__st_find(&f, "missing"));
    data__st_free(&f);
    data__st_free(&f); /* freeing twice (an emptied struct) is a no-op */
    data__st_free(NULL);
}

/* The exact bytes of a small file: compact JSON, metadata first, padded with spaces. */
Test(safetensors, writer_bytes)
{
    const float x[2] = {1.0f, -2.0f};
    const struct data__st_entry t = {.name = "x", .ndim = 1, .shape = {2}, .data = x};
    const struct data__st_kv meta = {"format", "pt"};
    const char *path = in_dir(dir, "x.safetensors");
    cr_assert_eq(data__st_write(path, &meta, 1, &t, 1), AL_OK);
    size_t n;
    unsigned char *b = read_all(path, &n);
    const char *json = "{\"__metadata__\":{\"format\":\"pt\"},"
                       "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    size_t len = strlen(json), padded = (len + 7) / 8 * 8;
    cr_assert_eq(n, 8 + padded + 8);
    cr_assert_eq(b[0], padded);
    for (int i = 1; i < 8; i++)
        cr_assert_eq(b[i], 0);
    cr_assert_eq(memcmp(b + 8, json, len), 0, "header: %.*s", (int)padded, b + 8);
    for (size_t i = len; i < padded; i++)
        cr_assert_eq(b[8 + i], ' ');
    const unsigned char le[8] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}; /* 1.0f, -2.0f */
    cr_assert_eq(memcmp(b + 8 + padded, le, 8), 0, "little-endian data");
    free(b);
}

/* A file as other writers make it: white space, keys in another order, escapes, surrogate
 * pairs, dtypes other than F32 (parsed and size-checked, but not readable as floats). */
Test(safetensors, foreign_file)
{
    const char *json =
        "{\n  \"b\\u00e9\\ud83d\\ude00\\/\" : { \"data_offsets\" : [ 0 , 4 ] ,\n"
        "    \"shape\": [2], \"dtype\": \"F16\" },\n"
        "  \"i\": {\"dtype\": \"I64\", \"shape\": [1, 1], \"data_offsets\": [4, 12]},\n"
        "  \"m\": {\"dtype\": \"BOOL\", \"shape\": [], \"data_offsets\": [12, 13]},\n"
        "  \"z\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [13, 13]},\n"
        "  \"__metadata__\": {\"k\": \"v\\n\\\"\"}\n}\n   ";
    unsigned char b[1024], data[13] = {0};
    size_t n = st_bytes(b, json, data, sizeof data);
    struct data__st_file f;
    cr_assert_eq(data__st_parse("foreign", b, n, &f), AL_OK, "%s", al_last_error());
    cr_assert_eq(f.n_tensors, 4);
    cr_assert_str_eq(f.tensors[0].name, "b\xc3\xa9\xf0\x9f\x98\x80/");
    cr_assert_eq(f.tensors[0].dtype, DATA__ST_F16);
    cr_assert_eq(f.tensors[1].dtype, DATA__ST_I64);
    cr_assert_eq(f.tensors[2].ndim, 0);
    cr_assert_str_eq(data__st_meta(&f, "k"), "v\n\"");
    float out[2];
    assert_error(data__st_get_f32(&f, &f.tensors[0], out), AL_EUNSUPPORTED, "foreign", "dtype F16");
    cr_assert(strstr(al_last_error(), f.tensors[0].name));
    data__st_free(&f);

    /* "__metadata__": null, and an empty file (no tensors, no data) */
    n = st_bytes(b, "{\"__metadata__\":null}", NULL, 0);
    cr_assert_eq(data__st_parse("null", b, n, &f), AL_OK, "%s", al_last_error());
    cr_assert_eq(f.n_tensors + f.n_meta, 0);
    data__st_free(&f);
}

/* ---- malformed files -------------------------------------------------------------------- */

#define A "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"

static const struct bad_case {
    const char *json;
    size_t data; /* bytes of data after the header */
    int status;
    const char *what;
} bad_cases[] = {
    {"{" A, 8, AL_EFORMAT, "expected ',' or '}' after a tensor entry"},
    {"{\"a\" {}}", 0, AL_EFORMAT, "expected ':' after a tensor name"},
    {"{" A ",}", 8, AL_EFORMAT, "expected a string"},
    {"{\"a", 0, AL_EFORMAT, "unterminated string"},
    {"{\"a\\", 0, AL_EFORMAT, "unterminated string"},
    {"{\"a\\x\":{}}", 0, AL_EFORMAT, "unknown escape '\\x'"},
    {"{\"a\tb\":{}}", 0, AL_EFORMAT, "control character 0x09"},
    {"{" A "} x", 8, AL_EFORMAT, "unexpected text after the JSON object"},
    {"{" A "}{}", 8, AL_EFORMAT, "unexpected text after the JSON object"},
    {"{\"\\udc00\":{}}", 0, AL_EFORMAT, "lone low surrogate"},
    {"{\"\\ud83dx\":{}}", 0, AL_EFORMAT, "without its low half"},
    {"{\"\\ud83d\\u0041\":{}}", 0, AL_EFORMAT, "followed by \\u0041"},
    {"{\"a\\u0000\":{}}", 0, AL_EFORMAT, "\\u0000"},
    {"{\"\\u12g4\":{}}", 0, AL_EFORMAT, "four hex digits"},
    {"{\"\\u12", 0, AL_EFORMAT, "four hex digits"},
    {"{\"a\":5}", 0, AL_EFORMAT, "expected '{' to open a tensor entry"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "leading zero"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "must not be negative"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "whole number"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2e0],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "whole number"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,8]}}", 8,
     AL_EFORMAT, "a dimension is too large"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "expected a dimension"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "expected '[' to open \"shape\""},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"foo\":1}}", 8, AL_EFORMAT,
     "tensor \"a\": unknown key \"foo\""},
    {"{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
     AL_EFORMAT, "\"dtype\" appears twice"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, AL_EFORMAT, "has no \"data_offsets\""},
    {"{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT, "has no \"dtype\""},
    {"{\"a\":{}}", 0, AL_EFORMAT, "has no \"dtype\""},
    {"{\"a\":{\"dtype\":\"F12\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "tensor \"a\" has unknown dtype \"F12\""},
    {"{\"a\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "unknown dtype \"f32\""},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,2],\"data_offsets\":[0,8]}}", 8,
     AL_EUNSUPPORTED, "more than 8 dimensions"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,9]}}", 8, AL_EFORMAT,
     "[begin, end]"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8, AL_EFORMAT,
     "between the two data offsets"},
    {"{\"__metadata__\":{\"k\":1}}", 0, AL_EFORMAT, "values must be strings (\"k\""},
    {"{\"__metadata__\":{\"k\":\"v\",}}", 0, AL_EFORMAT, "expected a string"},
    {"{\"__metadata__\":{},\"__metadata__\":{}}", 0, AL_EFORMAT,
     "\"__metadata__\" appears twice"},
    {"{\"__metadata__\":[]}", 0, AL_EFORMAT, "to open \"__metadata__\""},
    /* offsets and sizes */
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, AL_EFORMAT,
     "tensor \"a\": data_offsets [0, 16] go past the end of the data (8 bytes"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, AL_EFORMAT,
     "data_offsets [8, 0] end before they begin"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "tensor \"a\": shape [3] of F32 needs 12 bytes, but data_offsets [0, 8] hold 8"},
    {"{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "shape [2] of F64 needs 16 bytes"},
    {"{" A ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, AL_EFORMAT,
     "tensors \"a\" [0, 8) and \"b\" [4, 12) overlap"},
    {"{" A ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, AL_EFORMAT,
     "overlap"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, AL_EFORMAT,
     "bytes [4, 8) of the data belong to no tensor (a gap before \"b\")"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, AL_EFORMAT,
     "bytes [0, 4) of the data belong to no tensor"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8, AL_EFORMAT,
     "4 bytes of data after the last tensor"},
    {"{}", 4, AL_EFORMAT, "4 bytes of data after the last tensor"},
    {"{" A "," A "}", 8, AL_EFORMAT, "tensor \"a\" appears twice"},
    {"{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, AL_EFORMAT,
     "metadata key \"k\" appears twice"},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,8]}}", 8,
     AL_EFORMAT, "shape [4294967296, 4294967296, 16] is too large"},
    /* encoding and the start of the header */
    {"{\"\xff\":{}}", 0, AL_EFORMAT, "not valid UTF-8 (byte 10)"},
    {"{\"\xc0\xaf\":{}}", 0, AL_EFORMAT, "not valid UTF-8"},         /* overlong '/' */
    {"{\"\xed\xa0\x80\":{}}", 0, AL_EFORMAT, "not valid UTF-8"},     /* a surrogate */
    {"{\"\xf4\x90\x80\x80\":{}}", 0, AL_EFORMAT, "not valid UTF-8"}, /* above U+10FFFF */
    {"{\"\xe2\x82\":{}}", 0, AL_EFORMAT, "not valid UTF-8"},         /* cut short */
    {"[]", 0, AL_EFORMAT, "does not start with '{'"},
    {" {}", 0, AL_EFORMAT, "does not start with '{'"},
    {"{", 0, AL_EFORMAT, "does not start with '{'"},
};

Test(safetensors, malformed)
{
    static const unsigned char zeros[64];
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        unsigned char b[512];
        size_t n = st_bytes(b, c->json, zeros, c->data);
        struct data__st_file f;
        int rc = data__st_parse("bad.safetensors", b, n, &f);
        cr_assert_eq(rc, c->status, "case %zu (%s): status %d, expected %d; message: %s", i,
                     c->json, rc, c->status, al_last_error());
        cr_assert(strstr(al_last_error(), "bad.safetensors"), "case %zu: %s", i,
                  al_last_error());
        cr_assert(strstr(al_last_error(), c->what), "case %zu (%s): message lacks '%s': %s", i,
                  c->json, c->what, al_last_error());
        cr_assert(!f.tensors && !f.meta && !f.arena, "case %zu: nothing kept on error", i);
        data__st_free(&f);
    }
}

/* Where the byte offset in a syntax error points. */
Test(safetensors, error_offsets)
{
    unsigned char b[64];
    size_t n = st_bytes(b, "{\"a\"  x", NULL, 0);
    struct data__st_file f;
    assert_error(data__st_parse("o", b, n, &f), AL_EFORMAT, "o", "at byte 14: expected ':'");
}

Test(safetensors, header_length)
{
    unsigned char b[64] = {0};
    struct data__st_file f;
    assert_error(data__st_parse("s", b, 5, &f), AL_EFORMAT, "s", "5 bytes: too short");
    assert_error(data__st_parse("s", b, 0, &f), AL_EFORMAT, "s", "0 bytes: too short");

    size_t n = st_bytes(b, "{}", NULL, 0);
    b[0] = 200; /* longer than the file */
    assert_error(data__st_parse("s", b, n, &f), AL_EFORMAT, "s",
                 "header length 200 is larger than the rest of the file (2 bytes)");
    memset(b, 0xff, 8); /* 2^64 - 1 */
    assert_error(data__st_parse("s", b, n, &f), AL_EFORMAT, "s", "over the format's limit");
    b[0] = 0x01, b[1] = 0xe1, b[2] = 0xf5, b[3] = 0x05; /* 100000001 */
    memset(b + 4, 0, 4);
    assert_error(data__st_parse("s", b, n, &f), AL_EFORMAT, "s", "header length 100000001");
    memset(b, 0, 8); /* empty header */
    assert_error(data__st_parse("s", b, n, &f), AL_EFORMAT, "s", "does not start with '{'");
}

/* Files on disk: a missing file, and a valid file cut short anywhere. */
Test(safetensors, truncated_files)
{
    struct data__st_file f;
    const char *missing = in_dir(dir, "missing.safetensors");
    assert_error(data__st_read(missing, &f), AL_EIO, missing, "No such file");

    float x[4] = {1, 2, 3, 4};
    const struct data__st_entry t[2] = {{.name = "x", .ndim = 1, .shape = {2}, .data = x},
                                      {.name = "y", .ndim = 1, .shape = {2}, .data = x + 2}};
    const char *path = in_dir(dir, "full.safetensors");
    cr_assert_eq(data__st_write(path, NULL, 0, t, 2), AL_OK);
    size_t n;
    unsigned char *b = read_all(path, &n);
    const char *cut = in_dir(dir, "cut.safetensors");
    for (size_t len = 0; len < n; len++) {
        write_bytes(cut, b, len);
        int rc = data__st_read(cut, &f);
        cr_assert_eq(rc, AL_EFORMAT, "cut at %zu of %zu: status %d", len, n, rc);
        cr_assert(strstr(al_last_error(), cut), "%s", al_last_error());
        const char *why = len < 8 ? "too short" : len < 8 + (size_t)b[0] ? "larger than the rest"
                          : len < n - 8 ? "\"x\": data_offsets [0, 8] go past the end"
                                        : "\"y\": data_offsets [8, 16] go past the end";
        cr_assert(strstr(al_last_error(), why), "cut at %zu: message lacks '%s': %s", len, why,
                  al_last_error());
    }
    free(b);
}

/* ---- writing ---------------------------------------------------------------------------- */

Test(safetensors, write_errors)
{
    float x = 1;
    struct data__st_entry t[2] = {{.name = "x", .ndim = 1, .shape = {1}, .data = &x},
                                {.name = "x", .ndim = 1, .shape = {1}, .data = &x}};
    const char *path = in_dir(dir, "w.safetensors");
    assert_error(data__st_write(path, NULL, 0, t, 2), AL_EINVAL, path, "tensor x given twice");
    t[1].name = "__metadata__";
    assert_error(data__st_write(path, NULL, 0, t, 2), AL_EINVAL, path, "cannot name a tensor");
    t[1].name = "\xff";
    assert_error(data__st_write(path, NULL, 0, t, 2), AL_EINVAL, path, "not valid UTF-8");
    const struct data__st_kv meta[2] = {{"k", "1"}, {"k", "2"}};
    assert_error(data__st_write(path, meta, 2, t, 1), AL_EINVAL, path, "\"k\" given twice");
    assert_no_temporaries();
    cr_assert_eq(access(path, F_OK), -1, "nothing written on error");

    const char *nodir = in_dir(dir, "no/such/dir.safetensors");
    assert_error(data__st_write(nodir, NULL, 0, t, 1), AL_EIO, nodir, "No such file");

    /* the rename fails (a directory is in the way): the temporary must go */
    const char *sub = in_dir(dir, "sub");
    cr_assert_eq(mkdir(sub, 0700), 0);
    char keep[512];
    snprintf(keep, sizeof keep, "%s", sub);
    assert_error(data__st_write(keep, NULL, 0, t, 1), AL_EIO, keep, "cannot write");
    assert_no_temporaries();
    rmdir(keep);

    /* an existing file is replaced whole */
    cr_assert_eq(data__st_write(path, NULL, 0, t, 1), AL_OK);
    x = 2;
    cr_assert_eq(data__st_write(path, meta, 1, t, 1), AL_OK);
    struct data__st_file f;
    cr_assert_eq(data__st_read(path, &f), AL_OK);
    float back;
    data__st_get_f32(&f, &f.tensors[0], &back);
    cr_assert_eq(back, 2.0f);
    cr_assert_str_eq(data__st_meta(&f, "k"), "1");
    data__st_free(&f);
    assert_no_temporaries();
}

/* ---- random corruptions ----------------------------------------------------------------- */

/* A valid file is mutated at random (bit flips, JSON punctuation dropped in, digits changed,
 * the length field rewritten, cut short, a slice duplicated): the parser must fail cleanly or
 * return a file whose tensors all lie inside the data. ASan/UBSan builds check the reads. */
Test(safetensors, corruption_never_crashes, .timeout = 120)
{
    float w[12];
    for (int i = 0; i < 12; i++)
        w[i] = (float)i - 5.5f;
    const struct data__st_entry t[4] = {
        {.name = "0.weight", .ndim = 2, .shape = {2, 3}, .data = w},
        {.name = "0.bias", .ndim = 1, .shape = {2}, .data = w + 6},
        {.name = "s", .ndim = 0, .data = w + 8},
        {.name = "3.weight", .ndim = 3, .shape = {1, 1, 3}, .data = w + 9},
    };
    const struct data__st_kv meta[2] = {{"actlab_spec", "dense(2) \"x\\\""}, {"format", "pt"}};
    const char *path = in_dir(dir, "base.safetensors");
    cr_assert_eq(data__st_write(path, meta, 2, t, 4), AL_OK);
    size_t n;
    unsigned char *base = read_all(path, &n);
    unsigned char *b = malloc(2 * n + 16);
    static const char punct[] = "{}[]\":,\\ 0123456789-.eEu";
    al_rng r;
    al_rng_seed(&r, 20240601);
    size_t ok = 0, iters = 40000;
    for (size_t it = 0; it < iters; it++) {
        memcpy(b, base, n);
        size_t len = n;
        int muts = 1 + (int)al_rng_range(&r, 0, 3);
        for (int k = 0; k < muts; k++) {
            size_t at = (size_t)al_rng_range(&r, 0, (int64_t)len);
            switch (al_rng_range(&r, 0, 7)) {
            case 0: b[at] ^= (unsigned char)(1u << al_rng_range(&r, 0, 8)); break;
            case 1: b[at] = (unsigned char)punct[al_rng_range(&r, 0, sizeof punct - 1)]; break;
            case 2: b[at] = (unsigned char)al_rng_range(&r, 0, 256); break;
            case 3: len = (size_t)al_rng_range(&r, 0, (int64_t)len + 1); break;
            case 4: { /* a new header length near the real one */
                uint64_t h = (uint64_t)(b[0] | b[1] << 8) + (uint64_t)al_rng_range(&r, -24, 25);
                for (int i = 0; i < 8; i++)
                    b[i] = (unsigned char)(h >> (8 * i));
                break;
            }
            case 5: { /* duplicate a slice in place (the file grows) */
                size_t from = (size_t)al_rng_range(&r, 0, (int64_t)len);
                size_t k2 = (size_t)al_rng_range(&r, 0, (int64_t)(len - from) + 1);
                if (len + k2 <= 2 * n + 16) {
                    memmove(b + at + k2, b + at, len - at);
                    memmove(b + at, b + (from < at ? from : from + k2), k2);
                    len += k2;
                }
                break;
            }
            default: /* a digit of the header changed: offsets and shapes */
                for (size_t p = at; p < len && p < 8 + 4096; p++)
                    if (b[p] >= '0' && b[p] <= '9') {
                        b[p] = (unsigned char)('0' + al_rng_range(&r, 0, 10));
                        break;
                    }
            }
            if (len == 0)
                break;
        }
        /* an exact-size copy, so ASan sees any read past the end */
        unsigned char *exact = malloc(len ? len : 1);
        memcpy(exact, b, len);
        struct data__st_file f;
        if (data__st_parse("fuzz", exact, len, &f) == AL_OK) {
            ok++;
            size_t total = 0;
            for (size_t i = 0; i < f.n_tensors; i++) {
                const struct data__st_tensor *x = &f.tensors[i];
                cr_assert(x->begin <= x->end && x->end <= f.data_size);
                cr_assert_eq(x->end - x->begin, data__st_count(x) * data__st_dtype_size(x->dtype));
                total += x->end - x->begin;
                if (x->dtype == DATA__ST_F32 && data__st_count(x) <= 12) {
                    float tmp[12];
                    cr_assert_eq(data__st_get_f32(&f, x, tmp), AL_OK);
                }
            }
            cr_assert_eq(total, f.data_size, "the tensors tile the data");
            cr_assert(f.data + f.data_size == exact + len);
        } else {
            cr_assert(al_last_error()[0], "an error always has a message");
        }
        data__st_free(&f);
        free(exact);
    }
    cr_log_info("corruption loop: %zu of %zu mutated files still parsed", ok, iters);
    free(b);
    free(base);
}

/* ---- model files ------------------------------------------------------------------------ */

static nn_model *make_model(const char *spec, nn_shape in, uint64_t seed)
{
    al_rng r;
    al_rng_seed(&r, seed);
    nn_model *m = NULL;
    int rc = nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &m);
    cr_assert_eq(rc, AL_OK, "nn_model_create(%s): %s", spec, al_last_error());
    return m;
}

static nn_shape shape3(size_t c, size_t h, size_t w)
{
    return (nn_shape){3, {c, h, w}};
}

static nn_shape shape1(size_t f)
{
    return (nn_shape){1, {f}};
}

static void assert_same_params(nn_model *a, nn_model *b)
{
    float *wa, *wb, *g;
    size_t na = nn_params(a, &wa, &g), nb = nn_params(b, &wb, &g);
    cr_assert_eq(na, nb);
    cr_assert_eq(memcmp(wa, wb, na * sizeof *wa), 0, "weights differ");
}

/* LeNet-5's torch.nn.Sequential: conv ReLU pool conv ReLU pool conv ReLU flatten linear ReLU
 * linear softmax, so the parameters are modules 0, 3, 6, 9 and 11. */
Test(nn_files, lenet_names)
{
    nn_model *m = make_model("lenet5", shape3(3, 32, 32), 1);
    const char *path = in_dir(dir, "lenet.safetensors");
    cr_assert_eq(nn_save(m, path), AL_OK, "%s", al_last_error());
    assert_no_temporaries();
    struct data__st_file f;
    cr_assert_eq(data__st_read(path, &f), AL_OK, "%s", al_last_error());
    static const struct {
        const char *name;
        const char *shape;
    } want[] = {
        {"0.weight", "[6, 3, 5, 5]"},  {"0.bias", "[6]"},  {"3.weight", "[16, 6, 5, 5]"},
        {"3.bias", "[16]"},            {"6.weight", "[120, 16, 5, 5]"},
        {"6.bias", "[120]"},           {"9.weight", "[84, 7680]"},
        {"9.bias", "[84]"},            {"11.weight", "[10, 84]"}, {"11.bias", "[10]"},
    };
    cr_assert_eq(f.n_tensors, 10);
    for (size_t i = 0; i < 10; i++) {
        char s[64];
        cr_assert_str_eq(f.tensors[i].name, want[i].name);
        cr_assert_str_eq(data__st_format_shape(f.tensors[i].ndim, f.tensors[i].shape, s, sizeof s),
                         want[i].shape, "%s", want[i].name);
    }
    cr_assert_str_eq(data__st_meta(&f, "actlab_spec"), nn_model_spec(m));
    cr_assert_str_eq(data__st_meta(&f, "input_shape"), "3,32,32");
    cr_assert_str_eq(data__st_meta(&f, "format"), "pt");
    cr_assert_eq(f.data_size, nn_model_param_count(m) * 4);
    data__st_free(&f);
    nn_model_free(m);
}

/* Module numbering of the other kinds: each is one module, a fused activation one more. */
Test(nn_files, module_numbering)
{
    nn_model *m = make_model("dense(4,activation=relu) dropout(0.5) dense(3) prelu "
                             "activation(tanh) maxout(3) dense(2,activation=identity) "
                             "dense(1,bias=0)", shape1(5), 2);
    const char *path = in_dir(dir, "mlp.safetensors");
    cr_assert_eq(nn_save(m, path), AL_OK, "%s", al_last_error());
    struct data__st_file f;
    cr_assert_eq(data__st_read(path, &f), AL_OK);
    /* 0 dense, 1 relu, 2 dropout, 3 dense, 4 prelu, 5 tanh, 6 maxout, 7 dense (identity:
     * no module), 8 dense without bias */
    static const char *const want[] = {"0.weight", "0.bias", "3.weight", "3.bias", "4.weight",
                                       "7.weight", "7.bias", "8.weight"};
    cr_assert_eq(f.n_tensors, 8);
    for (size_t i = 0; i < 8; i++)
        cr_assert_str_eq(f.tensors[i].name, want[i]);
    data__st_free(&f);
    nn_model_free(m);
}

Test(nn_files, save_load_round_trip)
{
    nn_model *m = make_model("lenet5", shape3(1, 28, 28), 3);
    const char *path = in_dir(dir, "m.safetensors");
    cr_assert_eq(nn_save(m, path), AL_OK, "%s", al_last_error());

    nn_model *back = NULL;
    cr_assert_eq(nn_load(path, &back), AL_OK, "%s", al_last_error());
    cr_assert_str_eq(nn_model_spec(back), nn_model_spec(m));
    nn_shape in = nn_model_input_shape(back);
    cr_assert(in.ndim == 3 && in.d[0] == 1 && in.d[1] == 28 && in.d[2] == 28);
    assert_same_params(m, back);

    /* into a model made with other weights */
    nn_model *other = make_model("lenet5", shape3(1, 28, 28), 99);
    cr_assert_eq(nn_load_weights(other, path), AL_OK, "%s", al_last_error());
    assert_same_params(m, other);

    /* the same predictions */
    float x[2 * 784], y1[20], y2[20];
    for (int i = 0; i < 2 * 784; i++)
        x[i] = (float)((i * 37) % 101) / 101.0f;
    cr_assert_eq(nn_forward(m, x, y1, 2, 0), AL_OK, "%s", al_last_error());
    cr_assert_eq(nn_forward(back, x, y2, 2, 0), AL_OK, "%s", al_last_error());
    cr_assert_eq(memcmp(y1, y2, sizeof y1), 0);
    nn_model_free(m);
    nn_model_free(back);
    nn_model_free(other);
    assert_no_temporaries();
}

/* A fused activation and a separate activation layer are the same torch modules. */
Test(nn_files, fused_equals_separate)
{
    nn_model *a = make_model("dense(4,activation=relu) dense(2)", shape1(3), 4);
    nn_model *b = make_model("dense(4) activation(relu) dense(2)", shape1(3), 5);
    const char *path = in_dir(dir, "a.safetensors");
    cr_assert_eq(nn_save(a, path), AL_OK);
    cr_assert_eq(nn_load_weights(b, path), AL_OK, "%s", al_last_error());
    assert_same_params(a, b);
    nn_model_free(a);
    nn_model_free(b);
}

static void snapshot(nn_model *m, float **copy, size_t *n)
{
    float *w, *g;
    *n = nn_params(m, &w, &g);
    *copy = malloc(*n * sizeof **copy + 1);
    memcpy(*copy, w, *n * sizeof **copy);
}

static void assert_unchanged(nn_model *m, const float *copy, size_t n)
{
    float *w, *g;
    cr_assert_eq(nn_params(m, &w, &g), n);
    cr_assert_eq(memcmp(w, copy, n * sizeof *w), 0, "a failed load changed the weights");
}

Test(nn_files, mismatches)
{
    nn_model *big = make_model("lenet5", shape3(3, 32, 32), 6);
    const char *lenet = in_dir(dir, "lenet.safetensors");
    cr_assert_eq(nn_save(big, lenet), AL_OK);
    float *copy;
    size_t n;

    /* the same layers for smaller images: only the flattened width differs */
    nn_model *small = make_model("lenet5", shape3(3, 28, 28), 7);
    snapshot(small, &copy, &n);
    assert_error(nn_load_weights(small, lenet), AL_ESHAPE, "lenet.safetensors",
                 "9.weight has shape [84, 7680], the model expects [84, 5880]");
    cr_assert_null(strstr(al_last_error(), "more"), "one mismatch: %s", al_last_error());
    assert_unchanged(small, copy, n);
    free(copy);
    nn_model_free(small);

    /* grey images: the first conv differs too; the first mismatch is named, the rest counted */
    nn_model *grey = make_model("lenet5", shape3(1, 28, 28), 8);
    snapshot(grey, &copy, &n);
    assert_error(nn_load_weights(grey, lenet), AL_ESHAPE, "lenet.safetensors",
                 "0.weight has shape [6, 3, 5, 5], the model expects [6, 1, 5, 5] (and 1 more "
                 "mismatch)");
    assert_unchanged(grey, copy, n);
    free(copy);
    nn_model_free(grey);

    /* missing and unexpected tensors */
    nn_model *two = make_model("dense(4,activation=relu) dense(2)", shape1(3), 9);
    nn_model *three = make_model("dense(4,activation=relu) dense(2) dense(2)", shape1(3), 10);
    const char *p2 = in_dir(dir, "two.safetensors"), *p3 = in_dir(dir, "three.safetensors");
    cr_assert_eq(nn_save(two, p2), AL_OK);
    cr_assert_eq(nn_save(three, p3), AL_OK);
    snapshot(three, &copy, &n);
    assert_error(nn_load_weights(three, p2), AL_ENAME, "two.safetensors",
                 "no tensor 3.weight (the model expects [2, 2]) (and 1 more mismatch); the file "
                 "was saved from the model \"dense(4");
    assert_unchanged(three, copy, n);
    free(copy);
    assert_error(nn_load_weights(two, p3), AL_ENAME, "three.safetensors",
                 "unexpected tensor 3.weight [2, 2]: the model has no such parameter");
    nn_model_free(two);
    nn_model_free(three);
    nn_model_free(big);
}

/* Files written by hand: a tensor of another dtype, metadata missing or wrong. */
Test(nn_files, foreign_files)
{
    nn_model *m = make_model("dense(2,bias=0)", shape1(1), 11);
    unsigned char b[512], data[16] = {0};
    const char *path = in_dir(dir, "f64.safetensors");
    size_t n = st_bytes(b, "{\"0.weight\":{\"dtype\":\"F64\",\"shape\":[2,1],"
                           "\"data_offsets\":[0,16]}}", data, 16);
    write_bytes(path, b, n);
    assert_error(nn_load_weights(m, path), AL_EUNSUPPORTED, path,
                 "0.weight has dtype F64, the model holds F32");
    nn_model *back = (nn_model *)1;
    assert_error(nn_load(path, &back), AL_EFORMAT, path, "no actlab_spec in its __metadata__");
    cr_assert_null(back);

    n = st_bytes(b, "{\"__metadata__\":{\"actlab_spec\":\"dense(\",\"input_shape\":\"1\"},"
                    "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]}}",
                 data, 8);
    write_bytes(path, b, n);
    cr_assert_eq(nn_load_weights(m, path), AL_OK, "%s", al_last_error());
    cr_assert_neq(nn_load(path, &back), AL_OK);
    cr_assert(strstr(al_last_error(), "cannot build the model of its actlab_spec \"dense(\""),
              "%s", al_last_error());

    n = st_bytes(b, "{\"__metadata__\":{\"actlab_spec\":\"dense(2,bias=0)\",\"input_shape\":"
                    "\"1,x\"},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,1],"
                    "\"data_offsets\":[0,8]}}", data, 8);
    write_bytes(path, b, n);
    assert_error(nn_load(path, &back), AL_EFORMAT, path, "input_shape \"1,x\"");

    assert_error(nn_load_weights(m, in_dir(dir, "none.safetensors")), AL_EIO, "none", "No such");
    nn_model_free(m);
}

Test(nn_files, checkpoint_round_trip)
{
    nn_model *m = make_model("dense(3,activation=tanh) dense(2)", shape1(4), 12);
    size_t n = nn_model_param_count(m);
    for (int k = 0; k < 2; k++) {
        float *mom = nn__model_moment(m, k);
        cr_assert_not_null(mom);
        for (size_t i = 0; i < n; i++)
            mom[i] = (float)(k + 1) * 0.01f * (float)i - 0.05f;
    }
    nn_optimizer o;
    cr_assert_eq(nn_optimizer_init(&o, "adamw"), AL_OK, "%s", al_last_error());
    o.lr = 0.003f;
    o.eps = 1e-7f;
    o.step = 1234;
    al_rng r;
    al_rng_seed(&r, 77);
    al_rng_next(&r);
    const char *path = in_dir(dir, "ckpt.safetensors");
    cr_assert_eq(nn_checkpoint_save(m, &o, 7, &r, path), AL_OK, "%s", al_last_error());
    assert_no_temporaries();

    nn_model *back = NULL;
    nn_optimizer o2;
    al_rng r2;
    long epoch = -1;
    cr_assert_eq(nn_checkpoint_load(path, &back, &o2, &epoch, &r2), AL_OK, "%s",
                 al_last_error());
    cr_assert_eq(epoch, 7);
    cr_assert_eq(memcmp(&r, &r2, sizeof r), 0, "rng state");
    cr_assert_eq(o2.kind, o.kind);
    cr_assert_eq(o2.lr, o.lr);
    cr_assert_eq(o2.momentum, o.momentum);
    cr_assert_eq(o2.weight_decay, o.weight_decay);
    cr_assert_eq(o2.nesterov, o.nesterov);
    cr_assert_eq(o2.beta1, o.beta1);
    cr_assert_eq(o2.beta2, o.beta2);
    cr_assert_eq(o2.eps, o.eps);
    cr_assert_eq(o2.step, o.step);
    assert_same_params(m, back);
    for (int k = 0; k < 2; k++)
        cr_assert_eq(memcmp(nn__model_moment(m, k), nn__model_moment(back, k), n * 4), 0,
                     "moment %d", k);

    /* a checkpoint is also a weights file */
    nn_model *w = make_model("dense(3,activation=tanh) dense(2)", shape1(4), 13);
    cr_assert_eq(nn_load_weights(w, path), AL_OK, "%s", al_last_error());
    assert_same_params(m, w);
    nn_model *plain = NULL;
    cr_assert_eq(nn_load(path, &plain), AL_OK, "%s", al_last_error());

    /* but a weights file is not a checkpoint */
    const char *wpath = in_dir(dir, "w.safetensors");
    cr_assert_eq(nn_save(m, wpath), AL_OK);
    nn_model *none = (nn_model *)1;
    assert_error(nn_checkpoint_load(wpath, &none, &o2, &epoch, &r2), AL_EFORMAT, wpath,
                 "not a checkpoint (it has no \"optimizer\" metadata)");
    cr_assert_null(none);
    cr_assert_eq(epoch, 7, "outputs untouched on error");
    nn_model_free(m);
    nn_model_free(back);
    nn_model_free(w);
    nn_model_free(plain);
}

/* A checkpoint whose metadata was edited by hand: each field is checked. */
Test(nn_files, checkpoint_bad_metadata)
{
    nn_model *m = make_model("dense(2)", shape1(2), 14);
    float *w, *g;
    size_t n = nn_params(m, &w, &g);
    static const struct {
        const char *key, *value, *what;
    } cases[] = {
        {"optimizer", "adam lr=0.1", "optimizer \"adam lr=0.1\""},
        {"optimizer", "lion lr=0.1 momentum=0 weight_decay=0 nesterov=0 beta1=0.9 beta2=0.99 "
                      "eps=1e-08 step=1", "KIND one of sgd, adam"},
        {"optimizer", "sgd lr=x momentum=0 weight_decay=0 nesterov=0 beta1=0.9 beta2=0.99 "
                      "eps=1e-08 step=1", "optimizer \"sgd lr=x"},
        {"rng", "123", "rng \"123\""},
        {"rng", "0000000000000000,0000000000000000,0000000000000000,0000000000000000",
         "not all zero"},
        {"epoch", "-3", "epoch \"-3\""},
    };
    float *zeros = calloc(n, sizeof *zeros);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct data__st_kv meta[6] = {
            {"actlab_spec", nn_model_spec(m)}, {"input_shape", "2"},
            {"epoch", "1"},
            {"optimizer", "sgd lr=0.1 momentum=0.9 weight_decay=0 nesterov=0 beta1=0.9 "
                          "beta2=0.999 eps=1e-08 step=3"},
            {"rng", "0000000000000001,0000000000000002,0000000000000003,0000000000000004"},
        };
        for (int k = 0; k < 5; k++)
            if (strcmp(meta[k].key, cases[i].key) == 0)
                meta[k].value = cases[i].value;
        const struct data__st_entry t[4] = {
            {.name = "0.weight", .ndim = 2, .shape = {2, 2}, .data = w},
            {.name = "0.bias", .ndim = 1, .shape = {2}, .data = w + 4},
            {.name = "optimizer.m", .ndim = 1, .shape = {n}, .data = zeros},
            {.name = "optimizer.v", .ndim = 1, .shape = {n}, .data = zeros},
        };
        const char *path = in_dir(dir, "c.safetensors");
        cr_assert_eq(data__st_write(path, meta, 5, t, 4), AL_OK);
        nn_model *back = NULL;
        nn_optimizer o;
        long epoch;
        al_rng r;
        cr_assert_eq(nn_checkpoint_load(path, &back, &o, &epoch, &r), AL_EFORMAT,
                     "case %zu: %s", i, al_last_error());
        cr_assert(strstr(al_last_error(), cases[i].what), "case %zu: message lacks '%s': %s",
                  i, cases[i].what, al_last_error());
        cr_assert_null(back);
    }
    free(zeros);
    nn_model_free(m);
}
