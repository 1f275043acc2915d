/* nn_diagnose (include/actlab/diag.h) against references computed here:
 * - weight-gradient norms against central finite differences of the loss, in double, one
 *   weight at a time (dense and conv2d models, both losses' paths);
 * - dead units on models whose weights the test sets by hand, so the dead units are known
 *   (the boundary pre-activation == 0 counts as dead, one live sample keeps a unit alive);
 * - on Fashion-MNIST (skipped when Debian's package is missing): a deep sigmoid MLP's
 *   gradients vanish towards the input at initialisation, a ReLU one's far less. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "actlab/data.h"
#include "actlab/diag.h"

#define FMNIST "/usr/share/datasets/fashion-mnist"

static nn_model *make(const char *spec, nn_shape in, uint64_t seed)
{
    al_rng r;
    al_rng_seed(&r, seed);
    nn_model *m = NULL;
    cr_assert_eq(nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &m), 0, "%s: %s", spec,
                 al_last_error());
    return m;
}

static void uniform(float *x, size_t n, uint64_t seed, double lo, double hi)
{
    al_rng r;
    al_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(lo + (hi - lo) * al_rng_uniform(&r));
}

static double loss_of(nn_model *m, const nn_loss *l, const float *x, const void *t,
                      size_t batch)
{
    size_t width = nn_shape_count(nn_model_output_shape(m));
    float *y = malloc(batch * width * sizeof *y);
    double v;
    cr_assert_eq(nn_forward(m, x, y, batch, 0), 0, "%s", al_last_error());
    cr_assert_eq(nn_loss_eval(l, y, t, batch, width, &v, NULL), 0, "%s", al_last_error());
    free(y);
    return v;
}

/* Central differences of the loss over the weights w[off .. off + n), their L2 norm. The
 * step is the one float actually made. */
static double fd_norm(nn_model *m, const nn_loss *l, const float *x, const void *t,
                      size_t batch, size_t off, size_t n)
{
    float *w, *g;
    nn_params(m, &w, &g);
    double s = 0.0;
    for (size_t i = off; i < off + n; i++) {
        float w0 = w[i], hp = w0 + 1e-2f, hm = w0 - 1e-2f;
        w[i] = hp;
        double lp = loss_of(m, l, x, t, batch);
        w[i] = hm;
        double lm = loss_of(m, l, x, t, batch);
        w[i] = w0;
        double d = (lp - lm) / ((double)hp - (double)hm);
        s += d * d;
    }
    return sqrt(s);
}

struct weights {
    size_t off, n; /* the weight tensor's slice of the arena (torch order: W, then b) */
};

static void check_norms(const char *spec, nn_shape in, size_t batch, const char *loss_name,
                        const void *target, const struct weights *wt, size_t n_layers)
{
    nn_model *m = make(spec, in, 7);
    nn_loss l;
    cr_assert_eq(nn_loss_parse(loss_name, &l), 0);
    size_t n_in = nn_shape_count(in) * batch;
    float *x = malloc(n_in * sizeof *x), *w, *g;
    uniform(x, n_in, 11, -1.0, 1.0);
    size_t np = nn_params(m, &w, &g);
    float *before = malloc(np * sizeof *before);
    memcpy(before, w, np * sizeof *w);

    cr_assert_eq(nn_diag_count(m), n_layers);
    nn_diag_layer d[8];
    double lv;
    cr_assert_eq(nn_diagnose(m, x, target, batch, &l, d, 8, &lv), 0, "%s", al_last_error());
    cr_assert_eq(memcmp(before, w, np * sizeof *w), 0, "nn_diagnose changed the weights");
    cr_assert_float_eq(lv, loss_of(m, &l, x, target, batch), 1e-12);
    for (size_t k = 0; k < n_layers; k++) {
        double ref = fd_norm(m, &l, x, target, batch, wt[k].off, wt[k].n);
        cr_assert_gt(ref, 1e-6, "%s layer %zu: the reference gradient is zero", spec, k + 1);
        cr_expect_leq(fabs(d[k].grad_norm - ref), 2e-3 * ref + 1e-6,
                      "%s layer %zu: grad norm %.9g, finite differences %.9g", spec, k + 1,
                      d[k].grad_norm, ref);
        cr_expect_eq(d[k].relu_family, 0);
        cr_expect(isnan(d[k].dead_fraction));
    }
    free(before);
    free(x);
    nn_model_free(m);
}

Test(diag, grad_norms_dense_against_finite_differences)
{
    /* 5 -> 6 -> 4 -> 3: W 6x5 at 0, b at 30; W 4x6 at 36, b at 60; W 3x4 at 64, b at 76 */
    const struct weights wt[] = {{0, 30}, {36, 24}, {64, 12}};
    const int64_t labels[4] = {0, 2, 1, 2};
    check_norms("dense(6,activation=tanh) dense(4,activation=sigmoid) "
                "dense(3,activation=softmax)",
                (nn_shape){1, {5}}, 4, "sparse_categorical_crossentropy", labels, wt, 3);
}

