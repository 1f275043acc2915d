/* Stand-in for the model's shared format helper while src/nn/model.c (and with it every
 * layer kind that registry.c lists) is not there yet: linked into test_conv only, never into
 * the library. tests/nn_conv.cmake drops it as soon as model.c exists. */
#include <stdio.h>
#include <string.h>

#include "nn/layer.h"

int nn__format_act(const act_spec *a, char *buf, size_t size)
{
    char text[256];
    int n = act_format(a, text, sizeof text);
    if (n < 0 || (size_t)n >= sizeof text)
        return snprintf(buf, size, "?");
    return snprintf(buf, size, strchr(text, ',') ? "[%s]" : "%s", text);
}
