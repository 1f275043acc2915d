# mpirun -np N actlab compare|train on loopback (tests/cli/mpi.sh), label `mpi`. Without MPI
# support in the build (cmake/mpi.cmake) each case says it skips, and why. Running as root
# needs Open MPI's consent: given here, in the tests' environment only, never in users' set-up.
foreach(_case compare train resume kill)
    if(ACTLAB_HAVE_MPI AND ACTLAB_MPIEXEC)
        add_test(NAME mpi_${_case} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/mpi.sh
                 $<TARGET_FILE:actlab_cli> ${ACTLAB_MPIEXEC} ${_case})
        set(_env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
                 OMPI_MCA_rmaps_base_oversubscribe=1)
        # Open MPI never frees what MPI_Init allocates, in components it unloads at
        # MPI_Finalize: LeakSanitizer sees "<unknown module>" frames that no suppression can
        # name. Leak checking is off for these tests only; memory errors and UB still abort.
        if(ACTLAB_SANITIZE)
            list(APPEND _env "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")
        endif()
        set_tests_properties(mpi_${_case} PROPERTIES ENVIRONMENT "${_env}")
    else()
        add_test(NAME mpi_${_case} COMMAND bash -c
                 "echo 'skipped: this build has no MPI support (install libopenmpi-dev and openmpi-bin, reconfigure with -DACTLAB_MPI=AUTO or ON)'; exit 77")
        set_tests_properties(mpi_${_case} PROPERTIES SKIP_RETURN_CODE 77)
    endif()
    # one at a time: each starts up to 3 processes on the machine's cores
    set_tests_properties(mpi_${_case} PROPERTIES LABELS "mpi;fast" TIMEOUT 300 RUN_SERIAL TRUE)
endforeach()
