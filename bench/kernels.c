/* kernels: actlab's activation kernels against their peers on float32 arrays, one thread,
 * forward and backward, at several sizes.
 *
 *   kernels [--funcs a,b,c] [--sizes 4096,256K,16M] [--dir fwd|bwd|both] [--rounds N]
 *           [--all-paths] [--quick]
 *
 * Implementations (each a plain function over arrays, bench/kernels.h):
 *   copy       memcpy x -> y (forward); "copy2" dx = dy + x (backward): the memory floor
 *   actlab     act_forward/act_backward (_rows) on the path act_isa() names
 *   actlab-exact   the same under act_set_isa("exact") (4096 and 262144 elements only)
 *   actlab-P   with --all-paths, every other path act_isa_supported() accepts
 *   libm, fastmath, sleef, sleef-u35, xnnpack, onednn: the peers (kernels_*.c); a peer that
 *              lacks a function is absent from its row
 *
 * Method: x uniform in [-10, 10], dy uniform in [-1, 1] (al_rng, fixed seeds); 64-byte
 * aligned buffers, outputs touched before timing. For each (function, direction, size):
 * one warm-up call per implementation, which also picks k, the number of kernel calls in
 * one timed call so that it lasts at least 20 us; then R rounds, each running every
 * implementation once in a rotating order (round r starts with the r-th), timed with
 * CLOCK_MONOTONIC; the figure is the median over the rounds of ns per element. R gives each
 * implementation about 0.3 s per size (at least 5 rounds, 7 at 16M and up), unless --rounds.
 *
 * Before any timing, a correctness guard runs every implementation on 4096 inputs (4 rows of
 * 1000 for softmax and log_softmax) and compares it with actlab-exact (the scalar
 * specification: double, rounded once). The error of one element is |got - ref| /
 * max(|ref|, 1e-3): relative, and absolute (times 1e3) below 1e-3, so that a backward
 * computed from y (1 - y*y near saturation, as PyTorch and oneDNN do) is not taken for a
 * different function. Over 1e-3 is a MISMATCH: marked "!" in the tables and never counted
 * as the fastest peer.
 *
 * The output is Markdown, to paste into docs/BENCHMARKS.md. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>

#include "timing.h"
#endif

#include "actlab/act.h"
#include "actlab/rng.h"
#include "kernels.h"

/* ---- the functions ------------------------------------------------------------------------ */

struct func {
    const char *name; /* the name in kernels.h tables and in --funcs */
    const char *spec; /* act_parse() text: PyTorch's defaults, spelled out */
    int rowwise;      /* rows of KB_COLS columns */
};

static const struct func funcs[] = {
    {"relu", "relu", 0},
    {"sigmoid", "sigmoid", 0},
    {"tanh", "tanh", 0},
    {"elu", "elu:alpha=1", 0},
    {"selu", "selu", 0},
    {"celu", "celu:alpha=1", 0},
    {"gelu", "gelu", 0},
    {"gelu_tanh", "gelu_tanh", 0},
    {"silu", "silu", 0},
    {"mish", "mish", 0},
    {"softplus", "softplus:beta=1,threshold=20", 0},
    {"log_sigmoid", "log_sigmoid", 0},
    {"leaky_relu", "leaky_relu:alpha=0.01", 0},
    {"hard_swish", "hard_swish", 0},
    {"hard_sigmoid", "hard_sigmoid", 0},
    {"softsign", "softsign", 0},
    {"softmax", "softmax", 1},
    {"log_softmax", "log_softmax", 1},
};
#define NFUNC (sizeof funcs / sizeof funcs[0])

enum { FWD, BWD };
static const char *const dir_name[] = {"fwd", "bwd"};

/* ---- implementations ---------------------------------------------------------------------- */

enum impl_kind { IMPL_COPY, IMPL_ACTLAB, IMPL_PEER };

