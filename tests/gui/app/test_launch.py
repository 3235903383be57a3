"""Starting the app where no window can open: one clear line and exit code 2, never Qt's abort."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mnist_studio.gui.app import launch as launch_module
from mnist_studio.gui.app.launch import EXIT_NO_DISPLAY, display_problem, missing_library_message


def run_app(**environment: str | None) -> subprocess.CompletedProcess[str]:
    """``python -m mnist_studio`` with the display variables replaced (None removes one)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update({key: value for key, value in environment.items() if value is not None})
    return subprocess.run(
        [sys.executable, "-m", "mnist_studio"], env=env, capture_output=True, text=True, timeout=120
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == EXIT_NO_DISPLAY, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mnist-studio: ") and "mnist-studio train" in lines[0]
    return lines[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display variables are a Linux matter")
def test_no_display_prints_one_line_and_exits_2() -> None:
    line = assert_one_line_exit_2(run_app())
    assert "no display" in line and "xvfb-run" in line


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 is a Linux matter here")
def test_an_unreachable_x_display_prints_one_line_and_exits_2() -> None:
    line = assert_one_line_exit_2(run_app(DISPLAY=":987", QT_QPA_PLATFORM="xcb"))
    # Where libxcb-cursor0 is missing the plugin check speaks first; both name the way out.
    assert "':987'" in line or "missing" in line


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "minimal"}, None),
        ({}, "no display found"),
        ({"QT_QPA_PLATFORM": "xcb"}, "DISPLAY is not set"),
        ({"WAYLAND_DISPLAY": "no-such-socket", "XDG_RUNTIME_DIR": "/nonexistent"}, "Wayland display 'no-such-socket'"),
    ],
)
def test_display_problem_reads_the_environment(monkeypatch, environment: dict[str, str], expected: str | None) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    problem = display_problem(environment)
    assert problem == expected if expected is None else expected in problem


def test_a_wayland_socket_that_exists_is_trusted(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    (tmp_path / "wayland-1").touch()
    assert display_problem({"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": str(tmp_path)}) is None


def test_a_missing_xcb_library_is_named_with_its_package(monkeypatch) -> None:
    def refuse(name: str, *args: object, **kwargs: object) -> object:
        raise OSError("libxcb-cursor.so.0: cannot open shared object file: No such file or directory")

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(launch_module, "_xcb_plugin", lambda: "/qt/plugins/platforms/libqxcb.so")
    monkeypatch.setattr(launch_module.ctypes, "CDLL", refuse)
    problem = display_problem({"DISPLAY": ":0"})
    assert "libxcb-cursor.so.0" in problem and "sudo apt install libxcb-cursor0" in problem
    assert "mnist-studio train" in problem


def test_missing_library_message_without_a_known_package() -> None:
    message = missing_library_message("Qt", "libfoo.so.3: cannot open shared object file: No such file")
    assert "libfoo.so.3" in message and "install the package that provides it" in message
    assert "\n" not in message


class FakeXcb:
    """libxcb whose first ``failures`` connections fail, as a busy X server's sometimes do.

    Its functions are plain functions, so ``restype``/``argtypes`` can be set on them as on ctypes'.
    """

    def __init__(self, failures: int) -> None:
        self.connects = 0
        self.disconnects = 0

        def xcb_connect(display: bytes, screen: object) -> int:
            self.connects += 1
            return self.connects

        def xcb_connection_has_error(connection: int) -> int:
            return 1 if connection <= failures else 0

        def xcb_disconnect(connection: int) -> None:
            self.disconnects += 1

        self.xcb_connect, self.xcb_connection_has_error, self.xcb_disconnect = (
            xcb_connect,
            xcb_connection_has_error,
            xcb_disconnect,
        )


@pytest.mark.parametrize(("failures", "reachable"), [(0, True), (1, True), (4, True), (5, False)])
def test_a_busy_x_server_is_tried_again_for_about_a_second(monkeypatch, failures: int, reachable: bool) -> None:
    xcb = FakeXcb(failures)
    pauses: list[float] = []
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(launch_module, "_xcb_plugin", lambda: None)
    monkeypatch.setattr(launch_module.ctypes, "CDLL", lambda name: xcb)
    monkeypatch.setattr(launch_module, "_sleep", pauses.append)
    problem = display_problem({"DISPLAY": ":5", "QT_QPA_PLATFORM": "xcb"})
    assert (problem is None) == reachable, problem
    assert xcb.connects == xcb.disconnects == min(failures + 1, launch_module.X_CONNECT_ATTEMPTS)
    assert len(pauses) == xcb.connects - 1
    if not reachable:
        assert "':5'" in problem and 0.8 <= sum(pauses) <= 1.5  # it gave up after about a second
