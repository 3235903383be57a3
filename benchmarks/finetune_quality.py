"""Fine-tuning on a personal set in a style MNIST never had: how far it helps, what it costs MNIST, how long.

For each architecture, the shipped model is fine-tuned (the app's and the CLI's defaults, the
same ``plan_finetune`` path) on ``--per-digit`` seven-segment digits per digit
(``benchmarks/seven_segment.py``, written to a digit folder and read back as a user's set is),
then scored on ``--test-per-digit`` *other* seven-segment digits per digit and on the MNIST test
set. Repeated on ``--sets`` different personal sets; reports the mean and the worst.

    python benchmarks/finetune_quality.py [--arch lenet5 mlp] [--sets 3] [--per-digit 20]
        [--epochs N --lr X --mnist-share F --holdout F] [--threads 1]

Accuracy figures do not depend on the machine's load; the times do (see the machine line).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common  # noqa: E402
from seven_segment import seven_segment_set  # noqa: E402

from mnist_studio.core.checkpoints import load_checkpoint, load_model  # noqa: E402
from mnist_studio.core.data import normalise  # noqa: E402
from mnist_studio.core.evaluation import evaluate  # noqa: E402
from mnist_studio.core.my_digits.finetune import after, plan_finetune  # noqa: E402
from mnist_studio.core.my_digits.folder import DigitSet  # noqa: E402
from mnist_studio.core.my_digits.images import load_digit_images  # noqa: E402
from mnist_studio.core.my_digits.recipe import FineTuneSettings  # noqa: E402
from mnist_studio.core.paths import pretrained_dir  # noqa: E402
from mnist_studio.core.preprocess import preprocess_array  # noqa: E402
from mnist_studio.core.progress import RunStarted, TrainingFinished  # noqa: E402
from mnist_studio.core.registry import ARCHITECTURES  # noqa: E402

TEST_SEED = 10_000  # the style test set: drawn apart from every personal set (seeds 0, 1, 2 ...)


@dataclass(frozen=True)
class Outcome:
    """One fine-tuning run: accuracies before and after, and its times."""

    style_before: float
    style_after: float
    mnist_before: float
    mnist_after: float
    held_out_before: float
    held_out_after: float
    train_seconds: float
    wall_seconds: float  # reading the set, preparing the data, training and the final MNIST score


def style_test_set(per_digit: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised seven-segment test digits (never trained on) and their labels."""
    images, labels = seven_segment_set(per_digit, TEST_SEED)
    preprocessed = np.stack([preprocess_array(image).image for image in images])
    return normalise(torch.from_numpy(preprocessed)), torch.from_numpy(labels)


def write_personal_set(folder: Path, per_digit: int, seed: int) -> Path:
    """A user's set as the app saves it: PNGs of 280x280 drawings in FOLDER/0 … FOLDER/9."""
    digit_set = DigitSet.open(folder, create=True)
    for image, label in zip(*seven_segment_set(per_digit, seed)):
        digit_set.add(image, int(label))
    return folder


def fine_tune(arch: str, folder: Path, settings: FineTuneSettings, out: Path, test: tuple[torch.Tensor, torch.Tensor]) -> Outcome:
    """Fine-tune the shipped ``arch`` on the set in ``folder``; score before and after."""
    started_at = time.perf_counter()
    parent = load_checkpoint(pretrained_dir() / f"{arch}.pt")
    plan = plan_finetune(parent, load_digit_images(DigitSet.open(folder).scan()), settings)
    started = finished = None
    for record in plan.trainer(out).run():
        if isinstance(record, RunStarted):
            started = record
        elif isinstance(record, TrainingFinished):
            finished = record
    wall = time.perf_counter() - started_at
    if finished is None or not finished.succeeded:
        raise RuntimeError(f"{arch}: the fine-tuning run did not complete: {finished}")
    before, result = plan.before(started), after(finished)
    parent_model, _ = load_model(parent.path)
    tuned_model, _ = load_model(out)
    return Outcome(
        style_before=evaluate(parent_model, *test).accuracy,
        style_after=evaluate(tuned_model, *test).accuracy,
        mnist_before=before.mnist_test,
        mnist_after=result.mnist_test,
        held_out_before=before.personal,
        held_out_after=result.personal,
        train_seconds=finished.train_seconds,
        wall_seconds=wall,
    )


def _mean_worst(values: list[float], worst: str = "min") -> str:
    extreme = min(values) if worst == "min" else max(values)
    return f"{statistics.mean(values):.2%} ({extreme:.2%})"


def main() -> None:
    """Fine-tune every architecture on seven-segment sets and print one table row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", choices=list(ARCHITECTURES), default=list(ARCHITECTURES))
    parser.add_argument("--sets", type=int, default=3, help="personal sets (seeds 0, 1, ...) per architecture")
    parser.add_argument("--per-digit", type=int, default=20, help="personal images per digit")
    parser.add_argument("--test-per-digit", type=int, default=50, help="style test images per digit")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--mnist-share", type=float)
    parser.add_argument("--holdout", type=float)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    chosen = {
        "epochs": args.epochs,
        "learning_rate": args.lr,
        "mnist_share": args.mnist_share,
        "holdout": args.holdout,
    }
    settings = FineTuneSettings(
        device=args.device, threads=args.threads, **{key: value for key, value in chosen.items() if value is not None}
    )
    print(_common.machine_summary())
    print(
        f"Fine-tuning settings: {settings}; {args.per_digit} seven-segment digits per digit, "
        f"{args.sets} sets; style test: {args.test_per_digit} other ones per digit"
    )
    test = style_test_set(args.test_per_digit)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folders = [write_personal_set(Path(scratch) / f"set-{seed}", args.per_digit, seed) for seed in range(args.sets)]
        for arch in args.arch:
            outcomes = []
            for number, folder in enumerate(folders):
                outcome = fine_tune(arch, folder, settings, Path(scratch) / f"{arch}-{number}.pt", test)
                outcomes.append(outcome)
                print(f"  {arch} set {number}: {outcome}", file=sys.stderr, flush=True)
            rows.append(
                [
                    ARCHITECTURES[arch].display_name,
                    f"{outcomes[0].style_before:.2%}",
                    _mean_worst([o.style_after for o in outcomes]),
                    f"{outcomes[0].mnist_before:.2%}",
                    _mean_worst([o.mnist_after for o in outcomes]),
                    f"{statistics.mean(o.held_out_before for o in outcomes):.1%} -> "
                    f"{statistics.mean(o.held_out_after for o in outcomes):.1%}",
                    f"{_common.median([o.train_seconds for o in outcomes]):.1f}",
                    f"{_common.median([o.wall_seconds for o in outcomes]):.1f}",
                ]
            )
    _common.print_table(
        [
            "model",
            "style test before",
            "style test after: mean (worst)",
            "MNIST test before",
            "MNIST test after: mean (worst)",
            "held-out personal before -> after",
            "train s (median)",
            "whole run s (median)",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
