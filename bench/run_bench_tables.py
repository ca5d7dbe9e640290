"""run_bench.py's Markdown tables of the records of each verb (also re-printed from raw files by `report`)."""
import statistics


# ---------------------------------------------------------------------------------------------------------------
# Tables

def med(values):
    values = [v for v in values if v is not None and v == v]
    return statistics.median(values) if values else float("nan")


def short(value):
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def spread(values):
    values = [v for v in values if v is not None and v == v]
    if not values:
        return "n/a"
    return f"{short(min(values))}–{short(max(values))}"


def configs(records):
    seen = []
    for rec in records:
        key = (rec.get("model"), rec.get("batch"))
        if key[0] is not None and key not in seen:
            seen.append(key)
    return seen


def pick(records, model, batch, **match):
    return [r for r in records if r.get("model") == model and r.get("batch") == batch and not r.get("error")
            and all(r.get(k) == v for k, v in match.items())]


def conditions_line(records):
    steal = [r["steal_pct"] for r in records if "steal_pct" in r]
    busy = [r["machine_busy_pct"] for r in records if "machine_busy_pct" in r]
    load = [r["load1_start"] for r in records if "load1_start" in r]
    return (f"{len(records)} child runs; steal per run: median {med(steal):.1f}% (range {spread(steal)}); "
            f"machine busy (both vCPUs): median {med(busy):.0f}%; 1-min load average at start: median "
            f"{med(load):.1f} (range {spread(load)})")


def paired_ratios(records, model, batch, numerator, denominator, key_num, key_den):
    """Per-round ratio numerator/denominator from runs of the same round."""
    ratios = []
    for r in sorted({rec["round"] for rec in records if "round" in rec}):
        num = [x[key_num] for x in pick(records, model, batch, round=r, **numerator) if x.get(key_num) is not None]
        den = [x[key_den] for x in pick(records, model, batch, round=r, **denominator) if x.get(key_den) is not None]
        if num and den and den[0]:
            ratios.append(num[0] / den[0])
    return ratios


def throughput_table(records):
    lines = ["| model | B | threads | engine ms/step (rounds) | PyTorch ms/step (rounds) | ratio PyTorch/engine (per-round range) "
             "| CPU-time ratio | engine samples/s | PyTorch samples/s |",
             "|---|---:|---:|---|---|---|---:|---:|---:|"]
    for model, batch in configs(records):
        eng = pick(records, model, batch, side="engine")
        py = pick(records, model, batch, side="pytorch")
        if not eng or not py:
            continue
        e_ms = [x["ms_median"] for x in eng]
        p_ms = [x["ms_median"] for x in py]
        ratios = paired_ratios(records, model, batch, {"side": "pytorch"}, {"side": "engine"}, "ms_median", "ms_median")
        cpu = paired_ratios(records, model, batch, {"side": "pytorch"}, {"side": "engine"}, "cpu_ms_median",
                            "cpu_ms_median")
        lines.append(
            f"| {model} | {batch} | {eng[0]['threads']} | {med(e_ms):.2f} ({spread(e_ms)}) | {med(p_ms):.2f} ({spread(p_ms)}) "
            f"| **{med(ratios):.2f}** ({spread(ratios)}) | {med(cpu):.2f} | {batch / med(e_ms) * 1e3:.0f} "
            f"| {batch / med(p_ms) * 1e3:.0f} |")
    return "\n".join(lines)


def engines_table(records):
    lines = ["| model | B | native ms/step | TorchSharp ms/step | PyTorch 1.13 ms/step "
             "| **TorchSharp / native** (per-round range) | **TorchSharp / PyTorch** (per-round range) |",
             "|---|---|---|---|---|---|---|"]
    for model, batch in configs(records):
        native = med([x["ms_median"] for x in pick(records, model, batch, side="engine")])
        ours = med([x["ms_median"] for x in pick(records, model, batch, side="torchsharp")])
        peer = med([x["ms_median"] for x in pick(records, model, batch, side="pytorch")])
        vs_native = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "engine"}, "ms_median", "ms_median")
        vs_peer = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "pytorch"}, "ms_median", "ms_median")
        lines.append(f"| {model} | {batch} | {short(native)} | {short(ours)} | {short(peer)} "
                     f"| **{med(vs_native):.2f}** ({spread(vs_native)}) | **{med(vs_peer):.2f}** ({spread(vs_peer)}) |")
    if any(x.get("side") == "torchsharp-base" for x in records):
        lines += ["", "CPU time per step (less sensitive to other load than wall time), and the earlier build (--baseline-dll):", "",
                  "| model | B | TorchSharp / native, CPU ms | TorchSharp / earlier build, wall ms | TorchSharp / earlier build, CPU ms |",
                  "|---|---|---|---|---|"]
        for model, batch in configs(records):
            cpu_native = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "engine"}, "cpu_ms_median", "cpu_ms_median")
            wall_base = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "torchsharp-base"}, "ms_median", "ms_median")
            cpu_base = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "torchsharp-base"}, "cpu_ms_median", "cpu_ms_median")
            lines.append(f"| {model} | {batch} | {med(cpu_native):.2f} ({spread(cpu_native)}) | {med(wall_base):.2f} ({spread(wall_base)}) "
                         f"| {med(cpu_base):.2f} ({spread(cpu_base)}) |")
    return "\n".join(lines)


