# The library from several threads at once (tests/test_threads.c). A plain program, not a
# Criterion suite, so that the ThreadSanitizer job in .ci/run (-DACTLAB_TSAN=ON, label
# `threads`) instruments nothing but the library and the test.
find_package(Threads REQUIRED)
add_executable(test_threads test_threads.c)
target_link_libraries(test_threads PRIVATE actlab_static Threads::Threads m)
add_test(NAME test_threads COMMAND test_threads)
set_tests_properties(test_threads PROPERTIES LABELS "fast;threads" TIMEOUT 120)
