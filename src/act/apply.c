/* The entry points that run a function over arrays: argument checks, then the kernel of
 * the current path (kern.c), or the scalar specification where the path has none. Scalar
 * formulas see no NaN: it passes through before them. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>

#include "kern.h"
#include "../core/par.h"
#include "../core/error.h"

/* Each OpenMP piece gets at least PAR_MIN elements, so arrays from 2 PAR_MIN = 2^18 are
 * split: below that the threads' start costs more than they save (measured with
 * `actlab bench` at OMP_NUM_THREADS=1 and 2; docs/BENCHMARKS.md, "Threads"). */
#define PAR_MIN ((size_t)1 << 17)

/* The number of pieces for n elements: 1 unless n is large and no parallel region runs. */
static int pieces(size_t n)
{
    if (n < 2 * PAR_MIN || omp_in_parallel() || !al__par_allowed())
        return 1;
    int t = omp_get_max_threads();
    size_t most = n / PAR_MIN;
    return most < (size_t)t ? (int)most : t;
}

/* One kernel call over an array: forward (fwd: x -> out) or backward (bwd: x, dy -> out). */
struct job {
    act__kfwd *fwd;
    act__kbwd *bwd;
    const float *x, *dy;
    float *out;
    const struct act__kc *k;
};

static void job_part(const struct job *j, size_t lo, size_t hi)
{
    if (j->fwd)
        j->fwd(j->x + lo, j->out + lo, hi - lo, j->k);
    else
        j->bwd(j->x + lo, j->dy + lo, j->out + lo, hi - lo, j->k);
}

/* the job over n elements, in pieces whole 64-byte lines apart when it is large */
static void run(const struct job *j, size_t n)
{
    int np = pieces(n);
    if (np == 1) {
        job_part(j, 0, n);
        return;
    }
    size_t step = (n / (size_t)np + 15) & ~(size_t)15;
#pragma omp parallel for num_threads(np)
    for (int i = 0; i < np; i++) {
        size_t lo = step * (size_t)i < n ? step * (size_t)i : n;
        job_part(j, lo, lo + step < n ? lo + step : n);
    }
}

/* A spec may be built by hand, so every entry point checks it in full: a parameter outside
 * its domain (maxout's k = 0, NaN) would otherwise reach a kernel as a divisor or a size. */
static int check_spec(const act_spec *a, const char *what)
{
    if (!a)
        return al__fail(AL_EINVAL, "%s: spec is NULL", what);
    if ((unsigned)a->kind >= ACT_COUNT)
        return al__fail(AL_EINVAL, "%s: kind %d is not an activation", what, (int)a->kind);
    return act_validate(a);
}

/* *n = a * b, or 0 when the product does not fit in size_t */
static int mul_fits(size_t a, size_t b, size_t *n)
{
    if (b && a > SIZE_MAX / b)
        return 0;
    *n = a * b;
    return 1;
}

static const struct act__desc *elementwise(const act_spec *a, const char *what, int *rc)
{
    if ((*rc = check_spec(a, what)))
        return NULL;
    const struct act__desc *d = act__table[a->kind];
    if (d->info.flags & ACT_ROWWISE) {
        *rc = al__fail(AL_EINVAL, "%s: %s works on rows; use act_%s_rows()", what,
                       d->info.name, what + 4);
        return NULL;
    }
    return d;
}

