#!/usr/bin/env bash
# A/B: base (HEAD before the lower-triangle change) vs new, interleaved ABBA, engine-only probe bench, 1 thread.
model=$1; batch=$2; rounds=$3; steps=$4
for r in $(seq 1 $rounds); do
  if (( r % 2 )); then order="base new"; else order="new base"; fi
  for side in $order; do
    if [[ $side == base ]]; then dll=/tmp/s10/base/bench/AutoBatch.Bench/bin/Release/net10.0/AutoBatch.Bench.dll; else dll=/work/main/bench/AutoBatch.Bench/bin/Release/net10.0/AutoBatch.Bench.dll; fi
    OPENBLAS_NUM_THREADS=1 dotnet $dll probe --model $model --batch $batch --steps $steps --warmup 5 --threads 1 --loop-reps 0 2>/dev/null | tail -1 | python3 -c "
import json,sys; d=json.loads(sys.stdin.read())
print('$side r$r', ' '.join(f'{k}={d[k]:.3f}' for k in ('plain_ms_median','probe_step_ratio','gram_ms_median','eigen_ms_median','probe_marginal_ms')))"
  done
done
