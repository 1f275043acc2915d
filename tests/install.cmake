# The installed copy stays usable from outside (skipped in sanitizer builds, whose library
# needs the sanitizer runtime in every consumer).
if(NOT ACTLAB_SANITIZE)
    add_test(NAME install_consumer
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install/check.sh ${PROJECT_BINARY_DIR}
                     ${CMAKE_CURRENT_SOURCE_DIR}/install)
    set_tests_properties(install_consumer PROPERTIES LABELS fast TIMEOUT 300)
endif()
