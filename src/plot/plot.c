/* Line plots through PLplot's cairo drivers (pngcairo, svgcairo, pdfcairo).
 *
 * PLplot is an old C library with habits a library of ours cannot have, so each is fenced:
 * - plexit() calls exit() after the user's exit handler returns. Our handler never returns:
 *   it longjmps back to render(), which ends the stream and reports AL_EIO. Everything that
 *   allocates is done before the jump point, so nothing of ours leaks on that path.
 * - plOpenFile() prompts on stdin when it cannot open the output file. We create the file
 *   ourselves first (src/core/atomic.c's temporary next to the target, or a scratch file
 *   when the target is a device or FIFO) so PLplot only reopens a file that exists, and
 *   check the device is compiled in, since plinit() prompts for an unknown one.
 * - plabort() prints to stderr. plsError() makes it write into our buffer instead, and the
 *   abort handler records the first message; either turns the call into a failure.
 * - state is global: one lock serialises plot_write(), and each call draws on a fresh
 *   stream (plmkstrm/plend1), so a caller's own PLplot stream is left alone.
 * PLplot ignores its own write errors, so the drawing goes to a file that then goes through
 * atomic.c: the temporary is fsync'd and renamed onto PATH only after plend1() has closed it
 * (a failure never leaves half a file), and a device gets the scratch drawing copied in with
 * every write checked (a full one is an error).
 *
 * Layout is computed here, not left to plenv(): margins in character heights, the legend
 * measured the way pllegend() measures it, so labels never collide at any size. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <plplot.h>

#include "actlab/plot.h"
#include "../core/atomic.h"
#include "../core/error.h"

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

/* ---- the prepared job: everything render() needs, allocated before it starts ---------- */

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

/* PLplot reads '#' as the start of an escape sequence; "##" is a literal '#'. */
static char *escape_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = 0;
    for (const char *c = s; *c; c++)
        n += *c == '#' ? 2 : 1;
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *c = s; *c; c++) {
        *o++ = *c;
        if (*c == '#')
            *o++ = '#';
    }
    *o = '\0';
    return out;
}

static int usable(double x, double y, int log_y)
{
    return isfinite(x) && isfinite(y) && (!log_y || y > 0.0);
}

static double ty(double y, int log_y)
{
    return log_y ? log10(y) : y;
}

static int palette_index(int color)
{
    int m = color % PLOT_PALETTE_SIZE;
    return COL_CURVE0 + (m < 0 ? m + PLOT_PALETTE_SIZE : m);
}

/* Axis ranges from the finite data, or the panel's fixed ones. */
static void compute_ranges(struct panel_job *pj)
{
    const plot_panel *p = pj->p;
    const int log_y = (p->flags & PLOT_LOG_Y) != 0;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t c = 0; c < p->n_curves; c++) {
        const plot_curve *cv = &p->curves[c];
        for (size_t i = 0; i < cv->n; i++)
            for (int k = 0; k < (cv->fill_to ? 2 : 1); k++) {
                double v = k ? cv->fill_to[i] : cv->y[i];
                if (!usable(cv->x[i], v, log_y))
                    continue;
                double y = ty(v, log_y);
                x0 = fmin(x0, cv->x[i]);
                x1 = fmax(x1, cv->x[i]);
                y0 = fmin(y0, y);
                y1 = fmax(y1, y);
            }
    }
    if (x0 > x1) { /* no usable point */
        x0 = 0.0;
        x1 = 1.0;
        y0 = 0.0;
        y1 = 1.0;
    }
    if (x0 == x1) {
        double pad = x0 != 0.0 ? fabs(x0) * 0.1 : 0.5;
        x0 -= pad;
        x1 += pad;
    }
    if (y0 == y1) {
        double pad = y0 != 0.0 ? fabs(y0) * 0.1 : 0.5;
        y0 -= pad;
        y1 += pad;
    } else { /* halves first: y1 - y0 may overflow where both are finite */
        double pad = (y1 * 0.5 - y0 * 0.5) * 2.0 * MARGIN;
        y0 = fmax(y0 - pad, -DBL_MAX);
        y1 = fmin(y1 + pad, DBL_MAX);
    }
    if (p->xmin < p->xmax && isfinite(p->xmin) && isfinite(p->xmax)) {
        x0 = p->xmin;
        x1 = p->xmax;
    }
    if (p->ymin < p->ymax && isfinite(p->ymin) && isfinite(p->ymax) && (!log_y || p->ymin > 0.0)) {
        y0 = ty(p->ymin, log_y);
        y1 = ty(p->ymax, log_y);
    }
    pj->xmin = x0;
    pj->xmax = x1;
    pj->ymin = y0;
    pj->ymax = y1;
}

