"""The current-model machinery: listing, default choice, loading off the GUI thread, bad files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from mnist_studio.core.progress import RunStatus, TrainingFinished
from mnist_studio.gui.draw.tab import DrawTab
from mnist_studio.gui.evaluate.tab import EvaluationTab
from mnist_studio.gui.services.context import AppContext
from mnist_studio.gui.services.model_library import ModelLibrary


def completed_run(checkpoint: Path) -> TrainingFinished:
    """The record a completed training run ends with."""
    return TrainingFinished(
        status=RunStatus.COMPLETED, epochs=1, epochs_completed=1, step=10, val_accuracy=0.9, test_accuracy=0.9,
        train_seconds=1.0, images_per_second=100.0, checkpoint_path=checkpoint,
    )


def test_the_shipped_lenet5_is_the_default_model(library: ModelLibrary, shipped_lenet5: Path) -> None:
    current = library.current()
    assert current is not None
    assert current.summary.path == shipped_lenet5
    assert current.summary.arch == "lenet5"
    assert not current.model.training


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


def test_a_finished_run_becomes_the_current_model(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path
) -> None:
    context = AppContext()
    library = context.library
    assert context.findChildren(ModelLibrary) == [library]  # one library per window, made by the context
    library.refresh()
    qtbot.waitUntil(lambda: library.current() is not None, timeout=60_000)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000) as changed:
        context.training.runFinished.emit(completed_run(mlp_checkpoint))  # as when a training run completes
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


def test_the_tabs_do_not_import_torch_at_start_up() -> None:
    code = (
        "import sys\n"
        "import mnist_studio.gui.evaluate.tab, mnist_studio.gui.draw.tab, mnist_studio.gui.services.model_library\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_main_window_shares_one_library_between_its_tabs(
    qtbot: QtBot, shipped_lenet5: Path, mlp_checkpoint: Path, main_window: QObject, tab_of
) -> None:
    library = main_window.context.library
    qtbot.waitUntil(lambda: library.current() is not None, timeout=60_000)  # listed once torch has loaded
    combos = [tab_of(main_window, EvaluationTab).selector.combo, tab_of(main_window, DrawTab).selector.combo]
    assert all(combo.objectName() == "modelCombo" and combo.currentText().startswith("LeNet-5") for combo in combos)
    assert main_window.current_checkpoint == str(shipped_lenet5)
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        main_window.context.training.runFinished.emit(completed_run(mlp_checkpoint))  # as when a training run completes
    assert all(combo.currentText().startswith("MLP") for combo in combos)
    assert main_window.current_checkpoint == str(mlp_checkpoint)
