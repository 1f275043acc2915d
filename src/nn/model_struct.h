/* The model's struct, private to the model's own files: construction and the buffers
 * (model.c) and the summary (model_summary.c). Everything else goes through
 * model_access.h. */
#ifndef ACTLAB_SRC_NN_MODEL_STRUCT_H
#define ACTLAB_SRC_NN_MODEL_STRUCT_H

#include <stddef.h>

#include "layer.h"

struct nn_model {
    size_t n_layers;
    struct nn__layer *layers;
    nn_shape input;
    nn_shape *post_shape; /* each layer's output after its fused activation */
    size_t n_params;
    size_t sample_floats; /* every buffer's floats per sample (reserve) */
    float *w, *g, *m, *v; /* the arena: weights, gradients, optimizer moments; n_params each */
    char *spec;   /* canonical text */
    al_rng rng;   /* dropout masks */

    size_t cap;         /* batch the buffers hold; 0 before the first forward */
    float *block;       /* the one allocation behind every buffer below */
    float *x0;          /* copy of the input */
    float **pre, **post; /* n_layers each */
    float *grad[2];
    size_t batch; /* of the last forward; 0 when there is none */
};

#endif
