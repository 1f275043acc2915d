/* Plotting: real files in each format (checked by their magic bytes, not by looking), the
 * all-or-nothing write (no temporary left behind, an old file kept on failure), errors as
 * values with a message, and a quiet PLplot. */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actlab/plot.h"

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/actlab_plot_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

/* removes what a test left (files and one level of directories) */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (remove(path) != 0)
                rmdir(path);
        }
    closedir(d);
    rmdir(dir);
}

TestSuite(plot, .init = make_dir, .fini = remove_dir, .timeout = 60);

static const char *in_dir(const char *name)
{
    static char path[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
    return path[i];
}

/* the names in dir, space-separated and sorted, so a test can compare the whole listing */
static const char *listing(void)
{
    static char out[1024];
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    cr_assert_geq(n, 0);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.' ||
            (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))) {
            if (out[0])
                strcat(out, " ");
            strncat(out, names[i]->d_name, sizeof out - strlen(out) - 1);
        }
        free(names[i]);
    }
    free(names);
    return out;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void expect_magic(const char *path, const char *fmt)
{
    unsigned char head[512] = {0};
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    cr_assert_gt(got, 8);
    if (strcmp(fmt, "png") == 0) {
        cr_assert(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: not a PNG", path);
    } else if (strcmp(fmt, "svg") == 0) {
        cr_assert(memcmp(head, "<?xml", 5) == 0 || memcmp(head, "<svg", 4) == 0,
                  "%s: not SVG: %.20s", path, head);
        cr_assert(strstr((const char *)head, "<svg"), "%s: no <svg element at the start", path);
    } else {
        cr_assert(memcmp(head, "%PDF-", 5) == 0, "%s: not a PDF", path);
    }
    cr_assert_gt(file_size(path), 2000, "%s is suspiciously small (%ld bytes)", path,
                 file_size(path));
}

static act_spec spec(const char *text)
{
    act_spec s;
    cr_assert_eq(act_parse(text, &s), 0, "%s: %s", text, al_last_error());
    return s;
}

static void plot_four(const char *name, int with_grad)
{
    act_spec s[4] = {spec("sigmoid"), spec("tanh"), spec("relu"), spec("leaky_relu:alpha=0.1")};
    int rc = plot_activations(s, 4, -5.0, 5.0, 0.01, with_grad, in_dir(name));
    cr_assert_eq(rc, AL_OK, "%s: %s", name, al_last_error());
}

Test(plot, activations_png)
{
    plot_four("acts.png", 1);
    expect_magic(in_dir("acts.png"), "png");
    cr_assert_str_eq(listing(), "acts.png", "a temporary file was left behind");
}

Test(plot, activations_svg)
{
    plot_four("acts.svg", 1);
    expect_magic(in_dir("acts.svg"), "svg");
    cr_assert_str_eq(listing(), "acts.svg");
}

Test(plot, activations_pdf_one_panel)
{
    plot_four("acts.pdf", 0);
    expect_magic(in_dir("acts.pdf"), "pdf");
    cr_assert_str_eq(listing(), "acts.pdf");
}

Test(plot, extension_case_is_ignored)
{
    plot_four("ACTS.PNG", 0);
    expect_magic(in_dir("ACTS.PNG"), "png");
}

Test(plot, replaces_an_existing_file)
{
    FILE *f = fopen(in_dir("old.png"), "w");
    fputs("old", f);
    fclose(f);
    plot_four("old.png", 0);
    expect_magic(in_dir("old.png"), "png");
    cr_assert_str_eq(listing(), "old.png");
}

/* PLplot writes nothing to stdout or stderr when all is well. A suite of its own, since the
 * redirection is this test's .init. */
static void redirect_both(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

Test(plot_quiet, nothing_on_stdout_or_stderr, .init = redirect_both, .timeout = 60)
{
    make_dir();
    plot_four("q.png", 1);
    plot_four("q.svg", 0);
    remove_dir();
    fflush(stdout);
    fflush(stderr);
    cr_assert_stdout_eq_str("");
    cr_assert_stderr_eq_str("");
}

/* Loss curves: a general figure with every feature at once. */
Test(plot, general_figure_with_holes_log_axis_and_title)
{
    enum { E = 40 };
    double epoch[E], loss[3][E];
    for (int i = 0; i < E; i++) {
        epoch[i] = i + 1;
        for (int k = 0; k < 3; k++)
            loss[k][i] = 2.0 * exp(-(i + 1) / (4.0 + 4 * k)) + 0.05;
    }
    loss[0][7] = NAN;      /* breaks the line */
    loss[1][0] = INFINITY; /* skipped */
    loss[2][5] = -1.0;     /* not on a log axis */
    plot_curve lin[3], log_[3];
    const char *label[3] = {"sigmoid", "tanh #2", "relu"};
    for (int k = 0; k < 3; k++) {
        lin[k] = (plot_curve){label[k], epoch, loss[k], E, PLOT_SOLID, k, NULL};
        log_[k] = (plot_curve){label[k], epoch, loss[k], E, (plot_style)k, k, NULL};
    }
    plot_panel panels[2] = {
        {.title = "loss",
         .xlabel = "epoch",
         .ylabel = "loss",
         .curves = lin,
         .n_curves = 3,
         .flags = PLOT_DEFAULT},
        {.title = "log loss",
         .xlabel = "epoch",
         .ylabel = "loss",
         .curves = log_,
         .n_curves = 3,
         .flags = PLOT_DEFAULT | PLOT_LOG_Y,
         .ymin = 0.01,
         .ymax = 10.0},
    };
    plot_figure fig = {.title = "Training", .panels = panels, .n_panels = 2, .stacked = 1};
    cr_assert_eq(plot_write(&fig, in_dir("loss.png")), AL_OK, "%s", al_last_error());
    expect_magic(in_dir("loss.png"), "png");
    fig.stacked = 0;
    fig.width = 900;
    fig.height = 400;
    cr_assert_eq(plot_write(&fig, in_dir("loss.pdf")), AL_OK, "%s", al_last_error());
    expect_magic(in_dir("loss.pdf"), "pdf");
}

/* Many functions: the legend moves out of the panels, to the right (the tour's figure). */
Test(plot, many_functions_legend_outside)
{
    const char *names[] = {"sigmoid", "tanh", "relu", "leaky_relu:alpha=0.1",
                           "elu",     "gelu", "silu", "softplus"};
    act_spec s[8];
    for (int i = 0; i < 8; i++)
        s[i] = spec(names[i]);
    cr_assert_eq(plot_activations(s, 8, -5, 5, 0.01, 1, in_dir("many.png")), AL_OK, "%s",
                 al_last_error());
    expect_magic(in_dir("many.png"), "png");
    cr_assert_eq(plot_activations(s, 8, -5, 5, 0.01, 0, in_dir("many.svg")), AL_OK, "%s",
                 al_last_error());
    expect_magic(in_dir("many.svg"), "svg");

    double x[3] = {0, 1, 2}, y[3] = {1, 2, 3};
    plot_curve c = {"a rather long label for a curve", x, y, 3, PLOT_DASHED, 1, NULL};
    plot_panel p = {
        .title = "outside", .curves = &c, .n_curves = 1, .flags = PLOT_GRID | PLOT_LEGEND_OUTSIDE};
    plot_panel both[2] = {p, {.title = "no legend", .curves = &c, .n_curves = 1}};
    plot_figure fig = {.panels = both, .n_panels = 2, .stacked = 1, .width = 500, .height = 500};
    cr_assert_eq(plot_write(&fig, in_dir("stacked.pdf")), AL_OK, "%s", al_last_error());
    expect_magic(in_dir("stacked.pdf"), "pdf");
    cr_assert_str_eq(listing(), "many.png many.svg stacked.pdf");
}

Test(plot, degenerate_data_still_plots)
{
    double x[3] = {1, 2, 3}, nan3[3] = {NAN, NAN, NAN}, flat[3] = {2, 2, 2};
    double huge[3] = {-1e308, 0, 1e308}, one_x[3] = {5, 5, 5};
    plot_curve c[4] = {
        {"all NaN", x, nan3, 3, PLOT_SOLID, 0, NULL},
        {"flat", x, flat, 3, PLOT_DASHED, 1, NULL},
        {"huge", x, huge, 3, PLOT_DOTTED, 2, NULL},
        {NULL, one_x, flat, 3, PLOT_SOLID, -7, NULL}, /* negative colour: still a palette entry */
    };
    plot_panel empty = {.title = "nothing"};
    for (size_t k = 0; k < 4; k++) {
        plot_panel p = {
            .title = "degenerate", .curves = &c[k], .n_curves = 1, .flags = PLOT_DEFAULT};
        plot_panel both[2] = {p, empty};
        plot_figure fig = {.panels = both, .n_panels = 2};
        char name[32];
        snprintf(name, sizeof name, "d%zu.svg", k);
        cr_assert_eq(plot_write(&fig, in_dir(name)), AL_OK, "curve %zu: %s", k, al_last_error());
        expect_magic(in_dir(name), "svg");
    }
}

Test(plot, bad_extension_is_einval_and_writes_nothing)
{
    act_spec s = spec("tanh");
    const char *bad[] = {"x.gif", "x", "x.png.txt", "png"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(plot_activations(&s, 1, -1, 1, 0.1, 0, in_dir(bad[i])), AL_EINVAL, "%s",
                     bad[i]);
        cr_assert(strstr(al_last_error(), ".png, .svg or .pdf"), "%s", al_last_error());
    }
    cr_assert_str_eq(listing(), "");
}

Test(plot, missing_directory_is_eio_with_the_path)
{
    act_spec s = spec("tanh");
    const char *path = "/nonexistent/dir/x.png";
    cr_assert_eq(plot_activations(&s, 1, -1, 1, 0.1, 1, path), AL_EIO);
    cr_assert(strstr(al_last_error(), path), "%s", al_last_error());
    cr_assert(strstr(al_last_error(), "No such file"), "%s", al_last_error());
    cr_assert_eq(access("/nonexistent/dir", F_OK), -1);
}

/* The rename onto a directory fails after PLplot has drawn: the temporary must go too. */
Test(plot, failure_after_drawing_leaves_no_temporary)
{
    cr_assert_eq(mkdir(in_dir("taken.png"), 0755), 0);
    FILE *f = fopen(in_dir("taken.png/inside"), "w");
    fclose(f);
    plot_four("dummy.svg", 0); /* something else in the directory, to check the listing */
    act_spec s = spec("relu");
    cr_assert_eq(plot_activations(&s, 1, -1, 1, 0.5, 0, in_dir("taken.png")), AL_EIO);
    cr_assert(strstr(al_last_error(), "taken.png"), "%s", al_last_error());
    cr_assert_str_eq(listing(), "dummy.svg taken.png");
}

Test(plot, unwritable_directory_keeps_the_old_file)
{
    if (geteuid() == 0)
        cr_skip_test("running as root: directory permissions do not stop root");
    plot_four("keep.png", 0);
    long before = file_size(in_dir("keep.png"));
    cr_assert_eq(chmod(dir, 0555), 0);
    act_spec s = spec("relu");
    int rc = plot_activations(&s, 1, -1, 1, 0.5, 0, in_dir("keep.png"));
    chmod(dir, 0755);
    cr_assert_eq(rc, AL_EIO);
    cr_assert(strstr(al_last_error(), "Permission denied"), "%s", al_last_error());
    cr_assert_eq(file_size(in_dir("keep.png")), before);
    cr_assert_str_eq(listing(), "keep.png");
}

Test(plot, rowwise_functions_are_rejected_by_name)
{
    const char *rowwise[] = {"softmax", "log_softmax", "maxout:k=2", "glu", "swiglu"};
    for (size_t i = 0; i < sizeof rowwise / sizeof rowwise[0]; i++) {
        act_spec s[2] = {spec("relu"), spec(rowwise[i])};
        cr_assert_eq(plot_activations(s, 2, -1, 1, 0.1, 0, in_dir("r.png")), AL_EINVAL);
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)strcspn(rowwise[i], ":"), rowwise[i]);
        cr_assert(strstr(al_last_error(), name), "%s: %s", rowwise[i], al_last_error());
    }
    cr_assert_str_eq(listing(), "");
}

