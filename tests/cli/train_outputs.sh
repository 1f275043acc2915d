#!/usr/bin/env bash
# train_outputs.sh ACTLAB FIXTURES: what `actlab train` leaves: the epoch lines on stdout, the
# metrics CSV (Keras' names, one row per epoch, whole after a kill), the curves, --quiet,
# --val-data, --output-act, and outputs refused before any epoch runs.
set -euo pipefail
actlab=$1 fix=$2
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$actlab" data prepare "csv:$fix/small.csv" --target Price --drop Id -o "$d/X.npy" "$d/Y.npy" >/dev/null
data="npy:$d/X.npy,$d/Y.npy"
model='dense(8,activation=tanh) dense(1)'

"$actlab" train --model "$model" --data "$data" --val 0.25 --epochs 3 --batch 4 \
    --metrics "$d/m.csv" --plot "$d/c.png" >"$d/out" 2>"$d/err"
[[ $(head -1 "$d/m.csv") == epoch,loss,val_loss,rmsle,val_rmsle,mae,val_mae,rmse,val_rmse,seconds,lr ]] \
    || fail "regression header: $(head -1 "$d/m.csv")"
[[ $(wc -l <"$d/m.csv") -eq 4 ]] || fail "3 epochs, $(($(wc -l <"$d/m.csv") - 1)) rows"
awk -F, 'NR > 1 && ($1 != NR - 1 || NF != 11) { exit 1 }' "$d/m.csv" || fail "rows: $(cat "$d/m.csv")"
[[ $(head -c 4 "$d/c.png" | tail -c 3) == PNG ]] || fail "no PNG"
grep -q 'Total params: 177' "$d/out" || fail "no summary on stdout"
grep -q '^15 train / 5 validation samples, 4 batches of 4$' "$d/out" || fail "no sample line: $(cat "$d/out")"
[[ $(grep -c '^Epoch [1-3]/3 - .* - val_rmse: ' "$d/out") -eq 3 ]] || fail "epoch lines: $(cat "$d/out")"
grep -q '^final: 3 epochs' "$d/out" || fail "no final line"
! grep -q '^Epoch' "$d/err" || fail "epoch lines on stderr"

# --quiet: the final line only
"$actlab" train --model "$model" --data "$data" --epochs 2 --batch 4 --quiet >"$d/out" 2>/dev/null
[[ $(wc -l <"$d/out") -eq 1 ]] && grep -q '^final: 2 epochs' "$d/out" || fail "--quiet: $(cat "$d/out")"

# --val-data and --output-act
"$actlab" train --model "$model" --output-act softplus --data "$data" --val-data "$data" \
    --epochs 1 --batch 4 --loss rmsle --metrics "$d/v.csv" >"$d/out"
grep -q '^20 train / 20 validation samples' "$d/out" || fail "--val-data: $(cat "$d/out")"
# the same model without the positive output cannot take rmsle, and says why
if "$actlab" train --model "$model" --data "$data" --epochs 1 --batch 4 --loss rmsle --quiet \
    2>"$d/err"; then fail "rmsle of a linear output was accepted"; fi
grep -q "epoch 1, batch 1: .*range does not fit the loss" "$d/err" || fail "domain: $(cat "$d/err")"

# --log-target is saved with the weights: predict answers in target units, not log units
"$actlab" train --model "$model" --data "csv:$fix/small.csv" --target Price --drop Id \
    --log-target --epochs 30 --batch 4 --lr 0.01 --save "$d/log.safetensors" --quiet >/dev/null
"$actlab" predict --load "$d/log.safetensors" --data "csv:$fix/small.csv" -o "$d/log.csv" 2>/dev/null
lo=$(awk -F, 'NR > 1 { print $NF }' "$fix/small.csv" | sort -g | head -1)
hi=$(awk -F, 'NR > 1 { print $NF }' "$fix/small.csv" | sort -g | tail -1)
awk -F, -v lo="$lo" -v hi="$hi" 'NR > 1 && ($NF < lo / 3 || $NF > hi * 3) { exit 1 }' "$d/log.csv" ||
    fail "--log-target predictions are not in target units ($lo..$hi): $(head -3 "$d/log.csv")"

# outputs are checked before anything runs
start=$(date +%s)
if "$actlab" train --model "$model" --data "$data" --epochs 100000 --metrics /nonexistent/dir/m.csv \
    >"$d/out" 2>"$d/err"; then fail "a metrics file in a missing directory was accepted"; fi
grep -q '/nonexistent/dir/m.csv' "$d/err" || fail "message: $(cat "$d/err")"
! grep -q '^Epoch' "$d/out" || fail "trained before saying the output is unwritable"
set +e
"$actlab" train --model "$model" --data "$data" --plot "$d/c.jpg" >/dev/null 2>"$d/err"
rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q '.png, .svg or .pdf' "$d/err" || fail "--plot c.jpg: rc $rc, $(cat "$d/err")"
(( $(date +%s) - start < 20 )) || fail "the refusals took too long"

# a killed run keeps every epoch it finished, as a whole CSV
"$actlab" train --model "$model" --data "$data" --epochs 100000000 --batch 4 --quiet \
    --metrics "$d/k.csv" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
    [[ -f $d/k.csv && $(wc -l <"$d/k.csv") -ge 6 ]] && break
    sleep 0.1
done
kill -9 $pid; wait $pid 2>/dev/null || true
rows=$(($(wc -l <"$d/k.csv") - 1))
(( rows >= 5 )) || fail "killed run kept $rows rows"
awk -F, 'NR > 1 && ($1 != NR - 1 || NF != 7) { exit 1 }' "$d/k.csv" || fail "killed run's CSV is not whole"
echo "train outputs ok"
