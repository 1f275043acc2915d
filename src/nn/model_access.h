/* Internal: what code outside model.c (files.c: nn_save/nn_load and checkpoints; tests) needs
 * to see of a model, whose struct stays private to model.c. model.c implements these. */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
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

/* nn_model_create in two steps. The plan is the model without its arena: layers, shapes,
 * n_params and the spec text, every size checked against NN_MAX_PARAMS and
 * NN_MAX_SAMPLE_FLOATS; it allocates only in proportion to the spec's text, so a loader can
 * compare a file's tensors with nn__model_layer()'s tensors() first. Until nn__model_alloc
 * the layers' w and g are NULL, and only nn_model_free and the accessors may be called. */
int nn__model_plan(const char *spec, nn_shape input, nn_model **out);
/* The arena, zeroed; init: the weights drawn from scheme and rng (else left at zero, for a
 * loader that overwrites every one). Seeds the dropout generator from rng either way. */
int nn__model_alloc(nn_model *m, nn_init scheme, al_rng *rng, int init);

#endif
