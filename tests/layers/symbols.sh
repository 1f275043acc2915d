#!/usr/bin/env bash
# symbols.sh WHO "allowed:MODULE..." "except:SYMBOL..." LIBSO @MODULE OBJ... @MODULE OBJ...:
# the layer check at link level, for what the include checks cannot see (a prototype written
# by hand). Every symbol that WHO's objects use and some module defines must come from WHO
# itself or a module in ALLOWED. WHO "cli": every symbol its objects take from the library
# must be exported by the shared library LIBSO (the public API), or be in EXCEPT.
# Exit 1 naming each offending symbol and where it is defined.
set -uo pipefail
who=$1 allowed=" ${2#allowed:} " except=" ${3#except:} " so=$4
shift 4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mod=
for a in "$@"; do
    if [[ $a == @* ]]; then mod=${a#@}; continue; fi
    echo "$a" >>"$tmp/objs.$mod"
done
# which module defines each global symbol: "symbol module"
for f in "$tmp"/objs.*; do
    m=${f##*.}
    [[ $m == "$who" ]] && continue
    xargs nm --defined-only -g <"$f" | awk -v m="$m" 'NF == 3 { print $3, m }'
done | sort -u >"$tmp/defs"
xargs nm -u <"$tmp/objs.$who" | awk '{ print $NF }' | sort -u >"$tmp/used"
[[ -s $tmp/used ]] || { echo "FAIL: no objects of $who to check"; exit 1; }
nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u >"$tmp/exported"
bad=0
while read -r sym m; do
    if [[ $who == cli ]]; then
        grep -qx "$sym" "$tmp/exported" && continue
        [[ $except == *" $sym "* ]] && continue
        echo "FAIL: the CLI uses $sym ($m), which the shared library does not export"
    else
        [[ $allowed == *" $m "* ]] && continue
        echo "FAIL: $who uses $sym, defined by $m, a module it may not use"
    fi
    bad=1
done < <(join "$tmp/used" "$tmp/defs")
[[ $bad -eq 0 ]] && echo "symbols of $who: $(join "$tmp/used" "$tmp/defs" | wc -l) from other modules, all allowed"
exit $bad
