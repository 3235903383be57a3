"""The Qt side of a training run: the engine's generator on a worker thread, its records as signals."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import TrainingFinished
from mnist_studio.gui.services.background import start_in_thread, user_message


GIL_SWITCH_SECONDS = 0.001


class TrainingWorker(QObject):
    """Drives one ``Trainer`` run in the thread it lives in; stop/pause/resume may be called from any thread.

    Emits ``started``, then ``progress(record)`` for each step and epoch record, then exactly one
    of ``finished(TrainingFinished)`` or ``errored(message)``.
    """

    started = Signal()
    progress = Signal(object)
    finished = Signal(object)
    errored = Signal(str)

    def __init__(self, config: TrainingConfig, checkpoint_path: Path | str | None = None) -> None:
        super().__init__()
        self.config = config
        self._checkpoint_path = checkpoint_path
        self._lock = threading.Lock()
        self._trainer = None
        self._stop_requested = False
        self._pause_requested = False

    def stop(self) -> None:
        """End the run before its next step (it saves a resumable checkpoint)."""
        with self._lock:
            self._stop_requested = True
            if self._trainer is not None:
                self._trainer.stop()

    def pause(self) -> None:
        """Hold the run before its next step."""
        with self._lock:
            self._pause_requested = True
            if self._trainer is not None:
                self._trainer.pause()

    def resume(self) -> None:
        """Continue a paused run."""
        with self._lock:
            self._pause_requested = False
            if self._trainer is not None:
                self._trainer.resume()

    @Slot()
    def run(self) -> None:
        """Train until the engine's last record; never raises."""
        # Painting the charts calls into Python many times per frame, and each call may wait for
        # the worker to hand over the GIL: a 1 ms switch interval (Python's default is 5 ms) keeps
        # frames short. It is process-wide, so it holds for this run only.
        previous_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(previous_interval, GIL_SWITCH_SECONDS))
        self.started.emit()
        try:
            self._train()
        except Exception as error:  # noqa: BLE001 - the worker reports every failure instead of dying
            self.errored.emit(user_message(error))
        finally:
            sys.setswitchinterval(previous_interval)

    def _train(self) -> None:
        from mnist_studio.core.training import Trainer

        trainer = Trainer(self.config, checkpoint_path=self._checkpoint_path)
        with self._lock:
            self._trainer = trainer
            if self._stop_requested:
                trainer.stop()
            elif self._pause_requested:
                trainer.pause()
        for record in trainer.run():
            if isinstance(record, TrainingFinished):
                self.finished.emit(record)
                return
            self.progress.emit(record)
        self.errored.emit("The training run ended without a result.")



def start_training(worker: TrainingWorker) -> QThread:
    """Run ``worker`` on a new QThread that ends after its ``finished`` or ``errored`` signal."""
    return start_in_thread(worker, worker.run, [worker.finished, worker.errored])
