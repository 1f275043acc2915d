/* The "onednn" peer: oneDNN 2.6 (Debian's libdnnl2) eltwise and softmax primitives through
 * its C API, forward (dnnl_forward_inference) and backward (dnnl_backward_data).
 *
 * Layout: one 1-D f32 memory of n elements (tag a); softmax and log_softmax a 2-D rows x
 * KB_COLS memory (tag ab), over axis 1, through softmax_v2 (dnnl_softmax_accurate /
 * dnnl_softmax_log). Primitives and memory objects are created in prepare(), outside the
 * timing; the timed call is dnnl_primitive_execute() + dnnl_stream_wait(). A memory object's
 * buffer is set only when the caller's pointer changes (the warm-up call; the benchmark keeps
 * its buffers for a whole size).
 *
 * Threads: this libdnnl is built on OpenMP (ldd shows libgomp; DNNL_CPU_RUNTIME is OMP), so
 * kernels.c calls omp_set_num_threads(1) before anything else and oneDNN runs on one thread.
 *
 * Algorithms (alpha, beta) and what the backward reads, as PyTorch's autograd does: the
 * output y for relu, sigmoid, tanh, softmax and log_softmax (the *_use_dst_for_bwd
 * algorithms), the input x for the rest.
 *   relu        relu (0)                 bwd relu_use_dst_for_bwd
 *   sigmoid     logistic                 bwd logistic_use_dst_for_bwd
 *   tanh        tanh                     bwd tanh_use_dst_for_bwd
 *   elu, celu   elu (1): celu is elu for alpha = 1
 *   gelu        gelu_erf;  gelu_tanh: gelu_tanh
 *   silu        swish (1): x * sigmoid(alpha x)
 *   mish        mish
 *   softplus    soft_relu: in 2.6 log(1 + exp(x)), alpha ignored (checked: alpha 0, 1 and 2
 *               give the same values; 3.0 made it (1/alpha) log(1 + exp(alpha x)))
 *   log_sigmoid logsigmoid
 *   leaky_relu  relu (0.01): alpha is the negative slope
 *   hard_swish  hardswish
 * Absent in 2.6: selu (no algorithm; elu cannot scale), hard_sigmoid (3.0 added it),
 * softsign. */
#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"

struct alg {
    const char *func;
    dnnl_alg_kind_t fwd, bwd; /* bwd 0: softmax_v2 with alg fwd, reading y */
    float alpha, beta;
};

static const struct alg algs[] = {
    {"relu", dnnl_eltwise_relu, dnnl_eltwise_relu_use_dst_for_bwd, 0, 0},
    {"sigmoid", dnnl_eltwise_logistic, dnnl_eltwise_logistic_use_dst_for_bwd, 0, 0},
    {"tanh", dnnl_eltwise_tanh, dnnl_eltwise_tanh_use_dst_for_bwd, 0, 0},
    {"elu", dnnl_eltwise_elu, dnnl_eltwise_elu, 1, 0},
    {"celu", dnnl_eltwise_elu, dnnl_eltwise_elu, 1, 0},
    {"gelu", dnnl_eltwise_gelu_erf, dnnl_eltwise_gelu_erf, 0, 0},
    {"gelu_tanh", dnnl_eltwise_gelu_tanh, dnnl_eltwise_gelu_tanh, 0, 0},
    {"silu", dnnl_eltwise_swish, dnnl_eltwise_swish, 1, 0},
    {"mish", dnnl_eltwise_mish, dnnl_eltwise_mish, 0, 0},
    {"softplus", dnnl_eltwise_soft_relu, dnnl_eltwise_soft_relu, 1, 0},
    {"log_sigmoid", dnnl_eltwise_logsigmoid, dnnl_eltwise_logsigmoid, 0, 0},
    {"leaky_relu", dnnl_eltwise_relu, dnnl_eltwise_relu, 0.01f, 0},
    {"hard_swish", dnnl_eltwise_hardswish, dnnl_eltwise_hardswish, 0, 0},
    {"softmax", dnnl_softmax_accurate, 0, 0, 0},
    {"log_softmax", dnnl_softmax_log, 0, 0, 0},
};

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* the state of the function prepare() built */
static const struct alg *cur;
static dnnl_primitive_t p_fwd, p_bwd;
static int bwd_reads_y;
enum { MX, MY, MDY, MDX, NMEM };
static dnnl_memory_t mem[NMEM];
static const void *bound[NMEM];

static void bind(int m, const void *p)
{
    if (bound[m] != p) {
        dnnl_memory_set_data_handle(mem[m], (void *)(uintptr_t)p);
        bound[m] = p;
    }
}

static void fwd(const float *x, float *y, size_t n)
{
    (void)n;
    bind(MX, x), bind(MY, y);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, mem[MX]}, {DNNL_ARG_DST, mem[MY]}};
    dnnl_primitive_execute(p_fwd, stream, 2, args);
    dnnl_stream_wait(stream);
}

static void bwd(const float *x, const float *y, const float *dy, float *dx, size_t n)
{
    (void)n;
    bind(MX, x), bind(MY, y), bind(MDY, dy), bind(MDX, dx);
    dnnl_exec_arg_t args[] = {bwd_reads_y ? (dnnl_exec_arg_t){DNNL_ARG_DST, mem[MY]}
                                          : (dnnl_exec_arg_t){DNNL_ARG_SRC, mem[MX]},
                              {DNNL_ARG_DIFF_DST, mem[MDY]},
                              {DNNL_ARG_DIFF_SRC, mem[MDX]}};
    dnnl_primitive_execute(p_bwd, stream, 3, args);
    dnnl_stream_wait(stream);
}

