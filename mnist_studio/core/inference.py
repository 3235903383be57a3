"""Reading preprocessed digits with a model: one drawing live, or many images at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import torch
from torch import nn

from mnist_studio.core.evaluation import model_logits
from mnist_studio.core.preprocess import PreprocessedDigit


@dataclass(frozen=True)
class Prediction:
    """The digit a model reads and its probability for each of 0-9."""

    digit: int
    probabilities: tuple[float, ...]  # 10 values summing to 1

    @property
    def confidence(self) -> float:
        """The probability of the predicted digit (0-1)."""
        return self.probabilities[self.digit]


def predict_digit(model: nn.Module, digit: PreprocessedDigit) -> Prediction | None:
    """The model's reading of ``digit``, or None when nothing is drawn (``digit.empty``)."""
    return predict_digits(model, [digit])[0]


def predict_digits(model: nn.Module, digits: Sequence[PreprocessedDigit]) -> list[Prediction | None]:
    """Read many digits in one batch on the model's device; None for each empty one.

    Runs in eval mode without gradients and leaves the model's train/eval mode as it was.
    """
    readable = [index for index, digit in enumerate(digits) if not digit.empty]
    predictions: list[Prediction | None] = [None] * len(digits)
    if not readable:
        return predictions
    device = next(model.parameters(), torch.empty(0)).device
    inputs = torch.cat([digits[index].tensor for index in readable]).to(device)
    probabilities = model_logits(model, inputs).float().softmax(1).cpu()
    for index, row in zip(readable, probabilities.tolist()):
        best = max(range(len(row)), key=row.__getitem__)
        predictions[index] = Prediction(digit=best, probabilities=tuple(row))
    return predictions
