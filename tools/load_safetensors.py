#!/usr/bin/env python3
"""Minimal, dependency-free reader of the safetensors files AutoBatch writes (F32 and I64 tensors).

Use it where the `safetensors` package is not installed:

    from load_safetensors import load_file
    state_dict, metadata = load_file("mlp.safetensors")
    model.load_state_dict(state_dict)

`python3 tools/load_safetensors.py FILE` lists the tensors and the metadata.
Format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the little-endian data buffer
(https://github.com/huggingface/safetensors, "Format"). See docs/WEIGHTS.md for the tensor names.
"""
import json
import struct
import sys

import torch

_DTYPES = {"F32": (torch.float32, 4), "I64": (torch.int64, 8)}


def load_file(path):
    """Returns (state_dict, metadata): an ordered dict of name -> torch.Tensor and a dict of strings."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: {len(raw)} bytes, expected at least 8")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors = {}
    covered = 0
    for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}; only F32 and I64 are supported")
        dtype, size = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        numel = 1
        for d in info["shape"]:
            numel *= d
        if begin != covered or end - begin != numel * size or end > len(data):
            raise ValueError(f"{path}: tensor {name} has inconsistent data_offsets {info['data_offsets']}")
        covered = end
        # bytearray: torch.frombuffer needs a writable buffer; clone detaches the tensor from it.
        chunk = bytearray(data[begin:end])
        flat = torch.frombuffer(chunk, dtype=dtype) if numel else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(info["shape"]).clone()
    if covered != len(data):
        raise ValueError(f"{path}: {len(data) - covered} bytes of data belong to no tensor")
    # Back in header order, which for AutoBatch files is the PyTorch state_dict order.
    return {name: tensors[name] for name in header}, metadata


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: load_safetensors.py FILE")
    state, meta = load_file(sys.argv[1])
    for key, value in meta.items():
        print(f"# {key} = {value}")
    for key, value in state.items():
        print(f"{key}\t{str(value.dtype).replace('torch.', '')}\t{list(value.shape)}")
