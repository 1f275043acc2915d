/* actlab eval [--grad] FUNC [X ...]: f(x) or f'(x), one value per line. With no X, numbers
 * come from standard input, one per line. For a row-wise function the X are one row; with
 * --grad it prints the Jacobian, one output per line. Elementwise values are computed in
 * double (act_eval); row-wise ones are the float32 kernels' results. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct values {
    double *v;
    size_t n, cap;
};

static int push(struct values *vs, double x)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 64;
        double *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return -1;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n++] = x;
    return 0;
}

static int add_number(const char *cmd, struct values *vs, const char *text, const char *where)
{
    double d;
    if (cli_parse_double(text, &d))
        return cli_usage(cmd, "'%s'%s is not a number", text, where);
    if (push(vs, d))
        return cli_fail(cmd, "out of memory");
    return CLI_OK;
}

static int read_stdin(const char *cmd, struct values *vs)
{
    char line[256], where[48];
    for (long no = 1; fgets(line, sizeof line, stdin); no++) {
        line[strcspn(line, "\r\n")] = '\0';
        char *s = line + strspn(line, " \t");
        if (!*s)
            continue;
        s[strcspn(s, " \t")] = '\0';
        snprintf(where, sizeof where, " (stdin line %ld)", no);
        int rc = add_number(cmd, vs, s, where);
        if (rc)
            return rc;
    }
    return CLI_OK;
}

/* In double, from the scalar specification: the digits printed are f's, not float32's. */
static int eval_elementwise(const act_spec *a, int grad, const struct values *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        cli_print_double(stdout, grad ? act_grad(a, vs->v[i]) : act_eval(a, vs->v[i]));
    return CLI_OK;
}

/* Forward: the output row. Gradient: row i of the Jacobian dy_i/dx_j, by backward passes
 * with dy = e_i. */
static int eval_rows(const act_spec *a, int grad, struct values *vs)
{
    size_t cols = vs->n, out_cols = act_out_cols(a, cols);
    char name[96];
    act_format(a, name, sizeof name);
    if (!out_cols)
        return cli_usage("eval", "%s cannot take a row of %zu values", name, cols);
    float *x = malloc(cols * sizeof *x), *y = malloc(out_cols * sizeof *y),
          *dy = calloc(out_cols, sizeof *dy), *dx = malloc(cols * sizeof *dx);
    for (size_t j = 0; x && j < cols; j++)
        x[j] = (float)vs->v[j];
    int rc = !x || !y || !dy || !dx ? AL_ENOMEM : act_forward_rows(a, x, y, 1, cols);
    for (size_t i = 0; grad && !rc && i < out_cols; i++) {
        dy[i] = 1.0f;
        rc = act_backward_rows(a, x, y, dy, dx, 1, cols);
        dy[i] = 0.0f;
        for (size_t j = 0; !rc && j < cols; j++) {
            if (isnan(dx[j]))
                printf("%snan", j ? " " : "");
            else
                printf("%s%.9g", j ? " " : "", (double)dx[j]);
        }
        putchar('\n');
    }
    for (size_t i = 0; !grad && !rc && i < out_cols; i++)
        cli_print_double(stdout, y[i]);
    free(x);
    free(y);
    free(dy);
    free(dx);
    return rc ? cli_fail("eval", "%s", act_last_error()) : CLI_OK;
}

static int usage(void)
{
    printf("usage: actlab eval [--grad] FUNC [X ...]\n"
           "  prints f(x) (or f'(x) with --grad) for each X, one per line (%%.9g; nan, inf).\n"
           "  With no X, reads numbers from standard input, one per line. Negative numbers\n"
           "  are plain arguments: actlab eval sigmoid -1 0 1\n"
           "  A row-wise FUNC (softmax, maxout:k=2, glu, ...) takes the X as one row; with\n"
           "  --grad it prints the Jacobian, row i holding d y_i / d x_j (float32 results).\n"
           "  FUNC is NAME or NAME:key=value,...  e.g. leaky_relu:alpha=0.2\n");
    return CLI_OK;
}

int cli_eval(int argc, char **argv)
{
    int grad = 0, have_x = 0;
    const char *func = NULL;
    struct values vs = {0};
    int rc = CLI_OK;
    for (int i = 1; i < argc && !rc; i++) {
        const char *s = argv[i];
        double d;
        if (cli_is_help(s))
            return usage();
        if (strcmp(s, "--grad") == 0)
            grad = 1;
        else if (s[0] == '-' && cli_parse_double(s, &d) != 0)
            rc = cli_usage(argv[0], "unknown option '%s' (try --help)", s);
        else if (!func)
            func = s;
        else
            have_x = 1, rc = add_number(argv[0], &vs, s, "");
    }
    if (!rc && !func)
        rc = cli_usage(argv[0], "which function? (usage: actlab eval [--grad] FUNC [X ...])");
    act_spec a;
    if (!rc)
        rc = cli_parse_spec(argv[0], func, &a);
    if (!rc && !have_x)
        rc = read_stdin(argv[0], &vs);
    if (!rc)
        rc = act_get_info(a.kind)->flags & ACT_ROWWISE ? eval_rows(&a, grad, &vs)
                                                       : eval_elementwise(&a, grad, &vs);
    free(vs.v);
    return rc;
}
