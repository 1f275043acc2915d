#!/usr/bin/env bash
# compare.sh ACTLAB CASE: actlab compare end to end on a small table it makes itself.
#   outputs   every file of -o DIR: summary.csv (header, one row per activation), summary.md,
#             the curves as PNG and SVG, runs/ACT-seedN.csv, report.html with the table and
#             both figures inline; the verdict printed
#   jobs      --jobs 1 and --jobs 2 give the same numbers in every run's metrics (all but the
#             seconds column)
#   cifar     --preset cifar-lenet5 end to end on CIFAR-10 binary files the test writes (60
#             records per batch; labels 0..9, pixels a constant that depends on the label)
#   conv_jobs the same for LeNet-5 on those CIFAR-10 files (random pixels, so that a sum's
#             order shows in its bits), with OMP_NUM_THREADS=2 in the environment
#   refusals  an unknown activation, a model without @, -o under a file: exit 2 or 1 before
#             anything is trained or written
set -u
actlab=$1 case=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$(dirname "$0")/make_table.sh" 400 6 7 >"$d/t.csv"
"$actlab" data prepare "csv:$d/t.csv" --target y -o "$d/X.npy" "$d/Y.npy" >/dev/null || fail "prepare"
run() { "$actlab" compare --model 'dense(16,activation=@) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
    --val 0.25 --log-target --epochs 4 --batch 16 --acts relu,tanh,elu --seeds 2 --quiet "$@"; }
case $case in
outputs)
    run -o "$d/out" >"$d/stdout" 2>"$d/stderr" || fail "compare failed: $(cat "$d/stderr")"
    [[ $(head -1 "$d/out/summary.csv") == activation,final_val_rmsle,best_val_rmsle,best_epoch,seconds,diverged,reason,final_val_rmsle_std,best_val_rmsle_std,runs,failed_runs ]] ||
        fail "header: $(head -1 "$d/out/summary.csv")"
    [[ $(wc -l <"$d/out/summary.csv") -eq 4 ]] || fail "rows: $(cat "$d/out/summary.csv")"
    for a in relu tanh elu; do
        grep -q "^$a,[0-9.]*,[0-9.]*,[0-9.]*,[0-9.e-]*,false,," "$d/out/summary.csv" || fail "$a's row"
        for s in 42 43; do
            [[ $(wc -l <"$d/out/runs/$a-seed$s.csv") -eq 5 ]] || fail "runs/$a-seed$s.csv"
        done
    done
    for f in curves_val curves_train; do
        [[ $(head -c 4 "$d/out/$f.png" | tail -c 3) == PNG ]] || fail "$f.png"
        grep -q '<svg' "$d/out/$f.svg" || fail "$f.svg"
    done
    grep -q '^| relu |' "$d/out/summary.md" && grep -q '## Verdict' "$d/out/summary.md" || fail "summary.md"
    grep -q 'did best' "$d/stdout" && grep -q "report: $d/out/report.html" "$d/stdout" || fail "stdout: $(cat "$d/stdout")"
    h="$d/out/report.html"
    [[ $(grep -c '<svg' "$h") -eq 2 ]] || fail "report.html has $(grep -c '<svg' "$h") figures"
    grep -q '<table id="summary">' "$h" && grep -q '<td>elu</td>' "$h" || fail "report table"
    ! grep -Eq '(src|href)="https?:' "$h" || fail "report.html fetches from the network"
    ;;
jobs)
    run -o "$d/j1" --jobs 1 >/dev/null 2>&1 || fail "--jobs 1"
    run -o "$d/j2" --jobs 2 >/dev/null 2>&1 || fail "--jobs 2"
    for f in "$d"/j1/runs/*.csv; do
        g="$d/j2/runs/$(basename "$f")"
        # every column but seconds (the one before last)
        diff <(awk -F, -v OFS=, '{ $(NF-1) = ""; print }' "$f") \
             <(awk -F, -v OFS=, '{ $(NF-1) = ""; print }' "$g") >/dev/null ||
            fail "$(basename "$f") differs between --jobs 1 and 2"
    done
    [[ $(ls "$d/j1/runs" | wc -l) -eq 6 ]] || fail "runs: $(ls "$d/j1/runs")"
    ;;
cifar|conv_jobs)
    mkdir "$d/cifar"
    for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
        for k in $(seq 0 59); do
            printf "\\x0$((k % 10))"
            if [[ $case == cifar ]]; then
                head -c 3072 /dev/zero | tr '\0' "\\1$((k % 8))0" # octal 100..170
            else # pixels that make the sums' order show in their bits
                head -c 3072 /dev/urandom
            fi
        done >"$d/cifar/$f.bin"
    done
    [[ $(stat -c %s "$d/cifar/test_batch.bin") -eq $((60 * 3073)) ]] || fail "cifar files"
    if [[ $case == conv_jobs ]]; then
        for j in 1 2; do
            OMP_NUM_THREADS=2 "$actlab" compare --preset cifar-lenet5 --data "cifar10:$d/cifar" \
                --acts relu,tanh,elu --seeds 1 --epochs 1 --quiet --jobs $j -o "$d/j$j" \
                >/dev/null 2>"$d/err" || fail "--jobs $j: $(cat "$d/err")"
        done
        for f in "$d"/j1/runs/*.csv; do
            diff <(awk -F, -v OFS=, '{ $(NF-1) = ""; print }' "$f") \
                 <(awk -F, -v OFS=, '{ $(NF-1) = ""; print }' "$d/j2/runs/$(basename "$f")") >/dev/null ||
                fail "$(basename "$f") differs between --jobs 1 and 2"
        done
        [[ $(ls "$d/j1/runs" | wc -l) -eq 3 ]] || fail "runs: $(ls "$d/j1/runs")"
        exit 0
    fi
    "$actlab" compare --preset cifar-lenet5 --data "cifar10:$d/cifar" --acts relu,tanh --seeds 1 \
        --epochs 1 --quiet -o "$d/c" >"$d/stdout" 2>"$d/err" || fail "cifar: $(cat "$d/err")"
    grep -q '300 training samples, 60 validation samples' "$d/c/report.html" ||
        fail "cifar data: $(grep -o 'Data:[^<]*' "$d/c/report.html")"
    [[ $(wc -l <"$d/c/summary.csv") -eq 3 ]] || fail "cifar summary: $(cat "$d/c/summary.csv")"
    ;;
refusals)
    start=$(date +%s)
    run -o "$d/a" --acts relu,sigmod >/dev/null 2>"$d/err"; rc=$?
    [[ $rc -eq 2 ]] && grep -q "unknown activation 'sigmod'.*sigmoid" "$d/err" || fail "bad act: rc $rc, $(cat "$d/err")"
    [[ ! -e $d/a ]] || fail "a folder was made for a refused run"
    "$actlab" compare --model 'dense(16,activation=relu) dense(1)' --data "npy:$d/X.npy,$d/Y.npy" \
        -o "$d/b" >/dev/null 2>"$d/err"; rc=$?
    [[ $rc -eq 2 ]] && grep -q "write @ where the compared activation goes" "$d/err" || fail "no @: rc $rc, $(cat "$d/err")"
    touch "$d/file"
    run -o "$d/file/out" >/dev/null 2>"$d/err"; rc=$?
    [[ $rc -eq 1 ]] && grep -q "$d/file/out" "$d/err" || fail "-o under a file: rc $rc, $(cat "$d/err")"
    (( $(date +%s) - start < 20 )) || fail "the refusals took too long"
    ;;
*) fail "unknown case $case" ;;
esac
echo ok
