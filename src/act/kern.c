/* Picking a kernel path once from the CPU; the kernel a spec runs on it (its descriptor's
 * binding) and the constants that kernel reads (its descriptor's prep). */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "desc.h"
#include "../core/text.h"
#include "../core/error.h"

/* Best first; the build leaves out what its compiler or architecture cannot make. */
static const struct act__path paths[] = {
#ifdef ACTLAB_X86_PATHS
    {"avx512", ACT__AVX512},
    {"avx2", ACT__AVX2},
#endif
    {"baseline", ACT__BASE},
    {"exact", ACT__EXACT},
};
static const struct act__path *const exact_path = &paths[sizeof paths / sizeof paths[0] - 1];
#define N_PATHS (sizeof paths / sizeof paths[0])

/* The names of paths[], spelled out so the list is constant data: filling a static array on
 * each call (as this once did) is a data race when two threads ask at once. test_kernels
 * checks that the two lists agree. */
static const char *const path_names[] = {
#ifdef ACTLAB_X86_PATHS
    "avx512",
    "avx2",
#endif
    "baseline",
    "exact",
    NULL,
};
_Static_assert(sizeof path_names / sizeof path_names[0] == N_PATHS + 1,
               "path_names out of step with paths");

static int runs(const struct act__path *p)
{
#ifdef ACTLAB_X86_PATHS
    if (p->id == ACT__AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    if (p->id == ACT__AVX2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    (void)p;
    return 1;
}

static const struct act__path *best(void)
{
    for (size_t i = 0; i < N_PATHS; i++)
        if (runs(&paths[i]))
            return &paths[i];
    return exact_path;
}

static const struct act__path *find(const char *name)
{
    for (size_t i = 0; i < N_PATHS; i++)
        if (al_name_eq(name, strlen(name), paths[i].name))
            return &paths[i];
    return NULL;
}

static _Atomic(const struct act__path *) current;

const struct act__path *act__cur_path(void)
{
    const struct act__path *p = atomic_load_explicit(&current, memory_order_acquire);
    if (p)
        return p;
    /* first use: ACTLAB_ISA, else the best; racing threads agree on the answer */
    const char *env = getenv("ACTLAB_ISA");
    p = env && *env && strcmp(env, "auto") ? find(env) : NULL;
    if (!p || !runs(p))
        p = best();
    atomic_store_explicit(&current, p, memory_order_release);
    return p;
}

const char *act_isa(void)
{
    return act__cur_path()->name;
}

int act_isa_supported(const char *name)
{
    if (name && !strcmp(name, "auto"))
        return 1;
    const struct act__path *p = name ? find(name) : NULL;
    return p && runs(p);
}

const char *const *act_isa_names(void)
{
    return path_names;
}

al_status act_set_isa(const char *name)
{
    AL_API_ENTRY;
    if (!name)
        return al__fail(AL_EINVAL, "act_set_isa: name is NULL");
    const struct act__path *p = al_name_eq(name, strlen(name), "auto") ? best() : find(name);
    if (!p) {
        al_suggest sg;
        al_suggest_init(&sg, name, strlen(name));
        for (size_t i = 0; i < N_PATHS; i++)
            al_suggest_add(&sg, paths[i].name, strlen(paths[i].name), paths[i].name,
                           strlen(paths[i].name));
        char hint[96];
        al_suggest_format(&sg, hint, sizeof hint);
        return al__fail(AL_ENAME, "unknown kernel path '%s'%s (paths: avx512, avx2, baseline, "
                        "exact, auto)", name, hint);
    }
    if (!runs(p))
        return al__fail(AL_EUNSUPPORTED, "kernel path '%s' needs CPU features this machine "
                        "lacks", name);
    atomic_store_explicit(&current, p, memory_order_release);
    return AL_OK;
}

/* ---- kernels and their constants --------------------------------------------------- */

const struct act__kern *act__kern_of(const act_spec *a)
{
    const struct act__desc *d = act__table[a->kind];
    if (d->vec_ok && !d->vec_ok(a->p))
        return NULL;
    return d->vec.k[act__cur_path()->id];
}

void act__kprep(const act_spec *a, struct act__kc *k)
{
    memset(k, 0, sizeof *k);
    const struct act__desc *d = act__table[a->kind];
    if (d->prep)
        d->prep(a->p, k);
}

/* ---- helpers for the families' preps --------------------------------------------------- */

void act__split(double v, float *hi, float *lo)
{
    *hi = (float)v;
    *lo = (float)(v - *hi);
}

float act__float_below(double v)
{
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

float act__float_above(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}
