/* An activation family is one unit (issue 13 §1): the descriptors' kernel bindings reach
 * every path, the enum's values are stable and apart from the display order, and xielu
 * (added by the recipe in docs/CONTRIBUTING.md) parses, formats and computes as published.
 *
 * The binding test asks the dispatch that every array entry point asks (act__kern_of, an
 * internal hook): on each path this machine runs, each function outside the short list of
 * specification-only ones must get a kernel compiled for that very path (its path tag),
 * and the public call must give what that kernel gives. A descriptor that loses its
 * ACT_VEC binding fails here by name. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <actlab/act.h>

#include "act/kern.h"

/* The functions that run the specification on every path, on purpose (no vector kernel). A
 * function not listed here must have one. */
static int spec_only(act_kind k)
{
    return k == ACT_TANHSHRINK || k == ACT_SNAKE || k == ACT_MAXOUT || k == ACT_GEGLU;
}

#define N 1000

static void inputs(float *x, float *dy, size_t n)
{
    uint32_t s = 2024;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        x[i] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 30.0f;
        s = s * 1664525u + 1013904223u;
        dy[i] = (float)(s >> 8) / 16777216.0f - 0.5f;
    }
}

/* The public calls agree bit for bit with the kernel called directly. */
static void runs_kernel(const act_spec *a, const struct act__kern *kn, const char *path)
{
    const char *name = act_get_info(a->kind)->name;
    static float x[N], dy[N], y1[N], y2[N];
    inputs(x, dy, N);
    if (kn->fwd) {
        struct act__kc k;
        act__kprep(a, &k);
        cr_assert_eq(act_forward(a, x, y1, N), 0);
        kn->fwd(x, y2, N, &k);
        cr_expect(memcmp(y1, y2, sizeof y1) == 0, "%s on %s: act_forward is not its kernel",
                  name, path);
        cr_assert_eq(act_backward(a, x, NULL, dy, y1, N), 0);
        kn->bwd(x, dy, y2, N, &k);
        cr_expect(memcmp(y1, y2, sizeof y1) == 0, "%s on %s: act_backward is not its kernel",
                  name, path);
    } else {
        size_t cols = 20, rows = N / cols, oc = act_out_cols(a, cols);
        cr_assert_eq(act_forward_rows(a, x, y1, rows, cols), 0);
        kn->rows_fwd(x, y2, rows, cols, a->p);
        cr_expect(memcmp(y1, y2, rows * oc * sizeof *y1) == 0,
                  "%s on %s: act_forward_rows is not its kernel", name, path);
    }
}

Test(act_unit, every_vector_kernel_runs_on_every_path)
{
    const char *const *paths = act_isa_names();
    size_t tested = 0;
    for (size_t p = 0; paths[p]; p++) {
        if (!act_isa_supported(paths[p]))
            continue;
        cr_assert_eq(act_set_isa(paths[p]), 0);
        int exact = !strcmp(paths[p], "exact");
        for (int k = 0; k < ACT_COUNT; k++) {
            const act_info *in = act_get_info((act_kind)k);
            act_spec a;
            cr_assert_eq(act_init(&a, (act_kind)k), 0);
            const struct act__kern *kn = act__kern_of(&a);
            if (exact || spec_only((act_kind)k)) {
                cr_expect_null(kn, "%s has a kernel on %s", in->name, paths[p]);
                continue;
            }
            cr_expect_not_null(kn, "%s has no vector kernel on %s: it would run the "
                               "specification (bind it with ACT_VEC in its descriptor)",
                               in->name, paths[p]);
            if (!kn)
                continue;
            cr_expect_str_eq(kn->path, paths[p], "%s on %s runs the %s path's kernel",
                             in->name, paths[p], kn->path);
            if (in->flags & ACT_ROWWISE)
                cr_expect(kn->rows_fwd && kn->rows_bwd, "%s: row kernel incomplete", in->name);
            else
                cr_expect(kn->fwd && kn->bwd && kn->bias, "%s: kernel incomplete", in->name);
            runs_kernel(&a, kn, paths[p]);
            tested++;
        }
    }
    cr_expect_gt(tested, 0, "no path with kernels on this machine");
    cr_assert_eq(act_set_isa("auto"), 0);
}

