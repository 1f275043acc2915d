# Accuracy and derivative tests against the MPFR reference (tests/ref), and the report that
# docs/ACCURACY.md is made from: build/tests/act_accuracy [--points N | --full].
add_library(actlab_testref STATIC
    ${CMAKE_CURRENT_SOURCE_DIR}/ref/ref_mpfr.c
    ${CMAKE_CURRENT_SOURCE_DIR}/ref/ulp.c
    ${CMAKE_CURRENT_SOURCE_DIR}/ref/cases.c)
target_include_directories(actlab_testref PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(actlab_testref PUBLIC actlab_static PkgConfig::MPFR m)

actlab_add_test(test_accuracy SOURCES test_accuracy.c TIMEOUT 240)
target_link_libraries(test_accuracy PRIVATE actlab_testref)

actlab_add_test(test_grad SOURCES test_grad.c TIMEOUT 240)
target_link_libraries(test_grad PRIVATE actlab_testref)

add_executable(act_accuracy accuracy_report.c)
target_link_libraries(act_accuracy PRIVATE actlab_testref)
add_test(NAME act_accuracy_smoke COMMAND act_accuracy --points 2048)
set_tests_properties(act_accuracy_smoke PROPERTIES LABELS fast TIMEOUT 240)
