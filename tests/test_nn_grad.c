/* Gradients of the nn layers, fused activations and losses against finite differences.
 *
 * Layers run through a whole model: the scalar L = sum_i c_i y_i (c random, so dL/dy = c) is
 * summed in double from the model's float outputs, and nn_backward(c) must give its
 * derivatives. Parameters are checked along seeded random directions (all of them at once,
 * as kann does) and, for small models, one by one; inputs one by one. Central differences
 * use the perturbation the float arithmetic actually made ((float)(w + h) - (float)(w - h)).
 * Piecewise-linear layers have kinks: where the one-sided differences disagree the point
 * straddles one and is skipped (counted; most points must be checked). Every check also
 * asserts that the gradient is not trivially zero.
 *
 * Losses are checked element by element in double: nn_loss_eval computes the loss in double
 * from float predictions, so their differences carry almost no rounding error. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "actlab/nn.h"

#define H_MODEL 1e-3 /* step for model checks (inputs and weights are O(1)) */
#define TOL_REL 3e-3 /* |analytic - numeric| <= TOL_REL |numeric| + TOL_ABS, as derivatives */
#define TOL_ABS 1e-3
#define KINK 0.2     /* one-sided differences further apart than this (relative) mark a kink */

static nn_shape shape1(size_t f)
{
    return (nn_shape){1, {f}};
}

static nn_shape shape3(size_t c, size_t h, size_t w)
{
    return (nn_shape){3, {c, h, w}};
}

static void uniform(float *x, size_t n, al_rng *r, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(lo + (hi - lo) * al_rng_uniform(r));
}

struct fixture {
    nn_model *m;
    size_t batch, n_in, n_out, n_w;
    int training;
    al_rng rng0; /* the dropout generator before the analytic forward */
    float *x, *c, *y, *dx, *g, *w;
};

static double loss_at(struct fixture *f, const float *x)
{
    *nn_model_rng(f->m) = f->rng0; /* same dropout mask every time */
    cr_assert_eq(nn_forward(f->m, x, f->y, f->batch, f->training), 0, "%s", al_last_error());
    double s = 0.0;
    for (size_t i = 0; i < f->n_out; i++)
        s += (double)f->c[i] * f->y[i];
    return s;
}

static void setup_fixture(struct fixture *f, const char *spec, nn_shape in, size_t batch,
                          int training, uint64_t seed)
{
    al_rng r;
    al_rng_seed(&r, seed);
    memset(f, 0, sizeof *f);
    cr_assert_eq(nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &f->m), 0, "%s: %s", spec,
                 al_last_error());
    f->batch = batch;
    f->training = training;
    f->n_in = nn_shape_count(in) * batch;
    f->n_out = nn_shape_count(nn_model_output_shape(f->m)) * batch;
    float *w, *g;
    f->n_w = nn_params(f->m, &w, &g);
    f->w = w;
    f->x = malloc(f->n_in * sizeof *f->x);
    f->dx = malloc(f->n_in * sizeof *f->dx);
    f->c = malloc(f->n_out * sizeof *f->c);
    f->y = malloc(f->n_out * sizeof *f->y);
    f->g = malloc((f->n_w + 1) * sizeof *f->g);
    uniform(f->x, f->n_in, &r, -1, 1);
    uniform(f->c, f->n_out, &r, -1, 1);
    /* analytic gradients */
    f->rng0 = *nn_model_rng(f->m);
    nn_zero_grad(f->m);
    loss_at(f, f->x);
    cr_assert_eq(nn_backward(f->m, f->c, f->dx), 0, "%s", al_last_error());
    memcpy(f->g, g, f->n_w * sizeof *g);
}

static void free_fixture(struct fixture *f)
{
    nn_model_free(f->m);
    free(f->x);
    free(f->dx);
    free(f->c);
    free(f->y);
    free(f->g);
}

/* Compares the central difference of L(v) along v_i += h dir_i with analytic . delta.
 * Returns 1 when checked, 0 when the point straddles a kink. */
