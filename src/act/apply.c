/* The entry points that run a function over arrays: argument checks, then the kernel.
 * Elementwise kernels are scalar and exact-in-double here; NaN passes through before any
 * kernel sees it, so each formula may assume a number. */
#include <math.h>

#include "desc.h"

static int check_spec(const act_spec *a, const char *what)
{
    if (!a)
        return al__fail(AL_EINVAL, "%s: spec is NULL", what);
    if ((unsigned)a->kind >= ACT_COUNT)
        return al__fail(AL_EINVAL, "%s: kind %d is not an activation", what, (int)a->kind);
    return AL_OK;
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

int act_forward(const act_spec *a, const float *x, float *y, size_t n)
{
    int rc;
    const struct act__desc *d = elementwise(a, "act_forward", &rc);
    if (!d)
        return rc;
    if (n && (!x || !y))
        return al__fail(AL_EINVAL, "act_forward: NULL array with n = %zu", n);
    for (size_t i = 0; i < n; i++)
        y[i] = isnan(x[i]) ? x[i] : (float)d->f(x[i], a->p);
    return AL_OK;
}

/* dx = dy * f'(x), except that a zero derivative gives 0 even for an infinite or NaN dy:
 * the masked-out inputs of relu and friends get no gradient, as in PyTorch. */
int act_backward(const act_spec *a, const float *x, const float *y, const float *dy,
                 float *dx, size_t n)
{
    (void)y;
    int rc;
    const struct act__desc *d = elementwise(a, "act_backward", &rc);
    if (!d)
        return rc;
    if (n && (!x || !dy || !dx))
        return al__fail(AL_EINVAL, "act_backward: NULL array with n = %zu", n);
    for (size_t i = 0; i < n; i++) {
        double g = isnan(x[i]) ? NAN : d->df(x[i], a->p);
        dx[i] = g == 0 ? 0.0f : (float)(dy[i] * g);
    }
    return AL_OK;
}

size_t act_out_cols(const act_spec *a, size_t cols)
{
    if (!a || (unsigned)a->kind >= ACT_COUNT || cols == 0)
        return 0;
    const struct act__desc *d = act__table[a->kind];
    return d->out_cols ? d->out_cols(a->p, cols) : cols;
}

static int check_rows(const act_spec *a, const char *what, size_t rows, size_t cols)
{
    int rc = check_spec(a, what);
    if (rc)
        return rc;
    if (rows && !act_out_cols(a, cols))
        return al__fail(AL_ESHAPE, "%s: %s cannot take rows of %zu columns%s", what,
                        act__table[a->kind]->info.name, cols,
                        a->kind == ACT_MAXOUT ? " (not a multiple of k)"
                        : act__table[a->kind]->out_cols ? " (not even)" : "");
    return AL_OK;
}

int act_forward_rows(const act_spec *a, const float *x, float *y, size_t rows, size_t cols)
{
    int rc = check_rows(a, "act_forward_rows", rows, cols);
    if (rc)
        return rc;
    if (rows && (!x || !y))
        return al__fail(AL_EINVAL, "act_forward_rows: NULL array");
    const struct act__desc *d = act__table[a->kind];
    if (d->rows_fwd)
        return d->rows_fwd(a->p, x, y, rows, cols);
    return act_forward(a, x, y, rows * cols);
}

int act_backward_rows(const act_spec *a, const float *x, const float *y, const float *dy,
                      float *dx, size_t rows, size_t cols)
{
    int rc = check_rows(a, "act_backward_rows", rows, cols);
    if (rc)
        return rc;
    if (rows && (!x || !dy || !dx))
        return al__fail(AL_EINVAL, "act_backward_rows: NULL array");
    const struct act__desc *d = act__table[a->kind];
    if (d->rows_bwd)
        return d->rows_bwd(a->p, x, y, dy, dx, rows, cols);
    return act_backward(a, x, y, dy, dx, rows * cols);
}

static const struct act__desc *scalar(const act_spec *a)
{
    if (!a || (unsigned)a->kind >= ACT_COUNT || act__table[a->kind]->info.flags & ACT_ROWWISE)
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
