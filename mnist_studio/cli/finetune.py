"""``mnist-studio finetune``: fine-tune a completed checkpoint on a folder of the user's own digits."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mnist_studio.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from mnist_studio.cli.digit_sets import digit_list, load_personal_set, skipped_json
from mnist_studio.cli.errors import CliError
from mnist_studio.cli.progress_bar import ProgressPrinter
from mnist_studio.core.config import ConfigError
from mnist_studio.core.my_digits.recipe import FEW_SAMPLES, FineTuneSettings
from mnist_studio.core.progress import RunStatus

if TYPE_CHECKING:
    from mnist_studio.core.my_digits.finetune import Accuracies, FineTunePlan
    from mnist_studio.core.progress import RunStarted, TrainingFinished

PROG = "mnist-studio finetune"


def run(args: argparse.Namespace) -> int:
    """Fine-tune as the options say; exit 0 (completed), 2 (bad input or diverged) or 130 (stopped)."""
    try:
        settings = FineTuneSettings(
            epochs=args.epochs,
            learning_rate=args.lr,
            mnist_share=args.mnist_share,
            holdout=args.holdout,
            seed=args.seed,
            device=args.device,
            threads=args.threads,
        )
    except ConfigError as error:
        raise CliError(str(error)) from error
    # The engine imports torch (seconds): only now, so that a mistyped option fails at once.
    from mnist_studio.cli.train import drive_run, signals_stop
    from mnist_studio.core.checkpoints import CheckpointError, load_checkpoint
    from mnist_studio.core.data import DatasetError
    from mnist_studio.core.my_digits.finetune import FineTuneError, plan_finetune
    from mnist_studio.core.training import TrainingError

    human = sys.stderr if args.json else sys.stdout  # with --json, stdout carries only the result
    try:
        parent = load_checkpoint(args.checkpoint)
        _check_out(args.out, parent.path)
        digits = load_personal_set(args.folder, PROG)
        plan = plan_finetune(parent, digits, settings)
        _warn_about_digits(plan)
        print(_plan_line(plan), file=human)
        trainer = plan.trainer(args.out)
        with signals_stop(trainer) as signals:
            started, finished = drive_run(trainer, ProgressPrinter(human))
    except (CheckpointError, ConfigError, DatasetError, FineTuneError, TrainingError) as error:
        raise CliError(str(error)) from error
    _report(args, plan, started, finished, human)
    if finished.status is RunStatus.COMPLETED:
        return EXIT_OK
    if finished.status is RunStatus.STOPPED:
        return 128 + signals[0] if signals else EXIT_INTERRUPTED
    return EXIT_USAGE


def _check_out(out: Path | None, parent: Path) -> None:
    if out is not None and out.exists() and out.resolve() == parent.resolve():
        raise CliError(f"{out}: is the checkpoint being fine-tuned; give --out another file so it is kept")


def _warn_about_digits(plan: FineTunePlan) -> None:
    if plan.missing_digits:
        print(
            f"{PROG}: warning: no images of {digit_list(plan.missing_digits)}; the model learns nothing new about "
            f"{'it' if len(plan.missing_digits) == 1 else 'them'}",
            file=sys.stderr,
        )
    if plan.sparse_digits:
        print(
            f"{PROG}: warning: fewer than {FEW_SAMPLES} images of {digit_list(plan.sparse_digits)}; "
            "add more for a result to rely on",
            file=sys.stderr,
        )


def _plan_line(plan: FineTunePlan) -> str:
    train, holdout = sum(plan.train_counts), sum(plan.holdout_counts)
    share = plan.settings.mnist_share
    return (
        f"Fine-tuning {plan.parent.path} on {plan.digits.folder}: {train:,} of your images to train on "
        f"({holdout:,} held out to measure the result), {share:.0%} of each batch from MNIST"
    )


def _percent(value: float | None) -> str:
    return f"{value:.2%}" if value is not None else "—"


def _report(
    args: argparse.Namespace, plan: FineTunePlan, started: RunStarted, finished: TrainingFinished, human: TextIO
) -> None:
    from mnist_studio.cli.training_text import divergence_text
    from mnist_studio.core.my_digits.finetune import after

    before, result = plan.before(started), after(finished)
    if finished.status is RunStatus.COMPLETED:
        print(
            f"Held-out personal digits: {_percent(before.personal)} -> {_percent(result.personal)}; "
            f"MNIST test: {_percent(before.mnist_test)} -> {_percent(result.mnist_test)}",
            file=human,
        )
        print(f"Checkpoint: {finished.checkpoint_path}", file=human)
    elif finished.status is RunStatus.STOPPED:
        print(
            f"Stopped at step {finished.step:,}; the partly fine-tuned model is saved to {finished.checkpoint_path}",
            file=human,
        )
    if finished.divergence is not None:
        print(f"{PROG}: {divergence_text(finished.divergence)}", file=sys.stderr)
    if args.json:
        print(json.dumps(_result(plan, finished, before, result), allow_nan=False), flush=True)


def _accuracies(values: Accuracies) -> dict[str, float | None]:
    return {"personal": values.personal, "mnist_test": values.mnist_test}


def _result(plan: FineTunePlan, finished: TrainingFinished, before: Accuracies, result: Accuracies) -> dict[str, Any]:
    return {
        "status": finished.status.value,
        "arch": plan.config.arch,
        "parent": str(plan.parent.path),
        "checkpoint": str(finished.checkpoint_path) if finished.checkpoint_path else None,
        "before": _accuracies(before),
        "after": _accuracies(result),
        "train_seconds": round(finished.train_seconds, 3),
        "epochs": plan.config.epochs,
        "learning_rate": plan.config.learning_rate,
        "mnist_share": plan.settings.mnist_share,
        "personal_train_per_digit": list(plan.train_counts),
        "personal_holdout_per_digit": list(plan.holdout_counts),
        "missing_digits": list(plan.missing_digits),
        "sparse_digits": list(plan.sparse_digits),
        "skipped": skipped_json(plan.digits.skipped),
    }
