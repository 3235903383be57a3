"""Exceptions worded for the user, in one place: every error a worker sends is shown through here.

The engine's own exceptions (``mnist_studio.*``: bad checkpoints, missing data, a diverged run)
carry a one-line text of their own, shown as it is for now; anything else is named by type.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def is_expected(error: BaseException) -> bool:
    """True for failures a user can cause (the engine's errors, files, memory); False for bugs."""
    return type(error).__module__.startswith("mnist_studio") or isinstance(error, (OSError, MemoryError))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def describe_error(error: BaseException) -> str:
    """One line a user can read for ``error``."""
    if type(error).__module__.startswith("mnist_studio"):
        text = _first_line(str(error))
    elif isinstance(error, MemoryError):
        text = _tr("not enough memory")
    elif isinstance(error, OSError) and error.strerror:
        where = error.filename
        text = f"{where}: {error.strerror}" if where else error.strerror
    else:
        detail = _first_line(str(error))
        text = f"{type(error).__name__}: {detail}" if detail else ""
    return text or type(error).__name__


def checkpoint_error_text(path: Path | str, error: BaseException) -> str:
    """Why the checkpoint at ``path`` cannot be used, in one line."""
    if type(error).__module__.startswith("mnist_studio"):
        return describe_error(error)  # the engine's text already names the file
    return _tr("{path}: cannot load the checkpoint ({reason})").format(path=path, reason=describe_error(error))
