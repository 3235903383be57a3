"""Short background calls owned by one object: started, kept alive until they end, joined at quit.

A task's thread object is held by a module-level set, not by a Qt parent, so it survives its
owner: a window or tab destroyed while a call runs never destroys a running ``QThread``.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal

from mnist_studio.gui.services.background import BackgroundTask

_alive: set[BackgroundTask] = set()
_joined_at_quit: list[QCoreApplication] = []


def _join_all_at_quit() -> None:
    application = QCoreApplication.instance()
    if application is not None and application not in _joined_at_quit:
        application.aboutToQuit.connect(join_all)
        _joined_at_quit.append(application)


def join_all() -> None:
    """Wait for every task of every group to end (at quit, and in tests)."""
    for task in list(_alive):
        task.join()


class TaskGroup(QObject):
    """Runs functions on :class:`BackgroundTask` threads for its parent and tracks which still run.

    ``busyChanged(bool)`` tells when the first starts and the last ends; :meth:`join` waits for
    them. Every task of every group is joined when the application quits.
    """

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[BackgroundTask] = []
        _join_all_at_quit()

    def start(
        self,
        function: Callable[..., Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
        on_progress: Callable[[Any], None] | None = None,
    ) -> BackgroundTask:
        """Call ``function()`` (``function(report)`` when ``on_progress`` is given) on a new thread.

        The callbacks should be slots of objects living on the GUI thread.
        """
        task = BackgroundTask(function, reports_progress=on_progress is not None)
        task.done.connect(on_done)
        task.failed.connect(on_failed)
        if on_progress is not None:
            task.progress.connect(on_progress)
        task.finished.connect(self._task_ended)
        self._running.append(task)
        _alive.add(task)
        if len(self._running) == 1:
            self.busyChanged.emit(True)
        task.start()
        return task

    def is_busy(self) -> bool:
        """True while any task runs."""
        return bool(self._running)

    def join(self) -> None:
        """Wait until every task has ended."""
        for task in list(self._running):
            task.join()

    def _task_ended(self) -> None:
        task = self.sender()
        if task not in self._running:
            return
        task.join()  # returns at once: the thread emitted ``finished`` as its last act
        self._running.remove(task)
        _alive.discard(task)
        task.deleteLater()
        if not self._running:
            self.busyChanged.emit(False)


def running_task_count() -> int:
    """Background calls started through any group that are still alive (for tests)."""
    return sum(1 for task in _alive if not task.isFinished())
