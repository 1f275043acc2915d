/* act_accuracy: measures every activation against the MPFR reference and prints a Markdown
 * table (docs/ACCURACY.md is made from it).
 *
 *   act_accuracy [--points N] [--stride S | --full] [--jobs J] [--only NAME] [--check]
 *
 * Elementwise functions, every setting of tests/ref/cases.c: N/2 points of a dense sweep of
 * [-30, 30], N/2 random float bit patterns, and the special values; or, with --stride S,
 * every S-th float bit pattern (all 2^32 / S of them; --full is --stride 64) plus the
 * specials. Row-wise functions: random rows of 16 units (spreads 5, 30 and 1000), about N
 * outputs in all. --jobs runs settings in parallel processes; --check exits 1 when a
 * function exceeds its bound (act_info.max_ulp). */
#define _POSIX_C_SOURCE 200809L /* fork, pipe, clock_gettime */

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ref/cases.h"
#include "ref/ref_mpfr.h"
#include "ref/ulp.h"

struct opts {
    size_t points;
    uint64_t stride; /* 0: sweep + random sample */
    int jobs;
    const char *only;
    int check;
};

/* what one setting's measurement sends back to the parent */
struct result {
    int rc;
    acc_stats st;
    char where[96]; /* "x = ..." or "row of 16, x[3] = ..." */
    double seconds;
};

static size_t gated_cols(const act_spec *a, size_t units)
{
    if (a->kind == ACT_MAXOUT)
        return units * (size_t)a->p[0];
    if (a->kind == ACT_GLU || a->kind == ACT_SWIGLU || a->kind == ACT_GEGLU)
        return 2 * units;
    return units;
}

static void measure_elementwise(const act_spec *a, const struct opts *o, struct result *res)
{
    const act_info *in = act_get_info(a->kind);
    enum { BLOCK = 1 << 16 };
    float *x = malloc((BLOCK + CASES_MAX_SPECIALS) * sizeof *x);
    if (!x)
        abort();
    acc_stats_init(&res->st);
    /* the specials first, then blocks of the sweep or of the stride */
    size_t n = cases_specials(a, x);
    res->rc = acc_measure(a, x, n, in->max_ulp, &res->st, NULL, NULL);
    if (o->stride) {
        for (uint64_t b = 0; b < (1ull << 32) && !res->rc;) {
            size_t k = 0;
            for (; k < BLOCK && b < (1ull << 32); k++, b += o->stride) {
                uint32_t bits = (uint32_t)b;
                memcpy(&x[k], &bits, sizeof bits);
            }
            acc_stats part;
            acc_stats_init(&part);
            res->rc = acc_measure(a, x, k, in->max_ulp, &part, NULL, NULL);
            res->st.n += part.n, res->st.n_over += part.n_over;
            if (part.worst > res->st.worst) {
                size_t nn = res->st.n, no = res->st.n_over;
                res->st = part;
                res->st.n = nn, res->st.n_over = no;
            }
        }
    } else {
        size_t half = o->points / 2;
        uint64_t seed = 0xacc0000u + (uint64_t)a->kind;
        for (size_t done = 0; done < o->points && !res->rc;) {
            size_t k = o->points - done < BLOCK ? o->points - done : BLOCK;
            if (done < half) { /* the sweep, a block at a time */
                if (k > half - done)
                    k = half - done;
                for (size_t i = 0; i < k; i++)
                    x[i] = (float)(-30.0 + 60.0 * (double)(done + i) / (double)(half - 1));
            } else {
                cases_random_bits(x, k, seed++);
            }
            acc_stats part;
            acc_stats_init(&part);
            res->rc = acc_measure(a, x, k, in->max_ulp, &part, NULL, NULL);
            res->st.n += part.n, res->st.n_over += part.n_over;
            if (part.worst > res->st.worst) {
                size_t nn = res->st.n, no = res->st.n_over;
                res->st = part;
                res->st.n = nn, res->st.n_over = no;
            }
            done += k;
        }
    }
    snprintf(res->where, sizeof res->where, "%.9g (%a)", (double)res->st.worst_x,
             (double)res->st.worst_x);
    free(x);
}

