"""The Test tab: Evaluate agrees with the CLI, the gallery, the confusion matrix and the exported figure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from mnist_studio.core.figures import FIGURE_PIXELS, gallery_title
from mnist_studio.core.inspection import ModelReport
from mnist_studio.gui.common.banner import BannerKind
from mnist_studio.gui.services.model_library import ModelLibrary
from mnist_studio.gui.evaluate.tab import EvaluationTab


@pytest.fixture
def tab(qtbot: QtBot, library: ModelLibrary) -> EvaluationTab:
    tab = EvaluationTab(library, seed=0)
    qtbot.addWidget(tab)
    tab.resize(1200, 800)
    tab.show()
    return tab


@pytest.fixture
def evaluated(qtbot: QtBot, tab: EvaluationTab) -> ModelReport:
    button = tab.findChild(type(tab.evaluate_button), "evaluateButton")
    with qtbot.waitSignal(tab.evaluationFinished, timeout=120_000) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return finished.args[0]


def test_evaluate_gives_exactly_the_accuracy_of_the_cli(
    qtbot: QtBot, tab: EvaluationTab, evaluated: ModelReport, shipped_lenet5: Path
) -> None:
    cli = subprocess.run(
        [sys.executable, "-m", "mnist_studio", "evaluate", str(shipped_lenet5), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    expected = json.loads(cli.stdout)
    assert (evaluated.correct, evaluated.total) == (expected["correct"], expected["total"])
    assert evaluated.accuracy == expected["accuracy"]
    np.testing.assert_array_equal(evaluated.confusion, np.array(expected["confusion"]))
    label = tab.findChild(type(tab.accuracy_label), "testAccuracyLabel")
    assert label.text() == f"{expected['accuracy']:.2%}"
    assert tab.progress.value() == 100
    assert tab.evaluate_button.isEnabled()


def test_results_fill_the_charts(tab: EvaluationTab, evaluated: ModelReport) -> None:
    assert tab.per_class_chart.values() == evaluated.per_class_accuracy
    confusion = tab.findChild(type(tab.confusion_view), "confusionMatrixView")
    np.testing.assert_array_equal(confusion.matrix(), evaluated.confusion)
    assert int(confusion.matrix().sum()) == 10_000


def test_the_gallery_shows_nine_test_images_with_their_labels(tab: EvaluationTab, evaluated: ModelReport) -> None:
    gallery = tab.findChild(type(tab.gallery.view), "galleryView")
    samples = gallery.samples()
    assert len(samples) == 9
    for sample in samples:
        np.testing.assert_array_equal(sample.image, evaluated.images[sample.index])
        assert sample.label == evaluated.labels[sample.index]
        assert sample.prediction == evaluated.predictions[sample.index]
        assert sample.title == gallery_title(sample.label, sample.prediction)
        assert sample.title.startswith("Ground Truth: ") and " / Predict: " in sample.title
    first = [sample.index for sample in samples]
    tab.gallery.new_samples_button.click()
    assert [sample.index for sample in gallery.samples()] != first


def test_mistakes_only_fills_the_gallery_with_mistakes(tab: EvaluationTab, evaluated: ModelReport) -> None:
    tab.gallery.mistakes_only_check.setChecked(True)
    samples = tab.gallery.view.samples()
    assert len(samples) == 9
    assert all(sample.mistake for sample in samples)
    tab.gallery.new_samples_button.click()
    assert all(sample.mistake for sample in tab.gallery.view.samples())


def test_clicking_a_cell_shows_its_images_most_confident_mistakes_first(
    qtbot: QtBot, tab: EvaluationTab, evaluated: ModelReport
) -> None:
    off_diagonal = evaluated.confusion - np.diag(np.diag(evaluated.confusion))
    true_digit, predicted = (int(value) for value in np.unravel_index(np.argmax(off_diagonal), (10, 10)))
    view = tab.confusion_view
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.cell_rect(true_digit, predicted).center().toPoint())
    samples = tab.gallery.view.samples()
    assert len(samples) == min(9, evaluated.confusion[true_digit, predicted])
    assert all((sample.label, sample.prediction) == (true_digit, predicted) for sample in samples)
    confidences = [sample.confidence for sample in samples]
    assert confidences == sorted(confidences, reverse=True)
    cell = evaluated.labels == true_digit
    assert confidences[0] == evaluated.confidences[cell & (evaluated.predictions == predicted)].max()
    assert view.selected_cell() == (true_digit, predicted)
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.cell_rect(true_digit, predicted).center().toPoint())
    assert view.selected_cell() is None  # a second click goes back to random images
    assert len(tab.gallery.view.samples()) == 9


def test_the_exported_figure_opens_and_has_the_expected_size(
    tab: EvaluationTab, evaluated: ModelReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "figure"  # the suffix is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PNG image (*.png)"))
    button = tab.findChild(type(tab.gallery.export_button), "exportFigureButton")
    button.click()
    written = tmp_path / "figure.png"
    with Image.open(written) as image:
        assert image.format == "PNG"
        assert image.size == FIGURE_PIXELS
    assert tab.banner.kind is BannerKind.SUCCESS and str(written) in tab.banner.text
    title, model, recipe = tab.figure_header()  # drawn above the grid
    assert title == "MNIST Studio · test images and the model's answers" and model == "LeNet-5 · lenet5.pt"
    assert recipe.startswith("2 epochs, batch 128, ")


def test_an_export_that_cannot_be_written_says_so(
    tab: EvaluationTab, evaluated: ModelReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "no-such-folder" / "figure.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    tab.gallery.export_button.click()
    assert tab.banner.kind is BannerKind.ERROR
    assert tab.banner.text.startswith(f"Cannot write {target}") and "\n" not in tab.banner.text
    assert not target.parent.exists()


def test_before_evaluation_and_after_a_model_change_there_are_no_stale_results(
    qtbot: QtBot, tab: EvaluationTab, evaluated: ModelReport, library: ModelLibrary, mlp_checkpoint: Path
) -> None:
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(mlp_checkpoint)
    assert tab.report() is None
    assert tab.accuracy_label.text() == "—"
    assert tab.gallery.view.samples() == ()
    assert tab.confusion_view.matrix() is None
    assert not tab.gallery.export_button.isEnabled()
    assert "Click Evaluate" in tab.accuracy_detail.text()


def test_gallery_titles_are_whole_at_the_minimum_window_size(qtbot: QtBot, main_window, tab_of) -> None:
    from mnist_studio.gui.app.main_window import MINIMUM_SIZE
    from mnist_studio.gui.evaluate.gallery_view import GallerySample

    main_window.resize(*MINIMUM_SIZE)
    tab = tab_of(main_window, EvaluationTab)
    main_window.tabs.setCurrentWidget(tab)
    view = tab.gallery.view
    qtbot.waitUntil(lambda: main_window.width() == MINIMUM_SIZE[0] and view.isVisible())
    image = np.zeros((28, 28), dtype=np.uint8)
    view.set_samples([GallerySample(index=4761 + n, image=image, label=9, prediction=4, confidence=0.972) for n in range(9)])
    grab = view.grab().toImage()
    ratio = grab.devicePixelRatio()
    background = grab.pixelColor(1, 1)
    line = view.fontMetrics().height()
    for position in range(3):  # a title cut at its tile's edges fills the tile's outermost columns
        tile = view.tile_rect(position).adjusted(6, 4, -6, -6)
        edges = [round(tile.left() * ratio), round(tile.right() * ratio) - 1]
        touching = [
            (x, y)
            for x in edges
            for y in range(round(tile.top() * ratio), round((tile.top() + 2 * line) * ratio))
            if grab.pixelColor(x, y) != background
        ]
        assert touching == [], f"tile {position}: its title reaches the edge, so it is cut"
