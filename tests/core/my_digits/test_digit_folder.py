"""The digit set on disk: layout round trip, duplicates, delete and undo, relabel, bad folders and files."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from PIL import Image

from mnist_studio.core import paths
from mnist_studio.core.my_digits.folder import (
    DIGIT_FOLDERS,
    DigitSet,
    DigitSetError,
    DigitSetProblem,
    SkipReason,
    require_images,
    scan_folder,
)
from mnist_studio.core.my_digits.images import load_digit_images

from digit_drawings import drawing

SetFactory = Callable[..., DigitSet]


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_the_default_folder_is_my_digits_in_the_user_data_folder_unless_overridden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert paths.my_digits_dir() == tmp_path / "My digits"  # the suite's override (tests/conftest.py)
    monkeypatch.delenv("MNIST_STUDIO_MY_DIGITS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert paths.my_digits_dir() == tmp_path / "data" / "mnist-studio" / "My digits"


def test_added_drawings_are_pngs_in_imagefolder_layout_and_read_back_the_same(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=2, digits=[0, 3, 9])
    assert sorted(path.name for path in digit_set.folder.iterdir()) == list(DIGIT_FOLDERS)  # all ten, from the start
    reopened = DigitSet.open(digit_set.folder)
    assert reopened.entries == digit_set.entries
    assert reopened.counts() == (2, 0, 0, 2, 0, 0, 0, 0, 0, 2)
    first = reopened.entries[0]
    assert first.path.parent == digit_set.folder / "0" and first.path.suffix == ".png"
    assert np.array_equal(np.asarray(Image.open(first.path)), drawing(0))  # the raw 280x280 drawing, losslessly
    assert not [path for path in files_in(digit_set.folder) if path.name.startswith(".")]  # no temporary left


def test_torchvision_imagefolder_reads_the_set_with_each_digit_as_its_class(make_set: SetFactory) -> None:
    from torchvision.datasets import ImageFolder

    digit_set = make_set(per_digit=1, digits=[2, 7])
    dataset = ImageFolder(str(digit_set.folder), allow_empty=True)
    assert dataset.class_to_idx == {str(digit): digit for digit in range(10)}
    assert sorted(label for _, label in dataset.samples) == [2, 7]


def test_the_same_drawing_cannot_be_saved_twice_even_under_another_digit(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[4])
    before = files_in(digit_set.folder)
    assert digit_set.find_pixels(drawing(4000)) == digit_set.entries[0]
    with pytest.raises(DigitSetError) as caught:
        digit_set.add(drawing(4000), 5)
    assert caught.value.reason is DigitSetProblem.DUPLICATE
    assert caught.value.facts["existing"] == digit_set.entries[0]
    assert files_in(digit_set.folder) == before


def test_relabel_moves_the_file_to_the_other_digit_folder(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[1])
    entry = digit_set.entries[0]
    moved = digit_set.relabel(entry, 7)
    assert not entry.path.exists() and moved.path == digit_set.folder / "7" / entry.path.name
    assert moved.digest == entry.digest and moved.label == 7
    assert DigitSet.open(digit_set.folder).counts()[7] == 1 and digit_set.counts()[1] == 0
    assert digit_set.relabel(moved, 7) == moved


def test_relabel_keeps_a_file_of_the_same_name_in_the_target_folder(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[1, 2])
    one, two = digit_set.entries
    os.rename(two.path, two.path.with_name(one.path.name))  # same name in both folders
    digit_set.rescan()
    one, two = digit_set.entries
    moved = digit_set.relabel(one, 2)
    assert two.path.exists() and moved.path != two.path and moved.path.exists()


def test_relabel_of_a_vanished_file_is_a_clear_error(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[3])
    entry = digit_set.entries[0]
    entry.path.unlink()
    with pytest.raises(DigitSetError) as caught:
        digit_set.relabel(entry, 5)
    assert caught.value.reason is DigitSetProblem.VANISHED
    assert digit_set.entries == ()


def test_delete_then_undo_puts_the_same_files_back(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=2, digits=[6])
    contents = {entry.path: entry.path.read_bytes() for entry in digit_set.entries}
    assert digit_set.delete(digit_set.entries) == 2
    assert digit_set.counts()[6] == 0 and not any(path.exists() for path in contents)
    assert digit_set.can_undo
    restored = digit_set.undo_delete()
    assert {entry.path for entry in restored} == set(contents)
    assert all(path.read_bytes() == content for path, content in contents.items())
    assert not digit_set.can_undo
    with pytest.raises(DigitSetError) as caught:
        digit_set.undo_delete()
    assert caught.value.reason is DigitSetProblem.NOTHING_TO_UNDO


def test_a_failed_write_leaves_nothing_behind(make_set: SetFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    digit_set = make_set(per_digit=0)

    def full_disk(handle: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(DigitSetError) as caught:
        digit_set.add(drawing(1), 1)
    assert caught.value.reason is DigitSetProblem.WRITE_FAILED
    assert "no space left" in str(caught.value)
    assert files_in(digit_set.folder) == [] and digit_set.entries == ()


def test_unusable_files_are_skipped_with_a_note_never_raised(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[0, 1])
    folder = digit_set.folder
    (folder / "2" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (folder / "2" / "notes.txt").write_text("my sevens")
    (folder / "2" / ".DS_Store").write_bytes(b"\0")  # hidden: not part of the set at all
    os.mkfifo(folder / "3" / "pipe.png")  # must not hang the scan
    (folder / "README.txt").write_text("my digits")
    vanishing = digit_set.entries[1]

    scan = scan_folder(folder)
    vanishing.path.unlink()  # gone between scanning and reading
    digits = load_digit_images(scan)

    reasons = {skipped.path.name: skipped.reason for skipped in digits.skipped}
    assert reasons == {
        "notes.txt": SkipReason.NOT_AN_IMAGE,
        "pipe.png": SkipReason.NOT_AN_IMAGE,
        "broken.png": SkipReason.UNREADABLE,
        vanishing.path.name: SkipReason.VANISHED,
    }
    assert scan.ignored == (folder / "README.txt",)
    assert digits.count == 1 and digits.images.shape == (1, 28, 28) and list(digits.labels) == [0]


def test_a_blank_image_is_skipped_as_holding_no_digit(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=1, digits=[5])
    digit_set.add(np.zeros((280, 280), dtype=np.uint8), 5)
    digits = load_digit_images(digit_set.scan())
    assert digits.count == 1
    assert [skipped.reason for skipped in digits.skipped] == [SkipReason.BLANK]


@pytest.mark.parametrize(
    ("layout", "reason"),
    [
        ("missing", DigitSetProblem.MISSING),
        ("file", DigitSetProblem.NOT_A_FOLDER),
        ("flat images", DigitSetProblem.WRONG_LAYOUT),
        ("class names", DigitSetProblem.WRONG_LAYOUT),
    ],
)
def test_a_folder_that_is_no_digit_set_is_one_clear_error(tmp_path: Path, layout: str, reason: DigitSetProblem) -> None:
    folder = tmp_path / "folder"
    if layout == "file":
        folder.write_text("x")
    elif layout == "flat images":
        folder.mkdir()
        Image.fromarray(drawing(1)).save(folder / "one.png")
    elif layout == "class names":
        (folder / "cats").mkdir(parents=True)
    with pytest.raises(DigitSetError) as caught:
        DigitSet.open(folder)
    assert caught.value.reason is reason
    assert str(folder) in str(caught.value) and "\n" not in str(caught.value)
    assert layout != "missing" or not folder.exists()  # opening without create makes nothing


def test_an_empty_set_opens_but_has_nothing_to_evaluate(tmp_path: Path) -> None:
    for folder, reason in ((tmp_path / "empty", DigitSetProblem.EMPTY), (tmp_path / "texts", DigitSetProblem.NO_IMAGES)):
        (folder / "3").mkdir(parents=True)
        if reason is DigitSetProblem.NO_IMAGES:
            (folder / "3" / "a.txt").write_text("x")
        scan = DigitSet.open(folder).scan()
        assert scan.entries == ()
        with pytest.raises(DigitSetError) as caught:
            require_images(scan)
        assert caught.value.reason is reason


def test_a_label_outside_0_to_9_is_refused(make_set: SetFactory) -> None:
    digit_set = make_set(per_digit=0)
    for label in (-1, 10, True):
        with pytest.raises(DigitSetError) as caught:
            digit_set.add(drawing(2), label)
        assert caught.value.reason is DigitSetProblem.BAD_LABEL
