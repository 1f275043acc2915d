#!/usr/bin/env bash
# check.sh MODE BUILD_DIR SOURCE_DIR: builds tests/package/consumer.c outside the project
# against actlab -- MODE build-tree: the build folder itself; MODE install: a `cmake
# --install` into a temporary prefix -- through pkg-config (shared, and static with
# --static) and through find_package (actlab::actlab and actlab::actlab_static), and runs
# each with no LD_LIBRARY_PATH: the build tree's .pc carries an rpath, the installed one is
# found as the README says. Also: `pkg-config --cflags actlab` is the actlab headers only.
set -euo pipefail
mode=$1 build=$2 src=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LD_LIBRARY_PATH
fail() { echo "FAIL ($mode): $*" >&2; exit 1; }

case $mode in
build-tree)
    export PKG_CONFIG_PATH=$build
    headers=$src/include prefix=$build rpath=()
    ;;
install)
    cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
    pc=$(find "$tmp/prefix" -name actlab.pc)
    [[ -n $pc ]] || fail "no actlab.pc installed"
    export PKG_CONFIG_PATH=${pc%/actlab.pc}
    headers=$tmp/prefix/include prefix=$tmp/prefix
    # the README's way for a prefix the dynamic linker does not search
    rpath=("-Wl,-rpath,$(pkg-config --variable=libdir actlab)")
    [[ -x $prefix/bin/actlab ]] || fail "no bin/actlab installed"
    [[ $("$prefix/bin/actlab" eval relu 2) == 2 ]] || fail "the installed tool"
    ;;
*) fail "unknown mode" ;;
esac

read -r cflags <<<"$(pkg-config --cflags actlab)" # trims the trailing space
[[ $(realpath "${cflags#-I}") == $(realpath "$headers") ]] ||
    fail "pkg-config --cflags actlab is '$cflags', not -I$headers alone"
[[ -f $headers/actlab/io.h ]] || fail "no actlab/io.h in $headers"

run() { # run NAME: runs $tmp/NAME, which must write the values the consumer computed
    "$tmp/$1" "$tmp/$1.txt" || fail "$1 failed"
    [[ $(cat "$tmp/$1.txt") == "-0.5 0 1" ]] || fail "$1 wrote '$(cat "$tmp/$1.txt")'"
}
# shellcheck disable=SC2046 # pkg-config's output is a list of words
cc -std=c11 -Wall -Werror "$here/consumer.c" $(pkg-config --cflags --libs actlab) "${rpath[@]}" \
    -o "$tmp/pc_shared"
readelf -d "$tmp/pc_shared" | grep -q 'NEEDED.*libactlab\.so' || fail "pc_shared: no libactlab.so"
run pc_shared
# static: -l:libactlab.a in place of -lactlab takes the archive; its dependencies come from
# Libs.private and Requires.private (--static), linked as shared libraries
libs=$(pkg-config --static --libs actlab)
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Werror "$here/consumer.c" $cflags ${libs/-lactlab/-l:libactlab.a} -o "$tmp/pc_static"
! readelf -d "$tmp/pc_static" | grep -q 'NEEDED.*libactlab' || fail "pc_static needs libactlab.so"
run pc_static

cmake -S "$here" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$(command -v cc)" \
    >"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "find_package(actlab) from $prefix"; }
cmake --build "$tmp/cm" >"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "consumer build"; }
cp "$tmp/cm/consumer_shared" "$tmp/cm/consumer_static" "$tmp/"
run consumer_shared
run consumer_static
echo "$mode ok: pkg-config (shared, static), find_package (actlab::actlab, actlab::actlab_static)"
