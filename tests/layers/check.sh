#!/usr/bin/env bash
# check.sh SRC WHO "allowed:MODULE..." "except:PATH..." CC FLAGS...: compiles, with the flags of the target
# that builds src/WHO (WHO is a module or cli), one file per header of the project that
# includes it as code in src/WHO would: internal headers by a relative "../MODULE/x.h",
# public ones as "actlab/x.h". A header of a module in ALLOWED (or a path in EXCEPT) must
# not stop the build by its layer check; every other one must, with its own #error. And
# src/ must not be on the include path, so "core/error.h" is not found at all.
# Exit 1 naming every header that does not behave, 0 when all do.
set -uo pipefail
src=$1 who=$2 allowed=" ${3#allowed:} " except=" ${4#except:} "
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0 n=0

# The owner of each public header (docs/ARCHITECTURE.md). A public header missing here is a
# failure: say which layer a new one belongs to.
declare -A owner=(
    [export.h]=core [status.h]=core [version.h]=core [rng.h]=core [io.h]=core [names.h]=core [deprecated.h]=core
    [act.h]=act [act_list.h]=act
    [data.h]=data [table.h]=data
    [nn.h]=nn [train.h]=nn [diag.h]=nn
    [plot.h]=plot [actlab.h]=user)

# try LINE [MODE]: preprocesses (the layer checks are #error) a file made of LINE as if it
# were in src/WHO, or with MODE -fsyntax-only compiles it; messages in $tmp/out
try() {
    printf '%s\n' "$1" >"$tmp/t.c"
    "${cc[@]}" "${2:--E}" -o "$tmp/t.o" -iquote "$src/src/$who" "$tmp/t.c" >"$tmp/out" 2>&1
}
cc=("$@")
expect() { # expect ok|fail HEADER-SHOWN-IN-MESSAGES MODULE LINE KIND
    local want=$1 shown=$2 mod=$3 line=$4 kind=$5
    n=$((n + 1))
    try "$line"
    local rc=$? re
    if [[ $kind == internal ]]; then re="internal to the $mod layer"; else re="a public header of the $mod layer"; fi
    if [[ $want == ok ]]; then
        if grep -q '#error "\(internal to the\|a public header of the\)' "$tmp/out"; then
            echo "FAIL: $who may include $shown, but the layer check refused it:"; cat "$tmp/out"; bad=1
        fi
    elif [[ $rc -eq 0 ]]; then
        echo "FAIL: $who includes $shown (layer $mod) and the build accepts it"; bad=1
    elif ! grep -Eq "$shown:[0-9]+:[0-9]+: error: #error \"$re" "$tmp/out"; then
        echo "FAIL: $who includes $shown: refused, but not by $shown's layer check:"; cat "$tmp/out"; bad=1
    fi
}

# the flags themselves work: a public core header compiles cleanly
try '#include "actlab/status.h"' -fsyntax-only || { echo "FAIL: the control file does not compile:"; cat "$tmp/out"; exit 1; }

cd "$src/src" || exit 1
for h in $(find . -path ./cli -prune -o -name '*.h' -print | sed 's|^\./||' | sort); do
    mod=${h%%/*}
    if [[ $allowed == *" $mod "* || $except == *" src/$h "* ]]; then want=ok; else want=fail; fi
    expect $want "src/$who/../$h" "$mod" "#include \"../$h\"" internal
done
for p in "$src"/include/actlab/*.h; do
    h=${p##*/} mod=${owner[${h}]:-}
    if [[ -z $mod ]]; then echo "FAIL: include/actlab/$h has no layer in tests/layers/check.sh"; bad=1; continue; fi
    if [[ $who == cli || $allowed == *" $mod "* ]]; then want=ok; else want=fail; fi
    expect $want "actlab/$h" "$mod" "#include \"actlab/$h\"" public
done

n=$((n + 1))
if try '#include "core/error.h"' || ! grep -q 'No such file' "$tmp/out"; then
    echo "FAIL: src/ is on the include path of $who: \"core/error.h\" was found"; bad=1
fi
[[ $bad -eq 0 ]] && echo "layers $who: $n includes behave (allowed:$allowed; except:$except)"
exit $bad