struct impl {
    char name[32];
    enum impl_kind kind;
    const char *isa;           /* IMPL_ACTLAB: the path to switch to, or NULL (the current) */
    size_t max_n;              /* sizes above it are skipped (actlab-exact), 0: none */
    const struct kb_peer *peer; /* IMPL_PEER */
};

#define MAX_IMPL 16
static struct impl impls[MAX_IMPL];
static int n_impl;

static act_spec cur_spec; /* the function the actlab wrappers run */
static int cur_rowwise;
static int actlab_rc;     /* the first error an actlab call returned */
static const char *cur_path; /* act_isa() at start: what "actlab" runs */

static void actlab_fwd(const float *x, float *y, size_t n)
{
    int rc = cur_rowwise ? act_forward_rows(&cur_spec, x, y, n / KB_COLS, KB_COLS)
                         : act_forward(&cur_spec, x, y, n);
    if (rc && !actlab_rc)
        actlab_rc = rc;
}

static void actlab_bwd(const float *x, const float *y, const float *dy, float *dx, size_t n)
{
    int rc = cur_rowwise ? act_backward_rows(&cur_spec, x, y, dy, dx, n / KB_COLS, KB_COLS)
                         : act_backward(&cur_spec, x, y, dy, dx, n);
    if (rc && !actlab_rc)
        actlab_rc = rc;
}

static void copy_fwd(const float *x, float *y, size_t n) { memcpy(y, x, n * sizeof *y); }

/* two arrays in, one out, as a backward reads x and dy and writes dx; compiled for the best
 * vector width this CPU has, like memcpy, so that it is a floor at every size */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
/* vectorised whatever the build type (-O2 leaves plain loops scalar in GCC 12) */
__attribute__((optimize("O3"), target_clones("avx512f", "avx2", "default")))
static void copy2_bwd(const float *restrict x, const float *restrict y,
                      const float *restrict dy, float *restrict dx, size_t n)
{
    (void)y;
    for (size_t i = 0; i < n; i++)
        dx[i] = dy[i] + x[i];
}

/* im's forward and backward for f; NULL where it has none */
static void kernel_of(const struct impl *im, const struct func *f, kb_fwd_fn **fw,
                      kb_bwd_fn **bw)
{
    *fw = NULL, *bw = NULL;
    switch (im->kind) {
    case IMPL_COPY:
        *fw = copy_fwd, *bw = copy2_bwd;
        break;
    case IMPL_ACTLAB:
        *fw = actlab_fwd, *bw = actlab_bwd;
        break;
    case IMPL_PEER:
        for (const struct kb_kernel *k = im->peer->kernels; k->func; k++)
            if (!strcmp(k->func, f->name))
                *fw = k->fwd, *bw = k->bwd;
        break;
    }
}

/* Runs impl im k times; the actlab paths switch around the calls (one atomic store each). */
static void run(const struct impl *im, kb_fwd_fn *fw, kb_bwd_fn *bw, int dir, const float *x,
                float *y, const float *yref, const float *dy, float *dx, size_t n, long k)
{
    if (im->isa)
        act_set_isa(im->isa);
    if (dir == FWD)
        for (long r = 0; r < k; r++)
            fw(x, y, n);
    else
        for (long r = 0; r < k; r++)
            bw(x, yref, dy, dx, n);
    if (im->isa)
        act_set_isa(cur_path);
}

/* ---- small helpers ------------------------------------------------------------------------ */


static void *xalloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "kernels: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

static float *uniform(size_t n, double lo, double hi, uint64_t seed)
{
    float *p = xalloc(n * sizeof *p);
    al_rng r;
    al_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(lo + (hi - lo) * al_rng_uniform(&r));
    return p;
}

static float *zeros(size_t n)
{
    float *p = xalloc(n * sizeof *p);
    memset(p, 0, n * sizeof *p); /* touch every page before timing */
    return p;
}

