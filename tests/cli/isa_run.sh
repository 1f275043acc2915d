#!/bin/sh
# isa_run.sh ISA_CHECK PATH TEST [ARGS...]: runs TEST with ACTLAB_ISA=PATH when this machine
# runs that kernel path; otherwise says so and exits 77 (ctest: skipped).
check=$1 path=$2
shift 2
"$check" "$path" || exit $?
ACTLAB_ISA=$path exec "$@"
