"""Reading a checkpoint file's raw payload safely: cheap checks first, then ``torch.load(weights_only=True)``.

Before torch sees a byte, the file must be a regular file (a FIFO or device would block or
never end), of a size a checkpoint can have, and a zip archive whose directory declares no more
uncompressed bytes than the biggest architecture's stopped run can need: a deflate bomb is
refused from its directory, at the cost of reading it. Legacy (non-zip) pickles are never
unpickled: MNIST Studio has only ever written the zip format.
"""

from __future__ import annotations

import io
import os
import pickletools
import stat
import warnings
import zipfile
from collections import deque
from enum import Enum
from pathlib import Path
from typing import IO, Any

import torch

from mnist_studio.core.config import TRAINING_IMAGES
from mnist_studio.core.file_errors import file_kind
from mnist_studio.core.registry import ARCHITECTURES

_FLOAT32_BYTES = 4
_INDEX_BYTES = 8  # the data order of a stopped run is an int64 tensor
# Weights plus the optimizer's state (Adam keeps two moments per weight, SGD one momentum).
_COPIES_OF_THE_WEIGHTS = 3
_LARGEST_RUN_BYTES = (
    _COPIES_OF_THE_WEIGHTS * _FLOAT32_BYTES * max(spec.parameter_count for spec in ARCHITECTURES.values())
    + _INDEX_BYTES * TRAINING_IMAGES
)
# Twice what the largest stopped run stores, plus room for the pickle, RNG states and zip headers.
MAX_CHECKPOINT_BYTES = 2 * _LARGEST_RUN_BYTES + 4 * 2**20
MAX_PICKLE_BYTES = 2**20  # a stopped ViT's data.pkl is ~13 KB; the bound keeps unpickling cheap
MAX_ARCHIVE_MEMBERS = 4096
# Globals a checkpoint's pickle legitimately names (tensor rebuilders, storages, OrderedDict).
_EXPECTED_GLOBALS = ("torch.", "collections.OrderedDict")
_ZIP_MAGIC = b"PK\x03\x04"


class CheckpointProblem(Enum):
    """Why a checkpoint file cannot be used."""

    NOT_FOUND = "not_found"
    IS_FOLDER = "is_folder"
    NOT_REGULAR = "not_regular"  # a FIFO, device node or socket
    UNREADABLE = "unreadable"  # the system refused to read it (permissions, I/O error)
    EMPTY = "empty"
    TOO_LARGE = "too_large"  # bigger (or declaring more data) than any checkpoint can be
    UNSAFE = "unsafe"  # loading it would run code or build foreign objects
    DAMAGED = "damaged"  # a zip archive that is truncated or corrupt
    NOT_A_CHECKPOINT = "not_a_checkpoint"  # not a PyTorch file at all
    FOREIGN = "foreign"  # a PyTorch file, but not an MNIST Studio checkpoint
    STATE_DICT = "state_dict"  # bare model weights
    NEWER_FORMAT = "newer_format"
    UNKNOWN_ARCHITECTURE = "unknown_architecture"
    WRONG_ARCHITECTURE = "wrong_architecture"  # the weights belong to another architecture
    WEIGHTS_DO_NOT_FIT = "weights_do_not_fit"
    NON_FINITE_WEIGHTS = "non_finite_weights"  # NaN or infinite weights
    CORRUPT = "corrupt"  # readable, but a field is missing or of the wrong kind


_WORDING = {
    CheckpointProblem.NOT_FOUND: "no such checkpoint file",
    CheckpointProblem.IS_FOLDER: "is a folder, not a checkpoint file",
    CheckpointProblem.NOT_REGULAR: "not a regular file ({detail}), not a checkpoint",
    CheckpointProblem.UNREADABLE: "cannot read the file ({detail})",
    CheckpointProblem.EMPTY: "the file is empty, not a checkpoint",
    CheckpointProblem.TOO_LARGE: "refused to load: {detail}, more than any MNIST Studio checkpoint holds",
    CheckpointProblem.UNSAFE: "refused to load: the file contains code or objects that are unsafe to load",
    CheckpointProblem.DAMAGED: "the checkpoint is truncated or corrupt",
    CheckpointProblem.NOT_A_CHECKPOINT: "not a checkpoint file",
    CheckpointProblem.FOREIGN: "not an MNIST Studio checkpoint",
    CheckpointProblem.STATE_DICT: "bare model weights (a state dict), not an MNIST Studio checkpoint",
    CheckpointProblem.NEWER_FORMAT: "made by a newer MNIST Studio ({detail}), please upgrade",
    CheckpointProblem.UNKNOWN_ARCHITECTURE: "made for an unknown architecture {detail}",
    CheckpointProblem.WRONG_ARCHITECTURE: "made for another architecture: {detail}",
    CheckpointProblem.WEIGHTS_DO_NOT_FIT: "the weights do not fit {detail}",
    CheckpointProblem.NON_FINITE_WEIGHTS: "refused to load: the weights contain NaN or infinite values ({detail})",
    CheckpointProblem.CORRUPT: "the checkpoint is corrupt ({detail})",
}


