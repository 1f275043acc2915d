/* compare's figures (curves of every activation, the seed spread shaded around the mean) and
 * report.html: one page with nothing fetched from anywhere, the figures inline as SVG. */
#define _POSIX_C_SOURCE 200809L /* uname, gethostname */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../core/atomic.h"
#include "cli.h"
#include "compare_report.h"
#include "train_log.h"
#ifdef ACTLAB_HAVE_PLOT
#include "actlab/plot.h"
#endif

#define MAX_CURVES 63 /* PLOT_MAX_CURVES less one */

/* mean and standard deviation over act's finished runs of a per-epoch value, for epochs
 * 1..len (NaN where no run reached it) */
static void per_epoch(const struct cmp_report *r, const char *act, int val, int loss, long len,
                      double *mean, double *lo, double *hi)
{
    for (long e = 0; e < len; e++) {
        double s = 0, q = 0;
        size_t k = 0;
        for (size_t i = 0; i < r->plan->n_runs; i++) {
            const struct cmp_run *run = &r->plan->runs[i];
            if (strcmp(run->act, act) || !run->done || run->n <= e)
                continue;
            const nn_epoch_stats *st = &run->hist[e];
            double v = loss ? (val ? st->val_loss : st->loss)
                            : cli_metric_value(st, r->metric, val);
            if (!isfinite(v))
                continue;
            s += v, q += v * v, k++;
        }
        mean[e] = k ? s / (double)k : NAN;
        double var = k > 1 ? fmax(0, (q - s * s / (double)k) / (double)(k - 1)) : 0;
        lo[e] = k > 1 ? mean[e] - sqrt(var) : NAN;
        hi[e] = k > 1 ? mean[e] + sqrt(var) : NAN;
    }
}

#ifdef ACTLAB_HAVE_PLOT
/* one figure: for every activation its mean curve (and mean ± std when seeds > 1) */
static int figure(const struct cmp_report *r, int val, const char *stem)
{
    long len = r->plan->opts->epochs;
    size_t na = r->n_acts, per = r->seeds > 1 ? 2 : 1;
    if (na * per > MAX_CURVES)
        na = MAX_CURVES / per;
    double *buf = malloc((size_t)(len ? len : 1) * (1 + 6 * na) * sizeof *buf);
    plot_curve *lc = calloc(2 * na * per + 1, sizeof *lc);
    if (!buf || !lc) {
        free(buf), free(lc);
        return al_set_error(AL_ENOMEM, "out of memory for the figures");
    }
    double *x = buf;
    for (long e = 0; e < len; e++)
        x[e] = (double)(e + 1);
    plot_curve *mc = lc + na * per;
    size_t n = 0;
    for (size_t a = 0; a < na; a++) {
        double *v = buf + len * (1 + 6 * a);
        per_epoch(r, r->acts[a].act, val, 1, len, v, v + len, v + 2 * len);
        per_epoch(r, r->acts[a].act, val, 0, len, v + 3 * len, v + 4 * len, v + 5 * len);
        /* colours repeat after ten: the line style changes with each round of colours */
        plot_style st = (plot_style)((a / PLOT_PALETTE_SIZE) % 3);
        /* the mean, and with several seeds a shaded band of mean ± std under it */
        lc[n] = (plot_curve){r->acts[a].act, x, v, (size_t)len, st, (int)a, NULL};
        mc[n] = (plot_curve){r->acts[a].act, x, v + 3 * len, (size_t)len, st, (int)a, NULL};
        n++;
        if (per == 2) {
            lc[n] = (plot_curve){NULL, x, v + 2 * len, (size_t)len, PLOT_NONE, (int)a,
                                 v + len};
            mc[n] = (plot_curve){NULL, x, v + 5 * len, (size_t)len, PLOT_NONE, (int)a,
                                 v + 4 * len};
            n++;
        }
    }
    const char *col = cmp_metric_col(r);
    char t1[64], t2[64], title[96];
    snprintf(t1, sizeof t1, "%s", val ? "Validation loss" : "Training loss");
    snprintf(t2, sizeof t2, "%s%s", val ? "Validation " : "Training ",
             r->metric == 0 ? "accuracy" : r->metric == 1 ? "RMSLE" : "RMSE");
    snprintf(title, sizeof title, "%s curves per activation%s", val ? "Validation" : "Training",
             r->seeds > 1 ? " (mean over seeds; shaded: ± one standard deviation)" : "");
    unsigned flags = PLOT_GRID | (na > 4 ? PLOT_LEGEND_OUTSIDE : PLOT_LEGEND);
    plot_panel p[2] = {
        {.title = t1, .xlabel = "epoch", .ylabel = val ? "val_loss" : "loss", .curves = lc,
         .n_curves = n, .flags = flags | (r->metric ? PLOT_LOG_Y : 0)},
        {.title = t2, .xlabel = "epoch", .ylabel = val ? col : col + (r->has_val ? 4 : 0),
         .curves = mc, .n_curves = n, .flags = flags},
    };
    plot_figure fig = {.title = title, .panels = p, .n_panels = 2};
    char path[4200];
    int rc = AL_OK;
    const char *ext[] = {"png", "svg"};
    for (int i = 0; i < 2 && !rc; i++) {
        snprintf(path, sizeof path, "%s/%s.%s", r->dir, stem, ext[i]);
        rc = plot_write(&fig, path);
    }
    free(buf), free(lc);
    return rc;
}

