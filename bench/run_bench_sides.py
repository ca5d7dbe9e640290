"""run_bench.py's children: one run of either side as a fresh process, with the machine's conditions over the run."""
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE_DLL = os.path.join(HERE, "AutoBatch.Bench", "bin", "Release", "net10.0", "AutoBatch.Bench.dll")
PEER = os.path.join(HERE, "peer_torch.py")
PEER_PYTHON = "/usr/bin/python3"
ENGINE_DLL_OVERRIDE = None  # --engine-dll: another build of the engine side (e.g. a copy of an earlier commit's)
BASELINE_DLL = None  # --baseline-dll (engines, engines-probe): an earlier build, run on the TorchSharp engine as side "torchsharp-base"


# ---------------------------------------------------------------------------------------------------------------
# Running one side

def cpu_ticks():
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    total = sum(fields[:8])
    return total, fields[3] + fields[4], fields[7]


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_side(side, verb, options, threads):
    """Runs one child process and returns its JSON result with the run's machine conditions added."""
    args = [verb] + [str(a) for a in options] + ["--threads", str(threads)]
    env = dict(os.environ)
    # Both sides: libtorch intra-op threads as asked, OpenBLAS single-threaded (the engine sets it in-process).
    env["OPENBLAS_NUM_THREADS"] = "1"
    # The same benchmark program on either engine, named explicitly (the default engine changed from native to
    # TorchSharp; a --baseline-dll built before that still reads the variable the same way).
    env["AUTOBATCH_ENGINE"] = "torchsharp" if side in ("torchsharp", "torchsharp-base") else "native"
    if side == "torchsharp-base":
        command = ["dotnet", BASELINE_DLL] + args
    elif side in ("engine", "torchsharp"):
        command = ["dotnet", ENGINE_DLL_OVERRIDE or ENGINE_DLL] + args
    else:
        command = [PEER_PYTHON, PEER] + args
    before_ticks, before_load = cpu_ticks(), load_average()
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_ticks = cpu_ticks()
    d_total = max(1, after_ticks[0] - before_ticks[0])
    conditions = {
        "process_wall_s": wall,
        "process_cpu_s": (after_cpu.ru_utime - before_cpu.ru_utime) + (after_cpu.ru_stime - before_cpu.ru_stime),
        "load1_start": before_load,
        "steal_pct": 100.0 * (after_ticks[2] - before_ticks[2]) / d_total,
        "machine_busy_pct": 100.0 * (1 - (after_ticks[1] - before_ticks[1]) / d_total),
        "exit_code": proc.returncode,
        "command": " ".join(command[1:] if side != "pytorch" else command),
    }
    result = None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    if result is None:
        result = {"side": side, "verb": verb, "error": f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"}
    result.update(conditions)
    if side == "pytorch" and "side" not in result:
        result["side"] = "pytorch"
    if side == "torchsharp-base":
        result["side"] = side  # the program names itself "torchsharp"; this run is the earlier build's
    print(f"  {side:8s} {verb:9s} {' '.join(str(a) for a in options)} -> exit {proc.returncode}, {wall:6.1f} s, "
          f"load {before_load:4.1f}, steal {conditions['steal_pct']:4.1f}%", file=sys.stderr, flush=True)
    return result


def ordered_sides(round_index):
    return ["engine", "pytorch"] if round_index % 2 == 0 else ["pytorch", "engine"]
