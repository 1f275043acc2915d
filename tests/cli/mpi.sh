#!/usr/bin/env bash
# mpi.sh ACTLAB MPIRUN CASE: actlab under mpirun on loopback, on a small table it makes.
#   compare  1 (no mpirun), 2 and 3 processes: the same summary.csv and runs/*.csv, byte for
#            byte but for the timing column
#   train    2 processes match 1 within the tolerance docs/SCALING.md gives (relative 1e-4 on
#            every metric after 8 epochs), and two runs with 2 processes are bit-identical;
#            the same with rmsle (whose gradient needs the global batch's loss) and dropout
#   resume   under 2 processes: --checkpoint for 3 epochs, then --resume to 6, gives the
#            bits of 6 epochs in one go
#   kill     a process killed with SIGKILL mid-run ends the job within seconds, with a
#            message naming the rank
set -u
actlab=$1 mpirun=$2 case=$3
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mpi() { local n=$1; shift; timeout 100 "$mpirun" --oversubscribe -np "$n" "$actlab" "$@"; }
"$(dirname "$0")/make_table.sh" 400 6 7 >"$d/t.csv"
"$actlab" data prepare "csv:$d/t.csv" --target y -o "$d/X.npy" "$d/Y.npy" >/dev/null || fail "prepare"
data=(--data "npy:$d/X.npy,$d/Y.npy" --val 0.25)
# every column but seconds (the one before last in a metrics CSV)
untimed() { awk -F, -v OFS=, -v col="${2:-}" '{ $(col ? col : NF - 1) = ""; print }' "$1"; }
# the largest relative difference between two metrics CSVs, seconds aside
reldiff() {
    paste -d, "$1" "$2" | awk -F, 'NR > 1 { h = NF / 2; for (i = 2; i <= h; i++) if (i != h - 1) {
        a = $i; b = $(i + h); r = (a == b) ? 0 : (a - b) / (a > 0 ? a : -a); r = r < 0 ? -r : r
        if (r > m) m = r } } END { printf "%g\n", m + 0 }'
}
case $case in
compare)
    # run LAUNCHER... -- OPTIONS...
    run() { local pre=(); while [[ $1 != -- ]]; do pre+=("$1"); shift; done; shift
        "${pre[@]}" compare --model 'dense(16,activation=@) dense(1)' "${data[@]}" --log-target \
            --epochs 4 --batch 16 --acts relu,tanh,elu --seeds 2 --quiet "$@"; }
    run "$actlab" -- -o "$d/c1" >"$d/out1" 2>"$d/err1" || fail "1 process: $(cat "$d/out1" "$d/err1")"
    for n in 2 3; do
        run mpi "$n" -- -o "$d/c$n" >"$d/out$n" 2>"$d/err$n" || fail "$n processes: $(cat "$d/out$n" "$d/err$n")"
        # summary.csv: seconds is the 5th column
        diff <(untimed "$d/c1/summary.csv" 5) <(untimed "$d/c$n/summary.csv" 5) ||
            fail "summary.csv differs between 1 and $n processes"
        [[ $(ls "$d/c$n/runs" | wc -l) -eq 6 ]] || fail "$n processes: runs/ has $(ls "$d/c$n/runs")"
        for f in "$d"/c1/runs/*.csv; do
            diff <(untimed "$f") <(untimed "$d/c$n/runs/$(basename "$f")") >/dev/null ||
                fail "runs/$(basename "$f") differs between 1 and $n processes"
        done
        diff <(sed "s|$d/c1|DIR|" "$d/out1") <(sed "s|$d/c$n|DIR|" "$d/out$n") || fail "the table and verdict differ with $n processes"
        # stderr too, less what the MPI runtime's hardware probe says where /sys is missing
        # (a container: "[hwloc/linux] failed to find sysfs cpu topology directory")
        diff <(sed "s|$d/c1|DIR|" "$d/err1") <(grep -v '^\[hwloc' "$d/err$n" | sed "s|$d/c$n|DIR|") ||
            fail "the messages differ with $n processes"
        [[ -s $d/c$n/report.html ]] || fail "no report.html with $n processes"
    done
    # runs that fail (relu and tanh cannot be an rmsle model's output) are reported alike
    bad() { local pre=(); while [[ $1 != -- ]]; do pre+=("$1"); shift; done; shift
        "${pre[@]}" compare --model 'dense(8,activation=@) dense(1)' "${data[@]}" --loss rmsle \
            --act-output --epochs 2 --batch 32 --acts relu,tanh,softplus --quiet "$@"; }
    bad "$actlab" -- -o "$d/f1" >/dev/null 2>&1 || fail "failing runs, 1 process"
    bad mpi 2 -- -o "$d/f2" >/dev/null 2>&1 || fail "failing runs, 2 processes"
    grep -q '^relu,nan,.*true,"epoch 1, batch 1: the model predicted' "$d/f2/summary.csv" ||
        fail "relu's failure: $(cat "$d/f2/summary.csv")"
    diff <(untimed "$d/f1/summary.csv" 5) <(untimed "$d/f2/summary.csv" 5) ||
        fail "failed runs are reported differently with 2 processes"
    ;;
train)
    for model in 'dense(16,activation=relu) dense(1)|--log-target --optimizer sgd --lr 0.01' \
                 'dense(16,activation=tanh) dense(1,activation=softplus)|--loss rmsle --optimizer sgd --lr 0.05' \
                 'dense(16,activation=tanh) dropout(0.2) dense(1,activation=softplus)|--loss rmsle'; do
        extra=${model#*|} model=${model%|*}
        # shellcheck disable=SC2086
        t() { local pre=(); while [[ $1 != -- ]]; do pre+=("$1"); shift; done; shift
            "${pre[@]}" train --model "$model" "${data[@]}" --batch 32 $extra "$@"; }
        t "$actlab" -- --epochs 8 --quiet --metrics "$d/m1.csv" >"$d/o1" 2>&1 || fail "1 process ($model): $(cat "$d/o1")"
        t mpi 2 -- --epochs 8 --quiet --metrics "$d/m2.csv" >"$d/o2" 2>&1 || fail "2 processes ($model): $(cat "$d/o2")"
        t mpi 2 -- --epochs 8 --quiet --metrics "$d/m2b.csv" >/dev/null 2>&1 || fail "2 processes again ($model)"
        [[ $(wc -l <"$d/m2.csv") -eq 9 ]] || fail "$model: $(cat "$d/m2.csv")"
        # one process prints, and says the batches are split
        t mpi 2 -- --epochs 2 >"$d/o3" 2>&1 || fail "2 processes, not quiet ($model)"
        [[ $(grep -c '^final:' "$d/o3") -eq 1 ]] && grep -q 'each split over 2 processes' "$d/o3" ||
            fail "the output of 2 processes: $(cat "$d/o3")"
        diff <(untimed "$d/m2.csv") <(untimed "$d/m2b.csv") ||
            fail "two runs with 2 processes differ ($model)"
        if [[ $model != *dropout* ]]; then # dropout draws other masks per process
            r=$(reldiff "$d/m1.csv" "$d/m2.csv")
            awk -v r="$r" 'BEGIN { exit !(r <= 1e-4) }' ||
                fail "1 and 2 processes differ by $r (relative) > 1e-4 ($model)"
        fi
    done
    ;;
resume)
    t() { mpi 2 train --model 'dense(16,activation=relu) dropout(0.1) dense(1)' "${data[@]}" \
        --log-target --batch 32 --quiet "$@"; }
    t --epochs 6 --metrics "$d/whole.csv" >/dev/null 2>&1 || fail "6 epochs"
    t --epochs 3 --checkpoint "$d/ck" >/dev/null 2>&1 || fail "3 epochs"
    t --epochs 6 --resume "$d/ck" >"$d/o" 2>&1 || fail "resume: $(cat "$d/o")"
    diff <(untimed "$d/whole.csv") <(untimed "$d/ck/metrics.csv") ||
        fail "resumed run differs from the whole one"
    # one process prints
    mpi 2 train --model 'dense(16,activation=relu) dropout(0.1) dense(1)' "${data[@]}" \
        --log-target --batch 32 --epochs 7 --resume "$d/ck" >"$d/o" 2>&1 || fail "epoch 7"
    [[ $(grep -c '^resuming' "$d/o") -eq 1 ]] || fail "resume said: $(cat "$d/o")"
    ;;
kill)
    "$mpirun" --oversubscribe -np 2 "$actlab" train --model 'dense(16,activation=relu) dense(1)' \
        "${data[@]}" --log-target --epochs 100000 --batch 16 --quiet --metrics "$d/m.csv" >"$d/o" 2>&1 &
    job=$!
    for _ in $(seq 100); do [[ -s $d/m.csv ]] && break; sleep 0.1; done
    [[ -s $d/m.csv ]] || { kill "$job"; fail "training did not start: $(cat "$d/o")"; }
    victim=$(pgrep -P "$job" -f actlab | tail -1)
    [[ -n $victim ]] || { kill "$job"; fail "no process to kill under mpirun $job"; }
    kill -9 "$victim"
    start=$SECONDS
    while kill -0 "$job" 2>/dev/null && ((SECONDS - start < 20)); do sleep 0.2; done
    if kill -0 "$job" 2>/dev/null; then kill -9 "$job"; fail "the job still runs 20 s after the kill"; fi
    wait "$job" && fail "the job ended with status 0"
    grep -Eq "rank [0-9]+ .*(signal 9|Killed)" "$d/o" || fail "no message naming the rank: $(cat "$d/o")"
    echo "the job ended $((SECONDS - start)) s after the kill"
    ;;
esac
exit 0
