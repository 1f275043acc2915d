#!/usr/bin/env bash
# train_resume.sh ACTLAB: a run stopped after epoch 2 of 4 and resumed, and a run killed
# (SIGKILL) at a random moment and resumed, both end with weights bit-identical to an
# uninterrupted run (dropout included, so the model's own generator must be restored too).
set -euo pipefail
actlab=$1
d=$(mktemp -d)
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$d"' EXIT
pid=
fail() { echo "FAIL: $*"; exit 1; }
# 3000 rows of 12 features and a target, from a fixed linear congruential sequence
"$(dirname "$0")/make_table.sh" 3000 12 12345 >"$d/t.csv"
"$actlab" data prepare "csv:$d/t.csv" --target y -o "$d/X.npy" "$d/Y.npy" >/dev/null
run() { "$actlab" train --model 'dense(32,activation=relu) dropout(0.2) dense(1)' \
    --data "npy:$d/X.npy,$d/Y.npy" --val 0.2 --batch 16 --quiet "$@"; }

run --epochs 4 --save "$d/full.safetensors" >/dev/null 2>&1
run --epochs 2 --checkpoint "$d/ck" >/dev/null 2>&1
run --epochs 4 --resume "$d/ck" --save "$d/resumed.safetensors" >/dev/null 2>&1
cmp "$d/full.safetensors" "$d/resumed.safetensors" || fail "stopped after 2 of 4, resumed: other weights"
[[ $(wc -l <"$d/ck/metrics.csv") -eq 5 ]] || fail "metrics after resume: $(cat "$d/ck/metrics.csv")"

run --epochs 30 --save "$d/full30.safetensors" >/dev/null 2>&1
run --epochs 30 --checkpoint "$d/k" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do
    [[ -f $d/k/metrics.csv && $(wc -l <"$d/k/metrics.csv") -ge 3 ]] && break
    sleep 0.05
done
kill -9 $pid 2>/dev/null || fail "the run ended before it could be killed"
wait $pid 2>/dev/null || true
pid=
done_epochs=$(($(wc -l <"$d/k/metrics.csv") - 1))
run --epochs 30 --resume "$d/k" --save "$d/killed.safetensors" >/dev/null 2>&1 \
    || fail "resume after kill -9 failed"
cmp "$d/full30.safetensors" "$d/killed.safetensors" || fail "killed after epoch >= $done_epochs, resumed: other weights"
# early stopping and a plateau schedule resume too: the schedule replays the history and the
# best weights so far come back from DIR/best-EPOCH.safetensors
es=(--epochs 40 --early-stop 2 --lr 0.01 --lr-schedule plateau:patience=1,factor=0.5)
run "${es[@]}" --save "$d/es_full.safetensors" >"$d/es_full.out" 2>&1
grep -q '^early stopping: stopped' "$d/es_full.out" || fail "no early stop: $(tail -3 "$d/es_full.out")"
run --epochs 5 --early-stop 2 --lr 0.01 --lr-schedule plateau:patience=1,factor=0.5 \
    --checkpoint "$d/es" >/dev/null 2>&1
[[ $(ls "$d/es" | grep -c '^best-') -eq 1 ]] || fail "best files: $(ls "$d/es")"
run "${es[@]}" --resume "$d/es" --save "$d/es_resumed.safetensors" >/dev/null 2>&1
cmp "$d/es_full.safetensors" "$d/es_resumed.safetensors" || fail "early stopping resumed: other weights"
# the saved weights are the best epoch's: the run cut at that epoch gives the same bytes
best=$(sed -n 's/^early stopping: .* epoch \([0-9]*\).s .*/\1/p' "$d/es_full.out")
[[ -n $best ]] || fail "no best epoch in: $(tail -2 "$d/es_full.out")"
run --epochs "$best" --lr 0.01 --lr-schedule plateau:patience=1,factor=0.5 \
    --save "$d/es_cut.safetensors" >/dev/null 2>&1
cmp "$d/es_full.safetensors" "$d/es_cut.safetensors" || fail "early stopping kept other weights than epoch $best's"

echo "resume ok (killed after epoch $done_epochs of 30)"
