# A build with fast-math stops with a clear #error (src/core/ieee.h) instead of producing
# kernels that silently lose NaN, inf and -0: compile one kernel source with it and expect the
# message.
add_test(NAME build_refuses_fast_math COMMAND ${CMAKE_C_COMPILER} -ffast-math -fsyntax-only -DACTLAB_LAYER_CORE -DACTLAB_LAYER_ACT
         -I${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src/act/relu.c)
set_tests_properties(build_refuses_fast_math PROPERTIES LABELS fast TIMEOUT 60
    PASS_REGULAR_EXPRESSION "must not be built with -ffast-math")
