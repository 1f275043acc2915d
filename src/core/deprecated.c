/* The 0.1 names that are functions of the library (include/actlab/deprecated.h). */
#include "actlab/status.h"

const char *act_last_error(void)
{
    return al_last_error();
}
