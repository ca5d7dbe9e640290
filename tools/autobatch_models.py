#!/usr/bin/env python3
"""AutoBatch's models in plain PyTorch, under AutoBatch's state_dict names (docs/WEIGHTS.md).

A weights file or a run's checkpoint loads into them with load_state_dict(strict=True), and they compute what the
engine computes (src/AutoBatch.Engine/Native/Models.cpp): the same layers, shortcuts, pooling and BatchNorm settings.

    from autobatch_models import load
    model, metadata = load("run/checkpoint.safetensors")   # or a weights file; model in eval mode
    logits = model(x)                                        # x: N x C x H x W, normalised as AutoBatch does

    from autobatch_models import build
    model = build("resnet8", (1, 28, 28), classes=10)       # any name the engine accepts

`python3 tools/autobatch_models.py FILE` prints the model a file holds and its parameter count.
Needs Python 3 and PyTorch only; put tools/ on PYTHONPATH.
"""
import math
import re
import sys

import torch
import torch.nn.functional as F
from torch import nn

from load_safetensors import load_file

# A checkpoint holds the optimiser's momentum buffers under "<parameter>.momentum_buffer" next to the model's tensors.
_CHECKPOINT_KEY = "autobatch.checkpoint"
_MOMENTUM_SUFFIX = ".momentum_buffer"


def _conv(c_in, c_out, kernel, stride=1):
    return nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False)


class Mlp(nn.Module):
    """`mlp` / `mlp:W1-W2-...`: flatten, then fc1-ReLU-...-fc{k}."""

    def __init__(self, in_features, hidden, classes):
        super().__init__()
        widths = list(hidden) + [classes]
        self.depth = len(widths)
        for i, width in enumerate(widths):
            setattr(self, f"fc{i + 1}", nn.Linear(in_features, width))
            in_features = width

    def forward(self, x):
        x = x.flatten(1)
        for i in range(self.depth):
            x = getattr(self, f"fc{i + 1}")(x)
            if i + 1 < self.depth:
                x = torch.relu(x)
        return x


