#!/usr/bin/env bash
# Session 9's Gram kernel experiments, from a clean tree at commit.txt: builds the committed kernel (kb0) and the
# variants of the *.patch files (each applied to a copy of src/AutoBatch.Engine/Native/GramKernel.cpp), then
#   peak          the core's float64 FMA throughput (12 independent zmm chains)
#   tilebench2    the committed tile<3, false> alone, best of 200 interleaved 4-M-multiply-add bursts per shape
#   abrun.sh      whole kernels on 512 x K float32 rows, best GMAC/s of each over interleaved rounds
#   trd, trd2     LAPACK dsytrd against dsytrd_2stage and dsptrd (packed) at n = 128 and 512
# Usage: bash measure.sh REPO OUT_DIR   (OPENBLAS_NUM_THREADS=1 is set here)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$1" && pwd)"; out="$2"; mkdir -p "$out"; cd "$out"
export OPENBLAS_NUM_THREADS=1
native="$repo/src/AutoBatch.Engine/Native"
cp "$here/kb.cpp" "$here/abrun.sh" . && chmod +x abrun.sh
variant() {  # variant NAME PATCH DEFINES...
  local name=$1 patch=$2; shift 2
  mkdir -p "src-$name" && cp "$native"/{GramKernel.cpp,GramKernel.h,Parallel.cpp,Parallel.h} "src-$name/"
  if [ -n "$patch" ]; then (cd "src-$name" && patch -s -p1 GramKernel.cpp < "$here/$patch"); fi
  g++ -O2 -fopenmp -std=c++17 "$@" -I"src-$name" kb.cpp "src-$name/GramKernel.cpp" "src-$name/Parallel.cpp" -o "$name"
}
variant kb0 ""
variant kb1_64 swapped-order.patch -DKC=64
variant kb1_96 swapped-order.patch -DKC=96
variant kb2_pfc tile-prefetch.patch -DPFC
variant kb2_pfa8 tile-prefetch.patch -DPFC -DPFA=8
variant kb3_T1 next-block-prefetch.patch -DPFHINT=_MM_HINT_T1
variant kb4_8 c-row-padding.patch -DLDPAD=8
gcc -O2 -mavx512f "$here/peak.c" -o peak
g++ -O2 -fopenmp -std=c++17 -I"$native" "$here/tilebench2.cpp" "$native/Parallel.cpp" -o tilebench2
g++ -O2 "$here/trd.cpp" -o trd -llapack
g++ -O2 "$here/trd2.cpp" -o trd2 -llapack
{
  echo "## peak (5 runs)"; for i in 1 2 3 4 5; do ./peak; done
  echo "## tilebench2"; ./tilebench2
  echo "## abrun.sh 20 512 2048"; ./abrun.sh 20 512 2048 kb0 kb1_64 kb1_96 kb2_pfc kb2_pfa8 kb3_T1 kb4_8
  echo "## abrun.sh 4 512 36864"; ./abrun.sh 4 512 36864 kb0 kb2_pfc kb3_T1 kb4_8
  echo "## dsytrd vs dsytrd_2stage"; ./trd 128; ./trd 512
  echo "## dsytrd vs dsptrd"; ./trd2 128; ./trd2 512
} 2>&1 | tee results.txt
