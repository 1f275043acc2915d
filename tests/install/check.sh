#!/usr/bin/env bash
# check.sh BUILD_DIR SOURCE_DIR: installs the build into a temporary prefix, then builds a
# tiny outside program against the installed copy twice -- through pkg-config and through
# find_package(actlab) -- and runs both, and the installed tool.
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
prefix=$tmp/prefix
libdir=$(dirname "$(find "$prefix" -name actlab.pc | head -n 1)")/..
export PKG_CONFIG_PATH=$libdir/pkgconfig LD_LIBRARY_PATH=$libdir

version=$(pkg-config --modversion actlab)
sed "s/@PROJECT_VERSION@/$version/" "$src/tiny.c" >"$tmp/tiny.c"
cc -std=c11 -Wall -Werror "$tmp/tiny.c" $(pkg-config --cflags --libs actlab) -o "$tmp/tiny_pc"
"$tmp/tiny_pc"
# static actlab against the shared libraries it uses: its Requires.private modules (their
# own --static closure would drag in e.g. PLplot's C++ runtime) plus its Libs.private
pc=$libdir/pkgconfig/actlab.pc
cc -std=c11 "$tmp/tiny.c" $(pkg-config --cflags actlab) "$libdir/libactlab.a" \
    $(pkg-config --libs $(pkg-config --print-requires-private actlab)) \
    $(sed -n 's/^Libs.private: *//p' "$pc") -o "$tmp/tiny_static"
"$tmp/tiny_static"
"$tmp/tiny_static"

mkdir "$tmp/consumer"
cp "$src/CMakeLists.txt" "$tmp/consumer/"
cp "$tmp/tiny.c" "$tmp/consumer/"
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
"$tmp/consumer/build/tiny"

"$prefix/bin/actlab" eval relu 2 | grep -qx 2
[[ -f $prefix/include/actlab/act.h ]]
echo "install ok: pkg-config (shared and static), find_package, tool"
