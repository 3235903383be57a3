"""The run log under the charts: each run's recipe, its epochs and how it ended, one timestamped line each."""

from __future__ import annotations

import time

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

LOG_LINES = 2_000


class RunLog(QPlainTextEdit):
    """A read-only, fixed-pitch ``runLog`` keeping the last ``LOG_LINES`` lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runLog")
        self.setAccessibleName(self.tr("Run log"))
        self.setReadOnly(True)
        self.setMaximumBlockCount(LOG_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText(self.tr("The run log: each run's recipe, its epochs and where its checkpoint went."))

    def add(self, text: str) -> None:
        """Append ``text`` as a line stamped with the time of day."""
        self.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")
