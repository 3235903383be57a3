"""The main window: one tab per feature, menus, status bar, the current model's files, settings.

The window builds the application context (the shared services), then each feature of
:data:`~mnist_studio.gui.app.features.FEATURES` from it, and only ever uses the feature
contract (:class:`~mnist_studio.gui.common.feature.Feature`). Importing this module does not
import torch: PyTorch loads on a worker thread after the window shows.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from mnist_studio.gui.app.about import show_about
from mnist_studio.gui.app.features import FEATURES
from mnist_studio.gui.app.icon import app_icon
from mnist_studio.gui.app.status_bar import StatusLabels
from mnist_studio.gui.common.feature import Feature
from mnist_studio.gui.common.file_dialogs import ask_checkpoint_save_path, ask_checkpoint_to_open
from mnist_studio.gui.services.checkpoint_files import copy_checkpoint
from mnist_studio.gui.services.context import STATUS_TIMEOUT_MS, AppContext
from mnist_studio.gui.services.errors import describe_error
from mnist_studio.gui.services.model_library import LoadedModel
from mnist_studio.gui.services.torch_loader import LoaderState
from mnist_studio.gui.common.numbers import accuracy as format_accuracy

DEFAULT_SIZE = (1280, 820)
MINIMUM_SIZE = (960, 640)
TORCH_LOAD_DELAY_MS = 200  # let the first frame paint before the import competes for the GIL


class MainWindow(QMainWindow):
    """MNIST Studio's window: the features' tabs around the shared services of ``context``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("MNIST Studio"))
        self.setWindowIcon(app_icon())
        self.context = AppContext(self)
        self.features = [make_feature(self.context) for make_feature in FEATURES]
        self._shut_down = False
        self.tabs = QTabWidget(objectName="mainTabs")
        self.tabs.setDocumentMode(True)
        for feature in self.features:
            self.tabs.addTab(feature.widget, feature.title)
        self.setCentralWidget(self.tabs)
        self.status_labels = StatusLabels(self.context, self.statusBar())
        self._build_menus()

        notices, library = self.context.notices, self.context.library
        notices.statusShown.connect(self.show_status)
        notices.errorShown.connect(self._show_error)
        library.opened.connect(self._on_checkpoint_opened)
        library.openFailed.connect(lambda message: self._show_error(self.tr("Cannot open checkpoint"), message))
        self.context.torch_loader.loaded.connect(lambda: self.show_status(self.tr("PyTorch loaded: ready to train"), 4000))
        self._restore_settings()
        self._torch_timer = QTimer(self, singleShot=True, interval=TORCH_LOAD_DELAY_MS)
        self._torch_timer.timeout.connect(self.context.torch_loader.start)
        self._torch_timer.start()

    def _menu_action(self, text: str, shortcut: str | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = self._menu_action(self.tr("&Open checkpoint…"), "Ctrl+O", self._ask_open)
        self.save_action = self._menu_action(self.tr("&Save checkpoint as…"), "Ctrl+Shift+S", self._ask_save)
        self.export_action = self._menu_action(self.tr("&Export…"), "Ctrl+E", self._export_current_tab)
        self.quit_action = self._menu_action(self.tr("&Quit"), "Ctrl+Q", self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addActions([self.open_action, self.save_action, self.export_action])
        for feature in self.features:
            file_menu.addActions(feature.file_actions())
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        for feature in self.features:
            for title, actions in feature.menus():
                self.menuBar().addMenu(title).addActions(actions)
        self.tabs.currentChanged.connect(self._show_export_of_current_tab)
        self._show_export_of_current_tab()
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.about_action = self._menu_action(self.tr("&About MNIST Studio"), None, self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(self.about_action)

    def current_feature(self) -> Feature:
        """The feature whose tab is in view."""
        return self.features[max(0, self.tabs.currentIndex())]

    @Slot()
    def _show_export_of_current_tab(self) -> None:
        text = self.current_feature().export_text()
        self.export_action.setText(text or self.tr("&Export…"))
        self.export_action.setEnabled(text is not None)

    @Slot()
    def _export_current_tab(self) -> None:
        feature = self.current_feature()
        if feature.export_text() is not None:
            feature.export()

    # Status and messages -------------------------------------------------------------------

    @Slot(str, int)
    def show_status(self, text: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
        """Show ``text`` in the status bar for a while."""
        self.statusBar().showMessage(text, timeout_ms)

    @Slot(str, str)
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

    # The current model's files ---------------------------------------------------------------

    @property
    def current_checkpoint(self) -> str | None:
        """The current model's checkpoint file (what Save checkpoint as… copies), or None."""
        path = self.context.library.current_path()
        return str(path) if path is not None else None

    def open_checkpoint(self, path: str) -> None:
        """Open ``path`` through the library: a good file becomes the current model, a bad one changes nothing."""
        self.show_status(self.tr("Opening {path}…").format(path=path))
        self.context.library.open(path)

    @Slot(object)
    def _on_checkpoint_opened(self, loaded: LoadedModel) -> None:
        summary = loaded.summary
        if summary.test_accuracy is not None:
            detail = self.tr("test accuracy {accuracy}").format(accuracy=format_accuracy(summary.test_accuracy))
        else:
            detail = self.tr("{status}, step {step}").format(status=summary.status, step=loaded.step)
        self.show_status(
            self.tr("Opened {arch} checkpoint ({detail}): {path}").format(arch=summary.arch, detail=detail, path=summary.path)
        )

    def save_checkpoint_as(self, path: str) -> bool:
        """Copy the current model's checkpoint to ``path``; False (with a message) on failure.

        A FIFO, a device node or a read-only file at ``path`` is never replaced (``copy_checkpoint``).
        """
        if self.current_checkpoint is None:
            self._show_error(self.tr("Nothing to save"), nothing_to_save_text())
            return False
        try:
            copy_checkpoint(self.current_checkpoint, path)
        except OSError as error:
            self._show_error(self.tr("Cannot save checkpoint"), describe_error(error))
            return False
        self.show_status(self.tr("Checkpoint saved to {path}").format(path=path))
        return True

    @Slot()
    def _ask_open(self) -> None:
        path = ask_checkpoint_to_open(self)
        if path:
            self.open_checkpoint(path)

    @Slot()
    def _ask_save(self) -> None:
        if self.current_checkpoint is None:
            self._show_error(self.tr("Nothing to save"), nothing_to_save_text())
            return
        path = ask_checkpoint_save_path(self, Path.home() / Path(self.current_checkpoint).name)
        if path is not None:
            self.save_checkpoint_as(str(path))

    # Settings and shutdown -----------------------------------------------------------------

    def _restore_settings(self) -> None:
        settings = self.context.settings
        if not settings.restore_geometry(self):
            self.resize(*DEFAULT_SIZE)
        self.setMinimumSize(*MINIMUM_SIZE)
        for feature in self.features:
            feature.restore_settings(settings)
        self.tabs.setCurrentIndex(settings.tab_index())
        if settings.rejected_keys():
            message = self.tr("Some saved settings could not be read, so their defaults are used ({path}).")
            # Once the window is up; the next save replaces the unusable values, so it is said once.
            QTimer.singleShot(0, lambda: self._show_error(self.tr("Settings reset"), message.format(path=settings.path)))

    def _save_settings(self) -> None:
        settings = self.context.settings
        settings.save_geometry(self)
        settings.save_tab_index(self.tabs.currentIndex())
        for feature in self.features:
            feature.save_settings(settings)
        settings.sync()

    def shutdown(self) -> None:
        """Stop a run, join every worker thread and save the settings (once; closing calls it)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._torch_timer.stop()
        self.context.training.stop()
        for feature in self.features:
            feature.shutdown()
        self.context.shutdown()
        self._save_settings()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.context.torch_loader.state is LoaderState.IDLE:
            self._torch_timer.start()  # (re)start: torch loads once the first frame is up

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        event.accept()


def nothing_to_save_text() -> str:
    """Why Save checkpoint as… has nothing to copy."""
    return QCoreApplication.translate("MainWindow", "There is no current model yet: train one or open a checkpoint first.")