static void legend_free(struct legend *l)
{
    if (l->text)
        for (PLINT i = 0; i < l->n; i++)
            free(l->text[i]);
    free(l->text);
    free(l->opt);
    free(l->color);
    free(l->style);
    free(l->text_color);
    free(l->width);
}

/* The labelled curves of a panel, in order. */
static int legend_build(struct legend *l, const plot_panel *p)
{
    size_t cap = 0;
    for (size_t c = 0; c < p->n_curves; c++)
        cap += p->curves[c].label && p->curves[c].label[0];
    if (cap == 0)
        return AL_OK;
    l->text = calloc(cap, sizeof *l->text);
    l->opt = malloc(cap * sizeof *l->opt);
    l->color = malloc(cap * sizeof *l->color);
    l->style = malloc(cap * sizeof *l->style);
    l->text_color = malloc(cap * sizeof *l->text_color);
    l->width = malloc(cap * sizeof *l->width);
    if (!l->text || !l->opt || !l->color || !l->style || !l->text_color || !l->width)
        return al__fail(AL_ENOMEM, "out of memory");
    for (size_t c = 0; c < p->n_curves; c++) {
        const plot_curve *cv = &p->curves[c];
        if (!cv->label || !cv->label[0])
            continue;
        PLINT i = l->n;
        if (!(l->text[i] = escape_text(cv->label)))
            return al__fail(AL_ENOMEM, "out of memory");
        l->n++;
        l->opt[i] = PL_LEGEND_LINE;
        l->color[i] = palette_index(cv->color);
        l->style[i] = line_style[cv->style];
        l->text_color[i] = COL_FG;
        l->width[i] = CURVE_WIDTH;
    }
    return AL_OK;
}

/* Width of a label in "em", from rough glyph classes. pllegend() sizes its box with the
 * internal plstrl() (Hershey metrics, whatever the device's font), which is not exported;
 * with EM_PER_CHAR_HEIGHT (calibrated against the width pllegend returns, plus 5%) this
 * tracks it within a few percent, which is all the layout needs. */
#define EM_PER_CHAR_HEIGHT (1.36 * 1.05)
static double text_width_em(const char *s)
{
    double w = 0.0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c & 0xC0) == 0x80) /* UTF-8 continuation byte */
            continue;
        if (strchr("il.,:;'|!j", *c))
            w += 0.28;
        else if (strchr("frt()[]- ", *c))
            w += 0.40;
        else if (strchr("mwMW", *c))
            w += 0.95;
        else if (*c >= 'A' && *c <= 'Z')
            w += 0.70;
        else if (*c == '_')
            w += 0.50;
        else
            w += 0.62;
    }
    return w;
}

/* The size of the box pllegend() draws, in mm, for character height chr (mm) on a page of
 * page_w x page_h mm. Its "character width" is the character height taken as a fraction of
 * the page's height and applied to its width; borders are 0.4 of it, the gap from line to
 * text LEGEND_OFFSET of it. */
static void legend_size_mm(const struct legend *l, double chr, double page_w, double page_h,
                           double *w, double *h)
{
    double em = 0.0;
    for (PLINT i = 0; i < l->n; i++)
        em = fmax(em, text_width_em(l->text[i]));
    double chr_w = chr * page_w / page_h;
    *w = (0.8 + LEGEND_OFFSET) * chr_w + LEGEND_LINE * chr +
         em * chr * LEGEND_TEXT * EM_PER_CHAR_HEIGHT;
    *h = l->n * LEGEND_SPACING * chr;
}

