#!/usr/bin/env bash
# evaluate.sh ACTLAB PART [DATA]: actlab evaluate and predict end to end.
#   errors         messages and exit codes, every one before any work
#   fashion-mnist  DATA=/usr/share/datasets/fashion-mnist: evaluate on the test split
#   house-prices   DATA=the Kaggle folder: train on train.csv, a submission for test.csv
# A missing data set exits 77 (ctest's "skipped") saying why.
set -uo pipefail
A=$1 part=$2 data=${3:-}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# run RC REGEX CMD...: CMD must exit RC with stdout+stderr matching REGEX
run() {
    local want=$1 re=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    [[ $rc -eq $want ]] || fail "exit $rc, expected $want: $*"$'\n'"$out"
    grep -Eq -- "$re" <<<"${out//$'\n'/ }" || fail "output does not match /$re/: $*"$'\n'"$out"
}

case $part in
errors)
    printf 'a,b,y\n1,2,3\n2,1,4\n3,3,5\n4,0,2\n' >t.csv
    "$A" train --model 'dense(1)' --data csv:t.csv --target y --epochs 1 --save w.safetensors \
        --quiet >/dev/null 2>&1 || fail "train"
    "$A" data prepare csv:t.csv --target y -o X.npy Y.npy >/dev/null || fail "prepare"
    printf 'a,b,c,y\n1,2,0,3\n2,1,1,4\n' >t3.csv
    "$A" data prepare csv:t3.csv --target y -o X3.npy Y3.npy >/dev/null || fail "prepare 3"
    "$A" train --model 'dense(1)' --data npy:X3.npy,Y3.npy --epochs 0 --save n.safetensors \
        --quiet >/dev/null 2>&1 || fail "train npy"
    run 2 "needs --load W.safetensors --data SOURCE" "$A" evaluate --load w.safetensors
    run 2 "unknown option '--frob'" "$A" evaluate --frob 1
    run 2 "--batch needs a whole number from 1 to 1000000, not '0'" "$A" evaluate --load w.safetensors --data csv:t.csv --batch 0
    run 2 "--loss: .*mse" "$A" evaluate --load missing --data csv:t.csv --loss mes
    run 2 "pipeline options.*are train's" "$A" evaluate --load missing --data csv:t.csv --target y
    run 2 "pipeline options.*are train's" "$A" predict --load missing --data csv:t.csv --drop a -o p.csv
    run 2 "--format 'xml': one of npy, csv" "$A" predict --load missing --data csv:t.csv -o p --format xml
    run 2 "not both" "$A" predict --load w.safetensors --data csv:t.csv --input X.npy -o p.npy
    run 2 "unknown data source 'fashion-mnst'.*did you mean fashion-mnist" \
        "$A" evaluate --load w.safetensors --data fashion-mnst
    run 1 "cannot write nodir/p.csv" "$A" predict --load missing --data csv:t.csv -o nodir/p.csv
    run 1 "missing" "$A" evaluate --load missing --data csv:t.csv
    run 1 "was not trained on a CSV source" "$A" evaluate --load n.safetensors --data csv:t.csv
    run 1 "samples have 2 values, the model takes 3" \
        "$A" evaluate --load n.safetensors --data npy:X.npy,Y.npy
    run 1 "samples have 2 values, the model takes 3" \
        "$A" predict --load n.safetensors --input X.npy -o p.npy
    [[ ! -e p.npy && ! -e p.csv ]] || fail "an output was written after an error"
    run 0 "samples: 4" "$A" evaluate --load w.safetensors --data csv:t.csv
    run 0 "samples: 4.*rmse: " "$A" evaluate --load w.safetensors --data npy:X.npy,Y.npy
    # a model trained on npy: whose inputs are only X (no targets): predict takes them
    run 0 "wrote p.csv \(4 predictions\)" "$A" predict --load w.safetensors --data npy:X.npy -o p.csv
    [[ $(head -1 p.csv) == prediction ]] || fail "header of p.csv: $(head -1 p.csv)"
    run 1 "npy:X.npy has no targets" "$A" evaluate --load w.safetensors --data npy:X.npy
    echo "errors ok"
    ;;
fashion-mnist)
    [[ -e $data ]] || { echo "skipped: $data is missing (apt-get install dataset-fashion-mnist)"; exit 77; }
    "$A" train --model 'flatten dense(10,activation=softmax)' --data "fashion-mnist:$data" \
        --train-samples 2000 --epochs 1 --save f.safetensors --quiet >/dev/null 2>&1 || fail "train"
    "$A" evaluate --load f.safetensors --data "fashion-mnist:$data" --split test >out.txt ||
        fail "evaluate: $(cat out.txt)"
    grep -q '^samples: 10000$' out.txt || fail "samples: $(cat out.txt)"
    grep -q 'T-shirt/top' out.txt && grep -q 'Ankle boot' out.txt || fail "class names: $(cat out.txt)"
    # the ten rows after the header: the last 11 fields are 10 counts and the accuracy;
    # every class of the test split has 1000 images, and the diagonal is the accuracy's count
    awk '/^confusion matrix/ {m = NR + 1; next}
         m && NR > m && NR <= m + 10 {
             s = 0; for (i = NF - 10; i < NF; i++) s += $i
             if (s != 1000) { print "row " NR - m - 1 " sums to " s; bad = 1 }
             diag += $(NF - 10 + NR - m - 1); rows++
         }
         /^accuracy: / { hits = substr($3, 2) }
         END { if (rows != 10) { print rows " rows"; bad = 1 }
               if (diag != hits) { print "diagonal " diag " vs " hits " hits"; bad = 1 }
               exit bad }' out.txt || fail "matrix:"$'\n'"$(cat out.txt)"
    "$A" predict --load f.safetensors --data "fashion-mnist:$data" --split test -o p.csv >/dev/null ||
        fail "predict"
    [[ $(wc -l <p.csv) -eq 10001 && $(head -1 p.csv) == class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9 ]] ||
        fail "p.csv: $(head -2 p.csv)"
    echo "fashion-mnist ok"
    ;;
house-prices)
    [[ -e $data/train.csv && -e $data/test.csv ]] ||
        { echo "skipped: $data/train.csv or test.csv is missing (the Kaggle data is only in the project's shared folder)"; exit 77; }
    "$A" train --model 'dense(1)' --data "csv:$data/train.csv" --target SalePrice --drop Id \
        --epochs 1 --save w.safetensors --quiet >/dev/null 2>&1 || fail "train"
    run 0 "wrote sub.csv \(1459 predictions\)" \
        "$A" predict --load w.safetensors --data "csv:$data/test.csv" -o sub.csv
    [[ $(head -1 sub.csv) == Id,SalePrice ]] || fail "header: $(head -1 sub.csv)"
    [[ $(wc -l <sub.csv) -eq 1460 ]] || fail "$(wc -l <sub.csv) lines"
    diff <(cut -d, -f1 "$data/test.csv" | tr -d '\r') <(cut -d, -f1 sub.csv) >/dev/null ||
        fail "the Ids differ from test.csv's"
    awk -F, 'NR > 1 && $2 !~ /^-?[0-9.e+-]+$/ { print "row " NR ": " $0; exit 1 }' sub.csv ||
        fail "a prediction is not a number"
    run 0 "samples: 1460.*rmsle: .*mae: .*rmse: " \
        "$A" evaluate --load w.safetensors --data "csv:$data/train.csv"
    echo "house-prices ok"
    ;;
*) fail "unknown part $part" ;;
esac
