"""Small reusable widgets: an inline message banner and a learning-rate spin box."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

_BANNER_COLOURS = {  # kind -> (background, border, text)
    "info": ("#e8f0fe", "#b6cdf5", "#174ea6"),
    "success": ("#e6f4ea", "#a8dab5", "#0d652d"),
    "error": ("#fce8e6", "#f3b7b1", "#a50e0e"),
}


class MessageBanner(QFrame):
    """An inline, non-blocking message (info, success or error) with a close button; hidden when empty."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close_button = QToolButton()
        close_button.setText("\u2715")
        close_button.setAutoRaise(True)
        close_button.setToolTip("Dismiss")
        close_button.setAccessibleName("Dismiss message")
        close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (empty when dismissed)."""
        return self._label.text()

    def show_message(self, kind: str, text: str) -> None:
        """Show ``text`` styled as ``kind`` (``"info"``, ``"success"`` or ``"error"``)."""
        background, border, foreground = _BANNER_COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f" QLabel {{ color: {foreground}; }} QToolButton {{ color: {foreground}; border: none; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def dismiss(self) -> None:
        """Hide the message."""
        self.kind = ""
        self._label.clear()
        self.hide()
        self.closed.emit()


class LearningRateSpinBox(QDoubleSpinBox):
    """A learning rate typed freely (``3e-4``, ``0.002``) and stepped along 1-2-5 values per decade."""

    def __init__(self, parent: QWidget | None = None, minimum: float = 1e-6, maximum: float = 1e6) -> None:
        super().__init__(parent)
        self.setDecimals(12)  # precision only: the text is drawn by textFromValue
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int) -> object:
        try:
            value = float(text)
        except ValueError:
            prefix_ok = all(character in "0123456789.eE+-" for character in text)
            return QValidator.State.Intermediate if prefix_ok else QValidator.State.Invalid, text, position
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, position
        return QValidator.State.Intermediate, text, position

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        value = self.value()
        for _ in range(abs(steps)):
            value = _next_nice_value(value, up=steps > 0)
        self.setValue(min(self.maximum(), max(self.minimum(), value)))


def _next_nice_value(value: float, *, up: bool) -> float:
    """The next value in the sequence ..., 1e-3, 2e-3, 5e-3, 1e-2, ... above or below ``value``."""
    decade = math.floor(math.log10(value))
    candidates = [mantissa * 10.0**exponent for exponent in (decade - 1, decade, decade + 1) for mantissa in (1, 2, 5)]
    tolerance = value * 1e-9
    if up:
        return min(candidate for candidate in candidates if candidate > value + tolerance)
    return max(candidate for candidate in candidates if candidate < value - tolerance)
