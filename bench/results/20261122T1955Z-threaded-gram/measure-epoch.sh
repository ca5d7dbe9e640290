#!/usr/bin/env bash
# Session 6, third stage (20:56 UTC): whole-epoch overhead at interval 50 (blocks of one 60,000-sample epoch, the
# trainer's probe placement; `run_bench.py overhead --epoch`). Commit in commit-epoch.txt. Run from the repository
# root on an idle machine after `dotnet build -c Release bench/AutoBatch.Bench`.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T1955Z-threaded-gram
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load-epoch.txt &
L=$!
git rev-parse HEAD > $R/commit-epoch.txt
run() { # name threads models batches pairs [--background]
  python3 bench/run_bench.py overhead --epoch --threads $2 --models $3 --batches $4 --pairs $5 $6 --out $R/epoch-$1.json > $R/epoch-$1.md 2>> $R/epoch.log
}
run mlp-t1-sync 1 mlp 128,512 6
run mlp-t1-background 1 mlp 128,512 6 --background
run mlp-t2-sync 2 mlp 128,512 6
run resnet8-t1-sync 1 resnet8 128 2
run resnet8-t2-sync 2 resnet8 128 2
kill $L
echo done > $R/DONE-epoch
