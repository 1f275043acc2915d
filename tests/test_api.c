/* The array entry points: argument checks return errors (never crash), shapes of row-wise
 * functions, aliasing, and the NaN/derivative conventions at the API boundary. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "actlab/act.h"

static act_spec spec(const char *text)
{
    act_spec s;
    cr_assert_eq(act_parse(text, &s), 0, "%s: %s", text, al_last_error());
    return s;
}

Test(api, bad_arguments_are_errors)
{
    act_spec relu = spec("relu"), bad = {.kind = ACT_COUNT};
    float x[2] = {1, 2}, y[2];
    cr_assert_eq(act_forward(NULL, x, y, 2), AL_EINVAL);
    cr_assert_eq(act_forward(&bad, x, y, 2), AL_EINVAL);
    cr_assert_eq(act_forward(&relu, NULL, y, 2), AL_EINVAL);
    cr_assert_eq(act_forward(&relu, NULL, NULL, 0), AL_OK, "n = 0 needs no arrays");
    cr_assert_eq(act_backward(&relu, x, NULL, NULL, y, 2), AL_EINVAL);
    cr_assert_eq(act_forward_rows(&relu, x, NULL, 1, 2), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "NULL"));
    cr_assert(isnan(act_eval(&bad, 1.0)));
}

Test(api, rowwise_through_elementwise_entry_is_an_error)
{
    act_spec sm = spec("softmax");
    float x[3] = {1, 2, 3}, y[3];
    cr_assert_eq(act_forward(&sm, x, y, 3), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "act_forward_rows"), "%s", al_last_error());
    cr_assert_eq(act_backward(&sm, x, y, y, y, 3), AL_EINVAL);
    cr_assert(isnan(act_eval(&sm, 1.0)));
}

Test(api, out_cols_and_shape_errors)
{
    act_spec m3 = spec("maxout:k=3"), glu = spec("glu"), sm = spec("softmax"), relu = spec("relu");
    cr_assert_eq(act_out_cols(&m3, 9), 3);
    cr_assert_eq(act_out_cols(&m3, 7), 0);
    cr_assert_eq(act_out_cols(&glu, 8), 4);
    cr_assert_eq(act_out_cols(&glu, 7), 0);
    cr_assert_eq(act_out_cols(&sm, 5), 5);
    cr_assert_eq(act_out_cols(&relu, 5), 5);
    cr_assert_eq(act_out_cols(&relu, 0), 0);
    float x[7] = {0}, y[7];
    cr_assert_eq(act_forward_rows(&m3, x, y, 1, 7), AL_ESHAPE);
    cr_assert(strstr(al_last_error(), "multiple of k"), "%s", al_last_error());
    cr_assert_eq(act_forward_rows(&glu, x, y, 1, 7), AL_ESHAPE);
    cr_assert_eq(act_backward_rows(&glu, x, NULL, y, y, 1, 7), AL_ESHAPE);
}

Test(api, elementwise_through_rows_entry)
{
    act_spec t = spec("tanh");
    float x[6] = {-2, -1, 0, 1, 2, 3}, y[6], z[6], dy[6] = {1, 1, 1, 1, 1, 1}, dx[6], dz[6];
    cr_assert_eq(act_forward_rows(&t, x, y, 2, 3), 0);
    cr_assert_eq(act_forward(&t, x, z, 6), 0);
    cr_assert_eq(memcmp(y, z, sizeof y), 0);
    cr_assert_eq(act_backward_rows(&t, x, y, dy, dx, 2, 3), 0);
    cr_assert_eq(act_backward(&t, x, y, dy, dz, 6), 0);
    cr_assert_eq(memcmp(dx, dz, sizeof dx), 0);
}

Test(api, in_place)
{
    act_spec s = spec("gelu"), sm = spec("softmax");
    float x[5] = {-3, -0.5f, 0, 0.5f, 3}, y[5], z[5];
    memcpy(z, x, sizeof x);
    act_forward(&s, x, y, 5);
    act_forward(&s, z, z, 5);
    cr_assert_eq(memcmp(y, z, sizeof y), 0);
    memcpy(z, x, sizeof x);
    act_forward_rows(&sm, x, y, 1, 5);
    act_forward_rows(&sm, z, z, 1, 5);
    cr_assert_eq(memcmp(y, z, sizeof y), 0);
    float dy[5] = {1, -2, 3, -4, 5}, dx[5], dd[5];
    memcpy(dd, dy, sizeof dy);
    act_backward(&s, x, NULL, dy, dx, 5);
    act_backward(&s, x, NULL, dd, dd, 5);
    cr_assert_eq(memcmp(dx, dd, sizeof dx), 0);
}

Test(api, nan_passes_through_and_masked_gradient_is_zero)
{
    for (int k = 0; k < ACT_COUNT; k++) {
        act_spec s;
        act_init(&s, (act_kind)k);
        if (act_get_info((act_kind)k)->flags & ACT_ROWWISE)
            continue;
        float x = NAN, y = 0, dy = 1, dx = 0;
        cr_assert_eq(act_forward(&s, &x, &y, 1), 0);
        cr_assert(isnan(y), "%s(NaN) = %g", act_get_info((act_kind)k)->name, y);
        cr_assert_eq(act_backward(&s, &x, NULL, &dy, &dx, 1), 0);
        cr_assert(isnan(dx), "%s'(NaN) = %g", act_get_info((act_kind)k)->name, dx);
    }
    act_spec relu = spec("relu");
    float x = -1, dy = INFINITY, dx = 1;
    act_backward(&relu, &x, NULL, &dy, &dx, 1);
    cr_assert_eq(dx, 0.0f, "no gradient flows through a masked unit, even an infinite one");
}

Test(api, softmax_limits)
{
    act_spec sm = spec("softmax"), lsm = spec("log_softmax");
    float x[3] = {INFINITY, 0, INFINITY}, y[3];
    act_forward_rows(&sm, x, y, 1, 3);
    cr_assert(y[0] == 0.5f && y[1] == 0.0f && y[2] == 0.5f, "+inf entries share the mass");
    act_forward_rows(&lsm, x, y, 1, 3);
    cr_assert(y[1] == -INFINITY && fabsf(y[0] + logf(2)) < 1e-7f);
    float big[2] = {1000, -1000};
    act_forward_rows(&sm, big, y, 1, 2);
    cr_assert(y[0] == 1.0f && y[1] == 0.0f, "no overflow");
    act_forward_rows(&lsm, big, y, 1, 2);
    cr_assert(y[0] == 0.0f && y[1] == -2000.0f);
    float mixed[2] = {NAN, 1};
    act_forward_rows(&sm, mixed, y, 1, 2);
    cr_assert(isnan(y[0]) && isnan(y[1]), "a NaN poisons its row");
    float ninf[2] = {-INFINITY, -INFINITY};
    act_forward_rows(&sm, ninf, y, 1, 2);
    cr_assert(isnan(y[0]) && isnan(y[1]), "a row of -inf has no limit");
}

Test(api, thread_local_errors_do_not_leak_between_calls)
{
    act_spec s;
    cr_assert_neq(act_parse("nope", &s), 0);
    cr_assert(strlen(al_last_error()) > 0);
}
