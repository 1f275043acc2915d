#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/status.h"
#include "error.h"

size_t al__edit_distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[64];
    if (la > 60 || lb > 60)
        return (size_t)-1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best =
                diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

enum al__num al__parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return AL__NUM_INVALID;
    if (errno == ERANGE && isinf(v))
        return AL__NUM_RANGE;
    *out = v;
    return AL__NUM_OK;
}

int al__next_setting(const char **s, const char *what, const char **key, size_t *klen,
                     char val[64], double *v)
{
    const char *item = *s;
    size_t len = strcspn(item, ","), k = strcspn(item, "=");
    if (k >= len)
        return al__fail(AL_EINVAL, "%s '%.*s' needs a value (key=value)", what, (int)len, item);
    snprintf(val, 64, "%.*s", (int)(len - k - 1), item + k + 1);
    if (al__parse_double(val, v) != AL__NUM_OK || !isfinite(*v))
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
