/* actlab neuron: the tutorials' single neuron. K integer inputs x_i in [-100, 100), weights
 * w_i ~ N(0,1)/10, per-input biases b_i ~ N(0,1) and a neuron bias b ~ N(0,1), all from one
 * seeded stream (so the same seed prints the same numbers everywhere). For each function it
 * shows every input's own f(x_i w_i + b_i), then the neuron's f(x.w + b). */
#include <stdlib.h>
#include <string.h>

#include "actlab/rng.h"
#include "cli.h"

#define MAX_FUNCS 16

static int usage(void)
{
    printf("usage: actlab neuron [--seed N] [--inputs K] [--act F1,F2,...]\n"
           "  a neuron: z = x.w + b, then the activation. Inputs are random integers in\n"
           "  [-100, 100), weights N(0,1)/10, biases N(0,1).\n"
           "  --seed N     random seed [42]\n"
           "  --inputs K   number of inputs, 1..1000 [5]\n"
           "  --act LIST   functions to compare [sigmoid,tanh,relu,leaky_relu]\n");
    return CLI_OK;
}

/* Prints the neuron for seed and functions; shared with the tour. */
int cli_neuron_run(FILE *f, unsigned long seed, long k, const act_spec *specs, int nf)
{
    double *x = malloc((size_t)k * 3 * sizeof *x);
    if (!x)
        return cli_fail("neuron", "out of memory");
    double *w = x + k, *b = w + k;
    al_rng rng;
    al_rng_seed(&rng, seed);
    for (long i = 0; i < k; i++)
        x[i] = (double)al_rng_range(&rng, -100, 100);
    for (long i = 0; i < k; i++)
        w[i] = al_rng_normal(&rng) / 10.0;
    for (long i = 0; i < k; i++)
        b[i] = al_rng_normal(&rng);
    double bias = al_rng_normal(&rng), z = bias;
    for (long i = 0; i < k; i++)
        z += x[i] * w[i];

    char name[64];
    int width[MAX_FUNCS];
    fprintf(f, "neuron with %ld inputs (seed %lu): z = x.w + b, y = f(z)\n\n", k, seed);
    fprintf(f, "%5s %6s %9s %9s %10s", "input", "x", "w", "b", "x*w+b");
    for (int j = 0; j < nf; j++) {
        int len = act_format(&specs[j], name, sizeof name);
        width[j] = len > 12 ? len : 12;
        fprintf(f, " %*s", width[j], name);
    }
    fputc('\n', f);
    for (long i = 0; i < k; i++) {
        double zi = x[i] * w[i] + b[i];
        fprintf(f, "%5ld %6.0f %9.5f %9.5f %10.5f", i + 1, x[i], w[i], b[i], zi);
        for (int j = 0; j < nf; j++)
            fprintf(f, " %*.6g", width[j], act_eval(&specs[j], zi));
        fputc('\n', f);
    }
    fprintf(f, "%5s %6s %9s %9.5f %10.5f", "all", "", "", bias, z);
    for (int j = 0; j < nf; j++)
        fprintf(f, " %*.6g", width[j], act_eval(&specs[j], z));
    fprintf(f, "\n\nThe last row is the neuron's output: the weighted sum of all inputs plus its "
               "bias,\nthrough each activation.\n");
    free(x);
    return CLI_OK;
}

int cli_neuron(int argc, char **argv)
{
    long seed = 42, k = 5;
    const char *acts = "sigmoid,tanh,relu,leaky_relu";
    for (int i = 1; i < argc; i++) {
        int rc = CLI_OK;
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(argv[i]))
            return usage();
        else if (strcmp(argv[i], "--seed") == 0)
            rc = cli_parse_long(argv[0], "--seed", v, 0, 2147483647L, &seed), i++;
        else if (strcmp(argv[i], "--inputs") == 0)
            rc = cli_parse_long(argv[0], "--inputs", v, 1, 1000, &k), i++;
        else if (strcmp(argv[i], "--act") == 0)
            rc = v ? CLI_OK : cli_usage(argv[0], "--act needs a list"), acts = v, i++;
        else
            rc = cli_usage(argv[0], "unknown argument '%s' (try --help)", argv[i]);
        if (rc)
            return rc;
    }
    act_spec specs[MAX_FUNCS];
    int nf, rc = cli_parse_act_list(argv[0], "--act", "a neuron", acts, specs, MAX_FUNCS, &nf);
    return rc ? rc : cli_neuron_run(stdout, (unsigned long)seed, k, specs, nf);
}
