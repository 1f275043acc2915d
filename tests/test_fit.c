/* nn_fit's metrics, data checks and failure reasons, each against a value the test computes
 * itself in double from the model's own predictions (nn_predict) and the data. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/train.h"

/* n samples of 3 features in [0, 1); regression target 10 * sum + 1, or label = argmax */
static void make_set(data_set *s, size_t n, int labels, unsigned seed)
{
    al_rng r;
    al_rng_seed(&r, seed);
    size_t xs[2] = {n, 3}, ys[1] = {n};
    memset(s, 0, sizeof *s);
    cr_assert_eq(data_array_alloc(&s->x, DATA_F32, 2, xs), 0);
    cr_assert_eq(data_array_alloc(&s->y, labels ? DATA_I64 : DATA_F32, 1, ys), 0);
    float *x = s->x.data;
    for (size_t i = 0; i < n; i++) {
        float sum = 0, best = -1;
        int64_t arg = 0;
        for (int j = 0; j < 3; j++) {
            x[i * 3 + j] = (float)al_rng_uniform(&r);
            sum += x[i * 3 + j];
            if (x[i * 3 + j] > best)
                best = x[i * 3 + j], arg = j;
        }
        if (labels)
            ((int64_t *)s->y.data)[i] = arg;
        else
            ((float *)s->y.data)[i] = 10.0f * sum + 1.0f;
    }
    s->n_classes = labels ? 3 : 0;
}

static nn_model *model(const char *spec, unsigned seed)
{
    al_rng r;
    al_rng_seed(&r, seed);
    nn_model *m;
    nn_shape in = {1, {3}};
    cr_assert_eq(nn_model_create(spec, in, NN_INIT_DEFAULT, &r, &m), 0, "%s", al_last_error());
    return m;
}

static nn_fit_config config(nn_optimizer *o, al_rng *r, const char *loss, long epochs)
{
    nn_fit_config c = {.epochs = epochs, .batch = 8, .shuffle = 1, .opt = o, .rng = r};
    cr_assert_eq(nn_optimizer_init(o, "adam"), 0);
    cr_assert_eq(nn_loss_parse(loss, &c.loss), 0);
    al_rng_seed(r, 5);
    return c;
}

static void exp_map(const void *ctx, float *v, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        v[i] = expf(v[i]);
}

Test(fit, regression_metrics_match_the_predictions)
{
    data_set tr, va;
    make_set(&tr, 40, 0, 1);
    make_set(&va, 13, 0, 2);
    nn_model *m = model("dense(8,activation=tanh) dense(1,activation=softplus)", 3);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 3);
    nn_epoch_stats h[3];
    nn_fit_report rep;
    cr_assert_eq(nn_fit(m, &tr, &va, &c, h, &rep), 0, "%s", al_last_error());
    cr_expect_eq(rep.reason, NN_STOP_DONE);
    cr_expect_eq(rep.epochs_done, 3);
    float p[13];
    cr_assert_eq(nn_predict(m, va.x.data, 13, p, 4), 0);
    const float *y = va.y.data;
    double sq = 0, ab = 0, sl = 0;
    for (int i = 0; i < 13; i++) {
        double e = (double)p[i] - y[i], le = log((double)p[i]) - log((double)y[i]);
        sq += e * e, ab += fabs(e), sl += le * le;
    }
    cr_expect_float_eq(h[2].val_rmse, sqrt(sq / 13), 1e-9 * sqrt(sq / 13) + 1e-12);
    cr_expect_float_eq(h[2].val_mae, ab / 13, 1e-9 * ab / 13 + 1e-12);
    cr_expect_float_eq(h[2].val_rmsle, sqrt(sl / 13), 1e-9 * sqrt(sl / 13) + 1e-12);
    cr_expect_float_eq(h[2].val_loss, sq / 13, 1e-6 * sq / 13);
    cr_expect(isnan(h[2].acc) && isnan(h[2].val_acc));
    cr_expect(isfinite(h[0].rmse) && h[0].seconds >= 0 && h[0].val_seconds >= 0);
    cr_expect_float_eq(h[1].lr, 0.001, 1e-9);
    /* the baseline: always the training mean, on the validation set, as rmsle (targets > 0) */
    double mean = 0;
    for (int i = 0; i < 40; i++)
        mean += ((const float *)tr.y.data)[i];
    mean /= 40;
    double bl = 0;
    for (int i = 0; i < 13; i++) {
        double le = log((double)(float)mean) - log((double)y[i]);
        bl += le * le;
    }
    cr_expect(!rep.metric_is_acc && rep.metric_is_rmsle);
    cr_expect_float_eq(rep.baseline, sqrt(bl / 13), 1e-6);
    nn_model_free(m);
    data_set_free(&tr), data_set_free(&va);
}

