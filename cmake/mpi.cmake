# MPI support for the command-line tool (`mpirun -np N actlab compare|train`): only the tool
# links MPI; the library stays MPI-free (nn_fit takes a generic shard hook, see train.h).
#   -DACTLAB_MPI=AUTO  (default) with MPI when an MPI C library is found, without otherwise
#   -DACTLAB_MPI=ON    MPI is required
#   -DACTLAB_MPI=OFF   never
# Without MPI, src/cli/mpi.c compiles to a single-process stand-in and everything else is the
# same; the tests labelled `mpi` then say they skip, and why.
set(ACTLAB_MPI AUTO CACHE STRING "MPI support in the actlab tool: ON, OFF or AUTO")
set_property(CACHE ACTLAB_MPI PROPERTY STRINGS ON OFF AUTO)
set(ACTLAB_HAVE_MPI OFF)
if(ACTLAB_MPI STREQUAL "ON")
    find_package(MPI REQUIRED COMPONENTS C)
    set(ACTLAB_HAVE_MPI ON)
elseif(ACTLAB_MPI STREQUAL "AUTO")
    find_package(MPI QUIET COMPONENTS C)
    if(MPI_C_FOUND)
        set(ACTLAB_HAVE_MPI ON)
    endif()
elseif(NOT ACTLAB_MPI STREQUAL "OFF")
    message(FATAL_ERROR "ACTLAB_MPI must be ON, OFF or AUTO, not '${ACTLAB_MPI}'")
endif()
if(ACTLAB_HAVE_MPI)
    message(STATUS "actlab: MPI support in the tool (${MPI_C_LIBRARIES})")
    target_link_libraries(actlab_cli PRIVATE MPI::MPI_C)
    target_compile_definitions(actlab_cli PRIVATE ACTLAB_HAVE_MPI)
    # mpirun for the tests (tests/mpi.cmake)
    find_program(ACTLAB_MPIEXEC NAMES ${MPIEXEC_EXECUTABLE} mpirun mpiexec)
else()
    message(STATUS "actlab: no MPI support (ACTLAB_MPI=${ACTLAB_MPI})")
endif()
if(ACTLAB_HAVE_MPI)
    # docs/SCALING.md's check of the communication model: built on demand
    # (cmake --build build --target bench_mpi_costmodel), run under mpirun
    add_executable(bench_mpi_costmodel EXCLUDE_FROM_ALL bench/mpi_costmodel.c)
    target_link_libraries(bench_mpi_costmodel PRIVATE actlab_static MPI::MPI_C)
    target_compile_definitions(bench_mpi_costmodel PRIVATE ACTLAB_HAVE_MPI)
endif()
