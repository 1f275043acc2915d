/* The drivers of the vector kernels: one loop per form (array, backward, bias + activation,
 * rows of a gated function), the same block function for the tail, and the macros that
 * define a family's kernels on the path being compiled (kernels.h): ACT_VEC_ELEMENTWISE for
 * an elementwise kernel made of block functions, ACT_VEC_GATED for a gated row function
 * made of block functions, ACT_VEC_ROWS for another row-wise one. */
#ifndef ACTLAB_LAYER_ACT
#error "internal to the act layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_ACT_SIMD_DRIVE_H
#define ACTLAB_SRC_ACT_SIMD_DRIVE_H

/* the definition of a kernel of this path: act__vk_<tag>_<name>, as ACT_VEC(name) expects */
#define ACT__VK_CAT(tag, name) act__vk_##tag##_##name
#define ACT__VK_NAME(tag, name) ACT__VK_CAT(tag, name)
#define ACT__VK(name) const struct act__kern ACT__VK_NAME(PATH_TAG, name)

/* NaN in gives NaN out in both directions, as the specification: the blocks need not care */
#define FN(F, v, k) k_nan(v, F(v, k))
#define BN(B, v, g, k) k_nan(v, B(v, g, k))

/* name: the kernel (ACT_VEC(name)); KC: its constants' type (struct act__kc_none when it
 * has none); F(x, k), B(x, dy, k): its forward and backward blocks, k a const KC * */
#define ACT_VEC_ELEMENTWISE(name, KC, F, B)                                                \
    static void fwd_##name(const float *x, float *y, size_t n, const struct act__kc *kp)   \
    {                                                                                      \
        KC kk; /* a local copy: stores to y cannot alias it */                            \
        ACT__KC_GET(kk, kp);                                                               \
        size_t i = 0;                                                                      \
        for (; i + VW <= n; i += VW)                                                       \
            v_store(y + i, FN(F, v_load(x + i), &kk));                                         \
        if (i < n)                                                                         \
            v_store_n(y + i, FN(F, v_load_n(x + i, n - i), &kk), n - i);                       \
    }                                                                                      \
    static void bwd_##name(const float *x, const float *dy, float *dx, size_t n,           \
                           const struct act__kc *kp)                                       \
    {                                                                                      \
        KC kk;                                                                             \
        ACT__KC_GET(kk, kp);                                                               \
        size_t i = 0;                                                                      \
        for (; i + VW <= n; i += VW)                                                       \
            v_store(dx + i, BN(B, v_load(x + i), v_load(dy + i), &kk));                        \
        if (i < n)                                                                         \
            v_store_n(dx + i, BN(B, v_load_n(x + i, n - i), v_load_n(dy + i, n - i), &kk),     \
                      n - i);                                                              \
    }                                                                                      \
    static void bias_##name(float *z, const float *b, float *y, size_t outer, size_t ch,  \
                            size_t inner, const struct act__kc *kp)                        \
    {                                                                                      \
        KC kk;                                                                             \
        ACT__KC_GET(kk, kp);                                                               \
        int keep = z != y;                                                                 \
        for (size_t o = 0; o < outer; o++) {                                               \
            if (inner == 1) { /* a bias per column */                                      \
                float *zr = z + o * ch, *yr = y + o * ch;                                  \
                size_t i = 0;                                                              \
                for (; i + VW <= ch; i += VW) {                                            \
                    vf v = v_add(v_load(zr + i), v_load(b + i));                           \
                    if (keep)                                                              \
                        v_store(zr + i, v);                                                \
                    v_store(yr + i, FN(F, v, &kk));                                            \
                }                                                                          \
                if (i < ch) {                                                              \
                    vf v = v_add(v_load_n(zr + i, ch - i), v_load_n(b + i, ch - i));       \
                    if (keep)                                                              \
                        v_store_n(zr + i, v, ch - i);                                      \
                    v_store_n(yr + i, FN(F, v, &kk), ch - i);                                  \
                }                                                                          \
                continue;                                                                  \
            }                                                                              \
            for (size_t c = 0; c < ch; c++) { /* a bias per plane */                       \
                float *zr = z + (o * ch + c) * inner, *yr = y + (o * ch + c) * inner;      \
                vf bv = v_set(b[c]);                                                       \
                size_t i = 0;                                                              \
                for (; i + VW <= inner; i += VW) {                                         \
                    vf v = v_add(v_load(zr + i), bv);                                      \
                    if (keep)                                                              \
                        v_store(zr + i, v);                                                \
                    v_store(yr + i, FN(F, v, &kk));                                            \
                }                                                                          \
                if (i < inner) {                                                           \
                    vf v = v_add(v_load_n(zr + i, inner - i), bv);                         \
                    if (keep)                                                              \
                        v_store_n(zr + i, v, inner - i);                                   \
                    v_store_n(yr + i, FN(F, v, &kk), inner - i);                               \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }                                                                                      \
    ACT__VK(name) = {.path = PATH_NAME, .fwd = fwd_##name, .bwd = bwd_##name,              \
                     .bias = bias_##name};

/* the row loops of a gated function: rows [a | b] of cols = 2h, h outputs per row, blocks
 * of w <= VW lanes; name##_block and name##_grad do one block */
#define GATED_LOOP(BODY)                                                                   \
    size_t h = cols / 2;                                                                   \
    for (size_t r = 0; r < rows; r++)                                                      \
        for (size_t j = 0; j < h; j += VW) {                                               \
            size_t w = h - j < VW ? h - j : VW;                                            \
            const float *a = x + r * cols + j;                                             \
            BODY;                                                                          \
        }
#define ACT_VEC_GATED(name)                                                                \
    static void name##_fwd(const float *x, float *y, size_t rows, size_t cols,             \
                           const double *p)                                                \
    {                                                                                      \
        (void)p;                                                                               \
        GATED_LOOP(name##_block(k_load_w(a, w), k_load_w(a + h, w), y + r * h + j, w))     \
    }                                                                                      \
    static void name##_bwd(const float *x, const float *y, const float *dy, float *dx,   \
                           size_t rows, size_t cols)                                       \
    {                                                                                      \
        (void)y;                                                                               \
        GATED_LOOP(float *da = dx + r * cols + j;                                          \
                   name##_grad(k_load_w(a, w), k_load_w(a + h, w),                         \
                               k_load_w(dy + r * h + j, w), da, da + h, w))                \
    }                                                                                      \
    ACT__VK(name) = {.path = PATH_NAME, .rows_fwd = name##_fwd, .rows_bwd = name##_bwd};

/* a row-wise kernel from its row functions; from_y: the backward reads y, not x */
#define ACT_VEC_ROWS(name, fwd, bwd, from_y)                                               \
    ACT__VK(name) = {.path = PATH_NAME, .rows_fwd = fwd, .rows_bwd = bwd,                  \
                     .rows_bwd_from_y = from_y};

#endif
