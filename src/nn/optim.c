/* Optimizers: torch.optim's update rules, each one flat loop over the parameter arena
 * (weights w, gradients g and the moments m, v live side by side in the model).
 *
 *   SGD (dampening 0):  g += wd w;  b = mu b + g (b = g at the first step, which a zero b
 *                       gives);  g = nesterov ? g + mu b : b;  w -= lr g
 *   Adam:    g += wd w (L2);  m += (1 - b1) (g - m) (torch's lerp);  v = b2 v + (1 - b2) g^2;
 *            w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *   AdamW:   w *= 1 - lr wd (decoupled), then Adam without the L2 term
 *   RMSprop: g += wd w;  v = alpha v + (1 - alpha) g^2;  a = sqrt(v) + eps;
 *            mu > 0: b = mu b + g / a, w -= lr b;  else w -= lr g / a
 * Scalars that torch computes in Python (bias corrections, step size) are computed in double
 * and rounded to float once, as torch passes them to its float kernels. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "avx512.h"
#include "layer.h"
#include "model_access.h"
#include "../core/error.h"

/* Each optimizer by name, with torch.optim's defaults (nn.h). */
static const struct {
    const char *name;
    nn_optimizer defaults;
} optimizers[] = {
    {"sgd", {.kind = NN_OPT_SGD, .lr = 0.01f}},
    {"adam", {.kind = NN_OPT_ADAM, .lr = 0.001f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f}},
    {"adamw", {.kind = NN_OPT_ADAMW, .lr = 0.001f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
               .weight_decay = 0.01f}},
    {"rmsprop", {.kind = NN_OPT_RMSPROP, .lr = 0.01f, .beta2 = 0.99f, .eps = 1e-8f}},
};
#define N_OPTIMIZERS (sizeof optimizers / sizeof optimizers[0])

al_status nn_optimizer_init(nn_optimizer *o, const char *name)
{
    AL_API_ENTRY;
    if (!o || !name)
        return al__fail(AL_EINVAL, "nn_optimizer_init: NULL argument");
    size_t n = strcspn(name, ":");
    const char *table[N_OPTIMIZERS];
    for (size_t i = 0; i < N_OPTIMIZERS; i++)
        table[i] = optimizers[i].name;
    long k = al_name_find(name, n, table, N_OPTIMIZERS);
    if (k < 0) {
        char hint[128];
        al_name_suggest(name, n, table, N_OPTIMIZERS, hint, sizeof hint);
        return al__fail(AL_ENAME, "unknown optimizer '%.*s'%s (optimizers: sgd, adam, adamw, "
                                  "rmsprop)",
                        (int)(n < 80 ? n : 80), name, hint);
    }
    nn_optimizer r = optimizers[k].defaults;
    for (const char *s = name[n] ? name + n + 1 : name + n; *s;) {
        const char *key;
        size_t klen;
        char val[64];
        double v;
        int rc = al__next_setting(&s, "optimizer setting", &key, &klen, val, &v);
        if (rc)
            return rc;
        if (v < 0)
            return al__fail(AL_EINVAL, "optimizer setting '%.*s': '%s' is not a number >= 0",
                            (int)klen, key, val);
        int adam = r.kind == NN_OPT_ADAM || r.kind == NN_OPT_ADAMW;
        if (al_name_eq(key, klen, "lr") && v > 0)
            r.lr = (float)v;
        else if (al_name_eq(key, klen, "weight_decay"))
            r.weight_decay = (float)v;
        else if (al_name_eq(key, klen, "momentum") && r.kind != NN_OPT_ADAM &&
                 r.kind != NN_OPT_ADAMW && v < 1)
            r.momentum = (float)v;
        else if (al_name_eq(key, klen, "nesterov") && r.kind == NN_OPT_SGD && (v == 0 || v == 1))
            r.nesterov = (int)v;
        else if (al_name_eq(key, klen, "beta1") && adam && v < 1)
            r.beta1 = (float)v;
        else if ((al_name_eq(key, klen, "beta2") || (al_name_eq(key, klen, "alpha") && !adam)) &&
                 r.kind != NN_OPT_SGD && v < 1)
            r.beta2 = (float)v;
        else if (al_name_eq(key, klen, "eps") && r.kind != NN_OPT_SGD && v > 0)
            r.eps = (float)v;
        else
            return al__fail(AL_EINVAL,
                            "%s: no setting '%.*s' (or its value %s is out of range); settings: "
                            "%s",
                            optimizers[k].name, (int)klen, key, val,
                            r.kind == NN_OPT_SGD ? "lr, momentum in [0, 1), weight_decay, "
                                                   "nesterov=0|1"
                            : adam ? "lr, beta1 and beta2 in [0, 1), eps > 0, weight_decay"
                                   : "lr, alpha in [0, 1), eps > 0, momentum, weight_decay");
    }
    if (r.nesterov && r.momentum <= 0)
        return al__fail(AL_EINVAL, "sgd: nesterov needs momentum > 0 (as torch.optim.SGD)");
    *o = r;
    return AL_OK;
}