static void free_job(struct job *j)
{
    free(j->title);
    for (int k = 0; k < 2; k++) {
        struct panel_job *pj = &j->panel[k];
        free(pj->title);
        free(pj->xlabel);
        free(pj->ylabel);
        legend_free(&pj->legend);
    }
    free(j->scratch);
}

static int check_figure(const plot_figure *fig)
{
    if (!fig)
        return al__fail(AL_EINVAL, "plot_write: figure is NULL");
    if (fig->n_panels < 1 || fig->n_panels > 2 || !fig->panels)
        return al__fail(AL_EINVAL, "plot_write: a figure has 1 or 2 panels, not %zu",
                        fig->panels ? fig->n_panels : 0);
    if (fig->width < 0 || fig->height < 0 || fig->width > 10000 || fig->height > 10000 ||
        (fig->width > 0 && fig->width < 100) || (fig->height > 0 && fig->height < 100))
        return al__fail(AL_EINVAL, "plot_write: size %d x %d is outside 100..10000 (0 = automatic)",
                        fig->width, fig->height);
    for (size_t k = 0; k < fig->n_panels; k++) {
        const plot_panel *p = &fig->panels[k];
        if (p->n_curves > PLOT_MAX_CURVES)
            return al__fail(AL_EINVAL, "plot_write: panel %zu has %zu curves, at most %d", k + 1,
                            p->n_curves, PLOT_MAX_CURVES);
        if (p->n_curves && !p->curves)
            return al__fail(AL_EINVAL, "plot_write: panel %zu: curves is NULL", k + 1);
        for (size_t c = 0; c < p->n_curves; c++) {
            const plot_curve *cv = &p->curves[c];
            if (cv->n > PLOT_MAX_POINTS)
                return al__fail(AL_EINVAL,
                                "plot_write: panel %zu, curve %zu: %zu points, at most %d", k + 1,
                                c + 1, cv->n, PLOT_MAX_POINTS);
            if (cv->n && (!cv->x || !cv->y))
                return al__fail(AL_EINVAL, "plot_write: panel %zu, curve %zu: x or y is NULL",
                                k + 1, c + 1);
            if ((unsigned)cv->style > PLOT_NONE)
                return al__fail(AL_EINVAL, "plot_write: panel %zu, curve %zu: unknown style %d",
                                k + 1, c + 1, (int)cv->style);
        }
    }
    return AL_OK;
}

/* Text scale from the panel's area: 1 for 600 x 500, within 0.85..1.5. */
static double text_scale(const plot_figure *fig, double width, double height)
{
    if (fig->stacked && fig->n_panels > 1)
        height /= (double)fig->n_panels;
    else
        width /= (double)fig->n_panels;
    return fmin(1.5, fmax(0.85, sqrt(width * height) / 550.0));
}

/* Room (mm) an outside legend takes right of its panel: the box and a gap before it. */
static double outside_mm(const struct panel_job *pj, double chr, double page_w, double page_h)
{
    if (!pj->outside || pj->legend.n == 0)
        return 0.0;
    double w, h;
    legend_size_mm(&pj->legend, chr, page_w, page_h, &w, &h);
    return w + 1.5 * chr;
}

/* The viewport of each panel (vp[k] = x0, x1, y0, y1 in the page's normalised coordinates)
 * for a page of page_w x page_h mm and characters chr mm high; also where the figure title
 * ends (*fig_top). Margins are in character heights, so the layout holds for any size and
 * for the devices' different resolutions. Returns 0 when every panel keeps at least a few
 * characters of plot area each way, -1 when the page is too small for its text. */
