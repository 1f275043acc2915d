#!/usr/bin/env bash
# Installs the Debian 12 packages actlab needs to build, test and plot; does nothing when all
# are present, and says what it installs. Idempotent: safe to run before every build.
# With arguments it installs those packages instead (bench/setup.sh names the peers').
set -euo pipefail

packages=(
    gcc libc6-dev make cmake pkgconf  # C11 toolchain, CMake >= 3.25, pkg-config for the install test
    libcriterion-dev                  # the test framework, run under ctest
    libmpfr-dev                       # high-precision reference for the accuracy tests
    libplplot-dev plplot-driver-cairo # plots: PNG, SVG and PDF through PLplot's cairo drivers
    zlib1g-dev                        # IDX data sets come gzipped (read through zlib)
    libopenblas-dev                   # nn: matrix products (cblas_sgemm)
    libopenblas0-openmp               # ... run through its OpenMP build: one thread pool (CMakeLists.txt)
    dataset-fashion-mnist             # Fashion-MNIST in /usr/share/datasets/fashion-mnist
    libopenmpi-dev openmpi-bin        # MPI: mpirun -np N actlab compare|train (optional)
)
(($# > 0)) && packages=("$@")

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${#missing[@]} package(s)"
