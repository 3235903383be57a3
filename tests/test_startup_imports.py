"""The app's start-up path must not import torch (3-4 s): the window appears first, torch loads after."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=120)


def test_importing_the_start_up_modules_does_not_import_torch() -> None:
    result = run_python(
        """
        import sys
        import mnist_studio.app
        import mnist_studio.gui
        import mnist_studio.gui.app.launch
        from mnist_studio.gui import MainWindow
        import mnist_studio.gui.app.main_window
        import pkgutil, importlib
        for module in pkgutil.walk_packages(mnist_studio.gui.__path__, "mnist_studio.gui."):
            importlib.import_module(module.name)  # every GUI module: torch loads on a worker, later
        heavy = sorted(name for name in ("torch", "torchvision") if name in sys.modules)
        print(",".join(heavy) or "none")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"


def test_the_window_shows_before_torch_is_imported() -> None:
    result = run_python(
        """
        import sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from mnist_studio.gui import MainWindow
        window = MainWindow()
        window.show()
        app.processEvents()
        print("torch" in sys.modules)
        window.close()
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
