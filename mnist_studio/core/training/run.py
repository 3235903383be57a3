"""One run's working state: what it trains with and how far it has come, saved and restored whole.

:class:`TrainingRun` bundles the model, optimizer, schedule, data and random generator with the
counters of :class:`RunProgress`, so the training loop passes one object around. A stopped run
saves :meth:`TrainingRun.training_state` in its checkpoint; :meth:`TrainingRun.restore` checks
every saved value before using it, so a damaged or crafted file is refused with one line
instead of failing steps or epochs later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.datasets import TrainingData
from mnist_studio.core.training.errors import TrainingError, TrainingProblem
from mnist_studio.core.values import is_finite_number, is_whole

HISTORY_KEYS = ("epoch", "train_loss", "val_loss", "val_accuracy", "seconds")


@dataclass
class RunProgress:
    """How far a run has come (mutable; owned by the run's thread)."""

    epoch: int = 0  # epochs completed
    step: int = 0  # global steps completed
    step_in_epoch: int = 0
    epoch_order: torch.Tensor | None = None  # this epoch's permutation of the training images
    history: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    images_seen: int = 0
    # The current epoch's running totals, saved on stop so a resumed epoch reports the whole epoch.
    epoch_loss_sum: float = 0.0
    epoch_seconds: float = 0.0


@dataclass
class TrainingRun:
    """Everything one run trains with, prepared once."""

    config: TrainingConfig
    device: torch.device
    model: nn.Module
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LRScheduler
    data_generator: torch.Generator  # batch order and augmentation
    data: TrainingData
    steps_per_epoch: int
    precision: str  # "fp32" or "bf16" (autocast)
    forward: Callable[[torch.Tensor], torch.Tensor]  # the model, or its compiled form
    progress: RunProgress = field(default_factory=RunProgress)
    compile_error: str | None = None  # set when compiling failed, until the loop has reported it
    initial_val_accuracy: float | None = None  # the starting weights' validation accuracy (fine-tuning)

    @property
    def compiled(self) -> bool:
        """True while training runs through the compiled model."""
        return self.forward is not self.model

    @property
    def total_steps(self) -> int:
        """Steps of the whole run."""
        return self.steps_per_epoch * self.config.epochs

    @property
    def learning_rate(self) -> float:
        """The rate in effect for the next step."""
        return float(self.optimizer.param_groups[0]["lr"])

    def epoch_order(self) -> torch.Tensor:
        """This epoch's order of the training images, drawn when the epoch begins."""
        if self.progress.epoch_order is None:
            self.progress.epoch_order = self.data.epoch_order(self.data_generator)
        return self.progress.epoch_order

    def training_state(self) -> dict[str, Any]:
        """What a stopped run saves so that resuming continues it exactly."""
        progress = self.progress
        return {
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "data_rng": self.data_generator.get_state(),
            "torch_rng": torch.get_rng_state(),
            "step_in_epoch": progress.step_in_epoch,
            "epoch_order": progress.epoch_order,
            "epoch_loss_sum": progress.epoch_loss_sum,
            "epoch_seconds": progress.epoch_seconds,
        }

    def metrics(self) -> dict[str, Any]:
        """The run's metrics so far, as its checkpoint records them."""
        progress = self.progress
        seconds = progress.train_seconds
        return {
            "history": progress.history,
            "val_accuracy": progress.history[-1]["val_accuracy"] if progress.history else None,
            "train_seconds": seconds,
            "images_seen": progress.images_seen,
            "images_per_second": progress.images_seen / seconds if seconds else 0.0,
            "device": str(self.device),
            "threads": torch.get_num_threads(),
            "data": self.data.name,
            "precision": self.precision,
            "compiled": self.compiled,
        } | ({"data_details": self.data.details} if self.data.details else {})

    def restore(self, path: Path, model_state: dict[str, torch.Tensor], epoch: int, step: int,
                saved: dict[str, Any], metrics: dict[str, Any]) -> None:
        """Continue from a stopped run's checkpoint; raises ``TrainingError`` if anything does not fit."""
        try:
            self._restore(model_state, epoch, step, saved, metrics)
        except _Unfit as problem:
            raise _cannot_resume(path, str(problem)) from None
        except (KeyError, RuntimeError, TypeError, ValueError, IndexError) as error:
            detail = f"{type(error).__name__}: {error}".splitlines()[0]
            raise _cannot_resume(path, detail) from None

    def _restore(self, model_state: dict[str, torch.Tensor], epoch: int, step: int,
                 saved: dict[str, Any], metrics: dict[str, Any]) -> None:
        steps_per_epoch = self.steps_per_epoch
        step_in_epoch = _whole(saved["step_in_epoch"], "step_in_epoch", 0, steps_per_epoch - 1)
        _whole(epoch, "epoch", 0, self.config.epochs - 1)
        if step != epoch * steps_per_epoch + step_in_epoch:
            raise _Unfit(f"its step count ({step}) does not fit its epochs and batch size")
        order = saved["epoch_order"]
        if order is not None:
            count = self.data.train_count
            if not isinstance(order, torch.Tensor) or order.dtype != torch.int64 or order.shape != (count,):
                raise _Unfit("its data order does not fit the training images")
            if not torch.equal(order.sort().values, torch.arange(count)):
                raise _Unfit("its data order is not an order of the training images")
        elif step_in_epoch:
            raise _Unfit("it stopped inside an epoch but has no data order")
        history = metrics["history"]
        if not isinstance(history, list) or len(history) != epoch or not all(_is_epoch_record(r) for r in history):
            raise _Unfit("its epoch history does not fit its epoch count")
        self.model.load_state_dict(model_state)
        self.optimizer.load_state_dict(saved["optimizer"])
        _check_optimizer_state(self.optimizer)
        self.schedule.load_state_dict(saved["schedule"])
        if getattr(self.schedule, "total_steps", self.total_steps) != self.total_steps:
            raise _Unfit("its learning-rate schedule was made for a different number of steps")
        self.data_generator.set_state(saved["data_rng"])
        torch.set_rng_state(saved["torch_rng"])
        self.progress = RunProgress(
            epoch=epoch,
            step=step,
            step_in_epoch=step_in_epoch,
            epoch_order=order,
            history=[dict(record) for record in history],
            train_seconds=_real(metrics["train_seconds"], "train_seconds"),
            images_seen=_whole(metrics["images_seen"], "images_seen", 0, 2**62),
            epoch_loss_sum=_real(saved["epoch_loss_sum"], "epoch_loss_sum"),
            epoch_seconds=_real(saved["epoch_seconds"], "epoch_seconds"),
        )


class _Unfit(Exception):
    """A saved value that does not fit the run (worded for the user)."""


def _cannot_resume(path: Path, detail: str) -> TrainingError:
    return TrainingError(
        TrainingProblem.RESUME_STATE_INVALID,
        f"{path}: cannot resume from this checkpoint ({detail})",
        path=path,
        detail=detail,
    )


def _whole(value: Any, name: str, low: int, high: int) -> int:
    if not is_whole(value) or not low <= value <= high:
        raise _Unfit(f"{name} is {value!r}, not a whole number from {low} to {high}")
    return value


def _real(value: Any, name: str) -> float:
    if not is_finite_number(value):
        raise _Unfit(f"{name} is {value!r}, not a finite number")
    if value < 0:
        raise _Unfit(f"{name} is negative")
    return float(value)


def _is_epoch_record(record: Any) -> bool:
    return isinstance(record, dict) and all(is_finite_number(record.get(key)) for key in HISTORY_KEYS)


def _check_optimizer_state(optimizer: torch.optim.Optimizer) -> None:
    """Every saved moment must have its parameter's shape and be finite (else steps fail or diverge later)."""
    for group in optimizer.param_groups:
        for parameter in group["params"]:
            for name, value in optimizer.state.get(parameter, {}).items():
                if not isinstance(value, torch.Tensor):
                    continue
                if value.dim() and value.shape != parameter.shape:
                    raise _Unfit(f"its optimizer state ({name}) does not fit the model's weights")
                if value.is_floating_point() and not torch.isfinite(value).all():
                    raise _Unfit(f"its optimizer state ({name}) holds values that are not finite")
