#include "actlab/version.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const char *al_version_string(void)
{
    return STR(ACTLAB_VERSION_MAJOR) "." STR(ACTLAB_VERSION_MINOR) "." STR(ACTLAB_VERSION_PATCH);
}

int al_version_number(void)
{
    return ACTLAB_VERSION_NUMBER;
}
