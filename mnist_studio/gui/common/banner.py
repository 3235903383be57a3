"""An inline, non-blocking message above a tab's content: info, success or error, with a close button."""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class BannerKind(enum.Enum):
    """How a message is styled."""

    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


_COLOURS = {  # kind -> (background, border, text)
    BannerKind.INFO: ("#e8f0fe", "#b6cdf5", "#174ea6"),
    BannerKind.SUCCESS: ("#e6f4ea", "#a8dab5", "#0d652d"),
    BannerKind.ERROR: ("#fce8e6", "#f3b7b1", "#a50e0e"),
}


class MessageBanner(QFrame):
    """A message of one :class:`BannerKind` with a close button; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind: BannerKind | None = None
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close_button = QToolButton()
        close_button.setText("\u2715")
        close_button.setAutoRaise(True)
        close_button.setToolTip(self.tr("Dismiss"))
        close_button.setAccessibleName(self.tr("Dismiss message"))
        close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (empty when dismissed)."""
        return self._label.text()

    def show_message(self, kind: BannerKind, text: str) -> None:
        """Show ``text`` styled as ``kind``."""
        background, border, foreground = _COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f" QLabel {{ color: {foreground}; }} QToolButton {{ color: {foreground}; border: none; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def dismiss(self) -> None:
        """Hide the message."""
        self.kind = None
        self._label.clear()
        self.hide()
