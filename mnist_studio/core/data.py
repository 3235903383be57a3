"""Loading the bundled MNIST files and serving normalised, device-resident batches.

The four IDX files are read once per process into ``uint8`` tensors. Their decompressed bytes
are checked against the published MD5 values the first time; the verdict is cached per file
size and modification time, so later start-ups skip the hashing.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mnist_studio.core import paths
from mnist_studio.core.constants import IMAGE_SIZE, MNIST_MEAN, MNIST_STD

if TYPE_CHECKING:
    import torch

# Decompressed file -> (MD5 of the decompressed bytes, number of items).
MNIST_FILES: dict[str, tuple[str, int]] = {
    "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", 60_000),
    "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", 60_000),
    "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", 10_000),
    "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", 10_000),
}
_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049
_FIX_HINT = (
    "reinstall MNIST Studio or copy the original MNIST .gz files into {folder} "
    "(or set MNIST_STUDIO_DATA to a folder that holds them)"
)


class DatasetError(Exception):
    """A bundled MNIST file is missing, unreadable or does not match its published checksum."""


@dataclass(frozen=True)
class MnistArrays:
    """The raw dataset: ``uint8`` images (N, 28, 28) and ``int64`` labels (N,) per split."""

    train_images: "torch.Tensor"
    train_labels: "torch.Tensor"
    test_images: "torch.Tensor"
    test_labels: "torch.Tensor"


@dataclass(frozen=True)
class TrainingSplits:
    """Normalised float images (N, 1, 28, 28) and labels on the training device."""

    train_images: "torch.Tensor"
    train_labels: "torch.Tensor"
    val_images: "torch.Tensor"
    val_labels: "torch.Tensor"


def _read_gz(path: Path) -> bytes:
    folder = path.parent
    if not path.is_file():
        raise DatasetError(f"MNIST file missing: {path}; " + _FIX_HINT.format(folder=folder))
    try:
        with gzip.open(path, "rb") as stream:
            return stream.read()
    except (OSError, EOFError, zlib.error) as error:  # zlib.error: a damaged deflate stream
        raise DatasetError(
            f"MNIST file unreadable: {path} ({error}); " + _FIX_HINT.format(folder=folder)
        ) from None


def _verdict_file() -> Path:
    return paths.cache_dir() / "mnist-verified.json"


def _cached_verdicts() -> dict[str, str]:
    try:
        verdicts = json.loads(_verdict_file().read_text())
    except (OSError, ValueError):
        return {}
    return verdicts if isinstance(verdicts, dict) else {}


def _remember_verdict(key: str, md5: str) -> None:
    verdicts = _cached_verdicts()
    verdicts[key] = md5
    try:
        _verdict_file().parent.mkdir(parents=True, exist_ok=True)
        _verdict_file().write_text(json.dumps(verdicts, indent=1))
    except OSError:
        pass  # a read-only cache only costs a re-check next time


def _verify(path: Path, content: bytes, expected_md5: str) -> None:
    stat = path.stat()
    key = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
    if _cached_verdicts().get(key) == expected_md5:
        return
    if hashlib.md5(content).hexdigest() != expected_md5:
        raise DatasetError(
            f"MNIST file corrupt: {path} does not match its published checksum; "
            + _FIX_HINT.format(folder=path.parent)
        )
    _remember_verdict(key, expected_md5)


def _parse_idx(path: Path, content: bytes, expected_count: int) -> "torch.Tensor":
    import torch

    magic = struct.unpack(">i", content[:4])[0] if len(content) >= 4 else -1
    header = 16 if magic == _IMAGES_MAGIC else 8
    count = struct.unpack(">i", content[4:8])[0] if len(content) >= 8 else -1
    if magic not in (_IMAGES_MAGIC, _LABELS_MAGIC) or count != expected_count:
        raise DatasetError(f"MNIST file has an unexpected header: {path}")
    values = torch.frombuffer(bytearray(content[header:]), dtype=torch.uint8)
    if magic == _IMAGES_MAGIC:
        return values.view(count, IMAGE_SIZE, IMAGE_SIZE)
    return values.to(torch.int64)


def _load_file(folder: Path, name: str) -> "torch.Tensor":
    expected_md5, count = MNIST_FILES[name]
    path = folder / f"{name}.gz"
    content = _read_gz(path)
    _verify(path, content, expected_md5)
    return _parse_idx(path, content, count)


@functools.lru_cache(maxsize=2)
def _load_cached(folder: Path) -> MnistArrays:
    return MnistArrays(
        train_images=_load_file(folder, "train-images-idx3-ubyte"),
        train_labels=_load_file(folder, "train-labels-idx1-ubyte"),
        test_images=_load_file(folder, "t10k-images-idx3-ubyte"),
        test_labels=_load_file(folder, "t10k-labels-idx1-ubyte"),
    )


def load_mnist(folder: Path | None = None) -> MnistArrays:
    """Return the MNIST arrays from ``folder`` (default: the bundled copy), loaded once per process.

    Raises ``DatasetError`` naming the file and the fix when a file is missing or corrupt.
    """
    return _load_cached((folder or paths.mnist_dir()).resolve())


def normalise(images: "torch.Tensor", device: "torch.device | str | None" = None) -> "torch.Tensor":
    """Turn ``uint8`` images (N, 28, 28) into the models' normalised float input (N, 1, 28, 28)."""
    import torch

    # copy=True: the in-place arithmetic below must never write into the caller's tensor.
    floats = images.to(device=device, dtype=torch.float32, copy=True).unsqueeze(1)
    return floats.div_(255.0).sub_(MNIST_MEAN).div_(MNIST_STD)


def make_splits(
    arrays: MnistArrays,
    *,
    validation_size: int,
    seed: int,
    device: "torch.device | str",
    subset: int | None = None,
) -> TrainingSplits:
    """Split the training set into train and validation parts (fixed by ``seed``) on ``device``.

    ``subset`` keeps only the first ``subset`` training images of the shuffled order, for quick runs.
    """
    import torch

    order = torch.randperm(len(arrays.train_labels), generator=torch.Generator().manual_seed(seed))
    val_index, train_index = order[:validation_size], order[validation_size:]
    if subset is not None:
        train_index = train_index[:subset]
    return TrainingSplits(
        train_images=normalise(arrays.train_images[train_index], device),
        train_labels=arrays.train_labels[train_index].to(device),
        val_images=normalise(arrays.train_images[val_index], device),
        val_labels=arrays.train_labels[val_index].to(device),
    )

