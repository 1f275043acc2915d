/* The "fastmath" peer: the same loops (bench/kernels_loops.inc) compiled with
 * -O3 -ffast-math -march=native, what a practitioner tries first. GCC then vectorises the
 * loops and calls glibc's libmvec (_ZGV* functions, 4 ulp) instead of the scalar functions.
 * The build adds -ffp-contract=fast back: the project's -std=c11 turns contraction off, and
 * gcc's default dialect would have it on.
 *
 * What vectorises (GCC 12.2, glibc 2.36, -march=native on an AVX-512 CPU, checked with
 * `objdump -dr build/bench/CMakeFiles/kernels.dir/kernels_fastmath.c.o | grep _ZGV`):
 * every loop. The transcendental ones call _ZGVeN16v_expf, _expm1f, _log1pf, _tanhf and
 * _erff (16 floats in zmm) in the main loop, _ZGVdN8v_* (8 floats) for a remainder of 8
 * and the scalar function for the last 7 or fewer: sigmoid, tanh, elu, selu, celu, gelu,
 * gelu_tanh, silu, mish, softplus, log_sigmoid (forward and backward), softmax and
 * log_softmax (their exp loops; log_softmax's one logf per row stays scalar). relu,
 * leaky_relu, hard_swish, hard_sigmoid and softsign need no call and vectorise inline. The
 * libm build (kernels_libm.c, no -ffast-math) calls no _ZGV function: glibc declares the
 * vector variants only under __FAST_MATH__. */
#ifndef __FAST_MATH__
#error "kernels_fastmath.c is meant to be compiled with -ffast-math (see bench/CMakeLists.txt)"
#endif
#define KB_PEER_SYM kb_peer_fastmath
#define KB_PEER_NAME "fastmath"
#define KB_PEER_DESC "the same loops, gcc -O3 -ffast-math -march=native: glibc's libmvec"
#include "kernels_loops.inc"
