#!/usr/bin/env python3
"""Checks an `autobatch measure` report against an independent computation in PyTorch.

    autobatch measure --weights run/checkpoint.safetensors --indices 3,1,4 --bn-mode eval > report.json
    PYTHONPATH=tools /usr/bin/python3 tools/check_measure.py report.json

The report names the model, the weights file, the data set and folder, the batch (indices), α, the BatchNorm mode and
the rank tolerance. This script rebuilds the same batch from the data files (MNIST and Fashion-MNIST IDX, CIFAR-10
and CIFAR-100 binary, SVHN's MAT files; tools/autobatch_data.py) with AutoBatch's normalisation, the model from
tools/autobatch_models.py with the report's weights, and computes F̃ from its definition (docs/DESIGN.md) without any
AutoBatch code: one batch forward and backward of the mean loss in PyTorch, hooks capturing each Linear, Conv2d and
BatchNorm2d layer's input and output gradient, per-sample gradients g_i = Σ_t δ_{i,t} a_{i,t}ᵀ (BatchNorm: Σ_t δ_{i,t} ⊙
x̂_{i,t} and Σ_t δ_{i,t}) with δ = B ∂L/∂output, formed explicitly in float64 and multiplied in float64, layer by layer;
then the spectrum with torch.linalg.eigvalsh. In training mode this is the path-wise decomposition; in eval mode (or
without BatchNorm) the ordinary per-sample gradients, which --per-sample-loop also computes by a backward per sample
as a second reference.

It prints every quantity (ours, reference, difference, allowance) and exits with 0 when all agree, 1 when one does
not, 2 on bad input. With a report of `measure --gram`, F̃ itself is compared too: every entry within ε of the
largest |entry| (the acceptance criterion of docs/DESIGN.md). The other allowances come from the same tolerance ε
(default 1e-5, the criterion's tolerance): Tr F̃, l and each layer's trace within ε of their value (a layer's trace: at
least 1e-3·ε·Tr F̃); every eigenvalue, λ_min+, |ḡ|² and tr Σ within ε·Tr F̃ (tr Σ: ·(B+1)/(B−1)), as entry errors of ε
relative to sqrt(F̃_ii F̃_jj) ≤ Tr F̃ move them; c and B_simple with those errors propagated; the rank exactly, unless
an eigenvalue lies within ε·Tr F̃ of the rank threshold. A small λ_min+ and a small |ḡ|² are known only to ε·Tr F̃, so c
and B_simple can be loose.

The network runs in float32 as in AutoBatch (same libtorch kernels, so the same ReLU masks); --float64 runs it in
float64 instead, where a pre-activation within float32 rounding of 0 may flip a ReLU and move F̃ by more than ε.
"""
import argparse
import json
import math
import sys

import torch
import torch.nn.functional as F
from torch import nn

from autobatch_data import DataError, normalised, read_train
from autobatch_models import load

FLOAT32_EPSILON = 2.0 ** -23


class BadInput(Exception):
    pass


# --------------------------------------------------------------------------------------------------------- F̃
def per_sample_rows(model, x, y, train_mode):
    """Per-layer B x p float64 per-sample gradients (docs/DESIGN.md), from one batch forward and backward."""
    batch = x.shape[0]
    captured = []

    def forward_hook(module, inputs, output):
        entry = {"module": module, "input": inputs[0].detach()}
        captured.append(entry)
        output.register_hook(lambda grad: entry.__setitem__("grad", grad.detach()))

    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.BatchNorm2d))]
    handles = [m.register_forward_hook(forward_hook) for m in layers]
    model.train(train_mode)
    try:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
    finally:
        for h in handles:
            h.remove()
    names = {m: name for name, m in model.named_modules()}
    result = []
    for entry in captured:
        m, a = entry["module"], entry["input"].double()
        delta = entry["grad"].double() * batch  # δ = B ∂L/∂output: sample i's own loss term
        if isinstance(m, nn.Linear):
            parts = [torch.einsum("bo,bi->boi", delta, a.flatten(1)).flatten(1)]
            if m.bias is not None:
                parts.append(delta)
        elif isinstance(m, nn.Conv2d):
            cols = F.unfold(a, m.kernel_size, dilation=m.dilation, padding=m.padding, stride=m.stride)
            d = delta.flatten(2)
            parts = [torch.einsum("bot,bpt->bop", d, cols).flatten(1)]
            if m.bias is not None:
                parts.append(d.sum(2))
        else:
            if train_mode:
                mean = a.mean((0, 2, 3), keepdim=True)
                var = a.var((0, 2, 3), unbiased=False, keepdim=True)
            else:
                mean = m.running_mean.double().view(1, -1, 1, 1)
                var = m.running_var.double().view(1, -1, 1, 1)
            x_hat = (a - mean) / torch.sqrt(var + m.eps)
            parts = [(delta * x_hat).sum((2, 3)), delta.sum((2, 3))]
        result.append((names[m], torch.cat(parts, 1)))
    return result


