"""The drawing canvas: white round strokes on black, drawn with a mouse, a pen or a finger.

Strokes are kept as points in canvas units (0-1), so the drawing is resolution independent:
the screen shows it at the widget's size and device pixel ratio, and :meth:`DrawCanvas.to_array`
renders it at a fixed 280x280 for preprocessing whatever the screen. Every stroke, Clear and
opened picture is an edit in the canvas's ``history`` (undo, redo).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QUndoStack,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QTabletEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:
    from mnist_studio.core.preprocess import PreprocessedDigit

from mnist_studio.gui.common.pixels import centred_square, qimage_to_array
from mnist_studio.gui.draw.canvas_history import CanvasContent, CanvasEdit, Stroke

RENDER_SIDE = 280  # pixels of the image handed to preprocessing
DEFAULT_PEN_WIDTH = 20  # in pixels of a 280-pixel canvas: MNIST's stroke-to-digit proportion


class DrawCanvas(QWidget):
    """A square black canvas; ``drawingChanged`` whenever what it shows changes.

    Pen width is given in pixels of a 280-pixel canvas and scales with the widget. An opened
    picture is shown until the next stroke (``pictureReplaced``) or Clear; Undo brings it back.
    """

    drawingChanged = Signal()
    strokeStarted = Signal()
    pictureReplaced = Signal()  # a stroke began on an opened picture, which it replaces (undoably)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawCanvas")
        self.setMinimumSize(RENDER_SIDE, RENDER_SIDE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Drawing canvas"))
        self.setAccessibleDescription(self.tr("Draw a digit with the mouse or a pen"))
        self.history = QUndoStack(self)
        self._content = CanvasContent()
        self._before_stroke = self._content
        self._drawing = False
        self._pen_width = float(DEFAULT_PEN_WIDTH)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(400, 400)

    def pen_width(self) -> float:
        """Width of new strokes, in pixels of a 280-pixel canvas."""
        return self._pen_width

    def set_pen_width(self, width: float) -> None:
        """Set the width of the next strokes."""
        self._pen_width = float(width)

    def stroke_count(self) -> int:
        """How many strokes the drawing has."""
        return len(self._content.strokes)

    def is_empty(self) -> bool:
        """True when nothing is drawn and no picture is shown."""
        return self._content.is_empty()

    def picture(self) -> QImage | None:
        """The opened image on show, if any."""
        return self._content.picture

    def picture_digit(self) -> PreprocessedDigit | None:
        """What the opened image on show reads as (given with it), if any."""
        return self._content.picture_digit

    def show_picture(self, image: QImage, digit: PreprocessedDigit) -> None:
        """Show ``image`` (an opened photo, read as ``digit``) instead of the drawing; undoable."""
        self._edit(self.tr("Open image"), CanvasContent(picture=image, picture_digit=digit))

    def clear(self) -> None:
        """Remove every stroke and any picture; undoable."""
        if not self.is_empty():
            self._edit(self.tr("Clear"), CanvasContent())

    def undo(self) -> None:
        """Undo the last edit (a stroke, Clear, an opened image); not while a stroke is being drawn."""
        if not self._drawing:
            self.history.undo()

    def redo(self) -> None:
        """Redo the last undone edit; not while a stroke is being drawn."""
        if not self._drawing:
            self.history.redo()

    def _edit(self, text: str, after: CanvasContent) -> None:
        self._drawing = False
        self.history.push(CanvasEdit(text, self._content, after, self._show))

    def _show(self, content: CanvasContent) -> None:
        self._content = content
        self.update()
        self.drawingChanged.emit()

    def canvas_rect(self) -> QRectF:
        """The square the drawing occupies, in widget coordinates."""
        return centred_square(self.width(), self.height())

    def render_image(self, side: int = RENDER_SIDE) -> QImage:
        """The strokes drawn on a black ``side`` x ``side`` grey image, anti-aliased."""
        image = QImage(side, side, QImage.Format.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        self._paint_strokes(painter, QRectF(0, 0, side, side))
        painter.end()
        return image

    def to_array(self) -> np.ndarray:
        """The drawing as a (280, 280) uint8 array, white ink on black, ready for preprocessing."""
        return qimage_to_array(self.render_image())

    def _paint_strokes(self, painter: QPainter, square: QRectF) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = square.width()
        for stroke in self._content.strokes:
            pen = QPen(QColor("white"), stroke.width * side)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            points = [QPointF(square.left() + p.x() * side, square.top() + p.y() * side) for p in stroke.points]
            if len(points) == 1:
                painter.drawPoint(points[0])
            else:
                painter.drawPolyline(QPolygonF(points))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        square = self.canvas_rect()
        painter.fillRect(square, QColor("black"))
        picture = self._content.picture
        if picture is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            size = picture.size().scaled(square.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(0, 0, size.width(), size.height())
            target.moveCenter(square.center())
            painter.drawImage(target, picture)
        elif not self._content.strokes:
            painter.setPen(QColor("#757575"))
            painter.drawText(square, Qt.AlignmentFlag.AlignCenter, self.tr("Draw a digit here"))
        painter.save()
        painter.setClipRect(square)
        self._paint_strokes(painter, square)
        painter.restore()
        painter.setPen(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText))
        painter.drawRect(square.adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()

    def _canvas_point(self, position: QPointF) -> QPointF:
        square = self.canvas_rect()
        return QPointF((position.x() - square.left()) / square.width(), (position.y() - square.top()) / square.height())

    def _begin(self, position: QPointF) -> None:
        replaced_picture = self._content.picture is not None
        self._before_stroke = self._content
        stroke = Stroke(self._pen_width / RENDER_SIDE, [self._canvas_point(position)])
        strokes = () if replaced_picture else self._content.strokes
        self._content = CanvasContent(strokes=(*strokes, stroke))
        self._drawing = True
        self.strokeStarted.emit()
        if replaced_picture:
            self.pictureReplaced.emit()
        self.update()
        self.drawingChanged.emit()

    def _extend(self, position: QPointF) -> None:
        point = self._canvas_point(position)
        stroke = self._content.strokes[-1]
        if point == stroke.points[-1]:
            return
        stroke.points.append(point)
        self.update()
        self.drawingChanged.emit()

    def _end(self, position: QPointF) -> None:
        self._extend(position)
        self._drawing = False
        self.history.push(CanvasEdit(self.tr("Stroke"), self._before_stroke, self._content, self._show))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drawing and event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._drawing and event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt override
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._drawing:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease and self._drawing:
            self._end(event.position())
        event.accept()  # handled here, so Qt does not also send the synthesised mouse events
