# actlab compare end to end on a small table the test makes (tests/cli/compare.sh). The jobs
# case trains on several threads at once, so it is in the ThreadSanitizer job too.
foreach(_case outputs jobs refusals cifar conv_jobs)
    add_test(NAME cli_compare_${_case} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/compare.sh
             $<TARGET_FILE:actlab_cli> ${_case})
    set_tests_properties(cli_compare_${_case} PROPERTIES LABELS fast TIMEOUT 180)
endforeach()
set_tests_properties(cli_compare_jobs PROPERTIES LABELS "fast;threads")

# report.html in headless Chromium (skipped where chromium is not installed)
add_test(NAME cli_compare_report_chromium COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/report_chromium.sh
         $<TARGET_FILE:actlab_cli>)
set_tests_properties(cli_compare_report_chromium PROPERTIES LABELS fast TIMEOUT 300
                     SKIP_RETURN_CODE 77)

# The regression tutorial's presets on the real Kaggle table in ../shared (not in a user's
# clone: then it says it skips, and why)
set(_HOUSE_CSV ${PROJECT_SOURCE_DIR}/../shared/data/house-prices/train.csv)
add_test(NAME cli_compare_house_presets COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/skip_unless.sh
         ${_HOUSE_CSV} "the Kaggle data is only in the project's shared folder" --
         ${CMAKE_CURRENT_SOURCE_DIR}/cli/house_presets.sh $<TARGET_FILE:actlab_cli> ${_HOUSE_CSV})
set_tests_properties(cli_compare_house_presets PROPERTIES LABELS fast TIMEOUT 300
                     SKIP_RETURN_CODE 77)
