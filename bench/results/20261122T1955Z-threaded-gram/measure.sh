#!/usr/bin/env bash
# Session 6: the Gram kernel shared between libtorch's intra-op threads in a synchronous probe (commit in commit.txt).
# Run from the repository root on an idle machine, after `dotnet build -c Release bench/AutoBatch.Bench`; PREV_DLL: the
# engine side built at the session's starting commit (f8a3930), for the before/after pairs.
cd "$(dirname "$0")/../../.."
R=bench/results/20261122T1955Z-threaded-gram
PREV_DLL=${PREV_DLL:-/tmp/prev/bench/AutoBatch.Bench/bin/Release/net10.0/AutoBatch.Bench.dll}
# Second stage (20:25 UTC), at the final code (commit in commit-final.txt): the probe's elementwise passes and
# BatchNorm's reductions shared too, the kernel's threading threshold at 2^22. Run as
#   bash bench/results/20261122T1955Z-threaded-gram/measure.sh final
if [[ "${1:-}" == final ]]; then
  ( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load-final.txt &
  L=$!
  git rev-parse HEAD > $R/commit-final.txt
  python3 bench/run_bench.py probe --threads 2 --rounds 3 --out $R/final-probe-t2.json > $R/final-probe-t2.md 2> $R/final-probe-t2.log
  python3 bench/run_bench.py overhead --threads 2 --models mlp --batches 128,512 --pairs 10 --out $R/final-overhead-mlp-t2.json > $R/final-overhead-mlp-t2.md 2> $R/final-overhead.log
  python3 bench/run_bench.py overhead --threads 2 --models resnet8 --batches 128 --pairs 3 --out $R/final-overhead-resnet8-t2.json > $R/final-overhead-resnet8-t2.md 2>> $R/final-overhead.log
  python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 3 --batches 128,512 --out $R/final-probe-t1.json > $R/final-probe-t1.md 2> $R/final-probe-t1.log
  python3 bench/run_bench.py overhead --threads 1 --models mlp --batches 512 --pairs 10 --out $R/final-overhead-mlp-t1.json > $R/final-overhead-mlp-t1.md 2>> $R/final-overhead.log
  kill $L
  echo done > $R/DONE-final
  exit 0
fi
( while true; do echo "$(date -u +%H:%M:%S) $(cat /proc/loadavg)"; sleep 30; done ) > $R/load.txt &
L=$!
git rev-parse HEAD > $R/commit.txt
# Before/after, engine only, 2 threads, B = 128 and 512, processes alternating (ABBA).
for i in 1 2; do
  for side in $( ((i % 2)) && echo "prev new" || echo "new prev"); do
    dll=(); [[ $side == prev ]] && dll=(--engine-dll "$PREV_DLL")
    python3 bench/run_bench.py probe --engine-only --threads 2 --rounds 1 --batches 128,512 "${dll[@]}" --out $R/ab2-$side-$i.json > $R/ab2-$side-$i.md 2>> $R/ab.log
  done
done
# The same at 1 thread, B = 512 (the kernel's one-thread path must not have changed).
for side in new prev; do
  dll=(); [[ $side == prev ]] && dll=(--engine-dll "$PREV_DLL")
  python3 bench/run_bench.py probe --engine-only --threads 1 --rounds 1 --batches 512 "${dll[@]}" --out $R/ab1-$side.json > $R/ab1-$side.md 2>> $R/ab.log
done
# Probe step vs plain step and our probe cost vs the PyTorch per-sample loop and vmap, everything on 2 threads.
python3 bench/run_bench.py probe --threads 2 --rounds 2 --out $R/probe-t2.json > $R/probe-t2.md 2> $R/probe-t2.log
# Whole-run overhead at the default interval 50, synchronous (the default when --threads is the core count).
python3 bench/run_bench.py overhead --threads 2 --models mlp --batches 128,512 --pairs 8 --out $R/overhead-mlp-t2.json > $R/overhead-mlp-t2.md 2> $R/overhead.log
python3 bench/run_bench.py overhead --threads 2 --models resnet8 --batches 128 --pairs 3 --out $R/overhead-resnet8-t2.json > $R/overhead-resnet8-t2.md 2>> $R/overhead.log
kill $L
echo done > $R/DONE
