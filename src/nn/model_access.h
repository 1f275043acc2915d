/* Internal: what code outside model.c (files.c: nn_save/nn_load and checkpoints; tests) needs
 * to see of a model, whose struct stays private to model.c. model.c implements these. */
#ifndef ACTLAB_SRC_NN_MODEL_ACCESS_H
#define ACTLAB_SRC_NN_MODEL_ACCESS_H

#include <stddef.h>

#include "layer.h"

/* The layers in spec order (a fused activation is not a layer of its own: l->has_act). The
 * pointer is non-const so that a loader can write l->w through a const model handle's layer;
 * the layer and its w[] stay owned by the model. i < nn__model_layer_count(m). */
size_t nn__model_layer_count(const nn_model *m);
struct nn__layer *nn__model_layer(const nn_model *m, size_t i);

/* The optimizer's state in the model's arena, nn_model_param_count(m) floats each, in the
 * same order as the weights: which 0 is m (Adam's first moment, SGD's momentum buffer),
 * 1 is v (Adam's second moment, RMSprop's average of squares). Zero until the first
 * optimizer step; an optimizer that needs only one leaves the other zero. NULL only for a
 * model without parameters. Checkpoints save and restore both. */
float *nn__model_moment(const nn_model *m, int which);

#endif