static int check_direction(struct fixture *f, float *v, size_t n, const float *dir,
                           const float *analytic, const float *xin, const char *what,
                           const char *spec)
{
    float *v0 = malloc(n * sizeof *v0), *vp = malloc(n * sizeof *vp),
          *vm = malloc(n * sizeof *vm);
    memcpy(v0, v, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        vp[i] = (float)(v0[i] + H_MODEL * dir[i]);
        vm[i] = (float)(v0[i] - H_MODEL * dir[i]);
    }
    double ana = 0.0, len = 0.0;
    for (size_t i = 0; i < n; i++) {
        ana += (double)analytic[i] * ((double)vp[i] - vm[i]) / 2;
        len += ((double)vp[i] - vm[i]) / 2 * dir[i];
    }
    /* len / sum(dir^2) is the effective step, close to H_MODEL */
    double dd = 0.0;
    for (size_t i = 0; i < n; i++)
        dd += (double)dir[i] * dir[i];
    double h = len / dd;
    memcpy(v, vp, n * sizeof *v);
    double lp = loss_at(f, xin);
    memcpy(v, vm, n * sizeof *v);
    double lm = loss_at(f, xin);
    memcpy(v, v0, n * sizeof *v);
    double l0 = loss_at(f, xin);
    free(v0);
    free(vp);
    free(vm);
    double num = (lp - lm) / 2, right = lp - l0, left = l0 - lm;
    if (fabs(right - left) > KINK * fabs(num) + TOL_ABS * h)
        return 0;
    cr_assert(fabs(ana - num) <= TOL_REL * fabs(num) + TOL_ABS * h,
              "%s: %s: analytic %.8g, numeric %.8g (step %g)", spec, what, ana / h, num / h, h);
    return 1;
}

static double max_abs(const float *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(v[i]));
    return m;
}

/* The full check of one model: parameter directions, parameters and inputs one by one. */
static void check_model(const char *spec, nn_shape in, size_t batch, int training,
                        uint64_t seed)
{
    struct fixture f;
    setup_fixture(&f, spec, in, batch, training, seed);
    al_rng r;
    al_rng_seed(&r, seed ^ 0x9e3779b97f4a7c15u);
    size_t checked = 0, tried = 0;

    if (f.n_w) {
        cr_assert_gt(max_abs(f.g, f.n_w), 1e-3, "%s: parameter gradient is all zero", spec);
        float *dir = malloc(f.n_w * sizeof *dir);
        for (int k = 0; k < 4; k++) {
            uniform(dir, f.n_w, &r, -1, 1);
            tried++;
            checked += (size_t)check_direction(&f, f.w, f.n_w, dir, f.g, f.x,
                                               "parameters along a random direction", spec);
        }
        if (f.n_w <= 200)
            for (size_t i = 0; i < f.n_w; i++) {
                memset(dir, 0, f.n_w * sizeof *dir);
                dir[i] = 1;
                char what[64];
                snprintf(what, sizeof what, "parameter %zu", i);
                tried++;
                checked += (size_t)check_direction(&f, f.w, f.n_w, dir, f.g, f.x, what, spec);
            }
        free(dir);
    }
    cr_assert_gt(max_abs(f.dx, f.n_in), 1e-3, "%s: input gradient is all zero", spec);
    float *dir = calloc(f.n_in, sizeof *dir);
    for (size_t i = 0; i < f.n_in; i++) {
        memset(dir, 0, f.n_in * sizeof *dir);
        dir[i] = 1;
        char what[64];
        snprintf(what, sizeof what, "input %zu", i);
        tried++;
        checked += (size_t)check_direction(&f, f.x, f.n_in, dir, f.dx, f.x, what, spec);
    }
    free(dir);
    cr_assert_geq(checked * 10, tried * 8, "%s: only %zu of %zu points away from kinks", spec,
                  checked, tried);
    free_fixture(&f);
}

/* ---- dense and fused activations ------------------------------------------------------ */

Test(nn_grad, dense)
{
    check_model("dense(5)", shape1(4), 3, 0, 1);
    check_model("dense(5,bias=0)", shape1(4), 3, 0, 2);
}

