#!/usr/bin/env bash
# Session 7: synchronous vs background probe on 2 threads (the step's two intra-op threads plus the probe's own on
# this 2-core VM), whole-epoch blocks, for the configurations measure-epoch-t2.sh did not cover.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T2130Z-row-chunks
git rev-parse HEAD > $R/commit-epoch-more.txt
for mode in sync background; do
  extra=(); [[ $mode == background ]] && extra=(--background)
  python3 bench/run_bench.py overhead --epoch --threads 2 --models mlp --batches 128 --pairs 4 "${extra[@]}" \
    --out $R/epoch-mlp128-t2-$mode.json > $R/epoch-mlp128-t2-$mode.md 2>> $R/epoch-more.log
  python3 bench/run_bench.py overhead --epoch --threads 2 --models resnet8 --batches 128 --pairs 2 "${extra[@]}" \
    --out $R/epoch-resnet8-t2-$mode.json > $R/epoch-resnet8-t2-$mode.md 2>> $R/epoch-more.log
done
echo done > $R/DONE-epoch-more
