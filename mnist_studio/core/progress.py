"""Immutable records that a training run yields: facts for a front end to word, safe across threads.

A run yields one :class:`RunStarted`, then :class:`StepProgress` a few times a second,
:class:`EpochProgress` after each epoch, :class:`PausedProgress` whenever a pause takes hold,
:class:`CompilationFailed` if compiling the model failed (training goes on eagerly), and last
one :class:`TrainingFinished`. None of them holds a sentence: the CLI and the GUI
each word them in one place (so the GUI can translate them).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.files import OutputProblem


class RunStatus(str, enum.Enum):
    """How a run ended. The values are what checkpoints and ``--json`` output store."""

    COMPLETED = "completed"  # every epoch trained; the checkpoint holds test accuracy
    STOPPED = "stopped"  # stopped on request; the checkpoint can be resumed
    FAILED = "failed"  # the loss diverged; no checkpoint was written


class DivergenceReason(str, enum.Enum):
    """Why a run was judged to have diverged."""

    NON_FINITE = "non_finite"  # the loss became NaN or infinite
    EXPLODED = "exploded"  # the loss stayed far above its starting value
    NO_PROGRESS = "no_progress"  # after a whole epoch the model was no better than chance


@dataclass(frozen=True)
class Divergence:
    """The facts of a diverged run: at which step, what the loss was, at which learning rate."""

    reason: DivergenceReason
    step: int  # global step (1-based) whose loss gave it away
    loss: float  # that loss (may be nan or inf)
    learning_rate: float  # the rate in effect at that step
    configured_learning_rate: float  # the (peak) rate the run was configured with


@dataclass(frozen=True)
class RunStarted:
    """The first record: what is about to train, where, on how much data."""

    config: TrainingConfig
    device: str  # the device really used, e.g. "cpu" or "cuda" (never "auto")
    threads: int | None  # CPU threads, None on an accelerator
    train_images: int
    validation_images: int
    steps_per_epoch: int
    total_steps: int
    resumed_at_step: int | None  # a resumed run's first step minus one, else None
    initial_weights: Path | None  # the checkpoint a fine-tuning run starts from, else None
    data_name: str  # what it trains on, e.g. "mnist"
    precision: str  # really used: "fp32" or "bf16"
    compiled: bool  # the model is compiled (the first step compiles it: seconds to a minute)
    initial_val_accuracy: float | None = None  # fine-tuning: the starting weights on the validation set


@dataclass(frozen=True)
class CompilationFailed:
    """torch.compile failed on the first step; the run goes on with the eager model."""

    error: str  # the exception's type and first line


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

    @property
    def step_in_epoch(self) -> int:
        """Steps done in the current epoch (1-based)."""
        return self.step - (self.epoch - 1) * self.steps_per_epoch

    @property
    def steps_per_epoch(self) -> int:
        """Steps in one epoch."""
        return max(1, self.total_steps // self.epochs)


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
class PausedProgress:
    """Emitted when a pause takes hold: no step runs until the run is resumed or stopped."""

    epoch: int  # 1-based epoch the run is in
    step: int  # global steps done


@dataclass(frozen=True)
class TrainingFinished:
    """The last record of every run: how it ended and where its checkpoint went."""

    status: RunStatus
    epochs: int
    epochs_completed: int
    step: int
    val_accuracy: float | None
    test_accuracy: float | None
    train_seconds: float
    images_per_second: float
    checkpoint_path: Path | None  # None for a failed run (it writes none), or when no folder could hold it
    divergence: Divergence | None = None  # set for a failed run
    save_problem: OutputProblem | None = None  # why the checkpoint could not go where it was asked
    requested_path: Path | None = None  # where it was asked to go, when it went elsewhere (or nowhere)

    @property
    def succeeded(self) -> bool:
        """True when the run trained every epoch."""
        return self.status is RunStatus.COMPLETED


Progress = Union[RunStarted, StepProgress, EpochProgress, PausedProgress, CompilationFailed, TrainingFinished]


def format_duration(seconds: float) -> str:
    """``75`` -> ``1:15``; ``3725`` -> ``1:02:05``."""
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
