#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/status.h"
#include "error.h"

int al__next_setting(const char **s, const char *what, const char **key, size_t *klen,
                     char val[64], double *v)
{
    const char *item = *s;
    size_t len = strcspn(item, ","), k = strcspn(item, "=");
    if (k >= len)
        return al__fail(AL_EINVAL, "%s '%.*s' needs a value (key=value)", what, (int)len, item);
    snprintf(val, 64, "%.*s", (int)(len - k - 1), item + k + 1);
    if (al_parse_double(val, v) != AL_NUM_OK || !isfinite(*v))
        return al__fail(AL_EINVAL, "%s '%.*s': '%s' is not a number", what, (int)k, item, val);
    *key = item;
    *klen = k;
    *s = item + len + (item[len] == ',');
    return AL_OK;
}

char *al__str_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

uint64_t al__hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
}
