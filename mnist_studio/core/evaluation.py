"""Running a model over many images: logits, accuracy, per-class accuracy, confusion matrix."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.data import normalise
from mnist_studio.core.robustness import perturbed_copy

# Batches of 500 keep each layer's activations small enough for the allocator to reuse; at 2000
# they are tens of MB, freshly mapped and page-faulted per batch: LeNet5 on the 10,000 test
# images took 2.2x as long, ResNet 3.4x (benchmarks/evaluation_speed.py, docs/BENCHMARKS.md).
EVALUATION_BATCH_SIZE = 500


@dataclass(frozen=True)
class EvaluationResult:
    """Results on a labelled set. Tensors live on the CPU and are not shared with a model."""

    correct: int
    total: int
    loss: float
    predictions: torch.Tensor  # (N,) int64
    probabilities: torch.Tensor  # (N, 10) float32
    labels: torch.Tensor  # (N,) int64
    confusion: torch.Tensor  # (10, 10) int64, rows = true digit, columns = predicted digit
    seconds: float

    @property
    def accuracy(self) -> float:
        """Fraction of images classified correctly (0-1)."""
        return self.correct / self.total if self.total else 0.0

    @property
    def per_class_accuracy(self) -> list[float]:
        """Accuracy for each true digit 0-9 (0 for a digit with no images)."""
        per_class = self.confusion.diagonal().double() / self.confusion.sum(1).clamp(min=1).double()
        return per_class.tolist()


def model_logits(model: nn.Module, images: torch.Tensor, batch_size: int = EVALUATION_BATCH_SIZE) -> torch.Tensor:
    """Logits for normalised ``images`` in eval mode, without gradients; restores train mode."""
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return torch.cat([model(images[i : i + batch_size]) for i in range(0, len(images), batch_size)])
    finally:
        model.train(was_training)


def evaluate(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = EVALUATION_BATCH_SIZE
) -> EvaluationResult:
    """Evaluate ``model`` on normalised ``images`` with their ``labels`` (same device as the model)."""
    started = time.perf_counter()
    logits = model_logits(model, images, batch_size)
    loss = nn.functional.cross_entropy(logits, labels).item()
    probabilities = logits.softmax(1).float().cpu()
    predictions = probabilities.argmax(1)
    cpu_labels = labels.cpu()
    confusion = torch.bincount(cpu_labels * NUM_CLASSES + predictions, minlength=NUM_CLASSES**2)
    return EvaluationResult(
        correct=int((predictions == cpu_labels).sum()),
        total=len(cpu_labels),
        loss=loss,
        predictions=predictions,
        probabilities=probabilities,
        labels=cpu_labels,
        confusion=confusion.view(NUM_CLASSES, NUM_CLASSES),
        seconds=time.perf_counter() - started,
    )


def test_set_metrics(model: nn.Module, test_images: torch.Tensor, test_labels: torch.Tensor) -> dict[str, Any]:
    """The metrics a finished run records: accuracy on the test set and on its perturbed copy.

    ``test_images`` are the raw ``uint8`` test images; they are normalised on the model's device.
    """
    device = next(model.parameters()).device
    images, labels = normalise(test_images, device), test_labels.to(device)
    test = evaluate(model, images, labels)
    perturbed = evaluate(model, perturbed_copy(images), labels)
    return {
        "test_accuracy": test.accuracy,
        "test_correct": test.correct,
        "per_class_accuracy": test.per_class_accuracy,
        "perturbed_test_accuracy": perturbed.accuracy,
        "perturbed_test_correct": perturbed.correct,
    }
