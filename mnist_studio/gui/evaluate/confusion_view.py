"""The confusion matrix as a clickable heat map with counts (rows: true digit, columns: prediction)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from mnist_studio.gui.common.painting import begin_painting
from mnist_studio.gui.common.plurals import plural
from mnist_studio.gui.common.typography import fitted_font

CORRECT = QColor("#1565c0")
WRONG = QColor("#d84315")
SELECTED = QColor("#ffb300")


def _blend(colour: QColor, amount: float, base: QColor) -> QColor:
    """``colour`` mixed over ``base``; ``amount`` 0 gives ``base``, 1 gives ``colour``."""
    return QColor.fromRgbF(
        base.redF() + (colour.redF() - base.redF()) * amount,
        base.greenF() + (colour.greenF() - base.greenF()) * amount,
        base.blueF() + (colour.blueF() - base.blueF()) * amount,
    )


class ConfusionMatrixView(QWidget):
    """Heat map of a 10x10 confusion matrix; ``cellClicked(true_digit, predicted_digit)`` on a click.

    Correct answers (the diagonal) shade blue by the share of their row; mistakes shade orange on a
    log scale, so a handful of errors still shows.
    """

    cellClicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confusionMatrixView")
        self.setMouseTracking(True)
        self.setMinimumSize(280, 280)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._matrix: np.ndarray | None = None
        self._selected: tuple[int, int] | None = None
        self._hovered: tuple[int, int] | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, 400)

    def matrix(self) -> np.ndarray | None:
        """The counts shown, or None."""
        return self._matrix

    def set_matrix(self, matrix: np.ndarray | None) -> None:
        """Show ``matrix`` (10x10 counts) or nothing; clears the selection."""
        self._matrix = None if matrix is None else np.asarray(matrix)
        self._selected = None
        self.update()

    def selected_cell(self) -> tuple[int, int] | None:
        """The outlined cell (true digit, predicted digit), if any."""
        return self._selected

    def set_selected_cell(self, cell: tuple[int, int] | None) -> None:
        """Outline ``cell`` or none."""
        self._selected = cell
        self.update()

    def _grid(self) -> tuple[QRectF, float]:
        """The rectangle of the 10x10 cells and the side of one cell."""
        header = self.fontMetrics().height() * 2.6
        side = max(10.0, min(self.width() - header, self.height() - header) - 2)
        cell = side / 10
        left = (self.width() - header - side) / 2 + header
        top = (self.height() - header - side) / 2 + header
        return QRectF(left, top, cell * 10, cell * 10), cell

    def cell_rect(self, true_digit: int, predicted_digit: int) -> QRectF:
        """Where cell (true digit, predicted digit) is drawn, in widget coordinates."""
        grid, cell = self._grid()
        return QRectF(grid.left() + predicted_digit * cell, grid.top() + true_digit * cell, cell, cell)

    def cell_at(self, position: QPointF) -> tuple[int, int] | None:
        """The cell under ``position``, or None."""
        grid, cell = self._grid()
        if not grid.contains(position):
            return None
        column = min(9, int((position.x() - grid.left()) // cell))
        row = min(9, int((position.y() - grid.top()) // cell))
        return row, column

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        hovered = self.cell_at(event.position())
        if hovered != self._hovered:
            self._hovered = hovered
            self.update()
        if hovered is not None and self._matrix is not None:
            true_digit, predicted = hovered
            count = int(self._matrix[true_digit, predicted])
            if true_digit == predicted:
                text = self.tr("%n test image(s) of digit {digit} read correctly. Click to see them.", "", count)
            else:
                text = self.tr("%n test image(s) of digit {digit} read as {predicted}. Click to see them.", "", count)
            text = plural(text, count).format(digit=true_digit, predicted=predicted)
            QToolTip.showText(event.globalPosition().toPoint(), text, self)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self._hovered = None
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None and self._matrix is not None:
            self.set_selected_cell(cell)
            self.cellClicked.emit(*cell)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter, colours = begin_painting(self)
        base, text, muted = colours.base, colours.text, colours.muted
        grid, cell = self._grid()
        line = self.fontMetrics().height()
        painter.setPen(muted)
        painter.drawText(
            QRectF(grid.left(), grid.top() - 2.6 * line, grid.width(), line),
            Qt.AlignmentFlag.AlignCenter,
            self.tr("Predicted digit"),
        )
        painter.save()
        painter.translate(grid.left() - 2.6 * line, grid.bottom())
        painter.rotate(-90)
        painter.drawText(QRectF(0, 0, grid.height(), line), Qt.AlignmentFlag.AlignCenter, self.tr("True digit"))
        painter.restore()
        for digit in range(10):
            painter.setPen(text)
            painter.drawText(
                QRectF(grid.left() + digit * cell, grid.top() - 1.5 * line, cell, line * 1.4),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
            painter.drawText(
                QRectF(grid.left() - 1.5 * line, grid.top() + digit * cell, line * 1.4, cell),
                Qt.AlignmentFlag.AlignCenter,
                str(digit),
            )
        self._paint_cells(painter, grid, cell, base, muted)
        painter.end()

    def _paint_cells(self, painter: QPainter, grid: QRectF, cell: float, base: QColor, muted: QColor) -> None:
        matrix = self._matrix
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(font.pointSizeF(), cell / 3.2)))
        painter.setFont(font)
        row_totals = matrix.sum(axis=1) if matrix is not None else None
        off_diagonal = matrix[~np.eye(10, dtype=bool)] if matrix is not None else None
        worst = math.log1p(int(off_diagonal.max())) if off_diagonal is not None and off_diagonal.max() > 0 else 1.0
        for row in range(10):
            for column in range(10):
                rect = self.cell_rect(row, column).adjusted(1, 1, -1, -1)
                count = int(matrix[row, column]) if matrix is not None else 0
                if matrix is None:
                    colour = _blend(muted, 0.08, base)
                elif row == column:
                    colour = _blend(CORRECT, 0.25 + 0.75 * count / max(1, int(row_totals[row])), base)
                elif count:
                    colour = _blend(WRONG, 0.15 + 0.85 * math.log1p(count) / worst, base)
                else:
                    colour = _blend(muted, 0.06, base)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawRoundedRect(rect, 2, 2)
                if matrix is not None and (count or row == column):
                    painter.setPen(QColor("white") if colour.lightnessF() < 0.6 else QColor("#212121"))
                    painter.setFont(fitted_font(font, str(count), rect.width() - 2))  # 1,135 fits a small cell
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
                if (row, column) in (self._selected, self._hovered):
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.setPen(SELECTED if (row, column) == self._selected else muted)
                    painter.drawRoundedRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5), 2, 2)
