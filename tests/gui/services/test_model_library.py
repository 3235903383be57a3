"""The current-model machinery: listing, default choice, loading off the GUI thread, bad files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint
from mnist_studio.gui.services.model_library import ModelLibrary, ModelSelector


class _Window(QObject):
    """Stands in for MainWindow: announces checkpoints like a finished training run."""

    checkpointReady = Signal(str)


def test_the_shipped_lenet5_is_the_default_model(library: ModelLibrary, shipped_lenet5: Path) -> None:
    current = library.current()
    assert current is not None
    assert current.summary.path == shipped_lenet5
    assert current.summary.arch == "lenet5"
    assert not current.model.training


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


def test_runs_are_listed_next_to_the_shipped_models(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path, private_folders: Path
) -> None:
    private_folders.mkdir(parents=True)
    run = private_folders / "mlp-run.pt"
    run.write_bytes(mlp_checkpoint.read_bytes())
    (private_folders / "notes.pt").write_text("not a checkpoint")
    library = ModelLibrary()
    with qtbot.waitSignal(library.currentChanged, timeout=60_000):
        library.refresh()
    assert [summary.path.name for summary in library.entries()] == ["lenet5.pt", "mlp-run.pt"]
    assert library.current().summary.path == shipped_lenet5


def test_runs_in_a_checkouts_old_runs_folder_stay_listed(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mnist_studio.core import paths

    checkout = tmp_path / "checkout"  # a source checkout whose checkpoints/runs/ holds a run of an older version
    (checkout / "checkpoints" / "runs").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("")
    old_run = checkout / "checkpoints" / "runs" / "mlp-old.pt"
    old_run.write_bytes(mlp_checkpoint.read_bytes())
    monkeypatch.setattr(paths, "PACKAGE_DIR", checkout / "mnist_studio")
    monkeypatch.setattr(paths, "_CHECKOUT_DIR", checkout)
    monkeypatch.delenv("MNIST_STUDIO_RUNS")  # the user's runs folder: $XDG_DATA_HOME/mnist-studio/runs
    library = ModelLibrary()
    with qtbot.waitSignal(library.currentChanged, timeout=60_000):
        library.refresh()
    assert [summary.path for summary in library.entries()] == [shipped_lenet5, old_run]


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


def test_a_finished_run_becomes_the_current_model(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path
) -> None:
    window = _Window()
    library = ModelLibrary.shared(window)
    assert ModelLibrary.shared(window) is library
    window.checkpointReady.connect(library.select)
    library.refresh()
    qtbot.waitUntil(lambda: library.current() is not None, timeout=60_000)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000) as changed:
        window.checkpointReady.emit(str(mlp_checkpoint))
    assert changed.args[0].summary.arch == "mlp"
    assert library.current().summary.path == mlp_checkpoint
    assert mlp_checkpoint in [summary.path for summary in library.entries()]
    library.join()


def test_only_the_last_choice_wins(qtbot: QtBot, library: ModelLibrary, mlp_checkpoint: Path, tmp_path: Path) -> None:
    other = tmp_path / "mlp-copy.pt"
    other.write_bytes(mlp_checkpoint.read_bytes())
    library.select(mlp_checkpoint)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000, check_params_cb=lambda loaded: loaded.summary.path == other):
        library.select(other)
    library.join()
    qtbot.waitUntil(lambda: not library.is_busy())
    assert library.current().summary.path == other


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


def test_the_tabs_do_not_import_torch_at_start_up() -> None:
    code = (
        "import sys\n"
        "import mnist_studio.gui.evaluate.tab, mnist_studio.gui.draw.tab, mnist_studio.gui.services.model_library\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_main_window_shares_one_library_between_its_tabs(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path, main_window: QObject
) -> None:
    library = ModelLibrary.shared(main_window)
    qtbot.waitUntil(lambda: library.current() is not None, timeout=60_000)  # listed once torch has loaded
    combos = [main_window.test_tab.selector.combo, main_window.draw_tab.selector.combo]
    assert all(combo.objectName() == "modelCombo" and combo.currentText().startswith("LeNet-5") for combo in combos)
    assert main_window.current_checkpoint == str(shipped_lenet5)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        main_window.checkpointReady.emit(str(mlp_checkpoint))  # as when a training run completes
    assert all(combo.currentText().startswith("MLP") for combo in combos)
    assert main_window.current_checkpoint == str(mlp_checkpoint)
