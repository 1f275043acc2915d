/* actlab nn: Keras/PyTorch-style sequential models on the CPU.
 *
 * A model is built from a textual spec (or a built-in name), for a per-sample input shape:
 *
 *   conv2d(6,5,padding=same,activation=relu) maxpool2d(2) flatten dense(84,activation=relu)
 *   dense(10,activation=softmax)
 *
 * Layers are separated by white space or ';'. Each is KIND or KIND(args) with positional
 * arguments first, then key=value; an activation that itself has commas goes in brackets:
 * dense(64,activation=[softplus:beta=2,threshold=10]). Kinds and their arguments:
 *   dense(units, activation=identity, bias=1)
 *   conv2d(filters, kernel, stride=1, padding=valid|same, activation=identity, bias=1)
 *   maxpool2d(pool, stride=pool)    avgpool2d(pool, stride=pool)
 *   flatten    dropout(rate)    activation(FUNC)  (any function, row-wise ones included)
 *   prelu(channels=1, init=0.25)    (channels = the input's C, or 1 for one shared slope)
 *   maxout(k)
 * Built-in names: "lenet5" (the tutorial's LeNet-5: conv 6/16/120 5x5 same with ReLU, max
 * pooling 2x2 after the first two, flatten, dense 84 ReLU, dense 10 softmax) and "house-mlp"
 * (n -> 144 -> 72 -> 18 -> 1, ReLU hidden layers, linear output). nn_builtin_spec() gives
 * their text with the hidden activation swapped.
 *
 * Layout: NCHW for images (as PyTorch), features (N, F); Flatten in C order, so weights map
 * one to one to torch.nn.Sequential. Parameters live in one arena per model (w, grad, and
 * optimizer moments), and layers hold slices of it.
 *
 * Errors are values (al_status codes, al_last_error() says what is wrong). */
/* Library code below nn must not include this (docs/ARCHITECTURE.md). */
#if defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_LAYER_NN)
#error "a public header of the nn layer of actlab, which this library code is below (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_NN_H
#define ACTLAB_NN_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "act.h"
#include "rng.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A per-sample shape: (F) for features, (C, H, W) for images. */
#define NN_MAX_DIMS 4
typedef struct nn_shape {
    int ndim;
    size_t d[NN_MAX_DIMS];
} nn_shape;

/* Its number of values; 0 for an invalid shape or one whose count overflows size_t. */
ACTLAB_API size_t nn_shape_count(nn_shape s);

/* What one model may ask for. A spec, an input shape or a model file beyond these is refused
 * (AL_EINVAL, naming the layer and the limit) before anything is allocated, so a hostile or
 * mistyped file cannot make the library allocate gigabytes or overflow a size:
 *   NN_MAX_PARAMS         parameters in all (the arena holds four floats for each, weights,
 *                         gradients and two optimizer moments: 1 GiB at the limit);
 *   NN_MAX_SAMPLE_FLOATS  values in the input shape, in one layer's output, and floats of one
 *                         layer's workspace, per sample (1 GiB). A batch's buffers are
 *                         checked against the address space when nn_forward first sees it. */
#define NN_MAX_PARAMS ((size_t)1 << 26)
#define NN_MAX_SAMPLE_FLOATS ((size_t)1 << 28)

typedef struct nn_model nn_model;

/* Weight initialisation schemes. The default (NN_INIT_DEFAULT) is PyTorch's for Linear and
 * Conv2d: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with
 * a = sqrt(5)). Keras' default is NN_INIT_GLOROT_UNIFORM with zero biases. */
typedef enum nn_init {
    NN_INIT_DEFAULT,
    NN_INIT_GLOROT_UNIFORM,
    NN_INIT_HE_NORMAL,
    NN_INIT_HE_UNIFORM,
    NN_INIT_LECUN_NORMAL
} nn_init;

/* Builds a model from spec (text or a built-in name) for inputs of the given per-sample
 * shape; parameters are initialised with scheme from rng, in module order. Errors name the
 * layer (counted from 1) and its text: "layer 2 'dens(5)': unknown layer kind 'dens'; did
 * you mean dense? ...", "layer 1 'dense(10)': dense needs a feature vector (F), got
 * (3, 4, 4); put flatten before it". Sizes are checked against NN_MAX_PARAMS and
 * NN_MAX_SAMPLE_FLOATS before anything is allocated. *out is NULL on error. */
ACTLAB_API al_status nn_model_create(const char *spec, nn_shape input, nn_init scheme, al_rng *rng,
                               nn_model **out);
ACTLAB_API void nn_model_free(nn_model *m); /* NULL is a no-op */

/* The text of a built-in model with its hidden activation replaced (NULL keeps ReLU), e.g.
 * nn_builtin_spec("house-mlp", "leaky_relu:alpha=0.2", buf, size). AL_ENAME for an
 * unknown name. */
ACTLAB_API al_status nn_builtin_spec(const char *name, const char *hidden_act, char *buf, size_t size);

