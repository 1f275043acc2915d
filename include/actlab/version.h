#ifndef ACTLAB_VERSION_H
#define ACTLAB_VERSION_H

#include "export.h"

/* CMake reads these three lines to version the library and the packages. */
#define ACTLAB_VERSION_MAJOR 0
#define ACTLAB_VERSION_MINOR 1
#define ACTLAB_VERSION_PATCH 0

#define ACTLAB_VERSION_NUMBER \
    (ACTLAB_VERSION_MAJOR * 10000 + ACTLAB_VERSION_MINOR * 100 + ACTLAB_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif
/* The version of the library actually linked, "MAJOR.MINOR.PATCH": compare with the macros
 * to detect a header/library mismatch. */
ACTLAB_API const char *al_version_string(void);
ACTLAB_API int al_version_number(void);
#ifdef __cplusplus
}
#endif
#endif
