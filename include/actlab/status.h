/* Status codes shared by every actlab module. Errors are values: no library function exits,
 * aborts or prints on bad input; each returns one of these and, where there is more to say,
 * leaves a message for al_last_error(). */
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
 * file and line, the closest valid names); "" when there is none. Every public function that
 * returns an al_status clears it when it starts, so after a successful call it is "", and
 * after a failed one it is that failure's. Valid until the next actlab call in the same
 * thread. One message serves every module (act, data, nn, plot). */
ACTLAB_API const char *al_last_error(void);

/* Records a message for al_last_error() (printf-style; fmt must not be NULL) and returns
 * status, so that code built on actlab -- a callback that nn_fit runs, a tool's own checks --
 * reports a failure the way the library does: return al_set_error(AL_EINVAL, "...", ...); */
ACTLAB_API al_status al_set_error(al_status status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#include "deprecated.h"
#endif
