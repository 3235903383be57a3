"""The one training run of the window: the engine's generator on a worker thread, its records as signals.

Any feature may follow a run: ``runStarted(RunStarted)`` when the engine has prepared it,
``progress(record)`` for each step, epoch and pause record, then exactly one of
``runFinished(TrainingFinished)`` or ``runFailed(exception)`` once the worker thread has
ended. Stop, pause and resume go straight to the ``Trainer``: its state is the only state.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from PySide6.QtCore import QObject, Signal, Slot

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import PausedProgress, Progress, RunStarted, TrainingFinished
from mnist_studio.gui.services import workers

if TYPE_CHECKING:
    from mnist_studio.core.training import Trainer

GIL_SWITCH_SECONDS = 0.001


class RunState(enum.Enum):
    """Where the window's run is."""

    IDLE = "idle"  # no run
    RUNNING = "running"
    PAUSED = "paused"  # a pause was asked for (the engine holds before its next step)
    STOPPING = "stopping"  # a stop was asked for; the run ends before its next step


class RunEndedWithoutResult(RuntimeError):
    """The engine's generator ended without a ``TrainingFinished`` record (a bug)."""


def _records(trainer: Trainer) -> Iterator[Progress]:
    """The trainer's records, with a short GIL switch interval while it runs (on the worker thread).

    Painting the charts calls into Python many times per frame, and each call may wait for
    the worker to hand over the GIL: a 1 ms switch interval (Python's default is 5 ms) keeps
    frames short. It is process-wide, so it holds for this run only.
    """
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(min(previous_interval, GIL_SWITCH_SECONDS))
    try:
        yield from trainer.run()
    finally:
        sys.setswitchinterval(previous_interval)


class TrainingService(QObject):
    """Starts, pauses, resumes and stops one run at a time and announces what happens to it."""

    runStarted = Signal(object)  # RunStarted
    progress = Signal(object)  # StepProgress, EpochProgress or PausedProgress
    runFinished = Signal(object)  # TrainingFinished (completed, stopped or failed)
    runFailed = Signal(object)  # the exception that ended the run without a record
    stateChanged = Signal(object)  # RunState
    chosenDeviceChanged = Signal(str)  # the device the next run is set to use ("auto", "cpu", ...)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = RunState.IDLE
        self._trainer: Trainer | None = None
        self._worker: workers.GeneratorWorker | None = None
        self._finished: TrainingFinished | None = None
        self._error: BaseException | None = None
        self._chosen_device = "auto"

    @property
    def state(self) -> RunState:
        """Where the run is."""
        return self._state

    @property
    def worker(self) -> workers.GeneratorWorker | None:
        """The worker thread of the run in progress, or None."""
        return self._worker

    @property
    def chosen_device(self) -> str:
        """The device the next run is set to use (``"auto"`` or a device name)."""
        return self._chosen_device

    def set_chosen_device(self, device: str) -> None:
        """Announce the device the next run will use (the Train form calls this as it changes)."""
        if device != self._chosen_device:
            self._chosen_device = device
            self.chosenDeviceChanged.emit(device)

    def start(self, config: TrainingConfig, checkpoint_path: Path | str | None = None) -> bool:
        """Start a run of ``config`` (PyTorch must be loaded); False when one is already going or cannot start."""
        if self._state is not RunState.IDLE:
            return False
        from mnist_studio.core.training import Trainer

        try:
            self._trainer = Trainer(config, checkpoint_path=checkpoint_path)
        except Exception as error:  # noqa: BLE001 - e.g. a runs folder it may not look into: one line, no traceback
            self.runFailed.emit(error)
            return False
        self._finished = self._error = None
        self._worker = workers.GeneratorWorker(_records(self._trainer))
        self._worker.yielded.connect(self._on_record)
        self._worker.errored.connect(self._on_errored)
        self._worker.finished.connect(self._on_worker_finished)
        self._set_state(RunState.RUNNING)
        workers.start(self._worker)
        return True

    def pause(self) -> None:
        """Hold the run before its next step."""
        if self._state is RunState.RUNNING:
            self._trainer.pause()
            self._set_state(RunState.PAUSED)

    def resume(self) -> None:
        """Continue a paused run."""
        if self._state is RunState.PAUSED:
            self._trainer.resume()
            self._set_state(RunState.RUNNING)

    def stop(self) -> None:
        """End the run before its next step (it saves a resumable checkpoint)."""
        if self._state in (RunState.RUNNING, RunState.PAUSED):
            self._trainer.stop()
            self._set_state(RunState.STOPPING)

    def shutdown(self) -> None:
        """Stop any run and wait for its thread to end (the window calls this when it closes)."""
        if self._trainer is not None:
            self._trainer.stop()
        if self._worker is not None:
            self._worker.wait()

    def _set_state(self, state: RunState) -> None:
        self._state = state
        self.stateChanged.emit(state)

    @Slot(object)
    def _on_record(self, record: Progress) -> None:
        if isinstance(record, TrainingFinished):
            self._finished = record
        elif isinstance(record, RunStarted):
            self.runStarted.emit(record)
        elif not (isinstance(record, PausedProgress) and self._state is not RunState.PAUSED):
            self.progress.emit(record)  # a pause record that a resume or stop overtook is old news

    @Slot(object)
    def _on_errored(self, error: BaseException) -> None:
        self._error = error

    @Slot()
    def _on_worker_finished(self) -> None:
        finished, error = self._finished, self._error
        self._trainer = self._worker = None
        self._set_state(RunState.IDLE)
        if finished is not None:
            self.runFinished.emit(finished)
        else:
            self.runFailed.emit(error or RunEndedWithoutResult())
