actlab_add_test(test_parse SOURCES test_parse.c)
actlab_add_test(test_api SOURCES test_api.c)
