#!/usr/bin/env bash
# cli_values.sh ACTLAB EXPECT MAKE_TABLE: option values that need a data file, in a temporary
# directory: spelled in any case with '_' or '-' they work; misspelled they get one
# "did you mean". Data source kinds too (CSV:FILE).
set -u
a=$1 expect=$2 make_table=$3
d=$(mktemp -d "${TMPDIR:-/tmp}/actlab_err_XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
bash "$make_table" 40 3 5 >"$d/t.csv" || exit 1
fail=0
"$expect" 0 "" -- "$a" data prepare "csv:$d/t.csv" --target y --fill MEAN --scale Standard \
    -o "$d/X.npy" "$d/Y.npy" || fail=1
"$expect" 2 "--fill 'meen': one of median, mean, zero; did you mean: mean" -- \
    "$a" data prepare "csv:$d/t.csv" --target y --fill meen -o "$d/X.npy" "$d/Y.npy" || fail=1
"$expect" 0 "" -- "$a" train --model "dense(1)" --data "csv:$d/t.csv" --target y --epochs 1 \
    --init He-Normal --loss Mean_Squared_Error --optimizer SGD:LR=0.01 --quiet || fail=1
"$expect" 2 "--init 'he-norml': one of default, glorot_uniform, he_normal, he_uniform, lecun_normal; did you mean: he_normal" -- \
    "$a" train --model "dense(1)" --data "csv:$d/t.csv" --target y --init he-norml || fail=1
"$expect" 2 "unknown loss 'mean_squared_eror'; did you mean: mse" -- \
    "$a" train --model "dense(1)" --data "csv:$d/t.csv" --target y --loss mean_squared_eror || fail=1
"$expect" 0 "^csv: 40 samples" -- "$a" data inspect "CSV:$d/t.csv" || fail=1
"$expect" 2 "did you mean fashion-mnist" -- "$a" data inspect fashion_mnst || fail=1
exit $fail