/* "3.14" with three significant digits, or "-" for NaN (absent) */
static void fmt_ns(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (v < 1)
        snprintf(buf, size, "%.3f", v);
    else if (v < 10)
        snprintf(buf, size, "%.2f", v);
    else if (v < 100)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.0f", v);
}

/* ---- options ------------------------------------------------------------------------------ */

struct opts {
    int use_func[NFUNC];
    size_t sizes[8];
    int n_sizes;
    int dirs; /* bit FWD, bit BWD */
    long rounds; /* 0: auto */
    int all_paths, quick;
    double target; /* seconds per implementation and size */
};

static void usage(FILE *to)
{
    fprintf(to,
            "usage: kernels [options]\n"
            "  --funcs a,b,c    functions to run [all: relu sigmoid tanh elu selu celu gelu\n"
            "                   gelu_tanh silu mish softplus log_sigmoid leaky_relu hard_swish\n"
            "                   hard_sigmoid softsign softmax log_softmax]\n"
            "  --sizes a,b,c    elements per array; K and M suffixes (x1024) [4096,262144,16M]\n"
            "  --dir D          fwd, bwd or both [both]\n"
            "  --rounds N       rounds per function, direction and size [auto: ~0.3 s per\n"
            "                   implementation, at least 5, 7 at 16M]\n"
            "  --all-paths      also time actlab on every other path this CPU runs\n"
            "  --quick          sizes 4096,262144 and ~0.05 s per implementation\n");
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s)
        return 1;
    if (*end == 'K' || *end == 'k')
        v <<= 10, end++;
    else if (*end == 'M' || *end == 'm')
        v <<= 20, end++;
    if (*end || v == 0)
        return 1;
    *out = (size_t)v;
    return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    int any_func = 0, sizes_given = 0;
    o->dirs = 3;
    o->target = 0.3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--all-paths")) {
            o->all_paths = 1;
        } else if (!strcmp(a, "--quick")) {
            o->quick = 1;
        } else if (!v) {
            fprintf(stderr, "kernels: unknown option or missing value: %s\n", a);
            return 1;
        } else if (!strcmp(a, "--funcs")) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v);
            for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
                size_t f = 0;
                while (f < NFUNC && strcmp(funcs[f].name, t))
                    f++;
                if (f == NFUNC) {
                    fprintf(stderr, "kernels: unknown function '%s' (see --help)\n", t);
                    return 1;
                }
                o->use_func[f] = any_func = 1;
            }
            i++;
        } else if (!strcmp(a, "--sizes")) {
            char buf[512];
            snprintf(buf, sizeof buf, "%s", v);
            o->n_sizes = 0;
            for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
                if (o->n_sizes == 8 || parse_size(t, &o->sizes[o->n_sizes])) {
                    fprintf(stderr, "kernels: bad size '%s' (at most 8, each > 0)\n", t);
                    return 1;
                }
                o->n_sizes++;
            }
            sizes_given = 1;
            i++;
        } else if (!strcmp(a, "--dir")) {
            o->dirs = !strcmp(v, "fwd") ? 1 : !strcmp(v, "bwd") ? 2 : !strcmp(v, "both") ? 3 : 0;
            if (!o->dirs) {
                fprintf(stderr, "kernels: --dir takes fwd, bwd or both, not '%s'\n", v);
                return 1;
            }
            i++;
        } else if (!strcmp(a, "--rounds")) {
            char *end;
            o->rounds = strtol(v, &end, 10);
            if (*end || o->rounds < 1) {
                fprintf(stderr, "kernels: --rounds takes a whole number >= 1, not '%s'\n", v);
                return 1;
            }
            i++;
        } else {
            fprintf(stderr, "kernels: unknown option %s\n", a);
            return 1;
        }
    }
    if (!any_func)
        for (size_t f = 0; f < NFUNC; f++)
            o->use_func[f] = 1;
    if (o->quick)
        o->target = 0.05;
    if (!sizes_given) {
        o->sizes[0] = 4096, o->sizes[1] = 262144, o->n_sizes = 2;
        if (!o->quick)
            o->sizes[2] = 16777216, o->n_sizes = 3;
    }
    return 0;
}

