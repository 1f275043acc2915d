/* The "xnnpack" peer: XNNPACK's f32 operators (Debian's libxnnpack 0.0~git20220216), forward
 * only (XNNPACK is an inference library). What this version has among the benchmark's
 * functions: clamp (relu as clamp(0, +inf)), sigmoid, elu (also celu, which is elu for
 * alpha = 1), leaky_relu, hardswish and softmax_nc. No tanh, gelu, silu, softplus or
 * log_softmax operator yet in this snapshot.
 *
 * Layout: batch = n, channels = 1, strides 1. XNNPACK sees a contiguous array either way and
 * runs one 1-D loop over 4 KiB blocks (channels = n, batch = 1 timed the same, within 2%),
 * and this way one operator serves every size. Softmax: channels = KB_COLS, batch = rows.
 * No thread pool (NULL): every call runs on the calling thread. Operators are created in
 * prepare(), outside the timing; the timed call is xnn_setup_*() + xnn_run_operator(). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <xnnpack.h>

#include "kernels.h"

typedef enum xnn_status setup_fn(xnn_operator_t, size_t, const float *, float *,
                                 pthreadpool_t);

static xnn_operator_t op;
static setup_fn *setup;
static size_t cols = 1; /* elements per batch item */

static void run(const float *x, float *y, size_t n)
{
    setup(op, n / cols, x, y, NULL);
    xnn_run_operator(op, NULL);
}

static void release(void)
{
    if (op)
        xnn_delete_operator(op);
    op = NULL;
}

static int prepare(const char *func, size_t n)
{
    (void)n;
    release();
    enum xnn_status s = xnn_status_unsupported_parameter;
    cols = 1;
    if (!strcmp(func, "relu"))
        s = xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, INFINITY, 0, &op),
        setup = xnn_setup_clamp_nc_f32;
    else if (!strcmp(func, "sigmoid"))
        s = xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &op), setup = xnn_setup_sigmoid_nc_f32;
    else if (!strcmp(func, "elu") || !strcmp(func, "celu"))
        s = xnn_create_elu_nc_f32(1, 1, 1, 1.0f, 0, &op), setup = xnn_setup_elu_nc_f32;
    else if (!strcmp(func, "leaky_relu"))
        s = xnn_create_leaky_relu_nc_f32(1, 1, 1, 0.01f, 0, &op),
        setup = xnn_setup_leaky_relu_nc_f32;
    else if (!strcmp(func, "hard_swish"))
        s = xnn_create_hardswish_nc_f32(1, 1, 1, 0, &op), setup = xnn_setup_hardswish_nc_f32;
    else if (!strcmp(func, "softmax"))
        s = xnn_create_softmax_nc_f32(KB_COLS, KB_COLS, KB_COLS, 0, &op),
        setup = xnn_setup_softmax_nc_f32, cols = KB_COLS;
    if (s != xnn_status_success) {
        fprintf(stderr, "kernels: xnnpack: creating the %s operator failed (status %d)\n", func,
                (int)s);
        op = NULL;
        return 1;
    }
    return 0;
}

static int available(const char **why)
{
    static int state; /* 0 not tried, 1 ok, 2 failed */
    if (!state)
        state = xnn_initialize(NULL) == xnn_status_success ? 1 : 2;
    if (state == 2)
        *why = "xnn_initialize() failed (unsupported hardware?)";
    return state == 1;
}

static const char *describe(void)
{
    return "XNNPACK 0.0~git20220216 (Debian's snapshot), batch = n, channels = 1, no thread pool";
}

static const struct kb_kernel kernels[] = {
    {"relu", run, NULL},       {"sigmoid", run, NULL},    {"elu", run, NULL},
    {"celu", run, NULL},       {"leaky_relu", run, NULL}, {"hard_swish", run, NULL},
    {"softmax", run, NULL},    {NULL, NULL, NULL},
};

const struct kb_peer kb_peer_xnnpack = {.name = "xnnpack",
                                        .kernels = kernels,
                                        .available = available,
                                        .prepare = prepare,
                                        .release = release,
                                        .describe = describe};
