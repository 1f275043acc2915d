# Convolution and pooling layers (src/nn/conv2d.c and conv_direct.c, src/nn/pool.c), driven through their
# nn__layer_ops without a model: forward and backward against direct double loops, finite
# differences, determinism, setup errors.
actlab_add_test(test_conv SOURCES test_conv.c TIMEOUT 120)
actlab_add_test(test_pool SOURCES test_pool.c TIMEOUT 120)
