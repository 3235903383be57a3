"""The training engine: a generator of progress records that a CLI or a Qt worker drives.

``Trainer.run()`` yields :mod:`~mnist_studio.core.progress` records. ``stop()``, ``pause()``
and ``resume()`` may be called from any thread and take effect before the next step.
"""

from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import torch
from torch import nn

from mnist_studio.core import paths
from mnist_studio.core.augment import random_affine
from mnist_studio.core.checkpoints import Checkpoint, build_payload, save_checkpoint
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.constants import VALIDATION_SIZE
from mnist_studio.core.data import TrainingSplits, load_mnist, make_splits
from mnist_studio.core.devices import default_cpu_threads, resolve_device
from mnist_studio.core.evaluation import evaluate, test_set_metrics
from mnist_studio.core.progress import EpochProgress, Progress, StepProgress, TrainingFinished
from mnist_studio.core.registry import build_model

REPORT_INTERVAL_SECONDS = 0.25


class TrainingError(Exception):
    """A run cannot start (unknown device, unreadable data, a resume file that does not fit)."""


def default_checkpoint_path(config: TrainingConfig) -> Path:
    """A fresh file name in the runs folder: ``{arch}-{YYYYmmdd-HHMMSS}.pt`` (``-2``, ... if taken)."""
    stem = f"{config.arch}-{time.strftime('%Y%m%d-%H%M%S')}"
    path = paths.runs_dir() / f"{stem}.pt"
    number = 2
    while path.exists():
        path = paths.runs_dir() / f"{stem}-{number}.pt"
        number += 1
    return path


def _check_writable(path: Path) -> None:
    """Fail before training, not after it, when the checkpoint cannot be written."""
    if path.is_dir():
        raise TrainingError(f"{path} is a folder; give a file name for the checkpoint")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TrainingError(f"cannot create the folder {path.parent} ({error.strerror or error})") from None
    if not os.access(path.parent, os.W_OK):
        raise TrainingError(f"cannot write a checkpoint into {path.parent} (permission denied)")


def build_optimizer(config: TrainingConfig, model: nn.Module) -> torch.optim.Optimizer:
    """The optimizer the config names, with its learning rate and weight decay."""
    parameters = model.parameters()
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            parameters, lr=config.learning_rate, momentum=0.9, nesterov=True, weight_decay=config.weight_decay
        )
    optimizer_class = torch.optim.AdamW if config.optimizer == "adamw" else torch.optim.Adam
    return optimizer_class(parameters, lr=config.learning_rate, weight_decay=config.weight_decay)


def build_schedule(
    config: TrainingConfig, optimizer: torch.optim.Optimizer, total_steps: int
) -> torch.optim.lr_scheduler.LRScheduler:
    """OneCycle over the whole run (peak = the configured rate) or a constant rate."""
    if config.schedule == "onecycle":
        # OneCycleLR divides by zero when its warm-up ends at step 0 (a run of 4 steps at 0.25), so
        # very short runs warm up for a larger share; from 8 steps on the share is the usual 0.25.
        warm_up = min(0.75, max(0.25, 2 / total_steps))
        return torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=config.learning_rate, total_steps=total_steps, pct_start=warm_up
        )
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0, total_iters=0)


@dataclass
class _RunState:
    """Mutable bookkeeping of one run (private to the generator's thread)."""

    epoch: int = 0  # epochs completed
    step: int = 0  # global steps completed
    step_in_epoch: int = 0
    epoch_order: torch.Tensor | None = None
    history: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    images_seen: int = 0
    # The current epoch's running totals, saved on stop so a resumed epoch reports the whole epoch.
    epoch_loss_sum: float = 0.0
    epoch_seconds: float = 0.0


