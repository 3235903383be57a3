"""Why a run cannot start or go on: a reason a front end can word, with the facts behind it."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any


class TrainingProblem(str, enum.Enum):
    """What kept a run from starting (or, for SAVE_FAILED, from being kept where it was asked)."""

    DEVICE_UNAVAILABLE = "device_unavailable"
    NOTHING_TO_RESUME = "nothing_to_resume"
    RESUME_STATE_INVALID = "resume_state_invalid"
    INITIAL_WEIGHTS_UNFIT = "initial_weights_unfit"
    OUTPUT_UNUSABLE = "output_unusable"
    SAVE_FAILED = "save_failed"


class TrainingError(Exception):
    """A run cannot start or its checkpoint cannot be written; ``str(error)`` is one English line.

    ``reason`` and ``facts`` (e.g. ``path``, ``device``, ``detail``) let a GUI word it itself.
    """

    def __init__(self, reason: TrainingProblem, text: str, **facts: Any) -> None:
        super().__init__(text)
        self.reason = reason
        self.facts = facts

    @property
    def path(self) -> Path | None:
        """The file the problem is about, if any."""
        path = self.facts.get("path")
        return Path(path) if path is not None else None
