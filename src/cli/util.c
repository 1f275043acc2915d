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
        return cli_usage(cmd, "%s", act_last_error());
    return CLI_OK;
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
        return cli_fail(cmd, "%s", act_last_error());
    return CLI_OK;
}
