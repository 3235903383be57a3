"""Training progress on a terminal: a carriage-return bar on a TTY, plain per-epoch lines otherwise."""

from __future__ import annotations

import shutil
from typing import TextIO

from mnist_studio.core.progress import EpochProgress, Progress, StepProgress, format_duration

BAR_WIDTH = 16  # the whole line stays within an 80-column terminal


def step_line(record: StepProgress) -> str:
    """One status line: epoch, step within the epoch, a bar, loss, speed and time left."""
    steps_per_epoch, in_epoch = record.steps_per_epoch, record.step_in_epoch
    filled = round(BAR_WIDTH * in_epoch / steps_per_epoch)
    return (
        f"epoch {record.epoch}/{record.epochs} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
        f"{in_epoch}/{steps_per_epoch} loss {record.loss:.4f} "
        f"{record.images_per_second:,.0f} img/s ETA {format_duration(record.eta_seconds)}"
    )


def epoch_line(record: EpochProgress) -> str:
    """The summary printed when an epoch ends."""
    return (
        f"epoch {record.epoch}/{record.epochs}: train loss {record.train_loss:.4f}  "
        f"val loss {record.val_loss:.4f}  val accuracy {record.val_accuracy:.2%}  ({record.seconds:.1f} s)"
    )


class ProgressPrinter:
    """Writes step and epoch records to ``stream``; the bar is redrawn in place only on a TTY."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._bar_shown = False

    def show(self, record: Progress) -> None:
        """Render one record; other record types (the final one) are the caller's to report."""
        if isinstance(record, StepProgress) and self._live:
            width = shutil.get_terminal_size().columns - 1
            self._stream.write("\r" + step_line(record)[:width].ljust(width))
            self._bar_shown = True
        elif isinstance(record, EpochProgress):
            self.clear()
            self._stream.write(epoch_line(record) + "\n")
        self._stream.flush()

    def line(self, text: str) -> None:
        """Print a line of its own (the bar, if shown, is erased first)."""
        self.clear()
        self._stream.write(text + "\n")
        self._stream.flush()

    def clear(self) -> None:
        """Erase the bar so the next line starts clean."""
        if self._bar_shown:
            width = shutil.get_terminal_size().columns - 1
            self._stream.write("\r" + " " * width + "\r")
            self._bar_shown = False
