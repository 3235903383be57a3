"""The Test tab's right half: nine test images with the model's answers, random or from one matrix cell."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_studio.core.figures import GALLERY_SIZE, accuracy_footer
from mnist_studio.gui.common.plurals import plural
from mnist_studio.gui.common.typography import heading
from mnist_studio.gui.evaluate.confusion_view import ConfusionMatrixView
from mnist_studio.gui.evaluate.gallery_view import GallerySample, GalleryView

if TYPE_CHECKING:
    from mnist_studio.core.inspection import ModelReport


class GalleryPanel(QWidget):
    """Tools (Mistakes only, New samples / Next nine, Export figure…), a caption and the 3x3 gallery.

    It follows clicks on ``confusion_view``: a cell shows its images page by page, a second
    click on it goes back to random images.
    """

    def __init__(self, confusion_view: ConfusionMatrixView, rng: np.random.Generator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._confusion_view = confusion_view
        self._rng = rng
        self._report: ModelReport | None = None
        self._cell: tuple[int, int] | None = None
        self._cell_page = 0
        self.new_samples_button = QPushButton(self.tr("New samples"), objectName="newSamplesButton")
        self.mistakes_only_check = QCheckBox(self.tr("Mistakes only"), objectName="mistakesOnlyCheck")
        self.export_button = QPushButton(self.tr("Export figure…"), objectName="exportFigureButton")
        self.export_button.setToolTip(self.tr("Save the nine images with their titles and the accuracy as a PNG"))
        self.caption = QLabel(objectName="galleryCaption")
        self.caption.setWordWrap(True)
        self.view = GalleryView()

        # No spacing of their own, as when these rows were nested in the tab's grid (screenshots unchanged).
        tools = QHBoxLayout()
        tools.setSpacing(0)
        tools.addWidget(heading(self.tr("Test images")))
        tools.addStretch(1)
        tools.addWidget(self.mistakes_only_check)
        tools.addWidget(self.new_samples_button)
        tools.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(tools)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

        self.new_samples_button.clicked.connect(self._next_samples)
        self.mistakes_only_check.toggled.connect(self.show_random_samples)
        self.caption.linkActivated.connect(self.show_random_samples)
        confusion_view.cellClicked.connect(self._on_cell_clicked)
        self.show_report(None)

    def show_report(self, report: ModelReport | None) -> None:
        """Browse ``report``'s test images (random ones first), or show the "evaluate first" state."""
        self._report = report
        self.export_button.setEnabled(report is not None)
        self.new_samples_button.setEnabled(report is not None)
        if report is None:
            self.view.set_samples([])
            self.view.set_placeholder(self.tr("Evaluate the model to see test images with its answers."))
            self.caption.setText("")
        else:
            self.show_random_samples()

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

    def show_random_samples(self) -> None:
        """Nine random test images (only mistakes when that box is ticked)."""
        from mnist_studio.core.inspection import sample_indices

        if self._report is None:
            return
        self._cell = None
        self._confusion_view.set_selected_cell(None)
        self.new_samples_button.setText(self.tr("New samples"))
        mistakes_only = self.mistakes_only_check.isChecked()
        indices = sample_indices(self._report, GALLERY_SIZE, self._rng, mistakes_only=mistakes_only)
        mistakes = len(self._report.mistakes)
        if not mistakes_only:
            caption = self.tr("Random test images; mistakes in red. Click a cell of the matrix to see its images.")
        elif mistakes:
            caption = self.tr("Random mistakes ({count} in all).").format(count=f"{mistakes:,}")
        else:
            caption = self.tr("No mistakes at all.")
        self.caption.setText(caption)
        self.view.set_placeholder(self.tr("The model got every test image right."))
        self.view.set_samples(self._samples(indices))

    def _on_cell_clicked(self, true_digit: int, predicted_digit: int) -> None:
        if self._cell == (true_digit, predicted_digit):
            self.show_random_samples()  # a second click on the same cell goes back
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
        self._confusion_view.set_selected_cell(self._cell)
        self.new_samples_button.setText(self.tr("Next nine") if pages > 1 else self.tr("New samples"))
        count = len(indices)
        if true_digit == predicted_digit:
            what = self.tr("%n test image(s) of digit {digit} read correctly, the least confident first", "", count)
        else:
            what = self.tr("%n test image(s) of digit {digit} read as {predicted}, the most confident first", "", count)
        what = plural(what, count).format(digit=true_digit, predicted=predicted_digit)
        if count > GALLERY_SIZE:
            what = self.tr("{what} (showing {first}–{last})").format(what=what, first=first + 1, last=first + len(shown))
        back = self.tr("Back to random images")
        self.caption.setText(f"{what}. <a href='random'>{back}</a>")
        self.view.set_placeholder(
            self.tr("No test image of a {digit} was read as {predicted}.").format(digit=true_digit, predicted=predicted_digit)
        )
        self.view.set_samples(self._samples(shown))

    def _next_samples(self) -> None:
        if self._cell is None:
            self.show_random_samples()
        else:
            self._cell_page += 1
            self._show_cell_page()

    def export_figure(self, path: Path | str, header: list[str] = ()) -> Path:
        """Write the gallery as the tutorial's figure (PNG) under ``header``; raises ``OSError`` if it cannot be written."""
        from mnist_studio.core.figures import save_gallery_figure

        report, samples = self._report, self.view.samples()
        return save_gallery_figure(
            path,
            [sample.image for sample in samples],
            [sample.label for sample in samples],
            [sample.prediction for sample in samples],
            accuracy_footer(report.accuracy, report.correct, report.total),
            header,
        )
