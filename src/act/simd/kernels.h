/* The vector kernels of every family, compiled once per path: path_avx512.c, path_avx2.c
 * and path_base.c include their vec_<path>.h, define PATH_TAG and PATH_NAME, then this list.
 * A family's kernels sit in simd/<family>.h beside src/act/<family>.c, which binds them in
 * its descriptors (ACT_VEC). */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#include "../desc.h"
#include "vmath.h"
#include "drive.h"

#include "relu.h"
#include "tanh.h"
#include "sigmoid.h"
#include "swish.h"
#include "gelu.h"
#include "exp.h"
#include "softplus.h"
#include "softmax.h"
#include "glu.h"
