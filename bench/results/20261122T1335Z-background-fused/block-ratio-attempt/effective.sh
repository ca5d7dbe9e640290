#!/usr/bin/env bash
cd /work/main
R=bench/results/20261122T1335Z-background-fused
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load-effective.txt &
L=$!
run() { # name model batch interval blocks pairs [--background]
  python3 bench/run_bench.py overhead --threads 1 --models $2 --batches $3 --interval $4 --block-intervals $5 --pairs $6 $7 --out $R/effective-$1.json > $R/effective-$1.md 2>> $R/effective.log
}
run mlp128-sync-a mlp 128 2 25 10
run mlp128-bg-a mlp 128 2 25 10 --background
run mlp128-bg-b mlp 128 2 25 10 --background
run mlp128-sync-b mlp 128 2 25 10
run r128-sync-a resnet8 128 2 5 6
run r128-bg-a resnet8 128 2 5 6 --background
run r128-bg-b resnet8 128 2 5 6 --background
run r128-sync-b resnet8 128 2 5 6
run mlp32-sync mlp 32 2 25 10
run mlp32-bg mlp 32 2 25 10 --background
run mlp512-sync mlp 512 4 10 8
run mlp512-bg mlp 512 4 10 8 --background
run r32-sync resnet8 32 2 10 8
run r32-bg resnet8 32 2 10 8 --background
run r512-sync resnet8 512 2 3 3
run r512-bg resnet8 512 2 3 3 --background
kill $L
echo done > $R/DONE-effective
