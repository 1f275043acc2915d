/* actlab summary MODEL --input C,H,W|N [--act FUNC] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_opts.h"

int cli_summary(int argc, char **argv)
{
    const char *model = NULL, *input = NULL, *act = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(argv[i])) {
            printf("usage: actlab summary MODEL --input C,H,W|N [--act FUNC]\n"
                   "  the Keras-style summary: layers, output shapes, parameter counts.\n"
                   "  MODEL is lenet5, house-mlp or a spec such as\n"
                   "  'dense(64,activation=relu) dense(1)'; --act swaps a built-in's hidden\n"
                   "  activation.\n");
            return CLI_OK;
        }
        if (!strcmp(argv[i], "--input") && v)
            input = v, i++;
        else if (!strcmp(argv[i], "--act") && v)
            act = v, i++;
        else if (argv[i][0] == '-')
            return cli_usage(argv[0], "unknown option or missing value '%s'", argv[i]);
        else if (!model)
            model = argv[i];
        else
            return cli_usage(argv[0], "unexpected argument '%s'", argv[i]);
    }
    nn_shape shape;
    if (!model || !input)
        return cli_usage(argv[0], "usage: actlab summary MODEL --input C,H,W|N");
    if (cli_parse_shape(input, &shape))
        return cli_usage(argv[0], "--input '%s': C,H,W or N, whole numbers", input);
    char spec[4096];
    int rc = cli_model_spec(argv[0], model, act, spec, sizeof spec);
    if (rc)
        return rc;
    al_rng rng;
    al_rng_seed(&rng, 1);
    nn_model *m;
    if (nn_model_create(spec, shape, NN_INIT_DEFAULT, &rng, &m))
        return cli_usage(argv[0], "%s", al_last_error());
    char *text = NULL;
    rc = nn_model_summary(m, &text) ? cli_fail(argv[0], "%s", al_last_error()) : CLI_OK;
    if (text)
        fputs(text, stdout);
    free(text);
    nn_model_free(m);
    return rc;
}
