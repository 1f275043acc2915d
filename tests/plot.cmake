# Plotting (only when built with ACTLAB_PLOT): the library's plot_write/plot_activations in
# every format, and `actlab plot` end to end (exit codes 0 ok, 1 failure, 2 usage).
if(NOT ACTLAB_PLOT)
    return()
endif()

actlab_add_test(test_plot SOURCES test_plot.c TIMEOUT 120)

# Under ASan, LeakSanitizer reports the process-lifetime caches fontconfig allocates when
# cairo first renders text; lsan.supp names that library and nothing else. A test that plots
# (e.g. one running `actlab tour`) needs the same ENVIRONMENT under ACTLAB_SANITIZE.
set(_plot_env "")
if(ACTLAB_SANITIZE)
    # print_suppressions=0: the summary LSan prints at exit would land in the pipe of a test
    # that captures stderr (Criterion's redirect), after the pipe is closed
    set(_plot_env "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp")
    string(APPEND _plot_env ":print_suppressions=0")
    set_tests_properties(test_plot PROPERTIES ENVIRONMENT "${_plot_env}")
endif()

set(_A $<TARGET_FILE:actlab_cli>)
set(_E ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
set(_D ${CMAKE_CURRENT_BINARY_DIR}/plot_out)
file(MAKE_DIRECTORY ${_D})
function(cli_plot_test name rc pattern)
    add_test(NAME cli_plot_${name} COMMAND ${_E} ${rc} ${pattern} -- ${_A} plot ${ARGN})
    set_tests_properties(cli_plot_${name} PROPERTIES LABELS fast TIMEOUT 60)
    if(_plot_env)
        set_tests_properties(cli_plot_${name} PROPERTIES ENVIRONMENT "${_plot_env}")
    endif()
endfunction()

cli_plot_test(png 0 "^wrote .*/cli_acts\\.png [(]4 functions and derivatives, 1001 points[)]"
    sigmoid tanh relu leaky_relu:alpha=0.1 --grad -o ${_D}/cli_acts.png)
cli_plot_test(svg_negative_range 0 "^wrote .*/cli_gelu\\.svg [(]1 function, 61 points[)]"
    gelu --range -3:3 --step 0.1 -o ${_D}/cli_gelu.svg)
cli_plot_test(pdf_equals_form 0 "^wrote .*/cli_elu\\.pdf [(]2 functions, 21 points[)]"
    elu --range=-1:1 --step=0.1 selu --output=${_D}/cli_elu.pdf)
cli_plot_test(help 0 "usage: actlab plot FUNC.*--grad.*--range LO:HI" --help)
cli_plot_test(unknown_function 2 "unknown activation 'sigmod'.*did you mean: sigmoid"
    sigmod -o ${_D}/x.png)
cli_plot_test(bad_param 2 "leaky_relu has no parameter 'beta'" leaky_relu:beta=1 -o ${_D}/x.png)
cli_plot_test(reversed_range 2 "bad --range '5:-5': LO must be less than HI"
    relu --range 5:-5 -o ${_D}/x.png)
cli_plot_test(text_range 2 "bad --range 'a:b'" relu --range a:b -o ${_D}/x.png)
cli_plot_test(no_colon_range 2 "bad --range '5'" relu --range 5 -o ${_D}/x.png)
cli_plot_test(zero_step 2 "bad --step '0'" relu --step 0 -o ${_D}/x.png)
cli_plot_test(too_many_points 2 "more than 1000000 points" relu --step 1e-6 -o ${_D}/x.png)
cli_plot_test(no_output 2 "no output file" relu)
cli_plot_test(output_without_value 2 "-o needs a file name" relu -o)
cli_plot_test(no_function 2 "no function given" -o ${_D}/x.png)
cli_plot_test(unknown_option 2 "unknown option '--frobnicate'" relu --frobnicate -o ${_D}/x.png)
cli_plot_test(bad_extension 2 "x\\.gif: unknown format; use a \\.png, \\.svg or \\.pdf name"
    relu -o ${_D}/x.gif)
cli_plot_test(rowwise 2 "softmax works on whole rows" relu softmax -o ${_D}/x.png)
cli_plot_test(unwritable 1 "cannot write /nonexistent/dir/x\\.png: No such file or directory"
    relu -o /nonexistent/dir/x.png)

# the files the successful runs wrote are real images
add_test(NAME cli_plot_files_have_magic COMMAND bash -c [[
    cd "$0" &&
    [ "$(head -c 4 cli_acts.png | tail -c 3)" = PNG ] &&
    head -c 300 cli_gelu.svg | grep -q '<svg' &&
    [ "$(head -c 5 cli_elu.pdf)" = %PDF- ] &&
    ! ls | grep -q tmp
]] ${_D})
set_tests_properties(cli_plot_files_have_magic PROPERTIES LABELS fast TIMEOUT 60
    DEPENDS "cli_plot_png;cli_plot_svg_negative_range;cli_plot_pdf_equals_form")
