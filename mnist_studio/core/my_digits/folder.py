"""A personal digit set on disk: torchvision's ``ImageFolder`` layout, ``FOLDER/0/*.png`` … ``FOLDER/9/*.png``.

:func:`scan_folder` lists a folder's images (recursively inside each digit folder, as
``ImageFolder`` does) with a content digest of each; files it cannot use are reported as
:class:`SkippedFile` notes, never raised. :class:`DigitSet` changes a set: add a drawing
(refused when the same image is already there), delete with undo, relabel (moves the file).
All ten digit folders are created with a new set, so ``ImageFolder(FOLDER, allow_empty=True)``
maps each folder to the class index of its own digit.

Every write goes to a hidden temporary file that is renamed into place, and never over a file
that is there already. A :class:`DigitSet` is not thread-safe: use it from one thread.
"""

from __future__ import annotations

import enum
import errno
import hashlib
import io
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.files import remove_stale_temporaries, temporary_name

DIGIT_FOLDERS = tuple(str(digit) for digit in range(NUM_CLASSES))
# What preprocessing reads (core.preprocess.IMAGE_FORMATS) by the usual file name endings.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pbm")
SAVED_SUFFIX = ".png"
MAX_IMAGE_BYTES = 64 * 2**20  # a larger file in a digit folder is skipped, not read
DIGEST_LENGTH = 16  # hex digits of SHA-256 kept: a collision in a personal set is out of reach


class DigitSetProblem(str, enum.Enum):
    """Why a folder cannot be used as a digit set, or a change to it cannot be made."""

    MISSING = "missing"  # no such folder
    NOT_A_FOLDER = "not_a_folder"
    UNREADABLE = "unreadable"  # the folder cannot be listed
    WRONG_LAYOUT = "wrong_layout"  # things in it, but no digit folders 0-9
    EMPTY = "empty"  # no images at all
    NO_IMAGES = "no_images"  # files in the digit folders, but none that is a readable image
    DUPLICATE = "duplicate"  # the same image is already in the set (facts: ``existing``)
    VANISHED = "vanished"  # the file was removed behind our back
    WRITE_FAILED = "write_failed"  # facts: ``path``, ``detail``
    NOTHING_TO_UNDO = "nothing_to_undo"
    BAD_LABEL = "bad_label"
    BAD_ARCHIVE = "bad_archive"  # a zip that cannot be read (facts: ``path``, ``detail``)


class DigitSetError(Exception):
    """A digit set cannot be opened or changed; ``str(error)`` is one English line.

    ``reason`` and ``facts`` (``folder``, ``path``, ``detail``, ``existing`` ...) let a GUI word it.
    """

    def __init__(self, reason: DigitSetProblem, text: str, **facts: Any) -> None:
        super().__init__(text)
        self.reason = reason
        self.facts = facts


