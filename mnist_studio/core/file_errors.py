"""Why a file cannot be written where the user asked: a reason enum, the error that carries it,
and the mapping from the system's ``OSError`` to it. Shared by :mod:`mnist_studio.core.files`
and the checkpoint reader (which names non-regular files the same way).
"""

from __future__ import annotations

import errno
import os
import stat
from enum import Enum
from pathlib import Path
from typing import Any

NO_SPACE_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class OutputProblem(Enum):
    """Why a file cannot be written where the user asked."""

    IS_FOLDER = "is_folder"  # an existing folder, or a name ending in "/"
    NOT_REGULAR = "not_regular"  # a FIFO, device node or socket
    BROKEN_LINK = "broken_link"  # a symbolic link to nothing, or a loop of links
    READ_ONLY = "read_only"
    NAME_TOO_LONG = "name_too_long"
    NO_FOLDER = "no_folder"  # the folder does not exist and cannot be created
    FOLDER_NOT_WRITABLE = "folder_not_writable"
    NO_SPACE = "no_space"  # the device (or the user's quota) is full
    WRITE_FAILED = "write_failed"  # any other failure of the write itself


_WORDING = {
    OutputProblem.IS_FOLDER: "is a folder, not a file name; give a file name (inside it, for example)",
    OutputProblem.NOT_REGULAR: "is not a regular file ({detail}); refusing to replace it",
    OutputProblem.BROKEN_LINK: "is a symbolic link that leads to no file; refusing to write through it",
    OutputProblem.READ_ONLY: "the file is read-only; refusing to replace it (make it writable or choose another name)",
    OutputProblem.NAME_TOO_LONG: "the name is too long for this file system ({detail})",
    OutputProblem.NO_FOLDER: "cannot create the folder to hold it ({detail})",
    OutputProblem.FOLDER_NOT_WRITABLE: "cannot write into its folder ({detail})",
    OutputProblem.NO_SPACE: "no space left on the device; the file was not written",
    OutputProblem.WRITE_FAILED: "could not write the file ({detail})",
}
_ERRNOS = {
    OutputProblem.IS_FOLDER: errno.EISDIR,
    OutputProblem.NOT_REGULAR: errno.EPERM,
    OutputProblem.BROKEN_LINK: errno.ENOENT,
    OutputProblem.READ_ONLY: errno.EACCES,
    OutputProblem.NAME_TOO_LONG: errno.ENAMETOOLONG,
    OutputProblem.NO_FOLDER: errno.ENOENT,
    OutputProblem.FOLDER_NOT_WRITABLE: errno.EACCES,
    OutputProblem.NO_SPACE: errno.ENOSPC,
    OutputProblem.WRITE_FAILED: errno.EIO,
}


class OutputPathError(OSError):
    """A file cannot be written at ``path``: ``reason`` says why, ``detail`` adds the system's words.

    ``str(error)`` is one English line, ``"{path}: {why}"``; ``strerror`` is the ``why`` alone.
    """

    def __init__(self, reason: OutputProblem, path: str | os.PathLike[str], detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(_ERRNOS[reason], _WORDING[reason].format(detail=detail or "unknown reason"), os.fspath(path))
        self.path = Path(path)

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.filename, self.detail))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words for the one-line error: "a FIFO", "a device", ..."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def from_os_error(error: OSError, path: str | os.PathLike[str], *, folder: bool = False) -> OutputPathError:
    """The OutputPathError that an OSError met while writing ``path`` (or, with ``folder``, creating
    a file in its folder) amounts to: ENOSPC and EDQUOT are NO_SPACE, ENAMETOOLONG NAME_TOO_LONG."""
    if isinstance(error, OutputPathError):
        return error
    detail = error.strerror or str(error)
    if error.errno in NO_SPACE_ERRNOS:
        return OutputPathError(OutputProblem.NO_SPACE, path)
    if error.errno == errno.ENAMETOOLONG:
        return OutputPathError(OutputProblem.NAME_TOO_LONG, path, detail)
    if folder:
        return OutputPathError(OutputProblem.FOLDER_NOT_WRITABLE, path, detail)
    return OutputPathError(OutputProblem.WRITE_FAILED, path, detail)
