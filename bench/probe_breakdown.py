#!/usr/bin/python3
"""Where the engine's probe spent its time before its speed-up (bench/results/HISTORY.md, section 2'): a line-by-line Python
replica of Probe.cpp as of commit cf0f31d (same ATen kernels, as libtorch and python3-torch share libtorch_cpu), timed
per probe site and per operation, next to a candidate per-sample conv-gradient kernel (a grouped convolution's weight
backward, the trick functorch and Opacus use).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/probe_breakdown.py --model resnet8 --batch 128 [--threads 1]

The replica follows Probe.cpp: per site the path the cost model of docs/DESIGN.md picks (BatchNorm always materialised),
delta = B * dL/d(output), float64 products, the 256 MiB chunk cap of gram_from_rows. It checks that both conv
kernels give the same Gram before timing them. Probe.cpp has since adopted the candidates (grouped-convolution
per-sample gradients, dsyrk, fused BatchNorm reductions; docs/ENGINE.md); this script keeps the old path as the
reference it was measured against.
"""
import argparse
import ctypes
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import peer_torch  # noqa: E402

CAP = 256 << 20


def load_blas():
    """OpenBLAS's CBLAS, for dsyrk: ATen's mm computes x @ x.T as a full GEMM, dsyrk one triangle (half)."""
    try:
        blas = ctypes.CDLL("libopenblas.so.0")
        blas.openblas_set_num_threads(1)
        return blas
    except OSError:
        return None


BLAS = load_blas()


def syrk_gram(rows):
    """rows @ rows.T (float64, lower triangle filled) by cblas_dsyrk."""
    n, k = rows.shape
    rows = rows.contiguous()
    out = torch.zeros(n, n, dtype=torch.float64)
    BLAS.cblas_dsyrk(101, 122, 111, n, k, ctypes.c_double(1.0), ctypes.c_void_p(rows.data_ptr()), k,
                     ctypes.c_double(0.0), ctypes.c_void_p(out.data_ptr()), n)  # row-major, lower, no transpose
    return out


def timed(fn, reps):
    fn()
    start = time.perf_counter()
    for _ in range(reps):
        out = fn()
    return out, (time.perf_counter() - start) / reps * 1e3


def capture(model, x, y):
    """Inputs and output gradients of every Linear / Conv2d / BatchNorm2d, as the engine's probe sites."""
    sites, handles = [], []

    def hook(module, inputs, output):
        site = {"name": names[module], "module": module, "input": inputs[0].detach(), "grad": None}
        sites.append(site)
        output.register_hook(lambda g: site.__setitem__("grad", g))

    names = {m: n for n, m in model.named_modules()}
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.BatchNorm2d)):
            handles.append(m.register_forward_hook(hook))
    F.cross_entropy(model(x), y).backward()
    for h in handles:
        h.remove()
    return sites


def shape_of(site):
    m = site["module"]
    if isinstance(m, nn.Linear):
        return m.in_features, m.out_features, 1
    g = site["grad"]
    return m.in_channels * m.kernel_size[0] * m.kernel_size[1], m.out_channels, g.shape[2] * g.shape[3]


def choose_ghost(site, batch):
    d_in, d_out, t = shape_of(site)
    ghost = batch * batch * t * t * (d_in + d_out)
    materialise = batch * t * d_in * d_out + batch * batch * d_in * d_out
    return ghost <= materialise