Test(nn_grad, dense_fused)
{
    static const char *const specs[] = {
        "dense(5,activation=relu)",  "dense(5,activation=tanh)",
        "dense(5,activation=gelu)",  "dense(5,activation=softmax)",
        "dense(5,activation=[softplus:beta=2,threshold=10])",
        "dense(6,activation=glu)",   "dense(6,activation=maxout:k=3,bias=0)",
        "dense(5,activation=log_softmax)",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        check_model(specs[i], shape1(4), 3, 0, 10 + i);
}

Test(nn_grad, deep_mlp)
{
    check_model("dense(8,activation=tanh) dense(6,activation=relu) dense(4,activation=softmax)",
                shape1(5), 3, 0, 20);
}

/* ---- activation, prelu, maxout, dropout, flatten --------------------------------------- */

Test(nn_grad, activation_layers)
{
    static const char *const specs[] = {
        "activation(tanh) dense(3)",    "dense(6) activation(softmax)",
        "dense(6) activation(glu)",     "dense(6) activation(sigmoid) dense(2)",
        "dense(6) activation(swiglu)",  "dense(4) activation([elu:alpha=0.5])",
        "activation(relu) dense(3)",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        check_model(specs[i], shape1(5), 3, 0, 30 + i);
}

Test(nn_grad, activation_on_images)
{
    check_model("activation(silu) flatten dense(3)", shape3(2, 3, 3), 2, 0, 40);
}

Test(nn_grad, prelu)
{
    check_model("dense(6) prelu", shape1(4), 3, 0, 50);              /* shared */
    check_model("dense(6) prelu(channels=6,init=0.1)", shape1(4), 3, 0, 51);
    check_model("prelu(channels=2) flatten dense(3)", shape3(2, 3, 3), 2, 0, 52);
    check_model("prelu flatten dense(3)", shape3(2, 3, 3), 2, 0, 53);
}

Test(nn_grad, maxout)
{
    check_model("dense(6) maxout(2)", shape1(4), 3, 0, 60);
    check_model("dense(9) maxout(3) dense(2)", shape1(4), 3, 0, 61);
}

Test(nn_grad, flatten)
{
    check_model("flatten dense(3,activation=tanh)", shape3(2, 2, 3), 2, 0, 70);
}

Test(nn_grad, dropout)
{
    check_model("dense(6) dropout(0.5) dense(3)", shape1(4), 3, 0, 80); /* inference */
    check_model("dense(6) dropout(0.5) dense(3)", shape1(4), 3, 1, 81); /* same mask */
    check_model("dropout(0.3) dense(3)", shape1(5), 3, 1, 82);
}

Test(nn_grad, dropout_mask)
{
    al_rng r;
    al_rng_seed(&r, 90);
    nn_model *m;
    cr_assert_eq(nn_model_create("dropout(0.25)", shape1(1000), NN_INIT_DEFAULT, &r, &m), 0);
    float x[2000], y[2000], dy[2000], dx[2000];
    uniform(x, 2000, &r, 0.5, 1.5);
    uniform(dy, 2000, &r, -1, 1);
    /* inference: the identity, forward and backward */
    cr_assert_eq(nn_forward(m, x, y, 2, 0), 0);
    cr_assert_eq(memcmp(x, y, sizeof x), 0, "dropout at inference changed its input");
    cr_assert_eq(nn_backward(m, dy, dx), 0);
    cr_assert_eq(memcmp(dx, dy, sizeof dx), 0);
    /* training: about a quarter dropped, the rest scaled by 4/3; backward uses the mask */
    cr_assert_eq(nn_forward(m, x, y, 2, 1), 0);
    cr_assert_eq(nn_backward(m, dy, dx), 0);
    size_t dropped = 0;
    for (size_t i = 0; i < 2000; i++) {
        if (y[i] == 0.0f) {
            dropped++;
            cr_assert_eq(dx[i], 0.0f);
        } else {
            cr_assert_eq(y[i], x[i] * (float)(1.0 / 0.75), "y[%zu] = %g, x = %g", i, y[i], x[i]);
            cr_assert_eq(dx[i], dy[i] * (float)(1.0 / 0.75));
        }
    }
    cr_assert(dropped > 430 && dropped < 570, "dropped %zu of 2000 at rate 0.25", dropped);
    /* a second training forward draws a new mask */
    float y2[2000];
    cr_assert_eq(nn_forward(m, x, y2, 2, 1), 0);
    cr_assert_neq(memcmp(y, y2, sizeof y), 0);
    nn_model_free(m);
}

Test(nn_grad, accumulates_and_optional_dx)
{
    al_rng r;
    al_rng_seed(&r, 95);
    nn_model *m;
    cr_assert_eq(nn_model_create("dense(4,activation=tanh) dense(2)", shape1(3),
                                 NN_INIT_DEFAULT, &r, &m), 0);
    float x[6], y[4], dy[4], *w, *g;
    uniform(x, 6, &r, -1, 1);
    uniform(dy, 4, &r, -1, 1);
    size_t n = nn_params(m, &w, &g);
    float *g1 = malloc(n * sizeof *g1);
    nn_zero_grad(m);
    cr_assert_eq(nn_forward(m, x, y, 2, 1), 0);
    cr_assert_eq(nn_backward(m, dy, NULL), 0);
    memcpy(g1, g, n * sizeof *g);
    cr_assert_eq(nn_backward(m, dy, NULL), 0);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(g[i], g1[i] + g1[i], "gradient %zu did not accumulate", i);
    nn_zero_grad(m);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(g[i], 0.0f);
    free(g1);
    nn_model_free(m);
}

/* ---- losses ----------------------------------------------------------------------------- */

/* Central differences of the loss for every prediction, against dpred. */
static void check_loss(const char *name, const float *pred, const void *target, size_t batch,
                       size_t width)
{
    nn_loss l;
    cr_assert_eq(nn_loss_parse(name, &l), 0, "%s", al_last_error());
    size_t n = batch * width;
    float *p = malloc(n * sizeof *p), *d = malloc(n * sizeof *d);
    memcpy(p, pred, n * sizeof *p);
    double loss;
    cr_assert_eq(nn_loss_eval(&l, p, target, batch, width, &loss, d), 0, "%s: %s", name,
                 al_last_error());
    cr_assert(isfinite(loss), "%s: loss %g", name, loss);
    double dmax = 0;
    for (size_t i = 0; i < n; i++) {
        float v = pred[i];
        float hp = (float)(v + 1e-4 * fmax(1.0, fabs(v))), hm = (float)(v - 1e-4 * fmax(1.0, fabs(v)));
        double lp, lm;
        p[i] = hp;
        cr_assert_eq(nn_loss_eval(&l, p, target, batch, width, &lp, NULL), 0);
        p[i] = hm;
        cr_assert_eq(nn_loss_eval(&l, p, target, batch, width, &lm, NULL), 0);
        p[i] = v;
        double num = (lp - lm) / ((double)hp - hm);
        cr_assert(fabs(d[i] - num) <= 2e-4 * fabs(num) + 1e-6,
                  "%s: dL/dpred[%zu] = %.9g, numeric %.9g", name, i, d[i], num);
        dmax = fmax(dmax, fabs(d[i]));
    }
    cr_assert_gt(dmax, 1e-3, "%s: gradient is all zero", name);
    free(p);
    free(d);
}

#define B 3
#define W 4

Test(nn_grad, losses_regression)
{
    al_rng r;
    al_rng_seed(&r, 100);
    float p[B * W], y[B * W];
    uniform(p, B * W, &r, -2, 2);
    uniform(y, B * W, &r, -2, 2);
    check_loss("mse", p, y, B, W);
    check_loss("mae", p, y, B, W);
    uniform(p, B * W, &r, 0.1, 5);
    uniform(y, B * W, &r, 0.1, 5);
    check_loss("rmsle", p, y, B, W);
    check_loss("mean_squared_error", p, y, B, W);
}

Test(nn_grad, losses_binary)
{
    al_rng r;
    al_rng_seed(&r, 101);
    float p[B * W], y[B * W];
    uniform(p, B * W, &r, 0.05, 0.95);
    for (size_t i = 0; i < B * W; i++)
        y[i] = i % 3 == 0 ? 0.3f : (float)(i % 2); /* soft and hard labels */
    check_loss("binary_crossentropy", p, y, B, W);
    uniform(p, B * W, &r, -4, 4);
    check_loss("binary_crossentropy:from_logits=1", p, y, B, W);
}

Test(nn_grad, losses_categorical)
{
    al_rng r;
    al_rng_seed(&r, 102);
    float p[B * W], y[B * W] = {0};
    int64_t cls[B] = {2, 0, 3};
    for (size_t b = 0; b < B; b++)
        y[b * W + (size_t)cls[b]] = 1.0f;
    y[1] = 0.2f, y[0 * W + 2] = 0.8f; /* one soft row */
    uniform(p, B * W, &r, 0.05, 1.0); /* not normalised: Keras divides by the sum */
    check_loss("categorical_crossentropy", p, y, B, W);
    check_loss("sparse_categorical_crossentropy", p, cls, B, W);
    uniform(p, B * W, &r, -3, 3);
    check_loss("categorical_crossentropy:from_logits=1", p, y, B, W);
    check_loss("sparse_categorical_crossentropy:from_logits=1", p, cls, B, W);
}

/* The fused forms agree with the probability forms away from the clip. */
Test(nn_grad, losses_logits_match_probabilities)
{
    float z[B * W], prob[B * W], sm[B * W], y[B * W] = {0};
    al_rng r;
    al_rng_seed(&r, 103);
    uniform(z, B * W, &r, -3, 3);
    int64_t cls[B] = {1, 3, 0};
    for (size_t b = 0; b < B; b++) {
        double s = 0;
        for (size_t j = 0; j < W; j++)
            s += exp(z[b * W + j]);
        for (size_t j = 0; j < W; j++)
            sm[b * W + j] = (float)(exp(z[b * W + j]) / s);
        y[b * W + (size_t)cls[b]] = 1;
    }
    for (size_t i = 0; i < B * W; i++)
        prob[i] = (float)(1 / (1 + exp(-(double)z[i])));
    nn_loss a, b;
    double la, lb;
    nn_loss_parse("binary_crossentropy:from_logits=1", &a);
    nn_loss_parse("binary_crossentropy", &b);
    nn_loss_eval(&a, z, y, B, W, &la, NULL);
    nn_loss_eval(&b, prob, y, B, W, &lb, NULL);
    cr_assert(fabs(la - lb) < 1e-6 * la, "bce %g vs %g", la, lb);
    nn_loss_parse("categorical_crossentropy:from_logits=1", &a);
    nn_loss_parse("categorical_crossentropy", &b);
    nn_loss_eval(&a, z, y, B, W, &la, NULL);
    nn_loss_eval(&b, sm, y, B, W, &lb, NULL);
    cr_assert(fabs(la - lb) < 1e-6 * la, "cce %g vs %g", la, lb);
    nn_loss_parse("sparse_categorical_crossentropy", &b);
    nn_loss_eval(&b, sm, cls, B, W, &lb, NULL);
    cr_assert(fabs(la - lb) < 1e-6 * la, "sparse cce %g vs %g", la, lb);
}

/* A model and a loss together: the chain of nn_loss_eval's dpred into nn_backward. */
Test(nn_grad, model_with_loss)
{
    al_rng r;
    al_rng_seed(&r, 104);
    nn_model *m;
    cr_assert_eq(nn_model_create("dense(5,activation=tanh) dense(3)", shape1(4),
                                 NN_INIT_GLOROT_UNIFORM, &r, &m), 0);
    float x[8], y[6], d[6], *w, *g;
    int64_t cls[2] = {2, 0};
    uniform(x, 8, &r, -1, 1);
    size_t n = nn_params(m, &w, &g);
    nn_loss l;
    nn_loss_parse("sparse_categorical_crossentropy:from_logits=1", &l);
    double loss;
    nn_zero_grad(m);
    nn_forward(m, x, y, 2, 1);
    nn_loss_eval(&l, y, cls, 2, 3, &loss, d);
    nn_backward(m, d, NULL);
    float *dir = malloc(n * sizeof *dir), *w0 = malloc(n * sizeof *w0);
    uniform(dir, n, &r, -1, 1);
    memcpy(w0, w, n * sizeof *w);
    double ana = 0, h = 1e-3, lp, lm;
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(w0[i] + h * dir[i]);
    nn_forward(m, x, y, 2, 1);
    nn_loss_eval(&l, y, cls, 2, 3, &lp, NULL);
    for (size_t i = 0; i < n; i++) {
        w[i] = (float)(w0[i] - h * dir[i]);
        ana += (double)g[i] * ((double)(float)(w0[i] + h * dir[i]) - w[i]) / (2 * h);
    }
    nn_forward(m, x, y, 2, 1);
    nn_loss_eval(&l, y, cls, 2, 3, &lm, NULL);
    double num = (lp - lm) / (2 * h);
    cr_assert(fabs(ana - num) <= 3e-3 * (fabs(num) + 0.05), "analytic %g, numeric %g", ana, num);
    cr_assert_gt(fabs(ana), 1e-3);
    free(dir);
    free(w0);
    nn_model_free(m);
}

Test(nn_grad, loss_clip_and_errors)
{
    nn_loss l;
    double loss;
    float d[2];
    /* probabilities outside [eps, 1 - eps] are clipped, with zero gradient (tf.clip_by_value) */
    float p[2] = {0.0f, 1.0f}, y[2] = {1.0f, 0.0f};
    cr_assert_eq(nn_loss_parse("binary_crossentropy", &l), 0);
    cr_assert_eq(nn_loss_eval(&l, p, y, 1, 2, &loss, d), 0);
    cr_assert(fabs(loss + log(1e-7)) < 1e-6 * fabs(log(1e-7)), "loss %g", loss);
    cr_assert_eq(d[0], 0.0f);
    cr_assert_eq(d[1], 0.0f);
    /* rmsle: a non-positive prediction is an error naming the sample */
    float q[4] = {1, 2, 3, -0.5f}, t[4] = {1, 1, 1, 1};
    cr_assert_eq(nn_loss_parse("rmsle", &l), 0);
    cr_assert_eq(nn_loss_eval(&l, q, t, 2, 2, &loss, NULL), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "sample 1"), "%s", al_last_error());
    cr_assert(strstr(al_last_error(), "prediction"), "%s", al_last_error());
    q[3] = 1;
    t[0] = 0;
    cr_assert_eq(nn_loss_eval(&l, q, t, 2, 2, &loss, NULL), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "sample 0") && strstr(al_last_error(), "target"), "%s",
              al_last_error());
    /* rmsle value: sqrt(mean((log p - log y)^2)) */
    float a[2] = {(float)exp(1.0), 1}, b[2] = {1, 1};
    cr_assert_eq(nn_loss_eval(&l, a, b, 1, 2, &loss, NULL), 0);
    cr_assert(fabs(loss - sqrt(0.5)) < 1e-7, "rmsle %g", loss);
    /* sparse: an index out of range names the sample */
    int64_t cls[2] = {1, 4};
    float z[8] = {0};
    cr_assert_eq(nn_loss_parse("sparse_categorical_crossentropy", &l), 0);
    cr_assert_eq(nn_loss_eval(&l, z, cls, 2, 4, &loss, NULL), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "sample 1") && strstr(al_last_error(), "class 4"), "%s",
              al_last_error());
    cls[1] = -1;
    cr_assert_eq(nn_loss_eval(&l, z, cls, 2, 4, &loss, NULL), AL_EINVAL);
}

