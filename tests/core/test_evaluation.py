"""Evaluation: accuracy, per-class accuracy and the confusion matrix, checked against a model with known answers."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from mnist_studio.core.evaluation import evaluate, model_logits


class AnswerKey(nn.Module):
    """Predicts the digit written in each image's first pixel."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return nn.functional.one_hot(images[:, 0, 0, 0].long(), 10).float() * 5


def images_answering(predictions: list[int]) -> torch.Tensor:
    images = torch.zeros(len(predictions), 1, 28, 28)
    images[:, 0, 0, 0] = torch.tensor(predictions, dtype=torch.float32)
    return images


def test_counts_accuracy_per_class_and_confusion() -> None:
    labels = torch.tensor([0, 0, 1, 1, 2, 3, 3, 3])
    predictions = [0, 1, 1, 1, 2, 3, 3, 5]
    result = evaluate(AnswerKey(), images_answering(predictions), labels, batch_size=3)
    assert (result.correct, result.total) == (6, 8) and result.accuracy == pytest.approx(0.75)
    assert result.per_class_accuracy[:4] == pytest.approx([0.5, 1.0, 1.0, 2 / 3])
    assert result.per_class_accuracy[4:] == [0.0] * 6  # digits without images
    assert result.confusion.shape == (10, 10) and int(result.confusion.sum()) == 8
    assert result.confusion[0, 1] == 1 and result.confusion[3, 5] == 1 and result.confusion[3, 3] == 2
    assert result.predictions.tolist() == predictions
    assert result.probabilities.shape == (8, 10)
    torch.testing.assert_close(result.probabilities.sum(1), torch.ones(8))
    assert result.loss > 0 and result.seconds >= 0


def test_logits_in_batches_equal_one_pass_and_training_mode_is_restored() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.Dropout(0.5)).train()
    images = torch.randn(7, 1, 28, 28)
    logits = model_logits(model, images, batch_size=3)
    assert model.training
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(logits, model(images))
