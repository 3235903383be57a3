"""Crafting hostile and broken files for the tests and the attack harness (``scripts/attacks.py``).

Everything is made on the fly in a temporary folder; no hostile file is committed.
"""

from __future__ import annotations

import gzip
import os
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import torch

from mnist_studio.core.checkpoints import build_payload, save_checkpoint
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import build_model

_CHUNK = 2**20


def good_payload(arch: str = "lenet5", **changes: Any) -> dict[str, Any]:
    """A finished run's payload (seeded weights), with top-level ``changes`` applied."""
    torch.manual_seed(0)
    payload = build_payload(
        TrainingConfig.for_architecture(arch),
        build_model(arch),
        status="completed",
        epoch=1,
        step=430,
        metrics={"test_accuracy": 0.98, "history": [{"epoch": 1, "val_accuracy": 0.97}]},
        training_state={},
    )
    payload.update(changes)
    return payload


def deep_value(depth: int) -> Any:
    """``[[[...[1]...]]]`` nested ``depth`` levels; saving it needs a raised recursion limit."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def save_raw(path: Path, payload: Any) -> Path:
    """torch.save ``payload`` as it is, deep values included (the pickler recurses)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 50_000))
    try:
        torch.save(payload, path)
    finally:
        sys.setrecursionlimit(limit)
    return path


def deflate_bomb(path: Path, unpacked_bytes: int, arch: str = "lenet5", *, level: int = 1) -> Path:
    """A real checkpoint whose first storage record is replaced by ``unpacked_bytes`` of deflated zeros.

    The file stays small: about 1/230 of ``unpacked_bytes`` at ``level`` 1 (quick to make), 1/1000
    at level 9 (issue 11's 4.4 MB file unpacked to 4.6 GB).
    """
    good = save_checkpoint(path.with_name(f"{path.stem}-source.pt"), good_payload(arch))
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as bomb:
        storages = [info.filename for info in source.infolist() if "/data/" in info.filename]
        for info in source.infolist():
            if info.filename != storages[0]:
                bomb.writestr(info, source.read(info.filename))
                continue
            with bomb.open(info.filename, "w", force_zip64=True) as stream:  # deflated at ``level``
                _write_zeros(stream, unpacked_bytes)
    good.unlink()
    return path


def _write_zeros(stream: Any, count: int) -> None:
    zeros = bytes(_CHUNK)
    while count > 0:
        stream.write(zeros[: min(count, _CHUNK)])
        count -= min(count, _CHUNK)


def many_pickles(path: Path, count: int, each_bytes: int) -> Path:
    """A zip of ``count`` deflated ``*/data.pkl`` records of ``each_bytes`` (garbage) each."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(count):
            info = zipfile.ZipInfo(f"archive{index}/data.pkl")
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as record:
                _write_zeros(record, each_bytes)
    return path


def sparse_weights(arch: str = "lenet5") -> dict[str, torch.Tensor]:
    """The architecture's weights with the first floating tensor made sparse (same shape and dtype)."""
    weights = good_payload(arch)["model_state"]
    name = next(name for name, tensor in weights.items() if tensor.is_floating_point() and tensor.dim() >= 2)
    return weights | {name: weights[name].to_sparse()}


def non_finite_weights(value: float, arch: str = "lenet5") -> dict[str, torch.Tensor]:
    """The architecture's weights with one value of the first floating tensor set to ``value``."""
    weights = {name: tensor.clone() for name, tensor in good_payload(arch)["model_state"].items()}
    first = next(tensor for tensor in weights.values() if tensor.is_floating_point())
    first.view(-1)[0] = value
    return weights


def idx_gzip_bomb(path: Path, magic: int, count: int, unpacked_bytes: int) -> Path:
    """A gzip file with a valid IDX header followed by zeros, ``unpacked_bytes`` in all.

    Made of repeated 64 MiB gzip members (readers join them), so gigabytes take a second to make.
    """
    header = struct.pack(">ii", magic, count) + (struct.pack(">ii", 28, 28) if magic == 2051 else b"")
    member_bytes = 64 * _CHUNK
    member = gzip.compress(bytes(member_bytes), compresslevel=9, mtime=0)
    with path.open("wb") as stream:
        stream.write(gzip.compress(header, mtime=0))
        for _ in range(max(1, (unpacked_bytes - len(header)) // member_bytes)):
            stream.write(member)
    return path


def recompress(path: Path) -> Path:
    """Rewrite a ``.gz`` file with :func:`gzip.compress` (same content), the form
    :func:`relabel_keeping_size` compares against."""
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes()), mtime=0))
    return path


def relabel_keeping_size(path: Path) -> Path:
    """Swap two labels in a :func:`recompress`-ed labels file so that its size stays the same, and
    restore its modification time: by size and date the file looks untouched."""
    original = path.read_bytes()
    status = path.stat()
    labels = gzip.decompress(original)
    for index in range(8, len(labels) - 1):
        if labels[index] == labels[index + 1]:
            continue
        swapped = bytearray(labels)
        swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
        candidate = gzip.compress(bytes(swapped), mtime=0)
        if len(candidate) == len(original):
            path.write_bytes(candidate)
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
            return path
    raise AssertionError("no same-size relabelling found")
