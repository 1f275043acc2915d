/* Issue 13 section 2: one error message for every module that a successful call clears, and
 * one name matcher with one "did you mean" for every name a user types. Expected values are
 * the names as Keras and PyTorch spell them and torch.optim's documented defaults. */
#include <criterion/criterion.h>
#include <string.h>

#include "actlab/actlab.h"

static void expect_msg(const char *part)
{
    cr_expect(strstr(al_last_error(), part), "message '%s' lacks '%s'", al_last_error(), part);
}

/* ---- al_last_error: a successful call leaves no stale message -------------------------- */

Test(err, success_after_failure_leaves_no_message)
{
    act_spec a;
    cr_assert_neq(act_parse("sigmod", &a), AL_OK);
    expect_msg("sigmod");
    cr_assert_eq(act_parse("relu", &a), AL_OK);
    cr_expect_str_eq(al_last_error(), "", "stale after act_parse: '%s'", al_last_error());
}

/* one message for every module: a data failure is cleared by an nn success and so on */
Test(err, modules_share_one_message)
{
    data_array x;
    cr_assert_eq(data_npy_read("/nonexistent/actlab/x.npy", &x), AL_EIO);
    expect_msg("/nonexistent/actlab/x.npy");
    nn_loss l;
    cr_assert_eq(nn_loss_parse("mse", &l), AL_OK);
    cr_expect_str_eq(al_last_error(), "");

    nn_optimizer o;
    cr_assert_eq(nn_optimizer_init(&o, "adamm"), AL_ENAME);
    expect_msg("adamm");
    size_t shape[1] = {3};
    cr_assert_eq(data_array_alloc(&x, DATA_F32, 1, shape), AL_OK);
    cr_expect_str_eq(al_last_error(), "");
    data_array_free(&x);

    cr_assert_eq(plot_write(NULL, "x.png"), AL_EINVAL);
    cr_expect_neq(al_last_error()[0], '\0');
    nn_schedule s;
    cr_assert_eq(nn_schedule_parse("cosine", &s), AL_OK);
    cr_expect_str_eq(al_last_error(), "");
}

Test(err, set_error_is_public_and_returns_its_status)
{
    cr_assert_eq(al_set_error(AL_EIO, "cannot write %s", "out.csv"), AL_EIO);
    cr_expect_str_eq(al_last_error(), "cannot write out.csv");
    act_kind k;
    cr_assert_eq(act_find("tanh", &k), AL_OK);
    cr_expect_str_eq(al_last_error(), "");
}

/* Calls the library makes to its public functions, and user callbacks it runs, are nested:
 * a success inside them must not wipe the failure the outer call is about to return. */
struct cb {
    int calls;
};

static int failing_epoch(void *ctx, const nn_epoch_stats *st)
{
    (void)st;
    ((struct cb *)ctx)->calls++;
    al_set_error(AL_EIO, "callback: disk full after epoch %ld", st->epoch);
    act_spec a; /* a successful public call on the way out */
    return act_parse("relu", &a) == AL_OK ? AL_EIO : AL_EINVAL;
}

Test(err, nested_success_keeps_the_outer_failure)
{
    size_t xs[2] = {8, 2}, ys[1] = {8};
    data_set tr;
    memset(&tr, 0, sizeof tr);
    cr_assert_eq(data_array_alloc(&tr.x, DATA_F32, 2, xs), AL_OK);
    cr_assert_eq(data_array_alloc(&tr.y, DATA_F32, 1, ys), AL_OK);
    al_rng r;
    al_rng_seed(&r, 1);
    nn_model *m;
    cr_assert_eq(nn_model_create("dense(1)", (nn_shape){1, {2}}, NN_INIT_DEFAULT, &r, &m), AL_OK);
    nn_optimizer o;
    cr_assert_eq(nn_optimizer_init(&o, "sgd"), AL_OK);
    struct cb cb = {0};
    nn_fit_config c = {.epochs = 3, .batch = 4, .opt = &o, .rng = &r, .on_epoch = failing_epoch,
                       .ctx = &cb};
    cr_assert_eq(nn_loss_parse("mse", &c.loss), AL_OK);
    cr_expect_eq(nn_fit(m, &tr, NULL, &c, NULL, NULL), AL_EIO);
    cr_expect_eq(cb.calls, 1);
    expect_msg("callback: disk full after epoch 1");
    nn_model_free(m);
    data_set_free(&tr);
}

/* ---- one matcher ------------------------------------------------------------------------ */

Test(names, case_underscore_and_hyphen_do_not_count)
{
    cr_expect(al_name_eq("LeakyReLU", 9, "leaky_relu"));
    cr_expect(al_name_eq("binarycrossentropy", 18, "binary_crossentropy"));
    cr_expect(al_name_eq("FMNIST_LENET5", 13, "fmnist-lenet5"));
    cr_expect(al_name_eq("relu6xyz", 5, "relu6"), "only len characters count");
    cr_expect(!al_name_eq("relu", 4, "relu6"));
    cr_expect(!al_name_eq("", 0, ""), "an empty name matches nothing");
    cr_expect(!al_name_eq("__", 2, "-"), "nor one of only separators");
    static const char *const t[] = {"mse mean_squared_error", NULL, "mae"};
    cr_expect_eq(al_name_find("Mean-Squared-Error", 18, t, 3), 0);
    cr_expect_eq(al_name_find("MAE", 3, t, 3), 2);
    cr_expect_eq(al_name_find("mean", 4, t, 3), -1);
}

