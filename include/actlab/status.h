/* Status codes shared by every actlab module. Errors are values: no library function exits,
 * aborts or prints on bad input; each returns one of these and, where there is more to say,
 * leaves a message for act_last_error(). */
#ifndef ACTLAB_STATUS_H
#define ACTLAB_STATUS_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AL_STATUS_LIST(X)                          \
    X(OK, "success")                               \
    X(EINVAL, "invalid argument")                  \
    X(ENAME, "unknown name")                       \
    X(ESHAPE, "shape mismatch")                    \
    X(ENOMEM, "out of memory")                     \
    X(EIO, "read/write failed")                    \
    X(EFORMAT, "malformed file")                   \
    X(EUNSUPPORTED, "not supported")

typedef enum al_status {
#define X(id, msg) AL_##id,
    AL_STATUS_LIST(X)
#undef X
    AL_STATUS_COUNT
} al_status;

/* A short fixed description of the code; never NULL, also for unknown codes. */
ACTLAB_API const char *al_status_str(int status);

/* The detailed message of the last failed call in this thread (names the bad argument, the
 * token, the closest valid names); "" when there is none. Valid until the next actlab call
 * in the same thread. */
ACTLAB_API const char *act_last_error(void);

#ifdef __cplusplus
}
#endif
#endif
