#!/usr/bin/env bash
# report_chromium.sh ACTLAB: compare's report.html rendered by Debian's Chromium, headless:
# the DOM it builds holds the results table with a row per activation and both figures as
# inline SVG with their text, and a screenshot renders (a person looks at one in the docs).
# Skips (77) without /usr/bin/chromium: `scripts/run.sh test` installs it.
set -u
actlab=$1
command -v chromium >/dev/null || { echo "skip: no chromium (apt-get install chromium)"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$(dirname "$0")/make_table.sh" 300 5 3 >"$d/t.csv"
"$actlab" compare --model 'dense(8,activation=@) dense(1)' --data "csv:$d/t.csv" --target y \
    --val 0.25 --log-target --epochs 3 --batch 16 --acts relu,tanh,gelu --seeds 2 --quiet \
    -o "$d/out" >/dev/null 2>&1 || fail "compare failed"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$d/profile")
timeout 120 chromium "${flags[@]}" --dump-dom "file://$d/out/report.html" >"$d/dom.html" 2>/dev/null ||
    fail "chromium could not load the page"
rows=$(grep -o '<tr><td>[a-z_]*</td>' "$d/dom.html" | wc -l)
[[ $rows -eq 3 ]] || fail "the table has $rows activation rows, expected 3"
for a in relu tanh gelu; do grep -q "<tr><td>$a</td>" "$d/dom.html" || fail "no row for $a"; done
for f in curves_val curves_train; do
    grep -q "<figure id=\"$f\"><svg" "$d/dom.html" || fail "no inline SVG for $f"
    grep -q "href=\"#$f-glyph" "$d/dom.html" || fail "$f's text does not use its own glyphs"
done
timeout 120 chromium "${flags[@]}" --window-size=1300,1800 --screenshot="$d/shot.png" \
    "file://$d/out/report.html" >/dev/null 2>&1 || fail "no screenshot"
[[ $(head -c 4 "$d/shot.png" | tail -c 3) == PNG && $(stat -c %s "$d/shot.png") -gt 20000 ]] ||
    fail "the screenshot is empty"
echo ok
