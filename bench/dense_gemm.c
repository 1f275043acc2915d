/* dense_gemm: the dense layer's products at the house-prices MLP's shapes (288-144-72-18-1)
 * and small batches, through the layer (what training runs: on the AVX-512 path the forward
 * product is dense.c's own kernel up to 32 rows) against cblas_sgemm called directly with
 * the arguments the layer used before (OpenBLAS packs W^T on every call).
 *
 *   dense_gemm [batch...]     (default 23 24 32 48: the MLP's 50 batches are 23 and 24 rows)
 *
 * Prints the median of 15 timings of 2000 products each, per layer and batch, and the
 * largest difference between the two outputs relative to the largest |output|. Thread
 * counts come from the environment (OPENBLAS_NUM_THREADS=1 for the one-thread figures). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "actlab/act.h"
#include "actlab/rng.h"
#include "nn/layer.h"
#include "timing.h"

#define REPS 2000
#define RUNS 15

static const size_t widths[] = {288, 144, 72, 18, 1};

static double time_layer(struct nn__layer *l, const float *x, float *y, size_t batch)
{
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (int i = 0; i < REPS; i++)
            l->ops->forward(l, x, y, batch, 1, NULL);
        t[r] = (now() - t0) / REPS;
    }
    return median(t, RUNS);
}

static double time_blas(size_t batch, size_t in, size_t out, const float *x, const float *w,
                        float *y)
{
    double t[RUNS];
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (int i = 0; i < REPS; i++)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)batch, (int)out, (int)in,
                        1.0f, x, (int)in, w, (int)in, 0.0f, y, (int)out);
        t[r] = (now() - t0) / REPS;
    }
    return median(t, RUNS);
}

static int bench(size_t batch)
{
    al_rng g;
    al_rng_seed(&g, 42);
    for (size_t i = 0; i + 1 < sizeof widths / sizeof *widths; i++) {
        size_t in = widths[i], out = widths[i + 1];
        struct nn__layer l = {.ops = &nn__layer_dense};
        l.args.units = out, l.args.bias = 0;
        act_init(&l.args.act, ACT_IDENTITY);
        l.in.ndim = 1, l.in.d[0] = in;
        if (l.ops->setup(&l)) {
            fprintf(stderr, "dense_gemm: %s\n", al_last_error());
            return 1;
        }
        float *x = malloc(batch * in * sizeof *x), *w = malloc(in * out * sizeof *w),
              *y = malloc(batch * out * sizeof *y), *yb = malloc(batch * out * sizeof *yb);
        if (!x || !w || !y || !yb) {
            fprintf(stderr, "dense_gemm: out of memory\n");
            return 1;
        }
        nn__init_uniform(x, batch * in, 1.0, &g);
        nn__init_uniform(w, in * out, 1.0, &g);
        l.w = w;
        double tl = time_layer(&l, x, y, batch), tb = time_blas(batch, in, out, x, w, yb);
        double diff = 0, scale = 0;
        for (size_t j = 0; j < batch * out; j++) {
            diff = fmax(diff, fabs((double)y[j] - yb[j]));
            scale = fmax(scale, fabs((double)yb[j]));
        }
        printf("batch %3zu  %3zu -> %3zu:  layer %7.2f us  sgemm %7.2f us  (%.2fx)  "
               "max |diff| %.1e of max |y|\n", batch, in, out, tl * 1e6, tb * 1e6, tl / tb,
               scale > 0 ? diff / scale : diff);
        free(x), free(w), free(y), free(yb);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t dflt[] = {23, 24, 32, 48};
    printf("activation kernel path: %s\n", act_isa());
    if (argc < 2) {
        for (size_t i = 0; i < sizeof dflt / sizeof *dflt; i++)
            if (bench(dflt[i]))
                return 1;
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        char *end;
        unsigned long b = strtoul(argv[a], &end, 10);
        if (*end || !b || b > 4096) {
            fprintf(stderr, "dense_gemm: batch '%s' is not a number in 1..4096\n", argv[a]);
            return 2;
        }
        if (bench(b))
            return 1;
    }
    return 0;
}