def engines_probe_table(records):
    lines = ["| model | B | native plain / probed ms | TorchSharp plain / probed ms | native probed/plain | **TorchSharp "
             "probed/plain** (rounds) | **marginal cost TorchSharp / native** (rounds) |", "|---|---|---|---|---|---|---|"]
    for model, batch in configs(records):
        nat = pick(records, model, batch, side="engine")
        ts = pick(records, model, batch, side="torchsharp")
        if not nat or not ts:
            continue
        marginal = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "engine"},
                                 "probe_marginal_ms", "probe_marginal_ms")
        ts_ratio = [x["probe_step_ratio"] for x in ts]
        lines.append(
            f"| {model} | {batch} | {short(med([x['plain_ms_median'] for x in nat]))} / "
            f"{short(med([x['probe_step_ms_median'] for x in nat]))} | {short(med([x['plain_ms_median'] for x in ts]))} / "
            f"{short(med([x['probe_step_ms_median'] for x in ts]))} | {med([x['probe_step_ratio'] for x in nat]):.2f} "
            f"| **{med(ts_ratio):.2f}** ({spread(ts_ratio)}) | **{med(marginal):.2f}** ({spread(marginal)}) |")
    if any(x.get("side") == "torchsharp-base" for x in records):
        lines += ["", "The earlier build (--baseline-dll) on the TorchSharp engine, in the same rounds:", "",
                  "| model | B | earlier build plain / probed ms | earlier probed/plain | marginal cost, earlier build / native (rounds) "
                  "| marginal cost, this build / earlier (rounds) |", "|---|---|---|---|---|---|"]
        for model, batch in configs(records):
            base = pick(records, model, batch, side="torchsharp-base")
            if not base:
                continue
            base_native = paired_ratios(records, model, batch, {"side": "torchsharp-base"}, {"side": "engine"},
                                        "probe_marginal_ms", "probe_marginal_ms")
            this_base = paired_ratios(records, model, batch, {"side": "torchsharp"}, {"side": "torchsharp-base"},
                                      "probe_marginal_ms", "probe_marginal_ms")
            lines.append(f"| {model} | {batch} | {short(med([x['plain_ms_median'] for x in base]))} / "
                         f"{short(med([x['probe_step_ms_median'] for x in base]))} | {med([x['probe_step_ratio'] for x in base]):.2f} "
                         f"| {med(base_native):.2f} ({spread(base_native)}) | {med(this_base):.2f} ({spread(this_base)}) |")
    return "\n".join(lines)


# The probe's cost: what a probed step takes beyond a plain one (same process, interleaved). Older result files have
# only Gram + eigen, which misses the per-sample gradients fused conv layers compute inside the backward.
COST_KEY = "probe_marginal_ms"


def probe_cost(rec):
    return rec.get(COST_KEY, rec["probe_cost_ms_median"])


