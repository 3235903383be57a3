"""Type shared by the features: section headings, large numbers, small print, muted hints."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetricsF, QPalette
from PySide6.QtWidgets import QLabel


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """``base`` scaled by ``factor`` (e.g. 3.2 for a headline number), optionally bold."""
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * factor)
    font.setBold(bold)
    return font


def fitted_font(base: QFont, text: str, width: float, *, smallest_points: float = 6.0) -> QFont:
    """``base``, made smaller if need be (not below ``smallest_points``) so that ``text`` fits in ``width`` pixels.

    For painted labels that must be shown whole (the tutorial's "Ground Truth: 7 / Predict: 7").
    """
    advance = QFontMetricsF(base).horizontalAdvance(text)
    if advance <= width or advance <= 0:
        return base
    font = QFont(base)
    font.setPointSizeF(max(smallest_points, base.pointSizeF() * width / advance * 0.98))
    return font


def heading(text: str) -> QLabel:
    """A section title: bold, a little larger than body text."""
    label = QLabel(text)
    label.setFont(scaled_font(label.font(), 1.1, bold=True))
    return label


def mute(label: QLabel) -> QLabel:
    """Draw ``label`` in the palette's placeholder colour (hints, descriptions); returns it."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    return label
