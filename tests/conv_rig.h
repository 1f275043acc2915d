/* A layer driven by hand for the layer tests (test_conv.c, test_pool.c): a struct
 * nn__layer filled by the test, which owns the weights, gradients and scratch. */
#ifndef ACTLAB_TESTS_CONV_RIG_H
#define ACTLAB_TESTS_CONV_RIG_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "actlab/act.h"
#include "actlab/rng.h"
#include "nn/layer.h"

/* ---- a layer driven by hand ----------------------------------------------------------- */

struct rig {
    struct nn__layer l;
    size_t batch, in_n, out_n; /* per-sample element counts */
    float *x, *y, *dy, *dx;
};

static inline struct nn__layer_args conv_args(size_t filters, size_t k, size_t stride, int same,
                                       int bias)
{
    struct nn__layer_args a;
    memset(&a, 0, sizeof a);
    a.units = filters, a.kernel = k, a.stride = stride, a.same = same, a.bias = bias;
    act_init(&a.act, ACT_IDENTITY);
    return a;
}

static inline struct nn__layer_args pool_args(size_t pool, size_t stride)
{
    struct nn__layer_args a;
    memset(&a, 0, sizeof a);
    a.pool = pool, a.stride = stride;
    act_init(&a.act, ACT_IDENTITY);
    return a;
}

static inline int try_setup(struct nn__layer *l, const struct nn__layer_ops *ops,
                     struct nn__layer_args a, size_t c, size_t h, size_t w)
{
    memset(l, 0, sizeof *l);
    l->ops = ops;
    l->args = a;
    l->in.ndim = 3;
    l->in.d[0] = c, l->in.d[1] = h, l->in.d[2] = w;
    return ops->setup(l);
}

static inline float *falloc(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    cr_assert(p);
    return p;
}

static inline void fill_uniform(float *p, size_t n, al_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(lo + (hi - lo) * al_rng_uniform(r));
}

/* Sets the layer up and gives it random weights, zero gradients, a scratch full of NaN (a
 * read before write shows) and random x and dy. */
static inline void rig_make(struct rig *t, const struct nn__layer_ops *ops, struct nn__layer_args a,
                     size_t batch, size_t c, size_t h, size_t w, uint64_t seed)
{
    memset(t, 0, sizeof *t);
    int rc = try_setup(&t->l, ops, a, c, h, w);
    cr_assert_eq(rc, AL_OK, "%s setup: %s", ops->kind, al_last_error());
    t->batch = batch;
    t->in_n = c * h * w;
    t->out_n = t->l.out.d[0] * t->l.out.d[1] * t->l.out.d[2];
    al_rng r;
    al_rng_seed(&r, seed);
    size_t np = t->l.n_params, ws = ops->workspace(&t->l, batch);
    t->l.w = falloc(np);
    t->l.g = falloc(np);
    t->l.scratch = ws ? falloc(ws) : NULL;
    fill_uniform(t->l.w, np, &r, -1, 1);
    memset(t->l.g, 0, np * sizeof *t->l.g);
    for (size_t i = 0; i < ws; i++)
        t->l.scratch[i] = NAN;
    t->x = falloc(batch * t->in_n);
    t->dx = falloc(batch * t->in_n);
    t->y = falloc(batch * t->out_n);
    t->dy = falloc(batch * t->out_n);
    fill_uniform(t->x, batch * t->in_n, &r, -1, 1);
    fill_uniform(t->dy, batch * t->out_n, &r, -1, 1);
}

static inline void rig_free(struct rig *t)
{
    free(t->l.w), free(t->l.g), free(t->l.scratch);
    free(t->x), free(t->y), free(t->dy), free(t->dx);
}

static inline void fwd(struct rig *t)
{
    int rc = t->l.ops->forward(&t->l, t->x, t->y, t->batch, 1, NULL);
    cr_assert_eq(rc, AL_OK);
}

static inline void bwd(struct rig *t, float *dx)
{
    int rc = t->l.ops->backward(&t->l, t->x, t->y, t->dy, dx, t->batch);
    cr_assert_eq(rc, AL_OK);
}

/* sum(dy * y) of a forward, in double */
static inline double loss(struct rig *t)
{
    fwd(t);
    double s = 0.0;
    for (size_t i = 0; i < t->batch * t->out_n; i++)
        s += (double)t->dy[i] * t->y[i];
    return s;
}

/* Central difference of loss() along d (or entry `only` when >= 0) against the analytic
 * gradient g dotted with the stored perturbation; returns |error| / tol. */
static inline double fd_check(struct rig *t, float *v, const float *g, size_t n, const double *d,
                       long only, double h, double tol, const char *what)
{
    size_t lo = only < 0 ? 0 : (size_t)only, hi = only < 0 ? n : lo + 1, m = hi - lo;
    float *saved = falloc(m), *plus = falloc(m), *minus = falloc(m);
    memcpy(saved, v + lo, m * sizeof *v);
    for (size_t i = 0; i < m; i++) {
        double di = only < 0 ? d[i] : 1.0;
        plus[i] = (float)(saved[i] + h * di);
        minus[i] = (float)(saved[i] - h * di);
    }
    memcpy(v + lo, plus, m * sizeof *v);
    double lp = loss(t);
    memcpy(v + lo, minus, m * sizeof *v);
    double lm = loss(t);
    memcpy(v + lo, saved, m * sizeof *v);
    double ana = 0.0;
    for (size_t i = 0; i < m; i++)
        ana += (double)g[lo + i] * ((double)plus[i] - (double)minus[i]);
    double num = lp - lm, ratio = fabs(num - ana) / tol;
    cr_expect(ratio <= 1.0, "%s (entry %ld): difference %.9g, analytic %.9g, tolerance %.3g",
              what, only, num, ana, tol);
    free(saved), free(plus), free(minus);
    return ratio;
}

#endif
