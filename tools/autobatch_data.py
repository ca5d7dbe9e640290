#!/usr/bin/env python3
"""AutoBatch's training sets in PyTorch: the same images, labels and order as the engine's readers
(src/AutoBatch.Engine/Data), and its per-channel normalisation.

    from autobatch_data import read_train, normalised
    pixels, labels = read_train("FashionMnist", "/usr/share/datasets/fashion-mnist")   # N x C x H x W uint8, N labels
    x = normalised(pixels, torch.tensor([3, 1, 4]))                                     # float32, as AutoBatch feeds them

Kinds and files: FashionMnist and Mnist (IDX train-images-idx3-ubyte / train-labels-idx1-ubyte, raw or .gz), Cifar10
(data_batch_1..5.bin, in order), Cifar100 (train.bin, fine labels), Svhn (train_32x32.mat, MATLAB Level 5, plain or
zlib-compressed elements; label 10 is the digit 0). Needs Python 3 and PyTorch only.
"""
import gzip
import math
import os
import struct
import zlib

import torch


class DataError(ValueError):
    """A data file that is missing or not what its format says."""


def _open(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with (gzip.open if candidate.endswith(".gz") else open)(path, "rb") as f:
                return path, f.read()
    raise DataError(f"{folder}: no {name} or {name}.gz")


def read_idx(folder):
    """Training images (N x 1 x H x W bytes) and labels of an MNIST-format folder."""
    path, images = _open(folder, "train-images-idx3-ubyte")
    if len(images) < 16:
        raise DataError(f"{path}: {len(images)} bytes, shorter than an IDX image header")
    magic, count, height, width = struct.unpack(">IIII", images[:16])
    if magic != 0x00000803 or len(images) != 16 + count * height * width:
        raise DataError(f"{path}: not an IDX image file (magic {magic:#010x}, {len(images)} bytes)")
    lpath, labels = _open(folder, "train-labels-idx1-ubyte")
    if len(labels) < 8:
        raise DataError(f"{lpath}: {len(labels)} bytes, shorter than an IDX label header")
    lmagic, lcount = struct.unpack(">II", labels[:8])
    if lmagic != 0x00000801 or lcount != count or len(labels) != 8 + count:
        raise DataError(f"{lpath}: not an IDX label file for {count} images")
    x = torch.frombuffer(bytearray(images[16:]), dtype=torch.uint8).reshape(count, 1, height, width)
    y = torch.frombuffer(bytearray(labels[8:]), dtype=torch.uint8).to(torch.int64)
    return x, y


def read_cifar(folder, kind):
    """Training images (N x 3 x 32 x 32 bytes) and labels of a CIFAR-10 or CIFAR-100 binary folder (or the folder
    holding the archive's own cifar-10-batches-bin / cifar-100-binary), in AutoBatch's order."""
    if kind == "Cifar10":
        archive, probe, names, record, label = "cifar-10-batches-bin", "test_batch.bin", \
            [f"data_batch_{b}.bin" for b in range(1, 6)], 3073, 0
    else:  # CIFAR-100: coarse label, fine label, pixels; AutoBatch keeps the 100 fine labels
        archive, probe, names, record, label = "cifar-100-binary", "test.bin", ["train.bin"], 3074, 1
    nested = os.path.join(folder, archive)
    if not os.path.exists(os.path.join(folder, probe)) and os.path.isdir(nested):
        folder = nested
    data = bytearray()
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            raise DataError(f"{folder}: no {name}")
        with open(path, "rb") as f:
            part = f.read()
        if not part or len(part) % record:
            raise DataError(f"{path}: {len(part)} bytes, not a whole number of {record}-byte records")
        data += part
    records = torch.frombuffer(data, dtype=torch.uint8).reshape(-1, record)
    return records[:, record - 3072:].reshape(-1, 3, 32, 32).clone(), records[:, label].to(torch.int64)


# MATLAB Level-5 element types (MAT-File Format, "Data types"): numeric arrays are stored in any of these.
_MAT_TYPES = {1: "<i1", 2: "<u1", 3: "<i2", 4: "<u2", 5: "<i4", 6: "<u4", 7: "<f4", 9: "<f8", 12: "<i8", 13: "<u8"}
_MAT_TORCH = {"<i1": torch.int8, "<u1": torch.uint8, "<i2": torch.int16, "<i4": torch.int32, "<f4": torch.float32,
              "<f8": torch.float64, "<i8": torch.int64}


def _mat_elements(raw, path):
    """(type, payload) of each top-level data element; compressed elements inflated."""
    pos = 128
    while pos + 8 <= len(raw):
        kind, size = struct.unpack_from("<II", raw, pos)
        if kind >> 16:  # small element: size in the upper half, data in the tag's second word
            yield kind & 0xFFFF, raw[pos + 4:pos + 4 + (kind >> 16)]
            pos += 8
            continue
        body = raw[pos + 8:pos + 8 + size]
        if len(body) != size:
            raise DataError(f"{path}: truncated element at byte {pos}")
        if kind == 15:  # miCOMPRESSED: one zlib stream holding one element; written back to back, no padding
            inner = zlib.decompress(body)
            yield from _mat_elements(bytes(128) + inner, path)
            pos += 8 + size
        else:
            yield kind, body
            pos += 8 + ((size + 7) & ~7)


def _mat_array(body, path):
    """(name, dimensions, flat values as a tensor) of a miMATRIX element's body."""
    parts = list(_mat_elements(bytes(128) + body, path))
    if len(parts) < 4:
        raise DataError(f"{path}: a matrix element with {len(parts)} parts")
    dims = list(struct.unpack(f"<{len(parts[1][1]) // 4}i", parts[1][1]))
    name = parts[2][1].decode("ascii", "replace")
    kind, data = parts[3]
    if kind not in _MAT_TYPES:
        raise DataError(f"{path}: variable {name} stored as MAT type {kind}")
    dtype = _MAT_TYPES[kind]
    if dtype in ("<u2", "<u4", "<u8"):  # no unsigned torch types beyond uint8: widen
        width = {"<u2": 2, "<u4": 4, "<u8": 8}[dtype]
        values = torch.tensor([int.from_bytes(data[i:i + width], "little") for i in range(0, len(data), width)])
    else:
        values = torch.frombuffer(bytearray(data), dtype=_MAT_TORCH[dtype]) if data else torch.empty(0)
    return name, dims, values


def read_svhn(folder):
    """Training images (N x 3 x 32 x 32 bytes) and labels 0..9 (10 stands for 0) of SVHN's train_32x32.mat: X is
    32 x 32 x 3 x N in MATLAB's column-major order (row, column, channel, image)."""
    path = os.path.join(folder, "train_32x32.mat")
    if not os.path.exists(path):
        raise DataError(f"{folder}: no train_32x32.mat")
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 128 or raw[126:128] != b"IM":
        raise DataError(f"{path}: not a little-endian Level-5 MAT file")
    arrays = {}
    try:
        for kind, body in _mat_elements(raw, path):
            if kind == 14:
                name, dims, values = _mat_array(body, path)
                arrays[name] = (dims, values)
    except (struct.error, zlib.error, ValueError, RuntimeError) as e:  # damaged elements (DataError is a ValueError)
        raise e if isinstance(e, DataError) else DataError(f"{path}: damaged MAT element ({e})")
    if "X" not in arrays or "y" not in arrays:
        raise DataError(f"{path}: expected variables X and y, found {', '.join(arrays) or 'none'}")
    (dims, x), (_, y) = arrays["X"], arrays["y"]
    if len(dims) != 4 or dims[:3] != [32, 32, 3]:
        raise DataError(f"{path}: X is {'x'.join(map(str, dims))}, expected 32x32x3xN")
    # Column-major (row, column, channel, image) is row-major (image, channel, column, row).
    if x.numel() != 3072 * dims[3] or y.numel() != dims[3]:
        raise DataError(f"{path}: {x.numel()} pixel values and {y.numel()} labels for {dims[3]} images")
    images = x.to(torch.uint8).reshape(dims[3], 3, 32, 32).transpose(2, 3).contiguous()
    labels = y.to(torch.int64) % 10
    return images, labels


def read_train(kind, folder):
    """(pixels, labels) of the training set of a data set kind (AutoBatch's names) in folder."""
    if kind in ("FashionMnist", "Mnist"):
        return read_idx(folder)
    if kind in ("Cifar10", "Cifar100"):
        return read_cifar(folder, kind)
    if kind == "Svhn":
        return read_svhn(folder)
    raise DataError(f"data set {kind}: expected FashionMnist, Mnist, Cifar10, Cifar100 or Svhn")


def normalised(pixels, indices):
    """(pixel/255 − mean)/std per channel with the training set's population statistics, computed in float64 and
    stored as float32 (as AutoBatch's BatchAssembler does)."""
    count, channels = pixels.shape[0], pixels.shape[1]
    batch = pixels[indices].to(torch.float64) / 255.0
    for c in range(channels):
        values = torch.arange(256, dtype=torch.float64) / 255.0
        histogram = torch.bincount(pixels[:, c].flatten(), minlength=256).to(torch.float64)
        n = float(count * pixels.shape[2] * pixels.shape[3])
        mean = float((histogram * values).sum()) / n
        std = math.sqrt(float((histogram * (values - mean) ** 2).sum()) / n)
        if int((histogram == 0).sum()) == 255:
            std = 1.0
        batch[:, c] = (batch[:, c] - mean) / std
    return batch.to(torch.float32)
