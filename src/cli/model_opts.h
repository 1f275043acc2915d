/* Options that name a model, shared by summary, train and compare: --model SPEC (a built-in
 * name or a spec text), --act FUNC (the hidden activation of a built-in), --input SHAPE. */
#ifndef ACTLAB_CLI_MODEL_OPTS_H
#define ACTLAB_CLI_MODEL_OPTS_H

#include "actlab/nn.h"

/* "3,32,32" or "288" -> shape; 0 on success */
int cli_parse_shape(const char *text, nn_shape *out);

/* The spec text for a model argument: a built-in name with act swapped in, or the text as
 * it is (act must then be NULL). Returns an exit code. */
int cli_model_spec(const char *cmd, const char *model, const char *act, char *buf, size_t size);

/* --output-act: replaces (or adds) the activation of spec's last layer, which must be dense or
 * conv2d; spec holds size bytes. Returns an exit code. */
int cli_set_output_act(const char *cmd, const char *act, char *spec, size_t size);

#endif