def loop_gram(model, x, y):
    """F̃ from ordinary per-sample gradients, one backward per sample (eval mode; no coupling between samples)."""
    model.eval()
    params = [p for p in model.parameters()]
    rows = []
    for i in range(x.shape[0]):
        loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
        grads = torch.autograd.grad(loss, params)
        rows.append(torch.cat([g.double().flatten() for g in grads]))
    j = torch.stack(rows)
    return j @ j.T


def measures(gram, layer_traces, lr, tolerance):
    batch = gram.shape[0]
    gram = (gram + gram.T) / 2
    eigenvalues = torch.linalg.eigvalsh(gram).clamp_min(0.0)
    lambda_max = float(eigenvalues[-1])
    sigma_threshold = math.sqrt(lambda_max) * tolerance
    kept = eigenvalues[eigenvalues.sqrt() > sigma_threshold]
    rank = int(kept.numel())
    trace = float(torch.diagonal(gram).sum())
    g2 = float(gram.sum()) / batch ** 2
    variance = (trace - batch * g2) / (batch - 1) if batch > 1 else None
    lambda_min = float(kept[0]) if rank else None
    return {
        "eigenvalues": eigenvalues.tolist(), "rank": rank, "trace": trace, "lambdaMax": lambda_max,
        "lambdaMinPositive": lambda_min,
        "condition": math.sqrt(lambda_max / lambda_min) if rank else None,
        "energy": lr / batch * math.sqrt(trace),
        "meanGradientSquaredNorm": g2, "varianceTrace": variance,
        "noiseScale": variance / g2 if variance is not None and g2 > 0 else None,
        "layerTraces": layer_traces, "threshold": sigma_threshold ** 2, "gram": gram,
    }


