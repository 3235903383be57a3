"""Reading a drawing off the GUI thread: preprocess once, ask one or more models, one read at a time.

Readings run on worker threads with a single torch thread each. One 28x28 image is too
small to split across threads, and on a busy CPU (a training run, other programs) a thread
pool turns a 1 ms forward pass into 100 ms of waiting. While a reading runs, only the newest
request waits; older ones are dropped, so the answers never lag behind the pen.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QObject, Signal

from mnist_studio.gui.services.workers import WorkerGroup

if TYPE_CHECKING:
    import numpy as np

    from mnist_studio.core.inference import Prediction
    from mnist_studio.core.preprocess import PreprocessedDigit
    from mnist_studio.gui.services.model_library import LoadedModel


@dataclass(frozen=True)
class Reading:
    """The answer to one request: the preprocessed digit and each model's prediction."""

    serial: int
    digit: PreprocessedDigit
    predictions: tuple[Prediction | None, ...]  # one per requested model, None for an empty digit
    milliseconds: float  # preprocessing plus the first model's prediction, on the worker thread


@dataclass(frozen=True)
class _Request:
    serial: int
    pixels: np.ndarray | None  # a drawing still to preprocess, or
    digit: PreprocessedDigit | None  # a digit already preprocessed (an opened picture)
    models: tuple[LoadedModel, ...]


def _read(request: _Request) -> Reading:
    """Preprocess and predict with the engine (runs on a worker thread)."""
    import torch

    from mnist_studio.core.inference import predict_digit
    from mnist_studio.core.preprocess import preprocess_array

    torch.set_num_threads(1)  # affects this thread only
    started = time.perf_counter()
    digit = request.digit if request.digit is not None else preprocess_array(request.pixels)
    predictions = [predict_digit(request.models[0].model, digit)] if request.models else []
    milliseconds = (time.perf_counter() - started) * 1000
    predictions += [predict_digit(loaded.model, digit) for loaded in request.models[1:]]
    return Reading(request.serial, digit, tuple(predictions), milliseconds)


class DigitReader(QObject):
    """Answers :meth:`request` with ``readingReady(Reading)`` or ``readingFailed(exception)``.

    :meth:`cancel` drops the answers still to come.
    """

    readingReady = Signal(object)
    readingFailed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workers = WorkerGroup(self)
        self._serial = 0
        self._valid_from = 0
        self._in_flight = False
        self._waiting: _Request | None = None

    def request(
        self, models: Sequence[LoadedModel], *, pixels: np.ndarray | None = None, digit: PreprocessedDigit | None = None
    ) -> int:
        """Read ``pixels`` (a drawing) or ``digit`` (already preprocessed) with ``models``; returns its serial."""
        self._serial += 1
        request = _Request(self._serial, pixels, digit, tuple(models))
        if self._in_flight:
            self._waiting = request
        else:
            self._start(request)
        return request.serial

    def cancel(self) -> None:
        """Drop the answers to every request made so far (e.g. after Clear)."""
        self._waiting = None
        self._valid_from = self._serial + 1

    def is_busy(self) -> bool:
        """True while a reading runs or waits."""
        return self._in_flight or self._waiting is not None

    def join(self) -> None:
        """Wait for the reading threads to end."""
        self._workers.join()

    def _start(self, request: _Request) -> None:
        self._in_flight = True
        self._workers.run(lambda: _read(request), self._on_done, self._on_failed)

    def _next(self) -> None:
        self._in_flight = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self._start(waiting)

    def _on_done(self, reading: Reading) -> None:
        if reading.serial >= self._valid_from:
            self.readingReady.emit(reading)
        self._next()

    def _on_failed(self, error: BaseException) -> None:
        self.readingFailed.emit(error)
        self._next()
