#!/usr/bin/env bash
# Builds the engine side in Release and runs every benchmark of bench/README.md, one after the other, with a
# background sampler of the machine's load (load average, busy and steal shares of /proc/stat, every 30 s) so that the
# conditions can be reported with the figures. Raw JSON lands in bench/results/, tables in bench/results/*.md.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/$stamp
mkdir -p "$out"
dotnet build -c Release bench/AutoBatch.Bench > "$out/build.log"

# Every 30 s: load average, how busy both vCPUs were and the steal share, from /proc/stat deltas.
( prev=($(head -1 /proc/stat))
  while sleep 30; do
    cur=($(head -1 /proc/stat)); total=0
    for i in 1 2 3 4 5 6 7 8; do total=$((total + cur[i] - prev[i])); done
    idle=$((cur[4] - prev[4] + cur[5] - prev[5])); steal=$((cur[8] - prev[8]))
    echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) busy $((100 * (total - idle) / total))% steal $((100 * steal / total))%"
    prev=("${cur[@]}")
  done ) > "$out/machine.log" 2>&1 &
sampler=$!
trap 'kill "$sampler"' EXIT

run() {  # run NAME ARGS...: one driver invocation, raw JSON and Markdown table under $out
  local name=$1; shift
  python3 bench/run_bench.py "$@" --out "$out/$name.json" > "$out/$name.md" 2> "$out/$name.log"
  cat "$out/$name.md"; echo
}

run throughput-t1 throughput --threads 1 --rounds 3
run throughput-t2 throughput --threads 2 --rounds 3 --batches 128
run probe probe --threads 1 --rounds 3
run overhead overhead --threads 1 --models mlp --batches 32,128,512 --pairs 4
run overhead-resnet overhead --threads 1 --models resnet8 --batches 32,128 --pairs 2
run memory memory --threads 1
echo "results in $out"
