#!/usr/bin/env bash
# torch_load.sh ACTLAB FIXTURES: a model trained here loads into PyTorch (load_state_dict,
# strict) and predicts the same. Needs Debian's python3-torch; exits 77 (skipped) without.
set -euo pipefail
actlab=$1 fix=$2
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
    echo "skipped: Debian's python3-torch is not installed (apt-get install python3-torch)"
    exit 77
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
here=$(cd "$(dirname "$0")/../.." && pwd)
"$actlab" data prepare "csv:$fix/small.csv" --target Price --drop Id -o "$d/X.npy" "$d/Y.npy"
"$actlab" train --model 'dense(16,activation=gelu) dense(8,activation=leaky_relu:alpha=0.2) dense(1)' \
    --data "npy:$d/X.npy,$d/Y.npy" --epochs 3 --batch 4 --save "$d/mlp.safetensors" --quiet
"$actlab" predict --load "$d/mlp.safetensors" --input "$d/X.npy" -o "$d/P.npy" >/dev/null
/usr/bin/python3 "$here/scripts/torch_check.py" "$d/mlp.safetensors" "$d/X.npy" "$d/P.npy"
# a small CNN on image-shaped data
/usr/bin/python3 -c "
import numpy as np
r = np.random.default_rng(0)
np.save('$d/I.npy', r.random((40, 1, 12, 12), dtype=np.float32))
np.save('$d/L.npy', r.integers(0, 3, 40))"
"$actlab" train --model 'conv2d(4,3,padding=same,activation=relu) maxpool2d(2) conv2d(6,3,activation=tanh) avgpool2d(2) flatten dense(3,activation=softmax)' \
    --data "npy:$d/I.npy,$d/L.npy" --epochs 2 --batch 8 --save "$d/cnn.safetensors" --quiet
"$actlab" predict --load "$d/cnn.safetensors" --input "$d/I.npy" -o "$d/Q.npy" >/dev/null
/usr/bin/python3 "$here/scripts/torch_check.py" "$d/cnn.safetensors" "$d/I.npy" "$d/Q.npy"
