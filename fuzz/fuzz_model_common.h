/* Shared by fuzz_model_file and fuzz_model_spec: what must hold for every model the library
 * accepts. */
#ifndef ACTLAB_FUZZ_MODEL_COMMON_H
#define ACTLAB_FUZZ_MODEL_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/nn.h"
#include "nn/model_access.h"

/* Per-sample floats of the input and every layer's output, saturating. The library bounds
 * each term (NN_MAX_SAMPLE_FLOATS); the harness bounds their sum too, so that a legitimately
 * large model does not make one run slow or trip the fuzzer's memory limit. */
static size_t sample_floats(const nn_model *m)
{
    size_t total = nn_shape_count(nn_model_input_shape(m));
    for (size_t i = 0; i < nn__model_layer_count(m); i++) {
        size_t n = nn_shape_count(nn__model_layer(m, i)->out);
        total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
    }
    return total;
}

#define FUZZ_MAX_SAMPLE_FLOATS ((size_t)1 << 20)

/* Summary, then forward on a zero batch of two (and backward) when small enough: none may
 * fail but for memory, and the output must have the model's output shape. */
static void exercise(nn_model *m)
{
    char *text = NULL;
    int rc = nn_model_summary(m, &text);
    if (rc != AL_OK && rc != AL_ENOMEM)
        abort();
    if (text && !strstr(text, "Total params:"))
        abort();
    free(text);
    if (!nn_shape_count(nn_model_output_shape(m)) || !nn_model_spec(m)[0])
        abort();
    if (sample_floats(m) > FUZZ_MAX_SAMPLE_FLOATS)
        return;
    size_t in = nn_shape_count(nn_model_input_shape(m)),
           out = nn_shape_count(nn_model_output_shape(m));
    float *x = calloc(2 * in, sizeof *x), *y = malloc(2 * out * sizeof *y),
          *dy = calloc(2 * out, sizeof *dy), *dx = malloc(2 * in * sizeof *dx);
    if (!x || !y || !dy || !dx)
        abort();
    rc = nn_forward(m, x, y, 2, 1);
    if (rc == AL_OK)
        rc = nn_backward(m, dy, dx);
    if (rc != AL_OK && rc != AL_ENOMEM) {
        fprintf(stderr, "forward/backward failed on an accepted model: %s\n",
                al_last_error());
        abort();
    }
    free(x);
    free(y);
    free(dy);
    free(dx);
}

#endif
