/* Issue 14's small-model paths, on every kernel path this CPU runs (act_set_isa):
 *  - dense forward, which at batches up to 32 runs its own dot-product kernel on the AVX-512
 *    path: every output against a double dot product, within the error bound of a float sum
 *    of k + 1 terms; shapes around the kernel's 4 x 4 blocks and 16-lane steps; nothing
 *    written past the output; a NaN input spoils its own row only;
 *  - Adam and AdamW, whose loops are vector code on the x86 paths: the same bits on every
 *    path, within rounding of torch's formula in double after 300 steps, and no moment ever
 *    stored subnormal (dead parameters' m shrinks by beta1 every step; subnormals made every
 *    later step slow), while a NaN gradient still reaches its weight. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "actlab/act.h"
#include "actlab/rng.h"
#include "nn/layer.h"
#include "nn/model_access.h"

/* the paths this CPU runs, best first */
static size_t paths(const char *out[8])
{
    size_t n = 0;
    for (const char *const *p = act_isa_names(); *p && n < 8; p++)
        if (act_isa_supported(*p))
            out[n++] = *p;
    return n;
}

static float *falloc(size_t n)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    cr_assert(p);
    return p;
}

/* dense(out) on in features, batch rows: y against sum_i x w + b in double */
static void check_dense(size_t batch, size_t in, size_t out, uint64_t seed, const char *path)
{
    struct nn__layer l = {.ops = &nn__layer_dense};
    l.args.units = out, l.args.bias = 1;
    act_init(&l.args.act, ACT_IDENTITY);
    l.in.ndim = 1, l.in.d[0] = in;
    cr_assert_eq(l.ops->setup(&l), AL_OK, "%s", al_last_error());
    const size_t guard = 40;
    float *x = falloc(batch * in), *w = falloc(l.n_params), *y = falloc(batch * out + guard);
    al_rng g;
    al_rng_seed(&g, seed);
    nn__init_uniform(x, batch * in, 2.0, &g);
    nn__init_uniform(w, l.n_params, 1.0, &g);
    for (size_t i = 0; i < batch * out + guard; i++)
        y[i] = -12345.0f;
    l.w = w;
    cr_assert_eq(l.ops->forward(&l, x, y, batch, 1, &g), AL_OK);
    const float *b = w + out * in;
    for (size_t n = 0; n < batch; n++)
        for (size_t o = 0; o < out; o++) {
            double s = b[o], mag = fabs((double)b[o]);
            for (size_t i = 0; i < in; i++) {
                s += (double)x[n * in + i] * w[o * in + i];
                mag += fabs((double)x[n * in + i] * w[o * in + i]);
            }
            double err = fabs(y[n * out + o] - s), bound = (double)(in + 2) * FLT_EPSILON * mag;
            cr_assert(err <= bound, "path %s, batch %zu, %zu -> %zu: y[%zu][%zu] = %.9g, "
                      "the sum in double is %.9g (error %.3g, bound %.3g)", path, batch, in,
                      out, n, o, (double)y[n * out + o], s, err, bound);
        }
    for (size_t i = batch * out; i < batch * out + guard; i++)
        cr_assert_eq(y[i], -12345.0f, "path %s, batch %zu, %zu -> %zu: wrote y[%zu], past "
                     "the output", path, batch, in, out, i);
    free(x), free(w), free(y);
}

Test(mlp_speed, dense_forward_against_double)
{
    static const size_t batches[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 23, 24, 31, 32, 33, 40};
    static const size_t ins[] = {1, 3, 15, 16, 17, 18, 31, 33, 72, 144, 288};
    static const size_t outs[] = {1, 2, 3, 4, 5, 7, 8, 18, 72, 144};
    const char *p[8];
    size_t np = paths(p);
    uint64_t seed = 1;
    for (size_t k = 0; k < np; k++) {
        cr_assert_eq(act_set_isa(p[k]), AL_OK);
        for (size_t a = 0; a < sizeof batches / sizeof *batches; a++)
            for (size_t i = 0; i < sizeof ins / sizeof *ins; i++)
                for (size_t o = 0; o < sizeof outs / sizeof *outs; o++)
                    check_dense(batches[a], ins[i], outs[o], seed++, p[k]);
    }
    act_set_isa("auto");
}

