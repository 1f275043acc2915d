/* The kernel paths and the fused forms: choosing a path, the bias + activation pass against
 * the two separate passes, and results that do not depend on where an element sits in the
 * array (vector body, tail, OpenMP piece). Runs on whichever path ACTLAB_ISA names
 * (tests/kernels.cmake runs it on each). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <actlab/act.h>
#include <actlab/rng.h>

static void fill(float *x, size_t n, uint64_t seed, float scale)
{
    al_rng r;
    al_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((al_rng_uniform(&r) * 2 - 1) * scale);
}

static int same_bits(const float *a, const float *b, size_t n, size_t *where)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(a + i, b + i, sizeof *a)) {
            *where = i;
            return 0;
        }
    return 1;
}

Test(kernels, choosing_a_path)
{
    const char *const *names = act_isa_names();
    int has_exact = 0, has_base = 0;
    for (size_t i = 0; names[i]; i++) {
        has_exact |= !strcmp(names[i], "exact");
        has_base |= !strcmp(names[i], "baseline");
    }
    cr_expect(has_exact && has_base);
    for (size_t i = 0; names[i]; i++) { /* the listed names are the paths' own names */
        int rc = act_set_isa(names[i]);
        cr_expect(rc == AL_OK || rc == AL_EUNSUPPORTED, "%s: %s", names[i], al_last_error());
    }
    act_set_isa("auto");
    cr_expect(act_isa_supported("exact"));
    cr_expect(act_isa_supported("baseline"));
    cr_expect(!act_isa_supported("avx9"));
    cr_expect_eq(act_set_isa("avx9"), AL_ENAME);
    cr_expect(strstr(al_last_error(), "avx9") != NULL, "message: %s", al_last_error());
    cr_expect_eq(act_set_isa(NULL), AL_EINVAL);

    const char *was = act_isa();
    cr_assert_eq(act_set_isa("exact"), 0);
    cr_expect_str_eq(act_isa(), "exact");
    /* auto: the first (best) path this CPU runs */
    const char *best = NULL;
    for (size_t i = 0; names[i] && !best; i++)
        if (act_isa_supported(names[i]))
            best = names[i];
    cr_assert(best);
    cr_assert_eq(act_set_isa("auto"), 0);
    cr_expect_str_eq(act_isa(), best);
    cr_assert_eq(act_set_isa(was), 0);
}

/* every elementwise function with its defaults, and softmax for the row-wise form */
static void each_spec(void (*fn)(const act_spec *))
{
    for (int k = 0; k < ACT_COUNT; k++) {
        act_spec a;
        cr_assert_eq(act_init(&a, (act_kind)k), 0);
        if (act_get_info((act_kind)k)->flags & ACT_ROWWISE && k != ACT_SOFTMAX)
            continue;
        fn(&a);
    }
    static const char *more[] = {"leaky_relu:alpha=0.2", "silu:beta=1.5",
                                 "softplus:beta=2,threshold=10", "celu:alpha=0.5",
                                 "hard_tanh:min=-2,max=3", "softshrink:lambda=0.3"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        act_spec a;
        cr_assert_eq(act_parse(more[i], &a), 0);
        fn(&a);
    }
}

static void bias_matches_two_passes(const act_spec *a)
{
    enum { OUTER = 3, CH = 21, INNER = 37, N = OUTER * CH * INNER };
    static float x[N], b[CH], z[N], y[N], z2[N], y2[N];
    const char *name = act_get_info(a->kind)->name;
    int rowwise = act_get_info(a->kind)->flags & ACT_ROWWISE;
    fill(x, N, 1, 8);
    fill(b, CH, 2, 2);
    for (size_t inner = 1; inner <= INNER; inner += INNER - 1) {
        if (rowwise && inner != 1)
            continue;
        size_t n = OUTER * CH * inner;
        memcpy(z, x, n * sizeof *z);
        cr_assert_eq(act_forward_bias(a, z, b, y, OUTER, CH, inner), 0, "%s: %s", name,
                     al_last_error());
        for (size_t i = 0; i < n; i++)
            z2[i] = x[i] + b[(i / inner) % CH];
        int rc = rowwise ? act_forward_rows(a, z2, y2, OUTER, CH) : act_forward(a, z2, y2, n);
        cr_assert_eq(rc, 0);
        size_t at = 0;
        cr_expect(same_bits(z, z2, n, &at), "%s inner %zu: z[%zu] = %a, x + b = %a", name,
                  inner, at, z[at], z2[at]);
        cr_expect(same_bits(y, y2, n, &at), "%s inner %zu: y[%zu] = %a, unfused %a", name,
                  inner, at, y[at], y2[at]);
        /* in place: y = z */
        memcpy(z, x, n * sizeof *z);
        cr_assert_eq(act_forward_bias(a, z, b, z, OUTER, CH, inner), 0);
        cr_expect(same_bits(z, y2, n, &at), "%s in place, inner %zu: [%zu] %a vs %a", name,
                  inner, at, z[at], y2[at]);
    }
}

Test(kernels, bias_and_activation_in_one_pass_equal_two_passes)
{
    each_spec(bias_matches_two_passes);
}

