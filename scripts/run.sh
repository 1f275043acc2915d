#!/usr/bin/env bash
# The two README commands:
#   scripts/run.sh        installs what is missing, builds, runs the main job (actlab tour)
#   scripts/run.sh test   installs what is missing, builds, runs the test suite
# Extra arguments after `test` go to ctest (e.g. `scripts/run.sh test -L slow` for the slow
# tests). BUILD_DIR (default build) and JOBS (default: all cores) can be set.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-main}
[[ $# -gt 0 ]] && shift
build=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}

scripts/deps.sh
# the tests also render compare's report.html in a headless browser
[[ $mode == test ]] && scripts/deps.sh chromium
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$jobs"

case $mode in
main)
    "$build/actlab" tour --out out
    ;;
test)
    cd "$build"
    if [[ $# -eq 0 ]]; then set -- -LE slow; fi
    ctest --output-on-failure -j "$jobs" "$@"
    ;;
*)
    echo "usage: scripts/run.sh [main|test [ctest args]]" >&2
    exit 2
    ;;
esac
