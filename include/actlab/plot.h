/* actlab plotting: line plots to PNG, SVG or PDF through PLplot's cairo drivers.
 *
 * A figure is plain data that the caller owns: one or two panels (side by side or stacked),
 * each with a title, axis labels and curves given as double arrays. plot_write() renders it;
 * plot_activations() builds the usual "functions and their derivatives" figure from specs.
 * Nothing here keeps a pointer after it returns.
 *
 * Only available when the library is built with ACTLAB_PLOT=ON (the default).
 *
 * Errors are values: every function returns 0 (AL_OK) or an al_status code, and
 * al_last_error() says what was wrong. No function exits, aborts or prompts, also when
 * PLplot itself gives up. Output is written to a temporary file next to the target and
 * renamed into place at the end, so a failure never leaves half a file behind (a device or
 * FIFO named as the output is written directly, every write checked).
 *
 * Any thread may call these, but PLplot keeps global state, so a lock inside the library
 * runs one plot at a time. */
#ifndef ACTLAB_PLOT_H
#define ACTLAB_PLOT_H

#include "export.h"

#include <stddef.h>

#include "act.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Colours of the curve palette (matplotlib's "tab10"); plot_curve.color picks one, modulo
 * this count. */
#define PLOT_PALETTE_SIZE 10

/* Largest number of curves in one panel and points in one curve. */
#define PLOT_MAX_CURVES 64
#define PLOT_MAX_POINTS 10000000

/* PLOT_NONE draws no line: for a curve that only shades a band (fill_to). */
typedef enum plot_style { PLOT_SOLID = 0, PLOT_DASHED, PLOT_DOTTED, PLOT_NONE } plot_style;

/* One line. Points whose x or y is NaN or infinite (or y <= 0 on a log axis) are skipped and
 * break the line there, so a curve with holes is drawn as several pieces. */
typedef struct plot_curve {
    const char *label;   /* legend text; NULL or "" keeps the curve out of the legend */
    const double *x, *y; /* n values each */
    size_t n;
    plot_style style;
    int color; /* palette index, modulo PLOT_PALETTE_SIZE: the curve's position in its
                * panel gives distinct colours */
    /* NULL, or n values: the area between y and fill_to is shaded in the curve's colour, light
     * and translucent (a spread over seeds around a mean curve); a point where either is
     * unusable breaks the band. Its values count for the axis range. */
    const double *fill_to;
} plot_curve;

/* Flags of plot_panel.flags.
 * PLOT_GRID            light grid lines at the major ticks
 * PLOT_ZERO_AXES       the lines x = 0 and y = 0, where they are in range
 * PLOT_LEGEND          a legend of the labelled curves inside the panel, in the corner the
 *                      lines avoid (the y range grows if every corner is taken)
 * PLOT_LOG_Y           logarithmic y axis (loss curves)
 * PLOT_LEGEND_OUTSIDE  the legend right of the panel instead, for more than a few curves;
 *                      the panel narrows, and a default figure width grows to make room */
#define PLOT_GRID 1u
#define PLOT_ZERO_AXES 2u
#define PLOT_LEGEND 4u
#define PLOT_LOG_Y 8u
#define PLOT_LEGEND_OUTSIDE 16u
#define PLOT_DEFAULT (PLOT_GRID | PLOT_ZERO_AXES | PLOT_LEGEND)

typedef struct plot_panel {
    const char *title, *xlabel, *ylabel; /* each may be NULL */
    const plot_curve *curves;
    size_t n_curves; /* 0 draws empty axes */
    unsigned flags;  /* PLOT_* above */
    /* Fixed axis ranges, used where lo < hi; otherwise (e.g. all zero) the range comes from
     * the finite data: x tight, y with a 5% margin. */
    double xmin, xmax, ymin, ymax;
} plot_panel;

typedef struct plot_figure {
    const char *title; /* above all panels, or NULL */
    const plot_panel *panels;
    size_t n_panels;   /* 1 or 2 */
    int stacked;       /* 0: panels side by side; 1: one above the other */
    int width, height; /* pixels (points for SVG and PDF), 100..10000; 0 picks a size
                        * that fits the panels, e.g. 1200 x 500 for two side by side */
} plot_figure;

/* Renders fig to path. The format follows the extension, in any case: .png, .svg or .pdf;
 * any other is AL_EINVAL. AL_EIO when the file cannot be created or written (the message
 * names the path and the reason), AL_EINVAL for a malformed figure (no panels, more than
 * two, a curve with NULL data or too many points, a fixed size too small for the labels and
 * legends), AL_EUNSUPPORTED when PLplot lacks the cairo driver for the format. An existing
 * file at path is replaced only on success. */
ACTLAB_API al_status plot_write(const plot_figure *fig, const char *path);

/* Plots n elementwise functions at x = lo, lo + step, lo + 2 step, ... and hi itself (so
 * plot_grid_size(lo, hi, step) points): one panel f(x), and with with_grad a second panel
 * f'(x) beside it (act_backward with dy = 1), one colour per function, labelled with
 * act_format's text. AL_EINVAL for a row-wise function (softmax, maxout, glu, ...: they have
 * no curve), for lo >= hi or a bound outside float's range, for step <= 0 or more than
 * PLOT_MAX_ACT_POINTS points, for n == 0 or n > PLOT_MAX_CURVES; otherwise as plot_write. */
#define PLOT_MAX_ACT_POINTS 1000000
ACTLAB_API al_status plot_activations(const act_spec *specs, size_t n, double lo, double hi, double step,
                                int with_grad, const char *path);

/* The number of x values plot_activations samples; 0 for an invalid range or step, and
 * PLOT_MAX_ACT_POINTS + 1 for any count above the maximum. */
ACTLAB_API size_t plot_grid_size(double lo, double hi, double step);

#ifdef __cplusplus
}
#endif
#endif
