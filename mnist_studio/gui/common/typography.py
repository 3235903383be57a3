"""Type sizes shared by the Test and Draw tabs: section headings, large numbers, small print."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """``base`` scaled by ``factor`` (e.g. 3.2 for a headline number), optionally bold."""
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * factor)
    font.setBold(bold)
    return font


def heading(text: str) -> QLabel:
    """A section title: bold, a little larger than body text."""
    label = QLabel(text)
    label.setFont(scaled_font(label.font(), 1.1, bold=True))
    return label