Test(plot, bad_activation_arguments)
{
    act_spec s = spec("relu");
    const char *p = in_dir("a.png");
    cr_assert_eq(plot_activations(NULL, 1, -1, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 0, -1, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, 5, -5, 0.1, 0, p), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "range"), "%s", al_last_error());
    cr_assert_eq(plot_activations(&s, 1, 1, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, NAN, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, -1, INFINITY, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, -1e39, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, -1, 1, 0, 0, p), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "step"), "%s", al_last_error());
    cr_assert_eq(plot_activations(&s, 1, -1, 1, -0.1, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, -1, 1, NAN, 0, p), AL_EINVAL);
    cr_assert_eq(plot_activations(&s, 1, -1e6, 1e6, 1e-3, 0, p), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "points"), "%s", al_last_error());
    act_spec bad = {.kind = ACT_COUNT};
    cr_assert_eq(plot_activations(&bad, 1, -1, 1, 0.1, 0, p), AL_EINVAL);
    cr_assert_str_eq(listing(), "");
}

Test(plot, bad_figures)
{
    double x[2] = {0, 1};
    plot_curve c = {"c", x, x, 2, PLOT_SOLID, 0, NULL}, no_data = {"c", NULL, x, 2, PLOT_SOLID, 0, NULL};
    plot_curve bad_style = {"c", x, x, 2, (plot_style)9, 0, NULL};
    plot_panel p = {.curves = &c, .n_curves = 1}, three[3] = {p, p, p};
    plot_panel p_null = {.curves = NULL, .n_curves = 1};
    plot_panel p_no_data = {.curves = &no_data, .n_curves = 1};
    plot_panel p_style = {.curves = &bad_style, .n_curves = 1};
    const char *path = in_dir("f.png");
    cr_assert_eq(plot_write(NULL, path), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p, .n_panels = 0}, path), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = three, .n_panels = 3}, path), AL_EINVAL);
    cr_assert(strstr(al_last_error(), "1 or 2 panels"), "%s", al_last_error());
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p_null, .n_panels = 1}, path), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p_no_data, .n_panels = 1}, path), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p_style, .n_panels = 1}, path), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p, .n_panels = 1, .width = 20}, path),
                 AL_EINVAL);
    cr_assert_eq(
        plot_write(&(plot_figure){.panels = &p, .n_panels = 1, .width = 150, .height = 120}, path),
        AL_EINVAL);
    cr_assert(strstr(al_last_error(), "too small"), "%s", al_last_error());
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p, .n_panels = 1}, NULL), AL_EINVAL);
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p, .n_panels = 1}, ""), AL_EINVAL);
    cr_assert_str_eq(listing(), "");
    /* and the same figure, fixed, works */
    cr_assert_eq(plot_write(&(plot_figure){.panels = &p, .n_panels = 1}, path), AL_OK, "%s",
                 al_last_error());
}