static void release(void)
{
    if (p_fwd)
        dnnl_primitive_destroy(p_fwd);
    if (p_bwd)
        dnnl_primitive_destroy(p_bwd);
    p_fwd = p_bwd = NULL;
    for (int m = 0; m < NMEM; m++) {
        if (mem[m])
            dnnl_memory_destroy(mem[m]);
        mem[m] = NULL, bound[m] = NULL;
    }
    cur = NULL;
}

/* a primitive from an op descriptor (and the forward's descriptor as hint) */
static dnnl_status_t make(dnnl_primitive_t *out, const void *op_desc,
                          const_dnnl_primitive_desc_t hint)
{
    dnnl_primitive_desc_t pd;
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, op_desc, NULL, engine, hint);
    if (s != dnnl_success)
        return s;
    s = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return s;
}

static int prepare(const char *func, size_t n)
{
    release();
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (!strcmp(algs[i].func, func))
            cur = &algs[i];
    if (!cur)
        return 1;
    const int rowwise = cur->bwd == 0;
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {(dnnl_dim_t)n};
    if (rowwise)
        dims[0] = (dnnl_dim_t)(n / KB_COLS), dims[1] = KB_COLS;
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&md, rowwise ? 2 : 1, dims, dnnl_f32,
                                                   rowwise ? dnnl_ab : dnnl_a);
    const char *step = "memory descriptor";
    dnnl_primitive_desc_t hint = NULL;
    if (rowwise) {
        dnnl_softmax_v2_desc_t f, t, b;
        bwd_reads_y = 1;
        if (s == dnnl_success)
            step = "softmax forward", s = dnnl_softmax_v2_forward_desc_init(
                                          &f, dnnl_forward_inference, cur->fwd, &md, &md, 1);
        if (s == dnnl_success)
            s = make(&p_fwd, &f, NULL);
        if (s == dnnl_success)
            step = "softmax training hint", s = dnnl_softmax_v2_forward_desc_init(
                                                &t, dnnl_forward_training, cur->fwd, &md, &md, 1);
        if (s == dnnl_success)
            s = dnnl_primitive_desc_create(&hint, &t, NULL, engine, NULL);
        if (s == dnnl_success)
            step = "softmax backward",
            s = dnnl_softmax_v2_backward_desc_init(&b, cur->fwd, &md, &md, &md, 1);
        if (s == dnnl_success)
            s = make(&p_bwd, &b, hint);
    } else {
        dnnl_eltwise_desc_t f, t, b;
        bwd_reads_y = cur->bwd != cur->fwd;
        if (s == dnnl_success)
            step = "eltwise forward", s = dnnl_eltwise_forward_desc_init(
                                          &f, dnnl_forward_inference, cur->fwd, &md,
                                          cur->alpha, cur->beta);
        if (s == dnnl_success)
            s = make(&p_fwd, &f, NULL);
        /* the backward needs the forward's training descriptor, with its own algorithm */
        if (s == dnnl_success)
            step = "eltwise training hint", s = dnnl_eltwise_forward_desc_init(
                                                &t, dnnl_forward_training, cur->bwd, &md,
                                                cur->alpha, cur->beta);
        if (s == dnnl_success)
            s = dnnl_primitive_desc_create(&hint, &t, NULL, engine, NULL);
        if (s == dnnl_success)
            step = "eltwise backward", s = dnnl_eltwise_backward_desc_init(
                                           &b, cur->bwd, &md, &md, cur->alpha, cur->beta);
        if (s == dnnl_success)
            s = make(&p_bwd, &b, hint);
    }
    if (hint)
        dnnl_primitive_desc_destroy(hint);
    for (int m = 0; m < NMEM && s == dnnl_success; m++)
        step = "memory", s = dnnl_memory_create(&mem[m], &md, engine, DNNL_MEMORY_NONE);
    if (s != dnnl_success) {
        fprintf(stderr, "kernels: onednn: %s for %s failed (status %d)\n", step, func, (int)s);
        release();
        return 1;
    }
    return 0;
}

static int available(const char **why)
{
    static int state; /* 0 not tried, 1 ok, 2 failed */
    if (!state)
        state = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success &&
                        dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) ==
                            dnnl_success
                    ? 1
                    : 2;
    if (state == 2)
        *why = "no oneDNN CPU engine";
    return state == 1;
}

static const char *describe(void)
{
    static char buf[160];
    const dnnl_version_t *v = dnnl_version();
    const char *isa = "?";
    switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: isa = "sse41"; break;
    case dnnl_cpu_isa_avx: isa = "avx"; break;
    case dnnl_cpu_isa_avx2: isa = "avx2"; break;
    case dnnl_cpu_isa_avx2_vnni: isa = "avx2_vnni"; break;
    case dnnl_cpu_isa_avx512_core: isa = "avx512_core"; break;
    case dnnl_cpu_isa_avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case dnnl_cpu_isa_avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case dnnl_cpu_isa_avx512_core_amx: isa = "avx512_core_amx"; break;
    default: break;
    }
    snprintf(buf, sizeof buf, "oneDNN %d.%d.%d, %s runtime on 1 thread, ISA %s, 1-D memory",
             v->major, v->minor, v->patch, v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other",
             isa);
    return buf;
}

#define K(name) {#name, fwd, bwd}
static const struct kb_kernel kernels[] = {
    K(relu),        K(sigmoid),    K(tanh),       K(elu),       K(celu),
    K(gelu),        K(gelu_tanh),  K(silu),       K(mish),      K(softplus),
    K(log_sigmoid), K(leaky_relu), K(hard_swish), K(softmax),   K(log_softmax),
    {NULL, NULL, NULL},
};
#undef K

const struct kb_peer kb_peer_onednn = {.name = "onednn",
                                       .kernels = kernels,
                                       .available = available,
                                       .prepare = prepare,
                                       .release = release,
                                       .describe = describe};