def gram_from_rows(rows, batch, bytes_per_row):
    chunk = max(1, CAP // max(1, 2 * bytes_per_row))
    if chunk >= batch:
        p = rows(0, batch)
        return p @ p.T
    gram = torch.zeros(batch, batch, dtype=torch.float64)
    for i0 in range(0, batch, chunk):
        ni = min(chunk, batch - i0)
        pi = rows(i0, ni)
        gram[i0:i0 + ni, i0:i0 + ni] = pi @ pi.T
        for j0 in range(i0 + ni, batch, chunk):
            nj = min(chunk, batch - j0)
            block = pi @ rows(j0, nj).T
            gram[i0:i0 + ni, j0:j0 + nj] = block
            gram[j0:j0 + nj, i0:i0 + ni] = block.T
    return gram


def linear_gram(site, batch):
    a = site["input"].reshape(batch, -1)
    d = (site["grad"] * batch).reshape(batch, -1)
    has_bias = site["module"].bias is not None
    if choose_ghost(site, batch):
        a64, d64 = a.double(), d.double()
        dd = d64 @ d64.T
        gram = dd * (a64 @ a64.T)
        return gram + dd if has_bias else gram

    def rows(start, count):
        w = (d[start:start + count].unsqueeze(2) * a[start:start + count].unsqueeze(1)).reshape(count, -1)
        if has_bias:
            w = torch.cat([w, d[start:start + count]], 1)
        return w.double()

    return gram_from_rows(rows, batch, (a.shape[1] * d.shape[1] + d.shape[1]) * 12)


def conv_rows_unfold(site, batch):
    """Probe.cpp's materialise path: im2col (F.unfold) per chunk, then one batched GEMM."""
    m, x = site["module"], site["input"]
    d = (site["grad"] * batch).reshape(batch, m.out_channels, -1)

    def rows(start, count):
        a = F.unfold(x[start:start + count], m.kernel_size, dilation=m.dilation, padding=m.padding, stride=m.stride)
        return torch.bmm(d[start:start + count], a.transpose(1, 2)).reshape(count, -1).double()

    return rows


def conv_rows_grouped(site, batch):
    """Candidate: the per-sample weight gradients as the weight gradient of one grouped convolution with the
    samples stacked as groups (input 1 x nC_in x H x W, output gradient 1 x nC_out x H' x W', groups = n)."""
    m, x = site["module"], site["input"]
    d = site["grad"] * batch
    c_in, c_out = m.in_channels, m.out_channels
    kh, kw = m.kernel_size

    def rows(start, count):
        xi = x[start:start + count].reshape(1, count * c_in, x.shape[2], x.shape[3])
        di = d[start:start + count].reshape(1, count * c_out, d.shape[2], d.shape[3])
        weight = torch.empty(count * c_out, c_in, kh, kw)
        _, grad_w, _ = torch.ops.aten.convolution_backward(
            di, xi, weight, None, list(m.stride), list(m.padding), list(m.dilation), False, [0, 0], count,
            [False, True, False])
        return grad_w.reshape(count, -1).double()

    return rows


def conv_gram(site, batch, kernel):
    if choose_ghost(site, batch):
        raise NotImplementedError("ghost conv path: not chosen for these models")
    m = site["module"]
    d_in, d_out, t = shape_of(site)
    rows = (conv_rows_unfold if kernel == "unfold" else conv_rows_grouped)(site, batch)
    return gram_from_rows(rows, batch, d_out * d_in * 12 + d_in * t * 4)


def batch_norm_gram(site, batch):
    m = site["module"]
    x = site["input"].double()
    if m.training:
        mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3), unbiased=False)
    else:
        mean, var = m.running_mean.double(), m.running_var.double()
    xhat = (x - mean.view(1, -1, 1, 1)) / torch.sqrt(var.view(1, -1, 1, 1) + m.eps)
    d = (site["grad"] * batch).double()
    gamma, beta = (d * xhat).sum((2, 3)), d.sum((2, 3))
    return gamma @ gamma.T + beta @ beta.T


