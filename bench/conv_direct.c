/* conv_direct: the LeNet-5 (Fashion-MNIST) convolutions at batch 256 through the conv2d layer,
 * im2col + OpenBLAS (the act path "avx2", where the direct kernels are off) against the
 * direct kernels (path "avx512"), in the same run, alternating; then each direct kernel
 * alone. Times are the fastest of the repetitions (the least disturbed by other load);
 * GFLOP/s count the multiply-adds of the taps inside the image only (what both compute
 * that is not a multiplication by padding).
 *
 *   build/bench/conv_direct [reps=15]
 * Threads from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS; the OpenBLAS core from
 * OPENBLAS_CORETYPE (the CLI re-executes itself with SkylakeX; this does not). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/act.h"
#include "actlab/nn.h"
#include "actlab/rng.h"
#include "nn/conv_direct.h"
#include "nn/layer.h"
#include "timing.h"

#define BATCH 256
#define K 5
#define REPS_MAX 101

struct shape {
    const char *name;
    size_t c, h, f;
};

static const struct shape shapes[] = {
    {"conv1 1x28x28 -> 6", 1, 28, 6},
    {"conv2 6x14x14 -> 16", 6, 14, 16},
    {"conv3 16x7x7 -> 120", 16, 7, 120},
};

/* taps of one axis inside an image of side n, summed over the n outputs (same padding) */
static double inside(size_t n)
{
    double s = 0;
    for (size_t o = 0; o < n; o++)
        for (size_t t = 0; t < K; t++) {
            long i = (long)o + (long)t - K / 2;
            s += i >= 0 && i < (long)n;
        }
    return s;
}

static float *filled(size_t n, al_rng *r)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    for (size_t i = 0; p && i < n; i++)
        p[i] = (float)(al_rng_uniform(r) - 0.5);
    return p;
}

