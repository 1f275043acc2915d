/* mpirun -np N bench_mpi_costmodel [FLOATS...]: checks docs/SCALING.md's model of the
 * communication cost on this machine.
 *   1. The time of one gradient sum as `actlab train` makes it (src/cli/mpi.c's fixed-order
 *      sum, compiled in below) and of MPI_Allreduce, for each buffer size (default: LeNet-5's
 *      and the house-prices MLP's parameter counts, and sizes between), median of 30; then
 *      alpha (latency) and beta (seconds per byte) of the ring model
 *      t = 2 (N - 1) alpha + 2 (N - 1) / N * bytes * beta fitted by least squares over the
 *      sizes, and each size's prediction beside its measurement.
 *   2. A simulated data-parallel run: every rank sleeps a compute time per step (no CPU used,
 *      so the loaded machine's cores do not distort it), then sums the gradients; the measured
 *      efficiency compute / step against the model's compute / (compute + t). */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../src/cli/mpi.c" /* the code under test, exactly as the tool has it */
#include "timing.h"

/* what mpi.c needs of the tool (src/cli/util.c has the real one) */
int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_FAIL;
}

#define REPS 30

/* median seconds of one sum of n floats; fixed: the tool's, else MPI_Allreduce */
static double time_sum(const nn_fit_shard *s, float *v, size_t n, int fixed)
{
    double t[REPS];
    for (int r = 0; r < REPS; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now();
        int stop = 0;
        if (fixed)
            s->sum_floats(s->ctx, v, n, &stop);
        else
            MPI_Allreduce(MPI_IN_PLACE, v, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double dt = now() - t0, worst;
        MPI_Allreduce(&dt, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        t[r] = worst;
        for (size_t i = 0; i < n; i++)
            v[i] = 1.0f; /* keep the values finite */
    }
    return median(t, REPS);
}

int main(int argc, char **argv)
{
    if (cli_mpi_init(&argc, &argv) || !job.on) {
        fprintf(stderr, "run it under mpirun -np N (N >= 2)\n");
        return 1;
    }
    size_t sizes[16] = {5000, 53389, 150000, 545546, 1000000}, ns = 5;
    if (argc > 1)
        for (ns = 0; ns < 16 && (int)ns + 1 < argc; ns++)
            sizes[ns] = (size_t)strtoull(argv[ns + 1], NULL, 10);
    size_t big = 0;
    for (size_t i = 0; i < ns; i++)
        big = sizes[i] > big ? sizes[i] : big;
    float *v = malloc(big * sizeof *v);
    if (!v)
        MPI_Abort(MPI_COMM_WORLD, 1);
    for (size_t i = 0; i < big; i++)
        v[i] = 1.0f;
    nn_fit_shard s;
    cli_mpi_shard(&s);
    int p = job.size, me = job.rank;
    double tf[16], ta[16];
    size_t hi = 0;
    for (size_t i = 0; i < ns; i++) {
        tf[i] = time_sum(&s, v, sizes[i], 1);
        ta[i] = time_sum(&s, v, sizes[i], 0);
        hi = sizes[i] > sizes[hi] ? i : hi;
    }
    /* the ring model t = 2 (N - 1) alpha + k bytes beta, least squares over every size */
    double k = 2.0 * (p - 1) / p, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < ns; i++) {
        double x = k * 4.0 * (double)sizes[i];
        sx += x, sy += tf[i], sxx += x * x, sxy += x * tf[i];
    }
    double beta = (ns * sxy - sx * sy) / (ns * sxx - sx * sx);
    double alpha = (sy - beta * sx) / (double)ns / (2.0 * (p - 1));
    if (me == 0) {
        printf("%d processes; ring model fitted: alpha %.2f us, beta %.3f ns/byte (%.2f GB/s)\n",
               p, alpha * 1e6, beta * 1e9, 1e-9 / beta);
        printf("%10s %10s %14s %14s %14s\n", "floats", "bytes", "fixed-order ms", "model ms",
               "MPI_Allreduce ms");
        for (size_t i = 0; i < ns; i++)
            printf("%10zu %10zu %14.3f %14.3f %14.3f\n", sizes[i], 4 * sizes[i], tf[i] * 1e3,
                   (2.0 * (p - 1) * alpha + k * 4.0 * (double)sizes[i] * beta) * 1e3, ta[i] * 1e3);
        printf("\nsimulated steps (sleep = compute per step, then the sum of %zu floats;\n"
               "model: compute / (compute + the measured sum above))\n", sizes[hi]);
        printf("%12s %12s %14s %14s\n", "compute ms", "step ms", "efficiency", "model");
    }
    const double computes[] = {0.5e-3, 2e-3, 8e-3, 32e-3};
    for (size_t c = 0; c < sizeof computes / sizeof *computes; c++) {
        int steps = 20;
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now();
        for (int st = 0; st < steps; st++) {
            struct timespec ts = {0, (long)(computes[c] * 1e9)};
            nanosleep(&ts, NULL);
            int stop = 0;
            s.sum_floats(s.ctx, v, sizes[hi], &stop);
        }
        double step = (now() - t0) / steps, worst;
        MPI_Allreduce(&step, &worst, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        if (me == 0)
            printf("%12.1f %12.3f %14.3f %14.3f\n", computes[c] * 1e3, worst * 1e3,
                   computes[c] / worst, computes[c] / (computes[c] + tf[hi]));
    }
    free(v);
    cli_mpi_finalize();
    return 0;
}
