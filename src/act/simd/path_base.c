/* The kernels compiled for the base path (see kernels.h; CMake sets this file's flags). */
#include "vec_base.h"
#define PATH_TAG base
#define PATH_NAME "baseline"
#include "kernels.h"
