"""Exceptions worded for the user, in one place: every error a worker sends is shown through here.

The engine's own exceptions (``mnist_studio.*``: bad checkpoints, missing data, a diverged run)
carry a one-line text of their own, shown as it is for now, except a file that cannot be
written (:class:`OutputPathError`), worded here from its reason; anything else is named by type.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication

from mnist_studio.core.file_errors import OutputPathError, OutputProblem


def _tr(text: str) -> str:
    return QCoreApplication.translate("errors", text)


def is_expected(error: BaseException) -> bool:
    """True for failures a user can cause (the engine's errors, files, memory); False for bugs."""
    return type(error).__module__.startswith("mnist_studio") or isinstance(error, (OSError, MemoryError))


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def describe_error(error: BaseException) -> str:
    """One line a user can read for ``error``."""
    if isinstance(error, OutputPathError):
        return output_error_text(error)
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


def _output_reasons() -> dict[OutputProblem, str]:
    return {
        OutputProblem.IS_FOLDER: _tr("is a folder; choose a file name"),
        OutputProblem.NOT_REGULAR: _tr("is not a regular file (a FIFO, device or socket), so it was left alone"),
        OutputProblem.BROKEN_LINK: _tr("is a symbolic link that leads to no file, so nothing was written"),
        OutputProblem.READ_ONLY: _tr("is read-only, so it was not replaced"),
        OutputProblem.NAME_TOO_LONG: _tr("the name is too long for this file system"),
        OutputProblem.NO_FOLDER: _tr("its folder does not exist"),
        OutputProblem.FOLDER_NOT_WRITABLE: _tr("cannot write into its folder ({detail})"),
        OutputProblem.NO_SPACE: _tr("no space left on the device; nothing was written"),
        OutputProblem.WRITE_FAILED: _tr("could not write the file ({detail})"),
    }


def output_problem_text(reason: OutputProblem, detail: str = "") -> str:
    """Why a file cannot be written, from the engine's reason (and the system's words, where it has them)."""
    return _output_reasons()[reason].format(detail=detail or _tr("unknown reason"))


def output_error_text(error: OutputPathError) -> str:
    """Why a file could not be written where the user asked: ``"{path}: {why}"``, from the error's reason."""
    return _tr("{path}: {why}").format(path=error.filename, why=output_problem_text(error.reason, error.detail))
