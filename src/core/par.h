/* Whether the array kernels may split work over OpenMP threads, per calling thread. On by
 * default; nn turns it off around its passes when OpenBLAS runs its own pthreads (Debian's
 * default build), because the two thread pools then fight for the same cores: a LeNet epoch
 * took 4.79 s with activations split beside pthread OpenBLAS, 2.77 s without. */
#ifndef ACTLAB_LAYER_CORE
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_PAR_H
#define ACTLAB_SRC_CORE_PAR_H

int al__par_allowed(void);

/* Sets it for this thread and returns the previous value. */
int al__par_allow(int ok);

#endif