Test(fit, metrics_in_target_units)
{
    data_set tr, va;
    make_set(&tr, 30, 0, 4);
    make_set(&va, 11, 0, 5);
    float *ty = tr.y.data, *vy = va.y.data; /* the model learns log(target) */
    for (int i = 0; i < 30; i++)
        ty[i] = logf(ty[i]);
    for (int i = 0; i < 11; i++)
        vy[i] = logf(vy[i]);
    nn_model *m = model("dense(6,activation=relu) dense(1)", 6);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 2);
    c.to_target = exp_map;
    nn_epoch_stats h[2];
    cr_assert_eq(nn_fit(m, &tr, &va, &c, h, NULL), 0, "%s", al_last_error());
    float p[11];
    cr_assert_eq(nn_predict(m, va.x.data, 11, p, 11), 0);
    double sl = 0, ab = 0;
    for (int i = 0; i < 11; i++) {
        /* rmsle of exp(p) against exp(y) is the rmse of the logs */
        double e = log((double)expf(p[i])) - log((double)expf(vy[i]));
        sl += e * e;
        ab += fabs((double)expf(p[i]) - (double)expf(vy[i]));
    }
    cr_expect_float_eq(h[1].val_rmsle, sqrt(sl / 11), 1e-6);
    cr_expect_float_eq(h[1].val_mae, ab / 11, 1e-6 * ab / 11);
    nn_model_free(m);
    data_set_free(&tr), data_set_free(&va);
}

Test(fit, accuracy_and_majority_baseline)
{
    data_set tr, va;
    make_set(&tr, 60, 1, 7);
    make_set(&va, 21, 1, 8);
    nn_model *m = model("dense(3,activation=softmax)", 9);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "sparse_categorical_crossentropy", 2);
    nn_epoch_stats h[2];
    nn_fit_report rep;
    cr_assert_eq(nn_fit(m, &tr, &va, &c, h, &rep), 0, "%s", al_last_error());
    float p[21 * 3];
    cr_assert_eq(nn_predict(m, va.x.data, 21, p, 5), 0);
    const int64_t *y = va.y.data, *ty = tr.y.data;
    int hits = 0;
    for (int i = 0; i < 21; i++) {
        int g = 0;
        for (int j = 1; j < 3; j++)
            if (p[i * 3 + j] > p[i * 3 + g])
                g = j;
        hits += g == y[i];
    }
    cr_expect_float_eq(h[1].val_acc, hits / 21.0, 1e-12);
    cr_expect(isnan(h[1].val_rmse) && isnan(h[1].rmsle));
    int count[3] = {0}, maj = 0, mhits = 0;
    for (int i = 0; i < 60; i++)
        count[ty[i]]++;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[maj])
            maj = k;
    for (int i = 0; i < 21; i++)
        mhits += y[i] == maj;
    cr_expect(rep.metric_is_acc);
    cr_expect_float_eq(rep.baseline, mhits / 21.0, 1e-12);
    nn_model_free(m);
    data_set_free(&tr), data_set_free(&va);
}

