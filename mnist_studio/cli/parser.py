"""The argument parser: sub-commands, options, and help texts built from the registry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from mnist_studio import __version__
from mnist_studio.core.config import DEVICES, OPTIMIZERS, PRECISIONS, SCHEDULES
from mnist_studio.core.registry import ARCHITECTURES

TRAIN_EPILOG = """\
Options left out take the architecture's defaults:
{defaults}

Ctrl+C (or SIGTERM, SIGHUP) stops after the current step and saves a resumable checkpoint
(exit code 130; 143, 129); continue it with `mnist-studio train --resume FILE`. A resumed run
keeps its saved recipe; --device and --threads may differ.
If the loss diverges (becomes NaN or infinite, or explodes far above where it started) the run
stops, saves nothing and exits with code 2: try a lower --lr. Bad options or files also exit
with code 2.
"""


class ShortErrorParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are two lines, not the whole (long) usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\nTry '{self.prog} --help' for more information.\n")


def _recipe_table() -> str:
    return "\n".join(
        f"  {spec.key:<7} {spec.display_name}: {spec.epochs} epochs, batch {spec.batch_size}, "
        f"lr {spec.learning_rate:g}, {spec.optimizer}, {spec.schedule}, weight decay {spec.weight_decay:g}"
        for spec in ARCHITECTURES.values()
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``mnist-studio`` parser with its ``train``, ``evaluate`` and ``predict`` sub-commands."""
    parser = ShortErrorParser(
        prog="mnist-studio",
        description="Train, evaluate and use MNIST digit classifiers. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"mnist-studio {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    common.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(commands, common)
    _add_evaluate(commands, common)
    _add_predict(commands, common)
    return parser


def _add_train(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    train = commands.add_parser(
        "train",
        parents=[common],
        help="train a model and save its checkpoint",
        description="Train one architecture on MNIST, report test accuracy and save a checkpoint.",
        epilog=TRAIN_EPILOG.format(defaults=_recipe_table()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument("--arch", choices=list(ARCHITECTURES), help="architecture (required unless --resume)")
    train.add_argument("--epochs", type=int, metavar="N", help="passes over the training images")
    train.add_argument("--batch-size", type=int, metavar="N", help="images per step")
    train.add_argument("--lr", type=float, metavar="X", help="(peak) learning rate")
    train.add_argument("--optimizer", choices=OPTIMIZERS)
    train.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    train.add_argument("--weight-decay", type=float, metavar="X")
    train.add_argument(
        "--augment", action="store_true", default=None, help="random small shifts, rotations and scaling"
    )
    train.add_argument("--device", choices=DEVICES, help="auto (default) picks CUDA, then MPS, then the CPU")
    train.add_argument("--seed", type=int, metavar="N", help="random seed (default 0): same seed, same weights")
    train.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: the engine's choice here)")
    train.add_argument("--subset", type=int, metavar="N", help="train on only N images (quick runs)")
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        help="fp32 (default), bf16 autocast, or auto: bf16 where the device has it natively and it pays",
    )
    train.add_argument(
        "--compile",
        action="store_true",
        default=None,
        help="torch.compile the model: faster steps after a first compile of seconds to a minute",
    )
    train.add_argument(
        "--out", type=Path, metavar="FILE", help="checkpoint to write (default: a new file in checkpoints/runs/)"
    )
    train.add_argument(
        "--resume", type=Path, metavar="FILE", help="continue a stopped run; writes back to FILE unless --out"
    )


def _add_evaluate(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="measure a checkpoint on the 10,000 test images",
        description="Accuracy, per-digit accuracy and confusion matrix of a checkpoint on the MNIST test set.",
    )
    evaluate.add_argument("checkpoint", type=Path, metavar="FILE", help="checkpoint file (.pt)")
    evaluate.add_argument("--device", choices=DEVICES, default="auto")


def _add_predict(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    predict = commands.add_parser(
        "predict",
        parents=[common],
        help="read the digit in image files",
        description=(
            "Predict the digit in each image (PNG, JPEG, ...; light-on-dark or dark-on-light, any size). "
            "Exits with code 2 if any image could not be read; the others are still predicted."
        ),
    )
    predict.add_argument("checkpoint", type=Path, metavar="FILE", help="checkpoint file (.pt)")
    predict.add_argument("images", type=Path, nargs="+", metavar="IMAGE", help="image files")
