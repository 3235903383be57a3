"""The 3x3 gallery of test images titled "Ground Truth: 7 / Predict: 7", mistakes in red."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_studio.core.figures import GALLERY_SIZE, gallery_title
from mnist_studio.gui.common.painting import begin_painting
from mnist_studio.gui.common.pixels import array_to_qimage, paint_pixels
from mnist_studio.gui.common.typography import fitted_font, scaled_font
from mnist_studio.gui.common.numbers import percent

MISTAKE = QColor("#d32f2f")
COLUMNS = 3


@dataclass(frozen=True, eq=False)
class GallerySample:
    """One test image with its true digit and the model's answer."""

    index: int  # position in the test set
    image: np.ndarray  # (28, 28) uint8
    label: int
    prediction: int
    confidence: float  # probability given to ``prediction``

    @property
    def mistake(self) -> bool:
        """True when the model got it wrong."""
        return self.label != self.prediction

    @property
    def title(self) -> str:
        """The tutorial's title: "Ground Truth: 7 / Predict: 7"."""
        return gallery_title(self.label, self.prediction)


class GalleryView(QWidget):
    """Up to nine samples in a 3x3 grid: title, confidence and the image with square pixels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("galleryView")
        self.setMinimumSize(330, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._samples: tuple[GallerySample, ...] = ()
        self._images: list[QImage] = []
        self._placeholder = ""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, 520)

    def samples(self) -> tuple[GallerySample, ...]:
        """The samples shown, in reading order."""
        return self._samples

    def set_samples(self, samples: Sequence[GallerySample]) -> None:
        """Show up to nine ``samples``."""
        self._samples = tuple(samples[:GALLERY_SIZE])
        self._images = [array_to_qimage(sample.image) for sample in self._samples]
        self.setAccessibleDescription("; ".join(sample.title for sample in self._samples))
        self.update()

    def set_placeholder(self, text: str) -> None:
        """Text shown when there are no samples."""
        self._placeholder = text
        self.update()

    def tile_rect(self, position: int) -> QRectF:
        """The area of tile ``position`` (0-8, reading order)."""
        width, height = self.width() / COLUMNS, self.height() / COLUMNS
        return QRectF((position % COLUMNS) * width, (position // COLUMNS) * height, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter, colours = begin_painting(self)
        text, muted = colours.text, colours.muted
        if not self._samples:
            painter.setPen(muted)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._placeholder)
            painter.end()
            return
        title_font = self.font()
        small_font = scaled_font(title_font, 0.85)
        line = painter.fontMetrics().height()
        for position, (sample, image) in enumerate(zip(self._samples, self._images)):
            tile = self.tile_rect(position).adjusted(6, 4, -6, -6)
            side = max(10.0, min(tile.width(), tile.height() - 2 * line - 4))
            left = tile.left() + (tile.width() - side) / 2
            title_rect = QRectF(tile.left(), tile.top(), tile.width(), line)
            # Titles are shown whole (smaller type where a tile is narrow), never cut at the tile's edges.
            painter.setFont(fitted_font(title_font, sample.title, tile.width()))
            painter.setPen(MISTAKE if sample.mistake else text)
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, sample.title)
            detail = self.tr("test image #{index} · {confidence} sure").format(
                index=sample.index, confidence=percent(sample.confidence)
            )
            painter.setFont(fitted_font(small_font, detail, tile.width()))
            painter.setPen(MISTAKE if sample.mistake else muted)
            painter.drawText(
                QRectF(tile.left(), tile.top() + line, tile.width(), line),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                detail,
            )
            target = QRectF(left, tile.top() + 2 * line + 4, side, side)
            paint_pixels(painter, target, image)
            if sample.mistake:
                painter.setPen(QPen(MISTAKE, 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(target.adjusted(-1.5, -1.5, 1.5, 1.5))
        painter.end()
