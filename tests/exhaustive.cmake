# The exhaustive sweep of the vector kernels (tests/exhaustive.c): every float input through
# every elementwise function on every kernel path this CPU runs, against the scalar
# specification, forward within act_info.max_ulp. build/tests/act_exhaustive --help.
add_executable(act_exhaustive exhaustive.c)
target_link_libraries(act_exhaustive PRIVATE actlab_static OpenMP::OpenMP_C m)

# A sample for the default run: every S-th bit pattern (S odd, so a spread over all
# exponents and signs; 2^32 / 521 = 8.2 million inputs) plus the special values, for all
# functions, paths and both directions: about 16 CPU-seconds (8 s on 2 idle cores).
# Sanitized builds run it about 1.7x slower, so they take every 2053rd pattern.
if(ACTLAB_SANITIZE)
    set(_exh_step 2053)
else()
    set(_exh_step 521)
endif()
add_test(NAME act_exhaustive_sample COMMAND act_exhaustive --step ${_exh_step} --threads 2)
set_tests_properties(act_exhaustive_sample PROPERTIES LABELS fast TIMEOUT 300)

# The check itself: a bound no rounded result can meet (0.25 ULP) must give exit status 1.
add_test(NAME act_exhaustive_detects COMMAND sh -c
    "\"$0\" --fn sigmoid --step 65537 --threads 2 --max-ulp 0.25 >/dev/null; test $? -eq 1"
    $<TARGET_FILE:act_exhaustive>)
set_tests_properties(act_exhaustive_detects PROPERTIES LABELS fast TIMEOUT 120)

# All 2^32 inputs: hours on 2 cores (`ctest -L slow`).
add_test(NAME act_exhaustive_full COMMAND act_exhaustive --markdown)
set_tests_properties(act_exhaustive_full PROPERTIES LABELS slow TIMEOUT 36000)
