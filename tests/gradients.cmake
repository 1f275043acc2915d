# actlab gradients (issue 11, part 3): nn_diagnose against finite differences and hand-set
# dead units, Fashion-MNIST's vanishing sigmoid gradients, and the command end to end.
actlab_add_test(test_diag SOURCES test_diag.c TIMEOUT 120)

set(_G ${CMAKE_CURRENT_SOURCE_DIR}/cli/gradients.sh)
foreach(_case csv_regression fashion_mnist bad_act out_is_file diverged)
    add_test(NAME cli_gradients_${_case} COMMAND ${_G} $<TARGET_FILE:actlab_cli> ${_case})
    set_tests_properties(cli_gradients_${_case} PROPERTIES LABELS fast TIMEOUT 180
                         SKIP_RETURN_CODE 77)
    if(ACTLAB_SANITIZE AND ACTLAB_PLOT)
        # fontconfig's process-lifetime caches when cairo first renders text (see plot.cmake)
        set_tests_properties(cli_gradients_${_case} PROPERTIES ENVIRONMENT
            "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp:print_suppressions=0")
    endif()
endforeach()
