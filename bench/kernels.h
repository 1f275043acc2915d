/* The contract between bench/kernels.c and its peers (kernels_*.c): each peer is a table of
 * plain function pointers, one forward and one backward per activation it has, over float32
 * arrays of n elements. The peers' files include no actlab header: the libm and fastmath
 * loops are compiled with flags the library refuses (-ffast-math), and the others link
 * libraries the library never links. */
#ifndef ACTLAB_BENCH_KERNELS_H
#define ACTLAB_BENCH_KERNELS_H

#include <stddef.h>

/* y[i] = f(x[i]) */
typedef void kb_fwd_fn(const float *x, float *y, size_t n);
/* dx[i] = dy[i] * f'(x[i]); y = f(x), for the peers whose backward reads the output */
typedef void kb_bwd_fn(const float *x, const float *y, const float *dy, float *dx, size_t n);

/* Row-wise functions (softmax, log_softmax) take n = rows * KB_COLS elements. */
#define KB_COLS 1000

/* One activation of one peer. func is the benchmark's name of the function (the list in
 * kernels.c: "relu", "gelu", "softmax", ...); fwd or bwd is NULL when the peer lacks that
 * direction. A table ends with func == NULL. */
struct kb_kernel {
    const char *func;
    kb_fwd_fn *fwd;
    kb_bwd_fn *bwd;
};

struct kb_peer {
    const char *name;
    const struct kb_kernel *kernels;
    /* NULL or: 1 when this CPU and build can run the peer, else 0 (and why, in *why) */
    int (*available)(const char **why);
    /* NULL or: build what func needs for n elements (operators, primitives) before it is
     * timed; 0 on success, else the peer is left out for func at this size (the reason goes
     * to stderr). Called again for another func or n; release() frees the last one. */
    int (*prepare)(const char *func, size_t n);
    void (*release)(void);
    /* NULL or: one line on the library (version, ISA it chose) for the report's header */
    const char *(*describe)(void);
};

extern const struct kb_peer kb_peer_libm;
extern const struct kb_peer kb_peer_fastmath;
#ifdef HAVE_SLEEF
extern const struct kb_peer kb_peer_sleef;
extern const struct kb_peer kb_peer_sleef_u35;
#endif
#ifdef HAVE_XNNPACK
extern const struct kb_peer kb_peer_xnnpack;
#endif
#ifdef HAVE_DNNL
extern const struct kb_peer kb_peer_onednn;
#endif

#endif
