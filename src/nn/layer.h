/* Internal: the layer contract. A layer kind is one const struct nn__layer_ops in its own file
 * (dense.c, conv2d.c, pool.c, ...), listed once in NN_LAYER_LIST; the model (model.c) owns the
 * buffers and the parameter arena and calls these hooks in order.
 *
 * Buffers: the model gives each layer its input x (batch, in...) and output y (batch,
 * out...), both float32 in NCHW / (N, F) layout, plus l->scratch of workspace() floats, all
 * allocated once for the largest batch seen. A layer with a fused activation (dense, conv2d)
 * writes its pre-activation output to y; the model applies l->act into the next buffer and
 * runs the activation's backward itself, so a layer never sees its activation. */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_LAYER_H
#define ACTLAB_SRC_NN_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "actlab/nn.h"

/* X(ID, name): every layer kind, in the spelling of the model spec; the ops of kind name
 * are nn__layer_<name>, defined in its own file. */
#define NN_LAYER_LIST(X)     \
    X(DENSE, dense)          \
    X(CONV2D, conv2d)        \
    X(MAXPOOL2D, maxpool2d)  \
    X(AVGPOOL2D, avgpool2d)  \
    X(FLATTEN, flatten)      \
    X(DROPOUT, dropout)      \
    X(ACTIVATION, activation)\
    X(PRELU, prelu)          \
    X(MAXOUT, maxout)

enum nn__layer_kind {
#define X(id, name) NN_LAYER_##id,
    NN_LAYER_LIST(X)
#undef X
    NN_LAYER_COUNT
};

/* Parsed arguments of one layer of the spec; each kind reads the fields it has. */
struct nn__layer_args {
    size_t units;        /* dense: output features; conv2d: filters; maxout: k */
    size_t kernel;       /* conv2d: square kernel size */
    size_t stride;       /* conv2d (default 1), pools (default = pool) */
    size_t pool;         /* pools: square window */
    int same;            /* conv2d padding: 1 same, 0 valid */
    int bias;            /* dense/conv2d: 1 has a bias (default) */
    double rate;         /* dropout */
    size_t channels;     /* prelu: number of slopes (1 = shared) */
    double init;         /* prelu: initial slope */
    act_spec act;        /* fused activation (identity when none); activation layer's function */
};

struct nn__layer;

/* One entry of the layer's torch state_dict: "weight" or "bias" after the module index. */
struct nn__tensor_info {
    const char *name;
    int ndim;
    size_t shape[4];
    size_t offset; /* into the layer's w[] */
};

struct nn__layer_ops {
    const char *kind;       /* "conv2d", as in the spec */
    const char *type_name;  /* "Conv2D", for the summary */
    /* Checks args against the input shape; sets l->out and l->n_params. AL_ESHAPE/AL_EINVAL
     * with a message saying the problem ("kernel 5 is larger than the 3x3 input"); the model
     * prefixes the layer's position and text ("layer 2 'conv2d(6,5)': "). l->in, l->args
     * and l->has_act are set before the call. */
    int (*setup)(struct nn__layer *l);
    /* Initialises l->w (n_params floats) with the scheme. NULL when n_params is always 0. */
    void (*init_params)(struct nn__layer *l, nn_init scheme, al_rng *rng);
    /* Floats of workspace for a batch (im2col columns, argmax indices, dropout mask); NULL
     * when none. */
    size_t (*workspace)(const struct nn__layer *l, size_t batch);
    /* y = layer(x). training: dropout active (rng draws the mask). */
    int (*forward)(struct nn__layer *l, const float *x, float *y, size_t batch, int training,
                   al_rng *rng);
    /* Given dy, ADDS parameter gradients into l->g and writes dx (overwrites; dx NULL when
     * the model does not need it, i.e. for the first layer). x and y are those of the last
     * forward. */
    int (*backward)(struct nn__layer *l, const float *x, const float *y, const float *dy,
                    float *dx, size_t batch);
    /* The bias a following activation may add in its own pass (act_forward_bias: one pass
     * over the output instead of two), with its broadcast: channels, and inner elements per
     * channel. NULL when the kind has none to hand over. While l->defer_bias is set, forward
     * leaves the bias out. */
    const float *(*bias_of)(const struct nn__layer *l, size_t *channels, size_t *inner);
    /* Nonzero when forward itself writes the fused (elementwise) activation of its output to
     * l->act_out while it writes the output: one pass instead of two (conv2d, whose output
     * is a transposing copy anyway). */
    int writes_act;
    /* The torch state_dict tensors, at most 2; NULL for a kind without parameters. */
    size_t (*tensors)(const struct nn__layer *l, struct nn__tensor_info out[2]);
    /* Canonical spec text of the layer, every argument explicit:
     * "dense(84,activation=relu,bias=1)"; snprintf-like (buf may be NULL with size 0). */
    int (*format)(const struct nn__layer *l, char *buf, size_t size);
};

