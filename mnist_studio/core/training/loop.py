"""The training loop: a generator of progress records that a CLI or a Qt worker drives.

``Trainer.run()`` yields :mod:`~mnist_studio.core.progress` records. ``stop()``, ``pause()``
and ``resume()`` may be called from any thread and take effect before the next step. Losses
stay on the training device until a report (a few times a second) reads them all at once, so
the loop never waits for the device between steps; divergence is judged at those reports.
"""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import torch
from torch import nn

from mnist_studio.core.augment import random_affine
from mnist_studio.core.checkpoints import Checkpoint, build_payload, reserve_run_path, save_checkpoint, save_fallback
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.datasets import DataSource, MnistSource
from mnist_studio.core.devices import available_devices, default_cpu_threads, resolve_device
from mnist_studio.core.evaluation import evaluate, test_set_metrics
from mnist_studio.core.files import OutputPathError, check_output_target, release_reserved_path
from mnist_studio.core.progress import (
    CompilationFailed,
    Divergence,
    DivergenceReason,
    EpochProgress,
    PausedProgress,
    Progress,
    RunStarted,
    RunStatus,
    StepProgress,
    TrainingFinished,
)
from mnist_studio.core.registry import build_model
from mnist_studio.core.training.acceleration import autocast, compiled, resolve_precision
from mnist_studio.core.training.divergence import DivergenceWatch, Verdict
from mnist_studio.core.training.errors import TrainingError, TrainingProblem
from mnist_studio.core.training.optimization import build_optimizer, build_schedule
from mnist_studio.core.training.run import HISTORY_KEYS, TrainingRun

REPORT_INTERVAL_SECONDS = 0.25


