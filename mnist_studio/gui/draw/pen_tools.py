"""The row under the canvas: pen width, Undo, Redo, Clear and Open image…, and their keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from mnist_studio.gui.draw.canvas import DEFAULT_PEN_WIDTH, DrawCanvas


def _keys(*sequences: QKeySequence.StandardKey | str) -> list[QKeySequence]:
    """Key sequences, platform standard ones expanded, without repeats (Redo is Ctrl+Y on Windows already)."""
    keys: list[QKeySequence] = []
    for sequence in sequences:
        found = QKeySequence.keyBindings(sequence) if isinstance(sequence, QKeySequence.StandardKey) else [QKeySequence(sequence)]
        keys += [key for key in found if key not in keys]
    return keys


class PenTools(QWidget):
    """``penWidthSlider``, ``undoButton``, ``redoButton``, ``clearButton``, ``openImageButton``.

    ``undo_action``, ``redo_action`` and ``clear_action`` carry the keys (Ctrl+Z; Ctrl+Shift+Z and
    Ctrl+Y; Esc and Delete); the Draw tab adds them to itself, so they hold while it is in view.
    """

    def __init__(self, canvas: DrawCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, objectName="penWidthSlider")
        self.pen_slider.setRange(6, 48)
        self.pen_slider.setValue(DEFAULT_PEN_WIDTH)
        self.pen_slider.setToolTip(self.tr("Pen width for new strokes"))
        self.pen_label = QLabel(self._pen_text(DEFAULT_PEN_WIDTH))
        self.pen_label.setMinimumWidth(self.pen_label.fontMetrics().horizontalAdvance(self._pen_text(48)))
        self.undo_action = self._action(self.tr("Undo"), _keys(QKeySequence.StandardKey.Undo), canvas.undo)
        self.redo_action = self._action(self.tr("Redo"), _keys(QKeySequence.StandardKey.Redo, "Ctrl+Y"), canvas.redo)
        self.clear_action = self._action(self.tr("Clear"), _keys("Esc", "Delete"), canvas.clear)
        self.undo_button = self._button("undoButton", self.undo_action, self.tr("Undo the last stroke, Clear or opened image ({keys})"))
        self.redo_button = self._button("redoButton", self.redo_action, self.tr("Redo what Undo took back ({keys})"))
        self.clear_button = self._button("clearButton", self.clear_action, self.tr("Start again ({keys}); Undo brings it back"))
        self.open_button = QPushButton(self.tr("Open image…"), objectName="openImageButton")
        self.open_button.setToolTip(self.tr("Read a digit from a photo or scan (or drop an image file here)"))
        # The signals carry the values: the history may be gone by the time a late one arrives.
        history = canvas.history
        history.canUndoChanged.connect(self._set_can_undo)
        history.canRedoChanged.connect(self._set_can_redo)
        self._set_can_undo(history.canUndo())
        self._set_can_redo(history.canRedo())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("Pen")))
        layout.addWidget(self.pen_slider, 1)
        layout.addWidget(self.pen_label)
        layout.addSpacing(12)
        for button in (self.undo_button, self.redo_button, self.clear_button, self.open_button):
            layout.addWidget(button)
        self.pen_slider.valueChanged.connect(self._set_pen_width)

    def actions_with_keys(self) -> list[QAction]:
        """Undo, Redo and Clear, for the tab to add to itself."""
        return [self.undo_action, self.redo_action, self.clear_action]

    def _action(self, text: str, keys: list[QKeySequence], slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(keys)
        action.triggered.connect(slot)
        return action

    def _button(self, name: str, action: QAction, tip: str) -> QPushButton:
        button = QPushButton(action.text(), objectName=name)
        keys = ", ".join(key.toString(QKeySequence.SequenceFormat.NativeText) for key in action.shortcuts())
        button.setToolTip(tip.format(keys=keys))
        button.clicked.connect(action.trigger)
        return button

    def _set_can_undo(self, can: bool) -> None:
        self.undo_action.setEnabled(can)
        self.undo_button.setEnabled(can)

    def _set_can_redo(self, can: bool) -> None:
        self.redo_action.setEnabled(can)
        self.redo_button.setEnabled(can)

    def _pen_text(self, width: int) -> str:
        return self.tr("{width} px").format(width=width)

    def _set_pen_width(self, width: int) -> None:
        self._canvas.set_pen_width(width)
        self.pen_label.setText(self._pen_text(width))
