#!/bin/bash
# abrun.sh ROUNDS N K bin1 bin2 ... : best GMAC/s of each binary over interleaved rounds
rounds=$1; n=$2; k=$3; shift 3
declare -A best
for r in $(seq 1 $rounds); do for b in "$@"; do v=$(./$b $n $k 3 | awk '{print $7}'); cur=${best[$b]:-0}; best[$b]=$(python3 -c "print(max($cur,$v))"); done; done
for b in "$@"; do echo "$b ${best[$b]}"; done