static void sgd_step(const nn_optimizer *o, size_t n, float *restrict w,
                     const float *restrict g, float *restrict b)
{
    const float lr = o->lr, wd = o->weight_decay, mu = o->momentum;
    for (size_t i = 0; i < n; i++) {
        float d = g[i];
        if (wd != 0.0f)
            d += wd * w[i];
        if (mu != 0.0f) {
            b[i] = mu * b[i] + d;
            d = o->nesterov ? d + mu * b[i] : b[i];
        }
        w[i] -= lr * d;
    }
}

/* Adam's constants for one step (adam_step computes them once). */
struct adam_k {
    float step, c2s, b1, b2, ob2, eps, l2, decay;
};

/* A moment below FLT_MIN is stored as 0. A parameter whose gradient stops (a dead relu unit)
 * has m shrink by beta1 every step: after about 800 steps (epoch 16 of the house-prices
 * MLP) it is subnormal, and every operation on it took a microcode assist (epochs 16-20 ran
 * 1.6 to 1.8x slower than epochs 2-14, measured). What the flush changes is below float
 * rounding of any weight above about 1e-24 (lr 1e-3, eps 1e-8): the update it drops is at
 * most step * FLT_MIN / eps; a v below FLT_MIN adds under 4e-18 to eps. NaN is kept
 * (divergence must show). */
static inline float flush(float x)
{
    return fabsf(x) < FLT_MIN ? 0.0f : x;
}

/* One element: the specification the vector loops below follow operation for operation
 * (IEEE add, mul, div and sqrt in the same order, no contraction: the same bits). */
static inline void adam_one(const struct adam_k *k, float *restrict w, const float *restrict g,
                            float *restrict m, float *restrict v)
{
    float d = *g;
    if (k->l2 != 0.0f)
        d += k->l2 * *w;
    *w *= k->decay;
    float mi = flush(*m + k->b1 * (d - *m)), vi = flush(*v * k->b2 + k->ob2 * d * d);
    *m = mi, *v = vi;
    *w -= k->step * (mi / (sqrtf(vi) / k->c2s + k->eps));
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define ADAM_X86 1

/* Subnormal lanes to 0 (flush, lane by lane; NaN kept) */
__attribute__((target("avx512f"))) static inline __m512 flush512(__m512 x, __m512 tiny)
{
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_abs_ps(x), tiny, _CMP_NLT_UQ), x);
}

__attribute__((target("avx"))) static inline __m256 flush256(__m256 x, __m256 tiny)
{
    __m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    return _mm256_and_ps(x, _mm256_cmp_ps(abs, tiny, _CMP_NLT_UQ));
}

/* 16 elements a step on the AVX-512 path, 8 on AVX2's (act_isa picks: the activation
 * kernels' path); one body for both, in _mm<BITS>_ intrinsics. The scalar loop over 53 k
 * parameters was 55% of a house-prices MLP epoch (perf; sqrtss and two divss per element).
 * The tail runs adam_one. */
#define ADAM_VEC(name, isa, V, BITS, VW)                                                       \
    __attribute__((target(isa))) static void name(const struct adam_k *k, size_t n,          \
                                                  float *restrict w, const float *restrict g, \
                                                  float *restrict m, float *restrict v)      \
    {                                                                                          \
        const V step = _mm##BITS##_set1_ps(k->step), c2s = _mm##BITS##_set1_ps(k->c2s),        \
                b1 = _mm##BITS##_set1_ps(k->b1), b2 = _mm##BITS##_set1_ps(k->b2),              \
                ob2 = _mm##BITS##_set1_ps(k->ob2), eps = _mm##BITS##_set1_ps(k->eps),          \
                l2 = _mm##BITS##_set1_ps(k->l2), decay = _mm##BITS##_set1_ps(k->decay),        \
                tiny = _mm##BITS##_set1_ps(FLT_MIN);                                           \
        const int use_l2 = k->l2 != 0.0f, use_decay = k->decay != 1.0f; /* x * 1 is x */      \
        size_t i = 0;                                                                          \
        for (; i + VW <= n; i += VW) {                                                         \
            V d = _mm##BITS##_loadu_ps(g + i), wi = _mm##BITS##_loadu_ps(w + i);               \
            V mi = _mm##BITS##_loadu_ps(m + i), vi = _mm##BITS##_loadu_ps(v + i);              \
            if (use_l2)                                                                        \
                d = _mm##BITS##_add_ps(d, _mm##BITS##_mul_ps(l2, wi));                         \
            if (use_decay)                                                                     \
                wi = _mm##BITS##_mul_ps(wi, decay);                                            \
            mi = _mm##BITS##_add_ps(mi, _mm##BITS##_mul_ps(b1, _mm##BITS##_sub_ps(d, mi)));    \
            vi = _mm##BITS##_add_ps(_mm##BITS##_mul_ps(vi, b2),                                \
                                    _mm##BITS##_mul_ps(_mm##BITS##_mul_ps(ob2, d), d));        \
            mi = flush##BITS(mi, tiny);                                                        \
            vi = flush##BITS(vi, tiny);                                                        \
            V den = _mm##BITS##_add_ps(_mm##BITS##_div_ps(_mm##BITS##_sqrt_ps(vi), c2s), eps); \
            wi = _mm##BITS##_sub_ps(wi, _mm##BITS##_mul_ps(step, _mm##BITS##_div_ps(mi, den))); \
            _mm##BITS##_storeu_ps(m + i, mi);                                                  \
            _mm##BITS##_storeu_ps(v + i, vi);                                                  \
            _mm##BITS##_storeu_ps(w + i, wi);                                                  \
        }                                                                                      \
        for (; i < n; i++)                                                                     \
            adam_one(k, w + i, g + i, m + i, v + i);                                           \
    }
