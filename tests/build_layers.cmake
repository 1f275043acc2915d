# The layers (docs/ARCHITECTURE.md) are enforced by the build: for each module, and for the
# CLI, every include of a header of the project is compiled with the flags of the target that
# builds that folder, and must be accepted or refused as the DAG below says. The DAG is
# written here again, independently of src/*/CMakeLists.txt, so a module that is given more
# than the architecture allows fails these tests.
set(_layers_core core)
set(_layers_act core act)
set(_layers_data core data)
set(_layers_nn core act data nn)
set(_layers_plot core act plot)
get_property(_modules GLOBAL PROPERTY ACTLAB_MODULES)
# every module's objects, each group after @NAME, for tests/layers/symbols.sh
set(_objects)
foreach(_m ${_modules})
    list(APPEND _objects @${_m} $<TARGET_OBJECTS:actlab_${_m}>)
endforeach()
foreach(_who ${_modules} cli)
    if(_who STREQUAL cli)
        set(_t actlab_cli)
        set(_allowed "")
        set(_except "")
        set(_except_symbols "")
    else()
        set(_t actlab_${_who})
        string(JOIN " " _allowed ${_layers_${_who}})
        set(_except "")
        set(_except_symbols "")
    endif()
    add_test(NAME layers_${_who}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/layers/check.sh ${PROJECT_SOURCE_DIR} ${_who}
                     "allowed:${_allowed}" "except:${_except}" ${CMAKE_C_COMPILER} -std=c11
                     "-D$<JOIN:$<TARGET_PROPERTY:${_t},COMPILE_DEFINITIONS>,;-D>"
                     "-I$<JOIN:$<TARGET_PROPERTY:${_t},INCLUDE_DIRECTORIES>,;-I>"
             COMMAND_EXPAND_LISTS)
    set_tests_properties(layers_${_who} PROPERTIES LABELS fast TIMEOUT 120)
    # the same at link level: a prototype written by hand passes the include check
    add_test(NAME layers_${_who}_symbols
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/layers/symbols.sh ${_who} "allowed:${_allowed}"
                     "except:${_except_symbols}" $<TARGET_FILE:actlab> ${_objects}
                     @cli $<TARGET_OBJECTS:actlab_cli>
             COMMAND_EXPAND_LISTS)
    set_tests_properties(layers_${_who}_symbols PROPERTIES LABELS fast TIMEOUT 60)
endforeach()

# The packages work for a program outside the project (tests/package/check.sh): from the
# build tree (PKG_CONFIG_PATH=build, find_package with the build folder) and from a
# `cmake --install` into a temporary prefix, each through pkg-config (shared and static) and
# find_package (actlab::actlab and actlab::actlab_static). Skipped in sanitizer builds, whose
# library needs the sanitizer runtime in every consumer.
if(NOT ACTLAB_SANITIZE AND NOT ACTLAB_TSAN)
    foreach(_mode build-tree install)
        add_test(NAME package_${_mode}
                 COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/package/check.sh ${_mode}
                         ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
        set_tests_properties(package_${_mode} PROPERTIES LABELS fast TIMEOUT 300)
    endforeach()
endif()

# The public output-file API (include/actlab/io.h) that the CLI uses in place of
# src/core/atomic.h.
actlab_add_test(test_io SOURCES test_io.c)
