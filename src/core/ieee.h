/* The activation kernels and their scalar specification rely on IEEE 754 semantics: NaN
 * propagates, inf compares, -0 keeps its sign, a + b is rounded once, and reassociation never
 * happens (the error-free transformations of the double-float steps vanish under it). Fast-math
 * breaks each of these silently, so a build with it stops here instead. */
#ifndef ACTLAB_LAYER_CORE
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_IEEE_H
#define ACTLAB_SRC_CORE_IEEE_H

#if defined(__FAST_MATH__)
#error "actlab must not be built with -ffast-math: its kernels rely on IEEE semantics (NaN, inf, -0, no reassociation)"
#endif
#if defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__
#error "actlab must not be built with -ffinite-math-only: NaN and inf are inputs it must handle"
#endif
#if defined(__ASSOCIATIVE_MATH__)
#error "actlab must not be built with -fassociative-math: its double-float steps need each rounding as written"
#endif

#endif
