#!/usr/bin/env bash
# hostile_data.sh CASE ACTLAB: one case of issue 12 for the data and parsing paths (labels
# that would size tables, standard input, wide tables, numbers out of range, misuse). The
# hostile files are made here, in a temporary directory. A command that used to allocate
# without end or print without end runs under `timeout` with its output cut at 64 KiB and,
# outside the sanitizer build (ASan reserves terabytes of address space), `ulimit -v`, so a
# regression fails instead of stalling the suite.
set -u
case=$1 actlab=$2
expect=$(cd "$(dirname "$0")" && pwd)/expect.sh
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
[[ -z ${ASAN_OPTIONS-} ]] && ulimit -v 4000000

# npy FILE DESCR SHAPE DATA: a NumPy 1.0 file; DATA in printf's \x notation
npy() {
    local h="{'descr': '$2', 'fortran_order': False, 'shape': $3, }"
    local len=$((${#h} + 1)) pad
    pad=$(((64 - (10 + len) % 64) % 64))
    local total=$((len + pad))
    {
        printf '\x93NUMPY\x01\x00'
        printf "\\x$(printf %02x $((total & 255)))\\x$(printf %02x $((total >> 8)))"
        printf '%s%*s\n' "$h" "$pad" ''
        printf "$4"
    } >"$1"
}

# an int64 in little-endian \x notation
le64() {
    local v=$1 out='' i
    for ((i = 0; i < 8; i++)); do
        out+="\\x$(printf %02x $(((v >> (8 * i)) & 255)))"
    done
    printf '%s' "$out"
}

# bounded RC PATTERN -- COMMAND...: like expect.sh, for commands that may print or allocate
# without end on the old code: 20 s at most, the first 64 KiB of the output
bounded() {
    local want_rc=$1 pattern=$2
    shift 3
    local out rc
    out=$(timeout 20 "$@" 2>&1 | head -c 65536; exit "${PIPESTATUS[0]}")
    rc=$?
    if [[ $rc -ne $want_rc ]] || ! grep -Eq -- "$pattern" <<<"$(tr '\n' '|' <<<"$out")"; then
        printf 'exit code %d (expected %d), output (%d bytes, pattern /%s/):\n%.2000s\n' \
            "$rc" "$want_rc" "${#out}" "$pattern" "$out"
        exit 1
    fi
    exit 0
}

npy X.npy '<f4' '(2, 1)' '\x00\x00\x80\x3f\x00\x00\x00\x40'
table() { printf 'a,b,t\n1,x,3\n2,y,4\n3,x,5\n' >t.csv; }

case $case in
label_2e62)
    npy Y.npy '<i8' '(2,)' "$(le64 0)$(le64 $((1 << 62)))"
    bounded 1 "Y\\.npy: label 4611686018427387904 of sample 1 is not a class: labels are 0 to 65535" \
        -- "$actlab" data inspect npy:X.npy,Y.npy ;;
label_5e8)
    npy Y.npy '<i8' '(2,)' "$(le64 500000000)$(le64 1)"
    bounded 1 "label 500000000 of sample 0 is not a class" -- "$actlab" data inspect npy:X.npy,Y.npy ;;
label_5e8_train)
    npy Y.npy '<i4' '(2,)' '\x00\x65\xcd\x1d\x01\x00\x00\x00'
    bounded 1 "label 500000000 of sample 0 is not a class: labels are 0 to 65535" -- "$actlab" train --model 'dense(2)' \
        --data npy:X.npy,Y.npy --epochs 1 --quiet ;;
label_negative)
    npy Y.npy '<i4' '(2,)' '\x00\x00\x00\x00\xff\xff\xff\xff'
    bounded 1 "label -1 of sample 1 is not a class" -- "$actlab" data inspect npy:X.npy,Y.npy ;;
label_sparse)
    # within the bound but mostly empty: the table of classes stays short
    npy Y.npy '<i8' '(2,)' "$(le64 0)$(le64 60000)"
    bounded 0 "60001 classes.*60000 +1.*59999 classes without samples not shown" -- \
        "$actlab" data inspect npy:X.npy,Y.npy ;;
stdin_two_per_line)
    exec "$expect" 0 '^2\\n3\\n0\\n$' '2 3\n-1\n' -- "$actlab" eval relu ;;
stdin_tabs_crlf)
    exec "$expect" 0 '^1\\n2\\n0\\n4\\n$' '1\t2\r\n\t-3 \r\n4' -- "$actlab" eval relu ;;
stdin_long_line)
    # one number of 10000 characters: 2 after 9999 zeros, not forty numbers
    printf '%09999d2\n' 0 >long.txt
    out=$("$actlab" eval relu <long.txt 2>&1)
    [[ $out == 2 ]] || { printf 'expected one output, 2; got %d lines:\n%.300s\n' \
        "$(wc -l <<<"$out")" "$out"; exit 1; } ;;
