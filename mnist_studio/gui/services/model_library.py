"""The current model that the Test and Draw features share, and the checkpoints to choose it from.

:class:`ModelLibrary` lists the shipped checkpoints, the user's runs and files opened by hand,
loads the chosen one off the GUI thread and holds it as the current model. A file that cannot
be used leaves everything as it was and sets a one-line message. There is one library per
window, made by the application context. Nothing here imports torch until a checkpoint is
read, on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QCoreApplication, QObject, Signal

from mnist_studio.core import paths
from mnist_studio.core.catalog import CheckpointSummary
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import DEFAULT_ARCHITECTURE
from mnist_studio.gui.services.errors import checkpoint_error_text, describe_error
from mnist_studio.gui.services.workers import WorkerGroup

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A model ready for inference (eval mode, on the CPU) with the summary of its checkpoint."""

    summary: CheckpointSummary
    model: nn.Module
    step: int  # training steps the checkpoint's run had done
    modified_ns: int  # the file's modification time when it was read
    config: TrainingConfig | None = None  # the recipe the checkpoint was trained with


@dataclass(frozen=True)
class _LoadOutcome:
    path: Path
    loaded: LoadedModel | None
    error: BaseException | None  # why it failed (None when loaded)


def _modified_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _load(path: Path) -> _LoadOutcome:
    """Read one checkpoint (runs on a worker thread); a failure is kept, not raised."""
    from mnist_studio.core.catalog import summarise
    from mnist_studio.core.checkpoints import load_model

    try:
        model, checkpoint = load_model(path, "cpu")
    except Exception as error:  # noqa: BLE001 - any failure is one line for the user, never a traceback
        return _LoadOutcome(path, None, error)
    return _LoadOutcome(path, LoadedModel(summarise(checkpoint), model, checkpoint.step, _modified_ns(path), checkpoint.config), None)


def _scan() -> list[CheckpointSummary]:
    """The shipped checkpoints, then the user's runs, older runs folders included (on a worker thread)."""
    from mnist_studio.core.catalog import list_checkpoints

    folders = [paths.pretrained_dir(), *paths.run_folders()]
    found = [summary for folder in folders for summary in list_checkpoints(folder.absolute())]
    unique: dict[Path, CheckpointSummary] = {}
    for summary in found:
        unique.setdefault(summary.path.resolve(), summary)
    return list(unique.values())


