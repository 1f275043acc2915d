/* Drawing a prepared job (plot_job.h) with PLplot calls: bands, curves, axes, legends.
 * Called by render() in plot.c inside its fence. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plplot.h>

#include "plot_job.h"

/* ---- drawing -------------------------------------------------------------------------- */

/* The band between y and fill_to, run by run as the lines are: poly holds 4 * cv->n. */
static void draw_band(const plot_curve *cv, int log_y, double *poly)
{
    int col = plot__palette_index(cv->color);
    plscol0a(COL_BAND, palette[col][0], palette[col][1], palette[col][2], BAND_ALPHA);
    plcol0(COL_BAND);
    size_t i = 0;
    while (i < cv->n) {
        while (i < cv->n && !(plot__usable(cv->x[i], cv->y[i], log_y) &&
                              plot__usable(cv->x[i], cv->fill_to[i], log_y)))
            i++;
        size_t start = i;
        while (i < cv->n && plot__usable(cv->x[i], cv->y[i], log_y) &&
               plot__usable(cv->x[i], cv->fill_to[i], log_y))
            i++;
        size_t len = i - start;
        if (len < 2)
            continue;
        double *px = poly, *py = poly + 2 * len;
        for (size_t k = 0; k < len; k++) {
            px[k] = cv->x[start + k];
            py[k] = plot__ty(cv->y[start + k], log_y);
            px[2 * len - 1 - k] = cv->x[start + k];
            py[2 * len - 1 - k] = plot__ty(cv->fill_to[start + k], log_y);
        }
        plfill((PLINT)(2 * len), px, py);
    }
}

/* Draws the usable runs of a curve: every NaN, inf (or y <= 0 on a log axis) ends one.
 * scratch holds 5 * cv->n values. */
static void draw_curve(const plot_curve *cv, int log_y, double *scratch)
{
    if (cv->fill_to)
        draw_band(cv, log_y, scratch + cv->n);
    if (cv->style == PLOT_NONE)
        return;
    plcol0(plot__palette_index(cv->color));
    pllsty(line_style[cv->style]);
    plwidth(CURVE_WIDTH);
    size_t i = 0;
    while (i < cv->n) {
        while (i < cv->n && !plot__usable(cv->x[i], cv->y[i], log_y))
            i++;
        size_t start = i;
        while (i < cv->n && plot__usable(cv->x[i], cv->y[i], log_y))
            i++;
        size_t len = i - start;
        if (len == 0)
            continue;
        const double *y = cv->y + start;
        if (log_y) {
            for (size_t k = 0; k < len; k++)
                scratch[k] = log10(y[k]);
            y = scratch;
        }
        if (len == 1) /* a lone point (one epoch): a filled dot; a line needs two */
            plpoin(1, cv->x + start, y, 17);
        else
            plline((PLINT)len, cv->x + start, y);
    }
    pllsty(1);
}

/* Where the legend goes. The legend is a box of box_w x box_h (fractions of the viewport)
 * in one corner; the data are sampled along every line (segments subdivided, so a sparse
 * loss curve counts where it passes, not only at its points). A corner no line enters wins,
 * upper corners first. Otherwise the legend goes to the upper corner that needs the least
 * extra headroom, and *ymax grows so that the lines pass below the box. */
struct corner_stat {
    size_t hits; /* samples inside the box */
    double top;  /* highest sample (0..1 of the y range) under the box's x span */
};

static void sample(struct corner_stat st[4], double u, double v, double box_w, double box_h)
{
    if (u < 0 || u > 1 || v < 0 || v > 1)
        return;
    int left = u <= box_w, right = u >= 1 - box_w;
    int top = v >= 1 - box_h, bottom = v <= box_h;
    st[0].hits += top && left;
    st[1].hits += top && right;
    st[2].hits += bottom && left;
    st[3].hits += bottom && right;
    if (left && v > st[0].top)
        st[0].top = v;
    if (right && v > st[1].top)
        st[1].top = v;
}