stdin_bad_token)
    exec "$expect" 2 "'x2' \\(stdin line 2\\) is not a number" '1\n3 x2\n' -- "$actlab" eval relu ;;
stdin_overflow)
    exec "$expect" 2 "'1e999' \\(stdin line 1\\) is out of range" '2 1e999\n' -- "$actlab" eval relu ;;
arg_overflow)
    exec "$expect" 2 "'-1e999' is out of range" -- "$actlab" eval relu 1 -1e999 ;;
arg_inf_kept)
    exec "$expect" 0 '^inf\\n0\\n$' -- "$actlab" eval relu inf -inf ;;
param_overflow)
    exec "$expect" 2 "leaky_relu:alpha='1e999': out of range" -- "$actlab" eval leaky_relu:alpha=1e999 1 ;;
param_twice)
    exec "$expect" 2 "leaky_relu: parameter 'alpha' is given twice" -- "$actlab" eval leaky_relu:alpha=1,alpha=2 -1 ;;
param_twice_alias)
    exec "$expect" 2 "parameter 'alpha' is given twice \\(again as 'negative_slope'\\)" -- \
        "$actlab" eval leaky_relu:alpha=0.1,negative_slope=0.2 -1 ;;
csv_overflow)
    printf 'a,b\n1,2\n1e999,3\n4,5\n' >o.csv
    exec "$expect" 1 "o\\.csv:3: column 'a': '1e999' is out of range" -- "$actlab" data inspect csv:o.csv ;;
csv_inf_kept)
    printf 'a,b\n1,2\ninf,3\n' >i.csv
    exec "$expect" 0 "a +numeric +0 +\\[1, inf\\]" -- "$actlab" data inspect csv:i.csv ;;
prepare_no_target)
    table
    "$expect" 2 "which column goes to Y\\.npy\\? give --target COL" -- "$actlab" data prepare csv:t.csv -o X2.npy Y.npy || exit 1
    [[ ! -e X2.npy ]] || { echo "X2.npy was written before the error"; exit 1; } ;;
act_unknown)
    exec "$expect" 2 "--act relux: unknown activation 'relux'; did you mean: relu" -- \
        "$actlab" summary house-mlp --act relux --input 4 ;;
act_unknown_train)
    table
    exec "$expect" 2 "--act relux: unknown activation 'relux'" -- \
        "$actlab" train --model house-mlp --act relux --data csv:t.csv --target t --quiet ;;
source_csv_hint)
    table
    exec "$expect" 2 "unknown data source 't\\.csv'.*for a CSV file write csv:t\\.csv" -- "$actlab" data inspect t.csv ;;
source_npy_hint)
    exec "$expect" 2 "for a NumPy array write npy:X\\.npy,Y\\.npy" -- "$actlab" data inspect X.npy ;;
source_typo_hint)
    exec "$expect" 2 "did you mean fashion-mnist" -- "$actlab" data inspect fashion_mnst ;;
message_target)
    table
    exec "$expect" 1 "^actlab data: t\\.csv: target column 'tt' not found; did you mean 't'\\?" -- \
        "$actlab" data prepare csv:t.csv --target tt -o X.npy Y.npy ;;
message_text_column)
    table
    exec "$expect" 1 "^actlab data: t\\.csv: column 'b' is text: drop it, or one-hot encode" -- \
        "$actlab" data prepare csv:t.csv --target t --no-one-hot -o X.npy Y.npy ;;
message_val)
    table
    exec "$expect" 1 "^actlab data: --val 0\\.9: 3 rows with validation fraction 0\\.9 leave no training rows" -- \
        "$actlab" data prepare csv:t.csv --target t --val 0.9 -o X.npy Y.npy ;;
wide_prepare)
    # 100000 columns: one linear lookup per column took 12.6 s here (45 s on a slower
    # machine); through the sorted index it is a fraction of a second
    awk 'BEGIN { for (r = 0; r < 4; r++) { for (c = 0; c < 100000; c++)
        printf "%s%s", (c ? "," : ""), (r ? (c * 7 + r) % 13 : "c" c); print "" } }' >w.csv
    exec "$expect" 0 "wrote X\\.npy and Y\\.npy \\(3 rows\\)" -- "$actlab" data prepare csv:w.csv --target c5 -o X.npy Y.npy ;;
many_categories)
    # 100000 distinct categories: inspect compared each value with all before it
    awk 'BEGIN { print "id,cat"; for (r = 0; r < 100000; r++) print r ",k" r }' >c.csv
    exec "$expect" 0 "cat +text +0 +100000 categories" -- "$actlab" data inspect csv:c.csv ;;
*)
    echo "unknown case $case"
    exit 2 ;;
esac