Test(nn_grad, loss_parse)
{
    nn_loss l;
    cr_assert_eq(nn_loss_parse("sparse_categorical_crossentropy", &l), 0);
    cr_assert_eq(l.kind, NN_LOSS_SPARSE_CCE);
    cr_assert_eq(l.from_logits, 0);
    cr_assert_eq(l.eps, 1e-7f);
    cr_assert_eq(nn_loss_parse("Binary_CrossEntropy:from_logits=1", &l), 0);
    cr_assert_eq(l.kind, NN_LOSS_BCE);
    cr_assert_eq(l.from_logits, 1);
    cr_assert_eq(nn_loss_parse("mean_absolute_error", &l), 0);
    cr_assert_eq(l.kind, NN_LOSS_MAE);
    cr_assert_eq(nn_loss_parse("rmsle", &l), 0);
    cr_assert_eq(l.kind, NN_LOSS_RMSLE);
    cr_assert_eq(nn_loss_parse("cce:eps=1e-6", &l), 0);
    cr_assert_eq(l.eps, 1e-6f);
    cr_assert_eq(nn_loss_parse("msee", &l), AL_ENAME);
    cr_assert(strstr(al_last_error(), "msee"), "%s", al_last_error());
    cr_assert_eq(nn_loss_parse("mse:from_logits=1", &l), AL_EINVAL);
    cr_assert_eq(nn_loss_parse("bce:from_logits", &l), AL_EINVAL);
}
