/* isa_check PATH: exit 0 when this CPU and build run the kernel path, else say why and exit
 * 77, which ctest reports as skipped (tests/kernels.cmake runs it before each per-path test). */
#include <stdio.h>

#include <actlab/act.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: isa_check PATH\n");
        return 2;
    }
    if (act_isa_supported(argv[1]))
        return 0;
    printf("skipped: this CPU (or build) cannot run the '%s' kernel path\n", argv[1]);
    return 77;
}
