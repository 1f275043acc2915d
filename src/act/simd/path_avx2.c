/* The kernels compiled for the avx2 path (see kernels.h; CMake sets this file's flags). */
#include "vec_avx2.h"
#define PATH_TAG avx2
#define PATH_NAME "avx2"
#include "kernels.h"
