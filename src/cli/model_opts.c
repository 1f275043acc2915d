#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "model_opts.h"

int cli_parse_shape(const char *text, nn_shape *out)
{
    nn_shape s = {0};
    const char *p = text;
    while (*p) {
        char *end;
        if (s.ndim == NN_MAX_DIMS || *p == '-')
            return -1;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || v == 0 || v > (1ull << 31) || (*end && *end != ','))
            return -1;
        s.d[s.ndim++] = (size_t)v;
        p = *end ? end + 1 : end;
    }
    if (s.ndim != 1 && s.ndim != 3)
        return -1;
    *out = s;
    return 0;
}

int cli_model_spec(const char *cmd, const char *model, const char *act, char *buf, size_t size)
{
    /* the activation first: nn_builtin_spec answers AL_ENAME for an unknown activation as for
     * an unknown model, and "relux" must not read as "house-mlp is not a built-in" */
    act_spec a;
    if (act && act_parse(act, &a))
        return cli_usage(cmd, "--act %s: %s", act, act_last_error());
    if (nn_builtin_spec(model, act, buf, size) == 0)
        return CLI_OK;
    if (act)
        return cli_usage(cmd, "--act swaps the hidden activation of a built-in model "
                              "(lenet5, house-mlp), not of '%s'", model);
    if (strlen(model) >= size)
        return cli_usage(cmd, "model spec too long");
    strcpy(buf, model);
    return CLI_OK;
}
