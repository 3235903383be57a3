"""The CLI's words for a training run's records (the GUI words the same facts its own way)."""

from __future__ import annotations

import shlex

from mnist_studio.core.files import OutputPathError
from mnist_studio.core.progress import (
    CompilationFailed,
    Divergence,
    DivergenceReason,
    RunStarted,
    RunStatus,
    TrainingFinished,
)


def plural(count: int, noun: str) -> str:
    """``plural(1, "epoch")`` -> ``1 epoch``; ``plural(2000, "image")`` -> ``2,000 images``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def started_line(record: RunStarted) -> str:
    """``Training lenet5 on cpu, 1 thread: 3 epochs of 55,000 images, batch 128, adamw lr 0.01 (onecycle)``."""
    config = record.config
    where = record.device + (f", {plural(record.threads, 'thread')}" if record.threads else "")
    verb = f"Resuming {config.arch} at step {record.resumed_at_step:,}" if record.resumed_at_step else f"Training {config.arch}"
    origin = f" from {record.initial_weights}" if record.initial_weights else ""
    return (
        f"{verb}{origin} on {where}: {plural(config.epochs, 'epoch')} of {plural(record.train_images, 'image')}, "
        f"batch {config.batch_size}, {config.optimizer} lr {config.learning_rate:g} ({config.schedule})"
        + (", augmented" if config.augment else "")
        + (", bf16" if record.precision == "bf16" else "")
        + (", compiled (the first step compiles)" if record.compiled else "")
    )


def compilation_failed_line(record: CompilationFailed) -> str:
    """The note printed when compiling failed and training went on without it."""
    return f"Compiling the model failed ({record.error}); training goes on without compilation."


def divergence_text(divergence: Divergence) -> str:
    """Why the run failed and what to try, in one sentence or two."""
    rate = divergence.configured_learning_rate
    if divergence.reason is DivergenceReason.NO_PROGRESS:
        return (
            f"Training learned nothing: after a whole epoch (step {divergence.step:,}) the model was no better "
            f"than chance. The learning rate ({rate:g}) may be far too high or too low."
        )
    what = "became " + str(divergence.loss) if divergence.reason is DivergenceReason.NON_FINITE else (
        f"exploded to {divergence.loss:,.4g}"
    )
    return (
        f"Training diverged: the loss {what} at step {divergence.step:,}. Try a lower learning rate "
        f"(now {rate:g}). The model keeps its last good weights; no checkpoint was written."
    )


def save_problem_line(record: TrainingFinished) -> str | None:
    """Where the checkpoint went instead of where it was asked, or that it could go nowhere."""
    if record.save_problem is None:
        return None
    why = OutputPathError(record.save_problem, record.requested_path or "").strerror
    if record.checkpoint_path is None:
        return f"could not write the checkpoint {record.requested_path} ({why}), nor anywhere else: the model is lost"
    return f"could not write {record.requested_path} ({why}); the checkpoint was kept in {record.checkpoint_path}"


def finished_lines(record: TrainingFinished) -> list[str]:
    """What a finished run prints on the human stream (a failed run's reason goes to stderr instead)."""
    if record.checkpoint_path is None and record.status is not RunStatus.FAILED:
        return []  # nothing was saved: save_problem_line says so on stderr
    if record.status is RunStatus.COMPLETED:
        return [f"Test accuracy {record.test_accuracy:.2%}; checkpoint: {record.checkpoint_path}"]
    if record.status is RunStatus.STOPPED:
        return [
            f"Stopped at step {record.step:,}; resumable checkpoint saved to {record.checkpoint_path}",
            f"Resume with: mnist-studio train --resume {shlex.quote(str(record.checkpoint_path))}",
        ]
    return []
