"""Start, Pause / Resume and Stop: menu actions with shortcuts, the buttons that trigger them, a hint."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_studio.gui.common.typography import mute
from mnist_studio.gui.services.torch_loader import LoaderState
from mnist_studio.gui.services.training import RunState


class RunControls(QWidget):
    """``start_action``, ``pause_action`` and ``stop_action`` (for the Training menu) and their buttons.

    :meth:`show_state` enables what the run's state allows; the tab connects the actions.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_action = self._action(self.tr("&Start training"), ["Ctrl+R", "F5"])
        self.pause_action = self._action(self.tr("&Pause"), ["Ctrl+P", "F6"])
        self.stop_action = self._action(self.tr("S&top"), ["Ctrl+.", "Shift+F5"])
        self.start_button = self._button("startButton", self.tr("Start"), self.start_action)
        self.start_button.setDefault(True)
        self.pause_button = self._button("pauseButton", self.tr("Pause"), self.pause_action)
        self.stop_button = self._button("stopButton", self.tr("Stop"), self.stop_action)
        self.shortcuts_hint = mute(QLabel(self.tr("Start Ctrl+R · Pause Ctrl+P · Stop Ctrl+.")))
        self.shortcuts_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.shortcuts_hint)
        self.show_state(RunState.IDLE, torch_state=LoaderState.IDLE)

    def _action(self, text: str, shortcuts: list[str]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(shortcut) for shortcut in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        return action

    def _button(self, name: str, text: str, action: QAction) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        button.setToolTip(self.tr("{action} ({shortcut})").format(action=text, shortcut=shortcut))
        button.clicked.connect(action.trigger)
        return button

    def actions_for_menu(self) -> list[QAction]:
        """Start, Pause / Resume and Stop, for the Training menu."""
        return [self.start_action, self.pause_action, self.stop_action]

    def show_state(self, state: RunState, *, torch_state: LoaderState, start_pending: bool = False) -> None:
        """Enable Start when idle (PyTorch loaded or loading), Pause and Stop while a run goes on.

        While a start waits for PyTorch, Stop (then labelled Cancel) cancels it.
        """
        can_start = state is RunState.IDLE and not start_pending and torch_state is not LoaderState.FAILED
        active = state in (RunState.RUNNING, RunState.PAUSED)
        pause_text = self.tr("Resume") if state is RunState.PAUSED else self.tr("Pause")
        for widget in (self.start_button, self.start_action):
            widget.setEnabled(can_start)
        for widget in (self.pause_button, self.pause_action):
            widget.setEnabled(active)
        for widget in (self.stop_button, self.stop_action):
            widget.setEnabled(active or start_pending)
        self.pause_button.setText(pause_text)
        self.pause_action.setText(f"&{pause_text}")
        self.stop_button.setText(self.tr("Cancel") if start_pending else self.tr("Stop"))
        if torch_state is LoaderState.LOADED:
            self.start_button.setToolTip(self.tr("Start training (Ctrl+R)"))
        elif torch_state is LoaderState.FAILED:
            self.start_button.setToolTip(self.tr("PyTorch could not be loaded"))
        else:
            self.start_button.setToolTip(self.tr("Start training (Ctrl+R): PyTorch is loading, the run starts once it has"))