Test(plot, grid_size)
{
    cr_assert_eq(plot_grid_size(-5, 5, 0.01), 1001);
    cr_assert_eq(plot_grid_size(0, 1, 0.25), 5);
    cr_assert_eq(plot_grid_size(0, 1, 0.3), 5, "0 .3 .6 .9 and 1 itself");
    cr_assert_eq(plot_grid_size(0, 1, 2), 2, "lo and hi");
    cr_assert_eq(plot_grid_size(1, 0, 0.1), 0);
    cr_assert_eq(plot_grid_size(0, 1, 0), 0);
    cr_assert_eq(plot_grid_size(0, 1, NAN), 0);
    cr_assert_eq(plot_grid_size(0, 1e9, 1e-9), PLOT_MAX_ACT_POINTS + 1);
}

/* A band (fill_to) is shaded translucent in its curve's colour; a curve without one is not.
 * (That the band's values widen the axis range is seen in the figures, not asserted here:
 * cairo's SVG holds the tick labels as glyphs.) */
static char *svg_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

Test(plot, band_is_shaded_and_counts_for_the_range)
{
    enum { N = 20 };
    double x[N], mid[N], lo[N], hi[N];
    for (int i = 0; i < N; i++) {
        x[i] = i;
        mid[i] = 1.0 + 0.1 * i;
        lo[i] = mid[i] - 0.5;
        hi[i] = mid[i] + 50.0; /* far above the line */
    }
    plot_curve c[2] = {{"mean", x, mid, N, PLOT_SOLID, 3, NULL},
                       {NULL, x, hi, N, PLOT_NONE, 3, lo}};
    plot_panel p = {.title = "band", .curves = c, .n_curves = 2, .flags = PLOT_GRID};
    plot_figure fig = {.panels = &p, .n_panels = 1};
    cr_assert_eq(plot_write(&fig, in_dir("band.svg")), AL_OK, "%s", al_last_error());
    const char *svg = svg_text(in_dir("band.svg"));
    cr_expect(strstr(svg, "fill-opacity:0.18"), "no translucent band in the SVG");
    plot_curve line_only = c[0];
    plot_panel q = {.title = "band", .curves = &line_only, .n_curves = 1, .flags = PLOT_GRID};
    fig.panels = &q;
    cr_assert_eq(plot_write(&fig, in_dir("line.svg")), AL_OK, "%s", al_last_error());
    size_t with_band = strlen(svg_text(in_dir("band.svg")));
    size_t without = strlen(svg_text(in_dir("line.svg")));
    cr_expect(with_band != without, "the band changed nothing in the drawing");
    cr_expect(!strstr(svg_text(in_dir("line.svg")), "fill-opacity:0.18"),
              "a curve without fill_to was shaded");
}
