"""The Train tab driven like a user: real clicks, real (tiny) runs, waits on real signals."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.progress import PausedProgress, StepProgress
from mnist_studio.core.registry import ARCHITECTURES
from mnist_studio.gui.common.banner import BannerKind
from mnist_studio.gui.services.settings import AppSettings
from mnist_studio.gui.services.torch_loader import LoaderState
from mnist_studio.gui.services.training import RunState
from mnist_studio.gui.train.feature import saved_config
from mnist_studio.gui.train.tab import TrainTab

RUN_TIMEOUT_MS = 120_000  # generous: the machine running the tests may be busy


def click(qtbot, window, name: str) -> None:
    button = window.findChild(QPushButton, name)
    assert button.isEnabled(), f"{name} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose(window, combo_name: str, key: str) -> None:
    combo = window.findChild(QComboBox, combo_name)
    combo.setCurrentIndex(combo.findData(key))


def set_recipe(window, arch: str = "mlp", *, epochs: int = 1, images: int = 1000, **values) -> None:
    """Fill the form as a user would: architecture first (it resets the recipe), then the rest."""
    form = window.findChild(TrainTab).form
    choose(window, "architectureCombo", arch)
    form.epochs_spin.setValue(epochs)
    form.quick_run_check.setChecked(True)
    form.subset_spin.setValue(images)
    if "batch_size" in values:
        form.batch_size_spin.setValue(values["batch_size"])
    if "learning_rate" in values:
        form.learning_rate_spin.setValue(values["learning_rate"])
    if "optimizer" in values:
        choose(window, "optimizerCombo", values["optimizer"])
    if "schedule" in values:
        choose(window, "scheduleCombo", values["schedule"])


def start_long_run(qtbot, window) -> None:
    """A run that cannot finish before the test interrupts it; returns once steps are being reported."""
    set_recipe(window, epochs=50, images=20_000, batch_size=16)
    click(qtbot, window, "startButton")
    tab = window.findChild(TrainTab)
    qtbot.waitUntil(lambda: tab.last_step > 0, timeout=RUN_TIMEOUT_MS)


def buttons(window) -> tuple[bool, bool, bool]:
    return tuple(window.findChild(QPushButton, name).isEnabled() for name in ("startButton", "pauseButton", "stopButton"))


def test_a_tiny_run_fills_the_loss_curve_and_writes_a_checkpoint(qtbot, main_window, train_tab, private_folders: Path) -> None:
    tab, training, library = train_tab, main_window.context.training, main_window.context.library
    set_recipe(main_window, "mlp", epochs=1, images=1000)
    announced: list[str] = []
    library.currentChanged.connect(lambda loaded: announced.append(str(loaded.summary.path)))
    with qtbot.waitSignal(training.runFinished, timeout=RUN_TIMEOUT_MS) as blocker:
        click(qtbot, main_window, "startButton")
        assert tab.progress.text() == "Preparing data and model…" and tab.progress.bar.maximum() == 0  # busy, in words
    record = blocker.args[0]
    assert record.status == "completed", record
    qtbot.waitUntil(lambda: announced == [str(record.checkpoint_path)], timeout=30_000)  # the new current model
    checkpoint = Path(record.checkpoint_path)
    assert checkpoint.is_file() and checkpoint.parent == private_folders
    assert main_window.current_checkpoint == str(checkpoint)
    tab.charts.redraw()
    steps, losses = tab.charts.raw_loss_curve.getData()
    assert len(steps) == record.step == 8  # 1000 images in batches of 128
    assert len(tab.charts.smooth_loss_curve.getData()[0]) == 8
    assert len(tab.charts.val_accuracy_curve.getData()[0]) == 1
    assert str(checkpoint) in tab.log.toPlainText()
    start_line = tab.log.toPlainText().splitlines()[0]
    assert "Start MLP:" in start_line and "on cpu (" in start_line and "fp32" in start_line  # the device really used
    assert "auto" not in start_line
    title, model, recipe = tab.export_header()  # what exported charts say above the plots
    assert title == "MNIST Studio · training charts"
    assert model == f"MLP · {checkpoint.stem} · test accuracy {record.test_accuracy:.2%}"
    assert recipe.startswith("1 epoch, batch 128, ") and "on cpu (" in recipe
    assert tab.banner.kind is BannerKind.SUCCESS and f"{record.test_accuracy:.2%}" in tab.banner.text
    assert buttons(main_window) == (True, False, False)


def test_buttons_follow_the_run_state(qtbot, main_window, train_tab) -> None:
    tab, controls = train_tab, train_tab.controls
    assert buttons(main_window) == (True, False, False)
    assert tab.form.isEnabled()
    start_long_run(qtbot, main_window)
    assert buttons(main_window) == (False, True, True)
    assert not tab.form.isEnabled()
    assert not controls.start_action.isEnabled() and controls.stop_action.isEnabled()
    click(qtbot, main_window, "pauseButton")
    assert tab.state is RunState.PAUSED and controls.pause_button.text() == "Resume"
    assert "paused" in main_window.statusBar().currentMessage() and "Training MLP" not in main_window.statusBar().currentMessage()
    assert tab.progress.text().endswith("— paused")
    assert buttons(main_window) == (False, True, True)
    with qtbot.waitSignal(main_window.context.training.runFinished, timeout=RUN_TIMEOUT_MS):
        click(qtbot, main_window, "stopButton")
        assert tab.state is RunState.STOPPING
        assert buttons(main_window) == (False, False, False)
    assert buttons(main_window) == (True, False, False)
    assert controls.pause_button.text() == "Pause" and tab.form.isEnabled()


def test_start_pressed_while_pytorch_loads_starts_once_it_has(qtbot) -> None:
    from mnist_studio.gui import MainWindow

    window = MainWindow()
    try:
        training = window.context.training
        assert window.context.torch_loader.state is LoaderState.IDLE
        set_recipe(window, "mlp", epochs=1, images=256)
        assert buttons(window) == (True, False, False)  # Start is accepted while PyTorch loads
        with qtbot.waitSignal(training.runStarted, timeout=RUN_TIMEOUT_MS):
            click(qtbot, window, "startButton")
            tab = window.findChild(TrainTab)
            assert tab.is_start_pending() and tab.progress.text() == "Starting when PyTorch has loaded…"
            assert buttons(window) == (False, False, True) and tab.controls.stop_button.text() == "Cancel"
            assert not tab.form.isEnabled()
        assert not tab.is_start_pending() and tab.controls.stop_button.text() == "Stop"
        with qtbot.waitSignal(training.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
            pass
        assert finished.args[0].status == "completed" and finished.args[0].step == 2  # the form's recipe: 256 images
    finally:
        window.close()


def test_a_start_waiting_for_pytorch_can_be_cancelled(qtbot) -> None:
    from mnist_studio.gui import MainWindow

    window = MainWindow()
    try:
        tab = window.findChild(TrainTab)
        click(qtbot, window, "startButton")
        assert tab.is_start_pending()
        click(qtbot, window, "stopButton")  # labelled Cancel
        assert not tab.is_start_pending() and tab.progress.text() == "Start canceled"
        with qtbot.assertNotEmitted(window.context.training.runStarted, wait=500):
            with qtbot.waitSignal(window.context.torch_loader.loaded, timeout=60_000):
                pass
        assert tab.state is RunState.IDLE and buttons(window) == (True, False, False) and tab.form.isEnabled()
    finally:
        window.close()


def test_stop_ends_the_run_at_once_with_a_resumable_checkpoint(qtbot, main_window, train_tab) -> None:
    tab = train_tab
    current_model = main_window.current_checkpoint
    start_long_run(qtbot, main_window)
    with qtbot.waitSignal(main_window.context.training.runFinished, timeout=10_000) as blocker:
        click(qtbot, main_window, "stopButton")
    record = blocker.args[0]
    assert record.status == "stopped"
    assert record.step < 50 * 1250
    assert Path(record.checkpoint_path).is_file()
    assert tab.banner.kind is BannerKind.INFO
    assert main_window.current_checkpoint == current_model  # a stopped run is not a finished model


def test_pause_holds_the_step_count_and_resume_continues(qtbot, main_window, train_tab) -> None:
    tab, training = train_tab, main_window.context.training
    start_long_run(qtbot, main_window)
    with qtbot.waitSignal(training.progress, timeout=10_000, check_params_cb=lambda r: isinstance(r, PausedProgress)) as paused:
        click(qtbot, main_window, "pauseButton")
    held = paused.args[0].step  # the pause holds from here: a step under way has finished and reported
    assert tab.last_step == held and f"Paused at step {held}" in tab.log.toPlainText()
    with qtbot.assertNotEmitted(training.progress, wait=1000):
        pass
    assert tab.last_step == held
    assert tab.state is RunState.PAUSED
    click(qtbot, main_window, "pauseButton")
    assert tab.state is RunState.RUNNING
    with qtbot.waitSignal(training.progress, timeout=RUN_TIMEOUT_MS, check_params_cb=lambda r: isinstance(r, StepProgress)):
        pass
    assert tab.last_step > held
    with qtbot.waitSignal(training.runFinished, timeout=10_000) as blocker:
        click(qtbot, main_window, "stopButton")
    assert blocker.args[0].status == "stopped"


def test_closing_mid_run_stops_and_joins_the_worker_and_saves_settings(qtbot, main_window, train_tab) -> None:
    tab = train_tab
    start_long_run(qtbot, main_window)
    thread = main_window.context.training.worker
    config = tab.form.config()
    assert thread.isRunning()
    main_window.close()
    assert thread.isFinished()
    assert saved_config(AppSettings()) == config


def test_a_diverging_run_shows_the_error_and_start_works_again(qtbot, main_window, train_tab) -> None:
    tab = train_tab
    set_recipe(main_window, "mlp", epochs=1, images=1000, optimizer="sgd", learning_rate=1e6, schedule="constant")
    current_model = main_window.current_checkpoint
    with qtbot.waitSignal(main_window.context.training.runFinished, timeout=RUN_TIMEOUT_MS) as blocker:
        click(qtbot, main_window, "startButton")
    assert blocker.args[0].status == "failed"
    assert tab.banner.kind is BannerKind.ERROR and "diverged" in tab.banner.text
    assert main_window.current_checkpoint == current_model
    assert buttons(main_window) == (True, False, False)


def test_an_exception_in_the_worker_becomes_a_message(qtbot, main_window, train_tab, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MNIST_STUDIO_DATA", str(tmp_path / "no-data-here"))
    tab = train_tab
    set_recipe(main_window, "mlp")
    with qtbot.waitSignal(main_window.context.training.runFailed, timeout=RUN_TIMEOUT_MS):
        click(qtbot, main_window, "startButton")
    assert tab.state is RunState.IDLE
    assert tab.banner.kind is BannerKind.ERROR
    assert "MNIST file missing" in tab.banner.text and "Traceback" not in tab.banner.text
    assert buttons(main_window) == (True, False, False)


def test_changing_the_architecture_resets_its_recipe(qtbot, main_window, train_tab) -> None:
    form = train_tab.form
    form.epochs_spin.setValue(17)
    form.learning_rate_spin.setValue(0.5)
    for key, spec in ARCHITECTURES.items():
        choose(main_window, "architectureCombo", key)
        assert form.config() == TrainingConfig.for_architecture(key)
        assert form.architecture_description.text() == spec.description
        assert f"{spec.parameter_count:,}" in form.architecture_combo.currentText()


def test_device_combo_lists_only_present_devices(main_window) -> None:
    from mnist_studio.core.devices import available_devices

    combo = main_window.findChild(QComboBox, "deviceCombo")
    assert [combo.itemData(index) for index in range(combo.count())] == ["auto", *available_devices()]


@pytest.mark.parametrize(("typed", "expected"), [("3e-4", 3e-4), ("0.002", 0.002), ("1", 1.0)])
def test_learning_rate_accepts_typed_values(qtbot, train_tab, typed: str, expected: float) -> None:
    spin = train_tab.form.learning_rate_spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), typed)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == pytest.approx(expected)


def test_learning_rate_steps_along_one_two_five(train_tab) -> None:
    spin = train_tab.form.learning_rate_spin
    spin.setValue(0.004)
    spin.stepBy(1)
    assert spin.value() == pytest.approx(0.005)
    spin.stepBy(1)
    assert spin.value() == pytest.approx(0.01)
    spin.stepBy(-2)
    assert spin.value() == pytest.approx(0.002)


def test_every_setting_of_the_form_explains_itself(train_tab) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QFormLayout

    form = train_tab.form
    settings = [
        widget
        for widget in form.findChildren(QWidget)
        if isinstance(widget, (QComboBox, QAbstractSpinBox, QAbstractButton)) and widget.parentWidget() is not None
    ]
    assert len(settings) >= 11
    unexplained = [widget.objectName() for widget in settings if len(widget.toolTip()) < 40]
    assert unexplained == []
    for name in ("epochsSpin", "batchSizeSpin", "seedSpin"):  # a sensible range, from the engine's limits
        assert any(character.isdigit() for character in form.findChild(QWidget, name).toolTip())
    for widget in (form.epochs_spin, form.learning_rate_spin, form.device_combo):
        layout = widget.parentWidget().layout()
        assert isinstance(layout, QFormLayout) and layout.labelForField(widget).toolTip() == widget.toolTip()


def test_a_checkpoint_that_could_not_go_where_asked_is_kept_current_and_offered_for_save_as(
    qtbot, main_window, train_tab, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from mnist_studio.core.files import OutputPathError, OutputProblem
    from mnist_studio.core.training import loop

    def full_disk(path, payload):
        raise OutputPathError(OutputProblem.NO_SPACE, path)

    monkeypatch.setattr(loop, "save_checkpoint", full_disk)  # the first write fails; the engine's fallback does not
    tab, library = train_tab, main_window.context.library
    set_recipe(main_window, "mlp", epochs=1, images=256)
    with qtbot.waitSignal(main_window.context.training.runFinished, timeout=RUN_TIMEOUT_MS) as blocker:
        click(qtbot, main_window, "startButton")
    record = blocker.args[0]
    assert record.status == "completed" and record.save_problem is OutputProblem.NO_SPACE
    kept = Path(record.checkpoint_path)
    assert kept.is_file() and kept != record.requested_path
    qtbot.waitUntil(lambda: main_window.current_checkpoint == str(kept), timeout=30_000)  # the trained model is current
    assert tab.banner.kind is BannerKind.ERROR and str(kept) in tab.banner.text and "no space left" in tab.banner.text
    assert tab.banner.action_button.isVisible() and tab.banner.action_button.text() == "Save as…"
    target = tmp_path / "where-i-want-it"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "MNIST Studio checkpoints (*.pt)"))
    qtbot.mouseClick(tab.banner.action_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "where-i-want-it.pt").read_bytes() == kept.read_bytes()
    assert tab.banner.kind is None
