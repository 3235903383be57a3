"""The Draw tab: draw a digit (or open a photo of one) and watch the current model read it live.

Preprocessing and prediction are the engine's (``core.preprocess``, ``core.inference``); this
tab turns the canvas into a pixel array, asks a :class:`DigitReader` (off the GUI thread, at
most every 40 ms while drawing) and shows the answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from mnist_studio.gui.common.banner import BannerKind, MessageBanner
from mnist_studio.gui.common.file_dialogs import ask_image_to_open
from mnist_studio.gui.common.model_selector import ModelSelector
from mnist_studio.gui.common.pixels import array_to_qimage
from mnist_studio.gui.draw.all_models_view import AllModelsView
from mnist_studio.gui.draw.canvas import DrawCanvas
from mnist_studio.gui.draw.pen_tools import PenTools
from mnist_studio.gui.draw.reading_panel import ReadingPanel
from mnist_studio.gui.services.digit_reader import DigitReader, Reading
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.model_library import LoadedModel, ModelLibrary
from mnist_studio.gui.services.workers import WorkerGroup

if TYPE_CHECKING:
    import numpy as np

    from mnist_studio.core.inference import Prediction
    from mnist_studio.core.preprocess import PreprocessedDigit

PREDICTION_INTERVAL_MS = 40  # at most 25 readings a second while drawing


def empty_text() -> str:
    """What the prediction label says while there is nothing to read."""
    return QCoreApplication.translate("DrawTab", "Draw a digit")


def _load_picture(path: str) -> tuple[str, np.ndarray, PreprocessedDigit]:
    """Read and preprocess an image file (runs on a worker thread); raises ``ImageError``."""
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
        self._workers = WorkerGroup(self)
        self._reader = DigitReader(self)
        self._reader.readingReady.connect(self._on_reading)
        self._reader.readingFailed.connect(self._on_reading_failed)
        self._picture_wanted = ""  # the image file asked for last; earlier ones that finish later are ignored
        self._prediction: Prediction | None = None
        self._timer = QTimer(self, singleShot=True, interval=PREDICTION_INTERVAL_MS)
        self._timer.timeout.connect(self.update_prediction)
        self._build()
        self.canvas.drawingChanged.connect(self._schedule)
        self.canvas.pictureReplaced.connect(self._say_picture_replaced)
        library.currentChanged.connect(self.update_prediction)
        library.currentChanged.connect(self._reload_all_models)
        library.modelsLoaded.connect(self._on_models_loaded)
        library.entriesChanged.connect(self._reload_all_models)
        self.addActions(self.tools.actions_with_keys())  # their keys hold while this tab is in view
        self.update_prediction()

    def _build(self) -> None:
        self.selector = ModelSelector(self._library)
        self.canvas = DrawCanvas()
        self.tools = PenTools(self.canvas)
        self.reading = ReadingPanel()
        self.all_models_button = QPushButton(self.tr("Compare models"), objectName="allModelsButton")
        self.all_models_button.setCheckable(True)
        self.all_models_button.setToolTip(self.tr("Read the drawing with the shipped models (and your runs) side by side"))
        self.all_models_view = AllModelsView()
        self.all_models_view.setVisible(False)
        self._compared: list[Path] = []  # the checkpoints the comparison asked for last

        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addWidget(self.tools)
        right = QVBoxLayout()
        right.addWidget(self.reading, 1)
        right.addWidget(self.all_models_button)
        content = QWidget()
        columns = QHBoxLayout(content)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 3)
        columns.addSpacing(16)
        columns.addLayout(right, 2)
        self.banner = MessageBanner(content)  # floats over canvas and reading: a message never pushes them down
        layout = QVBoxLayout(self)
        layout.addWidget(self.selector)
        layout.addWidget(content, 1)
        layout.addWidget(self.all_models_view)  # a full-width row under the canvas, when comparing

        self.tools.open_button.clicked.connect(self._ask_for_image)
        self.all_models_button.toggled.connect(self._show_all_models)
        self.all_models_view.includeRunsChanged.connect(self._reload_all_models)

    def prediction(self) -> Prediction | None:
        """The reading shown, or None."""
        return self._prediction

    def is_reading(self) -> bool:
        """True while a reading is being computed or waits to be."""
        return self._reader.is_busy() or self._timer.isActive()

    def shutdown(self) -> None:
        """Stop asking for readings and wait for the readings in flight (never for an image being opened)."""
        self._timer.stop()
        self._reader.join()
        self._workers.join()

    def clear(self) -> None:
        """Empty the canvas, opened picture included (Undo brings it back)."""
        self.canvas.clear()
        self.update_prediction()

    def _say_picture_replaced(self) -> None:
        self.banner.show_message(
            BannerKind.INFO, self.tr("Your drawing replaced the opened image; Undo ({keys}) brings the image back.").format(
                keys=QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
            )
        )

    def _schedule(self) -> None:
        if self.canvas.is_empty():
            self.update_prediction()  # an empty canvas clears at once, never shows a stale digit
        elif not self._timer.isActive():
            self._timer.start()

    def update_prediction(self) -> None:
        """Ask for a reading of the drawing (or opened picture) now; empty states show at once."""
        self._timer.stop()
        loaded = self._library.current()
        blank = self.canvas.is_empty()
        if blank or loaded is None:
            self._reader.cancel()
            self._show_nothing(self.tr("No model yet") if loaded is None and not blank else empty_text(), loaded, blank)
            return
        models = [loaded] + (self.all_models_view.models() if self.all_models_button.isChecked() else [])
        picture_digit = self.canvas.picture_digit()
        if picture_digit is not None:
            self._reader.request(models, digit=picture_digit)
        else:
            self._reader.request(models, pixels=self.canvas.to_array())

    def _on_reading(self, reading: Reading) -> None:
        prediction = reading.predictions[0]
        loaded = self._library.current()
        if prediction is None or loaded is None:
            self._show_nothing(self.tr("No digit found") if self.canvas.picture() is not None else empty_text(), loaded, False)
            return
        self._prediction = prediction
        self.reading.show_prediction(prediction, reading.digit.image, loaded.summary.display_name, reading.milliseconds)
        others = reading.predictions[1:]
        if len(others) == len(self.all_models_view.models()):
            self.all_models_view.show_predictions(others)
        self.predictionUpdated.emit(prediction)

    def _on_reading_failed(self, error: BaseException) -> None:
        message = self.tr("Cannot read the drawing: {reason}").format(reason=describe_error(error))
        self.banner.show_message(BannerKind.ERROR, message)

    def _show_nothing(self, message: str, loaded: LoadedModel | None, blank: bool) -> None:
        self._prediction = None
        hint = self.tr("Train a model or open a checkpoint") if loaded is None and not blank else " "
        self.reading.show_nothing(message, hint)
        self.all_models_view.show_predictions([None] * len(self.all_models_view.models()))
        self.predictionUpdated.emit(None)

    def _show_all_models(self, shown: bool) -> None:
        self.all_models_view.setVisible(shown)
        self._reload_all_models()

    def _reload_all_models(self) -> None:
        """Load the models to compare: the shipped ones and the current one; every run too when asked."""
        if not self.all_models_button.isChecked():
            return
        current = self._library.current_path()
        everything = self.all_models_view.include_runs_check.isChecked()
        self._compared = [
            summary.path
            for summary in self._library.entries()
            if everything or summary.path == current or self._library.is_shipped(summary.path)
        ]
        self._library.load_all(self._compared)

    def _on_models_loaded(self, models: list[LoadedModel]) -> None:
        if any(model.summary.path not in self._compared for model in models):
            return  # an answer to an earlier question (runs were included then)
        shipped = [self._library.is_shipped(model.summary.path) for model in models]
        self.all_models_view.set_models(models, shipped, self._library.current())
        self.update_prediction()

    def open_image(self, path: Path | str) -> None:
        """Read a digit from an image file in the background; a bad file gives a one-line message."""
        self.banner.dismiss()
        path = str(path)
        self._picture_wanted = path
        # Not joined at close: a file that blocks when opened (a FIFO) must not hang the window.
        self._workers.run(lambda: _load_picture(path), self._on_picture_loaded, self._on_picture_failed, joinable=False)

    def _on_picture_loaded(self, result: tuple[str, np.ndarray, PreprocessedDigit]) -> None:
        path, pixels, digit = result
        if path != self._picture_wanted:
            return
        self.canvas.show_picture(array_to_qimage(pixels), digit)
        self.update_prediction()
        self.pictureOpened.emit(path)

    def _on_picture_failed(self, error: BaseException) -> None:
        message = describe_error(error)
        self.banner.show_message(BannerKind.ERROR, message)
        self.pictureFailed.emit(message)

    def _ask_for_image(self) -> None:
        path = ask_image_to_open(self)
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