struct nn__layer {
    const struct nn__layer_ops *ops;
    enum nn__layer_kind kind;
    struct nn__layer_args args;
    nn_shape in, out;
    size_t n_params;
    float *w, *g;   /* slices of the model's arena: n_params each */
    float *scratch; /* workspace(max batch) floats, owned by the model */
    int has_act;    /* a fused, non-identity activation follows (a module of its own in torch);
                     * set by the model for kinds that take activation= */
    int training;   /* the training flag of the last forward (set by the model before it) */
    int defer_bias; /* forward leaves the bias to the activation (see bias_of) */
    float *act_out; /* where forward writes the activation too (see writes_act), or NULL */
};

/* Checked size arithmetic, for every size that comes from a spec or a file: *out = a * b
 * (a + b); 0, leaving *out alone, when the result does not fit in size_t. */
static inline int nn__mul(size_t a, size_t b, size_t *out)
{
    if (b && a > SIZE_MAX / b)
        return 0;
    *out = a * b;
    return 1;
}

static inline int nn__add(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return 0;
    *out = a + b;
    return 1;
}

/* nn_shape_count, saying whether the product fits: 0 (with *n = 0) for an invalid shape or
 * one with more than SIZE_MAX values. */
int nn__shape_count(nn_shape s, size_t *n);

/* The table of every kind, indexed by enum nn__layer_kind (registry.c). */
extern const struct nn__layer_ops *const nn__layers[NN_LAYER_COUNT];

/* Helpers for format(): an activation as a spec argument ("relu", or in brackets when its
 * text has a comma: "[softplus:beta=2,threshold=10]"), and a double in the shortest text
 * that reads back to the same value ("0.25", "0.1"). Both snprintf-like. */
int nn__format_act(const act_spec *a, char *buf, size_t size);
int nn__format_double(double v, char *buf, size_t size);
/* A per-sample shape for messages: "(6, 28, 28)". snprintf-like. */
int nn__format_shape(nn_shape s, char *buf, size_t size);

/* An activation over a batch of per-sample shape `in` (model.c): elementwise functions over
 * every value, row-wise ones (softmax, glu, maxout, ...) over rows of (F) inputs, one row
 * per sample. The caller has checked the shape. backward needs the forward's x and y. */
int nn__act_forward(const act_spec *a, nn_shape in, const float *x, float *y, size_t batch);
int nn__act_backward(const act_spec *a, nn_shape in, const float *x, const float *y,
                     const float *dy, float *dx, size_t batch);

#define X(id, name) extern const struct nn__layer_ops nn__layer_##name;
NN_LAYER_LIST(X)
#undef X

/* Shared initialisers: fill n values with the scheme for the given fan-in/fan-out. */
void nn__init_uniform(float *w, size_t n, double bound, al_rng *rng);
void nn__init_normal(float *w, size_t n, double std, al_rng *rng);
/* Weights of a dense/conv layer: PyTorch default, Glorot, He, LeCun; biases: PyTorch's
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for NN_INIT_DEFAULT, else zeros. */
void nn__init_weights(float *w, size_t n, size_t fan_in, size_t fan_out, nn_init scheme,
                      al_rng *rng);
void nn__init_bias(float *b, size_t n, size_t fan_in, nn_init scheme, al_rng *rng);

/* Whether the layers' own OpenMP loops should run in parallel: not beside a pthread
 * OpenBLAS, whose spinning pool they would fight, nor after nn_set_threads(1). */
int nn__omp_loops(void);

/* fn(ctx, at, len) over [0, n) in blocks of `block`, the blocks over the OpenMP threads when
 * there are at least min_blocks of them and nn__omp_loops() allows: for passes in which every
 * element is its own (an optimizer's update, a copy), so that no bit depends on the split. */
void nn__for_blocks(size_t n, size_t block, size_t min_blocks,
                    void (*fn)(void *ctx, size_t at, size_t len), void *ctx);

/* C = A * B^T style products go through OpenBLAS's cblas_sgemm (wrapped here so the layers
 * share one call site). Row-major. C = alpha * op(A) op(B) + beta * C. */
void nn__gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
              const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
              size_t ldc);

#endif
