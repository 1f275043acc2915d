# Issue 12, data and parsing paths: labels that would size tables, standard input read by
# words, wide tables, numbers beyond the range of a double, and small misuse with messages in
# the user's terms. Each case of tests/cli/hostile_data.sh is one ctest test; the unit tests
# check the library pieces (labels, the number reader, spec parameters, CSV, lookups).
set(_HD ${CMAKE_CURRENT_SOURCE_DIR}/cli/hostile_data.sh)
foreach(_case
        label_2e62 label_5e8 label_5e8_train label_negative label_sparse
        stdin_two_per_line stdin_tabs_crlf stdin_long_line stdin_bad_token stdin_overflow
        arg_overflow arg_inf_kept param_overflow param_twice param_twice_alias
        csv_overflow csv_inf_kept prepare_no_target act_unknown act_unknown_train
        source_csv_hint source_npy_hint source_typo_hint
        message_target message_text_column message_val)
    add_test(NAME hostile_${_case} COMMAND ${_HD} ${_case} $<TARGET_FILE:actlab_cli>)
    set_tests_properties(hostile_${_case} PROPERTIES LABELS fast TIMEOUT 60)
endforeach()

# Quadratic work on wide tables: the old code took 12.6 to 16 s (100000 columns, data
# prepare) and 20 s (100000 categories, data inspect) on the shared 2-core build machine;
# now 0.3 to 0.6 s, file generation included. A TIMEOUT of 6 s fails a regression without
# flaking on a loaded machine.
foreach(_case wide_prepare many_categories)
    add_test(NAME hostile_${_case} COMMAND ${_HD} ${_case} $<TARGET_FILE:actlab_cli>)
    set_tests_properties(hostile_${_case} PROPERTIES LABELS fast TIMEOUT 6)
endforeach()

actlab_add_test(test_hostile_data SOURCES test_hostile_data.c)
