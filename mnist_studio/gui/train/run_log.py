"""The run log under the charts: each run's recipe, its epochs and how it ended, one timestamped line each."""

from __future__ import annotations

import time

from PySide6.QtCore import Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

LOG_LINES = 2_000


class RunLog(QPlainTextEdit):
    """A read-only, fixed-pitch ``runLog`` keeping the last ``LOG_LINES`` lines.

    It stays scrolled to its newest line, also when it shrinks (a banner appears, the splitter
    moves), unless the user has scrolled up to read older lines; scrolling back down follows again.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runLog")
        self.setAccessibleName(self.tr("Run log"))
        self.setReadOnly(True)
        self.setMaximumBlockCount(LOG_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText(self.tr("The run log: each run's recipe, its epochs and where its checkpoint went."))
        self._follows_end = True
        scroll_bar = self.verticalScrollBar()
        scroll_bar.valueChanged.connect(self._note_position)
        scroll_bar.rangeChanged.connect(self._keep_end_in_view)

    def follows_end(self) -> bool:
        """True while the log keeps its newest line in view (the user has not scrolled up)."""
        return self._follows_end

    def add(self, text: str) -> None:
        """Append ``text`` as a line stamped with the time of day."""
        self.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")
        self._keep_end_in_view()

    @Slot(int)
    def _note_position(self, value: int) -> None:
        self._follows_end = value >= self.verticalScrollBar().maximum()

    @Slot()
    def _keep_end_in_view(self) -> None:
        if self._follows_end:
            scroll_bar = self.verticalScrollBar()
            scroll_bar.setValue(scroll_bar.maximum())