/* a NaN in x[r][c] makes row r's outputs NaN and leaves the others as without it */
Test(mlp_speed, dense_forward_nan_stays_in_its_row)
{
    const size_t batch = 23, in = 72, out = 18;
    struct nn__layer l = {.ops = &nn__layer_dense};
    l.args.units = out, l.args.bias = 1;
    act_init(&l.args.act, ACT_IDENTITY);
    l.in.ndim = 1, l.in.d[0] = in;
    cr_assert_eq(l.ops->setup(&l), AL_OK);
    float *x = falloc(batch * in), *w = falloc(l.n_params), *y = falloc(batch * out),
          *y0 = falloc(batch * out);
    al_rng g;
    al_rng_seed(&g, 7);
    nn__init_uniform(x, batch * in, 1.0, &g);
    nn__init_uniform(w, l.n_params, 1.0, &g);
    l.w = w;
    const char *p[8];
    size_t np = paths(p);
    for (size_t k = 0; k < np; k++) {
        cr_assert_eq(act_set_isa(p[k]), AL_OK);
        for (size_t r = 0; r < batch; r += 5) {
            size_t c = (r * 31) % in;
            cr_assert_eq(l.ops->forward(&l, x, y0, batch, 1, &g), AL_OK);
            float keep = x[r * in + c];
            x[r * in + c] = NAN;
            cr_assert_eq(l.ops->forward(&l, x, y, batch, 1, &g), AL_OK);
            x[r * in + c] = keep;
            for (size_t n = 0; n < batch; n++)
                for (size_t o = 0; o < out; o++) {
                    float v = y[n * out + o];
                    if (n == r)
                        cr_assert(isnan(v), "path %s: NaN at x[%zu][%zu], y[%zu][%zu] = %g",
                                  p[k], r, c, n, o, (double)v);
                    else
                        cr_assert(v == y0[n * out + o], "path %s: NaN at x[%zu][%zu] changed "
                                  "y[%zu][%zu]", p[k], r, c, n, o);
                }
        }
    }
    act_set_isa("auto");
    free(x), free(w), free(y), free(y0);
}

/* ---- Adam ------------------------------------------------------------------------------ */

#define NPAR 63 /* dense(3) on 20 inputs: 3 vectors of 16 and a tail of 15 */
#define STEPS 300

/* gradient t (from 0) of parameter i: seeded values; parameters i % 4 == 1 stop after step
 * 3 (their m decays towards subnormal), i % 9 == 0 are tiny (their g^2 is subnormal) */
static float grad(int t, int i, al_rng *g)
{
    double u = al_rng_uniform(g) * 2.0 - 1.0;
    if (i % 4 == 1 && t >= 3)
        return 0.0f;
    if (i % 9 == 0)
        return (float)(u * 1e-21);
    return (float)(u * (1 + i % 5));
}

/* torch.optim.Adam / AdamW in double, without any flushing */
static void adam_ref(double w[NPAR], double lr, double b1, double b2, double eps, double wd,
                     int adamw, int steps, uint64_t seed)
{
    double m[NPAR] = {0}, v[NPAR] = {0};
    al_rng g;
    al_rng_seed(&g, seed);
    for (int t = 1; t <= steps; t++)
        for (int i = 0; i < NPAR; i++) {
            double d = grad(t - 1, i, &g);
            if (!adamw)
                d += wd * w[i];
            else
                w[i] *= 1 - lr * wd;
            m[i] = b1 * m[i] + (1 - b1) * d;
            v[i] = b2 * v[i] + (1 - b2) * d * d;
            double mh = m[i] / (1 - pow(b1, t)), vh = v[i] / (1 - pow(b2, t));
            w[i] -= lr * mh / (sqrt(vh) + eps);
        }
}

struct adam_run {
    float w[NPAR], m[NPAR], v[NPAR];
};

