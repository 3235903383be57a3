"""``mnist-studio evaluate``: a checkpoint's accuracy, per-digit accuracy and confusion on the test set
or on a personal digit set (``--data FOLDER``)."""

from __future__ import annotations

import argparse
import json

import torch

from mnist_studio.cli import EXIT_OK
from mnist_studio.cli.digit_sets import load_personal_set, skipped_json
from mnist_studio.cli.errors import CliError
from mnist_studio.core.checkpoints import CheckpointError, load_model
from mnist_studio.core.constants import NUM_CLASSES
from mnist_studio.core.data import DatasetError, load_mnist, normalise
from mnist_studio.core.devices import resolve_device
from mnist_studio.core.evaluation import EvaluationResult, evaluate

PROG = "mnist-studio evaluate"


def run(args: argparse.Namespace) -> int:
    """Evaluate the checkpoint on the 10,000 MNIST test images (or the set in ``--data``) and print the result."""
    import torch

    try:
        device = resolve_device(args.device)
    except ValueError as error:
        raise CliError(str(error)) from error
    if args.threads is not None:
        if args.threads < 1:
            raise CliError(f"--threads must be at least 1, not {args.threads}")
        torch.set_num_threads(args.threads)
    try:
        model, checkpoint = load_model(args.checkpoint, device)
        skipped = []
        if args.data is not None:
            digits = load_personal_set(args.data, PROG)
            images, labels, skipped = torch.from_numpy(digits.images), torch.from_numpy(digits.labels), digits.skipped
        else:
            arrays = load_mnist()
            images, labels = arrays.test_images, arrays.test_labels
    except (CheckpointError, DatasetError) as error:
        raise CliError(str(error)) from error
    result = evaluate(model, normalise(images, device), labels.to(device))
    per_class_count = result.confusion.sum(1).tolist()
    # A digit the set has no image of has no accuracy (not 0%).
    per_class = [accuracy if count else None for accuracy, count in zip(result.per_class_accuracy, per_class_count)]
    if args.json:
        values = {
            "arch": checkpoint.arch,
            "checkpoint": str(args.checkpoint),
            "data": str(args.data) if args.data is not None else "mnist-test",
            "accuracy": result.accuracy,
            "correct": result.correct,
            "total": result.total,
            "per_class_accuracy": per_class,
            "confusion": result.confusion.tolist(),
            "seconds": round(result.seconds, 4),
            "device": device.type,
            "threads": torch.get_num_threads() if device.type == "cpu" else None,
        }
        if args.data is not None:
            values |= {"count": result.total, "per_class_count": per_class_count, "skipped": skipped_json(skipped)}
        print(json.dumps(values, allow_nan=False))  # JSON has no NaN: a non-finite value is a bug here
    else:
        where = f" on {args.data}" if args.data is not None else ""
        print(f"{args.checkpoint} ({checkpoint.arch}, {checkpoint.status} at step {checkpoint.step:,})")
        print(
            f"{'Accuracy' if args.data is not None else 'Test accuracy'}{where} {result.accuracy:.2%} "
            f"({result.correct:,} of {result.total:,} images) in {result.seconds:.2f} s on {device.type}"
        )
        print(format_report(result, per_class))
    return EXIT_OK


def format_report(result: EvaluationResult, per_class: list[float | None] | None = None) -> str:
    """Per-digit accuracy (``—`` for a digit without images) and the confusion matrix as aligned text."""
    digits = range(NUM_CLASSES)
    per_class = per_class if per_class is not None else list(result.per_class_accuracy)
    lines = ["", "digit      " + "".join(f"{digit:>7}" for digit in digits)]
    lines.append("accuracy   " + "".join(f"{a:>7.1%}" if a is not None else f"{'—':>7}" for a in per_class))
    lines += ["", "Confusion matrix (rows: true digit, columns: predicted digit)"]
    lines.append("     " + "".join(f"{digit:>6}" for digit in digits))
    for digit, row in zip(digits, result.confusion.tolist()):
        lines.append(f"{digit:>4} " + "".join(f"{count:>6}" for count in row))
    return "\n".join(lines)
