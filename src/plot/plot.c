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
#include "plot_job.h"

/* ---- the prepared job: everything render() needs, allocated before it starts ---------- */


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

int plot__usable(double x, double y, int log_y)
{
    return isfinite(x) && isfinite(y) && (!log_y || y > 0.0);
}

double plot__ty(double y, int log_y)
{
    return log_y ? log10(y) : y;
}

int plot__palette_index(int color)
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
                if (!plot__usable(cv->x[i], v, log_y))
                    continue;
                double y = plot__ty(v, log_y);
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
        y0 = plot__ty(p->ymin, log_y);
        y1 = plot__ty(p->ymax, log_y);
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
        l->color[i] = plot__palette_index(cv->color);
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
void plot__legend_size_mm(const struct legend *l, double chr, double page_w, double page_h,
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
    plot__legend_size_mm(&pj->legend, chr, page_w, page_h, &w, &h);
    return w + 1.5 * chr;
}

/* The viewport of each panel (vp[k] = x0, x1, y0, y1 in the page's normalised coordinates)
 * for a page of page_w x page_h mm and characters chr mm high; also where the figure title
 * ends (*fig_top). Margins are in character heights, so the layout holds for any size and
 * for the devices' different resolutions. Returns 0 when every panel keeps at least a few
 * characters of plot area each way, -1 when the page is too small for its text. */
int plot__layout(const struct job *j, double page_w, double page_h, double chr,
                 double vp[2][4], double *fig_top)
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
    if (plot__layout(j, w / PX_PER_MM, h / PX_PER_MM, CHAR_MM * j->scale, vp, &fig_top))
        return al__fail(AL_EINVAL,
                        "plot_write: %d x %d is too small for this figure's labels and legends",
                        j->width, j->height);
    return AL_OK;
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
    plot__draw(j);
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