/* ---- correctness guard -------------------------------------------------------------------- */

#define GUARD_N 4096
#define GUARD_TOL 1e-3

/* err[f][dir][impl]: the worst element error, NaN where the implementation is absent; at
 * which input, and what came out */
static double guard_err[NFUNC][2][MAX_IMPL];
static float guard_x[NFUNC][2][MAX_IMPL], guard_got[NFUNC][2][MAX_IMPL],
    guard_want[NFUNC][2][MAX_IMPL];

static size_t worst(const float *got, const float *ref, size_t n, double *err)
{
    size_t w = 0;
    double e = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]) / fmax(fabs((double)ref[i]), 1e-3);
        if (!(d <= e)) { /* NaN counts as the worst */
            e = isnan(d) ? INFINITY : d;
            w = i;
        }
    }
    *err = e;
    return w;
}

static void record(size_t fi, int d, int i, const float *x, const float *got, const float *ref,
                   size_t n)
{
    size_t w = worst(got, ref, n, &guard_err[fi][d][i]);
    guard_x[fi][d][i] = x[w], guard_got[fi][d][i] = got[w], guard_want[fi][d][i] = ref[w];
}

static int set_func(const struct func *f)
{
    if (act_parse(f->spec, &cur_spec)) {
        fprintf(stderr, "kernels: act_parse(\"%s\"): %s\n", f->spec, al_last_error());
        return 1;
    }
    cur_rowwise = f->rowwise;
    return 0;
}

static int peer_prepare(const struct impl *im, const struct func *f, size_t n)
{
    return im->kind == IMPL_PEER && im->peer->prepare ? im->peer->prepare(f->name, n) : 0;
}

static void peer_release(const struct impl *im)
{
    if (im->kind == IMPL_PEER && im->peer->release)
        im->peer->release();
}

static void guard(const struct opts *o)
{
    const size_t n = GUARD_N;
    float *x = uniform(n, -10, 10, 101), *dy = uniform(n, -1, 1, 102);
    float *yref = zeros(n), *dxref = zeros(n), *y = zeros(n), *dx = zeros(n);
    for (size_t fi = 0; fi < NFUNC; fi++) {
        for (int d = 0; d < 2; d++)
            for (int i = 0; i < MAX_IMPL; i++)
                guard_err[fi][d][i] = NAN;
        const struct func *f = &funcs[fi];
        if (!o->use_func[fi] || set_func(f))
            continue;
        const size_t m = f->rowwise ? n / KB_COLS * KB_COLS : n;
        if (act_set_isa("exact")) {
            fprintf(stderr, "kernels: act_set_isa(\"exact\"): %s\n", al_last_error());
            exit(1);
        }
        actlab_rc = 0;
        actlab_fwd(x, yref, m);
        actlab_bwd(x, yref, dy, dxref, m);
        act_set_isa(cur_path);
        if (actlab_rc) {
            fprintf(stderr, "kernels: actlab %s: %s\n", f->name, al_last_error());
            exit(1);
        }
        for (int i = 0; i < n_impl; i++) {
            const struct impl *im = &impls[i];
            kb_fwd_fn *fw;
            kb_bwd_fn *bw;
            kernel_of(im, f, &fw, &bw);
            if (im->kind == IMPL_COPY || (!fw && !bw) || peer_prepare(im, f, m))
                continue;
            if (fw) {
                memset(y, 0, n * sizeof *y);
                run(im, fw, bw, FWD, x, y, yref, dy, dx, m, 1);
                record(fi, FWD, i, x, y, yref, m);
            }
            if (bw) {
                memset(dx, 0, n * sizeof *dx);
                run(im, fw, bw, BWD, x, y, yref, dy, dx, m, 1);
                record(fi, BWD, i, x, dx, dxref, m);
            }
            peer_release(im);
        }
    }
    free(x), free(dy), free(yref), free(dxref), free(y), free(dx);
}

