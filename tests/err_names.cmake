# Issue 13 section 2, one error and naming discipline: the last error message (shared by every
# module, cleared by a successful call), the one name matcher and "did you mean", the source
# rule that every public status function returns al_status and starts with AL_API_ENTRY, and
# the 0.1 names kept for one release.
actlab_add_test(test_err_names SOURCES test_err_names.c)

add_test(NAME err_api_entry COMMAND perl ${CMAKE_CURRENT_SOURCE_DIR}/err/api_entry.pl
    ${PROJECT_SOURCE_DIR})
set_tests_properties(err_api_entry PROPERTIES LABELS fast TIMEOUT 60)

# The old names, against the shared library as a user's program would link them.
add_executable(test_err_old_names err/test_old_names.c)
target_link_libraries(test_err_old_names PRIVATE actlab)
target_compile_options(test_err_old_names PRIVATE -Wno-deprecated-declarations)
add_test(NAME err_old_names COMMAND test_err_old_names)
set_tests_properties(err_old_names PROPERTIES LABELS fast TIMEOUT 60)

# The tool: option values and spec words in any case, with '_' or '-' (cli_test is
# tests/cli.cmake's, included before this file: the glob is sorted).
set(_EA $<TARGET_FILE:actlab_cli>)
set(_EE ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
cli_test(err_summary_any_spelling 0 "Total params: 26"
    -- ${_EA} summary "DENSE(4,Activation=Leaky-ReLU) Dense(2)" --input 3)
cli_test(err_preset_any_spelling 2 "-o DIR is required"
    -- ${_EA} compare --preset FMNIST_LeNet5)
cli_test(err_preset_did_you_mean 2 "--preset 'fmnist-lenet': one of fmnist-lenet5, cifar-lenet5, house-prices; did you mean: fmnist-lenet5"
    -- ${_EA} compare --preset fmnist-lenet)
cli_test(err_isa_any_spelling 0 "relu"
    -- ${_EA} bench --isa EXACT --funcs relu --sizes 64)
add_test(NAME err_cli_values COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/err/cli_values.sh ${_EA} ${_EE}
    ${CMAKE_CURRENT_SOURCE_DIR}/cli/make_table.sh)
set_tests_properties(err_cli_values PROPERTIES LABELS fast TIMEOUT 120)
