"""The autouse fixture of tests/conftest.py fails a test that leaves a QThread running, and says where it started."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

LEAKY_TEST = '''
from PySide6.QtCore import QThread


class Sleeper(QThread):
    def run(self):
        self.msleep(8000)


def start_and_forget():
    thread = Sleeper()
    thread.start()
    return thread


def test_leaks(qtbot):
    test_leaks.thread = start_and_forget()  # kept alive, never joined
'''


def test_a_leaked_qthread_fails_the_test_and_names_where_it_started(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_leak=LEAKY_TEST)
    pytester.makeini("[pytest]\nqt_api = pyside6\n")
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)  # the test body passes; the fixture's teardown fails it
    output = result.stdout.str()
    assert "threads left running after the test: QThread Sleeper" in output
    assert "in start_and_forget" in output and "thread.start()" in output
