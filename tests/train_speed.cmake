# Issue 14 (training speed): conv2d's per-thread chunks against one thread, max pooling's
# 2x2 window against the rule, the OpenBLAS core the CLI re-executes with; and the CLI
# keeping a user's OPENBLAS_CORETYPE.
actlab_add_test(test_train_speed SOURCES test_train_speed.c TIMEOUT 120)
target_link_libraries(test_train_speed PRIVATE PkgConfig::OPENBLAS OpenMP::OpenMP_C)
add_test(NAME cli_blas_core_kept COMMAND bash -c
    "out=$(OPENBLAS_CORETYPE=Haswell OPENBLAS_VERBOSE=2 \"$0\" eval relu 1 2>&1) && [ \"$(printf '%s\\n' \"$out\" | grep -c '^Core:')\" = 1 ] && printf '%s\\n' \"$out\" | grep -q '^Core: Haswell'"
    $<TARGET_FILE:actlab_cli>)
set_tests_properties(cli_blas_core_kept PROPERTIES LABELS fast TIMEOUT 60)
# The per-thread chunks run only beside an OpenMP (or serial) OpenBLAS: the same tests again
# with Debian's OpenMP build, where it is installed.
set(_omp_blas /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
if(EXISTS ${_omp_blas}/libopenblas.so.0)
    add_test(NAME test_train_speed_openmp COMMAND env LD_LIBRARY_PATH=${_omp_blas} OMP_NUM_THREADS=2
             $<TARGET_FILE:test_train_speed> --jobs 1)
    set_tests_properties(test_train_speed_openmp PROPERTIES LABELS fast TIMEOUT 120)
    add_test(NAME test_conv_openmp COMMAND env LD_LIBRARY_PATH=${_omp_blas} OMP_NUM_THREADS=2
             $<TARGET_FILE:test_conv> --jobs 1)
    set_tests_properties(test_conv_openmp PROPERTIES LABELS fast TIMEOUT 300)
endif()
