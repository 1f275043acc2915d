#!/usr/bin/env bash
# skip_unless.sh PATH WHY -- COMMAND...: exits 77 (ctest's "skipped") with a message when
# PATH does not exist, else runs COMMAND.
path=$1 why=$2
shift 3
if [[ ! -e $path ]]; then
    echo "skipped: $path is missing ($why)"
    exit 77
fi
exec "$@"
