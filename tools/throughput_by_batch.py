#!/usr/bin/env python3
"""Seconds per training sample by batch size, from runs' epoch records, against the closed loop's step-time model.

    python3 tools/throughput_by_batch.py results/compare-fashion-mnist-mlp-5seeds [--fit 32,64] [--map beacon-data/fashion-mnist-mlp.json]

Reads every runs/*/epochs.jsonl under the comparison folder and keeps the epochs that used one batch size (their
iterations are those of their samples at their batch size, the rule the planner's ThroughputModel applies), with
seconds per sample = trainSeconds / samples (steps and probe; evaluation left out). Prints, per batch size, the number
of such epochs, the median, and what the model t(B) = a·B + b (seconds per sample a + b/B) fitted through the --fit
batch sizes' medians predicts, with its error. With --map, also the map's own median ratios to the first --fit batch
size (measured on the map's machine), to show whether they carry over.
"""
import argparse
import glob
import json
import os
import statistics
from collections import defaultdict


def per_sample(records):
    by_batch = defaultdict(list)
    for e in records:
        samples = round(e["meanBatchSize"] * e["iterations"])
        b = e["batchSize"]
        if b >= 1 and samples >= 1 and e["iterations"] == -(-samples // b) and e["trainSeconds"] > 0 and not e["diverged"]:
            by_batch[b].append(e["trainSeconds"] / samples)
    return by_batch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--fit", default="32,64")
    parser.add_argument("--map")
    args = parser.parse_args()
    records = []
    for path in glob.glob(os.path.join(args.folder, "runs", "*", "epochs.jsonl")):
        with open(path, encoding="utf-8") as f:
            records += [json.loads(line) for line in f if line.strip()]
    by_batch = per_sample(records)
    median = {b: statistics.median(v) for b, v in by_batch.items()}
    fit = [int(x) for x in args.fit.split(",")]
    xs = [1 / b for b in fit]
    ys = [median[b] for b in fit]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    intercept = my - slope * mx
    print(f"a = {intercept * 1e6:.2f} µs per sample, b = {slope * 1e6:.0f} µs per step (fitted through B = {args.fit})")
    print("| B | epochs | measured µs/sample | model µs/sample | model error | vs B = %d |" % fit[0])
    print("| --- | --- | --- | --- | --- | --- |")
    for b in sorted(median):
        model = intercept + slope / b
        print(f"| {b} | {len(by_batch[b])} | {median[b] * 1e6:.1f} | {model * 1e6:.1f} | {100 * (model / median[b] - 1):+.1f}% | {median[b] / median[fit[0]]:.2f} |")
    if args.map:
        with open(args.map, encoding="utf-8") as f:
            beacon_map = json.load(f)
        mapped = per_sample([e for r in beacon_map["runs"] for e in r["epochs"]])
        ratios = {b: statistics.median(v) / statistics.median(mapped[fit[0]]) for b, v in mapped.items()}
        print("map (" + beacon_map["provenance"]["machine"] + ") ratios to B = %d: " % fit[0]
              + ", ".join(f"{b}: {ratios[b]:.2f}" for b in sorted(ratios)))


if __name__ == "__main__":
    main()
