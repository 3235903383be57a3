"""Fine-tuning a completed model on a personal set: the recipe, the plan, and before -> after.

:func:`plan_finetune` checks the parent checkpoint and the set, splits off the held-out share
and builds the run's configuration; :meth:`FineTunePlan.trainer` is an ordinary
:class:`~mnist_studio.core.training.Trainer` that any front end drives. Its checkpoint records
the parent (``metrics["parent"]``) and the data it saw (``metrics["data_details"]``).
The recipe and its defaults are :mod:`.recipe`'s.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.my_digits.images import DigitImages
from mnist_studio.core.my_digits.mixing import MyDigitsSource
from mnist_studio.core.my_digits.recipe import FEW_SAMPLES, FineTuneSettings, training_config
from mnist_studio.core.my_digits.split import HeldOutSplit, split_holdout

if TYPE_CHECKING:
    from mnist_studio.core.checkpoints import Checkpoint
    from mnist_studio.core.progress import RunStarted, TrainingFinished
    from mnist_studio.core.training import Trainer


class FineTuneProblem(str, enum.Enum):
    """Why a fine-tuning run cannot be planned."""

    PARENT_NOT_COMPLETED = "parent_not_completed"  # a stopped run is no model to start from
    TOO_FEW_IMAGES = "too_few_images"  # nothing left to train on or to hold out


class FineTuneError(Exception):
    """A fine-tuning run cannot start; ``str(error)`` is one English line, ``reason``/``facts`` for a GUI."""

    def __init__(self, reason: FineTuneProblem, text: str, **facts: Any) -> None:
        super().__init__(text)
        self.reason = reason
        self.facts = facts


@dataclass(frozen=True)
class Accuracies:
    """Accuracy (0-1) on the held-out personal images and on the 10,000 MNIST test images."""

    personal: float | None
    mnist_test: float | None


@dataclass(frozen=True, eq=False)
class FineTunePlan:
    """A fine-tuning run ready to start: the parent, the set, the split and the configuration."""

    parent: Checkpoint
    digits: DigitImages
    settings: FineTuneSettings
    config: TrainingConfig
    split: HeldOutSplit

    @property
    def train_counts(self) -> tuple[int, ...]:
        """Images per digit trained on."""
        return _per_digit(self.digits, self.split.train)

    @property
    def holdout_counts(self) -> tuple[int, ...]:
        """Images per digit held out for validation."""
        return _per_digit(self.digits, self.split.holdout)

    @property
    def missing_digits(self) -> tuple[int, ...]:
        """Digits the set has no image of."""
        return tuple(digit for digit, count in enumerate(self.digits.counts) if count == 0)

    @property
    def sparse_digits(self) -> tuple[int, ...]:
        """Digits with some images, but fewer than :data:`FEW_SAMPLES`."""
        return tuple(digit for digit, count in enumerate(self.digits.counts) if 0 < count < FEW_SAMPLES)

    def source(self) -> MyDigitsSource:
        """The data source of the run."""
        return MyDigitsSource(
            self.digits, self.split, mnist_share=self.settings.mnist_share, holdout_share=self.settings.holdout
        )

    def trainer(self, checkpoint_path: Path | str | None = None, **options: Any) -> Trainer:
        """The run's trainer (``options``: e.g. ``report_interval``); drive it like any other."""
        from mnist_studio.core.training import Trainer

        return Trainer(
            self.config,
            data=self.source(),
            initial_weights=self.parent,
            checkpoint_path=checkpoint_path,
            **options,
        )

    def before(self, started: RunStarted) -> Accuracies:
        """The parent's accuracies: on the held-out images (measured as the run started) and on MNIST."""
        return Accuracies(started.initial_val_accuracy, self.parent.test_accuracy)


def after(finished: TrainingFinished) -> Accuracies:
    """The fine-tuned model's accuracies (None for a run that did not complete)."""
    return Accuracies(finished.val_accuracy if finished.succeeded else None, finished.test_accuracy)


def _per_digit(digits: DigitImages, index: Any) -> tuple[int, ...]:
    counts = [0] * NUM_CLASSES
    for label in digits.labels[index]:
        counts[int(label)] += 1
    return tuple(counts)


def plan_finetune(parent: Checkpoint, digits: DigitImages, settings: FineTuneSettings) -> FineTunePlan:
    """Check and plan a run; raises ``FineTuneError`` or ``ConfigError`` (both one line)."""
    if parent.status != "completed":
        raise FineTuneError(
            FineTuneProblem.PARENT_NOT_COMPLETED,
            f"{parent.path}: a stopped run cannot be fine-tuned; finish it first (mnist-studio train --resume)",
            path=parent.path,
        )
    config = training_config(parent.arch, settings)
    split = split_holdout(digits.labels, digits.digests, settings.holdout, settings.seed)
    if not len(split.train) or not len(split.holdout):
        raise FineTuneError(
            FineTuneProblem.TOO_FEW_IMAGES,
            f"{digits.folder}: too few images to fine-tune ({digits.count}); it needs at least two of one digit, "
            "one to train on and one to check the result with",
            count=digits.count,
        )
    return FineTunePlan(parent, digits, settings, config, split)
