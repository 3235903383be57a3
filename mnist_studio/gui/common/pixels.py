"""Glue between numpy pixel arrays and QImage, and a widget showing a small image with crisp pixels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget


def array_to_qimage(pixels: np.ndarray) -> QImage:
    """A grey QImage holding its own copy of ``pixels`` (uint8, HxW)."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def qimage_to_array(image: QImage) -> np.ndarray:
    """The grey levels of ``image`` as a new uint8 HxW array."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(grey.constBits(), dtype=np.uint8).reshape(grey.height(), grey.bytesPerLine())
    return rows[:, : grey.width()].copy()


def paint_pixels(painter: QPainter, target: QRectF, image: QImage) -> None:
    """Draw ``image`` scaled into ``target`` with nearest-neighbour sampling (square pixels)."""
    smooth = painter.testRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    painter.drawImage(target, image)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)


def centred_square(width: float, height: float) -> QRectF:
    """The largest square centred in a ``width`` x ``height`` area."""
    side = min(width, height)
    return QRectF((width - side) / 2, (height - side) / 2, side, side)



class PixelView(QWidget):
    """A small grey image (e.g. the 28x28 a model sees) scaled up with square pixels, on a frame."""

    def __init__(self, object_name: str, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setMinimumSize(112, 112)
        self._placeholder = placeholder
        self._pixels: np.ndarray | None = None
        self._image: QImage | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(140, 140)

    def pixels(self) -> np.ndarray | None:
        """The array shown, or None."""
        return self._pixels

    def set_pixels(self, pixels: np.ndarray | None) -> None:
        """Show ``pixels`` (uint8, HxW), or the placeholder for None."""
        self._pixels = None if pixels is None else np.array(pixels, dtype=np.uint8)
        self._image = None if pixels is None else array_to_qimage(self._pixels)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        square = centred_square(self.width(), self.height()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.fillRect(square, QColor("black"))
        if self._image is not None:
            paint_pixels(painter, square, self._image)
        elif self._placeholder:
            painter.setPen(QColor("#9e9e9e"))
            painter.drawText(square, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
        painter.setPen(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText))
        painter.drawRect(square)
        painter.end()