static PLINT place_legend(const plot_panel *p, double xmin, double xmax, double ymin, double *ymax,
                          int ymax_fixed, double box_w, double box_h)
{
    static const PLINT corner[4] = {
        PL_POSITION_TOP | PL_POSITION_LEFT, PL_POSITION_TOP | PL_POSITION_RIGHT,
        PL_POSITION_BOTTOM | PL_POSITION_LEFT, PL_POSITION_BOTTOM | PL_POSITION_RIGHT};
    struct corner_stat st[4] = {{0, 0.0}};
    const int log_y = (p->flags & PLOT_LOG_Y) != 0;
    const double sx = xmax - xmin, sy = *ymax - ymin;
    for (size_t c = 0; c < p->n_curves; c++) {
        const plot_curve *cv = &p->curves[c];
        size_t stride = cv->n / 4000 + 1;
        int have_prev = 0;
        double pu = 0, pv = 0;
        for (size_t i = 0; i < cv->n; i += stride) {
            if (!plot__usable(cv->x[i], cv->y[i], log_y)) {
                have_prev = 0;
                continue;
            }
            double u = (cv->x[i] - xmin) / sx, v = (plot__ty(cv->y[i], log_y) - ymin) / sy;
            int steps = 1;
            if (have_prev) {
                double d = fmax(fabs(u - pu), fabs(v - pv));
                steps = d > 0.01 ? (int)fmin(200.0, ceil(d / 0.01)) : 1;
            }
            for (int s = 1; s <= steps; s++) {
                double t = have_prev ? (double)s / steps : 1.0;
                sample(st, pu + (u - pu) * t, pv + (v - pv) * t, box_w, box_h);
            }
            pu = u;
            pv = v;
            have_prev = 1;
        }
    }
    for (int k = 0; k < 4; k++)
        if (st[k].hits == 0)
            return corner[k];
    const double gap = 0.03, room = 1.0 - box_h - gap;
    if (ymax_fixed || room < 0.3) { /* no headroom to make: the corner least in the way */
        int best = 0;
        for (int k = 1; k < 4; k++)
            if (st[k].hits < st[best].hits)
                best = k;
        return corner[best];
    }
    int best = st[1].top < st[0].top ? 1 : 0;
    double need = ymin + st[best].top * sy / room;
    if (need > *ymax)
        *ymax = need;
    return corner[best];
}

/* One panel in the viewport (vx0..vx1, vy0..vy1) of a page of page_w x page_h mm, with
 * characters chr mm high. */
