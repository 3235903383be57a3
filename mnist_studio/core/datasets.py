"""What a run trains on: normalised, device-resident images with their labels, from a data source.

A :class:`DataSource` turns a run's configuration into :class:`TrainingData` once per run.
:class:`MnistSource` (the default) splits the MNIST training set into training and validation
images by the run's seed; other sources (e.g. MNIST mixed with the user's own digits) plug in
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.constants import VALIDATION_SIZE

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class TrainingData:
    """One run's data. Train/validation images are normalised floats (N, 1, 28, 28) on the device;
    the test set, scored when the run completes, stays as raw ``uint8`` images (M, 28, 28).

    A run with augmentation augments every training image, or only those ``augment_mask``
    marks. ``details`` (plain types) is what the checkpoint records about the data beyond its name.
    """

    name: str  # recorded in the checkpoint, e.g. "mnist"
    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    augment_mask: torch.Tensor | None = None  # (N,) bool on the device; None: all
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def train_count(self) -> int:
        """Number of training images."""
        return len(self.train_labels)

    def epoch_order(self, generator: torch.Generator) -> torch.Tensor:
        """The order of the training images for one epoch (a permutation; batches are its slices)."""
        import torch

        return torch.randperm(self.train_count, generator=generator)


class DataSource(Protocol):
    """Anything that can prepare a run's data."""

    def prepare(self, config: TrainingConfig, device: torch.device) -> TrainingData:
        """The data for a run of ``config`` on ``device`` (called once per run, on the run's thread)."""
        ...


class MnistSource:
    """MNIST: 5,000 validation images fixed by the seed, the rest (or ``config.subset`` of them) to train."""

    name = "mnist"

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    def prepare(self, config: TrainingConfig, device: torch.device) -> TrainingData:
        """Load MNIST (once per process) and split it on ``device``; raises ``DatasetError``."""
        from mnist_studio.core.data import load_mnist, make_splits

        arrays = load_mnist(self._folder)
        splits = make_splits(
            arrays, validation_size=VALIDATION_SIZE, seed=config.seed, device=device, subset=config.subset
        )
        return TrainingData(
            name=self.name,
            train_images=splits.train_images,
            train_labels=splits.train_labels,
            val_images=splits.val_images,
            val_labels=splits.val_labels,
            test_images=arrays.test_images,
            test_labels=arrays.test_labels,
        )