ACTLAB_API nn_shape nn_model_input_shape(const nn_model *m);
ACTLAB_API nn_shape nn_model_output_shape(const nn_model *m);
ACTLAB_API size_t nn_model_param_count(const nn_model *m);
/* The canonical text of the model (every argument explicit), for file metadata. */
ACTLAB_API const char *nn_model_spec(const nn_model *m);

/* The Keras-style summary: layer (type), output shape, parameter count, totals. */
ACTLAB_API al_status nn_model_summary(const nn_model *m, char **text); /* malloc'd; free() it */

/* Forward pass on a batch: x (batch, input...) -> y (batch, output...). training enables
 * dropout. The model keeps the activations for backward; it allocates its buffers on the
 * first call with the largest batch and never again for batches up to that size. */
ACTLAB_API al_status nn_forward(nn_model *m, const float *x, float *y, size_t batch, int training);

/* The generator dropout draws its masks from: seeded from the creation rng, advanced by each
 * training forward. A checkpoint may save and restore it; a gradient check restores it
 * before each forward to see the same mask. */
ACTLAB_API al_rng *nn_model_rng(nn_model *m);

/* Backward pass for the last forward: dy = dLoss/dy (batch, output...). Accumulates the
 * parameter gradients (nn_zero_grad clears them); dx (batch, input...) may be NULL. */
ACTLAB_API al_status nn_backward(nn_model *m, const float *dy, float *dx);
ACTLAB_API void nn_zero_grad(nn_model *m);

/* Threads of the matrix products (OpenBLAS) in every model of this process: 1 runs them on
 * the calling thread, so several threads can train models side by side, each bit-identical
 * to a single-threaded run; 0 restores the count the process started with. Call it while no
 * model is running. */
ACTLAB_API void nn_set_threads(int n);

/* The OPENBLAS_CORETYPE value that would give this CPU faster SGEMM kernels than the ones
 * OpenBLAS picked, or NULL when its choice is already right or the user chose
 * (OPENBLAS_CORETYPE is set). OpenBLAS 0.3.21 may name a Zen 4/5 "Zen" and run its AVX2
 * kernels on it, at about half the single-thread speed of its AVX-512 ("SkylakeX") ones
 * (docs/BENCHMARKS.md). OpenBLAS reads the variable only when it loads, so only a new
 * process can act on the answer: the actlab tool re-executes itself with it; a program
 * linking the library sets it before it starts. */
ACTLAB_API const char *nn_blas_better_core(void);

/* The parameter arena: count, weights and gradients in module order (for optimizers and
 * gradient checks). */
ACTLAB_API size_t nn_params(nn_model *m, float **w, float **g);

/* ---- Losses ------------------------------------------------------------------------------
 * Keras' names: mse, mae, rmsle, binary_crossentropy, categorical_crossentropy,
 * sparse_categorical_crossentropy (also mean_squared_error, mean_absolute_error, bce, cce,
 * sparse_cce), optionally followed by options: "binary_crossentropy:from_logits=1,eps=1e-7".
 * from_logits (binary and categorical ones) fuses the sigmoid/softmax for stability; without
 * it the inputs are probabilities clipped to [eps, 1 - eps] with Keras' eps = 1e-7 (and, for
 * the categorical ones, first divided by their row sum, as Keras does). Targets: float
 * (batch, width) for mse, mae, rmsle, binary and categorical; class indices (int64, batch)
 * in [0, width) for sparse, an index out of range is an error naming the sample.
 * Reduction as Keras: mean over batch and width for mse, mae and binary; sum over classes,
 * mean over the batch for the categorical ones. RMSLE is the tutorial's
 * sqrt(mean((log p - log y)^2)) over the batch and width; a prediction or target <= 0 is an
 * error naming the sample, not NaN. Returns the loss in *loss and, when dpred is non-NULL,
 * dLoss/dprediction (batch, width). */
typedef enum nn_loss_kind {
    NN_LOSS_MSE,
    NN_LOSS_MAE,
    NN_LOSS_RMSLE,
    NN_LOSS_BCE,
    NN_LOSS_CCE,
    NN_LOSS_SPARSE_CCE
} nn_loss_kind;

typedef struct nn_loss {
    nn_loss_kind kind;
    int from_logits;
    float eps;
} nn_loss;

ACTLAB_API al_status nn_loss_parse(const char *name, nn_loss *out); /* "sparse_categorical_crossentropy" */
ACTLAB_API al_status nn_loss_eval(const nn_loss *l, const float *pred, const void *target, size_t batch,
                            size_t width, double *loss, float *dpred);

/* ---- Optimizers -------------------------------------------------------------------------- */
typedef enum nn_opt_kind { NN_OPT_SGD, NN_OPT_ADAM, NN_OPT_ADAMW, NN_OPT_RMSPROP } nn_opt_kind;

typedef struct nn_optimizer {
    nn_opt_kind kind;
    float lr;
    float momentum, weight_decay; /* SGD (momentum, Nesterov), AdamW's decoupled decay */
    int nesterov;
    float beta1, beta2, eps;      /* Adam/AdamW; RMSprop uses beta2 as rho (alpha) */
    long step;                    /* steps taken so far */
} nn_optimizer;

