"""Driving the real MNIST Studio window in a benchmark: isolated settings, waits, event-loop gaps.

Call :func:`isolate_environment` before anything creates a ``QApplication``: it selects the
offscreen platform (unless a platform is set) and points the app's settings and run
checkpoints at a temporary folder, so a benchmark never touches the user's files.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

_TEMPORARY: tempfile.TemporaryDirectory | None = None


def isolate_environment() -> str:
    """Offscreen Qt, temporary settings and runs folders; returns the temporary folder."""
    global _TEMPORARY
    if _TEMPORARY is None:
        _TEMPORARY = tempfile.TemporaryDirectory(prefix="mnist-bench-gui-")
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["XDG_CONFIG_HOME"] = os.path.join(_TEMPORARY.name, "config")
        os.environ["MNIST_STUDIO_RUNS"] = os.path.join(_TEMPORARY.name, "runs")
    return _TEMPORARY.name


def application() -> Any:
    """The process's QApplication (created once, with the app's organisation names)."""
    from PySide6.QtWidgets import QApplication

    from mnist_studio.gui.services.settings import APPLICATION, ORGANISATION

    isolate_environment()
    app = QApplication.instance()
    if app is None:
        QApplication.setOrganizationName(ORGANISATION)
        QApplication.setApplicationName(APPLICATION)
        app = QApplication(["mnist-studio-benchmark"])
    return app


def wait_for(signal: Any, timeout_seconds: float) -> tuple:
    """Run the event loop until ``signal`` fires; returns its arguments. TimeoutError otherwise."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    received: list[tuple] = []

    def on_signal(*arguments: object) -> None:
        received.append(arguments)
        loop.quit()

    signal.connect(on_signal)
    QTimer.singleShot(int(timeout_seconds * 1000), loop.quit)
    loop.exec()
    signal.disconnect(on_signal)
    if not received:
        raise TimeoutError(f"no signal within {timeout_seconds:g} s")
    return received[0]


def run_event_loop(seconds: float) -> None:
    """Let the event loop run for ``seconds``."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


class TimerGaps:
    """A 10 ms precise QTimer that records the gaps between its ticks: how long the event loop stalls."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.gaps_ms: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin recording (clears earlier gaps)."""
        self.gaps_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> list[float]:
        """Stop recording; returns the gaps in milliseconds."""
        self._timer.stop()
        return self.gaps_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps_ms.append((now - self._last) * 1000)
        self._last = now


def main_window() -> Any:
    """A shown MainWindow with PyTorch loaded (the app loads it in the background after showing)."""
    application()
    from mnist_studio.gui import MainWindow

    from mnist_studio.gui.services.torch_loader import LoaderState

    window = MainWindow()
    window.show()
    if window.context.torch_loader.state is not LoaderState.LOADED:
        wait_for(window.context.torch_loader.loaded, timeout_seconds=120)
    return window


def train_tab(window: Any) -> Any:
    """The window's Train tab (``trainTab``)."""
    from PySide6.QtWidgets import QWidget

    return child(window, QWidget, "trainTab")


def child(window: Any, kind: type, name: str) -> Any:
    """The child widget ``name`` of ``kind``; KeyError names what is missing."""
    widget = window.findChild(kind, name)
    if widget is None:
        raise KeyError(f"the window has no {kind.__name__} named {name!r}")
    return widget


def select_data(combo: Any, value: str) -> None:
    """Select the combo box item whose data is ``value``."""
    index = combo.findData(value)
    if index < 0:
        raise KeyError(f"{combo.objectName()} has no item {value!r}")
    combo.setCurrentIndex(index)
