/* actlab tour: the main job until training lands. The table of every function, a plot of
 * the classic ones and their derivatives, and the neuron simulation. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "actlab/plot.h"
#include "cli.h"

static const char *const plotted[] = {"sigmoid", "tanh", "relu", "leaky_relu:alpha=0.1",
                                      "elu", "gelu", "silu", "softplus"};
#define N_PLOTTED (sizeof plotted / sizeof plotted[0])

static int usage(void)
{
    printf("usage: actlab tour [--out DIR]\n"
           "  prints the table of activation functions, plots the classic ones and their\n"
           "  derivatives to DIR/activations.png and .svg, and runs the neuron simulation.\n"
           "  --out DIR   where the plots go [out]\n");
    return CLI_OK;
}

int cli_tour(int argc, char **argv)
{
    const char *out = "out";
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i]))
            return usage();
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else
            return cli_usage(argv[0], "unknown argument '%s' (try --help)", argv[i]);
    }

#ifdef ACTLAB_HAVE_PLOT
    /* the plots come last: a --out that cannot take them fails before anything is printed */
    static const char *const ext[] = {"png", "svg"};
    char paths[2][4096];
    if (mkdir(out, 0777) != 0 && errno != EEXIST)
        return cli_fail(argv[0], "cannot create %s: %s", out, strerror(errno));
    for (size_t e = 0; e < 2; e++) {
        if (snprintf(paths[e], sizeof paths[e], "%s/activations.%s", out, ext[e]) >=
            (int)sizeof paths[e])
            return cli_usage(argv[0], "--out '%.40s...': too long a name", out);
        int rc = cli_check_output(argv[0], paths[e]);
        if (rc)
            return rc;
    }
#endif
    printf("== %d activation functions (actlab list --long for formulas and derivatives)\n\n",
           ACT_COUNT);
    cli_print_table(stdout);

    act_spec specs[N_PLOTTED];
    for (size_t i = 0; i < N_PLOTTED; i++)
        if (act_parse(plotted[i], &specs[i]))
            return cli_fail(argv[0], "%s", act_last_error());
#ifdef ACTLAB_HAVE_PLOT
    printf("\n== plots of %zu functions and their derivatives on [-5, 5]\n\n", N_PLOTTED);
    for (size_t e = 0; e < 2; e++) {
        if (plot_activations(specs, N_PLOTTED, -5.0, 5.0, 0.01, 1, paths[e]))
            return cli_fail(argv[0], "%s", act_last_error());
        printf("wrote %s\n", paths[e]);
    }
#else
    (void)specs, (void)out;
    printf("\n(no plots: built without PLplot)\n");
#endif

    static const char *const neuron[] = {"sigmoid", "tanh", "relu", "leaky_relu"};
    act_spec ns[4];
    for (size_t i = 0; i < 4; i++)
        act_parse(neuron[i], &ns[i]);
    printf("\n== ");
    return cli_neuron_run(stdout, 42, 5, ns, 4);
}
