#!/usr/bin/env bash
# expect.sh RC PATTERN [STDIN] -- COMMAND...: runs COMMAND (with STDIN piped in if given), and
# fails unless it exits with RC and its stdout+stderr match the extended regex PATTERN (which
# may span lines: the output is matched as one string, newlines as \n).
set -u
want_rc=$1 pattern=$2
shift 2
input=""
if [[ $1 != -- ]]; then input=$1; shift; fi
shift # --
out=$(printf '%b' "$input" | "$@" 2>&1)
rc=$?
flat=$(printf '%s' "$out" | awk 'BEGIN{ORS="\\n"} {print}')
if [[ $rc -ne $want_rc ]]; then
    printf 'exit code %d, expected %d\n--- output:\n%s\n' "$rc" "$want_rc" "$out"
    exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$flat"; then
    printf 'output does not match /%s/\n--- output:\n%s\n' "$pattern" "$out"
    exit 1
fi
exit 0