class _Diverged(Exception):
    """Raised inside the loop when the losses show divergence; ``run()`` ends the run failed."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.reason.value)
        self.verdict = verdict


class Trainer:
    """Trains one model by one ``TrainingConfig``; iterate :meth:`run` to drive it.

    ``data`` is what it trains on (MNIST by default); ``initial_weights`` a completed checkpoint
    of the same architecture to start from (fine-tuning) instead of fresh weights;
    ``checkpoint_path`` where the run's single checkpoint goes (default: a new name in the runs
    folder, reserved when the run starts); it is checked before training, and if writing it
    still fails at the end the checkpoint goes to the runs (or temporary) folder instead, so a
    trained model is never lost. :meth:`resuming` continues a stopped run exactly where it stopped.
    """

    def __init__(
        self,
        config: TrainingConfig,
        *,
        data: DataSource | None = None,
        initial_weights: Checkpoint | None = None,
        checkpoint_path: Path | str | None = None,
        report_interval: float = REPORT_INTERVAL_SECONDS,
    ) -> None:
        self.config = config
        # As given (a str keeps a trailing "/", which names a folder); None: reserved at start.
        self._requested_path = os.fspath(checkpoint_path) if checkpoint_path else None
        self.checkpoint_path: Path | None = Path(checkpoint_path) if checkpoint_path else None
        self._reserved = False  # the checkpoint name is an empty file this run created
        self.model: nn.Module | None = None
        self._data = data if data is not None else MnistSource()
        self._initial_weights = initial_weights
        self._resume_from: Checkpoint | None = None
        self._report_interval = report_interval
        self._stop_requested = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()

    @classmethod
    def resuming(
        cls,
        checkpoint: Checkpoint,
        *,
        device: str | None = None,
        threads: int | None = None,
        data: DataSource | None = None,
        checkpoint_path: Path | str | None = None,
        report_interval: float = REPORT_INTERVAL_SECONDS,
    ) -> Trainer:
        """A trainer that continues the stopped run of ``checkpoint`` (written back to it by default).

        It keeps the run's saved recipe. ``device`` and ``threads`` may differ from the saved ones;
        a saved device this machine lacks becomes ``auto``. Results are bit-identical to an
        uninterrupted run only on the same device.
        """
        saved_device = checkpoint.config.device
        if device is None:
            device = saved_device if saved_device == "auto" or saved_device in available_devices() else "auto"
        config = dataclasses.replace(checkpoint.config, device=device, threads=threads or checkpoint.config.threads)
        trainer = cls(
            config, data=data, checkpoint_path=checkpoint_path or checkpoint.path, report_interval=report_interval
        )
        trainer._resume_from = checkpoint
        return trainer

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
        """Train, yielding a start record, step/epoch/pause records, and last a finished record.

        Raises ``TrainingError`` (before training) when the run cannot start.
        """
        try:
            run = self._prepare()
            watch = DivergenceWatch(run.model)
            yield self._started(run)
            try:
                yield from self._train(run, watch)
            except _Diverged as diverged:
                if diverged.verdict.reason is not DivergenceReason.NO_PROGRESS:
                    watch.restore_last_good(diverged.verdict)
                yield self._finished(run, RunStatus.FAILED, divergence=self._divergence(run, diverged.verdict))
        finally:
            if self._reserved and self.checkpoint_path is not None:
                release_reserved_path(self.checkpoint_path)  # only while still the empty reservation

    def _train(self, run: TrainingRun, watch: DivergenceWatch) -> Iterator[Progress]:
        progress = run.progress
        pending: list[torch.Tensor] = []  # losses of the steps since the last report, on the device
        last_report = time.perf_counter()
        while progress.epoch < run.config.epochs:
            order = run.epoch_order().to(run.device)
            while progress.step_in_epoch < run.steps_per_epoch:
                if self.paused or self._stop_requested.is_set():
                    yield from self._report(run, pending, watch)
                    if self.paused:
                        yield PausedProgress(epoch=progress.epoch + 1, step=progress.step)
                        self._unpaused.wait()
                        last_report = time.perf_counter()
                    if self._stop_requested.is_set():
                        yield self._finish_stopped(run)
                        return
                pending.append(self._train_step(run, order))
                if run.compile_error is not None:
                    yield CompilationFailed(error=run.compile_error)
                    run.compile_error = None
                now = time.perf_counter()
                if now - last_report >= self._report_interval or progress.step_in_epoch == run.steps_per_epoch:
                    yield from self._report(run, pending, watch)
                    last_report = time.perf_counter()
            yield from self._end_epoch(run, watch)
        yield self._finish_completed(run)

    def _train_step(self, run: TrainingRun, order: torch.Tensor) -> torch.Tensor:
        """One optimisation step on the next batch; returns its loss (still on the device)."""
        started = time.perf_counter()
        progress, batch_size = run.progress, run.config.batch_size
        batch = order[progress.step_in_epoch * batch_size : (progress.step_in_epoch + 1) * batch_size]
        images, labels = run.data.train_images[batch], run.data.train_labels[batch]
        if run.config.augment:
            augmented = random_affine(images, run.data_generator)
            mask = run.data.augment_mask
            # torch.where rather than warping only the masked rows: boolean indexing waits for the device.
            images = augmented if mask is None else torch.where(mask[batch].view(-1, 1, 1, 1), augmented, images)
        loss = self._loss(run, images, labels)
        run.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        run.optimizer.step()
        run.schedule.step()
        elapsed = time.perf_counter() - started
        progress.train_seconds += elapsed
        progress.epoch_seconds += elapsed
        progress.step += 1
        progress.step_in_epoch += 1
        progress.images_seen += len(labels)
        return loss.detach()

    @staticmethod
    def _loss(run: TrainingRun, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The batch's loss; a compiled model that fails (on its first call) is dropped for the eager one."""
        try:
            with autocast(run.precision, run.device):
                return nn.functional.cross_entropy(run.forward(images), labels)
        except Exception as error:  # noqa: BLE001 - any compiler failure: the eager model still trains
            if not run.compiled:
                raise
            run.forward = run.model
            run.compile_error = f"{type(error).__name__}: {error}".strip().splitlines()[0]
            with autocast(run.precision, run.device):
                return nn.functional.cross_entropy(run.forward(images), labels)

    def _report(self, run: TrainingRun, pending: list[torch.Tensor], watch: DivergenceWatch) -> Iterator[StepProgress]:
        """Read the pending losses (one device sync), yield them as a record, judge divergence."""
        if not pending:
            return
        losses = torch.stack(pending).tolist()
        pending.clear()
        first_step = run.progress.step - len(losses) + 1
        for loss in losses:  # one by one, as the steps ran: the sum does not depend on the reports
            run.progress.epoch_loss_sum += loss
        verdict = watch.check_losses(first_step, losses)
        if verdict is not None and verdict.reason is DivergenceReason.NON_FINITE:
            losses = losses[: verdict.step - first_step]  # charts get the finite ones only
        if losses:
            yield self._step_record(run, first_step, losses)
        if verdict is not None:
            raise _Diverged(verdict)

    def _end_epoch(self, run: TrainingRun, watch: DivergenceWatch) -> Iterator[EpochProgress]:
        """Validate, record the epoch and start the next one."""
        progress = run.progress
        validation = evaluate(run.model, run.data.val_images, run.data.val_labels)
        record = EpochProgress(
            epoch=progress.epoch + 1,
            epochs=run.config.epochs,
            step=progress.step,
            train_loss=progress.epoch_loss_sum / run.steps_per_epoch,
            val_loss=validation.loss,
            val_accuracy=validation.accuracy,
            seconds=progress.epoch_seconds,
        )
        progress.history.append({key: getattr(record, key) for key in HISTORY_KEYS})
        progress.epoch += 1
        progress.step_in_epoch = 0
        progress.epoch_order = None
        progress.epoch_loss_sum = progress.epoch_seconds = 0.0
        yield record
        verdict = watch.check_epoch(run.steps_per_epoch, progress.step, record.val_accuracy, record.train_loss)
        if verdict is not None:
            raise _Diverged(verdict)

    # Preparing -----------------------------------------------------------------------------

    def _prepare(self) -> TrainingRun:
        config = self.config
        try:
            device = resolve_device(config.device)
        except ValueError as error:
            raise TrainingError(TrainingProblem.DEVICE_UNAVAILABLE, str(error), device=config.device) from None
        self._check_output()
        if self._resume_from is not None:
            self._check_resumable(self._resume_from)
        if self._initial_weights is not None:
            self._check_initial_weights(self._initial_weights)
        if device.type == "cpu":
            torch.set_num_threads(config.threads or default_cpu_threads())
        torch.manual_seed(config.seed)
        model = build_model(config.arch).to(device)
        if self._initial_weights is not None:
            model.load_state_dict(self._initial_weights.model_state)
        self.model = model
        data = self._data.prepare(config, device)
        steps_per_epoch = math.ceil(data.train_count / config.batch_size)
        optimizer = build_optimizer(config, model)
        run = TrainingRun(
            config=config,
            device=device,
            model=model,
            optimizer=optimizer,
            schedule=build_schedule(config, optimizer, steps_per_epoch * config.epochs),
            data_generator=torch.Generator().manual_seed(config.seed + 1),
            data=data,
            steps_per_epoch=steps_per_epoch,
            precision=resolve_precision(config, device),
            forward=compiled(model) if config.compile else model,
        )
        if self._resume_from is not None:
            saved = self._resume_from
            run.restore(saved.path, saved.model_state, saved.epoch, saved.step, saved.training_state, saved.metrics)
        if self._initial_weights is not None:  # the "before" of a fine-tuning run, on its own validation set
            run.initial_val_accuracy = evaluate(model, data.val_images, data.val_labels).accuracy
        return run

    def _check_output(self) -> None:
        """Fail before training, not after it, when the checkpoint could not be written."""
        try:
            if self._requested_path is None:
                self.checkpoint_path = reserve_run_path(self.config.arch)
                self._reserved = True
            else:
                check_output_target(self._requested_path)
        except OutputPathError as error:
            raise TrainingError(
                TrainingProblem.OUTPUT_UNUSABLE, str(error), path=error.path, output_problem=error.reason
            ) from None

    @staticmethod
    def _check_resumable(checkpoint: Checkpoint) -> None:
        if checkpoint.status != RunStatus.STOPPED.value or not checkpoint.training_state:
            raise TrainingError(
                TrainingProblem.NOTHING_TO_RESUME,
                f"{checkpoint.path}: this run finished; there is nothing to resume",
                path=checkpoint.path,
            )

    def _check_initial_weights(self, checkpoint: Checkpoint) -> None:
        if checkpoint.arch != self.config.arch:
            detail = f"it holds {checkpoint.arch} weights, the run trains {self.config.arch}"
        elif checkpoint.status != RunStatus.COMPLETED.value:
            detail = "it is not a completed run"
        else:
            return
        raise TrainingError(
            TrainingProblem.INITIAL_WEIGHTS_UNFIT,
            f"{checkpoint.path}: cannot start from this checkpoint ({detail})",
            path=checkpoint.path,
            detail=detail,
        )

    def _started(self, run: TrainingRun) -> RunStarted:
        resumed = self._resume_from is not None
        return RunStarted(
            config=run.config,
            device=run.device.type,
            threads=torch.get_num_threads() if run.device.type == "cpu" else None,
            train_images=run.data.train_count,
            validation_images=len(run.data.val_labels),
            steps_per_epoch=run.steps_per_epoch,
            total_steps=run.total_steps,
            resumed_at_step=run.progress.step if resumed else None,
            initial_weights=self._initial_weights.path if self._initial_weights is not None else None,
            data_name=run.data.name,
            precision=run.precision,
            compiled=run.compiled,
            initial_val_accuracy=run.initial_val_accuracy,
        )

    # Records -------------------------------------------------------------------------------

    def _step_record(self, run: TrainingRun, first_step: int, losses: list[float]) -> StepProgress:
        progress = run.progress
        step = first_step + len(losses) - 1
        seconds = progress.train_seconds
        return StepProgress(
            epoch=progress.epoch + 1,
            epochs=run.config.epochs,
            step=step,
            total_steps=run.total_steps,
            first_step=first_step,
            losses=tuple(losses),
            learning_rate=run.learning_rate,
            images_per_second=progress.images_seen / seconds if seconds > 0 else 0.0,
            eta_seconds=seconds / max(1, progress.step) * (run.total_steps - step),
            elapsed_seconds=seconds,
        )

    def _divergence(self, run: TrainingRun, verdict: Verdict) -> Divergence:
        return Divergence(
            reason=verdict.reason,
            step=verdict.step,
            loss=verdict.loss,
            learning_rate=run.learning_rate,
            configured_learning_rate=run.config.learning_rate,
        )

    def _finished(self, run: TrainingRun, status: RunStatus, **facts: Any) -> TrainingFinished:
        progress = run.progress
        metrics = run.metrics()
        return TrainingFinished(
            status=status,
            epochs=run.config.epochs,
            epochs_completed=progress.epoch,
            step=progress.step,
            val_accuracy=metrics["val_accuracy"],
            test_accuracy=facts.get("test_accuracy"),
            train_seconds=progress.train_seconds,
            images_per_second=metrics["images_per_second"],
            checkpoint_path=facts.get("checkpoint_path"),
            divergence=facts.get("divergence"),
            save_problem=facts.get("save_problem"),
            requested_path=facts.get("requested_path"),
        )

    def _finish_completed(self, run: TrainingRun) -> TrainingFinished:
        metrics = run.metrics() | test_set_metrics(run.model, run.data.test_images, run.data.test_labels)
        if self._initial_weights is not None:
            parent = self._initial_weights
            metrics["parent"] = {
                "path": str(parent.path),
                "arch": parent.arch,
                "test_accuracy": parent.test_accuracy,
                "val_accuracy": run.initial_val_accuracy,  # the parent's accuracy on this run's validation set
            }
        saved = self._save(run, RunStatus.COMPLETED, metrics, training_state={})
        return self._finished(run, RunStatus.COMPLETED, test_accuracy=metrics["test_accuracy"], **saved)

    def _finish_stopped(self, run: TrainingRun) -> TrainingFinished:
        saved = self._save(run, RunStatus.STOPPED, run.metrics(), training_state=run.training_state())
        return self._finished(run, RunStatus.STOPPED, **saved)

    def _save(
        self, run: TrainingRun, status: RunStatus, metrics: dict[str, Any], training_state: dict[str, Any]
    ) -> dict[str, Any]:
        """Write the checkpoint; if that fails, keep it elsewhere. The facts of where it went."""
        payload = build_payload(
            run.config,
            run.model,
            status=status.value,
            epoch=run.progress.epoch,
            step=run.progress.step,
            metrics=metrics,
            training_state=training_state,
        )
        asked = self.checkpoint_path
        try:
            path = save_checkpoint(self._requested_path or asked, payload)
            self._reserved = False
            return {"checkpoint_path": path}
        except OutputPathError as error:
            problem = error.reason
        try:
            rescued = save_fallback(payload, asked)
        except OutputPathError:
            rescued = None  # nowhere to write: the model stays in memory (a GUI can still offer Save as…)
        return {"checkpoint_path": rescued, "save_problem": problem, "requested_path": asked}
