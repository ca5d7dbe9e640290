#!/usr/bin/env bash
cd /work/main
R=bench/results/20261122T1335Z-background-fused
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load.txt &
LOADPID=$!
git rev-parse HEAD > $R/commit.txt
python3 bench/run_bench.py probe --threads 1 --rounds 2 --out $R/probe.json > $R/probe.md 2> $R/probe.log
python3 bench/run_bench.py background --models mlp,resnet8 --batches 32,128,512 --rounds 3 --steps 10 --warmup 3 --min-seconds 2 --out $R/background.json > $R/background.md 2> $R/background.log
python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 32,128,512 --pairs 10 --out $R/overhead-mlp-sync.json > $R/overhead-mlp-sync.md 2> $R/overhead.log
python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 32,128,512 --pairs 10 --background --out $R/overhead-mlp-background.json > $R/overhead-mlp-background.md 2>> $R/overhead.log
python3 bench/run_bench.py overhead --threads 1 --models resnet8 --batches 32,128 --pairs 3 --out $R/overhead-resnet8-sync.json > $R/overhead-resnet8-sync.md 2>> $R/overhead.log
python3 bench/run_bench.py overhead --threads 1 --models resnet8 --batches 32,128 --pairs 3 --background --out $R/overhead-resnet8-background.json > $R/overhead-resnet8-background.md 2>> $R/overhead.log
python3 bench/run_bench.py memory --threads 1 --out $R/memory.json > $R/memory.md 2> $R/memory.log
python3 bench/run_bench.py throughput --threads 1 --rounds 2 --batches 128 --out $R/throughput-t1.json > $R/throughput-t1.md 2> $R/throughput.log
python3 bench/run_bench.py throughput --threads 2 --rounds 2 --batches 128 --out $R/throughput-t2.json > $R/throughput-t2.md 2>> $R/throughput.log
kill $LOADPID
echo done > $R/DONE