static void draw_panel(const struct job *j, const struct panel_job *pj, double vx0, double vx1,
                       double vy0, double vy1, double chr, double page_w, double page_h)
{
    const plot_panel *p = pj->p;
    const int log_y = (p->flags & PLOT_LOG_Y) != 0;
    const char *yopt_grid = log_y ? "gl" : "g";
    const char *yopt = log_y ? "bcnstvl" : "bcntv"; /* minor ticks mark 2..9 on log */
    double xmin = pj->xmin, xmax = pj->xmax, ymin = pj->ymin, ymax = pj->ymax;
    const double vp_w = (vx1 - vx0) * page_w, vp_h = (vy1 - vy0) * page_h; /* mm */
    const double offset_x = 0.6 * chr / vp_w, offset_y = 0.6 * chr / vp_h;
    const double line = LEGEND_LINE * chr / vp_w;
    PLINT legend_pos = 0;
    double legend_x = offset_x, legend_y = offset_y;

    plvpor(vx0, vx1, vy0, vy1);
    double w = 0.0, h = 0.0;
    if (pj->legend.n > 0)
        plot__legend_size_mm(&pj->legend, chr, page_w, page_h, &w, &h);
    if (pj->legend.n > 0 && !pj->outside) {
        int ymax_fixed = p->ymin < p->ymax && isfinite(p->ymin) && isfinite(p->ymax);
        legend_pos = place_legend(p, xmin, xmax, ymin, &ymax, ymax_fixed, offset_x + w / vp_w,
                                  offset_y + h / vp_h);
        legend_pos |= PL_POSITION_INSIDE;
    } else if (pj->legend.n > 0) {
        /* "outside, right, top" puts the box above the corner; move it down by its height
         * (which pllegend computes exactly as legend_size_mm does) so it starts level with
         * the top of the panel */
        legend_pos = PL_POSITION_OUTSIDE | PL_POSITION_RIGHT | PL_POSITION_TOP;
        legend_x = 1.5 * chr / vp_w;
        legend_y = -h / vp_h;
    }
    plwind(xmin, xmax, ymin, ymax);
    plwidth(1.0);
    if (p->flags & PLOT_GRID) {
        plcol0(COL_GRID);
        plbox("g", 0.0, 0, yopt_grid, 0.0, 0);
    }
    if (p->flags & PLOT_ZERO_AXES) {
        plcol0(COL_ZERO);
        plwidth(1.2);
        if (!log_y && ymin < 0.0 && ymax > 0.0)
            pljoin(xmin, 0.0, xmax, 0.0);
        if (xmin < 0.0 && xmax > 0.0)
            pljoin(0.0, ymin, 0.0, ymax);
        plwidth(1.0);
    }
    /* last to first, so the first curves stay on top where lines coincide: relu over
     * leaky_relu for x > 0 leaves both visible, where the other order hides relu */
    for (size_t c = p->n_curves; c-- > 0;)
        draw_curve(&p->curves[c], log_y, j->scratch);

    plcol0(COL_FG);
    plwidth(1.0);
    /* labels of up to 7 characters as they are: PLplot's default writes 0.26 as 2.6 with a
     * "(x10^-1)" above the axis, where it runs into the panel's title */
    plsxax(7, 0);
    plsyax(7, 0);
    plbox("bcnt", 0.0, 0, yopt, 0.0, 0);
    if (pj->title[0]) {
        plschr(0.0, j->scale * 1.2);
        plmtex("t", 1.0, 0.5, 0.5, pj->title);
        plschr(0.0, j->scale);
    }
    if (pj->xlabel[0])
        plmtex("b", 2.9, 0.5, 0.5, pj->xlabel);
    if (pj->ylabel[0])
        plmtex("l", 5.6, 0.5, 0.5, pj->ylabel); /* clear of 7-character tick labels */

    if (legend_pos) {
        const struct legend *l = &pj->legend;
        PLFLT legend_w, legend_h;
        pllegend(&legend_w, &legend_h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
                 legend_pos | PL_POSITION_VIEWPORT, legend_x, legend_y, line, COL_BG, COL_FRAME, 1,
                 0, 0, l->n, l->opt, LEGEND_OFFSET, j->scale * LEGEND_TEXT, LEGEND_SPACING, 0.0,
                 l->text_color, (const char *const *)l->text, NULL, NULL, NULL, NULL, l->color,
                 l->style, l->width, NULL, NULL, NULL, NULL);
        plcol0(COL_FG);
    }
}

void plot__draw(const struct job *j)
{
    const plot_figure *fig = j->fig;
    plspage(0.0, 0.0, j->width, j->height, 0, 0);
    plsdev(j->device);
    plsfnam(j->file);
    plscmap0n(COL_COUNT);
    PLINT r[COL_COUNT], g[COL_COUNT], b[COL_COUNT];
    for (int i = 0; i < COL_COUNT; i++) {
        r[i] = palette[i][0];
        g[i] = palette[i][1];
        b[i] = palette[i][2];
    }
    plscmap0(r, g, b, COL_COUNT);
    plinit();
    pladv(0);
    plschr(CHAR_MM, j->scale);

    double chr_def, chr, mm_x0, mm_x1, mm_y0, mm_y1;
    plgchr(&chr_def, &chr);
    plgspa(&mm_x0, &mm_x1, &mm_y0, &mm_y1);
    const double page_w = mm_x1 - mm_x0, page_h = mm_y1 - mm_y0;
    double vp[2][4], fig_top;
    plot__layout(j, page_w, page_h, chr, vp, &fig_top); /* prepare() checked it fits */
    if (j->title[0]) {
        plvpor(0.0, 1.0, 0.0, 1.0);
        plwind(0.0, 1.0, 0.0, 1.0);
        plcol0(COL_FG);
        plschr(0.0, j->scale * 1.35);
        plmtex("t", -1.6, 0.5, 0.5, j->title);
        plschr(0.0, j->scale);
    }
    for (size_t k = 0; k < fig->n_panels; k++)
        draw_panel(j, &j->panel[k], vp[k][0], vp[k][1], vp[k][2], vp[k][3], chr, page_w, page_h);
}
