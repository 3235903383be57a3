"""The fine-tuning data: every batch holds both sources, only the personal part is augmented."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.my_digits import mixing
from mnist_studio.core.my_digits.folder import DigitEntry
from mnist_studio.core.my_digits.images import DigitImages
from mnist_studio.core.my_digits.mixing import MyDigitsSource, batch_shares
from mnist_studio.core.my_digits.recipe import FineTuneSettings, training_config
from mnist_studio.core.my_digits.split import split_holdout


def personal_digits(per_digit: int = 4) -> DigitImages:
    """Images unlike any MNIST image (a constant grey square), so the two sources can be told apart."""
    labels = np.repeat(np.arange(10), per_digit)
    images = np.zeros((len(labels), 28, 28), dtype=np.uint8)
    images[:, 8:20, 8:20] = 77
    entries = tuple(DigitEntry(Path(f"{label}/{index}.png"), int(label), f"{index:016x}") for index, label in enumerate(labels))
    return DigitImages(Path("set"), images, labels, entries, ())


def is_personal(images: torch.Tensor) -> torch.Tensor:
    """Per (unaugmented) image: is it the personal grey square?"""
    template = normalise(torch.from_numpy(personal_digits(1).images[:1]))
    return (images - template).abs().amax(dim=(1, 2, 3)) < 1e-4


@pytest.fixture
def source() -> MyDigitsSource:
    digits = personal_digits()
    split = split_holdout(digits.labels, digits.digests, 0.25, seed=0)
    return MyDigitsSource(digits, split, mnist_share=0.75, holdout_share=0.25)


def test_every_batch_of_an_epoch_holds_personal_and_mnist_images_in_their_shares(source: MyDigitsSource) -> None:
    config = training_config("lenet5", FineTuneSettings(batch_size=16))
    data = source.prepare(config, torch.device("cpu"))
    personal_per_batch, mnist_per_batch = batch_shares(16, 0.75)
    assert (personal_per_batch, mnist_per_batch) == (4, 12)
    assert data.personal_slots >= mixing.PERSONAL_SLOTS_PER_EPOCH
    order = data.epoch_order(torch.Generator().manual_seed(1))
    assert torch.equal(order.sort().values, torch.arange(data.train_count))  # a permutation, as resuming expects
    for batch in order.view(-1, 16):
        personal = is_personal(data.train_images[batch])
        assert int(personal.sum()) == personal_per_batch  # really both sources, in every batch
        assert torch.equal(data.augment_mask[batch], personal)  # the personal part, and only it, is augmented
    mnist = load_mnist()
    assert torch.equal(data.test_images, mnist.test_images)  # the final score is still MNIST's test set


def test_validation_is_the_held_out_personal_images_and_the_details_name_them(source: MyDigitsSource) -> None:
    data = source.prepare(training_config("lenet5", FineTuneSettings()), torch.device("cpu"))
    assert len(data.val_labels) == len(source.split.holdout) == 10
    assert bool(is_personal(data.val_images).all())
    details = data.details
    assert details["personal_holdout"] == [source.digits.digests[i] for i in source.split.holdout]
    assert len(details["personal_train"]) == 30 and details["mnist_share"] == 0.75
    assert details["personal_train_per_digit"] == [3] * 10
    trained_on = {int(i) for i in np.unique(data.train_labels[: data.personal_slots].numpy())}
    assert trained_on == set(range(10))


def test_without_mnist_every_batch_is_personal(source: MyDigitsSource) -> None:
    source.mnist_share = 0.0
    data = source.prepare(training_config("lenet5", FineTuneSettings(batch_size=8)), torch.device("cpu"))
    assert data.train_count == data.personal_slots and bool(data.augment_mask.all())