/* the guard's columns: not copy, not the reference itself */
static int in_guard(const struct impl *im)
{
    return im->kind != IMPL_COPY && !(im->isa && !strcmp(im->isa, "exact"));
}

static int mismatch(size_t fi, int d, int i) { return guard_err[fi][d][i] > GUARD_TOL; }

static void print_guard(const struct opts *o)
{
    printf("\n### Correctness guard\n\n"
           "Worst error over %d inputs (4 rows of 1000 for the row-wise functions) against "
           "actlab-exact: |got - ref| / max(|ref|, 1e-3). Over %.0e: MISMATCH (marked `!` in "
           "the tables and not counted as the fastest peer).\n\n",
           GUARD_N, GUARD_TOL);
    printf("| function | dir |");
    for (int i = 0; i < n_impl; i++)
        if (in_guard(&impls[i]))
            printf(" %s |", impls[i].name);
    printf("\n|---|---|");
    for (int i = 0; i < n_impl; i++)
        if (in_guard(&impls[i]))
            printf("---:|");
    printf("\n");
    for (size_t fi = 0; fi < NFUNC; fi++)
        for (int d = 0; d < 2; d++) {
            if (!o->use_func[fi] || !(o->dirs >> d & 1))
                continue;
            printf("| %s | %s |", funcs[fi].name, dir_name[d]);
            for (int i = 0; i < n_impl; i++) {
                if (!in_guard(&impls[i]))
                    continue;
                double e = guard_err[fi][d][i];
                if (isnan(e))
                    printf(" - |");
                else
                    printf(" %.1e%s |", e, mismatch(fi, d, i) ? " MISMATCH" : "");
            }
            printf("\n");
        }
    int any = 0;
    for (size_t fi = 0; fi < NFUNC; fi++)
        for (int d = 0; d < 2; d++)
            for (int i = 0; i < n_impl; i++)
                if (o->use_func[fi] && (o->dirs >> d & 1) && in_guard(&impls[i]) &&
                    mismatch(fi, d, i)) {
                    if (!any++)
                        printf("\nWorst element of each MISMATCH:\n\n");
                    printf("- %s %s %s: x = %.9g gives %.9g, actlab-exact %.9g%s\n",
                           impls[i].name, funcs[fi].name, dir_name[d], guard_x[fi][d][i],
                           guard_got[fi][d][i], guard_want[fi][d][i],
                           d == BWD ? " (times dy)" : "");
                }
}

/* ---- timing ------------------------------------------------------------------------------- */

/* one table row: median ns/element per impl (NaN: absent), rounds used */
struct row {
    double ns[MAX_IMPL];
    long rounds;
};

struct bufs {
    float *x, *dy, *y, *yref, *dx;
};

