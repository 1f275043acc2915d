# Issue 14 (training speed): conv2d's per-thread chunks against one thread, max pooling's
# 2x2 window against the rule, the OpenBLAS core the CLI re-executes with; and the CLI
# keeping a user's OPENBLAS_CORETYPE.
actlab_add_test(test_train_speed SOURCES test_train_speed.c TIMEOUT 120)
target_link_libraries(test_train_speed PRIVATE PkgConfig::OPENBLAS OpenMP::OpenMP_C)
add_test(NAME cli_blas_core_kept COMMAND bash -c
    "out=$(OPENBLAS_CORETYPE=Haswell OPENBLAS_VERBOSE=2 \"$0\" eval relu 1 2>&1) && [ \"$(printf '%s\\n' \"$out\" | grep -c '^Core:')\" = 1 ] && printf '%s\\n' \"$out\" | grep -q '^Core: Haswell'"
    $<TARGET_FILE:actlab_cli>)
set_tests_properties(cli_blas_core_kept PROPERTIES LABELS fast TIMEOUT 60)
