#!/usr/bin/env python3
"""How far C̄_K moves between two runs of one configuration and seed (e.g. 1 and 2 threads), under each rank rule.

Usage: python3 tools/rank_rule_threads.py RUN_A RUN_B [RUN_A RUN_B ...]

Each RUN is a run file of a beacon grid (runs/<id>.json) or a run's output folder (its epochs.jsonl), of runs with
--both-rank-rules; each pair is one configuration and seed trained two ways (e.g. `autobatch train ... --threads 1`
and `--threads 2`). For each pair and each rule it prints the relative difference |a - b| / a of C̄_K at the first,
middle and last epoch and its largest value over the epochs; then, per rule, the median of the pairs' last-epoch
differences. Standard library only.
"""
import json
import os
import statistics
import sys


def by_rule(epoch):
    """{rule: C̄_K} of one epoch record: its own rule's and, when recorded, the other rule's."""
    measures = {epoch.get('rankRule', 'Tolerance'): epoch['conditionMean']}
    other = epoch.get('otherRule')
    if other:
        measures[other['rule']] = other['conditionMean']
    return measures


def read(path):
    """(name, epoch records) of a grid run file or a run folder."""
    if os.path.isdir(path):
        with open(os.path.join(path, 'epochs.jsonl')) as f:
            return os.path.basename(path.rstrip('/')), [json.loads(line) for line in f if line.strip()]
    run = json.load(open(path))
    return run['id'], run['epochs']


def main(args):
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__)
    last = {}
    print('| run | rule | epoch 1 | middle | last | largest |')
    print('| --- | --- | --- | --- | --- | --- |')
    for run_file, folder in zip(args[0::2], args[1::2]):
        name, ours = read(run_file)
        _, other = read(folder)
        n = min(len(ours), len(other))
        if n == 0:
            sys.exit(f'{run_file} / {folder}: no common epochs')
        rules = sorted(set(by_rule(ours[0])) & set(by_rule(other[0])))
        if len(rules) < 2:
            sys.exit(f'{run_file} / {folder}: both runs need --both-rank-rules')
        for rule in rules:
            diff = []
            for a, b in zip(ours[:n], other[:n]):
                x, y = by_rule(a)[rule], by_rule(b)[rule]
                diff.append(abs(x - y) / x if x > 0 else float('nan'))
            last.setdefault(rule, []).append(diff[-1])
            print(f"| {name} | {rule} | {diff[0]:.2e} | {diff[n // 2]:.2e} | {diff[-1]:.2e} | {max(diff):.2e} |")
    print()
    for rule, values in sorted(last.items()):
        print(f'{rule}: median last-epoch relative difference {statistics.median(values):.2e} over {len(values)} runs')


if __name__ == '__main__':
    main(sys.argv[1:])
