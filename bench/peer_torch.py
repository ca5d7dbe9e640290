#!/usr/bin/python3
"""PyTorch peer of bench/AutoBatch.Bench: the same models, optimiser, batches and command line.

Run with Debian's interpreter (python3-torch 1.13.1 with functorch), e.g.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peer_torch.py step --model mlp --batch 128 --threads 1

Verbs (each prints one JSON object on stdout):
  step       wall time of a training step (zero_grad, forward, cross-entropy, backward, SGD step, loss.item()
             and the correct count, which the engine's step also returns)
  persample  per-sample gradients of one batch and their float64 Gram J^T J, then eigvalsh, with
             --method loop (B separate backward passes) or --method vmap (functorch vmap(grad(...)));
             the model is in eval mode (BatchNorm on running statistics), as per-sample gradients need
  params     the parameter count of --model
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

INPUT_SHAPE = (1, 28, 28)
CLASSES = 10
BATCH_COUNT = 4


class Mlp(nn.Module):
    """784-500-500-10 with ReLU (648,010 parameters), as the engine's MlpImpl."""

    def __init__(self, hidden=(500, 500)):
        super().__init__()
        widths = [INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2], *hidden, CLASSES]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i + 1 < len(self.layers):
                x = F.relu(x)
        return x


class ResidualUnit(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN plus a parameter-free shortcut (2x2 ceil-mode average pool when strided,
    zero-padded channels), ReLU after the add: the engine's ResNetImpl unit."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.stride, self.extra = stride, c_out - c_in
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        shortcut = x
        if self.stride > 1:
            shortcut = F.avg_pool2d(shortcut, 2, stride=2, ceil_mode=True)
        if self.extra > 0:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.extra))
        return F.relu(y + shortcut)


class ResNet(nn.Module):
    """Depth 6n+2, widths 16/32/64; resnet8 has n = 1 (75,002 parameters on 1x28x28)."""

    def __init__(self, depth=8, base=16):
        super().__init__()
        units = (depth - 2) // 6
        self.conv1 = nn.Conv2d(INPUT_SHAPE[0], base, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        blocks, channels = [], base
        for stage in range(3):
            width = base << stage
            for u in range(units):
                blocks.append(ResidualUnit(channels, width, 2 if stage > 0 and u == 0 else 1))
                channels = width
        self.units = nn.Sequential(*blocks)
        self.fc = nn.Linear(channels, CLASSES)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.units(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def build_model(name):
    if name == "mlp":
        return Mlp()
    if name.startswith("resnet"):
        depth = int(name[len("resnet"):])
        if depth < 8 or (depth - 2) % 6:
            raise SystemExit(f"resnet depth must be 6n+2, got {depth}")
        return ResNet(depth)
    raise SystemExit(f"unknown model {name!r}: expected mlp or resnet<6n+2>")


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def synthetic_batches(batch, seed):
    """Standard-normal images and uniform labels, generated before any timing (as the engine's bench)."""
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn((batch, *INPUT_SHAPE), generator=g),
             torch.randint(0, CLASSES, (batch,), generator=g)) for _ in range(BATCH_COUNT)]


def memory_mib(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def quantile(values, q):
    s = sorted(values)
    if not s:
        return float("nan")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (pos - lo) * (s[hi] - s[lo])


def median(values):
    return quantile(values, 0.5)


def header(args, model):
    return {"side": "pytorch", "verb": args.verb, "model": args.model, "batch": args.batch,
            "threads": torch.get_num_threads(), "params": parameter_count(model),
            "torch": torch.__version__}


def add_memory(result, setup_peak):
    result["hwm_setup_mib"] = setup_peak
    result["hwm_end_mib"] = memory_mib("VmHWM:")
    result["rss_end_mib"] = memory_mib("VmRSS:")


def run_step(args):
    model = build_model(args.model)
    batches = synthetic_batches(args.batch, args.seed)
    optimiser = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=1e-4)
    model.train()
    setup_peak = memory_mib("VmHWM:")

    def step(i):
        x, y = batches[i % len(batches)]
        optimiser.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimiser.step()
        # The engine's step returns the loss and the correct count too; reading them synchronises the same way.
        return loss.item(), int((logits.argmax(1) == y).sum().item())

    for i in range(args.warmup):
        step(i)
    wall, cpu, nonfinite = [], [], 0
    clock = time.perf_counter()
    while len(wall) < args.steps or time.perf_counter() - clock < args.min_seconds:
        cpu_start = time.process_time()
        start = time.perf_counter()
        loss, _ = step(len(wall))
        wall.append((time.perf_counter() - start) * 1e3)
        cpu.append((time.process_time() - cpu_start) * 1e3)
        nonfinite += 0 if loss == loss and abs(loss) != float("inf") else 1
    result = header(args, model)
    result.update({
        "probe": False, "warmup": args.warmup, "steps": len(wall), "elapsed_s": time.perf_counter() - clock,
        "ms_median": median(wall), "ms_mean": sum(wall) / len(wall),
        "ms_p10": quantile(wall, 0.1), "ms_p90": quantile(wall, 0.9), "cpu_ms_median": median(cpu),
        "samples_per_s": args.batch / (median(wall) / 1e3), "nonfinite_steps": nonfinite,
    })
    add_memory(result, setup_peak)
    return result


