/* Internal: the vector kernels of each path (src/act/simd/) and the dispatch that picks a
 * path. The scalar descriptors (desc.h) stay the specification; a path's kernel for a kind
 * is a faster way to the same values within act_info.max_ulp.
 *
 * A descriptor binds its kernels with ACT_VEC(name): the kernel `name` that its family's
 * header src/act/simd/<family>.h defines (ACT_VEC_ELEMENTWISE or ACT_VEC_ROWS) once per
 * path. A name that some path lacks is a link error, so no kind falls back to the
 * specification on one path by omission. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_KERN_H
#define ACTLAB_SRC_ACT_KERN_H

#include <stddef.h>
#include <string.h>

#include "actlab/act.h"

/* The paths, best first. The x86 ones exist where the build defines ACTLAB_X86_PATHS. */
enum act__isa { ACT__AVX512, ACT__AVX2, ACT__BASE, ACT__EXACT, ACT__N_ISA };

/* A kernel's constants, made from a spec's double parameters by its descriptor's prep (a
 * struct of named fields per family, declared in the family's simd header) and carried to
 * the kernel as bytes: the drivers copy them into a local struct of the family's type. */
struct act__kc {
    _Alignas(double) unsigned char b[64];
};
#define ACT__KC_PUT(kc, v)                                                                 \
    do {                                                                                   \
        _Static_assert(sizeof(v) <= sizeof(kc)->b, "kernel constants too large");         \
        memcpy((kc)->b, &(v), sizeof(v));                                                  \
    } while (0)
#define ACT__KC_GET(v, kc) memcpy(&(v), (kc)->b, sizeof(v))

/* the constants of a kernel that has none */
struct act__kc_none {
    char unused;
};

typedef void act__kfwd(const float *x, float *y, size_t n, const struct act__kc *k);
typedef void act__kbwd(const float *x, const float *dy, float *dx, size_t n,
                       const struct act__kc *k);
typedef void act__kbias(float *z, const float *b, float *y, size_t outer, size_t ch,
                        size_t inner, const struct act__kc *k);
/* row-wise: p is the spec's parameters (for the specification on rows the kernel leaves to
 * it); the backward reads y where rows_bwd_from_y is set, else x */
typedef void act__krfwd(const float *x, float *y, size_t rows, size_t cols, const double *p);
typedef void act__krbwd(const float *x, const float *y, const float *dy, float *dx,
                        size_t rows, size_t cols);

struct act__kern {
    const char *path; /* the path that compiled it: what test_act_unit checks */
    act__kfwd *fwd;   /* elementwise */
    act__kbwd *bwd;
    act__kbias *bias;
    act__krfwd *rows_fwd; /* row-wise */
    act__krbwd *rows_bwd;
    int rows_bwd_from_y;
};

/* A descriptor's binding: its kernel on each path (NULL on the exact path). */
struct act__vec {
    const struct act__kern *k[ACT__N_ISA];
};

#define ACT__VK_EXTERN(tag, name) extern const struct act__kern act__vk_##tag##_##name;
#ifdef ACTLAB_X86_PATHS
#define ACT_VEC_DECL(name)                                                                 \
    ACT__VK_EXTERN(avx512, name) ACT__VK_EXTERN(avx2, name) ACT__VK_EXTERN(base, name)
#define ACT_VEC(name)                                                                      \
    {{[ACT__AVX512] = &act__vk_avx512_##name, [ACT__AVX2] = &act__vk_avx2_##name,          \
      [ACT__BASE] = &act__vk_base_##name}}
#else
#define ACT_VEC_DECL(name) ACT__VK_EXTERN(base, name)
#define ACT_VEC(name) {{[ACT__BASE] = &act__vk_base_##name}}
#endif

struct act__path {
    const char *name;
    enum act__isa id;
};

/* The path in use (never NULL). */
const struct act__path *act__cur_path(void);

/* The kernel that serves a valid spec on the path in use, or NULL: the specification runs.
 * Every array entry point asks here, so a test that asks too sees what runs. */
const struct act__kern *act__kern_of(const act_spec *a);

/* The kernel constants of a valid spec. */
void act__kprep(const act_spec *a, struct act__kc *k);

/* For the preps: v = hi + lo, each a float; the largest float <= v (x > v iff x > it for
 * every float x); the smallest float >= v. */
void act__split(double v, float *hi, float *lo);
float act__float_below(double v);
float act__float_above(double v);

#endif
