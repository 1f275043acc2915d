/* conv_bench: forward + backward of the three LeNet-5 convolutions (batch 64, 5x5 kernels,
 * padding=same) through the conv2d layer (im2col + OpenBLAS sgemm, OpenMP over samples),
 * against direct loops (the textbook seven nested loops, one thread) in the same run.
 *
 *   conv_bench [reps]     (default 15 layer runs; the direct loops run reps / 3, at least 3)
 *
 * Prints the median wall time of each and checks that both compute the same thing (the
 * largest difference relative to the output's scale). Thread counts come from the usual
 * environment: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>

#include "timing.h"
#endif

#include "actlab/act.h"
#include "actlab/rng.h"
#include "nn/layer.h"

#define BATCH 64
#define K 5

struct shape {
    const char *name;
    size_t c, h, w, f;
};

static const struct shape shapes[] = {
    {"conv1 3x32x32 -> 6", 3, 32, 32, 6},
    {"conv2 6x16x16 -> 16", 6, 16, 16, 16},
    {"conv3 16x8x8 -> 120", 16, 8, 8, 120},
};


static float *alloc_random(size_t n, al_rng *r)
{
    float *p = malloc((n ? n : 1) * sizeof *p);
    if (!p) {
        fprintf(stderr, "conv_bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(2 * al_rng_uniform(r) - 1);
    return p;
}

/* Direct convolution, padding=same, stride 1 (pad (K-1)/2 each side for odd K): forward,
 * then dw, db (added) and dx (overwritten). */
static void naive_forward(const struct shape *s, const float *x, const float *w, const float *b,
                          float *y)
{
    const long pad = (K - 1) / 2, h = (long)s->h, wd = (long)s->w;
    for (size_t n = 0; n < BATCH; n++)
        for (size_t f = 0; f < s->f; f++)
            for (long oh = 0; oh < h; oh++)
                for (long ow = 0; ow < wd; ow++) {
                    float acc = b[f];
                    for (size_t c = 0; c < s->c; c++)
                        for (long i = 0; i < K; i++)
                            for (long j = 0; j < K; j++) {
                                long ih = oh + i - pad, iw = ow + j - pad;
                                if (ih >= 0 && ih < h && iw >= 0 && iw < wd)
                                    acc += w[((f * s->c + c) * K + i) * K + j] *
                                           x[((n * s->c + c) * s->h + ih) * s->w + iw];
                            }
                    y[((n * s->f + f) * s->h + oh) * s->w + ow] = acc;
                }
}

static void naive_backward(const struct shape *s, const float *x, const float *w,
                           const float *dy, float *dw, float *db, float *dx)
{
    const long pad = (K - 1) / 2, h = (long)s->h, wd = (long)s->w;
    memset(dx, 0, BATCH * s->c * s->h * s->w * sizeof *dx);
    for (size_t n = 0; n < BATCH; n++)
        for (size_t f = 0; f < s->f; f++)
            for (long oh = 0; oh < h; oh++)
                for (long ow = 0; ow < wd; ow++) {
                    float d = dy[((n * s->f + f) * s->h + oh) * s->w + ow];
                    db[f] += d;
                    for (size_t c = 0; c < s->c; c++)
                        for (long i = 0; i < K; i++)
                            for (long j = 0; j < K; j++) {
                                long ih = oh + i - pad, iw = ow + j - pad;
                                if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                                    size_t xi = ((n * s->c + c) * s->h + ih) * s->w + iw;
                                    size_t wi = ((f * s->c + c) * K + i) * K + j;
                                    dw[wi] += d * x[xi];
                                    dx[xi] += d * w[wi];
                                }
                            }
                }
}

/* largest |a - b| over the largest |b| */
static double rel_diff(const float *a, const float *b, size_t n)
{
    double d = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs((double)a[i] - b[i]));
        m = fmax(m, fabs((double)b[i]));
    }
    return m > 0 ? d / m : d;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 15;
    if (reps < 1)
        reps = 1;
    int naive_reps = reps / 3 < 3 ? 3 : reps / 3;
#ifdef _OPENMP
    int threads = omp_get_max_threads();
#else
    int threads = 1;
