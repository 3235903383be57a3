"""The current model shared by the Test and Draw tabs, and the combo box that picks it.

:class:`ModelLibrary` lists the shipped checkpoints, the user's runs and files opened by hand,
loads the chosen one off the GUI thread and holds it as the current model. A file that cannot
be used leaves everything as it was and sets a one-line message. :class:`ModelSelector` is
the widget row (``modelCombo`` and "Open…") bound to a library; each tab shows one.
Nothing here imports torch until a checkpoint is read, on a background thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_studio.core import paths
from mnist_studio.core.catalog import CheckpointSummary
from mnist_studio.core.registry import DEFAULT_ARCHITECTURE
from mnist_studio.gui.services.background import user_message
from mnist_studio.gui.services.task_group import TaskGroup

if TYPE_CHECKING:
    from torch import nn

LIBRARY_OBJECT_NAME = "modelLibrary"


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A model ready for inference (eval mode, on the CPU) with the summary of its checkpoint."""

    summary: CheckpointSummary
    model: nn.Module
    modified_ns: int  # the file's modification time when it was read


@dataclass(frozen=True)
class _LoadOutcome:
    path: Path
    loaded: LoadedModel | None
    message: str  # why it failed ("" when loaded)


def _modified_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1


def _load(path: Path) -> _LoadOutcome:
    """Read one checkpoint (runs on a background thread); a failure becomes a message."""
    from mnist_studio.core.catalog import summarise
    from mnist_studio.core.checkpoints import CheckpointError, load_model

    try:
        model, checkpoint = load_model(path, "cpu")
    except CheckpointError as error:
        return _LoadOutcome(path, None, str(error))
    except Exception as error:  # noqa: BLE001 - any other failure is still one line, never a traceback
        return _LoadOutcome(path, None, f"{path}: cannot load the checkpoint ({user_message(error)})")
    return _LoadOutcome(path, LoadedModel(summarise(checkpoint), model, _modified_ns(path)), "")


def _scan() -> list[CheckpointSummary]:
    """The shipped checkpoints, then the user's runs, older runs folders included (on a background thread)."""
    from mnist_studio.core.catalog import list_checkpoints

    folders = [paths.pretrained_dir(), *paths.run_folders()]
    found = [summary for folder in folders for summary in list_checkpoints(folder.absolute())]
    unique: dict[Path, CheckpointSummary] = {}
    for summary in found:
        unique.setdefault(summary.path.resolve(), summary)
    return list(unique.values())


