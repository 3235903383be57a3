"""The data a fine-tuning run trains on: the personal set mixed into every batch with MNIST images.

Every batch holds a fixed number of personal images (augmented: each pass sees them shifted,
turned and scaled a little differently) and of MNIST training images (as they are), so the
model learns the new style without forgetting MNIST. An epoch shows each personal training
image at least ``PERSONAL_SLOTS_PER_EPOCH / count`` times; validation is the held-out share of
the set; the final score, as for every run, is the MNIST test set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mnist_studio.core.datasets import TrainingData
from mnist_studio.core.my_digits.images import DigitImages
from mnist_studio.core.my_digits.split import HeldOutSplit

if TYPE_CHECKING:
    import torch

    from mnist_studio.core.config import TrainingConfig

DATA_NAME = "my-digits+mnist"
PERSONAL_SLOTS_PER_EPOCH = 1024  # personal images per epoch (repeats of a small set, each augmented anew)
MNIST_SEED_OFFSET = 7_919  # the MNIST images drawn differ from those of a plain run with the same seed


@dataclass(frozen=True, kw_only=True)
class MixedTrainingData(TrainingData):
    """Training images ``[0, personal_slots)`` are personal, the rest MNIST; each batch of an
    epoch takes ``personal_per_batch`` of the first and ``mnist_per_batch`` of the second."""

    personal_slots: int
    personal_per_batch: int
    mnist_per_batch: int

    def epoch_order(self, generator: torch.Generator) -> torch.Tensor:
        """Both parts shuffled on their own and dealt into the batches in their fixed shares."""
        import torch

        steps = self.personal_slots // self.personal_per_batch
        personal = torch.randperm(self.personal_slots, generator=generator).view(steps, self.personal_per_batch)
        mnist_count = self.train_count - self.personal_slots
        mnist = (self.personal_slots + torch.randperm(mnist_count, generator=generator)).view(steps, self.mnist_per_batch)
        return torch.cat([personal, mnist], 1).flatten()


def batch_shares(batch_size: int, mnist_share: float) -> tuple[int, int]:
    """Personal and MNIST images per batch: ``mnist_share`` of the batch is MNIST, at least one image personal."""
    mnist = min(batch_size - 1, round(batch_size * mnist_share))
    return batch_size - mnist, mnist


class MyDigitsSource:
    """A :class:`~mnist_studio.core.datasets.DataSource` for fine-tuning on a personal set."""

    name = DATA_NAME

    def __init__(self, digits: DigitImages, split: HeldOutSplit, *, mnist_share: float, holdout_share: float) -> None:
        if not len(split.train) or not len(split.holdout):
            raise ValueError("a fine-tuning split needs images both to train on and to hold out")
        self.digits = digits
        self.split = split
        self.mnist_share = mnist_share
        self.holdout_share = holdout_share

    def prepare(self, config: TrainingConfig, device: torch.device) -> MixedTrainingData:
        """Personal images (repeated to fill an epoch) and MNIST images in each batch's shares, on ``device``."""
        import torch

        from mnist_studio.core.data import load_mnist, normalise

        personal_per_batch, mnist_per_batch = batch_shares(config.batch_size, self.mnist_share)
        train_index = self.split.train
        steps = math.ceil(max(len(train_index), PERSONAL_SLOTS_PER_EPOCH) / personal_per_batch)
        personal_slots = steps * personal_per_batch
        slots = train_index[np.arange(personal_slots) % len(train_index)]  # every image equally often (±1)
        arrays = load_mnist()
        generator = torch.Generator().manual_seed(config.seed + MNIST_SEED_OFFSET)
        mnist_index = torch.randperm(len(arrays.train_labels), generator=generator)[: steps * mnist_per_batch]
        personal_images = torch.from_numpy(self.digits.images[slots])
        personal_labels = torch.from_numpy(self.digits.labels[slots])
        holdout = self.split.holdout
        return MixedTrainingData(
            name=self.name,
            train_images=normalise(torch.cat([personal_images, arrays.train_images[mnist_index]]), device),
            train_labels=torch.cat([personal_labels, arrays.train_labels[mnist_index]]).to(device),
            val_images=normalise(torch.from_numpy(self.digits.images[holdout]), device),
            val_labels=torch.from_numpy(self.digits.labels[holdout]).to(device),
            test_images=arrays.test_images,
            test_labels=arrays.test_labels,
            augment_mask=(torch.arange(personal_slots + len(mnist_index)) < personal_slots).to(device),
            details=self.details(mnist_images=len(mnist_index), personal_slots=personal_slots),
            personal_slots=personal_slots,
            personal_per_batch=personal_per_batch,
            mnist_per_batch=mnist_per_batch,
        )

    def details(self, *, mnist_images: int, personal_slots: int) -> dict[str, Any]:
        """What the checkpoint records about the data: the set, which images trained and which validated."""
        digests = self.digits.digests
        labels = self.digits.labels
        return {
            "personal_folder": str(self.digits.folder),
            "personal_train": [digests[index] for index in self.split.train],
            "personal_holdout": [digests[index] for index in self.split.holdout],
            "personal_train_per_digit": np.bincount(labels[self.split.train], minlength=10).tolist(),
            "personal_holdout_per_digit": np.bincount(labels[self.split.holdout], minlength=10).tolist(),
            "personal_slots_per_epoch": personal_slots,
            "mnist_images": mnist_images,
            "mnist_share": self.mnist_share,
            "holdout_share": self.holdout_share,
        }
