/* Hostile model files and API misuse (issue 12): sizes that come from a spec, a file's
 * metadata or a caller are checked before anything is allocated or indexed.
 *
 * Model files are crafted here with a tiny safetensors writer (header only, or a few small
 * tensors); the cases that used to allocate gigabytes run under a memory cap (RLIMIT_AS in a
 * plain build, ASan's max_allocation_size_mb in a sanitized one), so a regression fails
 * instead of stalling. Criterion runs each test in a process of its own, so the cap ends
 * with the test. */
#include "data_util.h"

#include <math.h>
#include <stdint.h>
#include <sys/resource.h>

#include "actlab/act.h"
#include "actlab/nn.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
/* ASan reserves terabytes of address space, so RLIMIT_AS cannot cap it; its own allocator
 * limit can: an allocation above 256 MiB returns NULL instead. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "max_allocation_size_mb=256:allocator_may_return_null=1";
}
#endif

static char dir[64];
static void setup(void)
{
    tmp_dir(dir);
}
static void teardown(void)
{
    rm_dir(dir);
}
TestSuite(hostile_model, .init = setup, .fini = teardown);
TestSuite(hostile_act);

/* At most 256 MiB more address space from here on (a plain build; see __asan_default_options
 * for a sanitized one). */
static void cap_memory(void)
{
#ifndef UNDER_ASAN
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    cr_assert(f && fscanf(f, "%lu", &pages) == 1, "cannot read /proc/self/statm");
    fclose(f);
    rlim_t cap = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)256 << 20);
    struct rlimit r = {cap, cap};
    cr_assert(setrlimit(RLIMIT_AS, &r) == 0, "setrlimit");
#endif
}

/* A safetensors file: the 8-byte length, then "{" meta "," tensors "}", where meta is the
 * body of __metadata__; data (n bytes) follows. Returns the path. */
static const char *write_st(const char *name, const char *meta, const char *tensors,
                            const void *data, size_t n)
{
    char json[2048];
    snprintf(json, sizeof json, "{\"__metadata__\":{%s}%s%s}", meta, tensors[0] ? "," : "",
             tensors);
    size_t len = strlen(json);
    const char *path = in_dir(dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f, "cannot write %s", path);
    for (int i = 0; i < 8; i++)
        fputc((int)((uint64_t)len >> (8 * i)) & 0xff, f);
    fwrite(json, 1, len, f);
    if (n)
        fwrite(data, 1, n, f);
    cr_assert(fclose(f) == 0);
    return path;
}

/* nn_load must fail with rc, a message naming the file and containing want. */
static void expect_load_fails(const char *path, int rc, const char *want)
{
    nn_model *m = (nn_model *)1;
    int got = nn_load(path, &m);
    const char *msg = al_last_error();
    cr_assert_eq(got, rc, "nn_load(%s): %d, expected %d: %s", path, got, rc, msg);
    cr_assert_null(m, "*out not NULL on error");
    cr_assert(strstr(msg, path), "message does not name the file: %s", msg);
    cr_assert(strstr(msg, want), "message lacks \"%s\": %s", want, msg);
}

/* The probe's 158-byte file: the flattened input (2^30 - 1) 2^30 16 = 2^64 - 2^34 gives
 * dense(1) that many weights, and the next two layers 2^34 more, so the count wrapped to 16
 * and the initialisation wrote 2^64 floats into a 64-byte arena. */
Test(hostile_model, param_count_wraps)
{
    const char *p = write_st("wrap.safetensors",
                             "\"actlab_spec\":\"flatten dense(1,bias=0) dense(1073741824,bias=0) "
                             "dense(15,bias=0) dense(1)\",\"input_shape\":\"1073741823,"
                             "1073741824,16\"",
                             "", NULL, 0);
    expect_load_fails(p, AL_EINVAL, "NN_MAX_SAMPLE_FLOATS");
}

/* 2^30 x 2^30 x 16 = 2^64 values wrapped to 0, and max pooling has no parameters, so the
 * model loaded and nn_forward wrote 2^64 outputs into an empty buffer. */
Test(hostile_model, input_shape_product_wraps)
{
    const char *p = write_st("pool.safetensors",
                             "\"actlab_spec\":\"maxpool2d(1)\",\"input_shape\":\"1073741824,"
                             "1073741824,16\"",
                             "", NULL, 0);
    expect_load_fails(p, AL_EINVAL, "input shape (1073741824, 1073741824, 16) holds more than");
    nn_shape s = {3, {1u << 30, 1u << 30, 16}};
    cr_assert_eq(nn_shape_count(s), 0, "an overflowing count is 0");
}

