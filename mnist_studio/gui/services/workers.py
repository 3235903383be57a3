"""The one way work leaves the GUI thread: a worker thread per call, one vocabulary of signals.

A :class:`FunctionWorker` calls a function once; a :class:`GeneratorWorker` iterates a generator
(a training run) and sends each value it yields. Both are QThreads with superqt's vocabulary:
``started``, ``yielded(value)``, ``returned(result)``, ``errored(exception)`` and ``finished``
(``started`` and ``finished`` are QThread's own: the thread began, the thread has ended). An
exception crosses to the GUI thread as the object itself; :func:`mnist_studio.gui.services.errors.
describe_error` words it. Every worker started here is held until it ends, whatever happens to
its owner, and :func:`join_all` waits for all of them (the window does so when it closes), except
those started with ``joinable=False``: work that may block in the kernel for ever (opening an
image file that turns out to be a FIFO nobody writes to) must never keep the window from closing;
its result, should it come, goes to nobody, and the app's exit does not wait for it either.
We use our own ~150 lines rather than superqt's ``create_worker``: docs/ARCHITECTURE.md says why.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Generator, Iterable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from mnist_studio.gui.services.errors import is_expected

log = logging.getLogger(__name__)

_alive: set[Worker] = set()
_joined_at_quit: list[QCoreApplication] = []


class Worker(QThread):
    """Base of the two workers: runs :meth:`work` on its own thread and never lets an exception escape."""

    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception object

    def __init__(self, parent: QObject | None = None, *, joinable: bool = True) -> None:
        super().__init__(parent)
        self.joinable = joinable  # False: closing the window does not wait for it
        # A slot of this object, which lives on the GUI thread: it runs there, after the thread ended.
        self.finished.connect(self._release)

    def run(self) -> None:  # noqa: D102 - the thread body
        try:
            result = self.work()
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI as an object
            if not is_expected(error):  # a bug, not a bad file: keep the traceback for developers
                log.error("unexpected error in a background worker", exc_info=error)
            self.errored.emit(error)
        else:
            self.returned.emit(result)

    def work(self) -> Any:
        """The work itself, on the worker thread (subclasses)."""
        raise NotImplementedError

    def _release(self) -> None:
        self.wait()  # returns at once: the thread emitted ``finished`` as its last act
        _alive.discard(self)
        self.deleteLater()


class FunctionWorker(Worker):
    """Calls ``function()`` once; ``returned(result)`` or ``errored(exception)`` follows.

    With ``reports=True`` it is called as ``function(report)``, and each ``report(value)``
    emits ``yielded(value)`` (for progress of a call that cannot be a generator).
    """

    def __init__(
        self, function: Callable[..., Any], *, reports: bool = False, joinable: bool = True, parent: QObject | None = None
    ) -> None:
        super().__init__(parent, joinable=joinable)
        self._function = function
        self._reports = reports

    def work(self) -> Any:  # noqa: D102
        return self._function(self.yielded.emit) if self._reports else self._function()


class GeneratorWorker(Worker):
    """Iterates ``generator`` to its end: ``yielded(value)`` for each value, then ``returned(result)``.

    It holds no pause or stop flags of its own: a generator that can pause or stop (the
    ``Trainer``) is told so directly, and blocks or ends between its own yields.
    """

    def __init__(self, generator: Generator[Any, None, Any] | Iterable[Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generator = generator

    def work(self) -> Any:  # noqa: D102
        iterator = iter(self._generator)
        while True:
            try:
                value = next(iterator)
            except StopIteration as end:
                return end.value
            self.yielded.emit(value)


def start(worker: Worker) -> Worker:
    """Start ``worker`` and hold it until its thread ends; returns it."""
    if not _joined_at_quit or _joined_at_quit[-1] is not QCoreApplication.instance():
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(join_all)
            _joined_at_quit.append(application)
    _alive.add(worker)
    worker.start()
    return worker


def alive() -> list[Worker]:
    """The workers started through :func:`start` whose threads have not been released yet."""
    return list(_alive)


def join_all() -> None:
    """Wait for every running joinable worker to end (at quit, when the window closes, and in tests)."""
    for worker in list(_alive):
        if worker.joinable:
            worker.wait()


def unjoinable_running() -> list[Worker]:
    """Workers started with ``joinable=False`` whose threads are still running (perhaps blocked for ever)."""
    return [worker for worker in _alive if not worker.joinable and worker.isRunning()]


class WorkerGroup(QObject):
    """The workers one object started: ``busyChanged(bool)`` when the first starts and the last ends."""

    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[Worker] = []

    def run(
        self,
        function: Callable[..., Any],
        on_returned: Callable[[Any], None],
        on_errored: Callable[[BaseException], None],
        on_yielded: Callable[[Any], None] | None = None,
        *,
        joinable: bool = True,
    ) -> Worker:
        """Call ``function()`` (``function(report)`` when ``on_yielded`` is given) on a new worker.

        The callbacks should be slots of objects living on the GUI thread. ``joinable=False``:
        :meth:`join` and :func:`join_all` do not wait for it (see the module's docstring).
        """
        worker = FunctionWorker(function, reports=on_yielded is not None, joinable=joinable)
        worker.returned.connect(on_returned)
        worker.errored.connect(on_errored)
        if on_yielded is not None:
            worker.yielded.connect(on_yielded)
        worker.finished.connect(self._ended)
        self._running.append(worker)
        if len(self._running) == 1:
            self.busyChanged.emit(True)
        start(worker)
        return worker

    def is_busy(self) -> bool:
        """True while any of its workers runs."""
        return bool(self._running)

    def join(self) -> None:
        """Wait until every joinable worker of the group has ended."""
        for worker in list(self._running):
            if worker.joinable:
                worker.wait()

    def _ended(self) -> None:
        worker = self.sender()
        if worker in self._running:
            self._running.remove(worker)
            if not self._running:
                self.busyChanged.emit(False)
