"""The Test tab: how good the current model is on the 10,000 test images, and where it fails."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from mnist_studio.gui.common.banner import BannerKind, MessageBanner
from mnist_studio.gui.common.bar_chart import BarChart
from mnist_studio.gui.common.file_dialogs import ask_png_save_path
from mnist_studio.gui.common.model_selector import ModelSelector
from mnist_studio.gui.common.typography import heading, scaled_font
from mnist_studio.gui.evaluate.confusion_view import ConfusionMatrixView
from mnist_studio.gui.evaluate.gallery_panel import GalleryPanel
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.model_library import LoadedModel, ModelLibrary
from mnist_studio.gui.services.workers import WorkerGroup
from mnist_studio.gui.common.numbers import accuracy as format_accuracy
from mnist_studio.gui.common.recipe_text import recipe_text

if TYPE_CHECKING:
    from mnist_studio.core.inspection import ModelReport

EVALUATE_SHORTCUT = "Ctrl+T"  # T for Test; Ctrl+E is File > Export


def _evaluate(model: LoadedModel, report: Callable[[object], None]) -> ModelReport:
    """Evaluate on the test set (runs on a worker thread), reporting (done, total) per batch.

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
        self._workers = WorkerGroup(self)
        self._report: ModelReport | None = None
        self._evaluated: LoadedModel | None = None
        self._evaluating = False
        self.selector = ModelSelector(library)
        self.evaluate_action = QAction(self.tr("&Evaluate on the test set"), self)
        self.evaluate_action.setShortcut(QKeySequence(EVALUATE_SHORTCUT))
        self.evaluate_button = QPushButton(self.tr("Evaluate"), objectName="evaluateButton")
        self.evaluate_button.setToolTip(
            self.tr("Run the model on the 10,000 test images ({shortcut})").format(
                shortcut=QKeySequence(EVALUATE_SHORTCUT).toString(QKeySequence.SequenceFormat.NativeText)
            )
        )
        self.evaluate_button.setDefault(True)
        self.progress = QProgressBar(objectName="evaluationProgress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setFormat(self.tr("%p% of 10,000 test images"))
        self.accuracy_label = QLabel("—", objectName="testAccuracyLabel")
        self.accuracy_label.setFont(scaled_font(self.accuracy_label.font(), 3.2, bold=True))
        self.accuracy_detail = QLabel(objectName="testAccuracyDetail")
        self.accuracy_detail.setWordWrap(True)
        self.per_class_chart = BarChart("perClassAccuracyPlot", floor="auto", label_all=True)
        self.per_class_chart.setToolTip(self.tr("Accuracy on the test images of each digit"))
        self.confusion_view = ConfusionMatrixView()
        self.confusion_view.setToolTip(self.tr("Click a cell to see its test images"))
        self.gallery = GalleryPanel(self.confusion_view, np.random.default_rng(seed))
        self._build_layout()
        self.evaluate_button.clicked.connect(self.evaluate_action.trigger)
        self.evaluate_action.triggered.connect(self.evaluate)
        self.gallery.export_button.clicked.connect(self.ask_export)
        library.currentChanged.connect(self._on_model_changed)
        self._on_model_changed(library.current())

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.evaluate_button)
        top.addWidget(self.progress, 1)
        accuracy_box = QVBoxLayout()
        accuracy_box.addWidget(heading(self.tr("Test accuracy")))
        accuracy_box.addWidget(self.accuracy_label)
        accuracy_box.addWidget(self.accuracy_detail)
        accuracy_box.addStretch(1)
        per_class_box = QVBoxLayout()
        per_class_box.addWidget(heading(self.tr("Accuracy per digit")))
        per_class_box.addWidget(self.per_class_chart, 1)
        summary_row = QHBoxLayout()
        summary_row.addLayout(accuracy_box, 2)
        summary_row.addSpacing(12)
        summary_row.addLayout(per_class_box, 3)
        left = QVBoxLayout()
        left.addLayout(summary_row)
        left.addSpacing(6)
        left.addWidget(heading(self.tr("Confusion matrix")))
        left.addWidget(self.confusion_view, 1)
        results = QWidget()
        columns = QGridLayout(results)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 0, 0)
        columns.addWidget(self.gallery, 0, 1)
        columns.setColumnStretch(0, 4)
        columns.setColumnStretch(1, 5)
        columns.setHorizontalSpacing(24)
        self.banner = MessageBanner(results)  # floats over the results: a message never pushes them down
        layout = QVBoxLayout(self)
        layout.addWidget(self.selector)
        layout.addLayout(top)
        layout.addWidget(results, 1)

    def shutdown(self) -> None:
        """Wait for an evaluation in progress (the window calls this when it closes)."""
        self._workers.join()

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
        self._set_can_evaluate(False)
        self.progress.setValue(0)
        self._workers.run(lambda report: _evaluate(model, report), self._on_evaluated, self._on_failed, self._on_progress)

    def _set_can_evaluate(self, enabled: bool) -> None:
        self.evaluate_button.setEnabled(enabled)
        self.evaluate_action.setEnabled(enabled)

    def _on_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        self.progress.setValue(round(100 * done / total))

    def _on_failed(self, error: BaseException) -> None:
        message = describe_error(error)
        self._evaluating = False
        self._set_can_evaluate(self._library.current() is not None)
        self.progress.setValue(0)
        self.banner.show_message(BannerKind.ERROR, self.tr("Evaluation failed: {reason}").format(reason=message))
        self.evaluationFailed.emit(message)

    def _on_evaluated(self, report: ModelReport) -> None:
        self._evaluating = False
        self._set_can_evaluate(self._library.current() is not None)
        if self._evaluated is not self._library.current():
            self._on_model_changed(self._library.current())
            return  # the model changed while it ran; its results would be misleading
        self._report = report
        self.progress.setValue(100)
        self.accuracy_label.setText(format_accuracy(report.accuracy))
        self.accuracy_detail.setText(
            self.tr("{correct} of {total} correct\n{mistakes} mistakes · loss {loss}\n{seconds} s on {device}").format(
                correct=f"{report.correct:,}",
                total=f"{report.total:,}",
                mistakes=f"{len(report.mistakes):,}",
                loss=f"{report.loss:.4f}",
                seconds=f"{report.seconds:.2f}",
                device=report.device,
            )
        )
        self.per_class_chart.set_values(report.per_class_accuracy)
        self.confusion_view.set_matrix(report.confusion)
        self.gallery.show_report(report)
        self.evaluationFinished.emit(report)

    def _on_model_changed(self, model: LoadedModel | None) -> None:
        if model is not None and model is self._evaluated and self._report is not None:
            return
        self._report = None
        self._set_can_evaluate(model is not None and not self.is_evaluating())
        self.progress.setValue(0)
        self.accuracy_label.setText("—")
        if model is None:
            self.accuracy_detail.setText(self.tr("No model yet: train one on the Train tab or open a checkpoint."))
        else:
            recorded = model.summary.test_accuracy
            claim = self.tr("Its checkpoint records {accuracy}. ").format(accuracy=format_accuracy(recorded)) if recorded is not None else ""
            self.accuracy_detail.setText(
                claim + self.tr("Click Evaluate to test {name} yourself.").format(name=model.summary.display_name)
            )
        self.per_class_chart.clear()
        self.confusion_view.set_matrix(None)
        self.gallery.show_report(None)

    def export_figure(self, path: Path | str) -> Path:
        """Write the gallery as the tutorial's figure (PNG) under a title, the model and its recipe.

        Raises ``OSError`` if it cannot be written.
        """
        return self.gallery.export_figure(path, self.figure_header())

    def figure_header(self) -> list[str]:
        """The lines above an exported figure: a title, the model evaluated, the recipe it was trained with."""
        model = self._evaluated
        lines = [self.tr("MNIST Studio · test images and the model's answers")]
        if model is not None:
            lines.append(self.tr("{arch} · {file}").format(arch=model.summary.display_name, file=model.summary.path.name))
            if model.config is not None:
                lines.append(recipe_text(model.config))
        return lines

    def ask_export(self) -> None:
        """Ask where, then write the gallery figure (File > Export on this tab, Export figure…)."""
        if self._report is None:
            self.banner.show_message(BannerKind.INFO, self.tr("Evaluate the model first: the figure shows its answers."))
            return
        suggested = Path.home() / f"mnist-{self._evaluated.summary.arch}-test-images.png"
        path = ask_png_save_path(self, self.tr("Export figure"), suggested)
        if path is None:
            return
        try:
            written = self.export_figure(path)
        except OSError as error:
            reason = error.strerror or str(error)
            self.banner.show_message(BannerKind.ERROR, self.tr("Cannot write {path}: {reason}").format(path=path, reason=reason))
            return
        self.banner.show_message(BannerKind.SUCCESS, self.tr("Figure saved to {path}").format(path=written))
