"""Images the app exports carry a header: what they show, which model, which recipe."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPainter, QPalette

CAPTION_MARGIN = 10  # pixels around the header


def captioned(image: QImage, lines: Sequence[str], palette: QPalette) -> QImage:
    """``image`` under a header of ``lines`` (the first in bold) on the palette's base colour."""
    if not lines:
        return image
    ratio = image.devicePixelRatio()
    width = round(image.width() / ratio)
    font = QFont()
    bold = QFont(font)
    bold.setBold(True)
    bold.setPointSizeF(font.pointSizeF() * 1.2)
    line_heights = [QFontMetrics(bold if index == 0 else font).height() for index in range(len(lines))]
    top = CAPTION_MARGIN * 2 + sum(line_heights)
    result = QImage(image.width(), image.height() + round(top * ratio), QImage.Format.Format_ARGB32)
    result.setDevicePixelRatio(ratio)
    result.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(result)
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    y = CAPTION_MARGIN
    for index, (line, height) in enumerate(zip(lines, line_heights)):
        painter.setFont(bold if index == 0 else font)
        painter.drawText(QRectF(CAPTION_MARGIN, y, width - 2 * CAPTION_MARGIN, height), Qt.AlignmentFlag.AlignLeft, line)
        y += height
    painter.drawImage(QPointF(0, top), image)
    painter.end()
    return result
