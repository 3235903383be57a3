"""Checkpoint files: round trip, atomic writes, and one clear CheckpointError for every broken or hostile file."""

from __future__ import annotations

import errno
import io
import os
import pickle
import shlex
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest
import torch

from mnist_studio.core import checkpoints, files, paths
from mnist_studio.core.checkpoints import (
    FORMAT_VERSION,
    CheckpointError,
    build_payload,
    load_checkpoint,
    load_model,
    reserve_run_path,
    save_checkpoint,
    save_fallback,
)
from mnist_studio.core.config import TrainingConfig
from mnist_studio.core.files import OutputPathError, OutputProblem
from mnist_studio.core.registry import build_model


def make_payload(arch: str = "lenet5", **changes: Any) -> dict[str, Any]:
    torch.manual_seed(0)
    payload = build_payload(
        TrainingConfig.for_architecture(arch),
        build_model(arch),
        status="completed",
        epoch=1,
        step=430,
        metrics={"test_accuracy": 0.98, "history": [{"epoch": 1, "val_accuracy": 0.97}]},
        training_state={},
    )
    payload.update(changes)
    return payload


class RunsCode:
    """Unpickling this runs a shell command: the kind of file a checkpoint loader must refuse."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {shlex.quote(str(self.marker))}",))


@pytest.mark.parametrize("arch", ["mlp", "lenet5", "resnet", "gru", "vit"])
def test_round_trip_keeps_everything(tmp_path: Path, arch: str) -> None:
    payload = make_payload(arch)
    path = save_checkpoint(tmp_path / "sub" / "model.pt", payload)
    checkpoint = load_checkpoint(path)
    assert (checkpoint.arch, checkpoint.status, checkpoint.epoch, checkpoint.step) == (arch, "completed", 1, 430)
    assert checkpoint.config == TrainingConfig.for_architecture(arch)
    assert checkpoint.metrics == payload["metrics"] and checkpoint.test_accuracy == 0.98
    assert checkpoint.torch_version == torch.__version__
    for name, tensor in payload["model_state"].items():
        assert torch.equal(checkpoint.model_state[name], tensor)
    model, loaded = load_model(path)
    assert not model.training and loaded.arch == arch
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, payload["model_state"][name])


def test_a_new_file_is_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = save_checkpoint(tmp_path / "model.pt", make_payload())
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def write_truncated(path: Path) -> None:
    save_checkpoint(path, make_payload())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def write_state_dict(path: Path) -> None:
    torch.save(build_model("lenet5").state_dict(), path)


def write_wrong_architecture(path: Path) -> None:
    lenet_weights = make_payload("lenet5")["model_state"]
    save_checkpoint(path, make_payload("mlp", model_state=lenet_weights))


BROKEN_FILES = {
    "empty": (lambda path: path.write_bytes(b""), "empty"),
    "random bytes": (lambda path: path.write_bytes(os.urandom(4096)), "not a checkpoint"),
    "text": (lambda path: path.write_text("hello\n"), "not a checkpoint"),
    "truncated": (write_truncated, "truncated or corrupt"),
    "state dict": (write_state_dict, "state dict"),
    "wrong architecture": (write_wrong_architecture, "made for another architecture.*'lenet5' weights"),
    "newer format": (
        lambda path: save_checkpoint(path, make_payload(format_version=FORMAT_VERSION + 1)),
        "newer MNIST Studio",
    ),
    "unknown architecture": (lambda path: save_checkpoint(path, make_payload() | {"arch": "alexnet"}), "unknown architecture"),
    "other pickle": (lambda path: torch.save([1, 2, 3], path), "not an MNIST Studio checkpoint"),
    "bad status": (lambda path: save_checkpoint(path, make_payload(status=7)), "corrupt"),
    "bad config": (lambda path: save_checkpoint(path, make_payload(config={"epochs": -1})), "corrupt.*epochs"),
    "config not a mapping": (lambda path: save_checkpoint(path, make_payload(config=[1])), "corrupt"),
    "missing weights": (lambda path: save_checkpoint(path, make_payload(model_state=None)), "corrupt"),
    "wrong shape": (
        lambda path: save_checkpoint(
            path, make_payload(model_state=make_payload()["model_state"] | {"classifier.5.bias": torch.zeros(3)})
        ),
        "do not fit",
    ),
    "a folder": (lambda path: path.mkdir(), "folder"),
    "missing": (lambda path: None, "no such"),
}


@pytest.mark.parametrize("kind", BROKEN_FILES)
def test_broken_files_raise_one_clear_line(tmp_path: Path, kind: str) -> None:
    write, reason = BROKEN_FILES[kind]
    path = tmp_path / "broken.pt"
    write(path)
    with pytest.raises(CheckpointError, match=reason) as raised:
        load_checkpoint(path)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(path))
    error = raised.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


@pytest.mark.parametrize("writer", ["torch.save", "pickle.dump"])
def test_a_file_whose_loading_would_run_code_is_refused_and_runs_nothing(tmp_path: Path, writer: str) -> None:
    marker = tmp_path / "MARKER"
    payload = make_payload(metrics={"note": RunsCode(marker)}) if writer == "torch.save" else RunsCode(marker)
    path = tmp_path / "hostile.pt"
    if writer == "torch.save":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload))
    with pytest.raises(CheckpointError, match="unsafe"):
        load_checkpoint(path)
    assert not marker.exists()
    if writer == "pickle.dump":  # control: the file really is hostile to a plain unpickler
        pickle.loads(path.read_bytes())
        assert marker.exists()


def test_a_failed_write_leaves_the_previous_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save_checkpoint(tmp_path / "model.pt", make_payload())
    before = path.read_bytes()

    def save_half_then_fail(payload: Any, stream: Any) -> None:
        stream.write(before[: len(before) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints.torch, "save", save_half_then_fail)
    with pytest.raises(OutputPathError, match="no space left on the device") as raised:
        save_checkpoint(path, make_payload(step=999))
    assert raised.value.reason is OutputProblem.NO_SPACE
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == [path]


def test_an_unpicklable_payload_leaves_the_previous_file_untouched(tmp_path: Path) -> None:
    path = save_checkpoint(tmp_path / "model.pt", make_payload())
    before = path.read_bytes()
    with pytest.raises(Exception):
        save_checkpoint(path, make_payload(metrics={"callback": lambda: None}))
    assert path.read_bytes() == before
    assert sorted(tmp_path.iterdir()) == [path]


def test_a_stopped_run_keeps_its_training_state(tmp_path: Path) -> None:
    state = {"step_in_epoch": 3, "torch_rng": torch.get_rng_state(), "epoch_order": torch.randperm(10)}
    path = save_checkpoint(tmp_path / "stopped.pt", make_payload(status="stopped", training_state=state))
    checkpoint = load_checkpoint(path)
    assert checkpoint.status == "stopped" and checkpoint.test_accuracy == 0.98
    assert torch.equal(checkpoint.training_state["epoch_order"], state["epoch_order"])


class FullDisk(io.RawIOBase):
    """A file on a device with ``room`` bytes left: a write beyond it fails with ENOSPC."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return len(data)


