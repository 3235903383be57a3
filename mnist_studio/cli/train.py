"""``mnist-studio train``: build the run from the options (or a stopped checkpoint) and drive the engine."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, TextIO

from mnist_studio.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from mnist_studio.cli.errors import CliError
from mnist_studio.cli.progress_bar import ProgressPrinter
from mnist_studio.core.config import ConfigError, TrainingConfig
from mnist_studio.core.data import DatasetError
from mnist_studio.cli.training_text import (
    compilation_failed_line,
    divergence_text,
    finished_lines,
    save_problem_line,
    started_line,
)
from mnist_studio.core.progress import CompilationFailed, RunStarted, RunStatus, TrainingFinished

if TYPE_CHECKING:
    from mnist_studio.core.training import Trainer

# Option name -> TrainingConfig field, for the settings a run is defined by.
RECIPE_OPTIONS = {
    "arch": "arch",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "lr": "learning_rate",
    "optimizer": "optimizer",
    "schedule": "schedule",
    "weight_decay": "weight_decay",
    "augment": "augment",
    "device": "device",
    "seed": "seed",
    "threads": "threads",
    "subset": "subset",
    "precision": "precision",
    "compile": "compile",
}


def run(args: argparse.Namespace) -> int:
    """Train as the options say; the exit code tells completed (0), diverged (2) or interrupted (130)."""
    given = {field: getattr(args, option) for option, field in RECIPE_OPTIONS.items()}
    given = {field: value for field, value in given.items() if value is not None}
    try:
        config = None if args.resume else _new_config(given)
    except ConfigError as error:
        raise CliError(str(error)) from error
    # The engine imports torch (seconds): only now, so that a mistyped option fails at once.
    from mnist_studio.core.checkpoints import CheckpointError
    from mnist_studio.core.training import Trainer, TrainingError

    human = sys.stderr if args.json else sys.stdout  # with --json, stdout carries only the result
    try:
        trainer = Trainer(config, checkpoint_path=args.out) if config else _resumed_trainer(given, args)
        with signals_stop(trainer) as signals:  # before the first record: a signal after it always stops cleanly
            _, finished = drive_run(trainer, ProgressPrinter(human))
    except (CheckpointError, DatasetError, TrainingError) as error:
        raise CliError(str(error)) from error
    _report(args, trainer.config, finished, human)
    if finished.checkpoint_path is None and finished.status is not RunStatus.FAILED:
        return EXIT_USAGE  # trained, but no folder could hold the checkpoint (e.g. the disk is full)
    if finished.status is RunStatus.COMPLETED:
        return EXIT_OK
    if finished.status is RunStatus.STOPPED:
        return 128 + signals[0] if signals else EXIT_INTERRUPTED  # as shells report a signal: 130, 143, 129
    return EXIT_USAGE


def _new_config(given: dict[str, Any]) -> TrainingConfig:
    if "arch" not in given:
        raise CliError("--arch is required (unless you --resume a stopped run)")
    return TrainingConfig.for_architecture(given.pop("arch"), **given)


# A resumed run keeps its recipe; where it runs may change.
WHERE_OPTIONS = ("device", "threads")


def _resumed_trainer(given: dict[str, Any], args: argparse.Namespace) -> Trainer:
    from mnist_studio.core.checkpoints import load_checkpoint
    from mnist_studio.core.training import Trainer

    checkpoint = load_checkpoint(args.resume)
    saved = checkpoint.config.to_dict()
    changed = [
        option
        for option, field in RECIPE_OPTIONS.items()
        if field in given and field not in WHERE_OPTIONS and given[field] != saved[field]
    ]
    if changed:
        names = ", ".join("--" + option.replace("_", "-") for option in changed)
        raise CliError(f"a resumed run keeps its saved settings; drop {names} (or start a new run)")
    return Trainer.resuming(
        checkpoint, device=given.get("device"), threads=given.get("threads"), checkpoint_path=args.out
    )


def drive_run(trainer: Trainer, printer: ProgressPrinter) -> tuple[RunStarted, TrainingFinished]:
    """Run ``trainer`` to its end, printing its records; returns its first and last record."""
    started = None
    for record in trainer.run():
        if isinstance(record, RunStarted):
            started = record
            printer.line(started_line(record))
        elif isinstance(record, CompilationFailed):
            printer.line(compilation_failed_line(record))
        printer.show(record)
        if isinstance(record, TrainingFinished) and started is not None:
            printer.clear()
            return started, record
    raise RuntimeError("the training engine ended without a result")  # a bug: exit 1, not a user error


# Signals that end a run the way Ctrl+C does: stop after the current step, save a resumable checkpoint.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def signals_stop(trainer: Trainer) -> Iterator[list[int]]:
    """Ctrl+C, SIGTERM (a `kill`, a shutdown) and SIGHUP (the terminal closed) ask the trainer to stop;
    it saves a resumable checkpoint. A second Ctrl+C interrupts at once. Yields the list that
    receives the signal that stopped the run. KeyboardInterrupt must not fire inside a step: it
    would abandon the run."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():  # only the main thread gets signals
        yield received
        return

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        trainer.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _report(args: argparse.Namespace, config: TrainingConfig, finished: TrainingFinished, human: TextIO) -> None:
    problem = save_problem_line(finished)
    if problem is not None:
        print(f"mnist-studio train: {problem}", file=sys.stderr)
    for line in finished_lines(finished):
        print(line, file=human)
    if finished.divergence is not None:
        print(f"mnist-studio train: {divergence_text(finished.divergence)}", file=sys.stderr)
    if args.json:
        print(json.dumps(_result(config, finished), allow_nan=False), flush=True)


def _result(config: TrainingConfig, finished: TrainingFinished) -> dict[str, Any]:
    divergence = finished.divergence
    return {
        "status": finished.status.value,
        "arch": config.arch,
        "epochs": config.epochs,
        "epochs_completed": finished.epochs_completed,
        "batch_size": config.batch_size,
        "step": finished.step,
        "test_accuracy": finished.test_accuracy,
        "val_accuracy": finished.val_accuracy,
        "train_seconds": round(finished.train_seconds, 3),
        "images_per_second": round(finished.images_per_second, 1),
        "checkpoint": str(finished.checkpoint_path) if finished.checkpoint_path else None,
        "save_problem": finished.save_problem.value if finished.save_problem else None,
        "divergence": None
        if divergence is None
        else {
            "reason": divergence.reason.value,
            "step": divergence.step,
            "loss": divergence.loss if math.isfinite(divergence.loss) else str(divergence.loss),
            "learning_rate": divergence.learning_rate,
        },
    }
