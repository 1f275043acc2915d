#if !defined(ACTLAB_LAYER_CORE) && !defined(ACTLAB_CLI_CORE_EXCEPTION) /* src/cli/CMakeLists.txt */
#error "internal to the core layer of actlab and the layers above it (docs/ARCHITECTURE.md)"
#endif
#ifndef ACTLAB_SRC_CORE_ERROR_H
#define ACTLAB_SRC_CORE_ERROR_H

/* Records a message for act_last_error() and returns status, so a failure is one line:
 * return al__fail(AL_EINVAL, "...", ...); */
int al__fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void al__clear_error(void);

#endif
