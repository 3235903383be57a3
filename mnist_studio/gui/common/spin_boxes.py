"""Spin boxes of the Train form: whole numbers with group separators, and a free-typed learning rate."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget


def int_spin_box(name: str, minimum: int, maximum: int, step: int = 1) -> QSpinBox:
    """A spin box named ``name`` for whole numbers in ``minimum..maximum`` (shown as 1,000)."""
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(minimum, maximum)
    spin.setSingleStep(step)
    spin.setGroupSeparatorShown(True)
    return spin


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