int cmp_write_figures(const struct cmp_report *r)
{
    int rc = AL_OK;
    if (r->has_val)
        rc = figure(r, 1, "curves_val");
    if (!rc)
        rc = figure(r, 0, "curves_train");
    return rc;
}
#else
int cmp_write_figures(const struct cmp_report *r)
{
    (void)r;
    return AL_OK; /* built without plots: the report says so */
}
#endif

/* ---- report.html ------------------------------------------------------------------------- */

static int html_text(FILE *f, const char *s)
{
    int bad = 0;
    for (; *s && !bad; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                        : *s == '"' ? "&quot;" : NULL;
        bad = e ? fputs(e, f) < 0 : fputc(*s, f) == EOF;
    }
    return bad;
}

/* the verdict's markdown bullets as HTML list items, **bold** as <b> */
static int html_verdict(FILE *f, const char *v)
{
    int bad = fputs("<ul>\n", f) < 0;
    while (*v && !bad) {
        const char *end = strchr(v, '\n');
        size_t n = end ? (size_t)(end - v) : strlen(v);
        if (n > 2 && v[0] == '-' && v[1] == ' ')
            v += 2, n -= 2;
        bad |= fputs("<li>", f) < 0;
        int bold = 0;
        for (size_t i = 0; i < n && !bad; i++) {
            if (v[i] == '*' && i + 1 < n && v[i + 1] == '*') {
                bad |= fputs(bold ? "</b>" : "<b>", f) < 0;
                bold = !bold, i++;
                continue;
            }
            char c[2] = {v[i], 0};
            bad |= html_text(f, c);
        }
        bad |= fputs(bold ? "</b></li>\n" : "</li>\n", f) < 0;
        v += n + (end != NULL);
    }
    return bad | (fputs("</ul>\n", f) < 0);
}

/* An SVG file of the report's folder, inline (without its XML prolog). cairo names its
 * glyphs glyph0-1, ... in every file, and in one page the first definition of an id wins, so
 * the second figure would be drawn with the first one's letters: every id and every
 * reference to one gets the figure's name in front. */
static int inline_svg(FILE *f, const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return fputs("<p>(no figure: this actlab was built without plots)</p>\n", f) < 0;
    size_t cap = 1 << 16, len = 0, n;
    char *text = malloc(cap + 1);
    while (text && (n = fread(text + len, 1, cap - len, in)) > 0) {
        len += n;
        if (len == cap) {
            char *t = cap < ((size_t)1 << 30) ? realloc(text, 2 * cap + 1) : NULL;
            if (!t) {
                free(text);
                text = NULL;
                break;
            }
            text = t, cap *= 2;
        }
    }
    int bad = !text || ferror(in);
    fclose(in);
    if (bad) {
        free(text);
        return 1;
    }
    text[len] = '\0';
    const char *p = strstr(text, "<svg");
    static const char *const refs[] = {"id=\"", "href=\"#", "url(#"};
    while (p && *p && !bad) {
        const char *next = NULL;
        size_t which = 0;
        for (size_t k = 0; k < 3; k++) {
            const char *q = strstr(p, refs[k]);
            if (q && (!next || q < next))
                next = q, which = k;
        }
        size_t upto = next ? (size_t)(next - p) + strlen(refs[which]) : strlen(p);
        bad |= fwrite(p, 1, upto, f) != upto;
        if (next)
            bad |= fprintf(f, "%s-", name) < 0;
        p = next ? next + strlen(refs[which]) : NULL;
    }
    free(text);
    return bad;
}

