/* What the plot module's files share: the look (colours, line styles, sizes) and the
 * prepared job that plot.c lays out and plot_draw.c draws. */
#ifndef ACTLAB_SRC_PLOT_PLOT_JOB_H
#define ACTLAB_SRC_PLOT_PLOT_JOB_H

#include <plplot.h>

#include "actlab/plot.h"

/* ---- look ------------------------------------------------------------------------------ */

enum {
    COL_BG,    /* white background, also the legend's */
    COL_FG,    /* axes, ticks, text */
    COL_GRID,  /* light grid */
    COL_ZERO,  /* x = 0 and y = 0 lines */
    COL_FRAME, /* legend frame */
    COL_CURVE0,
    COL_BAND = COL_CURVE0 + PLOT_PALETTE_SIZE, /* set to a curve's colour, translucent */
    COL_COUNT
};

static const PLINT palette[COL_COUNT][3] = {
    {255, 255, 255}, /* background */
    {38, 38, 38},    /* foreground */
    {225, 225, 225}, /* grid */
    {120, 120, 120}, /* zero lines */
    {200, 200, 200}, /* legend frame */
    /* matplotlib's tab10 */
    {31, 119, 180},
    {255, 127, 14},
    {44, 160, 44},
    {214, 39, 40},
    {148, 103, 189},
    {140, 86, 75},
    {227, 119, 194},
    {127, 127, 127},
    {188, 189, 34},
    {23, 190, 207},
};

/* PLplot line styles (pllsty): 1 continuous, 4 long dash short gap, 2 short dash short gap */
static const PLINT line_style[] = {[PLOT_SOLID] = 1, [PLOT_DASHED] = 4, [PLOT_DOTTED] = 2,
                                   [PLOT_NONE] = 1};
#define BAND_ALPHA 0.18

#define CURVE_WIDTH 2.0
#define MARGIN 0.05 /* of the data's y span, above and below */
#define CHAR_MM 5.0 /* character height at scale 1: 14 px at the cairo drivers' 72 dpi */
#define PX_PER_MM (72.0 / 25.4)
#define LEGEND_TEXT 0.85   /* legend text, relative to the other text */
#define LEGEND_SPACING 1.9 /* legend rows, in character heights */
#define LEGEND_OFFSET 0.5  /* line to text, in pllegend's character widths */
#define LEGEND_LINE 3.0    /* the line sample, in character heights */

/* ---- the prepared job ---------------------------------------------------------------- */

/* A legend as pllegend() takes it. */
struct legend {
    PLINT n;
    char **text; /* escaped labels */
    PLINT *opt, *color, *style, *text_color;
    PLFLT *width;
};

struct panel_job {
    const plot_panel *p;
    double xmin, xmax, ymin, ymax; /* world coordinates (log10 of y on a log axis) */
    char *title, *xlabel, *ylabel; /* escaped for PLplot, never NULL */
    struct legend legend;          /* n == 0 without PLOT_LEGEND or labels */
    int outside;                   /* the legend goes right of the panel */
};

struct job {
    const plot_figure *fig;
    const char *device, *file;
    PLINT width, height;
    double scale; /* text size, 1 for a 600 x 500 panel */
    char *title;
    struct panel_job panel[2];
    double *scratch; /* one curve's y after the log transform */
};

/* plot.c: the geometry both the layout and the drawing need (a point drawable on the axis,
 * y on a log axis, a colour's slot, the legend box and the viewports). */
int plot__usable(double x, double y, int log_y);
double plot__ty(double y, int log_y);
int plot__palette_index(int color);
void plot__legend_size_mm(const struct legend *l, double chr, double page_w, double page_h,
                          double *w, double *h);
int plot__layout(const struct job *j, double page_w, double page_h, double chr,
                 double vp[2][4], double *fig_top);
/* plot_draw.c: draws a prepared job on the current PLplot stream, inside render()'s fence. */
void plot__draw(const struct job *j);

#endif
