/* Naming and the textual form: every canonical name and alias resolves, parameters parse
 * with their checks, errors say what is wrong, and act_format round-trips. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "actlab/act.h"

Test(parse, every_name_and_alias_resolves_to_its_kind)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        const act_info *in = act_get_info((act_kind)k);
        act_kind got;
        cr_assert_eq(act_find(in->name, &got), 0, "%s: %s", in->name, al_last_error());
        cr_assert_eq(got, k, "%s", in->name);
        char aliases[128];
        snprintf(aliases, sizeof aliases, "%s", in->aliases);
        for (char *s = strtok(aliases, " "); s; s = strtok(NULL, " ")) {
            cr_assert_eq(act_find(s, &got), 0, "alias %s: %s", s, al_last_error());
            cr_assert_eq(got, k, "alias %s of %s", s, in->name);
        }
    }
}

Test(parse, names_are_unique_after_normalisation)
{
    for (int a = 0; a < ACT_COUNT; a++)
        for (int b = 0; b < ACT_COUNT; b++) {
            act_kind got;
            cr_assert_eq(act_find(act_get_info((act_kind)b)->name, &got), 0);
            if (a != b)
                cr_assert_neq(got, a);
        }
}

Test(parse, user_spellings)
{
    static const struct {
        const char *text;
        act_kind k;
    } cases[] = {
        {"logistic", ACT_SIGMOID},    {"swish", ACT_SILU},          {"leaky", ACT_LEAKY_RELU},
        {"lrelu", ACT_LEAKY_RELU},    {"LeakyReLU", ACT_LEAKY_RELU}, {"hardswish", ACT_HARD_SWISH},
        {"Hardsigmoid", ACT_HARD_SIGMOID}, {"hard-tanh", ACT_HARD_TANH}, {"linear", ACT_IDENTITY},
        {"GELU", ACT_GELU},           {"LogSoftmax", ACT_LOG_SOFTMAX}, {"logsigmoid", ACT_LOG_SIGMOID},
        {"  relu  ", ACT_RELU},       {"ReLU6", ACT_RELU6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        act_spec s;
        cr_assert_eq(act_parse(cases[i].text, &s), 0, "'%s': %s", cases[i].text, al_last_error());
        cr_assert_eq(s.kind, cases[i].k, "'%s'", cases[i].text);
    }
}

Test(parse, defaults_follow_pytorch)
{
    act_spec s;
    cr_assert_eq(act_parse("leaky_relu", &s), 0);
    cr_assert_eq(s.p[0], 0.01);
    cr_assert_eq(act_parse("prelu", &s), 0);
    cr_assert_eq(s.p[0], 0.25);
    cr_assert_eq(act_parse("rrelu", &s), 0);
    cr_assert_eq(s.p[0], 1.0 / 8);
    cr_assert_eq(s.p[1], 1.0 / 3);
    cr_assert_eq(act_parse("softplus", &s), 0);
    cr_assert(s.p[0] == 1.0 && s.p[1] == 20.0);
    cr_assert_eq(act_parse("hard_tanh", &s), 0);
    cr_assert(s.p[0] == -1.0 && s.p[1] == 1.0);
    cr_assert_eq(act_parse("softshrink", &s), 0);
    cr_assert_eq(s.p[0], 0.5);
    cr_assert_eq(act_parse("squareplus", &s), 0);
    cr_assert_eq(s.p[0], 4.0);
    cr_assert_eq(act_parse("maxout", &s), 0);
    cr_assert_eq(s.p[0], 2.0);
}

Test(parse, parameters)
{
    act_spec s;
    cr_assert_eq(act_parse("leaky_relu:alpha=0.2", &s), 0);
    cr_assert_eq(s.p[0], 0.2);
    cr_assert_eq(act_parse("leaky_relu:negative_slope=0.3", &s), 0, "PyTorch's keyword");
    cr_assert_eq(s.p[0], 0.3);
    cr_assert_eq(act_parse("softplus:beta=2", &s), 0);
    cr_assert(s.p[0] == 2.0 && s.p[1] == 20.0, "unnamed parameters keep defaults");
    cr_assert_eq(act_parse("softplus:threshold=10,beta=-1.5", &s), 0);
    cr_assert(s.p[0] == -1.5 && s.p[1] == 10.0);
    cr_assert_eq(act_parse("softshrink:lambd=1e-1", &s), 0);
    cr_assert_eq(s.p[0], 0.1);
    cr_assert_eq(act_parse("hard_tanh:min_val=-2,max=3", &s), 0);
    cr_assert(s.p[0] == -2.0 && s.p[1] == 3.0);
    cr_assert_eq(act_parse("maxout:k=4", &s), 0);
    cr_assert_eq(s.p[0], 4.0);
}

static void expect_error(const char *text, int code, const char *needle)
{
    act_spec s = {.kind = ACT_RELU};
    int rc = act_parse(text, &s);
    cr_assert_eq(rc, code, "'%s' gave %d (%s), expected %d", text, rc, al_last_error(), code);
    cr_assert(strstr(al_last_error(), needle), "'%s': message '%s' lacks '%s'", text,
              al_last_error(), needle);
    cr_assert_eq(s.kind, ACT_RELU, "out untouched on error");
}

Test(parse, errors_name_the_bad_part)
{
    expect_error("sigmod", AL_ENAME, "did you mean: sigmoid");
    expect_error("relue", AL_ENAME, "relu");
    expect_error("sofmax", AL_ENAME, "softmax");
    expect_error("xyzzy_plugh", AL_ENAME, "xyzzy_plugh");
    expect_error("", AL_ENAME, "empty");
    expect_error(":alpha=1", AL_ENAME, "empty");
    expect_error("relu:alpha=1", AL_EINVAL, "takes no parameters");
    expect_error("leaky_relu:beta=1", AL_EINVAL, "it takes: alpha");
    expect_error("leaky_relu:alpha=abc", AL_EINVAL, "'abc': not a number");
    expect_error("leaky_relu:alpha=", AL_EINVAL, "missing");
    expect_error("leaky_relu:alpha", AL_EINVAL, "not key=value");
    expect_error("leaky_relu:alpha=0.1,", AL_EINVAL, "not key=value");
    expect_error("leaky_relu:alpha=nan", AL_EINVAL, "not a number");
    expect_error("leaky_relu:alpha=inf", AL_EINVAL, "finite");
    expect_error("leaky_relu:alpha=1e400", AL_EINVAL, "out of range");
    expect_error("softplus:beta=0", AL_EINVAL, "non-zero");
    expect_error("celu:alpha=0", AL_EINVAL, "non-zero");
    expect_error("squareplus:b=-1", AL_EINVAL, "> 0");
    expect_error("softshrink:lambda=-0.5", AL_EINVAL, ">= 0");
    expect_error("softmax:temperature=0", AL_EINVAL, "> 0");
    expect_error("maxout:k=0", AL_EINVAL, "whole number");
    expect_error("maxout:k=2.5", AL_EINVAL, "whole number");
    expect_error("hard_tanh:min=1,max=1", AL_EINVAL, "min must be less than max");
    expect_error("rrelu:lower=0.5,upper=0.25", AL_EINVAL, "lower must not exceed upper");
}

Test(parse, format_round_trips_every_function)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        act_spec s, back;
        act_init(&s, (act_kind)k);
        const act_info *in = act_get_info((act_kind)k);
        for (unsigned i = 0; i < in->n_params; i++) /* a non-default value each */
            s.p[i] = in->params[i].flags & ACT_P_INTEGER ? 3.0f : s.p[i] * 1.5f + 0.1f;
        if (act_validate(&s))
            continue; /* a cross-parameter rule rejects it: nothing to round-trip */
        char buf[128];
        int n = act_format(&s, buf, sizeof buf);
        cr_assert(n > 0 && (size_t)n < sizeof buf);
        cr_assert_eq(act_parse(buf, &back), 0, "%s: %s", buf, al_last_error());
        cr_assert(act_equal(&s, &back), "round trip of %s", buf);
    }
}

