"""Save dialogs add the filter's extension to a name typed without one, and ask before replacing what that names."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mnist_studio.gui.common.file_dialogs import ask_checkpoint_save_path, ask_png_save_path, checkpoint_filter, with_extension

CHECKPOINTS = "MNIST Studio checkpoints (*.pt)"
ALL_FILES = "All files (*)"


@pytest.mark.parametrize(
    ("typed", "selected", "expected"),
    [
        ("/x/my-lenet", CHECKPOINTS, "/x/my-lenet.pt"),
        ("/x/my-lenet.pt", CHECKPOINTS, "/x/my-lenet.pt"),
        ("/x/MY-LENET.PT", CHECKPOINTS, "/x/MY-LENET.PT"),
        ("/x/lenet-0.99", CHECKPOINTS, "/x/lenet-0.99.pt"),  # a dot in the name is not an extension of the filter
        ("/x/my-lenet", ALL_FILES, "/x/my-lenet.pt"),  # no extension at all: the first filter's
        ("/x/my-lenet.bin", ALL_FILES, "/x/my-lenet.bin"),  # one of the user's own, under All files
        ("/x/my-lenet", "", "/x/my-lenet.pt"),  # a dialog that reports no filter
    ],
)
def test_the_filters_extension_is_added_when_missing(typed: str, selected: str, expected: str) -> None:
    assert with_extension(typed, selected, checkpoint_filter()) == Path(expected)


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def answer_dialog(monkeypatch, path: Path, selected: str) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), selected))


def test_a_png_export_typed_without_extension_gets_png(parent, monkeypatch, tmp_path: Path) -> None:
    answer_dialog(monkeypatch, tmp_path / "charts", "PNG images (*.png)")
    assert ask_png_save_path(parent, "Export", tmp_path / "x.png") == tmp_path / "charts.png"


def test_the_user_is_asked_before_the_added_extension_replaces_a_file(parent, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "mine.pt").write_bytes(b"precious")
    answer_dialog(monkeypatch, tmp_path / "mine", CHECKPOINTS)
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    assert ask_checkpoint_save_path(parent, tmp_path / "x.pt") is None  # "No": nothing is written
    assert ask_checkpoint_save_path(parent, tmp_path / "x.pt") == tmp_path / "mine.pt"
    assert asked == ["mine.pt already exists. Do you want to replace it?"] * 2


def test_no_question_when_the_dialog_already_asked_about_the_name(parent, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "mine.pt").write_bytes(b"x")
    answer_dialog(monkeypatch, tmp_path / "mine.pt", CHECKPOINTS)
    monkeypatch.setattr(QMessageBox, "question", lambda *args: pytest.fail("asked twice"))
    assert ask_checkpoint_save_path(parent, tmp_path / "x.pt") == tmp_path / "mine.pt"