#endif
    const char *blas_env = getenv("OPENBLAS_NUM_THREADS");
    printf("conv_bench: batch %d, kernel %dx%d, padding=same, stride 1; OpenMP threads %d, "
           "OPENBLAS_NUM_THREADS=%s; medians of %d (layer) and %d (direct) runs\n",
           BATCH, K, K, threads, blas_env ? blas_env : "(unset)", reps, naive_reps);
    /* timings from a busy machine mean little: say how busy it was */
    FILE *la = fopen("/proc/loadavg", "r");
    char load[64] = "?";
    if (la) {
        if (!fgets(load, sizeof load, la))
            strcpy(load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(la);
    }
    printf("load average at start: %s\n", load);
    printf("%-22s %10s %10s %10s %12s %8s %10s\n", "layer", "fwd ms", "bwd ms", "total ms",
           "direct ms", "speedup", "max diff");

    double sum_layer = 0, sum_naive = 0;
    double *t_fwd = malloc((size_t)reps * sizeof *t_fwd),
           *t_bwd = malloc((size_t)reps * sizeof *t_bwd),
           *t_tot = malloc((size_t)reps * sizeof *t_tot),
           *t_nv = malloc((size_t)naive_reps * sizeof *t_nv);
    if (!t_fwd || !t_bwd || !t_tot || !t_nv)
        return 1;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        const struct shape *s = &shapes[si];
        struct nn__layer l;
        memset(&l, 0, sizeof l);
        l.ops = &nn__layer_conv2d;
        l.args.units = s->f, l.args.kernel = K, l.args.stride = 1, l.args.same = 1;
        l.args.bias = 1;
        act_init(&l.args.act, ACT_IDENTITY);
        l.in.ndim = 3, l.in.d[0] = s->c, l.in.d[1] = s->h, l.in.d[2] = s->w;
        if (l.ops->setup(&l) != AL_OK) {
            fprintf(stderr, "conv_bench: %s\n", al_last_error());
            return 1;
        }
        al_rng r;
        al_rng_seed(&r, 1 + si);
        size_t nx = BATCH * s->c * s->h * s->w, ny = BATCH * s->f * s->h * s->w;
        size_t np = l.n_params, nw = np - s->f;
        l.w = alloc_random(np, &r);
        l.g = alloc_random(np, &r);
        l.scratch = alloc_random(l.ops->workspace(&l, BATCH), &r);
        float *x = alloc_random(nx, &r), *dy = alloc_random(ny, &r);
        float *y = alloc_random(ny, &r), *dx = alloc_random(nx, &r);
        float *y2 = alloc_random(ny, &r), *dx2 = alloc_random(nx, &r);
        float *g2 = alloc_random(np, &r);

        for (int k = -1; k < reps; k++) { /* k = -1 warms up */
            double t0 = now();
            l.ops->forward(&l, x, y, BATCH, 1, NULL);
            double t1 = now();
            l.ops->backward(&l, x, y, dy, dx, BATCH);
            double t2 = now();
            if (k >= 0)
                t_fwd[k] = t1 - t0, t_bwd[k] = t2 - t1, t_tot[k] = t2 - t0;
        }
        for (int k = 0; k < naive_reps; k++) {
            double t0 = now();
            naive_forward(s, x, l.w, l.w + nw, y2);
            naive_backward(s, x, l.w, dy, g2, g2 + nw, dx2);
            t_nv[k] = now() - t0;
        }
        double diff = fmax(rel_diff(y, y2, ny), rel_diff(dx, dx2, nx));
        /* one more of each from zero gradients, to compare dw and db */
        memset(l.g, 0, np * sizeof *l.g);
        memset(g2, 0, np * sizeof *g2);
        l.ops->backward(&l, x, y, dy, dx, BATCH);
        naive_backward(s, x, l.w, dy, g2, g2 + nw, dx2);
        diff = fmax(diff, rel_diff(l.g, g2, np));

        double mf = median(t_fwd, reps), mb = median(t_bwd, reps), mt = median(t_tot, reps);
        double mn = median(t_nv, naive_reps);
        sum_layer += mt, sum_naive += mn;
        printf("%-22s %10.3f %10.3f %10.3f %12.1f %7.1fx %10.2g\n", s->name, 1e3 * mf,
               1e3 * mb, 1e3 * mt, 1e3 * mn, mn / mt, diff);
        free(l.w), free(l.g), free(l.scratch);
        free(x), free(dy), free(y), free(dx), free(y2), free(dx2), free(g2);
    }
    printf("%-22s %10s %10s %10.3f %12.1f %7.1fx\n", "all three", "", "", 1e3 * sum_layer,
           1e3 * sum_naive, sum_naive / sum_layer);
    free(t_fwd), free(t_bwd), free(t_tot), free(t_nv);
    return 0;
}
