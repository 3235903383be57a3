"""Zip export and import of a digit set: round trip, duplicates, hostile and broken archives."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Callable

import pytest
from digit_drawings import drawing
from PIL import Image

from mnist_studio.core.my_digits.archive import export_zip, import_zip
from mnist_studio.core.my_digits.folder import DigitSet, DigitSetError, DigitSetProblem, SkipReason, encode_png

SetFactory = Callable[..., DigitSet]


def test_export_then_import_into_an_empty_set_gives_the_same_images_and_digits(
    make_set: SetFactory, tmp_path: Path
) -> None:
    source = make_set(per_digit=2, digits=[0, 5, 8])
    archive = tmp_path / "digits.zip"
    assert export_zip(source, archive) == 6
    with zipfile.ZipFile(archive) as opened:
        assert all(name.startswith("set/") for name in opened.namelist())  # unpacks into one folder
    target = make_set(per_digit=0, name="other")
    result = import_zip(target, archive)
    assert len(result.added) == 6 and result.duplicates == 0 and result.skipped == ()
    assert {(e.label, e.digest, e.path.name) for e in target.entries} == {
        (e.label, e.digest, e.path.name) for e in source.entries
    }
    again = import_zip(target, archive)
    assert again.added == () and again.duplicates == 6


def test_export_replaces_an_old_zip_atomically(make_set: SetFactory, tmp_path: Path) -> None:
    archive = tmp_path / "digits.zip"
    archive.write_bytes(b"old")
    export_zip(make_set(per_digit=1, digits=[1]), archive)
    assert zipfile.is_zipfile(archive)
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_import_takes_only_digit_and_file_name_so_nothing_lands_outside_the_set(
    make_set: SetFactory, tmp_path: Path
) -> None:
    archive = tmp_path / "hostile.zip"
    with zipfile.ZipFile(archive, "w") as writing:
        writing.writestr("../../escaped.png", encode_png(drawing(1)))
        writing.writestr("/abs/3/absolute.png", encode_png(drawing(2)))
        writing.writestr("4/../../../up.png", encode_png(drawing(3)))
        writing.writestr("top/7/a:b*c.png", encode_png(drawing(4)))
        writing.writestr("__MACOSX/7/._x.png", b"resource fork")
        writing.writestr("7/notes.txt", "hello")
        writing.writestr("7/broken.png", b"\x89PNG broken")
    target = make_set(per_digit=0)
    result = import_zip(target, archive)
    placed = sorted(str(entry.path.relative_to(target.folder)) for entry in target.entries)
    assert placed == ["3/absolute.png", "7/a_b_c.png"]  # only the digit and the name count; ".." parts: refused
    assert not (tmp_path / "escaped.png").exists() and not list(tmp_path.parent.glob("up.png"))
    assert {skipped.path.name: skipped.reason for skipped in result.skipped} == {
        "notes.txt": SkipReason.NOT_AN_IMAGE,
        "broken.png": SkipReason.UNREADABLE,
    }


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04truncated"])
def test_a_broken_zip_is_one_clear_error_and_changes_nothing(
    make_set: SetFactory, tmp_path: Path, content: bytes
) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(content)
    target = make_set(per_digit=1, digits=[2])
    with pytest.raises(DigitSetError) as caught:
        import_zip(target, archive)
    assert caught.value.reason is DigitSetProblem.BAD_ARCHIVE and "\n" not in str(caught.value)
    assert DigitSet.open(target.folder).counts() == target.counts()


def test_a_zip_without_digit_folders_is_refused(make_set: SetFactory, tmp_path: Path) -> None:
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as writing:
        writing.writestr("holiday/beach.png", encode_png(drawing(1)))
    with pytest.raises(DigitSetError) as caught:
        import_zip(make_set(per_digit=0), archive)
    assert caught.value.reason is DigitSetProblem.WRONG_LAYOUT


def test_an_exported_zip_of_photos_keeps_their_format(make_set: SetFactory, tmp_path: Path) -> None:
    digit_set = make_set(per_digit=0)
    Image.fromarray(drawing(9)).convert("RGB").save(digit_set.folder / "9" / "photo.jpg")
    digit_set.rescan()
    export_zip(digit_set, tmp_path / "out.zip")
    with zipfile.ZipFile(tmp_path / "out.zip") as opened:
        assert opened.namelist() == ["set/9/photo.jpg"]