class Trainer:
    """Trains one model by one ``TrainingConfig``; iterate :meth:`run` to drive it.

    ``checkpoint_path`` is where the run's single checkpoint goes (default: a new file in the
    runs folder); ``resume_from`` continues a stopped run exactly where it stopped.
    """

    def __init__(
        self,
        config: TrainingConfig,
        *,
        checkpoint_path: Path | str | None = None,
        resume_from: Checkpoint | None = None,
        data_folder: Path | None = None,
        report_interval: float = REPORT_INTERVAL_SECONDS,
    ) -> None:
        self.config = resume_from.config if resume_from is not None else config
        self.checkpoint_path = Path(checkpoint_path) if checkpoint_path else default_checkpoint_path(self.config)
        self.model: nn.Module | None = None
        self._resume_from = resume_from
        self._data_folder = data_folder
        self._report_interval = report_interval
        self._stop_requested = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()

    def stop(self) -> None:
        """Ask the run to end before its next step; a paused run stops too."""
        self._stop_requested.set()
        self._unpaused.set()

    def pause(self) -> None:
        """Hold the run before its next step until :meth:`resume` or :meth:`stop`."""
        self._unpaused.clear()

    def resume(self) -> None:
        """Continue a paused run."""
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        """True while a pause is requested."""
        return not self._unpaused.is_set()

    def run(self) -> Iterator[Progress]:
        """Train, yielding step, epoch and (last) finished records. Raises ``TrainingError``."""
        config = self.config
        try:
            device = resolve_device(config.device)
        except ValueError as error:
            raise TrainingError(str(error)) from None
        _check_writable(self.checkpoint_path)
        if device.type == "cpu":
            torch.set_num_threads(config.threads or default_cpu_threads())
        torch.manual_seed(config.seed)
        model = build_model(config.arch).to(device)
        self.model = model
        splits = make_splits(
            load_mnist(self._data_folder),
            validation_size=VALIDATION_SIZE,
            seed=config.seed,
            device=device,
            subset=config.subset,
        )
        steps_per_epoch = math.ceil(len(splits.train_labels) / config.batch_size)
        total_steps = steps_per_epoch * config.epochs
        optimizer = build_optimizer(config, model)
        schedule = build_schedule(config, optimizer, total_steps)
        data_generator = torch.Generator().manual_seed(config.seed + 1)
        state = _RunState()
        if self._resume_from is not None:
            self._restore(self._resume_from, model, optimizer, schedule, data_generator, state, len(splits.train_labels))
        yield from self._train(model, splits, optimizer, schedule, data_generator, state, steps_per_epoch, total_steps)

    def _restore(
        self,
        checkpoint: Checkpoint,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        schedule: torch.optim.lr_scheduler.LRScheduler,
        data_generator: torch.Generator,
        state: _RunState,
        train_count: int,
    ) -> None:
        saved = checkpoint.training_state
        if checkpoint.status != "stopped" or not saved:
            raise TrainingError(f"{checkpoint.path}: this run finished; there is nothing to resume")
        try:
            model.load_state_dict(checkpoint.model_state)
            optimizer.load_state_dict(saved["optimizer"])
            schedule.load_state_dict(saved["schedule"])
            data_generator.set_state(saved["data_rng"])
            torch.set_rng_state(saved["torch_rng"])
            state.epoch, state.step = checkpoint.epoch, checkpoint.step
            state.step_in_epoch = int(saved["step_in_epoch"])
            state.epoch_order = saved["epoch_order"]
            state.epoch_loss_sum = float(saved["epoch_loss_sum"])
            state.epoch_seconds = float(saved["epoch_seconds"])
            state.history = list(checkpoint.metrics["history"])
            state.train_seconds = float(checkpoint.metrics["train_seconds"])
            state.images_seen = int(checkpoint.metrics["images_seen"])
        except (KeyError, RuntimeError, TypeError, ValueError) as error:
            raise TrainingError(f"{checkpoint.path}: cannot resume from this checkpoint ({error})") from None
        if state.epoch_order is not None and (
            not isinstance(state.epoch_order, torch.Tensor) or len(state.epoch_order) != train_count
        ):
            raise TrainingError(f"{checkpoint.path}: cannot resume from this checkpoint (its data order does not fit)")

    def _train(
        self,
        model: nn.Module,
        splits: TrainingSplits,
        optimizer: torch.optim.Optimizer,
        schedule: torch.optim.lr_scheduler.LRScheduler,
        data_generator: torch.Generator,
        state: _RunState,
        steps_per_epoch: int,
        total_steps: int,
    ) -> Iterator[Progress]:
        config = self.config
        device = splits.train_images.device
        train_count = len(splits.train_labels)
        model.train()
        # The live tensors behind the weights and buffers, and a copy of them as they were before the
        # last step that produced a finite loss: a diverged run gives those back (the last good weights).
        live_tensors = list(model.state_dict().values())
        last_good = [tensor.clone() for tensor in live_tensors]
        pending_losses: list[float] = []
        last_report = time.perf_counter()
        while state.epoch < config.epochs:
            if state.epoch_order is None:
                state.epoch_order = torch.randperm(train_count, generator=data_generator)
            order = state.epoch_order.to(device)
            while state.step_in_epoch < steps_per_epoch:
                if not self._unpaused.is_set():
                    self._unpaused.wait()
                    last_report = time.perf_counter()
                if self._stop_requested.is_set():
                    if pending_losses:
                        yield self._step_record(state, pending_losses, optimizer, total_steps)
                    yield self._finish_stopped(model, optimizer, schedule, data_generator, state)
                    return
                started = time.perf_counter()
                index = order[state.step_in_epoch * config.batch_size : (state.step_in_epoch + 1) * config.batch_size]
                images, labels = splits.train_images[index], splits.train_labels[index]
                if config.augment:
                    images = random_affine(images, data_generator)
                loss = nn.functional.cross_entropy(model(images), labels)
                loss_value = loss.item()
                if not math.isfinite(loss_value):
                    for live, good in zip(live_tensors, last_good):
                        live.copy_(good)
                    if pending_losses:
                        yield self._step_record(state, pending_losses, optimizer, total_steps)
                    yield self._finish_failed(state, loss_value)
                    return
                for good, live in zip(last_good, live_tensors):  # costs under 1% of a step, even for the MLP
                    good.copy_(live)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                now = time.perf_counter()
                state.train_seconds += now - started
                state.epoch_seconds += now - started
                state.step += 1
                state.step_in_epoch += 1
                state.images_seen += len(labels)
                state.epoch_loss_sum += loss_value
                pending_losses.append(loss_value)
                if now - last_report >= self._report_interval or state.step_in_epoch == steps_per_epoch:
                    yield self._step_record(state, pending_losses, optimizer, total_steps)
                    pending_losses = []
                    last_report = time.perf_counter()
            validation = evaluate(model, splits.val_images, splits.val_labels)
            record = EpochProgress(
                epoch=state.epoch + 1,
                epochs=config.epochs,
                step=state.step,
                train_loss=state.epoch_loss_sum / steps_per_epoch,
                val_loss=validation.loss,
                val_accuracy=validation.accuracy,
                seconds=state.epoch_seconds,
            )
            state.epoch += 1
            state.step_in_epoch = 0
            state.epoch_order = None
            state.epoch_loss_sum = state.epoch_seconds = 0.0
            state.history.append(
                {key: getattr(record, key) for key in ("epoch", "train_loss", "val_loss", "val_accuracy", "seconds")}
            )
            yield record
        yield self._finish_completed(model, state)

    def _step_record(
        self, state: _RunState, losses: list[float], optimizer: torch.optim.Optimizer, total_steps: int
    ) -> StepProgress:
        images_per_second = state.images_seen / state.train_seconds if state.train_seconds > 0 else 0.0
        seconds_per_step = state.train_seconds / max(1, state.step)
        return StepProgress(
            epoch=state.epoch + 1,
            epochs=self.config.epochs,
            step=state.step,
            total_steps=total_steps,
            first_step=state.step - len(losses) + 1,
            losses=tuple(losses),
            learning_rate=optimizer.param_groups[0]["lr"],
            images_per_second=images_per_second,
            eta_seconds=seconds_per_step * (total_steps - state.step),
            elapsed_seconds=state.train_seconds,
        )

    def _metrics(self, state: _RunState) -> dict[str, Any]:
        return {
            "history": state.history,
            "val_accuracy": state.history[-1]["val_accuracy"] if state.history else None,
            "train_seconds": state.train_seconds,
            "images_seen": state.images_seen,
            "images_per_second": state.images_seen / state.train_seconds if state.train_seconds else 0.0,
            "device": str(next(self.model.parameters()).device) if self.model is not None else "",
            "threads": torch.get_num_threads(),
        }

    def _finished(self, state: _RunState, status: str, message: str, **extra: Any) -> TrainingFinished:
        metrics = self._metrics(state)
        return TrainingFinished(
            status=status,
            message=message,
            epochs_completed=state.epoch,
            step=state.step,
            val_accuracy=metrics["val_accuracy"],
            train_seconds=state.train_seconds,
            images_per_second=metrics["images_per_second"],
            test_accuracy=extra.get("test_accuracy"),
            checkpoint_path=extra.get("checkpoint_path"),
        )

    def _finish_completed(self, model: nn.Module, state: _RunState) -> TrainingFinished:
        arrays = load_mnist(self._data_folder)
        metrics = self._metrics(state) | test_set_metrics(model, arrays.test_images, arrays.test_labels)
        payload = build_payload(
            self.config, model, status="completed", epoch=state.epoch, step=state.step, metrics=metrics, training_state={}
        )
        path = self._save(payload)
        accuracy = metrics["test_accuracy"]
        message = f"Finished: test accuracy {accuracy:.2%}; checkpoint saved to {path}"
        return self._finished(state, "completed", message, test_accuracy=accuracy, checkpoint_path=str(path))

    def _finish_stopped(
        self,
        model: nn.Module,
        optimizer: torch.optim.Optimizer,
        schedule: torch.optim.lr_scheduler.LRScheduler,
        data_generator: torch.Generator,
        state: _RunState,
    ) -> TrainingFinished:
        training_state = {
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
            "data_rng": data_generator.get_state(),
            "torch_rng": torch.get_rng_state(),
            "step_in_epoch": state.step_in_epoch,
            "epoch_order": state.epoch_order,
            "epoch_loss_sum": state.epoch_loss_sum,
            "epoch_seconds": state.epoch_seconds,
        }
        payload = build_payload(
            self.config,
            model,
            status="stopped",
            epoch=state.epoch,
            step=state.step,
            metrics=self._metrics(state),
            training_state=training_state,
        )
        path = self._save(payload)
        message = f"Stopped at step {state.step}; resumable checkpoint saved to {path}"
        return self._finished(state, "stopped", message, checkpoint_path=str(path))

    def _save(self, payload: dict[str, Any]) -> Path:
        try:
            return save_checkpoint(self.checkpoint_path, payload)
        except OSError as error:
            raise TrainingError(
                f"could not write the checkpoint {self.checkpoint_path} ({error.strerror or error})"
            ) from None

    def _finish_failed(self, state: _RunState, loss_value: float) -> TrainingFinished:
        message = (
            f"Training diverged: the loss became {loss_value} at step {state.step + 1}. "
            f"Try a lower learning rate (now {self.config.learning_rate:g}). "
            "The model keeps its last good weights; no checkpoint was written."
        )
        return self._finished(state, "failed", message)
