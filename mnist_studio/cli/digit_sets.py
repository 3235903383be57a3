"""Reading a personal digit set for a command: the images, and notes on stderr for what was left out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from mnist_studio.cli.errors import CliError
from mnist_studio.core.my_digits.folder import DigitSetError, SkippedFile, SkipReason, require_images, scan_folder

if TYPE_CHECKING:
    from mnist_studio.core.my_digits.images import DigitImages

NOTES_SHOWN = 5  # skipped files named one by one; the rest are counted
_SKIP_WORDS = {
    SkipReason.NOT_AN_IMAGE: "not an image",
    SkipReason.UNREADABLE: "cannot be read",
    SkipReason.VANISHED: "vanished while being read",
    SkipReason.BLANK: "no digit in it",
}


def load_personal_set(folder: Path, prog: str) -> DigitImages:
    """Scan and preprocess the set in ``folder``; notes go to stderr; ``CliError`` when nothing is usable."""
    from mnist_studio.core.my_digits.images import load_digit_images

    try:
        scan = scan_folder(folder)
        require_images(scan)
    except DigitSetError as error:
        raise CliError(str(error)) from None
    digits = load_digit_images(scan)
    note_skipped(digits.skipped, prog)
    if not digits.count:
        raise CliError(f"{folder}: none of the {len(scan.entries):,} images holds a readable digit")
    return digits


def skipped_text(skipped: SkippedFile) -> str:
    """``3/x.png: cannot be read (truncated)``: one skipped file, its path as the user gave it."""
    words = _SKIP_WORDS[skipped.reason]
    detail = f" ({skipped.detail})" if skipped.detail and skipped.reason is SkipReason.UNREADABLE else ""
    return f"{skipped.path}: {words}{detail}"


def note_skipped(skipped: Sequence[SkippedFile], prog: str) -> None:
    """Print a note per skipped file (the first few) on stderr."""
    if not skipped:
        return
    print(f"{prog}: note: {len(skipped):,} file{'s' if len(skipped) != 1 else ''} skipped:", file=sys.stderr)
    for item in skipped[:NOTES_SHOWN]:
        print(f"  {skipped_text(item)}", file=sys.stderr)
    if len(skipped) > NOTES_SHOWN:
        print(f"  … and {len(skipped) - NOTES_SHOWN:,} more", file=sys.stderr)


def skipped_json(skipped: Sequence[SkippedFile]) -> list[dict[str, Any]]:
    """The skipped files as JSON records."""
    return [{"path": str(item.path), "reason": item.reason.value, "detail": item.detail} for item in skipped]


def digit_list(digits: Sequence[int]) -> str:
    """``3``, ``3 and 7``, ``1, 3 and 7``."""
    names = [str(digit) for digit in digits]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
