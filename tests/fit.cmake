# nn_fit: metrics against the test's own computation from the predictions, data checks,
# failure reasons.
actlab_add_test(test_fit SOURCES test_fit.c)

# actlab train's outputs end to end on a small table
add_test(NAME cli_train_outputs COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/train_outputs.sh
         $<TARGET_FILE:actlab_cli> ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/table)
set_tests_properties(cli_train_outputs PROPERTIES LABELS fast TIMEOUT 120)

# a stopped and a killed run, resumed, end bit-identical to an uninterrupted one
add_test(NAME cli_train_resume COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/train_resume.sh
         $<TARGET_FILE:actlab_cli>)
set_tests_properties(cli_train_resume PROPERTIES LABELS fast TIMEOUT 120)
