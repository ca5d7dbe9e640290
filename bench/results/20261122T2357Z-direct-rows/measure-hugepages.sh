#!/usr/bin/env bash
# Session 8: the direct kernel's rows in transparent-huge-page memory from 16 MiB (the change after 5aff372) against
# ordinary pages. PLAIN_DLL / HUGE_DLL: the engine side built without / with it. Engine only, ResNet-8, processes
# alternating (ABBA), 3 pairs per thread count.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T2357Z-direct-rows
PLAIN_DLL=${PLAIN_DLL:-/tmp/plain-dll/AutoBatch.Bench.dll}
HUGE_DLL=${HUGE_DLL:-/tmp/huge-dll/AutoBatch.Bench.dll}
for t in 2 1; do
  for i in 1 2 3; do
    for side in $( ((i % 2)) && echo "plain huge" || echo "huge plain"); do
      dll=$PLAIN_DLL; [[ $side == huge ]] && dll=$HUGE_DLL
      python3 bench/run_bench.py probe --engine-only --models resnet8 --threads $t --rounds 1 --batches 128,512 \
        --engine-dll "$dll" --out $R/hp$t-$side-$i.json > $R/hp$t-$side-$i.md 2>> $R/hp.log
    done
  done
done
echo done > $R/HP-DONE
