# Data formats and batching (src/data): NPY, IDX/MNIST, CIFAR-10, mini-batches. The tests write
# their own small files in the real formats; test_idx also loads Debian's Fashion-MNIST when
# dataset-fashion-mnist is installed (and says it skips when it is not).
actlab_add_test(test_npy SOURCES test_npy.c)
target_compile_definitions(test_npy PRIVATE ACTLAB_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures")

actlab_add_test(test_idx SOURCES test_idx.c TIMEOUT 120)
target_link_libraries(test_idx PRIVATE ZLIB::ZLIB) # the test gzips its own IDX files

actlab_add_test(test_cifar SOURCES test_cifar.c)
actlab_add_test(test_batch SOURCES test_batch.c)
