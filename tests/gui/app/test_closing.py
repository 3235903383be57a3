"""Closing the app the ways a user's system does: signals stop a run like the close button, and work
blocked in the kernel (an image "file" that is a FIFO) never keeps the window from closing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from mnist_studio.gui.draw import tab as draw_tab_module
from mnist_studio.gui.draw.tab import DrawTab
from mnist_studio.gui.services import workers

APP_TIMEOUT = 300  # generous: the machine may be busy; nothing here is timed except "promptly"
PROMPTLY_SECONDS = 5.0

# The app as `mnist-studio` starts it (launch()), with a hook that sets the form's epochs to 7 and,
# once PyTorch has loaded, starts a long run and says "running" at its first step.
LONG_RUN_APP = """
import sys
from mnist_studio.core.config import TrainingConfig
from mnist_studio.gui.app import launch, main_window

class Hooked(main_window.MainWindow):
    def __init__(self):
        super().__init__()
        training = self.context.training
        self.features[0].widget.form.epochs_spin.setValue(7)
        config = TrainingConfig.for_architecture("mlp", epochs=50, subset=20_000, batch_size=16, device="cpu", threads=1)
        self.context.torch_loader.loaded.connect(lambda info: training.start(config))
        said = []
        def first_step(record):
            if not said:
                said.append(True)
                print("running", flush=True)
        training.progress.connect(first_step)

main_window.MainWindow = Hooked
sys.exit(launch.launch([]))
"""


def start_app(code: str, tmp_path: Path) -> subprocess.Popen[str]:
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def saved_recipe(settings_folder: Path) -> dict[str, object]:
    from PySide6.QtCore import QSettings

    (ini,) = settings_folder.rglob("MNIST Studio.ini")  # the app's own organisation, as a user's launch
    return json.loads(QSettings(str(ini), QSettings.Format.IniFormat).value("training/config"))


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_closes_the_window_like_its_close_button(
    tmp_path: Path, private_folders: Path, private_settings: Path, stop_signal: int
) -> None:
    from mnist_studio.core.checkpoints import load_checkpoint

    app = start_app(LONG_RUN_APP, tmp_path)
    try:
        assert app.stdout.readline().strip() == "running", app.stderr.read()
        app.send_signal(stop_signal)
        _, errors = app.communicate(timeout=APP_TIMEOUT)
    finally:
        app.kill()
    assert app.returncode == 128 + stop_signal, errors  # 143, 129: as shells report a signal
    assert "Traceback" not in errors
    (checkpoint,) = private_folders.glob("mlp-*.pt")
    stopped = load_checkpoint(checkpoint)
    assert stopped.status == "stopped" and stopped.step > 0  # resumable: `train --resume` continues it
    assert saved_recipe(private_settings)["epochs"] == 7  # the settings were saved too


def test_closing_while_an_image_load_blocks_closes_at_once(qtbot, main_window, tab_of, monkeypatch, tmp_path: Path) -> None:
    release = threading.Event()
    loading = threading.Event()

    def blocked_load(path: str) -> object:
        loading.set()
        release.wait(60)  # like open() on a FIFO that nobody writes to
        raise OSError(f"{path}: gave up")

    monkeypatch.setattr(draw_tab_module, "_load_picture", blocked_load)
    safety_net = threading.Timer(3 * PROMPTLY_SECONDS, release.set)  # so the old behaviour fails, not hangs
    safety_net.start()
    try:
        tab_of(main_window, DrawTab).open_image(tmp_path / "pipe.png")
        qtbot.waitUntil(loading.is_set, timeout=30_000)
        started = time.monotonic()
        main_window.close()
        assert time.monotonic() - started < PROMPTLY_SECONDS and not main_window.isVisible()
        assert workers.unjoinable_running()  # the load is still blocked: nobody waited for it
    finally:
        release.set()
        safety_net.cancel()
        safety_net.join()
    qtbot.waitUntil(lambda: not workers.unjoinable_running(), timeout=10_000)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_the_app_exits_after_a_fifo_was_opened_as_an_image(tmp_path: Path) -> None:
    fifo = tmp_path / "digit.png"
    os.mkfifo(fifo)
    code = f"""
    import sys
    from PySide6.QtCore import QTimer
    from mnist_studio.gui.app import launch, main_window
    from mnist_studio.gui.draw.tab import DrawTab

    class Hooked(main_window.MainWindow):
        def __init__(self):
            super().__init__()
            (draw,) = [feature.widget for feature in self.features if isinstance(feature.widget, DrawTab)]
            draw.open_image({str(fifo)!r})  # as File > Open image or a drop does
            QTimer.singleShot(500, self.close)

    main_window.MainWindow = Hooked
    sys.exit(launch.launch([]))
    """
    app = start_app(code, tmp_path)
    try:
        _, errors = app.communicate(timeout=APP_TIMEOUT)
    finally:
        app.kill()
    assert app.returncode == 0, errors
    assert "Traceback" not in errors and "QThread" not in errors
