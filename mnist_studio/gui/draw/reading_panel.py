"""The Draw tab's reading: the digit, how sure the model is, the ten probabilities and the 28x28 it sees."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from mnist_studio.gui.common.bar_chart import BarChart
from mnist_studio.gui.common.pixels import PixelView
from mnist_studio.gui.common.typography import heading, scaled_font
from mnist_studio.gui.common.numbers import percent

if TYPE_CHECKING:
    import numpy as np

    from mnist_studio.core.inference import Prediction


class ReadingPanel(QWidget):
    """``predictionLabel``, ``confidenceLabel``, ``predictionDetail``, ``probabilityPlot`` and ``preprocessedPreview``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prediction_label = QLabel(objectName="predictionLabel")
        self.prediction_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction_label.setFixedHeight(self.fontMetrics().height() * 6)
        self.confidence_label = QLabel(" ", objectName="confidenceLabel")
        self.detail_label = QLabel(" ", objectName="predictionDetail")
        self.detail_label.setEnabled(False)
        for label in (self.prediction_label, self.confidence_label, self.detail_label):
            # Text that changes with every reading must not resize the layout (it would jitter).
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.probability_plot = BarChart("probabilityPlot")
        self.probability_plot.setToolTip(self.tr("The model's probability for each digit"))
        self.preview = PixelView("preprocessedPreview", self.tr("nothing yet"))
        self.preview.setToolTip(self.tr("The 28x28 image the model reads, after preprocessing"))
        self.preview.setFixedSize(168, 168)

        preview_row = QHBoxLayout()
        preview_row.addStretch(1)
        preview_row.addWidget(self.preview)
        preview_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading(self.tr("Prediction")))
        layout.addWidget(self.prediction_label)
        layout.addWidget(self.confidence_label)
        layout.addWidget(self.detail_label)
        layout.addSpacing(8)
        layout.addWidget(heading(self.tr("Probabilities")))
        layout.addWidget(self.probability_plot, 1)
        layout.addSpacing(8)
        layout.addWidget(heading(self.tr("What the model sees")))
        layout.addLayout(preview_row)

    def show_prediction(self, prediction: Prediction, image: np.ndarray, model_name: str, milliseconds: float) -> None:
        """Show a reading: the digit large, its confidence, who read it how fast, the bars and the input."""
        self.preview.set_pixels(image)
        self._set_text(str(prediction.digit), large=True)
        self.confidence_label.setText(self.tr("{confidence} confident").format(confidence=percent(prediction.confidence)))
        self.detail_label.setText(
            self.tr("{model} · read in {milliseconds} ms").format(model=model_name, milliseconds=f"{milliseconds:.1f}")
        )
        self.probability_plot.set_values(prediction.probabilities, highlight=prediction.digit)

    def show_nothing(self, message: str, hint: str = " ") -> None:
        """No reading: ``message`` in small type, ``hint`` below it, empty bars and preview."""
        self.preview.set_pixels(None)
        self._set_text(message, large=False)
        self.confidence_label.setText(hint)
        self.detail_label.setText(" ")
        self.probability_plot.clear()

    def _set_text(self, text: str, *, large: bool) -> None:
        self.prediction_label.setFont(scaled_font(self.font(), 6.0 if large else 1.8, bold=large))
        self.prediction_label.setEnabled(large)
        self.prediction_label.setText(text)
        self.prediction_label.setAccessibleName(self.tr("Prediction: {text}").format(text=text))
