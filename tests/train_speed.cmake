# Issue 14 (training speed): conv2d's per-thread chunks against one thread, max pooling's
# 2x2 window against the rule, the OpenBLAS core the CLI re-executes with; and the CLI
# keeping a user's OPENBLAS_CORETYPE.
actlab_add_test(test_train_speed SOURCES test_train_speed.c TIMEOUT 120)
target_link_libraries(test_train_speed PRIVATE PkgConfig::OPENBLAS OpenMP::OpenMP_C)
add_test(NAME cli_blas_core_kept COMMAND bash -c
    "out=$(OPENBLAS_CORETYPE=Haswell OPENBLAS_VERBOSE=2 \"$0\" eval relu 1 2>&1) && [ \"$(printf '%s\\n' \"$out\" | grep -c '^Core:')\" = 1 ] && printf '%s\\n' \"$out\" | grep -q '^Core: Haswell'"
    $<TARGET_FILE:actlab_cli>)
set_tests_properties(cli_blas_core_kept PROPERTIES LABELS fast TIMEOUT 60)
# The layers thread their own loops only beside an OpenMP (or serial) OpenBLAS, the one the
# build runs with by default (ACTLAB_OPENBLAS_DIR); the same tests again with the other
# Debian build, where it is installed, so that both threading paths stay tested.
foreach(_kind openmp pthread)
    set(_blas /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-${_kind})
    if(NOT EXISTS ${_blas}/libopenblas.so.0 OR "${_blas}" STREQUAL "${ACTLAB_OPENBLAS_DIR}")
        continue()
    endif()
    add_test(NAME test_train_speed_${_kind} COMMAND env LD_LIBRARY_PATH=${_blas} OMP_NUM_THREADS=2
             $<TARGET_FILE:test_train_speed> --jobs 1)
    set_tests_properties(test_train_speed_${_kind} PROPERTIES LABELS fast TIMEOUT 120)
    add_test(NAME test_conv_${_kind} COMMAND env LD_LIBRARY_PATH=${_blas} OMP_NUM_THREADS=2
             $<TARGET_FILE:test_conv> --jobs 1)
    set_tests_properties(test_conv_${_kind} PROPERTIES LABELS fast TIMEOUT 300)
endforeach()
