#!/usr/bin/env bash
# Session 7: the MLP's whole-epoch overhead at B = 512 on 2 threads, synchronous (the default at --threads 2 on this
# 2-core VM) and in the background (the probe's thread then competes with the step's two), in the same sitting.
# Run from the repository root on an idle machine, after `dotnet build -c Release bench/AutoBatch.Bench`.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T2130Z-row-chunks
git rev-parse HEAD > $R/commit-epoch.txt
for mode in sync background; do
  extra=(); [[ $mode == background ]] && extra=(--background)
  python3 bench/run_bench.py overhead --epoch --threads 2 --models mlp --batches 512 --pairs 6 "${extra[@]}" \
    --out $R/epoch-mlp-t2-$mode.json > $R/epoch-mlp-t2-$mode.md 2>> $R/epoch.log
done
echo done > $R/DONE-epoch
