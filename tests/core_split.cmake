# The shared pieces of src/core/ (issue 13 §3): the JSON reader on hostile text, the string
# builder, al__str_dup and al__hash_str, each against hand-written expected values.
actlab_add_test(test_core_json SOURCES test_core_json.c)
