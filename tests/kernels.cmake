# The kernel paths: the activation tests again on every path (ACTLAB_ISA), each skipped with
# a reason where this CPU cannot run it, and the fused/dispatch API tests.
add_executable(isa_check isa_check.c)
target_link_libraries(isa_check PRIVATE actlab_static)

actlab_add_test(test_kernels SOURCES test_kernels.c)

foreach(_path avx512 avx2 baseline exact)
    foreach(_t test_accuracy test_grad test_api test_kernels)
        add_test(NAME ${_t}_${_path}
                 COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/isa_run.sh $<TARGET_FILE:isa_check>
                         ${_path} $<TARGET_FILE:${_t}> --jobs 2)
        set_tests_properties(${_t}_${_path} PROPERTIES LABELS fast TIMEOUT 300
                             SKIP_RETURN_CODE 77)
    endforeach()
endforeach()
