"""Precision and compilation options: recorded, reproducible, and a compiler failure never fails a run."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import torch

from mnist_studio.core.checkpoints import load_checkpoint
from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.core.progress import CompilationFailed, RunStarted, RunStatus, TrainingFinished
from mnist_studio.core.training import Trainer, acceleration, loop

ConfigFactory = Callable[..., TrainingConfig]


def test_bf16_runs_are_recorded_and_reproducible(tiny_config: ConfigFactory, tmp_path: Path) -> None:
    config = tiny_config(precision="bf16")
    first = Trainer(config, checkpoint_path=tmp_path / "a.pt")
    records = list(first.run())
    assert isinstance(records[0], RunStarted) and records[0].precision == "bf16"
    assert records[-1].status is RunStatus.COMPLETED
    second = Trainer(config, checkpoint_path=tmp_path / "b.pt")
    list(second.run())
    a, b = load_checkpoint(tmp_path / "a.pt"), load_checkpoint(tmp_path / "b.pt")
    assert a.config.precision == "bf16" and a.metrics["precision"] == "bf16"
    assert all(torch.equal(a.model_state[name], b.model_state[name]) for name in a.model_state)


def test_auto_precision_follows_the_device_and_the_measured_table(
    tiny_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    cpu = torch.device("cpu")
    config = tiny_config(precision="auto")
    monkeypatch.setattr(acceleration, "has_native_bf16", lambda device: False)
    assert acceleration.resolve_precision(config, cpu) == "fp32"
    monkeypatch.setattr(acceleration, "has_native_bf16", lambda device: True)
    expected = "bf16" if acceleration.get_architecture("lenet5").bf16_pays else "fp32"
    assert acceleration.resolve_precision(config, cpu) == expected
    assert acceleration.resolve_precision(tiny_config(precision="fp32"), cpu) == "fp32"


def test_an_unknown_precision_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="precision must be one of fp32, bf16, auto"):
        TrainingConfig(precision="fp8")


def test_a_compiler_failure_falls_back_to_the_eager_model(
    tiny_config: ConfigFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_compile(model: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
        def forward(images: torch.Tensor) -> torch.Tensor:
            raise RuntimeError("inductor: no C++ compiler found\nmore detail")

        return forward

    monkeypatch.setattr(loop, "compiled", broken_compile)
    eager = Trainer(tiny_config(), checkpoint_path=tmp_path / "eager.pt")
    list(eager.run())
    trainer = Trainer(tiny_config(compile=True), checkpoint_path=tmp_path / "compiled.pt")
    records = list(trainer.run())
    assert isinstance(records[0], RunStarted) and records[0].compiled
    notices = [record for record in records if isinstance(record, CompilationFailed)]
    assert [notice.error for notice in notices] == ["RuntimeError: inductor: no C++ compiler found"]
    finished = records[-1]
    assert isinstance(finished, TrainingFinished) and finished.status is RunStatus.COMPLETED
    # The failed attempt changed nothing: the run equals one that never tried to compile.
    a, b = load_checkpoint(tmp_path / "eager.pt"), load_checkpoint(tmp_path / "compiled.pt")
    assert all(torch.equal(a.model_state[name], b.model_state[name]) for name in a.model_state)
    assert b.metrics["compiled"] is False