Test(parse, format_is_short_and_omits_defaults)
{
    act_spec s;
    char buf[64];
    act_parse("leaky_relu:alpha=0.2", &s);
    act_format(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "leaky_relu:alpha=0.2");
    act_parse("LeakyReLU", &s);
    act_format(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "leaky_relu");
    act_parse("softplus:threshold=10", &s);
    cr_assert_eq(act_format(&s, NULL, 0), (int)strlen("softplus:threshold=10"));
    char tiny[8];
    act_format(&s, tiny, sizeof tiny);
    cr_assert_str_eq(tiny, "softplu", "truncated like snprintf");
}

Test(parse, table_is_complete)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        const act_info *in = act_get_info((act_kind)k);
        cr_assert(in && in->name && in->aliases && in->formula && in->range && in->derivative &&
                  in->use, "entry %d has every field", k);
        cr_assert(in->n_params <= ACT_MAX_PARAMS);
        for (unsigned i = 0; i < in->n_params; i++)
            cr_assert(in->params[i].name && in->params[i].doc);
        act_spec s;
        act_init(&s, (act_kind)k);
        cr_assert_eq(act_validate(&s), 0, "defaults of %s are valid: %s", in->name,
                     al_last_error());
    }
    cr_assert_null(act_get_info(ACT_COUNT));
}

Test(parse, version)
{
    cr_assert_eq(al_version_number(), ACTLAB_VERSION_NUMBER);
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", ACTLAB_VERSION_MAJOR, ACTLAB_VERSION_MINOR,
             ACTLAB_VERSION_PATCH);
    cr_assert_str_eq(al_version_string(), want);
    cr_assert_str_eq(al_status_str(AL_OK), "success");
    cr_assert_str_eq(al_status_str(-1), "unknown status");
}
