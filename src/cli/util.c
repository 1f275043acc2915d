/* Small helpers shared by the commands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic.h"
#include "cli.h"

static int report(int code, const char *cmd, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int report(int code, const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "actlab %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return code;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(CLI_USAGE, cmd, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(CLI_FAIL, cmd, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_parse_spec(const char *cmd, const char *text, act_spec *out)
{
    if (act_parse(text, out))
        return cli_usage(cmd, "%s", al_last_error());
    return CLI_OK;
}

static int add_spec(const char *cmd, const char *what, const char *text, act_spec *specs,
                    int max, int *n)
{
    if (*n == max)
        return cli_usage(cmd, "at most %d functions", max);
    int rc = cli_parse_spec(cmd, text, &specs[*n]);
    if (rc)
        return rc;
    if (act_get_info(specs[*n].kind)->flags & ACT_ROWWISE)
        return cli_usage(cmd, "%s works on rows; %s needs an elementwise function", text, what);
    (*n)++;
    return CLI_OK;
}

/* A comma starts a new function unless the piece after it is a bare key=value, which
 * continues the previous function's parameters. */
int cli_parse_act_list(const char *cmd, const char *opt, const char *what, const char *list,
                       act_spec *specs, int max, int *n)
{
    char spec[256] = "";
    *n = 0;
    for (const char *s = list; *s;) {
        size_t piece = strcspn(s, ",");
        int continues = spec[0] && memchr(s, '=', piece) && !memchr(s, ':', piece);
        if (spec[0] && !continues) {
            int rc = add_spec(cmd, what, spec, specs, max, n);
            if (rc)
                return rc;
            spec[0] = '\0';
        }
        size_t len = strlen(spec);
        if (len + piece + 2 > sizeof spec)
            return cli_usage(cmd, "function list too long");
        snprintf(spec + len, sizeof spec - len, "%s%.*s", continues ? "," : "", (int)piece, s);
        s += piece + (s[piece] == ',');
    }
    int rc = spec[0] ? add_spec(cmd, what, spec, specs, max, n) : CLI_OK;
    return rc || *n ? rc : cli_usage(cmd, "%s needs at least one function", opt);
}

int cli_parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

void cli_print_double(FILE *f, double v)
{
    if (isnan(v))
        fputs("nan\n", f);
    else
        fprintf(f, "%.9g\n", v);
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_check_output(const char *cmd, const char *path)
{
    if (path && !path[0])
        return cli_usage(cmd, "an output file name is empty");
    if (path && al__check_writable(path))
        return cli_fail(cmd, "%s", al_last_error());
    return CLI_OK;
}

int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s ? s : "", &end, 10);
    if (!s || end == s || *end || errno || v < lo || v > hi)
        return cli_usage(cmd, "%s needs a whole number from %ld to %ld, not '%s'", opt, lo, hi,
                         s ? s : "");
    *out = v;
    return CLI_OK;
}

int cli_choice(const char *cmd, const char *opt, const char *v, const char *const *names,
               size_t n, long *out)
{
    long k = al_name_find(v, strlen(v), names, n);
    if (k >= 0)
        return *out = k, CLI_OK;
    char list[256] = "", hint[160];
    for (size_t i = 0, used = 0; i < n && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%.*s", i ? ", " : "",
                                 (int)strcspn(names[i], " "), names[i]);
    al_name_suggest(v, strlen(v), names, n, hint, sizeof hint);
    return cli_usage(cmd, "%s '%s': one of %s%s", opt, v, list, hint);
}
