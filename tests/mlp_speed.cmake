# Issue 14, the house-prices MLP: the dense layer's small-batch forward kernel against a
# double reference on every kernel path, and Adam's vector loops (the same bits on every
# path, torch's formula in double, no subnormal moments).
actlab_add_test(test_mlp_speed SOURCES test_mlp_speed.c TIMEOUT 120)