class SkipReason(str, enum.Enum):
    """Why a file of a digit set is left out."""

    NOT_AN_IMAGE = "not_an_image"  # not an image by its name, or not a regular file
    UNREADABLE = "unreadable"  # cannot be read or decoded (corrupt, permission, too large)
    VANISHED = "vanished"  # listed, then gone before it was read
    BLANK = "blank"  # an image with no digit in it (nothing drawn)


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of a set, why, and the system's or decoder's words (English, for logs)."""

    path: Path
    reason: SkipReason
    detail: str = ""


@dataclass(frozen=True)
class DigitEntry:
    """One image of the set: where it is, its digit (from its folder) and a digest of its bytes."""

    path: Path
    label: int
    digest: str


@dataclass(frozen=True)
class FolderScan:
    """What :func:`scan_folder` found: usable images, skipped files, and things outside the layout."""

    folder: Path
    entries: tuple[DigitEntry, ...]  # by digit, then path
    skipped: tuple[SkippedFile, ...]
    ignored: tuple[Path, ...]  # visible files and folders beside the digit folders

    @property
    def counts(self) -> tuple[int, ...]:
        """Images per digit 0-9."""
        return digit_counts(self.entries)


def digit_counts(entries: Iterable[DigitEntry]) -> tuple[int, ...]:
    """How many of ``entries`` show each digit 0-9."""
    counts = [0] * NUM_CLASSES
    for entry in entries:
        counts[entry.label] += 1
    return tuple(counts)


def content_digest(data: bytes) -> str:
    """The digest by which two files are the same image (SHA-256, shortened)."""
    return hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]


def encode_png(pixels: np.ndarray) -> bytes:
    """A uint8 image (H, W), (H, W, 3) or (H, W, 4) as PNG bytes; the same pixels give the same bytes."""
    from PIL import Image

    pixels = np.ascontiguousarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] not in (3, 4)):
        raise ValueError(f"expected a uint8 image (H, W), (H, W, 3) or (H, W, 4), got {pixels.dtype} {pixels.shape}")
    stream = io.BytesIO()
    Image.fromarray(pixels).save(stream, format="PNG")
    return stream.getvalue()


def _visible(name: str) -> bool:
    return not name.startswith(".")  # hidden files, and our own temporary files, are not part of a set


def is_image_name(name: str) -> bool:
    """True for a file name with an image ending (``.png``, ``.jpg`` …, any case)."""
    return name.lower().endswith(IMAGE_SUFFIXES)


def _read_image_bytes(path: Path) -> bytes | SkippedFile:
    """The file's bytes, or why it is skipped (never blocks on a FIFO, never reads a huge file)."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            return SkippedFile(path, SkipReason.NOT_AN_IMAGE, "not a regular file")
        if status.st_size > MAX_IMAGE_BYTES:
            return SkippedFile(path, SkipReason.UNREADABLE, f"larger than {MAX_IMAGE_BYTES // 2**20} MB")
        return path.read_bytes()
    except FileNotFoundError:
        return SkippedFile(path, SkipReason.VANISHED, "the file was removed")
    except OSError as error:
        return SkippedFile(path, SkipReason.UNREADABLE, error.strerror or str(error))


def _walk_digit_folder(folder: Path) -> list[Path]:
    """Visible files under ``folder`` in sorted order (sub-folders too, as ``ImageFolder`` reads them)."""
    found: list[Path] = []
    for root, folders, files in os.walk(folder):  # symbolic links to folders are not followed: no loops
        folders[:] = sorted(name for name in folders if _visible(name))
        found += [Path(root) / name for name in sorted(files) if _visible(name)]
    return found


def _check_folder(folder: Path) -> list[str]:
    """The folder's visible names; raises ``DigitSetError`` when it is no usable folder."""
    if not folder.exists():
        raise DigitSetError(DigitSetProblem.MISSING, f"{folder}: no such folder", folder=folder)
    if not folder.is_dir():
        raise DigitSetError(DigitSetProblem.NOT_A_FOLDER, f"{folder}: is a file, not a folder", folder=folder)
    try:
        return sorted(name for name in os.listdir(folder) if _visible(name))
    except OSError as error:
        detail = error.strerror or str(error)
        raise DigitSetError(
            DigitSetProblem.UNREADABLE, f"{folder}: cannot list the folder ({detail})", folder=folder, detail=detail
        ) from None


def scan_folder(folder: Path | str) -> FolderScan:
    """List the images of a digit set with their digests; raises ``DigitSetError`` for a folder
    that is missing, unreadable or in another layout. An empty folder is an empty set."""
    folder = Path(folder)
    names = _check_folder(folder)
    digit_names = [name for name in names if name in DIGIT_FOLDERS and (folder / name).is_dir()]
    ignored = tuple(folder / name for name in names if name not in digit_names)
    if names and not digit_names:
        shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
        raise DigitSetError(
            DigitSetProblem.WRONG_LAYOUT,
            f"{folder}: not a digit set: expected folders 0 to 9 holding images (found {shown})",
            folder=folder,
            found=tuple(names),
        )
    entries: list[DigitEntry] = []
    skipped: list[SkippedFile] = []
    for name in digit_names:
        remove_stale_temporaries(folder / name)  # left by a writer that was killed
        for path in _walk_digit_folder(folder / name):
            if not is_image_name(path.name):
                skipped.append(SkippedFile(path, SkipReason.NOT_AN_IMAGE, "not an image file by its name"))
                continue
            content = _read_image_bytes(path)
            if isinstance(content, SkippedFile):
                skipped.append(content)
            else:
                entries.append(DigitEntry(path, int(name), content_digest(content)))
    return FolderScan(folder, tuple(entries), tuple(skipped), ignored)


