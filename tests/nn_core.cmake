# The model core (src/nn: model, dense, simple layers, losses, optimizers, init): gradient
# checks by finite differences, and the model tests (parsing, summaries, determinism,
# buffers, optimizers against torch's formulas).
actlab_add_test(test_nn_grad SOURCES test_nn_grad.c TIMEOUT 120)

actlab_add_test(test_nn_model SOURCES test_nn_model.c TIMEOUT 120)
# counts the library's allocations: its calls to malloc/calloc/realloc go through the
# test's __wrap_ functions (the static library's objects are linked into the test)
target_link_options(test_nn_model PRIVATE "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc")
