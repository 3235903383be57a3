"""The bundled MNIST files: loading, checksum verification, normalisation and the train/validation split."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from hostile_files import idx_gzip_bomb, recompress, relabel_keeping_size

from mnist_studio.core import data, paths
from mnist_studio.core.constants import MNIST_MEAN, MNIST_STD, NORMALISED_BACKGROUND, VALIDATION_SIZE
from mnist_studio.core.data import MNIST_FILES, DatasetError, MnistArrays, load_mnist, make_splits, normalise


def copy_dataset(folder: Path, skip: str | None = None) -> Path:
    folder.mkdir()
    for name in MNIST_FILES:
        if name != skip:
            shutil.copy(paths.mnist_dir() / f"{name}.gz", folder / f"{name}.gz")
    return folder


def test_arrays_have_mnist_shapes_and_types() -> None:
    arrays = load_mnist()
    assert arrays.train_images.shape == (60_000, 28, 28) and arrays.train_images.dtype == torch.uint8
    assert arrays.test_images.shape == (10_000, 28, 28) and arrays.test_images.dtype == torch.uint8
    assert arrays.train_labels.shape == (60_000,) and arrays.train_labels.dtype == torch.int64
    assert arrays.test_labels.shape == (10_000,) and arrays.test_labels.dtype == torch.int64
    assert set(arrays.train_labels.unique().tolist()) == set(range(10))
    assert load_mnist() is arrays  # loaded once per process


def test_a_verified_file_is_remembered_in_the_cache(tmp_path: Path) -> None:
    load_mnist(copy_dataset(tmp_path / "mnist"))
    verdicts = json.loads((paths.cache_dir() / "mnist-verified.json").read_text())
    assert sorted(verdicts.values()) == sorted(md5 for md5, _ in MNIST_FILES.values())


def test_a_corrupted_file_is_named_with_the_fix(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    damaged = folder / "train-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(damaged.read_bytes()))
    content[100] = (content[100] + 1) % 10  # one label changed: the file still parses
    damaged.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DatasetError, match="corrupt") as raised:
        load_mnist(folder)
    assert str(damaged) in str(raised.value) and "MNIST_STUDIO_DATA" in str(raised.value)


def test_a_truncated_archive_is_named(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    damaged = folder / "train-labels-idx1-ubyte.gz"
    damaged.write_bytes(damaged.read_bytes()[:5000])
    with pytest.raises(DatasetError, match="unreadable") as raised:
        load_mnist(folder)
    assert str(damaged) in str(raised.value)


def test_a_damaged_deflate_stream_is_named(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    damaged = folder / "train-labels-idx1-ubyte.gz"
    content = bytearray(damaged.read_bytes())
    content[40:60] = bytes(20)
    damaged.write_bytes(bytes(content))
    with pytest.raises(DatasetError) as raised:
        load_mnist(folder)
    assert str(damaged) in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist", skip="t10k-images-idx3-ubyte")
    with pytest.raises(DatasetError, match="missing") as raised:
        load_mnist(folder)
    assert str(folder / "t10k-images-idx3-ubyte.gz") in str(raised.value)


def test_normalisation_round_trips_and_matches_the_constants() -> None:
    images = load_mnist().train_images
    normalised = normalise(images)
    assert normalised.shape == (60_000, 1, 28, 28) and normalised.dtype == torch.float32
    assert normalised.mean().item() == pytest.approx(0.0, abs=1e-3)
    assert normalised.std().item() == pytest.approx(1.0, abs=1e-3)
    restored = (normalised[:100, 0] * MNIST_STD + MNIST_MEAN) * 255
    assert torch.equal(restored.round().to(torch.uint8), images[:100])
    assert normalised[0, 0, 0, 0].item() == pytest.approx(NORMALISED_BACKGROUND)


def test_normalise_never_changes_its_input() -> None:
    floats = torch.full((2, 28, 28), 255.0)
    normalise(floats)
    assert torch.equal(floats, torch.full((2, 28, 28), 255.0))


def numbered_arrays() -> MnistArrays:
    """Fake arrays whose labels are the image indices, so a split shows which images it took."""
    return MnistArrays(
        train_images=torch.zeros(60_000, 28, 28, dtype=torch.uint8),
        train_labels=torch.arange(60_000),
        test_images=torch.zeros(10, 28, 28, dtype=torch.uint8),
        test_labels=torch.arange(10),
    )


def test_splits_are_disjoint_complete_and_fixed_by_the_seed() -> None:
    arrays = numbered_arrays()
    splits = make_splits(arrays, validation_size=VALIDATION_SIZE, seed=3, device="cpu")
    train, val = set(splits.train_labels.tolist()), set(splits.val_labels.tolist())
    assert len(val) == VALIDATION_SIZE and len(train) == 60_000 - VALIDATION_SIZE
    assert not train & val and len(train | val) == 60_000
    again = make_splits(arrays, validation_size=VALIDATION_SIZE, seed=3, device="cpu")
    assert torch.equal(again.val_labels, splits.val_labels) and torch.equal(again.train_labels, splits.train_labels)
    other = make_splits(arrays, validation_size=VALIDATION_SIZE, seed=4, device="cpu")
    assert not torch.equal(other.val_labels, splits.val_labels)
    assert splits.train_images.shape == (55_000, 1, 28, 28) and splits.val_images.dtype == torch.float32


def test_a_subset_keeps_the_validation_set_and_takes_training_images_from_the_same_order() -> None:
    arrays = numbered_arrays()
    full = make_splits(arrays, validation_size=VALIDATION_SIZE, seed=0, device="cpu")
    small = make_splits(arrays, validation_size=VALIDATION_SIZE, seed=0, device="cpu", subset=500)
    assert torch.equal(small.val_labels, full.val_labels)
    assert torch.equal(small.train_labels, full.train_labels[:500])


def fresh_load(folder: Path) -> MnistArrays:
    """Load as a new process would: the in-process copy forgotten, the verdict cache kept."""
    data._load_cached.cache_clear()
    return load_mnist(folder)


def test_a_gzip_bomb_is_refused_after_reading_no_more_than_an_mnist_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    bomb = idx_gzip_bomb(folder / "t10k-images-idx3-ubyte.gz", 2051, 10_000, 2**30)  # 1 GiB unpacked
    requested: list[int] = []
    original_read = gzip.GzipFile.read

    def recording_read(self: gzip.GzipFile, size: int = -1) -> bytes:
        requested.append(size)
        return original_read(self, size)

    monkeypatch.setattr(gzip.GzipFile, "read", recording_read)
    with pytest.raises(DatasetError, match="more bytes than an MNIST file holds") as raised:
        fresh_load(folder)
    assert str(bomb) in str(raised.value)
    assert requested and all(0 <= size <= data.expected_size("train-images-idx3-ubyte") + 1 for size in requested)


def test_a_file_far_larger_than_its_compressed_size_can_be_is_refused_unread(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    with (folder / "train-labels-idx1-ubyte.gz").open("r+b") as stream:
        stream.truncate(10 * 2**20)
    with pytest.raises(DatasetError, match="far larger than an MNIST file"):
        fresh_load(folder)


def test_a_short_file_with_a_valid_header_is_named(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    labels = folder / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(gzip.compress(gzip.decompress(labels.read_bytes())[:1000]))
    with pytest.raises(DatasetError, match="fewer bytes than an MNIST file holds"):
        fresh_load(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_a_fifo_in_place_of_a_data_file_is_named_without_blocking(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist", skip="train-labels-idx1-ubyte")
    os.mkfifo(folder / "train-labels-idx1-ubyte.gz")
    with pytest.raises(DatasetError, match="not a regular file"):
        fresh_load(folder)


@pytest.mark.parametrize(
    "cache",
    [
        "[" * 100_000 + "]" * 100_000,  # json.loads raises RecursionError, not ValueError
        '{"key": ' * 50_000 + "1" + "}" * 50_000,
        '{"a": [1, 2], "b": {"c": null}}',  # right syntax, wrong shape
        "\x00\xff garbage",
        "1" * (2 * 2**20),  # too big to be ours
    ],
)
def test_a_cache_that_cannot_be_read_is_no_cache(tmp_path: Path, cache: str) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    verdicts = paths.cache_dir() / "mnist-verified.json"
    verdicts.parent.mkdir(parents=True, exist_ok=True)
    verdicts.write_text(cache, errors="surrogateescape")
    arrays = fresh_load(folder)
    assert arrays.train_labels.shape == (60_000,)
    assert sorted(json.loads(verdicts.read_text()).values()) == sorted(md5 for md5, _ in MNIST_FILES.values())


def test_a_same_size_file_with_its_date_restored_is_checked_again(tmp_path: Path) -> None:
    folder = copy_dataset(tmp_path / "mnist")
    labels = recompress(folder / "train-labels-idx1-ubyte.gz")
    fresh_load(folder)  # verified and remembered
    size = labels.stat().st_size
    relabel_keeping_size(labels)
    assert labels.stat().st_size == size
    with pytest.raises(DatasetError, match="corrupt"):
        fresh_load(folder)
