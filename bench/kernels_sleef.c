/* The "sleef" and "sleef-u35" peers: loops of 16 floats over SLEEF 3.5's AVX-512 functions
 * (Sleef_expf16_u10, Sleef_expm1f16_u10, Sleef_log1pf16_u10, Sleef_erff16_u10,
 * Sleef_tanhf16_u10; 1.0 ULP), with _mm512 arithmetic around them and a masked load/store
 * for the tail. The formulas are those of kernels_loops.inc (PyTorch's). sleef-u35 swaps in
 * the 3.5-ULP function where SLEEF 3.5 has one: only tanh among those used here (expf,
 * expm1f, log1pf and erff exist as u10 only), so it covers tanh, gelu_tanh and mish.
 * Functions that need no transcendental (relu, leaky_relu, hard_*, softsign) have no SLEEF
 * entry: that would be hand-written AVX-512, not SLEEF.
 *
 * Compiled with -mavx512f -mavx512dq -mfma (bench/CMakeLists.txt); available() checks that
 * the CPU runs AVX-512F/DQ before anything here is called. */
#include <immintrin.h>
#include <math.h>
#include <sleef.h>

#include "kernels.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define SLEEF_VERSION_STRING                                                                 \
    STR(SLEEF_VERSION_MAJOR) "." STR(SLEEF_VERSION_MINOR) "." STR(SLEEF_VERSION_PATCHLEVEL)

#define SQRT1_2 0.70710678118654752440f   /* 1/sqrt(2) */
#define GELU_PDF 0.39894228040143267794f  /* 1/sqrt(2 pi) */
#define GELU_BETA 0.79788456080286535588f /* sqrt(2/pi) */
#define GELU_KAPPA 0.044715f
#define SELU_ALPHA 1.6732632423543772848f
#define SELU_SCALE 1.0507009873554804934f

typedef __m512 vf;
typedef vf vfn(vf);

#define SET(c) _mm512_set1_ps(c)
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define DIV _mm512_div_ps
#define FMA _mm512_fmadd_ps   /* a*b+c */
#define FNMA _mm512_fnmadd_ps /* c-a*b */
#define GT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ)
#define LT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define SEL(m, t, f) _mm512_mask_blend_ps(m, f, t) /* m ? t : f */

static inline vf neg(vf x) { return _mm512_xor_ps(x, SET(-0.0f)); }
static inline vf vabs(vf x) { return _mm512_andnot_ps(SET(-0.0f), x); }
static inline vf sigm(vf x) { return DIV(SET(1), ADD(SET(1), Sleef_expf16_u10(neg(x)))); }

/* ---- forward bodies: x -> y ---- */
static inline vf sigmoid_f(vf x) { return sigm(x); }
static inline vf tanh_f(vf x, vfn *th) { return th(x); }
static inline vf elu_f(vf x) { return SEL(GT(x, SET(0)), x, Sleef_expm1f16_u10(x)); }
static inline vf selu_f(vf x)
{
    const vf y = SEL(GT(x, SET(0)), x, MUL(SET(SELU_ALPHA), Sleef_expm1f16_u10(x)));
    return MUL(SET(SELU_SCALE), y);
}
static inline vf celu_f(vf x) { return elu_f(x); } /* alpha = 1: expm1(x / 1) */
static inline vf gelu_f(vf x)
{
    const vf e = Sleef_erff16_u10(MUL(x, SET(SQRT1_2)));
    return MUL(MUL(SET(0.5f), x), ADD(SET(1), e));
}
static inline vf gelu_tanh_inner(vf x)
{
    const vf x3 = MUL(MUL(x, x), x);
    return MUL(SET(GELU_BETA), FMA(SET(GELU_KAPPA), x3, x));
}
static inline vf gelu_tanh_f(vf x, vfn *th)
{
    return MUL(MUL(SET(0.5f), x), ADD(SET(1), th(gelu_tanh_inner(x))));
}
static inline vf silu_f(vf x) { return DIV(x, ADD(SET(1), Sleef_expf16_u10(neg(x)))); }
static inline vf mish_f(vf x, vfn *th)
{
    return MUL(x, th(Sleef_log1pf16_u10(Sleef_expf16_u10(x))));
}
static inline vf softplus_f(vf x)
{
    return SEL(GT(x, SET(20)), x, Sleef_log1pf16_u10(Sleef_expf16_u10(x)));
}
static inline vf log_sigmoid_f(vf x)
{
    return SUB(_mm512_min_ps(x, SET(0)), Sleef_log1pf16_u10(Sleef_expf16_u10(neg(vabs(x)))));
}

