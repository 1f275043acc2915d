/* act_exhaustive: every float input (or every S-th bit pattern) through every elementwise
 * activation on every vector kernel path, forward and backward, against the scalar
 * specification (act_eval / act_grad: the spec in double, before its final rounding).
 *
 *   act_exhaustive [--isa a,b] [--fn a,b] [--step S] [--dir fwd|bwd|both] [--markdown]
 *                  [--threads N] [--strict-bwd BOUND] [--max-ulp U]
 *
 * Error measure (docs/ACCURACY.md, with the double value t of the spec as "exact"):
 *   err = |got - t| / ulp(t),  ulp(t) = 2^(floor(log2 |t|) - 23), 2^-149 for |t| < 2^-126.
 * Results are split by the reference float r (t rounded; for backward, as act_backward's
 * scalar path: +0 where f'(x) == 0):
 *   - normal:     |r| >= FLT_MIN: worst error in ULP, checked against act_info.max_ulp;
 *   - subnormal:  |r| <  FLT_MIN (zero included): worst |got - t| in units of 2^-149,
 *                 reported only (the docs allow flushing such results to zero);
 *   - specials:   NaN must give NaN and only NaN gives NaN; +-inf must match exactly; where
 *                 t == 0 the result must be that zero, sign included; a zero result for a
 *                 nonzero t must have t's sign. Counted, never measured in ULP.
 * Exit status: 0 when every forward result is within its bound with no special mismatch,
 * 1 when not (backward too with --strict-bwd), 2 for a usage error or an API call failing.
 *
 * act_set_isa() is global, so the paths take turns: inputs go in blocks of 2^16, each
 * thread owning up to 8 blocks per round; a round computes the reference of its blocks once
 * (the expensive part, shared by all paths), then for each path one thread switches the
 * path between two barriers and every thread runs its blocks through it. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/act.h"

#define BLOCK ((size_t)1 << 16)
#define MAX_PATHS 8
#define PER_ROUND 8 /* blocks a thread holds at once (1.25 MiB each) */
/* the first pattern of a strided sweep: an arbitrary odd constant, so that a step does not
 * line up with the exponent field; a step of 1 starts at 0 */
#define STRIDE_OFFSET 0x2545f491u

enum { FWD, BWD, NDIR };
static const char *const dir_name[NDIR] = {"fwd", "bwd"};

/* The worst points and counts of one (function, direction, path). */
typedef struct stats {
    double worst;      /* normal results: largest error in ULP (-1: none seen) */
    uint32_t worst_x;  /* its input's bits */
    float worst_got;
    double worst_t;
    double sworst;     /* subnormal/zero results: largest |got - t| / 2^-149 */
    uint32_t sworst_x;
    float sworst_got;
    double sworst_t;
    uint64_t n_nan, n_inf, n_zero; /* special-value mismatches */
    int have_sp;       /* the mismatch with the smallest input bits */
    uint32_t sp_x;
    float sp_got;
    double sp_t;
    uint64_t n_over;   /* normal results over the bound */
    uint64_t n_normal, n_sub, n; /* results measured in each class; inputs */
    double secs;       /* thread-seconds in the kernel and the comparison */
} stats;

static void stats_init(stats *s)
{
    memset(s, 0, sizeof *s);
    s->worst = s->sworst = -1;
}

/* larger error wins; a tie goes to the smaller input bits, so that the answer does not
 * depend on the number of threads */
static int beats(double e, uint32_t x, double we, uint32_t wx)
{
    return e > we || (e == we && x < wx);
}

