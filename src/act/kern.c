/* Picking a kernel path once from the CPU, and the parameters as the kernels want them. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kern.h"
#include "../core/text.h"
#include "../core/error.h"

static const struct act__path exact_path = {.name = "exact"};

/* Best first; the build leaves out what its compiler or architecture cannot make. */
static const struct act__path *const paths[] = {
#ifdef ACTLAB_X86_PATHS
    &act__path_avx512,
    &act__path_avx2,
#endif
    &act__path_base,
    &exact_path,
};
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
    if (p == &act__path_avx512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
    if (p == &act__path_avx2)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    (void)p;
    return 1;
}

static const struct act__path *best(void)
{
    for (size_t i = 0; i < N_PATHS; i++)
        if (runs(paths[i]))
            return paths[i];
    return &exact_path;
}

static const struct act__path *find(const char *name)
{
    for (size_t i = 0; i < N_PATHS; i++)
        if (al_name_eq(name, strlen(name), paths[i]->name))
            return paths[i];
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
            al_suggest_add(&sg, paths[i]->name, strlen(paths[i]->name), paths[i]->name,
                           strlen(paths[i]->name));
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

/* ---- parameters ------------------------------------------------------------------------ */

/* hi + lo = v, each a float */
static void split(double v, float *hi, float *lo)
{
    *hi = (float)v;
    *lo = (float)(v - *hi);
}

/* the largest float <= v: x > v iff x > down(v) for every float x */
static float down(double v)
{
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float up(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

void act__kprep(const act_spec *a, struct act__kc *k)
{
    const double *p = a->p;
    memset(k, 0, sizeof *k);
    switch (a->kind) {
    case ACT_LEAKY_RELU:
    case ACT_PRELU:
    case ACT_RRELU: {
        double slope = a->kind == ACT_RRELU ? (p[0] + p[1]) / 2.0 : p[0];
        k->d[0] = slope;
        k->c[0] = (float)slope;
        k->c[2] = slope == 0;
        break;
    }
    case ACT_THRESHOLD:
        k->c[0] = down(p[0]);
        k->c[1] = (float)p[1];
        break;
    case ACT_HARD_TANH:
        k->c[0] = (float)p[0];
        k->c[1] = (float)p[1];
        k->c[2] = down(p[0]);
        k->c[3] = up(p[1]);
        break;
    case ACT_HARDSHRINK:
    case ACT_SOFTSHRINK:
        k->c[0] = down(p[0]);
        split(p[0], &k->c[2], &k->c[3]);
        break;
    case ACT_SQUAREPLUS:
        k->d[0] = p[0];
        break;
    case ACT_ELU:
        k->d[0] = p[0];
        k->c[2] = p[0] == 1.0;
        break;
    case ACT_CELU:
        k->d[0] = p[0];
        k->c[1] = (float)(1.0 / p[0]);
        k->c[2] = p[0] == 1.0;
        k->c[3] = (float)(p[0] * 0x1p-100);
        break;
    case ACT_SELU: {
        const double scale = 1.0507009873554804934193349852946;
        const double alpha = 1.6732632423543772848170429916717;
        k->d[0] = scale;
        k->d[1] = scale * alpha;
        k->c[0] = (float)scale;
        break;
    }
    case ACT_SILU:
    case ACT_GELU_QUICK:
    case ACT_SOFTPLUS: {
        double beta = a->kind == ACT_GELU_QUICK ? 1.702 : p[0];
        k->c[0] = (float)beta;
        k->c[1] = beta == 1.0;
        k->c[2] = a->kind == ACT_SOFTPLUS ? (float)p[1] : 0.0f;
        k->d[0] = beta;
        break;
    }
    default:
        break;
    }
}
