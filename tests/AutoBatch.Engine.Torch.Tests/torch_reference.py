#!/usr/bin/env python3
"""The TorchSharp engine's independent reference: the same model, seed and steps in PyTorch (Debian's python3-torch).

Usage: torch_reference.py MODEL C H W CLASSES SEED LR1,LR2,... BATCHES.safetensors OUT.safetensors

BATCHES holds x0, y0, x1, y1, ... (float32 N x C x H x W, int64 N). The model is tools/autobatch_models.py's, built
after torch.manual_seed(SEED) with the engine's initialisation rule: every convolution gets PyTorch's default
initialisation when it is constructed and is then redrawn He-normal over its fan-out (ReLU gain), in construction
order. OUT receives:
  init.<name>        the state after initialisation
  grad_train.<name>  gradient of the mean loss of batch 0, BatchNorm on batch statistics (state left as it was)
  grad_eval.<name>   the same with running statistics
  loss, correct      per training step (float32, int64), SGD: momentum 0.9, Nesterov, weight decay 1e-4
  final.<name>       the state after the steps; momentum.<name> the optimiser's buffers
  eval_loss_sum      summed cross-entropy of batch 0 in eval mode after the steps; eval_correct
  gram_train, gram_eval      F̃ of batch 0 at the initial weights (tools/check_measure.py's per-sample rows: the
                             path-wise decomposition with batch statistics, or running statistics), float32
  traces_train, traces_eval  the per-layer traces of those, in module order
"""
import copy
import json
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

import autobatch_models
from check_measure import per_sample_rows
from load_safetensors import load_file


def engine_conv(c_in, c_out, kernel, stride=1):
    conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False)
    with torch.no_grad():
        nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return conv


def write(path, tensors):
    names = {torch.float32: "F32", torch.int64: "I64"}
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def gradient(model, x, y, train_mode):
    probe = copy.deepcopy(model)
    probe.train(train_mode)
    probe.zero_grad()
    F.cross_entropy(probe(x), y).backward()
    return {name: p.grad for name, p in probe.named_parameters()}


def main(model_name, c, h, w, classes, seed, lrs, batches_path, out_path):
    torch.set_num_threads(1)
    autobatch_models._conv = engine_conv
    torch.manual_seed(int(seed))
    model = autobatch_models.build(model_name, (int(c), int(h), int(w)), int(classes))
    batches, _ = load_file(batches_path)
    rates = [float(r) for r in lrs.split(",")]
    out = {f"init.{k}": v.clone() for k, v in model.state_dict().items()}
    x0, y0 = batches["x0"], batches["y0"]
    out.update({f"grad_train.{k}": g for k, g in gradient(model, x0, y0, True).items()})
    out.update({f"grad_eval.{k}": g for k, g in gradient(model, x0, y0, False).items()})
    for mode, train_mode in (("train", True), ("eval", False)):
        rows = per_sample_rows(copy.deepcopy(model), x0, y0, train_mode)
        grams = [r @ r.T for _, r in rows]
        out[f"gram_{mode}"] = sum(grams).float()
        out[f"traces_{mode}"] = torch.tensor([float(g.trace()) for g in grams], dtype=torch.float32)
    optimiser = torch.optim.SGD(model.parameters(), lr=rates[0], momentum=0.9, weight_decay=1e-4, nesterov=True)
    losses, correct = [], []
    model.train()
    for step, rate in enumerate(rates):
        for group in optimiser.param_groups:
            group["lr"] = rate
        x, y = batches[f"x{step}"], batches[f"y{step}"]
        optimiser.zero_grad()
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        correct.append(int((logits.argmax(1) == y).sum()))
    out["loss"] = torch.tensor(losses, dtype=torch.float32)
    out["correct"] = torch.tensor(correct, dtype=torch.int64)
    out.update({f"final.{k}": v.clone() for k, v in model.state_dict().items()})
    names = {p: n for n, p in model.named_parameters()}
    for p, state in optimiser.state.items():
        out[f"momentum.{names[p]}"] = state["momentum_buffer"]
    model.eval()
    with torch.no_grad():
        logits = model(x0)
        out["eval_loss_sum"] = F.cross_entropy(logits, y0, reduction="sum").reshape(1).float()
        out["eval_correct"] = (logits.argmax(1) == y0).sum().reshape(1)
    write(out_path, out)


if __name__ == "__main__":
    if len(sys.argv) != 10:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
