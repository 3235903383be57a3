"""Writing the files a user names: checked before work starts, replaced atomically, never the wrong file.

The policy, one place for the CLI, the trainer, the figure export and the caches:

- A target that exists must be a regular file: a folder, FIFO, device node or socket is refused,
  never replaced (as root, ``--out /dev/null`` must leave ``/dev/null`` alone).
- A symbolic link is written *through*: the file it points to is replaced (in that file's
  folder) and the link stays, as editors and Qt's ``QSaveFile`` do. A link that leads nowhere
  (dangling, or a loop) is refused rather than guessed at.
- A read-only file (no write permission bit, or one we may not write) is refused, even for
  root: read-only is how a person says "do not overwrite this". An existing file we do replace
  keeps its permission bits; a new file gets ``0666 & ~umask`` like any other.
- A name ending in a path separator, a name too long once our temporary suffix is added, and a
  folder we cannot create a file in are refused up front (by creating and removing a file there).
- Writes go to ``.NAME.<12 hex>.tmp`` in the same folder, are fsynced, then renamed over the
  target with ``os.replace``: a failure at any point leaves the old file byte-identical.
  Temporary files of that pattern older than :data:`STALE_TEMPORARY_SECONDS` (left by a killed
  writer) are removed whenever we next write into the folder or list it.

Errors are :class:`OutputPathError`: an ``OSError`` carrying a :class:`OutputProblem` and the
path, whose ``str()`` is one English line (the CLI prints it; the GUI words ``reason`` itself).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import time
from pathlib import Path
from typing import IO, Any, Callable

from mnist_studio.core.file_errors import (
    NO_SPACE_ERRNOS,
    OutputPathError,
    OutputProblem,
    file_kind,
    from_os_error,
)

__all__ = [
    "STALE_TEMPORARY_SECONDS",
    "OutputPathError",
    "OutputProblem",
    "atomic_write",
    "atomic_write_bytes",
    "check_output_target",
    "is_temporary_name",
    "release_reserved_path",
    "remove_stale_temporaries",
    "reserve_path",
    "temporary_name",
]

STALE_TEMPORARY_SECONDS = 5 * 60  # a live writer touches its file far more often than this
_TOKEN_HEX = 12
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{%d}\.tmp$" % _TOKEN_HEX, re.DOTALL)
_TEMPORARY_EXTRA_BYTES = len(".") + len(".") + _TOKEN_HEX + len(".tmp")
_DEFAULT_NAME_MAX = 255
_DEFAULT_PATH_MAX = 4096


def _ends_with_separator(raw: str) -> bool:
    return raw.endswith(os.sep) or bool(os.altsep and raw.endswith(os.altsep))


def _existing_ancestor(folder: Path) -> Path:
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return candidate
    return Path(".")


def _limit(folder: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(_existing_ancestor(folder), name)
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no such limit here
        return default


def _check_name_length(given: str | os.PathLike[str], target: Path) -> None:
    name_bytes = len(os.fsencode(target.name)) + _TEMPORARY_EXTRA_BYTES
    name_max = _limit(target.parent, "PC_NAME_MAX", _DEFAULT_NAME_MAX)
    if name_bytes > name_max:
        detail = f"{name_bytes - _TEMPORARY_EXTRA_BYTES} bytes; at most {name_max - _TEMPORARY_EXTRA_BYTES}"
        raise OutputPathError(OutputProblem.NAME_TOO_LONG, given, detail)
    path_bytes = len(os.fsencode(os.path.abspath(target))) + _TEMPORARY_EXTRA_BYTES
    path_max = _limit(target.parent, "PC_PATH_MAX", _DEFAULT_PATH_MAX)
    if path_bytes >= path_max:
        raise OutputPathError(OutputProblem.NAME_TOO_LONG, given, f"the whole path is {path_bytes} bytes")


def temporary_name(name: str) -> str:
    """A fresh hidden temporary name for ``name``: ``.NAME.<12 hex>.tmp``."""
    return f".{name}.{secrets.token_hex(_TOKEN_HEX // 2)}.tmp"


def _resolve_target(raw: str | os.PathLike[str]) -> Path:
    """The file a write to ``raw`` replaces: ``raw`` itself, or the file its symbolic link leads to."""
    given = Path(raw)
    if not given.is_symlink():
        return given
    if not given.exists():  # dangling, or a loop (exists() is False for both)
        raise OutputPathError(OutputProblem.BROKEN_LINK, raw)
    return Path(os.path.realpath(given))


def _check_existing(raw: str | os.PathLike[str], target: Path) -> os.stat_result | None:
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise OutputPathError(OutputProblem.NO_FOLDER, raw, "a part of the path is a file, not a folder") from None
    except OSError as error:
        raise from_os_error(error, raw) from None
    if stat.S_ISDIR(status.st_mode):
        raise OutputPathError(OutputProblem.IS_FOLDER, raw)
    if not stat.S_ISREG(status.st_mode):
        raise OutputPathError(OutputProblem.NOT_REGULAR, raw, file_kind(status.st_mode))
    # The mode bits first: root may write anything, yet a 0444 file is still one not to replace.
    if not stat.S_IMODE(status.st_mode) & 0o222 or not os.access(target, os.W_OK):
        raise OutputPathError(OutputProblem.READ_ONLY, raw)
    return status


def _make_folder(raw: str | os.PathLike[str], folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file sits where a folder of the path should be
        raise OutputPathError(OutputProblem.NO_FOLDER, raw, f"{folder} is not a folder") from None
    except NotADirectoryError:
        raise OutputPathError(OutputProblem.NO_FOLDER, raw, "a part of the path is a file, not a folder") from None
    except OSError as error:
        if error.errno in NO_SPACE_ERRNOS or error.errno == errno.ENAMETOOLONG:
            raise from_os_error(error, raw) from None
        raise OutputPathError(OutputProblem.NO_FOLDER, raw, error.strerror or str(error)) from None


def _probe_folder(raw: str | os.PathLike[str], target: Path) -> None:
    """Create and remove a file of our temporary pattern next to ``target``: the real test of writability."""
    probe = target.with_name(temporary_name(target.name))
    try:
        handle = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise from_os_error(error, raw, folder=True) from None
    os.close(handle)
    try:
        probe.unlink()
    except OSError:
        pass  # it matches our pattern: a later write or listing removes it once stale


def _prepare_target(path: str | os.PathLike[str], create_folder: bool) -> tuple[Path, os.stat_result | None]:
    """The file a write to ``path`` replaces and its current status (None if new), its folder made."""
    raw = os.fspath(path)
    if not raw or _ends_with_separator(raw):
        raise OutputPathError(OutputProblem.IS_FOLDER, raw or ".")
    target = _resolve_target(raw)
    existing = _check_existing(raw, target)
    _check_name_length(raw, target)
    if create_folder:
        _make_folder(raw, target.parent)
    elif not target.parent.is_dir():
        raise OutputPathError(OutputProblem.NO_FOLDER, raw, f"{target.parent} does not exist")
    return target, existing


def check_output_target(
    path: str | os.PathLike[str], *, needed_bytes: int = 0, create_folder: bool = True
) -> Path:
    """Check, before any work, that :func:`atomic_write` can write ``path``; return the file it will replace.

    That is ``path`` itself, or for a symbolic link the file the link leads to. Missing folders
    are created unless ``create_folder`` is False; ``needed_bytes`` > 0 also asks for that much
    free space. Raises :class:`OutputPathError`. Pass the user's text as given (a ``str``): a
    trailing "/" is lost once it becomes a ``Path``.
    """
    target, _ = _prepare_target(path, create_folder)
    _probe_folder(path, target)
    if needed_bytes > 0:
        try:
            free = shutil.disk_usage(target.parent).free
        except OSError:
            free = needed_bytes  # cannot tell: let the write itself find out
        if free < needed_bytes:
            raise OutputPathError(OutputProblem.NO_SPACE, path)
    return target


class _RecordingStream:
    """A binary stream that remembers the first ``OSError`` its writes met.

    torch.save turns a failed write into a ``RuntimeError`` ("unexpected pos ..."); the recorded
    error still tells a full disk from other failures.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.error: OSError | None = None

    def write(self, data: Any) -> int:
        try:
            return self._stream.write(data)
        except OSError as error:
            self.error = self.error or error
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self.error = self.error or error
            raise

    def fileno(self) -> int:
        return self._stream.fileno()


