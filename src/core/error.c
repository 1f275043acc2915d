/* Status strings and the per-thread "what went wrong" message. Thread-local so that two
 * threads parsing specs never read each other's errors, and so no call needs an extra
 * out-parameter just for the text. */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"
#include "actlab/status.h"

static _Thread_local char last_error[512];

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

const char *act_last_error(void)
{
    return last_error;
}

int al__fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

void al__clear_error(void)
{
    last_error[0] = '\0';
}
