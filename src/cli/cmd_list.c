/* actlab list [--long] [FUNC...]: the table of functions, from act_get_info(). */
#include <string.h>

#include "cli.h"

static void print_params(FILE *f, const act_info *in)
{
    char buf[160];
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < in->n_params; i++)
        used += (size_t)snprintf(buf + used, used < sizeof buf ? sizeof buf - used : 0,
                                 "%s%s=%g", i ? "," : "", in->params[i].name,
                                 (double)in->params[i].def);
    fprintf(f, "%-26s", in->n_params ? buf : "-");
}

static void print_long(FILE *f, const act_info *in)
{
    fprintf(f, "%s\n", in->name);
    if (in->aliases[0])
        fprintf(f, "  aliases:    %s\n", in->aliases);
    fprintf(f, "  f(x):       %s\n", in->formula);
    fprintf(f, "  f'(x):      %s\n", in->derivative);
    fprintf(f, "  range:      %s\n", in->range);
    fprintf(f, "  use:        %s\n", in->use);
    fprintf(f, "  kind:       %s%s, accurate to %g ULP\n",
            in->flags & ACT_ROWWISE ? "row-wise" : "elementwise",
            in->flags & ACT_PWL ? ", piecewise linear" : "", (double)in->max_ulp);
    for (unsigned i = 0; i < in->n_params; i++)
        fprintf(f, "  parameter:  %s=%g%s%s%s  %s\n", in->params[i].name,
                (double)in->params[i].def, in->params[i].alias ? " (also " : "",
                in->params[i].alias ? in->params[i].alias : "", in->params[i].alias ? ")" : "",
                in->params[i].doc);
    fputc('\n', f);
}

/* The table a user scans: name, parameters, range, use. */
void cli_print_table(FILE *f)
{
    fprintf(f, "%-13s %-26s %-22s %s\n", "function", "parameters", "range", "use");
    for (int k = 0; k < ACT_COUNT; k++) {
        const act_info *in = act_get_info((act_kind)k);
        fprintf(f, "%-13s ", in->name);
        print_params(f, in);
        fprintf(f, " %-22s %s\n", in->range, in->use);
    }
}

int cli_list(int argc, char **argv)
{
    int longform = 0, named = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            printf("usage: actlab list [--long] [FUNC...]\n"
                   "  the activation functions: name, parameters with defaults, output range,\n"
                   "  when to use it. --long (or naming functions) adds formula, derivative,\n"
                   "  aliases and accuracy.\n");
            return CLI_OK;
        }
        if (strcmp(argv[i], "--long") == 0)
            longform = 1;
        else if (argv[i][0] == '-')
            return cli_usage(argv[0], "unknown option '%s' (try --help)", argv[i]);
        else
            named = 1;
    }
    if (named) {
        for (int i = 1; i < argc; i++) {
            if (argv[i][0] == '-')
                continue;
            act_spec s;
            int rc = cli_parse_spec(argv[0], argv[i], &s);
            if (rc)
                return rc;
            print_long(stdout, act_get_info(s.kind));
        }
        return CLI_OK;
    }
    if (longform)
        for (int k = 0; k < ACT_COUNT; k++)
            print_long(stdout, act_get_info((act_kind)k));
    else
        cli_print_table(stdout);
    return CLI_OK;
}
