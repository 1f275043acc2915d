/* The table of layer kinds, generated from NN_LAYER_LIST, and the formatting helpers every
 * layer's format() shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer.h"

const struct nn__layer_ops *const nn__layers[NN_LAYER_COUNT] = {
#define X(id, name) [NN_LAYER_##id] = &nn__layer_##name,
    NN_LAYER_LIST(X)
#undef X
};

int nn__format_act(const act_spec *a, char *buf, size_t size)
{
    char text[256];
    int n = act_format(a, text, sizeof text);
    if (n < 0 || (size_t)n >= sizeof text)
        return snprintf(buf, size, "?");
    /* the spec splits arguments at commas outside brackets */
    if (strchr(text, ','))
        return snprintf(buf, size, "[%s]", text);
    return snprintf(buf, size, "%s", text);
}

int nn__format_double(double v, char *buf, size_t size)
{
    char text[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*g", prec, v);
        if (strtod(text, NULL) == v)
            break;
    }
    return snprintf(buf, size, "%s", text);
}

int nn__format_shape(nn_shape s, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < s.ndim; i++)
        used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0,
                                 "%s%zu", i ? ", " : "", s.d[i]);
    used += (size_t)snprintf(buf + (used < size ? used : size), used < size ? size - used : 0,
                             ")");
    return (int)used;
}
