"""The raw reader: non-regular files, oversized files, deflate bombs and the bounded scan for unsafe globals."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hostile_files import deflate_bomb, good_payload, many_pickles

from mnist_studio.core import checkpoint_reading
from mnist_studio.core.checkpoint_reading import MAX_CHECKPOINT_BYTES, CheckpointError, CheckpointProblem
from mnist_studio.core.checkpoints import load_checkpoint, save_checkpoint

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")
MEMORY_ALLOWANCE_MB = 200  # issue 11: refusing a hostile file costs at most this much more than a good one


def refused(path: Path, reason: CheckpointProblem) -> str:
    with pytest.raises(CheckpointError) as raised:
        load_checkpoint(path)
    assert raised.value.reason is reason, str(raised.value)
    assert raised.value.path == path
    message = str(raised.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@POSIX
def test_a_fifo_is_named_for_what_it_is_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "model.pt"
    os.mkfifo(fifo)  # nobody writes: opening it for reading the usual way would wait forever
    assert "not a regular file (a FIFO)" in refused(fifo, CheckpointProblem.NOT_REGULAR)


@POSIX
def test_a_device_or_socket_is_not_a_regular_file(tmp_path: Path) -> None:
    assert "not a regular file (a device)" in refused(Path("/dev/zero"), CheckpointProblem.NOT_REGULAR)
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "s.pt"))
        refused(tmp_path / "s.pt", CheckpointProblem.NOT_REGULAR)
    finally:
        server.close()


def test_a_file_bigger_than_any_checkpoint_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.pt"
    with path.open("wb") as stream:
        stream.write(b"PK\x03\x04")
        stream.truncate(MAX_CHECKPOINT_BYTES + 1)  # sparse: costs no disk
    assert "the file is" in refused(path, CheckpointProblem.TOO_LARGE)


def test_a_deflate_bomb_is_refused_from_the_zip_directory(tmp_path: Path) -> None:
    bomb = deflate_bomb(tmp_path / "bomb.pt", 64 * 2**20)
    assert bomb.stat().st_size < 2**20
    message = refused(bomb, CheckpointProblem.TOO_LARGE)
    assert "the archive unpacks to 67" in message  # MB: the zeros and the real records


def test_an_archive_without_an_object_record_is_not_a_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "photos.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8" * 100)
    refused(path, CheckpointProblem.NOT_A_CHECKPOINT)


def test_a_legacy_pickle_is_never_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "legacy.pt"
    path.write_bytes(b"\x80\x02]q\x00(K\x01K\x02e.")  # pickle.dumps([1, 2], protocol=2)
    refused(path, CheckpointProblem.NOT_A_CHECKPOINT)


def test_the_unsafe_globals_scan_reads_a_bounded_total(tmp_path: Path) -> None:
    # Five records of 8 MiB each: 40 MiB, more than the bound; the scan stops at the bound.
    archive = many_pickles(tmp_path / "many.pt", 5, 8 * 2**20)
    with archive.open("rb") as stream:
        records = checkpoint_reading._archive_pickles(stream)
    assert sum(len(record.getbuffer()) for record in records) <= MAX_CHECKPOINT_BYTES
    refused(archive, CheckpointProblem.TOO_LARGE)  # and loading refuses it from the directory alone


def test_the_size_bound_holds_every_architectures_stopped_run_with_room_to_spare() -> None:
    import torch

    from mnist_studio.core.config import TRAINING_IMAGES, TrainingConfig
    from mnist_studio.core.registry import ARCHITECTURES, build_model
    from mnist_studio.core.training.optimization import build_optimizer, build_schedule

    for arch in ARCHITECTURES:
        config = TrainingConfig.for_architecture(arch)
        model = build_model(arch)
        optimizer = build_optimizer(config, model)
        schedule = build_schedule(config, optimizer, 100)
        model(torch.zeros(2, 1, 28, 28)).sum().backward()
        optimizer.step()
        schedule.step()
        payload = good_payload(arch, status="stopped")
        payload["training_state"] = {
            "optimizer": optimizer.state_dict(),
            "schedule": schedule.state_dict(),
            "epoch_order": torch.randperm(TRAINING_IMAGES),
            "torch_rng": torch.get_rng_state(),
        }
        stream = io.BytesIO()
        torch.save(payload, stream)
        assert 2 * len(stream.getvalue()) < MAX_CHECKPOINT_BYTES, arch


MEASURE = """
import json, resource, sys
from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

load_checkpoint(sys.argv[1])
good = peak_mb()
refusals = {}
for path in sys.argv[2:]:
    try:
        load_checkpoint(path)
        refusals[path] = "loaded"
    except CheckpointError as error:
        refusals[path] = error.reason.value
print(json.dumps({"extra_mb": peak_mb() - good, "refusals": refusals}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
def test_refusing_hostile_archives_costs_little_memory_over_a_good_checkpoint(tmp_path: Path) -> None:
    good = save_checkpoint(tmp_path / "good.pt", good_payload("mlp"))
    hostile = [
        deflate_bomb(tmp_path / "bomb.pt", 256 * 2**20),  # unpacked, 256 MiB: more than the allowance
        many_pickles(tmp_path / "many.pt", 5, 60 * 2**20),
    ]
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, good, *hostile], capture_output=True, text=True, timeout=300, check=True
    )
    measured = json.loads(result.stdout)
    assert set(measured["refusals"].values()) == {"too_large"}
    assert measured["extra_mb"] < MEMORY_ALLOWANCE_MB, measured


def test_the_error_keeps_reason_and_path_through_pickling_and_takes_a_plain_message() -> None:
    import pickle

    error = CheckpointError(Path("m.pt"), CheckpointProblem.EMPTY)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, str(copy)) == (Path("m.pt"), CheckpointProblem.EMPTY, str(error))
    plain = CheckpointError("m.pt: not usable")
    assert (str(plain), plain.reason, plain.path) == ("m.pt: not usable", None, None)
    assert str(pickle.loads(pickle.dumps(plain))) == "m.pt: not usable"