static void stats_merge(stats *d, const stats *s)
{
    if (beats(s->worst, s->worst_x, d->worst, d->worst_x))
        d->worst = s->worst, d->worst_x = s->worst_x, d->worst_got = s->worst_got,
        d->worst_t = s->worst_t;
    if (beats(s->sworst, s->sworst_x, d->sworst, d->sworst_x))
        d->sworst = s->sworst, d->sworst_x = s->sworst_x, d->sworst_got = s->sworst_got,
        d->sworst_t = s->sworst_t;
    if (s->have_sp && (!d->have_sp || s->sp_x < d->sp_x))
        d->have_sp = 1, d->sp_x = s->sp_x, d->sp_got = s->sp_got, d->sp_t = s->sp_t;
    d->n_nan += s->n_nan;
    d->n_inf += s->n_inf;
    d->n_zero += s->n_zero;
    d->n_over += s->n_over;
    d->n_normal += s->n_normal;
    d->n_sub += s->n_sub;
    d->n += s->n;
    d->secs += s->secs;
}

static uint64_t n_special(const stats *s) { return s->n_nan + s->n_inf + s->n_zero; }

static float from_bits(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

/* ulp(t) for a finite t: 2^(floor(log2 |t|) - 23), at least 2^-149 */
static inline double ulp_of(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    int e = (int)((b >> 52) & 0x7ff); /* |t| in [2^(e-1023), 2^(e-1022)) for normal t */
    if (e < 1023 - 126)
        return 0x1p-149;
    uint64_t u = (uint64_t)(e - 23) << 52;
    double r;
    memcpy(&r, &u, sizeof r);
    return r;
}

static void note_special(stats *s, uint64_t *count, uint32_t x, float got, double t)
{
    (*count)++;
    if (!s->have_sp || x < s->sp_x)
        s->have_sp = 1, s->sp_x = x, s->sp_got = got, s->sp_t = t;
}

/* Compares got[i] with the reference t[i] for inputs x[i]. bwd: the expected float of a
 * zero derivative is +0 (act_backward's convention), else t rounded. */
static void compare(stats *s, const float *x, const float *got, const double *tv, size_t n,
                    int bwd, double bound)
{
    for (size_t i = 0; i < n; i++) {
        double t = tv[i];
        float g = got[i];
        uint32_t xb = to_bits(x[i]);
        if (isnan(t) || isnan(g)) {
            if (!(isnan(t) && isnan(g)))
                note_special(s, &s->n_nan, xb, g, t);
            continue;
        }
        float r = bwd && t == 0 ? 0.0f : (float)t;
        if (isinf(r) || isinf(g)) {
            if (g != r)
                note_special(s, &s->n_inf, xb, g, t);
            continue;
        }
        if (t == 0) {
            if (!(g == 0 && signbit(g) == signbit(r)))
                note_special(s, &s->n_zero, xb, g, t);
            continue;
        }
        if (g == 0 && (signbit(g) != 0) != (signbit(t) != 0)) {
            note_special(s, &s->n_zero, xb, g, t);
            continue;
        }
        double err = fabs((double)g - t) / ulp_of(t);
        if (fabsf(r) >= FLT_MIN) {
            s->n_normal++;
            if (err > bound)
                s->n_over++;
            if (beats(err, xb, s->worst, s->worst_x))
                s->worst = err, s->worst_x = xb, s->worst_got = g, s->worst_t = t;
        } else {
            s->n_sub++;
            if (beats(err, xb, s->sworst, s->sworst_x))
                s->sworst = err, s->sworst_x = xb, s->sworst_got = g, s->sworst_t = t;
        }
    }
    s->n += n;
}

/* ---- options --------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: act_exhaustive [--isa a,b] [--fn a,b] [--step S] [--dir fwd|bwd|both]\n"
            "                      [--markdown] [--threads N] [--strict-bwd BOUND]\n"
            "                      [--max-ulp U]\n"
            "  --isa      kernel paths to check (default: every path this CPU runs but "
            "\"exact\")\n"
            "  --fn       functions (default: every elementwise one, default parameters)\n"
            "  --step     every S-th float bit pattern, S odd (default 1: all 2^32); S > 1 "
            "adds\n"
            "             +-0, +-inf, NaN, +-FLT_MIN, +-FLT_TRUE_MIN, +-FLT_MAX, +-1\n"
            "  --dir      directions (default both; backward is f'(x) with dy = 1)\n"
            "  --markdown a table of the worst normal-result ULP per function and path\n"
            "  --threads  OpenMP threads (default: OMP_NUM_THREADS or all cores)\n"
            "  --strict-bwd  also fail when a backward normal result is over BOUND ULP or a\n"
            "             backward special value differs (default: backward is reported only)\n"
            "  --max-ulp  replace every function's documented bound by U (to test the check)\n"
            "exit: 0 all forward bounds hold, 1 a bound or special value failed, 2 usage or\n"
            "      an API error\n");
}

static int parse_double(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0) || isinf(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* the comma-separated items of list, each passed to fn; nonzero stops */
static int each_item(const char *list, int (*fn)(const char *item, void *ctx), void *ctx)
{
    char buf[256];
    while (*list) {
        const char *c = strchr(list, ',');
        size_t len = c ? (size_t)(c - list) : strlen(list);
        if (len == 0 || len >= sizeof buf)
            return -1;
        memcpy(buf, list, len);
        buf[len] = 0;
        if (fn(buf, ctx))
            return -1;
        list += len + (c ? 1 : 0);
        if (c && !*list)
            return -1;
    }
    return 0;
}

typedef struct fnlist {
    act_kind k[ACT_COUNT];
    int n;
} fnlist;

static int add_fn(const char *name, void *ctx)
{
    fnlist *l = ctx;
    act_kind k;
    if (act_find(name, &k)) {
        fprintf(stderr, "act_exhaustive: %s\n", al_last_error());
        return -1;
    }
    if (act_get_info(k)->flags & ACT_ROWWISE) {
        fprintf(stderr, "act_exhaustive: %s works on rows; only elementwise functions\n",
                act_get_info(k)->name);
        return -1;
    }
    for (int i = 0; i < l->n; i++)
        if (l->k[i] == k)
            return 0;
    l->k[l->n++] = k;
    return 0;
}

typedef struct pathlist {
    const char *name[MAX_PATHS];
    int n;
} pathlist;

static int add_path(const char *name, void *ctx)
{
    pathlist *l = ctx;
    const char *const *all = act_isa_names();
    const char *found = NULL;
    for (size_t i = 0; all[i]; i++)
        if (!strcmp(all[i], name))
            found = all[i];
    if (!found) {
        fprintf(stderr, "act_exhaustive: unknown kernel path '%s' (paths:", name);
        for (size_t i = 0; all[i]; i++)
            fprintf(stderr, " %s", all[i]);
        fprintf(stderr, ")\n");
        return -1;
    }
    if (!act_isa_supported(found)) {
        fprintf(stderr, "act_exhaustive: skipping path '%s': this CPU or build cannot run it\n",
                found);
        return 0;
    }
    for (int i = 0; i < l->n; i++)
        if (l->name[i] == found)
            return 0;
    if (l->n < MAX_PATHS)
        l->name[l->n++] = found;
    return 0;
}

/* ---- the sweep ------------------------------------------------------------------------- */

typedef struct sweep {
    uint64_t step;     /* odd */
    uint64_t n_stride; /* strided patterns: ceil(2^32 / step) */
    uint64_t n_blocks; /* strided blocks, then one block of specials when step > 1 */
    int do_dir[NDIR];
    const pathlist *paths;
    double bound[NDIR]; /* for n_over */
} sweep;

static const float special_inputs[] = {
    0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MIN, -FLT_MIN, FLT_TRUE_MIN, -FLT_TRUE_MIN,
    FLT_MAX, -FLT_MAX, 1.0f, -1.0f,
};
#define N_SPECIAL (sizeof special_inputs / sizeof special_inputs[0])

/* the inputs of block b; returns their number */
static size_t fill_block(const sweep *sw, uint64_t b, float *x)
{
    if (sw->step > 1 && b == sw->n_blocks - 1) {
        memcpy(x, special_inputs, sizeof special_inputs);
        return N_SPECIAL;
    }
    uint64_t lo = b * BLOCK;
    uint64_t hi = lo + BLOCK < sw->n_stride ? lo + BLOCK : sw->n_stride;
    uint32_t off = sw->step > 1 ? STRIDE_OFFSET : 0;
    uint32_t st = (uint32_t)sw->step;
    uint32_t bits = off + (uint32_t)lo * st; /* arithmetic mod 2^32 */
    for (uint64_t i = lo; i < hi; i++, bits += st)
        x[i - lo] = from_bits(bits);
    return (size_t)(hi - lo);
}

/* one thread's arrays, kept from function to function (fresh ones would cost their page
 * faults again each time) */
struct bufs {
    float *x, *y, *ones;
    double *tf, *tg;
};

static struct bufs *bufs_alloc(int nthreads)
{
    struct bufs *b = calloc((size_t)nthreads, sizeof *b);
    size_t cap = (size_t)PER_ROUND * BLOCK;
    for (int t = 0; b && t < nthreads; t++) {
        b[t].x = malloc(cap * sizeof *b[t].x);
        b[t].y = malloc(BLOCK * sizeof *b[t].y);
        b[t].ones = malloc(BLOCK * sizeof *b[t].ones);
        b[t].tf = malloc(cap * sizeof *b[t].tf);
        b[t].tg = malloc(cap * sizeof *b[t].tg);
        if (!b[t].x || !b[t].y || !b[t].ones || !b[t].tf || !b[t].tg)
            return NULL;
        for (size_t i = 0; i < BLOCK; i++)
            b[t].ones[i] = 1.0f;
    }
    return b;
}

static void bufs_free(struct bufs *b, int nthreads)
{
    for (int t = 0; t < nthreads; t++)
        free(b[t].x), free(b[t].y), free(b[t].ones), free(b[t].tf), free(b[t].tg);
    free(b);
}

/* Runs one function through every path; st[dir][path] gets the merged stats. Returns the
 * wall seconds; *ref_secs the thread-seconds spent on the reference. */
static double run_function(const sweep *sw, const act_spec *a, stats st[NDIR][MAX_PATHS],
                           double *ref_secs, struct bufs *bufs, int nthreads)
{
    int np = sw->paths->n;
    for (int d = 0; d < NDIR; d++)
        for (int p = 0; p < np; p++)
            stats_init(&st[d][p]);
    double ref_total = 0;
    int fail_rc = 0;
    double t0 = omp_get_wtime();
#pragma omp parallel num_threads(nthreads) reduction(+ : ref_total)
    {
        uint64_t nth = (uint64_t)omp_get_num_threads(), me = (uint64_t)omp_get_thread_num();
        struct bufs *bf = &bufs[me];
        float *x = bf->x, *y = bf->y, *ones = bf->ones;
        double *tf = bf->tf, *tg = bf->tg;
        stats mine[NDIR][MAX_PATHS];
        for (int d = 0; d < NDIR; d++)
            for (int p = 0; p < np; p++)
                stats_init(&mine[d][p]);
        /* blocks per thread and round: few rounds (each costs 2 barriers a path), but every
         * thread busy */
        uint64_t per = (sw->n_blocks + nth - 1) / nth;
        if (per > PER_ROUND)
            per = PER_ROUND;
        uint64_t rounds = (sw->n_blocks + nth * per - 1) / (nth * per);
        for (uint64_t r = 0; r < rounds; r++) {
            uint64_t b0 = (r * nth + me) * per;
            size_t nb = 0, len[PER_ROUND];
            double c0 = omp_get_wtime();
            for (; nb < per && b0 + nb < sw->n_blocks; nb++) {
                float *xb = x + nb * BLOCK;
                size_t n = len[nb] = fill_block(sw, b0 + nb, xb);
                if (sw->do_dir[FWD])
                    for (size_t i = 0; i < n; i++)
                        tf[nb * BLOCK + i] = act_eval(a, xb[i]);
                if (sw->do_dir[BWD])
                    for (size_t i = 0; i < n; i++)
                        tg[nb * BLOCK + i] = act_grad(a, xb[i]);
            }
            ref_total += omp_get_wtime() - c0;
            for (int p = 0; p < np; p++) {
                /* nobody may still be on the previous path when the path changes */
#pragma omp barrier
#pragma omp single
                {
                    if (act_set_isa(sw->paths->name[p])) {
                        fprintf(stderr, "act_exhaustive: act_set_isa(%s): %s\n",
                                sw->paths->name[p], al_last_error());
                        abort();
                    }
                }
                for (int d = 0; d < NDIR; d++) {
                    if (!sw->do_dir[d])
                        continue;
                    double c1 = omp_get_wtime();
                    for (size_t j = 0; j < nb; j++) {
                        const float *xb = x + j * BLOCK;
                        size_t n = len[j];
                        int rc = d == FWD ? act_forward(a, xb, y, n)
                                          : act_backward(a, xb, NULL, ones, y, n);
                        if (rc) {
#pragma omp critical(report)
                            fprintf(stderr, "act_exhaustive: %s %s: %s\n",
                                    act_get_info(a->kind)->name, dir_name[d],
                                    al_last_error());
#pragma omp atomic write
                            fail_rc = rc;
                            continue;
                        }
                        compare(&mine[d][p], xb, y, (d == FWD ? tf : tg) + j * BLOCK, n,
                                d == BWD, sw->bound[d]);
                    }
                    mine[d][p].secs += omp_get_wtime() - c1;
                }
            }
        }
#pragma omp critical(merge)
        for (int d = 0; d < NDIR; d++)
            for (int p = 0; p < np; p++)
                stats_merge(&st[d][p], &mine[d][p]);
    }
    if (fail_rc)
        exit(2);
    *ref_secs = ref_total;
    return omp_get_wtime() - t0;
}

/* ---- output ---------------------------------------------------------------------------- */

static void print_x(uint32_t xb)
{
    float x = from_bits(xb);
    printf("x=%a (%.9g)", (double)x, (double)x);
}

/* one line per (function, direction, path); returns 1 when it fails */
static int report(const char *fname, int d, const char *path, const stats *s, double bound,
                  int checked, int nthreads)
{
    int over = checked && s->worst > bound;
    int bad_sp = checked && n_special(s) > 0;
    printf("%s %s %s: ", fname, dir_name[d], path);
    if (s->worst >= 0) {
        printf("worst %.3g ULP at ", s->worst);
        print_x(s->worst_x);
        printf(" got %a want %a", (double)s->worst_got, s->worst_t);
        if (checked)
            printf(" [bound %g: %s, %" PRIu64 " over]", bound, over ? "FAIL" : "ok", s->n_over);
    } else {
        printf("no normal results");
    }
    printf(" | subnormal worst ");
    if (s->sworst >= 0) {
        printf("%.3g (", s->sworst);
        print_x(s->sworst_x);
        printf(")");
    } else {
        printf("- (none)");
    }
    if (n_special(s)) {
        printf(" | specials %" PRIu64 " MISMATCH%s (NaN %" PRIu64 ", inf %" PRIu64
               ", zero %" PRIu64 "; first ",
               n_special(s), bad_sp ? " FAIL" : "", s->n_nan, s->n_inf, s->n_zero);
        print_x(s->sp_x);
        printf(" got %a want %a)", (double)s->sp_got, s->sp_t);
    } else {
        printf(" | specials ok");
    }
    printf(" | %" PRIu64 " inputs | %.2f s\n", s->n, s->secs / nthreads);
    return over || bad_sp;
}

int main(int argc, char **argv)
{
    fnlist fns = {.n = 0};
    pathlist paths = {.n = 0};
    int have_isa = 0, markdown = 0, nthreads = 0;
    double strict_bwd = -1, max_ulp = -1;
    uint64_t step = 1;
    sweep sw = {.do_dir = {1, 1}};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const valued[] = {"--isa", "--fn", "--step", "--dir", "--threads",
                                             "--strict-bwd", "--max-ulp"};
        int takes = 0;
        for (size_t j = 0; j < sizeof valued / sizeof valued[0]; j++)
            takes |= !strcmp(o, valued[j]);
        if (takes && !v) {
            fprintf(stderr, "act_exhaustive: %s needs a value\n", o);
            return 2;
        }
        if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(o, "--markdown")) {
            markdown = 1;
            continue;
        } else if (!strcmp(o, "--isa")) {
            have_isa = 1;
            if (each_item(v, add_path, &paths)) {
                fprintf(stderr, "act_exhaustive: bad --isa list '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(o, "--fn")) {
            if (each_item(v, add_fn, &fns)) {
                fprintf(stderr, "act_exhaustive: bad --fn list '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(o, "--step")) {
            if (parse_u64(v, &step) || step == 0 || step % 2 == 0 || step >= (1ull << 32)) {
                fprintf(stderr, "act_exhaustive: --step needs an odd number in [1, 2^32)\n");
                return 2;
            }
        } else if (!strcmp(o, "--dir")) {
            if (!strcmp(v, "fwd"))
                sw.do_dir[FWD] = 1, sw.do_dir[BWD] = 0;
            else if (!strcmp(v, "bwd"))
                sw.do_dir[FWD] = 0, sw.do_dir[BWD] = 1;
            else if (!strcmp(v, "both"))
                sw.do_dir[FWD] = sw.do_dir[BWD] = 1;
            else {
                fprintf(stderr, "act_exhaustive: --dir is fwd, bwd or both\n");
                return 2;
            }
        } else if (!strcmp(o, "--threads")) {
            uint64_t t;
            if (parse_u64(v, &t) || t == 0 || t > 4096) {
                fprintf(stderr, "act_exhaustive: --threads needs a number >= 1\n");
                return 2;
            }
            nthreads = (int)t;
        } else if (!strcmp(o, "--strict-bwd")) {
            if (parse_double(v, &strict_bwd)) {
                fprintf(stderr, "act_exhaustive: --strict-bwd needs a bound >= 0\n");
                return 2;
            }
        } else if (!strcmp(o, "--max-ulp")) {
            if (parse_double(v, &max_ulp)) {
                fprintf(stderr, "act_exhaustive: --max-ulp needs a bound >= 0\n");
                return 2;
            }
        } else {
            fprintf(stderr, "act_exhaustive: unknown option '%s'\n", o);
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!fns.n)
        for (int k = 0; k < ACT_COUNT; k++)
            if (!(act_get_info((act_kind)k)->flags & ACT_ROWWISE))
                fns.k[fns.n++] = (act_kind)k;
    if (!have_isa) {
        const char *const *all = act_isa_names();
        for (size_t i = 0; all[i] && paths.n < MAX_PATHS; i++)
            if (strcmp(all[i], "exact") && act_isa_supported(all[i]))
                paths.name[paths.n++] = all[i];
    }
    if (!paths.n) {
        fprintf(stderr, "act_exhaustive: no kernel path to check\n");
        return have_isa ? 0 : 2;
    }
    if (nthreads <= 0)
        nthreads = omp_get_max_threads();

    sw.step = step;
    sw.n_stride = ((1ull << 32) + step - 1) / step;
    sw.n_blocks = (sw.n_stride + BLOCK - 1) / BLOCK + (step > 1 ? 1 : 0);
    sw.paths = &paths;
    sw.bound[BWD] = strict_bwd >= 0 ? strict_bwd : INFINITY;

    printf("act_exhaustive: %d function(s), paths", fns.n);
    for (int p = 0; p < paths.n; p++)
        printf(" %s", paths.name[p]);
    printf(", step %" PRIu64 " (%" PRIu64 " patterns%s), %s, %d thread(s)\n", step,
           sw.n_stride, step > 1 ? " + specials" : "",
           sw.do_dir[FWD] && sw.do_dir[BWD] ? "fwd+bwd" : sw.do_dir[FWD] ? "fwd" : "bwd",
           nthreads);
    fflush(stdout);

    static stats all[ACT_COUNT][NDIR][MAX_PATHS];
    struct bufs *bufs = bufs_alloc(nthreads);
    if (!bufs) {
        fprintf(stderr, "act_exhaustive: out of memory\n");
        return 2;
    }
    int failed = 0;
    double total = 0;
    for (int f = 0; f < fns.n; f++) {
        act_spec a;
        act_init(&a, fns.k[f]);
        const act_info *info = act_get_info(fns.k[f]);
        double bound = max_ulp >= 0 ? max_ulp : info->max_ulp;
        sw.bound[FWD] = bound;
        double ref_secs;
        double secs = run_function(&sw, &a, all[f], &ref_secs, bufs, nthreads);
        total += secs;
        for (int d = 0; d < NDIR; d++) {
            if (!sw.do_dir[d])
                continue;
            int checked = d == FWD || strict_bwd >= 0;
            for (int p = 0; p < paths.n; p++)
                if (report(info->name, d, paths.name[p], &all[f][d][p],
                           d == FWD ? bound : strict_bwd, checked, nthreads))
                    failed = 1;
        }
        printf("%s: %.2f s (reference %.2f s)\n", info->name, secs, ref_secs / nthreads);
        fflush(stdout);
    }

    if (markdown) {
        printf("\n| function | bound |");
        for (int p = 0; p < paths.n; p++)
            for (int d = 0; d < NDIR; d++)
                if (sw.do_dir[d])
                    printf(" %s %s |", paths.name[p], dir_name[d]);
        printf("\n|---|---:|");
        for (int p = 0; p < paths.n; p++)
            for (int d = 0; d < NDIR; d++)
                if (sw.do_dir[d])
                    printf("---:|");
        printf("\n");
        for (int f = 0; f < fns.n; f++) {
            const act_info *info = act_get_info(fns.k[f]);
            double bound = max_ulp >= 0 ? max_ulp : info->max_ulp;
            printf("| %s | %g |", info->name, bound);
            for (int p = 0; p < paths.n; p++)
                for (int d = 0; d < NDIR; d++) {
                    if (!sw.do_dir[d])
                        continue;
                    const stats *s = &all[f][d][p];
                    double b = d == FWD ? bound : strict_bwd;
                    int over = (d == FWD || strict_bwd >= 0) && s->worst > b;
                    printf(" %s%.3g%s%s |", over ? "**" : "", s->worst < 0 ? 0 : s->worst,
                           over ? "**" : "", n_special(s) ? " (!)" : "");
                }
            printf("\n");
        }
        printf("\nWorst error in ULP over results that are normal floats; **bold**: over the "
               "bound (forward; backward with --strict-bwd); (!): special-value mismatches "
               "(NaN, inf, sign of zero).\n");
    }
    bufs_free(bufs, nthreads);
    if (failed) {
        printf("failed:");
        for (int f = 0; f < fns.n; f++) {
            const act_info *info = act_get_info(fns.k[f]);
            for (int d = 0; d < NDIR; d++) {
                if (!sw.do_dir[d] || (d == BWD && strict_bwd < 0))
                    continue;
                double b = d == FWD ? (max_ulp >= 0 ? max_ulp : info->max_ulp) : strict_bwd;
                for (int p = 0; p < paths.n; p++) {
                    const stats *s = &all[f][d][p];
                    if (s->worst > b)
                        printf(" %s/%s/%s(%.3g>%g ULP)", info->name, dir_name[d],
                               paths.name[p], s->worst, b);
                    if (n_special(s))
                        printf(" %s/%s/%s(%" PRIu64 " special)", info->name, dir_name[d],
                               paths.name[p], n_special(s));
                }
            }
        }
        printf("\n");
    }
    printf("act_exhaustive: %s in %.1f s\n", failed ? "FAILED" : "all bounds hold", total);
    return failed ? 1 : 0;
}
