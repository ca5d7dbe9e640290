#!/usr/bin/env python3
"""Interleaving driver of the engine-vs-PyTorch benchmarks (bench/README.md).

Every measurement is a fresh process of either side; rounds alternate the sides (ABBA: engine first in even
rounds, PyTorch first in odd ones) so that CPU steal and other load on a shared machine hit both alike. For each
child run it records the wall time, the child's CPU seconds, the 1-minute load average and the share of steal
time in /proc/stat over the run.

    python3 bench/run_bench.py throughput [--models mlp,resnet8] [--batches 8,32,128,512] [--threads 1] [--rounds 3]
    python3 bench/run_bench.py engines    [--models mlp,resnet8] [--batches 8,32,128,512] [--threads 1] [--rounds 3]
    python3 bench/run_bench.py engines-probe [--models mlp,resnet8] [--batches 32,128,512] [--rounds 3]
    python3 bench/run_bench.py probe      [--models mlp,resnet8] [--batches 32,128,512] [--rounds 3] [--engine-only]
    python3 bench/run_bench.py overhead   [--models mlp,resnet8] [--batches 32,128] [--pairs 4]
    python3 bench/run_bench.py memory     [--models mlp,resnet8] [--batches 32,128,512]
    python3 bench/run_bench.py report FILE.json ...      (files of one kind are pooled, e.g. two throughput runs)

Build the engine side first: dotnet build -c Release bench/AutoBatch.Bench. The driver itself needs only the
standard library; the PyTorch peer runs under /usr/bin/python3 (Debian's python3-torch).
Raw results go to bench/results/<kind>-<timestamp>.json (or --out) and the tables to stdout as Markdown.
"""
import argparse
import datetime
import json
import os
import platform
import sys

import run_bench_sides
from run_bench_experiments import background, engines, engines_probe, memory, overhead, probe, throughput
from run_bench_sides import ENGINE_DLL, HERE
from run_bench_tables import report


# ---------------------------------------------------------------------------------------------------------------

def csv_ints(text):
    return [int(v) for v in text.split(",") if v]


def csv_words(text):
    return [v for v in text.split(",") if v]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["throughput", "engines", "engines-probe", "probe", "overhead", "memory", "background", "report"])
    parser.add_argument("files", nargs="*", help="report: raw result files")
    parser.add_argument("--models", type=csv_words, default=["mlp", "resnet8"])
    parser.add_argument("--batches", type=csv_ints, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=3,
                        help="throughput, probe: minimum timed steps (probe: pairs of plain and probed) per round")
    parser.add_argument("--warmup", type=int, default=3, help="throughput: untimed warm-up steps per round")
    parser.add_argument("--min-seconds", type=float, default=2.0, help="timed seconds per round and side")
    parser.add_argument("--interval", type=int, default=50)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--engine-only", action="store_true", help="probe: skip the PyTorch peers")
    parser.add_argument("--gram-kernels", type=csv_words, default=["auto"],
                        help="probe: engine Gram kernels (auto, blas, avx512), each run in every round; overhead: "
                             "the first is used")
    parser.add_argument("--background", action="store_true", help="overhead: the probe runs in the background")
    parser.add_argument("--block-intervals", type=int, default=1, help="overhead: intervals per block")
    parser.add_argument("--epoch", action="store_true",
                        help="overhead: blocks of one epoch (60,000 samples) with the trainer's probes at n mod interval = 1")
    parser.add_argument("--out", default=None)
    parser.add_argument("--baseline-dll", default=None,
                        help="engines, engines-probe: an earlier build's AutoBatch.Bench.dll, run on the TorchSharp engine beside this one")
    parser.add_argument("--engine-dll", default=None,
                        help="engine side's AutoBatch.Bench.dll (default: this tree's Release build); for before/after runs")
    args = parser.parse_args(argv)

    if args.kind == "report":
        # Files of the same kind are pooled into one table, their rounds numbered one after the other.
        pooled = {}
        for path in args.files:
            with open(path) as f:
                data = json.load(f)
            records = pooled.setdefault(data["kind"], [])
            offset = 1 + max((r.get("round", -1) for r in records), default=-1)
            for r in data["records"]:
                if "round" in r:
                    r["round"] += offset
                records.append(r)
        for kind, records in pooled.items():
            print(report(kind, records))
            print()
        return
    run_bench_sides.ENGINE_DLL_OVERRIDE = args.engine_dll
    run_bench_sides.BASELINE_DLL = args.baseline_dll
    engine_dll = args.engine_dll or ENGINE_DLL
    if not os.path.exists(engine_dll):
        raise SystemExit(f"{engine_dll} not found: run `dotnet build -c Release bench/AutoBatch.Bench` first")
    if args.batches is None:
        args.batches = {"throughput": [8, 32, 128, 512], "engines": [8, 32, 128, 512], "overhead": [32, 128]}.get(args.kind, [32, 128, 512])
    started = datetime.datetime.now(datetime.timezone.utc)
    records = {"throughput": throughput, "engines": engines, "engines-probe": engines_probe, "probe": probe, "overhead": overhead, "memory": memory,
               "background": background}[args.kind](args)
    data = {
        "kind": args.kind,
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "argv": ["bench/run_bench.py"] + argv,
        "host": {"machine": platform.machine(), "kernel": platform.release(), "nproc": os.cpu_count()},
        "records": records,
    }
    out = args.out or os.path.join(HERE, "results", f"{args.kind}-t{args.threads}-{started:%Y%m%dT%H%M%SZ}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
    print(f"raw results: {out}", file=sys.stderr)
    print(report(args.kind, records))


if __name__ == "__main__":
    main(sys.argv[1:])