"""run_bench.py's experiments: which children each verb runs, in which order, and the records they return."""
import sys

import run_bench_sides
from run_bench_sides import ordered_sides, run_side


# ---------------------------------------------------------------------------------------------------------------
# Experiments

def configurations(args):
    """(round, model, batch) for every round of the experiment, announcing each round on stderr."""
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
        for model in args.models:
            for batch in args.batches:
                yield r, model, batch


def step_options(args, model, batch):
    return ["--model", model, "--batch", batch, "--steps", args.steps, "--warmup", args.warmup,
            "--min-seconds", args.min_seconds]


def throughput(args):
    records = []
    for r, model, batch in configurations(args):
        for side in ordered_sides(r):
            rec = run_side(side, "step", step_options(args, model, batch), args.threads)
            rec["round"] = r
            records.append(rec)
    return records


def engines(args):
    """Plain training steps on the three engines: the native one (LibTorch 1.13 behind our C ABI), the TorchSharp one
    (LibTorch 2.10) and PyTorch 1.13, each a fresh process, in an order that rotates by round."""
    records = []
    sides = [("engine", "step"), ("torchsharp", "step"), ("pytorch", "step")]
    if run_bench_sides.BASELINE_DLL:
        sides.append(("torchsharp-base", "step"))
    for r, model, batch in configurations(args):
        for k in range(len(sides)):
            side, verb = sides[(k + r) % len(sides)]
            rec = run_side(side, verb, step_options(args, model, batch), args.threads)
            rec["round"] = r
            records.append(rec)
    return records


def engines_probe(args):
    """The probe on both engines: pairs of plain and synchronously probed steps in one process (the probe verb), a
    process per engine (and per --baseline-dll build, on the TorchSharp engine), in an order that rotates by round."""
    records = []
    sides = ["engine", "torchsharp"] + (["torchsharp-base"] if run_bench_sides.BASELINE_DLL else [])
    for r, model, batch in configurations(args):
        options = ["--model", model, "--batch", batch, "--steps", args.steps, "--warmup", 2, "--min-seconds",
                   args.min_seconds, "--reps", 1, "--loop-reps", 0]
        for k in range(len(sides)):
            side = sides[(k + r) % len(sides)]
            rec = run_side(side, "probe", options, args.threads)
            rec["round"] = r
            records.append(rec)
    return records


def probe(args):
    records = []
    for r, model, batch in configurations(args):
        big = batch >= 512
        peer = ["--model", model, "--batch", batch, "--reps", 1 if big else 2]
        sides = []
        for k, kernel in enumerate(args.gram_kernels):
            # The native per-sample loop does not depend on the Gram kernel: timed with the first one only.
            loop_reps = (1 if big else 2) if k == 0 else 0
            sides.append(("engine", "probe", ["--model", model, "--batch", batch, "--steps", args.steps, "--warmup", 2,
                                              "--min-seconds", args.min_seconds, "--reps", 2 if big else 5,
                                              "--loop-reps", loop_reps, "--gram-kernel", kernel]))
        if not args.engine_only:
            sides += [("pytorch", "persample", peer + ["--method", "loop"]),
                      ("pytorch", "persample", peer + ["--method", "vmap"])]
        if r % 2 == 1:
            sides.reverse()
        for side, verb, options in sides:
            rec = run_side(side, verb, options, args.threads)
            rec["round"] = r
            records.append(rec)
    return records


def overhead(args):
    records = []
    for model in args.models:
        for batch in args.batches:
            options = ["--model", model, "--batch", batch, "--interval", args.interval, "--pairs", args.pairs,
                       "--warmup", 3, "--block-intervals", args.block_intervals,
                       "--gram-kernel", args.gram_kernels[0]] + (["--background"] if args.background else [])
            if args.epoch:
                # One block = one epoch of the 60,000-sample training set, the last batch partial as in the trainer.
                options += ["--block-steps", -(-TRAIN_SAMPLES // batch)]
            rec = run_side("engine", "overhead", options, args.threads)
            rec["background"] = args.background
            records.append(rec)
    return records


TRAIN_SAMPLES = 60000  # Fashion-MNIST's (and MNIST's) training set: the epoch of `overhead --epoch`

BACKGROUND_MODES = [("plain", []), ("sync", ["--probe"]), ("background", ["--probe", "--background"])]


def background(args):
    """Engine only: plain steps, every step probed synchronously, every step probed in the background (each step
    first collects the previous step's probe), as three fresh processes per round in rotating order."""
    records = []
    for r, model, batch in configurations(args):
        modes = BACKGROUND_MODES[r % 3:] + BACKGROUND_MODES[:r % 3]
        for mode, flags in modes:
            rec = run_side("engine", "step", step_options(args, model, batch) + flags, args.threads)
            rec["round"] = r
            rec["mode"] = mode
            records.append(rec)
    return records


def memory(args):
    records = []
    for model in args.models:
        for batch in args.batches:
            base = ["--model", model, "--batch", batch]
            step = base + ["--steps", 3, "--warmup", 1, "--min-seconds", 0]
            for side, verb, options in [("engine", "step", step), ("engine", "step", step + ["--probe"]),
                                        ("pytorch", "step", step),
                                        ("pytorch", "persample", base + ["--reps", 1, "--method", "loop"]),
                                        ("pytorch", "persample", base + ["--reps", 1, "--method", "vmap"])]:
                records.append(run_side(side, verb, options, args.threads))
    return records