Test(fit, non_finite_data_is_named_before_training)
{
    data_set tr;
    make_set(&tr, 20, 0, 10);
    ((float *)tr.x.data)[5 * 3 + 1] = NAN;
    nn_model *m = model("dense(1)", 1);
    float *w, *g;
    size_t n = nn_params(m, &w, &g);
    float *before = malloc(n * sizeof *before);
    memcpy(before, w, n * sizeof *w);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 1);
    nn_fit_report rep;
    cr_expect_neq(nn_fit(m, &tr, NULL, &c, NULL, &rep), 0);
    cr_expect_eq(rep.reason, NN_STOP_BAD_DATA);
    cr_expect(strstr(al_last_error(), "sample 5, feature 1 is NaN"), "%s", al_last_error());
    cr_expect_eq(memcmp(before, w, n * sizeof *w), 0, "weights changed before the check");
    ((float *)tr.x.data)[5 * 3 + 1] = 0;
    ((float *)tr.y.data)[12] = INFINITY;
    cr_expect_neq(nn_fit(m, &tr, NULL, &c, NULL, &rep), 0);
    cr_expect_eq(rep.reason, NN_STOP_BAD_DATA);
    cr_expect(strstr(al_last_error(), "target of sample 12 is infinite"), "%s",
              al_last_error());
    free(before);
    nn_model_free(m);
    data_set_free(&tr);
}

Test(fit, rmsle_of_a_negative_output_is_a_domain_failure)
{
    data_set tr;
    make_set(&tr, 16, 0, 11);
    nn_model *m = model("dense(1)", 2);
    float *w, *g;
    size_t n = nn_params(m, &w, &g);
    for (size_t i = 0; i < n; i++)
        w[i] = -1.0f; /* every output < 0 for inputs in [0, 1) */
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "rmsle", 2);
    nn_fit_report rep;
    cr_expect_neq(nn_fit(m, &tr, NULL, &c, NULL, &rep), 0);
    cr_expect_eq(rep.reason, NN_STOP_DOMAIN);
    cr_expect_eq(rep.epoch, 1);
    cr_expect_eq(rep.batch, 1);
    cr_expect(strstr(al_last_error(), "epoch 1, batch 1") &&
                  strstr(al_last_error(), "range does not fit the loss"),
              "%s", al_last_error());
    nn_model_free(m);
    data_set_free(&tr);
}

Test(fit, divergence_names_the_learning_rate)
{
    data_set tr;
    make_set(&tr, 32, 0, 12);
    nn_model *m = model("dense(16,activation=relu) dense(16,activation=relu) dense(1)", 3);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 20);
    cr_assert_eq(nn_optimizer_init(&o, "sgd:lr=1000"), 0);
    nn_fit_report rep;
    cr_expect_neq(nn_fit(m, &tr, NULL, &c, NULL, &rep), 0);
    cr_expect_eq(rep.reason, NN_STOP_DIVERGED, "reason %d: %s", rep.reason, al_last_error());
    cr_expect(strstr(al_last_error(), "diverged") && strstr(al_last_error(), "1000"), "%s",
              al_last_error());
    cr_expect(rep.epoch >= 1 && rep.batch >= 1);
    nn_model_free(m);
    data_set_free(&tr);
}

static int stop_after_two(void *ctx, const nn_epoch_stats *s)
{
    (void)ctx;
    return s->epoch == 2 ? AL_EIO : 0;
}

Test(fit, on_epoch_can_stop_training)
{
    data_set tr;
    make_set(&tr, 16, 0, 13);
    nn_model *m = model("dense(1)", 4);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 5);
    c.on_epoch = stop_after_two;
    nn_fit_report rep;
    cr_expect_eq(nn_fit(m, &tr, NULL, &c, NULL, &rep), AL_EIO);
    cr_expect_eq(rep.reason, NN_STOP_CALLBACK);
    cr_expect_eq(rep.epochs_done, 2);
    nn_model_free(m);
    data_set_free(&tr);
}

Test(schedule, step_and_cosine_follow_torch_formulas)
{
    nn_schedule s;
    cr_assert_eq(nn_schedule_parse("step:every=3,factor=0.5", &s), 0, "%s", al_last_error());
    const double step[] = {1, 1, 1, 0.5, 0.5, 0.5, 0.25};
    for (long e = 1; e <= 7; e++)
        cr_expect_float_eq(nn_schedule_lr(&s, 0.1, e, 7, NULL), 0.1 * step[e - 1], 1e-15);
    cr_assert_eq(nn_schedule_parse("cosine:min=0.01", &s), 0);
    /* CosineAnnealingLR with T_max = 4: 0.1, 0.0868, 0.055, 0.0232 */
    const double cosv[] = {0.1, 0.01 + 0.09 * (1 + 0.70710678118654752) / 2, 0.055,
                           0.01 + 0.09 * (1 - 0.70710678118654752) / 2};
    for (long e = 1; e <= 4; e++)
        cr_expect_float_eq(nn_schedule_lr(&s, 0.1, e, 4, NULL), cosv[e - 1], 1e-12);
}

