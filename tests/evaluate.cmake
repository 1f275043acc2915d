# actlab evaluate, and predict --data SOURCE / --format csv: numbers against the test's own
# computation (test_evaluate.c), messages and exit codes, and the real data sets end to end
# (skipped, saying why, where they are missing).
actlab_add_test(test_evaluate SOURCES test_evaluate.c)
target_compile_definitions(test_evaluate PRIVATE ACTLAB_CLI="$<TARGET_FILE:actlab_cli>")
add_dependencies(test_evaluate actlab_cli)

set(_EV ${CMAKE_CURRENT_SOURCE_DIR}/cli/evaluate.sh)
add_test(NAME cli_evaluate_errors COMMAND ${_EV} $<TARGET_FILE:actlab_cli> errors)
add_test(NAME cli_evaluate_fashion_mnist COMMAND ${_EV} $<TARGET_FILE:actlab_cli> fashion-mnist
         /usr/share/datasets/fashion-mnist)
add_test(NAME cli_predict_house_prices COMMAND ${_EV} $<TARGET_FILE:actlab_cli> house-prices
         ${PROJECT_SOURCE_DIR}/../shared/data/house-prices)
set_tests_properties(cli_evaluate_errors cli_evaluate_fashion_mnist cli_predict_house_prices
                     PROPERTIES LABELS fast TIMEOUT 120 SKIP_RETURN_CODE 77)
