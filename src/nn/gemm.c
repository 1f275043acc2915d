/* The one call site of BLAS: row-major single-precision products through OpenBLAS.
 * OpenBLAS splits a product among its threads by blocks of the output, never along k, so
 * results are reproducible for a given thread count. */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */

#include <assert.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <strings.h>

#include <cblas.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "blas_core.h"
#include "layer.h"

/* nn_set_threads' count, 0 when none is set. openblas_set_num_threads cannot stand for it:
 * in OpenBLAS's OpenMP build it sets OpenMP's thread count of the calling thread only, and
 * compare's trainings run on threads of their own. */
static _Atomic int threads_set;

void nn__gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha,
              const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c,
              size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    assert(m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX &&
           ldc <= INT_MAX);
    if (k == 0) { /* BLAS would leave C alone only for beta = 1; say what we mean */
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
        return;
    }
#ifdef _OPENMP
    /* The OpenMP OpenBLAS threads a product as the calling thread's OpenMP setting says;
     * nn_set_threads can set only its own thread's, so a thread it did not run on (compare's
     * trainings) takes the count here. */
    int want = nn__threads();
    if (want > 0 && omp_get_max_threads() != want)
        omp_set_num_threads(want);
#endif
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha, a, (int)lda,
                b, (int)ldb, beta, c, (int)ldc);
}

int nn__threads(void)
{
    return atomic_load_explicit(&threads_set, memory_order_relaxed);
}

/* OpenBLAS built on pthreads keeps its own thread pool, spinning between products; OpenMP
 * loops beside it fight it for the same cores (measured in docs/BENCHMARKS.md: the LeNet
 * convolutions ran 1.6x slower on 2 cores). Our own loops go parallel only when OpenBLAS
 * shares OpenMP's pool (its OpenMP build) or runs serially. */
int nn__omp_loops(void)
{
    /* atomic: two threads may ask first at once (both compute the same answer) */
    static _Atomic int ok = -1;
    int v = atomic_load_explicit(&ok, memory_order_relaxed);
    if (v < 0) {
        v = openblas_get_parallel() != 1;
        atomic_store_explicit(&ok, v, memory_order_relaxed);
    }
    return v && nn__threads() != 1;
}

void nn__for_blocks(size_t n, size_t block, size_t min_blocks,
                    void (*fn)(void *ctx, size_t at, size_t len), void *ctx)
{
    size_t blocks = (n + block - 1) / block;
    int par = blocks >= min_blocks && blocks > 1 && nn__omp_loops();
    (void)par;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (par)
#endif
    for (size_t b = 0; b < blocks; b++) {
        size_t at = b * block;
        fn(ctx, at, n - at < block ? n - at : block);
    }
}

void nn_set_threads(int n)
{
    /* OpenBLAS's own choice (its environment variables, else the cores), kept from before
     * the first change so that 0 can restore it */
    static _Atomic int initial;
    int expected = 0, now = openblas_get_num_threads();
    atomic_compare_exchange_strong(&initial, &expected, now > 0 ? now : 1);
    openblas_set_num_threads(n > 0 ? n : atomic_load(&initial));
    atomic_store(&threads_set, n > 0 ? n : 0);
}

const char *nn_blas_better_core(void)
{
    if (getenv("OPENBLAS_CORETYPE"))
        return NULL;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    /* what OpenBLAS's SkylakeX kernels execute (its own check for that core) */
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
          __builtin_cpu_supports("avx512cd")))
        return NULL;
    /* the AVX-512 cores an OpenBLAS build may know already */
    static const char *const avx512[] = {"skylakex", "cooperlake", "sapphirerapids"};
    const char *core = openblas_get_corename();
    for (size_t i = 0; core && i < sizeof avx512 / sizeof *avx512; i++)
        if (strcasecmp(core, avx512[i]) == 0)
            return NULL;
    return "SkylakeX";
#else
    return NULL;
#endif
}
