#!/usr/bin/env bash
# hostile_write.sh CASE ACTLAB: failed writes, output paths and temporaries, end to end.
# Each case works in its own temporary directory; a private full device (mknod c 1 7) stands
# in for a full disk, so the system's /dev/full is never touched. Exit 77: skipped.
set -u
case_=$1 A=$2
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
cd "$d" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# A tiny regression set: X.npy, Y.npy (4 rows, 2 features), and a model trained on it.
data() {
    printf 'a,b,y\n1,2,3\n4,5,6\n7,8,9\n2,2,2\n' >d.csv
    "$A" data prepare csv:d.csv --target y -o X.npy Y.npy >/dev/null || fail "data prepare"
}
model() {
    data
    "$A" train --model 'dense(1)' --data npy:X.npy,Y.npy --epochs 1 --quiet --save m.safetensors ||
        fail "train"
}
# Only the named files (and no temporary) in the directory.
only() {
    local got want
    got=$(ls -A | sort | tr '\n' ' ')
    want=$( (($#)) && printf '%s\n' "$@" | sort | tr '\n' ' ')
    [[ $got == "$want" ]] || fail "directory holds '$got', expected '$want'"
}
# run RC PATTERN CMD...: exit code and output (stdout+stderr) as expected
run() {
    local want=$1 pat=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    [[ $rc -eq $want ]] || fail "'$*' exited $rc, expected $want: $out"
    grep -Eq -- "$pat" <<<"$out" || fail "'$*' output lacks /$pat/: $out"
}
full_device() {
    mknod "$1" c 1 7 2>/dev/null || { echo "skipped: mknod is not permitted (not root)"; exit 77; }
}
still_device() { [[ -c $1 ]] || fail "$1 is no longer a character device"; }

case $case_ in
full_device)
    model
    full_device full
    full_device full.png
    full_device full.npy
    full_device full.safetensors
    err=$("$A" list 2>&1 >full) && fail "list > full exited 0"
    grep -q "error writing standard output: No space left on device" <<<"$err" || fail "list: $err"
    run 1 "cannot write full.png: No space left on device" "$A" plot sigmoid -o full.png
    run 1 "cannot write full.npy: No space left on device" "$A" data prepare csv:d.csv --target y -o full.npy Y2.npy
    run 1 "cannot write full.npy: No space left on device" "$A" predict --load m.safetensors --input X.npy -o full.npy
    run 1 "cannot write full.safetensors: No space left on device" "$A" train --model 'dense(1)' --data npy:X.npy,Y.npy --epochs 1 --quiet --save full.safetensors
    run 1 "cannot write full: No space left on device" "$A" data prepare csv:d.csv --target y --columns full -o X2.npy Y2.npy
    for f in full full.png full.npy full.safetensors; do still_device $f; done
    rm -f X2.npy Y2.npy # written before --columns failed
    only full full.png full.npy full.safetensors d.csv X.npy Y.npy m.safetensors
    ;;
save_checked_first)
    data
    # Without the early check these epochs take hours; timeout turns that into a failure. The
    # refusal must come before any epoch, well within a second on an idle machine (5 s here
    # leaves room for sanitizers and a loaded CI).
    for opt in "--save $d/nonexistent/dir/m.safetensors" "--save m.safetensors --columns nodir/c.txt"; do
        start=$(date +%s%N)
        out=$(timeout 20 "$A" train --model 'dense(1)' --data npy:X.npy,Y.npy --epochs 100000000 $opt 2>&1)
        rc=$? ms=$(( ($(date +%s%N) - start) / 1000000 ))
        [[ $rc -eq 1 ]] || fail "train $opt exited $rc: $(head -c 300 <<<"$out")"
        grep -q "Epoch" <<<"$out" && fail "an epoch ran before the output was checked: $(head -c 300 <<<"$out")"
        grep -Eq "cannot write ($d/nonexistent/dir/m.safetensors|nodir/c.txt): No such file or directory" <<<"$out" ||
            fail "train $opt: $out"
        [[ $ms -lt 5000 ]] || fail "took ${ms} ms to refuse $opt"
    done
    run 1 "cannot write nodir/p.npy: No such file" "$A" predict --load nomodel --input X.npy -o nodir/p.npy
    run 1 "cannot write nodir/a.png: No such file" "$A" plot relu -o nodir/a.png
    mkdir X9.val.npy
    run 1 "cannot write X9.val.npy: Is a directory" "$A" data prepare csv:nodata --target y --val 0.5 -o X9.npy Y9.npy
    rmdir X9.val.npy
    run 1 "cannot write X.npy/activations.png|cannot create X.npy" "$A" tour --out X.npy
    run 1 "cannot write d.csv: Is a directory|cannot write \.: Is a directory" "$A" predict --load m --input X.npy -o .
    only d.csv X.npy Y.npy
    ;;
symlinks)
    model
    echo old >target.npy
    ln -s target.npy out.npy
    run 0 "wrote out.npy" "$A" predict --load m.safetensors --input X.npy -o out.npy
    [[ -L out.npy && $(readlink out.npy) == target.npy ]] || fail "out.npy is no longer the link"
    [[ $(head -c 6 target.npy | tail -c 5) == NUMPY ]] || fail "target.npy was not written"
    ln -s target.png out.png # a link to a file still to be made
    run 0 "wrote out.png" "$A" plot relu -o out.png
    [[ -L out.png && $(head -c 4 target.png | tail -c 3) == PNG ]] || fail "plot did not write through out.png"
    # The old scheme's fixed name for --columns: a link there must redirect nothing.
    echo precious >victim
    ln -s victim cols.txt.tmp
    run 0 "wrote" "$A" data prepare csv:d.csv --target y --columns cols.txt -o X2.npy Y2.npy
    [[ $(cat victim) == precious ]] || fail "victim was overwritten through a planted link"
    [[ -f cols.txt && ! -L cols.txt && $(cat cols.txt) == $'a\nb' ]] || fail "cols.txt: $(ls -l cols.txt)"
    only d.csv X.npy Y.npy m.safetensors target.npy out.npy target.png out.png victim cols.txt.tmp cols.txt X2.npy Y2.npy
    ;;
