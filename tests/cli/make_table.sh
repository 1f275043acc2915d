#!/usr/bin/env bash
# make_table.sh ROWS COLS SEED: a CSV with a target y = 1 + sum_j j * f_j and COLS features
# f1..fCOLS in [0, 1) from a fixed linear congruential sequence, so that every test that
# trains on it gets the same table on every machine without shipping data.
awk -v rows="$1" -v cols="$2" -v seed="$3" 'BEGIN {
    s = seed; printf "y"; for (j = 1; j <= cols; j++) printf ",f%d", j; print "";
    for (i = 0; i < rows; i++) {
        t = 0; line = "";
        for (j = 1; j <= cols; j++) {
            s = (s * 1103515245 + 12345) % 2147483648; v = s / 2147483648;
            t += v * j; line = line "," v
        }
        print (t + 1) line
    } }'