static void time_one(const struct opts *o, size_t fi, int d, size_t n, long min_rounds,
                     const struct bufs *b, struct row *out)
{
    const struct func *f = &funcs[fi];
    int act[MAX_IMPL], n_act = 0;
    kb_fwd_fn *fw[MAX_IMPL];
    kb_bwd_fn *bw[MAX_IMPL];
    long k[MAX_IMPL];
    double tcall = 0;
    for (int i = 0; i < MAX_IMPL; i++)
        out->ns[i] = NAN;
    out->rounds = 0;
    set_func(f);
    for (int i = 0; i < n_impl; i++) {
        const struct impl *im = &impls[i];
        kernel_of(im, f, &fw[i], &bw[i]);
        if ((d == FWD ? !fw[i] : !bw[i]) || (im->max_n && n > im->max_n))
            continue;
        act[n_act++] = i;
    }
    /* A peer's prepare() builds its operators for one function and size; peers share no
     * state with one another, so all are prepared before the warm-up and released after the
     * rounds. */
    for (int j = 0; j < n_act; j++)
        if (peer_prepare(&impls[act[j]], f, n))
            act[j--] = act[--n_act];
    if (!n_act)
        return;
    /* warm-up: one call each, which also gives k */
    for (int j = 0; j < n_act; j++) {
        const int i = act[j];
        double t0 = now();
        run(&impls[i], fw[i], bw[i], d, b->x, b->y, b->yref, b->dy, b->dx, n, 1);
        double t = now() - t0;
        k[i] = t >= 20e-6 ? 1 : (long)ceil(20e-6 / fmax(t, 1e-9));
        if (k[i] > 1) { /* again with k, which is closer to what the rounds see */
            t0 = now();
            run(&impls[i], fw[i], bw[i], d, b->x, b->y, b->yref, b->dy, b->dx, n, k[i]);
            t = (now() - t0) / (double)k[i];
            k[i] = t >= 20e-6 ? 1 : (long)ceil(20e-6 / fmax(t, 1e-9));
        }
        tcall += t * (double)k[i];
    }
    long rounds = o->rounds;
    if (!rounds) {
        rounds = (long)(o->target / (tcall / n_act));
        rounds = rounds < min_rounds ? min_rounds : rounds > 20000 ? 20000 : rounds;
    }
    double *t = xalloc((size_t)(n_act * rounds + 1) * sizeof *t);
    for (long r = 0; r < rounds; r++)
        for (int jj = 0; jj < n_act; jj++) {
            const int j = (int)((r + jj) % n_act), i = act[j];
            double t0 = now();
            run(&impls[i], fw[i], bw[i], d, b->x, b->y, b->yref, b->dy, b->dx, n, k[i]);
            t[j * rounds + r] = (now() - t0) / ((double)k[i] * (double)n) * 1e9;
        }
    for (int j = 0; j < n_act; j++) {
        out->ns[act[j]] = median(t + j * rounds, rounds);
        peer_release(&impls[act[j]]);
    }
    out->rounds = rounds;
    free(t);
}

static void print_table(const struct opts *o, size_t n, struct row rows[NFUNC][2])
{
    int col[MAX_IMPL], n_col = 0, i_copy = -1, i_actlab = -1;
    for (int i = 0; i < n_impl; i++) {
        int any = 0;
        for (size_t fi = 0; fi < NFUNC; fi++)
            for (int d = 0; d < 2; d++)
                any |= o->use_func[fi] && (o->dirs >> d & 1) && !isnan(rows[fi][d].ns[i]);
        if (any)
            col[n_col++] = i;
        if (impls[i].kind == IMPL_COPY)
            i_copy = i;
        if (impls[i].kind == IMPL_ACTLAB && !impls[i].isa)
            i_actlab = i;
    }
    const double kib = (double)n * sizeof(float) / 1024;
    printf("\n### n = %zu (%.4g %s per array)\n\nns per element, median; `!`: failed the "
           "correctness guard.\n\n| function | dir |",
           n, kib < 1024 ? kib : kib / 1024, kib < 1024 ? "KiB" : "MiB");
    for (int c = 0; c < n_col; c++)
        printf(" %s |", impls[col[c]].kind == IMPL_COPY ? "copy/copy2" : impls[col[c]].name);
    printf(" fastest peer | actlab/peer | actlab/copy | actlab GB/s | rounds |\n|---|---|");
    for (int c = 0; c < n_col; c++)
        printf("---:|");
    printf("---|---:|---:|---:|---:|\n");
    for (size_t fi = 0; fi < NFUNC; fi++)
        for (int d = 0; d < 2; d++) {
            const struct row *r = &rows[fi][d];
            if (!o->use_func[fi] || !(o->dirs >> d & 1) || !r->rounds)
                continue;
            printf("| %s | %s |", funcs[fi].name, dir_name[d]);
            int best = -1;
            for (int c = 0; c < n_col; c++) {
                const int i = col[c];
                char buf[32];
                fmt_ns(buf, sizeof buf, r->ns[i]);
                const int bad = !isnan(r->ns[i]) && mismatch(fi, d, i);
                printf(" %s%s |", buf, bad ? "!" : "");
                if (impls[i].kind == IMPL_PEER && !isnan(r->ns[i]) && !bad &&
                    (best < 0 || r->ns[i] < r->ns[best]))
                    best = i;
            }
            const double a = i_actlab >= 0 ? r->ns[i_actlab] : NAN;
            const double cp = i_copy >= 0 ? r->ns[i_copy] : NAN;
            printf(" %s |", best >= 0 ? impls[best].name : "-");
            if (best >= 0 && !isnan(a))
                printf(" %.2f |", a / r->ns[best]);
            else
                printf(" - |");
            if (!isnan(a) && !isnan(cp))
                printf(" %.2f |", a / cp);
            else
                printf(" - |");
            if (!isnan(a))
                printf(" %.1f |", (d == FWD ? 8.0 : 12.0) / a);
            else
                printf(" - |");
            printf(" %ld |\n", r->rounds);
        }
}

