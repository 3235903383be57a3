"""A non-blocking message over a tab's content: info, success or error, with a close button.

A banner floats over the top of its host widget (``MessageBanner(host)``), so showing one never
pushes the charts or the canvas down. It goes away when its tab is left (the news was seen, or
belongs to that tab), and an info or success message also after :data:`AUTO_DISMISS_MS` in view;
an error stays until it is dismissed.
"""

from __future__ import annotations

import enum
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QGraphicsDropShadowEffect, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

AUTO_DISMISS_MS = 15_000
MARGIN = 8  # pixels between the banner and its host's edges


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
    """A message of one :class:`BannerKind` with a close button, floating over the top of ``host``.

    ``host`` must not be a QSplitter (a splitter turns every child widget into a pane).
    """

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.kind: BannerKind | None = None
        self._host = host
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close_button = QToolButton()
        close_button.setText("\u2715")
        close_button.setAutoRaise(True)
        close_button.setToolTip(self.tr("Dismiss"))
        close_button.setAccessibleName(self.tr("Dismiss message"))
        close_button.clicked.connect(self.dismiss)
        self.action_button = QPushButton(objectName="bannerAction")
        self.action_button.hide()
        self.action_button.clicked.connect(self._act)
        self._action: Callable[[], None] | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(close_button, 0, Qt.AlignmentFlag.AlignTop)
        shadow = QGraphicsDropShadowEffect(self, blurRadius=12, offset=0, color=QColor(0, 0, 0, 60))
        shadow.setOffset(0, 2)
        self.setGraphicsEffect(shadow)
        self._auto_dismiss = QTimer(self, singleShot=True, interval=AUTO_DISMISS_MS)
        self._auto_dismiss.timeout.connect(self.dismiss)
        host.installEventFilter(self)
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (empty when dismissed)."""
        return self._label.text()

    def show_message(self, kind: BannerKind, text: str, action: tuple[str, Callable[[], None]] | None = None) -> None:
        """Show ``text`` styled as ``kind``; ``action`` (label, callback) adds a button that dismisses and calls it."""
        background, border, foreground = _COLOURS[kind]
        self.kind = kind
        self.setStyleSheet(
            f"MessageBanner {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
            f" QLabel {{ color: {foreground}; }} QToolButton {{ color: {foreground}; border: none; }}"
        )
        self._label.setText(text)
        self.setAccessibleDescription(text)
        self._action = action[1] if action else None
        self.action_button.setText(action[0] if action else "")
        self.action_button.setVisible(action is not None)
        self._auto_dismiss.stop()
        self.show()
        self.raise_()
        self._place()
        if self.isVisible():
            self._start_auto_dismiss()

    def dismiss(self) -> None:
        """Hide the message."""
        self.kind = None
        self._action = None
        self._auto_dismiss.stop()
        self._label.clear()
        self.hide()

    def _act(self) -> None:
        action = self._action
        self.dismiss()
        if action is not None:
            action()

    def _start_auto_dismiss(self) -> None:
        if self.kind is not BannerKind.ERROR and self._action is None:  # an offer waits for an answer
            self._auto_dismiss.start()

    def _place(self) -> None:
        width = max(0, self._host.width() - 2 * MARGIN)
        height = self.heightForWidth(width)
        self.setGeometry(MARGIN, MARGIN, width, height if height > 0 else self.sizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._host and event.type() == QEvent.Type.Resize and not self.isHidden():
            self._place()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._auto_dismiss.isActive():
            self._start_auto_dismiss()  # a message that arrived while its tab was hidden counts from now

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        # Hidden with its tab (another tab chosen), not by dismiss() and not by the window system
        # (minimising): the message does not wait for the user's return.
        if not event.spontaneous() and not self.isHidden():
            self.dismiss()
