"""The argument parser: sub-commands, options, and help texts built from the registry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from mnist_studio.core.config import DEVICES, OPTIMIZERS, PRECISIONS, SCHEDULES
from mnist_studio.core.registry import ARCHITECTURES

if TYPE_CHECKING:
    from mnist_studio.core.versions import Versions

CHECKPOINT_HELP = f"checkpoint file (.pt), or a shipped model: {', '.join(ARCHITECTURES)} (see `mnist-studio models`)"

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


class VersionAction(argparse.Action):
    """``--version``: the app's, PyTorch's, Qt's and Python's versions, read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        help_text = "show the versions of MNIST Studio, PyTorch and Qt"
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help_text)

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        from mnist_studio.core.versions import installed_versions

        print(version_text(installed_versions()), end="")  # on stdout, as argparse's own version action
        parser.exit(0)


def version_text(versions: Versions) -> str:
    """``--version``'s lines: "mnist-studio 0.1.0", then PyTorch (and its CUDA build), Qt and Python."""
    torch = f"PyTorch {versions.torch}" if versions.torch else "PyTorch not installed"
    if versions.torch_cuda:
        torch += f" (CUDA {versions.torch_cuda})"
    qt = f"Qt {versions.qt} (PySide6)" if versions.qt else "Qt (PySide6) not installed"
    return "\n".join([f"mnist-studio {versions.app}", torch, qt, f"Python {versions.python}"]) + "\n"


def checkpoint_argument(text: str) -> Path:
    """A checkpoint argument: the file ``text``, or the shipped model of that architecture key
    (``lenet5``) when there is no such file."""
    path = Path(text)
    if text in ARCHITECTURES and not path.is_file():
        from mnist_studio.core.paths import pretrained_dir

        return pretrained_dir() / f"{text}.pt"
    return path


def _recipe_table() -> str:
    return "\n".join(
        f"  {spec.key:<7} {spec.display_name}: {spec.epochs} epochs, batch {spec.batch_size}, "
        f"lr {spec.learning_rate:g}, {spec.optimizer}, {spec.schedule}, weight decay {spec.weight_decay:g}"
        for spec in ARCHITECTURES.values()
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``mnist-studio`` parser with its sub-commands (``train``, ``evaluate``, ``predict``, ...)."""
    parser = ShortErrorParser(
        prog="mnist-studio",
        description="Train, evaluate and use MNIST digit classifiers. Without a command, opens the app.",
    )
    parser.add_argument("--version", action=VersionAction)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    common.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(commands, common)
    _add_evaluate(commands, common)
    _add_predict(commands, common)
    _add_finetune(commands, common)
    _add_models(commands, common)
    _add_install_desktop(commands, common)
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
        # A str, not a Path: "newdir/" (a folder, refused) must keep its trailing "/".
        "--out", metavar="FILE", help="checkpoint to write (default: a new file in the runs folder)"
    )
    train.add_argument(
        "--resume", type=Path, metavar="FILE", help="continue a stopped run; writes back to FILE unless --out"
    )


def _add_evaluate(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        parents=[common],
        help="measure a checkpoint on the 10,000 test images (or your own digits)",
        description=(
            "Accuracy, per-digit accuracy and confusion matrix of a checkpoint on the MNIST test set, "
            "or with --data on a folder of your own digits (FOLDER/0/*.png … FOLDER/9/*.png)."
        ),
    )
    evaluate.add_argument("checkpoint", type=checkpoint_argument, metavar="MODEL", help=CHECKPOINT_HELP)
    evaluate.add_argument(
        "--data", type=Path, metavar="FOLDER", help="a digit set (FOLDER/0/*.png … FOLDER/9/*.png) instead of MNIST"
    )
    evaluate.add_argument("--device", choices=DEVICES, default="auto")
    evaluate.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: PyTorch's, every core)")


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
    predict.add_argument("checkpoint", type=checkpoint_argument, metavar="MODEL", help=CHECKPOINT_HELP)
    predict.add_argument("images", type=Path, nargs="+", metavar="IMAGE", help="image files")


def _add_models(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    commands.add_parser(
        "models",
        parents=[common],
        help="list the shipped pretrained models",
        description=(
            "The pretrained models that ship with MNIST Studio: give a model's key (e.g. lenet5) to "
            "evaluate or predict instead of a checkpoint file. Also names the folder your runs are saved in."
        ),
    )


def _add_install_desktop(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    install = commands.add_parser(
        "install-desktop",
        parents=[common],
        help="add MNIST Studio to the desktop's application menu (Linux)",
        description=(
            "Write a launcher entry (mnist-studio.desktop) and the app icon into your user data folder "
            "($XDG_DATA_HOME, default ~/.local/share), so MNIST Studio appears in the application menu. "
            "The entry starts this installation's mnist-studio."
        ),
    )
    install.add_argument("--remove", action="store_true", help="remove the entry and icon written before")


FINETUNE_EPILOG = """\
Each batch mixes your digits (shifted, turned and scaled a little anew each time
they are shown) with MNIST training images, so the model learns your style
without forgetting MNIST. A share of each digit's images (--holdout, chosen by
--seed) is kept aside to measure the result: the last line of --json holds
`before` and `after` accuracy on those held-out digits (`personal`) and on the
10,000 MNIST test images (`mnist_test`), and `checkpoint`, `train_seconds`.
Ten images per digit are enough to start; a digit with fewer than 3 images, or
none, is accepted with a warning. Ctrl+C stops after the current step and keeps
the partly trained model (exit code 130). Bad options or folders exit with 2.
"""


def _add_finetune(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from mnist_studio.core.my_digits.recipe import DEFAULT_EPOCHS, DEFAULT_HOLDOUT, DEFAULT_MNIST_SHARE

    finetune = commands.add_parser(
        "finetune",
        parents=[common],
        help="fine-tune a model on your own digits",
        description="Fine-tune a completed checkpoint on a folder of your own digits (FOLDER/0/*.png … FOLDER/9/*.png).",
        epilog=FINETUNE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    finetune.add_argument(
        "checkpoint", type=checkpoint_argument, metavar="MODEL", help="the model to start from: " + CHECKPOINT_HELP
    )
    finetune.add_argument("folder", type=Path, metavar="FOLDER", help="your digits, one folder per digit 0-9")
    finetune.add_argument("--epochs", type=int, metavar="N", default=DEFAULT_EPOCHS, help=f"default {DEFAULT_EPOCHS}")
    finetune.add_argument("--lr", type=float, metavar="X", help="peak learning rate (default: a tenth of the architecture's)")
    finetune.add_argument(
        "--mnist-share",
        type=float,
        metavar="F",
        default=DEFAULT_MNIST_SHARE,
        help=f"share of each batch taken from MNIST, 0-0.95 (default {DEFAULT_MNIST_SHARE})",
    )
    finetune.add_argument(
        "--holdout",
        type=float,
        metavar="F",
        default=DEFAULT_HOLDOUT,
        help=f"share of each digit's images kept aside to measure the result (default {DEFAULT_HOLDOUT})",
    )
    finetune.add_argument("--seed", type=int, metavar="N", default=0, help="random seed (default 0)")
    finetune.add_argument("--device", choices=DEVICES, default="auto")
    finetune.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: the engine's choice here)")
    finetune.add_argument(
        "--out", type=Path, metavar="FILE", help="checkpoint to write (default: a new file in the runs folder)"
    )