al_status act_forward(const act_spec *a, const float *x, float *y, size_t n)
{
    AL_API_ENTRY;
    int rc;
    const struct act__desc *d = elementwise(a, "act_forward", &rc);
    if (!d)
        return rc;
    if (n && (!x || !y))
        return al__fail(AL_EINVAL, "act_forward: NULL array with n = %zu", n);
    const struct act__kern *kn = &act__cur_path()->k[a->kind];
    if (kn->fwd) {
        struct act__kc k;
        act__kprep(a, &k);
        run(&(struct job){.fwd = kn->fwd, .x = x, .out = y, .k = &k}, n);
        return AL_OK;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = isnan(x[i]) ? x[i] : (float)d->f(x[i], a->p);
    return AL_OK;
}

/* dx = dy * f'(x), except that a zero derivative gives 0 even for an infinite or NaN dy:
 * the masked-out inputs of relu and friends get no gradient, as in PyTorch. */
al_status act_backward(const act_spec *a, const float *x, const float *y, const float *dy,
                 float *dx, size_t n)
{
    AL_API_ENTRY;
    (void)y;
    int rc;
    const struct act__desc *d = elementwise(a, "act_backward", &rc);
    if (!d)
        return rc;
    if (n && (!x || !dy || !dx))
        return al__fail(AL_EINVAL, "act_backward: NULL array with n = %zu", n);
    const struct act__kern *kn = &act__cur_path()->k[a->kind];
    if (kn->bwd) {
        struct act__kc k;
        act__kprep(a, &k);
        run(&(struct job){.bwd = kn->bwd, .x = x, .dy = dy, .out = dx, .k = &k}, n);
        return AL_OK;
    }
    for (size_t i = 0; i < n; i++) {
        double g = isnan(x[i]) ? NAN : d->df(x[i], a->p);
        dx[i] = g == 0 ? 0.0f : (float)(dy[i] * g);
    }
    return AL_OK;
}

size_t act_out_cols(const act_spec *a, size_t cols)
{
    if (!a || (unsigned)a->kind >= ACT_COUNT || cols == 0 || act_validate(a))
        return 0;
    const struct act__desc *d = act__table[a->kind];
    return d->out_cols ? d->out_cols(a->p, cols) : cols;
}

static int check_rows(const act_spec *a, const char *what, size_t rows, size_t cols)
{
    int rc = check_spec(a, what);
    if (rc)
        return rc;
    size_t n;
    if (!mul_fits(rows, cols, &n))
        return al__fail(AL_EINVAL, "%s: %zu rows of %zu columns are more elements than memory "
                        "holds", what, rows, cols);
    if (rows && !act_out_cols(a, cols))
        return al__fail(AL_ESHAPE, "%s: %s cannot take rows of %zu columns%s", what,
                        act__table[a->kind]->info.name, cols,
                        a->kind == ACT_MAXOUT ? " (not a multiple of k)"
                        : act__table[a->kind]->out_cols ? " (not even)" : "");
    return AL_OK;
}

/* the row functions the paths have kernels for: softmax, log_softmax, softmin at
 * temperature 1 */
static int softmax_like(const act_spec *a)
{
    return (a->kind == ACT_SOFTMAX || a->kind == ACT_LOG_SOFTMAX || a->kind == ACT_SOFTMIN) &&
           a->p[0] == 1.0;
}

al_status act_forward_rows(const act_spec *a, const float *x, float *y, size_t rows, size_t cols)
{
    AL_API_ENTRY;
    int rc = check_rows(a, "act_forward_rows", rows, cols);
    if (rc)
        return rc;
    if (rows && (!x || !y))
        return al__fail(AL_EINVAL, "act_forward_rows: NULL array");
    const struct act__desc *d = act__table[a->kind];
    const struct act__path *path = act__cur_path();
    if (path->g[a->kind].fwd) {
        path->g[a->kind].fwd(x, y, rows, cols);
        return AL_OK;
    }
    if (d->rows_fwd && softmax_like(a) && path->rows_fwd) {
        path->rows_fwd(a->kind, x, y, rows, cols, a->p);
        return AL_OK;
    }
    if (d->rows_fwd)
        return d->rows_fwd(a->p, x, y, rows, cols);
    return act_forward(a, x, y, rows * cols);
}

al_status act_backward_rows(const act_spec *a, const float *x, const float *y, const float *dy,
                      float *dx, size_t rows, size_t cols)
{
    AL_API_ENTRY;
    int rc = check_rows(a, "act_backward_rows", rows, cols);
    if (rc)
        return rc;
    if (rows && (!x || !dy || !dx))
        return al__fail(AL_EINVAL, "act_backward_rows: NULL array");
    const struct act__desc *d = act__table[a->kind];
    const struct act__path *path = act__cur_path();
    if (path->g[a->kind].bwd) {
        path->g[a->kind].bwd(x, dy, dx, rows, cols);
        return AL_OK;
    }
    if (softmax_like(a) && path->rows_bwd) {
        if (y) {
            path->rows_bwd(a->kind, y, dy, dx, rows, cols);
            return AL_OK;
        }
        /* y recomputed a row at a time by the same path, so the result is the same */
        float *buf = rows ? malloc(cols * sizeof *buf) : NULL;
        if (rows && !buf)
            return al__fail(AL_ENOMEM, "act_backward_rows: no memory for a row of %zu", cols);
        for (size_t r = 0; r < rows; r++) {
            path->rows_fwd(a->kind, x + r * cols, buf, 1, cols, a->p);
            path->rows_bwd(a->kind, buf, dy + r * cols, dx + r * cols, 1, cols);
        }
        free(buf);
        return AL_OK;
    }
    if (d->rows_bwd)
        return d->rows_bwd(a->p, x, y, dy, dx, rows, cols);
    return act_backward(a, x, y, dy, dx, rows * cols);
}

al_status act_forward_bias(const act_spec *a, float *z, const float *bias, float *y, size_t outer,
                     size_t channels, size_t inner)
{
    AL_API_ENTRY;
    int rc = check_spec(a, "act_forward_bias");
    if (rc)
        return rc;
    size_t n, per;
    if (!mul_fits(channels, inner, &per) || !mul_fits(outer, per, &n))
        return al__fail(AL_EINVAL, "act_forward_bias: %zu x %zu x %zu elements overflow",
                        outer, channels, inner);
    if (n && (!z || !y))
        return al__fail(AL_EINVAL, "act_forward_bias: NULL array");
    const struct act__desc *d = act__table[a->kind];
    int rowwise = d->info.flags & ACT_ROWWISE;
    if (rowwise && inner != 1)
        return al__fail(AL_ESHAPE, "act_forward_bias: %s works on rows and needs inner = 1, "
                        "not %zu", d->info.name, inner);
    if (rowwise && n && !act_out_cols(a, channels))
        return check_rows(a, "act_forward_bias", outer, channels);
    const struct act__kern *kn = &act__cur_path()->k[a->kind];
    if (bias && kn->bias && n) {
        struct act__kc k;
        act__kprep(a, &k);
        if (pieces(n) == 1 || outer < 2) {
            kn->bias(z, bias, y, outer, channels, inner, &k);
            return AL_OK;
        }
        int np = pieces(n);
#pragma omp parallel for num_threads(np)
        for (int i = 0; i < np; i++) { /* whole samples to each thread */
            size_t lo = outer * (size_t)i / (size_t)np, hi = outer * (size_t)(i + 1) / (size_t)np;
            size_t at = lo * channels * inner;
            kn->bias(z + at, bias, y + at, hi - lo, channels, inner, &k);
        }
        return AL_OK;
    }
    if (bias)
        for (size_t o = 0; o < outer; o++)
            for (size_t c = 0; c < channels; c++) {
                float *zr = z + (o * channels + c) * inner;
                for (size_t i = 0; i < inner; i++)
                    zr[i] += bias[c];
            }
    return rowwise ? act_forward_rows(a, z, y, outer, channels) : act_forward(a, z, y, n);
}

static const struct act__desc *scalar(const act_spec *a)
{
    if (!a || (unsigned)a->kind >= ACT_COUNT || act__table[a->kind]->info.flags & ACT_ROWWISE ||
        act_validate(a))
        return NULL;
    return act__table[a->kind];
}

double act_eval(const act_spec *a, double x)
{
    const struct act__desc *d = scalar(a);
    return !d || isnan(x) ? NAN : d->f(x, a->p);
}

double act_grad(const act_spec *a, double x)
{
    const struct act__desc *d = scalar(a);
    return !d || isnan(x) ? NAN : d->df(x, a->p);
}
