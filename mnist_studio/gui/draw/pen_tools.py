"""The row under the canvas: pen width, Undo, Clear and Open image…"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from mnist_studio.gui.draw.canvas import DEFAULT_PEN_WIDTH, DrawCanvas


class PenTools(QWidget):
    """``penWidthSlider`` (sets the width of ``canvas``'s next strokes), ``undoButton``, ``clearButton``, ``openImageButton``."""

    def __init__(self, canvas: DrawCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, objectName="penWidthSlider")
        self.pen_slider.setRange(6, 48)
        self.pen_slider.setValue(DEFAULT_PEN_WIDTH)
        self.pen_slider.setToolTip(self.tr("Pen width for new strokes"))
        self.pen_label = QLabel(self._pen_text(DEFAULT_PEN_WIDTH))
        self.pen_label.setMinimumWidth(self.pen_label.fontMetrics().horizontalAdvance(self._pen_text(48)))
        self.undo_button = QPushButton(self.tr("Undo"), objectName="undoButton")
        self.undo_button.setToolTip(self.tr("Remove the last stroke (Ctrl+Z)"))
        self.clear_button = QPushButton(self.tr("Clear"), objectName="clearButton")
        self.clear_button.setToolTip(self.tr("Start again (Esc or Delete)"))
        self.open_button = QPushButton(self.tr("Open image…"), objectName="openImageButton")
        self.open_button.setToolTip(self.tr("Read a digit from a photo or scan (or drop an image file here)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Pen")))
        layout.addWidget(self.pen_slider, 1)
        layout.addWidget(self.pen_label)
        layout.addSpacing(12)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.clear_button)
        layout.addWidget(self.open_button)
        self.pen_slider.valueChanged.connect(self._set_pen_width)
        self.undo_button.clicked.connect(canvas.undo)

    def _pen_text(self, width: int) -> str:
        return self.tr("{width} px").format(width=width)

    def _set_pen_width(self, width: int) -> None:
        self._canvas.set_pen_width(width)
        self.pen_label.setText(self._pen_text(width))
