"""Render each tab of MNIST Studio at a fixed size to docs/screenshots/{train,test,draw}.png.

The Train tab is captured after two short real runs (MLP, then LeNet-5 with the MLP as the
faded previous run), so its charts show real curves. Runs offscreen when there is no display:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable

SIZE = (1280, 820)
OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
RUN_TIMEOUT_MS = 15 * 60 * 1000


def wait_for(signal: object, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Run the event loop until ``signal`` fires (or fail after ``timeout_ms``)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: loop.exit(1))
    timer.start(timeout_ms)
    if loop.exec() != 0:
        raise SystemExit(f"screenshots: timed out waiting for {signal}")
    signal.disconnect(loop.quit)


def tab(window: object, name: str) -> object:
    """The window's tab with object name ``name`` (trainTab, testTab, drawTab)."""
    from PySide6.QtWidgets import QWidget

    return window.findChild(QWidget, name)


def train(window: object, arch: str, *, epochs: int, images: int) -> None:
    """Run one quick training run through the form, as a user would; remember its checkpoint."""
    train_tab = tab(window, "trainTab")
    form = train_tab.form
    form.architecture_combo.setCurrentIndex(form.architecture_combo.findData(arch))
    form.epochs_spin.setValue(epochs)
    form.quick_run_check.setChecked(True)
    form.subset_spin.setValue(images)
    finished: list[object] = []
    window.context.training.runFinished.connect(finished.append)
    train_tab.start()
    wait_until(lambda: bool(finished), RUN_TIMEOUT_MS)
    window.context.training.runFinished.disconnect(finished.append)
    window.trained_checkpoint = str(finished[0].checkpoint_path)


def prepare_train(window: object) -> None:
    train(window, "mlp", epochs=3, images=6_000)
    train(window, "lenet5", epochs=3, images=6_000)
    window.tabs.setCurrentIndex(0)


def wait_until(condition: Callable[[], bool], timeout_ms: int = 60_000) -> None:
    """Run the event loop until ``condition()`` holds (or fail after ``timeout_ms``)."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = QDeadlineTimer(timeout_ms)
    while not condition():
        if deadline.hasExpired():
            raise SystemExit("screenshots: timed out waiting for the app")
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)


def current_model_is_ready(window: object) -> bool:
    """True once the Test and Draw tabs hold the checkpoint of the run just trained."""
    current = window.context.library.current()
    return current is not None and str(current.summary.path) == window.trained_checkpoint


def use_shipped_lenet5(window: object) -> None:
    """Make the shipped LeNet-5 the current model, as a fresh install starts."""
    from mnist_studio.core.paths import pretrained_dir

    library = window.context.library
    path = pretrained_dir() / "lenet5.pt"
    library.select(path)
    wait_until(lambda: library.current() is not None and library.current().summary.path == path)


def prepare_test(window: object) -> None:
    """Evaluate the shipped LeNet-5; show nine random test images, at least one of them a mistake."""
    window.tabs.setCurrentIndex(1)
    wait_until(lambda: current_model_is_ready(window))
    use_shipped_lenet5(window)
    test_tab = tab(window, "testTab")
    test_tab.evaluate_button.click()
    wait_for(test_tab.evaluationFinished)
    for _ in range(100):
        if any(sample.mistake for sample in test_tab.gallery.view.samples()):
            break
        test_tab.gallery.new_samples_button.click()


def prepare_draw(window: object) -> None:
    """Draw a 7 with the mouse and compare every available model's reading."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    window.tabs.setCurrentIndex(2)
    draw_tab = tab(window, "drawTab")
    canvas = draw_tab.canvas
    square = canvas.canvas_rect()

    def point(x: float, y: float) -> QPoint:
        return QPoint(round(square.left() + x * square.width()), round(square.top() + y * square.height()))

    strokes = [[(0.27 + 0.045 * step, 0.22 + 0.004 * step) for step in range(11)]]
    strokes.append([(0.72 - 0.026 * step, 0.26 + 0.058 * step) for step in range(11)])
    for stroke in strokes:
        QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(*stroke[0]))
        for x, y in stroke[1:]:
            QTest.mouseMove(canvas, point(x, y))
        QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point(*stroke[-1]))
    library = window.context.library
    draw_tab.all_models_button.click()
    wait_for(library.modelsLoaded)
    draw_tab.update_prediction()
    wait_until(
        lambda: draw_tab.prediction() is not None and all(draw_tab.all_models_view.predictions()) and not draw_tab.is_reading()
    )


TABS: dict[str, Callable[[object], None]] = {"train": prepare_train, "test": prepare_test, "draw": prepare_draw}


def main() -> int:
    """Write one PNG per tab; returns the exit code."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = Path(tempfile.mkdtemp(prefix="mnist-studio-screenshots-"))
    os.environ["MNIST_STUDIO_RUNS"] = str(scratch / "runs")  # screenshot runs never land in checkpoints/runs
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "config")  # nor in (or from) the user's settings

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    app.setOrganizationName("MNIST Studio Screenshots")
    from mnist_studio.gui import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    if window.context.torch_loader.info is None:
        window.context.torch_loader.start()
        wait_for(window.context.torch_loader.loaded)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name, prepare in TABS.items():
        prepare(window)
        app.processEvents()
        tab(window, "trainTab").charts.redraw()
        path = OUTPUT / f"{name}.png"
        if not window.grab().save(str(path)):
            print(f"screenshots: cannot write {path}", file=sys.stderr)
            return 1
        print(f"wrote {path}")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