def require_images(scan: FolderScan) -> None:
    """Raise ``DigitSetError`` (EMPTY or NO_IMAGES) when the scan found no image to use."""
    if scan.entries:
        return
    if scan.skipped:
        raise DigitSetError(
            DigitSetProblem.NO_IMAGES,
            f"{scan.folder}: no readable images in the digit folders ({len(scan.skipped)} files skipped, "
            f"e.g. {scan.skipped[0].path.name}: {scan.skipped[0].detail})",
            folder=scan.folder,
            skipped=scan.skipped,
        )
    raise DigitSetError(
        DigitSetProblem.EMPTY,
        f"{scan.folder}: the digit set is empty (expected images in {scan.folder / '0'} … {scan.folder / '9'})",
        folder=scan.folder,
    )


def _write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path`` atomically; ``FileExistsError`` if ``path`` exists.

    Unlike :func:`mnist_studio.core.files.atomic_write` (which replaces a file the user named)
    this never replaces anything: the temporary file is linked to its name, not renamed over it.
    """
    temporary = path.with_name(temporary_name(path.name))
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)  # unlike a rename, a link never replaces a file that is there
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP) or isinstance(error, FileExistsError):
            raise
        if path.exists():  # a file system without hard links: check, then rename
            raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _free_name(folder: Path, name: str) -> Path:
    """``folder / name``, or ``stem-2.png``, ``stem-3.png`` … if that is taken."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def _write_failed(path: Path, error: OSError) -> DigitSetError:
    detail = "no space left on the device" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    return DigitSetError(DigitSetProblem.WRITE_FAILED, f"{path}: cannot write ({detail})", path=path, detail=detail)


