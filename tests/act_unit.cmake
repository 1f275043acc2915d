# An activation family is one unit (issue 13 §1): every vector kernel bound by a descriptor
# runs on every path this machine supports (through the internal hook act__kern_of), the
# enum's pinned values and the separate display order, and xielu against its published
# definition (its MPFR accuracy and derivative checks are in test_accuracy and test_grad).
actlab_add_test(test_act_unit SOURCES test_act_unit.c)