static int layout(const struct job *j, double page_w, double page_h, double chr, double vp[2][4],
                  double *fig_top)
{
    const plot_figure *fig = j->fig;
    const double cw = chr / page_w, ch = chr / page_h;
    const double left = 7.0 * cw, right = 2.0 * cw, bottom = 5.0 * ch, top = 3.2 * ch;
    *fig_top = j->title[0] ? 1.0 - 3.2 * ch : 1.0;

    /* Cells: equal shares of the page, plus each outside legend's room beside its panel
     * (stacked panels all keep the widest legend's room, so their x axes line up). */
    const size_t n = fig->n_panels;
    const int stacked = fig->stacked && n > 1;
    double room[2] = {0.0, 0.0}, total = 0.0;
    for (size_t k = 0; k < n; k++) {
        room[k] = outside_mm(&j->panel[k], chr, page_w, page_h) / page_w;
        total = stacked ? fmax(total, room[k]) : total + room[k];
    }
    double x = 0.0;
    for (size_t k = 0; k < n; k++) {
        double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = *fig_top, legend_room = total;
        if (stacked) {
            double h = *fig_top / (double)n;
            y1 = *fig_top - h * (double)k;
            y0 = y1 - h;
        } else {
            legend_room = room[k];
            x0 = x;
            x1 = x = x0 + (1.0 - total) / (double)n + legend_room;
        }
        vp[k][0] = x0 + left;
        vp[k][1] = x1 - right - legend_room;
        vp[k][2] = y0 + bottom;
        vp[k][3] = y1 - top;
        if (vp[k][1] - vp[k][0] < 4.0 * cw || vp[k][3] - vp[k][2] < 3.0 * ch)
            return -1;
    }
    return 0;
}

static int prepare(struct job *j, const plot_figure *fig)
{
    size_t max_n = 0;
    int rc;
    j->fig = fig;
    if (!(j->title = escape_text(fig->title)))
        return al__fail(AL_ENOMEM, "out of memory");
    for (size_t k = 0; k < fig->n_panels; k++) {
        struct panel_job *pj = &j->panel[k];
        const plot_panel *p = &fig->panels[k];
        pj->p = p;
        compute_ranges(pj);
        pj->title = escape_text(p->title);
        pj->xlabel = escape_text(p->xlabel);
        pj->ylabel = escape_text(p->ylabel);
        if (!pj->title || !pj->xlabel || !pj->ylabel)
            return al__fail(AL_ENOMEM, "out of memory");
        for (size_t c = 0; c < p->n_curves; c++)
            if (p->curves[c].n > max_n)
                max_n = p->curves[c].n;
        pj->outside = (p->flags & PLOT_LEGEND_OUTSIDE) != 0;
        if ((p->flags & (PLOT_LEGEND | PLOT_LEGEND_OUTSIDE)) &&
            (rc = legend_build(&pj->legend, p)) != AL_OK)
            return rc;
    }
    /* a curve's log values, then a band's polygon (x and y, both ways round) */
    if (max_n && !(j->scratch = malloc(5 * max_n * sizeof *j->scratch)))
        return al__fail(AL_ENOMEM, "out of memory");

    /* Default size: 600 x 500 per panel side by side, 800 x 400 per panel stacked, plus the
     * room of outside legends (which depends on the final width: a few rounds settle it). */
    const int stacked = fig->stacked && fig->n_panels > 1;
    const int np = (int)fig->n_panels;
    double w = fig->width ? fig->width : stacked ? 800 : 600 * np;
    double h = fig->height ? fig->height : stacked ? 400 * np : 500;
    if (fig->title && fig->title[0] && !fig->height)
        h += 30;
    j->scale = text_scale(fig, w, h);
    if (!fig->width) {
        double base = w, chr = CHAR_MM * j->scale;
        for (int round = 0; round < 4; round++) {
            double extra = 0.0, page_w = w / PX_PER_MM, page_h = h / PX_PER_MM;
            for (int k = 0; k < np; k++) {
                double mm = outside_mm(&j->panel[k], chr, page_w, page_h);
                extra = stacked ? fmax(extra, mm) : extra + mm;
            }
            w = fmin(10000.0, base + ceil(extra * PX_PER_MM));
        }
    }
    j->width = (PLINT)w;
    j->height = (PLINT)h;
    double vp[2][4], fig_top;
    if (layout(j, w / PX_PER_MM, h / PX_PER_MM, CHAR_MM * j->scale, vp, &fig_top))
        return al__fail(AL_EINVAL,
                        "plot_write: %d x %d is too small for this figure's labels and legends",
                        j->width, j->height);
    return AL_OK;
}