def test_a_disk_filling_up_inside_torch_save_is_named_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_checkpoint(tmp_path / "model.pt", make_payload())
    before = path.read_bytes()

    def open_on_full_disk(temporary: Path) -> io.BufferedWriter:
        temporary.touch()
        return io.BufferedWriter(FullDisk(len(before) // 3))

    monkeypatch.setattr(files, "_open_new", open_on_full_disk)
    with pytest.raises(OutputPathError) as raised:  # torch itself raises RuntimeError("... unexpected pos ...")
        save_checkpoint(path, make_payload(step=999))
    assert raised.value.reason is OutputProblem.NO_SPACE
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


def test_torchs_short_write_error_means_no_space(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def short_write(payload: Any, stream: Any) -> None:
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 704 vs 598")

    monkeypatch.setattr(checkpoints.torch, "save", short_write)
    with pytest.raises(OutputPathError) as raised:
        save_checkpoint(tmp_path / "model.pt", make_payload())
    assert raised.value.reason is OutputProblem.NO_SPACE
    assert str(raised.value) == f"{tmp_path / 'model.pt'}: no space left on the device; the file was not written"


def test_the_fallback_keeps_the_weights_in_the_runs_folder_else_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = make_payload()
    rescued = save_fallback(payload, "/proc/lost.pt")
    assert rescued.parent == paths.runs_dir() and rescued.name == "lost-rescued.pt"
    assert load_checkpoint(rescued).step == 430
    assert save_fallback(payload, "/proc/lost.pt").name == "lost-rescued-2.pt"  # never over an earlier rescue
    monkeypatch.setenv("MNIST_STUDIO_RUNS", "/proc/no-runs-here")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    rescued = save_fallback(payload, "/proc/lost.pt")
    assert rescued == tmp_path / "temporary" / "lost-rescued.pt" and load_checkpoint(rescued).arch == "lenet5"
    monkeypatch.setattr(tempfile, "tempdir", "/proc")
    with pytest.raises(OutputPathError):
        save_fallback(payload, "/proc/lost.pt")


def test_reserved_run_names_never_repeat_and_the_save_fills_them(tmp_path: Path) -> None:
    reserved = [reserve_run_path("lenet5") for _ in range(3)]  # as three runs started in one second
    assert len({path.name for path in reserved}) == 3
    assert all(path.parent == paths.runs_dir() and path.name.startswith("lenet5-") for path in reserved)
    save_checkpoint(reserved[0], make_payload())
    assert load_checkpoint(reserved[0]).arch == "lenet5"


def test_a_file_too_large_for_the_file_system_is_not_called_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class FileTooLarge(FullDisk):
        def write(self, data: Any) -> int:
            if len(data) > self.room:
                self.room = 2**40  # fails once: what torch was told is all that tells the cause
                raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))  # FAT32's 4 GiB, or ulimit -f
            return super().write(data)

    def open_with_a_size_limit(temporary: Path) -> io.BufferedWriter:
        temporary.touch()
        return io.BufferedWriter(FileTooLarge(1000))

    monkeypatch.setattr(files, "_open_new", open_with_a_size_limit)
    with pytest.raises(OutputPathError) as raised:  # torch raises its RuntimeError; the stream saw EFBIG
        save_checkpoint(tmp_path / "model.pt", make_payload())
    assert raised.value.reason is OutputProblem.WRITE_FAILED
    assert str(raised.value) == f"{tmp_path / 'model.pt'}: could not write the file (File too large)"


def test_any_unforeseen_failure_while_loading_is_still_a_checkpoint_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_checkpoint(tmp_path / "model.pt", make_payload())

    def unforeseen(*args: Any, **keywords: Any) -> None:
        raise KeyError("something nobody thought of")

    monkeypatch.setattr(checkpoints, "validate_checkpoint_fields", unforeseen)
    with pytest.raises(CheckpointError, match="corrupt \\(KeyError\\)") as raised:
        load_checkpoint(path)
    assert raised.value.reason is checkpoints.CheckpointProblem.CORRUPT
    monkeypatch.undo()
    monkeypatch.setattr(torch.nn.Module, "load_state_dict", unforeseen)
    with pytest.raises(CheckpointError, match="corrupt \\(KeyError\\)"):
        load_model(path)
