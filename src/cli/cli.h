/* The command-line tool: one file per command (cmd_NAME.c defines cli_NAME), dispatched by
 * main.c. Exit codes: 0 success, 1 failure, 2 usage error (bad option, unknown function or
 * parameter, bad number). Only this folder prints for the user or decides an exit code. */
#ifndef ACTLAB_CLI_H
#define ACTLAB_CLI_H

#include <stdio.h>

#include "actlab/act.h"
#include "actlab/names.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* A command: argv[0] is the command's name, the rest its arguments. Returns an exit code. */
typedef int cli_command(int argc, char **argv);

#define CLI_COMMANDS(X)                                                                   \
    X(list, "the table of activation functions")                                         \
    X(eval, "f(x) or f'(x) of a function")                                                \
    X(neuron, "the neuron simulation: inputs times weights plus bias, activated")         \
    X(plot, "plot functions and their derivatives to PNG, SVG or PDF")                    \
    X(data, "inspect data sets, prepare them as NumPy arrays")                           \
    X(summary, "a model's layers, output shapes and parameter counts")                   \
    X(train, "train a model on a data set")                                              \
    X(compare, "train the same model once per activation and compare them")            \
    X(evaluate, "a saved model's loss and metrics on a data set, a confusion matrix")    \
    X(predict, "run a saved model on a data set; write .npy or .csv (Kaggle Id,SalePrice)") \
    X(gradients, "vanishing gradients and dead ReLUs, per layer of a deep MLP")          \
    X(bench, "how fast the activation kernels run on this machine")                      \
    X(tour, "the main job: table, plots, neuron, compare and gradients in one folder")

#define X(name, doc) cli_command cli_##name;
CLI_COMMANDS(X)
#undef X

/* "actlab CMD: message" on stderr; returns CLI_USAGE or CLI_FAIL for `return cli_...;` */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Before the work: fails ("cannot write PATH: why") unless path (when not NULL) can be
 * written, so a typo in an output name costs nothing. Returns an exit code. */
int cli_check_output(const char *cmd, const char *path);

/* act_parse with the library's message on failure; returns an exit code. */
int cli_parse_spec(const char *cmd, const char *text, act_spec *out);

/* "sigmoid,softplus:beta=2,threshold=10,relu" (option opt) into at most max elementwise
 * specs; what names the user of the functions in messages ("a neuron"). Exit code. */
int cli_parse_act_list(const char *cmd, const char *opt, const char *what, const char *list,
                       act_spec *specs, int max, int *n);

/* A whole string as a finite or infinite double ("nan", "inf", "-1e3" all accepted);
 * 0 on success. */
int cli_parse_double(const char *s, double *out);

/* A whole number from lo to hi for option opt (s may be NULL: the value is missing); an exit
 * code, with "OPT needs a whole number from LO to HI, not 'S'" on failure. */
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi,
                   long *out);

/* The value v of option opt as one of names[0 .. n) (a names table of actlab/names.h: case,
 * '_' and '-' ignored, aliases after the canonical name): its index in *out, or a usage
 * error "OPT 'V': one of A, B, C; did you mean: B". Returns an exit code. */
int cli_choice(const char *cmd, const char *opt, const char *v, const char *const *names,
               size_t n, long *out);

/* %.9g and a newline, with NaN always "nan" (never "-nan") */
void cli_print_double(FILE *f, double v);

/* the neuron demo for a seed, k inputs and nf functions (also run by the tour) */
int cli_neuron_run(FILE *f, unsigned long seed, long k, const act_spec *specs, int nf);

/* the table of `actlab list` (also printed by the tour) */
void cli_print_table(FILE *f);

/* true for -h and --help */
int cli_is_help(const char *arg);

#endif
