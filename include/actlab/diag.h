/* actlab diagnostics: what the tutorials say about deep networks in words, as numbers. For a
 * model and a fixed batch, the size of each layer's weight gradient (vanishing gradients)
 * and, for ReLU-family activations, the share of units that never fire (dying ReLUs).
 *
 * Definitions:
 * - a weighted layer is a dense or conv2d layer; they are numbered from 1 at the input side;
 * - grad_norm is the L2 norm of dLoss/dW over the layer's weights (its bias is left out),
 *   for the mean loss over the batch, in inference mode (dropout off), computed in double;
 * - the ReLU family is relu, relu6, leaky_relu, prelu and rrelu (nn_diag_relu_family);
 * - a unit is a dense layer's output feature or a conv2d layer's output channel; it is dead
 *   when its pre-activation is <= 0 for every sample of the batch (and, for a channel, at
 *   every position). For relu and relu6 that is exactly "its output is zero on every
 *   sample"; for the leaky variants, whose output is not zero there, it is the same region
 *   (the unit passes only the small negative slope). A NaN pre-activation counts as alive.
 * The activation is the layer's fused one (dense(64,activation=relu)), or, for a layer
 * without one, an activation(...) layer right after it.
 *
 * Errors are values: AL_EINVAL (NULL argument, zero batch, too small an output array),
 * AL_ENOMEM, and whatever nn_forward or nn_loss_eval say about the batch. */
#ifndef ACTLAB_DIAG_H
#define ACTLAB_DIAG_H

#include "export.h"

#include <stddef.h>

#include "act.h"
#include "nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nn_diag_layer {
    size_t layer;         /* position in the model's spec, counted from 1 (flatten counts) */
    size_t units;         /* output features (dense) or channels (conv2d) */
    double grad_norm;     /* L2 norm of the weight gradient */
    int relu_family;      /* its activation is in the ReLU family: dead units are counted */
    size_t dead;          /* dead units (0 when relu_family is 0) */
    double dead_fraction; /* dead / units; NaN when relu_family is 0 */
} nn_diag_layer;

/* Nonzero for relu, relu6, leaky_relu, prelu and rrelu. */
ACTLAB_API int nn_diag_relu_family(act_kind k);

/* The number of weighted (dense, conv2d) layers of m: the entries nn_diagnose fills. */
ACTLAB_API size_t nn_diag_count(const nn_model *m);

/* Runs the batch x (batch, input...) with targets in nn_loss_eval's form (int64 class
 * indices for sparse_categorical_crossentropy, else float (batch, width)) through m, and
 * fills out[0 .. nn_diag_count(m)) in input-to-output order; *loss_value (may be NULL)
 * receives the batch's loss. n_out must be at least nn_diag_count(m). The weights do not
 * change; the gradient arena then holds this batch's gradients, and the model is left as
 * after nn_forward(x, inference) and nn_backward on it. */
ACTLAB_API al_status nn_diagnose(nn_model *m, const float *x, const void *target, size_t batch,
                           const nn_loss *loss, nn_diag_layer *out, size_t n_out,
                           double *loss_value);

#ifdef __cplusplus
}
#endif
#endif
