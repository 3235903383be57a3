"""Exceptions worded for the user in one place: one line, the engine's own text, no tracebacks."""

from __future__ import annotations

from mnist_studio.core.training.errors import TrainingError, TrainingProblem
from mnist_studio.gui.services.errors import checkpoint_error_text, describe_error, is_expected


def test_the_engine_s_errors_keep_their_own_first_line() -> None:
    error = TrainingError(TrainingProblem.OUTPUT_UNUSABLE, "notes.pt: not a checkpoint\nsecond line", path="notes.pt")
    assert describe_error(error) == "notes.pt: not a checkpoint"
    assert is_expected(error)
    assert checkpoint_error_text("notes.pt", error) == "notes.pt: not a checkpoint"


def test_files_and_memory_are_expected_failures_in_plain_words() -> None:
    missing = FileNotFoundError(2, "No such file or directory", "/tmp/x.pt")
    assert describe_error(missing) == "/tmp/x.pt: No such file or directory"
    assert describe_error(MemoryError()) == "not enough memory"
    assert is_expected(missing) and is_expected(MemoryError())


def test_other_exceptions_are_bugs_named_by_type() -> None:
    assert describe_error(ValueError("bad value")) == "ValueError: bad value"
    assert describe_error(KeyError()) == "KeyError"
    assert not is_expected(ValueError())
    assert checkpoint_error_text("m.pt", ValueError("boom")) == "m.pt: cannot load the checkpoint (ValueError: boom)"
