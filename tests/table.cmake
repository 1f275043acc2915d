# CSV reading and the tabular preparation. The expected values in tests/fixtures/table come
# from pandas 1.5 / scikit-learn 1.2 themselves (tests/fixtures/make_table_fixtures.py). The
# real House Prices train.csv may not be redistributed: test_tabular looks for it in
# ../shared/data beside the repository and says that it skips when it is not there.
actlab_add_test(test_csv SOURCES test_csv.c)
actlab_add_test(test_tabular SOURCES test_tabular.c)
foreach(_t test_csv test_tabular)
    target_compile_definitions(${_t} PRIVATE
        ACTLAB_TABLE_FIXTURES="${CMAKE_CURRENT_SOURCE_DIR}/fixtures/table"
        ACTLAB_SHARED_DATA="${PROJECT_SOURCE_DIR}/../shared/data"
        ACTLAB_TEST_TMP="${CMAKE_CURRENT_BINARY_DIR}")
endforeach()