/* A spec a kernel does not serve (softmax's kernels know temperature 1 only) runs the
 * specification. */
Test(act_unit, kernels_serve_only_their_specs)
{
    act_spec a;
    cr_assert_eq(act_parse("softmax:temperature=2", &a), 0);
    cr_expect_null(act__kern_of(&a));
}

/* ---- enum values and display order ----------------------------------------------------- */

Test(act_unit, enum_values_are_stable)
{
    /* pinned: programs and saved models hold these numbers */
    cr_expect_eq(ACT_IDENTITY, 0);
    cr_expect_eq(ACT_SIGMOID, 1);
    cr_expect_eq(ACT_RELU, 3);
    cr_expect_eq(ACT_SELU, 11);
    cr_expect_eq(ACT_GELU, 12);
    cr_expect_eq(ACT_SOFTMAX, 30);
    cr_expect_eq(ACT_GEGLU, 36);
    cr_expect_eq(ACT_XIELU, 37);
    cr_expect_str_eq(act_get_info(ACT_SIGMOID)->name, "sigmoid");
    cr_expect_str_eq(act_get_info(ACT_GEGLU)->name, "geglu");
    cr_expect_str_eq(act_get_info(ACT_XIELU)->name, "xielu");
}

Test(act_unit, display_order_is_a_separate_permutation)
{
    int seen[ACT_COUNT] = {0};
    for (size_t i = 0; i < ACT_COUNT; i++) {
        act_kind k = act_kind_at(i);
        cr_assert(k >= 0 && k < ACT_COUNT, "act_kind_at(%zu) = %d", i, (int)k);
        cr_expect_eq(seen[k]++, 0, "%s listed twice", act_get_info(k)->name);
    }
    cr_expect_eq(act_kind_at(ACT_COUNT), ACT_COUNT);
    cr_expect_eq(act_kind_at((size_t)-1), ACT_COUNT);
    /* xielu shows with its family, after selu, though its value is the last */
    cr_expect_eq(act_kind_at(0), ACT_IDENTITY);
    cr_expect_eq(act_kind_at(11), ACT_SELU);
    cr_expect_eq(act_kind_at(12), ACT_XIELU);
    cr_expect_eq(act_kind_at(13), ACT_GELU);
    cr_expect_eq(act_kind_at(ACT_COUNT - 1), ACT_GEGLU);
}

/* ---- xielu ------------------------------------------------------------------------------ */

/* The published definition (Huang & Schlag 2024, the reference implementation's effective
 * parameters), written here independently of src/act/exp.c */
static double xielu_paper(double x, double ap, double an, double b, double eps)
{
    if (x > 0)
        return ap * x * x + b * x;
    return an * (expm1(x < eps ? x : eps) - x) + b * x;
}

Test(act_unit, xielu_defaults_parse_and_format)
{
    act_spec a;
    cr_assert_eq(act_parse("xielu", &a), 0);
    cr_expect_eq(a.kind, ACT_XIELU);
    cr_expect_eq(a.p[0], 0.8);
    cr_expect_eq(a.p[1], 0.8);
    cr_expect_eq(a.p[2], 0.5);
    cr_expect_eq(a.p[3], -1e-6);
    char buf[128];
    cr_expect_eq(act_format(&a, buf, sizeof buf), 5);
    cr_expect_str_eq(buf, "xielu");

    cr_assert_eq(act_parse("xIELU:alpha_p=1.5,alpha_n_init=2,beta=0.25,eps=-1e-4", &a), 0);
    cr_expect_eq(a.p[0], 1.5);
    cr_expect_eq(a.p[1], 2.0);
    cr_expect_eq(a.p[2], 0.25);
    cr_expect_eq(a.p[3], -1e-4);
    int n = act_format(&a, buf, sizeof buf);
    cr_expect(n > 0 && (size_t)n < sizeof buf);
    act_spec b;
    cr_assert_eq(act_parse(buf, &b), 0, "'%s' does not parse back", buf);
    cr_expect(act_equal(&a, &b), "'%s' parses to another spec", buf);
}

