"""The run's progress above the charts: what is happening in words, the speed, and a bar under them.

The words sit beside the bar, never on it: text drawn over a bar's fill is unreadable in some
styles and themes, and a busy bar (data being prepared) draws no text at all.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from mnist_studio.core.progress import RunStatus, StepProgress, TrainingFinished
from mnist_studio.gui.train import messages

BAR_HEIGHT = 10


class RunProgress(QWidget):
    """``trainProgressText`` and ``trainStats`` over the ``trainProgress`` bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(objectName="trainProgress")
        self.bar.setAccessibleName(self.tr("Training progress"))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(BAR_HEIGHT)
        self.text_label = QLabel(objectName="trainProgressText")
        self.stats_label = QLabel(objectName="trainStats")
        self.stats_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(3)
        layout.addWidget(self.text_label, 0, 0)
        layout.addWidget(self.stats_label, 0, 1)
        layout.addWidget(self.bar, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self._determinate = (1, 0)  # the bar's last (maximum, value): a busy spell ("Stopping…") returns to it
        self.show_text(self.tr("Ready"))

    def text(self) -> str:
        """What the run is doing, as shown."""
        return self.text_label.text()

    def show_text(self, text: str, *, busy: bool = False) -> None:
        """Say ``text``; ``busy`` animates the bar while the length of the work is unknown."""
        self.text_label.setText(text)
        self.bar.setAccessibleDescription(text)
        if busy:
            self.bar.setRange(0, 0)
        elif self.bar.maximum() == 0:
            maximum, value = self._determinate
            self.bar.setRange(0, maximum)
            self.bar.setValue(value)

    def start(self, text: str) -> None:
        """A run is being prepared (data, model): busy bar, ``text``, no speed yet."""
        self._determinate = (1, 0)
        self.stats_label.clear()
        self.show_text(text, busy=True)

    def show_step(self, record: StepProgress, *, paused: bool) -> None:
        """Steps done of all, and the speed."""
        self._determinate = (record.total_steps, record.step)
        self.bar.setRange(0, record.total_steps)
        self.bar.setValue(record.step)
        self.show_text(messages.step_text(record, paused=paused))
        self.stats_label.setText(messages.speed_text(record))

    def show_paused(self) -> None:
        """Mark the current text as paused."""
        self.show_text(messages.with_paused(self.text()))

    def show_finished(self, record: TrainingFinished) -> None:
        """How the run ended; a completed run fills the bar and shows its speed."""
        if record.status is RunStatus.COMPLETED:
            maximum = max(1, self._determinate[0])
            self._determinate = (maximum, maximum)
            self.bar.setRange(0, maximum)
            self.bar.setValue(maximum)
            self.stats_label.setText(messages.finished_speed_text(record))
        else:
            self.stats_label.clear()  # no speed or time left for a run that has ended early
        self.show_text(messages.finished_bar_text(record))
