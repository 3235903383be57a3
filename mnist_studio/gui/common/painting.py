"""The start of every custom paint event: an anti-aliased painter and the palette's three colours."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class PaletteColours:
    """The colours painted widgets use: body text, muted text (axes, hints) and the base background."""

    text: QColor
    muted: QColor
    base: QColor


def begin_painting(widget: QWidget) -> tuple[QPainter, PaletteColours]:
    """An anti-aliased ``QPainter`` on ``widget`` and its palette's colours; call ``painter.end()`` after."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    palette = widget.palette()
    colours = PaletteColours(
        text=palette.color(QPalette.ColorRole.WindowText),
        muted=palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText),
        base=palette.color(QPalette.ColorRole.Base),
    )
    return painter, colours
