"""The Draw tab: digits drawn with real mouse events are read by a trained LeNet-5, live and never when empty."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from mnist_studio.core.inference import Prediction
from mnist_studio.core.preprocess import ImageError, load_image_file
from mnist_studio.gui.draw.all_models_view import AllModelsView, majority_digit
from mnist_studio.gui.draw.canvas import DrawCanvas
from mnist_studio.gui.common.banner import BannerKind
from mnist_studio.gui.draw.tab import DrawTab, empty_text
from mnist_studio.gui.services.model_library import ModelLibrary

Stroke = list[tuple[float, float]]  # points as fractions of the canvas side

ONE: list[Stroke] = [[(0.5, 0.15 + 0.07 * step) for step in range(11)]]
ZERO: list[Stroke] = [
    [(0.5 + 0.22 * math.sin(2 * math.pi * step / 40), 0.5 - 0.33 * math.cos(2 * math.pi * step / 40)) for step in range(41)]
]
SEVEN: list[Stroke] = [
    [(0.25 + 0.05 * step, 0.2) for step in range(11)],
    [(0.75 - 0.025 * step, 0.2 + 0.06 * step) for step in range(11)],
]


@pytest.fixture
def tab(qtbot: QtBot, library: ModelLibrary) -> Iterator[DrawTab]:
    tab = DrawTab(library)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    tab.shutdown()


def canvas_point(canvas: DrawCanvas, x: float, y: float) -> QPoint:
    square = canvas.canvas_rect()
    return QPointF(square.left() + x * square.width(), square.top() + y * square.height()).toPoint()


def draw(qtbot: QtBot, canvas: DrawCanvas, strokes: list[Stroke]) -> None:
    """Draw with real mouse events: press, moves with the button held, release."""
    for stroke in strokes:
        points = [canvas_point(canvas, x, y) for x, y in stroke]
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
        for point in points[1:]:
            qtbot.mouseMove(canvas, point)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[-1])


def draw_and_read(qtbot: QtBot, tab: DrawTab, strokes: list[Stroke]) -> Prediction:
    """Draw, then wait for the reading of the finished drawing."""
    draw(qtbot, tab.canvas, strokes)
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000) as updated:
        tab.update_prediction()
    return updated.args[0]


def test_an_empty_canvas_never_predicts(qtbot: QtBot, tab: DrawTab) -> None:
    assert tab.canvas.is_empty()
    assert tab.prediction() is None
    label = tab.findChild(type(tab.reading.prediction_label), "predictionLabel")
    assert label.text() == empty_text()
    assert not any(character.isdigit() for character in label.text())
    assert tab.reading.probability_plot.values() == ()
    assert tab.reading.preview.pixels() is None
    with qtbot.waitSignal(tab.predictionUpdated) as updated:
        tab.update_prediction()
    assert updated.args == [None]
    assert not tab.is_reading()


def test_a_vertical_line_reads_one(qtbot: QtBot, tab: DrawTab) -> None:
    prediction = draw_and_read(qtbot, tab, ONE)
    assert tab.canvas.stroke_count() == 1
    assert prediction.digit == 1
    assert tab.reading.prediction_label.text() == "1"
    assert tab.reading.confidence_label.text() == f"{prediction.confidence:.1%} confident"
    assert tab.reading.probability_plot.values() == pytest.approx(prediction.probabilities)
    assert tab.reading.probability_plot.highlight() == 1
    preview = tab.findChild(type(tab.reading.preview), "preprocessedPreview").pixels()
    assert preview.shape == (28, 28) and preview.max() == 255


@pytest.mark.parametrize(("strokes", "digit"), [(ZERO, 0), (SEVEN, 7)], ids=["zero", "seven"])
def test_a_zero_and_a_seven_drawn_with_the_mouse_are_read(
    qtbot: QtBot, tab: DrawTab, strokes: list[Stroke], digit: int
) -> None:
    assert draw_and_read(qtbot, tab, strokes).digit == digit
    assert tab.canvas.stroke_count() == len(strokes)


def test_the_prediction_updates_while_drawing(qtbot: QtBot, tab: DrawTab) -> None:
    canvas = tab.canvas
    points = [canvas_point(canvas, x, y) for x, y in ONE[0]]
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:6]:
        qtbot.mouseMove(canvas, point)
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000) as updated:
        pass  # the throttle timer asks for a reading on its own, mid-stroke
    assert updated.args[0] is not None
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=points[5])


def test_clear_leaves_no_prediction(qtbot: QtBot, tab: DrawTab) -> None:
    assert draw_and_read(qtbot, tab, ONE) is not None
    draw(qtbot, tab.canvas, SEVEN)  # a reading may still be on its way when Clear comes
    tab.update_prediction()
    with qtbot.waitSignal(tab.predictionUpdated) as updated:
        qtbot.mouseClick(tab.findChild(type(tab.tools.clear_button), "clearButton"), Qt.MouseButton.LeftButton)
    assert updated.args == [None]
    qtbot.waitUntil(lambda: not tab.is_reading(), timeout=30_000)
    assert tab.canvas.is_empty()
    assert tab.prediction() is None
    assert tab.reading.prediction_label.text() == empty_text()
    assert tab.reading.probability_plot.values() == ()
    assert tab.reading.preview.pixels() is None


def test_escape_and_delete_clear_too(qtbot: QtBot, tab: DrawTab) -> None:
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Delete):
        draw(qtbot, tab.canvas, ONE)
        tab.canvas.setFocus()
        with qtbot.waitSignal(tab.predictionUpdated) as updated:
            qtbot.keyClick(tab.canvas, key)
        assert updated.args == [None] and tab.canvas.is_empty()


def test_undo_removes_the_last_stroke(qtbot: QtBot, tab: DrawTab) -> None:
    draw(qtbot, tab.canvas, SEVEN)
    two_strokes = tab.canvas.to_array()
    tab.canvas.setFocus()
    qtbot.keyClick(tab.canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.canvas.stroke_count() == 1
    one_stroke = tab.canvas.to_array()
    assert 0 < one_stroke.astype(int).sum() < two_strokes.astype(int).sum()
    assert one_stroke[:, : two_strokes.shape[1] // 2].any()  # the horizontal bar stayed
    tab.findChild(type(tab.tools.undo_button), "undoButton").click()
    assert tab.canvas.is_empty()
    qtbot.waitUntil(lambda: tab.prediction() is None and not tab.is_reading(), timeout=30_000)
    assert tab.reading.prediction_label.text() == empty_text()


def test_the_pen_width_slider_sets_the_width_of_new_strokes(qtbot: QtBot, tab: DrawTab) -> None:
    slider = tab.findChild(type(tab.tools.pen_slider), "penWidthSlider")
    slider.setValue(10)
    draw(qtbot, tab.canvas, ONE)
    thin = int((tab.canvas.to_array() > 127).sum())
    tab.clear()
    slider.setValue(30)
    draw(qtbot, tab.canvas, ONE)
    thick = int((tab.canvas.to_array() > 127).sum())
    assert tab.canvas.pen_width() == 30
    assert thick > 2 * thin


def test_the_canvas_image_does_not_depend_on_the_widget_size(qtbot: QtBot, tab: DrawTab) -> None:
    draw(qtbot, tab.canvas, ONE)
    before = tab.canvas.to_array()
    tab.resize(1400, 1000)
    qtbot.waitUntil(lambda: tab.canvas.width() > 600)
    after = tab.canvas.to_array()
    assert before.shape == after.shape == (280, 280)
    assert np.abs(before.astype(int) - after.astype(int)).mean() < 1


def test_a_pen_tablet_draws_like_the_mouse(qtbot: QtBot, tab: DrawTab) -> None:
    pen = QPointingDevice(
        "test stylus",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )
    canvas = tab.canvas
    points = [QPointF(canvas_point(canvas, x, y)) for x, y in ONE[0]]
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * (len(points) - 2) + [QEvent.Type.TabletRelease]
    for kind, point in zip(kinds, points):
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else Qt.MouseButton.LeftButton
        pressure, tilt_x, tilt_y, tangential, rotation, z = 0.6, 0, 0, 0.0, 0.0, 0
        event = QTabletEvent(
            kind,
            pen,
            point,
            canvas.mapToGlobal(point),
            pressure,
            tilt_x,
            tilt_y,
            tangential,
            rotation,
            z,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            buttons,
        )
        QApplication.sendEvent(canvas, event)
        assert event.isAccepted()
    assert canvas.stroke_count() == 1
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000) as updated:
        tab.update_prediction()
    assert updated.args[0].digit == 1


def test_the_canvas_is_sharp_on_high_dpi_screens_and_feeds_the_model_the_same_image(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from PySide6.QtCore import QPointF
        from PySide6.QtWidgets import QApplication
        from mnist_studio.gui.draw.canvas import DrawCanvas
        app = QApplication([])
        canvas = DrawCanvas()
        canvas.resize(300, 300)
        square = canvas.canvas_rect()
        for index, y in enumerate(np.linspace(0.15, 0.85, 11)):
            point = QPointF(square.left() + 0.5 * square.width(), square.top() + y * square.height())
            canvas._begin(point) if index == 0 else canvas._extend(point)
        grab = canvas.grab()
        print(grab.devicePixelRatio(), grab.width())
        np.save(sys.argv[1], canvas.to_array())
        """
    )
    sizes = []
    for scale in ("1", "2"):
        environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR=scale)
        result = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / f"x{scale}.npy")],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        sizes.append(result.stdout.split())
    assert sizes == [["1.0", "300"], ["2.0", "600"]]  # painted with device pixels at 2x
    np.testing.assert_array_equal(np.load(tmp_path / "x1.npy"), np.load(tmp_path / "x2.npy"))


