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
        return cli_usage(cmd, "--act %s: %s", act, al_last_error());
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

/* The start of the last layer of spec: after the last separator (space or ';') outside
 * parentheses and brackets. */
static char *last_layer(char *spec)
{
    char *start = spec;
    int depth = 0;
    for (char *p = spec; *p; p++) {
        depth += (*p == '(' || *p == '[') - (*p == ')' || *p == ']');
        if (depth == 0 && (*p == ' ' || *p == ';') && p[1] && p[1] != ' ' && p[1] != ';')
            start = p + 1;
    }
    return start;
}

int cli_set_output_act(const char *cmd, const char *act, char *spec, size_t size)
{
    act_spec a;
    int rc = cli_parse_spec(cmd, act, &a);
    if (rc)
        return rc;
    char *layer = last_layer(spec), *open = strchr(layer, '('), *end = strrchr(layer, ')');
    if (!open || !end || (strncmp(layer, "dense(", 6) && strncmp(layer, "conv2d(", 7)))
        return cli_usage(cmd, "--output-act sets the activation of the output layer, which must "
                              "be dense(...) or conv2d(...), not '%s'", layer);
    /* the arguments without any activation=..., then activation=[ACT] */
    char args[4096] = "", *out = args;
    size_t left = sizeof args;
    for (char *s = open + 1; s < end;) {
        char *a0 = s;
        int depth = 0;
        while (s < end && !(*s == ',' && depth == 0)) {
            depth += (*s == '[' || *s == '(') - (*s == ']' || *s == ')');
            s++;
        }
        while (a0 < s && *a0 == ' ')
            a0++;
        int is_act = !strncmp(a0, "activation", 10) && strchr(" =", a0[10]);
        int len = (int)(s - a0);
        if (!is_act && len > 0) {
            int k = snprintf(out, left, "%s%.*s", out == args ? "" : ",", len, a0);
            if (k < 0 || (size_t)k >= left)
                return cli_usage(cmd, "model spec too long");
            out += k, left -= (size_t)k;
        }
        if (s < end)
            s++;
    }
    char tail[4200];
    int k = snprintf(tail, sizeof tail, "%.*s%s,activation=[%s])", (int)(open + 1 - layer), layer,
                     args, act);
    if (k < 0 || (size_t)k >= sizeof tail || (size_t)(layer - spec) + (size_t)k >= size)
        return cli_usage(cmd, "model spec too long");
    strcpy(layer, tail);
    return CLI_OK;
}
