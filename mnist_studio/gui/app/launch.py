"""Starting the desktop app: check that a window can open, then run Qt's event loop.

Qt aborts the process (core dump) when its platform plugin cannot load or cannot reach a
display. The checks here find those cases first, cheaply, and explain them in one line.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

EXIT_NO_DISPLAY = 2
X_CONNECT_ATTEMPTS = 5  # pauses of 0.1, 0.2, 0.3 and 0.4 s between them: about 1 s in all
X_CONNECT_PAUSE_SECONDS = 0.1
STOP_SIGNALS = tuple(name for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
SIGNAL_POLL_MS = 250
HEADLESS_PLATFORMS = {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"}
HEADLESS_HINT = "train without a window (mnist-studio train --help)"
HINT = f"run it in a desktop session, under a virtual display (xvfb-run mnist-studio), or {HEADLESS_HINT}"
# Shared libraries Qt's xcb plugin needs that minimal systems often lack -> Debian/Ubuntu package.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
_sleep = time.sleep  # the tests count the pauses instead of waiting


def missing_library_message(what: str, loader_error: str) -> str:
    """One line naming the library the dynamic loader could not find and the package that has it."""
    library = loader_error.split(":", 1)[0].strip()
    if "cannot open shared object file" not in loader_error:
        return f"{what} cannot be loaded ({loader_error.strip()}); reinstall PySide6, or {HEADLESS_HINT}"
    package = DEBIAN_PACKAGES.get(library)
    if package:
        install = f"install it (Debian/Ubuntu: sudo apt install {package})"
    else:
        install = "install the package that provides it"
    return f"{what} needs the system library {library}, which is missing; {install}, or {HEADLESS_HINT}"


def _xcb_plugin() -> Path | None:
    folder = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if not folder:
        from PySide6.QtCore import QLibraryInfo

        folder = os.path.join(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "platforms")
    plugin = Path(folder) / "libqxcb.so"
    return plugin if plugin.is_file() else None


def _x_display_reachable(display: str) -> bool:
    """True when an X connection to ``display`` succeeds within a few tries.

    A busy X server (another client mid-request, Xvfb starting) refuses a connection now and
    then where Qt, a moment later, would connect: one failed try is not "no display".
    """
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # cannot check; let Qt try
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    for attempt in range(X_CONNECT_ATTEMPTS):
        if attempt:
            _sleep(X_CONNECT_PAUSE_SECONDS * attempt)
        connection = xcb.xcb_connect(display.encode(), None)
        failed = xcb.xcb_connection_has_error(connection) != 0
        xcb.xcb_disconnect(connection)
        if not failed:
            return True
    return False


def _xcb_problem(display: str) -> str | None:
    plugin = _xcb_plugin()
    if plugin is not None:
        try:
            ctypes.CDLL(str(plugin))  # the same dlopen Qt does; names the first missing library
        except OSError as error:
            return missing_library_message("Qt's X11 (xcb) platform plugin", str(error))
    if not _x_display_reachable(display):
        return f"cannot connect to the X display {display!r} (is an X server running there?); {HINT}"
    return None


def _wayland_reachable(env: Mapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    socket = name if os.path.isabs(name) else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
    return bool(env.get("XDG_RUNTIME_DIR") or os.path.isabs(name)) and os.path.exists(socket)


def display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why no window can open here, as one line with the fix; None when Qt should manage."""
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if environ is None else environ
    requested = [part.split(":", 1)[0].strip() for part in env.get("QT_QPA_PLATFORM", "").split(";") if part.strip()]
    first = requested[0] if requested else ""
    if first in HEADLESS_PLATFORMS:
        return None
    x_display, wayland_display = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not requested and not x_display and not wayland_display:
        return "no display found (DISPLAY and WAYLAND_DISPLAY are not set); " + HINT
    # Unless told otherwise, Qt tries Wayland first when WAYLAND_DISPLAY is set, then X11.
    if first.startswith("wayland") or (not requested and wayland_display):
        if _wayland_reachable(env):
            return None
        if requested or not x_display:
            return f"cannot connect to the Wayland display {wayland_display or 'wayland-0'!r}; " + HINT
    if first == "xcb" or not requested:
        if not x_display:
            return "Qt's X11 (xcb) platform needs a display but DISPLAY is not set; " + HINT
        return _xcb_problem(x_display)
    return None  # another platform the user chose: Qt reports its own problems


def launch(argv: Sequence[str] = ()) -> int:
    """Open the main window and run until it closes; returns the exit code (2: no window possible)."""
    problem = display_problem()
    if problem is None:
        try:
            from PySide6.QtWidgets import QApplication
        except ImportError as error:
            problem = missing_library_message("Qt (PySide6)", str(error))
    if problem is not None:
        print(f"mnist-studio: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY

    from mnist_studio import __version__
    from mnist_studio.gui.services.settings import APPLICATION, ORGANISATION

    QApplication.setOrganizationName(ORGANISATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("mnist-studio")
    app = QApplication([sys.argv[0] if sys.argv else "mnist-studio", *argv])

    from mnist_studio.gui.app.main_window import MainWindow

    window = MainWindow()
    window.show()
    received = close_on_stop_signals(window)
    code = app.exec()
    window.shutdown()
    if received:
        code = 128 + received[0]  # as shells report a signal: 130 (Ctrl+C), 143 (SIGTERM), 129 (SIGHUP)
    from mnist_studio.gui.services import workers

    if workers.unjoinable_running():
        # A file read blocked in the kernel (an image "file" that is a FIFO nobody writes to) would
        # keep the process alive, and Python's teardown would abort on its running thread: everything
        # is saved and joined by now, so leave at once.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def close_on_stop_signals(window: QWidget) -> list[int]:
    """Ctrl+C, SIGTERM (a ``kill``, a logout) and SIGHUP (the terminal closed) close ``window`` as its
    close button does: a run stops with its resumable checkpoint, the settings are saved.

    Returns the list the signals received are appended to. A timer lets Python see a signal
    while Qt's event loop waits.
    """
    from PySide6.QtCore import QTimer

    received: list[int] = []

    def close(number: int, _frame: object) -> None:
        received.append(number)
        window.close()

    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), close)
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(SIGNAL_POLL_MS)
    return received
