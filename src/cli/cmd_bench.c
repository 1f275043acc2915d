/* actlab bench [--funcs F,G,...] [--sizes N,M] [--isa PATH] [--rounds R]: how fast the
 * activation kernels run on this machine, forward and backward, against a plain copy (the
 * memory floor) and the scalar specification (the "exact" path). The comparison with other
 * libraries lives in bench/kernels; this is the short version a user can run anywhere.
 * The default run uses the library as it comes: arrays from 2^18 elements are split over the
 * OpenMP threads. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "cli.h"

#include <actlab/rng.h>

static const char *const default_funcs[] = {"relu", "leaky_relu", "sigmoid", "tanh", "elu",
                                            "gelu", "gelu_tanh", "silu", "mish", "softplus",
                                            "softmax", NULL};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { COPY, FWD, BWD };

/* one timed call: ns per element, repeating small arrays to at least 20 us */
static double timed(int what, const act_spec *a, const float *x, float *y, const float *dy,
                    float *dx, size_t n)
{
    int rowwise = act_get_info(a->kind)->flags & ACT_ROWWISE;
    size_t cols = rowwise ? (n < 1000 ? n : 1000) : n, rows = n / cols;
    int reps = n < 65536 ? (int)(65536 / n) : 1;
    double t0 = now();
    for (int r = 0; r < reps; r++) {
        if (what == COPY)
            memcpy(y, x, n * sizeof *y);
        else if (what == FWD)
            rowwise ? act_forward_rows(a, x, y, rows, cols) : act_forward(a, x, y, n);
        else
            rowwise ? act_backward_rows(a, x, y, dy, dx, rows, cols)
                    : act_backward(a, x, y, dy, dx, n);
    }
    return (now() - t0) * 1e9 / ((double)n * reps);
}

/* the median of `rounds` timed calls (t: room for them) */
static double median_timed(int what, const act_spec *a, const float *x, float *y,
                           const float *dy, float *dx, size_t n, double *t, long rounds)
{
    for (long k = 0; k < rounds; k++)
        t[k] = timed(what, a, x, y, dy, dx, n);
    qsort(t, (size_t)rounds, sizeof *t, cmp_double);
    return t[rounds / 2];
}

/* splits s at commas into out[] (NULL-terminated), keeping the pieces in buf */
static int parse_list(const char *s, char buf[1024], const char **out, int max)
{
    snprintf(buf, 1024, "%s", s);
    int k = 0;
    for (char *t = strtok(buf, ","); t && k < max; t = strtok(NULL, ","))
        out[k++] = t;
    out[k] = NULL;
    return k;
}

int cli_bench(int argc, char **argv)
{
    const char *funcs[64], *isa = NULL;
    char fbuf[1024], sbuf[1024];
    const char *sizes_text = "4096,1048576";
    long rounds = 7;
    memcpy(funcs, default_funcs, sizeof default_funcs);
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(argv[i])) {
            printf("usage: actlab bench [--funcs F,G,...] [--sizes N,M] [--isa PATH] "
                   "[--rounds R]\n"
                   "  median ns per element of each function, forward and backward, on the\n"
                   "  kernel path in use (or PATH: avx512, avx2, baseline, exact), beside a\n"
                   "  plain copy and the scalar specification. One thread. bench/kernels\n"
                   "  compares with other libraries.\n");
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--funcs") && v)
            parse_list(v, fbuf, funcs, 63), i++;
        else if (!strcmp(argv[i], "--sizes") && v)
            sizes_text = v, i++;
        else if (!strcmp(argv[i], "--isa") && v)
            isa = v, i++;
        else if (!strcmp(argv[i], "--rounds") && v) {
            char *end;
            rounds = strtol(v, &end, 10);
            if (*end || rounds < 1 || rounds > 1000)
                return cli_usage(argv[0], "--rounds '%s': a whole number from 1 to 1000", v);
            i++;
        } else
            return cli_usage(argv[0], "unknown option or missing value '%s'", argv[i]);
    }
    if (isa && act_set_isa(isa))
        return cli_usage(argv[0], "--isa: %s", al_last_error());
    act_spec specs[64];
    int nf = 0;
    for (; funcs[nf]; nf++)
        if (cli_parse_spec(argv[0], funcs[nf], &specs[nf]))
            return CLI_USAGE;
    const char *sz[16];
    int ns = parse_list(sizes_text, sbuf, sz, 15);
    size_t sizes[16], most = 0;
    for (int s = 0; s < ns; s++) {
        char *end;
        long long v = strtoll(sz[s], &end, 10);
        if (*end || v < 1 || v > (1LL << 28))
            return cli_usage(argv[0], "--sizes '%s': whole numbers from 1 to 2^28", sz[s]);
        sizes[s] = (size_t)v;
        most = sizes[s] > most ? sizes[s] : most;
    }

    float *x = malloc(most * sizeof *x), *y = malloc(most * sizeof *y);
    float *dy = malloc(most * sizeof *dy), *dx = malloc(most * sizeof *dx);
    double *t = malloc((size_t)rounds * sizeof *t);
    if (!x || !y || !dy || !dx || !t) {
        free(x), free(y), free(dy), free(dx), free(t);
        return cli_fail(argv[0], "no memory for %zu floats", most);
    }
    al_rng r;
    al_rng_seed(&r, 1);
    for (size_t i = 0; i < most; i++) {
        x[i] = (float)(al_rng_uniform(&r) * 20 - 10);
        dy[i] = (float)(al_rng_uniform(&r) * 2 - 1);
    }
    const char *path = act_isa();
    printf("actlab bench: kernel path %s (ACTLAB_ISA or --isa picks another), %d OpenMP "
           "thread(s) for large arrays (OMP_NUM_THREADS), x uniform in [-10, 10], median of "
           "%ld\n", path, omp_get_max_threads(), rounds);
    for (int s = 0; s < ns; s++) {
        size_t n = sizes[s];
        printf("\n%zu elements  (ns per element; exact = the scalar specification)\n", n);
        printf("%-22s %9s %9s %9s %9s %8s\n", "function", "fwd", "bwd", "exact fwd", "copy",
               "speedup");
        double copy = median_timed(COPY, &specs[0], x, y, dy, dx, n, t, rounds);
        for (int f = 0; f < nf; f++) {
            double fwd = median_timed(FWD, &specs[f], x, y, dy, dx, n, t, rounds);
            double bwd = median_timed(BWD, &specs[f], x, y, dy, dx, n, t, rounds);
            act_set_isa("exact"); /* one round of the slow path is enough for a ratio */
            double ex = timed(FWD, &specs[f], x, y, dy, dx, n < 65536 ? n : 65536);
            act_set_isa(path);
            printf("%-22s %9.3f %9.3f %9.2f %9.3f %7.0fx\n", funcs[f], fwd, bwd, ex, copy,
                   ex / fwd);
        }
    }
    free(x), free(y), free(dy), free(dx), free(t);
    return CLI_OK;
}
