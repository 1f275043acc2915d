#!/usr/bin/env bash
# mpi_scaling.sh [REPEATS]: the measurements of docs/SCALING.md on this machine, each
# repeated (default 3) and reported as the median, runs of the two sides interleaved so that
# a change in the machine's load hits both alike.
#   compare  --preset fmnist-lenet5 on a budget: 1 process with --jobs 2 against
#            mpirun -np 2 (one training at a time in each)
#   train    LeNet-5 on Fashion-MNIST and the house-prices MLP: training seconds of one epoch
#            with 1 process of 1 thread, 1 process of 2 threads, and 2 processes of 1 thread
#            (data-parallel); efficiency = T(1 process, 1 thread) / (2 T(2 processes))
# Needs build/actlab built with MPI; as root, set OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
A=$PWD/build/actlab
house=${HOUSE_CSV:-$PWD/../shared/data/house-prices/train.csv}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
one() { OPENBLAS_NUM_THREADS=$1 OMP_NUM_THREADS=$1 "${@:2}"; }
two() { mpirun -np 2 -x OPENBLAS_NUM_THREADS=1 -x OMP_NUM_THREADS=1 "$@"; }
# training seconds of the metrics CSV (the column before last), summed over epochs
secs() { awk -F, 'NR > 1 { s += $(NF - 1) } END { print s }' "$1"; }

cmp=(compare --preset fmnist-lenet5 --train-samples 2000 --val-samples 500 --epochs 1 --seeds 1
     --acts relu,tanh,sigmoid,elu --quiet)
for i in $(seq "$reps"); do
    wall one 2 "$A" "${cmp[@]}" --jobs 2 -o "$d/c1" >>"$d/cmp_1x2"
    wall two "$A" "${cmp[@]}" -o "$d/c2" >>"$d/cmp_2x1"
done
echo "compare, 4 LeNet-5 trainings (2000 samples, 1 epoch): 1 process x 2 jobs $(median <"$d/cmp_1x2") s," \
     "2 processes x 1 job $(median <"$d/cmp_2x1") s (medians of $reps)"

lenet=(train --model lenet5 --data fashion-mnist --train-samples 4096 --val-data fashion-mnist
       --val-split test --val-samples 256 --loss sparse_categorical_crossentropy --optimizer adam
       --batch 256 --epochs 1 --quiet)
mlp=(train --model house-mlp --data "csv:$house" --target SalePrice --drop Id --loss rmsle
     --optimizer adam --epochs 3 --batches 50 --val 0.2 --seed 42 --quiet)
for name in lenet mlp; do
    [[ $name == mlp && ! -e $house ]] && { echo "house-prices: $house is missing, skipped"; continue; }
    declare -n args=$name
    for i in $(seq "$reps"); do
        one 1 "$A" "${args[@]}" --metrics "$d/m11.csv" >/dev/null 2>&1; secs "$d/m11.csv" >>"$d/${name}_11"
        one 2 "$A" "${args[@]}" --metrics "$d/m12.csv" >/dev/null 2>&1; secs "$d/m12.csv" >>"$d/${name}_12"
        two "$A" "${args[@]}" --metrics "$d/m21.csv" >/dev/null 2>&1; secs "$d/m21.csv" >>"$d/${name}_21"
    done
    t11=$(median <"$d/${name}_11") t12=$(median <"$d/${name}_12") t21=$(median <"$d/${name}_21")
    echo "train $name, training seconds: 1 process x 1 thread $t11, 1 x 2 threads $t12," \
         "2 processes x 1 thread $t21; data-parallel efficiency at 2: $(echo "scale=3; $t11 / (2 * $t21)" | bc)" \
         "(medians of $reps)"
    unset -n args
done
