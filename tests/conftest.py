"""Fixtures for every test: offscreen Qt, private folders and settings, and no leaked threads."""

from __future__ import annotations

import os
import threading
import traceback
import weakref
from pathlib import Path
from typing import Iterator

import pytest

# Before any QApplication exists: tests never need (or touch) a real display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"

THREAD_GRACE_SECONDS = 5.0  # a thread still running this long after its test ended has leaked


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the session (the dataset's checksum verdicts live there)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def private_folders(tmp_path: Path, session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Runs and personal digits go to the test's tmp_path, caches to a session folder, never the repository or home."""
    monkeypatch.setenv("MNIST_STUDIO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MNIST_STUDIO_MY_DIGITS", str(tmp_path / "My digits"))
    monkeypatch.setenv("MNIST_STUDIO_CACHE", str(session_cache))
    # The user folders themselves (launcher entries; runs and caches where the two above are unset).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path / "runs"


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """QSettings of this test live in tmp_path under a test organisation, away from the user's."""
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path / "settings"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))  # for subprocesses too
    for settings_format in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))
    organisation = QCoreApplication.organizationName()
    QCoreApplication.setOrganizationName("MNIST Studio Tests")
    yield folder
    QCoreApplication.setOrganizationName(organisation)


def _running_python_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.is_alive() and not isinstance(thread, threading._DummyThread)
    ]


@pytest.fixture(autouse=True)
def no_leaked_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail a test that leaves a QThread, a thread-pool task or a Python thread running after it ends.

    Each QThread started during the test is recorded with where it was started, so a leak names
    the code that started it.
    """
    from PySide6.QtCore import QThread, QThreadPool

    started: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
    original_start = QThread.start

    def recording_start(thread: QThread, *args: object) -> None:
        started[thread] = "".join(traceback.format_stack(limit=6)[:-1])
        original_start(thread, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    python_threads = set(threading.enumerate())
    yield
    leaked: list[str] = []
    for thread, origin in list(started.items()):
        if _is_alive(thread) and thread.isRunning() and not thread.wait(int(THREAD_GRACE_SECONDS * 1000)):
            leaked.append(f"QThread {type(thread).__name__} {thread.objectName()!r}, started at\n{origin}")
    if not QThreadPool.globalInstance().waitForDone(int(THREAD_GRACE_SECONDS * 1000)):
        leaked.append(f"{QThreadPool.globalInstance().activeThreadCount()} task(s) of the global QThreadPool")
    for thread in _running_python_threads(python_threads):
        thread.join(THREAD_GRACE_SECONDS)
        if thread.is_alive():
            leaked.append(f"Python thread {thread.name!r}")
    if leaked:
        pytest.fail("threads left running after the test: " + ", ".join(leaked), pytrace=False)


def _is_alive(thread: object) -> bool:
    from shiboken6 import isValid

    return isValid(thread)