/* f(x[i]) must not depend on i: the vector body, the tail and the OpenMP pieces agree */
static void position_independent(const act_spec *a)
{
    if (act_get_info(a->kind)->flags & ACT_ROWWISE)
        return;
    const char *name = act_get_info(a->kind)->name;
    enum { N = (1 << 19) + 13 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y), *t = malloc(64 * sizeof *t);
    float *dy = malloc(N * sizeof *dy), *dx = malloc(N * sizeof *dx);
    cr_assert(x && y && t && dy && dx);
    fill(x, N, 3, 40);
    fill(dy, N, 4, 1);
    cr_assert_eq(act_forward(a, x, y, N), 0);
    cr_assert_eq(act_backward(a, x, NULL, dy, dx, N), 0);
    size_t at = 0;
    for (size_t off = 0; off < N; off += 4099)
        for (size_t n = 1; n <= 40 && off + n <= N; n += 3) {
            cr_assert_eq(act_forward(a, x + off, t, n), 0);
            cr_assert(same_bits(t, y + off, n, &at), "%s: x[%zu] alone gives %a, in the array %a",
                      name, off + at, t[at], y[off + at]);
            cr_assert_eq(act_backward(a, x + off, NULL, dy + off, t, n), 0);
            cr_assert(same_bits(t, dx + off, n, &at), "%s': x[%zu] alone gives %a, in the array %a",
                      name, off + at, t[at], dx[off + at]);
        }
    free(x), free(y), free(t), free(dy), free(dx);
}

Test(kernels, results_do_not_depend_on_position)
{
    each_spec(position_independent);
}

Test(kernels, fused_form_refuses_bad_arguments)
{
    act_spec a;
    float z[8] = {0}, b[2] = {0}, y[8];
    cr_assert_eq(act_parse("softmax", &a), 0);
    cr_expect_eq(act_forward_bias(&a, z, b, y, 2, 2, 2), AL_ESHAPE);
    cr_assert_eq(act_parse("relu", &a), 0);
    cr_expect_eq(act_forward_bias(&a, NULL, b, y, 2, 2, 2), AL_EINVAL);
    cr_expect_eq(act_forward_bias(NULL, z, b, y, 2, 2, 2), AL_EINVAL);
    cr_expect_eq(act_forward_bias(&a, z, NULL, y, 2, 2, 2), 0); /* no bias: plain forward */
    cr_expect_eq(act_forward_bias(&a, NULL, NULL, NULL, 0, 2, 2), 0);
}

/* glu's and swiglu's kernels take two independent inputs, so the exhaustive sweep cannot
 * cover them: pairs from four mixes (random bit patterns; a in +-10 with b in [-70, 30]; a of
 * every exponent with b in [-200, -60], where a exp(b) comes back into range only for large
 * a; both moderate) against a sigmoid(b) and a b sigmoid(b) in double, computed here, not by
 * the library. */
static float gated_draw(al_rng *r, int mode, int gate)
{
    uint32_t u = (uint32_t)al_rng_next(r);
    float f, v = (float)(al_rng_uniform(r) * 2 - 1);
    switch (mode) {
    case 0:
        memcpy(&f, &u, sizeof f);
        return f;
    case 1:
        return gate ? (float)(-20 + 50 * v) : 10 * v;
    case 2:
        return gate ? (float)(-130 + 70 * v) : ldexpf(v, (int)(u % 250) - 125);
    default:
        return (gate ? 20 : 3) * v;
    }
}

static void gated_within_2_ulp(const char *name, int times_b)
{
    enum { H = 37, ROWS = 20000 };
    act_spec a;
    cr_assert_eq(act_parse(name, &a), 0);
    al_rng r;
    al_rng_seed(&r, 0x61u);
    float *x = malloc(ROWS * 2 * H * sizeof *x), *y = malloc(ROWS * H * sizeof *y);
    cr_assert(x && y);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < 2 * H; j++)
            x[i * 2 * H + j] = gated_draw(&r, (int)(i % 4), j >= H);
    cr_assert_eq(act_forward_rows(&a, x, y, ROWS, 2 * H), 0, "%s", al_last_error());
    double worst = 0;
    for (size_t i = 0; i < ROWS; i++)
        for (size_t j = 0; j < H; j++) {
            double va = x[i * 2 * H + j], vb = x[i * 2 * H + H + j];
            double e = exp(-fabs(vb)), s = e / (1 + e);
            double ref = (times_b ? va * vb : va) * (vb > 0 ? 1 - s : s);
            float got = y[i * H + j];
            if (isnan(ref) || isinf((float)ref)) { /* NaN, or beyond FLT_MAX */
                cr_expect(isnan(ref) ? isnan(got) : got == (float)ref,
                          "%s(%a, %a) = %a, want %a", name, va, vb, got, ref);
                continue;
            }
            /* ULP of the result, or units of 2^-149 below the normal range */
            double unit = fabs(ref) < 0x1p-126 ? 0x1p-149 : ldexp(1, ilogb(ref) - 23);
            double err = fabs(got - ref) / unit;
            cr_expect(err <= 2, "%s(%a, %a) = %a, want %a: %.3g ULP", name, va, vb, got, ref,
                      err);
            cr_expect(got != 0 || ref == 0 || !signbit(got) == !signbit(ref),
                      "%s(%a, %a) = %a, want %a: sign", name, va, vb, got, ref);
            worst = fmax(worst, err);
        }
    cr_log_info("%s on %s: worst %.3f ULP over %d pairs", name, act_isa(), worst, ROWS * H);
    free(x);
    free(y);
}

Test(kernels, glu_within_2_ulp_of_double) { gated_within_2_ulp("glu", 0); }
Test(kernels, swiglu_within_2_ulp_of_double) { gated_within_2_ulp("swiglu", 1); }
