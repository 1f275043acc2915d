/* actlab tour: the main job. The table of every function, a plot of the classic ones and
 * their derivatives, the neuron simulation, then the experiments the tutorials end with on
 * real data, within a budget that fits a few minutes on two cores: compare (LeNet-5 on
 * Fashion-MNIST, one training per activation) and gradients (vanishing gradients and dead
 * ReLUs), everything in one folder with compare's report.html. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "actlab/plot.h"
#include "cli.h"

static const char *const plotted[] = {"sigmoid", "tanh", "relu", "leaky_relu:alpha=0.1",
                                      "elu", "gelu", "silu", "softplus"};
#define N_PLOTTED (sizeof plotted / sizeof plotted[0])

/* The budget: a fifth of Fashion-MNIST, five epochs, one seed (the full tutorial is
 * `actlab compare --preset fmnist-lenet5`). */
#define TOUR_ACTS "sigmoid,tanh,relu,leaky_relu,elu,gelu"
#define TOUR_TRAIN "12000"
#define TOUR_VAL "3000"
#define TOUR_EPOCHS "5"

static int usage(void)
{
    printf("usage: actlab tour [--out DIR] [--quick]\n"
           "  prints the table of activation functions, plots the classic ones and their\n"
           "  derivatives to DIR/activations.png and .svg, runs the neuron simulation, then\n"
           "  compares " TOUR_ACTS " with LeNet-5 on Fashion-MNIST\n"
           "  (" TOUR_TRAIN " training and " TOUR_VAL " test samples, " TOUR_EPOCHS " epochs: "
           "a few minutes on two cores)\n"
           "  and measures their gradients layer by layer (actlab gradients), into DIR.\n"
           "  --out DIR   where everything goes [out]\n"
           "  --quick     table, plots and neuron only, no training\n");
    return CLI_OK;
}

/* compare and gradients as their own commands would run them */
static int experiments(const char *out)
{
    char grad_dir[4200];
    snprintf(grad_dir, sizeof grad_dir, "%s/gradients", out);
    char *cmp[] = {"compare", "--preset", "fmnist-lenet5", "--acts", TOUR_ACTS,
                   "--train-samples", TOUR_TRAIN, "--val-samples", TOUR_VAL,
                   "--epochs", TOUR_EPOCHS, "--seeds", "1", "-o", (char *)(uintptr_t)out};
    char *grad[] = {"gradients", "--acts", "sigmoid,tanh,relu,leaky_relu", "-o", grad_dir};
    printf("\n== compare: LeNet-5 on Fashion-MNIST once per activation (a budget: "
           TOUR_TRAIN " training and " TOUR_VAL " test samples, " TOUR_EPOCHS " epochs, one "
           "seed; the tutorial's full run is `actlab compare --preset fmnist-lenet5`)\n\n");
    fflush(stdout);
    int rc = cli_compare((int)(sizeof cmp / sizeof cmp[0]), cmp);
    if (rc)
        return rc;
    printf("\n== gradients: a deep MLP's gradient norm per layer, and dead units\n\n");
    fflush(stdout);
    if ((rc = cli_gradients((int)(sizeof grad / sizeof grad[0]), grad)))
        return rc;
    printf("\n== everything is in %s/: report.html (open it in a browser), summary.csv, "
           "curves_*.png, activations.png, gradients/\n", out);
    return CLI_OK;
}

int cli_tour(int argc, char **argv)
{
    const char *out = "out";
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i]))
            return usage();
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
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
            return cli_fail(argv[0], "%s", al_last_error());
#ifdef ACTLAB_HAVE_PLOT
    printf("\n== plots of %zu functions and their derivatives on [-5, 5]\n\n", N_PLOTTED);
    for (size_t e = 0; e < 2; e++) {
        if (plot_activations(specs, N_PLOTTED, -5.0, 5.0, 0.01, 1, paths[e]))
            return cli_fail(argv[0], "%s", al_last_error());
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
    int rc = cli_neuron_run(stdout, 42, 5, ns, 4);
    return rc || quick ? rc : experiments(out);
}