class DigitSet:
    """A personal digit set that can change: add, delete (with undo of the last delete), relabel.

    Build one with :meth:`open`. It keeps the scan's entries and updates them with its own
    changes; :meth:`rescan` reads the folder afresh (the last delete stays undoable).
    """

    def __init__(self, scan: FolderScan) -> None:
        self.folder = scan.folder
        self._entries: dict[Path, DigitEntry] = {}
        self._skipped: tuple[SkippedFile, ...] = ()
        self._ignored: tuple[Path, ...] = ()
        self._last_deleted: list[tuple[DigitEntry, bytes]] = []
        self._install(scan)

    @classmethod
    def open(cls, folder: Path | str, *, create: bool = False) -> DigitSet:
        """Scan ``folder`` (made, with its ten digit folders, when ``create`` and missing); raises ``DigitSetError``."""
        folder = Path(folder)
        if create and not folder.exists():
            try:
                for name in DIGIT_FOLDERS:
                    (folder / name).mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise _write_failed(folder, error) from None
        return cls(scan_folder(folder))

    def _install(self, scan: FolderScan) -> None:
        self._entries = {entry.path: entry for entry in scan.entries}
        self._skipped, self._ignored = scan.skipped, scan.ignored

    def rescan(self) -> None:
        """Read the folder again (files changed outside the app); raises ``DigitSetError``."""
        self._install(scan_folder(self.folder))

    # What it holds ---------------------------------------------------------------------

    @property
    def entries(self) -> tuple[DigitEntry, ...]:
        """The images, by digit, then path."""
        return tuple(sorted(self._entries.values(), key=lambda entry: (entry.label, str(entry.path))))

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        """Files of the last scan that are not usable images."""
        return self._skipped

    @property
    def ignored(self) -> tuple[Path, ...]:
        """Visible files and folders beside the digit folders, at the last scan."""
        return self._ignored

    def counts(self) -> tuple[int, ...]:
        """Images per digit 0-9."""
        return digit_counts(self._entries.values())

    def scan(self) -> FolderScan:
        """The set as it stands, as a scan record."""
        return FolderScan(self.folder, self.entries, self._skipped, self._ignored)

    def find(self, digest: str) -> DigitEntry | None:
        """The entry with this content digest, if the set has one."""
        return next((entry for entry in self._entries.values() if entry.digest == digest), None)

    def find_pixels(self, pixels: np.ndarray) -> DigitEntry | None:
        """The entry saved from exactly these pixels, if any (a drawing already added)."""
        return self.find(content_digest(encode_png(pixels)))

    # Changes ---------------------------------------------------------------------------

    def add(self, pixels: np.ndarray, label: int) -> DigitEntry:
        """Save a drawing (or opened photo) as a PNG in the folder of ``label``; raises ``DigitSetError``
        (DUPLICATE when exactly this image is in the set already, whatever its digit)."""
        data = encode_png(pixels)
        # Names sort by when they were drawn; the digest part keeps two saved in one second apart.
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{content_digest(data)[:8]}{SAVED_SUFFIX}"
        return self.add_file_content(data, label, name)

    def add_file_content(self, data: bytes, label: int, name: str) -> DigitEntry:
        """Save an image file's bytes under ``name`` (``-2``, ``-3`` … added if taken) in the folder of ``label``."""
        _check_label(label)
        digest = content_digest(data)
        existing = self.find(digest)
        if existing is not None:
            raise DigitSetError(
                DigitSetProblem.DUPLICATE,
                f"this image is already in the set as a {existing.label} ({existing.path.name})",
                existing=existing,
            )
        folder = self.folder / DIGIT_FOLDERS[label]
        path = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            while True:
                path = _free_name(folder, name)
                try:
                    _write_new_file(path, data)
                    break
                except FileExistsError:
                    continue  # taken between the check and the write: take the next name
        except OSError as error:
            raise _write_failed(path, error) from None
        entry = DigitEntry(path, label, digest)
        self._entries[path] = entry
        return entry

    def delete(self, entries: Sequence[DigitEntry]) -> int:
        """Remove these images from the set (and disk); :meth:`undo_delete` brings them back.

        Returns how many were removed; files already gone are dropped from the set silently.
        """
        removed: list[tuple[DigitEntry, bytes]] = []
        try:
            for entry in entries:
                try:
                    content = entry.path.read_bytes()
                    entry.path.unlink()
                except FileNotFoundError:
                    self._entries.pop(entry.path, None)
                    continue
                except OSError as error:
                    detail = error.strerror or str(error)
                    raise DigitSetError(
                        DigitSetProblem.WRITE_FAILED,
                        f"{entry.path}: cannot delete ({detail})",
                        path=entry.path,
                        detail=detail,
                        deleted=len(removed),
                    ) from None
                self._entries.pop(entry.path, None)
                removed.append((entry, content))
        finally:
            if removed:
                self._last_deleted = removed
        return len(removed)

    @property
    def can_undo(self) -> bool:
        """True when there is a delete to undo."""
        return bool(self._last_deleted)

    def undo_delete(self) -> tuple[DigitEntry, ...]:
        """Put back the images of the last :meth:`delete`; raises ``DigitSetError`` (NOTHING_TO_UNDO)."""
        if not self._last_deleted:
            raise DigitSetError(DigitSetProblem.NOTHING_TO_UNDO, "there is no delete to undo")
        restored: list[DigitEntry] = []
        while self._last_deleted:
            entry, content = self._last_deleted[0]
            try:
                restored.append(self.add_file_content(content, entry.label, entry.path.name))
            except DigitSetError as error:
                if error.reason is not DigitSetProblem.DUPLICATE:  # one added again meanwhile is back already
                    raise
            self._last_deleted.pop(0)
        return tuple(restored)

    def relabel(self, entry: DigitEntry, label: int) -> DigitEntry:
        """Move an image to the folder of another digit; raises ``DigitSetError``."""
        _check_label(label)
        if label == entry.label:
            return entry
        folder = self.folder / DIGIT_FOLDERS[label]
        target = folder / entry.path.name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = _free_name(folder, entry.path.name)
            os.rename(entry.path, target)  # same file system: atomic, and the name was free
        except FileNotFoundError:
            self._entries.pop(entry.path, None)
            raise DigitSetError(
                DigitSetProblem.VANISHED, f"{entry.path}: the file is gone", path=entry.path
            ) from None
        except OSError as error:
            raise _write_failed(target, error) from None
        self._entries.pop(entry.path, None)
        moved = DigitEntry(target, label, entry.digest)
        self._entries[target] = moved
        return moved


def _check_label(label: int) -> None:
    if not isinstance(label, (int, np.integer)) or isinstance(label, bool) or not 0 <= label < NUM_CLASSES:
        raise DigitSetError(DigitSetProblem.BAD_LABEL, f"a digit is 0 to 9, not {label!r}", label=label)