/* ---- backward bodies: x, dy -> dx ---- */
static inline vf sigmoid_b(vf x, vf dy)
{
    const vf s = sigm(x);
    return MUL(dy, MUL(s, SUB(SET(1), s)));
}
static inline vf tanh_b(vf x, vf dy, vfn *th)
{
    const vf t = th(x);
    return MUL(dy, FNMA(t, t, SET(1)));
}
static inline vf elu_b(vf x, vf dy)
{
    return SEL(GT(x, SET(0)), dy, MUL(dy, Sleef_expf16_u10(x)));
}
static inline vf selu_b(vf x, vf dy)
{
    const vf s = SET(SELU_SCALE), sa = SET(SELU_SCALE * SELU_ALPHA);
    return SEL(GT(x, SET(0)), MUL(dy, s), MUL(dy, MUL(sa, Sleef_expf16_u10(x))));
}
static inline vf celu_b(vf x, vf dy) { return elu_b(x, dy); }
static inline vf gelu_b(vf x, vf dy)
{
    const vf cdf = MUL(SET(0.5f), ADD(SET(1), Sleef_erff16_u10(MUL(x, SET(SQRT1_2)))));
    const vf pdf = MUL(Sleef_expf16_u10(MUL(SET(-0.5f), MUL(x, x))), SET(GELU_PDF));
    return MUL(dy, FMA(x, pdf, cdf));
}
static inline vf gelu_tanh_b(vf x, vf dy, vfn *th)
{
    const vf t = th(gelu_tanh_inner(x));
    const vf left = MUL(SET(0.5f), x), left_d = MUL(SET(0.5f), ADD(SET(1), t));
    const vf inner_d = MUL(SET(GELU_BETA), FMA(SET(3 * GELU_KAPPA), MUL(x, x), SET(1)));
    return MUL(dy, FMA(MUL(left, FNMA(t, t, SET(1))), inner_d, left_d));
}
static inline vf silu_b(vf x, vf dy)
{
    const vf s = sigm(x);
    return MUL(dy, MUL(s, FMA(x, SUB(SET(1), s), SET(1))));
}
static inline vf mish_b(vf x, vf dy, vfn *th)
{
    const vf t = th(Sleef_log1pf16_u10(Sleef_expf16_u10(x)));
    const vf s = sigm(x);
    return MUL(dy, FMA(MUL(x, s), FNMA(t, t, SET(1)), t));
}
static inline vf softplus_b(vf x, vf dy)
{
    const vf e = Sleef_expf16_u10(x);
    return SEL(GT(x, SET(20)), dy, MUL(dy, DIV(e, ADD(e, SET(1)))));
}
static inline vf log_sigmoid_b(vf x, vf dy)
{
    const vf z = Sleef_expf16_u10(neg(vabs(x)));
    const vf q = DIV(z, ADD(SET(1), z)); /* x < 0: 1 - q; else q */
    return MUL(dy, SEL(LT(x, SET(0)), SUB(SET(1), q), q));
}

/* ---- loops ---- */
static inline __mmask16 tail_mask(size_t left) { return (__mmask16)((1u << left) - 1); }

/* CALL is the body applied to the vector(s) v (and d): e.g. sigmoid_f(v) */
#define LOOPS(name, FCALL, BCALL)                                                            \
    static void name##_fwd(const float *x, float *y, size_t n)                               \
    {                                                                                        \
        size_t i = 0;                                                                        \
        for (; i + 16 <= n; i += 16) {                                                       \
            const vf v = _mm512_loadu_ps(x + i);                                             \
            _mm512_storeu_ps(y + i, FCALL);                                                  \
        }                                                                                    \
        if (i < n) {                                                                         \
            const __mmask16 m = tail_mask(n - i);                                            \
            const vf v = _mm512_maskz_loadu_ps(m, x + i);                                    \
            _mm512_mask_storeu_ps(y + i, m, FCALL);                                          \
        }                                                                                    \
    }                                                                                        \
    static void name##_bwd(const float *x, const float *y, const float *dy, float *dx,       \
                           size_t n)                                                         \
    {                                                                                        \
        (void)y;                                                                             \
        size_t i = 0;                                                                        \
        for (; i + 16 <= n; i += 16) {                                                       \
            const vf v = _mm512_loadu_ps(x + i), d = _mm512_loadu_ps(dy + i);                \
            _mm512_storeu_ps(dx + i, BCALL);                                                 \
        }                                                                                    \
        if (i < n) {                                                                         \
            const __mmask16 m = tail_mask(n - i);                                            \
            const vf v = _mm512_maskz_loadu_ps(m, x + i), d = _mm512_maskz_loadu_ps(m, dy + i); \
            _mm512_mask_storeu_ps(dx + i, m, BCALL);                                         \
        }                                                                                    \
    }

