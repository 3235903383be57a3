"""Checkpoint summaries: what the model lists show, in which order, and what they leave out."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hostile_files import deep_value, good_payload, save_raw

from mnist_studio.core.catalog import CheckpointSummary, list_checkpoints, read_summary, scan_checkpoints
from mnist_studio.core.checkpoints import CheckpointError, CheckpointProblem, build_payload, save_checkpoint
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


def test_one_bad_file_never_empties_the_list_and_each_skip_says_why(tmp_path: Path) -> None:
    write_checkpoint(tmp_path / "mlp.pt", "mlp", created="2026-01-02T00:00:00+00:00")
    write_checkpoint(tmp_path / "lenet5.pt", "lenet5", created="2026-01-03T00:00:00+00:00")
    save_raw(tmp_path / "overflow.pt", good_payload(config=good_payload()["config"] | {"learning_rate": 10**400}))
    save_raw(tmp_path / "deep.pt", good_payload(arch="lenet5") | {"status": deep_value(20_000)})
    save_raw(tmp_path / "text-accuracy.pt", good_payload(metrics={"test_accuracy": "0.98"}))
    save_raw(tmp_path / "far-future.pt", good_payload(created="9999-12-31T23:59:59-12:00"))
    os.mkfifo(tmp_path / "fifo.pt")
    (tmp_path / "garbage.pt").write_bytes(b"garbage")
    scan = scan_checkpoints(tmp_path)
    assert [summary.path.name for summary in scan.summaries] == ["mlp.pt", "lenet5.pt"]
    skipped = {entry.path.name: entry.reason for entry in scan.skipped}
    assert skipped == {
        "deep.pt": CheckpointProblem.CORRUPT,
        "far-future.pt": CheckpointProblem.CORRUPT,
        "fifo.pt": CheckpointProblem.NOT_REGULAR,
        "garbage.pt": CheckpointProblem.NOT_A_CHECKPOINT,
        "overflow.pt": CheckpointProblem.CORRUPT,
        "text-accuracy.pt": CheckpointProblem.CORRUPT,
    }
    assert all(entry.message.startswith(str(entry.path)) and "\n" not in entry.message for entry in scan.skipped)
    assert [summary.path.name for summary in list_checkpoints(tmp_path)] == ["mlp.pt", "lenet5.pt"]


def test_a_name_reserved_by_a_run_in_progress_is_in_neither_list(tmp_path: Path) -> None:
    (tmp_path / "lenet5-20260102-030405.pt").touch()
    scan = scan_checkpoints(tmp_path)
    assert scan.summaries == () and scan.skipped == ()


def test_listing_removes_our_stale_temporary_files_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / ".lenet5.pt.0123456789ab.tmp"
    stale.write_bytes(b"half a checkpoint")
    keep = tmp_path / ".notes.tmp"
    keep.write_bytes(b"someone else's")
    long_ago = time.time() - 3600
    for path in (stale, keep):
        os.utime(path, (long_ago, long_ago))
    list_checkpoints(tmp_path)
    assert not stale.exists() and keep.exists()


@pytest.mark.parametrize("created", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "garbage"])
def test_a_date_that_cannot_be_shown_in_local_time_is_left_out(created: str) -> None:
    summary = CheckpointSummary(Path("x.pt"), "gru", "completed", 3, None, None, created)
    assert summary.created_local == ""