# --------------------------------------------------------------------------------------------------------- compare
def compare(ours, ref, epsilon):
    """Rows of (quantity, ours, reference, |difference|, allowance, ok)."""
    batch = len(ref["eigenvalues"])
    scale = epsilon * ref["trace"]
    rows = []

    def row(name, a, b, allowance):
        if a is None or b is None:
            rows.append((name, a, b, None, None, a is None and b is None))
            return
        diff = abs(a - b)
        rows.append((name, a, b, diff, allowance, diff <= allowance))

    row("trace", ours["trace"], ref["trace"], epsilon * abs(ref["trace"]))
    row("lambdaMax", ours["lambdaMax"], ref["lambdaMax"], max(epsilon * ref["lambdaMax"], scale))
    lambda_min = ref["lambdaMinPositive"]
    row("lambdaMinPositive", ours["lambdaMinPositive"], lambda_min, scale)
    if lambda_min:
        # c = sqrt(λmax/λr): relative error ≤ (δλmax/λmax + δλr/λr) / 2
        relative = (scale / ref["lambdaMax"] + scale / lambda_min) / 2
        row("condition", ours["condition"], ref["condition"], relative * ref["condition"])
    row("energy", ours["energy"], ref["energy"], epsilon * ref["energy"])
    row("meanGradientSquaredNorm", ours["meanGradientSquaredNorm"], ref["meanGradientSquaredNorm"], scale)
    if batch > 1:
        variance_allowance = scale * (batch + 1) / (batch - 1)
        row("varianceTrace", ours["varianceTrace"], ref["varianceTrace"], variance_allowance)
        g2, variance = ref["meanGradientSquaredNorm"], ref["varianceTrace"]
        if g2 > 0 and ref["noiseScale"] is not None:
            relative = variance_allowance / abs(variance) + scale / g2 if variance else math.inf
            row("noiseScale", ours["noiseScale"], ref["noiseScale"], relative * abs(ref["noiseScale"]))
    eig_diff = max(abs(a - b) for a, b in zip(ours["eigenvalues"], ref["eigenvalues"]))
    rows.append(("eigenvalues (largest difference)", None, None, eig_diff, scale, eig_diff <= scale))
    for name, value in ref["layerTraces"].items():
        row(f"layerTraces[{name}]", ours["layerTraces"].get(name), value, max(epsilon * abs(value), 1e-3 * scale))
    if ours.get("gram") is not None:
        # F̃ itself (measure --gram): the acceptance criterion, every entry within ε of the largest.
        mine = torch.tensor([[math.nan if v is None else v for v in row] for row in ours["gram"]], dtype=torch.float64)
        if mine.shape != ref["gram"].shape:
            raise BadInput(f"the report's gram is {tuple(mine.shape)}, expected {tuple(ref['gram'].shape)}")
        spread = float((mine - ref["gram"]).abs().max()) / float(ref["gram"].abs().max())
        rows.append(("gram entries (largest difference / largest entry)", None, None, spread, epsilon,
                     spread <= epsilon))
    near = [v for v in ref["eigenvalues"] if abs(v - ref["threshold"]) <= scale]
    rank_ok = ours["rank"] == ref["rank"] or bool(near)
    rows.append(("rank", ours["rank"], ref["rank"], abs(ours["rank"] - ref["rank"]), 0 if not near else len(near),
                 rank_ok))
    return rows


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", help="JSON printed by `autobatch measure`")
    parser.add_argument("--weights", help="weights file or checkpoint (default: the report's weightsPath)")
    parser.add_argument("--data-path", help="folder with the data files (default: the report's dataPath)")
    parser.add_argument("--tolerance", type=float, default=1e-5, help="ε, relative to Tr F̃ (default 1e-5)")
    parser.add_argument("--float64", action="store_true", help="run the network in float64 (see above)")
    parser.add_argument("--per-sample-loop", action="store_true",
                        help="also form F̃ by one backward per sample (eval mode or no BatchNorm only)")
    args = parser.parse_args(argv)
    try:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        raise BadInput(f"{args.report}: not a readable JSON report ({e})")
    for key in ("model", "data", "indices", "learningRate", "bnMode", "augmentation", "status", "eigenvalues"):
        if key not in report:
            raise BadInput(f"{args.report}: no '{key}'; expected the JSON `autobatch measure` prints")
    if report["status"] != "Ok":
        raise BadInput(f"{args.report}: status {report['status']}; only a report with status Ok has a spectrum")
    if report["augmentation"] != "None":
        raise BadInput(f"{args.report}: augmented batch; this check rebuilds plain batches only (drop --augment)")
    weights = args.weights or report.get("weightsPath")
    if not weights:
        raise BadInput(f"{args.report}: measured the initial weights drawn from a seed, which PyTorch cannot redraw; "
                       "measure a weights file or a run's checkpoint (--weights), or pass --weights here")
    data_path = args.data_path or report.get("dataPath")
    if not data_path:
        raise BadInput(f"{args.report}: no dataPath; pass --data-path")
    if not 0 < args.tolerance < 1:
        raise BadInput(f"--tolerance: expected a number in (0, 1), got {args.tolerance}")

    torch.set_num_threads(int(report.get("threads") or 1))
    try:
        model, metadata = load(weights)
    except (OSError, ValueError, RuntimeError) as e:  # missing or damaged file, names or shapes that do not fit
        reason = str(e) if weights in str(e) else f"{weights}: {e}"
        raise BadInput(f"cannot load the weights: {reason}")
    if metadata["autobatch.model"] != report["model"]:
        raise BadInput(f"{weights}: weights of {metadata['autobatch.model']}, the report measured {report['model']}")
    try:
        pixels, labels = read_train(report["data"], data_path)
    except (DataError, OSError) as e:
        raise BadInput(str(e))
    indices = torch.tensor(report["indices"], dtype=torch.int64)
    if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= pixels.shape[0]):
        raise BadInput(f"{args.report}: indices outside the {pixels.shape[0]} training images of {data_path}")
    x, y = normalised(pixels, indices), labels[indices]
    if args.float64:
        model, x = model.double(), x.double()
    train_mode = report["bnMode"] == "train"
    batch = x.shape[0]

    gram = torch.zeros(batch, batch, dtype=torch.float64)
    traces = {}
    for name, rows in per_sample_rows(model, x, y, train_mode):
        layer = rows @ rows.T
        traces[name] = float(torch.diagonal(layer).sum())
        gram += layer
    tolerance = report.get("rankTolerance") or batch * FLOAT32_EPSILON
    ref = measures(gram, traces, report["learningRate"], tolerance)

    failed = False
    print(f"{report['model']}, B = {batch}, BatchNorm {report['bnMode']}, weights {weights}, ε = {args.tolerance:g}")
    print(f"{'quantity':38} {'ours':>22} {'reference':>22} {'difference':>11} {'allowed':>11}")
    for name, a, b, diff, allowed, ok in compare(report, ref, args.tolerance):
        failed |= not ok
        text = [f"{name:38}", f"{'' if a is None else repr(a):>22}", f"{'' if b is None else repr(b):>22}",
                f"{'' if diff is None else format(diff, '.3g'):>11}",
                f"{'' if allowed is None else format(allowed, '.3g'):>11}", "" if ok else "  DIFFERS"]
        print(" ".join(text))
    if args.per_sample_loop:
        has_bn = any(isinstance(m, nn.BatchNorm2d) for m in model.modules())
        if train_mode and has_bn:
            raise BadInput("--per-sample-loop: BatchNorm in training mode couples the samples; measure with "
                           "--bn-mode eval for this reference")
        loop = loop_gram(model, x, y)
        largest = float(gram.abs().max())
        spread = float((loop - gram).abs().max()) / largest
        print(f"per-sample loop vs hooks: largest |difference| / largest |F̃ entry| = {spread:.3g}")
    print("agree" if not failed else "DIFFER")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BadInput as e:
        print(f"check_measure: {e}", file=sys.stderr)
        sys.exit(2)