class ResidualUnit(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN plus a parameter-free shortcut (2x2 average pool, zero-padded channels)."""

    def __init__(self, c_in, c_out, stride, relu_after_add):
        super().__init__()
        self.conv1 = _conv(c_in, c_out, 3, stride)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = _conv(c_out, c_out, 3)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.stride, self.extra_channels, self.relu_after_add = stride, c_out - c_in, relu_after_add

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        shortcut = x
        if self.stride > 1:
            shortcut = F.avg_pool2d(shortcut, 2, stride=2, ceil_mode=True)
        if self.extra_channels > 0:
            shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, self.extra_channels))
        x = y + shortcut
        return torch.relu(x) if self.relu_after_add else x


class ResNet(nn.Module):
    """`resnetD`, D = 6n+2: a conv-BN-ReLU stem, three stages of n units (widths w, 2w, 4w), global average pool, fc."""

    def __init__(self, in_channels, classes, depth, base_width=16, relu_after_add=True):
        super().__init__()
        if depth < 8 or (depth - 2) % 6:
            raise ValueError(f"ResNet depth must be 6n+2 with n >= 1, got {depth}")
        units = (depth - 2) // 6
        self.conv1 = _conv(in_channels, base_width, 3)
        self.bn1 = nn.BatchNorm2d(base_width)
        channels = base_width
        for stage in range(3):
            width = base_width << stage
            unit_list = []
            for u in range(units):
                stride = 2 if stage > 0 and u == 0 else 1
                unit_list.append(ResidualUnit(channels, width, stride, relu_after_add))
                channels = width
            setattr(self, f"layer{stage + 1}", nn.ModuleList(unit_list))
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        for stage in (self.layer1, self.layer2, self.layer3):
            for unit in stage:
                x = unit(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class DenseLayer(nn.Module):
    """BN-ReLU-conv3x3 to the growth rate (with the bottleneck: BN-ReLU-conv1x1 to 4k first); output concatenated."""

    def __init__(self, channels, growth, bottleneck):
        super().__init__()
        self.bottleneck = bottleneck
        self.bn1 = nn.BatchNorm2d(channels)
        if bottleneck:
            self.conv1 = _conv(channels, 4 * growth, 1)
            self.bn2 = nn.BatchNorm2d(4 * growth)
            self.conv2 = _conv(4 * growth, growth, 3)
        else:
            self.conv1 = _conv(channels, growth, 3)

    def forward(self, x):
        y = self.conv1(torch.relu(self.bn1(x)))
        if self.bottleneck:
            y = self.conv2(torch.relu(self.bn2(y)))
        return torch.cat([x, y], 1)


class Transition(nn.Module):
    """BN-ReLU-conv1x1 (compression) then a 2x2 average pool."""

    def __init__(self, channels, out):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels)
        self.conv = _conv(channels, out, 1)

    def forward(self, x):
        return F.avg_pool2d(self.conv(torch.relu(self.bn(x))), 2, stride=2, ceil_mode=True)


class DenseNet(nn.Module):
    """`densenet8`, `densenet110`, `densenet:L1-L2-L3/G1-G2-G3[/init[/b|nb[/compression]]]`."""

    def __init__(self, in_channels, classes, layers, growth, init_channels=16, bottleneck=False, compression=1.0):
        super().__init__()
        if not layers or len(layers) != len(growth):
            raise ValueError("DenseNet needs one layer count and one growth rate per block")
        channels = init_channels
        self.conv0 = _conv(in_channels, channels, 3)
        self.blocks = len(layers)
        for b in range(self.blocks):
            block = []
            for _ in range(layers[b]):
                block.append(DenseLayer(channels, growth[b], bottleneck))
                channels += growth[b]
            setattr(self, f"block{b + 1}", nn.ModuleList(block))
            if b + 1 < self.blocks:
                out = max(1, math.floor(channels * compression))
                setattr(self, f"trans{b + 1}", Transition(channels, out))
                channels = out
        self.bn_final = nn.BatchNorm2d(channels)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        x = self.conv0(x)
        for b in range(self.blocks):
            for layer in getattr(self, f"block{b + 1}"):
                x = layer(x)
            if b + 1 < self.blocks:
                x = getattr(self, f"trans{b + 1}")(x)
        x = torch.relu(self.bn_final(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def _ints(text):
    return [int(t) for t in text.split("-") if t]


def build(name, input_shape, classes):
    """The model the engine builds for `name` (ModelSpec.Parse's forms) on C x H x W inputs, with PyTorch's default
    initialisation (load weights into it to get AutoBatch's)."""
    channels, height, width = input_shape
    n = name.strip().lower()
    if n == "mlp":
        return Mlp(channels * height * width, [500, 500], classes)
    if n.startswith("mlp:"):
        return Mlp(channels * height * width, _ints(n[4:]), classes)
    resnet = re.fullmatch(r"resnet(\d+)", n)
    if resnet:
        return ResNet(channels, classes, int(resnet.group(1)))
    if n == "densenet8":
        return DenseNet(channels, classes, [2, 2, 2], [8, 8, 8], 16, False, 0.5)
    if n == "densenet110":
        return DenseNet(channels, classes, [18, 18, 18], [8, 10, 14], 16, False, 1.0)
    if n.startswith("densenet:"):
        parts = n[9:].split("/")
        if not 2 <= len(parts) <= 5:
            raise ValueError(f"model {name!r}: expected densenet:L1-L2-L3/G1-G2-G3[/init[/b|nb[/compression]]]")
        init = int(parts[2]) if len(parts) > 2 else 16
        bottleneck = len(parts) > 3 and parts[3] == "b"
        compression = float(parts[4]) if len(parts) > 4 else 1.0
        return DenseNet(channels, classes, _ints(parts[0]), _ints(parts[1]), init, bottleneck, compression)
    raise ValueError(f"unknown model {name!r}: expected mlp, mlp:W1-W2-..., resnetD, densenet8, densenet110 "
                     "or densenet:L1-L2-L3/G1-G2-G3")


def model_state(state_dict, metadata):
    """The model's tensors of a weights file or checkpoint (a checkpoint's momentum buffers left out)."""
    if _CHECKPOINT_KEY not in metadata:
        return state_dict
    return {k: v for k, v in state_dict.items() if not k.endswith(_MOMENTUM_SUFFIX)}


def load(path):
    """(model, metadata): the model named in an AutoBatch weights file or checkpoint, with its weights (strict), in
    eval mode."""
    state_dict, metadata = load_file(path)
    for key in ("autobatch.model", "autobatch.input", "autobatch.classes"):
        if key not in metadata:
            raise ValueError(f"{path}: no {key!r} in the metadata; build() the model and load_state_dict() instead")
    shape = tuple(int(d) for d in metadata["autobatch.input"].split("x"))
    if len(shape) != 3:
        raise ValueError(f"{path}: autobatch.input is {metadata['autobatch.input']!r}, expected CxHxW")
    model = build(metadata["autobatch.model"], shape, int(metadata["autobatch.classes"]))
    model.load_state_dict(model_state(state_dict, metadata))  # strict: every name and shape must match
    return model.eval(), metadata


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: autobatch_models.py FILE.safetensors")
    loaded, meta = load(sys.argv[1])
    count = sum(p.numel() for p in loaded.parameters())
    print(f"{meta['autobatch.model']} on {meta['autobatch.input']} inputs, {meta['autobatch.classes']} classes: "
          f"{count:,} parameters")
