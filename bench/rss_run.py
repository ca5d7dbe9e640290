#!/usr/bin/env python3
"""Resident memory of a command over its run: samples VmRSS of the process every --every seconds.

    python3 bench/rss_run.py [--every 0.5] [--out FILE.json] -- COMMAND ...

Prints and writes (JSON) the samples and a summary: RSS at 10%, 25%, 50%, 75% and 100% of the run, the peak, and the
growth from 25% to the end (a leak grows steadily; a bounded run is flat after its first epochs).
"""
import argparse
import json
import subprocess
import sys
import time


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=0.5)
    parser.add_argument("--out", default=None)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    start = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    while proc.poll() is None:
        value = rss_mib(proc.pid)
        if value is not None:
            samples.append((time.time() - start, value))
        time.sleep(args.every)
    if not samples:
        raise SystemExit("no sample: the command ended too fast")

    def at(fraction):
        return samples[min(len(samples) - 1, int(fraction * (len(samples) - 1)))][1]

    summary = {
        "command": command, "exit_code": proc.returncode, "seconds": time.time() - start, "samples": len(samples),
        "rss_mib_at": {f"{int(p * 100)}%": round(at(p), 1) for p in (0.1, 0.25, 0.5, 0.75, 1.0)},
        "peak_mib": round(max(v for _, v in samples), 1),
        "growth_25_to_end_mib": round(at(1.0) - at(0.25), 1),
    }
    print(json.dumps(summary, indent=1))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "samples": samples}, f)


if __name__ == "__main__":
    main(sys.argv[1:])
