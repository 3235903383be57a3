"""The held-out share of a personal set: stratified per digit, fixed by the seed, stable as the set grows.

Each image gets a pseudo-random rank from its content digest and the seed; each digit holds
out its lowest-ranked share. The same images and seed give the same split whatever the file
names or their order, and adding images moves few of the old ones across.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from mnist_studio.core.constants import NUM_CLASSES


@dataclass(frozen=True, eq=False)
class HeldOutSplit:
    """Indices (into a set's images) to train on and to hold out for validation."""

    train: np.ndarray  # int64, ascending
    holdout: np.ndarray  # int64, ascending


def _rank(seed: int, digest: str) -> bytes:
    return hashlib.sha256(f"{seed}:{digest}".encode()).digest()


def holdout_count(count: int, share: float) -> int:
    """How many of a digit's ``count`` images are held out: the share rounded, at least one of
    two or more, and never all of them."""
    if count < 2:
        return 0
    return min(max(round(count * share), 1), count - 1)


def split_holdout(labels: np.ndarray, digests: Sequence[str], share: float, seed: int) -> HeldOutSplit:
    """Hold out ``share`` (0-1) of each digit's images, chosen by ``seed``.

    Copies of one image (same digest) always fall on the same side, so none is validated on
    while a copy of it is trained on.
    """
    held: set[str] = set()
    for digit in range(NUM_CLASSES):
        of_digit = sorted({digests[index] for index in np.flatnonzero(labels == digit)}, key=lambda d: _rank(seed, d))
        held.update(of_digit[: holdout_count(len(of_digit), share)])
    in_holdout = np.array([digest in held for digest in digests], dtype=bool)
    return HeldOutSplit(train=np.flatnonzero(~in_holdout), holdout=np.flatnonzero(in_holdout))
