"""Inspecting a model on the test set: the CLI's evaluation with progress, and which images to show."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mnist_studio.core.data import load_mnist, normalise
from mnist_studio.core.evaluation import evaluate
from mnist_studio.core.inspection import ModelReport, cell_indices, inspect_test_set, sample_indices
from mnist_studio.core.registry import build_model


@pytest.fixture(scope="module")
def report() -> ModelReport:
    torch.manual_seed(0)
    return inspect_test_set(build_model("mlp").eval())  # untrained: plenty of mistakes in every cell


def test_matches_the_engine_evaluation_exactly_and_reports_progress() -> None:
    torch.manual_seed(1)
    model = build_model("mlp").eval()
    progress: list[tuple[int, int]] = []
    report = inspect_test_set(model, on_progress=lambda done, total: progress.append((done, total)))
    arrays = load_mnist()
    expected = evaluate(model, normalise(arrays.test_images), arrays.test_labels)
    assert (report.correct, report.total, report.accuracy) == (expected.correct, expected.total, expected.accuracy)
    assert report.per_class_accuracy == tuple(expected.per_class_accuracy)
    np.testing.assert_array_equal(report.predictions, expected.predictions.numpy())
    np.testing.assert_array_equal(report.confusion, expected.confusion.numpy())
    assert progress[-1] == (10_000, 10_000)
    assert report.device == "cpu"
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert not model.training


def test_holds_the_test_images_and_the_confidence_of_each_answer(report: ModelReport) -> None:
    assert report.images.shape == (10_000, 28, 28) and report.images.dtype == np.uint8
    assert report.labels.shape == report.predictions.shape == report.confidences.shape == (10_000,)
    assert ((report.confidences > 0) & (report.confidences <= 1)).all()
    assert len(report.mistakes) == report.total - report.correct


def test_samples_are_distinct_and_mistakes_only_are_mistakes(report: ModelReport) -> None:
    rng = np.random.default_rng(0)
    nine = sample_indices(report, 9, rng)
    assert len(set(nine.tolist())) == 9
    mistakes = sample_indices(report, 9, rng, mistakes_only=True)
    assert (report.predictions[mistakes] != report.labels[mistakes]).all()


def test_fewer_samples_when_there_are_not_enough_mistakes(report: ModelReport) -> None:
    perfect = ModelReport(**{**report.__dict__, "predictions": report.labels.copy()})
    assert len(sample_indices(perfect, 9, np.random.default_rng(0), mistakes_only=True)) == 0


def test_a_mistake_cell_lists_the_most_confident_mistakes_first(report: ModelReport) -> None:
    true_digit, predicted = np.unravel_index(np.argmax(report.confusion - np.diag(np.diag(report.confusion))), (10, 10))
    chosen = cell_indices(report, int(true_digit), int(predicted))
    assert len(chosen) == report.confusion[true_digit, predicted] > 1
    assert (report.labels[chosen] == true_digit).all() and (report.predictions[chosen] == predicted).all()
    assert (np.diff(report.confidences[chosen]) <= 0).all()


def test_a_diagonal_cell_lists_the_closest_calls_first(report: ModelReport) -> None:
    digit = int(np.argmax(np.diag(report.confusion)))
    chosen = cell_indices(report, digit, digit)
    assert len(chosen) == report.confusion[digit, digit]
    assert (np.diff(report.confidences[chosen]) >= 0).all()


def test_evaluates_on_the_named_device_without_moving_the_model() -> None:
    model = build_model("mlp").eval()
    report = inspect_test_set(model, device="cpu")
    assert report.device == "cpu"
    assert next(model.parameters()).device.type == "cpu"
