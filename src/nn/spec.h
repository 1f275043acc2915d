/* Internal: the model spec parser (spec.c), for model.c. */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_SPEC_H
#define ACTLAB_SRC_NN_SPEC_H

#include <stddef.h>

#include "layer.h"

/* One layer as parsed: its kind, arguments and where it is in the text (for messages). */
struct nn__parsed {
    enum nn__layer_kind kind;
    struct nn__layer_args args;
    const char *text;
    int len;
};

/* Fails with "layer I 'TEXT': " before the message. */
#define NN__LAYER_FAIL(status, idx, p, fmt, ...)                                             \
    al__fail(status, "layer %zu '%.*s': " fmt, (idx) + 1, (p)->len, (p)->text, __VA_ARGS__)

/* Splits spec (text or a built-in name) into layers, each with its arguments checked on its
 * own; an empty spec is an error. *out and *expanded (the built-in's text, which *out points
 * into) are malloc'd, also on error: free both after *out. */
int nn__spec_parse(const char *spec, struct nn__parsed **out, size_t *n, char **expanded);

/* Whether the kind takes activation= and applies it after the layer. */
int nn__kind_fuses_act(enum nn__layer_kind k);

#endif