def probe_tables(records):
    step = ["| model | B | Gram kernel | plain step ms | probe step ms | probe/plain, wall (rounds) | probe/plain, CPU time "
            "| Gram ms | eigen ms | eval-mode standalone probe ms |",
            "|---|---:|---|---:|---:|---|---:|---:|---:|---:|"]
    peers = ["| model | B | Gram kernel | our probe cost ms (probed − plain step) | native per-sample loop ms (grads only) "
             "| native loop / probe | PyTorch loop ms (grads+Gram+eig) | PyTorch loop / probe (rounds) "
             "| vmap ms (grads+Gram+eig) | vmap / probe (rounds) | PyTorch loop / standalone probe (rounds) "
             "| vmap / standalone probe (rounds) |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    # Older result files have no gram_kernel (it was BLAS dsyrk then).
    kernels = []
    for rec in records:
        if rec.get("side") == "engine" and rec.get("gram_kernel") not in kernels:
            kernels.append(rec.get("gram_kernel"))
    for (model, batch), kernel in ((c, k) for c in configs(records) for k in kernels):
        eng = pick(records, model, batch, side="engine", gram_kernel=kernel)
        # The native loop is timed in the first kernel's runs only.
        loop_runs = [x for x in pick(records, model, batch, side="engine") if x.get("native_loop_ms_median")]
        label = kernel or "Blas (before the choice existed)"
        loop = pick(records, model, batch, side="pytorch", method="loop")
        vmap = pick(records, model, batch, side="pytorch", method="vmap")
        failed = [r for r in records if r.get("model") == model and r.get("batch") == batch and r.get("error")]
        if not eng:
            continue
        plain = med([x["plain_ms_median"] for x in eng])
        probed = med([x["probe_step_ms_median"] for x in eng])
        ratio = [x["probe_step_ratio"] for x in eng]
        cost = med([probe_cost(x) for x in eng])
        standalone = med([x["eval_probe_ms_median"] for x in eng])
        native_loop = med([x.get("native_loop_ms_median") for x in loop_runs])
        cpu_ratio = med([x.get("probe_step_ratio_cpu") for x in eng])
        step.append(f"| {model} | {batch} | {label} | {plain:.1f} | {probed:.1f} | **{med(ratio):.2f}** ({spread(ratio)}) "
                    f"| {'n/a' if cpu_ratio != cpu_ratio else f'{cpu_ratio:.2f}'} | {med([x['gram_ms_median'] for x in eng]):.1f} | {med([x['eigen_ms_median'] for x in eng]):.2f} "
                    f"| {standalone:.1f} |")

        def peer(rs, method):
            if rs:
                total = med([x["total_ms_median"] for x in rs])
                # Ratios per round (the runs of one round were interleaved), then their median and range.
                wanted = {"side": "pytorch", "method": method}
                ours = {"side": "engine", "gram_kernel": kernel}
                vs_cost = paired_ratios(records, model, batch, wanted, ours, "total_ms_median",
                                        COST_KEY if any(COST_KEY in x for x in eng) else "probe_cost_ms_median")
                vs_alone = paired_ratios(records, model, batch, wanted, ours, "total_ms_median",
                                         "eval_probe_ms_median")
                return (f"{total:.0f}", f"{med(vs_cost):.1f}x ({spread(vs_cost)})",
                        f"{med(vs_alone):.1f}x ({spread(vs_alone)})")
            errors = {x["error"][:80] for x in failed if x.get("method") == method}
            note = "failed: " + "; ".join(sorted(errors)) if errors else "not run"
            return (note, "–", "–")

        lp, vp = peer(loop, "loop"), peer(vmap, "vmap")
        native = [native_loop / probe_cost(x) for x in eng]
        peers.append(f"| {model} | {batch} | {label} | {cost:.1f} | {native_loop:.0f} | {med(native):.1f}x "
                     f"| {lp[0]} | **{lp[1]}** | {vp[0]} | **{vp[1]}** | {lp[2]} | {vp[2]} |")
    return "\n".join(step) + "\n\n" + "\n".join(peers)


def background_table(records):
    lines = ["| model | B | plain ms/step | sync probe every step ms | **sync / plain** (rounds) | CPU-time ratio "
             "| background probe every step ms | **background / plain** (rounds) | CPU-time ratio | Gram + eigen ms |",
             "|---|---:|---:|---:|---|---:|---:|---|---:|---:|"]
    for model, batch in configs(records):
        rounds = sorted({rec["round"] for rec in records if rec.get("model") == model and rec.get("batch") == batch})

        def of(mode, r):
            return next((x for x in records if x.get("model") == model and x.get("batch") == batch
                         and x.get("mode") == mode and x["round"] == r and not x.get("error")), None)

        cells = {}
        for mode in ("sync", "background"):
            wall, cpu = [], []
            for r in rounds:
                a, b = of("plain", r), of(mode, r)
                if a and b:
                    wall.append(b["ms_median"] / a["ms_median"])
                    cpu.append(b["cpu_ms_median"] / a["cpu_ms_median"])
            cells[mode] = (wall, cpu)
        plain = med([x["ms_median"] for r in rounds if (x := of("plain", r))])
        sync = med([x["ms_median"] for r in rounds if (x := of("sync", r))])
        back = med([x["ms_median"] for r in rounds if (x := of("background", r))])
        probe_ms = med([x["gram_ms_median"] + x["eigen_ms_median"] for r in rounds if (x := of("sync", r))])
        lines.append(f"| {model} | {batch} | {short(plain)} | {short(sync)} | **{med(cells['sync'][0]):.2f}** "
                     f"{spread(cells['sync'][0])} | {med(cells['sync'][1]):.2f} | {short(back)} "
                     f"| **{med(cells['background'][0]):.2f}** {spread(cells['background'][0])} "
                     f"| {med(cells['background'][1]):.2f} | {short(probe_ms)} |")
    return "\n".join(lines)


def overhead_table(records):
    lines = ["| model | B | interval | plain block ms | probed block ms | measured overhead, wall (block ratios) "
             "| measured overhead, CPU time (block ratios) | extrapolated probes · (probe − plain)/(steps · plain) "
             "| probed step / plain step, effective: 1 + (steps / probes) · overhead (wall, CPU) "
             "| **probed step / plain step from per-step medians** (wall, CPU) |",
             "|---|---:|---:|---:|---:|---|---|---:|---|---|"]
    for rec in records:
        if rec.get("error"):
            lines.append(f"| {rec.get('model')} | {rec.get('batch')} | | | | failed: {rec['error'][:80]} | | |")
            continue
        blocks = ", ".join(f"{v:.3f}" for v in rec["block_ratios"])
        cpu = "n/a"
        if "measured_overhead_cpu" in rec:
            cpu_blocks = ", ".join(f"{v:.3f}" for v in rec["block_cpu_ratios"])
            cpu = f"**{100 * rec['measured_overhead_cpu']:+.2f}%** ({cpu_blocks})"
        mode = " (background)" if rec.get("background") else ""
        steps = rec.get("block_steps", rec["interval"] * rec.get("block_intervals", 1))
        per_probe = steps / rec.get("probes_per_block", steps / rec["interval"])
        interval = f"{rec['interval']} ({steps} steps, {rec['probes_per_block']} probes per block)" if "probes_per_block" in rec else rec["interval"]
        lines.append(f"| {rec['model']}{mode} | {rec['batch']} | {interval} | {rec['plain_block_ms_median']:.0f} "
                     f"| {rec['probed_block_ms_median']:.0f} | {100 * rec['measured_overhead']:+.2f}% ({blocks}) "
                     f"| {cpu} | {100 * rec['extrapolated_overhead']:.2f}% "
                     f"| {1 + per_probe * rec['measured_overhead']:.2f}, "
                     f"{1 + per_probe * rec.get('measured_overhead_cpu', float('nan')):.2f} "
                     f"| **{rec.get('effective_step_ratio', float('nan')):.2f}**, "
                     f"{rec.get('effective_step_ratio_cpu', float('nan')):.2f} |")
    return "\n".join(lines)


def memory_table(records):
    lines = ["| model | B | engine plain step ΔHWM MiB | engine probed step ΔHWM MiB | probe extra MiB "
             "| PyTorch plain step ΔHWM | PyTorch loop ΔHWM | PyTorch vmap ΔHWM |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def delta(rs):
        rs = [r for r in rs if "hwm_end_mib" in r]
        if not rs:
            return None
        r = rs[0]
        return r["hwm_end_mib"] - r["hwm_setup_mib"]

    def fmt(v, failed=None):
        if failed:
            return "failed: " + failed[:60]
        return "n/a" if v is None else f"{v:.0f}"

    for model, batch in configs(records):
        def of(side, verb, **m):
            return [r for r in records if r.get("model") == model and r.get("batch") == batch
                    and r.get("side") == side and r.get("verb") == verb and all(r.get(k) == v for k, v in m.items())]
        plain, probed = delta(of("engine", "step", probe=False)), delta(of("engine", "step", probe=True))
        vmap = of("pytorch", "persample", method="vmap")
        vmap_error = vmap[0].get("error") if vmap else None
        extra = None if plain is None or probed is None else probed - plain
        lines.append(f"| {model} | {batch} | {fmt(plain)} | {fmt(probed)} | **{fmt(extra)}** "
                     f"| {fmt(delta(of('pytorch', 'step')))} | {fmt(delta(of('pytorch', 'persample', method='loop')))} "
                     f"| {fmt(delta(vmap), vmap_error)} |")
    return "\n".join(lines)


def report(kind, records):
    out = [f"### {kind}", "", conditions_line(records), ""]
    if kind == "throughput":
        out.append(throughput_table(records))
    elif kind == "engines":
        out.append(engines_table(records))
    elif kind == "engines-probe":
        out.append(engines_probe_table(records))
    elif kind == "probe":
        out.append(probe_tables(records))
    elif kind == "overhead":
        out.append(overhead_table(records))
    elif kind == "memory":
        out.append(memory_table(records))
    elif kind == "background":
        out.append(background_table(records))
    errors = [r for r in records if r.get("error") or r.get("exit_code", 0) != 0]
    for r in errors:
        out.append(f"\n- error in `{r.get('command', '')}`: {r.get('error')}")
    return "\n".join(out)