/* The probe's 96-byte file asked for dense(10000) on 10000 inputs, 10^8 parameters (1.6 GB
 * with gradients and moments), allocated and initialised before the loader noticed the file
 * has no tensors; that is now over NN_MAX_PARAMS. dense(8000) on 8000 inputs is just under it
 * (1 GB): the file is checked first, so it fails fast under a 256 MiB cap. */
Test(hostile_model, huge_model_without_tensors)
{
    const char *p = write_st("huge.safetensors",
                             "\"actlab_spec\":\"dense(8000)\",\"input_shape\":\"8000\","
                             "\"format\":\"pt\"",
                             "", NULL, 0);
    cap_memory();
    expect_load_fails(p, AL_ENAME, "no tensor 0.weight (the model expects [8000, 8000])");
}

/* The same as a checkpoint (optimizer tensors present but empty). */
Test(hostile_model, huge_checkpoint_without_weights)
{
    const char *p = write_st(
        "huge_ckpt.safetensors",
        "\"actlab_spec\":\"dense(8000)\",\"input_shape\":\"8000\",\"epoch\":\"1\","
        "\"optimizer\":\"adam lr=0.001 momentum=0 weight_decay=0 nesterov=0 beta1=0.9 "
        "beta2=0.999 eps=1e-08 step=1\",\"rng\":\"0000000000000001,0000000000000002,"
        "0000000000000003,0000000000000004\"",
        "\"optimizer.m\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
        "\"optimizer.v\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}",
        NULL, 0);
    cap_memory();
    nn_model *m = (nn_model *)1;
    int rc = nn_checkpoint_load(p, &m, NULL, NULL, NULL);
    const char *msg = al_last_error();
    cr_assert_eq(rc, AL_ENAME, "rc %d: %s", rc, msg);
    cr_assert_null(m);
    cr_assert(strstr(msg, p) && strstr(msg, "no tensor 0.weight"), "%s", msg);
}

/* A small model whose optimizer tensors do not match is refused as well (shape message). */
Test(hostile_model, checkpoint_moments_checked_before_the_model)
{
    float w[3] = {1, 2, 3};
    const char *p = write_st(
        "ckpt.safetensors",
        "\"actlab_spec\":\"dense(1,activation=identity,bias=1)\",\"input_shape\":\"2\","
        "\"epoch\":\"1\",\"optimizer\":\"sgd lr=0.01 momentum=0 weight_decay=0 nesterov=0 "
        "beta1=0.9 beta2=0.999 eps=1e-08 step=1\",\"rng\":\"0000000000000001,"
        "0000000000000002,0000000000000003,0000000000000004\"",
        "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
        "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
        "\"optimizer.m\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[12,12]},"
        "\"optimizer.v\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[12,12]}",
        w, sizeof w);
    nn_model *m = (nn_model *)1;
    int rc = nn_checkpoint_load(p, &m, NULL, NULL, NULL);
    cr_assert_eq(rc, AL_ESHAPE, "rc %d: %s", rc, al_last_error());
    cr_assert(strstr(al_last_error(), "optimizer.m is F32 [0], the model's optimizer state "
                                       "is F32 [3]"), "%s", al_last_error());
    cr_assert_null(m);
    /* the weights alone load */
    cr_assert_eq(nn_load(p, &m), AL_OK, "%s", al_last_error());
    float x[2] = {1, 1}, y[1];
    cr_assert_eq(nn_forward(m, x, y, 1, 0), AL_OK);
    cr_assert_float_eq(y[0], 6.0f, 0);
    nn_model_free(m);
}

static void expect_create_fails(const char *spec, nn_shape in, int rc, const char *want1,
                                const char *want2)
{
    al_rng r;
    al_rng_seed(&r, 1);
    nn_model *m = (nn_model *)1;
    int got = nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &m);
    const char *msg = al_last_error();
    cr_assert_eq(got, rc, "%s: rc %d, expected %d: %s", spec, got, rc, msg);
    cr_assert_null(m);
    cr_assert(strstr(msg, want1), "message lacks \"%s\": %s", want1, msg);
    cr_assert(strstr(msg, want2), "message lacks \"%s\": %s", want2, msg);
}

