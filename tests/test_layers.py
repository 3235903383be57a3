"""The layering rules: import-linter's contracts (pyproject.toml) hold, and importing the core or the CLI loads no Qt."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import mnist_studio.core

ROOT = Path(__file__).resolve().parents[1]
CORE_DIR = Path(mnist_studio.core.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "superqt", "PyQt5", "PyQt6")
CORE_MODULES = sorted(f"mnist_studio.core.{info.name}" for info in pkgutil.iter_modules([str(CORE_DIR)]))


def qt_modules_loaded_by(modules: list[str]) -> str:
    """The Qt modules in sys.modules after importing ``modules`` in a fresh interpreter."""
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_import_contracts_hold() -> None:
    script = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and "5 kept" in result.stdout, result.stdout


def test_importing_every_core_module_loads_no_qt() -> None:
    assert "mnist_studio.core.training" in CORE_MODULES
    assert qt_modules_loaded_by(CORE_MODULES) == "[]"


def test_importing_the_cli_loads_no_qt() -> None:
    assert qt_modules_loaded_by(["mnist_studio.cli", "mnist_studio.cli.train", "mnist_studio.cli.evaluate"]) == "[]"


def test_no_core_source_file_mentions_a_qt_import() -> None:
    pattern = re.compile(rf"^\s*(from|import)\s+({'|'.join(QT_MODULES)})\b", re.MULTILINE)
    offenders = [str(path) for path in CORE_DIR.rglob("*.py") if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