def write_digit_photo(path: Path) -> Path:
    """A dark-ink "1" on light, slightly uneven paper, like a phone photo of a note."""
    paper = Image.new("RGB", (600, 800), (236, 232, 220))
    pen = ImageDraw.Draw(paper)
    pen.line([(300, 160), (310, 640)], fill=(35, 35, 50), width=40)
    paper.save(path, quality=90)
    return path


def test_an_opened_photo_is_read_with_the_engine_preprocessing(qtbot: QtBot, tab: DrawTab, tmp_path: Path) -> None:
    photo = write_digit_photo(tmp_path / "one.jpg")
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000, check_params_cb=lambda p: p is not None) as updated:
        tab.open_image(photo)
    assert updated.args[0].digit == 1
    assert tab.canvas.picture() is not None
    draw(qtbot, tab.canvas, SEVEN)  # drawing replaces the picture
    assert tab.canvas.picture() is None


def test_a_file_that_is_not_an_image_gives_one_line_and_changes_nothing(
    qtbot: QtBot, tab: DrawTab, tmp_path: Path
) -> None:
    before = draw_and_read(qtbot, tab, ONE)
    bad = tmp_path / "digit.png"
    bad.write_text("no pixels here")
    with pytest.raises(ImageError) as expected:
        load_image_file(bad)
    with qtbot.waitSignal(tab.pictureFailed, timeout=30_000) as failed:
        tab.open_image(bad)
    assert failed.args == [str(expected.value)]
    assert tab.banner.kind is BannerKind.ERROR and tab.banner.text == str(expected.value)
    assert tab.prediction() is before and tab.canvas.stroke_count() == 1


