# Convolution and pooling layers (src/nn/conv2d.c, src/nn/pool.c), driven through their
# nn__layer_ops without a model: forward and backward against direct double loops, finite
# differences, determinism, setup errors.
set(_conv_standin "")
if(NOT EXISTS ${PROJECT_SOURCE_DIR}/src/nn/model.c)
    # until the model exists, registry.c cannot link (it lists every kind): a local copy of
    # its format helper keeps it out of this test
    set(_conv_standin nn_conv_standin.c)
endif()
actlab_add_test(test_conv SOURCES test_conv.c ${_conv_standin} TIMEOUT 120)
