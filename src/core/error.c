/* Status strings and the per-thread "what went wrong" message of every module. Thread-local
 * so that two threads parsing specs never read each other's errors, and so no call needs an
 * extra out-parameter just for the text. */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "actlab/status.h"

static _Thread_local char last_error[512];
static _Thread_local int api_depth; /* public calls in progress in this thread */

const char *al_status_str(int status)
{
    static const char *const text[] = {
#define X(id, msg) [AL_##id] = msg,
        AL_STATUS_LIST(X)
#undef X
    };
    if (status < 0 || status >= AL_STATUS_COUNT)
        return "unknown status";
    return text[status];
}

const char *al_last_error(void)
{
    return last_error;
}

static void vfail(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

static void vfail(const char *fmt, va_list ap)
{
    vsnprintf(last_error, sizeof last_error, fmt, ap);
}

int al__fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(fmt, ap);
    va_end(ap);
    return status;
}

al_status al_set_error(al_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(fmt, ap);
    va_end(ap);
    return status;
}

void al__clear_error(void)
{
    last_error[0] = '\0';
}

int al__api_enter(void)
{
    if (api_depth++ == 0)
        last_error[0] = '\0';
    return 0;
}

void al__api_leave(int *unused)
{
    (void)unused;
    api_depth--;
}
