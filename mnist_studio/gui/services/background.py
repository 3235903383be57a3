"""Work off the GUI thread: a one-call task, a worker object on its own thread, one-line error text."""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from PySide6.QtCore import QObject, QThread, Qt, Signal, SignalInstance

log = logging.getLogger(__name__)


def user_message(error: BaseException) -> str:
    """One line a user can read: the engine's own message, or the error's type and text."""
    if type(error).__module__.startswith("mnist_studio"):
        text = str(error)
    else:
        if not isinstance(error, OSError):  # a bug, not a bad file: keep the traceback for developers
            log.error("unexpected error in a background task", exc_info=error)
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


class BackgroundTask(QThread):
    """Calls ``function()`` once on its own thread; ``done(result)`` or ``failed(message)`` follows.

    With ``reports_progress=True`` the function is called as ``function(report)`` and each
    ``report(value)`` emits ``progress(value)``. Slots of GUI objects run on the GUI thread.
    """

    done = Signal(object)
    failed = Signal(str)
    progress = Signal(object)

    def __init__(
        self, function: Callable[..., Any], parent: QObject | None = None, *, reports_progress: bool = False
    ) -> None:
        super().__init__(parent)
        self._function = function
        self._reports_progress = reports_progress

    def run(self) -> None:
        """Thread body: never lets an exception escape, so a failure is always reported."""
        try:
            result = self._function(self.progress.emit) if self._reports_progress else self._function()
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI as a message
            self.failed.emit(user_message(error))
        else:
            self.done.emit(result)

    def join(self) -> None:
        """Wait for the call to end (a running call cannot be cancelled)."""
        self.wait()


def start_in_thread(worker: QObject, run: Callable[[], None], end_signals: Sequence[SignalInstance]) -> QThread:
    """Move ``worker`` to a new thread that calls ``run`` and quits after any of ``end_signals``."""
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(run)
    for signal in end_signals:
        # Direct: quit from the worker thread itself; a queued quit would never reach a GUI
        # thread that is blocked in thread.wait() (closing the window mid-run), a deadlock.
        signal.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.start()
    return thread
