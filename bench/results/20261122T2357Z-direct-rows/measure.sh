#!/usr/bin/env bash
# Session 8: the direct AVX-512 per-sample conv rows (commit in commit.txt). Run from the repository root on an idle
# machine, after `dotnet build -c Release bench/AutoBatch.Bench`; PREV_DLL: the engine side built at 94866eb (the
# session's starting commit: grouped-convolution rows).
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T2357Z-direct-rows
PREV_DLL=${PREV_DLL:-/tmp/prev/bench/AutoBatch.Bench/bin/Release/net10.0/AutoBatch.Bench.dll}
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load.txt &
L=$!
git rev-parse HEAD > $R/commit.txt
# Before/after, engine only, ResNet-8 at B = 128 and 512, on 1 and on 2 threads, processes alternating (ABBA).
for t in 2 1; do
  for i in 1 2; do
    for side in $( ((i % 2)) && echo "prev new" || echo "new prev"); do
      dll=(); [[ $side == prev ]] && dll=(--engine-dll "$PREV_DLL")
      python3 bench/run_bench.py probe --engine-only --models resnet8 --threads $t --rounds 1 --batches 128,512 "${dll[@]}" \
        --out $R/ab$t-$side-$i.json > $R/ab$t-$side-$i.md 2>> $R/ab.log
    done
  done
done
# Our probe cost vs the PyTorch per-sample loop and vmap, ResNet-8, peers on the same thread count.
python3 bench/run_bench.py probe --models resnet8 --batches 128,512 --threads 2 --rounds 3 --out $R/probe-t2.json > $R/probe-t2.md 2> $R/probe-t2.log
python3 bench/run_bench.py probe --models resnet8 --batches 128,512 --threads 1 --rounds 3 --out $R/probe-t1.json > $R/probe-t1.md 2> $R/probe-t1.log
kill $L
echo done > $R/DONE
