# The library's modules and the layers between them (docs/ARCHITECTURE.md).
#
# Each module is an object library, actlab_NAME, compiled with the public headers as its only
# include path and with one definition, ACTLAB_LAYER_X, for itself and for each module it may
# use. Every internal header (src/X/*.h) opens with `#ifndef ACTLAB_LAYER_X #error`, and each
# public header of a module above core with the same test for library code, so an include
# that points up the DAG -- by include path or by a relative "../x/y.h" -- stops the build
# with a message naming the header. tests/build_layers.cmake tries every such include.

# actlab_module(NAME [USES LOWER...] [SOURCES EXTRA...]): actlab_NAME from every .c file in
# the calling folder plus SOURCES. USES lists every module NAME may include (not only the
# direct ones: the list is the whole permission); each must already be defined, so the
# order of definition is a topological order and a cycle cannot be written.
function(actlab_module name)
    cmake_parse_arguments(M "" "" "USES;SOURCES" ${ARGN})
    file(GLOB _src CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
    add_library(actlab_${name} OBJECT ${_src} ${M_SOURCES})
    set(_defs)
    foreach(_m ${name} ${M_USES})
        if(NOT _m STREQUAL name AND NOT TARGET actlab_${_m})
            message(FATAL_ERROR "module ${name} uses ${_m}, which is not defined before it")
        endif()
        string(TOUPPER ${_m} _M)
        list(APPEND _defs ACTLAB_LAYER_${_M})
    endforeach()
    target_compile_definitions(actlab_${name} PRIVATE ${_defs})
    target_include_directories(actlab_${name} PRIVATE ${PROJECT_SOURCE_DIR}/include)
    # every module gets -fopenmp, as the single object library before it did: _OPENMP and
    # the code generated must not depend on which module a file sits in
    target_link_libraries(actlab_${name} PRIVATE OpenMP::OpenMP_C)
    set_property(GLOBAL APPEND PROPERTY ACTLAB_MODULES ${name})
    set_property(GLOBAL PROPERTY ACTLAB_USES_${name} ${M_USES})
endfunction()
