"""The main window's shell: tabs, names, menus and shortcuts, status bar, files and settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import DEFAULT_ARCHITECTURE
from mnist_studio.gui.app.main_window import nothing_to_save_text
from mnist_studio.gui.services.settings import AppSettings
from mnist_studio.gui.train.feature import saved_config
from mnist_studio.gui.train.tab import TrainTab

REQUIRED_NAMES = [
    "architectureCombo",
    "epochsSpin",
    "batchSizeSpin",
    "learningRateSpin",
    "deviceCombo",
    "startButton",
    "pauseButton",
    "stopButton",
    "trainProgress",
    "lossPlot",
    "accuracyPlot",
    "optimizerCombo",
    "scheduleCombo",
    "augmentCheck",
    "seedSpin",
    "quickRunCheck",
    "subsetSpin",
    "runLog",
]


@pytest.fixture
def trained_checkpoint(tmp_path: Path) -> Path:
    """A valid checkpoint of an untrained LeNet-5 (written by the engine, no training needed)."""
    from mnist_studio.core.checkpoints import build_payload, save_checkpoint
    from mnist_studio.core.registry import build_model

    config = TrainingConfig.for_architecture("lenet5")
    payload = build_payload(
        config, build_model("lenet5"), status="completed", epoch=3, step=100, metrics={"test_accuracy": 0.5}, training_state={}
    )
    return save_checkpoint(tmp_path / "lenet5.pt", payload)


def actions_by_text(window) -> dict[str, object]:
    found = {}
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            found[action.text().replace("&", "")] = action
    return found


def test_window_has_title_tabs_and_the_stable_object_names(main_window) -> None:
    assert main_window.windowTitle() == "MNIST Studio"
    tabs = main_window.findChild(QTabWidget, "mainTabs")
    assert [tabs.tabText(index) for index in range(tabs.count())] == ["Train", "Test", "Draw"]
    missing = [name for name in REQUIRED_NAMES if main_window.findChild(QWidget, name) is None]
    assert missing == []


def test_menus_offer_the_common_actions_with_shortcuts(main_window) -> None:
    actions = actions_by_text(main_window)
    expected = {
        "Open checkpoint…": QKeySequence("Ctrl+O"),
        "Save checkpoint as…": QKeySequence("Ctrl+Shift+S"),
        "Quit": QKeySequence("Ctrl+Q"),
        "Start training": QKeySequence("Ctrl+R"),
        "Stop": QKeySequence("Ctrl+."),
    }
    for text, shortcut in expected.items():
        assert shortcut in actions[text].shortcuts(), text
    assert "Export charts as PNG…" in actions and "About MNIST Studio" in actions
    assert QKeySequence("F5") in actions["Start training"].shortcuts()


def test_status_bar_shows_device_torch_and_threads(main_window, train_tab) -> None:
    import torch

    from mnist_studio.core.devices import available_devices, default_cpu_threads

    labels = main_window.status_labels
    assert labels.torch_label.text() == f"PyTorch {torch.__version__}"
    devices = train_tab.form.device_combo
    assert labels.device_label.text() == f"Device: {available_devices()[0]}"  # what auto picks
    devices.setCurrentIndex(devices.findData("cpu"))
    assert labels.device_label.text() == "Device: cpu"
    assert labels.threads_label.text() == f"CPU threads: {default_cpu_threads()}"


def test_about_names_versions_and_the_mnist_credit(qtbot, main_window) -> None:
    import torch
    from PySide6 import __version__ as pyside_version

    from mnist_studio import __version__

    box = main_window.show_about()
    text = box.text()
    for expected in (
        f"MNIST Studio {__version__}", f"PyTorch {torch.__version__}", f"Qt {pyside_version} (PySide6)",
        "Yann LeCun", "Corinna Cortes", "Christopher J.C. Burges", "CC BY-SA 3.0",
    ):  # fmt: skip
        assert expected in text
    if torch.version.cuda:
        assert f"(CUDA {torch.version.cuda})" in text
    box.close()


def test_the_window_icon_is_the_launcher_entrys_svg(main_window) -> None:
    from PySide6.QtGui import QIcon

    from mnist_studio.core import paths

    image = main_window.windowIcon().pixmap(64, 64).toImage()
    assert image.width() == 64 and image.pixelColor(32, 4).name() == "#1f3a93"  # the tile: the SVG rendered
    assert image == QIcon(str(paths.icon_file())).pixmap(64, 64).toImage()


def test_opening_a_good_checkpoint_makes_it_the_current_model(qtbot, main_window, trained_checkpoint: Path) -> None:
    with qtbot.waitSignal(main_window.context.library.opened, timeout=30_000) as blocker:
        main_window.open_checkpoint(str(trained_checkpoint))
    assert blocker.args[0].summary.path == trained_checkpoint
    assert main_window.current_checkpoint == str(trained_checkpoint)
    assert str(trained_checkpoint) in main_window.statusBar().currentMessage()


def test_opening_a_bad_file_shows_one_line_and_changes_nothing(qtbot, main_window, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pt"
    bad.write_text("not a checkpoint")
    current_model = main_window.current_checkpoint
    boxes = lambda: [box for box in main_window.findChildren(QMessageBox) if str(bad) in box.text()]  # noqa: E731
    with qtbot.assertNotEmitted(main_window.context.library.currentChanged):
        main_window.open_checkpoint(str(bad))
        qtbot.waitUntil(lambda: len(boxes()) == 1, timeout=30_000)
    box = boxes()[0]
    assert "\n" not in box.text() and "Traceback" not in box.text()
    assert main_window.current_checkpoint == current_model
    box.close()


def test_save_checkpoint_as_copies_the_current_model(
    qtbot, main_window, trained_checkpoint: Path, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "copies" / "mine.pt"
    target.parent.mkdir()
    library = main_window.context.library
    with monkeypatch.context() as patch:
        patch.setattr(library, "current_path", lambda: None)  # as on a machine without shipped checkpoints
        assert not main_window.save_checkpoint_as(str(target))
    assert [box.text() for box in main_window.findChildren(QMessageBox)] == [nothing_to_save_text()]
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(trained_checkpoint)
    assert main_window.save_checkpoint_as(str(target))
    assert target.read_bytes() == trained_checkpoint.read_bytes()
    assert [path.name for path in target.parent.iterdir()] == ["mine.pt"]  # no temporary file left


def test_export_charts_writes_a_png(main_window, tmp_path: Path) -> None:
    from mnist_studio.gui.train.feature import TrainFeature

    (train,) = [feature for feature in main_window.features if isinstance(feature, TrainFeature)]
    target = tmp_path / "charts.png"
    assert train.export_charts(str(target))
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 300 and image.height() > 150
    assert train.widget.export_header() == ["MNIST Studio · training charts", "No run yet"]


def test_settings_round_trip_geometry_recipe_and_tab(qtbot, main_window, train_tab, tab_of) -> None:
    from mnist_studio.gui import MainWindow

    form = train_tab.form
    form.architecture_combo.setCurrentIndex(form.architecture_combo.findData("gru"))
    form.epochs_spin.setValue(5)
    form.learning_rate_spin.setValue(0.003)
    form.augment_check.setChecked(True)
    form.quick_run_check.setChecked(True)
    form.subset_spin.setValue(2_000)
    main_window.resize(1100, 700)
    main_window.tabs.setCurrentIndex(2)
    saved = form.config()
    main_window.close()
    assert saved_config(AppSettings()) == saved
    assert AppSettings()._settings.value("window/geometry") == main_window.saveGeometry()

    restored = MainWindow()
    try:
        restored_form = tab_of(restored, TrainTab).form
        assert restored_form.config() == saved  # not reset to the architecture's defaults
        assert restored_form.subset_spin.isEnabled()
        # Qt fits restored windows on the screen; the offscreen screen is only 800 pixels wide.
        assert restored.height() == 700
        assert restored.tabs.currentIndex() == 2
    finally:
        restored.close()


def test_unreadable_settings_fall_back_to_defaults(qtbot, private_settings: Path, tab_of) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings

    from mnist_studio.gui import MainWindow

    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, QCoreApplication.organizationName(), "MNIST Studio")
    settings.setValue("training/config", "{not json")
    settings.sync()
    window = MainWindow()
    try:
        assert tab_of(window, TrainTab).form.config() == TrainingConfig.for_architecture(DEFAULT_ARCHITECTURE)
    finally:
        window.close()


def test_quit_action_closes_the_window(qtbot, main_window) -> None:
    actions_by_text(main_window)["Quit"].trigger()
    assert not main_window.isVisible()


def test_the_tabs_open_button_and_file_open_take_the_one_path(qtbot, main_window, tmp_path: Path, monkeypatch, tab_of) -> None:
    from PySide6.QtWidgets import QFileDialog

    from mnist_studio.gui.evaluate.tab import EvaluationTab

    bad = tmp_path / "holiday.pt"
    bad.write_text("not a checkpoint")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(bad), ""))
    boxes = lambda: [box for box in main_window.findChildren(QMessageBox) if str(bad) in box.text()]  # noqa: E731
    library = main_window.context.library
    for open_it in (tab_of(main_window, EvaluationTab).selector.open_button.click, actions_by_text(main_window)["Open checkpoint…"].trigger):
        with qtbot.waitSignal(library.openFailed, timeout=30_000) as failed:
            open_it()
        qtbot.waitUntil(lambda: len(boxes()) == 1)
        box = boxes()[0]
        assert box.windowTitle() == "Cannot open checkpoint" and box.text() == failed.args[0] == library.message()
        box.close()
        qtbot.waitUntil(lambda: not boxes())


def test_save_as_from_the_file_menu_adds_the_checkpoint_extension(
    qtbot, main_window, trained_checkpoint: Path, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    library = main_window.context.library
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(trained_checkpoint)
    typed = tmp_path / "my-lenet"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(typed), "MNIST Studio checkpoints (*.pt)"))
    actions_by_text(main_window)["Save checkpoint as…"].trigger()
    assert (tmp_path / "my-lenet.pt").read_bytes() == trained_checkpoint.read_bytes()
    assert not typed.exists()


@pytest.mark.parametrize(
    ("key", "saved"),
    [
        ("training/config", '{"arch": "lenet5", "learning_rate": 1' + "0" * 400 + "}"),  # beyond a float
        ("training/config", '{"arch": "lenet5", "seed": 1' + "0" * 400 + "}"),  # beyond any integer we take
        ("training/config", "[" * 100_000 + "]" * 100_000),  # nested past the recursion limit
        ("training/config", '{"arch": "lenet5", "epochs": "five", "device": ["cpu"]}'),  # wrong types
        ("training/config", '{"arch": "lenet5", "learning_rate": 1e999}'),  # infinite
        ("window/tab", "1" + "0" * 400),
        ("window/geometry", "not bytes"),
    ],
    ids=["huge-rate", "huge-seed", "deep", "types", "infinite", "tab", "geometry"],
)
def test_unusable_saved_settings_fall_back_to_defaults_and_say_so_once(qtbot, private_settings: Path, tab_of, key: str, saved: str) -> None:
    from PySide6.QtCore import QCoreApplication, QSettings

    from mnist_studio.gui import MainWindow

    settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, QCoreApplication.organizationName(), "MNIST Studio")
    settings.setValue(key, saved)
    settings.sync()
    for launch in ("first", "second"):
        window = MainWindow()
        try:
            window.show()
            assert tab_of(window, TrainTab).form.config() == TrainingConfig.for_architecture(DEFAULT_ARCHITECTURE)
            assert window.tabs.currentIndex() == 0
            resets = lambda: [box for box in window.findChildren(QMessageBox) if box.windowTitle() == "Settings reset"]  # noqa: E731
            if launch == "first":
                qtbot.waitUntil(lambda: len(resets()) == 1)
                assert "could not be read" in resets()[0].text() and "\n" not in resets()[0].text()
            else:
                with qtbot.assertNotEmitted(window.context.notices.errorShown, wait=100):
                    pass
                assert resets() == []  # said once: the first window saved good values over the bad one
        finally:
            window.close()


def error_boxes(window) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox)]


def test_save_as_never_replaces_a_fifo_and_writes_through_a_link(qtbot, main_window, trained_checkpoint: Path, tmp_path: Path) -> None:
    import os

    library = main_window.context.library
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(trained_checkpoint)
    fifo = tmp_path / "pipe.pt"
    os.mkfifo(fifo)
    assert not main_window.save_checkpoint_as(str(fifo))  # returns at once: a FIFO is never opened
    assert fifo.is_fifo()
    assert error_boxes(main_window) == [f"{fifo}: is not a regular file (a FIFO, device or socket), so it was left alone"]
    real = tmp_path / "real.pt"
    real.write_bytes(b"older model")
    link = tmp_path / "link.pt"
    link.symlink_to(real)
    assert main_window.save_checkpoint_as(str(link))
    assert link.is_symlink() and real.read_bytes() == trained_checkpoint.read_bytes()


def test_save_as_on_a_full_disk_says_no_space(qtbot, main_window, trained_checkpoint: Path, tmp_path: Path, monkeypatch) -> None:
    import errno
    import io

    from mnist_studio.core import files

    class FullDisk(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_on_full_disk(temporary: Path) -> io.BufferedWriter:
        temporary.touch()
        return io.BufferedWriter(FullDisk(), buffer_size=16)

    library = main_window.context.library
    with qtbot.waitSignal(library.currentChanged, timeout=30_000):
        library.select(trained_checkpoint)
    target = tmp_path / "mine.pt"
    target.write_bytes(b"my older model")
    monkeypatch.setattr(files, "_open_new", open_on_full_disk)
    assert not main_window.save_checkpoint_as(str(target))
    assert error_boxes(main_window) == [f"{target}: no space left on the device; nothing was written"]
    assert target.read_bytes() == b"my older model" and sorted(tmp_path.iterdir()) == [trained_checkpoint, target]
