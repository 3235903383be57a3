"""Fixtures of the GUI tests: a shown main window, and trained checkpoints made once and cached.

A LeNet-5 trained for two epochs on the full training set (~98.8%) reads mouse-drawn digits
reliably. Training is deterministic (seeded), so a checkpoint cached in pytest's cache folder
under a key of its configuration and torch version is the one a fresh run would make.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest
from pytestqt.qtbot import QtBot

from mnist_studio.core.config import TrainingConfig

if TYPE_CHECKING:
    from mnist_studio.gui.services.model_library import ModelLibrary


def _trained_checkpoint(request: pytest.FixtureRequest, arch: str, **overrides: object) -> Path:
    import torch

    from mnist_studio.core.checkpoints import FORMAT_VERSION, CheckpointError, load_checkpoint
    from mnist_studio.core.training import Trainer

    config = TrainingConfig.for_architecture(arch, device="cpu", **overrides)
    identity = json.dumps([config.to_dict(), str(torch.__version__), FORMAT_VERSION], sort_keys=True)
    folder = Path(request.config.cache.mkdir("mnist-studio-test-models"))
    path = folder / f"{arch}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.pt"
    if path.exists():
        try:
            load_checkpoint(path)
            return path
        except CheckpointError:
            path.unlink()
    records = list(Trainer(config, checkpoint_path=path).run())
    assert records[-1].status == "completed", records[-1]
    return path


@pytest.fixture(scope="session")
def lenet5_checkpoint(request: pytest.FixtureRequest) -> Path:
    """LeNet-5, two epochs on all 55,000 training images (about 98.8% on the test set)."""
    return _trained_checkpoint(request, "lenet5", epochs=2)


@pytest.fixture(scope="session")
def mlp_checkpoint(request: pytest.FixtureRequest) -> Path:
    """A quick MLP (one epoch on 3,000 images, about 90%): a second, weaker model to compare."""
    return _trained_checkpoint(request, "mlp", epochs=1, subset=3000)


@pytest.fixture
def shipped_lenet5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lenet5_checkpoint: Path) -> Path:
    """A private "shipped checkpoints" folder holding lenet5.pt, the app's default model."""
    folder = tmp_path / "pretrained"
    folder.mkdir()
    shipped = folder / "lenet5.pt"
    shutil.copyfile(lenet5_checkpoint, shipped)
    monkeypatch.setenv("MNIST_STUDIO_PRETRAINED", str(folder))
    return shipped


@pytest.fixture
def library(qtbot: QtBot, shipped_lenet5: Path) -> Iterator[ModelLibrary]:
    """A ModelLibrary that has listed its folders and loaded the default model (the shipped LeNet-5)."""
    from mnist_studio.gui.services.model_library import ModelLibrary
    from mnist_studio.gui.services.workers import join_all

    library = ModelLibrary()
    with qtbot.waitSignal(library.currentChanged, timeout=60_000):
        library.refresh()
    yield library
    join_all()


@pytest.fixture
def main_window(qtbot: object) -> Iterator[object]:
    """A MainWindow shown offscreen, PyTorch and the default model loaded; closed (threads joined) afterwards."""
    from shiboken6 import isValid

    from mnist_studio.gui import MainWindow
    from mnist_studio.gui.services.torch_loader import LoaderState

    window = MainWindow()
    window.show()
    loader = window.context.torch_loader
    if loader.state is not LoaderState.LOADED:
        loader.start()
        with qtbot.waitSignal(loader.loaded, timeout=60_000):  # the first import takes seconds
            pass
    # Settled: the shipped default model (if any) has become the current model.
    library = window.context.library
    qtbot.waitUntil(lambda: library.has_scanned() and not library.is_busy(), timeout=60_000)
    yield window
    if isValid(window):
        window.close()
        window.deleteLater()


def _feature_widget(window: object, kind: type) -> object:
    (widget,) = [feature.widget for feature in window.features if isinstance(feature.widget, kind)]
    return widget


@pytest.fixture
def tab_of() -> object:
    """``tab_of(window, TrainTab)``: the window's tab of that kind (the window lists features, not tabs)."""
    return _feature_widget


@pytest.fixture
def train_tab(main_window: object) -> object:
    """The Train tab of ``main_window``."""
    from mnist_studio.gui.train.tab import TrainTab

    return _feature_widget(main_window, TrainTab)
