"""Listing checkpoint files by what a person picks a model by: architecture, accuracy and date.

Importing this module does not import torch (reading a checkpoint does), so the GUI can hold
summaries from start-up on.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mnist_studio.core.files import remove_stale_temporaries
from mnist_studio.core.registry import ARCHITECTURES, get_architecture

if TYPE_CHECKING:
    from mnist_studio.core.checkpoint_reading import CheckpointProblem
    from mnist_studio.core.checkpoints import Checkpoint

CHECKPOINT_SUFFIX = ".pt"


@dataclass(frozen=True)
class CheckpointSummary:
    """What the model lists show about one checkpoint file."""

    path: Path
    arch: str
    status: str  # "completed" or "stopped"
    epoch: int
    test_accuracy: float | None
    val_accuracy: float | None
    created: str  # ISO 8601 as the engine wrote it ("" when unknown)

    @property
    def display_name(self) -> str:
        """The architecture's name as the registry spells it, e.g. "LeNet-5"."""
        return get_architecture(self.arch).display_name

    @property
    def created_local(self) -> str:
        """Creation time in local time, to the minute ("" when unknown)."""
        try:
            return datetime.fromisoformat(self.created).astimezone().strftime("%Y-%m-%d %H:%M")
        except (ValueError, OverflowError, OSError):  # also a date beyond what local time can show
            return ""

    def accuracy_text(self) -> str:
        """Test accuracy, else validation accuracy marked "val", else "no accuracy yet"."""
        if self.test_accuracy is not None:
            return f"{self.test_accuracy:.2%}"
        if self.val_accuracy is not None:
            return f"{self.val_accuracy:.2%} val"
        return "no accuracy yet"

    def describe(self) -> str:
        """One line for a combo box: "LeNet-5 · 98.58% · 2025-11-28 14:03 · lenet5.pt"."""
        parts = [self.display_name, self.accuracy_text()]
        if self.status != "completed":
            parts.append(f"{self.status} after {self.epoch} epoch{'s' if self.epoch != 1 else ''}")
        parts += [self.created_local, self.path.name]
        return " · ".join(part for part in parts if part)


def summarise(checkpoint: Checkpoint) -> CheckpointSummary:
    """The summary of a loaded checkpoint."""
    return CheckpointSummary(
        path=checkpoint.path,
        arch=checkpoint.arch,
        status=checkpoint.status,
        epoch=checkpoint.epoch,
        test_accuracy=checkpoint.metrics.get("test_accuracy"),
        val_accuracy=checkpoint.metrics.get("val_accuracy"),
        created=checkpoint.created,
    )


def read_summary(path: Path | str) -> CheckpointSummary:
    """Read one checkpoint's summary; raises ``CheckpointError`` with a one-line reason."""
    from mnist_studio.core.checkpoints import load_checkpoint

    return summarise(load_checkpoint(path))


@dataclass(frozen=True)
class SkippedCheckpoint:
    """A ``*.pt`` file a listing left out, and why (``message`` is the CheckpointError's line)."""

    path: Path
    reason: CheckpointProblem | None
    message: str


@dataclass(frozen=True)
class CheckpointScan:
    """What :func:`scan_checkpoints` found: the usable checkpoints and the files it skipped."""

    summaries: tuple[CheckpointSummary, ...]
    skipped: tuple[SkippedCheckpoint, ...]


def scan_checkpoints(folder: Path | str) -> CheckpointScan:
    """Summaries of the readable ``*.pt`` files directly in ``folder`` (registry order, newest
    first) and the files that could not be read, each with its reason; a missing folder has none.

    An empty ``.pt`` file is a name reserved by a run still training (or killed before it
    saved) and is in neither list. Stale temporary files of our own writes are cleaned up.
    """
    from mnist_studio.core.checkpoints import CheckpointError

    folder = Path(folder)
    if not folder.is_dir():
        return CheckpointScan((), ())
    remove_stale_temporaries(folder)
    summaries: list[CheckpointSummary] = []
    skipped: list[SkippedCheckpoint] = []
    for path in sorted(folder.glob(f"*{CHECKPOINT_SUFFIX}")):
        if _is_reservation(path):
            continue
        try:
            summaries.append(read_summary(path))
        except CheckpointError as error:
            skipped.append(SkippedCheckpoint(path, error.reason, str(error)))
    order = list(ARCHITECTURES)
    summaries.sort(key=lambda summary: summary.created, reverse=True)
    summaries.sort(key=lambda summary: order.index(summary.arch))
    return CheckpointScan(tuple(summaries), tuple(skipped))


def _is_reservation(path: Path) -> bool:
    try:
        status = path.lstat()
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_size == 0


def list_checkpoints(folder: Path | str) -> list[CheckpointSummary]:
    """The summaries of :func:`scan_checkpoints`; unreadable files are left out (opening one names the problem)."""
    return list(scan_checkpoints(folder).summaries)