/* ---- the report's header ------------------------------------------------------------------ */

static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10)) {
            const char *c = strchr(line, ':');
            if (c) {
                c += 1 + (c[1] == ' ');
                snprintf(buf, size, "%s", c);
                buf[strcspn(buf, "\n")] = '\0';
            }
            break;
        }
    fclose(f);
}

static void print_header(const struct opts *o, int threads)
{
    char cpu[128], load[64] = "?";
    cpu_model(cpu, sizeof cpu);
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (!fgets(load, sizeof load, la))
            strcpy(load, "?");
        load[strcspn(load, "\n")] = '\0';
        fclose(la);
    }
    printf("## kernels: actlab %s against its peers\n\n", al_version_string());
    printf("- CPU: %s (%ld logical CPUs online); load average at start: %s\n", cpu,
           sysconf(_SC_NPROCESSORS_ONLN), load);
    printf("- actlab path: **%s** (this CPU runs:", cur_path);
    for (const char *const *p = act_isa_names(); *p; p++)
        if (act_isa_supported(*p))
            printf(" %s", *p);
    printf(")\n- sizes:");
    for (int s = 0; s < o->n_sizes; s++)
        printf(" %zu", o->sizes[s]);
    printf(" elements; softmax and log_softmax: rows of %d columns (n / %d rows)\n", KB_COLS,
           KB_COLS);
    if (o->rounds)
        printf("- rounds: %ld per function, direction and size\n", o->rounds);
    else
        printf("- rounds: auto, about %.2g s per implementation and size (at least 5; 7 at 16M); "
               "each timed call lasts >= 20 us (kernel repeated k times)\n",
               o->target);
    printf("- threads: %d (omp_set_num_threads(1): actlab and oneDNN's OpenMP; "
           "openblas_set_num_threads(1); XNNPACK without a thread pool)\n",
           threads);
    printf("- inputs: x uniform in [-10, 10], dy uniform in [-1, 1]; backward gets y = f(x) "
           "for the implementations that read it\n");
    printf("- implementations (ns per element, median of the rounds):\n"
           "  - copy: memcpy x -> y (forward); copy2: dx = dy + x (backward); the memory floor\n"
           "  - actlab: act_forward / act_backward (_rows) on path %s; actlab-exact: the "
           "scalar specification (4096 and 262144 only)",
           cur_path);
    if (o->all_paths)
        printf("; actlab-P: path P");
    printf("\n");
    for (int i = 0; i < n_impl; i++)
        if (impls[i].kind == IMPL_PEER) {
            const char *desc = impls[i].peer->describe ? impls[i].peer->describe() : "";
            printf("  - %s: %s\n", impls[i].name, desc);
        }
}