class ModelLibrary(QObject):
    """The available checkpoints and the current model; loading always happens off the GUI thread."""

    entriesChanged = Signal()
    currentChanged = Signal(object)  # LoadedModel
    currentPathChanged = Signal(str)  # the current model's checkpoint file
    busyChanged = Signal(bool)
    messageChanged = Signal(str)  # "" when there is nothing to report
    loadFailed = Signal(str)  # a chosen checkpoint could not be used; the current model stays
    modelsLoaded = Signal(object)  # list[LoadedModel], answer to load_all()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(LIBRARY_OBJECT_NAME)
        self._entries: list[CheckpointSummary] = []
        self._scanned = False
        self._cache: dict[Path, LoadedModel] = {}
        self._current: LoadedModel | None = None
        self._requested: Path | None = None
        self._message = ""
        self._tasks = TaskGroup(self)
        self._tasks.busyChanged.connect(self.busyChanged)

    @classmethod
    def shared(cls, owner: QObject) -> ModelLibrary:
        """The one library of ``owner`` (a main window), created on first use; call :meth:`refresh`
        once reading checkpoints may import torch."""
        library = owner.findChild(cls, LIBRARY_OBJECT_NAME)
        return library if library is not None else cls(owner)

    def entries(self) -> list[CheckpointSummary]:
        """The checkpoints to choose from, in display order."""
        return list(self._entries)

    def has_scanned(self) -> bool:
        """True once the folders have been listed."""
        return self._scanned

    def current(self) -> LoadedModel | None:
        """The current model, or None before one has loaded."""
        return self._current

    def is_busy(self) -> bool:
        """True while a checkpoint is being listed or loaded."""
        return self._tasks.is_busy()

    def join(self) -> None:
        """Wait for listing and loading in progress to end (their results arrive as events)."""
        self._tasks.join()

    def message(self) -> str:
        """The last problem to report (one line), or ""."""
        return self._message

    def refresh(self) -> None:
        """List the checkpoint folders again; picks a default model when there is none yet."""
        self._tasks.start(_scan, self._on_scanned, self._on_failed)

    def select(self, path: Path | str) -> None:
        """Make the checkpoint at ``path`` current once it has loaded; a bad file changes nothing."""
        path = Path(path).absolute()
        self._requested = path
        cached = self._cache.get(path)
        if cached is not None and cached.modified_ns == _modified_ns(path):
            self._make_current(cached)
            return
        self._tasks.start(lambda: _load(path), self._on_loaded, self._on_failed)

    def load_all(self) -> None:
        """Load every listed checkpoint; ``modelsLoaded`` brings those that loaded, in list order."""
        paths_to_load = [summary.path for summary in self._entries]
        self._tasks.start(lambda: [_load(path) for path in paths_to_load], self._on_all_loaded, self._on_failed)

    def _set_message(self, message: str) -> None:
        if message != self._message:
            self._message = message
            self.messageChanged.emit(message)

    def _on_failed(self, message: str) -> None:
        self._set_message(f"Cannot list or load models: {message}")

    def _on_scanned(self, summaries: list[CheckpointSummary]) -> None:
        listed = {summary.path for summary in summaries}
        opened = [summary for summary in self._entries if summary.path not in listed]
        self._entries = summaries + opened
        self._scanned = True
        self.entriesChanged.emit()
        if self._current is None and self._requested is None and self._entries:
            self.select(self._default_entry().path)

    def _default_entry(self) -> CheckpointSummary:
        shipped = paths.pretrained_dir().resolve()
        for summary in self._entries:
            if summary.arch == DEFAULT_ARCHITECTURE and summary.path.resolve().parent == shipped:
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
            self._set_message(outcome.message)
            self.loadFailed.emit(outcome.message)
            return
        self._make_current(loaded)

    def _make_current(self, loaded: LoadedModel) -> None:
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
        self.currentPathChanged.emit(str(loaded.summary.path))

    def _on_all_loaded(self, outcomes: list[_LoadOutcome]) -> None:
        models = [loaded for loaded in (self._remember(outcome) for outcome in outcomes) if loaded is not None]
        self.modelsLoaded.emit(models)


class ModelSelector(QWidget):
    """``modelCombo`` listing the library's checkpoints, an "Open…" button and a message line."""

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.combo = QComboBox(objectName="modelCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(36)
        self.combo.setToolTip("The model the Test and Draw tabs use")
        self.open_button = QPushButton("Open…", objectName="openCheckpointButton")
        self.open_button.setToolTip("Open a checkpoint file (.pt)")
        self.busy_label = QLabel("Loading…", objectName="modelBusyLabel")
        self.busy_label.setEnabled(False)
        self.message_label = QLabel(objectName="modelMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Model:"))
        row.addWidget(self.combo, 1)
        row.addWidget(self.busy_label)
        row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.message_label)

        self.combo.activated.connect(self._on_activated)
        self.open_button.clicked.connect(self._ask_for_file)
        library.entriesChanged.connect(self._fill)
        library.currentChanged.connect(self._show_current)
        library.busyChanged.connect(self.busy_label.setVisible)
        library.messageChanged.connect(self._show_message)
        library.loadFailed.connect(self._put_choice_back)
        self._fill()
        self.busy_label.setVisible(library.is_busy())
        self._show_message(library.message())

    def _fill(self) -> None:
        self.combo.clear()
        entries = self._library.entries()
        for summary in entries:
            self.combo.addItem(summary.describe(), str(summary.path))
            self.combo.setItemData(self.combo.count() - 1, str(summary.path), Qt.ItemDataRole.ToolTipRole)
        if not entries:
            waiting = "Looking for models…" if not self._library.has_scanned() else "No models yet: train one or open a checkpoint"
            self.combo.addItem(waiting)
        self.combo.setEnabled(bool(entries))
        self._show_current(self._library.current())

    def _show_current(self, loaded: LoadedModel | None) -> None:
        if self._library.entries():
            self.combo.setCurrentIndex(-1 if loaded is None else self.combo.findData(str(loaded.summary.path)))

    def _put_choice_back(self) -> None:
        self._show_current(self._library.current())

    def _show_message(self, message: str) -> None:
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))

    def _on_activated(self, index: int) -> None:
        path = self.combo.itemData(index)
        if path:
            self._library.select(path)

    def _ask_for_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open checkpoint", str(paths.runs_dir()), "MNIST Studio checkpoints (*.pt);;All files (*)"
        )
        if path:
            self._library.select(path)
