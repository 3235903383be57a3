"""Start-up: time until the app's window is visible vs a bare PySide6 + pyqtgraph window.

Each sample is a fresh Python process, started the same way for both. The child reports the
system-wide monotonic clock when its window has painted its first frame: an event filter sees
the window's first UpdateRequest (Qt paints the whole window tree while handling it), and the
next event-loop turn, after that paint, reports and exits. The app child
runs ``mnist_studio.gui.app.launch.launch()`` itself, with only that report hooked into
``MainWindow.showEvent``; it can also wait until PyTorch is loaded in the background.
Both windows are 1280x820, both offscreen unless ``QT_QPA_PLATFORM`` says otherwise.
"""

from __future__ import annotations

import os
import sys
import time

WINDOW_SIZE = (1280, 820)


def _report_after_first_paint(window: object, then: object) -> None:
    """After ``window``'s first paint, report 'shown' at the next loop turn and call ``then``."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    def report() -> None:
        print(f"shown {time.monotonic()}", flush=True)
        then()

    class FirstPaint(QObject):
        def eventFilter(self, _watched: object, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.UpdateRequest:
                window.removeEventFilter(self)
                QTimer.singleShot(0, report)
            return False

    window._first_paint_filter = FirstPaint()  # kept alive by the window
    window.installEventFilter(window._first_paint_filter)


def child_bare() -> None:
    """A bare QMainWindow holding a pyqtgraph PlotWidget."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.setCentralWidget(pg.PlotWidget())
    window.resize(*WINDOW_SIZE)
    _report_after_first_paint(window, lambda: os._exit(0))
    window.show()
    app.exec()


def child_app(wait_for_torch: bool) -> None:
    """The real app through ``launch()``; optionally also report when PyTorch is ready."""
    from mnist_studio.gui.app import main_window

    show_event = main_window.MainWindow.showEvent

    def hooked_show_event(window: main_window.MainWindow, event: object) -> None:
        show_event(window, event)
        if getattr(window, "_first_paint_filter", None) is None:
            _report_after_first_paint(window, lambda: _after_shown(window, wait_for_torch))

    main_window.MainWindow.showEvent = hooked_show_event
    from mnist_studio.gui.app.launch import launch

    launch([])


def _after_shown(window: object, wait_for_torch: bool) -> None:
    if not wait_for_torch:
        os._exit(0)

    def ready(*_: object) -> None:
        print(f"torch {time.monotonic()}", flush=True)
        os._exit(0)

    loader = window.context.torch_loader
    if loader.info is not None:
        ready()
    loader.loaded.connect(ready)
    loader.failed.connect(lambda error: (print(f"failed {error}", flush=True), os._exit(1)))


def child_torch() -> None:
    """``import torch`` alone, for reference."""
    import torch  # noqa: F401

    print(f"torch {time.monotonic()}", flush=True)


def main() -> None:
    """Spawn bare and app children in turn; print the start-up table."""
    import subprocess
    import tempfile

    import _common

    parser = _common.parser(__doc__.splitlines()[0], repeats=5)
    parser.add_argument("--no-torch", action="store_true", help="skip the 'until PyTorch is ready' samples")
    arguments = parser.parse_args()
    _common.print_header("Start-up: window visible, app vs bare PySide6 + pyqtgraph", arguments)
    with tempfile.TemporaryDirectory(prefix="mnist-bench-startup-") as folder:
        environment = dict(os.environ)
        environment.setdefault("QT_QPA_PLATFORM", "offscreen")
        environment["XDG_CONFIG_HOME"] = os.path.join(folder, "config")  # never the user's settings
        environment["MNIST_STUDIO_RUNS"] = os.path.join(folder, "runs")
        # Users' imports come from cached bytecode; a sandbox may disable writing it.
        environment.pop("PYTHONDONTWRITEBYTECODE", None)

        def sample(mode: str) -> dict[str, float]:
            started = time.monotonic()
            output = subprocess.run(
                [sys.executable, __file__, "--child", mode], env=environment, capture_output=True, text=True,
                timeout=180,
            )
            times = {}
            for line in output.stdout.splitlines():
                key, _, value = line.partition(" ")
                if key in ("shown", "torch"):
                    times[key] = float(value) - started
            if "shown" not in times and "torch" not in times:
                raise RuntimeError(f"child {mode} reported nothing: {output.stderr.strip()[-500:]}")
            return times

        samples: dict[str, list[dict[str, float]]] = {"bare": [], "app": [], "app+torch": [], "torch": []}

        def case(mode: str, key: str) -> float:
            times = sample(mode)
            samples[mode].append(times)
            return times[key]

        for mode in ("bare", "app"):  # warm-up, not counted: writes bytecode caches, warms the disk cache
            sample(mode)
        cases = {"bare": lambda: case("bare", "shown"), "app": lambda: case("app", "shown")}
        if not arguments.no_torch:
            cases["app+torch"] = lambda: case("app+torch", "torch")
            cases["torch"] = lambda: case("torch", "torch")
        results = _common.interleaved(cases, arguments.repeats)
    bare = _common.median(results["bare"])
    app = _common.median(results["app"])
    rows = [
        ["bare PySide6 + pyqtgraph window visible", f"{bare:.2f}", _common.spread(results["bare"]), "1.00x", ""],
        ["MNIST Studio window visible", f"{app:.2f}", _common.spread(results["app"]), f"{app / bare:.2f}x",
         "met" if app / bare <= 1.3 else "MISSED"],
    ]
    if not arguments.no_torch:
        shown_with_torch = _common.median([times["shown"] for times in samples["app+torch"]])
        torch_ready = _common.median(results["app+torch"])
        torch_alone = _common.median(results["torch"])
        rows += [
            ["MNIST Studio window visible (runs that wait for torch)", f"{shown_with_torch:.2f}", "-",
             f"{shown_with_torch / bare:.2f}x", ""],
            ["MNIST Studio: PyTorch ready (Start enabled)", f"{torch_ready:.2f}", _common.spread(results["app+torch"]),
             f"{torch_ready / bare:.2f}x", ""],
            ["python -c 'import torch' (reference)", f"{torch_alone:.2f}", _common.spread(results["torch"]),
             f"{torch_alone / bare:.2f}x", ""],
        ]
    print()
    _common.print_table(["seconds from process start until", "median s", "range", "vs bare", "goal <= 1.3x"], rows)
    width, height = WINDOW_SIZE
    print(f"\nfresh process per sample, {arguments.repeats} interleaved rounds, window {width}x{height}.")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        mode = sys.argv[2]
        if mode == "bare":
            child_bare()
        elif mode in ("app", "app+torch"):
            child_app(wait_for_torch=mode == "app+torch")
        else:
            child_torch()
    else:
        main()
