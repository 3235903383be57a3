"""The Train tab's words for a run's records, in one place and through ``tr()`` (the CLI words them its own way)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from mnist_studio.core.config import TrainingConfig

from mnist_studio.core.progress import (
    DivergenceReason,
    EpochProgress,
    RunStarted,
    RunStatus,
    StepProgress,
    TrainingFinished,
    format_duration,
)
from mnist_studio.core.registry import get_architecture
from mnist_studio.gui.common.plurals import plural
from mnist_studio.gui.common.recipe_text import recipe_text
from mnist_studio.gui.services.errors import output_problem_text
from mnist_studio.gui.common.numbers import accuracy as format_accuracy


def _tr(text: str, count: int = -1) -> str:
    return QCoreApplication.translate("TrainMessages", text, None, count)


def device_text(record: RunStarted) -> str:
    """Where a run really trains: "cpu (4 threads, fp32)", "cuda (bf16, compiled)"."""
    details = []
    if record.threads is not None:
        details.append(plural(_tr("%n thread(s)", record.threads), record.threads))
    details.append(record.precision)
    if record.compiled:
        details.append(_tr("compiled"))
    return _tr("{device} ({details})").format(device=record.device, details=", ".join(details))


def started_line(record: RunStarted) -> str:
    """The log line naming a run's recipe, the device it really uses and its data."""
    return _tr("Start {arch}: {recipe}; on {device}, {images}, {validation}").format(
        arch=get_architecture(record.config.arch).display_name,
        recipe=recipe_text(record.config),
        device=device_text(record),
        images=_tr("{count} training images").format(count=f"{record.train_images:,}"),
        validation=_tr("{count} for validation").format(count=f"{record.validation_images:,}"),
    )


def run_name(config: TrainingConfig, checkpoint: Path | None = None) -> str:
    """How the charts' legend names a run: "LeNet-5, 3 epochs", once saved "LeNet-5 · lenet5-20251128-140312"."""
    arch = get_architecture(config.arch).display_name
    if checkpoint is not None:
        return _tr("{arch} · {checkpoint}").format(arch=arch, checkpoint=checkpoint.stem)
    return _tr("{arch}, {epochs}").format(arch=arch, epochs=plural(_tr("%n epoch(s)", config.epochs), config.epochs))


def epoch_line(record: EpochProgress) -> str:
    """The log line of a finished epoch."""
    return _tr(
        "Epoch {epoch}/{epochs}: train loss {train_loss}, val loss {val_loss}, val accuracy {accuracy} ({seconds} s)"
    ).format(
        epoch=record.epoch,
        epochs=record.epochs,
        train_loss=f"{record.train_loss:.4f}",
        val_loss=f"{record.val_loss:.4f}",
        accuracy=format_accuracy(record.val_accuracy),
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
        return _tr("Done · test accuracy {accuracy}").format(accuracy=format_accuracy(record.test_accuracy))
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
    if record.status is RunStatus.COMPLETED and record.checkpoint_path is None:
        return _tr("Finished: test accuracy {accuracy}; no checkpoint could be written").format(
            accuracy=format_accuracy(record.test_accuracy)
        )
    if record.status is RunStatus.STOPPED and record.checkpoint_path is None:
        return _tr("Stopped at step {step}; no checkpoint could be written").format(step=f"{record.step:,}")
    if record.status is RunStatus.COMPLETED:
        return _tr("Finished: test accuracy {accuracy}; checkpoint saved to {path}").format(
            accuracy=format_accuracy(record.test_accuracy), path=record.checkpoint_path
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


def charts_header(run: RunStarted | None, finished: TrainingFinished | None) -> list[str]:
    """The lines above exported charts: a title, the model (and its result), the recipe and device."""
    lines = [_tr("MNIST Studio · training charts")]
    if run is None:
        return lines + [_tr("No run yet")]
    model = run_name(run.config, finished.checkpoint_path if finished is not None else None)
    if finished is not None and finished.test_accuracy is not None:
        model = _tr("{model} · test accuracy {accuracy}").format(model=model, accuracy=format_accuracy(finished.test_accuracy))
    return lines + [model, _tr("{recipe}; on {device}").format(recipe=recipe_text(run.config), device=device_text(run))]


def save_problem_text(record: TrainingFinished) -> str | None:
    """Where the checkpoint went instead of where it was asked (and why), or that it could go nowhere."""
    if record.save_problem is None:
        return None
    why = output_problem_text(record.save_problem)
    if record.checkpoint_path is None:
        return _tr(
            "The checkpoint could not be written to {path} ({why}), nor to the runs or temporary folder. "
            "Free some space and train again."
        ).format(path=record.requested_path, why=why)
    return _tr(
        "The checkpoint could not be written to {path} ({why}), so it was kept in {kept}. "
        "Save it where you want it with Save as…"
    ).format(path=record.requested_path, why=why, kept=record.checkpoint_path)