Test(names, losses_take_keras_names_in_any_spelling)
{
    nn_loss l;
    cr_assert_eq(nn_loss_parse("binarycrossentropy", &l), AL_OK, "%s", al_last_error());
    cr_expect_eq(l.kind, NN_LOSS_BCE);
    cr_assert_eq(nn_loss_parse("Sparse-Categorical-Crossentropy", &l), AL_OK);
    cr_expect_eq(l.kind, NN_LOSS_SPARSE_CCE);
    cr_assert_eq(nn_loss_parse("BCE:FROM_LOGITS=1,Eps=0.001", &l), AL_OK, "%s", al_last_error());
    cr_expect(l.from_logits == 1 && l.eps == 0.001f);
    cr_assert_eq(nn_loss_parse("binary_crosentropy", &l), AL_ENAME);
    expect_msg("did you mean: binary_crossentropy");
}

Test(names, optimizers_by_name_with_torch_defaults)
{
    /* torch.optim defaults: SGD lr 0.01 (this library's), Adam 1e-3 betas (0.9, 0.999) eps 1e-8,
     * AdamW weight_decay 1e-2, RMSprop lr 1e-2 alpha 0.99 */
    nn_optimizer o;
    cr_assert_eq(nn_optimizer_init(&o, "AdamW"), AL_OK, "%s", al_last_error());
    cr_expect(o.kind == NN_OPT_ADAMW && o.lr == 0.001f && o.beta1 == 0.9f &&
              o.beta2 == 0.999f && o.eps == 1e-8f && o.weight_decay == 0.01f && o.step == 0);
    cr_assert_eq(nn_optimizer_init(&o, "adam:LR=0.1,Weight-Decay=0.5"), AL_OK, "%s",
                 al_last_error());
    cr_expect(o.kind == NN_OPT_ADAM && o.lr == 0.1f && o.weight_decay == 0.5f);
    cr_assert_eq(nn_optimizer_init(&o, "RMSProp:alpha=0.9"), AL_OK, "%s", al_last_error());
    cr_expect(o.kind == NN_OPT_RMSPROP && o.lr == 0.01f && o.beta2 == 0.9f && o.eps == 1e-8f);
    cr_assert_eq(nn_optimizer_init(&o, "SGD:momentum=0.9,NESTEROV=1"), AL_OK);
    cr_expect(o.kind == NN_OPT_SGD && o.lr == 0.01f && o.momentum == 0.9f && o.nesterov == 1);
    cr_assert_eq(nn_optimizer_init(&o, "adma"), AL_ENAME);
    expect_msg("did you mean: adam");
}

Test(names, schedules_layers_and_paths_match_the_same_way)
{
    nn_schedule s;
    cr_assert_eq(nn_schedule_parse("Step:Every=2,FACTOR=0.5", &s), AL_OK, "%s", al_last_error());
    cr_expect(s.kind == NN_SCHED_STEP && s.every == 2 && s.factor == 0.5);
    cr_assert_neq(nn_schedule_parse("cosin", &s), AL_OK);
    expect_msg("did you mean: cosine");

    al_rng r;
    al_rng_seed(&r, 2);
    nn_model *m = NULL;
    cr_assert_eq(nn_model_create("DENSE(4,Activation=Leaky-ReLU) Dense(2)", (nn_shape){1, {3}},
                                 NN_INIT_DEFAULT, &r, &m),
                 AL_OK, "%s", al_last_error());
    nn_model_free(m);
    cr_assert_eq(nn_model_create("Max_Pool2D(2)", (nn_shape){3, {1, 4, 4}}, NN_INIT_DEFAULT, &r,
                                 &m),
                 AL_OK, "%s", al_last_error());
    nn_model_free(m);

    cr_assert_eq(act_set_isa("Exact"), AL_OK, "%s", al_last_error());
    cr_expect_str_eq(act_isa(), "exact");
    cr_assert_eq(act_set_isa("AUTO"), AL_OK);
    cr_assert_eq(act_set_isa("avx9"), AL_ENAME);
    expect_msg("did you mean: avx2");
}

/* one "did you mean": nearest first, an alias shows its canonical name once, ties keep the
 * order of the table, nothing when nothing is close */
Test(names, one_suggestion_rule)
{
    static const char *const t[] = {"sigmoid logistic", "silu swish", "sign"};
    char hint[128];
    al_name_suggest("logistc", 7, t, 3, hint, sizeof hint);
    cr_expect_str_eq(hint, "; did you mean: sigmoid");
    al_name_suggest("sigm", 4, t, 3, hint, sizeof hint);
    cr_expect_str_eq(hint, "; did you mean: sign, silu"); /* 1 edit, then 2; sigmoid is 3 */
    al_name_suggest("sil", 3, t, 3, hint, sizeof hint);
    cr_expect_str_eq(hint, "; did you mean: silu");
    al_name_suggest("xyzzy", 5, t, 3, hint, sizeof hint);
    cr_expect_str_eq(hint, "");
    cr_expect_eq(al_name_suggest("logistc", 7, t, 3, hint, 4), strlen("; did you mean: sigmoid"),
                 "snprintf-like length");
    cr_expect_str_eq(hint, "; d");
}

Test(names, public_number_reader)
{
    double v = 0;
    cr_expect_eq(al_parse_double(" 2e-3", &v), AL_NUM_OK);
    cr_expect_eq(v, 2e-3);
    cr_expect_eq(al_parse_double("1e999", &v), AL_NUM_RANGE);
    cr_expect_eq(al_parse_double("1x", &v), AL_NUM_INVALID);
    cr_expect_eq(al_parse_double("-INF", &v), AL_NUM_OK);
    cr_expect_eq(al_edit_distance("Dense", 5, "dens"), 1u);
}