/* Defaults: SGD lr 0.01; Adam/AdamW lr 0.001, betas 0.9/0.999, eps 1e-8 (PyTorch; Keras uses
 * 1e-7), AdamW weight decay 0.01; RMSprop lr 0.01, alpha 0.99, eps 1e-8 (PyTorch). name is
 * sgd, adam, adamw or rmsprop, optionally with settings: "sgd:lr=0.1,momentum=0.9,nesterov=1"
 * (keys lr, momentum, weight_decay, nesterov, beta1, beta2, eps, alpha = beta2). The
 * formulas are torch.optim's (SGD with dampening 0, Adam/AdamW without amsgrad, RMSprop not
 * centered). The state (moments, momentum buffers) lives in the model's arena, zero until
 * the first step; a checkpoint saves it with the model. */
ACTLAB_API al_status nn_optimizer_init(nn_optimizer *o, const char *name);
/* One update of every parameter from its accumulated gradient. */
ACTLAB_API al_status nn_optimizer_step(nn_optimizer *o, nn_model *m);

/* ---- Files ---------------------------------------------------------------------------------
 * Weights are safetensors files whose tensor names are the state_dict names of the equivalent
 * torch.nn.Sequential, so the same file loads into PyTorch with load_state_dict. Modules are
 * numbered in order; every layer is one module and a layer with a fused activation is two
 * (the layer, then the activation), so LeNet-5's parameters are 0.weight 0.bias (conv, 1 is
 * its ReLU, 2 the max pooling) 3.* 6.* 9.* 11.*. Tensors are F32 in the layouts PyTorch uses
 * (dense weight [out, in], conv2d weight [out, in, kh, kw], prelu weight [channels]).
 * __metadata__ holds "actlab_spec" (nn_model_spec), "input_shape" ("3,32,32") and "format"
 * ("pt"). A file is written to a temporary .NAME.actlab-XXXXXX beside it, flushed, fsync'ed
 * and renamed onto path, so an error or a crash never leaves a half-written file (the
 * temporary is removed on error); a symlink is written through, a device or FIFO directly.
 *
 * Loading checks the whole file before it changes anything, so on error the model is as it
 * was: every parameter must be present with its shape, as F32, and nothing else may be
 * (except a checkpoint's optimizer tensors). The message names the file, the first mismatch
 * and how many more there are, e.g. "lenet.safetensors: 9.weight has shape [84, 7680], the
 * model expects [84, 5880]". Errors: AL_EIO (cannot read or write), AL_EFORMAT (not a valid
 * safetensors file, or no actlab metadata for nn_load), AL_ENAME (missing or unexpected
 * tensor), AL_ESHAPE, AL_EUNSUPPORTED (a dtype other than F32). */
ACTLAB_API al_status nn_save(const nn_model *m, const char *path);
/* The model the file's actlab_spec and input_shape describe, with the file's weights. The
 * model's sizes (the limits above) and its tensors' names and shapes are checked against the
 * file before its parameters are allocated: a file whose metadata asks for a huge model but
 * whose tensors do not match fails without allocating it. */
ACTLAB_API al_status nn_load(const char *path, nn_model **out);
/* Into an existing model (any file with the right names and shapes, e.g. one from PyTorch). */
ACTLAB_API al_status nn_load_weights(nn_model *m, const char *path);
/* Checkpoints: the weights file plus tensors "optimizer.m" and "optimizer.v" (the optimizer's
 * moments, [n_params] each) and metadata "epoch", "optimizer" ("adam lr=0.001 momentum=0
 * weight_decay=0 nesterov=0 beta1=0.9 beta2=0.999 eps=1e-08 step=1200"), "rng" (the four
 * state words in hex of the caller's generator, e.g. shuffling) and "dropout_rng" (the
 * model's own, nn_model_rng), so training resumes exactly where it stopped. nn_load and
 * nn_load_weights read a checkpoint as a weights file. nn_checkpoint_load sets *o, *epoch and
 * *rng (each may be NULL) only on success. */
/* nn_save plus one extra __metadata__ entry (e.g. "actlab_tabular": the fitted CSV
 * transformation, so predictions on new rows apply the same preprocessing). */
ACTLAB_API al_status nn_save_with_meta(const nn_model *m, const char *path, const char *key,
                                 const char *value);
/* The same with up to NN_MAX_EXTRA_META entries (e.g. the CSV transformation and the target's
 * scale, "actlab_target"). */
#define NN_MAX_EXTRA_META 4
ACTLAB_API al_status nn_save_with_metas(const nn_model *m, const char *path, const char *const *keys,
                                  const char *const *values, size_t n);
/* One __metadata__ value of a weights file, malloc'd (free() it); *value is NULL when the
 * file has no such key. */
ACTLAB_API al_status nn_file_meta(const char *path, const char *key, char **value);
ACTLAB_API al_status nn_checkpoint_save(nn_model *m, const nn_optimizer *o, long epoch,
                                  const al_rng *rng, const char *path);
ACTLAB_API al_status nn_checkpoint_load(const char *path, nn_model **m, nn_optimizer *o, long *epoch,
                                  al_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
