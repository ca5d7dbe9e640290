#!/usr/bin/env bash
# Session 4: the AVX-512 Gram kernel and the spectrum extremes. Run from the repository root on an idle machine.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T1530Z-gram-kernel
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load.txt &
L=$!
git rev-parse HEAD > $R/commit.txt
# Probe step vs plain step, and our probe cost vs the PyTorch per-sample loop and vmap, with both Gram kernels.
python3 bench/run_bench.py probe --threads 1 --rounds 2 --gram-kernels blas,auto --out $R/probe.json > $R/probe.md 2> $R/probe.log
# Probed step / plain step from per-step medians at a short interval (synchronous probe).
run() { # name model batch interval blocks pairs [--background]
  python3 bench/run_bench.py overhead --threads 1 --models $2 --batches $3 --interval $4 --block-intervals $5 --pairs $6 $7 --out $R/effective-$1.json > $R/effective-$1.md 2>> $R/effective.log
}
run mlp128-sync-a mlp 128 2 25 10
run r128-sync-a resnet8 128 2 5 6
run mlp128-bg mlp 128 2 25 10 --background
run r128-bg resnet8 128 2 5 6 --background
run mlp128-sync-b mlp 128 2 25 10
run r128-sync-b resnet8 128 2 5 6
run mlp512-sync mlp 512 4 10 8
# Whole-run overhead at the default interval 50 (synchronous).
python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 32,128,512 --pairs 10 --out $R/overhead-mlp-sync.json > $R/overhead-mlp-sync.md 2> $R/overhead.log
python3 bench/run_bench.py overhead --threads 1 --models resnet8 --batches 32,128 --pairs 3 --out $R/overhead-resnet8-sync.json > $R/overhead-resnet8-sync.md 2>> $R/overhead.log
kill $L
echo done > $R/DONE
# Added at 15:58 after the spectrum code moved to Spectrum.cpp (same arithmetic): more rounds at B = 128.
# python3 bench/run_bench.py probe --threads 1 --rounds 4 --batches 128 --gram-kernels blas,auto --out $R/probe-b128-4rounds.json > $R/probe-b128-4rounds.md 2> $R/probe-b128-4rounds.log
# Added at 16:02: the MLP B = 128 interval-2 run again, BLAS and AVX-512 kernels alternating (ABBA), to see whether the
# slow steps after a probe in effective-mlp128-sync-a/b come from the kernel.
# for k in blas auto auto blas; do python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 128 --interval 2 --block-intervals 25 --pairs 10 --gram-kernels $k --out $R/effective-mlp128-sync-$k-$((++i)).json > $R/effective-mlp128-sync-$k-$i.md 2>> $R/effective.log; done
# Added at 16:40 after the kernel writes straight into its output (commit in commit-direct.txt), engine only:
# python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 2 --gram-kernels blas,auto --out $R/probe-direct.json > $R/probe-direct.md 2> $R/probe-direct.log
