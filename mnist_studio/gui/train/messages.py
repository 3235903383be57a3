"""The Train tab's words for a run's records, in one place and through ``tr()`` (the CLI words them its own way)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mnist_studio.core.progress import (
    DivergenceReason,
    EpochProgress,
    RunStarted,
    RunStatus,
    StepProgress,
    TrainingFinished,
    format_duration,
)
from mnist_studio.gui.common.plurals import plural


def _tr(text: str, count: int = -1) -> str:
    return QCoreApplication.translate("TrainMessages", text, None, count)


def started_line(record: RunStarted) -> str:
    """The log line naming a run's recipe, device and data."""
    config = record.config
    return _tr(
        "Start {arch}: {epochs}, batch {batch}, {optimizer} lr {rate} ({schedule}), weight decay {decay}, "
        "augment {augment}, seed {seed}, device {device}, {images}"
    ).format(
        arch=config.arch,
        epochs=plural(_tr("%n epoch(s)", config.epochs), config.epochs),
        batch=config.batch_size,
        optimizer=config.optimizer,
        rate=f"{config.learning_rate:g}",
        schedule=config.schedule,
        decay=f"{config.weight_decay:g}",
        augment=_tr("on") if config.augment else _tr("off"),
        seed=config.seed,
        device=record.device,
        images=_tr("{count} training images").format(count=f"{record.train_images:,}"),
    )


def epoch_line(record: EpochProgress) -> str:
    """The log line of a finished epoch."""
    return _tr(
        "Epoch {epoch}/{epochs}: train loss {train_loss}, val loss {val_loss}, val accuracy {accuracy} ({seconds} s)"
    ).format(
        epoch=record.epoch,
        epochs=record.epochs,
        train_loss=f"{record.train_loss:.4f}",
        val_loss=f"{record.val_loss:.4f}",
        accuracy=f"{record.val_accuracy:.2%}",
        seconds=f"{record.seconds:.1f}",
    )


def step_text(record: StepProgress, *, paused: bool) -> str:
    """The progress bar's text during a run."""
    text = _tr("Epoch {epoch}/{epochs} · step {step}/{total}").format(
        epoch=record.epoch, epochs=record.epochs, step=f"{record.step:,}", total=f"{record.total_steps:,}"
    )
    return with_paused(text) if paused else text


def with_paused(text: str) -> str:
    """``text`` marked as paused."""
    return _tr("{text} — paused").format(text=text)


def speed_text(record: StepProgress) -> str:
    """Images per second and the time left."""
    return _tr("{speed} images/s · ETA {eta}").format(
        speed=f"{record.images_per_second:,.0f}", eta=format_duration(record.eta_seconds)
    )


def paused_line(step: int) -> str:
    """The log line of a pause that holds."""
    return _tr("Paused at step {step}").format(step=step)


def compilation_failed_line(error: str) -> str:
    """The log line of a compiled model that failed on its first step (the run goes on)."""
    return _tr("Compiling the model failed ({error}); training goes on without compiling").format(error=error)


def resumed_line() -> str:
    """The log line of a resume."""
    return _tr("Resumed")


def finished_bar_text(record: TrainingFinished) -> str:
    """The progress bar's text once a run has ended."""
    if record.status is RunStatus.COMPLETED:
        return _tr("Done · test accuracy {accuracy}").format(accuracy=f"{record.test_accuracy:.2%}")
    if record.status is RunStatus.STOPPED:
        return _tr("Stopped at step {step}").format(step=f"{record.step:,}")
    return _tr("Diverged")


def finished_speed_text(record: TrainingFinished) -> str:
    """Images per second and training time of a completed run."""
    return _tr("{speed} images/s · {duration} training").format(
        speed=f"{record.images_per_second:,.0f}", duration=format_duration(record.train_seconds)
    )


def finished_text(record: TrainingFinished) -> str:
    """How a run ended, for the banner, the log and the status bar."""
    if record.status is RunStatus.COMPLETED:
        return _tr("Finished: test accuracy {accuracy}; checkpoint saved to {path}").format(
            accuracy=f"{record.test_accuracy:.2%}", path=record.checkpoint_path
        )
    if record.status is RunStatus.STOPPED:
        return _tr("Stopped at step {step}; resumable checkpoint saved to {path}").format(
            step=f"{record.step:,}", path=record.checkpoint_path
        )
    divergence = record.divergence
    rate = f"{divergence.configured_learning_rate:g}"
    if divergence.reason is DivergenceReason.NO_PROGRESS:
        return _tr(
            "Training learned nothing: after a whole epoch the model was no better than chance. "
            "The learning rate ({rate}) may be far too high or too low."
        ).format(rate=rate)
    return _tr(
        "Training diverged: the loss became {loss} at step {step}. Try a lower learning rate (now {rate}). "
        "The model keeps its last good weights; no checkpoint was written."
    ).format(loss=f"{divergence.loss:,.4g}", step=f"{divergence.step:,}", rate=rate)


def failed_text(reason: str) -> str:
    """A run that ended with an error instead of a record (``reason`` is already worded)."""
    return _tr("Training failed: {reason}").format(reason=reason)


def error_line(reason: str) -> str:
    """The log line of such an error."""
    return _tr("Error: {reason}").format(reason=reason)


def torch_failed_text(reason: str) -> str:
    """Why Start stays disabled when PyTorch cannot be imported."""
    return _tr("PyTorch could not be loaded, so training is off: {reason}").format(reason=reason)