static void measure_rows(const act_spec *a, const struct opts *o, struct result *res)
{
    const act_info *in = act_get_info(a->kind);
    static const double spreads[] = {5, 30, 1000};
    size_t cols = gated_cols(a, 16), oc = act_out_cols(a, cols), rows = 64;
    float *x = malloc(rows * cols * sizeof *x);
    if (!x)
        abort();
    acc_stats_init(&res->st);
    uint64_t seed = 0x50f7u + (uint64_t)a->kind;
    for (size_t blk = 0; res->st.n < o->points && !res->rc; blk++) {
        double s = spreads[blk % 3];
        cases_uniform_floats(x, rows * cols, -s, s, seed++);
        acc_stats part;
        acc_stats_init(&part);
        res->rc = acc_measure_rows(a, x, rows, cols, in->max_ulp, &part, NULL, NULL);
        if (part.worst > res->st.worst) {
            size_t j = part.worst_index % oc, r = part.worst_index / oc;
            /* the input behind the output: itself (softmax), the gate b (glu), the group */
            size_t src = a->kind == ACT_MAXOUT ? j * (size_t)a->p[0]
                         : cols != oc           ? oc + j
                                                : j;
            snprintf(res->where, sizeof res->where, "row of %zu in +-%g, x[%zu] = %.9g",
                     cols, s, src, (double)x[r * cols + src]);
            size_t nn = res->st.n, no = res->st.n_over;
            res->st = part;
            res->st.n = nn, res->st.n_over = no;
        }
        res->st.n += part.n, res->st.n_over += part.n_over;
    }
    free(x);
}

static void measure(const act_spec *a, const struct opts *o, struct result *res)
{
    memset(res, 0, sizeof *res);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (act_get_info(a->kind)->flags & ACT_ROWWISE)
        measure_rows(a, o, res);
    else
        measure_elementwise(a, o, res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
}

static void print_row(const act_spec *a, const struct result *res, int *over)
{
    const act_info *in = act_get_info(a->kind);
    char text[96], params[96];
    acc_spec_text(a, text, sizeof text);
    const char *colon = strchr(text, ':');
    snprintf(params, sizeof params, "%s", colon ? colon + 1 : "");
    if (res->rc) {
        printf("| %s | %s | %g | error %d | | | | |\n", in->name, params, (double)in->max_ulp,
               res->rc);
        *over = 1;
        return;
    }
    const acc_stats *st = &res->st;
    char worst[48];
    if (isinf(st->worst))
        snprintf(worst, sizeof worst, "**inf** (%s)", st->worst_why ? st->worst_why : "");
    else if (st->worst > in->max_ulp) /* enough digits to show by how much */
        snprintf(worst, sizeof worst, "**%.15g**", st->worst);
    else if (st->worst > 0.5 && st->worst < 0.5005) /* show a hair over correct rounding */
        snprintf(worst, sizeof worst, "%.12g", st->worst);
    else
        snprintf(worst, sizeof worst, "%.3f", st->worst);
    if (st->worst > in->max_ulp)
        *over = 1;
    printf("| %s | %s | %g | %s | %s | %.9g | %.9g | %zu |\n", in->name, params,
           (double)in->max_ulp, worst, res->where, (double)st->worst_got, st->worst_exact,
           st->n);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: act_accuracy [--points N] [--stride S | --full] [--jobs J] "
               "[--only NAME] [--check]\n"
               "  --points N   sample per setting: N/2 sweep of [-30, 30] + N/2 random bit "
               "patterns [1048576]\n"
               "  --stride S   every S-th float bit pattern instead of the sample\n"
               "  --full       --stride 64\n"
               "  --jobs J     settings measured in parallel [1]\n"
               "  --only NAME  one function\n"
               "  --check      exit 1 when a function exceeds its bound\n");
}

