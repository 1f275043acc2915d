# Issue 12, failed writes and output paths: a full device (a private mknod node), outputs
# checked before the work, symlinks written through, FIFOs and devices written directly, no
# temporaries left. tests/cli/hostile_write.sh holds the cases; test_atomic the library side.
foreach(_case full_device save_checked_first symlinks fifo signal)
    add_test(NAME hostile_write_${_case}
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/cli/hostile_write.sh ${_case} $<TARGET_FILE:actlab_cli>)
    set_tests_properties(hostile_write_${_case} PROPERTIES LABELS fast TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
actlab_add_test(test_atomic SOURCES test_atomic.c)
