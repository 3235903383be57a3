"""A digit set as a zip file: export the whole set, import a zip's images into a set.

An exported zip holds ``NAME/0/*.png`` … ``NAME/9/*.png`` (``NAME``: the set's folder name), so
it unpacks into a folder in the same layout. Import reads any zip whose images lie in digit
folders at its top or one folder down; only each member's digit folder and file name are
used, so no member can write outside the set. Images already in the set (same content) are
not added twice; members that are no images, too large, encrypted or unreadable are skipped
with a note.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mnist_studio.core.files import OutputPathError, atomic_write

from mnist_studio.core.my_digits.folder import (
    DIGIT_FOLDERS,
    MAX_IMAGE_BYTES,
    DigitEntry,
    DigitSet,
    DigitSetError,
    DigitSetProblem,
    SkippedFile,
    SkipReason,
    is_image_name,
)

MAX_NAME_LENGTH = 120  # characters of a member's file name kept on import
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')  # not allowed in file names on some systems


@dataclass(frozen=True)
class ImportResult:
    """What importing a zip did: the images added, how many were in the set already, what was skipped."""

    added: tuple[DigitEntry, ...]
    duplicates: int
    skipped: tuple[SkippedFile, ...]  # paths read ``ARCHIVE/MEMBER``


def export_zip(digit_set: DigitSet, path: Path | str) -> int:
    """Write the set's images to the zip file ``path`` (replaced atomically); returns how many.

    Raises ``DigitSetError`` (WRITE_FAILED, or VANISHED when an image went missing meanwhile).
    """
    path = Path(path)
    top = digit_set.folder.name or "digits"
    entries = digit_set.entries

    def write(stream: IO[bytes]) -> None:
        # Stored, not deflated: PNG data is compressed already.
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
            for entry in entries:
                try:
                    content = entry.path.read_bytes()
                except OSError as error:
                    raise DigitSetError(
                        DigitSetProblem.VANISHED,
                        f"{entry.path}: cannot read it for the zip ({error.strerror or error})",
                        path=entry.path,
                    ) from None
                archive.writestr(f"{top}/{DIGIT_FOLDERS[entry.label]}/{entry.path.name}", content)

    try:
        atomic_write(path, write)
    except OutputPathError as error:
        raise DigitSetError(
            DigitSetProblem.WRITE_FAILED, str(error), path=path, detail=error.strerror, problem=error.reason
        ) from None
    return len(entries)


def _digit_and_name(member: str) -> tuple[int, str] | None:
    """The digit folder and file name of a member ``[TOP/]D/…/NAME``, or None outside that layout."""
    parts = [part for part in re.split(r"[/\\]", member) if part]
    if len(parts) < 2 or any(part.startswith(".") or part == "__MACOSX" for part in parts):
        return None
    for index in (0, 1):
        if index < len(parts) - 1 and parts[index] in DIGIT_FOLDERS:
            return int(parts[index]), parts[-1]
    return None


def _safe_name(name: str) -> str:
    stem, suffix = os.path.splitext(_UNSAFE_NAME.sub("_", name))
    return stem[: MAX_NAME_LENGTH - len(suffix)] + suffix.lower()


def _decodes(content: bytes) -> bool:
    from PIL import Image

    from mnist_studio.core.preprocess import IMAGE_FORMATS, MAX_IMAGE_PIXELS

    try:
        with Image.open(io.BytesIO(content), formats=IMAGE_FORMATS) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return False
            image.load()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error on corrupt data
        return False
    return True


def import_zip(digit_set: DigitSet, path: Path | str) -> ImportResult:
    """Add the images of the zip ``path`` to ``digit_set``; raises ``DigitSetError`` for a file that
    is no readable zip (BAD_ARCHIVE) or holds no digit folders (WRONG_LAYOUT)."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise DigitSetError(
            DigitSetProblem.BAD_ARCHIVE, f"{path}: not a readable zip file ({detail})", path=path, detail=detail
        ) from None
    added: list[DigitEntry] = []
    skipped: list[SkippedFile] = []
    duplicates = in_layout = 0
    with archive:
        for member in archive.infolist():
            place = None if member.is_dir() else _digit_and_name(member.filename)
            if place is None:
                continue
            in_layout += 1
            label, name = place
            content = _read_member(archive, member, name)
            if isinstance(content, tuple):
                skipped.append(SkippedFile(path / member.filename, *content))
                continue
            try:
                added.append(digit_set.add_file_content(content, label, _safe_name(name)))
            except DigitSetError as error:
                if error.reason is not DigitSetProblem.DUPLICATE:
                    raise
                duplicates += 1
    if not in_layout:
        raise DigitSetError(
            DigitSetProblem.WRONG_LAYOUT,
            f"{path}: the zip holds no digit folders 0 to 9 (at its top or one folder down)",
            path=path,
        )
    return ImportResult(tuple(added), duplicates, tuple(skipped))


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes | tuple[SkipReason, str]:
    """A member's bytes if they are a usable image, else why not."""
    if not is_image_name(name):
        return SkipReason.NOT_AN_IMAGE, "not an image file by its name"
    if member.flag_bits & 0x1:
        return SkipReason.UNREADABLE, "encrypted"
    if member.file_size > MAX_IMAGE_BYTES:
        return SkipReason.UNREADABLE, "too large"
    try:
        with archive.open(member) as stream:
            content = stream.read(MAX_IMAGE_BYTES + 1)  # the header's size may lie: never read more
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError, NotImplementedError) as error:
        return SkipReason.UNREADABLE, str(error) or type(error).__name__
    if len(content) > MAX_IMAGE_BYTES:
        return SkipReason.UNREADABLE, "too large"
    if not _decodes(content):
        return SkipReason.UNREADABLE, "not a readable image"
    return content