Test(diag, grad_norms_conv_against_finite_differences)
{
    /* (1,5,5): conv W 2x1x3x3 at 0, b at 18; its (2,3,3) output flattened: dense W 2x18 at
     * 20, b at 56 */
    const struct weights wt[] = {{0, 18}, {20, 36}};
    const float targets[3 * 2] = {0.5f, -1.0f, 0.25f, 2.0f, -0.75f, 1.0f};
    check_norms("conv2d(2,3,activation=softplus) flatten dense(2)", (nn_shape){3, {1, 5, 5}},
                3, "mse", targets, wt, 2);
}

/* Sets a dense layer's W (out x in, all the same value) and b. */
static void set_dense(float *w, size_t in, size_t out, float wv, const float *b)
{
    for (size_t i = 0; i < out * in; i++)
        w[i] = wv;
    memcpy(w + out * in, b, out * sizeof *b);
}

Test(diag, dead_units_set_by_hand)
{
    /* inputs in [-1, 1]; layer 1 (relu, 4 units): units 0 and 2 have a bias of -100, so
     * they are below zero on every sample; unit 3 has zero weights and bias, so its
     * pre-activation is exactly 0 (dead: its output is 0 everywhere); unit 1 reads x0 alone,
     * which is positive on one sample only: alive. Layer 2 (leaky_relu, 3 units): unit 1
     * has a bias of -1e4, the others +10. Layer 3 is linear: not counted. */
    static const char *const specs[] = {
        "dense(4,activation=relu) dense(3,activation=leaky_relu) dense(2)",
        "dense(4) activation(relu) dense(3) activation(leaky_relu) dense(2)"};
    for (int s = 0; s < 2; s++) {
        nn_model *m = make(specs[s], (nn_shape){1, {3}}, 3);
        float *w, *g;
        nn_params(m, &w, &g);
        const float b1[4] = {-100.0f, 0.0f, -100.0f, 0.0f};
        set_dense(w, 3, 4, 0.0f, b1);
        w[1 * 3 + 0] = 1.0f;                   /* unit 1 = x0 */
        w[0 * 3 + 1] = 0.5f, w[2 * 3 + 2] = -0.5f; /* dead anyway: |w x| <= 0.5 << 100 */
        const float b2[3] = {10.0f, -1e4f, 10.0f};
        set_dense(w + 16, 4, 3, 0.25f, b2);
        float x[5 * 3];
        uniform(x, 15, 5, -1.0, -0.1);
        x[2 * 3 + 0] = 0.5f; /* the one sample on which unit 1 of layer 1 fires */
        const float t[5 * 2] = {0};
        nn_loss l;
        cr_assert_eq(nn_loss_parse("mse", &l), 0);
        nn_diag_layer d[3];
        cr_assert_eq(nn_diag_count(m), 3);
        cr_assert_eq(nn_diagnose(m, x, t, 5, &l, d, 3, NULL), 0, "%s", al_last_error());
        cr_expect_eq(d[0].units, 4);
        cr_expect_eq(d[0].relu_family, 1, "%s", specs[s]);
        cr_expect_eq(d[0].dead, 3, "%s: layer 1 has %zu dead units, expected 3", specs[s],
                     d[0].dead);
        cr_expect_eq(d[0].dead_fraction, 0.75);
        cr_expect_eq(d[1].relu_family, 1);
        cr_expect_eq(d[1].dead, 1, "%s: layer 2 has %zu dead units, expected 1", specs[s],
                     d[1].dead);
        cr_expect_eq(d[1].dead_fraction, 1.0 / 3.0);
        cr_expect_eq(d[2].relu_family, 0);
        cr_expect(isnan(d[2].dead_fraction));
        cr_expect_eq(d[0].layer, 1);
        cr_expect_eq(d[1].layer, s ? 3 : 2);
        cr_expect_eq(d[2].layer, s ? 5 : 3);

        /* the boundary: one live sample is enough; take it away and unit 1 dies too */
        x[2 * 3 + 0] = -0.5f;
        cr_assert_eq(nn_diagnose(m, x, t, 5, &l, d, 3, NULL), 0, "%s", al_last_error());
        cr_expect_eq(d[0].dead, 4);
        nn_model_free(m);
    }
}