def loop_jacobian(model, x, y):
    """B separate forward/backward passes; row i of J is sample i's flattened gradient."""
    params = [p for p in model.parameters()]
    jacobian = torch.empty((x.shape[0], sum(p.numel() for p in params)))
    for i in range(x.shape[0]):
        loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
        grads = torch.autograd.grad(loss, params)
        torch.cat([g.reshape(-1) for g in grads], out=jacobian[i])
    return jacobian


def vmap_jacobian_fn(model):
    """functorch's per-sample gradients: vmap over grad of a single-sample loss."""
    from functorch import grad, make_functional_with_buffers, vmap

    fmodel, params, buffers = make_functional_with_buffers(model)

    def sample_loss(p, b, xi, yi):
        return F.cross_entropy(fmodel(p, b, xi.unsqueeze(0)), yi.unsqueeze(0))

    per_sample = vmap(grad(sample_loss), in_dims=(None, None, 0, 0))

    def jacobian(x, y):
        grads = per_sample(params, buffers, x, y)
        return torch.cat([g.reshape(x.shape[0], -1) for g in grads], dim=1)

    return jacobian


def run_persample(args):
    model = build_model(args.model)
    x, y = synthetic_batches(args.batch, args.seed)[0]
    # Per-sample gradients need samples that do not interact: BatchNorm on running statistics.
    model.eval()
    for p in model.parameters():
        p.requires_grad_(True)
    if args.method == "loop":
        jacobian = lambda xs, ys: loop_jacobian(model, xs, ys)  # noqa: E731
    elif args.method == "vmap":
        jacobian = vmap_jacobian_fn(model)
    else:
        raise SystemExit(f"unknown method {args.method!r}: expected loop or vmap")
    setup_peak = memory_mib("VmHWM:")
    result = header(args, model)
    result["method"] = args.method
    grads_ms, gram_ms, eig_ms = [], [], []
    try:
        warm = jacobian(x[:4], y[:4]).double()  # warm-up: autograd graph, functorch tracing, BLAS and LAPACK
        torch.linalg.eigvalsh(warm @ warm.T)
        del warm
        for _ in range(args.reps):
            start = time.perf_counter()
            j = jacobian(x, y)
            mid = time.perf_counter()
            # As in the engine (docs/DESIGN.md): products and sums into the Gram in float64.
            j64 = j.double()
            del j
            gram = j64 @ j64.T
            del j64
            end = time.perf_counter()
            eig = torch.linalg.eigvalsh((gram + gram.T) * 0.5)
            done = time.perf_counter()
            grads_ms.append((mid - start) * 1e3)
            gram_ms.append((end - mid) * 1e3)
            eig_ms.append((done - end) * 1e3)
        result["trace"] = float(gram.diagonal().sum())
        result["lambda_max"] = float(eig[-1])
        result["error"] = None
    except (RuntimeError, MemoryError) as e:  # an allocation refused by the address-space cap lands here
        result["error"] = f"{type(e).__name__}: {str(e).splitlines()[0][:300]}"
    result.update({
        "reps": len(grads_ms), "grads_ms_median": median(grads_ms), "gram_ms_median": median(gram_ms),
        "eigen_ms_median": median(eig_ms),
        "total_ms_median": median([a + b + c for a, b, c in zip(grads_ms, gram_ms, eig_ms)]),
    })
    add_memory(result, setup_peak)
    return result


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("verb", choices=["step", "persample", "params"])
    parser.add_argument("--model", default="mlp")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20, help="minimum timed steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps")
    parser.add_argument("--min-seconds", type=float, default=2.0, help="keep timing for at least this long")
    parser.add_argument("--reps", type=int, default=3, help="persample: timed repetitions")
    parser.add_argument("--method", default="loop", help="persample: loop or vmap")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mem-limit-gib", type=float, default=12.0,
                        help="address-space cap, so that a memory-hungry vmap fails here rather than in the OOM killer")
    args = parser.parse_args(argv)
    if args.mem_limit_gib > 0:
        cap = int(args.mem_limit_gib * (1 << 30))
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("warning: OPENBLAS_NUM_THREADS is not 1", file=sys.stderr)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.verb == "params":
        result = {"model": args.model, "params": parameter_count(build_model(args.model))}
    elif args.verb == "step":
        result = run_step(args)
    else:
        result = run_persample(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
