"""The application context: the services every feature shares, made and wired once per window.

Features receive it when they are built and talk to one another only through it: the current
model (``library``), the training run (``training``), PyTorch loading (``torch_loader``), the
settings, and ``notices`` for the status bar and error boxes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from mnist_studio.core.progress import TrainingFinished
from mnist_studio.gui.services import workers
from mnist_studio.gui.services.model_library import ModelLibrary
from mnist_studio.gui.services.settings import AppSettings
from mnist_studio.gui.services.torch_loader import TorchLoader
from mnist_studio.gui.services.training import TrainingService

STATUS_TIMEOUT_MS = 10_000


class Notices(QObject):
    """News for the user from any feature: ``statusShown(text, ms)`` and ``errorShown(title, message)``."""

    statusShown = Signal(str, int)
    errorShown = Signal(str, str)

    def show_status(self, text: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
        """Show ``text`` in the status bar for a while."""
        self.statusShown.emit(text, timeout_ms)

    def show_error(self, title: str, message: str) -> None:
        """Tell the user something failed: one line, in the window's one error style."""
        self.errorShown.emit(title, message)


class AppContext(QObject):
    """The shared services of one window. A completed run becomes the current model."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = AppSettings()
        self.notices = Notices(self)
        self.torch_loader = TorchLoader(self)
        self.library = ModelLibrary(self)
        self.training = TrainingService(self)
        # The library lists checkpoints once torch has loaded: reading one imports torch.
        self.torch_loader.loaded.connect(self.library.refresh)
        self.training.runFinished.connect(self._on_run_finished)

    @Slot(object)
    def _on_run_finished(self, record: TrainingFinished) -> None:
        if record.succeeded and record.checkpoint_path is not None:
            self.library.select(record.checkpoint_path)

    def shutdown(self) -> None:
        """Stop a run and wait for every worker thread to end."""
        self.training.shutdown()
        workers.join_all()