static void adam_run(const char *spec, int steps, uint64_t seed, int nan_at, struct adam_run *r)
{
    nn_model *mod;
    al_rng g;
    al_rng_seed(&g, 3);
    cr_assert_eq(nn_model_create("dense(3)", (nn_shape){1, {20}}, NN_INIT_DEFAULT, &g, &mod),
                 AL_OK, "%s", al_last_error());
    float *w, *gr;
    cr_assert_eq(nn_params(mod, &w, &gr), NPAR);
    for (int i = 0; i < NPAR; i++)
        w[i] = (float)(0.5 - 0.0625 * (i % 17));
    nn_optimizer o;
    cr_assert_eq(nn_optimizer_init(&o, spec), AL_OK, "%s", al_last_error());
    al_rng_seed(&g, seed);
    const float *m = nn__model_moment(mod, 0), *v = nn__model_moment(mod, 1);
    for (int t = 0; t < steps; t++) {
        for (int i = 0; i < NPAR; i++)
            gr[i] = grad(t, i, &g);
        if (t == nan_at)
            gr[NPAR - 2] = NAN;
        cr_assert_eq(nn_optimizer_step(&o, mod), AL_OK);
        for (int i = 0; i < NPAR; i++)
            cr_assert(fpclassify(m[i]) != FP_SUBNORMAL && fpclassify(v[i]) != FP_SUBNORMAL,
                      "%s, path %s, step %d: a moment of parameter %d is stored subnormal "
                      "(m %g, v %g)", spec, act_isa(), t + 1, i, (double)m[i], (double)v[i]);
    }
    memcpy(r->w, w, sizeof r->w);
    memcpy(r->m, m, sizeof r->m);
    memcpy(r->v, v, sizeof r->v);
    nn_model_free(mod);
}

static void check_adam(const char *spec, double lr, double b1, double wd, int adamw)
{
    const char *p[8];
    size_t np = paths(p);
    struct adam_run first, r;
    for (size_t k = 0; k < np; k++) {
        cr_assert_eq(act_set_isa(p[k]), AL_OK);
        adam_run(spec, STEPS, 11, -1, k ? &r : &first);
        if (k)
            cr_assert(memcmp(&r, &first, sizeof r) == 0, "%s: path %s gives other bits than "
                      "path %s", spec, p[k], p[0]);
    }
    act_set_isa("auto");
    double wr[NPAR];
    for (int i = 0; i < NPAR; i++)
        wr[i] = (float)(0.5 - 0.0625 * (i % 17));
    adam_ref(wr, (float)lr, (float)b1, (float)0.999, (float)1e-8, (float)wd, adamw, STEPS, 11);
    for (int i = 0; i < NPAR; i++)
        cr_assert(fabs(first.w[i] - wr[i]) <= 2e-5 * fmax(1.0, fabs(wr[i])),
                  "%s: w[%d] = %.9g after %d steps, torch's formula in double gives %.9g", spec,
                  i, (double)first.w[i], STEPS, wr[i]);
    /* a dead parameter's m went through the subnormal range and is 0 now (unless an L2
     * term keeps its gradient alive) */
    if (adamw || wd == 0)
        cr_assert_eq(first.m[1], 0.0f, "%s: m[1] = %g", spec, (double)first.m[1]);
}

Test(mlp_speed, adam_paths_and_subnormal_moments)
{
    /* beta1 0.5: a dead parameter's m leaves the normal range after about 120 steps */
    check_adam("adam:beta1=0.5", 0.001, 0.5, 0, 0);
    check_adam("adam:lr=0.01,beta1=0.5,weight_decay=0.1", 0.01, 0.5, 0.1, 0);
    check_adam("adamw:beta1=0.5,weight_decay=0.5", 0.001, 0.5, 0.5, 1);
}

Test(mlp_speed, adam_nan_gradient_reaches_its_weight)
{
    const char *p[8];
    size_t np = paths(p);
    struct adam_run r;
    for (size_t k = 0; k < np; k++) {
        cr_assert_eq(act_set_isa(p[k]), AL_OK);
        adam_run("adam", 20, 5, 10, &r);
        cr_assert(isnan(r.w[NPAR - 2]) && isnan(r.m[NPAR - 2]), "path %s: w %g, m %g", p[k],
                  (double)r.w[NPAR - 2], (double)r.m[NPAR - 2]);
        for (int i = 0; i < NPAR; i++)
            cr_assert(i == NPAR - 2 || isfinite(r.w[i]), "path %s: w[%d] = %g", p[k], i,
                      (double)r.w[i]);
    }
    act_set_isa("auto");
}
