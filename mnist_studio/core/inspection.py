"""Inspecting a model on labelled images (the test set, a personal set): evaluation with progress, what to show.

The evaluation itself is :func:`mnist_studio.core.evaluation.evaluate` on the normalised test
set, the same call the CLI makes, so the app and ``mnist-studio evaluate`` agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    import torch
    from torch import nn

ProgressCallback = Callable[[int, int], None]  # (images done, images in all)


@dataclass(frozen=True, eq=False)
class ModelReport:
    """A model's results on the test set as plain numpy arrays, safe to hand to the GUI thread."""

    images: np.ndarray  # (N, 28, 28) uint8 test images
    labels: np.ndarray  # (N,) true digits
    predictions: np.ndarray  # (N,) predicted digits
    confidences: np.ndarray  # (N,) probability the model gave its predicted digit
    confusion: np.ndarray  # (10, 10) counts, rows = true digit, columns = predicted digit
    correct: int
    total: int
    accuracy: float
    per_class_accuracy: tuple[float, ...]
    loss: float
    seconds: float
    device: str  # where the evaluation ran, e.g. "cpu" or "cuda"

    @property
    def mistakes(self) -> np.ndarray:
        """Indices of the misclassified images."""
        return np.flatnonzero(self.predictions != self.labels)


def inspect_test_set(
    model: nn.Module,
    *,
    device: str | None = None,
    data_folder: Path | None = None,
    on_progress: ProgressCallback | None = None,
) -> ModelReport:
    """Evaluate ``model`` on the MNIST test set; see :func:`inspect_images`."""
    from mnist_studio.core.data import load_mnist

    arrays = load_mnist(data_folder)
    return inspect_images(model, arrays.test_images, arrays.test_labels, device=device, on_progress=on_progress)


def inspect_images(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    device: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> ModelReport:
    """Evaluate ``model`` on raw ``uint8`` ``images`` (N, 28, 28) with their ``labels``.

    ``on_progress(done, total)`` is called after each batch. ``device`` ("auto", "cpu", "cuda",
    ... as for the CLI) evaluates a copy there; by default the model runs where it is. Either way
    ``model`` itself is left untouched.
    """
    import copy

    from torch import nn

    from mnist_studio.core.data import normalise
    from mnist_studio.core.devices import resolve_device
    from mnist_studio.core.evaluation import evaluate

    if device is not None:
        target = resolve_device(device)
        if next(model.parameters()).device != target:
            model = copy.deepcopy(model).to(target)

    class _Counting(nn.Module):
        """Passes batches through ``model`` and reports each one; adds no computation."""

        def __init__(self) -> None:
            super().__init__()
            self.inner = model
            self.done = 0

        def forward(self, images: torch.Tensor) -> torch.Tensor:
            logits = self.inner(images)
            self.done += len(images)
            if on_progress is not None:
                on_progress(self.done, total)
            return logits

    total = len(labels)
    where = next(model.parameters()).device
    # eval() on the wrapper keeps evaluate() from switching the shared model back to training mode.
    result = evaluate(_Counting().eval(), normalise(images, where), labels.to(where))
    confidences = result.probabilities.gather(1, result.predictions.unsqueeze(1)).squeeze(1)
    return ModelReport(
        images=images.numpy(),
        labels=result.labels.numpy(),
        predictions=result.predictions.numpy(),
        confidences=confidences.numpy(),
        confusion=result.confusion.numpy(),
        correct=result.correct,
        total=result.total,
        accuracy=result.accuracy,
        per_class_accuracy=tuple(result.per_class_accuracy),
        loss=result.loss,
        seconds=result.seconds,
        device=where.type,
    )


def sample_indices(
    report: ModelReport, count: int, rng: np.random.Generator, *, mistakes_only: bool = False
) -> np.ndarray:
    """``count`` random test images (fewer when there are not enough), optionally only mistakes."""
    pool = report.mistakes if mistakes_only else np.arange(report.total)
    return rng.choice(pool, size=min(count, len(pool)), replace=False)


def cell_indices(report: ModelReport, true_digit: int, predicted_digit: int) -> np.ndarray:
    """The images behind one confusion-matrix cell.

    Mistakes come most confident first (the model's worst errors); a diagonal cell lists its
    correct answers least confident first (the closest calls).
    """
    chosen = np.flatnonzero((report.labels == true_digit) & (report.predictions == predicted_digit))
    order = np.argsort(report.confidences[chosen], kind="stable")
    if true_digit != predicted_digit:
        order = order[::-1]
    return chosen[order]
