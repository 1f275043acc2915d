/* Internal: the thread count the layers' own loops follow (gemm.c). */
#ifndef ACTLAB_LAYER_NN
#error "internal to the nn layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_NN_BLAS_CORE_H
#define ACTLAB_SRC_NN_BLAS_CORE_H

/* The thread count nn_set_threads set, 0 when none (OpenMP's own count then applies). */
int nn__threads(void);

#endif