#define PLAIN(name) LOOPS(name, name##_f(v), name##_b(v, d))
PLAIN(sigmoid)
PLAIN(elu)
PLAIN(selu)
PLAIN(celu)
PLAIN(gelu)
PLAIN(silu)
PLAIN(softplus)
PLAIN(log_sigmoid)
LOOPS(tanh, tanh_f(v, Sleef_tanhf16_u10), tanh_b(v, d, Sleef_tanhf16_u10))
LOOPS(gelu_tanh, gelu_tanh_f(v, Sleef_tanhf16_u10), gelu_tanh_b(v, d, Sleef_tanhf16_u10))
LOOPS(mish, mish_f(v, Sleef_tanhf16_u10), mish_b(v, d, Sleef_tanhf16_u10))
LOOPS(tanh_u35, tanh_f(v, Sleef_tanhf16_u35), tanh_b(v, d, Sleef_tanhf16_u35))
LOOPS(gelu_tanh_u35, gelu_tanh_f(v, Sleef_tanhf16_u35), gelu_tanh_b(v, d, Sleef_tanhf16_u35))
LOOPS(mish_u35, mish_f(v, Sleef_tanhf16_u35), mish_b(v, d, Sleef_tanhf16_u35))

/* ---- rows of KB_COLS: 62 full vectors and a masked one of 8 ---- */
#define ROW_FULL (KB_COLS / 16 * 16)
static const __mmask16 row_tail = (__mmask16)((1u << (KB_COLS % 16)) - 1);

static float row_max(const float *x)
{
    vf m = SET(-INFINITY);
    for (size_t j = 0; j < ROW_FULL; j += 16)
        m = _mm512_max_ps(m, _mm512_loadu_ps(x + j));
    m = _mm512_max_ps(m, _mm512_mask_loadu_ps(SET(-INFINITY), row_tail, x + ROW_FULL));
    return _mm512_reduce_max_ps(m);
}

static void softmax_fwd(const float *x, float *y, size_t n)
{
    for (size_t r = 0; r < n / KB_COLS; r++, x += KB_COLS, y += KB_COLS) {
        const vf m = SET(row_max(x));
        vf sum = SET(0);
        for (size_t j = 0; j < ROW_FULL; j += 16) {
            const vf e = Sleef_expf16_u10(SUB(_mm512_loadu_ps(x + j), m));
            _mm512_storeu_ps(y + j, e);
            sum = ADD(sum, e);
        }
        const vf e = Sleef_expf16_u10(SUB(_mm512_maskz_loadu_ps(row_tail, x + ROW_FULL), m));
        _mm512_mask_storeu_ps(y + ROW_FULL, row_tail, e);
        sum = _mm512_mask_add_ps(sum, row_tail, sum, e);
        const vf inv = SET(1.0f / _mm512_reduce_add_ps(sum));
        for (size_t j = 0; j < ROW_FULL; j += 16)
            _mm512_storeu_ps(y + j, MUL(_mm512_loadu_ps(y + j), inv));
        _mm512_mask_storeu_ps(y + ROW_FULL, row_tail,
                              MUL(_mm512_maskz_loadu_ps(row_tail, y + ROW_FULL), inv));
    }
}

static void log_softmax_fwd(const float *x, float *y, size_t n)
{
    for (size_t r = 0; r < n / KB_COLS; r++, x += KB_COLS, y += KB_COLS) {
        const float mx = row_max(x);
        const vf m = SET(mx);
        vf sum = SET(0);
        for (size_t j = 0; j < ROW_FULL; j += 16)
            sum = ADD(sum, Sleef_expf16_u10(SUB(_mm512_loadu_ps(x + j), m)));
        const vf e = Sleef_expf16_u10(SUB(_mm512_maskz_loadu_ps(row_tail, x + ROW_FULL), m));
        sum = _mm512_mask_add_ps(sum, row_tail, sum, e);
        const vf shift = SET(mx + logf(_mm512_reduce_add_ps(sum)));
        for (size_t j = 0; j < ROW_FULL; j += 16)
            _mm512_storeu_ps(y + j, SUB(_mm512_loadu_ps(x + j), shift));
        _mm512_mask_storeu_ps(y + ROW_FULL, row_tail,
                              SUB(_mm512_maskz_loadu_ps(row_tail, x + ROW_FULL), shift));
    }
}