Test(diag, dead_channels_of_conv2d)
{
    /* conv2d(3, 1) on (2, 2, 2): W 3x2x1x1 at 0, b at 6. Channel 1 has bias -100: dead at
     * every position of every sample; channels 0 and 2 have bias +100. */
    nn_model *m = make("conv2d(3,1,activation=relu6) flatten dense(1)", (nn_shape){3, {2, 2, 2}},
                       9);
    float *w, *g;
    nn_params(m, &w, &g);
    const float b[3] = {100.0f, -100.0f, 100.0f};
    memcpy(w + 6, b, sizeof b);
    float x[4 * 8], t[4] = {0};
    uniform(x, 32, 2, -1.0, 1.0);
    nn_loss l;
    cr_assert_eq(nn_loss_parse("mse", &l), 0);
    nn_diag_layer d[2];
    cr_assert_eq(nn_diagnose(m, x, t, 4, &l, d, 2, NULL), 0, "%s", al_last_error());
    cr_expect_eq(d[0].units, 3);
    cr_expect_eq(d[0].dead, 1);
    cr_expect_eq(d[0].dead_fraction, 1.0 / 3.0);
    cr_expect_eq(d[1].relu_family, 0);
    nn_model_free(m);
}

Test(diag, misuse_is_an_error_value)
{
    nn_model *m = make("dense(3,activation=relu) dense(2,activation=softmax)", (nn_shape){1, {4}},
                       1);
    nn_loss l;
    cr_assert_eq(nn_loss_parse("sparse_categorical_crossentropy", &l), 0);
    float x[2 * 4] = {0};
    int64_t t[2] = {0, 1}, bad[2] = {0, 7};
    nn_diag_layer d[2];
    cr_expect_eq(nn_diag_count(NULL), 0);
    cr_expect_eq(nn_diagnose(NULL, x, t, 2, &l, d, 2, NULL), AL_EINVAL);
    cr_expect_eq(nn_diagnose(m, NULL, t, 2, &l, d, 2, NULL), AL_EINVAL);
    cr_expect_eq(nn_diagnose(m, x, t, 0, &l, d, 2, NULL), AL_EINVAL);
    cr_expect_eq(nn_diagnose(m, x, t, 2, &l, d, 1, NULL), AL_EINVAL);
    cr_expect(strstr(al_last_error(), "2 weighted layers") != NULL, "%s", al_last_error());
    cr_expect_eq(nn_diagnose(m, x, t, SIZE_MAX / 2, &l, d, 2, NULL), AL_ENOMEM);
    cr_expect_neq(nn_diagnose(m, x, bad, 2, &l, d, 2, NULL), 0, "label 7 of 2 classes");
    cr_expect_eq(nn_diagnose(m, x, t, 2, &l, d, 2, NULL), 0, "%s", al_last_error());
    cr_expect(nn_diag_relu_family(ACT_RELU) && nn_diag_relu_family(ACT_LEAKY_RELU) &&
              nn_diag_relu_family(ACT_RELU6) && nn_diag_relu_family(ACT_PRELU) &&
              nn_diag_relu_family(ACT_RRELU));
    cr_expect(!nn_diag_relu_family(ACT_SIGMOID) && !nn_diag_relu_family(ACT_ELU) &&
              !nn_diag_relu_family(ACT_GELU));
    nn_model_free(m);
}

/* Layer 1's gradient norm over layer 8's (the last hidden) at initialisation. */
static double first_over_last(const data_set *s, const char *act, size_t batch)
{
    char spec[1024] = "flatten";
    for (int i = 0; i < 8; i++)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), " dense(64,activation=%s)",
                 act);
    strcat(spec, " dense(10,activation=softmax)");
    nn_model *m = make(spec, (nn_shape){3, {1, 28, 28}}, 42);
    nn_loss l;
    cr_assert_eq(nn_loss_parse("sparse_categorical_crossentropy", &l), 0);
    nn_diag_layer d[9];
    cr_assert_eq(nn_diagnose(m, s->x.data, s->y.data, batch, &l, d, 9, NULL), 0, "%s",
                 al_last_error());
    nn_model_free(m);
    cr_assert_gt(d[7].grad_norm, 0.0);
    return d[0].grad_norm / d[7].grad_norm;
}

Test(diag, fashion_mnist_sigmoid_gradients_vanish, .timeout = 60)
{
    data_set s = {0};
    if (data_mnist_load(NULL, "test", 1, &s) != 0)
        cr_skip_test("skipped: %s is missing (apt-get install dataset-fashion-mnist): %s",
                     FMNIST, al_last_error());
    double sig = first_over_last(&s, "sigmoid", 500), relu = first_over_last(&s, "relu", 500);
    cr_expect_lt(sig, 0.01, "sigmoid: layer 1 / layer 8 = %g, expected far below 1", sig);
    cr_expect_gt(relu, 0.05, "relu: layer 1 / layer 8 = %g", relu);
    cr_expect_gt(relu / sig, 100.0, "relu's ratio %g is not far above sigmoid's %g", relu, sig);
    data_set_free(&s);
}
