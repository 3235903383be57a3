"""Fine-tuning a shipped model on a small set: the plan, the parent and data recorded, before and after."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest
import torch

from mnist_studio.core.checkpoints import Checkpoint, load_checkpoint
from mnist_studio.core.config import ConfigError
from mnist_studio.core.my_digits import mixing
from mnist_studio.core.my_digits.finetune import FineTuneError, FineTuneProblem, after, plan_finetune
from mnist_studio.core.my_digits.folder import DigitSet
from mnist_studio.core.my_digits.images import DigitImages, inspect_digit_images, load_digit_images
from mnist_studio.core.my_digits.mixing import MyDigitsSource
from mnist_studio.core.my_digits.recipe import FineTuneSettings
from mnist_studio.core.paths import pretrained_dir
from mnist_studio.core.progress import RunStarted, TrainingFinished

SetFactory = Callable[..., DigitSet]
SHORT_TEST_SET = 500  # the run's final MNIST score on fewer images: the same code, a tenth of the time


class ShortTestSource(MyDigitsSource):
    def prepare(self, config: Any, device: torch.device) -> Any:
        data = super().prepare(config, device)
        return dataclasses.replace(
            data, test_images=data.test_images[:SHORT_TEST_SET], test_labels=data.test_labels[:SHORT_TEST_SET]
        )


@pytest.fixture(scope="module")
def parent() -> Checkpoint:
    return load_checkpoint(pretrained_dir() / "lenet5.pt")


@pytest.fixture
def digits(make_set: SetFactory) -> DigitImages:
    return load_digit_images(make_set(per_digit=3).scan())


@dataclasses.dataclass
class Finished:
    started: RunStarted
    finished: TrainingFinished
    checkpoint: Checkpoint
    plan: Any
    batches: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]  # (trained on, before augmenting, augmented)


@pytest.fixture
def finetuned(digits: DigitImages, parent: Checkpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Finished:
    """One epoch of fine-tuning (64 personal slots, batches of 16), watching what each step trains on."""
    from mnist_studio.core.training import Trainer, loop

    plan = plan_finetune(parent, digits, FineTuneSettings(epochs=1, batch_size=16, device="cpu", threads=1))
    monkeypatch.setattr(mixing, "PERSONAL_SLOTS_PER_EPOCH", 64)
    warps: list[tuple[torch.Tensor, torch.Tensor]] = []
    trained_on: list[torch.Tensor] = []
    real_affine, real_loss = loop.random_affine, Trainer._loss

    def watched_affine(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        warps.append((images.clone(), real_affine(images, generator)))
        return warps[-1][1]

    def watched_loss(run: Any, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        trained_on.append(images.clone())
        return real_loss(run, images, labels)

    monkeypatch.setattr(loop, "random_affine", watched_affine)
    monkeypatch.setattr(Trainer, "_loss", staticmethod(watched_loss))
    source = ShortTestSource(plan.digits, plan.split, mnist_share=0.75, holdout_share=0.2)
    trainer = Trainer(plan.config, data=source, initial_weights=parent, checkpoint_path=tmp_path / "tuned.pt")
    records = list(trainer.run())
    started, finished = records[0], records[-1]
    batches = [(images, *warp) for images, warp in zip(trained_on, warps)]
    return Finished(started, finished, load_checkpoint(finished.checkpoint_path), plan, batches)


def test_the_new_checkpoint_records_its_parent_and_the_data_it_saw(finetuned: Finished, parent: Checkpoint) -> None:
    metrics = finetuned.checkpoint.metrics
    assert finetuned.finished.succeeded and finetuned.checkpoint.status == "completed"
    assert metrics["parent"]["path"] == str(parent.path) and metrics["parent"]["arch"] == "lenet5"
    assert metrics["parent"]["test_accuracy"] == parent.test_accuracy
    assert metrics["parent"]["val_accuracy"] == finetuned.started.initial_val_accuracy
    assert metrics["data"] == "my-digits+mnist"
    details = metrics["data_details"]
    digests = finetuned.plan.digits.digests
    assert details["personal_train"] == [digests[i] for i in finetuned.plan.split.train]
    assert details["personal_holdout"] == [digests[i] for i in finetuned.plan.split.holdout]
    assert details["mnist_images"] == 16 * 12  # 64 personal slots, 4 a batch: 16 batches with 12 MNIST images each
    assert finetuned.checkpoint.config.augment and finetuned.checkpoint.config.learning_rate == pytest.approx(1e-3)


def test_before_and_after_are_the_parent_and_the_new_model_on_the_same_images(finetuned: Finished) -> None:
    from mnist_studio.core.checkpoints import load_model

    plan = finetuned.plan
    before, result = plan.before(finetuned.started), after(finetuned.finished)
    assert before.mnist_test == plan.parent.test_accuracy
    held_out = dataclasses.replace(
        plan.digits,
        images=plan.digits.images[plan.split.holdout],
        labels=plan.digits.labels[plan.split.holdout],
        entries=tuple(plan.digits.entries[i] for i in plan.split.holdout),
    )
    parent_model, _ = load_model(plan.parent.path)
    tuned_model, _ = load_model(finetuned.checkpoint.path)
    assert before.personal == pytest.approx(inspect_digit_images(parent_model, held_out).accuracy)
    assert result.personal == pytest.approx(inspect_digit_images(tuned_model, held_out).accuracy)
    assert result.mnist_test == finetuned.checkpoint.test_accuracy


def test_only_the_personal_part_of_each_batch_is_augmented(finetuned: Finished) -> None:
    assert len(finetuned.batches) == 16
    for trained_on, plain, warped in finetuned.batches:
        from_warp = (trained_on == warped).flatten(1).all(1) & ~(plain == warped).flatten(1).all(1)
        unchanged = (trained_on == plain).flatten(1).all(1)
        assert from_warp[:4].all() and unchanged[4:].all()  # 4 personal images first, then 12 of MNIST


def test_a_stopped_parent_or_a_set_too_small_cannot_be_planned(digits: DigitImages, parent: Checkpoint) -> None:
    with pytest.raises(FineTuneError) as caught:
        plan_finetune(dataclasses.replace(parent, status="stopped"), digits, FineTuneSettings())
    assert caught.value.reason is FineTuneProblem.PARENT_NOT_COMPLETED
    one = dataclasses.replace(digits, images=digits.images[:1], labels=digits.labels[:1], entries=digits.entries[:1])
    with pytest.raises(FineTuneError) as caught:
        plan_finetune(parent, one, FineTuneSettings())
    assert caught.value.reason is FineTuneProblem.TOO_FEW_IMAGES


def test_missing_and_sparse_digits_are_named(make_set: SetFactory, parent: Checkpoint) -> None:
    digit_set = make_set(per_digit=3, digits=[0, 1, 2, 3, 4, 5, 6, 7])
    digit_set.add(np.pad(np.full((40, 40), 255, np.uint8), 100), 8)
    plan = plan_finetune(parent, load_digit_images(digit_set.scan()), FineTuneSettings())
    assert plan.missing_digits == (9,) and plan.sparse_digits == (8,)
    assert plan.holdout_counts == (1,) * 8 + (0, 0)


@pytest.mark.parametrize(
    "values", [{"mnist_share": 1.0}, {"mnist_share": -0.1}, {"holdout": 0.0}, {"holdout": 0.95}, {"epochs": 0}]
)
def test_out_of_range_settings_are_config_errors(values: dict[str, Any], digits: DigitImages, parent: Checkpoint) -> None:
    with pytest.raises(ConfigError):
        plan_finetune(parent, digits, FineTuneSettings(**values))


def test_a_report_on_the_set_reads_each_image_as_a_drawing_is_read(digits: DigitImages, parent: Checkpoint) -> None:
    from mnist_studio.core.checkpoints import load_model
    from mnist_studio.core.inference import predict_digits
    from mnist_studio.core.preprocess import preprocess_file

    model, _ = load_model(parent.path)
    report = inspect_digit_images(model, digits)
    predictions = predict_digits(model, [preprocess_file(entry.path) for entry in digits.entries])
    assert report.predictions.tolist() == [prediction.digit for prediction in predictions]
    assert report.total == digits.count == 30 and report.confusion.sum(1).tolist() == [3] * 10
