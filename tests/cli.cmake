# The command-line tool, end to end: outputs, exit codes (0 ok, 1 failure, 2 usage) and
# messages. Expected values are independent of the code: sigmoid(-1) = 1/(1+e) = 0.2689414214.
set(_A $<TARGET_FILE:actlab_cli>)
set(_E ${CMAKE_CURRENT_SOURCE_DIR}/cli/expect.sh)
function(cli_test name rc pattern)
    add_test(NAME cli_${name} COMMAND ${_E} ${rc} ${pattern} ${ARGN})
    set_tests_properties(cli_${name} PROPERTIES LABELS fast TIMEOUT 60)
endfunction()

cli_test(eval_sigmoid 0 "^0\\.268941421\\\\n0\\.5\\\\n0\\.731058579\\\\n$" -- ${_A} eval sigmoid -1 0 1)
cli_test(eval_stdin 0 "^0\\.268941421\\\\n0\\.5\\\\n$" "-1\\n\\n0\\n" -- ${_A} eval sigmoid)
cli_test(eval_specials 0 "^nan\\\\n0\\\\n-0\\\\n1\\\\n$" -- ${_A} eval tanh nan 0 -0 inf)
cli_test(eval_grad 0 "^0\\.196611933\\\\n0\\.25\\\\n$" -- ${_A} eval --grad sigmoid 1 0)
cli_test(eval_relu_kink 0 "^0\\\\n1\\\\n0\\\\n$" -- ${_A} eval --grad relu 0 1 -1 --grad)
cli_test(eval_leaky_kink 0 "^0\\.01\\\\n1\\\\n$" -- ${_A} eval --grad leaky_relu 0 1)
cli_test(eval_leaky_param 0 "^-0\\.4\\\\n3\\\\n$" -- ${_A} eval leaky_relu:alpha=0.2 -2 3)
cli_test(eval_softmax_row 0 "^0\\.09003057[0-9]*\\\\n0\\.2447284[0-9]*\\\\n0\\.665240[0-9]*\\\\n$" -- ${_A} eval softmax 1 2 3)
cli_test(eval_maxout_row 0 "^3\\\\n5\\\\n$" -- ${_A} eval maxout:k=2 1 3 5 -1)
cli_test(eval_unknown_function 2 "unknown activation 'sigmod'.*did you mean: sigmoid" -- ${_A} eval sigmod 1)
cli_test(eval_bad_number 2 "'1x' is not a number" -- ${_A} eval relu 1x)
cli_test(eval_bad_stdin 2 "'abc' \\(stdin line 2\\) is not a number" "1\\nabc\\n" -- ${_A} eval relu)
cli_test(eval_bad_param 2 "leaky_relu has no parameter 'beta'; it takes: alpha" -- ${_A} eval leaky_relu:beta=2 1)
cli_test(eval_bad_option 2 "unknown option '--frobnicate'" -- ${_A} eval --frobnicate relu 1)
cli_test(eval_shape 2 "cannot take a row of 3 values" -- ${_A} eval maxout:k=2 1 2 3)
cli_test(eval_help 0 "usage: actlab eval" -- ${_A} eval --help)
cli_test(list_table 0 "sigmoid .*binary output.*leaky_relu +alpha=0\\.01.*geglu" -- ${_A} list)
cli_test(list_one 0 "f'\\(x\\): +1 for x > 0, else 0" -- ${_A} list relu)
cli_test(neuron_default 0 "neuron with 5 inputs \\(seed 42\\).*sigmoid +tanh +relu +leaky_relu.*\\\\n +all " -- ${_A} neuron)
cli_test(neuron_bad_seed 2 "--seed needs a whole number" -- ${_A} neuron --seed x)
cli_test(neuron_rowwise 2 "works on rows" -- ${_A} neuron --act softmax)
cli_test(unknown_command 2 "unknown command 'frob'" -- ${_A} frob)
cli_test(no_command 2 "usage: actlab COMMAND" -- ${_A})
cli_test(version 0 "^actlab [0-9]+\\.[0-9]+\\.[0-9]+" -- ${_A} --version)

# Same seed, same output; another seed, another output.
add_test(NAME cli_neuron_deterministic COMMAND bash -c
    "a=$(\"$0\" neuron --seed 7) && b=$(\"$0\" neuron --seed 7) && c=$(\"$0\" neuron --seed 8) && [ \"$a\" = \"$b\" ] && [ \"$a\" != \"$c\" ]"
    ${_A})
set_tests_properties(cli_neuron_deterministic PROPERTIES LABELS fast TIMEOUT 60)

# docs/FUNCTIONS.md is generated from the table; it must match the code.
add_test(NAME docs_functions_up_to_date COMMAND bash -c
    "diff <(\"$0\" list --markdown) \"$1\" || { echo 'docs/FUNCTIONS.md is stale: run build/actlab list --markdown > docs/FUNCTIONS.md'; exit 1; }"
    ${_A} ${PROJECT_SOURCE_DIR}/docs/FUNCTIONS.md)
set_tests_properties(docs_functions_up_to_date PROPERTIES LABELS fast TIMEOUT 60)

# The main job: table, both plots, neuron.
add_test(NAME cli_tour COMMAND bash -c
    "d=$(mktemp -d) && \"$0\" tour --quick --out \"$d\" >\"$d/log\" && grep -q 'leaky_relu' \"$d/log\" && grep -q '^ *all ' \"$d/log\" && [ \"$(head -c 4 \"$d/activations.png\" | tail -c 3)\" = PNG ] && grep -q '<svg' \"$d/activations.svg\"; rc=$?; rm -rf \"$d\"; exit $rc"
    ${_A})
set_tests_properties(cli_tour PROPERTIES LABELS fast TIMEOUT 120)
if(ACTLAB_SANITIZE)
    set_tests_properties(cli_tour PROPERTIES ENVIRONMENT
        "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp:print_suppressions=0")
endif()
cli_test(bench_short 0 "kernel path (avx512|avx2|baseline|exact).*64 elements.*relu +[0-9.]+ +[0-9.]+.*softmax +[0-9.]+" -- ${_A} bench --sizes 64 --rounds 1 --funcs relu,softmax)
cli_test(bench_exact 0 "kernel path exact" -- ${_A} bench --isa exact --sizes 16 --rounds 1 --funcs sigmoid)
cli_test(bench_bad_isa 2 "unknown kernel path 'avx9'; did you mean: avx2" -- ${_A} bench --isa avx9)
cli_test(bench_bad_size 2 "--sizes '0'" -- ${_A} bench --sizes 0)

# The whole main job (README's first command runs it): a few minutes, so labelled slow.
add_test(NAME cli_tour_full COMMAND bash -c
    "d=$(mktemp -d) && \"$0\" tour --out \"$d\" >\"$d/log\" 2>\"$d/err\" && grep -q 'everything is in' \"$d/log\" && grep -q '<table id=\"summary\">' \"$d/report.html\" && [ -s \"$d/gradients/gradients.csv\" ]; rc=$?; rm -rf \"$d\"; exit $rc"
    ${_A})
set_tests_properties(cli_tour_full PROPERTIES LABELS slow TIMEOUT 1800)