Test(schedule, plateau_replays_the_monitored_losses)
{
    nn_schedule s;
    cr_assert_eq(nn_schedule_parse("plateau:patience=2,factor=0.5,min=0.02", &s), 0);
    /* best 1.0 (e1), 0.9 (e2); e3, e4 no better -> halve for e5; e5, e6 no better -> halve
     * again for e7, clamped at 0.02 */
    const double mon[] = {1.0, 0.9, 0.95, 0.9, 0.91, 0.93, 0.5};
    const double want[] = {0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025};
    for (long e = 1; e <= 8; e++)
        cr_expect_float_eq(nn_schedule_lr(&s, 0.1, e, 8, mon), want[e - 1], 1e-15, "epoch %ld",
                           e);
    s.min_lr = 0.04;
    cr_expect_float_eq(nn_schedule_lr(&s, 0.1, 7, 8, mon), 0.04, 1e-15);
}

Test(schedule, parse_errors_name_the_setting)
{
    nn_schedule s;
    cr_expect_eq(nn_schedule_parse("stepp", &s), AL_EINVAL);
    cr_expect(strstr(al_last_error(), "stepp") && strstr(al_last_error(), "cosine"), "%s",
              al_last_error());
    cr_expect_eq(nn_schedule_parse("step:factor=2", &s), AL_EINVAL);
    cr_expect(strstr(al_last_error(), "factor"), "%s", al_last_error());
    cr_expect_eq(nn_schedule_parse("cosine:every=3", &s), AL_EINVAL);
}

static int count_epochs(void *ctx, const nn_epoch_stats *s)
{
    ++*(long *)ctx;
    (void)s;
    return 0;
}

Test(fit, early_stopping_restores_the_best_epoch)
{
    data_set tr, va;
    make_set(&tr, 40, 0, 21);
    make_set(&va, 10, 0, 22);
    /* a rate so high that val_loss soon stops improving */
    nn_model *m = model("dense(16,activation=relu) dense(1)", 5);
    nn_optimizer o;
    al_rng r;
    nn_fit_config c = config(&o, &r, "mse", 60);
    cr_assert_eq(nn_optimizer_init(&o, "sgd:lr=0.02,momentum=0.9"), 0);
    long seen = 0;
    c.early_stop = 3, c.restore_best = 1, c.on_epoch = count_epochs, c.ctx = &seen;
    nn_epoch_stats h[60];
    nn_fit_report rep;
    cr_assert_eq(nn_fit(m, &tr, &va, &c, h, &rep), 0, "%s", al_last_error());
    cr_assert(rep.stopped_early, "never stopped early in 60 epochs");
    cr_expect_eq(rep.epochs_done, rep.best_epoch + 3);
    cr_expect_eq(seen, rep.epochs_done);
    for (long i = 0; i < rep.epochs_done; i++)
        cr_expect(h[i].val_loss >= h[rep.best_epoch - 1].val_loss);
    /* the weights are the best epoch's: the same run stopped there gives the same bytes */
    nn_model *m2 = model("dense(16,activation=relu) dense(1)", 5);
    nn_optimizer o2;
    al_rng r2;
    nn_fit_config c2 = config(&o2, &r2, "mse", rep.best_epoch);
    cr_assert_eq(nn_optimizer_init(&o2, "sgd:lr=0.02,momentum=0.9"), 0);
    cr_assert_eq(nn_fit(m2, &tr, &va, &c2, NULL, NULL), 0);
    float *w1, *w2, *g;
    size_t n = nn_params(m, &w1, &g);
    cr_assert_eq(nn_params(m2, &w2, &g), n);
    cr_expect_eq(memcmp(w1, w2, n * sizeof *w1), 0, "restored weights differ from epoch %ld's",
                 rep.best_epoch);
    nn_model_free(m), nn_model_free(m2);
    data_set_free(&tr), data_set_free(&va);
}
