"""The row that picks the current model: ``modelCombo`` over the shared library, "Open…" and a message line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_studio.gui.common.file_dialogs import ask_checkpoint_to_open
from mnist_studio.gui.services.model_library import LoadedModel, ModelLibrary


class ModelSelector(QWidget):
    """``modelCombo`` listing the library's checkpoints, an "Open…" button and a message line."""

    def __init__(self, library: ModelLibrary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.combo = QComboBox(objectName="modelCombo")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(36)
        self.combo.setToolTip(self.tr("The model the Test and Draw tabs use"))
        self.open_button = QPushButton(self.tr("Open…"), objectName="openCheckpointButton")
        self.open_button.setToolTip(self.tr("Open a checkpoint file (.pt)"))
        self.busy_label = QLabel(self.tr("Loading…"), objectName="modelBusyLabel")
        self.busy_label.setEnabled(False)
        self.message_label = QLabel(objectName="modelMessage")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet("color: #c62828;")

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Model:")))
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
            if self._library.has_scanned():
                self.combo.addItem(self.tr("No models yet: train one or open a checkpoint"))
            else:
                self.combo.addItem(self.tr("Looking for models…"))
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
        path = ask_checkpoint_to_open(self)
        if path:
            self._library.open(path)
