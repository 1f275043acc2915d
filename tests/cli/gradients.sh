#!/usr/bin/env bash
# gradients.sh ACTLAB CASE: `actlab gradients` end to end, in a temporary directory.
#   csv_regression  a CSV the script writes (no data set needed): gradients.csv has the exact
#                   header and acts x (epochs + 1) x layers rows, dead_fraction empty for
#                   sigmoid and a fraction for relu's hidden layers; the figures are PNG and
#                   SVG (magic bytes)
#   fashion_mnist   the same on Fashion-MNIST with class labels (skips without the package)
#   bad_act         an unknown --acts name: exit 2 with a suggestion, before any file or
#                   directory is written
#   out_is_file     -o naming a file: exit 1 before any data is loaded or model trained
#   diverged        relu's loss turns NaN (inputs of 1e30): exit 1 naming it, yet the CSV
#                   holds every row, relu's later epochs as nan and sigmoid's run complete
set -u
actlab=$1 case=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

check_outputs() { # DIR ROWS: the CSV and the figures
    local dir=$1 rows=$2
    [[ $(head -n 1 "$dir/gradients.csv") == "activation,epoch,layer,grad_norm,dead_fraction" ]] ||
        fail "header: $(head -n 1 "$dir/gradients.csv")"
    local n=$(($(wc -l <"$dir/gradients.csv") - 1))
    [[ $n -eq $rows ]] || fail "$n rows, expected $rows"
    # sigmoid: no dead fraction; relu, hidden layers 1..3: a number in [0, 1]; output: none
    grep -Eq '^sigmoid,0,1,[0-9.e+-]+,$' "$dir/gradients.csv" || fail "sigmoid row"
    grep -Eq '^relu,2,3,[0-9.e+-]+,(0|1|0\.[0-9]+|[0-9.]+e-[0-9]+)$' "$dir/gradients.csv" ||
        fail "relu hidden row"
    grep -Eq '^relu,2,4,[0-9.e+-]+,$' "$dir/gradients.csv" || fail "relu output row"
    awk -F, 'NR > 1 && !($4 > 0) { exit 1 }' "$dir/gradients.csv" || fail "a grad_norm <= 0"
    for f in gradients dead_units; do
        [[ $(head -c 4 "$dir/$f.png" | od -An -tx1 | tr -d ' \n') == 89504e47 ]] ||
            fail "$f.png is not a PNG"
        grep -q '<svg' "$dir/$f.svg" || fail "$f.svg is not an SVG"
    done
}

run() { timeout 120 "$actlab" gradients "$@"; }

case $case in
csv_regression)
    { echo "a,b,c,d,y"
      for i in $(seq 1 120); do
          echo "$((i % 7)),$((i % 5)).5,$(((i * 37) % 11)),$((i % 3)),$((i % 13)).25"
      done; } >"$tmp/t.csv"
    out=$(run --data "csv:$tmp/t.csv" --target y --acts sigmoid,relu --depth 3 --width 8 \
        --epochs 2 --batch 16 --samples 50 -o "$tmp/out" --quiet 2>&1) || fail "exit $?: $out"
    grep -q "layer 1 / layer 3" <<<"$out" || fail "no ratio line: $out"
    grep -q "dead units" <<<"$out" || fail "no dead-unit table: $out"
    check_outputs "$tmp/out" $((2 * 3 * 4))
    ;;
fashion_mnist)
    [[ -d /usr/share/datasets/fashion-mnist ]] ||
        { echo "skipped: /usr/share/datasets/fashion-mnist is missing"; exit 77; }
    out=$(run --acts sigmoid,relu --depth 3 --width 16 --epochs 2 --samples 200 \
        --train-samples 600 -o "$tmp/out" --quiet 2>&1) || fail "exit $?: $out"
    check_outputs "$tmp/out" $((2 * 3 * 4))
    ;;
bad_act)
    out=$(run --acts sigmoid,relux --data "csv:$tmp/none.csv" -o "$tmp/new" 2>&1)
    rc=$?
    [[ $rc -eq 2 ]] || fail "exit $rc, expected 2: $out"
    grep -q "unknown activation 'relux'.*did you mean: relu" <<<"$out" || fail "message: $out"
    [[ ! -e $tmp/new ]] || fail "$tmp/new was created"
    ;;
out_is_file)
    : >"$tmp/file"
    out=$(run --data "csv:$tmp/none.csv" -o "$tmp/file" 2>&1)
    rc=$?
    [[ $rc -eq 1 ]] || fail "exit $rc, expected 1: $out"
    grep -q "file: not a directory" <<<"$out" || fail "message: $out"
    ;;
diverged)
    { echo "a,b,y"
      for i in $(seq 1 64); do echo "$((i % 7))e30,$((i % 5)),$((i * 1000))"; done; } >"$tmp/t.csv"
    out=$(run --data "csv:$tmp/t.csv" --target y --scale none --acts relu,sigmoid --lr 1 \
        --depth 3 --width 16 --epochs 2 -o "$tmp/out" --quiet 2>&1)
    rc=$?
    [[ $rc -eq 1 ]] || fail "exit $rc, expected 1: $out"
    grep -q "relu: epoch 1, batch [0-9]*: .*diverged" <<<"$out" || fail "message: $out"
    [[ $(($(wc -l <"$tmp/out/gradients.csv") - 1)) -eq $((2 * 3 * 4)) ]] || fail "rows"
    grep -q '^relu,2,1,nan,nan$' "$tmp/out/gradients.csv" || fail "relu's last epoch"
    [[ $(grep -c '^sigmoid,2,[1-4],[0-9]' "$tmp/out/gradients.csv") -eq 4 ]] ||
        fail "sigmoid's last epoch"
    ;;
*) fail "unknown case $case" ;;
esac
echo ok
