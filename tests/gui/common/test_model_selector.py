"""The model selector row: the combo over the shared library, Open…, and the library's one-line messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint
from mnist_studio.gui.common.model_selector import ModelSelector
from mnist_studio.gui.services.model_library import ModelLibrary

def test_the_combo_shows_architecture_accuracy_and_date(qtbot: QtBot, library: ModelLibrary) -> None:
    selector = ModelSelector(library)
    qtbot.addWidget(selector)
    combo = selector.combo
    assert combo.objectName() == "modelCombo"
    summary = library.current().summary
    text = combo.currentText()
    assert text.startswith("LeNet-5 · ")
    assert f"{summary.test_accuracy:.2%}" in text
    assert summary.created_local and summary.created_local in text
    assert "lenet5.pt" in text


def test_choosing_in_the_combo_loads_that_model(
    qtbot: QtBot, library: ModelLibrary, mlp_checkpoint: Path
) -> None:
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(mlp_checkpoint)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(library.entries()[0].path)
    selector = ModelSelector(library)
    qtbot.addWidget(selector)
    selector.combo.setFocus()
    assert selector.combo.currentText().startswith("LeNet-5")
    with qtbot.waitSignal(library.currentChanged, timeout=30_000) as changed:
        qtbot.keyClick(selector.combo, Qt.Key.Key_Down)
    assert changed.args[0].summary.arch == "mlp"
    assert selector.combo.currentText().startswith("MLP")


def test_a_bad_file_shows_the_engine_message_and_changes_nothing(
    qtbot: QtBot, library: ModelLibrary, tmp_path: Path
) -> None:
    selector = ModelSelector(library)
    qtbot.addWidget(selector)
    bad = tmp_path / "holiday.pt"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(CheckpointError) as expected:
        load_checkpoint(bad)
    current, entries, text = library.current(), library.entries(), selector.combo.currentText()

    selector.combo.setCurrentIndex(-1)  # as if the user had just picked it
    with qtbot.waitSignal(library.loadFailed, timeout=30_000) as message:
        library.select(bad)

    assert message.args == [str(expected.value)]
    assert library.message() == str(expected.value)
    assert "\n" not in message.args[0]
    assert selector.message_label.text() == str(expected.value)
    assert not selector.message_label.isHidden()
    assert library.current() is current
    assert library.entries() == entries
    assert selector.combo.currentText() == text


def test_with_no_models_the_combo_says_what_to_do(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNIST_STUDIO_PRETRAINED", str(tmp_path / "nothing-here"))
    library = ModelLibrary()
    selector = ModelSelector(library)
    qtbot.addWidget(selector)
    assert selector.combo.currentText() == "Looking for models…"
    with qtbot.waitSignal(library.entriesChanged, timeout=30_000):
        library.refresh()
    assert library.current() is None
    assert "train one or open a checkpoint" in selector.combo.currentText()
    assert not selector.combo.isEnabled()
    library.join()
