"""The Draw tab: draw a digit (or open a photo of one) and watch the current model read it live.

Preprocessing and prediction are the engine's (``core.preprocess``, ``core.inference``); this
tab turns the canvas into a pixel array, asks a :class:`DigitReader` (off the GUI thread, at
most every 40 ms while drawing) and shows the answers.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from mnist_studio.gui.draw.all_models_view import AllModelsView
from mnist_studio.gui.common.bar_chart import BarChart
from mnist_studio.gui.draw.canvas import DEFAULT_PEN_WIDTH, DrawCanvas
from mnist_studio.gui.common.pixels import PixelView, array_to_qimage
from mnist_studio.gui.services.model_library import LoadedModel, ModelLibrary, ModelSelector
from mnist_studio.gui.services.digit_reader import DigitReader, Reading
from mnist_studio.gui.services.task_group import TaskGroup
from mnist_studio.gui.common.typography import heading, scaled_font
from mnist_studio.gui.common.banner import MessageBanner

if TYPE_CHECKING:
    import numpy as np

    from mnist_studio.core.inference import Prediction
    from mnist_studio.core.preprocess import PreprocessedDigit

PREDICTION_INTERVAL_MS = 40  # at most 25 readings a second while drawing
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp);;All files (*)"
EMPTY_TEXT = "Draw a digit"


def _load_picture(path: str) -> tuple[str, np.ndarray, PreprocessedDigit]:
    """Read and preprocess an image file (runs on a background thread); raises ``ImageError``."""
    from mnist_studio.core.preprocess import load_image_file, preprocess_array

    pixels = load_image_file(path)
    return path, pixels, preprocess_array(pixels)


class DrawTab(QWidget):
    """Canvas, pen tools and the live reading: digit, confidence, probabilities, the 28x28 input."""

    predictionUpdated = Signal(object)  # Prediction, or None when there is nothing to read
    pictureOpened = Signal(str)
    pictureFailed = Signal(str)

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawTab")
        self.setAcceptDrops(True)
        self._library = library
        self._tasks = TaskGroup(self)
        self._reader = DigitReader(self)
        self._reader.readingReady.connect(self._on_reading)
        self._reader.readingFailed.connect(self._on_reading_failed)
        self._picture_digit: PreprocessedDigit | None = None
        self._picture_wanted = ""  # the image file asked for last; earlier ones that finish later are ignored
        self._prediction: Prediction | None = None
        self._requested_at: dict[int, float] = {}
        self._latencies_ms: deque[float] = deque(maxlen=1000)
        self._round_trips_ms: deque[float] = deque(maxlen=1000)
        self._timer = QTimer(self, singleShot=True, interval=PREDICTION_INTERVAL_MS)
        self._timer.timeout.connect(self.update_prediction)
        self._build()
        self.canvas.drawingChanged.connect(self._schedule)
        self.canvas.strokeStarted.connect(self._forget_picture)
        library.currentChanged.connect(self.update_prediction)
        library.modelsLoaded.connect(self._on_models_loaded)
        library.entriesChanged.connect(self._reload_all_models)
        for key, slot in (
            (QKeySequence(Qt.Key.Key_Escape), self.clear),
            (QKeySequence(Qt.Key.Key_Delete), self.clear),
            (QKeySequence(QKeySequence.StandardKey.Undo), self.canvas.undo),
        ):
            QShortcut(key, self, slot)
        self.update_prediction()

    def _build(self) -> None:
        self.selector = ModelSelector(self._library)
        self.canvas = DrawCanvas()
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, objectName="penWidthSlider")
        self.pen_slider.setRange(6, 48)
        self.pen_slider.setValue(DEFAULT_PEN_WIDTH)
        self.pen_slider.setToolTip("Pen width for new strokes")
        self.pen_label = QLabel(f"{DEFAULT_PEN_WIDTH} px")
        self.pen_label.setMinimumWidth(self.pen_label.fontMetrics().horizontalAdvance("48 px"))
        self.undo_button = QPushButton("Undo", objectName="undoButton")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.clear_button = QPushButton("Clear", objectName="clearButton")
        self.clear_button.setToolTip("Start again (Esc or Delete)")
        self.open_button = QPushButton("Open image…", objectName="openImageButton")
        self.open_button.setToolTip("Read a digit from a photo or scan (or drop an image file here)")
        self.banner = MessageBanner()

        self.prediction_label = QLabel(EMPTY_TEXT, objectName="predictionLabel")
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
        self.probability_plot.setToolTip("The model's probability for each digit")
        self.preview = PixelView("preprocessedPreview", "nothing yet")
        self.preview.setToolTip("The 28x28 image the model reads, after preprocessing")
        self.preview.setFixedSize(168, 168)
        self.all_models_button = QPushButton("Compare all models", objectName="allModelsButton")
        self.all_models_button.setCheckable(True)
        self.all_models_button.setToolTip("Read the drawing with every available model side by side")
        self.all_models_view = AllModelsView()
        self.all_models_view.setVisible(False)
        self.all_models_view.setMinimumHeight(130)

        tools = QHBoxLayout()
        tools.addWidget(QLabel("Pen"))
        tools.addWidget(self.pen_slider, 1)
        tools.addWidget(self.pen_label)
        tools.addSpacing(12)
        tools.addWidget(self.undo_button)
        tools.addWidget(self.clear_button)
        tools.addWidget(self.open_button)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)

        preview_row = QHBoxLayout()
        preview_row.addStretch(1)
        preview_row.addWidget(self.preview)
        preview_row.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(heading("Prediction"))
        right.addWidget(self.prediction_label)
        right.addWidget(self.confidence_label)
        right.addWidget(self.detail_label)
        right.addSpacing(8)
        right.addWidget(heading("Probabilities"))
        right.addWidget(self.probability_plot, 1)
        right.addSpacing(8)
        right.addWidget(heading("What the model sees"))
        right.addLayout(preview_row)
        right.addStretch(1)
        right.addWidget(self.all_models_button)
        right.addWidget(self.all_models_view, 2)

        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addSpacing(16)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.selector)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)

        self.pen_slider.valueChanged.connect(self._set_pen_width)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.clear_button.clicked.connect(self.clear)
        self.open_button.clicked.connect(self._ask_for_image)
        self.all_models_button.toggled.connect(self._show_all_models)

    def prediction(self) -> Prediction | None:
        """The reading shown, or None."""
        return self._prediction

    def is_reading(self) -> bool:
        """True while a reading is being computed or waits to be."""
        return self._reader.is_busy() or self._timer.isActive()

    def latencies_ms(self) -> list[float]:
        """Milliseconds of recent readings on the worker: preprocessing plus the current model."""
        return list(self._latencies_ms)

    def round_trips_ms(self) -> list[float]:
        """Milliseconds from asking for recent readings to showing them (thread hand-over included)."""
        return list(self._round_trips_ms)

    def shutdown(self) -> None:
        """Wait for background work of this tab to end: readings, images and models being opened."""
        self._timer.stop()
        self._reader.join()
        self._tasks.join()
        self._library.join()

    def clear(self) -> None:
        """Empty the canvas and forget any opened picture."""
        self._picture_digit = None
        self.canvas.clear()
        self.update_prediction()

    def _set_pen_width(self, width: int) -> None:
        self.canvas.set_pen_width(width)
        self.pen_label.setText(f"{width} px")

    def _forget_picture(self) -> None:
        self._picture_digit = None

    def _schedule(self) -> None:
        if self.canvas.is_empty() and self._picture_digit is None:
            self.update_prediction()  # an empty canvas clears at once, never shows a stale digit
        elif not self._timer.isActive():
            self._timer.start()

    def update_prediction(self) -> None:
        """Ask for a reading of the drawing (or opened picture) now; empty states show at once."""
        self._timer.stop()
        loaded = self._library.current()
        blank = self.canvas.is_empty() and self._picture_digit is None
        if blank or loaded is None:
            self._reader.cancel()
            self._requested_at.clear()
            self._show_nothing("No model yet" if loaded is None and not blank else EMPTY_TEXT, loaded, blank)
            return
        models = [loaded] + (self.all_models_view.models() if self.all_models_button.isChecked() else [])
        if self._picture_digit is not None:
            serial = self._reader.request(models, digit=self._picture_digit)
        else:
            serial = self._reader.request(models, pixels=self.canvas.to_array())
        self._requested_at[serial] = time.perf_counter()

    def _on_reading(self, reading: Reading) -> None:
        requested_at = self._requested_at.pop(reading.serial, None)
        for serial in [serial for serial in self._requested_at if serial < reading.serial]:
            del self._requested_at[serial]  # dropped while a newer one waited
        prediction = reading.predictions[0]
        loaded = self._library.current()
        if prediction is None or loaded is None:
            self._show_nothing("No digit found" if self._picture_digit is not None else EMPTY_TEXT, loaded, False)
            return
        self._latencies_ms.append(reading.milliseconds)
        if requested_at is not None:
            self._round_trips_ms.append((time.perf_counter() - requested_at) * 1000)
        self._prediction = prediction
        self.preview.set_pixels(reading.digit.image)
        self._set_prediction_text(str(prediction.digit), large=True)
        self.confidence_label.setText(f"{prediction.confidence:.1%} confident")
        self.detail_label.setText(f"{loaded.summary.display_name} · read in {reading.milliseconds:.1f} ms")
        self.probability_plot.set_values(prediction.probabilities, highlight=prediction.digit)
        others = reading.predictions[1:]
        if len(others) == len(self.all_models_view.models()):
            self.all_models_view.show_predictions(others)
        self.predictionUpdated.emit(prediction)

    def _on_reading_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Cannot read the drawing: {message}")

    def _show_nothing(self, message: str, loaded: LoadedModel | None, blank: bool) -> None:
        self._prediction = None
        self.preview.set_pixels(None)
        self._set_prediction_text(message, large=False)
        self.confidence_label.setText("Train a model or open a checkpoint" if loaded is None and not blank else " ")
        self.detail_label.setText(" ")
        self.probability_plot.clear()
        self.all_models_view.show_predictions([None] * len(self.all_models_view.models()))
        self.predictionUpdated.emit(None)

    def _set_prediction_text(self, text: str, *, large: bool) -> None:
        self.prediction_label.setFont(scaled_font(self.font(), 6.0 if large else 1.8, bold=large))
        self.prediction_label.setEnabled(large)
        self.prediction_label.setText(text)
        self.prediction_label.setAccessibleName(f"Prediction: {text}")

    def _show_all_models(self, shown: bool) -> None:
        self.all_models_view.setVisible(shown)
        if shown:
            self._library.load_all()

    def _reload_all_models(self) -> None:
        if self.all_models_button.isChecked():
            self._library.load_all()

    def _on_models_loaded(self, models: list[LoadedModel]) -> None:
        self.all_models_view.set_models(models)
        self.update_prediction()

    def open_image(self, path: Path | str) -> None:
        """Read a digit from an image file in the background; a bad file gives a one-line message."""
        self.banner.dismiss()
        path = str(path)
        self._picture_wanted = path
        self._tasks.start(lambda: _load_picture(path), self._on_picture_loaded, self._on_picture_failed)

    def _on_picture_loaded(self, result: tuple[str, np.ndarray, PreprocessedDigit]) -> None:
        path, pixels, digit = result
        if path != self._picture_wanted:
            return
        self._picture_digit = digit
        self.canvas.show_picture(array_to_qimage(pixels))
        self.update_prediction()
        self.pictureOpened.emit(path)

    def _on_picture_failed(self, message: str) -> None:
        self.banner.show_message("error", message)
        self.pictureFailed.emit(message)

    def _ask_for_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open an image of a digit", str(Path.home()), IMAGE_FILTER)
        if path:
            self.open_image(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_image(files[0])
