#!/usr/bin/env bash
# Session 5: multisection Sturm counts, lane sums, zmm pack (commit in commit.txt). Run from the repository root on an
# idle machine, after `dotnet build -c Release bench/AutoBatch.Bench`; PREV_DLL: the engine side built at the session's
# starting commit (aa543a8), for the before/after pairs.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T1736Z-multisection
PREV_DLL=${PREV_DLL:-/tmp/prev/bench/AutoBatch.Bench/bin/Release/net10.0/AutoBatch.Bench.dll}
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load.txt &
L=$!
git rev-parse HEAD > $R/commit.txt
# Before/after, engine only, MLP and ResNet-8 at B = 128, processes alternating (ABBA).
for i in 1 2 3 4; do
  for side in $( ((i % 2)) && echo "prev new" || echo "new prev"); do
    dll=(); [[ $side == prev ]] && dll=(--engine-dll "$PREV_DLL")
    python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 1 --batches 128 "${dll[@]}" --out $R/ab-$side-$i.json > $R/ab-$side-$i.md 2>> $R/ab.log
  done
done
# Probe step vs plain step, and our probe cost vs the PyTorch per-sample loop and vmap.
python3 bench/run_bench.py probe --threads 1 --rounds 3 --out $R/probe.json > $R/probe.md 2> $R/probe.log
python3 bench/run_bench.py probe --threads 1 --rounds 4 --batches 128 --out $R/probe-b128.json > $R/probe-b128.md 2> $R/probe-b128.log
# Probed step / plain step from per-step medians at interval 2 (synchronous probe).
run() { # name model batch interval blocks pairs [--background]
  python3 bench/run_bench.py overhead --threads 1 --models $2 --batches $3 --interval $4 --block-intervals $5 --pairs $6 $7 --out $R/effective-$1.json > $R/effective-$1.md 2>> $R/effective.log
}
run mlp128-sync-a mlp 128 2 25 10
run r128-sync resnet8 128 2 5 6
run mlp128-sync-b mlp 128 2 25 10
run mlp512-sync mlp 512 4 10 8
# Whole-run overhead at the default interval 50 (synchronous).
python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 32,128,512 --pairs 10 --out $R/overhead-mlp-sync.json > $R/overhead-mlp-sync.md 2> $R/overhead.log
python3 bench/run_bench.py overhead --threads 1 --models resnet8 --batches 32,128 --pairs 3 --out $R/overhead-resnet8-sync.json > $R/overhead-resnet8-sync.md 2>> $R/overhead.log
kill $L
echo done > $R/DONE
# Added at 18:48 after the kernel's packing step went back to session 4's (commit in commit-final.txt), engine only:
# python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 2 --batches 128 --out $R/final-b128.json > $R/final-b128.md 2> $R/final-b128.log
# Spectrum micro-benchmark at that commit: bash bench/native/build.sh /tmp/nb; OPENBLAS_NUM_THREADS=1 /tmp/nb/spectrum_bench (twice) > $R/spectrum-bench.txt
# Added at 18:42 (commit in commit-memory.txt): python3 bench/run_bench.py memory --threads 1 --out $R/memory.json > $R/memory.md 2> $R/memory.log
# Added at 18:50 (commit in commit-head-mlp.txt): python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 4 --models mlp --batches 128 --out $R/head-mlp128.json > $R/head-mlp128.md 2> $R/head-mlp128.log
# Added at 19:02-19:13 for the 8x8-transpose mirror (commit in commit-mirror.txt; "pre" = a build of d405368 in
# /tmp/premirror): overhead and engine-only probe at B = 512, then alternating pre/post processes:
# python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 512 --pairs 10 --out $R/mirror-overhead-mlp512.json
# python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 2 --models mlp,resnet8 --batches 512 --out $R/mirror-probe-512.json
# for i in 1..6: run_bench.py overhead --models mlp --batches 512 --pairs 6 [--engine-dll pre] > $R/mirror-ab-{pre,post}-$i.md
# for i in 1..3: dotnet {pre,post}/AutoBatch.Bench.dll probe --model mlp --batch 512 --steps 3 --warmup 2 --threads 1 --loop-reps 0 --reps 2 > $R/mirror-direct-{pre,post}-$i.json
# Added at 19:17 (commit in commit-head2.txt): python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 4 --models mlp --batches 128 --out $R/head2-mlp128.json > $R/head2-mlp128.md 2> $R/head2-mlp128.log
