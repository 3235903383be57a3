"""The versions of MNIST Studio and of what it runs on, read without importing torch or Qt.

``mnist-studio --version`` and the About box show these facts; importing torch takes seconds,
so PyTorch's version is read from its ``version.py`` (which also names its CUDA build) and
PySide6's from the installed package's metadata.
"""

from __future__ import annotations

import ast
import importlib.util
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from mnist_studio import __version__

PYSIDE_DISTRIBUTIONS = ("PySide6", "PySide6-Essentials")  # either one provides the PySide6 package


@dataclass(frozen=True)
class Versions:
    """Installed versions; None where the package is not installed."""

    app: str
    torch: str | None  # e.g. "2.14.1+cu130"
    torch_cuda: str | None  # the CUDA version torch was built for, None for a CPU-only build
    qt: str | None  # PySide6's version, which is the version of the Qt it bundles
    python: str


def installed_versions() -> Versions:
    """Versions of the app, PyTorch (and its CUDA build), Qt for Python and Python."""
    torch_version, torch_cuda = _torch_version()
    return Versions(
        app=__version__, torch=torch_version, torch_cuda=torch_cuda, qt=_pyside_version(), python=platform.python_version()
    )


def _torch_version() -> tuple[str | None, str | None]:
    spec = importlib.util.find_spec("torch")  # finds the package without importing it
    if spec is None or spec.origin is None:
        return None, None
    try:
        values = _literal_assignments(Path(spec.origin).with_name("version.py"))
    except (OSError, SyntaxError, ValueError):
        values = {}
    version = values.get("__version__")
    if not isinstance(version, str):
        version = _distribution_version(("torch",))
    cuda = values.get("cuda")
    return version, cuda if isinstance(cuda, str) else None


def _literal_assignments(path: Path) -> dict[str, object]:
    """Module-level ``name = <literal>`` assignments of a Python file, without running it."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        try:
            values[target.id] = ast.literal_eval(value)
        except ValueError:
            continue
    return values


def _pyside_version() -> str | None:
    return _distribution_version(PYSIDE_DISTRIBUTIONS)


def _distribution_version(names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None
