#!/usr/bin/env bash
# Session 7, after the revert (commit in commit-final.txt; the engine as at 94b755d): ResNet-8's probe cost against the
# PyTorch per-sample loop and vmap, on 1 and on 2 threads (peers on the same count). Run from the repository root on an
# idle machine, after `dotnet build -c Release bench/AutoBatch.Bench`.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T2130Z-row-chunks
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load-final.txt &
L=$!
git rev-parse HEAD > $R/commit-final.txt
python3 bench/run_bench.py probe --models resnet8 --batches 128,512 --threads 1 --rounds 3 --out $R/final-probe-t1.json > $R/final-probe-t1.md 2> $R/final-probe-t1.log
python3 bench/run_bench.py probe --models resnet8 --batches 128,512 --threads 2 --rounds 3 --out $R/final-probe-t2.json > $R/final-probe-t2.md 2> $R/final-probe-t2.log
kill $L
echo done > $R/DONE-final