def _open_new(path: Path) -> IO[bytes]:
    # os.open rather than mkstemp: mkstemp's files are private (0600) regardless of the umask, and
    # what we write is a document the user may want to share.
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    return os.fdopen(handle, "wb")


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[bytes]], None], *, create_folder: bool = True
) -> Path:
    """Write a file through ``write(stream)`` by the module's policy; returns ``Path(path)``.

    Missing folders are created unless ``create_folder`` is False (then: ``NO_FOLDER``).
    On any failure the previous file is untouched and no temporary file is left. An ``OSError``
    (also one met inside ``write``, whatever ``write`` then raised) becomes an
    :class:`OutputPathError`; other exceptions from ``write`` pass through unchanged.
    """
    target, existing = _prepare_target(path, create_folder)
    remove_stale_temporaries(target.parent)
    temporary = target.with_name(temporary_name(target.name))
    stream: _RecordingStream | None = None
    try:
        with _open_new(temporary) as file:
            stream = _RecordingStream(file)
            write(stream)  # type: ignore[arg-type] - duck-typed: write, flush, fileno
            file.flush()
            os.fsync(file.fileno())
        if existing is not None:
            os.chmod(temporary, stat.S_IMODE(existing.st_mode))
        os.replace(temporary, target)
    except BaseException as error:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        recorded = stream.error if stream is not None else None
        if recorded is not None:
            raise from_os_error(recorded, path) from None
        if isinstance(error, OSError):
            raise from_os_error(error, path, folder=stream is None) from None
        raise
    _fsync_folder(target.parent)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike[str], content: bytes, *, create_folder: bool = True) -> Path:
    """:func:`atomic_write` of ``content``."""
    return atomic_write(path, lambda stream: stream.write(content), create_folder=create_folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on folders; the data itself is already on disk
    finally:
        os.close(handle)


def is_temporary_name(name: str) -> bool:
    """True for names of our own temporary pattern, ``.NAME.<12 hex>.tmp``."""
    return _TEMPORARY.match(name) is not None


def remove_stale_temporaries(folder: str | os.PathLike[str], *, older_than: float = STALE_TEMPORARY_SECONDS) -> list[Path]:
    """Remove our own temporary files in ``folder`` untouched for ``older_than`` seconds; returns them.

    Only regular files named by our pattern are candidates; nothing else is ever touched, and a
    folder that cannot be read or changed is left as it is.
    """
    removed: list[Path] = []
    deadline = time.time() - older_than
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temporary_name(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < deadline:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def reserve_path(folder: str | os.PathLike[str], stem: str, suffix: str) -> Path:
    """Create ``folder/stem{suffix}`` (else ``stem-2``, ``stem-3``, ...) exclusively, empty, and return it.

    The name is taken atomically (``O_EXCL``), so runs started in the same second never share
    it. The empty file is the reservation: write over it with :func:`atomic_write`, or give it
    back with :func:`release_reserved_path`. Raises :class:`OutputPathError`.
    """
    folder = Path(folder)
    first = folder / f"{stem}{suffix}"
    _check_name_length(first, folder / f"{stem}-99999{suffix}")
    _make_folder(first, folder)
    number = 1
    while True:
        path = first if number == 1 else folder / f"{stem}-{number}{suffix}"
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            number += 1
            continue
        except OSError as error:
            raise from_os_error(error, path, folder=True) from None
        os.close(handle)
        return path


def release_reserved_path(path: str | os.PathLike[str]) -> None:
    """Remove a reservation made by :func:`reserve_path` if it is still an empty regular file."""
    try:
        status = os.lstat(path)
        if stat.S_ISREG(status.st_mode) and status.st_size == 0:
            os.unlink(path)
    except OSError:
        pass