def test_an_image_dropped_on_the_tab_is_read(qtbot: QtBot, tab: DrawTab, tmp_path: Path) -> None:
    photo = write_digit_photo(tmp_path / "dropped.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    position = QPointF(tab.canvas.geometry().center())
    enter = QDragEnterEvent(
        position.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    drop = QDropEvent(position, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(tab.pictureOpened, timeout=30_000) as opened:
        QApplication.sendEvent(tab, drop)
    assert opened.args == [str(photo)]
    qtbot.waitUntil(lambda: tab.prediction() is not None, timeout=30_000)
    assert tab.prediction().digit == 1


def test_compare_shows_the_shipped_models_and_the_users_runs_on_demand(
    qtbot: QtBot, tab: DrawTab, library: ModelLibrary, mlp_checkpoint: Path
) -> None:
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(mlp_checkpoint)  # one of the user's runs, listed from now on
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(library.entries()[0].path)  # back to the shipped LeNet-5
    draw(qtbot, tab.canvas, ONE)
    view = tab.findChild(AllModelsView, "allModelsView")
    with qtbot.waitSignal(library.modelsLoaded, timeout=60_000):
        tab.findChild(type(tab.all_models_button), "allModelsButton").click()
    assert [loaded.summary.arch for loaded in view.models()] == ["lenet5"]  # shipped only, by default
    with qtbot.waitSignal(library.modelsLoaded, timeout=60_000):
        view.include_runs_check.click()
    assert [loaded.summary.arch for loaded in view.models()] == ["lenet5", "mlp"]
    shipped_card, run_card = view.cards()
    assert shipped_card.name_label.text() == "LeNet-5" and shipped_card.detail_label.text().startswith("shipped · current · ")
    assert run_card.name_label.text() == f"MLP · {mlp_checkpoint.stem}"  # told apart by more than accuracy
    qtbot.waitUntil(lambda: all(view.predictions()) and not tab.is_reading(), timeout=30_000)
    assert view.predictions()[0].digit == tab.prediction().digit == 1
    tab.clear()
    assert view.predictions() == [None, None]


def test_the_comparison_is_readable_at_the_default_window_size(qtbot: QtBot, main_window, tab_of, mlp_checkpoint: Path) -> None:
    from mnist_studio.gui.app.main_window import DEFAULT_SIZE

    main_window.resize(*DEFAULT_SIZE)
    tab = tab_of(main_window, DrawTab)
    main_window.tabs.setCurrentWidget(tab)
    view = tab.all_models_view
    with qtbot.waitSignal(main_window.context.library.modelsLoaded, timeout=60_000):
        tab.all_models_button.click()
    qtbot.waitUntil(lambda: view.isVisible() and bool(view.cards()) and view.cards()[0].isVisible())
    legend = " ".join(label.text() for label in view.findChildren(type(view._status)))
    assert "reads what most models read" in legend and "reads another digit" in legend  # the colours explained
    card = view.cards()[0]
    assert view.scroll.height() >= card.height() and not view.scroll.verticalScrollBar().isVisible()
    assert card.name_label.shown_text() == card.name_label.text()  # the full name fits
    assert tab.canvas.height() >= 300  # and the canvas stays large enough to draw on


def test_disagreements_are_the_readings_other_than_the_majority(qtbot: QtBot) -> None:
    def reading(digit: int) -> Prediction:
        probabilities = tuple(0.91 if index == digit else 0.01 for index in range(10))
        return Prediction(digit=digit, probabilities=probabilities)

    assert majority_digit([reading(7), reading(1), reading(7), None]) == 7
    assert majority_digit([None]) is None
    view = AllModelsView()
    qtbot.addWidget(view)
    view.show_predictions([reading(7), reading(1), reading(7)])
    assert view.dissenters() == [1]


def press(qtbot: QtBot, tab: DrawTab, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    tab.canvas.setFocus()
    qtbot.keyClick(tab.canvas, key, modifiers)


CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_undo_and_redo_walk_the_strokes_back_and_forth(qtbot: QtBot, tab: DrawTab) -> None:
    draw(qtbot, tab.canvas, SEVEN)
    two_strokes = tab.canvas.to_array()
    assert tab.tools.undo_button.isEnabled() and not tab.tools.redo_button.isEnabled()
    press(qtbot, tab, Qt.Key.Key_Z, CTRL)
    assert tab.canvas.stroke_count() == 1 and tab.tools.redo_button.isEnabled()
    press(qtbot, tab, Qt.Key.Key_Z, CTRL_SHIFT)
    assert tab.canvas.stroke_count() == 2
    np.testing.assert_array_equal(tab.canvas.to_array(), two_strokes)
    qtbot.mouseClick(tab.tools.undo_button, Qt.MouseButton.LeftButton)
    press(qtbot, tab, Qt.Key.Key_Y, CTRL)  # the other usual Redo
    assert tab.canvas.stroke_count() == 2
    tab.tools.undo_button.click()
    tab.tools.undo_button.click()
    assert tab.canvas.is_empty() and not tab.tools.undo_button.isEnabled()
    tab.tools.redo_button.click()
    assert tab.canvas.stroke_count() == 1


@pytest.mark.parametrize("how", ["button", "Escape", "Delete"])
def test_clear_can_be_undone(qtbot: QtBot, tab: DrawTab, how: str) -> None:
    draw(qtbot, tab.canvas, SEVEN)
    drawn = tab.canvas.to_array()
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000, check_params_cb=lambda prediction: prediction is None):
        if how == "button":
            qtbot.mouseClick(tab.tools.clear_button, Qt.MouseButton.LeftButton)
        else:
            press(qtbot, tab, getattr(Qt.Key, f"Key_{how}"))
    assert tab.canvas.is_empty()
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000, check_params_cb=lambda prediction: prediction is not None):
        press(qtbot, tab, Qt.Key.Key_Z, CTRL)
    np.testing.assert_array_equal(tab.canvas.to_array(), drawn)


def test_drawing_on_an_opened_photo_says_so_and_undo_brings_the_photo_back(qtbot: QtBot, tab: DrawTab, tmp_path: Path) -> None:
    photo = write_digit_photo(tmp_path / "one.jpg")
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000, check_params_cb=lambda p: p is not None) as read:
        tab.open_image(photo)
    picture = tab.canvas.picture()
    assert read.args[0].digit == 1 and picture is not None
    draw(qtbot, tab.canvas, SEVEN)
    assert tab.canvas.picture() is None and tab.canvas.stroke_count() == 2
    assert tab.banner.kind is BannerKind.INFO and "Undo" in tab.banner.text  # not silent
    press(qtbot, tab, Qt.Key.Key_Z, CTRL)
    assert tab.canvas.picture() is None and tab.canvas.stroke_count() == 1  # the second stroke first
    with qtbot.waitSignal(tab.predictionUpdated, timeout=30_000, check_params_cb=lambda p: p is not None) as reread:
        press(qtbot, tab, Qt.Key.Key_Z, CTRL)
    assert tab.canvas.picture() is picture and tab.canvas.stroke_count() == 0
    assert reread.args[0].digit == 1  # read from the photo again, as when it was opened
    press(qtbot, tab, Qt.Key.Key_Z, CTRL)  # opening the image is undone too
    assert tab.canvas.is_empty()


def test_a_drawing_made_before_the_model_has_loaded_is_read_once_it_has(qtbot: QtBot, shipped_lenet5: Path) -> None:
    from mnist_studio.gui import MainWindow

    window = MainWindow()
    try:
        window.resize(1200, 800)
        window.show()
        (tab,) = [feature.widget for feature in window.features if isinstance(feature.widget, DrawTab)]
        window.tabs.setCurrentWidget(tab)
        assert window.context.library.current() is None  # PyTorch and the model are still loading
        with qtbot.waitSignal(tab.predictionUpdated, timeout=120_000, check_params_cb=lambda p: p is not None) as read:
            draw(qtbot, tab.canvas, ONE)
            assert tab.prediction() is None
        assert read.args[0].digit == 1
    finally:
        window.close()
