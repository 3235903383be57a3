"""The layering rule: mnist_studio.core never imports Qt, checked at run time and in the source."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import mnist_studio.core

CORE_DIR = Path(mnist_studio.core.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
CORE_MODULES = sorted(f"mnist_studio.core.{info.name}" for info in pkgutil.iter_modules([str(CORE_DIR)]))


def test_importing_every_core_module_loads_no_qt() -> None:
    assert "mnist_studio.core.training" in CORE_MODULES
    script = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_core_source_file_mentions_a_qt_import() -> None:
    pattern = re.compile(rf"^\s*(from|import)\s+({'|'.join(QT_MODULES)})\b", re.MULTILINE)
    offenders = [str(path) for path in CORE_DIR.rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