Test(act_unit, xielu_rejects_what_the_parameterisation_cannot_give)
{
    act_spec a;
    cr_expect_eq(act_parse("xielu:alpha_p=0", &a), AL_EINVAL);
    cr_expect_eq(act_parse("xielu:alpha_n=0.5,beta=0.5", &a), AL_EINVAL);
    cr_expect(strstr(al_last_error(), "alpha_n"), "message: %s", al_last_error());
    cr_expect_eq(act_parse("xielu:eps=0", &a), AL_EINVAL);
    cr_expect(strstr(al_last_error(), "eps"), "message: %s", al_last_error());
    cr_expect_eq(act_parse("xielu:gamma=1", &a), AL_EINVAL);
}

/* f on every path against the paper's formula in double (the MPFR test bounds the error;
 * this pins the definition), and f' against central differences of that formula */
Test(act_unit, xielu_matches_the_published_definition)
{
    const char *const settings[] = {"xielu", "xielu:alpha_p=2,alpha_n=1.5,beta=0.25,eps=-0.01"};
    const char *const *paths = act_isa_names();
    for (size_t s = 0; s < 2; s++) {
        act_spec a;
        cr_assert_eq(act_parse(settings[s], &a), 0);
        const double *p = a.p;
        static float x[N], dy[N], y[N], dx[N];
        inputs(x, dy, N);
        for (size_t i = 0; i < N; i++)
            dy[i] = 1.0f;
        for (size_t q = 0; paths[q]; q++) {
            if (!act_isa_supported(paths[q]))
                continue;
            cr_assert_eq(act_set_isa(paths[q]), 0);
            cr_assert_eq(act_forward(&a, x, y, N), 0);
            cr_assert_eq(act_backward(&a, x, NULL, dy, dx, N), 0);
            for (size_t i = 0; i < N; i++) {
                double want = xielu_paper(x[i], p[0], p[1], p[2], p[3]);
                cr_expect(fabs(y[i] - want) <= 1e-6 * fmax(1.0, fabs(want)),
                          "%s on %s: f(%a) = %a, paper %a", settings[s], paths[q],
                          (double)x[i], (double)y[i], want);
                double h = 1e-4 * fmax(1.0, fabs(x[i]));
                if (fabs(x[i]) < 2 * h || fabs(x[i] - p[3]) < 2 * h)
                    continue; /* the kinks at eps and 0 */
                double fd = (xielu_paper(x[i] + h, p[0], p[1], p[2], p[3]) -
                             xielu_paper(x[i] - h, p[0], p[1], p[2], p[3])) / (2 * h);
                cr_expect(fabs(dx[i] - fd) <= 1e-5 * fmax(1.0, fabs(fd)) + 4 * h * p[0],
                          "%s on %s: f'(%a) = %a, differences %a", settings[s], paths[q],
                          (double)x[i], (double)dx[i], fd);
            }
        }
    }
    cr_assert_eq(act_set_isa("auto"), 0);
    /* the limits: +inf on both sides (alpha_n > beta); NaN stays NaN */
    act_spec a;
    act_init(&a, ACT_XIELU);
    cr_expect_eq(act_eval(&a, INFINITY), INFINITY);
    cr_expect_eq(act_eval(&a, -INFINITY), INFINITY);
    cr_expect(isnan(act_eval(&a, NAN)));
    cr_expect_eq(act_grad(&a, -INFINITY), 0.5 - 0.8);
    /* x = 0 is on the negative side: alpha_n expm1(eps), and f' = beta - alpha_n there */
    cr_expect_eq(act_eval(&a, 0.0), 0.8 * expm1(-1e-6));
    cr_expect_eq(act_grad(&a, 0.0), 0.5 - 0.8);
}
