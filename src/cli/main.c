/* actlab: the command-line tool. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

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

int main(int argc, char **argv)
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
        printf("actlab %s\n", actlab_version_string());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "actlab: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