/* ---- drawing -------------------------------------------------------------------------- */

/* The band between y and fill_to, run by run as the lines are: poly holds 4 * cv->n. */
static void draw_band(const plot_curve *cv, int log_y, double *poly)
{
    int col = palette_index(cv->color);
    plscol0a(COL_BAND, palette[col][0], palette[col][1], palette[col][2], BAND_ALPHA);
    plcol0(COL_BAND);
    size_t i = 0;
    while (i < cv->n) {
        while (i < cv->n && !(usable(cv->x[i], cv->y[i], log_y) &&
                              usable(cv->x[i], cv->fill_to[i], log_y)))
            i++;
        size_t start = i;
        while (i < cv->n && usable(cv->x[i], cv->y[i], log_y) &&
               usable(cv->x[i], cv->fill_to[i], log_y))
            i++;
        size_t len = i - start;
        if (len < 2)
            continue;
        double *px = poly, *py = poly + 2 * len;
        for (size_t k = 0; k < len; k++) {
            px[k] = cv->x[start + k];
            py[k] = ty(cv->y[start + k], log_y);
            px[2 * len - 1 - k] = cv->x[start + k];
            py[2 * len - 1 - k] = ty(cv->fill_to[start + k], log_y);
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
    plcol0(palette_index(cv->color));
    pllsty(line_style[cv->style]);
    plwidth(CURVE_WIDTH);
    size_t i = 0;
    while (i < cv->n) {
        while (i < cv->n && !usable(cv->x[i], cv->y[i], log_y))
            i++;
        size_t start = i;
        while (i < cv->n && usable(cv->x[i], cv->y[i], log_y))
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
        if (len == 1) /* a lone point: a dot, since a line needs two */
            plline(2, (const PLFLT[]){cv->x[start], cv->x[start]}, (const PLFLT[]){y[0], y[0]});
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
            if (!usable(cv->x[i], cv->y[i], log_y)) {
                have_prev = 0;
                continue;
            }
            double u = (cv->x[i] - xmin) / sx, v = (ty(cv->y[i], log_y) - ymin) / sy;
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
        legend_size_mm(&pj->legend, chr, page_w, page_h, &w, &h);
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

static void draw(const struct job *j)
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
    layout(j, page_w, page_h, chr, vp, &fig_top); /* prepare() checked it fits */
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

/* ---- the PLplot fence ----------------------------------------------------------------- */

static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf plexit_jump;
static char pl_message[256]; /* first message PLplot gave, for al_last_error() */
static PLINT pl_errcode;
static char pl_errmsg[2048]; /* plabort() sprintf()s into this; its messages are short */

static int on_plexit(const char *msg)
{
    if (!pl_message[0])
        snprintf(pl_message, sizeof pl_message, "%s", msg ? msg : "");
    longjmp(plexit_jump, 1);
}

static void on_plabort(const char *msg)
{
    if (!pl_message[0])
        snprintf(pl_message, sizeof pl_message, "%s", msg ? msg : "");
}

/* 0 when PLplot drew and closed the file; nonzero when it gave up or reported an error. */
static int render(const struct job *j)
{
    PLINT old_stream, stream = -1;
    pl_message[0] = '\0';
    pl_errmsg[0] = '\0';
    pl_errcode = 0;
    plgstrm(&old_stream);
    plmkstrm(&stream);
    if (stream < 0) {
        snprintf(pl_message, sizeof pl_message, "no free PLplot stream");
        return -1;
    }
    plsError(&pl_errcode, pl_errmsg);
    plsexit(on_plexit);
    plsabort(on_plabort);
    if (setjmp(plexit_jump)) {
        /* PLplot wanted to exit. End the stream as plexit() would; should that give up too,
         * the handler lands here again (setjmp below) and the stream is abandoned. */
        if (!setjmp(plexit_jump))
            plend1();
        plsexit(NULL);
        plsabort(NULL);
        plsstrm(old_stream);
        return -1;
    }
    draw(j);
    plend1();
    plsexit(NULL);
    plsabort(NULL);
    plsstrm(old_stream);
    if (pl_errcode && !pl_message[0]) { /* "MESSAGE, aborting operation\n" */
        size_t len = strnlen(pl_errmsg, sizeof pl_message - 1);
        while (len > 0 && pl_errmsg[len - 1] == '\n')
            len--;
        memcpy(pl_message, pl_errmsg, len);
        pl_message[len] = '\0';
    }
    return pl_errcode || pl_message[0];
}

static int device_available(const char *dev)
{
    const char *menu_buf[128], *name_buf[128];
    const char **menu = menu_buf, **names = name_buf;
    int n = 128;
    plgDevs(&menu, &names, &n);
    for (int i = 0; i < n; i++)
        if (names[i] && strcmp(names[i], dev) == 0)
            return 1;
    return 0;
}

static const char *device_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot)
        return NULL;
    if (strcasecmp(dot, ".png") == 0)
        return "pngcairo";
    if (strcasecmp(dot, ".svg") == 0)
        return "svgcairo";
    if (strcasecmp(dot, ".pdf") == 0)
        return "pdfcairo";
    return NULL;
}

/* Size of what PLplot drew into name; -1 with errno when it cannot be told. */
static long drawn_size(const char *name)
{
    struct stat st;
    return stat(name, &st) == 0 ? (long)st.st_size : -1;
}

/* Copies the scratch drawing into f (the device or FIFO the user named); -1 with errno. */
static int copy_drawing(const char *scratch, FILE *f)
{
    FILE *in = fopen(scratch, "rb");
    if (!in)
        return -1;
    char buf[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, f) == n ? 0 : -1;
    if (!rc && ferror(in))
        rc = -1;
    int e = errno;
    fclose(in);
    errno = e;
    return rc;
}

al_status plot_write(const plot_figure *fig, const char *path)
{
    AL_API_ENTRY;
    if (!path || !path[0])
        return al__fail(AL_EINVAL, "no output path");
    const char *dev = device_for(path);
    if (!dev)
        return al__fail(AL_EINVAL, "%s: unknown format; use a .png, .svg or .pdf name", path);
    int rc = check_figure(fig);
    if (rc)
        return rc;

    struct job j = {0};
    char *tmp = NULL, *scratch = NULL;
    FILE *f = NULL;
    pthread_mutex_lock(&plot_lock);
    rc = prepare(&j, fig);
    if (!rc && !device_available(dev))
        rc = al__fail(AL_EUNSUPPORTED,
                      "%s: PLplot has no '%s' driver (install its cairo "
                      "drivers)",
                      path, dev);
    if (!rc)
        rc = al__atomic_open(path, &tmp, &f);
    if (!rc && !tmp && (rc = al__scratch_create(path, &scratch)) != AL_OK)
        fclose(f); /* the device itself, nothing written to it */
    if (!rc) {
        /* PLplot reopens the temporary by name and draws into it; a device or FIFO gets a
         * scratch drawing copied in, since PLplot ignores its own write errors */
        j.device = dev;
        j.file = tmp ? tmp : scratch;
        int failed = render(&j), size = failed ? 0 : drawn_size(j.file) > 0;
        int copy_failed = !failed && size && scratch && copy_drawing(scratch, f) != 0;
        rc = al__atomic_commit(path, tmp, f, failed || !size || copy_failed);
        if (failed)
            rc = al__fail(AL_EIO, "cannot write %s: PLplot: %s", path,
                          pl_message[0] ? pl_message : "failed");
        else if (!size)
            rc = al__fail(AL_EIO, "cannot write %s: PLplot wrote nothing", path);
    }
    al__scratch_remove(scratch);
    pthread_mutex_unlock(&plot_lock);
    free_job(&j);
    if (!rc)
        al__clear_error();
    return rc;
}

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