fifo)
    model
    "$A" predict --load m.safetensors --input X.npy -o want.npy >/dev/null || fail "predict"
    mkfifo p.npy
    timeout 20 cat p.npy >got.npy &
    reader=$!
    run 0 "wrote p.npy" timeout 20 "$A" predict --load m.safetensors --input X.npy -o p.npy
    [[ -p p.npy ]] || { kill "$reader"; fail "p.npy is no longer a FIFO"; }
    wait "$reader"
    cmp want.npy got.npy || fail "the FIFO carried other bytes"
    # private stand-ins for /dev/null and /dev/stdout: a regression that renamed onto them
    # must not replace the system's
    ln -s /proc/self/fd/1 stdout
    "$A" predict --load m.safetensors --input X.npy -o stdout 2>&1 | head -c 6 | grep -q NUMPY ||
        fail "predict -o stdout (a link to /proc/self/fd/1, as /dev/stdout)"
    [[ -L stdout ]] || fail "the stdout link was replaced"
    if mknod null c 1 3 2>/dev/null; then
        run 0 "wrote null" "$A" predict --load m.safetensors --input X.npy -o null
        [[ -c null ]] || fail "null is no longer a character device"
    else
        rm -f null
        echo "mknod is not permitted: the null device case is skipped"
    fi
    rm -f null
    only d.csv X.npy Y.npy m.safetensors want.npy got.npy p.npy stdout
    ;;
signal)
    # SIGTERM while PLplot draws into the temporary: the handler removes it, and the process
    # still ends by the signal. A big plot keeps the temporary alive long enough to be seen.
    "$A" plot sigmoid tanh relu elu gelu silu softplus --grad --step 0.0001 --range -45:45 \
        -o x.png >/dev/null 2>&1 &
    pid=$!
    temp_seen() { [[ -n $(ls -A | grep -vx 'x.png') ]]; } # whatever a temporary is called
    for _ in $(seq 1200); do
        temp_seen && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if ! temp_seen; then
        wait "$pid"
        echo "skipped: the plot finished before its temporary was seen"
        exit 77
    fi
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    [[ $rc -eq 143 ]] || fail "exit status $rc after SIGTERM, expected 143"
    only
    ;;
*)
    echo "unknown case $case_"
    exit 2
    ;;
esac
exit 0
