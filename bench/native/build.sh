#!/usr/bin/env bash
# Builds the two native micro-benchmarks against the engine's own sources (libtorch from Debian's libtorch-dev):
#   gram_kernel_bench  the AVX-512 Gram kernel vs OpenBLAS dsyrk (as the probe calls it) on the probe's row shapes
#   spectrum_bench     the spectrum extremes (dsytrd + Sturm-count multisection) vs torch::linalg_eigvalsh
# Run them with OPENBLAS_NUM_THREADS=1 (as the engine runs BLAS). -fopenmp: the kernel shares large products between
# libtorch's intra-op threads (one here: the benchmark sets one).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
native="$here/../../src/AutoBatch.Engine/Native"
out="${1:-$here/build}"
mkdir -p "$out"
flags=(-O2 -fopenmp -std=c++17 -I"$native" -I/usr/include/torch/csrc/api/include)
libs=(-ltorch -ltorch_cpu -lc10 -ldl)
g++ "${flags[@]}" "$here/gram_kernel_bench.cpp" "$native/GramKernel.cpp" "$native/Parallel.cpp" -o "$out/gram_kernel_bench" "${libs[@]}"
g++ "${flags[@]}" "$here/spectrum_bench.cpp" "$native/Spectrum.cpp" -o "$out/spectrum_bench" "${libs[@]}"
echo "built $out/gram_kernel_bench and $out/spectrum_bench"