class CheckpointError(Exception):
    """A checkpoint cannot be used: ``reason`` says why; ``str(error)`` is one line a user understands.

    ``CheckpointError(path, reason, detail)`` words the line from ``reason``; the one-argument
    form ``CheckpointError(message)`` keeps ``message`` as it is and has no ``reason`` (None).
    """

    def __init__(self, path: Path | str, reason: CheckpointProblem | None = None, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        if reason is None:
            self.path: Path | None = None
            super().__init__(str(path))
        else:
            self.path = Path(path)
            super().__init__(f"{path}: " + _WORDING[reason].format(detail=detail))

    def __reduce__(self) -> tuple[Any, ...]:
        if self.reason is None:
            return (type(self), (str(self),))
        return (type(self), (self.path, self.reason, self.detail))


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def _open_regular(path: Path) -> IO[bytes]:
    """Open ``path`` for reading without ever blocking on a FIFO; refuse anything but a regular file."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise CheckpointError(path, CheckpointProblem.NOT_FOUND) from None
    except OSError as error:
        raise CheckpointError(path, CheckpointProblem.UNREADABLE, error.strerror or str(error)) from None
    if stat.S_ISDIR(status.st_mode):
        raise CheckpointError(path, CheckpointProblem.IS_FOLDER)
    if not stat.S_ISREG(status.st_mode):
        raise CheckpointError(path, CheckpointProblem.NOT_REGULAR, file_kind(status.st_mode))
    try:
        # O_NONBLOCK: should a FIFO be swapped in after the check, opening it still returns at once.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise CheckpointError(path, CheckpointProblem.UNREADABLE, error.strerror or str(error)) from None
    stream = os.fdopen(handle, "rb")
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        stream.close()
        raise CheckpointError(path, CheckpointProblem.NOT_REGULAR, file_kind(mode))
    return stream


def _check_archive(path: Path, stream: IO[bytes]) -> None:
    """Refuse an archive whose zip directory declares more than a checkpoint can need."""
    try:
        members = zipfile.ZipFile(stream).infolist()
    except Exception:  # noqa: BLE001 - zipfile raises several types on a damaged directory
        raise CheckpointError(path, CheckpointProblem.DAMAGED) from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise CheckpointError(path, CheckpointProblem.TOO_LARGE, f"{len(members):,} records")
    declared = sum(member.file_size for member in members)
    if declared > MAX_CHECKPOINT_BYTES:
        raise CheckpointError(path, CheckpointProblem.TOO_LARGE, f"the archive unpacks to {_megabytes(declared)}")
    pickles = [member for member in members if member.filename.endswith("data.pkl")]
    if not pickles:
        raise CheckpointError(path, CheckpointProblem.NOT_A_CHECKPOINT)
    if any(member.file_size > MAX_PICKLE_BYTES for member in pickles):
        raise CheckpointError(path, CheckpointProblem.TOO_LARGE, "its object record is over 1 MB")


def read_payload(path: Path) -> Any:
    """The unpickled contents of a checkpoint file, or ``CheckpointError`` for any problem."""
    with _open_regular(path) as stream:
        try:
            size = os.fstat(stream.fileno()).st_size
            head = stream.read(4)
        except OSError as error:
            raise CheckpointError(path, CheckpointProblem.UNREADABLE, error.strerror or str(error)) from None
        if not head:
            raise CheckpointError(path, CheckpointProblem.EMPTY)
        if size > MAX_CHECKPOINT_BYTES:
            raise CheckpointError(path, CheckpointProblem.TOO_LARGE, f"the file is {_megabytes(size)}")
        if head != _ZIP_MAGIC:
            # A legacy pickle: never unpickled, only scanned to say whether it is hostile.
            stream.seek(0)
            raise CheckpointError(
                path, CheckpointProblem.UNSAFE if _names_foreign_globals([stream]) else CheckpointProblem.NOT_A_CHECKPOINT
            )
        _check_archive(path, stream)
        stream.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch warns about details of foreign files
                return torch.load(stream, map_location="cpu", weights_only=True)
        except OSError as error:
            raise CheckpointError(path, CheckpointProblem.UNREADABLE, error.strerror or str(error)) from None
        except Exception as error:  # noqa: BLE001 - hostile bytes can make the unpickler raise almost anything
            if "Unsupported global" in str(error) or _names_foreign_globals(_archive_pickles(stream)):
                raise CheckpointError(path, CheckpointProblem.UNSAFE) from None
            raise CheckpointError(path, CheckpointProblem.DAMAGED) from None


def _archive_pickles(stream: IO[bytes]) -> list[IO[bytes]]:
    """The archive's ``data.pkl`` records, together at most MAX_CHECKPOINT_BYTES (bombs stay unread)."""
    budget = MAX_CHECKPOINT_BYTES
    found: list[IO[bytes]] = []
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            for member in archive.infolist():
                if not member.filename.endswith("data.pkl") or member.file_size > budget:
                    continue
                with archive.open(member) as record:
                    content = record.read(budget + 1)
                budget -= len(content)
                found.append(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - an unreadable archive simply has nothing more to report
        pass
    return found


def _names_foreign_globals(streams: list[IO[bytes]]) -> bool:
    """True if a pickle in ``streams`` refers to a global a checkpoint never needs.

    Only words the error for a file torch has refused (or that is never unpickled); loading
    never relies on it. Reads each stream once, at most MAX_CHECKPOINT_BYTES in all.
    """
    budget = MAX_CHECKPOINT_BYTES
    for stream in streams:
        content = stream.read(budget)
        budget -= len(content)
        buffer = io.BytesIO(content)
        strings: deque[str] = deque(maxlen=2)  # STACK_GLOBAL names the last two strings pushed
        try:
            while buffer.tell() < len(content):  # the legacy format is several pickles in a row
                for opcode, argument, _ in pickletools.genops(buffer):
                    if opcode.name in ("GLOBAL", "INST"):
                        name = str(argument).replace(" ", ".")
                    elif opcode.name == "STACK_GLOBAL":
                        name = ".".join(strings) if len(strings) == 2 else "?"
                    else:
                        if isinstance(argument, str):
                            strings.append(argument)
                        continue
                    if not name.startswith(_EXPECTED_GLOBALS):
                        return True
        except Exception:  # noqa: BLE001 - garbage after (or instead of) a pickle ends the scan
            pass
        if budget <= 0:
            break
    return False
