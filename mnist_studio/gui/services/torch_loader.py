"""Loading PyTorch in the background after the window shows, so start-up never waits for it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from mnist_studio.gui.services.workers import WorkerGroup


@dataclass(frozen=True)
class TorchInfo:
    """What the window needs to know once torch is loaded."""

    version: str
    devices: tuple[str, ...]  # present devices, best first, ending with "cpu"
    threads: int  # CPU threads a training run uses by default


class LoaderState(enum.Enum):
    """Where the loader is: not started, importing, done, or failed."""

    IDLE = "idle"
    LOADING = "loading"
    LOADED = "loaded"
    FAILED = "failed"


def load_torch() -> TorchInfo:
    """Import torch and the training engine (slow: seconds) and describe this machine."""
    import torch

    from mnist_studio.core import training  # noqa: F401 - warms every module a run imports
    from mnist_studio.core.devices import available_devices, default_cpu_threads

    return TorchInfo(version=torch.__version__, devices=tuple(available_devices()), threads=default_cpu_threads())


class TorchLoader(QObject):
    """Imports torch on a worker thread once; ``loaded(TorchInfo)`` or ``failed(exception)`` tell when done."""

    loaded = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = WorkerGroup(self)
        self._started = False
        self.info: TorchInfo | None = None
        self.error: BaseException | None = None

    @property
    def state(self) -> LoaderState:
        """Where the loader is."""
        if self.info is not None:
            return LoaderState.LOADED
        if self.error is not None:
            return LoaderState.FAILED
        return LoaderState.LOADING if self._started else LoaderState.IDLE

    @Slot()
    def start(self) -> None:
        """Begin loading; calling it again does nothing."""
        if self._started:
            return
        self._started = True
        self._workers.run(load_torch, self._on_loaded, self._on_failed)

    def join(self) -> None:
        """Wait for a load in progress to end (an import cannot be cancelled)."""
        self._workers.join()

    @Slot(object)
    def _on_loaded(self, info: TorchInfo) -> None:
        self.info = info
        self.loaded.emit(info)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.error = error
        self.failed.emit(error)
