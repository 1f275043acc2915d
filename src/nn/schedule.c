/* Learning-rate schedules (train.h): pure functions of the epoch and the monitored losses
 * before it, so a resumed run replays them without any saved state. */
#include <math.h>
#include <string.h>

#include "../core/error.h"
#include "../core/text.h"
#include "actlab/train.h"

al_status nn_schedule_parse(const char *text, nn_schedule *out)
{
    AL_API_ENTRY;
    if (!text || !out)
        return al__fail(AL_EINVAL, "nn_schedule_parse: NULL argument");
    static const char *const names[] = {"none", "step", "cosine", "plateau"};
    const char *colon = strchr(text, ':');
    size_t n = colon ? (size_t)(colon - text) : strlen(text);
    nn_schedule s = {.every = 10, .factor = 0.1, .patience = 10, .min_lr = 0};
    long k = al_name_find(text, n, names, 4);
    if (k < 0) {
        char hint[96];
        al_name_suggest(text, n, names, 4, hint, sizeof hint);
        return al__fail(AL_EINVAL, "unknown learning-rate schedule '%.*s'%s (schedules: none, "
                        "step:every=N,factor=F, cosine:min=LR, plateau:patience=N,factor=F,"
                        "min=LR)", (int)n, text, hint);
    }
    s.kind = (nn_schedule_kind)k;
    for (const char *p = colon ? colon + 1 : NULL; p && *p;) {
        const char *key;
        size_t klen;
        char val[64];
        double v;
        int rc = al__next_setting(&p, "schedule setting", &key, &klen, val, &v);
        if (rc)
            return rc;
        int whole = v == floor(v) && v >= 1 && v <= 1e9;
        if (al_name_eq(key, klen, "every") && s.kind == NN_SCHED_STEP && whole)
            s.every = (long)v;
        else if (al_name_eq(key, klen, "patience") && s.kind == NN_SCHED_PLATEAU && whole)
            s.patience = (long)v;
        else if (al_name_eq(key, klen, "factor") && v > 0 && v < 1 &&
                 (s.kind == NN_SCHED_STEP || s.kind == NN_SCHED_PLATEAU))
            s.factor = v;
        else if (al_name_eq(key, klen, "min") && v >= 0 &&
                 (s.kind == NN_SCHED_COSINE || s.kind == NN_SCHED_PLATEAU))
            s.min_lr = v;
        else
            return al__fail(AL_EINVAL, "%s: no setting '%.*s' (or its value %s is out of "
                            "range); settings: %s", names[k], (int)klen, key, val,
                            s.kind == NN_SCHED_STEP     ? "every >= 1, factor in (0, 1)"
                            : s.kind == NN_SCHED_COSINE ? "min >= 0"
                            : s.kind == NN_SCHED_PLATEAU
                                ? "patience >= 1, factor in (0, 1), min >= 0"
                                : "none");
    }
    *out = s;
    return AL_OK;
}

double nn_schedule_lr(const nn_schedule *s, double base, long e, long epochs,
                      const double *monitor)
{
    if (!s || e < 1)
        return base;
    switch (s->kind) {
    case NN_SCHED_STEP:
        return base * pow(s->factor, (double)((e - 1) / (s->every > 0 ? s->every : 1)));
    case NN_SCHED_COSINE: {
        double t = epochs > 0 ? (double)(e - 1) / (double)epochs : 0;
        double lo = s->min_lr < base ? s->min_lr : base;
        return lo + (base - lo) * (1 + cos(3.14159265358979323846 * t)) / 2;
    }
    case NN_SCHED_PLATEAU: {
        /* replay ReduceLROnPlateau (mode min, threshold 0, cooldown 0) over epochs 1..e-1 */
        double lr = base, best = INFINITY;
        long wait = 0;
        for (long i = 0; i + 1 < e && monitor; i++) {
            if (monitor[i] < best) {
                best = monitor[i], wait = 0;
            } else if (++wait >= s->patience) {
                lr = fmax(lr * s->factor, s->min_lr);
                wait = 0;
            }
        }
        return lr;
    }
    case NN_SCHED_NONE:
        break;
    }
    return base;
}
