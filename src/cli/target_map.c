#include <math.h>
#include <stdio.h>
#include <string.h>

#include "target_map.h"

static int check_targets(const data_set *s, const char *what)
{
    if (s->y.dtype != DATA_F32)
        return al_set_error(AL_EINVAL, "--log-target needs regression targets, not class labels");
    const float *y = s->y.data;
    for (size_t i = 0, n = data_array_count(&s->y); i < n; i++)
        if (!(y[i] > 0))
            return al_set_error(AL_EINVAL, "--log-target: the %s target of sample %zu is %g, which "
                            "has no log", what, i, (double)y[i]);
    return AL_OK;
}

int cli_target_map_fit(struct cli_target_map *t, const data_set *s, const char *what)
{
    int rc = check_targets(s, what);
    if (rc)
        return rc;
    const float *y = s->y.data;
    size_t n = data_array_count(&s->y);
    double sum = 0, q = 0;
    for (size_t i = 0; i < n; i++)
        sum += log((double)y[i]);
    t->log = 1;
    t->mean = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        q += (log((double)y[i]) - t->mean) * (log((double)y[i]) - t->mean);
    /* a network's output starts near 0 with unit scale: it need not first learn 12 */
    t->std = n > 1 && q > 0 ? sqrt(q / (double)n) : 1;
    return AL_OK;
}

int cli_target_map_apply(const struct cli_target_map *t, data_set *s, const char *what)
{
    if (!t->log || !s->y.data)
        return AL_OK;
    int rc = check_targets(s, what);
    if (rc)
        return rc;
    float *y = s->y.data;
    for (size_t i = 0, n = data_array_count(&s->y); i < n; i++)
        y[i] = (float)((log((double)y[i]) - t->mean) / t->std);
    return AL_OK;
}

void cli_target_to_units(const void *map, float *v, size_t n)
{
    const struct cli_target_map *t = map;
    if (!t->log)
        return;
    for (size_t i = 0; i < n; i++)
        v[i] = (float)exp((double)v[i] * t->std + t->mean);
}

void cli_target_map_format(const struct cli_target_map *t, char *buf, size_t size)
{
    snprintf(buf, size, "log_standard mean=%.17g std=%.17g", t->mean, t->std);
}

int cli_target_map_parse(const char *file, const char *text, struct cli_target_map *t)
{
    char extra;
    double mean, std;
    if (sscanf(text, "log_standard mean=%lf std=%lf %c", &mean, &std, &extra) != 2 ||
        !isfinite(mean) || !(std > 0) || !isfinite(std))
        return al_set_error(AL_EFORMAT, "%s: %s \"%.80s\" in the metadata is not \"log_standard "
                        "mean=M std=S\"", file, CLI_TARGET_META, text);
    *t = (struct cli_target_map){.log = 1, .mean = mean, .std = std};
    return AL_OK;
}
