"""The main window: Train, Test and Draw tabs, menus, status bar, and the current model.

Importing this module does not import torch: PyTorch loads on a worker thread after the window
shows (see :mod:`mnist_studio.gui.services.torch_loader`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSaveFile, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QWidget

from mnist_studio.core import paths
from mnist_studio.core.progress import TrainingFinished
from mnist_studio.gui.app.about import show_about
from mnist_studio.gui.app.icon import app_icon
from mnist_studio.gui.app.settings import AppSettings
from mnist_studio.gui.services.task_group import TaskGroup
from mnist_studio.gui.services.torch_loader import TorchInfo, TorchLoader
from mnist_studio.gui.train.tab import TrainTab

DEFAULT_SIZE = (1280, 820)
MINIMUM_SIZE = (960, 640)
TORCH_LOAD_DELAY_MS = 200  # let the first frame paint before the import competes for the GIL
STATUS_TIMEOUT_MS = 10_000
NOTHING_TO_SAVE = "There is no current model yet: train one or open a checkpoint first."
CHECKPOINT_FILTER = "MNIST Studio checkpoints (*.pt);;All files (*)"


def _open_checkpoint_file(path: str) -> object:
    from mnist_studio.core.checkpoints import load_checkpoint

    return load_checkpoint(path)


class MainWindow(QMainWindow):
    """MNIST Studio's window. ``checkpointReady(path)`` announces a new current model.

    It fires when a training run completes and when File > Open checkpoint… has validated a
    file; the Test and Draw tabs load the model from that path.
    """

    checkpointReady = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("MNIST Studio")
        self.setWindowIcon(app_icon())
        self.settings = AppSettings()
        self.torch_loader = TorchLoader(self)
        self.current_checkpoint: str | None = None
        self._tasks = TaskGroup(self)
        self._shut_down = False

        self.train_tab = TrainTab()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.train_tab, "Train")
        self.tabs.addTab(self._build_test_tab(), "Test")
        self.tabs.addTab(self._build_draw_tab(), "Draw")
        self.setCentralWidget(self.tabs)
        self._build_status_bar()
        self._build_menus()

        self.torch_loader.loaded.connect(self._on_torch_loaded)
        self.torch_loader.failed.connect(self._on_torch_failed)
        self.train_tab.runFinished.connect(self._on_run_finished)
        self.train_tab.statusMessage.connect(self.show_status)
        self.checkpointReady.connect(self._set_current_checkpoint)
        self._restore_settings()
        self._torch_timer = QTimer(self)
        self._torch_timer.setSingleShot(True)
        self._torch_timer.setInterval(TORCH_LOAD_DELAY_MS)
        self._torch_timer.timeout.connect(self.torch_loader.start)
        self._torch_timer.start()

    def _build_test_tab(self) -> QWidget:
        from mnist_studio.gui.services.model_library import ModelLibrary
        from mnist_studio.gui.evaluate.tab import EvaluationTab

        # The tabs share one library. It lists checkpoints once torch has loaded (reading one
        # imports torch); checkpointReady paths become its current model, and a model chosen in
        # a tab's combo becomes the window's current checkpoint (for Save checkpoint as…).
        library = ModelLibrary.shared(self)
        self.torch_loader.loaded.connect(library.refresh)
        self.checkpointReady.connect(library.select)
        library.currentPathChanged.connect(self._set_current_checkpoint)
        self.test_tab = EvaluationTab(library)
        return self.test_tab

    def _build_draw_tab(self) -> QWidget:
        from mnist_studio.gui.draw.tab import DrawTab
        from mnist_studio.gui.services.model_library import ModelLibrary

        self.draw_tab = DrawTab(ModelLibrary.shared(self))
        return self.draw_tab

    def _build_status_bar(self) -> None:
        self.device_status = QLabel("Device: auto")
        self.device_status.setObjectName("deviceStatus")
        self.torch_status = QLabel("PyTorch: loading…")
        self.torch_status.setObjectName("torchStatus")
        self.threads_status = QLabel("CPU threads: …")
        self.threads_status.setObjectName("threadsStatus")
        for label in (self.device_status, self.torch_status, self.threads_status):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)

    def _menu_action(self, text: str, shortcut: QKeySequence | str | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._menu_action("&Open checkpoint…", "Ctrl+O", self._ask_open)
        self.save_action = self._menu_action("&Save checkpoint as…", "Ctrl+Shift+S", self._ask_save)
        self.export_action = self._menu_action("&Export charts as PNG…", "Ctrl+E", self._ask_export)
        self.quit_action = self._menu_action("&Quit", "Ctrl+Q", self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addActions([self.open_action, self.save_action, self.export_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        training_menu = self.menuBar().addMenu("&Training")
        training_menu.addActions([self.train_tab.start_action, self.train_tab.pause_action, self.train_tab.stop_action])

        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._menu_action("&About MNIST Studio", None, self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    # Status and messages -------------------------------------------------------------------

    @Slot(str)
    def show_status(self, text: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
        """Show ``text`` in the status bar for a while."""
        self.statusBar().showMessage(text, timeout_ms)

    def _show_error(self, title: str, message: str) -> QMessageBox:
        self.show_status(message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal but non-blocking: the event loop (and any run) keeps going
        return box

    @Slot()
    def show_about(self) -> QMessageBox:
        """Open Help > About."""
        return show_about(self)

    @Slot(object)
    def _on_torch_loaded(self, info: TorchInfo) -> None:
        self.train_tab.set_torch_info(info)
        self.torch_status.setText(f"PyTorch {info.version}")
        self.threads_status.setText(f"CPU threads: {info.threads}")
        self._show_device()
        self.train_tab.form.device_combo.currentIndexChanged.connect(self._show_device)
        self.show_status("PyTorch loaded: ready to train", 4000)

    @Slot()
    def _show_device(self) -> None:
        info = self.torch_loader.info
        chosen = self.train_tab.form.device_combo.currentData()
        self.device_status.setText(f"Device: {info.devices[0] if chosen in (None, 'auto') else chosen}")

    @Slot(str)
    def _on_torch_failed(self, message: str) -> None:
        self.torch_status.setText("PyTorch: unavailable")
        self.train_tab.banner.show_message("error", f"PyTorch could not be loaded, so training is off: {message}")

    # The current model ---------------------------------------------------------------------

    @Slot(str)
    def _set_current_checkpoint(self, path: str) -> None:
        self.current_checkpoint = path

    @Slot(object)
    def _on_run_finished(self, record: TrainingFinished) -> None:
        if record.succeeded and record.checkpoint_path is not None:
            self.checkpointReady.emit(str(record.checkpoint_path))

    def open_checkpoint(self, path: str) -> None:
        """Check ``path`` on a worker thread; a good file becomes the current model, a bad one changes nothing."""
        self.show_status(f"Opening {path}…")
        self._tasks.start(
            partial(_open_checkpoint_file, path),
            self._on_checkpoint_opened,
            lambda message: self._show_error("Cannot open checkpoint", message),
        )

    @Slot(object)
    def _on_checkpoint_opened(self, checkpoint: object) -> None:
        accuracy = checkpoint.test_accuracy
        if accuracy is not None:
            detail = f"test accuracy {accuracy:.2%}"
        else:
            detail = f"{checkpoint.status}, step {checkpoint.step}"
        self.show_status(f"Opened {checkpoint.arch} checkpoint ({detail}): {checkpoint.path}")
        self.checkpointReady.emit(str(checkpoint.path))

    def save_checkpoint_as(self, path: str) -> bool:
        """Copy the current model's checkpoint to ``path`` atomically; False (with a message) on failure."""
        if self.current_checkpoint is None:
            self._show_error("Nothing to save", NOTHING_TO_SAVE)
            return False
        source = Path(self.current_checkpoint)
        if Path(path).resolve() == source.resolve():
            return True
        try:
            content = source.read_bytes()
        except OSError as error:
            self._show_error("Cannot save checkpoint", f"{source}: cannot read the checkpoint ({error.strerror})")
            return False
        file = QSaveFile(path)
        if not file.open(QSaveFile.OpenModeFlag.WriteOnly) or file.write(content) != len(content) or not file.commit():
            file.cancelWriting()
            self._show_error("Cannot save checkpoint", f"{path}: cannot write the file ({file.errorString()})")
            return False
        self.show_status(f"Checkpoint saved to {path}")
        return True

    def export_charts(self, path: str) -> bool:
        """Write the Train tab's charts to a PNG; False (with a message) on failure."""
        if not self.train_tab.charts.save_png(path):
            self._show_error("Cannot export charts", f"{path}: cannot write the PNG file")
            return False
        self.show_status(f"Charts saved to {path}")
        return True

    @Slot()
    def _ask_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open checkpoint", str(paths.runs_dir()), CHECKPOINT_FILTER)
        if path:
            self.open_checkpoint(path)

    @Slot()
    def _ask_save(self) -> None:
        if self.current_checkpoint is None:
            self._show_error("Nothing to save", NOTHING_TO_SAVE)
            return
        suggestion = str(Path.home() / Path(self.current_checkpoint).name)
        path, _ = QFileDialog.getSaveFileName(self, "Save checkpoint as", suggestion, CHECKPOINT_FILTER)
        if path:
            self.save_checkpoint_as(path)

    @Slot()
    def _ask_export(self) -> None:
        suggestion = str(Path.home() / "mnist-studio-charts.png")
        path, _ = QFileDialog.getSaveFileName(self, "Export charts as PNG", suggestion, "PNG images (*.png)")
        if path:
            self.export_charts(path)

    # Settings and shutdown -----------------------------------------------------------------

    def _restore_settings(self) -> None:
        if not self.settings.restore_geometry(self):
            self.resize(*DEFAULT_SIZE)
        self.setMinimumSize(*MINIMUM_SIZE)
        config = self.settings.training_config()
        if config is not None:
            self.train_tab.form.apply_config(config)
        self.tabs.setCurrentIndex(self.settings.tab_index())

    def _save_settings(self) -> None:
        self.settings.save_geometry(self)
        self.settings.save_tab_index(self.tabs.currentIndex())
        self.settings.save_training_config(self.train_tab.form.config())
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop a run, join every worker thread and save the settings (once; closing calls it)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._torch_timer.stop()
        for index in range(self.tabs.count()):
            shutdown = getattr(self.tabs.widget(index), "shutdown", None)
            if callable(shutdown):
                shutdown()
        self.torch_loader.join()
        self._tasks.join()
        self._save_settings()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.torch_loader.state == "idle":
            self._torch_timer.start()  # (re)start: torch loads once the first frame is up

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        event.accept()