/* One layer beyond NN_MAX_PARAMS: refused by name, nothing allocated. */
Test(hostile_model, layer_over_param_limit)
{
    cap_memory();
    expect_create_fails("dense(16384)", (nn_shape){1, {16384}}, AL_EINVAL,
                        "layer 1 'dense(16384)': 268451840 parameters are more than a model "
                        "may have", "NN_MAX_PARAMS = 67108864");
    /* the 96-byte probe */
    const char *p = write_st("probe.safetensors",
                             "\"actlab_spec\":\"dense(10000)\",\"input_shape\":\"10000\","
                             "\"format\":\"pt\"", "", NULL, 0);
    expect_load_fails(p, AL_EINVAL, "NN_MAX_PARAMS");
}

/* An output beyond NN_MAX_SAMPLE_FLOATS (2^30 values from a 2^28 input). */
Test(hostile_model, dense_output_over_sample_limit)
{
    cap_memory();
    expect_create_fails("dense(1073741824)", (nn_shape){1, {1u << 28}}, AL_EINVAL,
                        "layer 1 'dense(1073741824)': its output (1073741824)",
                        "NN_MAX_SAMPLE_FLOATS");
}

/* Each layer under the limit (2^25), the sum over it after the third. */
Test(hostile_model, total_over_param_limit)
{
    cap_memory();
    expect_create_fails("dense(4096,bias=0) dense(8192,bias=0) dense(4096,bias=0)",
                        (nn_shape){1, {8192}}, AL_EINVAL, "layer 3 'dense(4096,bias=0)'",
                        "more than 67108864 parameters (NN_MAX_PARAMS)");
}

/* A 2^28-value image (at the limit) through conv2d(2, 1): an output of 2^29 values. */
Test(hostile_model, activation_over_sample_limit)
{
    cap_memory();
    expect_create_fails("conv2d(2,1)", (nn_shape){3, {1, 16384, 16384}}, AL_EINVAL,
                        "layer 1 'conv2d(2,1)': its output (2, 16384, 16384)",
                        "NN_MAX_SAMPLE_FLOATS");
}

/* A batch whose buffers exceed the address space: an error, not a wrapped allocation. */
Test(hostile_model, batch_overflow)
{
    al_rng r;
    al_rng_seed(&r, 1);
    nn_model *m;
    cr_assert_eq(nn_model_create("dense(4,activation=relu) dense(2)", (nn_shape){1, {3}},
                                 NN_INIT_DEFAULT, &r, &m), AL_OK);
    float x[3] = {0}, y[2] = {0};
    int rc = nn_forward(m, x, y, SIZE_MAX / 8, 0);
    cr_assert_eq(rc, AL_ENOMEM, "%s", al_last_error());
    cr_assert(strstr(al_last_error(), "a batch of"), "%s", al_last_error());
    cr_assert_eq(nn_forward(m, x, y, 1, 0), AL_OK, "the model still works");
    nn_model_free(m);
}

/* batch x width wrapping to 0 was accepted as an empty loss (NaN, AL_OK). */
Test(hostile_model, loss_size_overflow)
{
    nn_loss l;
    cr_assert_eq(nn_loss_parse("mse", &l), AL_OK);
    float p[2] = {0}, t[2] = {0}, d[2] = {-1, -1};
    double loss = -1;
    int rc = nn_loss_eval(&l, p, t, (SIZE_MAX >> 1) + 1, 2, &loss, d);
    cr_assert_eq(rc, AL_EINVAL, "rc %d", rc);
    cr_assert(strstr(al_last_error(), "overflow"), "%s", al_last_error());
    cr_assert(loss == -1 && d[0] == -1 && d[1] == -1, "wrote results");
}

/* ---- row-wise and elementwise entry points with hand-built specs and sizes ---------------- */

static float canary[8], out[8];

static void fill(void)
{
    for (int i = 0; i < 8; i++)
        canary[i] = (float)i, out[i] = -1.0f;
}

/* Returns rc; checks that a message is set and nothing was written. */
static int untouched(int rc, const char *what)
{
    cr_assert_neq(rc, AL_OK, "%s accepted", what);
    cr_assert(al_last_error()[0], "%s: no message", what);
    for (int i = 0; i < 8; i++)
        cr_assert(out[i] == -1.0f && canary[i] == (float)i, "%s wrote memory", what);
    return rc;
}

