/* The kernels compiled for the avx512 path (see kernels.h; CMake sets this file's flags). */
#include "vec_avx512.h"
#define PATH_TAG avx512
#define PATH_NAME "avx512"
#include "kernels.h"
