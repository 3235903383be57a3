"""Checkpoint summaries: what the model lists show, in which order, and what they leave out."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnist_studio.core.catalog import CheckpointSummary, list_checkpoints, read_summary
from mnist_studio.core.checkpoints import CheckpointError, build_payload, save_checkpoint
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.registry import build_model


def write_checkpoint(path: Path, arch: str, *, created: str, status: str = "completed", accuracy: float = 0.98) -> Path:
    payload = build_payload(
        TrainingConfig.for_architecture(arch),
        build_model(arch),
        status=status,
        epoch=1,
        step=10,
        metrics={"test_accuracy": accuracy if status == "completed" else None, "val_accuracy": 0.97},
        training_state={},
    )
    payload["created"] = created
    return save_checkpoint(path, payload)


def test_a_summary_names_architecture_accuracy_date_and_file(tmp_path: Path) -> None:
    path = write_checkpoint(tmp_path / "lenet5.pt", "lenet5", created="2026-01-02T03:04:00+00:00", accuracy=0.98765)
    summary = read_summary(path)
    assert (summary.arch, summary.display_name, summary.status) == ("lenet5", "LeNet-5", "completed")
    assert summary.accuracy_text() == "98.77%"
    assert summary.created_local.startswith("2026-01-0")
    assert summary.describe() == f"LeNet-5 · 98.77% · {summary.created_local} · lenet5.pt"


def test_a_stopped_run_shows_its_validation_accuracy_and_state(tmp_path: Path) -> None:
    path = write_checkpoint(tmp_path / "run.pt", "mlp", created="2026-01-02T03:04:00+00:00", status="stopped")
    summary = read_summary(path)
    assert summary.accuracy_text() == "97.00% val"
    assert "stopped after 1 epoch" in summary.describe()


def test_lists_in_registry_order_newest_first_and_skips_unreadable_files(tmp_path: Path) -> None:
    write_checkpoint(tmp_path / "vit.pt", "vit", created="2026-01-05T00:00:00+00:00")
    write_checkpoint(tmp_path / "lenet5-old.pt", "lenet5", created="2026-01-01T00:00:00+00:00")
    write_checkpoint(tmp_path / "lenet5-new.pt", "lenet5", created="2026-01-03T00:00:00+00:00")
    write_checkpoint(tmp_path / "mlp.pt", "mlp", created="2026-01-02T00:00:00+00:00")
    (tmp_path / "broken.pt").write_bytes(b"garbage")
    (tmp_path / "notes.txt").write_text("not a checkpoint")
    (tmp_path / "sub").mkdir()
    write_checkpoint(tmp_path / "sub" / "deeper.pt", "mlp", created="2026-01-02T00:00:00+00:00")
    names = [summary.path.name for summary in list_checkpoints(tmp_path)]
    assert names == ["mlp.pt", "lenet5-new.pt", "lenet5-old.pt", "vit.pt"]


def test_a_missing_folder_lists_nothing(tmp_path: Path) -> None:
    assert list_checkpoints(tmp_path / "absent") == []


def test_a_bad_file_raises_the_engine_error(tmp_path: Path) -> None:
    (tmp_path / "bad.pt").write_bytes(b"")
    with pytest.raises(CheckpointError, match="empty"):
        read_summary(tmp_path / "bad.pt")


def test_an_unknown_date_is_left_out() -> None:
    summary = CheckpointSummary(Path("x.pt"), "gru", "completed", 3, None, None, "")
    assert summary.created_local == ""
    assert summary.describe() == "GRU (rows) · no accuracy yet · x.pt"
