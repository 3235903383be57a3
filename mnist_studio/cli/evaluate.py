"""``mnist-studio evaluate``: a checkpoint's accuracy, per-digit accuracy and confusion on the test set."""

from __future__ import annotations

import argparse
import json

from mnist_studio.cli import EXIT_OK
from mnist_studio.cli.errors import CliError
from mnist_studio.core.checkpoints import CheckpointError, load_model
from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.data import DatasetError, load_mnist, normalise
from mnist_studio.core.devices import resolve_device
from mnist_studio.core.evaluation import EvaluationResult, evaluate


def run(args: argparse.Namespace) -> int:
    """Evaluate the checkpoint on the 10,000 MNIST test images and print the result."""
    try:
        device = resolve_device(args.device)
    except ValueError as error:
        raise CliError(str(error)) from error
    try:
        model, checkpoint = load_model(args.checkpoint, device)
        arrays = load_mnist()
    except (CheckpointError, DatasetError) as error:
        raise CliError(str(error)) from error
    result = evaluate(model, normalise(arrays.test_images, device), arrays.test_labels.to(device))
    if args.json:
        print(
            json.dumps(
                {
                    "arch": checkpoint.arch,
                    "checkpoint": str(args.checkpoint),
                    "accuracy": result.accuracy,
                    "correct": result.correct,
                    "total": result.total,
                    "per_class_accuracy": result.per_class_accuracy,
                    "confusion": result.confusion.tolist(),
                    "seconds": round(result.seconds, 4),
                    "device": device.type,
                },
                allow_nan=False,  # JSON has no NaN: a non-finite value is a bug here, never invalid output
            )
        )
    else:
        print(f"{args.checkpoint} ({checkpoint.arch}, {checkpoint.status} at step {checkpoint.step:,})")
        print(
            f"Test accuracy {result.accuracy:.2%} ({result.correct:,} of {result.total:,} images) "
            f"in {result.seconds:.2f} s on {device.type}"
        )
        print(format_report(result))
    return EXIT_OK


def format_report(result: EvaluationResult) -> str:
    """Per-digit accuracy and the confusion matrix as aligned text."""
    digits = range(NUM_CLASSES)
    lines = ["", "digit      " + "".join(f"{digit:>7}" for digit in digits)]
    lines.append("accuracy   " + "".join(f"{accuracy:>7.1%}" for accuracy in result.per_class_accuracy))
    lines += ["", "Confusion matrix (rows: true digit, columns: predicted digit)"]
    lines.append("     " + "".join(f"{digit:>6}" for digit in digits))
    for digit, row in zip(digits, result.confusion.tolist()):
        lines.append(f"{digit:>4} " + "".join(f"{count:>6}" for count in row))
    return "\n".join(lines)