static void machine(char *buf, size_t size)
{
    struct utsname u;
    char cpu[256] = "unknown CPU";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
                snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
                cpu[strcspn(cpu, "\n")] = 0;
                break;
            }
        fclose(f);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (uname(&u) == 0)
        snprintf(buf, size, "%s, %ld cores; %s %s %s", cpu, cores, u.sysname, u.release,
                 u.machine);
    else
        snprintf(buf, size, "%s, %ld cores", cpu, cores);
}

static const char style[] =
    "body{font-family:sans-serif;max-width:1250px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}"
    "code{background:#f6f6f6;padding:2px 4px}figure{margin:1em 0}svg{max-width:100%;height:auto}"
    ".bad{color:#b00}";

int cmp_write_html(const struct cmp_report *r, const char *verdict)
{
    char path[4200], mach[512], when[64];
    snprintf(path, sizeof path, "%s/report.html", r->dir);
    machine(mach, sizeof mach);
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    FILE *f;
    char *tmp;
    int rc = al__atomic_open(path, &tmp, &f);
    if (rc)
        return rc;
    const char *col = cmp_metric_col(r);
    int bad = fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                         "<title>actlab: activation comparison</title><style>%s</style></head>"
                         "<body>\n<h1>Activation comparison</h1>\n<p>Command: <code>",
                      style) < 0;
    bad |= html_text(f, r->command);
    bad |= fputs("</code></p>\n<p>Data: ", f) < 0;
    bad |= html_text(f, r->data_desc);
    bad |= fputs("</p>\n<p>Machine: ", f) < 0;
    bad |= html_text(f, mach);
    bad |= fprintf(f, "; %s</p>\n<h2>Results</h2>\n<table id=\"summary\"><tr><th>activation</th>"
                      "<th>final %s</th><th>best %s</th><th>best epoch</th><th>seconds</th>"
                      "<th>diverged</th></tr>\n",
                   when, col, col) < 0;
    for (size_t a = 0; a < r->n_acts && !bad; a++) {
        const struct cmp_act *c = &r->acts[a];
        bad |= fputs("<tr><td>", f) < 0;
        bad |= html_text(f, c->act);
        if (r->seeds > 1)
            bad |= fprintf(f, "</td><td>%.4f ± %.4f</td><td>%.4f ± %.4f</td>", c->final_mean,
                           c->final_std, c->best_mean, c->best_std) < 0;
        else
            bad |= fprintf(f, "</td><td>%.4f</td><td>%.4f</td>", c->final_mean,
                           c->best_mean) < 0;
        bad |= fprintf(f, "<td>%.1f</td><td>%.1f</td><td%s>", c->best_epoch, c->seconds,
                       c->failed ? " class=\"bad\"" : "") < 0;
        bad |= html_text(f, c->failed ? c->first_fail->why : "no");
        bad |= fputs("</td></tr>\n", f) < 0;
    }
    bad |= fprintf(f, "</table>\n<p>%zu seed%s per activation%s; a constant model (%s) gets "
                      "%.4f.</p>\n<h2>Verdict</h2>\n",
                   r->seeds, r->seeds == 1 ? "" : "s",
                   r->seeds > 1 ? ", mean ± standard deviation" : "",
                   r->metric == 0 ? "the majority class" : "the training mean", r->baseline) < 0;
    bad |= html_verdict(f, verdict);
    if (r->has_val) {
        bad |= fputs("<h2>Validation curves</h2>\n<figure id=\"curves_val\">", f) < 0;
        bad |= inline_svg(f, r->dir, "curves_val");
        bad |= fputs("</figure>\n", f) < 0;
    }
    bad |= fputs("<h2>Training curves</h2>\n<figure id=\"curves_train\">", f) < 0;
    bad |= inline_svg(f, r->dir, "curves_train");
    bad |= fputs("</figure>\n<p>Each run's metrics per epoch: <code>runs/ACT-seedN.csv</code>; "
                 "the table: <code>summary.csv</code>.</p>\n</body></html>\n", f) < 0;
    return al__atomic_commit(path, tmp, f, bad);
}
