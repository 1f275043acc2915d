/* The kernels compiled for the avx512 path (see kernels.h; CMake sets this file's flags). */
#include "vec_avx512.h"
#define PATH_SYM act__path_avx512
#define PATH_NAME "avx512"
#include "kernels.h"
