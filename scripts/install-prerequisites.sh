#!/usr/bin/env bash
# Installs what AutoBatch needs on a fresh Debian 12 machine: libtorch (the native engine), OpenBLAS (fast BLAS and
# LAPACK for libtorch and the probe's kernels; Debian's default libblas is the slow reference BLAS), CMake and g++ (the
# native core), patchelf (the build patches TorchSharp's glue library where libstdc++ is older than GCC 13's:
# docs/TORCHSHARP.md) and the Fashion-MNIST data set (the default data). TorchSharp itself comes from NuGet with the
# build's restore. `--with-peers` adds PyTorch for the benchmarks and interop tests.
set -euo pipefail

packages=(libtorch-dev libopenblas0-pthread cmake g++ patchelf dataset-fashion-mnist python3)
if [[ "${1:-}" == "--with-peers" || "${AUTOBATCH_WITH_PEERS:-}" == "1" ]]; then
  packages+=(python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "Installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "The .NET 10 SDK (dotnet) is required and was not found on PATH." >&2
  exit 1
fi
