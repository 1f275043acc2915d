/* actlab eval [--grad] FUNC [X ...]: f(x) or f'(x), one value per line. With no X, numbers
 * come from standard input: every blank-separated word of every line, lines of any length.
 * For a row-wise function the X are one row; with --grad it prints the Jacobian, one output
 * per line. Elementwise values are computed in double (act_eval); row-wise ones are the
 * float32 kernels' results. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actlab/names.h"
#include "cli.h"

struct values {
    double *v;
    size_t n, cap;
};

static int push(struct values *vs, double x)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? 2 * vs->cap : 64;
        if (cap > SIZE_MAX / sizeof *vs->v)
            return -1;
        double *v = realloc(vs->v, cap * sizeof *v);
        if (!v)
            return -1;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n++] = x;
    return 0;
}

/* A word of the command line or of standard input; where says which, for the message. A
 * word too long to show is cut in the message, never in the number. */
static int add_number(const char *cmd, struct values *vs, const char *text, const char *where)
{
    double d;
    enum al_num r = al_parse_double(text, &d);
    if (r != AL_NUM_OK)
        return cli_usage(cmd, "'%.40s%s'%s %s", text, strlen(text) > 40 ? "..." : "", where,
                         r == AL_NUM_RANGE ? "is out of range (beyond +-1.8e308; write inf "
                                              "for infinity)"
                                            : "is not a number");
    if (push(vs, d))
        return cli_fail(cmd, "out of memory");
    return CLI_OK;
}

/* Every word of every line counts, so "2 3" is two numbers; getline takes a line of any
 * length, so a long number is never cut in two. */
static int read_stdin(const char *cmd, struct values *vs)
{
    static const char blanks[] = " \t\r\n\v\f";
    char *line = NULL, where[48];
    size_t cap = 0;
    ssize_t len;
    int rc = CLI_OK;
    for (long no = 1; !rc && (len = getline(&line, &cap, stdin)) >= 0; no++) {
        snprintf(where, sizeof where, " (stdin line %ld)", no);
        if (strlen(line) != (size_t)len) {
            rc = cli_usage(cmd, "a NUL byte%s", where);
            break;
        }
        for (char *s = line + strspn(line, blanks); !rc && *s; s += strspn(s, blanks)) {
            size_t n = strcspn(s, blanks);
            char end = s[n];
            s[n] = '\0';
            rc = add_number(cmd, vs, s, where);
            s[n] = end;
            s += n;
        }
    }
    if (!rc && ferror(stdin))
        rc = cli_fail(cmd, "cannot read standard input");
    free(line);
    return rc;
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
    return rc ? cli_fail("eval", "%s", al_last_error()) : CLI_OK;
}

static int usage(void)
{
    printf("usage: actlab eval [--grad] FUNC [X ...]\n"
           "  prints f(x) (or f'(x) with --grad) for each X, one per line (%%.9g; nan, inf).\n"
           "  With no X, reads numbers from standard input, separated by spaces, tabs or\n"
           "  line ends. Negative numbers are plain arguments: actlab eval sigmoid -1 0 1\n"
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
        else if (s[0] == '-' && al_parse_double(s, &d) == AL_NUM_INVALID)
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
