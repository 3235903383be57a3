"""The Train tab's words for the engine's records: every status and divergence reason has its sentence."""

from __future__ import annotations

from pathlib import Path

from mnist_studio.core.progress import Divergence, DivergenceReason, RunStatus, TrainingFinished
from mnist_studio.gui.train import messages


def finished(status: RunStatus, divergence: Divergence | None = None) -> TrainingFinished:
    return TrainingFinished(
        status=status, epochs=2, epochs_completed=2 if status is RunStatus.COMPLETED else 1, step=1234,
        val_accuracy=0.9, test_accuracy=0.9876 if status is RunStatus.COMPLETED else None, train_seconds=75.0,
        images_per_second=1500.0, checkpoint_path=None if divergence else Path("/runs/mlp.pt"), divergence=divergence,
    )


def test_each_ending_has_its_sentence_and_bar_text() -> None:
    completed, stopped = finished(RunStatus.COMPLETED), finished(RunStatus.STOPPED)
    assert messages.finished_text(completed) == "Finished: test accuracy 98.76%; checkpoint saved to /runs/mlp.pt"
    assert messages.finished_bar_text(completed) == "Done · test accuracy 98.76%"
    assert messages.finished_speed_text(completed) == "1,500 images/s · 1:15 training"
    assert messages.finished_text(stopped) == "Stopped at step 1,234; resumable checkpoint saved to /runs/mlp.pt"
    assert messages.finished_bar_text(stopped) == "Stopped at step 1,234"


def test_a_failed_compilation_is_logged_in_words() -> None:
    line = messages.compilation_failed_line("RuntimeError: no C compiler")
    assert line == "Compiling the model failed (RuntimeError: no C compiler); training goes on without compiling"


def test_a_diverged_run_says_what_happened_and_what_to_try() -> None:
    exploded = Divergence(DivergenceReason.EXPLODED, step=17, loss=1.5e8, learning_rate=10.0, configured_learning_rate=10.0)
    text = messages.finished_text(finished(RunStatus.FAILED, exploded))
    assert text.startswith("Training diverged: the loss became 1.5e+08 at step 17.") and "(now 10)" in text
    nothing = Divergence(DivergenceReason.NO_PROGRESS, step=430, loss=2.3, learning_rate=1e-7, configured_learning_rate=1e-7)
    assert messages.finished_text(finished(RunStatus.FAILED, nothing)).startswith("Training learned nothing")
    assert messages.finished_bar_text(finished(RunStatus.FAILED, nothing)) == "Diverged"


def test_a_checkpoint_kept_elsewhere_says_where_and_why() -> None:
    from dataclasses import replace

    from mnist_studio.core.files import OutputProblem

    record = replace(
        finished(RunStatus.COMPLETED), save_problem=OutputProblem.NO_SPACE, requested_path=Path("/runs/mlp-1.pt"),
        checkpoint_path=Path("/tmp/mlp-1-rescued.pt"),
    )  # fmt: skip
    assert messages.save_problem_text(record) == (
        "The checkpoint could not be written to /runs/mlp-1.pt (no space left on the device; nothing was written), "
        "so it was kept in /tmp/mlp-1-rescued.pt. Save it where you want it with Save as…"
    )
    nowhere = replace(record, checkpoint_path=None)
    assert "nor to the runs or temporary folder" in messages.save_problem_text(nowhere)
    assert messages.finished_text(nowhere) == "Finished: test accuracy 98.76%; no checkpoint could be written"
    assert messages.save_problem_text(finished(RunStatus.COMPLETED)) is None
