"""Canvas prediction latency: from a 280x280 drawing to the ten probabilities, per architecture.

Core path: ``preprocess_array`` + ``predict_digit`` on canvas-style drawings of MNIST test
digits (``canvas_digits.draw_on_canvas``: random size, place, pen width and polarity); each
drawing goes through every architecture in turn. Models are freshly initialised (the cost
does not depend on the weights). One torch thread by default, as in the app's reader thread:
for a single image, more threads only add hand-over cost (see docs/BENCHMARKS.md).
``--gui`` adds the in-app path: a stroke drawn with mouse events on the Draw tab's
``drawCanvas`` (a model from a tiny training run is made current first), timed from the mouse
release until the tab shows the new reading. That includes the tab's deliberate throttle
(at most one reading per ``PREDICTION_INTERVAL_MS`` while drawing). Watched from outside the
tab, its ``DigitReader`` gives the reading itself (``Reading.milliseconds``: preprocessing +
model on the worker) and the round trip from ``request()`` to ``readingReady``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import _common

GOAL_P95_MS = {"lenet5": 15.0}


def _verdict(arch: str, p95: float) -> str:
    goal = GOAL_P95_MS.get(arch)
    return ("met" if p95 < goal else "MISSED") + f" (p95 < {goal:g} ms)" if goal else "-"


def core_latency(arguments: argparse.Namespace) -> list[list[str]]:
    """Per architecture: medians of preprocessing and prediction, p50/p95 of both together (ms)."""
    import numpy as np

    from canvas_digits import draw_on_canvas
    from mnist_studio.core.data import load_mnist
    from mnist_studio.core.inference import predict_digit
    from mnist_studio.core.preprocess import preprocess_array
    from mnist_studio.core.registry import build_model

    arrays = load_mnist()
    rng = np.random.default_rng(0)
    picks = rng.choice(len(arrays.test_labels), size=arguments.count, replace=False)
    canvases = [draw_on_canvas(arrays.test_images[index].numpy(), rng) for index in picks]
    models = {arch: build_model(arch).eval() for arch in arguments.arch}
    preprocess_ms: dict[str, list[float]] = {arch: [] for arch in models}
    predict_ms: dict[str, list[float]] = {arch: [] for arch in models}
    for canvas in canvases[:3]:  # warm-up: first calls allocate and pick kernels
        for model in models.values():
            predict_digit(model, preprocess_array(canvas))
    for number, canvas in enumerate(canvases):
        for arch in list(models) if number % 2 == 0 else reversed(models):
            started = time.perf_counter()
            digit = preprocess_array(canvas)
            prepared = time.perf_counter()
            predict_digit(models[arch], digit)
            preprocess_ms[arch].append((prepared - started) * 1000)
            predict_ms[arch].append((time.perf_counter() - prepared) * 1000)
    rows = []
    for arch in models:
        total = [a + b for a, b in zip(preprocess_ms[arch], predict_ms[arch])]
        p95 = _common.percentile(total, 95)
        rows.append(
            [arch, f"{_common.median(preprocess_ms[arch]):.2f}", f"{_common.median(predict_ms[arch]):.2f}",
             f"{_common.median(total):.2f}", f"{p95:.2f}", _verdict(arch, p95)]
        )
    return rows


def _tiny_checkpoint(arch: str, folder: Path) -> Path:
    """A checkpoint from a short run (the latency does not depend on how well it reads)."""
    from mnist_studio.core.config import TrainingConfig
    from mnist_studio.core.training import Trainer

    path = folder / f"{arch}.pt"
    config = TrainingConfig.for_architecture(arch, epochs=1, subset=512, device="cpu")
    for _ in Trainer(config, checkpoint_path=path).run():
        pass
    return path


def _send_mouse(widget: object, kind: object, x: float, y: float, button: object, buttons: object) -> None:
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    position = QPointF(x, y)
    event = QMouseEvent(kind, position, widget.mapToGlobal(position), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def draw_stroke(canvas: object, rng: object) -> None:
    """A '7'-like stroke of random size and place, as press, 30 moves and release."""
    from PySide6.QtCore import QEvent, Qt

    square = canvas.canvas_rect()
    size = rng.uniform(0.3, 0.8) * square.width()
    left = square.left() + rng.uniform(0, square.width() - size)
    top = square.top() + rng.uniform(0, square.height() - size)
    corners = [(0.1, 0.1), (0.9, 0.1), (0.4, 0.95)]
    points = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        points += [(x0 + (x1 - x0) * t / 15, y0 + (y1 - y0) * t / 15) for t in range(15)]
    points.append(corners[-1])
    left_button, no_button = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    xy = [(left + x * size, top + y * size) for x, y in points]
    _send_mouse(canvas, QEvent.Type.MouseButtonPress, *xy[0], left_button, left_button)
    for x, y in xy[1:]:
        _send_mouse(canvas, QEvent.Type.MouseMove, x, y, no_button, left_button)
    _send_mouse(canvas, QEvent.Type.MouseButtonRelease, *xy[-1], left_button, no_button)


class ReadingTimes:
    """Watches a ``DigitReader`` from outside: worker time and request-to-answer time of each reading shown."""

    def __init__(self, reader: object) -> None:
        self.readings_ms: list[float] = []
        self.round_trips_ms: list[float] = []
        self._asked: dict[int, float] = {}
        request = reader.request

        def timed_request(*args: object, **kwargs: object) -> int:
            serial = request(*args, **kwargs)
            self._asked[serial] = time.perf_counter()
            return serial

        reader.request = timed_request
        reader.readingReady.connect(self._answered)

    def _answered(self, reading: object) -> None:
        asked = self._asked.pop(reading.serial, None)
        if reading.predictions and reading.predictions[0] is not None:
            self.readings_ms.append(reading.milliseconds)
            if asked is not None:
                self.round_trips_ms.append((time.perf_counter() - asked) * 1000)


def gui_latency(arguments: argparse.Namespace) -> list[list[str]]:
    """Per architecture: release-to-shown, the tab's round trip and its reading time (ms)."""
    import numpy as np
    from PySide6.QtWidgets import QWidget

    import _gui
    from mnist_studio.gui.services.digit_reader import DigitReader

    window = _gui.main_window()
    draw_tab = window.findChild(QWidget, "drawTab")
    if draw_tab is None or window.findChild(QWidget, "drawCanvas") is None:
        window.close()
        return [[arch, "-", "-", "-", "-", "the window has no Draw tab yet"] for arch in arguments.gui_arch]
    canvas = window.findChild(QWidget, "drawCanvas")
    library = window.context.library
    times = ReadingTimes(draw_tab.findChild(DigitReader))
    window.tabs.setCurrentWidget(draw_tab)
    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for arch in arguments.gui_arch:
            path = _tiny_checkpoint(arch, Path(folder))
            library.select(path)
            deadline = time.perf_counter() + 60
            while (current := library.current()) is None or current.summary.path.resolve() != path.resolve():
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"the {arch} checkpoint did not become the current model")
                _gui.run_event_loop(0.05)
            shown_ms: list[float] = []
            first_reading, first_trip = len(times.readings_ms), len(times.round_trips_ms)
            for _ in range(arguments.gui_count):
                draw_tab.clear()
                _gui.run_event_loop(0.01)
                draw_stroke(canvas, rng)
                released = time.perf_counter()
                while True:
                    (prediction,) = _gui.wait_for(draw_tab.predictionUpdated, timeout_seconds=30)
                    if prediction is not None and not draw_tab.is_reading():
                        break
                shown_ms.append((time.perf_counter() - released) * 1000)
            readings = times.readings_ms[first_reading:]
            trips = times.round_trips_ms[first_trip:]
            rows.append(
                [arch, f"{_common.median(shown_ms):.1f}", f"{_common.percentile(shown_ms, 95):.1f}",
                 f"{_common.median(trips):.1f}" if trips else "-",
                 f"{_common.median(readings):.1f}" if readings else "-",
                 _verdict(arch, _common.percentile(readings, 95)) if readings else "-"]
            )
    window.close()
    return rows


