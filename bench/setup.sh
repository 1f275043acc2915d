#!/usr/bin/env bash
# Installs the Debian 12 packages of the peers that bench/kernels compares actlab with; does
# nothing when all are present, and says what it installs. Idempotent. The project builds
# without them (the benchmark then leaves the missing peers out); scripts/deps.sh installs
# what the project itself needs.
set -euo pipefail

packages=(
    libsleef-dev       # SLEEF 3.5: vectorised expf/tanhf/erff/... (the "sleef" peers)
    libxnnpack-dev     # XNNPACK: f32 operators (the "xnnpack" peer) ...
    libpthreadpool-dev # ... whose xnnpack.h includes pthreadpool.h (not a dependency of -dev)
    libdnnl-dev        # oneDNN 2.6: eltwise and softmax primitives (the "onednn" peer)
)

exec "$(dirname "$0")/../scripts/deps.sh" "${packages[@]}"
