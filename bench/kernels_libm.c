/* The "libm" peer: bench/kernels_loops.inc at -O3, nothing else (IEEE semantics, no
 * -march): one scalar call into glibc's expf, tanhf, erff, log1pf, expm1f per element, which
 * is what PyTorch-style C code gets from a default build. */
#define KB_PEER_SYM kb_peer_libm
#define KB_PEER_NAME "libm"
#define KB_PEER_DESC "PyTorch's formulas as C loops, gcc -O3: scalar glibc calls"
#include "kernels_loops.inc"
