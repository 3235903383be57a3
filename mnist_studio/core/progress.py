"""Immutable progress records that a training run yields; safe to pass between threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class StepProgress:
    """Emitted a few times a second: the losses of every step since the previous record."""

    epoch: int  # 1-based
    epochs: int
    step: int  # global steps done, 1-based
    total_steps: int
    first_step: int  # global step of losses[0]
    losses: tuple[float, ...]
    learning_rate: float
    images_per_second: float
    eta_seconds: float
    elapsed_seconds: float

    @property
    def loss(self) -> float:
        """Mean training loss over the steps this record covers."""
        return sum(self.losses) / len(self.losses)


@dataclass(frozen=True)
class EpochProgress:
    """Emitted at the end of each epoch, after validation."""

    epoch: int
    epochs: int
    step: int
    train_loss: float
    val_loss: float
    val_accuracy: float  # 0-1
    seconds: float  # training time of this epoch, pauses excluded


@dataclass(frozen=True)
class TrainingFinished:
    """The last record of every run: how it ended and where its checkpoint went."""

    status: str  # "completed", "stopped" or "failed"
    message: str
    epochs_completed: int
    step: int
    val_accuracy: float | None
    test_accuracy: float | None
    train_seconds: float
    images_per_second: float
    checkpoint_path: str | None

    @property
    def succeeded(self) -> bool:
        """True when the run trained every epoch."""
        return self.status == "completed"


Progress = Union[StepProgress, EpochProgress, TrainingFinished]


def format_duration(seconds: float) -> str:
    """``75`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
