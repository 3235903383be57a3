"""A small painted bar chart over the ten digits: probabilities while drawing, per-class accuracy."""

from __future__ import annotations

import math
from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_studio.gui.common.painting import begin_painting
from mnist_studio.gui.common.typography import fitted_font, scaled_font
from mnist_studio.gui.common.numbers import percent

ACCENT = QColor("#1e88e5")
BAR = QColor("#90a4ae")


class BarChart(QWidget):
    """Ten vertical bars labelled 0-9 with values in [0, 1].

    ``highlight`` marks one bar (the predicted digit); ``floor`` lifts the baseline so values that
    all sit near 100% still differ visibly ("auto": 5% below the lowest value, at most 90%).
    """

    def __init__(
        self,
        object_name: str,
        *,
        floor: float | str = 0.0,
        label_all: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(110)
        self._floor_setting = floor
        self._label_all = label_all
        self._values: tuple[float, ...] = ()
        self._highlight: int | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, 150)

    def values(self) -> tuple[float, ...]:
        """The values shown (empty when cleared)."""
        return self._values

    def highlight(self) -> int | None:
        """The highlighted bar, if any."""
        return self._highlight

    def set_values(self, values: Sequence[float], highlight: int | None = None) -> None:
        """Show ``values`` (one per digit) with bar ``highlight`` marked."""
        self._values = tuple(float(value) for value in values)
        self._highlight = highlight
        self.setAccessibleDescription(
            ", ".join(f"{digit}: {percent(value)}" for digit, value in enumerate(self._values))
        )
        self.update()

    def clear(self) -> None:
        """Show empty bars."""
        self.set_values(())

    def floor(self) -> float:
        """The value at the baseline."""
        if self._floor_setting != "auto":
            return float(self._floor_setting)
        if not self._values:
            return 0.0
        return max(0.0, min(0.9, math.floor(min(self._values) * 20) / 20 - 0.05))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter, colours = begin_painting(self)
        text, muted = colours.text, colours.muted
        small = scaled_font(self.font(), 0.85)
        painter.setFont(small)
        metrics = painter.fontMetrics()
        line = metrics.height()
        axis_width = metrics.horizontalAdvance("100%") + 6
        area = QRectF(self.rect()).adjusted(axis_width, line + 2, -2, -(line + 4))
        slot = area.width() / 10
        bar_width = min(slot * 0.62, 42.0)
        floor = self.floor()
        for level in (floor, (floor + 1) / 2, 1.0):
            y = area.bottom() - (level - floor) / (1 - floor) * area.height()
            painter.setPen(muted)
            painter.drawText(
                QRectF(0, y - line / 2, axis_width - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                percent(level, 0),
            )
            grid = QColor(muted)
            grid.setAlphaF(0.35 if level > floor else 1.0)
            painter.setPen(grid)
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        for digit in range(10):
            centre = area.left() + slot * (digit + 0.5)
            painter.setFont(self.font())
            painter.setPen(text if digit == self._highlight else muted)
            painter.drawText(
                QRectF(centre - slot / 2, area.bottom() + 2, slot, line + 2),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                str(digit),
            )
            if digit >= len(self._values):
                continue
            value = self._values[digit]
            fraction = max(0.0, min(1.0, (value - floor) / (1.0 - floor)))
            bar = QRectF(centre - bar_width / 2, area.bottom() - fraction * area.height(), bar_width, fraction * area.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(ACCENT if digit == self._highlight or self._label_all else BAR)
            painter.drawRoundedRect(bar, 2, 2)
            if self._label_all or digit == self._highlight:
                label = percent(value)  # as the reading's confidence; whole percents (then smaller type) if narrow
                if metrics.horizontalAdvance(label) > slot - 2:
                    label = percent(value, 0)
                painter.setFont(fitted_font(small, label, slot - 2))
                painter.setPen(text)
                painter.drawText(
                    QRectF(centre - slot / 2, bar.top() - line - 1, slot, line),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    label,
                )
        painter.end()

