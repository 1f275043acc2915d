/* Activation functions as a figure: the grid of x values and the curves of f and f' that
 * `actlab plot` and the tour draw, handed to plot_write (plot.c). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/plot.h"
#include "../core/error.h"

/* ---- activation functions --------------------------------------------------------------- */

size_t plot_grid_size(double lo, double hi, double step)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || !isfinite(step) || !(step > 0.0))
        return 0;
    double count = floor((hi - lo) / step + 1e-9) + 1.0;
    if (!(count <= PLOT_MAX_ACT_POINTS))
        return PLOT_MAX_ACT_POINTS + 1;
    size_t m = (size_t)count;
    if (lo + (double)(m - 1) * step < hi - step * 1e-6) /* the last step falls short of hi */
        m++;
    return m > PLOT_MAX_ACT_POINTS ? PLOT_MAX_ACT_POINTS + 1 : m;
}

al_status plot_activations(const act_spec *specs, size_t n, double lo, double hi, double step,
                     int with_grad, const char *path)
{
    AL_API_ENTRY;
    if (!specs || n == 0)
        return al__fail(AL_EINVAL, "plot_activations: no functions to plot");
    if (n > PLOT_MAX_CURVES)
        return al__fail(AL_EINVAL, "plot_activations: %zu functions, at most %d", n,
                        PLOT_MAX_CURVES);
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || fabs(lo) > FLT_MAX || fabs(hi) > FLT_MAX)
        return al__fail(AL_EINVAL,
                        "plot_activations: bad range %g:%g (need lo < hi, both finite floats)", lo,
                        hi);
    if (!(step > 0.0) || !isfinite(step))
        return al__fail(AL_EINVAL, "plot_activations: bad step %g (need step > 0)", step);
    size_t m = plot_grid_size(lo, hi, step);
    if (m > PLOT_MAX_ACT_POINTS)
        return al__fail(AL_EINVAL,
                        "plot_activations: range %g:%g with step %g gives more than %d points", lo,
                        hi, step, PLOT_MAX_ACT_POINTS);
    for (size_t i = 0; i < n; i++) {
        const act_info *info = act_get_info(specs[i].kind);
        if (!info)
            return al__fail(AL_EINVAL, "plot_activations: function %zu: unknown kind %d", i + 1,
                            (int)specs[i].kind);
        if (info->flags & ACT_ROWWISE)
            return al__fail(AL_EINVAL,
                            "%s works on whole rows, not single values; it has "
                            "no curve to plot",
                            info->name);
        int rc = act_validate(&specs[i]);
        if (rc)
            return rc;
    }

    /* x = lo + i*step, the last one hi itself */
    size_t per = with_grad ? 3 : 2; /* float x, f, f' */
    float *xf = malloc(m * per * sizeof *xf);
    double *xd = malloc(m * sizeof *xd);
    double *yd = malloc(m * n * (with_grad ? 2 : 1) * sizeof *yd);
    char(*labels)[128] = malloc(n * sizeof *labels);
    plot_curve *curves = malloc(n * 2 * sizeof *curves);
    int rc = AL_OK;
    if (!xf || !xd || !yd || !labels || !curves) {
        rc = al__fail(AL_ENOMEM, "out of memory for %zu points", m);
        goto done;
    }
    float *yf = xf + m, *gf = with_grad ? xf + 2 * m : NULL;
    for (size_t i = 0; i < m; i++) {
        double x = i + 1 == m ? hi : lo + (double)i * step;
        xf[i] = (float)x;
        xd[i] = (double)xf[i]; /* plot the x the function actually saw */
    }
    for (size_t k = 0; k < n; k++) {
        double *f = yd + k * m, *g = with_grad ? yd + (n + k) * m : NULL;
        if ((rc = act_forward(&specs[k], xf, yf, m)) != AL_OK)
            goto done;
        for (size_t i = 0; i < m; i++)
            f[i] = yf[i];
        if (with_grad) {
            for (size_t i = 0; i < m; i++)
                gf[i] = 1.0f;
            if ((rc = act_backward(&specs[k], xf, yf, gf, gf, m)) != AL_OK)
                goto done;
            for (size_t i = 0; i < m; i++)
                g[i] = gf[i];
        }
        act_format(&specs[k], labels[k], sizeof labels[k]);
        curves[k] = (plot_curve){labels[k], xd, f, m, PLOT_SOLID, (int)k, NULL};
        if (with_grad)
            curves[n + k] = (plot_curve){labels[k], xd, g, m, PLOT_SOLID, (int)k, NULL};
    }
    /* One legend is enough: the colours are the same in both panels. Up to four entries it
     * fits inside the f(x) panel; more go to the right of the last panel. */
    const unsigned axes = PLOT_GRID | PLOT_ZERO_AXES;
    const unsigned legend = n <= 4 ? PLOT_LEGEND : PLOT_LEGEND_OUTSIDE;
    plot_panel panels[2] = {
        {.title = "Activation functions",
         .xlabel = "x",
         .ylabel = "f(x)",
         .curves = curves,
         .n_curves = n,
         .flags = axes | (n <= 4 || !with_grad ? legend : 0)},
        {.title = "Derivatives",
         .xlabel = "x",
         .ylabel = "f'(x)",
         .curves = curves + n,
         .n_curves = n,
         .flags = axes | (n > 4 ? legend : 0)},
    };
    plot_figure fig = {.panels = panels, .n_panels = with_grad ? 2 : 1};
    rc = plot_write(&fig, path);
done:
    free(xf);
    free(xd);
    free(yd);
    free(labels);
    free(curves);
    return rc;
}
