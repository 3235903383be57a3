"""The Test tab: how good the current model is on the 10,000 test images, and where it fails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mnist_studio.core.figures import GALLERY_SIZE, accuracy_footer
from mnist_studio.gui.common.bar_chart import BarChart
from mnist_studio.gui.evaluate.confusion_view import ConfusionMatrixView
from mnist_studio.gui.evaluate.gallery_view import GallerySample, GalleryView
from mnist_studio.gui.services.model_library import LoadedModel, ModelLibrary, ModelSelector
from mnist_studio.gui.services.task_group import TaskGroup
from mnist_studio.gui.common.typography import heading, scaled_font
from mnist_studio.gui.common.banner import MessageBanner

if TYPE_CHECKING:
    from mnist_studio.core.inspection import ModelReport


def _evaluate(model: LoadedModel, report: Callable[[object], None]) -> ModelReport:
    """Evaluate on the test set (runs on a background thread), reporting (done, total) per batch.

    The device is chosen as ``mnist-studio evaluate`` chooses it by default, so both agree exactly.
    """
    from mnist_studio.core.inspection import inspect_test_set

    return inspect_test_set(model.model, device="auto", on_progress=lambda done, total: report((done, total)))


class EvaluationTab(QWidget):
    """Evaluate runs the test set in the background; results: accuracy, per-class bars,
    confusion matrix (click a cell to see its images) and a 3x3 gallery that exports as a figure."""

    evaluationFinished = Signal(object)  # ModelReport
    evaluationFailed = Signal(str)

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None, *, seed: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("testTab")
        self._library = library
        self._tasks = TaskGroup(self)
        self._rng = np.random.default_rng(seed)
        self._report: ModelReport | None = None
        self._evaluated: LoadedModel | None = None
        self._evaluating = False
        self._cell: tuple[int, int] | None = None
        self._cell_page = 0
        self._build()
        library.currentChanged.connect(self._on_model_changed)
        self._on_model_changed(library.current())

    def _build(self) -> None:
        self.selector = ModelSelector(self._library)
        self.evaluate_button = QPushButton("Evaluate", objectName="evaluateButton")
        self.evaluate_button.setToolTip("Run the model on the 10,000 test images (Ctrl+E)")
        self.evaluate_button.setShortcut("Ctrl+E")
        self.evaluate_button.setDefault(True)
        self.progress = QProgressBar(objectName="evaluationProgress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat("%p% of 10,000 test images")
        self.banner = MessageBanner()

        self.accuracy_label = QLabel("—", objectName="testAccuracyLabel")
        self.accuracy_label.setFont(scaled_font(self.accuracy_label.font(), 3.2, bold=True))
        self.accuracy_detail = QLabel(objectName="testAccuracyDetail")
        self.accuracy_detail.setWordWrap(True)
        self.per_class_chart = BarChart("perClassAccuracyPlot", floor="auto", label_all=True)
        self.per_class_chart.setToolTip("Accuracy on the test images of each digit")
        self.confusion_view = ConfusionMatrixView()
        self.confusion_view.setToolTip("Click a cell to see its test images")

        self.new_samples_button = QPushButton("New samples", objectName="newSamplesButton")
        self.mistakes_only_check = QCheckBox("Mistakes only", objectName="mistakesOnlyCheck")
        self.export_button = QPushButton("Export figure…", objectName="exportFigureButton")
        self.export_button.setToolTip("Save the nine images with their titles and the accuracy as a PNG")
        self.gallery_caption = QLabel(objectName="galleryCaption")
        self.gallery_caption.setWordWrap(True)
        self.gallery_view = GalleryView()

        top = QHBoxLayout()
        top.addWidget(self.evaluate_button)
        top.addWidget(self.progress, 1)

        accuracy_box = QVBoxLayout()
        accuracy_box.addWidget(heading("Test accuracy"))
        accuracy_box.addWidget(self.accuracy_label)
        accuracy_box.addWidget(self.accuracy_detail)
        accuracy_box.addStretch(1)
        per_class_box = QVBoxLayout()
        per_class_box.addWidget(heading("Accuracy per digit"))
        per_class_box.addWidget(self.per_class_chart, 1)
        summary_row = QHBoxLayout()
        summary_row.addLayout(accuracy_box, 2)
        summary_row.addSpacing(12)
        summary_row.addLayout(per_class_box, 3)
        left = QVBoxLayout()
        left.addLayout(summary_row)
        left.addSpacing(6)
        left.addWidget(heading("Confusion matrix"))
        left.addWidget(self.confusion_view, 1)

        gallery_tools = QHBoxLayout()
        gallery_tools.addWidget(heading("Test images"))
        gallery_tools.addStretch(1)
        gallery_tools.addWidget(self.mistakes_only_check)
        gallery_tools.addWidget(self.new_samples_button)
        gallery_tools.addWidget(self.export_button)
        right = QVBoxLayout()
        right.addLayout(gallery_tools)
        right.addWidget(self.gallery_caption)
        right.addWidget(self.gallery_view, 1)

        columns = QGridLayout()
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 4)
        columns.setColumnStretch(1, 5)
        columns.setHorizontalSpacing(24)

        layout = QVBoxLayout(self)
        layout.addWidget(self.selector)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(columns, 1)

        self.evaluate_button.clicked.connect(self.evaluate)
        self.new_samples_button.clicked.connect(self._next_samples)
        self.mistakes_only_check.toggled.connect(self._show_random_samples)
        self.export_button.clicked.connect(self._ask_export)
        self.confusion_view.cellClicked.connect(self._on_cell_clicked)
        self.gallery_caption.linkActivated.connect(self._show_random_samples)

    def shutdown(self) -> None:
        """Wait for an evaluation or model load in progress (the window calls this when it closes)."""
        self._tasks.join()
        self._library.join()

    def report(self) -> ModelReport | None:
        """The results shown, or None."""
        return self._report

    def is_evaluating(self) -> bool:
        """True while the test set is being evaluated."""
        return self._evaluating

    def evaluate(self) -> None:
        """Evaluate the current model on the test set in the background."""
        model = self._library.current()
        if model is None or self.is_evaluating():
            return
        self._evaluated = model
        self._evaluating = True
        self.banner.dismiss()
        self.evaluate_button.setEnabled(False)
        self.progress.setValue(0)
        self._tasks.start(lambda report: _evaluate(model, report), self._on_evaluated, self._on_failed, self._on_progress)

    def _on_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        self.progress.setValue(round(100 * done / total))

    def _on_failed(self, message: str) -> None:
        self._evaluating = False
        self.evaluate_button.setEnabled(self._library.current() is not None)
        self.progress.setValue(0)
        self.banner.show_message("error", f"Evaluation failed: {message}")
        self.evaluationFailed.emit(message)

    def _on_evaluated(self, report: ModelReport) -> None:
        self._evaluating = False
        self.evaluate_button.setEnabled(self._library.current() is not None)
        if self._evaluated is not self._library.current():
            self._on_model_changed(self._library.current())
            return  # the model changed while it ran; its results would be misleading
        self._report = report
        self.progress.setValue(100)
        self.accuracy_label.setText(f"{report.accuracy:.2%}")
        self.accuracy_detail.setText(
            f"{report.correct:,} of {report.total:,} correct\n{len(report.mistakes):,} mistakes · loss {report.loss:.4f}\n"
            f"{report.seconds:.2f} s on {report.device}"
        )
        self.per_class_chart.set_values(report.per_class_accuracy)
        self.confusion_view.set_matrix(report.confusion)
        self.export_button.setEnabled(True)
        self.new_samples_button.setEnabled(True)
        self._show_random_samples()
        self.evaluationFinished.emit(report)

    def _on_model_changed(self, model: LoadedModel | None) -> None:
        if model is not None and model is self._evaluated and self._report is not None:
            return
        self._report = None
        self.evaluate_button.setEnabled(model is not None and not self.is_evaluating())
        self.progress.setValue(0)
        self.accuracy_label.setText("—")
        if model is None:
            self.accuracy_detail.setText("No model yet: train one on the Train tab or open a checkpoint.")
        else:
            recorded = model.summary.test_accuracy
            claim = f"Its checkpoint records {recorded:.2%}. " if recorded is not None else ""
            self.accuracy_detail.setText(f"{claim}Click Evaluate to test {model.summary.display_name} yourself.")
        self.per_class_chart.clear()
        self.confusion_view.set_matrix(None)
        self.gallery_view.set_samples([])
        self.gallery_view.set_placeholder("Evaluate the model to see test images with its answers.")
        self.gallery_caption.setText("")
        self.export_button.setEnabled(False)
        self.new_samples_button.setEnabled(False)

    def _samples(self, indices: np.ndarray) -> list[GallerySample]:
        report = self._report
        return [
            GallerySample(
                index=int(index),
                image=report.images[index],
                label=int(report.labels[index]),
                prediction=int(report.predictions[index]),
                confidence=float(report.confidences[index]),
            )
            for index in indices
        ]

    def _show_random_samples(self) -> None:
        from mnist_studio.core.inspection import sample_indices

        if self._report is None:
            return
        self._cell = None
        self.confusion_view.set_selected_cell(None)
        self.new_samples_button.setText("New samples")
        mistakes_only = self.mistakes_only_check.isChecked()
        indices = sample_indices(self._report, GALLERY_SIZE, self._rng, mistakes_only=mistakes_only)
        mistakes = len(self._report.mistakes)
        if mistakes_only:
            caption = f"Random mistakes ({mistakes:,} in all)." if mistakes else "No mistakes at all."
        else:
            caption = "Random test images; mistakes in red. Click a cell of the matrix to see its images."
        self.gallery_caption.setText(caption)
        self.gallery_view.set_placeholder("The model got every test image right.")
        self.gallery_view.set_samples(self._samples(indices))

    def _on_cell_clicked(self, true_digit: int, predicted_digit: int) -> None:
        if self._cell == (true_digit, predicted_digit):
            self._show_random_samples()  # a second click on the same cell goes back
            return
        self._cell = (true_digit, predicted_digit)
        self._cell_page = 0
        self._show_cell_page()

    def _show_cell_page(self) -> None:
        from mnist_studio.core.inspection import cell_indices

        true_digit, predicted_digit = self._cell
        indices = cell_indices(self._report, true_digit, predicted_digit)
        pages = max(1, -(-len(indices) // GALLERY_SIZE))
        self._cell_page %= pages
        first = self._cell_page * GALLERY_SIZE
        shown = indices[first : first + GALLERY_SIZE]
        self.confusion_view.set_selected_cell(self._cell)
        self.new_samples_button.setText("Next nine" if pages > 1 else "New samples")
        if true_digit == predicted_digit:
            what = f"{len(indices):,} {true_digit}s read correctly, least confident first"
        else:
            what = f"{len(indices):,} {true_digit}s read as {predicted_digit}, most confident mistakes first"
        where = f" (showing {first + 1}–{first + len(shown)})" if len(indices) > GALLERY_SIZE else ""
        self.gallery_caption.setText(f"{what}{where}. <a href='random'>Back to random images</a>")
        self.gallery_view.set_placeholder(f"No test image of a {true_digit} was read as {predicted_digit}.")
        self.gallery_view.set_samples(self._samples(shown))

    def _next_samples(self) -> None:
        if self._cell is None:
            self._show_random_samples()
        else:
            self._cell_page += 1
            self._show_cell_page()

    def export_figure(self, path: Path | str) -> Path:
        """Write the gallery as the tutorial's figure (PNG); raises ``OSError`` if it cannot be written."""
        from mnist_studio.core.figures import save_gallery_figure

        report, samples = self._report, self.gallery_view.samples()
        return save_gallery_figure(
            path,
            [sample.image for sample in samples],
            [sample.label for sample in samples],
            [sample.prediction for sample in samples],
            accuracy_footer(report.accuracy, report.correct, report.total),
        )

    def _ask_export(self) -> None:
        if self._report is None:
            return
        suggested = Path.home() / f"mnist-{self._evaluated.summary.arch}-test-images.png"
        path, _ = QFileDialog.getSaveFileName(self, "Export figure", str(suggested), "PNG image (*.png)")
        if not path:
            return
        path = Path(path) if path.lower().endswith(".png") else Path(f"{path}.png")
        try:
            written = self.export_figure(path)
        except OSError as error:
            self.banner.show_message("error", f"Cannot write {path}: {error.strerror or error}")
            return
        self.banner.show_message("success", f"Figure saved to {written}")