int main(int argc, char **argv)
{
    struct opts o = {.points = 1u << 20, .jobs = 1};
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--points") && v)
            o.points = strtoull(v, NULL, 0), i++;
        else if (!strcmp(argv[i], "--stride") && v)
            o.stride = strtoull(v, NULL, 0), i++;
        else if (!strcmp(argv[i], "--full"))
            o.stride = 64;
        else if (!strcmp(argv[i], "--jobs") && v)
            o.jobs = atoi(v), i++;
        else if (!strcmp(argv[i], "--only") && v)
            o.only = v, i++;
        else if (!strcmp(argv[i], "--check"))
            o.check = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (o.jobs < 1)
        o.jobs = 1;
    if (o.points < 16)
        o.points = 16;

    /* every setting of every function, in ACT_LIST order */
    act_spec all[ACT_COUNT * CASES_MAX_SPECS];
    size_t n = 0;
    for (int k = 0; k < ACT_COUNT; k++) {
        if (o.only && strcmp(o.only, act_get_info((act_kind)k)->name))
            continue;
        const char *bad;
        size_t m = cases_specs((act_kind)k, all + n, CASES_MAX_SPECS, &bad);
        if (!m) {
            fprintf(stderr, "act_accuracy: setting '%s' does not parse\n", bad ? bad : "?");
            return 2;
        }
        n += m;
    }
    if (!n) {
        fprintf(stderr, "act_accuracy: no function named '%s'\n", o.only);
        return 2;
    }

    struct result *res = calloc(n, sizeof *res);
    pid_t *pid = calloc(n, sizeof *pid);
    int *fd = calloc(n, sizeof *fd);
    if (!res || !pid || !fd)
        abort();
    /* one process per setting, at most `jobs` at a time; results come back through pipes */
    size_t next = 0, running = 0, collected = 0;
    while (collected < n) {
        while (running < (size_t)o.jobs && next < n) {
            int p[2];
            if (pipe(p)) {
                perror("pipe");
                return 2;
            }
            pid[next] = fork();
            if (pid[next] < 0) {
                perror("fork");
                return 2;
            }
            if (pid[next] == 0) {
                close(p[0]);
                struct result r;
                measure(&all[next], &o, &r);
                r.st.worst_why = NULL; /* a pointer means nothing in the parent */
                ssize_t w = write(p[1], &r, sizeof r);
                _exit(w == (ssize_t)sizeof r ? 0 : 1);
            }
            close(p[1]);
            fd[next++] = p[0];
            running++;
        }
        /* collect in order */
        size_t i = collected;
        size_t got = 0;
        while (got < sizeof res[i]) {
            ssize_t r = read(fd[i], (char *)&res[i] + got, sizeof res[i] - got);
            if (r <= 0) {
                if (r < 0 && errno == EINTR)
                    continue;
                res[i].rc = -2;
                break;
            }
            got += (size_t)r;
        }
        close(fd[i]);
        int status;
        waitpid(pid[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status))
            res[i].rc = -2;
        running--;
        collected++;
    }

    printf("| function | parameters | bound (ULP) | worst (ULP) | at input | got | exact | "
           "outputs |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    int over = 0;
    double secs = 0;
    for (size_t i = 0; i < n; i++) {
        /* the reason of an infinite error, recomputed here (strings stay in the child) */
        if (isinf(res[i].st.worst)) {
            mpfr_t e;
            mpfr_init2(e, REF_PREC);
            if (act_get_info(all[i].kind)->flags & ACT_ROWWISE)
                res[i].st.worst_why = "special value";
            else {
                mpfr_t mx;
                mpfr_init2(mx, 24);
                mpfr_set_flt(mx, res[i].st.worst_x, MPFR_RNDN);
                int f = ref_f(&all[i], mx, e);
                ulp_error(res[i].st.worst_got, e, isinf(res[i].st.worst_x) && f != REF_ANY_ZERO,
                          &res[i].st.worst_why);
                mpfr_clear(mx);
            }
            mpfr_clear(e);
        }
        print_row(&all[i], &res[i], &over);
        secs += res[i].seconds;
        char text[96];
        fprintf(stderr, "act_accuracy: %-36s %8.1f s\n", acc_spec_text(&all[i], text, sizeof text),
                res[i].seconds);
    }
    fprintf(stderr, "act_accuracy: %zu settings, %.1f s of measurement\n", n, secs);
    free(res);
    free(pid);
    free(fd);
    return o.check && over ? 1 : 0;
}
