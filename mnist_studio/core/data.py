"""Loading the bundled MNIST files and serving normalised, device-resident batches.

The four IDX files are read once per process into ``uint8`` tensors. Each is decompressed only
up to the size its IDX header implies (a gzip bomb costs no more than a real file), and its
decompressed bytes are checked against the published MD5 the first time. The verdict is cached
per file path, size, modification time and a content fingerprint, so later start-ups skip the
hashing; a cache that cannot be read is no cache.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import stat
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mnist_studio.core import paths
from mnist_studio.core.constants import IMAGE_SIZE, MNIST_MEAN, MNIST_STD
from mnist_studio.core.files import atomic_write_bytes

if TYPE_CHECKING:
    import io

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
_IMAGES_HEADER_BYTES = 16
_LABELS_HEADER_BYTES = 8
_FINGERPRINT_BYTES = 2**20  # hashed at each end of the .gz file
_MAX_CACHE_BYTES = 2**20
_MAX_VERDICTS = 64
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


def expected_size(name: str) -> int:
    """The decompressed size of an MNIST file: its IDX header plus one byte per pixel or label."""
    _, count = MNIST_FILES[name]
    if "images" in name:
        return _IMAGES_HEADER_BYTES + count * IMAGE_SIZE * IMAGE_SIZE
    return _LABELS_HEADER_BYTES + count


def _unreadable(path: Path, why: object) -> DatasetError:
    return DatasetError(f"MNIST file unreadable: {path} ({why}); " + _FIX_HINT.format(folder=path.parent))


def _read_gz(path: Path, size: int) -> tuple[bytes, str]:
    """The decompressed content of ``path`` (exactly ``size`` bytes, or DatasetError) and a fingerprint
    of the compressed file. Never decompresses more than ``size + 1`` bytes."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise DatasetError(f"MNIST file missing: {path}; " + _FIX_HINT.format(folder=path.parent)) from None
    except OSError as error:
        raise _unreadable(path, error.strerror or error) from None
    if not stat.S_ISREG(status.st_mode):
        raise _unreadable(path, "not a regular file")
    # Deflate never grows data by more than a fraction of a percent: anything bigger is not MNIST.
    if status.st_size > size + size // 100 + 2**16:
        raise _unreadable(path, "far larger than an MNIST file")
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(handle, "rb") as stream:
            fingerprint = _fingerprint(stream, status.st_size)
            stream.seek(0)
            with gzip.GzipFile(fileobj=stream, mode="rb") as archive:
                content = archive.read(size + 1)
    except (OSError, EOFError, zlib.error) as error:  # zlib.error: a damaged deflate stream
        raise _unreadable(path, error) from None
    if len(content) != size:
        raise _unreadable(path, f"{'more' if len(content) > size else 'fewer'} bytes than an MNIST file holds")
    return content, fingerprint


def _fingerprint(stream: "io.BufferedReader", size: int) -> str:
    """A hash of the first and last MiB of the compressed file: the last bytes hold the gzip
    trailer, the CRC-32 of the whole content, which reading verifies; so a changed content
    changes the fingerprint even when size and modification time are restored."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(stream.read(_FINGERPRINT_BYTES))
    stream.seek(max(0, size - _FINGERPRINT_BYTES))
    digest.update(stream.read(_FINGERPRINT_BYTES))
    return digest.hexdigest()


def _verdict_file() -> Path:
    return paths.cache_dir() / "mnist-verified.json"


def _cached_verdicts() -> dict[str, str]:
    """The remembered verdicts; a cache that is missing, too big, garbage or of the wrong shape is empty."""
    try:
        with _verdict_file().open("rb") as stream:
            text = stream.read(_MAX_CACHE_BYTES + 1)
        if len(text) > _MAX_CACHE_BYTES:
            return {}
        verdicts = json.loads(text)
    except Exception:  # noqa: BLE001 - OSError, bad JSON, RecursionError on deep nesting: all mean "no cache"
        return {}
    if not isinstance(verdicts, dict):
        return {}
    return {key: value for key, value in verdicts.items() if isinstance(key, str) and isinstance(value, str)}


def _remember_verdict(key: str, md5: str) -> None:
    verdicts = _cached_verdicts()
    verdicts.pop(key, None)
    verdicts[key] = md5
    kept = dict(list(verdicts.items())[-_MAX_VERDICTS:])
    try:
        atomic_write_bytes(_verdict_file(), json.dumps(kept, indent=1).encode())
    except OSError:
        pass  # a read-only cache only costs a re-check next time


def _verify(path: Path, content: bytes, fingerprint: str, expected_md5: str) -> None:
    stat_result = path.stat()
    key = f"{path.resolve()}:{stat_result.st_size}:{stat_result.st_mtime_ns}:{fingerprint}"
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
    content, fingerprint = _read_gz(path, expected_size(name))
    _verify(path, content, fingerprint, expected_md5)
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