def batch_norm_gram_fast(site, batch):
    """Candidate: the same per-sample (gamma, beta) gradients from float32 reductions, with
    sum_t delta * xhat = (sum_t delta * x - mean * sum_t delta) * invstd; only the B x 2C factors go to float64."""
    m = site["module"]
    x = site["input"]
    if m.training:
        var, mean = torch.var_mean(x, (0, 2, 3), unbiased=False)
    else:
        mean, var = m.running_mean, m.running_var
    d = site["grad"] * batch
    beta = d.sum((2, 3)).double()
    dx = torch.einsum("nchw,nchw->nc", d, x).double()
    invstd = torch.rsqrt(var.double() + m.eps)
    gamma = (dx - mean.double() * beta) * invstd
    return gamma @ gamma.T + beta @ beta.T


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="resnet8")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = peer_torch.build_model(args.model)
    model.train()  # the probe of a training step sees batch statistics
    x, y = peer_torch.synthetic_batches(args.batch, 1)[0]
    # The training step's forward and backward, for reference.
    _, step_ms = timed(lambda: F.cross_entropy(model(x), y).backward(), args.reps)
    sites = capture(model, x, y)
    rows, totals = [], {"unfold": 0.0, "grouped": 0.0, "proposed": 0.0}
    for site in sites:
        m = site["module"]
        if isinstance(m, nn.Conv2d):
            g_unfold, t_unfold = timed(lambda: conv_gram(site, args.batch, "unfold"), args.reps)
            g_grouped, t_grouped = timed(lambda: conv_gram(site, args.batch, "grouped"), args.reps)
            rel = float((g_unfold - g_grouped).abs().max() / g_unfold.abs().max())
            # Sub-parts of the current path (whole batch at once when it fits the cap).
            a = F.unfold(site["input"], m.kernel_size, padding=m.padding, stride=m.stride)
            _, t_im2col = timed(lambda: F.unfold(site["input"], m.kernel_size, padding=m.padding, stride=m.stride),
                                args.reps)
            d = (site["grad"] * args.batch).reshape(args.batch, m.out_channels, -1)
            _, t_bmm = timed(lambda: torch.bmm(d, a.transpose(1, 2)), args.reps)
            w64 = torch.bmm(d, a.transpose(1, 2)).reshape(args.batch, -1).double()
            _, t_gemm = timed(lambda: w64 @ w64.T, args.reps)
            t_syrk = timed(lambda: syrk_gram(w64), args.reps)[1] if BLAS else t_gemm
            # Proposed: rows built once in chunks (only the im2col buffer is capped; the B x p float64 rows are
            # small), with the faster of the two per-sample kernels, then one float64 dsyrk.
            t_best = min(t_im2col + t_bmm, t_grouped) + t_syrk
            detail = {"im2col_ms": t_im2col, "bmm_ms": t_bmm, "grouped_ms": t_grouped, "gram_gemm_ms": t_gemm,
                      "gram_syrk_ms": t_syrk, "gram_rel_diff": rel}
            totals["unfold"] += t_unfold
            totals["grouped"] += t_grouped
            totals["proposed"] += t_best
            rows.append((site["name"], "conv/materialise", t_unfold, detail, shape_of(site)))
        elif isinstance(m, nn.Linear):
            ghost = choose_ghost(site, args.batch)
            _, t = timed(lambda: linear_gram(site, args.batch), args.reps)
            totals["unfold"] += t
            totals["grouped"] += t
            totals["proposed"] += t
            rows.append((site["name"], "linear/" + ("ghost" if ghost else "materialise"), t, {}, shape_of(site)))
        else:
            g_now, t = timed(lambda: batch_norm_gram(site, args.batch), args.reps)
            g_fast, t_fast = timed(lambda: batch_norm_gram_fast(site, args.batch), args.reps)
            rel = float((g_now - g_fast).abs().max() / g_now.abs().max())
            totals["unfold"] += t
            totals["grouped"] += t
            totals["proposed"] += t_fast
            rows.append((site["name"], "batchnorm", t, {"float32_reductions_ms": t_fast, "gram_rel_diff": rel},
                         (None, None, None)))
    gram = sum(
        linear_gram(s, args.batch) if isinstance(s["module"], nn.Linear)
        else conv_gram(s, args.batch, "unfold") if isinstance(s["module"], nn.Conv2d)
        else batch_norm_gram(s, args.batch) for s in sites)
    sym = (gram + gram.T) * 0.5
    _, eig_ms = timed(lambda: torch.linalg.eigvalsh(sym), args.reps)

    print(f"{args.model} B={args.batch} threads={args.threads}: forward+backward {step_ms:.1f} ms, "
          f"eigvalsh {eig_ms:.2f} ms")
    print(f"{'site':18s} {'path':20s} {'d_in':>5s} {'d_out':>5s} {'T':>4s} {'now ms':>8s}  details")
    for name, path, t, detail, (d_in, d_out, positions) in rows:
        extra = " ".join(f"{k}={v:.3g}" for k, v in detail.items())
        print(f"{name:18s} {path:20s} {d_in or '':>5} {d_out or '':>5} {positions or '':>4} {t:8.2f}  {extra}")
    print(f"Gram total: current kernels {totals['unfold']:.1f} ms; grouped-conv per-sample gradients "
          f"{totals['grouped']:.1f} ms; proposed (rows once, faster conv kernel per layer, dsyrk, float32 BN reductions) "
          f"{totals['proposed']:.1f} ms")
    print(json.dumps({"model": args.model, "batch": args.batch, "threads": args.threads, "step_ms": step_ms,
                      "eig_ms": eig_ms, "gram_ms_current": totals["unfold"], "gram_ms_grouped": totals["grouped"],
                      "gram_ms_proposed": totals["proposed"]}))


if __name__ == "__main__":
    main(sys.argv[1:])
