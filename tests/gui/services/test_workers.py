"""The one worker pattern: signals in order, exceptions as objects, every worker joined."""

from __future__ import annotations

import logging
import threading

import pytest
from pytestqt.qtbot import QtBot

from mnist_studio.gui.services import workers


def test_a_function_worker_returns_its_result_then_finishes(qtbot: QtBot) -> None:
    received: list[object] = []
    worker = workers.FunctionWorker(lambda: threading.current_thread() is not threading.main_thread())
    worker.started.connect(lambda: received.append("started"))
    worker.returned.connect(received.append)
    worker.errored.connect(received.append)
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        workers.start(worker)
    qtbot.waitUntil(lambda: worker not in workers.alive())
    assert received == ["started", True]  # it ran off the GUI thread


def test_an_exception_crosses_as_the_object_itself(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    error = ValueError("the engine's own words")
    received: list[object] = []

    def fail() -> None:
        raise error

    worker = workers.FunctionWorker(fail)
    worker.returned.connect(received.append)
    worker.errored.connect(received.append)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(worker.finished, timeout=10_000):
        workers.start(worker)
    assert received == [error]
    assert "unexpected error in a background worker" in caplog.text  # a ValueError is a bug: logged


def test_a_generator_worker_yields_each_value_then_returns(qtbot: QtBot) -> None:
    def count() -> object:
        yield 1
        yield 2
        return "done"

    received: list[object] = []
    worker = workers.GeneratorWorker(count())
    worker.yielded.connect(received.append)
    worker.returned.connect(received.append)
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        workers.start(worker)
    assert received == [1, 2, "done"]


def test_a_group_reports_busy_and_join_all_waits_for_every_worker(qtbot: QtBot) -> None:
    release = threading.Event()
    group = workers.WorkerGroup()
    results: list[object] = []
    with qtbot.waitSignal(group.busyChanged, check_params_cb=lambda busy: busy):
        group.run(lambda: release.wait(10), results.append, results.append)
        group.run(lambda report: (report("half"), "whole")[1], results.append, results.append, on_yielded=results.append)
    assert group.is_busy()
    release.set()
    workers.join_all()
    assert not any(worker.isRunning() for worker in workers.alive())
    with qtbot.waitSignal(group.busyChanged, check_params_cb=lambda busy: not busy, timeout=10_000):
        pass
    assert sorted(map(str, results)) == ["True", "half", "whole"]