/* dx = y * (dy - sum(dy * y)): no transcendental, but the same loop style as the forward */
static void softmax_bwd(const float *x, const float *y, const float *dy, float *dx, size_t n)
{
    (void)x;
    for (size_t r = 0; r < n / KB_COLS; r++, y += KB_COLS, dy += KB_COLS, dx += KB_COLS) {
        vf dot = SET(0);
        for (size_t j = 0; j < ROW_FULL; j += 16)
            dot = FMA(_mm512_loadu_ps(dy + j), _mm512_loadu_ps(y + j), dot);
        dot = FMA(_mm512_maskz_loadu_ps(row_tail, dy + ROW_FULL),
                  _mm512_maskz_loadu_ps(row_tail, y + ROW_FULL), dot);
        const vf s = SET(_mm512_reduce_add_ps(dot));
        for (size_t j = 0; j < ROW_FULL; j += 16)
            _mm512_storeu_ps(dx + j,
                             MUL(_mm512_loadu_ps(y + j), SUB(_mm512_loadu_ps(dy + j), s)));
        _mm512_mask_storeu_ps(dx + ROW_FULL, row_tail,
                              MUL(_mm512_maskz_loadu_ps(row_tail, y + ROW_FULL),
                                  SUB(_mm512_maskz_loadu_ps(row_tail, dy + ROW_FULL), s)));
    }
}

/* dx = dy - exp(y) * sum(dy) */
static void log_softmax_bwd(const float *x, const float *y, const float *dy, float *dx,
                            size_t n)
{
    (void)x;
    for (size_t r = 0; r < n / KB_COLS; r++, y += KB_COLS, dy += KB_COLS, dx += KB_COLS) {
        vf sum = SET(0);
        for (size_t j = 0; j < ROW_FULL; j += 16)
            sum = ADD(sum, _mm512_loadu_ps(dy + j));
        sum = ADD(sum, _mm512_maskz_loadu_ps(row_tail, dy + ROW_FULL));
        const vf s = SET(_mm512_reduce_add_ps(sum));
        for (size_t j = 0; j < ROW_FULL; j += 16)
            _mm512_storeu_ps(dx + j, FNMA(Sleef_expf16_u10(_mm512_loadu_ps(y + j)), s,
                                          _mm512_loadu_ps(dy + j)));
        _mm512_mask_storeu_ps(
            dx + ROW_FULL, row_tail,
            FNMA(Sleef_expf16_u10(_mm512_maskz_loadu_ps(row_tail, y + ROW_FULL)), s,
                 _mm512_maskz_loadu_ps(row_tail, dy + ROW_FULL)));
    }
}

static int available(const char **why)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        return 1;
    *why = "the CPU has no AVX-512F/DQ (SLEEF's f16 functions need it)";
    return 0;
}

static const char *describe(void)
{
    return "SLEEF " SLEEF_VERSION_STRING ", Sleef_*f16_u10 with _mm512 arithmetic, masked tail";
}

static const char *describe_u35(void)
{
    return "the same with Sleef_tanhf16_u35 (3.5 ULP), the only u35 function it uses";
}

#define K(name) {#name, name##_fwd, name##_bwd}
static const struct kb_kernel u10[] = {
    K(sigmoid), K(tanh), K(elu), K(selu), K(celu), K(gelu), K(gelu_tanh), K(silu), K(mish),
    K(softplus), K(log_sigmoid), K(softmax), K(log_softmax), {NULL, NULL, NULL},
};
static const struct kb_kernel u35[] = {
    {"tanh", tanh_u35_fwd, tanh_u35_bwd},
    {"gelu_tanh", gelu_tanh_u35_fwd, gelu_tanh_u35_bwd},
    {"mish", mish_u35_fwd, mish_u35_bwd},
    {NULL, NULL, NULL},
};
#undef K

const struct kb_peer kb_peer_sleef = {
    .name = "sleef", .kernels = u10, .available = available, .describe = describe};
const struct kb_peer kb_peer_sleef_u35 = {
    .name = "sleef-u35", .kernels = u35, .available = available, .describe = describe_u35};
