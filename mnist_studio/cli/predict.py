"""``mnist-studio predict``: the digit in each image file; unreadable images are reported, not fatal."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from mnist_studio.cli import EXIT_OK, EXIT_USAGE
from mnist_studio.cli.errors import CliError
from mnist_studio.core.checkpoints import CheckpointError, load_model
from mnist_studio.core.inference import Prediction, predict_digits
from mnist_studio.core.preprocess import ImageError, PreprocessedDigit, preprocess_file


def run(args: argparse.Namespace) -> int:
    """Print one line per image (digit and probabilities, or why it failed); 2 if any failed."""
    try:
        model, _ = load_model(args.checkpoint, "cpu")
    except CheckpointError as error:
        raise CliError(str(error)) from error
    digits: list[PreprocessedDigit | None] = []
    errors: list[str | None] = []
    for image in args.images:
        try:
            digits.append(preprocess_file(image))
            errors.append(None)
        except ImageError as error:
            digits.append(None)
            errors.append(_without_path(str(error), image))
    readable = [digit for digit in digits if digit is not None]
    predictions = iter(predict_digits(model, readable))  # one batch for all the images
    failures = 0
    for image, digit, error in zip(args.images, digits, errors):
        prediction = next(predictions) if digit is not None else None
        if digit is not None and prediction is None:
            error = "no digit found: the image is blank"
        elif prediction is not None and not all(math.isfinite(p) for p in prediction.probabilities):
            prediction, error = None, "the model gave no valid reading (its output is not finite)"
        failures += prediction is None
        print(_line(image, prediction, error, args.json))
    if failures:
        print(f"mnist-studio predict: {failures} of {len(args.images)} images gave no prediction", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _without_path(message: str, image: Path) -> str:
    prefix = f"{image}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _line(image: Path, prediction: Prediction | None, error: str | None, as_json: bool) -> str:
    if as_json:
        if prediction is None:
            return json.dumps({"image": str(image), "error": error})
        return json.dumps(
            {"image": str(image), "digit": prediction.digit, "probabilities": list(prediction.probabilities)},
            allow_nan=False,  # JSON has no NaN: a non-finite value is a bug here, never invalid output
        )
    if prediction is None:
        return f"{image}: error: {error}"
    probabilities = " ".join(f"{probability:.3f}" for probability in prediction.probabilities)
    return f"{image}: {prediction.digit} ({prediction.confidence:.1%})  probabilities {probabilities}"
