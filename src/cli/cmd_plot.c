/* actlab plot FUNC... [--grad] [--range LO:HI] [--step X] -o FILE */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#ifdef ACTLAB_HAVE_PLOT
#include "actlab/plot.h"
#endif

#define DEFAULT_LO -5.0
#define DEFAULT_HI 5.0
#define DEFAULT_STEP 0.01

static void help(FILE *f)
{
    fprintf(f,
            "usage: actlab plot FUNC... [--grad] [--range LO:HI] [--step X] -o FILE\n"
            "\n"
            "Plots elementwise activation functions, and with --grad their derivatives in a\n"
            "second panel beside them. The format follows FILE's extension: .png, .svg, .pdf.\n"
            "\n"
            "  FUNC           NAME or NAME:key=value,... e.g. sigmoid leaky_relu:alpha=0.1\n"
            "  --grad         also plot f'(x)\n"
            "  --range LO:HI  x range [%g:%g]\n"
            "  --step X       distance between sampled x values [%g]\n"
            "  -o FILE        output file (required)\n"
            "\n"
            "example: actlab plot sigmoid tanh relu --grad -o acts.png\n",
            DEFAULT_LO, DEFAULT_HI, DEFAULT_STEP);
}

#ifdef ACTLAB_HAVE_PLOT
/* "LO:HI" with finite numbers; the split is at the ':' that follows a number, so "-5:5" and
 * "-1e-3:2" both work. */
static int parse_range(const char *s, double *lo, double *hi)
{
    const char *colon = strchr(s + (s[0] == '-' || s[0] == '+'), ':');
    if (!colon)
        return -1;
    size_t len = (size_t)(colon - s);
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (cli_parse_double(buf, lo) || cli_parse_double(colon + 1, hi))
        return -1;
    return isfinite(*lo) && isfinite(*hi) ? 0 : -1;
}

/* Matches option `name` at argv[*i], as "NAME VALUE" or, for a long option, "NAME=VALUE".
 * The value is the next argument whatever it looks like, so "--range -5:5" works. Sets *val
 * (NULL when it is missing) and returns 1 on a match. */
static int match_option(const char *name, int argc, char **argv, int *i, const char **val)
{
    const char *a = argv[*i];
    size_t len = strlen(name);
    if (strncmp(a, name, len) != 0)
        return 0;
    if (a[len] == '=' && name[1] == '-') {
        *val = a + len + 1;
        return 1;
    }
    if (a[len] != '\0')
        return 0;
    *val = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

#endif

int cli_plot(int argc, char **argv)
{
    const char *cmd = argv[0];
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            help(stdout);
            return CLI_OK;
        }
#ifndef ACTLAB_HAVE_PLOT
    return cli_fail(cmd, "this actlab was built without plotting (ACTLAB_PLOT=OFF)");
#else
    double lo = DEFAULT_LO, hi = DEFAULT_HI, step = DEFAULT_STEP;
    int with_grad = 0;
    const char *out = NULL;
    act_spec *specs = malloc((size_t)argc * sizeof *specs);
    size_t n = 0;
    int rc = CLI_OK;
    if (!specs)
        return cli_fail(cmd, "out of memory");

    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i], *v;
        if (match_option("--range", argc, argv, &i, &v)) {
            if (!v)
                rc = cli_usage(cmd, "--range needs a value, e.g. --range -5:5");
            else if (parse_range(v, &lo, &hi))
                rc = cli_usage(cmd, "bad --range '%s': expected LO:HI with numbers, e.g. -5:5", v);
            else if (!(lo < hi))
                rc = cli_usage(cmd, "bad --range '%s': LO must be less than HI", v);
        } else if (match_option("--step", argc, argv, &i, &v)) {
            if (!v)
                rc = cli_usage(cmd, "--step needs a value, e.g. --step 0.01");
            else if (cli_parse_double(v, &step) || !isfinite(step) || !(step > 0.0))
                rc = cli_usage(cmd, "bad --step '%s': expected a number > 0", v);
        } else if (match_option("-o", argc, argv, &i, &v) ||
                   match_option("--output", argc, argv, &i, &v)) {
            if (!v || !v[0])
                rc = cli_usage(cmd, "%s needs a file name, e.g. -o acts.png", a);
            out = v;
        } else if (strcmp(a, "--grad") == 0) {
            with_grad = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            rc = cli_usage(cmd, "unknown option '%s' (see actlab plot --help)", a);
        } else if ((rc = cli_parse_spec(cmd, a, &specs[n])) == CLI_OK) {
            n++; /* a row-wise function is refused by plot_activations, naming it */
        }
    }
    if (rc == CLI_OK && n == 0)
        rc = cli_usage(cmd, "no function given (e.g. actlab plot sigmoid -o sigmoid.png)");
    if (rc == CLI_OK && !out)
        rc = cli_usage(cmd, "no output file: add -o FILE.png, .svg or .pdf");
    size_t points = rc == CLI_OK ? plot_grid_size(lo, hi, step) : 0;
    if (rc == CLI_OK && points > PLOT_MAX_ACT_POINTS)
        rc = cli_usage(cmd, "--range %g:%g with --step %g gives more than %d points", lo, hi, step,
                       PLOT_MAX_ACT_POINTS);
    if (rc == CLI_OK)
        rc = cli_check_output(cmd, out);
    if (rc == CLI_OK) {
        int st = plot_activations(specs, n, lo, hi, step, with_grad, out);
        if (st == AL_EINVAL) /* a row-wise function, an unknown extension: the user's to fix */
            rc = cli_usage(cmd, "%s", al_last_error());
        else if (st != AL_OK)
            rc = cli_fail(cmd, "%s", al_last_error());
        else
            printf("wrote %s (%zu function%s%s, %zu points)\n", out, n, n == 1 ? "" : "s",
                   with_grad ? " and derivatives" : "", points);
    }
    free(specs);
    return rc;
#endif
}