/* ---- main --------------------------------------------------------------------------------- */

static void add_impl(const char *name, enum impl_kind kind, const char *isa, size_t max_n,
                     const struct kb_peer *peer)
{
    if (n_impl == MAX_IMPL)
        return;
    struct impl *im = &impls[n_impl++];
    snprintf(im->name, sizeof im->name, "%s", name);
    im->kind = kind, im->isa = isa, im->max_n = max_n, im->peer = peer;
}

int main(int argc, char **argv)
{
    struct opts o;
    if (parse_opts(argc, argv, &o)) {
        usage(stderr);
        return 2;
    }
    /* one thread everywhere, before any library starts its pool */
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    openblas_set_num_threads(1);
    const int threads = 1;
    cur_path = act_isa();

    add_impl("copy", IMPL_COPY, NULL, 0, NULL);
    add_impl("actlab", IMPL_ACTLAB, NULL, 0, NULL);
    if (strcmp(cur_path, "exact"))
        add_impl("actlab-exact", IMPL_ACTLAB, "exact", 262144, NULL);
    if (o.all_paths)
        for (const char *const *p = act_isa_names(); *p; p++)
            if (act_isa_supported(*p) && strcmp(*p, cur_path) && strcmp(*p, "exact")) {
                char name[32];
                snprintf(name, sizeof name, "actlab-%s", *p);
                add_impl(name, IMPL_ACTLAB, *p, 0, NULL);
            }
    const struct kb_peer *peers[] = {
        &kb_peer_libm, &kb_peer_fastmath,
#ifdef HAVE_SLEEF
        &kb_peer_sleef, &kb_peer_sleef_u35,
#endif
#ifdef HAVE_XNNPACK
        &kb_peer_xnnpack,
#endif
#ifdef HAVE_DNNL
        &kb_peer_onednn,
#endif
    };
    for (size_t p = 0; p < sizeof peers / sizeof peers[0]; p++) {
        const char *why = "?";
        if (peers[p]->available && !peers[p]->available(&why)) {
            fprintf(stderr, "kernels: leaving out %s: %s\n", peers[p]->name, why);
            continue;
        }
        add_impl(peers[p]->name, IMPL_PEER, NULL, 0, peers[p]);
    }

    print_header(&o, threads);
    fflush(stdout);
    guard(&o);
    print_guard(&o);
    fflush(stdout);

    static struct row rows[NFUNC][2];
    for (int s = 0; s < o.n_sizes; s++) {
        const size_t n = o.sizes[s];
        struct bufs b = {uniform(n, -10, 10, 1), uniform(n, -1, 1, 2), zeros(n), zeros(n),
                         zeros(n)};
        for (size_t fi = 0; fi < NFUNC; fi++) {
            rows[fi][FWD].rounds = rows[fi][BWD].rounds = 0;
            if (!o.use_func[fi])
                continue;
            /* row-wise functions run whole rows: n / KB_COLS of them */
            const size_t m = funcs[fi].rowwise ? n / KB_COLS * KB_COLS : n;
            if (!m)
                continue;
            set_func(&funcs[fi]);
            actlab_rc = 0;
            actlab_fwd(b.x, b.yref, m); /* the y that the backward reads */
            for (int d = 0; d < 2; d++)
                if (o.dirs >> d & 1) {
                    fprintf(stderr, "kernels: n = %zu, %s %s\n", n, funcs[fi].name, dir_name[d]);
                    time_one(&o, fi, d, m, n >= 16777216 ? 7 : 5, &b, &rows[fi][d]);
                }
            if (actlab_rc) {
                fprintf(stderr, "kernels: actlab %s: %s\n", funcs[fi].name, al_last_error());
                return 1;
            }
        }
        free(b.x), free(b.dy), free(b.y), free(b.yref), free(b.dx);
        print_table(&o, n, rows);
        fflush(stdout);
    }
    return 0;
}