ADAM_VEC(adam_avx512, "avx512f", __m512, 512, 16)
ADAM_VEC(adam_avx2, "avx", __m256, 256, 8)
#endif

#define ADAM_BLOCK ((size_t)1 << 16) /* parameters a thread updates at a time */

/* One Adam step's arrays and kernel, for nn__for_blocks. */
struct adam_run {
    const struct adam_k *k;
    void (*vec)(const struct adam_k *, size_t, float *, const float *, float *, float *);
    float *w;
    const float *g;
    float *m, *v;
};

static void adam_block(void *ctx, size_t at, size_t len)
{
    const struct adam_run *r = ctx;
    if (r->vec)
        r->vec(r->k, len, r->w + at, r->g + at, r->m + at, r->v + at);
    else
        for (size_t i = at; i < at + len; i++)
            adam_one(r->k, r->w + i, r->g + i, r->m + i, r->v + i);
}

static void adam_step(const nn_optimizer *o, size_t n, float *restrict w,
                      const float *restrict g, float *restrict m, float *restrict v)
{
    const double t = (double)o->step;
    const double c1 = 1.0 - pow((double)o->beta1, t), c2 = 1.0 - pow((double)o->beta2, t);
    const struct adam_k k = {
        .step = (float)((double)o->lr / c1),
        .c2s = (float)sqrt(c2),
        .b1 = 1.0f - o->beta1,
        .b2 = o->beta2,
        .ob2 = 1.0f - o->beta2,
        .eps = o->eps,
        .l2 = o->kind == NN_OPT_ADAM ? o->weight_decay : 0.0f,
        .decay = o->kind == NN_OPT_ADAMW ? (float)(1.0 - (double)o->lr * o->weight_decay) : 1.0f,
    };
    struct adam_run r = {&k, NULL, w, g, m, v};
#ifdef ADAM_X86
    r.vec = nn__avx512() ? adam_avx512 : strcmp(act_isa(), "avx2") == 0 ? adam_avx2 : NULL;
#endif
    /* blocks of parameters over the OpenMP threads (LeNet-5's 0.5 M parameters: a step's
     * only serial pass over memory left, at 2 threads) */
    nn__for_blocks(n, ADAM_BLOCK, 2, adam_block, &r);
}

static void rmsprop_step(const nn_optimizer *o, size_t n, float *restrict w,
                         const float *restrict g, float *restrict b, float *restrict v)
{
    const float lr = o->lr, wd = o->weight_decay, mu = o->momentum, a = o->beta2,
                oa = 1.0f - o->beta2, eps = o->eps;
    for (size_t i = 0; i < n; i++) {
        float d = g[i];
        if (wd != 0.0f)
            d += wd * w[i];
        v[i] = v[i] * a + oa * d * d;
        float avg = sqrtf(v[i]) + eps;
        if (mu > 0.0f) {
            b[i] = mu * b[i] + d / avg;
            w[i] -= lr * b[i];
        } else {
            w[i] -= lr * (d / avg);
        }
    }
}

al_status nn_optimizer_step(nn_optimizer *o, nn_model *model)
{
    AL_API_ENTRY;
    if (!o || !model)
        return al__fail(AL_EINVAL, "nn_optimizer_step: NULL argument");
    float *w, *g, *m = nn__model_moment(model, 0), *v = nn__model_moment(model, 1);
    size_t n = nn_params(model, &w, &g);
    o->step++;
    switch (o->kind) {
    case NN_OPT_SGD:
        sgd_step(o, n, w, g, m);
        return AL_OK;
    case NN_OPT_ADAM:
    case NN_OPT_ADAMW:
        adam_step(o, n, w, g, m, v);
        return AL_OK;
    case NN_OPT_RMSPROP:
        rmsprop_step(o, n, w, g, m, v);
        return AL_OK;
    }
    o->step--;
    return al__fail(AL_EINVAL, "nn_optimizer_step: unknown optimizer kind %d", (int)o->kind);
}
