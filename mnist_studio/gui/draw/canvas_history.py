"""What the canvas holds, and its undo history: every stroke, Clear and opened image is one undoable edit.

The canvas's content is an immutable snapshot (strokes, or an opened picture with what it reads
as); an edit swaps one snapshot for another, so undoing restores exactly what was there, a
photo that a stroke replaced included. The history is Qt's ``QUndoStack``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QUndoCommand

if TYPE_CHECKING:
    from mnist_studio.core.preprocess import PreprocessedDigit


@dataclass(eq=False)
class Stroke:
    """One pen-down-to-pen-up line: its width and points, both in canvas units (0-1).

    Its points grow while it is drawn; once it is finished it is never changed again.
    """

    width: float
    points: list[QPointF] = field(default_factory=list)


@dataclass(frozen=True)
class CanvasContent:
    """What the canvas shows: strokes, or an opened picture (``picture``) and the digit read from it."""

    strokes: tuple[Stroke, ...] = ()
    picture: QImage | None = None
    picture_digit: PreprocessedDigit | None = None

    def is_empty(self) -> bool:
        """True when there is nothing to read."""
        return not self.strokes and self.picture is None


class CanvasEdit(QUndoCommand):
    """One edit of the canvas (a stroke, Clear, an opened image): ``before`` and ``after`` snapshots."""

    def __init__(self, text: str, before: CanvasContent, after: CanvasContent, show: Callable[[CanvasContent], None]) -> None:
        super().__init__(text)
        self._before = before
        self._after = after
        self._show = show

    def redo(self) -> None:  # noqa: D102 - Qt override (also runs when the edit is pushed)
        self._show(self._after)

    def undo(self) -> None:  # noqa: D102 - Qt override
        self._show(self._before)
