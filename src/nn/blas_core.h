/* Internal: which OpenBLAS kernels this process would do better with (gemm.c). */
#ifndef ACTLAB_SRC_NN_BLAS_CORE_H
#define ACTLAB_SRC_NN_BLAS_CORE_H

/* The OPENBLAS_CORETYPE value that would give this CPU faster SGEMM kernels than the ones
 * OpenBLAS picked, or NULL when its choice is already right or the user chose
 * (OPENBLAS_CORETYPE is set). OpenBLAS 0.3.21 names a Zen 4/5 "Zen" and runs its AVX2
 * kernels on it, at about half the single-thread speed of its AVX-512 ("SkylakeX") ones
 * (docs/BENCHMARKS.md). OpenBLAS reads the variable only when it loads, so only a new
 * process can act on the answer: the CLI re-executes itself (src/cli/main.c). */
const char *nn__blas_better_core(void);

/* The thread count nn_set_threads set, 0 when none (OpenMP's own count then applies). */
int nn__threads(void);

#endif
