"""A digit set's images in MNIST form, preprocessed exactly as drawings are, and a model's report on them.

Preprocessing takes a few milliseconds an image; results are kept per content digest for the
life of the process, so evaluating a set again after adding a drawing only preprocesses the new one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from mnist_studio.core.constants import IMAGE_SIZE
from mnist_studio.core.my_digits.folder import DigitEntry, FolderScan, SkippedFile, SkipReason, digit_counts
from mnist_studio.core.preprocess import ImageError, preprocess_file

if TYPE_CHECKING:
    from torch import nn

    from mnist_studio.core.inspection import ModelReport, ProgressCallback

CACHE_SIZE = 20_000  # preprocessed 28x28 images kept (784 bytes each)
_BLANK = np.zeros((0, 0), dtype=np.uint8)  # cached for an image with no digit in it


@dataclass(frozen=True, eq=False)
class DigitImages:
    """A set's usable images: MNIST-style ``images`` (N, 28, 28) uint8 and ``labels`` (N,) int64.

    ``entries[i]`` is the file of ``images[i]``; ``skipped`` lists every file left out, with why.
    """

    folder: Path
    images: np.ndarray
    labels: np.ndarray
    entries: tuple[DigitEntry, ...]
    skipped: tuple[SkippedFile, ...]

    @property
    def count(self) -> int:
        """Number of usable images."""
        return len(self.entries)

    @property
    def counts(self) -> tuple[int, ...]:
        """Usable images per digit 0-9."""
        return digit_counts(self.entries)

    @property
    def digests(self) -> tuple[str, ...]:
        """The content digest of each image, in order."""
        return tuple(entry.digest for entry in self.entries)


class _PreprocessedCache:
    """Preprocessed images by content digest, least recently used dropped first (thread-safe)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> np.ndarray | None:
        with self._lock:
            image = self._items.get(digest)
            if image is not None:
                self._items.move_to_end(digest)
            return image

    def put(self, digest: str, image: np.ndarray) -> None:
        with self._lock:
            self._items[digest] = image
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_cache = _PreprocessedCache(CACHE_SIZE)


def _preprocessed(entry: DigitEntry) -> np.ndarray | SkippedFile:
    cached = _cache.get(entry.digest)
    if cached is None:
        try:
            digit = preprocess_file(entry.path)
        except ImageError as error:
            if not entry.path.exists():
                return SkippedFile(entry.path, SkipReason.VANISHED, "the file was removed")
            return SkippedFile(entry.path, SkipReason.UNREADABLE, _without_path(str(error), entry.path))
        cached = _BLANK if digit.empty else digit.image
        _cache.put(entry.digest, cached)
    if cached is _BLANK:
        return SkippedFile(entry.path, SkipReason.BLANK, "no digit found in the image")
    return cached


def _without_path(message: str, path: Path) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def load_digit_images(scan: FolderScan, on_progress: Callable[[int, int], None] | None = None) -> DigitImages:
    """Preprocess every image of ``scan``; unreadable, vanished and blank files are skipped with a note.

    ``on_progress(done, total)`` is called every 32 images and at the end.
    """
    images: list[np.ndarray] = []
    entries: list[DigitEntry] = []
    skipped = list(scan.skipped)
    total = len(scan.entries)
    for done, entry in enumerate(scan.entries, start=1):
        result = _preprocessed(entry)
        if isinstance(result, SkippedFile):
            skipped.append(result)
        else:
            images.append(result)
            entries.append(entry)
        if on_progress is not None and (done % 32 == 0 or done == total):
            on_progress(done, total)
    stacked = np.stack(images) if images else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), dtype=np.uint8)
    labels = np.array([entry.label for entry in entries], dtype=np.int64)
    return DigitImages(scan.folder, stacked, labels, tuple(entries), tuple(skipped))


def inspect_digit_images(
    model: nn.Module,
    digits: DigitImages,
    *,
    device: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ModelReport:
    """The same report as for the MNIST test set (accuracy, per digit, confusion, images) on a personal set."""
    import torch

    from mnist_studio.core.inspection import inspect_images

    return inspect_images(
        model,
        torch.from_numpy(digits.images),
        torch.from_numpy(digits.labels),
        device=device,
        on_progress=on_progress,
    )
