#!/usr/bin/env bash
# pipeline.sh ACTLAB FIXTURES: the command line end to end on a small synthetic table:
# data prepare -> train (saving) -> predict, plus --epochs 0 and a reload.
set -euo pipefail
actlab=$1 fix=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$actlab" data prepare "csv:$fix/small.csv" --target Price --drop Id -o "$d/X.npy" "$d/Y.npy" \
    --columns "$d/cols.txt"
[[ $(head -c 6 "$d/X.npy" | tail -c 5) == NUMPY ]]
n_cols=$(wc -l <"$d/cols.txt")
"$actlab" train --model 'dense(8,activation=tanh) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
    --loss mse --epochs 3 --batch 4 --seed 1 --save "$d/w.safetensors" --quiet
"$actlab" predict --load "$d/w.safetensors" --input "$d/X.npy" -o "$d/P.npy" | grep -q 'wrote'
[[ -s $d/P.npy ]]
# --epochs 0 saves the freshly initialised model; the same seed gives the same file
"$actlab" train --model 'dense(8,activation=tanh) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
    --epochs 0 --seed 5 --save "$d/a.safetensors" --quiet
"$actlab" train --model 'dense(8,activation=tanh) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
    --epochs 0 --seed 5 --save "$d/b.safetensors" --quiet
cmp "$d/a.safetensors" "$d/b.safetensors"
# training is deterministic for a seed
for r in 1 2; do
    "$actlab" train --model 'dense(8,activation=relu) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
        --epochs 2 --batch 3 --seed 9 --save "$d/t$r.safetensors" --quiet
done
cmp "$d/t1.safetensors" "$d/t2.safetensors"
# loading weights into a mismatched model is a clear error
if "$actlab" train --model 'dense(4) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
    --load "$d/w.safetensors" --epochs 0 2>"$d/err"; then
    echo "mismatched weights were accepted"; exit 1
fi
grep -q 'shape' "$d/err"
# a model trained on a csv: source carries its preprocessing: predict reads raw CSV rows
"$actlab" train --model 'dense(4,activation=relu) dense(1)' --data "csv:$fix/small.csv" \
    --target Price --drop Id --epochs 2 --batch 4 --save "$d/c.safetensors" --quiet
"$actlab" predict --load "$d/c.safetensors" --input "csv:$fix/small.csv" -o "$d/C.npy" | grep -q 'wrote'
if "$actlab" predict --load "$d/w.safetensors" --input "csv:$fix/small.csv" -o "$d/D.npy" 2>"$d/err"; then
    echo "csv input without a saved pipeline was accepted"; exit 1
fi
grep -q 'was not trained on a CSV source' "$d/err"
echo "pipeline ok ($n_cols features)"