/* maxout with k = 0 divided by zero (rows = 0 skipped the shape check, the kernel still ran
 * cols / k); 0.5 and NaN truncate to 0 the same way. */
Test(hostile_act, maxout_k_zero)
{
    const double ks[] = {0.0, 0.5, NAN, -3.0, 1e30};
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        act_spec s = {.kind = ACT_MAXOUT, .p = {ks[i]}};
        fill();
        for (size_t rows = 0; rows < 2; rows++) {
            cr_assert_eq(untouched(act_forward_rows(&s, canary, out, rows, 4), "maxout fwd"),
                         AL_EINVAL, "k = %g", ks[i]);
            cr_assert(strstr(al_last_error(), "k must be"), "%s", al_last_error());
            cr_assert_eq(untouched(act_backward_rows(&s, canary, NULL, canary, out, rows, 4),
                                   "maxout bwd"), AL_EINVAL);
            cr_assert_eq(untouched(act_forward_bias(&s, canary, NULL, out, rows, 4, 1),
                                   "maxout bias"), AL_EINVAL);
        }
        cr_assert_eq(act_out_cols(&s, 4), 0);
    }
}

/* An out-of-range kind is refused by every entry point. */
Test(hostile_act, kind_out_of_range)
{
    const int kinds[] = {ACT_COUNT, -1, 1 << 20};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        act_spec s = {.kind = (act_kind)kinds[i]};
        fill();
        cr_assert_eq(untouched(act_forward(&s, canary, out, 4), "fwd"), AL_EINVAL);
        cr_assert_eq(untouched(act_backward(&s, canary, NULL, canary, out, 4), "bwd"),
                     AL_EINVAL);
        cr_assert_eq(untouched(act_forward_rows(&s, canary, out, 1, 4), "rows"), AL_EINVAL);
        cr_assert_eq(untouched(act_backward_rows(&s, canary, NULL, canary, out, 1, 4), "brows"),
                     AL_EINVAL);
        cr_assert_eq(untouched(act_forward_bias(&s, canary, canary, out, 1, 4, 1), "bias"),
                     AL_EINVAL);
        cr_assert_eq(act_out_cols(&s, 4), 0);
        cr_assert(isnan(act_eval(&s, 1.0)) && isnan(act_grad(&s, 1.0)));
    }
}

/* A parameter outside its domain in a hand-built elementwise spec. */
Test(hostile_act, elementwise_bad_param)
{
    act_spec s;
    act_init(&s, ACT_SOFTPLUS);
    s.p[0] = NAN;
    fill();
    cr_assert_eq(untouched(act_forward(&s, canary, out, 4), "softplus fwd"), AL_EINVAL);
    cr_assert_eq(untouched(act_backward(&s, canary, NULL, canary, out, 4), "softplus bwd"),
                 AL_EINVAL);
    cr_assert(isnan(act_eval(&s, 1.0)));
}

/* rows x cols wrapping to 0 (2^63 x 2): softmax read rows far out of bounds, relu silently
 * did nothing; maxout and glu likewise. act_forward_bias's triple product too. */
Test(hostile_act, rows_times_cols_overflow)
{
    const char *fns[] = {"softmax", "log_softmax", "maxout:k=2", "glu", "relu", "swiglu"};
    const size_t rows = (SIZE_MAX >> 1) + 1, cols = 2;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        act_spec s;
        cr_assert_eq(act_parse(fns[i], &s), AL_OK);
        fill();
        cr_assert_eq(untouched(act_forward_rows(&s, canary, out, rows, cols), fns[i]),
                     AL_EINVAL, "%s", fns[i]);
        cr_assert(strstr(al_last_error(), "rows of 2 columns"), "%s", al_last_error());
        cr_assert_eq(untouched(act_backward_rows(&s, canary, canary, canary, out, rows, cols),
                               fns[i]), AL_EINVAL, "%s", fns[i]);
        cr_assert_eq(untouched(act_forward_bias(&s, canary, canary, out, rows, cols, 1),
                               fns[i]), AL_EINVAL, "%s", fns[i]);
        cr_assert_eq(untouched(act_forward_bias(&s, canary, canary, out, 2, rows, 2), fns[i]),
                     AL_EINVAL, "%s", fns[i]);
    }
}