static double fastest(const double *t, int n)
{
    double m = t[0];
    for (int i = 1; i < n; i++)
        m = t[i] < m ? t[i] : m;
    return m;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 15;
    if (reps < 1 || reps > REPS_MAX)
        return fprintf(stderr, "usage: conv_direct [REPS 1..%d]\n", REPS_MAX), 2;
    if (!act_isa_supported("avx512"))
        return fprintf(stderr, "conv_direct: this CPU has no AVX-512; nothing to compare\n"), 0;
    al_rng r;
    al_rng_seed(&r, 7);
    double kern[3][3], kmac[3];
    printf("batch %d, %dx%d kernels, same padding; fastest of %d; ms (GFLOP/s of the taps "
           "inside)\n",
           BATCH, K, K, reps);
    printf("| layer | GEMM forward | direct forward | GEMM backward | direct backward |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const struct shape *q = &shapes[s];
        struct nn__layer l;
        memset(&l, 0, sizeof l);
        l.ops = &nn__layer_conv2d;
        l.in = (nn_shape){3, {q->c, q->h, q->h}};
        l.args.units = q->f, l.args.kernel = K, l.args.stride = 1, l.args.same = 1;
        l.args.bias = 1, l.args.act.kind = ACT_IDENTITY;
        if (l.ops->setup(&l))
            return fprintf(stderr, "%s\n", al_last_error()), 1;
        size_t in_n = q->c * q->h * q->h, out_n = q->f * q->h * q->h;
        act_set_isa("avx512");
        size_t ws = l.ops->workspace(&l, BATCH);
        act_set_isa("avx2");
        size_t ws2 = l.ops->workspace(&l, BATCH);
        l.w = filled(l.n_params, &r), l.g = filled(l.n_params, &r);
        l.scratch = filled(ws > ws2 ? ws : ws2, &r);
        float *x = filled(BATCH * in_n, &r), *y = filled(BATCH * out_n, &r);
        float *dy = filled(BATCH * out_n, &r), *dx = filled(BATCH * in_n, &r);
        if (!l.w || !l.g || !l.scratch || !x || !y || !dy || !dx)
            return fprintf(stderr, "no memory\n"), 1;
        static double tf[2][REPS_MAX], tb[2][REPS_MAX];
        for (int i = 0; i < reps; i++)
            for (int p = 0; p < 2; p++) {
                act_set_isa(p ? "avx512" : "avx2");
                double t0 = now();
                l.ops->forward(&l, x, y, BATCH, 1, &r);
                double t1 = now();
                l.ops->backward(&l, x, y, dy, s ? dx : NULL, BATCH);
                tf[p][i] = t1 - t0, tb[p][i] = now() - t1;
            }
        double side = inside(q->h), mac = (double)BATCH * q->f * q->c * side * side;
        double fw[2] = {fastest(tf[0], reps), fastest(tf[1], reps)};
        double bw[2] = {fastest(tb[0], reps), fastest(tb[1], reps)};
        double bmac = mac * (s ? 2 : 1); /* the first layer has no input gradient */
        printf("| %s | %.2f (%.0f) | %.2f (%.0f) | %.2f (%.0f) | %.2f (%.0f) |\n", q->name,
               fw[0] * 1e3, 2e-9 * mac / fw[0], fw[1] * 1e3, 2e-9 * mac / fw[1], bw[0] * 1e3,
               2e-9 * bmac / bw[0], bw[1] * 1e3, 2e-9 * bmac / bw[1]);
        /* the direct kernels alone: forward, weight gradient, input gradient */
        act_set_isa("avx512");
        size_t pad = (K - 1) / 2, cop = nn__dconv_pad(q->f), cip = nn__dconv_pad(q->c);
        struct nn__dconv fd = {BATCH, q->c, q->h, q->h, q->f, q->h, q->h, K, pad, pad};
        struct nn__dconv bd = {BATCH, q->f, q->h, q->h, q->c, q->h, q->h, K, K - 1 - pad,
                               K - 1 - pad};
        size_t sc = nn__dconv_corr_scratch(&fd, 1), sb = nn__dconv_corr_scratch(&bd, 1);
        size_t sw = nn__dconv_wgrad_scratch(&fd);
        sc = sc > sb ? sc : sb, sc = sc > sw ? sc : sw;
        float *wp = filled(K * K * q->c * cop, &r), *wb = filled(K * K * q->f * cip, &r);
        float *gw = filled(K * K * q->c * cop, &r), *sp = filled(sc, &r);
        static double tk[3][REPS_MAX];
        for (int i = 0; i < reps; i++) {
            double t0 = now();
            nn__dconv_corr(&fd, x, wp, y, sp, 1, NULL, NULL);
            double t1 = now();
            nn__dconv_wgrad(&fd, x, dy, gw, sp, 1);
            double t2 = now();
            nn__dconv_corr(&bd, dy, wb, dx, sp, 1, NULL, NULL);
            tk[0][i] = t1 - t0, tk[1][i] = t2 - t1, tk[2][i] = now() - t2;
        }
        kern[s][0] = fastest(tk[0], reps), kern[s][1] = fastest(tk[1], reps);
        kern[s][2] = fastest(tk[2], reps), kmac[s] = mac;
        free(wp), free(wb), free(gw), free(sp);
        free(l.w), free(l.g), free(l.scratch), free(x), free(y), free(dy), free(dx);
    }
    printf("\nthe direct kernels alone, one thread, whichever layer would use them or not\n");
    printf("| layer | forward | weight gradient | input gradient |\n|---|---:|---:|---:|\n");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        printf("| %s | %.2f (%.0f) | %.2f (%.0f) | %.2f (%.0f) |\n", shapes[s].name,
               kern[s][0] * 1e3, 2e-9 * kmac[s] / kern[s][0], kern[s][1] * 1e3,
               2e-9 * kmac[s] / kern[s][1], kern[s][2] * 1e3, 2e-9 * kmac[s] / kern[s][2]);
    return 0;
}