class ModelLibrary(QObject):
    """The available checkpoints and the current model; loading always happens off the GUI thread.

    :meth:`select` makes a listed (or just trained) checkpoint current; :meth:`open` does the same
    for a file the user chose, and answers with ``opened(LoadedModel)`` or ``openFailed(message)``.
    """

    entriesChanged = Signal()
    currentChanged = Signal(object)  # LoadedModel
    busyChanged = Signal(bool)
    messageChanged = Signal(str)  # "" when there is nothing to report
    loadFailed = Signal(str)  # a chosen checkpoint could not be used; the current model stays
    opened = Signal(object)  # LoadedModel: a file given to open() is now the current model
    openFailed = Signal(str)  # a file given to open() could not be used (also sent as loadFailed)
    modelsLoaded = Signal(object)  # list[LoadedModel], answer to load_all()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entries: list[CheckpointSummary] = []
        self._scanned = False
        self._cache: dict[Path, LoadedModel] = {}
        self._current: LoadedModel | None = None
        self._requested: Path | None = None
        self._opening: Path | None = None  # the file of the last open(), until it has loaded or failed
        self._message = ""
        self._workers = WorkerGroup(self)
        self._workers.busyChanged.connect(self.busyChanged)

    def entries(self) -> list[CheckpointSummary]:
        """The checkpoints to choose from, in display order."""
        return list(self._entries)

    def has_scanned(self) -> bool:
        """True once the folders have been listed."""
        return self._scanned

    def current(self) -> LoadedModel | None:
        """The current model, or None before one has loaded."""
        return self._current

    def current_path(self) -> Path | None:
        """The current model's checkpoint file, or None."""
        return self._current.summary.path if self._current is not None else None

    def is_busy(self) -> bool:
        """True while a checkpoint is being listed or loaded."""
        return self._workers.is_busy()

    def join(self) -> None:
        """Wait for listing and loading in progress to end (their results arrive as events)."""
        self._workers.join()

    def message(self) -> str:
        """The last problem to report (one line), or ""."""
        return self._message

    def refresh(self) -> None:
        """List the checkpoint folders again; picks a default model when there is none yet."""
        self._workers.run(_scan, self._on_scanned, self._on_failed)

    def select(self, path: Path | str) -> None:
        """Make the checkpoint at ``path`` current once it has loaded; a bad file changes nothing."""
        self._request(Path(path).absolute(), opening=False)

    def open(self, path: Path | str) -> None:
        """Open a file the user chose (File > Open checkpoint…, Open…): validated and loaded once, off the GUI thread."""
        self._request(Path(path).absolute(), opening=True)

    def _request(self, path: Path, *, opening: bool) -> None:
        self._requested = path
        self._opening = path if opening else None
        cached = self._cache.get(path)
        if cached is not None and cached.modified_ns == _modified_ns(path):
            self._make_current(cached, path)
            return
        self._workers.run(lambda: _load(path), self._on_loaded, self._on_failed)

    def load_all(self, paths_to_load: Sequence[Path] | None = None) -> None:
        """Load ``paths_to_load`` (default: every listed checkpoint); ``modelsLoaded`` brings those that loaded, in order."""
        if paths_to_load is None:
            paths_to_load = [summary.path for summary in self._entries]
        paths_to_load = list(paths_to_load)
        self._workers.run(lambda: [_load(path) for path in paths_to_load], self._on_all_loaded, self._on_failed)

    def _set_message(self, message: str) -> None:
        if message != self._message:
            self._message = message
            self.messageChanged.emit(message)

    def _on_failed(self, error: BaseException) -> None:
        text = QCoreApplication.translate("ModelLibrary", "Cannot list or load models: {reason}")
        self._set_message(text.format(reason=describe_error(error)))

    def _on_scanned(self, summaries: list[CheckpointSummary]) -> None:
        listed = {summary.path for summary in summaries}
        opened = [summary for summary in self._entries if summary.path not in listed]
        self._entries = summaries + opened
        self._scanned = True
        self.entriesChanged.emit()
        if self._current is None and self._requested is None and self._entries:
            self.select(self._default_entry().path)

    @staticmethod
    def is_shipped(path: Path) -> bool:
        """True for a checkpoint that ships with the app (not one of the user's runs or files)."""
        return path.resolve().parent == paths.pretrained_dir().resolve()

    def _default_entry(self) -> CheckpointSummary:
        for summary in self._entries:
            if summary.arch == DEFAULT_ARCHITECTURE and self.is_shipped(summary.path):
                return summary
        return self._entries[0]

    def _remember(self, outcome: _LoadOutcome) -> LoadedModel | None:
        if outcome.loaded is not None:
            self._cache[outcome.path] = outcome.loaded
        return outcome.loaded

    def _on_loaded(self, outcome: _LoadOutcome) -> None:
        loaded = self._remember(outcome)
        if outcome.path != self._requested:
            return  # the user has asked for another model since
        self._requested = None
        if loaded is None:
            message = checkpoint_error_text(outcome.path, outcome.error)
            self._set_message(message)
            self.loadFailed.emit(message)
            if outcome.path == self._opening:
                self._opening = None
                self.openFailed.emit(message)
            return
        self._make_current(loaded, outcome.path)

    def _make_current(self, loaded: LoadedModel, path: Path) -> None:
        self._requested = None
        self._set_message("")
        known = [index for index, summary in enumerate(self._entries) if summary.path == loaded.summary.path]
        if not known:
            self._entries.append(loaded.summary)
            self.entriesChanged.emit()
        elif self._entries[known[0]] != loaded.summary:
            self._entries[known[0]] = loaded.summary
            self.entriesChanged.emit()
        self._current = loaded
        self.currentChanged.emit(loaded)
        if path == self._opening:
            self._opening = None
            self.opened.emit(loaded)

    def _on_all_loaded(self, outcomes: list[_LoadOutcome]) -> None:
        models = [loaded for loaded in (self._remember(outcome) for outcome in outcomes) if loaded is not None]
        self.modelsLoaded.emit(models)
