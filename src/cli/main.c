/* actlab: the command-line tool. */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mpi.h"

struct command {
    const char *name, *doc;
    cli_command *run;
};

static const struct command commands[] = {
#define X(name, doc) {#name, doc, cli_##name},
    CLI_COMMANDS(X)
#undef X
};

static void usage(FILE *f)
{
    fprintf(f, "usage: actlab COMMAND [ARGS]   (actlab COMMAND --help for its options)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].doc);
    fprintf(f, "\nFunctions are named NAME or NAME:key=value,... e.g. leaky_relu:alpha=0.2\n");
}

/* Ctrl-C or a kill during a save: the temporaries go, then the signal ends the process as
 * it would have (exit status and all). */
static void on_fatal_signal(int sig)
{
    al_outfile_cleanup();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void remove_temporaries_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction old, sa = {.sa_handler = on_fatal_signal};
        sigemptyset(&sa.sa_mask);
        /* an ignored signal stays ignored (nohup) */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

/* What a command printed is only delivered once stdout is flushed and closed: a full disk or
 * a failing device shows up here, after the command thought it had said everything. */
static int finish_stdout(void)
{
    int failed = ferror(stdout), e = 0;
    errno = 0;
    if (fflush(stdout) != 0)
        failed = 1, e = errno;
    if (fclose(stdout) != 0 && !failed && errno != EBADF) /* EBADF: started without stdout */
        failed = 1, e = errno;
    if (!failed)
        return 0;
    fprintf(stderr, "actlab: error writing standard output%s%s\n", e ? ": " : "",
            e ? strerror(e) : "");
    return 1;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("actlab %s\n", al_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "actlab: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}

/* OpenBLAS chose its kernels when it loaded, before main; when faster ones suit this CPU
 * (nn_blas_better_core), run this program again with them named. Setting the variable
 * first makes the new process's answer NULL, so this happens at most once; the user's own
 * OPENBLAS_CORETYPE (any value) turns it off. If the exec fails, this process carries on
 * with the kernels it has: correct, only slower. */
static void reexec_for_blas(char **argv)
{
    const char *core = nn_blas_better_core();
    if (!core || setenv("OPENBLAS_CORETYPE", core, 1) != 0)
        return;
    fflush(NULL);
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_CORETYPE");
}

int main(int argc, char **argv)
{
    reexec_for_blas(argv);
    remove_temporaries_on_signals();
    int rc = cli_mpi_init(&argc, &argv);
    if (rc)
        return rc;
    rc = run(argc, argv);
    cli_mpi_finalize();
    if (finish_stdout() && rc == CLI_OK)
        rc = CLI_FAIL;
    return rc;
}
