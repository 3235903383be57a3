"""Training throughput (CPU; ``--device cuda`` on a GPU): the tutorial's DataLoader pipeline vs the engine.

Three pipelines per architecture, interleaved in one process:
- tutorial: torchvision ``MNIST`` with ``ToTensor()+Normalize`` in a ``DataLoader`` (batch 64,
  shuffle), Adam lr 1e-3, the same model class as the engine;
- engine-64: ``core.training.Trainer`` with the same model, batch 64, Adam, constant lr 1e-3;
- engine-default: ``Trainer`` with ``TrainingConfig.for_architecture(arch, epochs=1)``.
By default each pipeline trains on ``--images`` images and the epoch time is extrapolated from
its images/s (tutorial epoch: 60,000 images; engine epoch: 55,000, the rest is validation).
``--full`` trains whole epochs instead. Times are training steps only (the engine's
``train_seconds``); the engine's set-up, validation and test evaluation are shown apart.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

import _common
from mnist_studio.core.config import TRAINING_IMAGES, TrainingConfig
from mnist_studio.core.constants import MNIST_MEAN, MNIST_STD
from mnist_studio.core.devices import default_cpu_threads
from mnist_studio.core.registry import build_model

TUTORIAL_BATCH = 64
TUTORIAL_LEARNING_RATE = 1e-3
TUTORIAL_EPOCH_IMAGES = 60_000
GOAL_RATIO = {"lenet5": 4.0, "mlp": 5.0}


def tutorial_loader(root: Path) -> DataLoader:
    """The tutorial's training DataLoader (per-sample PIL -> tensor -> normalise, batch 64)."""
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MNIST_MEAN,), (MNIST_STD,))])
    dataset = datasets.MNIST(str(root), train=True, download=False, transform=transform)
    return DataLoader(dataset, batch_size=TUTORIAL_BATCH, shuffle=True)


def train_tutorial(arch: str, loader: DataLoader, images: int | None, threads: int, device: str = "cpu") -> float:
    """Train the tutorial's way on ``images`` images (None: one epoch); returns images/s."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_model(arch).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=TUTORIAL_LEARNING_RATE)
    criterion = nn.CrossEntropyLoss()
    steps = math.ceil(images / TUTORIAL_BATCH) if images else len(loader)
    model.train()
    seen = 0
    started = time.perf_counter()
    for step, (batch_images, batch_labels) in enumerate(loader):
        if step == steps:
            break
        batch_images, batch_labels = batch_images.to(device), batch_labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(batch_images), batch_labels)
        loss.backward()
        optimizer.step()
        loss.item()  # the tutorial accumulates the running loss each step (this also waits for a GPU)
        seen += len(batch_labels)
    return seen / (time.perf_counter() - started)


def engine_config(arch: str, recipe: str, images: int | None, threads: int, device: str = "cpu") -> TrainingConfig:
    """The engine's config: ``tutorial`` (batch 64, Adam 1e-3 constant) or its ``default`` recipe."""
    if recipe == "default":
        return TrainingConfig.for_architecture(arch, epochs=1, subset=images, threads=threads, device=device)
    return TrainingConfig.for_architecture(
        arch,
        epochs=1,
        batch_size=TUTORIAL_BATCH,
        learning_rate=TUTORIAL_LEARNING_RATE,
        optimizer="adam",
        schedule="constant",
        weight_decay=0.0,
        subset=images,
        threads=threads,
        device=device,
    )


def train_engine(config: TrainingConfig, folder: Path, overheads: list[float]) -> float:
    """Run the Trainer to completion; returns training images/s, appends the non-training seconds."""
    started = time.perf_counter()
    finished = _common.run_to_completion(config, folder / f"{config.arch}.pt")
    wall = time.perf_counter() - started
    overheads.append(wall - finished.train_seconds)
    return finished.images_per_second


def main() -> None:
    """Interleave the three pipelines per architecture; print the table."""
    parser = _common.parser(__doc__.splitlines()[0], repeats=3)
    parser.add_argument("--arch", nargs="+", default=["lenet5", "mlp"], help="architectures (default lenet5 mlp)")
    parser.add_argument("--images", type=int, default=12_800, help="images per timed run (default 12,800)")
    parser.add_argument("--full", action="store_true", help="time whole epochs instead of --images")
    parser.add_argument("--threads", type=int, default=default_cpu_threads(), help="CPU threads for all pipelines")
    parser.add_argument(
        "--device", default="cpu", choices=["cpu", "cuda", "mps"],
        help="training device (default cpu); the tutorial's DataLoader stays on the CPU, the engine's data moves",
    )
    arguments = parser.parse_args()
    _common.print_header(f"Training throughput, {arguments.device} (tutorial pipeline vs engine)", arguments)
    images = None if arguments.full else arguments.images
    rows = []
    with _common.torchvision_mnist_root() as root, tempfile.TemporaryDirectory() as folder:
        loader = tutorial_loader(root)
        for arch in arguments.arch:
            overheads: dict[str, list[float]] = {"engine-64": [], "engine-default": []}
            configs = {
                recipe: engine_config(arch, recipe, images, arguments.threads, arguments.device)
                for recipe in ("tutorial", "default")
            }
            cases = {
                "tutorial": lambda: train_tutorial(arch, loader, images, arguments.threads, arguments.device),
                "engine-64": lambda: train_engine(configs["tutorial"], Path(folder), overheads["engine-64"]),
                "engine-default": lambda: train_engine(configs["default"], Path(folder), overheads["engine-default"]),
            }
            print(f"{arch}:", file=sys.stderr)
            results = _common.interleaved(cases, arguments.repeats)
            tutorial_epoch = TUTORIAL_EPOCH_IMAGES / _common.median(results["tutorial"])
            for name, values in results.items():
                rate = _common.median(values)
                epoch = (TUTORIAL_EPOCH_IMAGES if name == "tutorial" else TRAINING_IMAGES) / rate
                batch = configs["default"].batch_size if name == "engine-default" else TUTORIAL_BATCH
                overhead = f"{_common.median(overheads[name]):.2f}" if name in overheads else "-"
                rows.append(
                    [arch, name, batch, f"{rate:,.0f}", _common.spread(values), f"{epoch:.2f}",
                     f"{tutorial_epoch / epoch:.2f}x", overhead]
                )
            ratio = tutorial_epoch / (TRAINING_IMAGES / _common.median(results["engine-default"]))
            goal = GOAL_RATIO.get(arch)
            if goal:
                verdict = "met" if ratio >= goal else "MISSED"
                goal_text = f"goal: default epoch <= 1/{goal:g} of tutorial's"
                rows.append([arch, goal_text, "", "", "", "", verdict, ""])
    print()
    _common.print_table(
        ["arch", "pipeline", "batch", "images/s (median)", "images/s range", "epoch s", "tutorial/this",
         "engine overhead s"],
        rows,
    )
    how = "whole epochs" if arguments.full else f"{arguments.images:,} images per run, epoch extrapolated"
    print(
        f"\n{how}; {arguments.device}, {arguments.threads} CPU threads; tutorial epoch = 60,000 images, "
        "engine epoch = 55,000. 'engine overhead' = set-up + validation + test evaluation + checkpoint per run "
        "(not in epoch s)."
    )


if __name__ == "__main__":
    main()