def main() -> None:
    """Measure the core path (and the Draw tab with --gui); print the tables."""
    from mnist_studio.core.registry import ARCHITECTURES

    parser = _common.parser(__doc__.splitlines()[0], repeats=1)
    parser.add_argument("--arch", nargs="+", default=list(ARCHITECTURES), help="architectures (default all)")
    parser.add_argument("--count", type=int, default=200, help="drawings per architecture (default 200)")
    parser.add_argument(
        "--threads", type=int, default=1,
        help="torch threads for the core path (default 1, as the Draw tab's reader thread uses)",
    )
    parser.add_argument("--gui", action="store_true", help="also measure in the app's Draw tab")
    parser.add_argument("--gui-arch", nargs="+", default=["lenet5"], help="architectures in the app (default lenet5)")
    parser.add_argument("--gui-count", type=int, default=30, help="strokes per architecture in the app (default 30)")
    arguments = parser.parse_args()
    if arguments.gui:
        import _gui

        _gui.isolate_environment()
    _common.print_header("Canvas prediction latency", arguments)
    import torch

    torch.set_num_threads(arguments.threads)
    print(f"torch threads: {torch.get_num_threads()}\n")
    _common.print_table(
        ["arch", "preprocess ms (median)", "predict ms (median)", "total ms p50", "total ms p95", "goal"],
        core_latency(arguments),
    )
    if arguments.gui:
        print()
        _common.print_table(
            ["arch (in app)", "release -> shown ms p50", "p95", "tab round trip ms p50", "tab reading ms p50",
             "goal (tab reading)"],
            gui_latency(arguments),
        )
    print(f"\ncore: {arguments.count} canvas-style drawings per architecture, all architectures per drawing in turn.")


if __name__ == "__main__":
    main()
