"""Fixtures for the engine's tests: every test writes runs and caches under its own tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from mnist_studio.core.config import TrainingConfig


@pytest.fixture(autouse=True)
def isolated_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the runs folder and the cache at tmp_path, away from the repository and the user."""
    monkeypatch.setenv("MNIST_STUDIO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MNIST_STUDIO_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def tiny_config() -> Callable[..., TrainingConfig]:
    """Factory of runs that take seconds on the CPU: 512 images, batches of 64, one thread."""

    def make(arch: str = "lenet5", **overrides: object) -> TrainingConfig:
        values: dict[str, object] = {"epochs": 1, "subset": 512, "batch_size": 64, "device": "cpu", "threads": 1}
        values.update(overrides)
        return TrainingConfig.for_architecture(arch, **values)

    return make
