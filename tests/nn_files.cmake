# Model files (src/data/safetensors.c, files.c): the safetensors reader and writer on their own
# (round trips, every kind of malformed file, a corruption loop), nn_save/nn_load/checkpoints,
# and parity with PyTorch through the fixtures in tests/fixtures/torch (written by
# scripts/make_torch_fixtures.py; no Python is needed to run the tests).
actlab_add_test(test_safetensors SOURCES test_safetensors.c)

actlab_add_test(test_torch_parity SOURCES test_torch_parity.c)
target_compile_definitions(test_torch_parity PRIVATE
    ACTLAB_TORCH_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures/torch")
